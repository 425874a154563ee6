/* test-sqlite-schema.c: schema versions and migrations of the SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sqlite-schema"

#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ql-dates.h"
#include "ql-event-store.h"
#include "ql-ledger-book.h"
#include "ql-sqlite-event-store.h"
#include "ql-sqlite-schema.h"
#include "ql-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"


/* Version 1 of the schema exactly as the first release wrote it, so that
 * the migration is tested on a file no newer code has touched. */
static const char schema_v1[] =
  "PRAGMA journal_mode = WAL;"
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
  "CREATE TRIGGER events_no_replace BEFORE INSERT ON events"
  "  WHEN EXISTS (SELECT 1 FROM events"
  "               WHERE position = NEW.position"
  "                  OR (ledger = NEW.ledger AND version = NEW.version))"
  "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
  "PRAGMA user_version = 1;";

/* What version 3 added to version 1, as that release wrote it, with the
 * position its store had completed the references up to: the file it
 * leaves has the reference table that version 4 replaces. */
static const char schema_v3_after_v1[] =
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
  "ALTER TABLE ledgers DROP COLUMN version;"
  "CREATE TABLE references_checked (position INTEGER NOT NULL);"
  "INSERT INTO references_checked (position) SELECT max(position) FROM events;"
  "PRAGMA user_version = 3;";

/* The lookup the reference index is for, as the store makes it. */
static const char reference_query[] =
  "SELECT version FROM events WHERE ledger = ?1 AND reference = ?2 ORDER BY version LIMIT 1";

#define N_ACCOUNTS 3
#define DEPOSITS_PER_ACCOUNT 200

#define assert_no_error(e) \
  ck_assert_msg ((e) == NULL, "unexpected error: %s", (e) != NULL ? (e)->message : "")

