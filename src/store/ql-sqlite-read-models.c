/* ql-sqlite-read-models.c: read models in the SQLite store's file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-sqlite-event-store"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ql-errors.h"
#include "ql-sqlite-read-models-private.h"
#include "ql-store-private.h"

/* Read models are derived data: their tables are made on first use and
 * are no part of the event schema or its migrations. Each slot of a
 * projection has a generation of its own, and its rows are kept under
 * it, so a rebuild fills a new generation while queries read the old.
 * One table for every generation keeps all SQL text constant. */
#define CREATE_INDEX_SQL \
  "CREATE TABLE IF NOT EXISTS read_models (" \
  " name TEXT NOT NULL, slot INTEGER NOT NULL, version INTEGER NOT NULL," \
  " position INTEGER NOT NULL, generation INTEGER NOT NULL, PRIMARY KEY (name, slot));" \
  " CREATE TABLE IF NOT EXISTS read_model_rows (" \
  " generation INTEGER NOT NULL, key TEXT NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL," \
  " PRIMARY KEY (generation, key)) WITHOUT ROWID"

static void
set_error (sqlite3     *db,
           const char  *path,
           int          rc,
           GError     **error)
{
  _ql_store_set_sqlite_error (db, path, QL_STORE_TASK_USE, rc, error);
}

/* Projection names are shown and typed as words: only plain ones pass. */
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

static gboolean
has_index (sqlite3     *db,
           const char  *path,
           gboolean    *out_has,
           GError     **error)
{
  gint64 n = 0;

  if (!_ql_store_query_int (db, "SELECT count(*) FROM sqlite_master"
                                " WHERE type = 'table' AND name = 'read_models'",
                            &n, path, QL_STORE_TASK_USE, error))
    return FALSE;
  *out_has = n > 0;
  return TRUE;
}

