/* ql-bench-projections.c: how fast the read side builds and follows
 *
 * Writes 1,000,000 dated changes over 1,000 ledgers, then measures
 * building the daily balance model from them (events per second, from an
 * SQLite file and from the memory store) and following the log: one event
 * appended, then counted and committed, and the same for a burst of 100
 * events (milliseconds per event); then the same follows with every read
 * model the views read (daily balance, monthly totals, payments, low
 * stock), over deposits, item decreases and thresholds. Each follow is
 * also measured in the CPU time of the thread that follows, which other
 * programs on a shared machine do not stretch. Prints one JSON object
 * per figure: the median of --runs runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <time.h>

#include "ql-daily-balance-projection.h"
#include "ql-ledger-events.h"
#include "ql-memory-event-store.h"
#include "ql-projection-runner.h"
#include "ql-sqlite-event-store.h"

static void
check (gboolean     ok,
       GError     **error,
       const char  *what)
{
  if (ok)
    return;
  g_printerr ("ql-bench-projections: %s: %s\n", what,
              error != NULL && *error != NULL ? (*error)->message : "failed");
  exit (1);
}

/* The CPU time the calling thread has used, in microseconds. */
static gint64
thread_cpu_time (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, compare_doubles);
  return g_array_index (samples, double, samples->len / 2);
}

/* Every ledger opened, then its share of the changes, on days of 2026. */
static void
fill (QlEventStore *store,
      guint         n_ledgers,
      guint         n_events)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  guint per_ledger = n_events / n_ledgers;
  g_autofree QlNewEvent *events = g_new0 (QlNewEvent, (gsize) n_ledgers * per_ledger);
  g_autofree QlLedgerAppend *appends = g_new0 (QlLedgerAppend, n_ledgers);

  for (guint l = 0; l < n_ledgers; l++)
    {
      QlNewEvent *mine = events + (gsize) l * per_ledger;

      g_ptr_array_add (names, g_strdup_printf ("ledger %04u", l));
      mine[0].type = QL_EVENT_ACCOUNT_OPENED;
      mine[0].payload = "{\"currency\":null}";
      for (guint i = 1; i < per_ledger; i++)
        {
          GDate day;
          char *payload;

          g_date_clear (&day, 1);
          g_date_set_dmy (&day, 1, G_DATE_JANUARY, 2026);
          g_date_add_days (&day, (i * 365u) / per_ledger);
          payload = g_strdup_printf ("{\"amount\":%u,\"date\":\"%04u-%02u-%02u\"}",
                                     100 + (i * 7919u) % 1000, (guint) g_date_get_year (&day),
                                     (guint) g_date_get_month (&day),
                                     (guint) g_date_get_day (&day));
          g_ptr_array_add (payloads, payload);
          mine[i].type = QL_EVENT_DEPOSITED;
          mine[i].payload = payload;
        }
      appends[l].ledger = g_ptr_array_index (names, l);
      appends[l].events = mine;
      appends[l].n_events = per_ledger;
    }
  check (ql_event_store_append_batch (store, appends, n_ledgers, NULL, NULL, &error), &error,
         "writing the events");
}

static double
build_once (QlEventStore *store,
            gint64        n_events)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new (store);
  g_autoptr(QlProjection) daily = ql_daily_balance_projection_new ();
  gint64 start;

  ql_projection_runner_add (runner, daily);
  check (ql_read_model_store_reset (QL_READ_MODEL_STORE (store), "daily_balance",
                                    QL_READ_SLOT_LIVE, &error), &error, "dropping the model");
  start = g_get_monotonic_time ();
  check (ql_projection_runner_catch_up (runner, &error), &error, "building the model");
  return n_events / ((g_get_monotonic_time () - start) / 1e6);
}

/* @burst appends, then the runner counts them and commits: the cost a
 * view's follower pays per event, commit included; *@out_cpu is the same
 * in CPU time. */