#define assert_store_error(e, code) \
  ck_assert_msg (g_error_matches ((e), QL_STORE_ERROR, (code)), \
                 "expected store error %d, got %s", (code), \
                 (e) != NULL ? (e)->message : "no error")

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  ck_assert_msg (rc == SQLITE_OK, "%s: %s", sql, message != NULL ? message : "");
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  ck_assert_int_eq (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static sqlite3 *
open_raw (const char *path,
          int         flags)
{
  sqlite3 *db = NULL;

  ck_assert_int_eq (sqlite3_open_v2 (path, &db, flags, NULL), SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* Writes a version 1 file as the first release would have: accounts
 * with deposits, some carrying a payment reference, and with
 * @with_scribbles a row whose payload is not JSON, as a careless SQL user
 * could insert. */
static char *
make_v1_file (const char *dir,
              gboolean    with_scribbles)
{
  char *path = g_build_filename (dir, "ledger.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  gint64 timestamp = g_get_real_time ();

  g_close (g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0600), NULL);
  db = open_raw (path, SQLITE_OPEN_READWRITE);
  exec_sql (db, schema_v1);
  exec_sql (db, "BEGIN");
  ck_assert_int_eq (sqlite3_prepare_v2 (db,
                                        "INSERT INTO events (ledger, version, type, timestamp,"
                                        " payload) VALUES (?1, ?2, ?3, ?4, ?5)",
                                        -1, &insert, NULL), SQLITE_OK);

  for (guint a = 0; a < N_ACCOUNTS; a++)
    {
      g_autofree char *name = g_strdup_printf ("Account %u", a);

      for (guint v = 1; v <= DEPOSITS_PER_ACCOUNT + 1; v++)
        {
          g_autofree char *payload = NULL;

          if (v == 1)
            payload = g_strdup ("{\"currency\":\"USD\",\"decimals\":2}");
          else if (v % 2 == 0)
            payload = g_strdup_printf ("{\"amount\":%u,\"reference\":\"order-%u-%u\"}", v, a, v);
          else
            payload = g_strdup_printf ("{\"amount\":%u}", v);

          sqlite3_bind_text (insert, 1, name, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (insert, 2, v);
          sqlite3_bind_text (insert, 3, v == 1 ? "AccountOpened" : "Deposited", -1,
                             SQLITE_STATIC);
          sqlite3_bind_int64 (insert, 4, timestamp);
          sqlite3_bind_text (insert, 5, payload, -1, SQLITE_TRANSIENT);
          ck_assert_int_eq (sqlite3_step (insert), SQLITE_DONE);
          sqlite3_reset (insert);
        }
      {
        sqlite3_stmt *head = NULL;

        ck_assert_int_eq (sqlite3_prepare_v2 (db, "INSERT INTO ledgers VALUES (?1, ?2)", -1,
                                              &head, NULL), SQLITE_OK);
        sqlite3_bind_text (head, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (head, 2, DEPOSITS_PER_ACCOUNT + 1);
        ck_assert_int_eq (sqlite3_step (head), SQLITE_DONE);
        sqlite3_finalize (head);
      }
    }

  if (with_scribbles)
    {
      exec_sql (db, "INSERT INTO events (ledger, version, type, timestamp, payload)"
                    " VALUES ('Scribbles', 1, 'Note', 0, 'not { json')");
      exec_sql (db, "INSERT INTO ledgers VALUES ('Scribbles', 1)");
    }
  sqlite3_finalize (insert);
  exec_sql (db, "COMMIT");
  ck_assert_int_eq (sqlite3_close (db), SQLITE_OK);

  return path;
}

static char *
read_file (const char *path,
           gsize      *out_length)
{
  char *contents = NULL;

  ck_assert_msg (g_file_get_contents (path, &contents, out_length, NULL), "cannot read %s", path);
  return contents;
}

static void
assert_same_file (const char *path,
                  const char *before,
                  gsize       before_length)
{
  gsize length = 0;
  g_autofree char *after = read_file (path, &length);

  ck_assert_uint_eq (length, before_length);
  ck_assert_mem_eq (after, before, length);
}

static gint64
user_version (const char *path)
{
  sqlite3 *db = open_raw (path, SQLITE_OPEN_READONLY);
  gint64 version = query_int (db, "PRAGMA user_version");

  sqlite3_close (db);
  return version;
}

/* Whether @path has the newest schema's reference column. */
static gboolean
has_references (const char *path)
{
  sqlite3 *db = open_raw (path, SQLITE_OPEN_READONLY);
  gint64 n = query_int (db, "SELECT count(*) FROM pragma_table_info ('events')"
                            " WHERE name = 'reference'");

  sqlite3_close (db);
  return n == 1;
}

static gint64
count_events (const char *path)
{
  sqlite3 *db = open_raw (path, SQLITE_OPEN_READONLY);
  gint64 n = query_int (db, "SELECT count(*) FROM events");

  sqlite3_close (db);
  return n;
}

static gint64
deposits_sum (QlLedgerBook *book,
              const char   *name)
{
  QlLedger *ledger = ql_ledger_book_lookup (book, name);

  ck_assert_ptr_nonnull (ledger);
  return ql_ledger_get_balance (ledger);
}

static gint64
expected_balance (void)
{
  gint64 sum = 0;

  for (guint v = 2; v <= DEPOSITS_PER_ACCOUNT + 1; v++)
    sum += v;

  return sum;
}

START_TEST (test_new_file_is_current)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autofree char *empty_backup = g_strconcat (path, ".v0-backup", NULL);
  g_autofree char *backup = g_strconcat (path, ".v1-backup", NULL);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = ql_store_open (path, &error);
  assert_no_error (error);
  g_clear_object (&store);

  ck_assert_int_eq (user_version (path), QL_SQLITE_SCHEMA_VERSION);
  ck_assert (has_references (path));
  /* Nothing was there to lose, so nothing was copied. */
  ck_assert (!g_file_test (empty_backup, G_FILE_TEST_EXISTS));
  ck_assert (!g_file_test (backup, G_FILE_TEST_EXISTS));
}
END_TEST

START_TEST (test_v1_is_migrated_after_a_backup)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v1_file (dir, FALSE);
  g_autofree char *backup = ql_sqlite_schema_backup_path (path, 1);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_backup = g_strconcat (path, ".v1-backup", NULL);
  gint64 n_events = count_events (path);
  GStatBuf buf;

  ck_assert_str_eq (backup, expected_backup);
  ck_assert_int_eq (n_events, N_ACCOUNTS * (DEPOSITS_PER_ACCOUNT + 1));

  store = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (!ql_sqlite_event_store_is_read_only (QL_SQLITE_EVENT_STORE (store)));
  book = ql_ledger_book_new (store, &error);
  assert_no_error (error);

  for (guint a = 0; a < N_ACCOUNTS; a++)
    {
      g_autofree char *name = g_strdup_printf ("Account %u", a);

      ck_assert_int_eq (deposits_sum (book, name), expected_balance ());
    }

  /* The migrated file takes new events. */
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Account 0", "1", &error)));
  assert_no_error (error);
  g_clear_object (&book);
  g_clear_object (&store);

  ck_assert_int_eq (user_version (path), QL_SQLITE_SCHEMA_VERSION);
  ck_assert (has_references (path));
  ck_assert_int_eq (count_events (path), n_events + 1);

  /* The copy is the file as it was, private like it. */
  ck_assert (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  ck_assert_int_eq (g_stat (backup, &buf), 0);
  ck_assert_int_eq (buf.st_mode & 0777, 0600);
  ck_assert_int_eq (user_version (backup), 1);
  ck_assert (!has_references (backup));
  ck_assert_int_eq (count_events (backup), n_events);

  /* Opening again migrates nothing more and copies nothing more. */
  store = ql_store_open (path, &error);
  assert_no_error (error);
  g_clear_object (&store);
  {
    g_autofree char *second = g_strconcat (path, ".v1-backup-2", NULL);

    ck_assert (!g_file_test (second, G_FILE_TEST_EXISTS));
  }
}
END_TEST

/* Every string reference of the old payloads is in the reference column
 * after the migration, where the store finds it; a reference written
 * later is found there too. The file holds rows that are not JSON. */
START_TEST (test_references_are_carried_over)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v1_file (dir, TRUE);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *plan = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", reference_query, NULL);
  const QlNewEvent paid = { "Withdrawn", "{\"amount\":5,\"reference\":\"order-new\"}",
                            "order-new" };
  gint64 version = 0;
  sqlite3 *db;

  store = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (ql_event_store_find_reference (store, "Account 1", "order-1-42", &version, &error));
  assert_no_error (error);
  ck_assert_int_eq (version, 42);
  ck_assert (ql_event_store_find_reference (store, "Account 2", "order-1-42", &version, &error));
  ck_assert_int_eq (version, 0);

  ck_assert (ql_event_store_append (store, "Account 1", DEPOSITS_PER_ACCOUNT + 1, &paid, 1, NULL,
                                    &error));
  assert_no_error (error);
  ck_assert (ql_event_store_find_reference (store, "Account 1", "order-new", &version, &error));
  ck_assert_int_eq (version, DEPOSITS_PER_ACCOUNT + 2);
  g_clear_object (&store);

  db = open_raw (path, SQLITE_OPEN_READONLY);
  /* One row for each even deposit of each account, and the new one. */
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM events WHERE reference IS NOT NULL"),
                    N_ACCOUNTS * (DEPOSITS_PER_ACCOUNT / 2) + 1);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), SQLITE_OK);
  sqlite3_bind_text (stmt, 1, "Account 1", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, "order-1-42", -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  plan = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  ck_assert_msg (strstr (plan, "events_by_reference") != NULL, "plan: %s", plan);

  ck_assert_int_eq (sqlite3_prepare_v2 (db, reference_query, -1, &stmt, NULL), SQLITE_OK);
  sqlite3_bind_text (stmt, 1, "Account 1", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, "order-new", -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 0), DEPOSITS_PER_ACCOUNT + 2);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}
