/* ql-ledgers-page.h: ledgers, their changes, history and past states
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ql-daily-balance-projection.h"
#include "ql-ledger.h"
#include "ql-ledger-book.h"
#include "ql-monthly-totals-projection.h"

G_BEGIN_DECLS

#define QL_TYPE_LEDGERS_PAGE (ql_ledgers_page_get_type ())
G_DECLARE_FINAL_TYPE (QlLedgersPage, ql_ledgers_page, QL, LEDGERS_PAGE, GtkWidget)

void        ql_ledgers_page_set_ledgers           (QlLedgersPage *self,
                                                   GListModel    *ledgers);
const char *ql_ledgers_page_get_selected_ledger   (QlLedgersPage *self);
const char *ql_ledgers_page_get_new_ledger_name   (QlLedgersPage *self);
const char *ql_ledgers_page_get_new_ledger_detail (QlLedgersPage *self);
const char *ql_ledgers_page_get_amount            (QlLedgersPage *self);
gint64      ql_ledgers_page_get_shown_version     (QlLedgersPage *self);
gboolean    ql_ledgers_page_get_newest_first      (QlLedgersPage *self);
gboolean    ql_ledgers_page_get_chart_shown       (QlLedgersPage *self);
void        ql_ledgers_page_set_newest_first      (QlLedgersPage *self,
                                                   gboolean       newest_first);
void        ql_ledgers_page_select_ledger         (QlLedgersPage *self,
                                                   const char    *name);
void        ql_ledgers_page_show_ledger           (QlLedgersPage *self,
                                                   QlLedger      *ledger,
                                                   GListModel    *history);
void        ql_ledgers_page_show_past_state       (QlLedgersPage *self,
                                                   gint64         version,
                                                   const char    *balance);
void        ql_ledgers_page_clear_errors          (QlLedgersPage *self);
void        ql_ledgers_page_show_change_error     (QlLedgersPage *self,
                                                   const char    *message);
void        ql_ledgers_page_change_done           (QlLedgersPage *self);
void        ql_ledgers_page_show_create_error     (QlLedgersPage *self,
                                                   const char    *message);
void        ql_ledgers_page_create_done           (QlLedgersPage *self);
void        ql_ledgers_page_start_new_ledger      (QlLedgersPage *self);
void        ql_ledgers_page_focus_first           (QlLedgersPage *self);
void        ql_ledgers_page_focus_search          (QlLedgersPage *self);
gboolean    ql_ledgers_page_focus_amount          (QlLedgersPage *self);
void        ql_ledgers_page_show_undone           (QlLedgersPage *self,
                                                   const char    *what);
void        ql_ledgers_page_show_reconnecting     (QlLedgersPage *self,
                                                   const char    *detail);
void        ql_ledgers_page_set_read_only         (QlLedgersPage *self,
                                                   gboolean       read_only);
void        ql_ledgers_page_choose_import_file    (QlLedgersPage *self);
gboolean    ql_ledgers_page_get_history_filter    (QlLedgersPage *self,
                                                   QlEventFilter *filter);
void        ql_ledgers_page_show_history_matches  (QlLedgersPage *self,
                                                   GArray        *versions);
void        ql_ledgers_page_show_history_search_error (QlLedgersPage *self,
                                                       const char    *message);
void        ql_ledgers_page_show_import_progress  (QlLedgersPage *self,
                                                   const char    *step,
                                                   double         fraction);
void        ql_ledgers_page_show_import_result    (QlLedgersPage *self,
                                                   const char    *message,
                                                   gboolean       failed);
void        ql_ledgers_page_choose_export_file    (QlLedgersPage *self);
void        ql_ledgers_page_show_export_progress  (QlLedgersPage *self,
                                                   double         fraction);
void        ql_ledgers_page_show_export_result    (QlLedgersPage *self,
                                                   const char    *message,
                                                   gboolean       failed);
void        ql_ledgers_page_get_change_note       (QlLedgersPage *self,
                                                   QlChangeNote  *note);
void        ql_ledgers_page_set_transfer_targets  (QlLedgersPage      *self,
                                                   const char * const *names);
const char *ql_ledgers_page_get_transfer_target   (QlLedgersPage *self);
const char *ql_ledgers_page_get_transfer          (QlLedgersPage *self,
                                                   QlChangeNote  *note);
void        ql_ledgers_page_show_transfer_error   (QlLedgersPage *self,
                                                   const char    *message);
void        ql_ledgers_page_transfer_done         (QlLedgersPage *self);
gint64      ql_ledgers_page_get_correction        (QlLedgersPage *self,
                                                   QlChangeNote  *note);
void        ql_ledgers_page_show_correct_error    (QlLedgersPage *self,
                                                   const char    *message);
void        ql_ledgers_page_correct_done          (QlLedgersPage *self);
gboolean    ql_ledgers_page_get_balance_date      (QlLedgersPage *self,
                                                   GDate         *date);
void        ql_ledgers_page_show_balance_on       (QlLedgersPage *self,
                                                   const char    *text);
void        ql_ledgers_page_show_balance_chart    (QlLedgersPage        *self,
                                                   const QlDailyBalance *days,
                                                   guint                 n_days,
                                                   gint64                opening);
void        ql_ledgers_page_show_chart_until      (QlLedgersPage *self,
                                                   gint64         version,
                                                   guint32        day);
void        ql_ledgers_page_show_monthly_totals   (QlLedgersPage *self,
                                                   GPtrArray     *totals);
void        ql_ledgers_page_show_chart_error      (QlLedgersPage *self,
                                                   const char    *message);

G_END_DECLS
