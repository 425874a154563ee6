/* ql-store-private.h: what the SQLite adapter's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Sets @error for the SQLite result code @rc of a statement on @db, in
 * the words of the file that ran it; @user_data is that file's. */
typedef void (*QlStoreSqlErrorFunc) (sqlite3   *db,
                                     gpointer   user_data,
                                     int        rc,
                                     GError   **error);

gboolean  _ql_store_set_errno_error (const char  *path,
                                     int          saved_errno,
                                     GError     **error);
gboolean  _ql_store_run_sql         (sqlite3              *db,
                                     const char           *sql,
                                     QlStoreSqlErrorFunc   set_error,
                                     gpointer              user_data,
                                     GError              **error);
gboolean  _ql_store_query_int       (sqlite3              *db,
                                     const char           *sql,
                                     gint64               *out_value,
                                     QlStoreSqlErrorFunc   set_error,
                                     gpointer              user_data,
                                     GError              **error);

G_END_DECLS
