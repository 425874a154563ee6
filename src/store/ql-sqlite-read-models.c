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

typedef enum
{
  READ_HAS_TABLES,
  READ_BEGIN,
  READ_COMMIT,
  READ_ROLLBACK,
  /* The statements below read the tables: they are prepared once the
   * tables exist. */
  READ_SLOT,
  READ_MOVE_SLOT,
  READ_MOVE_KNOWN_SLOT,
  READ_NEXT_GENERATION,
  READ_CLEAR_GENERATION,
  READ_INSERT_SLOT,
  READ_ADD_ROW,
  READ_DELETE_SLOT,
  READ_SWAP_SLOT,
  READ_ROWS,
  N_READ_STATEMENTS
} ReadStatement;

static const char * const read_sql[N_READ_STATEMENTS] = {
  [READ_HAS_TABLES] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'read_models'",
  [READ_BEGIN] = "BEGIN IMMEDIATE",
  [READ_COMMIT] = "COMMIT",
  [READ_ROLLBACK] = "ROLLBACK",
  [READ_SLOT] =
    "SELECT version, position, generation FROM read_models WHERE name = ?1 AND slot = ?2",
  [READ_MOVE_SLOT] = "UPDATE read_models SET position = ?3 WHERE name = ?1 AND slot = ?2",
  /* Checks and moves a slot in one step: it changes no row when another
   * runner moved the slot, or it was rebuilt, in another version or
   * generation. */
  [READ_MOVE_KNOWN_SLOT] =
    "UPDATE read_models SET position = ?5"
    " WHERE name = ?1 AND slot = ?2 AND version = ?3 AND position = ?4 AND generation = ?6",
  [READ_NEXT_GENERATION] = "SELECT coalesce(max(generation), 0) + 1 FROM read_models",
  [READ_CLEAR_GENERATION] = "DELETE FROM read_model_rows WHERE generation = ?1",
  [READ_INSERT_SLOT] =
    "INSERT INTO read_models (name, slot, version, position, generation)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
  [READ_ADD_ROW] =
    "INSERT INTO read_model_rows (generation, key, a, b)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (generation, key)"
    " DO UPDATE SET a = a + excluded.a, b = b + excluded.b",
  [READ_DELETE_SLOT] = "DELETE FROM read_models WHERE name = ?1 AND slot = ?2",
  [READ_SWAP_SLOT] = "UPDATE read_models SET slot = ?2 WHERE name = ?1 AND slot = ?3",
  [READ_ROWS] =
    "SELECT key, a, b FROM read_model_rows"
    " WHERE generation = ?1 AND key >= ?2 ORDER BY key",
};

/* The read models of one connection, with its statements, each
 * prepared on first use and kept: a follow that commits one event runs
 * a dozen statements, and parsing them again each time cost most of
 * it. */
struct _QlSqliteReadModels
{
  sqlite3      *db;
  char         *path;
  sqlite3_stmt *statements[N_READ_STATEMENTS];
  /* Once seen, the tables stay: nothing drops them. */
  gboolean      has_tables;
  /* The generation of each slot as last read or made, by projection
   * name (gint64[2], by slot, 0 for none known). A commit names it in
   * the statement that checks the slot, so one that is out of date only
   * costs the slot's row read. */
  GHashTable   *generations;
};

/* A statement in use: the kept one, or, when a callback of a scan
 * runs it again, one of its own. */
typedef struct
{
  sqlite3_stmt *stmt;
  gboolean      owned;
} Use;

