/* ql-bench-chart.c: from a million events to the balance chart on screen
 *
 * Writes one ledger of 1,000,000 dated changes, spread over --days days,
 * into a temporary SQLite file; builds its daily balance model (events
 * per second); reads the model back (milliseconds); then shows a window
 * with the balance chart of those days and times it from handing the
 * chart its days to the first frame the window's clock has painted
 * (milliseconds), drawn by the renderer the window picks on this machine
 * (cairo without a GPU), and the chart's own share of a frame: handed the days
 * again and drawn into a render node (milliseconds, the median of 21).
 * Prints one JSON object per figure. Needs a display:
 * run it under xvfb-run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "ql-balance-chart.h"
#include "ql-daily-balance-projection.h"
#include "ql-ledger-events.h"
#include "ql-projection-runner.h"
#include "ql-renderer-choice.h"
#include "ql-sqlite-event-store.h"

#define LEDGER "Savings"

typedef struct
{
  GMainLoop *loop;
  gint64     start;
  double     first_frame_ms;
  gulong     handler;
} Frame;

static void
check (gboolean     ok,
       GError     **error,
       const char  *what)
{
  if (ok)
    return;
  g_printerr ("ql-bench-chart: %s: %s\n", what,
              error != NULL && *error != NULL ? (*error)->message : "failed");
  exit (1);
}

/* The account opened, then deposits with every fifth change a smaller
 * withdrawal, so the balance climbs and dips, written in batches. */
static void
fill (QlEventStore *store,
      guint         n_events,
      guint         n_days)
{
  const guint batch = 50000;
  g_autoptr(GError) error = NULL;
  GDate first;
  guint written = 0;

  g_date_clear (&first, 1);
  g_date_set_dmy (&first, 1, G_DATE_JANUARY, 2026);
  g_date_subtract_days (&first, n_days - 1);
  while (written < n_events)
    {
      guint n = MIN (batch, n_events - written);
      g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
      g_autofree QlNewEvent *events = g_new0 (QlNewEvent, n);
      QlLedgerAppend append = { LEDGER, written, events, n, NULL };

      for (guint i = 0; i < n; i++)
        {
          guint index = written + i;
          gboolean withdrawal = index % 5 == 4;
          GDate day = first;
          char *payload;

          if (index == 0)
            {
              events[i].type = QL_EVENT_ACCOUNT_OPENED;
              events[i].payload = "{\"currency\":\"EUR\"}";
              continue;
            }
          g_date_add_days (&day, (guint) (((guint64) index * n_days) / n_events));
          payload = g_strdup_printf ("{\"amount\":%u,\"date\":\"%04u-%02u-%02u\"}",
                                     withdrawal ? 100 + (index * 7919u) % 1500
                                                : 100 + (index * 104729u) % 1000,
                                     (guint) g_date_get_year (&day),
                                     (guint) g_date_get_month (&day),
                                     (guint) g_date_get_day (&day));
          g_ptr_array_add (payloads, payload);
          events[i].type = withdrawal ? QL_EVENT_WITHDRAWN : QL_EVENT_DEPOSITED;
          events[i].payload = payload;
        }
      check (ql_event_store_append_batch (store, &append, 1, NULL, NULL, &error), &error,
             "writing the events");
      written += n;
    }
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   Frame         *frame)
{
  frame->first_frame_ms = (g_get_monotonic_time () - frame->start) / 1e3;
  g_clear_signal_handler (&frame->handler, clock);
  g_main_loop_quit (frame->loop);
}

static void
on_realize_cb (GtkWidget *window,
               Frame     *frame)
{
  frame->handler = g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                                     G_CALLBACK (on_after_paint_cb), frame);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The chart's own part of a frame, apart from the window's: handed its
 * days again and drawn into a render node, the median of 21 times. */
