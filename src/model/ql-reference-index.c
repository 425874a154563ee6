/* ql-reference-index.c: which event of a whole store each payment reference names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-reference-index"

#include "config.h"

#include "ql-ledger-events.h"
#include "ql-reference-index.h"

/**
 * QlReferenceIndex:
 *
 * The references of the payments in a #QlEventStore, across all its
 * ledgers: each `Withdrawn` event appended by
 * ql_ledger_book_withdraw_for_reference() carries one, such as an order
 * id. ql_event_store_find_reference() answers for one ledger; this index
 * answers for the whole store, so that a reference names one payment
 * whichever account paid it. It reads the notification log as far as
 * ql_reference_index_update() last went, so payments other programs
 * append to the same store count too.
 */
struct _QlReferenceIndex
{
  GObject parent_instance;

  QlEventStore *store;
  /* Reference → the position of the first payment that carries it. */
  GHashTable   *positions;
  gint64        indexed_up_to;
};

G_DEFINE_FINAL_TYPE (QlReferenceIndex, ql_reference_index, G_TYPE_OBJECT)

static void
ql_reference_index_dispose (GObject *object)
{
  QlReferenceIndex *self = QL_REFERENCE_INDEX (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->positions, g_hash_table_unref);

  G_OBJECT_CLASS (ql_reference_index_parent_class)->dispose (object);
}

static void
ql_reference_index_class_init (QlReferenceIndexClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ql_reference_index_dispose;
}

static void
ql_reference_index_init (QlReferenceIndex *self)
{
  self->positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * ql_reference_index_new:
 * @store: the store whose payments are indexed
 *
 * Returns: (transfer full): an index that has read nothing yet; see
 *   ql_reference_index_update()
 */
QlReferenceIndex *
ql_reference_index_new (QlEventStore *store)
{
  QlReferenceIndex *self;

  g_return_val_if_fail (QL_IS_EVENT_STORE (store), NULL);

  self = g_object_new (QL_TYPE_REFERENCE_INDEX, NULL);
  self->store = g_object_ref (store);
  return self;
}

static gboolean
index_event_cb (const QlEventRecord *record,
                gpointer             user_data)
{
  QlReferenceIndex *self = user_data;

  self->indexed_up_to = record->position;
  if (g_strcmp0 (record->type, QL_EVENT_WITHDRAWN) != 0)
    return TRUE;

  /* The first payment of a reference is the one every retry answers with. */
  if (record->reference != NULL && !g_hash_table_contains (self->positions, record->reference))
    g_hash_table_insert (self->positions, g_strdup (record->reference),
                         g_memdup2 (&record->position, sizeof record->position));
  return TRUE;
}

/**
 * ql_reference_index_update:
 * @self: a #QlReferenceIndex
 * @error: return location for a #GError
 *
 * Reads the events appended since the last update. A failed update keeps
 * what was read before it, and the next one goes on from there.
 *
 * Returns: %TRUE on success, %FALSE with @error set by the store
 */
gboolean
ql_reference_index_update (QlReferenceIndex  *self,
                           GError           **error)
{
  g_return_val_if_fail (QL_IS_REFERENCE_INDEX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return ql_event_store_read_log (self->store, self->indexed_up_to + 1, 0,
                                  index_event_cb, self, error);
}

/**
 * ql_reference_index_lookup:
 * @self: a #QlReferenceIndex
 * @reference: a payment's reference, such as an order id
 *
 * Looks @reference up as far as the index has read, without reading the
 * store.
 *
 * Returns: the position in the notification log of the first `Withdrawn`
 *   event of any ledger that carries @reference, or 0 when none does
 */
gint64
ql_reference_index_lookup (QlReferenceIndex *self,
                           const char       *reference)
{
  gint64 *position;

  g_return_val_if_fail (QL_IS_REFERENCE_INDEX (self), 0);
  g_return_val_if_fail (reference != NULL, 0);

  position = g_hash_table_lookup (self->positions, reference);
  return position != NULL ? *position : 0;
}
