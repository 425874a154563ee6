/* ql-terminal.c: the terminal front-end, run from main()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-terminal"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-exit-status.h"
#include "ql-ledger-book.h"
#include "ql-quote-book.h"
#include "ql-settings.h"
#include "ql-store.h"
#include "ql-terminal.h"
#include "ql-terminal-controller.h"
#include "ql-terminal-view.h"

static void
controller_finished_cb (GMainLoop            *loop,
                        QlTerminalController *controller)
{
  g_main_loop_quit (loop);
}

/**
 * ql_terminal_main:
 * @db_location: (nullable): the database, `:memory:`, or %NULL for the
 *   default file
 * @quotes_path: (nullable): a quotes file or directory, or %NULL for the
 *   quotes the program ships with
 *
 * Runs the terminal front-end on the standard streams until the user
 * quits or the input ends. Lines are read from a main loop, so that the
 * ledgers can be watched for other programs' changes meanwhile.
 *
 * Returns: the process's exit status
 */
int
ql_terminal_main (const char *db_location,
                  const char *quotes_path)
{
  g_autoptr(QlTerminalView) view = ql_terminal_view_new_for_stdio ();
  g_autoptr(QlQuoteBook) quotes = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) ledgers = NULL;
  g_autoptr(QlTerminalController) controller = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;

  if (quotes_path != NULL)
    quotes = ql_quote_book_new_from_file (quotes_path, &error);
  else
    quotes = ql_quote_book_new_default ();
  if (quotes == NULL)
    {
      ql_terminal_view_show_error (view, error->message);
      return QL_EXIT_FAILURE;
    }

  store = ql_store_open (db_location, &error);
  if (store != NULL)
    ledgers = ql_ledger_book_new (store, &error);
  if (ledgers == NULL)
    {
      ql_terminal_view_show_error (view, error->message);
      return QL_EXIT_FAILURE;
    }

  if (ql_event_store_is_read_only (store))
    ql_terminal_view_show_warning (view, _("The ledgers are read-only: they can be shown "
                                           "but not changed."));

  loop = g_main_loop_new (NULL, FALSE);
  settings = ql_settings_open ();
  controller = ql_terminal_controller_new (view, quotes, ledgers, settings);
  g_signal_connect_swapped (controller, "finished", G_CALLBACK (controller_finished_cb), loop);

  ql_terminal_controller_start (controller);
  g_main_loop_run (loop);

  return QL_EXIT_OK;
}