static double
time_redraws (GtkWidget *chart,
              GArray    *days,
              gint64     opening)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < 21; i++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      ql_balance_chart_set_balances (QL_BALANCE_CHART (chart),
                                     (const QlDailyBalance *) (gpointer) days->data, days->len,
                                     opening, 2, "EUR");
      gtk_widget_snapshot_child (gtk_widget_get_parent (chart), chart, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        check (FALSE, NULL, "drawing the chart");
      ms = (g_get_monotonic_time () - start) / 1e3;
      g_array_append_val (samples, ms);
    }
  g_array_sort (samples, compare_doubles);
  return g_array_index (samples, double, samples->len / 2);
}

static void
load_style (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/io/github/quoteledger/QuoteLedger/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlProjectionRunner) runner = NULL;
  g_autoptr(QlProjection) daily = NULL;
  g_autoptr(GArray) days = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GtkWidget *window, *chart;
  Frame frame = { 0 };
  gint64 start, opening = 0;
  double build_s, read_ms, redraw_ms;
  int n_events = 1000000, n_days = 100000;
  GOptionEntry entries[] = {
    { "events", 0, 0, G_OPTION_ARG_INT, &n_events, "Events in the ledger (1000000)", "N" },
    { "days", 0, 0, G_OPTION_ARG_INT, &n_days, "Days they are spread over (100000)", "N" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  check (g_option_context_parse (context, &argc, &argv, &error), &error, "options");
  check (n_events >= 2 && n_days >= 1 && n_days < 1000000, NULL,
         "--events must be at least 2 and --days from 1 to 999999");
  /* The renderer the window would draw with on this machine. */
  ql_renderer_choice_apply ("/dev/dri");
  adw_init ();
  load_style ();

  dir = g_dir_make_tmp ("ql-bench-chart-XXXXXX", &error);
  check (dir != NULL, &error, "making a folder");
  path = g_build_filename (dir, "bench.db", NULL);
  store = ql_sqlite_event_store_new (path, &error);
  check (store != NULL, &error, "opening the store");
  fill (store, (guint) n_events, (guint) n_days);

  runner = ql_projection_runner_new (store);
  daily = ql_daily_balance_projection_new ();
  ql_projection_runner_add (runner, daily);
  start = g_get_monotonic_time ();
  check (ql_projection_runner_catch_up (runner, &error), &error, "building the model");
  build_s = (g_get_monotonic_time () - start) / 1e6;

  start = g_get_monotonic_time ();
  days = ql_daily_balance_read (ql_projection_runner_get_read_store (runner), LEDGER, NULL, NULL,
                                &opening, &error);
  check (days != NULL, &error, "reading the model");
  read_ms = (g_get_monotonic_time () - start) / 1e3;

  loop = g_main_loop_new (NULL, FALSE);
  frame.loop = loop;
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 400);
  chart = ql_balance_chart_new ();
  gtk_window_set_child (GTK_WINDOW (window), chart);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), &frame);

  frame.start = g_get_monotonic_time ();
  ql_balance_chart_set_balances (QL_BALANCE_CHART (chart),
                                 (const QlDailyBalance *) (gpointer) days->data, days->len,
                                 opening, 2, "EUR");
  gtk_window_present (GTK_WINDOW (window));
  g_main_loop_run (loop);

  redraw_ms = time_redraws (chart, days, opening);

  g_print ("{\"figure\":\"daily-build-sqlite\",\"unit\":\"events/s\",\"value\":%.6g,"
           "\"events\":%d}\n", n_events / build_s, n_events);
  g_print ("{\"figure\":\"daily-read-sqlite\",\"unit\":\"ms\",\"value\":%.6g,\"days\":%u}\n",
           read_ms, days->len);
  g_print ("{\"figure\":\"chart-first-frame\",\"unit\":\"ms\",\"value\":%.6g,\"days\":%u}\n",
           frame.first_frame_ms, days->len);
  g_print ("{\"figure\":\"chart-redraw\",\"unit\":\"ms\",\"value\":%.6g,\"days\":%u}\n",
           redraw_ms, days->len);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&runner);
  g_clear_object (&store);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (path, i == 0 ? "" : i == 1 ? "-wal" : "-shm", NULL);
      g_remove (file);
    }
  g_rmdir (dir);
  return 0;
}
