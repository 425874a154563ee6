/* ql-monthly-totals-projection.h: each ledger's totals by kind of change and month
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-projection.h"

G_BEGIN_DECLS

/**
 * QlMonthlyTotal:
 * @year: the year
 * @month: the month, 1 to 12
 * @type: the event type of the changes, such as `Deposited`
 * @total: what they moved, positive
 * @count: how many there were
 *
 * One line of a monthly summary.
 */
typedef struct
{
  guint  year;
  guint  month;
  char  *type;
  gint64 total;
  gint64 count;
} QlMonthlyTotal;

void ql_monthly_total_free (QlMonthlyTotal *total);

#define QL_TYPE_MONTHLY_TOTALS_PROJECTION (ql_monthly_totals_projection_get_type ())
G_DECLARE_FINAL_TYPE (QlMonthlyTotalsProjection, ql_monthly_totals_projection,
                      QL, MONTHLY_TOTALS_PROJECTION, GObject)

QlProjection *ql_monthly_totals_projection_new (void);
GPtrArray    *ql_monthly_totals_read           (QlReadModelStore  *store,
                                                const char        *ledger,
                                                GError           **error);

G_END_DECLS
