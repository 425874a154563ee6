/* ql-sqlite-schema.c: schema versions of the SQLite event store, and migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-sqlite-schema"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <unistd.h>

#include "ql-event-store.h"
#include "ql-sqlite-schema.h"
#include "ql-store-private.h"

/* How many numbered backup names are tried before giving up. */
#define MAX_BACKUP_NAMES 100

/* A database file, and the files SQLite keeps beside it. */
static const char * const sqlite_suffixes[] = { "", "-journal", "-wal", "-shm" };

/* Whether an event's payload, as versions before 4 wrote it, carries a
 * string `reference`. A payload that is not JSON, which only a
 * hand-written row can have, carries none. The text test first spares
 * json_valid() the payloads without one. */
#define PAYLOAD_HAS_TEXT_REFERENCE \
  "instr (payload, '\"reference\"') > 0" \
  " AND CASE WHEN json_valid (payload) THEN json_type (payload, '$.reference') = 'text' END"

/* Each step turns the version before it into its own, in one transaction
 * with the others. A file from a newer version is refused by an older
 * Quote Ledger, so a step may change what it finds. */
static const QlSqliteMigration schema_migrations[] = {
  /* Events, ledger heads and snapshots, on an empty file. */
  { 1,
    "CREATE TABLE events ("
    "  position INTEGER PRIMARY KEY,"
    "  ledger TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  timestamp INTEGER NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  UNIQUE (ledger, version));"
    "CREATE TABLE ledgers ("
    "  ledger TEXT PRIMARY KEY,"
    "  version INTEGER NOT NULL);"
    "CREATE TABLE snapshots ("
    "  ledger TEXT,"
    "  version INTEGER,"
    "  state TEXT,"
    "  PRIMARY KEY (ledger, version));"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
    /* INSERT OR REPLACE deletes without firing the DELETE trigger. */
    "CREATE TRIGGER events_no_replace BEFORE INSERT ON events"
    "  WHEN EXISTS (SELECT 1 FROM events"
    "               WHERE position = NEW.position"
    "                  OR (ledger = NEW.ledger AND version = NEW.version))"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
    "PRAGMA user_version = 1;" },
  /* Payment references: ql_ledger_book_withdraw_for_reference() looks a
   * reference up in one ledger. Payloads that are not JSON, which only a
   * hand-written row can have, are left out rather than refused. */
  { 2,
    "CREATE INDEX events_by_reference"
    "  ON events (ledger, json_extract (payload, '$.reference'))"
    "  WHERE json_valid (payload) AND json_extract (payload, '$.reference') IS NOT NULL;"
    "PRAGMA user_version = 2;" },
  /* The index above parsed every payload written, with or without a
   * reference, and the head column was rewritten by every append. The
   * store now writes a reference row only for the events that carry a
   * string reference, and reads heads from the events' own index. */
  { 3,
    "CREATE TABLE event_references ("
    "  ledger TEXT NOT NULL,"
    "  reference TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  PRIMARY KEY (ledger, reference, version)) WITHOUT ROWID;"
    "INSERT INTO event_references (ledger, reference, version)"
    "  SELECT ledger, json_extract (payload, '$.reference'), version FROM events"
    "  WHERE CASE WHEN json_valid (payload)"
    "        THEN json_type (payload, '$.reference') = 'text' END;"
    "CREATE TRIGGER event_references_no_update BEFORE UPDATE ON event_references"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
    "CREATE TRIGGER event_references_no_delete BEFORE DELETE ON event_references"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
    "DROP INDEX events_by_reference;"
    "ALTER TABLE ledgers DROP COLUMN version;"
    "PRAGMA user_version = 3;" },
  /* An event's reference is a column of its own, written by the store
   * from the reference the command gave it: no store reads payloads to
   * find references any more. Partial indexes hold the events that have
   * one, for finding a reference and for the scans that read them. The old rows get theirs from their
   * payloads here, once; the migration works under the copy of the file
   * saved before it. The reference table goes, and with it the position
   * up to which it was completed on open: a Quote Ledger older than this
   * version refuses the file, and one that had it open already fails to
   * write a reference rather than writing an event without one. */
  { 4,
    "ALTER TABLE events ADD COLUMN reference TEXT;"
    "DROP TRIGGER events_no_update;"
    "UPDATE events SET reference = json_extract (payload, '$.reference')"
    "  WHERE " PAYLOAD_HAS_TEXT_REFERENCE ";"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
    "CREATE INDEX events_by_reference ON events (ledger, reference, version)"
    "  WHERE reference IS NOT NULL;"
    "CREATE INDEX events_referenced_in_ledger ON events (ledger, version, reference)"
    "  WHERE reference IS NOT NULL;"
    "CREATE INDEX events_referenced_in_log ON events (position, reference)"
    "  WHERE reference IS NOT NULL;"
    "DROP TABLE event_references;"
    "DROP TABLE IF EXISTS references_checked;"
    "PRAGMA user_version = 4;" },
};

