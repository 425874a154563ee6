/* ql-store-private.h: what the SQLite adapter's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* What a failed statement was part of, which its message tells: a
 * command or read of the store, after which nothing was written, or a
 * migration, after which the file was left as it was. */
typedef enum
{
  QL_STORE_TASK_USE,
  QL_STORE_TASK_MIGRATE,
} QlStoreTask;

void      _ql_store_set_sqlite_error (sqlite3      *db,
                                      const char   *path,
                                      QlStoreTask   task,
                                      int           rc,
                                      GError      **error);
gboolean  _ql_store_set_errno_error  (const char   *path,
                                      int           saved_errno,
                                      GError      **error);
gboolean  _ql_store_run_sql          (sqlite3      *db,
                                      const char   *sql,
                                      const char   *path,
                                      QlStoreTask   task,
                                      GError      **error);
gboolean  _ql_store_query_int        (sqlite3      *db,
                                      const char   *sql,
                                      gint64       *out_value,
                                      const char   *path,
                                      QlStoreTask   task,
                                      GError      **error);

G_END_DECLS
