/* ql-low-stock-projection.h: the items whose quantity is below their threshold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-projection.h"

G_BEGIN_DECLS

/**
 * QlLowStockItem:
 * @item: the item's name
 * @quantity: its quantity now
 * @threshold: the quantity below which it runs low, more than @quantity
 *
 * One line of ql_low_stock_read().
 */
typedef struct
{
  char   *item;
  gint64  quantity;
  gint64  threshold;
} QlLowStockItem;

void ql_low_stock_item_free (QlLowStockItem *item);

#define QL_TYPE_LOW_STOCK_PROJECTION (ql_low_stock_projection_get_type ())
G_DECLARE_FINAL_TYPE (QlLowStockProjection, ql_low_stock_projection,
                      QL, LOW_STOCK_PROJECTION, GObject)

QlProjection *ql_low_stock_projection_new (void);
GPtrArray    *ql_low_stock_read           (QlReadModelStore  *store,
                                           GError           **error);

G_END_DECLS
