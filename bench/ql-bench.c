/* ql-bench.c: how fast the model is, against raw SQLite measured in the same run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints one JSON object per figure on standard output: the median of
 * --runs samples, the samples, the raw-SQLite baseline measured the same
 * way in the same run, their ratio, and the target. Progress goes to
 * standard error. See README.md, section Performance.
 */
#define G_LOG_DOMAIN "ql-bench"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ql-event-store.h"
#include "ql-ledger-book.h"
#include "ql-ledger.h"
#include "ql-quote-book.h"
#include "ql-sqlite-event-store.h"

/* The shape of the events table, for the raw baseline: the same columns
 * and the same UNIQUE constraint, without the triggers and the heads
 * table the store keeps beside it. */
static const char raw_schema[] =
  "CREATE TABLE events ("
  "  position INTEGER PRIMARY KEY,"
  "  ledger TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  timestamp INTEGER NOT NULL,"
  "  payload TEXT NOT NULL,"
  "  UNIQUE (ledger, version));";

/* The store's settings: WAL, synchronous=FULL. */
static const char raw_settings[] = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";

typedef struct
{
  char    *dir;
  char    *binary;
  guint    runs;
  guint    n_events;
  guint    n_durable;
  guint    n_ledgers;
  char   **only;
} Bench;

typedef struct
{
  const char *figure;
  const char *unit;
  gboolean    higher_is_better;
  GArray     *samples;
  GArray     *baseline;
  const char *baseline_what;
  double      target;
  const char *target_what;
  /* An extra figure reported with this one, such as peak memory. */
  const char *extra_name;
  GArray     *extra;
} Figure;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *samples)
{
  g_autoptr(GArray) sorted = NULL;
  guint n;

  if (samples == NULL || samples->len == 0)
    return 0;
  sorted = g_array_copy (samples);
  g_array_sort (sorted, compare_doubles);
  n = sorted->len;
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

static Figure *
figure_new (const char *figure,
            const char *unit,
            gboolean    higher_is_better)
{
  Figure *f = g_new0 (Figure, 1);

  f->figure = figure;
  f->unit = unit;
  f->higher_is_better = higher_is_better;
  f->samples = g_array_new (FALSE, FALSE, sizeof (double));
  f->baseline = g_array_new (FALSE, FALSE, sizeof (double));
  f->extra = g_array_new (FALSE, FALSE, sizeof (double));
  return f;
}

static void
figure_free (Figure *f)
{
  g_array_unref (f->samples);
  g_array_unref (f->baseline);
  g_array_unref (f->extra);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Figure, figure_free)

static void
append_samples (GString *out,
                GArray  *samples)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < samples->len; i++)
    g_string_append_printf (out, "%s%.6g", i > 0 ? "," : "", g_array_index (samples, double, i));
  g_string_append_c (out, ']');
}

static void
figure_print (Figure *f)
{
  g_autoptr(GString) out = g_string_new (NULL);
  double value = median (f->samples);
  double base = median (f->baseline);

  g_string_append_printf (out, "{\"figure\":\"%s\",\"unit\":\"%s\",\"median\":%.6g,\"runs\":%u,"
                          "\"samples\":", f->figure, f->unit, value, f->samples->len);
  append_samples (out, f->samples);
  if (f->baseline->len > 0)
    {
      /* A ratio above 1 always means better than the baseline. */
      double ratio = f->higher_is_better ? value / base : base / value;

      g_string_append_printf (out, ",\"baseline\":\"%s\",\"baseline_median\":%.6g,"
                              "\"baseline_samples\":", f->baseline_what, base);
      append_samples (out, f->baseline);
      g_string_append_printf (out, ",\"ratio\":%.3f", ratio);
    }
  if (f->extra_name != NULL)
    {
      g_string_append_printf (out, ",\"%s\":%.6g,\"%s_samples\":", f->extra_name,
                              median (f->extra), f->extra_name);
      append_samples (out, f->extra);
    }
  g_string_append_printf (out, ",\"target\":\"%s\"}", f->target_what);
  g_print ("%s\n", out->str);
  fflush (stdout);
}

static void
add (GArray *samples,
     double  value)
{
  g_array_append_val (samples, value);
}

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
}

/* Takes the error's address: it is read after the call that sets it. */
static void
check (gboolean     ok,
       GError     **error,
       const char  *what)
{
  if (ok)
    return;
  g_printerr ("ql-bench: %s failed: %s\n", what, *error != NULL ? (*error)->message : "?");
  exit (1);
}

/* check() for a command, which returns the event it appended. */
static void
check_event (QlEvent     *event,
             GError     **error,
             const char  *what)
{
  g_autoptr(QlEvent) appended = event;

  check (appended != NULL, error, what);
}

static void
check_sql (int         rc,
           sqlite3    *db,
           const char *what)
{
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
    return;
  g_printerr ("ql-bench: %s failed: %s\n", what, sqlite3_errmsg (db));
  exit (1);
}

static char *
path_in (Bench      *bench,
         const char *name)
{
  return g_build_filename (bench->dir, name, NULL);
}

