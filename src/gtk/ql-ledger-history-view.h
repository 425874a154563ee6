/* ql-ledger-history-view.h: a ledger's history, its search and its order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ql-ledger-book.h"

G_BEGIN_DECLS

#define QL_TYPE_LEDGER_HISTORY_VIEW (ql_ledger_history_view_get_type ())
G_DECLARE_FINAL_TYPE (QlLedgerHistoryView, ql_ledger_history_view, QL, LEDGER_HISTORY_VIEW, GtkWidget)

void     ql_ledger_history_view_set_history       (QlLedgerHistoryView *self,
                                                   GListModel          *history);
void     ql_ledger_history_view_reset_widths      (QlLedgerHistoryView *self);
void     ql_ledger_history_view_show_version      (QlLedgerHistoryView *self,
                                                   gint64               version);
gboolean ql_ledger_history_view_holds_focus       (QlLedgerHistoryView *self,
                                                   GtkWidget           *focus);
void     ql_ledger_history_view_start_search      (QlLedgerHistoryView *self);
gboolean ql_ledger_history_view_get_filter        (QlLedgerHistoryView *self,
                                                   QlEventFilter       *filter);
void     ql_ledger_history_view_show_matches      (QlLedgerHistoryView *self,
                                                   GArray              *versions);
void     ql_ledger_history_view_show_search_error (QlLedgerHistoryView *self,
                                                   const char          *message);
gboolean ql_ledger_history_view_get_newest_first  (QlLedgerHistoryView *self);
void     ql_ledger_history_view_set_newest_first  (QlLedgerHistoryView *self,
                                                   gboolean             newest_first);

G_END_DECLS
