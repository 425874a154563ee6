/* ql-bench-store.c: the store's figures on any database --db names, and
 * raw libpq doing the same rows on a PostgreSQL database, in one run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   ql-bench-store --db LOCATION [--raw-postgres CONNINFO] [--durable N]
 *                  [--events N] [--follow N]
 *
 * Prints one JSON object per figure, one sample each; bench/bench-stores.py
 * runs it several times on fresh databases and takes the medians.
 */
#define G_LOG_DOMAIN "ql-bench-store"

#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "ql-event-store.h"
#include "ql-ledger-book.h"
#include "ql-store.h"

#define LEDGER "Current account"

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
check (gboolean     ok,
       GError     **error,
       const char  *what)
{
  if (ok)
    return;
  g_printerr ("ql-bench-store: %s: %s\n", what,
              error != NULL && *error != NULL ? (*error)->message : "failed");
  exit (1);
}

static void
print_figure (const char *figure,
              double      value,
              const char *unit,
              const char *side)
{
  g_print ("{\"figure\": \"%s\", \"side\": \"%s\", \"value\": %.3f, \"unit\": \"%s\"}\n",
           figure, side, value, unit);
}

/* Commands each side runs in turn: both share whatever else the machine
 * is doing meanwhile. */
#define DURABLE_BLOCK 50

static void raw_insert (PGconn *conn, guint position, const char *payload);

/* Durable append: one deposit per command, each committed on its own,
 * in turns with raw single-row commits when @raw is given. */
static void
bench_durable (QlLedgerBook *book,
               PGconn       *raw,
               guint         n,
               const char   *side)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) first = NULL;
  g_autofree char *payload = NULL;
  double elapsed = 0, raw_elapsed = 0;

  /* Raw rows carry the payload the book writes for the same deposit:
   * the same bytes to log, check and index. */
  first = ql_ledger_book_deposit (book, LEDGER, "1", &error);
  check (first != NULL, &error, "deposit");
  payload = g_strdup (ql_event_get_payload (first));

  for (guint done = 0; done < n; done += DURABLE_BLOCK)
    {
      guint block = MIN (DURABLE_BLOCK, n - done);
      gboolean raw_first = (done / DURABLE_BLOCK) % 2 == 0;
      double start;

      for (guint turn = 0; turn < 2; turn++)
        {
          gboolean raw_turn = raw != NULL && (turn == 0) == raw_first;

          if (raw == NULL && turn == 1)
            break;
          start = now_s ();
          if (raw_turn)
            {
              for (guint i = done; i < done + block; i++)
                raw_insert (raw, i + 1, payload);
              raw_elapsed += now_s () - start;
              continue;
            }
          for (guint i = 0; i < block; i++)
            {
              g_autoptr(QlEvent) event = ql_ledger_book_deposit (book, LEDGER, "1", &error);

              check (event != NULL, &error, "deposit");
            }
          elapsed += now_s () - start;
        }
    }
  print_figure ("durable_append", n / elapsed, "events/s", side);
  if (raw != NULL)
    print_figure ("durable_append", n / raw_elapsed, "rows/s", "raw libpq");
}

/* Bulk import: @n deposits to a ledger of their own in one batch. */
static void
bench_bulk (QlEventStore *store,
            guint         n,
            const char   *side)
{
  g_autoptr(GError) error = NULL;
  g_autofree QlNewEvent *events = g_new0 (QlNewEvent, n);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  QlLedgerAppend append = { "Big", 0, events, n, NULL };
  double start;

  events[0] = (QlNewEvent) { "AccountOpened", "{}", NULL };
  for (guint i = 1; i < n; i++)
    {
      char *payload = g_strdup_printf ("{\"amount\":%u}", 100 + i % 1000);

      g_ptr_array_add (payloads, payload);
      events[i] = (QlNewEvent) { "Deposited", payload, NULL };
    }
  start = now_s ();
  check (ql_event_store_append_batch (store, &append, 1, NULL, NULL, &error), &error, "batch");
  print_figure ("bulk_import", n / (now_s () - start), "events/s", side);
}

static gboolean
count_cb (const QlEventRecord *record,
          gpointer             user_data)
{
  guint64 *count = user_data;

  (*count)++;
  return TRUE;
}

/* The first read of the imported ledger, then replay: a new book on a new
 * connection loads it (with no snapshot yet), then the whole log is read.
 * PostgreSQL's first reader of freshly copied rows also sets their hint
 * bits, writing every page once; that is the first figure, not replay's. */
static void
bench_replay_and_log (const char *location,
                      guint       n,
                      const char *side)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEventStore) store = ql_store_open (location, &error);
  g_autoptr(QlLedgerBook) book = NULL;
  guint64 count = 0;
  double start;

  check (store != NULL, &error, "opening the store again");
  start = now_s ();
  check (ql_event_store_read_ledger (store, "Big", 0, 0, count_cb, &count, &error), &error,
         "first read");
  print_figure ("first_read", count / (now_s () - start), "events/s", side);

  count = 0;
  start = now_s ();
  book = ql_ledger_book_new (store, &error);
  check (book != NULL && ql_ledger_book_lookup (book, "Big") != NULL, &error, "replay");
  print_figure ("replay", n / (now_s () - start), "events/s", side);

  start = now_s ();
  check (ql_event_store_read_log (store, 1, 0, count_cb, &count, &error), &error, "log");
  print_figure ("log_read", count / (now_s () - start), "events/s", side);
}