static void
remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

static sqlite3 *
raw_open (const char *path,
          gboolean    create)
{
  sqlite3 *db = NULL;

  if (create)
    remove_db (path);
  check_sql (sqlite3_open (path, &db), db, "opening a raw database");
  check_sql (sqlite3_exec (db, raw_settings, NULL, NULL, NULL), db, "raw settings");
  if (create)
    check_sql (sqlite3_exec (db, raw_schema, NULL, NULL, NULL), db, "raw schema");
  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  check_sql (sqlite3_exec (db, sql, NULL, NULL, NULL), db, sql);
}

/* The payload the model writes for a deposit of @amount. */
static void
format_deposit (char   *buffer,
                gsize   size,
                gint64  amount)
{
  g_snprintf (buffer, size, "{\"amount\":%" G_GINT64_FORMAT "}", amount);
}

/* A raw SQLite table of the events' shape, with one prepared INSERT. */
typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *insert;
  gint64        timestamp;
} RawTable;

static void
raw_table_open (RawTable   *raw,
                const char *path)
{
  raw->db = raw_open (path, TRUE);
  raw->timestamp = g_get_real_time ();
  check_sql (sqlite3_prepare_v3 (raw->db, "INSERT INTO events (ledger, version, type, timestamp, payload)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5)", -1, SQLITE_PREPARE_PERSISTENT,
                                 &raw->insert, NULL), raw->db, "raw prepare");
}

static void
raw_table_close (RawTable   *raw,
                 const char *path)
{
  sqlite3_finalize (raw->insert);
  sqlite3_close (raw->db);
  remove_db (path);
}

/* Inserts rows @first to @first + @n - 1 of the size the model writes,
 * @per_transaction rows per transaction (1: autocommit), into @ledger, or
 * when @n_ledgers > 1 round the ledgers as the imported CSV does (so the
 * index sees the same order). Returns the seconds it took. */
static double
raw_table_insert (RawTable   *raw,
                  const char *ledger,
                  guint       n_ledgers,
                  guint       first,
                  guint       n,
                  guint       per_transaction)
{
  char payload[64];
  double start = now_s ();

  for (guint i = first; i < first + n; i++)
    {
      guint row = i - first;

      if (per_transaction > 1 && row % per_transaction == 0)
        raw_exec (raw->db, "BEGIN IMMEDIATE");
      format_deposit (payload, sizeof payload, 100 + i % 1000);
      if (n_ledgers > 1)
        {
          char name[64];

          g_snprintf (name, sizeof name, "%s %u", ledger, i % n_ledgers);
          sqlite3_bind_text (raw->insert, 1, name, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (raw->insert, 2, i / n_ledgers + 1);
        }
      else
        {
          sqlite3_bind_text (raw->insert, 1, ledger, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (raw->insert, 2, i + 1);
        }
      sqlite3_bind_text (raw->insert, 3, QL_EVENT_DEPOSITED, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (raw->insert, 4, raw->timestamp);
      sqlite3_bind_text (raw->insert, 5, payload, -1, SQLITE_TRANSIENT);
      check_sql (sqlite3_step (raw->insert), raw->db, "raw insert");
      sqlite3_reset (raw->insert);
      if (per_transaction > 1 && (row + 1 == n || (row + 1) % per_transaction == 0))
        raw_exec (raw->db, "COMMIT");
    }
  return now_s () - start;
}

/* Raw SQLite: @n rows into a new table, all in one go. Returns rows/s. */
static double
raw_insert_spread (const char *path,
                   const char *ledger,
                   guint       n_ledgers,
                   guint       n,
                   guint       per_transaction)
{
  RawTable raw;
  double elapsed;

  raw_table_open (&raw, path);
  elapsed = raw_table_insert (&raw, ledger, n_ledgers, 0, n, per_transaction);
  raw_table_close (&raw, path);
  return n / elapsed;
}

static double
raw_insert (const char *path,
            const char *ledger,
            guint       n,
            guint       per_transaction)
{
  return raw_insert_spread (path, ledger, 1, n, per_transaction);
}

/* Raw SQLite: scans rows with @sql (one integer parameter), reading every
 * column as the store does. Returns rows/s. */
static double
raw_scan (const char *path,
          const char *sql,
          const char *text_param)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint64 n = 0;
  gint64 sum = 0;
  double start;
  double elapsed;
  int rc;

  check_sql (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), db, "raw open");
  check_sql (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), db, "raw prepare scan");
  if (text_param != NULL)
    sqlite3_bind_text (stmt, 1, text_param, -1, SQLITE_STATIC);

  start = now_s ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int n_columns = sqlite3_column_count (stmt);

      for (int c = 0; c < n_columns; c++)
        {
          if (sqlite3_column_type (stmt, c) == SQLITE_TEXT)
            sum += sqlite3_column_text (stmt, c)[0];
          else
            sum += sqlite3_column_int64 (stmt, c);
        }
      n++;
    }
  elapsed = now_s () - start;
  check_sql (rc, db, "raw scan");
  g_assert (sum != 0);

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n / elapsed;
}

static QlEventStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  QlEventStore *store = ql_sqlite_event_store_new (path, &error);

  check (store != NULL, &error, "opening the store");
  return store;
}

static QlLedgerBook *
open_book (QlEventStore *store)
{
  g_autoptr(GError) error = NULL;
  QlLedgerBook *book = ql_ledger_book_new (store, &error);

  check (book != NULL, &error, "loading the ledger book");
  return book;
}

static gboolean
wanted (Bench      *bench,
        const char *figure)
{
  return bench->only == NULL || g_strv_contains ((const char * const *) bench->only, figure);
}

/* Commands the durable figure runs in turn on each side: both sides share
 * whatever else the machine is doing while the figure runs. */
#define DURABLE_BLOCK 50
/* Commands each side runs before the figure is measured: enough to fill
 * the WAL past its checkpoint, after which it is written over. */
#define DURABLE_WARM_UP 1000

/* Durable append: one deposit per command, each committed on its own,
 * against raw autocommit INSERTs with the same sync setting. */
static void
bench_durable_append (Bench *bench)
{
  g_autoptr(Figure) f = figure_new ("durable_append", "events/s", TRUE);
  g_autofree char *path = path_in (bench, "durable.db");
  g_autofree char *raw_path = path_in (bench, "durable-raw.db");

  f->baseline_what = "raw SQLite, one prepared INSERT per transaction, WAL, synchronous=FULL,"
                     " in turns of " G_STRINGIFY (DURABLE_BLOCK) " with the store";
  f->target_what = "ratio >= 0.9";

  for (guint run = 0; run < bench->runs; run++)
    {
      g_autoptr(QlEventStore) store = NULL;
      g_autoptr(QlLedgerBook) book = NULL;
      g_autoptr(GError) error = NULL;
      double raw_elapsed = 0;
      double elapsed = 0;
      RawTable raw;

      raw_table_open (&raw, raw_path);
      remove_db (path);
      store = open_store (path);
      book = open_book (store);
      check_event (ql_ledger_book_open_account (book, "Current account", NULL, &error), &error,
                   "open");

      /* Unmeasured first: the first pass through a new WAL file also
       * allocates its blocks, which costs one side more than the other
       * depending on where the file system puts them. */
      raw_table_insert (&raw, "Current account", 1, 0, DURABLE_WARM_UP, 1);
      for (guint i = 0; i < DURABLE_WARM_UP; i++)
        check_event (ql_ledger_book_deposit (book, "Current account", "1", &error), &error,
                     "deposit");

      for (guint done = 0; done < bench->n_durable; done += DURABLE_BLOCK)
        {
          guint n = MIN (DURABLE_BLOCK, bench->n_durable - done);
          /* Each side goes first in every other turn. */
          gboolean raw_first = (done / DURABLE_BLOCK) % 2 == 0;
          double start;

          if (raw_first)
            raw_elapsed += raw_table_insert (&raw, "Current account", 1, DURABLE_WARM_UP + done, n, 1);

          start = now_s ();
          for (guint i = done; i < done + n; i++)
            {
              char amount[32];

              g_snprintf (amount, sizeof amount, "%u", 100 + i % 1000);
              check_event (ql_ledger_book_deposit (book, "Current account", amount, &error),
                           &error, "deposit");
            }
          elapsed += now_s () - start;

          if (!raw_first)
            raw_elapsed += raw_table_insert (&raw, "Current account", 1, DURABLE_WARM_UP + done, n, 1);
        }
      add (f->samples, bench->n_durable / elapsed);
      add (f->baseline, bench->n_durable / raw_elapsed);
      raw_table_close (&raw, raw_path);
      g_clear_object (&book);
      g_clear_object (&store);
      remove_db (path);
      say ("durable_append run %u: %.0f events/s, raw %.0f", run + 1,
           g_array_index (f->samples, double, run), g_array_index (f->baseline, double, run));
    }
  figure_print (f);
}

/* One account: AccountOpened, then n - 1 deposits. */
static QlNewEvent *
make_account_events (guint       n,
                     GPtrArray **out_payloads)
{
  QlNewEvent *events = g_new0 (QlNewEvent, n);
  GPtrArray *payloads = g_ptr_array_new_full (n, g_free);

  events[0].type = QL_EVENT_ACCOUNT_OPENED;
  events[0].payload = "{\"currency\":null}";
  for (guint i = 1; i < n; i++)
    {
      char *payload = g_strdup_printf ("{\"amount\":%u}", 100 + i % 1000);

      g_ptr_array_add (payloads, payload);
      events[i].type = QL_EVENT_DEPOSITED;
      events[i].payload = payload;
    }
  *out_payloads = payloads;
  return events;
}

/* Writes the one-ledger database the load and log figures read. */
static void
write_big_ledger (const char *path,
                  guint       n_events)
{
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree QlNewEvent *events = make_account_events (n_events, &payloads);
  QlLedgerAppend append = { "Big account", 0, events, n_events };

  remove_db (path);
  store = open_store (path);
  check (ql_event_store_append_batch (store, &append, 1, NULL, NULL, &error), &error,
         "writing the big ledger");
}

