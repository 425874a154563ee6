/* ql-projection.c: a read model built from the notification log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include <string.h>

#include "ql-projection.h"

struct _QlReadDeltas
{
  /* char *key → gint64[2]: both in one block, the key after the values. */
  GHashTable *rows;
};

typedef struct
{
  gint64 a;
  gint64 b;
  char   key[];
} Delta;

G_DEFINE_INTERFACE (QlProjection, ql_projection, G_TYPE_OBJECT)

static void
ql_projection_default_init (QlProjectionInterface *iface)
{
}

/**
 * ql_read_deltas_new:
 *
 * Returns: (transfer full): an empty set of deltas
 */
QlReadDeltas *
ql_read_deltas_new (void)
{
  QlReadDeltas *deltas = g_new0 (QlReadDeltas, 1);

  deltas->rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  return deltas;
}

/**
 * ql_read_deltas_free:
 * @deltas: (nullable): deltas
 */
void
ql_read_deltas_free (QlReadDeltas *deltas)
{
  if (deltas == NULL)
    return;
  g_hash_table_unref (deltas->rows);
  g_free (deltas);
}

/**
 * ql_read_deltas_add:
 * @deltas: deltas
 * @key: the row's key
 * @a: added to the row's first value
 * @b: added to the row's second value
 */
void
ql_read_deltas_add (QlReadDeltas *deltas,
                    const char   *key,
                    gint64        a,
                    gint64        b)
{
  Delta *delta;

  g_return_if_fail (deltas != NULL && key != NULL);

  delta = g_hash_table_lookup (deltas->rows, key);
  if (delta == NULL)
    {
      gsize len = strlen (key);

      delta = g_malloc (sizeof (Delta) + len + 1);
      memcpy (delta->key, key, len + 1);
      delta->a = 0;
      delta->b = 0;
      g_hash_table_insert (deltas->rows, delta->key, delta);
    }
  delta->a += a;
  delta->b += b;
}

/**
 * ql_read_deltas_size:
 * @deltas: deltas
 *
 * Returns: how many keys @deltas changes
 */
guint
ql_read_deltas_size (QlReadDeltas *deltas)
{
  g_return_val_if_fail (deltas != NULL, 0);

  return g_hash_table_size (deltas->rows);
}

/**
 * ql_read_deltas_rows:
 * @deltas: deltas
 * @out_n_rows: (out): the number of rows returned
 *
 * The rows to commit; their keys belong to @deltas and live until it is
 * cleared.
 *
 * Returns: (transfer container) (array length=out_n_rows): the rows
 */
QlReadRow *
ql_read_deltas_rows (QlReadDeltas *deltas,
                     guint        *out_n_rows)
{
  GHashTableIter iter;
  gpointer value;
  QlReadRow *rows;
  guint n = 0;

  g_return_val_if_fail (deltas != NULL && out_n_rows != NULL, NULL);

  rows = g_new (QlReadRow, g_hash_table_size (deltas->rows) + 1);
  g_hash_table_iter_init (&iter, deltas->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Delta *delta = value;

      rows[n].key = delta->key;
      rows[n].a = delta->a;
      rows[n].b = delta->b;
      n++;
    }
  *out_n_rows = n;
  return rows;
}

/**
 * ql_read_deltas_clear:
 * @deltas: deltas
 *
 * Forgets every row, as after a commit.
 */
void
ql_read_deltas_clear (QlReadDeltas *deltas)
{
  g_return_if_fail (deltas != NULL);

  g_hash_table_remove_all (deltas->rows);
}

/**
 * ql_projection_get_name:
 * @self: a projection
 *
 * Returns: its stable name
 */
const char *
ql_projection_get_name (QlProjection *self)
{
  g_return_val_if_fail (QL_IS_PROJECTION (self), NULL);

  return QL_PROJECTION_GET_IFACE (self)->name;
}

/**
 * ql_projection_get_version:
 * @self: a projection
 *
 * Returns: the version of what it computes, from 1
 */
gint64
ql_projection_get_version (QlProjection *self)
{
  g_return_val_if_fail (QL_IS_PROJECTION (self), 0);

  return QL_PROJECTION_GET_IFACE (self)->version;
}

/**
 * ql_projection_apply:
 * @self: a projection
 * @store: the store @record comes from, to read earlier events
 * @record: the next event of the log
 * @deltas: where the rows it changes are added
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ql_projection_apply (QlProjection         *self,
                     QlEventStore         *store,
                     const QlEventRecord  *record,
                     QlReadDeltas         *deltas,
                     GError              **error)
{
  g_return_val_if_fail (QL_IS_PROJECTION (self), FALSE);
  g_return_val_if_fail (QL_IS_EVENT_STORE (store), FALSE);
  g_return_val_if_fail (record != NULL && deltas != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return QL_PROJECTION_GET_IFACE (self)->apply (self, store, record, deltas, error);
}