END_TEST

/* Turns a version 1 file into one of version 3 as that release left it,
 * then appends to it as that release did: a payment, with its row in the
 * reference table, and another program's payment, with a reference in
 * its payload only, past the position the references were completed to. */
static char *
make_v3_file (const char *dir)
{
  char *path = make_v1_file (dir, TRUE);
  sqlite3 *db = open_raw (path, SQLITE_OPEN_READWRITE);

  exec_sql (db, schema_v3_after_v1);
  exec_sql (db, "BEGIN;"
                "INSERT INTO events (ledger, version, type, timestamp, payload)"
                "  VALUES ('Account 1', 202, 'Withdrawn', 0,"
                "          '{\"amount\":500,\"reference\":\"order-paid\"}');"
                "INSERT INTO event_references VALUES ('Account 1', 'order-paid', 202);"
                "UPDATE references_checked SET position = (SELECT max(position) FROM events);"
                "INSERT INTO events (ledger, version, type, timestamp, payload)"
                "  VALUES ('Account 2', 202, 'Withdrawn', 0,"
                "          '{\"amount\":700,\"reference\":\"order-other\"}');"
                "COMMIT;");
  ck_assert_int_eq (sqlite3_close (db), SQLITE_OK);

  return path;
}

/* Version 4 moves the references of a version 3 file to their events'
 * column, after a backup: a payment made before the migration and
 * retried after it is answered by its old event, not charged again. */