/* Bulk append: one batch of n events through the store, against raw
 * INSERTs of the same rows in one transaction. */
static void
bench_bulk_append (Bench *bench)
{
  g_autoptr(Figure) f = figure_new ("bulk_append", "events/s", TRUE);
  g_autofree char *path = path_in (bench, "bulk.db");
  g_autofree char *raw_path = path_in (bench, "bulk-raw.db");
  g_autoptr(GPtrArray) payloads = NULL;
  g_autofree QlNewEvent *events = make_account_events (bench->n_events, &payloads);

  f->baseline_what = "raw SQLite, one prepared INSERT, all rows in one transaction";
  f->target_what = ">= 500000 events/s and ratio >= 0.7";

  for (guint run = 0; run < bench->runs; run++)
    {
      g_autoptr(QlEventStore) store = NULL;
      g_autoptr(GError) error = NULL;
      QlLedgerAppend append = { "Big account", 0, events, bench->n_events };
      double start;

      add (f->baseline, raw_insert (raw_path, "Big account", bench->n_events, bench->n_events));

      remove_db (path);
      store = open_store (path);
      start = now_s ();
      check (ql_event_store_append_batch (store, &append, 1, NULL, NULL, &error), &error,
             "bulk append");
      add (f->samples, bench->n_events / (now_s () - start));
      g_clear_object (&store);
      remove_db (path);
      say ("bulk_append run %u: %.0f events/s, raw %.0f", run + 1,
           g_array_index (f->samples, double, run), g_array_index (f->baseline, double, run));
    }
  figure_print (f);
}

static void
drop_snapshots (const char *path)
{
  sqlite3 *db = NULL;

  check_sql (sqlite3_open (path, &db), db, "open for dropping snapshots");
  raw_exec (db, "DELETE FROM snapshots");
  sqlite3_close (db);
}

/* Versions time travel goes to, the same in every run. */
#define TIME_TRAVELS 200

/* Time travel on the big ledger, as the history's scale does it: the
 * state at versions all over the ledger, as the cold load left its
 * snapshots. One sample is the median of TIME_TRAVELS calls. */
