/* ql-read-model-store.c: where projections keep their read models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ql-errors.h"
#include "ql-read-model-store.h"

G_DEFINE_INTERFACE (QlReadModelStore, ql_read_model_store, G_TYPE_OBJECT)

/* Projection names are shown and typed as words: only plain ones reach a
 * store, whichever it is. */
static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (*name != '\0' && strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen (name))
    return TRUE;
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
               _("“%s” cannot name a projection"), name);
  return FALSE;
}

static void
ql_read_model_store_default_init (QlReadModelStoreInterface *iface)
{
}

/**
 * ql_read_model_store_get_state:
 * @self: a store
 * @name: the projection's name
 * @slot: which of its tables
 * @out_found: (out): whether the slot holds a table
 * @out_version: (out): the projection version the table was built by
 * @out_position: (out): the log position of the last event counted in it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ql_read_model_store_get_state (QlReadModelStore  *self,
                               const char        *name,
                               QlReadSlot         slot,
                               gboolean          *out_found,
                               gint64            *out_version,
                               gint64            *out_position,
                               GError           **error)
{
  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (out_found != NULL && out_version != NULL && out_position != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, error))
    return FALSE;
  return QL_READ_MODEL_STORE_GET_IFACE (self)->get_state (self, name, slot, out_found,
                                                          out_version, out_position, error);
}

/**
 * ql_read_model_store_commit:
 * @self: a store
 * @name: the projection's name
 * @slot: which of its tables
 * @version: the projection's version
 * @expected_position: the slot's position the rows were counted after, 0
 *   for a slot without a table
 * @position: the log position of the last event these rows count
 * @rows: (array length=n_rows): amounts to add, by key
 * @n_rows: the number of @rows, may be 0
 * @error: return location for a #GError
 *
 * Adds @rows to the slot's table and records @position, in one
 * transaction: after a crash either both are there or neither is. When
 * the slot's position is no longer @expected_position, another runner
 * counted these events first, and when its table holds another @version,
 * another runner rebuilt it: nothing is written then, and the error is
 * %QL_STORE_ERROR_CONFLICT. The check is part of the transaction, so a
 * runner may commit after the state it saw last without reading it
 * again.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_read_model_store_commit (QlReadModelStore  *self,
                            const char        *name,
                            QlReadSlot         slot,
                            gint64             version,
                            gint64             expected_position,
                            gint64             position,
                            const QlReadRow   *rows,
                            guint              n_rows,
                            GError           **error)
{
  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (rows != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (position >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, error))
    return FALSE;
  return QL_READ_MODEL_STORE_GET_IFACE (self)->commit (self, name, slot, version,
                                                       expected_position, position,
                                                       rows, n_rows, error);
}

/**
 * ql_read_model_store_commit_all:
 * @self: a store
 * @commits: (array length=n_commits): one commit per projection
 * @n_commits: the number of @commits
 * @error: return location for a #GError
 *
 * Does what ql_read_model_store_commit() does for each of @commits; a
 * store that implements it commits them in one transaction, so that
 * following the log costs one commit however many projections follow it.
 * When one of them conflicts nothing is written.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_read_model_store_commit_all (QlReadModelStore   *self,
                                const QlReadCommit *commits,
                                guint               n_commits,
                                GError            **error)
{
  QlReadModelStoreInterface *iface;

  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (self), FALSE);
  g_return_val_if_fail (commits != NULL || n_commits == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_commits; i++)
    if (!check_name (commits[i].name, error))
      return FALSE;
  iface = QL_READ_MODEL_STORE_GET_IFACE (self);
  if (iface->commit_all != NULL)
    return iface->commit_all (self, commits, n_commits, error);
  for (guint i = 0; i < n_commits; i++)
    {
      const QlReadCommit *commit = &commits[i];

      if (!ql_read_model_store_commit (self, commit->name, commit->slot, commit->version,
                                       commit->expected_position, commit->position,
                                       commit->rows, commit->n_rows, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * ql_read_model_store_reset:
 * @self: a store
 * @name: the projection's name
 * @slot: which of its tables
 * @error: return location for a #GError
 *
 * Drops the slot's table, if any.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_read_model_store_reset (QlReadModelStore  *self,
                           const char        *name,
                           QlReadSlot         slot,
                           GError           **error)
{
  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, error))
    return FALSE;
  return QL_READ_MODEL_STORE_GET_IFACE (self)->reset (self, name, slot, error);
}

/**
 * ql_read_model_store_swap:
 * @self: a store
 * @name: the projection's name
 * @error: return location for a #GError
 *
 * Makes the building table live and drops the table it replaces, in one
 * transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_read_model_store_swap (QlReadModelStore  *self,
                          const char        *name,
                          GError           **error)
{
  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, error))
    return FALSE;
  return QL_READ_MODEL_STORE_GET_IFACE (self)->swap (self, name, error);
}

/**
 * ql_read_model_store_read_rows:
 * @self: a store
 * @name: the projection's name
 * @prefix: the start every key read has, "" for all
 * @func: (scope call): called with each row, in key order
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Reads the live table; a projection without one has no rows.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_read_model_store_read_rows (QlReadModelStore  *self,
                               const char        *name,
                               const char        *prefix,
                               QlReadRowFunc      func,
                               gpointer           user_data,
                               GError           **error)
{
  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && prefix != NULL && func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name (name, error))
    return FALSE;
  return QL_READ_MODEL_STORE_GET_IFACE (self)->read_rows (self, name, prefix, func, user_data,
                                                          error);
}