QlSqliteReadModels *
_ql_sqlite_read_models_new (sqlite3    *db,
                            const char *path)
{
  QlSqliteReadModels *self = g_new0 (QlSqliteReadModels, 1);

  self->db = db;
  self->path = g_strdup (path);
  self->generations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
_ql_sqlite_read_models_free (QlSqliteReadModels *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_READ_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_hash_table_unref (self->generations);
  g_free (self->path);
  g_free (self);
}

static void
set_error (QlSqliteReadModels  *self,
           int                  rc,
           GError             **error)
{
  _ql_store_set_sqlite_error (self->db, self->path, QL_STORE_TASK_USE, rc, error);
}

static int
use_open (QlSqliteReadModels *self,
          ReadStatement       statement,
          Use                *use)
{
  sqlite3_stmt **kept = &self->statements[statement];
  int rc = SQLITE_OK;

  if (*kept == NULL)
    rc = sqlite3_prepare_v3 (self->db, read_sql[statement], -1, SQLITE_PREPARE_PERSISTENT,
                             kept, NULL);
  if (rc != SQLITE_OK)
    {
      use->stmt = NULL;
      return rc;
    }
  if (!sqlite3_stmt_busy (*kept))
    {
      use->stmt = *kept;
      use->owned = FALSE;
      return SQLITE_OK;
    }
  use->owned = TRUE;
  return sqlite3_prepare_v2 (self->db, read_sql[statement], -1, &use->stmt, NULL);
}

static void
use_close (Use *use)
{
  if (use->owned)
    sqlite3_finalize (use->stmt);
  else if (use->stmt != NULL)
    {
      sqlite3_reset (use->stmt);
      sqlite3_clear_bindings (use->stmt);
    }
  use->stmt = NULL;
}

/* Runs a statement without parameters to its end. */
static gboolean
run (QlSqliteReadModels  *self,
     ReadStatement        statement,
     GError             **error)
{
  Use use;
  int rc = use_open (self, statement, &use);

  while (rc == SQLITE_OK && (rc = sqlite3_step (use.stmt)) == SQLITE_ROW)
    rc = SQLITE_OK;
  if (rc != SQLITE_DONE)
    set_error (self, rc, error);
  use_close (&use);
  return rc == SQLITE_DONE;
}

static gboolean
has_tables (QlSqliteReadModels  *self,
            gboolean            *out_has,
            GError             **error)
{
  Use use;
  int rc;

  if (self->has_tables)
    {
      *out_has = TRUE;
      return TRUE;
    }
  rc = use_open (self, READ_HAS_TABLES, &use);
  if (rc == SQLITE_OK && (rc = sqlite3_step (use.stmt)) == SQLITE_ROW)
    {
      self->has_tables = sqlite3_column_int64 (use.stmt, 0) > 0;
      rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    set_error (self, rc, error);
  use_close (&use);
  *out_has = self->has_tables;
  return rc == SQLITE_DONE;
}

/* The slot's row: found, version, position, generation. */
static gboolean
read_slot (QlSqliteReadModels  *self,
           const char          *name,
           QlReadSlot           slot,
           gboolean            *out_found,
           gint64              *out_version,
           gint64              *out_position,
           gint64              *out_generation,
           GError             **error)
{
  gboolean has;
  Use use;
  int rc;

  *out_found = FALSE;
  *out_version = 0;
  *out_position = 0;
  *out_generation = 0;
  if (!has_tables (self, &has, error))
    return FALSE;
  if (!has)
    return TRUE;

  rc = use_open (self, READ_SLOT, &use);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (use.stmt, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_int (use.stmt, 2, slot);
      rc = sqlite3_step (use.stmt);
      if (rc == SQLITE_ROW)
        {
          *out_found = TRUE;
          *out_version = sqlite3_column_int64 (use.stmt, 0);
          *out_position = sqlite3_column_int64 (use.stmt, 1);
          *out_generation = sqlite3_column_int64 (use.stmt, 2);
          rc = SQLITE_DONE;
        }
    }
  if (rc != SQLITE_DONE)
    set_error (self, rc, error);
  use_close (&use);
  return rc == SQLITE_DONE;
}

gboolean
_ql_sqlite_read_get_state (QlSqliteReadModels  *self,
                           const char          *name,
                           QlReadSlot           slot,
                           gboolean            *out_found,
                           gint64              *out_version,
                           gint64              *out_position,
                           GError             **error)
{
  gint64 generation;

  return read_slot (self, name, slot, out_found, out_version, out_position, &generation, error);
}

static void
rollback (QlSqliteReadModels *self)
{
  if (!sqlite3_get_autocommit (self->db))
    run (self, READ_ROLLBACK, NULL);
}

/* Runs a statement that changes rows, with a text and up to five
 * integers as its parameters, as many as it has. */
static gboolean
run_update (QlSqliteReadModels  *self,
            ReadStatement        statement,
            const char          *name,
            gint64               first,   /* ?2, ?3, ?4, ?5, ?6 */
            gint64               second,
            gint64               third,
            gint64               fourth,
            gint64               fifth,
            GError             **error)
{
  Use use;
  int rc = use_open (self, statement, &use);

  if (rc == SQLITE_OK)
    {
      const gint64 values[] = { first, second, third, fourth, fifth };
      int n = sqlite3_bind_parameter_count (use.stmt);

      sqlite3_bind_text (use.stmt, 1, name, -1, SQLITE_STATIC);
      for (int i = 2; i <= n && i <= 6; i++)
        sqlite3_bind_int64 (use.stmt, i, values[i - 2]);
      rc = sqlite3_step (use.stmt);
    }
  if (rc != SQLITE_DONE)
    set_error (self, rc, error);
  use_close (&use);
  return rc == SQLITE_DONE;
}

/* Removes every row of @generation. */
static gboolean
clear_generation (QlSqliteReadModels  *self,
                  gint64               generation,
                  GError             **error)
{
  Use use;
  int rc = use_open (self, READ_CLEAR_GENERATION, &use);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (use.stmt, 1, generation);
      rc = sqlite3_step (use.stmt);
    }
  if (rc != SQLITE_DONE)
    set_error (self, rc, error);
  use_close (&use);
  return rc == SQLITE_DONE;
}

static gboolean
next_generation (QlSqliteReadModels  *self,
                 gint64              *out_generation,
                 GError             **error)
{
  Use use;
  int rc = use_open (self, READ_NEXT_GENERATION, &use);

  if (rc == SQLITE_OK && (rc = sqlite3_step (use.stmt)) == SQLITE_ROW)
    {
      *out_generation = sqlite3_column_int64 (use.stmt, 0);
      rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    set_error (self, rc, error);
  use_close (&use);
  return rc == SQLITE_DONE;
}

static gboolean
add_rows (QlSqliteReadModels  *self,
          gint64               generation,
          const QlReadRow     *rows,
          guint                n_rows,
          GError             **error)
{
  Use use;
  int rc;

  if (n_rows == 0)
    return TRUE;
  rc = use_open (self, READ_ADD_ROW, &use);
  for (guint i = 0; rc == SQLITE_OK && i < n_rows; i++)
    {
      sqlite3_bind_int64 (use.stmt, 1, generation);
      sqlite3_bind_text (use.stmt, 2, rows[i].key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (use.stmt, 3, rows[i].a);
      sqlite3_bind_int64 (use.stmt, 4, rows[i].b);
      rc = sqlite3_step (use.stmt);
      sqlite3_reset (use.stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    set_error (self, rc, error);
  use_close (&use);
  return rc == SQLITE_OK;
}

static void
remember_generation (QlSqliteReadModels *self,
                     const char         *name,
                     QlReadSlot          slot,
                     gint64              generation)
{
  gint64 *known = g_hash_table_lookup (self->generations, name);

  if (known == NULL)
    {
      known = g_new0 (gint64, 2);
      g_hash_table_insert (self->generations, g_strdup (name), known);
    }
  known[slot] = generation;
}

static gint64
known_generation (QlSqliteReadModels *self,
                  const char         *name,
                  QlReadSlot          slot)
{
  gint64 *known = g_hash_table_lookup (self->generations, name);

  return known != NULL ? known[slot] : 0;
}

static gboolean
commit_in_transaction (QlSqliteReadModels  *self,
                       const char          *name,
                       QlReadSlot           slot,
                       gint64               version,
                       gint64               expected_position,
                       gint64               position,
                       const QlReadRow     *rows,
                       guint                n_rows,
                       GError             **error)
{
  gint64 generation = known_generation (self, name, slot);
  gboolean has, found;
  gint64 old_version, old_position;

  /* Checked inside the transaction: a runner may commit after the state
   * it last saw without reading it first. */
  if (!has_tables (self, &has, error))
    return FALSE;
  if (has && generation > 0)
    {
      if (!run_update (self, READ_MOVE_KNOWN_SLOT, name, slot, version, expected_position,
                       position, generation, error))
        return FALSE;
      if (sqlite3_changes (self->db) == 1)
        return add_rows (self, generation, rows, n_rows, error);
    }

  if (!read_slot (self, name, slot, &found, &old_version, &old_position, &generation, error))
    return FALSE;
  if ((found ? old_position : 0) != expected_position || (found && old_version != version))
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
                   _("The projection “%s” was brought up to date by someone else"), name);
      return FALSE;
    }
  if (found)
    {
      remember_generation (self, name, slot, generation);
      return run_update (self, READ_MOVE_SLOT, name, slot, position, 0, 0, 0, error) &&
             add_rows (self, generation, rows, n_rows, error);
    }

  /* The tables are made with the first slot, not parsed again on every
   * commit that follows. */
  if (!has && !_ql_store_run_sql (self->db, CREATE_INDEX_SQL, self->path, QL_STORE_TASK_USE,
                                  error))
    return FALSE;
  self->has_tables = TRUE;
  if (!next_generation (self, &generation, error) ||
      !clear_generation (self, generation, error) ||
      !run_update (self, READ_INSERT_SLOT, name, slot, version, position, generation, 0, error))
    return FALSE;
  remember_generation (self, name, slot, generation);
  return add_rows (self, generation, rows, n_rows, error);
}

/* Read models are derived: a commit a power cut loses is counted again
 * from the position before it, which went with it. They need SQLite's
 * atomicity, not the wait for the disk the events pay. The PRAGMAs run
 * from their text each time: a PRAGMA takes effect when it is compiled,
 * so a kept one would not always set what it says. */
gboolean
_ql_sqlite_read_commit_all (QlSqliteReadModels  *self,
                            const QlReadCommit  *commits,
                            guint                n_commits,
                            GError             **error)
{
  gboolean ok;

  if (!_ql_store_run_sql (self->db, "PRAGMA synchronous = NORMAL", self->path,
                          QL_STORE_TASK_USE, error))
    return FALSE;
  ok = run (self, READ_BEGIN, error);
  for (guint i = 0; ok && i < n_commits; i++)
    {
      const QlReadCommit *commit = &commits[i];

      ok = commit_in_transaction (self, commit->name, commit->slot, commit->version,
                                  commit->expected_position, commit->position, commit->rows,
                                  commit->n_rows, error);
    }
  if (ok)
    ok = run (self, READ_COMMIT, error);
  if (!ok)
    {
      /* A failed transaction takes the tables and slots it made with it. */
      self->has_tables = FALSE;
      g_hash_table_remove_all (self->generations);
      rollback (self);
    }
  if (!_ql_store_run_sql (self->db, "PRAGMA synchronous = FULL", self->path,
                          QL_STORE_TASK_USE, ok ? error : NULL))
    return FALSE;
  return ok;
}

gboolean
_ql_sqlite_read_commit (QlSqliteReadModels  *self,
                        const char          *name,
                        QlReadSlot           slot,
                        gint64               version,
                        gint64               expected_position,
                        gint64               position,
                        const QlReadRow     *rows,
                        guint                n_rows,
                        GError             **error)
{
  QlReadCommit commit = { name, slot, version, expected_position, position, rows, n_rows };

  return _ql_sqlite_read_commit_all (self, &commit, 1, error);
}

static gboolean
drop_slot (QlSqliteReadModels  *self,
           const char          *name,
           QlReadSlot           slot,
           GError             **error)
{
  gboolean found;
  gint64 version, position, generation;

  if (!read_slot (self, name, slot, &found, &version, &position, &generation, error))
    return FALSE;
  if (!found)
    return TRUE;
  return clear_generation (self, generation, error) &&
         run_update (self, READ_DELETE_SLOT, name, slot, 0, 0, 0, 0, error);
}

gboolean
_ql_sqlite_read_reset (QlSqliteReadModels  *self,
                       const char          *name,
                       QlReadSlot           slot,
                       GError             **error)
{
  if (!run (self, READ_BEGIN, error))
    return FALSE;
  g_hash_table_remove (self->generations, name);
  if (!drop_slot (self, name, slot, error) || !run (self, READ_COMMIT, error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}

static gboolean
swap_in_transaction (QlSqliteReadModels  *self,
                     const char          *name,
                     GError             **error)
{
  gboolean found;
  gint64 version, position, generation;

  if (!read_slot (self, name, QL_READ_SLOT_BUILDING, &found, &version, &position, &generation,
                  error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("The projection “%s” has no rebuilt table to swap in"), name);
      return FALSE;
    }
  return drop_slot (self, name, QL_READ_SLOT_LIVE, error) &&
         run_update (self, READ_SWAP_SLOT, name, QL_READ_SLOT_LIVE, QL_READ_SLOT_BUILDING, 0, 0,
                     0, error);
}

gboolean
_ql_sqlite_read_swap (QlSqliteReadModels  *self,
                      const char          *name,
                      GError             **error)
{
  if (!run (self, READ_BEGIN, error))
    return FALSE;
  g_hash_table_remove (self->generations, name);
  if (!swap_in_transaction (self, name, error) || !run (self, READ_COMMIT, error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}

gboolean
_ql_sqlite_read_rows (QlSqliteReadModels  *self,
                      const char          *name,
                      const char          *prefix,
                      QlReadRowFunc        func,
                      gpointer             user_data,
                      GError             **error)
{
  gsize prefix_len = strlen (prefix);
  gboolean found;
  gint64 version, position, generation;
  Use use;
  int rc;

  if (!read_slot (self, name, QL_READ_SLOT_LIVE, &found, &version, &position, &generation,
                  error))
    return FALSE;
  if (!found)
    return TRUE;

  rc = use_open (self, READ_ROWS, &use);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (use.stmt, 1, generation);
      sqlite3_bind_text (use.stmt, 2, prefix, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (use.stmt)) == SQLITE_ROW)
        {
          QlReadRow row = {
            (const char *) sqlite3_column_text (use.stmt, 0),
            sqlite3_column_int64 (use.stmt, 1),
            sqlite3_column_int64 (use.stmt, 2),
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
    set_error (self, rc, error);
  use_close (&use);
  return rc == SQLITE_DONE;
}