static void
bench_time_travel (Bench      *bench,
                   const char *big_path,
                   guint       run,
                   Figure     *travel)
{
  g_autoptr(QlEventStore) store = open_store (big_path);
  g_autoptr(QlLedgerBook) book = open_book (store);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) raw_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (run + 1);
  sqlite3 *db = NULL;
  sqlite3_stmt *snapshot = NULL;
  sqlite3_stmt *events = NULL;

  check_sql (sqlite3_open_v2 (big_path, &db, SQLITE_OPEN_READONLY, NULL), db, "raw open");
  check_sql (sqlite3_prepare_v2 (db, "SELECT version, state FROM snapshots WHERE ledger = ?1"
                                 " AND version <= ?2 ORDER BY version DESC LIMIT 1",
                                 -1, &snapshot, NULL), db, "raw prepare");
  check_sql (sqlite3_prepare_v2 (db, "SELECT position, version, type, timestamp, payload"
                                 " FROM events WHERE ledger = ?1 AND version > ?2 - 1000"
                                 " AND version <= ?2 ORDER BY version", -1, &events, NULL),
             db, "raw prepare");

  for (guint i = 0; i < TIME_TRAVELS; i++)
    {
      gint64 version = g_rand_int_range (rand, 1, (gint32) bench->n_events + 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(QlLedger) past = NULL;
      gint64 sum = 0;
      double start;

      start = now_s ();
      past = ql_ledger_book_state_at (book, "Big account", version, &error);
      add (times, (now_s () - start) * 1000);
      check (past != NULL, &error, "time travel");
      g_assert (ql_ledger_get_version (past) == version);

      start = now_s ();
      sqlite3_bind_text (snapshot, 1, "Big account", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (snapshot, 2, version);
      while (sqlite3_step (snapshot) == SQLITE_ROW)
        sum += sqlite3_column_int64 (snapshot, 0);
      sqlite3_reset (snapshot);
      sqlite3_bind_text (events, 1, "Big account", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (events, 2, version);
      while (sqlite3_step (events) == SQLITE_ROW)
        sum += sqlite3_column_text (events, 4)[0];
      sqlite3_reset (events);
      add (raw_times, (now_s () - start) * 1000);
      g_assert (sum != 0);
    }

  sqlite3_finalize (snapshot);
  sqlite3_finalize (events);
  sqlite3_close (db);
  add (travel->samples, median (times));
  add (travel->baseline, median (raw_times));
}

/* Loading the one-ledger database: cold (no snapshot, every event
 * replayed), then from the snapshot the cold load left. */
static void
bench_load (Bench      *bench,
            const char *big_path)
{
  g_autoptr(Figure) cold = figure_new ("replay_cold", "events/s", TRUE);
  g_autoptr(Figure) warm = figure_new ("load_with_snapshot", "ms", FALSE);
  g_autoptr(Figure) travel = figure_new ("time_travel", "ms", FALSE);

  cold->baseline_what = "raw SQLite, the same rows read by (ledger, version)";
  cold->target_what = ">= 2000000 events/s";
  warm->baseline_what = "raw SQLite, open the file and read one row";
  warm->target_what = "< 5 ms";
  travel->baseline_what = "raw SQLite, read the snapshot row and the 1000 events before a version";
  travel->target_what = "< 16 ms (one frame at 60 Hz; the issue sets no number)";

  for (guint run = 0; run < bench->runs; run++)
    {
      double start;

      add (cold->baseline, raw_scan (big_path,
                                     "SELECT position, version, type, timestamp, payload FROM events"
                                     " WHERE ledger = ?1 AND version > 0 ORDER BY version",
                                     "Big account"));

      drop_snapshots (big_path);
      {
        g_autoptr(QlEventStore) store = NULL;
        g_autoptr(QlLedgerBook) book = NULL;
        QlLedger *ledger;

        start = now_s ();
        store = open_store (big_path);
        book = open_book (store);
        add (cold->samples, bench->n_events / (now_s () - start));
        ledger = ql_ledger_book_lookup (book, "Big account");
        g_assert (ledger != NULL && ql_ledger_get_version (ledger) == bench->n_events);
      }

      /* The cold load saved a snapshot of the head. */
      {
        g_autoptr(QlEventStore) store = NULL;
        g_autoptr(QlLedgerBook) book = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;

        start = now_s ();
        check_sql (sqlite3_open_v2 (big_path, &db, SQLITE_OPEN_READONLY, NULL), db, "raw open");
        check_sql (sqlite3_prepare_v2 (db, "SELECT state FROM snapshots ORDER BY version DESC LIMIT 1",
                                       -1, &stmt, NULL), db, "raw prepare");
        check_sql (sqlite3_step (stmt), db, "raw snapshot");
        sqlite3_finalize (stmt);
        sqlite3_close (db);
        add (warm->baseline, (now_s () - start) * 1000);

        start = now_s ();
        store = open_store (big_path);
        book = open_book (store);
        add (warm->samples, (now_s () - start) * 1000);
        g_assert (ql_ledger_get_version (ql_ledger_book_lookup (book, "Big account"))
                  == bench->n_events);
      }
      bench_time_travel (bench, big_path, run, travel);
      say ("load run %u: cold %.0f events/s (raw scan %.0f), with snapshot %.2f ms (raw %.2f)",
           run + 1, g_array_index (cold->samples, double, run),
           g_array_index (cold->baseline, double, run), g_array_index (warm->samples, double, run),
           g_array_index (warm->baseline, double, run));
    }
  figure_print (cold);
  figure_print (warm);
  figure_print (travel);
}

static gboolean
count_event_cb (const QlEventRecord *record,
                gpointer             user_data)
{
  gint64 *sum = user_data;

  *sum += record->position + record->version + record->timestamp + record->ledger[0] +
          record->type[0] + record->payload[0];
  return TRUE;
}

/* Reading the whole notification log: the store's scan, and the book's
 * pages of QlEvent objects that the front-ends show. */
static void
bench_log (Bench      *bench,
           const char *big_path)
{
  g_autoptr(Figure) scan = figure_new ("log_read", "events/s", TRUE);
  g_autoptr(Figure) pages = figure_new ("log_read_pages_of_objects", "events/s", TRUE);

  scan->baseline_what = "raw SQLite, the same rows read by position";
  scan->target_what = ">= 1000000 events/s";
  pages->baseline_what = scan->baseline_what;
  pages->target_what = ">= 1000000 events/s";

  for (guint run = 0; run < bench->runs; run++)
    {
      g_autoptr(QlEventStore) store = open_store (big_path);
      g_autoptr(QlLedgerBook) book = open_book (store);
      g_autoptr(GError) error = NULL;
      double raw = raw_scan (big_path, "SELECT position, ledger, version, type, timestamp, payload"
                             " FROM events WHERE position >= 1 ORDER BY position", NULL);
      gint64 sum = 0;
      gint64 start_position = 1;
      guint64 n = 0;
      double start;

      add (scan->baseline, raw);
      add (pages->baseline, raw);

      start = now_s ();
      check (ql_event_store_read_log (store, 1, 0, count_event_cb, &sum, &error), &error,
             "reading the log");
      add (scan->samples, bench->n_events / (now_s () - start));
      g_assert (sum != 0);

      start = now_s ();
      for (;;)
        {
          g_autoptr(GPtrArray) page = ql_ledger_book_read_log (book, start_position, 1000, &error);

          check (page != NULL, &error, "reading a page of the log");
          if (page->len == 0)
            break;
          n += page->len;
          start_position = ql_event_get_position (g_ptr_array_index (page, page->len - 1)) + 1;
        }
      add (pages->samples, n / (now_s () - start));
      g_assert (n == bench->n_events);
      say ("log run %u: scan %.0f events/s, pages %.0f, raw %.0f", run + 1,
           g_array_index (scan->samples, double, run), g_array_index (pages->samples, double, run),
           raw);
    }
  figure_print (scan);
  figure_print (pages);
}

/* A fortune file of @n entries of two or three lines each. */
static void
write_fortune_file (const char *path,
                    guint       n)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (text, "Quote number %u: the best way to predict the future\n"
                              "is to invent it, said somebody at some point.\n", i);
      if (i % 3 == 0)
        g_string_append (text, "\t\t-- An attribution line\n");
      g_string_append (text, "%\n");
    }
  check (g_file_set_contents (path, text->str, text->len, &error), &error, "writing quotes");
}

