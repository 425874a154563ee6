/* ql-low-stock-projection.c: the items whose quantity is below their threshold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include "ql-ledger-events.h"
#include "ql-ledger-events-private.h"
#include "ql-low-stock-projection.h"

#define NAME "low_stock"

/* Events read at once while looking back for an item's last threshold:
 * a few first, since thresholds are set often where they are set at all,
 * then twice as many each time, up to the most. */
#define FIRST_PAGE_SIZE 16
#define MAX_PAGE_SIZE 256

struct _QlLowStockProjection
{
  GObject parent_instance;
};

static void ql_low_stock_projection_iface_init (QlProjectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlLowStockProjection, ql_low_stock_projection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_PROJECTION,
                                                      ql_low_stock_projection_iface_init))

/**
 * ql_low_stock_item_free:
 * @item: (nullable): a line
 */
void
ql_low_stock_item_free (QlLowStockItem *item)
{
  if (item == NULL)
    return;
  g_free (item->item);
  g_free (item);
}

typedef struct
{
  gboolean  found;
  gint64    threshold;
  GError   *error;
} ThresholdSearch;

/* Keeps the threshold of the newest `ThresholdSet` of a page, read as it
 * comes, without making an event of each. */
static gboolean
note_threshold (const QlEventRecord *record,
                gpointer             user_data)
{
  ThresholdSearch *search = user_data;

  if (g_strcmp0 (record->type, QL_EVENT_THRESHOLD_SET) != 0)
    return TRUE;
  search->found = TRUE;
  return _ql_event_record_read_threshold (record, &search->threshold, &search->error);
}

/* The threshold an item had before @version: that of its newest earlier
 * `ThresholdSet`, read backwards a page at a time, or 0. */
static gboolean
threshold_before (QlEventStore  *store,
                  const char    *item,
                  gint64         version,
                  gint64        *out_threshold,
                  GError       **error)
{
  gint64 high = version - 1;
  gint64 page = FIRST_PAGE_SIZE;

  *out_threshold = 0;
  while (high > 1)
    {
      gint64 low = MAX (1, high - page);
      ThresholdSearch search = { FALSE, 0, NULL };

      if (!ql_event_store_read_ledger (store, item, low, high, note_threshold, &search, error))
        {
          g_clear_error (&search.error);
          return FALSE;
        }
      if (search.error != NULL)
        {
          g_propagate_error (error, search.error);
          return FALSE;
        }
      if (search.found)
        {
          *out_threshold = search.threshold;
          return TRUE;
        }
      high = low;
      page = MIN (page * 2, MAX_PAGE_SIZE);
    }
  return TRUE;
}

/* Key: the item's name; a: its quantity; b: its threshold. */
static gboolean
apply (QlProjection         *self,
       QlEventStore         *store,
       const QlEventRecord  *record,
       QlReadDeltas         *deltas,
       GError              **error)
{
  const QlChangeType *change = _ql_change_type_find (record->type);

  if (change != NULL)
    {
      gint64 amount;

      if (change->kind != QL_LEDGER_KIND_ITEM)
        return TRUE;
      if (!_ql_event_record_read_change (record, &amount, NULL, error))
        return FALSE;
      ql_read_deltas_add (deltas, record->ledger, change->sign * amount, 0);
      return TRUE;
    }

  if (g_strcmp0 (record->type, QL_EVENT_ITEM_CREATED) == 0)
    {
      QlLedgerKind kind;
      const char *currency;
      guint decimals;
      gint64 quantity;

      if (!_ql_event_record_read_opening (record, &kind, &currency, &decimals, &quantity, error))
        return FALSE;
      ql_read_deltas_add (deltas, record->ledger, quantity, 0);
      return TRUE;
    }

  if (g_strcmp0 (record->type, QL_EVENT_THRESHOLD_SET) == 0)
    {
      gint64 threshold, before;

      if (!_ql_event_record_read_threshold (record, &threshold, error) ||
          !threshold_before (store, record->ledger, record->version, &before, error))
        return FALSE;
      ql_read_deltas_add (deltas, record->ledger, 0, threshold - before);
    }
  return TRUE;
}

static void
ql_low_stock_projection_iface_init (QlProjectionInterface *iface)
{
  iface->name = NAME;
  iface->version = 1;
  iface->apply = apply;
}

static void
ql_low_stock_projection_class_init (QlLowStockProjectionClass *klass)
{
}

static void
ql_low_stock_projection_init (QlLowStockProjection *self)
{
}

/**
 * ql_low_stock_projection_new:
 *
 * The projection named `low_stock`: each item's quantity and the
 * threshold its newest `ThresholdSet` gave it, so the items below their
 * threshold are read without replaying the log.
 *
 * Returns: (transfer full): the projection
 */
QlProjection *
ql_low_stock_projection_new (void)
{
  return g_object_new (QL_TYPE_LOW_STOCK_PROJECTION, NULL);
}

static gboolean
read_item (const QlReadRow *row,
           gpointer         user_data)
{
  GPtrArray *items = user_data;
  QlLowStockItem *item;

  if (row->a >= row->b)
    return TRUE;
  item = g_new0 (QlLowStockItem, 1);
  item->item = g_strdup (row->key);
  item->quantity = row->a;
  item->threshold = row->b;
  g_ptr_array_add (items, item);
  return TRUE;
}

/**
 * ql_low_stock_read:
 * @store: the store that keeps the read model
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type QlLowStockItem): the items whose
 *   quantity is below their threshold, by name, or %NULL on error; an
 *   item without a threshold is never low
 */
GPtrArray *
ql_low_stock_read (QlReadModelStore  *store,
                   GError           **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ql_low_stock_item_free);

  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ql_read_model_store_read_rows (store, NAME, "", read_item, items, error))
    return NULL;
  return g_steal_pointer (&items);
}
