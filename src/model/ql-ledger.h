/* ql-ledger.h: the state of one event-sourced ledger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ql-errors.h"
#include "ql-event.h"
#include "ql-ledger-events.h"
#include "ql-text-rules.h"

G_BEGIN_DECLS

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
gboolean      ql_ledger_can_transfer_to  (QlLedger             *self,
                                          QlLedger             *other);
char         *ql_ledger_format_balance   (QlLedger             *self);
char         *ql_ledger_format_amount    (QlLedger             *self,
                                          gint64                minor);
gboolean      ql_ledger_parse_amount     (QlLedger             *self,
                                          const char           *text,
                                          gint64               *out_minor,
                                          GError              **error);
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
