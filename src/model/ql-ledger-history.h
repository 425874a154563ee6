/* ql-ledger-history.h: one ledger's events as a list that reads the store lazily
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-ledger-book.h"

G_BEGIN_DECLS

/**
 * QL_LEDGER_HISTORY_PAGE_SIZE:
 *
 * How many events a #QlLedgerHistory reads from the store at once.
 */
#define QL_LEDGER_HISTORY_PAGE_SIZE 256

/**
 * QL_LEDGER_HISTORY_MAX_PAGES:
 *
 * How many pages a #QlLedgerHistory keeps; older ones are dropped.
 */
#define QL_LEDGER_HISTORY_MAX_PAGES 4

#define QL_TYPE_LEDGER_HISTORY (ql_ledger_history_get_type ())
G_DECLARE_FINAL_TYPE (QlLedgerHistory, ql_ledger_history, QL, LEDGER_HISTORY, GObject)

QlLedgerHistory *ql_ledger_history_new            (QlLedgerBook     *book,
                                                   QlLedger         *ledger);
QlLedger        *ql_ledger_history_get_ledger     (QlLedgerHistory  *self);
gboolean         ql_ledger_history_get_balance    (QlLedgerHistory  *self,
                                                   guint             position,
                                                   gint64           *out_balance,
                                                   GError          **error);
guint            ql_ledger_history_get_n_cached   (QlLedgerHistory  *self);

G_END_DECLS
