/* ql-sqlite-read-models-private.h: read models in the SQLite store's file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "ql-read-model-store.h"

G_BEGIN_DECLS

/* The read models of one connection and the statements kept for them;
 * used from the connection's thread, freed before it closes. */
typedef struct _QlSqliteReadModels QlSqliteReadModels;

QlSqliteReadModels *_ql_sqlite_read_models_new  (sqlite3             *db,
                                                 const char          *path);
void                _ql_sqlite_read_models_free (QlSqliteReadModels  *self);

gboolean _ql_sqlite_read_get_state  (QlSqliteReadModels  *self,
                                     const char          *name,
                                     QlReadSlot           slot,
                                     gboolean            *out_found,
                                     gint64              *out_version,
                                     gint64              *out_position,
                                     GError             **error);
gboolean _ql_sqlite_read_commit     (QlSqliteReadModels  *self,
                                     const char          *name,
                                     QlReadSlot           slot,
                                     gint64               version,
                                     gint64               expected_position,
                                     gint64               position,
                                     const QlReadRow     *rows,
                                     guint                n_rows,
                                     GError             **error);
gboolean _ql_sqlite_read_commit_all (QlSqliteReadModels  *self,
                                     const QlReadCommit  *commits,
                                     guint                n_commits,
                                     GError             **error);
gboolean _ql_sqlite_read_reset      (QlSqliteReadModels  *self,
                                     const char          *name,
                                     QlReadSlot           slot,
                                     GError             **error);
gboolean _ql_sqlite_read_swap       (QlSqliteReadModels  *self,
                                     const char          *name,
                                     GError             **error);
gboolean _ql_sqlite_read_rows       (QlSqliteReadModels  *self,
                                     const char          *name,
                                     const char          *prefix,
                                     QlReadRowFunc        func,
                                     gpointer             user_data,
                                     GError             **error);

G_END_DECLS