/* The slot's row: found, version, position, generation. */
static gboolean
read_slot (sqlite3     *db,
           const char  *path,
           const char  *name,
           QlReadSlot   slot,
           gboolean    *out_found,
           gint64      *out_version,
           gint64      *out_position,
           gint64      *out_generation,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean has;
  int rc;

  *out_found = FALSE;
  *out_version = 0;
  *out_position = 0;
  *out_generation = 0;
  if (!has_index (db, path, &has, error))
    return FALSE;
  if (!has)
    return TRUE;

  rc = sqlite3_prepare_v2 (db, "SELECT version, position, generation FROM read_models"
                               " WHERE name = ?1 AND slot = ?2", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, slot);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out_found = TRUE;
          *out_version = sqlite3_column_int64 (stmt, 0);
          *out_position = sqlite3_column_int64 (stmt, 1);
          *out_generation = sqlite3_column_int64 (stmt, 2);
          rc = SQLITE_DONE;
        }
    }
  if (rc != SQLITE_DONE)
    set_error (db, path, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

gboolean
_ql_sqlite_read_get_state (sqlite3     *db,
                           const char  *path,
                           const char  *name,
                           QlReadSlot   slot,
                           gboolean    *out_found,
                           gint64      *out_version,
                           gint64      *out_position,
                           GError     **error)
{
  gint64 generation;

  return check_name (name, error) &&
         read_slot (db, path, name, slot, out_found, out_version, out_position, &generation,
                    error);
}

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
run (sqlite3     *db,
     const char  *path,
     const char  *sql,
     GError     **error)
{
  return _ql_store_run_sql (db, sql, path, QL_STORE_TASK_USE, error);
}

static gboolean
run_slot_update (sqlite3     *db,
                 const char  *path,
                 const char  *sql,
                 const char  *name,
                 gint64       first,   /* ?2, ?3, ?4, as many as it has */
                 gint64       second,
                 gint64       third,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      const gint64 values[] = { first, second, third };
      int n = sqlite3_bind_parameter_count (stmt);

      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      for (int i = 2; i <= n && i <= 4; i++)
        sqlite3_bind_int64 (stmt, i, values[i - 2]);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    set_error (db, path, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* Removes every row of @generation. */
static gboolean
clear_generation (sqlite3     *db,
                  const char  *path,
                  gint64       generation,
                  GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "DELETE FROM read_model_rows WHERE generation = ?1", -1,
                               &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, generation);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    set_error (db, path, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
add_rows (sqlite3          *db,
          const char       *path,
          gint64            generation,
          const QlReadRow  *rows,
          guint             n_rows,
          GError          **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "INSERT INTO read_model_rows (generation, key, a, b)"
                                   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (generation, key)"
                                   " DO UPDATE SET a = a + excluded.a, b = b + excluded.b",
                               -1, &stmt, NULL);

  for (guint i = 0; rc == SQLITE_OK && i < n_rows; i++)
    {
      sqlite3_bind_int64 (stmt, 1, generation);
      sqlite3_bind_text (stmt, 2, rows[i].key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, rows[i].a);
      sqlite3_bind_int64 (stmt, 4, rows[i].b);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    set_error (db, path, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_OK;
}

static gboolean
commit_in_transaction (sqlite3          *db,
                       const char       *path,
                       const char       *name,
                       QlReadSlot        slot,
                       gint64            version,
                       gint64            expected_position,
                       gint64            position,
                       const QlReadRow  *rows,
                       guint             n_rows,
                       GError          **error)
{
  gboolean found;
  gint64 old_version, old_position, generation;

  /* The tables are made with a slot's first commit, not parsed again on
   * every commit that follows. */
  if (!read_slot (db, path, name, slot, &found, &old_version, &old_position, &generation, error) ||
      (!found && !run (db, path, CREATE_INDEX_SQL, error)))
    return FALSE;
  if ((found ? old_position : 0) != expected_position)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
                   _("The projection “%s” was brought up to date by someone else"), name);
      return FALSE;
    }

  if (!found &&
      (!_ql_store_query_int (db, "SELECT coalesce(max(generation), 0) + 1 FROM read_models",
                             &generation, path, QL_STORE_TASK_USE, error) ||
       !clear_generation (db, path, generation, error) ||
       !run_slot_update (db, path, "INSERT INTO read_models"
                                   " (name, slot, version, position, generation)"
                                   " VALUES (?1, ?2, 0, 0, ?3)",
                         name, slot, generation, 0, error)))
    return FALSE;

  return add_rows (db, path, generation, rows, n_rows, error) &&
         run_slot_update (db, path, "UPDATE read_models SET version = ?3, position = ?4"
                                    " WHERE name = ?1 AND slot = ?2",
                          name, slot, version, position, error);
}

gboolean
_ql_sqlite_read_commit (sqlite3          *db,
                        const char       *path,
                        const char       *name,
                        QlReadSlot        slot,
                        gint64            version,
                        gint64            expected_position,
                        gint64            position,
                        const QlReadRow  *rows,
                        guint             n_rows,
                        GError          **error)
{
  gboolean ok;

  /* Read models are derived: a commit a power cut loses is counted
   * again from the position before it, which went with it. They need
   * SQLite's atomicity, not the wait for the disk the events pay. */
  if (!check_name (name, error) || !run (db, path, "PRAGMA synchronous = NORMAL", error))
    return FALSE;
  ok = run (db, path, "BEGIN IMMEDIATE", error);
  if (ok && (!commit_in_transaction (db, path, name, slot, version, expected_position, position,
                                     rows, n_rows, error) ||
             !run (db, path, "COMMIT", error)))
    {
      rollback (db);
      ok = FALSE;
    }
  if (!run (db, path, "PRAGMA synchronous = FULL", ok ? error : NULL))
    return FALSE;
  return ok;
}

gboolean
_ql_sqlite_read_commit_all (sqlite3            *db,
                            const char         *path,
                            const QlReadCommit *commits,
                            guint               n_commits,
                            GError            **error)
{
  gboolean ok;

  for (guint i = 0; i < n_commits; i++)
    if (!check_name (commits[i].name, error))
      return FALSE;
  /* As _ql_sqlite_read_commit(): atomic, without the wait for the disk. */
  if (!run (db, path, "PRAGMA synchronous = NORMAL", error))
    return FALSE;
  ok = run (db, path, "BEGIN IMMEDIATE", error);
  for (guint i = 0; ok && i < n_commits; i++)
    {
      const QlReadCommit *commit = &commits[i];

      ok = commit_in_transaction (db, path, commit->name, commit->slot, commit->version,
                                  commit->expected_position, commit->position, commit->rows,
                                  commit->n_rows, error);
    }
  if (ok)
    ok = run (db, path, "COMMIT", error);
  if (!ok)
    rollback (db);
  if (!run (db, path, "PRAGMA synchronous = FULL", ok ? error : NULL))
    return FALSE;
  return ok;
}

static gboolean
drop_slot (sqlite3     *db,
           const char  *path,
           const char  *name,
           QlReadSlot   slot,
           GError     **error)
{
  gboolean found;
  gint64 version, position, generation;

  if (!read_slot (db, path, name, slot, &found, &version, &position, &generation, error))
    return FALSE;
  if (!found)
    return TRUE;
  return clear_generation (db, path, generation, error) &&
         run_slot_update (db, path, "DELETE FROM read_models"
                                    " WHERE name = ?1 AND slot = ?2",
                          name, slot, 0, 0, error);
}

gboolean
_ql_sqlite_read_reset (sqlite3     *db,
                       const char  *path,
                       const char  *name,
                       QlReadSlot   slot,
                       GError     **error)
{
  if (!check_name (name, error) || !run (db, path, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!drop_slot (db, path, name, slot, error) || !run (db, path, "COMMIT", error))
    {
      rollback (db);
      return FALSE;
    }
  return TRUE;
}

static gboolean
swap_in_transaction (sqlite3     *db,
                     const char  *path,
                     const char  *name,
                     GError     **error)
{
  gboolean found;
  gint64 version, position, generation;

  if (!read_slot (db, path, name, QL_READ_SLOT_BUILDING, &found, &version, &position,
                  &generation, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("The projection “%s” has no rebuilt table to swap in"), name);
      return FALSE;
    }
  return drop_slot (db, path, name, QL_READ_SLOT_LIVE, error) &&
         run_slot_update (db, path, "UPDATE read_models SET slot = ?2"
                                    " WHERE name = ?1 AND slot = ?3",
                          name, QL_READ_SLOT_LIVE, QL_READ_SLOT_BUILDING, 0, error);
}

gboolean
_ql_sqlite_read_swap (sqlite3     *db,
                      const char  *path,
                      const char  *name,
                      GError     **error)
{
  if (!check_name (name, error) || !run (db, path, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!swap_in_transaction (db, path, name, error) || !run (db, path, "COMMIT", error))
    {
      rollback (db);
      return FALSE;
    }
  return TRUE;
}

gboolean
_ql_sqlite_read_rows (sqlite3        *db,
                      const char     *path,
                      const char     *name,
                      const char     *prefix,
                      QlReadRowFunc   func,
                      gpointer        user_data,
                      GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  gsize prefix_len = strlen (prefix);
  gboolean found;
  gint64 version, position, generation;
  int rc;

  if (!check_name (name, error) ||
      !read_slot (db, path, name, QL_READ_SLOT_LIVE, &found, &version, &position, &generation,
                  error))
    return FALSE;
  if (!found)
    return TRUE;

  rc = sqlite3_prepare_v2 (db, "SELECT key, a, b FROM read_model_rows"
                               " WHERE generation = ?1 AND key >= ?2 ORDER BY key",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, generation);
      sqlite3_bind_text (stmt, 2, prefix, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          QlReadRow row = {
            (const char *) sqlite3_column_text (stmt, 0),
            sqlite3_column_int64 (stmt, 1),
            sqlite3_column_int64 (stmt, 2),
          };

          if (row.key == NULL || strncmp (row.key, prefix, prefix_len) != 0 ||
              !func (&row, user_data))
            {
              rc = SQLITE_DONE;
              break;
            }
        }
    }
  if (rc != SQLITE_DONE)
    set_error (db, path, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}
