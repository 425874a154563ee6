/* ql-text-rules.h: what text may enter an event, checked in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * QlTextField:
 * @QL_TEXT_FIELD_NAME: a ledger name, before it is normalised
 * @QL_TEXT_FIELD_REFERENCE: a payment reference, such as a gRPC `order_id`
 * @QL_TEXT_FIELD_CURRENCY: a currency code as given
 * @QL_TEXT_FIELD_AMOUNT: an amount or quantity as given
 * @QL_TEXT_FIELD_PAYEE: who a change was paid to or received from
 * @QL_TEXT_FIELD_MEMO: a free note on a change
 * @QL_TEXT_FIELD_DATE: a date or recording time as given
 *
 * The kinds of text a command takes; each has its own byte limit and the
 * error code of its own parameter.
 */
typedef enum
{
  QL_TEXT_FIELD_NAME,
  QL_TEXT_FIELD_REFERENCE,
  QL_TEXT_FIELD_CURRENCY,
  QL_TEXT_FIELD_AMOUNT,
  QL_TEXT_FIELD_PAYEE,
  QL_TEXT_FIELD_MEMO,
  QL_TEXT_FIELD_DATE,
} QlTextField;

/**
 * QL_TEXT_NAME_MAX_BYTES:
 *
 * The longest a ledger name can be as given, in bytes of UTF-8, checked
 * before anything else so that no long text is ever normalised.
 */
#define QL_TEXT_NAME_MAX_BYTES 400

/**
 * QL_TEXT_REFERENCE_MAX_BYTES:
 *
 * The longest a payment reference can be, in bytes of UTF-8.
 */
#define QL_TEXT_REFERENCE_MAX_BYTES 256

/**
 * QL_TEXT_CURRENCY_MAX_BYTES:
 *
 * The longest a currency code can be as given, white space included.
 */
#define QL_TEXT_CURRENCY_MAX_BYTES 16

/**
 * QL_TEXT_AMOUNT_MAX_BYTES:
 *
 * The longest an amount or quantity can be as given, white space included.
 */
#define QL_TEXT_AMOUNT_MAX_BYTES 64

/**
 * QL_TEXT_PAYEE_MAX_BYTES:
 *
 * The longest a payee can be, in bytes of UTF-8.
 */
#define QL_TEXT_PAYEE_MAX_BYTES 256

/**
 * QL_TEXT_MEMO_MAX_BYTES:
 *
 * The longest a memo can be, in bytes of UTF-8.
 */
#define QL_TEXT_MEMO_MAX_BYTES 1024

/**
 * QL_TEXT_DATE_MAX_BYTES:
 *
 * The longest a date or recording time can be as given.
 */
#define QL_TEXT_DATE_MAX_BYTES 64

gsize    ql_text_field_get_max_bytes (QlTextField   field);
gboolean ql_text_is_forbidden_char   (gunichar      c);
gboolean ql_text_check               (QlTextField   field,
                                      const char   *text,
                                      gssize        length,
                                      GError      **error);

G_END_DECLS
