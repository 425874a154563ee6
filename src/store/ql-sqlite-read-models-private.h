/* ql-sqlite-read-models-private.h: read models in the SQLite store's file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "ql-read-model-store.h"

G_BEGIN_DECLS

gboolean _ql_sqlite_read_get_state (sqlite3          *db,
                                    const char       *path,
                                    const char       *name,
                                    QlReadSlot        slot,
                                    gboolean         *out_found,
                                    gint64           *out_version,
                                    gint64           *out_position,
                                    GError          **error);
gboolean _ql_sqlite_read_commit    (sqlite3          *db,
                                    const char       *path,
                                    const char       *name,
                                    QlReadSlot        slot,
                                    gint64            version,
                                    gint64            expected_position,
                                    gint64            position,
                                    const QlReadRow  *rows,
                                    guint             n_rows,
                                    GError          **error);
gboolean _ql_sqlite_read_commit_all (sqlite3            *db,
                                     const char         *path,
                                     const QlReadCommit *commits,
                                     guint               n_commits,
                                     GError            **error);
gboolean _ql_sqlite_read_reset     (sqlite3          *db,
                                    const char       *path,
                                    const char       *name,
                                    QlReadSlot        slot,
                                    GError          **error);
gboolean _ql_sqlite_read_swap      (sqlite3          *db,
                                    const char       *path,
                                    const char       *name,
                                    GError          **error);
gboolean _ql_sqlite_read_rows      (sqlite3          *db,
                                    const char       *path,
                                    const char       *name,
                                    const char       *prefix,
                                    QlReadRowFunc     func,
                                    gpointer          user_data,
                                    GError          **error);

G_END_DECLS