static void
bench_quotes (Bench *bench)
{
  g_autoptr(Figure) f = figure_new ("quotes_fortune_10000", "ms", FALSE);
  g_autofree char *path = path_in (bench, "quotes");

  f->baseline_what = "reading the same file into memory with g_file_get_contents()";
  f->target_what = "as fast as possible (no target set)";
  write_fortune_file (path, 10000);

  for (guint run = 0; run < bench->runs; run++)
    {
      g_autoptr(QlQuoteBook) quotes = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      double start;

      start = now_s ();
      check (g_file_get_contents (path, &contents, NULL, &error), &error, "reading quotes");
      add (f->baseline, (now_s () - start) * 1000);

      start = now_s ();
      quotes = ql_quote_book_new_from_file (path, &error);
      check (quotes != NULL, &error, "loading quotes");
      add (f->samples, (now_s () - start) * 1000);
      g_assert (g_list_model_get_n_items (G_LIST_MODEL (quotes)) == 10000);
    }
  figure_print (f);
}

/* The CSV an import reads: @n_ledgers accounts and items, @n_rows rows. */
static void
write_import_csv (const char *path,
                  guint       n_rows,
                  guint       n_ledgers)
{
  g_autoptr(GString) text = g_string_new ("ledger,type,amount\n");
  g_autoptr(GError) error = NULL;
  guint row = 0;

  for (guint l = 0; l < n_ledgers && row < n_rows; l++, row++)
    {
      if (l % 2 == 0)
        g_string_append_printf (text, "Account %u,open,%s\n", l, l % 4 == 0 ? "USD" : "EUR");
      else
        g_string_append_printf (text, "\"Item %u, boxed\",create-item,10\n", l);
    }
  for (guint i = 0; row < n_rows; i++, row++)
    {
      guint l = i % n_ledgers;
      /* Every fifth round takes away what the four before it added to. */
      gboolean take = (i / n_ledgers) % 5 == 4;

      if (l % 2 == 0 && take)
        g_string_append_printf (text, "Account %u,withdraw,0.50\n", l);
      else if (l % 2 == 0)
        g_string_append_printf (text, "Account %u,deposit,%u.%02u\n", l, 1 + i % 50, i % 100);
      else
        g_string_append_printf (text, "\"Item %u, boxed\",%s,%u\n", l,
                                take ? "decrease" : "increase", take ? 1 : 1 + i % 3);
    }
  check (g_file_set_contents (path, text->str, text->len, &error), &error, "writing the CSV");
}

/* Bulk import: the whole CSV file through the model's import, against
 * raw INSERTs of as many rows in one transaction. Leaves the imported
 * database at @db_path for the start-up figures. */
static void
bench_import (Bench      *bench,
              const char *db_path)
{
  g_autoptr(Figure) f = figure_new ("bulk_import_csv", "events/s", TRUE);
  g_autofree char *csv = path_in (bench, "import.csv");
  g_autofree char *raw_path = path_in (bench, "import-raw.db");
  g_autoptr(GFile) file = NULL;

  f->baseline_what = "raw SQLite, one prepared INSERT, all rows in one transaction, ledgers in the CSV's order";
  f->target_what = ">= 500000 events/s and ratio >= 0.7";
  write_import_csv (csv, bench->n_events, bench->n_ledgers);
  file = g_file_new_for_path (csv);

  for (guint run = 0; run < bench->runs; run++)
    {
      g_autoptr(QlEventStore) store = NULL;
      g_autoptr(QlLedgerBook) book = NULL;
      g_autoptr(GError) error = NULL;
      guint64 n_events = 0;
      double start;

      add (f->baseline, raw_insert_spread (raw_path, "Ledger", bench->n_ledgers, bench->n_events,
                                           bench->n_events));

      remove_db (db_path);
      store = open_store (db_path);
      book = open_book (store);
      start = now_s ();
      check (ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, &n_events, &error), &error,
             "importing");
      add (f->samples, n_events / (now_s () - start));
      g_assert (n_events == bench->n_events);
      say ("import run %u: %.0f events/s, raw %.0f", run + 1,
           g_array_index (f->samples, double, run), g_array_index (f->baseline, double, run));
    }
  figure_print (f);
}