/* A file of an older version that cannot be written keeps its version.
 * The connection makes the conversion of step 4 in its own temporary
 * schema instead, where nothing reaches the file, and reads the file
 * through a view that has the current version's columns. */
static const char older_file_view_sql[] =
  "CREATE TEMP TABLE event_reference_column ("
  "  position INTEGER PRIMARY KEY,"
  "  reference TEXT NOT NULL);"
  "INSERT INTO temp.event_reference_column (position, reference)"
  "  SELECT position, json_extract (payload, '$.reference') FROM main.events"
  "  WHERE " PAYLOAD_HAS_TEXT_REFERENCE ";"
  "CREATE TEMP VIEW events AS"
  "  SELECT e.position, e.ledger, e.version, e.type, e.timestamp, e.payload, r.reference"
  "  FROM main.events AS e LEFT JOIN temp.event_reference_column AS r USING (position);";

G_STATIC_ASSERT (G_N_ELEMENTS (schema_migrations) == QL_SQLITE_SCHEMA_VERSION);

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

/**
 * ql_sqlite_schema_backup_path:
 * @path: a database file
 * @version: the schema version the file has
 *
 * The name a copy of @path is saved under before it is migrated from
 * @version: `ledger.db.v1-backup` beside `ledger.db`, or when that name
 * is taken, the first of `ledger.db.v1-backup-2`, `-3` ... that is free.
 * An earlier backup is never overwritten.
 *
 * Returns: (transfer full) (nullable): the backup's path, or %NULL when
 *   every name is taken
 */
