/* ql-store-private.c: what the SQLite adapter's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "ql-errors.h"
#include "ql-store-private.h"

/* How close to RLIMIT_FSIZE a file is when a write failed for it. */
#define FILE_SIZE_MARGIN (256 * 1024)

/* Why a write failed. SQLite keeps the errno of a failed write only
 * until its next system call, and never for a write that came out short,
 * as at RLIMIT_FSIZE: a file at that limit tells the cause then. */
static int
failed_write_errno (sqlite3    *db,
                    const char *path)
{
  int saved_errno = db != NULL ? sqlite3_system_errno (db) : 0;
  struct rlimit limit;

  if (saved_errno != 0)
    return saved_errno;

  if (getrlimit (RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      const char *files[] = { path, wal };

      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          struct stat buf;

          /* A write of a few pages would have crossed the limit. */
          if (stat (files[i], &buf) == 0 &&
              (guint64) buf.st_size + FILE_SIZE_MARGIN >= (guint64) limit.rlim_cur)
            return EFBIG;
        }
    }

  return 0;
}

/**
 * _ql_store_set_sqlite_error:
 * @db: (nullable): the connection the statement ran on, %NULL when none
 *   could be opened
 * @path: the file @db has open
 * @task: what the statement was part of, which says what became of the
 *   file
 * @rc: the SQLite result code of the statement
 * @error: return location for a #GError
 *
 * Sets @error in the %QL_STORE_ERROR domain for a statement that failed,
 * in words a user can act on.
 */
void
_ql_store_set_sqlite_error (sqlite3      *db,
                            const char   *path,
                            QlStoreTask   task,
                            int           rc,
                            GError      **error)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      if (task == QL_STORE_TASK_MIGRATE)
        g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FULL,
                     _("The disk holding “%s” is full; the file was left as it was"), path);
      else
        g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FULL,
                     _("The disk holding “%s” is full; nothing was written"), path);
      return;

    case SQLITE_IOERR:
      if (_ql_store_set_errno_error (path, failed_write_errno (db, path), error))
        return;
      break;

    case SQLITE_READONLY:
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_READ_ONLY,
                   _("“%s” cannot be written: it is read-only"), path);
      return;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("“%s” is busy: another program kept it locked for too long; try again"),
                   path);
      return;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                   _("“%s” is damaged or not a Quote Ledger database: %s"), path, detail);
      return;

    default:
      break;
    }

  if (task == QL_STORE_TASK_MIGRATE)
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("Could not bring “%s” up to date: %s; the file was left as it was"),
                 path, detail);
  else
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("Could not use “%s”: %s"), path, detail);
}

/**
 * _ql_store_query_int:
 * @db: an open connection
 * @sql: a statement whose first row's first column is an integer
 * @out_value: (out): where that integer goes
 * @path: the file @db has open, for messages
 * @task: what the statement is part of
 * @error: return location for a #GError
 *
 * Runs @sql and reads one integer from it. A statement that returns no
 * row leaves @out_value as it was.
 *
 * Returns: %TRUE on success, or %FALSE with @error set by
 *   _ql_store_set_sqlite_error()
 */
gboolean
_ql_store_query_int (sqlite3              *db,
                     const char           *sql,
                     gint64               *out_value,
                     const char           *path,
                     QlStoreTask           task,
                     GError              **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert (db != NULL && sql != NULL && out_value != NULL && path != NULL);

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out_value = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_DONE;
        }
    }

  if (rc != SQLITE_DONE)
    _ql_store_set_sqlite_error (db, path, task, rc, error);
  sqlite3_finalize (stmt);

  return rc == SQLITE_DONE;
}

/**
 * _ql_store_run_sql:
 * @db: an open connection
 * @sql: one or more statements that return no rows
 * @path: the file @db has open, for messages
 * @task: what the statements are part of
 * @error: return location for a #GError
 *
 * Runs @sql with sqlite3_exec().
 *
 * Returns: %TRUE on success, or %FALSE with @error set by
 *   _ql_store_set_sqlite_error()
 */
gboolean
_ql_store_run_sql (sqlite3              *db,
                   const char           *sql,
                   const char           *path,
                   QlStoreTask           task,
                   GError              **error)
{
  int rc;

  g_assert (db != NULL && sql != NULL && path != NULL);

  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    return TRUE;

  _ql_store_set_sqlite_error (db, path, task, rc, error);
  return FALSE;
}

/**
 * _ql_store_set_errno_error:
 * @path: the database file
 * @saved_errno: the errno of a write that failed, as sqlite3_system_errno()
 *   gives it
 * @error: return location for a #GError
 *
 * SQLite reports most failed writes as a disk I/O error, whatever the
 * cause: this names the causes a user can do something about.
 *
 * Returns: %TRUE with @error set in the %QL_STORE_ERROR domain when
 *   @saved_errno is one of them, %FALSE otherwise
 */
gboolean
_ql_store_set_errno_error (const char  *path,
                           int          saved_errno,
                           GError     **error)
{
  switch (saved_errno)
    {
    case ENOSPC:
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FULL,
                   _("The disk holding “%s” is full; nothing was written"), path);
      return TRUE;

    case EDQUOT:
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FULL,
                   _("“%s” cannot grow: disk quota exceeded; nothing was written"), path);
      return TRUE;

    case EFBIG:
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FULL,
                   _("“%s” cannot grow: file too large for the system or for the "
                     "limit set on this program; nothing was written"), path);
      return TRUE;

    default:
      return FALSE;
    }
}