typedef struct
{
  GMainLoop *loop;
  gint64     target;
  QlLedger  *ledger;
} Follow;

static void
changed_cb (QlLedgerBook *book,
            gpointer      user_data)
{
  Follow *follow = user_data;

  if (follow->ledger == NULL)
    follow->ledger = ql_ledger_book_lookup (book, LEDGER);
  if (follow->ledger != NULL && ql_ledger_get_version (follow->ledger) >= follow->target)
    g_main_loop_quit (follow->loop);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Follow latency: from the start of a deposit on one connection to the
 * follower's book, on another, having it; as a window follows. */
static void
bench_follow (const char   *location,
              QlLedgerBook *writer,
              guint         n,
              guint         watch_ms,
              const char   *side)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEventStore) store = ql_store_open (location, &error);
  g_autoptr(QlLedgerBook) follower = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  Follow follow = { loop, 0, NULL };

  check (store != NULL, &error, "opening the follower's store");
  follower = ql_ledger_book_new (store, &error);
  check (follower != NULL, &error, "the follower's book");
  follow.ledger = ql_ledger_book_lookup (follower, LEDGER);
  g_signal_connect (follower, "changed", G_CALLBACK (changed_cb), &follow);
  ql_ledger_book_watch (follower, watch_ms);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QlEvent) event = NULL;
      double start = now_s ();
      double latency;

      event = ql_ledger_book_deposit (writer, LEDGER, "1", &error);
      check (event != NULL, &error, "deposit");
      follow.target = ql_event_get_version (event);
      if (follow.ledger == NULL || ql_ledger_get_version (follow.ledger) < follow.target)
        g_main_loop_run (loop);
      latency = (now_s () - start) * 1000;
      g_array_append_val (latencies, latency);
    }
  ql_ledger_book_watch (follower, 0);

  g_array_sort (latencies, compare_doubles);
  print_figure ("follow_latency_p99",
                g_array_index (latencies, double, MIN (n - 1, (guint) (n * 0.99))), "ms", side);
}

/* ---- Raw libpq ---------------------------------------------------------- */

static void
raw_check (PGresult       *result,
           ExecStatusType  expected,
           PGconn         *conn,
           const char     *what)
{
  if (PQresultStatus (result) != expected)
    {
      g_printerr ("ql-bench-store: raw %s: %s", what, PQerrorMessage (conn));
      exit (1);
    }
  PQclear (result);
}

static void
raw_insert (PGconn     *conn,
            guint       position,
            const char *payload)
{
  char number[24], time_us[24];
  g_autofree char *token = g_uuid_string_random ();
  const char *values[] = { number, LEDGER, number, "Deposited", time_us, payload, token };

  g_snprintf (number, sizeof number, "%u", position);
  g_snprintf (time_us, sizeof time_us, "%" G_GINT64_FORMAT, g_get_real_time ());
  raw_check (PQexecPrepared (conn, "insert", 7, values, NULL, NULL, 0), PGRES_COMMAND_OK,
             conn, "insert");
}

/* A table defined as the store's is (ql-postgres-schema.c): the same
 * columns (the append's token too), keys, checks, partial index and the
 * triggers that refuse changes, for the same rows: single-row commits, COPY, and reading them
 * back. A CHECK costs each INSERT its expression's set-up, so a table
 * without them would be a cheaper baseline than the store can be. */
static PGconn *
raw_open (const char *conninfo)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_printerr ("ql-bench-store: raw: %s", PQerrorMessage (conn));
      exit (1);
    }
  raw_check (PQexec (conn, "CREATE TABLE raw_events ("
                     " position bigint PRIMARY KEY CHECK (position > 0),"
                     " ledger text COLLATE \"C\" NOT NULL,"
                     " version bigint NOT NULL CHECK (version > 0),"
                     " type text NOT NULL,"
                     " time_us bigint NOT NULL,"
                     " payload text NOT NULL,"
                     " reference text,"
                     " UNIQUE (ledger, version),"
                     " token uuid);"
                     "CREATE INDEX raw_events_references ON raw_events (ledger, reference)"
                     " WHERE reference IS NOT NULL;"
                     "CREATE FUNCTION raw_refuse_change () RETURNS trigger LANGUAGE plpgsql AS $$"
                     " BEGIN RAISE EXCEPTION 'refused'; END $$;"
                     "CREATE TRIGGER raw_events_immutable BEFORE UPDATE OR DELETE ON raw_events"
                     " FOR EACH ROW EXECUTE FUNCTION raw_refuse_change ();"
                     "CREATE TRIGGER raw_events_not_truncated BEFORE TRUNCATE ON raw_events"
                     " FOR EACH STATEMENT EXECUTE FUNCTION raw_refuse_change ()"),
             PGRES_COMMAND_OK, conn, "create");
  raw_check (PQprepare (conn, "insert", "INSERT INTO raw_events VALUES ($1, $2, $3, $4, $5, $6,"
                        " NULL, $7)", 7, NULL), PGRES_COMMAND_OK, conn, "prepare");
  return conn;
}