char *
ql_sqlite_schema_backup_path (const char *path,
                              gint64      version)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  base = g_strdup_printf ("%s.v%" G_GINT64_FORMAT "-backup", path, version);
  if (!g_file_test (base, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    return g_steal_pointer (&base);

  for (guint i = 2; i <= MAX_BACKUP_NAMES; i++)
    {
      g_autofree char *numbered = g_strdup_printf ("%s-%u", base, i);

      if (!g_file_test (numbered, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
        return g_steal_pointer (&numbered);
    }

  return NULL;
}

static void
set_backup_error (const char  *path,
                  QlStoreError code,
                  const char  *detail,
                  GError     **error)
{
  g_set_error (error, QL_STORE_ERROR, code,
               _("Could not save a copy of “%s” before bringing it up to date: %s; "
                 "the file was left as it was"), path, detail);
}

static QlStoreError
store_error_from_errno (int saved_errno)
{
  if (saved_errno == EACCES || saved_errno == EROFS || saved_errno == EPERM)
    return QL_STORE_ERROR_READ_ONLY;
  if (saved_errno == ENOSPC || saved_errno == EFBIG || saved_errno == EDQUOT)
    return QL_STORE_ERROR_FULL;
  return QL_STORE_ERROR_FAILED;
}

/* Copies @path whole into the new file @copy_path through a connection
 * of its own: the caller's holds the write lock, which a reader's
 * snapshot does not wait for. */
static gboolean
copy_database (const char  *path,
               const char  *copy_path,
               GError     **error)
{
  sqlite3_backup *backup;
  sqlite3 *source = NULL;
  sqlite3 *copy = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &source, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_open_v2 (copy_path, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      backup = sqlite3_backup_init (copy, "main", source, "main");
      if (backup != NULL)
        {
          rc = sqlite3_backup_step (backup, -1);
          sqlite3_backup_finish (backup);
          rc = rc == SQLITE_DONE ? sqlite3_errcode (copy) : rc;
        }
      else
        {
          rc = sqlite3_errcode (copy);
        }
    }

  if (rc != SQLITE_OK)
    set_backup_error (path,
                      (rc & 0xff) == SQLITE_FULL ? QL_STORE_ERROR_FULL : QL_STORE_ERROR_FAILED,
                      copy != NULL ? sqlite3_errmsg (copy) : sqlite3_errstr (rc), error);

  sqlite3_close (copy);
  sqlite3_close (source);

  return rc == SQLITE_OK;
}

/* Copies @path to a new private file beside it and returns the copy's
 * path. The caller holds the write lock, so that nobody else is making a
 * copy: one left half-written under the temporary name by a program that
 * was killed is removed. The copy only gets its name once complete. */
static char *
save_backup (const char  *path,
             gint64       version,
             GError     **error)
{
  g_autofree char *incomplete = g_strdup_printf ("%s.v%" G_GINT64_FORMAT "-backup.incomplete",
                                                 path, version);
  int saved_errno;
  int fd;

  /* A stale journal beside the new copy would be rolled back into it. */
  for (guint i = 0; i < G_N_ELEMENTS (sqlite_suffixes); i++)
    {
      g_autofree char *stale = g_strconcat (incomplete, sqlite_suffixes[i], NULL);

      g_unlink (stale);
    }
  fd = g_open (incomplete, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      set_backup_error (path, store_error_from_errno (saved_errno), g_strerror (saved_errno),
                        error);
      return NULL;
    }
  g_close (fd, NULL);

  if (!copy_database (path, incomplete, error))
    {
      g_unlink (incomplete);
      return NULL;
    }

  /* link() never replaces a file, unlike rename(). */
  for (guint attempt = 0; attempt < MAX_BACKUP_NAMES; attempt++)
    {
      g_autofree char *backup_path = ql_sqlite_schema_backup_path (path, version);

      if (backup_path == NULL)
        break;

      if (link (incomplete, backup_path) == 0)
        {
          g_unlink (incomplete);
          g_info ("Saved a copy of %s as it was in schema version %" G_GINT64_FORMAT " to %s",
                  path, version, backup_path);
          return g_steal_pointer (&backup_path);
        }

      saved_errno = errno;
      if (saved_errno != EEXIST)
        {
          set_backup_error (path, store_error_from_errno (saved_errno),
                            g_strerror (saved_errno), error);
          g_unlink (incomplete);
          return NULL;
        }
    }

  set_backup_error (path, QL_STORE_ERROR_FAILED, _("too many backups beside it"), error);
  g_unlink (incomplete);
  return NULL;
}

/* Undoes a migration that failed: the file is as it was, so the copy
 * made before it would only be clutter. */
static void
abandon (sqlite3    *db,
         const char *backup_path)
{
  rollback (db);
  if (backup_path != NULL)
    g_unlink (backup_path);
}

/**
 * ql_sqlite_schema_migrate:
 * @db: an open, writable connection
 * @path: the file @db has open, for messages and the backup's name
 * @migrations: (array length=n_migrations): the steps, in version order,
 *   from version 1 up, or from any later version
 * @n_migrations: the number of @migrations
 * @error: return location for a #GError
 *
 * Brings the database up to the last step's version. The steps the file
 * lacks run in one transaction, under the write lock, so that another
 * process that opens the file at the same time finds it either as it was
 * or migrated. A file that holds events is first copied whole to
 * ql_sqlite_schema_backup_path(), under the same lock; an empty file, of
 * version 0 or later, is not. When anything
 * fails the transaction is rolled back, the copy removed, and the file
 * left as it was.
 *
 * Returns: %TRUE when the file is at the last version, or %FALSE with
 *   @error set in the %QL_STORE_ERROR domain
 */
gboolean
ql_sqlite_schema_migrate (sqlite3                  *db,
                          const char               *path,
                          const QlSqliteMigration  *migrations,
                          guint                     n_migrations,
                          GError                  **error)
{
  gint64 target;
  gint64 version = 0;
  gint64 has_events = 0;
  g_autofree char *backup_path = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (migrations != NULL && n_migrations > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  target = migrations[n_migrations - 1].version;

  if (!_ql_store_query_int (db, "PRAGMA user_version", &version,
                            path, QL_STORE_TASK_MIGRATE, error))
    return FALSE;
  if (version >= target)
    return TRUE;

  /* Another process may be migrating too: decide under the write lock. */
  if (!_ql_store_run_sql (db, "BEGIN IMMEDIATE", path, QL_STORE_TASK_MIGRATE, error))
    return FALSE;

  /* A file of version 0 has no events table yet. */
  if (!_ql_store_query_int (db, "PRAGMA user_version", &version,
                            path, QL_STORE_TASK_MIGRATE, error) ||
      (version > 0 &&
       !_ql_store_query_int (db, "SELECT EXISTS (SELECT 1 FROM events)", &has_events,
                             path, QL_STORE_TASK_MIGRATE, error)))
    {
      rollback (db);
      return FALSE;
    }

  /* An empty file has nothing to lose: new files are made this way. */
  if (version < target && has_events)
    {
      backup_path = save_backup (path, version, error);
      if (backup_path == NULL)
        {
          rollback (db);
          return FALSE;
        }
    }

  for (guint i = 0; i < n_migrations && version < target; i++)
    {
      const QlSqliteMigration *step = &migrations[i];

      if (step->version <= version)
        continue;

      g_assert (step->version == version + 1);

      if (!_ql_store_run_sql (db, step->sql, path, QL_STORE_TASK_MIGRATE, error) ||
          !_ql_store_query_int (db, "PRAGMA user_version", &version,
                                path, QL_STORE_TASK_MIGRATE, error))
        {
          abandon (db, backup_path);
          return FALSE;
        }

      if (version != step->version)
        {
          g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                       _("Could not bring “%s” up to date: the step to version %"
                         PRId64 " did not complete; the file was left as it was"),
                       path, step->version);
          abandon (db, backup_path);
          return FALSE;
        }
    }

  if (!_ql_store_run_sql (db, "COMMIT", path, QL_STORE_TASK_MIGRATE, error))
    {
      abandon (db, backup_path);
      return FALSE;
    }

  return TRUE;
}

/**
 * ql_sqlite_schema_upgrade:
 * @db: an open connection to an event store, or to an empty file
 * @path: the file @db has open
 * @read_only: whether @db cannot write
 * @error: return location for a #GError
 *
 * Migrates the store to %QL_SQLITE_SCHEMA_VERSION with
 * ql_sqlite_schema_migrate(). A file that cannot be written is left at
 * its version: @db then reads it through a temporary view with the
 * columns of the newest version, so that it reads the same.
 *
 * Returns: %TRUE on success, or %FALSE with @error set
 */
gboolean
ql_sqlite_schema_upgrade (sqlite3     *db,
                          const char  *path,
                          gboolean     read_only,
                          GError     **error)
{
  gint64 version = 0;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (read_only)
    return _ql_store_query_int (db, "PRAGMA user_version", &version,
                                path, QL_STORE_TASK_USE, error) &&
           (version >= QL_SQLITE_SCHEMA_VERSION ||
            _ql_store_run_sql (db, older_file_view_sql, path, QL_STORE_TASK_USE, error));

  return ql_sqlite_schema_migrate (db, path, schema_migrations,
                                   G_N_ELEMENTS (schema_migrations), error);
}
