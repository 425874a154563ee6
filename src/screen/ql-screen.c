/* ql-screen.c: the full-screen terminal front-end, run from main()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-screen"

#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ql-exit-status.h"
#include "ql-ledger-book.h"
#include "ql-quote-book.h"
#include "ql-screen.h"
#include "ql-screen-controller.h"
#include "ql-screen-view.h"
#include "ql-settings.h"
#include "ql-store.h"

/**
 * ql_screen_is_available:
 *
 * Whether the full-screen view can run: standard input and output are
 * both a terminal, the terminal is not "dumb" and it reports its size.
 * Pipes, scripts and a pseudo-terminal nobody sized keep the line view.
 *
 * Returns: %TRUE when the full-screen view can draw
 */
gboolean
ql_screen_is_available (void)
{
  const char *term = g_getenv ("TERM");
  struct winsize size;

  if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO))
    return FALSE;
  if (term == NULL || *term == '\0' || g_str_equal (term, "dumb"))
    return FALSE;

  return ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0;
}

static gboolean
stop_signal_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
controller_finished_cb (GMainLoop          *loop,
                        QlScreenController *controller)
{
  g_main_loop_quit (loop);
}

/**
 * ql_screen_main:
 * @db_location: (nullable): the database, `:memory:`, or %NULL for the
 *   default file
 * @quotes_path: (nullable): a quotes file or directory, or %NULL for the
 *   quotes the program ships with
 *
 * Runs the full-screen view until the user quits or the terminal goes
 * away; SIGINT and SIGTERM end it too, with the terminal restored.
 *
 * Returns: the process's exit status
 */
int
ql_screen_main (const char *db_location,
                const char *quotes_path)
{
  g_autoptr(QlQuoteBook) quotes = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) ledgers = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(QlScreenView) view = NULL;
  g_autoptr(QlScreenController) controller = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint interrupt_source, terminate_source;

  if (quotes_path != NULL)
    quotes = ql_quote_book_new_from_file (quotes_path, &error);
  else
    quotes = ql_quote_book_new_default ();
  if (quotes != NULL)
    store = ql_store_open (db_location, &error);
  if (store != NULL)
    ledgers = ql_ledger_book_new (store, &error);
  if (ledgers == NULL)
    {
      g_printerr (_("Error: %s"), error->message);
      g_printerr ("\n");
      return QL_EXIT_FAILURE;
    }

  settings = ql_settings_open ();
  loop = g_main_loop_new (NULL, FALSE);
  view = ql_screen_view_new ();
  controller = ql_screen_controller_new (view, quotes, ledgers, settings);
  g_signal_connect_swapped (controller, "finished", G_CALLBACK (controller_finished_cb), loop);
  interrupt_source = g_unix_signal_add (SIGINT, stop_signal_cb, loop);
  terminate_source = g_unix_signal_add (SIGTERM, stop_signal_cb, loop);

  ql_screen_controller_start (controller);
  if (ql_event_store_is_read_only (store))
    ql_screen_view_show_status (view, _("The ledgers are read-only: they can be shown "
                                        "but not changed."));
  g_main_loop_run (loop);

  ql_screen_view_stop (view);
  g_source_remove (interrupt_source);
  g_source_remove (terminate_source);

  return QL_EXIT_OK;
}