static void
bench_raw_bulk_and_read (PGconn *conn,
                         guint   n_durable,
                         guint   n_events)
{
  g_autoptr(GString) data = g_string_new (NULL);
  PGresult *result;
  double start;
  guint64 count = 0;

  for (guint i = 1; i <= n_events; i++)
    g_string_append_printf (data, "%u\tBig\t%u\tDeposited\t%" G_GINT64_FORMAT
                            "\t{\"amount\":%u}\t\\N\t\\N\n",
                            n_durable + i, i, g_get_real_time (), 100 + i % 1000);
  start = now_s ();
  raw_check (PQexec (conn, "BEGIN"), PGRES_COMMAND_OK, conn, "begin");
  raw_check (PQexec (conn, "COPY raw_events FROM STDIN"), PGRES_COPY_IN, conn, "copy");
  if (PQputCopyData (conn, data->str, data->len) != 1 || PQputCopyEnd (conn, NULL) != 1)
    raw_check (NULL, PGRES_COMMAND_OK, conn, "copy data");
  raw_check (PQgetResult (conn), PGRES_COMMAND_OK, conn, "copy end");
  raw_check (PQexec (conn, "COMMIT"), PGRES_COMMAND_OK, conn, "commit");
  print_figure ("bulk_import", n_events / (now_s () - start), "rows/s", "raw libpq COPY");

  /* Read back as the store's scans do: pages of rows in position order. */
  start = now_s ();
  for (guint64 from = 0;; from += 1000)
    {
      char from_text[24];
      const char *values[] = { from_text };
      int rows;

      g_snprintf (from_text, sizeof from_text, "%" G_GUINT64_FORMAT, from);
      result = PQexecParams (conn, "SELECT position, version, type, time_us, payload, ledger"
                             " FROM raw_events WHERE position > $1 ORDER BY position LIMIT 1000",
                             1, NULL, values, NULL, NULL, 0);
      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        raw_check (result, PGRES_TUPLES_OK, conn, "select");
      rows = PQntuples (result);
      for (int r = 0; r < rows; r++)
        count += PQgetvalue (result, r, 4)[0] == '{';
      PQclear (result);
      if (rows < 1000)
        break;
    }
  print_figure ("log_read", count / (now_s () - start), "rows/s", "raw libpq SELECT");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- store figures");
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlEvent) opened = NULL;
  g_autofree char *location = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *side = NULL;
  PGconn *raw_conn = NULL;
  int n_durable = 1000, n_events = 200000, n_follow = 200, watch_ms = 500;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &location, "The database, as --db takes it", "DB" },
    { "side", 0, 0, G_OPTION_ARG_STRING, &side, "What the figures are named after", "NAME" },
    { "raw-postgres", 0, 0, G_OPTION_ARG_STRING, &raw,
      "A PostgreSQL database for the raw libpq figures", "CONNINFO" },
    { "durable", 0, 0, G_OPTION_ARG_INT, &n_durable, "Commands committed one by one", "N" },
    { "events", 0, 0, G_OPTION_ARG_INT, &n_events, "Events of the bulk import", "N" },
    { "follow", 0, 0, G_OPTION_ARG_INT, &n_follow, "Deposits the follower waits for", "N" },
    { "watch-ms", 0, 0, G_OPTION_ARG_INT, &watch_ms,
      "The follower's timer where the store does not notify", "MS" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || location == NULL ||
      n_durable < 1 || n_events < 2 || n_follow < 1 || watch_ms < 1)
    {
      g_printerr ("ql-bench-store: %s\n", error != NULL ? error->message : "--db is needed");
      return 2;
    }
  if (side == NULL)
    side = g_strdup (location);

  store = ql_store_open (location, &error);
  check (store != NULL, &error, "opening the store");
  book = ql_ledger_book_new (store, &error);
  check (book != NULL, &error, "the book");
  opened = ql_ledger_book_open_account (book, LEDGER, NULL, &error);
  check (opened != NULL, &error, "open");

  if (raw != NULL)
    raw_conn = raw_open (raw);
  bench_durable (book, raw_conn, n_durable, side);
  bench_bulk (store, n_events, side);
  bench_replay_and_log (location, n_events, side);
  bench_follow (location, book, n_follow, watch_ms, side);
  if (raw_conn != NULL)
    {
      bench_raw_bulk_and_read (raw_conn, n_durable, n_events);
      PQfinish (raw_conn);
    }
  return 0;
}
