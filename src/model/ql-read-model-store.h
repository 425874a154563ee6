/* ql-read-model-store.h: where projections keep their read models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * QlReadSlot:
 * @QL_READ_SLOT_LIVE: the table queries read
 * @QL_READ_SLOT_BUILDING: a table being rebuilt from position 0, which
 *   replaces the live one once it has caught up
 *
 * The two tables a projection may have at once.
 */
typedef enum
{
  QL_READ_SLOT_LIVE,
  QL_READ_SLOT_BUILDING,
} QlReadSlot;

/**
 * QlReadRow:
 * @key: the row's key; rows are read back in byte order of their keys
 * @a: the first value
 * @b: the second value
 *
 * One row of a read model. Committed rows are added to what the table
 * holds under the same key, so a commit carries only the changes.
 */
typedef struct
{
  const char *key;
  gint64      a;
  gint64      b;
} QlReadRow;

/**
 * QlReadCommit:
 * @name: the projection's name
 * @slot: which of its tables
 * @version: the projection's version
 * @expected_position: the slot's position the rows were counted after
 * @position: the log position of the last event these rows count
 * @rows: (array length=n_rows): amounts to add, by key
 * @n_rows: the number of @rows
 *
 * One projection's part of ql_read_model_store_commit_all().
 */
typedef struct
{
  const char      *name;
  QlReadSlot       slot;
  gint64           version;
  gint64           expected_position;
  gint64           position;
  const QlReadRow *rows;
  guint            n_rows;
} QlReadCommit;

/**
 * QlReadRowFunc:
 * @row: the row, valid for this call only
 * @user_data: data given to ql_read_model_store_read_rows()
 *
 * Returns: %TRUE to go on, %FALSE to stop early
 */
typedef gboolean (*QlReadRowFunc) (const QlReadRow *row,
                                   gpointer         user_data);

#define QL_TYPE_READ_MODEL_STORE (ql_read_model_store_get_type ())
G_DECLARE_INTERFACE (QlReadModelStore, ql_read_model_store, QL, READ_MODEL_STORE, GObject)

/**
 * QlReadModelStoreInterface:
 * @get_state: a slot's version and position; @out_found is %FALSE when
 *   the slot holds no table
 * @commit: adds rows to a slot's table and moves its position from the
 *   one expected, all in one transaction, creating the table on its first
 *   commit; fails with %QL_STORE_ERROR_CONFLICT when another runner has
 *   moved the position first or the table holds another version
 * @reset: drops a slot's table, so the next commit starts it afresh
 * @swap: makes the building table the live one and drops the old one, in
 *   one transaction
 * @read_rows: the live table's rows whose keys start with a prefix, in
 *   key order
 * @commit_all: (nullable): several projections' commits in one
 *   transaction, each as @commit; %NULL commits them one by one
 *
 * The contract of a store that keeps read models beside its events. A
 * store whose read models live in the same database as its events commits
 * a read model and its position atomically, so each event counts once.
 */
struct _QlReadModelStoreInterface
{
  GTypeInterface parent_iface;

  gboolean (*get_state) (QlReadModelStore  *self,
                         const char        *name,
                         QlReadSlot         slot,
                         gboolean          *out_found,
                         gint64            *out_version,
                         gint64            *out_position,
                         GError           **error);
  gboolean (*commit)    (QlReadModelStore  *self,
                         const char        *name,
                         QlReadSlot         slot,
                         gint64             version,
                         gint64             expected_position,
                         gint64             position,
                         const QlReadRow   *rows,
                         guint              n_rows,
                         GError           **error);
  gboolean (*reset)     (QlReadModelStore  *self,
                         const char        *name,
                         QlReadSlot         slot,
                         GError           **error);
  gboolean (*swap)      (QlReadModelStore  *self,
                         const char        *name,
                         GError           **error);
  gboolean (*read_rows) (QlReadModelStore  *self,
                         const char        *name,
                         const char        *prefix,
                         QlReadRowFunc      func,
                         gpointer           user_data,
                         GError           **error);
  gboolean (*commit_all) (QlReadModelStore   *self,
                          const QlReadCommit *commits,
                          guint               n_commits,
                          GError            **error);
};

gboolean ql_read_model_store_get_state (QlReadModelStore  *self,
                                        const char        *name,
                                        QlReadSlot         slot,
                                        gboolean          *out_found,
                                        gint64            *out_version,
                                        gint64            *out_position,
                                        GError           **error);
gboolean ql_read_model_store_commit    (QlReadModelStore  *self,
                                        const char        *name,
                                        QlReadSlot         slot,
                                        gint64             version,
                                        gint64             expected_position,
                                        gint64             position,
                                        const QlReadRow   *rows,
                                        guint              n_rows,
                                        GError           **error);
gboolean ql_read_model_store_commit_all (QlReadModelStore   *self,
                                         const QlReadCommit *commits,
                                         guint               n_commits,
                                         GError            **error);
gboolean ql_read_model_store_reset     (QlReadModelStore  *self,
                                        const char        *name,
                                        QlReadSlot         slot,
                                        GError           **error);
gboolean ql_read_model_store_swap      (QlReadModelStore  *self,
                                        const char        *name,
                                        GError           **error);
gboolean ql_read_model_store_read_rows (QlReadModelStore  *self,
                                        const char        *name,
                                        const char        *prefix,
                                        QlReadRowFunc      func,
                                        gpointer           user_data,
                                        GError           **error);

G_END_DECLS
