/* ql-balance-chart.h: a ledger's balance over time, day by day
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ql-daily-balance-projection.h"

G_BEGIN_DECLS

#define QL_TYPE_BALANCE_CHART (ql_balance_chart_get_type ())
G_DECLARE_FINAL_TYPE (QlBalanceChart, ql_balance_chart, QL, BALANCE_CHART, GtkWidget)

GtkWidget            *ql_balance_chart_new             (void);
void                  ql_balance_chart_set_balances    (QlBalanceChart       *self,
                                                        const QlDailyBalance *days,
                                                        guint                 n_days,
                                                        gint64                opening,
                                                        guint                 decimals,
                                                        const char           *currency);
const QlDailyBalance *ql_balance_chart_get_balances    (QlBalanceChart       *self,
                                                        guint                *out_n_days,
                                                        gint64               *out_opening);
void                  ql_balance_chart_set_shown_until (QlBalanceChart       *self,
                                                        guint32               day);
guint32               ql_balance_chart_get_shown_until (QlBalanceChart       *self);
const char           *ql_balance_chart_get_hover_text  (QlBalanceChart       *self);
const char           *ql_balance_chart_get_summary     (QlBalanceChart       *self);
gboolean              ql_balance_chart_get_point_at    (QlBalanceChart       *self,
                                                        guint32               day,
                                                        double               *out_x,
                                                        double               *out_y);

G_END_DECLS