START_TEST (test_v3_references_move_to_their_events)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v3_file (dir);
  g_autofree char *backup = g_strconcat (path, ".v3-backup", NULL);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlEvent) retry = NULL;
  g_autoptr(QlEvent) other_retry = NULL;
  g_autoptr(QlEvent) paid = NULL;
  g_autofree char *today_text = NULL;
  g_autofree char *expected_payload = NULL;
  GDate today;
  g_autoptr(GError) error = NULL;
  gint64 n_events = count_events (path);
  gint64 version = 0;
  gint64 head;
  sqlite3 *db;
  sqlite3 *older = NULL;
  sqlite3_stmt *older_reference = NULL;

  ck_assert_int_eq (user_version (path), 3);
  ck_assert (!has_references (path));

  /* A program of version 3 that has the file open, ready to write a
   * payment's reference row as it did. */
  older = open_raw (path, SQLITE_OPEN_READWRITE);
  ck_assert_int_eq (sqlite3_prepare_v2 (older, "INSERT INTO event_references"
                                        " VALUES ('Account 0', 'order-late', 300)", -1,
                                        &older_reference, NULL), SQLITE_OK);

  store = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert_int_eq (user_version (path), QL_SQLITE_SCHEMA_VERSION);
  ck_assert (has_references (path));
  head = ql_test_head_position (store);
  ck_assert_int_eq (head, n_events);

  /* It fails to write the reference, rather than leaving a payment
   * without one. */
  ck_assert_int_ne (sqlite3_step (older_reference), SQLITE_DONE);
  sqlite3_finalize (older_reference);
  ck_assert_int_eq (sqlite3_close (older), SQLITE_OK);

  ck_assert (ql_event_store_find_reference (store, "Account 0", "order-0-2", &version, &error));
  assert_no_error (error);
  ck_assert_int_eq (version, 2);
  ck_assert (ql_event_store_find_reference (store, "Account 2", "order-other", &version,
                                            &error));
  ck_assert_int_eq (version, DEPOSITS_PER_ACCOUNT + 2);

  book = ql_ledger_book_new (store, &error);
  assert_no_error (error);
  retry = ql_ledger_book_withdraw_for_reference (book, "Account 1", "5.00", "USD", "order-paid",
                                                 &error);
  ck_assert_msg (retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_event_get_version (retry), DEPOSITS_PER_ACCOUNT + 2);
  ck_assert_str_eq (ql_event_get_reference (retry), "order-paid");
  other_retry = ql_ledger_book_withdraw_for_reference (book, "Account 2", "7.00", "USD",
                                                       "order-other", &error);
  ck_assert_msg (other_retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_event_get_version (other_retry), DEPOSITS_PER_ACCOUNT + 2);
  ck_assert_int_eq (ql_test_head_position (store), head);
  ck_assert_int_eq (deposits_sum (book, "Account 1"), expected_balance () - 500);

  /* A new payment after the migration is found by its column as well,
   * and its payload is as the older versions wrote it, with the day it
   * happened besides. */
  paid = ql_ledger_book_withdraw_for_reference (book, "Account 1", "1.00", "USD", "order-new",
                                                &error);
  ck_assert_msg (paid != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_test_head_position (store), head + 1);
  ql_date_set_today (&today);
  today_text = ql_date_format (&today);
  expected_payload = g_strdup_printf ("{\"amount\":100,\"reference\":\"order-new\","
                                      "\"date\":\"%s\"}", today_text);
  ck_assert_str_eq (ql_event_get_payload (paid), expected_payload);
  g_clear_object (&book);
  g_clear_object (&store);

  db = open_raw (path, SQLITE_OPEN_READONLY);
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM sqlite_master"
                                   " WHERE name IN ('event_references', 'references_checked')"),
                    0);
  /* The even deposits of each account, the two payments, the new one. */
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM events WHERE reference IS NOT NULL"),
                    N_ACCOUNTS * (DEPOSITS_PER_ACCOUNT / 2) + 3);
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM events"
                                   " WHERE ledger = 'Scribbles' AND reference IS NULL"), 1);
  sqlite3_close (db);

  /* The copy is the version 3 file as it was. */
  ck_assert (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  ck_assert_int_eq (user_version (backup), 3);
  ck_assert (!has_references (backup));
  ck_assert_int_eq (count_events (backup), n_events);
}
END_TEST