static double
follow_once (QlEventStore *store,
             guint         n_follows,
             guint         burst,
             double       *out_cpu)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new (store);
  g_autoptr(QlProjection) daily = ql_daily_balance_projection_new ();
  g_autoptr(GPtrArray) heads = ql_event_store_list_ledgers (store, &error);
  QlLedgerHead *head;
  gint64 version, elapsed = 0, cpu = 0;

  check (heads != NULL && heads->len > 0, &error, "listing the ledgers");
  head = g_ptr_array_index (heads, 0);
  version = head->version;
  ql_projection_runner_add (runner, daily);
  check (ql_projection_runner_catch_up (runner, &error), &error, "catching up");
  for (guint i = 0; i < n_follows; i++)
    {
      QlNewEvent event = { QL_EVENT_DEPOSITED, "{\"amount\":5,\"date\":\"2026-12-31\"}", NULL };
      gint64 start, cpu_start;

      for (guint j = 0; j < burst; j++)
        check (ql_event_store_append (store, head->ledger, version++, &event, 1, NULL, &error),
               &error, "appending");
      start = g_get_monotonic_time ();
      cpu_start = thread_cpu_time ();
      check (ql_projection_runner_catch_up (runner, &error), &error, "following");
      cpu += thread_cpu_time () - cpu_start;
      elapsed += g_get_monotonic_time () - start;
    }
  *out_cpu = cpu / 1e3 / n_follows / burst;
  return elapsed / 1e3 / n_follows / burst;
}

#define ITEM "item 0000"

static gint64
head_version (QlEventStore *store,
              const char   *ledger)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) heads = ql_event_store_list_ledgers (store, &error);

  check (heads != NULL, &error, "listing the ledgers");
  for (guint i = 0; i < heads->len; i++)
    {
      QlLedgerHead *head = g_ptr_array_index (heads, i);

      if (g_strcmp0 (head->ledger, ledger) == 0)
        return head->version;
    }
  return 0;
}

/* As follow_once(), with every projection of the default runner, over a
 * mix of the events they count: a deposit, an item's decrease, and every
 * tenth event a new threshold for the item. */
static double
follow_all_once (QlEventStore *store,
                 guint         n_follows,
                 guint         burst,
                 double       *out_cpu)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  const char *account = "ledger 0000";
  gint64 account_version = head_version (store, account);
  gint64 item_version = head_version (store, ITEM);
  gint64 elapsed = 0, cpu = 0;
  guint n = 0;

  check (ql_projection_runner_catch_up (runner, &error), &error, "catching up");
  for (guint i = 0; i < n_follows; i++)
    {
      gint64 start, cpu_start;

      for (guint j = 0; j < burst; j++, n++)
        {
          g_autofree char *threshold = g_strdup_printf ("{\"threshold\":%u}", 10 + n % 7);
          QlNewEvent deposit = { QL_EVENT_DEPOSITED, "{\"amount\":5,\"date\":\"2026-12-31\"}", NULL };
          QlNewEvent decrease = { QL_EVENT_QUANTITY_DECREASED,
                                  "{\"amount\":1,\"date\":\"2026-12-31\"}", NULL };
          QlNewEvent set = { QL_EVENT_THRESHOLD_SET, threshold, NULL };

          if (n % 10 == 9)
            check (ql_event_store_append (store, ITEM, item_version++, &set, 1, NULL, &error),
                   &error, "appending");
          else if (n % 2 == 0)
            check (ql_event_store_append (store, account, account_version++, &deposit, 1, NULL,
                                          &error), &error, "appending");
          else
            check (ql_event_store_append (store, ITEM, item_version++, &decrease, 1, NULL,
                                          &error), &error, "appending");
        }
      start = g_get_monotonic_time ();
      cpu_start = thread_cpu_time ();
      check (ql_projection_runner_catch_up (runner, &error), &error, "following");
      cpu += thread_cpu_time () - cpu_start;
      elapsed += g_get_monotonic_time () - start;
    }
  *out_cpu = cpu / 1e3 / n_follows / burst;
  return elapsed / 1e3 / n_follows / burst;
}