/* Starts @argv with a pipe on stdin and stdout; returns the pid. */
static GPid
spawn_piped (char **argv,
             char **envp,
             int   *out_stdin,
             int   *out_stdout)
{
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  check (g_spawn_async_with_pipes (NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                   &pid, out_stdin, out_stdout, NULL, &error), &error, "spawning");
  return pid;
}

/* Milliseconds from spawning @argv until @expected arrives on its stdout. */
static double
time_until_output (char      **argv,
                   char      **envp,
                   const char *expected)
{
  g_autoptr(GString) seen = g_string_new (NULL);
  int in_fd = -1;
  int out_fd = -1;
  double start = now_s ();
  double elapsed = -1;
  GPid pid = spawn_piped (argv, envp, &in_fd, &out_fd);
  int status;

  for (;;)
    {
      char buffer[4096];
      ssize_t n = read (out_fd, buffer, sizeof buffer);

      if (n <= 0)
        break;
      g_string_append_len (seen, buffer, n);
      if (strstr (seen->str, expected) != NULL)
        {
          elapsed = (now_s () - start) * 1000;
          break;
        }
    }

  /* End of input ends the terminal front-end cleanly. */
  close (in_fd);
  close (out_fd);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  if (elapsed < 0)
    {
      g_printerr ("ql-bench: “%s” never printed “%s”; it printed: %s\n", argv[0], expected,
                  seen->str);
      exit (1);
    }
  return elapsed;
}

static char **
bench_environment (Bench *bench)
{
  g_autofree char *data_home = path_in (bench, "xdg-data");
  char **envp = g_get_environ ();

  envp = g_environ_setenv (envp, "XDG_DATA_HOME", data_home, TRUE);
  envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "memory", TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);

  /* A binary in a build tree finds its settings schema beside it. */
  {
    g_autofree char *bin_dir = g_path_get_dirname (bench->binary);
    g_autofree char *schemas = g_build_filename (bin_dir, "..", "data", NULL);
    g_autofree char *compiled = g_build_filename (schemas, "gschemas.compiled", NULL);

    if (g_file_test (compiled, G_FILE_TEST_EXISTS))
      envp = g_environ_setenv (envp, "GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  }
  return envp;
}

/* Terminal start to first prompt on the imported database, against
 * starting the same binary to print its version. */
static void
bench_terminal (Bench      *bench,
                const char *db_path)
{
  g_autoptr(Figure) f = figure_new ("terminal_first_prompt", "ms", FALSE);
  g_auto(GStrv) envp = bench_environment (bench);
  char *argv[] = { bench->binary, (char *) "--tui", (char *) "--db", (char *) db_path, NULL };
  char *version_argv[] = { bench->binary, (char *) "--version", NULL };

  f->baseline_what = "the same binary started with --version (process start, no database)";
  f->target_what = "< 50 ms";

  for (guint run = 0; run < bench->runs; run++)
    {
      add (f->baseline, time_until_output (version_argv, envp, "quote-ledger"));
      add (f->samples, time_until_output (argv, envp, "? "));
      say ("terminal run %u: %.1f ms, --version %.1f ms", run + 1,
           g_array_index (f->samples, double, run), g_array_index (f->baseline, double, run));
    }
  figure_print (f);
}

static gint64
read_peak_rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  if (line == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10);
}

/* GTK window first frame on the imported database: from spawn until the
 * binary reports its first frame painted (QL_REPORT_FIRST_FRAME=1, a line
 * on stderr), and the process's peak RSS a second later. Needs an X
 * display (tools/bench runs Xvfb). */