START_TEST (test_failed_migration_leaves_the_file)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v1_file (dir, TRUE);
  g_autofree char *backup = g_strconcat (path, ".v1-backup", NULL);
  g_autofree char *before = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_length = 0;
  sqlite3 *db;
  /* The real step, then one that fails half-way through its work. */
  const QlSqliteMigration steps[] = {
    { 2,
      "CREATE INDEX events_by_reference"
      "  ON events (ledger, json_extract (payload, '$.reference'))"
      "  WHERE json_valid (payload) AND json_extract (payload, '$.reference') IS NOT NULL;"
      "PRAGMA user_version = 2;" },
    { 3,
      "CREATE TABLE half_done (x);"
      "INSERT INTO half_done SELECT position FROM events;"
      "SELECT no_such_function ();"
      "PRAGMA user_version = 3;" },
  };

  before = read_file (path, &before_length);

  db = open_raw (path, SQLITE_OPEN_READWRITE);
  ck_assert (!ql_sqlite_schema_migrate (db, path, steps, G_N_ELEMENTS (steps), &error));
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_ptr_nonnull (strstr (error->message, path));
  ck_assert_msg (strstr (error->message, "no_such_function") != NULL, "%s", error->message);
  /* The connection is usable and back out of the transaction. */
  ck_assert (sqlite3_get_autocommit (db));
  ck_assert_int_eq (sqlite3_close (db), SQLITE_OK);

  assert_same_file (path, before, before_length);
  ck_assert_int_eq (user_version (path), 1);
  ck_assert (!has_references (path));
  ck_assert (!g_file_test (backup, G_FILE_TEST_EXISTS));

  /* A step that forgets its version is refused as well. */
  {
    const QlSqliteMigration forgetful[] = { { 2, "CREATE TABLE forgotten (x);" } };

    g_clear_error (&error);
    db = open_raw (path, SQLITE_OPEN_READWRITE);
    ck_assert (!ql_sqlite_schema_migrate (db, path, forgetful, 1, &error));
    assert_store_error (error, QL_STORE_ERROR_FAILED);
    ck_assert_int_eq (sqlite3_close (db), SQLITE_OK);
    assert_same_file (path, before, before_length);
  }

  /* The real migration still works on the file afterwards. */
  {
    g_autoptr(QlEventStore) store = NULL;

    g_clear_error (&error);
    store = ql_store_open (path, &error);
    assert_no_error (error);
  }
  ck_assert_int_eq (user_version (path), QL_SQLITE_SCHEMA_VERSION);
}
END_TEST

/* The disk fills while the copy is written: the migration must not
 * start, and the file must be as it was. */
