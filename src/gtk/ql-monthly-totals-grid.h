/* ql-monthly-totals-grid.h: a ledger's totals by month and kind of change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ql-monthly-totals-projection.h"

G_BEGIN_DECLS

#define QL_TYPE_MONTHLY_TOTALS_GRID (ql_monthly_totals_grid_get_type ())
G_DECLARE_FINAL_TYPE (QlMonthlyTotalsGrid, ql_monthly_totals_grid, QL, MONTHLY_TOTALS_GRID, GtkWidget)

void ql_monthly_totals_grid_set_totals (QlMonthlyTotalsGrid *self,
                                        GPtrArray           *totals,
                                        guint                decimals,
                                        const char          *currency);

G_END_DECLS
