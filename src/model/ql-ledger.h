/* ql-ledger.h: the state of one event-sourced ledger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ql-event.h"
#include "ql-text-rules.h"

G_BEGIN_DECLS

#define QL_LEDGER_ERROR (ql_ledger_error_quark ())

/**
 * QlLedgerError:
 * @QL_LEDGER_ERROR_NOT_FOUND: no ledger has that name
 * @QL_LEDGER_ERROR_EXISTS: a ledger with that name exists already
 * @QL_LEDGER_ERROR_INVALID_NAME: the name is empty, too long or not text
 * @QL_LEDGER_ERROR_INVALID_AMOUNT: the amount or quantity is not a positive
 *   number representable in the ledger's units
 * @QL_LEDGER_ERROR_INVALID_CURRENCY: not an ISO 4217 currency code
 * @QL_LEDGER_ERROR_INSUFFICIENT_FUNDS: a withdrawal larger than the balance
 * @QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY: a decrease below zero
 * @QL_LEDGER_ERROR_WRONG_KIND: an account command on an item, or the reverse
 * @QL_LEDGER_ERROR_NOTHING_TO_UNDO: every change is already reversed
 * @QL_LEDGER_ERROR_INVALID_VERSION: no such version of the ledger
 * @QL_LEDGER_ERROR_BUSY: other writers kept winning; nothing was written
 * @QL_LEDGER_ERROR_INVALID_IMPORT: an imported file is not in the format
 *   ql_ledger_book_import_csv() reads
 * @QL_LEDGER_ERROR_INVALID_REFERENCE: a payment reference that is too long
 *   or not text (see ql_text_check())
 *
 * Errors of the %QL_LEDGER_ERROR domain. Messages are translated and fit
 * to show to a user as they are.
 */
typedef enum
{
  QL_LEDGER_ERROR_NOT_FOUND,
  QL_LEDGER_ERROR_EXISTS,
  QL_LEDGER_ERROR_INVALID_NAME,
  QL_LEDGER_ERROR_INVALID_AMOUNT,
  QL_LEDGER_ERROR_INVALID_CURRENCY,
  QL_LEDGER_ERROR_INSUFFICIENT_FUNDS,
  QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY,
  QL_LEDGER_ERROR_WRONG_KIND,
  QL_LEDGER_ERROR_NOTHING_TO_UNDO,
  QL_LEDGER_ERROR_INVALID_VERSION,
  QL_LEDGER_ERROR_BUSY,
  QL_LEDGER_ERROR_INVALID_IMPORT,
  QL_LEDGER_ERROR_INVALID_REFERENCE,
} QlLedgerError;

GQuark ql_ledger_error_quark (void);

/**
 * QlLedgerKind:
 * @QL_LEDGER_KIND_ACCOUNT: a bank account holding an amount of money
 * @QL_LEDGER_KIND_ITEM: an inventory item holding a quantity
 *
 * What a ledger keeps count of.
 */
typedef enum
{
  QL_LEDGER_KIND_ACCOUNT,
  QL_LEDGER_KIND_ITEM,
} QlLedgerKind;

GType ql_ledger_kind_get_type (void) G_GNUC_CONST;
#define QL_TYPE_LEDGER_KIND (ql_ledger_kind_get_type ())

/* Stable event type names: stored in databases, never renamed. */
#define QL_EVENT_ACCOUNT_OPENED     "AccountOpened"
#define QL_EVENT_DEPOSITED          "Deposited"
#define QL_EVENT_WITHDRAWN          "Withdrawn"
#define QL_EVENT_ITEM_CREATED       "ItemCreated"
#define QL_EVENT_QUANTITY_INCREASED "QuantityIncreased"
#define QL_EVENT_QUANTITY_DECREASED "QuantityDecreased"

const char *ql_event_type_get_label (const char *type);

#define QL_TYPE_LEDGER (ql_ledger_get_type ())
G_DECLARE_FINAL_TYPE (QlLedger, ql_ledger, QL, LEDGER, GObject)

const char   *ql_ledger_get_name         (QlLedger             *self);
QlLedgerKind  ql_ledger_get_kind         (QlLedger             *self);
const char   *ql_ledger_get_currency     (QlLedger             *self);
guint         ql_ledger_get_decimals     (QlLedger             *self);
gint64        ql_ledger_get_balance      (QlLedger             *self);
gint64        ql_ledger_get_version      (QlLedger             *self);
gint64        ql_ledger_get_damaged_version (QlLedger          *self);
const char   *ql_ledger_get_damage       (QlLedger             *self);
char         *ql_ledger_format_balance   (QlLedger             *self);
char         *ql_ledger_format_amount    (QlLedger             *self,
                                          gint64                minor);
gboolean      ql_ledger_parse_amount     (QlLedger             *self,
                                          const char           *text,
                                          gint64               *out_minor,
                                          GError              **error);
gint64        ql_event_get_signed_amount (QlEvent              *event);
char         *ql_ledger_normalize_name   (const char           *name,
                                          GError              **error);

/**
 * QL_LEDGER_NAME_MAX_CHARS:
 *
 * The longest a ledger name can be, in characters, once normalised; as
 * given it can also have at most %QL_TEXT_NAME_MAX_BYTES bytes.
 */
#define QL_LEDGER_NAME_MAX_CHARS 100

G_END_DECLS