START_TEST (test_full_disk_during_backup)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v1_file (dir, TRUE);
  g_autofree char *backup = g_strconcat (path, ".v1-backup", NULL);
  g_autofree char *before = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_length = 0;
  struct rlimit limit;

  before = read_file (path, &before_length);
  ck_assert_uint_gt (before_length, 16384);

  /* Writing past the limit fails with EFBIG, as on a full disk. */
  signal (SIGXFSZ, SIG_IGN);
  limit.rlim_cur = before_length / 2;
  limit.rlim_max = RLIM_INFINITY;
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &limit), 0);

  store = ql_store_open (path, &error);

  limit.rlim_cur = RLIM_INFINITY;
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &limit), 0);

  ck_assert_ptr_null (store);
  ck_assert_ptr_nonnull (error);
  ck_assert_ptr_nonnull (strstr (error->message, path));
  assert_same_file (path, before, before_length);
  ck_assert_int_eq (user_version (path), 1);
  ck_assert (!g_file_test (backup, G_FILE_TEST_EXISTS));
}
END_TEST

START_TEST (test_backups_are_never_overwritten)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v1_file (dir, FALSE);
  g_autofree char *first = g_strconcat (path, ".v1-backup", NULL);
  g_autofree char *second = g_strconcat (path, ".v1-backup-2", NULL);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  ck_assert (g_file_set_contents (first, "an older copy", -1, NULL));
  name = ql_sqlite_schema_backup_path (path, 1);
  ck_assert_str_eq (name, second);

  store = ql_store_open (path, &error);
  assert_no_error (error);

  assert_same_file (first, "an older copy", 13);
  ck_assert_int_eq (user_version (second), 1);
}
END_TEST

START_TEST (test_newer_version_is_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autofree char *before = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d",
                                             QL_SQLITE_SCHEMA_VERSION + 1);
  gsize before_length = 0;
  sqlite3 *db;

  store = ql_store_open (path, &error);
  assert_no_error (error);
  g_clear_object (&store);

  db = open_raw (path, SQLITE_OPEN_READWRITE);
  exec_sql (db, pragma);
  ck_assert_int_eq (sqlite3_close (db), SQLITE_OK);
  ck_assert_int_eq (user_version (path), QL_SQLITE_SCHEMA_VERSION + 1);

  before = read_file (path, &before_length);
  store = ql_store_open (path, &error);
  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_TOO_NEW);
  assert_same_file (path, before, before_length);
}
END_TEST

START_TEST (test_read_only_v1_is_read_as_it_is)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v1_file (dir, FALSE);
  g_autofree char *backup = g_strconcat (path, ".v1-backup", NULL);
  g_autofree char *before = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GError) error = NULL;
  gint64 version = 0;
  gsize before_length = 0;

  before = read_file (path, &before_length);
  ck_assert_int_eq (g_chmod (path, 0444), 0);
  ql_test_give_away (path);
  ck_assert_int_eq (g_chmod (dir, 0555), 0);
  ql_test_drop_root ();

  store = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (ql_sqlite_event_store_is_read_only (QL_SQLITE_EVENT_STORE (store)));
  book = ql_ledger_book_new (store, &error);
  assert_no_error (error);
  ck_assert_int_eq (deposits_sum (book, "Account 2"), expected_balance ());
  /* An old file has no reference column: its references are read from
   * the payloads into the connection alone. */
  ck_assert (ql_event_store_find_reference (store, "Account 2", "order-2-10", &version, &error));
  assert_no_error (error);
  ck_assert_int_eq (version, 10);
  g_clear_object (&book);
  g_clear_object (&store);

  assert_same_file (path, before, before_length);
  ck_assert (!g_file_test (backup, G_FILE_TEST_EXISTS));
}
END_TEST

/* Several stores open one version 1 file at once: one migrates, the
 * others find it migrated, and one copy is left. */
typedef struct
{
  const char *path;
  gboolean    ok;
} Opener;

static gpointer
open_thread (gpointer data)
{
  Opener *opener = data;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = ql_store_open (opener->path, &error);
  opener->ok = store != NULL;
  if (error != NULL)
    g_printerr ("%s\n", error->message);

  return NULL;
}

