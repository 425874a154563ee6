/* ql-payments-projection.h: what each order id paid, by ledger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-projection.h"

G_BEGIN_DECLS

/**
 * QlPaymentTotal:
 * @ledger: the ledger the payments were taken from
 * @amount: what stands of them, in minor units, positive
 * @count: how many stand, undone ones taken away
 *
 * One line of ql_payments_read().
 */
typedef struct
{
  char   *ledger;
  gint64  amount;
  gint64  count;
} QlPaymentTotal;

void ql_payment_total_free (QlPaymentTotal *total);

#define QL_TYPE_PAYMENTS_PROJECTION (ql_payments_projection_get_type ())
G_DECLARE_FINAL_TYPE (QlPaymentsProjection, ql_payments_projection,
                      QL, PAYMENTS_PROJECTION, GObject)

QlProjection *ql_payments_projection_new (void);
GPtrArray    *ql_payments_read           (QlReadModelStore  *store,
                                          const char        *reference,
                                          GError           **error);

G_END_DECLS
