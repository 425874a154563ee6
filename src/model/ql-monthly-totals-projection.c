/* ql-monthly-totals-projection.c: each ledger's totals by kind of change and month
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ql-monthly-totals-projection.h"
#include "ql-projection-changes-private.h"

#define NAME "monthly_totals"

struct _QlMonthlyTotalsProjection
{
  GObject parent_instance;
};

static void ql_monthly_totals_projection_iface_init (QlProjectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlMonthlyTotalsProjection, ql_monthly_totals_projection,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_PROJECTION,
                                                      ql_monthly_totals_projection_iface_init))

/**
 * ql_monthly_total_free:
 * @total: (nullable): a line
 */
void
ql_monthly_total_free (QlMonthlyTotal *total)
{
  if (total == NULL)
    return;
  g_free (total->type);
  g_free (total);
}

/* Key: the ledger, U+001F, YYYY-MM, U+001F, the event type. */
static void
count_change (const QlCountedChange *change,
              gpointer               user_data)
{
  QlReadDeltas *deltas = user_data;
  char month[8];
  g_autofree char *key = NULL;
  gint64 moved = change->amount < 0 ? -change->amount : change->amount;

  memcpy (month, change->day, 7);
  month[7] = '\0';
  key = g_strconcat (change->ledger, "\x1f", month, "\x1f", change->type, NULL);
  ql_read_deltas_add (deltas, key, moved * change->count, change->count);
}

static gboolean
apply (QlProjection         *self,
       QlEventStore         *store,
       const QlEventRecord  *record,
       QlReadDeltas         *deltas,
       GError              **error)
{
  return _ql_projection_count_changes (store, record, count_change, deltas, error);
}

static void
ql_monthly_totals_projection_iface_init (QlProjectionInterface *iface)
{
  iface->name = NAME;
  iface->version = 1;
  iface->apply = apply;
}

static void
ql_monthly_totals_projection_class_init (QlMonthlyTotalsProjectionClass *klass)
{
}

static void
ql_monthly_totals_projection_init (QlMonthlyTotalsProjection *self)
{
}

/**
 * ql_monthly_totals_projection_new:
 *
 * The projection named `monthly_totals`: per ledger, month (of the
 * changes' written dates) and event type, what the changes moved and
 * how many there were.
 *
 * Returns: (transfer full): the projection
 */
QlProjection *
ql_monthly_totals_projection_new (void)
{
  return g_object_new (QL_TYPE_MONTHLY_TOTALS_PROJECTION, NULL);
}

typedef struct
{
  gsize      prefix_len;
  GPtrArray *totals;
} ReadState;

static gboolean
read_total (const QlReadRow *row,
            gpointer         user_data)
{
  ReadState *state = user_data;
  const char *month = row->key + state->prefix_len;
  QlMonthlyTotal *total;

  if (row->b == 0 || strlen (month) < 9 || month[4] != '-' || month[7] != '\x1f')
    return TRUE;
  total = g_new0 (QlMonthlyTotal, 1);
  total->year = (guint) strtoul (month, NULL, 10);
  total->month = (guint) strtoul (month + 5, NULL, 10);
  total->type = g_strdup (month + 8);
  total->total = row->a;
  total->count = row->b;
  g_ptr_array_add (state->totals, total);
  return TRUE;
}

/**
 * ql_monthly_totals_read:
 * @store: the store that keeps the read model
 * @ledger: a ledger's name
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type QlMonthlyTotal): the ledger's
 *   lines by month, then type, or %NULL on error
 */
GPtrArray *
ql_monthly_totals_read (QlReadModelStore  *store,
                        const char        *ledger,
                        GError           **error)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) totals = g_ptr_array_new_with_free_func ((GDestroyNotify) ql_monthly_total_free);
  ReadState state;

  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (store), NULL);
  g_return_val_if_fail (ledger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  prefix = g_strconcat (ledger, "\x1f", NULL);
  state.prefix_len = strlen (prefix);
  state.totals = totals;
  if (!ql_read_model_store_read_rows (store, NAME, prefix, read_total, &state, error))
    return NULL;
  return g_steal_pointer (&totals);
}