static void
print_figure (const char *figure,
              const char *unit,
              GArray     *samples)
{
  g_print ("{\"figure\":\"%s\",\"unit\":\"%s\",\"median\":%.6g,\"runs\":%u}\n", figure, unit,
           median (samples), samples->len);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(QlEventStore) sqlite = NULL;
  g_autoptr(QlEventStore) memory = ql_memory_event_store_new ();
  g_autoptr(GArray) from_file = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) from_memory = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) following = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) following_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bursts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) following_all = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) following_all_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bursts_all = g_array_new (FALSE, FALSE, sizeof (double));
  QlNewEvent item = { QL_EVENT_ITEM_CREATED, "{\"name\":\"" ITEM "\",\"quantity\":1000000}", NULL };
  int runs = 3, n_events = 1000000, n_ledgers = 1000;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each figure (3)", "N" },
    { "events", 0, 0, G_OPTION_ARG_INT, &n_events, "Events to build from (1000000)", "N" },
    { "ledgers", 0, 0, G_OPTION_ARG_INT, &n_ledgers, "Ledgers they are spread over (1000)", "N" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  check (g_option_context_parse (context, &argc, &argv, &error), &error, "options");
  check (runs > 0 && n_ledgers > 0 && n_events >= 2 * n_ledgers, NULL,
         "--runs, --events and --ledgers must be positive, with two events a ledger");

  dir = g_dir_make_tmp ("ql-bench-projections-XXXXXX", &error);
  check (dir != NULL, &error, "making a folder");
  path = g_build_filename (dir, "bench.db", NULL);
  sqlite = ql_sqlite_event_store_new (path, &error);
  check (sqlite != NULL, &error, "opening the store");
  fill (sqlite, n_ledgers, n_events);
  fill (memory, n_ledgers, n_events);
  /* The item the low-stock model follows, after the build's events. */
  check (ql_event_store_append (sqlite, ITEM, 0, &item, 1, NULL, &error), &error,
         "creating the item");
  n_events = (n_events / n_ledgers) * n_ledgers;

  for (int i = 0; i < runs; i++)
    {
      double value = build_once (sqlite, n_events);
      double cpu;

      g_array_append_val (from_file, value);
      value = build_once (memory, n_events);
      g_array_append_val (from_memory, value);
      value = follow_once (sqlite, 200, 1, &cpu);
      g_array_append_val (following, value);
      g_array_append_val (following_cpu, cpu);
      value = follow_once (sqlite, 20, 100, &cpu);
      g_array_append_val (bursts, value);
      value = follow_all_once (sqlite, 200, 1, &cpu);
      g_array_append_val (following_all, value);
      g_array_append_val (following_all_cpu, cpu);
      value = follow_all_once (sqlite, 20, 100, &cpu);
      g_array_append_val (bursts_all, value);
    }
  print_figure ("daily-build-sqlite", "events/s", from_file);
  print_figure ("daily-build-memory", "events/s", from_memory);
  print_figure ("daily-follow-sqlite", "ms/event", following);
  print_figure ("daily-follow-sqlite-cpu", "CPU ms/event", following_cpu);
  print_figure ("daily-follow-burst-sqlite", "ms/event", bursts);
  print_figure ("all-follow-sqlite", "ms/event", following_all);
  print_figure ("all-follow-sqlite-cpu", "CPU ms/event", following_all_cpu);
  print_figure ("all-follow-burst-sqlite", "ms/event", bursts_all);

  g_clear_object (&sqlite);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (path, i == 0 ? "" : i == 1 ? "-wal" : "-shm", NULL);

      g_remove (file);
    }
  g_rmdir (dir);
  return 0;
}
