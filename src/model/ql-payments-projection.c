/* ql-payments-projection.c: what each order id paid, by ledger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include <string.h>

#include "ql-ledger-events.h"
#include "ql-ledger-events-private.h"
#include "ql-payments-projection.h"

#define NAME "payments"

struct _QlPaymentsProjection
{
  GObject parent_instance;
};

static void ql_payments_projection_iface_init (QlProjectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlPaymentsProjection, ql_payments_projection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_PROJECTION,
                                                      ql_payments_projection_iface_init))

/**
 * ql_payment_total_free:
 * @total: (nullable): a line
 */
void
ql_payment_total_free (QlPaymentTotal *total)
{
  if (total == NULL)
    return;
  g_free (total->ledger);
  g_free (total);
}

/* Key: the reference, U+001F, the ledger. */
static void
add_payment (QlReadDeltas *deltas,
             const char   *reference,
             const char   *ledger,
             gint64        amount,
             gint64        count)
{
  g_autofree char *key = g_strconcat (reference, "\x1f", ledger, NULL);

  ql_read_deltas_add (deltas, key, amount * count, count);
}

/* An undo takes back the payment it reverses; an undo of that undo
 * counts it again, and so on down the chain. */
static gboolean
apply_undo (QlEventStore         *store,
            const QlEventRecord  *record,
            QlReadDeltas         *deltas,
            GError              **error)
{
  g_autoptr(GPtrArray) events = ql_event_store_collect_ledger (store, record->ledger,
                                                               record->version - 1,
                                                               record->version, error);
  gint64 sign = -1;
  gint64 version;

  if (events == NULL)
    return FALSE;
  if (events->len == 0)
    return TRUE;
  version = ql_event_get_reverses (g_ptr_array_index (events, 0));
  while (version > 0)
    {
      g_autoptr(GPtrArray) reversed = ql_event_store_collect_ledger (store, record->ledger,
                                                                     version - 1, version,
                                                                     error);
      QlEvent *event;

      if (reversed == NULL)
        return FALSE;
      if (reversed->len == 0)
        return TRUE;
      event = g_ptr_array_index (reversed, 0);
      if (ql_event_get_reference (event) != NULL)
        {
          add_payment (deltas, ql_event_get_reference (event), record->ledger,
                       ql_event_get_amount (event), sign);
          return TRUE;
        }
      version = ql_event_get_reverses (event);
      sign = -sign;
    }
  return TRUE;
}

static gboolean
apply (QlProjection         *self,
       QlEventStore         *store,
       const QlEventRecord  *record,
       QlReadDeltas         *deltas,
       GError              **error)
{
  g_autoptr(QlEvent) event = NULL;

  if (_ql_change_type_find (record->type) == NULL)
    return TRUE;
  if (record->reference == NULL && strstr (record->payload, "\"reverses\"") == NULL)
    return TRUE;

  event = ql_event_new_from_record (record);
  if (record->reference != NULL && ql_event_get_reverses (event) == 0)
    {
      add_payment (deltas, record->reference, record->ledger, ql_event_get_amount (event), 1);
      return TRUE;
    }
  if (ql_event_get_reverses (event) == 0)
    return TRUE;
  return apply_undo (store, record, deltas, error);
}

static void
ql_payments_projection_iface_init (QlProjectionInterface *iface)
{
  iface->name = NAME;
  iface->version = 1;
  iface->apply = apply;
}

static void
ql_payments_projection_class_init (QlPaymentsProjectionClass *klass)
{
}

static void
ql_payments_projection_init (QlPaymentsProjection *self)
{
}

/**
 * ql_payments_projection_new:
 *
 * The projection named `payments`: per payment reference (an order id)
 * and ledger, what the payments given it took and how many stand, an
 * undo taking one back.
 *
 * Returns: (transfer full): the projection
 */
QlProjection *
ql_payments_projection_new (void)
{
  return g_object_new (QL_TYPE_PAYMENTS_PROJECTION, NULL);
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
  QlPaymentTotal *total;

  if (row->b == 0)
    return TRUE;
  total = g_new0 (QlPaymentTotal, 1);
  total->ledger = g_strdup (row->key + state->prefix_len);
  total->amount = row->a;
  total->count = row->b;
  g_ptr_array_add (state->totals, total);
  return TRUE;
}

/**
 * ql_payments_read:
 * @store: the store that keeps the read model
 * @reference: a payment reference, such as an order id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type QlPaymentTotal): the ledgers
 *   with payments for @reference that stand, by name, or %NULL on error
 */
GPtrArray *
ql_payments_read (QlReadModelStore  *store,
                  const char        *reference,
                  GError           **error)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) totals = g_ptr_array_new_with_free_func ((GDestroyNotify) ql_payment_total_free);
  ReadState state;

  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (store), NULL);
  g_return_val_if_fail (reference != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  prefix = g_strconcat (reference, "\x1f", NULL);
  state.prefix_len = strlen (prefix);
  state.totals = totals;
  if (!ql_read_model_store_read_rows (store, NAME, prefix, read_total, &state, error))
    return NULL;
  return g_steal_pointer (&totals);
}
