/* ql-daily-balance-projection.h: each ledger's balance, day by day
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-projection.h"

G_BEGIN_DECLS

/**
 * QlDailyBalance:
 * @day: the day, a Julian day
 * @change: what the day's changes add up to
 * @balance: the balance at the end of the day
 * @n_changes: how many changes count on the day
 *
 * One day of a statement.
 */
typedef struct
{
  guint32 day;
  gint64  change;
  gint64  balance;
  gint64  n_changes;
} QlDailyBalance;

#define QL_TYPE_DAILY_BALANCE_PROJECTION (ql_daily_balance_projection_get_type ())
G_DECLARE_FINAL_TYPE (QlDailyBalanceProjection, ql_daily_balance_projection,
                      QL, DAILY_BALANCE_PROJECTION, GObject)

QlProjection *ql_daily_balance_projection_new (void);
GArray       *ql_daily_balance_read          (QlReadModelStore  *store,
                                              const char        *ledger,
                                              const GDate       *from,
                                              const GDate       *to,
                                              gint64            *out_opening,
                                              GError           **error);

G_END_DECLS