START_TEST (test_concurrent_openers_migrate_once)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_v1_file (dir, FALSE);
  Opener openers[4];
  GThread *threads[G_N_ELEMENTS (openers)];
  g_autofree char *backup = NULL;
  guint n_backups = 0;
  const char *name;
  GDir *listing;

  for (guint i = 0; i < G_N_ELEMENTS (openers); i++)
    {
      openers[i] = (Opener) { path, FALSE };
      threads[i] = g_thread_new ("opener", open_thread, &openers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (openers); i++)
    {
      g_thread_join (threads[i]);
      ck_assert (openers[i].ok);
    }

  ck_assert_int_eq (user_version (path), QL_SQLITE_SCHEMA_VERSION);

  listing = g_dir_open (dir, 0, NULL);
  ck_assert_ptr_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      if (g_str_has_prefix (name, "ledger.db.v1-backup"))
        {
          n_backups++;
          g_free (backup);
          backup = g_build_filename (dir, name, NULL);
        }
    }
  g_dir_close (listing);

  ck_assert_uint_eq (n_backups, 1);
  ck_assert_int_eq (user_version (backup), 1);
  ck_assert_int_eq (count_events (backup), N_ACCOUNTS * (DEPOSITS_PER_ACCOUNT + 1));
}
END_TEST

/* Whether another process could take the write lock on the bytes where
 * SQLite's readers hold their shared locks: never while a store is open. */
static gboolean
shared_lock_is_free (const char *path)
{
  int status = 0;
  pid_t pid = fork ();

  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      /* SQLite's SHARED range starts 2 bytes after its pending byte. */
      struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                            .l_start = 0x40000002, .l_len = 510 };
      int fd = open (path, O_RDWR | O_CLOEXEC);

      if (fd < 0 || fcntl (fd, F_GETLK, &lock) != 0)
        _exit (2);
      _exit (lock.l_type == F_UNLCK ? 0 : 1);
    }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) != 2);
  return WEXITSTATUS (status) == 0;
}

/* Opening a second store on a file checks it first: the check must not
 * drop the locks SQLite holds for the first store, as closing a
 * descriptor of the file would, or another process could check-point
 * and delete the WAL under it. */
START_TEST (test_second_store_keeps_the_first_ones_locks)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(QlEventStore) first = NULL;
  g_autoptr(QlEventStore) second = NULL;
  g_autoptr(GError) error = NULL;
  const QlNewEvent opened = { "AccountOpened", "{\"currency\":null}", NULL };

  first = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (ql_event_store_append (first, "Cash", 0, &opened, 1, NULL, &error));
  ck_assert (!shared_lock_is_free (path));

  second = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (!shared_lock_is_free (path));
  g_clear_object (&second);
  ck_assert (!shared_lock_is_free (path));
}
END_TEST

static Suite *
sqlite_schema_suite (void)
{
  Suite *suite = suite_create ("QlSqliteSchema");
  TCase *tcase;

  tcase = tcase_create ("new-files");
  tcase_add_test (tcase, test_new_file_is_current);
  tcase_add_test (tcase, test_second_store_keeps_the_first_ones_locks);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("migration");
  tcase_add_test (tcase, test_v1_is_migrated_after_a_backup);
  tcase_add_test (tcase, test_references_are_carried_over);
  tcase_add_test (tcase, test_v3_references_move_to_their_events);
  tcase_add_test (tcase, test_backups_are_never_overwritten);
  tcase_add_test (tcase, test_concurrent_openers_migrate_once);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("failed-migration");
  tcase_add_test (tcase, test_failed_migration_leaves_the_file);
  tcase_add_test (tcase, test_full_disk_during_backup);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("refused");
  tcase_add_test (tcase, test_newer_version_is_refused);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("read-only");
  tcase_add_test (tcase, test_read_only_v1_is_read_as_it_is);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  return ql_test_run_in_dir ("ql-test-sqlite-schema", sqlite_schema_suite (), NULL);
}