static void
bench_gtk (Bench      *bench,
           const char *db_path)
{
  g_autoptr(Figure) f = figure_new ("gtk_first_frame", "ms", FALSE);
  g_auto(GStrv) envp = bench_environment (bench);
  char *argv[] = { bench->binary, (char *) "--db", (char *) db_path, NULL };

  f->baseline_what = "none: no raw equivalent";
  f->target_what = "< 1000 ms, peak RSS < 150 MB";
  f->extra_name = "peak_rss_mb";
  envp = g_environ_setenv (envp, "QL_REPORT_FIRST_FRAME", "1", TRUE);

  if (g_getenv ("DISPLAY") == NULL)
    {
      say ("gtk_first_frame skipped: no DISPLAY");
      return;
    }

  for (guint run = 0; run < bench->runs; run++)
    {
      g_autoptr(GString) seen = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      int err_fd = -1;
      double start = now_s ();
      double elapsed = -1;
      GPid pid = 0;
      gint64 peak;
      int status;

      check (g_spawn_async_with_pipes (NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                       &pid, NULL, NULL, &err_fd, &error), &error, "spawning");
      for (;;)
        {
          char buffer[4096];
          ssize_t n = read (err_fd, buffer, sizeof buffer);

          if (n <= 0)
            break;
          g_string_append_len (seen, buffer, n);
          if (strstr (seen->str, "first-frame\n") != NULL)
            {
              elapsed = (now_s () - start) * 1000;
              break;
            }
        }
      g_usleep (G_USEC_PER_SEC);
      peak = read_peak_rss_kib (pid);
      kill (pid, SIGTERM);
      close (err_fd);
      waitpid (pid, &status, 0);
      g_spawn_close_pid (pid);
      if (elapsed < 0)
        {
          g_printerr ("ql-bench: the GTK window never painted; it printed: %s\n", seen->str);
          exit (1);
        }
      add (f->samples, elapsed);
      add (f->extra, peak / 1024.0);
      say ("gtk run %u: first frame %.0f ms, peak RSS %.1f MB", run + 1, elapsed, peak / 1024.0);
    }
  figure_print (f);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *only = NULL;
  g_autofree char *big_path = NULL;
  g_autofree char *imported_path = NULL;
  gboolean keep = FALSE;
  gboolean reuse = FALSE;
  int runs = 5;
  int n_events = 1000000;
  int n_durable = 1000;
  int n_ledgers = 1000;
  Bench bench = { 0 };
  const GOptionEntry entries[] = {
    { "binary", 'b', 0, G_OPTION_ARG_FILENAME, &bench.binary,
      "The quote-ledger binary for the start-up figures", "PATH" },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir,
      "Where to write the databases (default: a new temporary folder)", "DIR" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Samples per figure (default 5)", "N" },
    { "events", 'n', 0, G_OPTION_ARG_INT, &n_events,
      "Events in the large databases (default 1000000)", "N" },
    { "durable", 0, 0, G_OPTION_ARG_INT, &n_durable,
      "Commands per durable-append sample (default 1000)", "N" },
    { "ledgers", 0, 0, G_OPTION_ARG_INT, &n_ledgers,
      "Ledgers in the imported database (default 1000)", "N" },
    { "only", 'o', 0, G_OPTION_ARG_STRING, &only,
      "Comma-separated groups to run: durable,bulk,load,log,quotes,import,terminal,gtk", "LIST" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the databases afterwards", NULL },
    { "reuse", 0, 0, G_OPTION_ARG_NONE, &reuse,
      "Start-up figures only: use the imported database a --keep run left in --dir", NULL },
    { NULL }
  };

  context = g_option_context_new ("- measure Quote Ledger against raw SQLite");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ql-bench: %s\n", error->message);
      return 2;
    }
  if (runs < 1 || n_events < 2 || n_durable < 1 || n_ledgers < 1 || n_ledgers > n_events)
    {
      g_printerr ("ql-bench: --runs, --events, --durable and --ledgers must be positive\n");
      return 2;
    }

  bench.runs = runs;
  bench.n_events = n_events;
  bench.n_durable = n_durable;
  bench.n_ledgers = n_ledgers;
  bench.only = only != NULL ? g_strsplit (only, ",", -1) : NULL;
  if (dir != NULL)
    {
      g_mkdir_with_parents (dir, 0700);
      bench.dir = g_strdup (dir);
    }
  else
    {
      bench.dir = g_dir_make_tmp ("ql-bench-XXXXXX", &error);
      check (bench.dir != NULL, &error, "making a folder");
    }
  big_path = path_in (&bench, "big.db");
  imported_path = path_in (&bench, "imported.db");

  say ("ql-bench: %u runs, %u events, in %s", bench.runs, bench.n_events, bench.dir);

  if (wanted (&bench, "durable"))
    bench_durable_append (&bench);
  if (wanted (&bench, "bulk"))
    bench_bulk_append (&bench);
  if (wanted (&bench, "load") || wanted (&bench, "log"))
    write_big_ledger (big_path, bench.n_events);
  if (wanted (&bench, "load"))
    bench_load (&bench, big_path);
  if (wanted (&bench, "log"))
    bench_log (&bench, big_path);
  if (wanted (&bench, "quotes"))
    bench_quotes (&bench);
  if (wanted (&bench, "import") || wanted (&bench, "terminal") || wanted (&bench, "gtk"))
    {
      guint saved_runs = bench.runs;

      /* The start-up figures need the imported database: import once. */
      if (!wanted (&bench, "import"))
        bench.runs = 1;
      if (wanted (&bench, "import") || !reuse || !g_file_test (imported_path, G_FILE_TEST_EXISTS))
        bench_import (&bench, imported_path);
      bench.runs = saved_runs;
    }
  if (wanted (&bench, "terminal") && bench.binary != NULL)
    bench_terminal (&bench, imported_path);
  if (wanted (&bench, "gtk") && bench.binary != NULL)
    bench_gtk (&bench, imported_path);

  if (!keep)
    {
      g_autofree char *quotes = path_in (&bench, "quotes");
      g_autofree char *csv = path_in (&bench, "import.csv");
      g_autofree char *data_home = path_in (&bench, "xdg-data");

      remove_db (big_path);
      remove_db (imported_path);
      g_unlink (quotes);
      g_unlink (csv);
      g_rmdir (data_home);
      if (dir == NULL)
        g_rmdir (bench.dir);
    }

  g_strfreev (bench.only);
  g_free (bench.dir);
  g_free (bench.binary);
  return 0;
}
