/* ql-chat-service.c: the chat service front-end, run from main()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-service"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "ql-chat-server.h"
#include "ql-chat-service.h"
#include "ql-exit-status.h"
#include "ql-ledger-book.h"
#include "ql-openai-backend.h"
#include "ql-quote-book.h"
#include "ql-store.h"

/* Other programs' changes to the ledgers reach the answers this soon. */
#define WATCH_INTERVAL_MS 1000

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/**
 * ql_chat_service_main:
 * @db_location: (nullable): the database, as --db names it
 * @quotes_path: (nullable): a quotes file, or %NULL for the built-in ones
 * @address: HOST:PORT to listen on
 *
 * Serves the assistant over HTTP until SIGINT or SIGTERM. The language
 * model service comes from `OPENAI_BASE_URL`, `OPENAI_API_KEY` and
 * `OPENAI_MODEL`. Prints where it listens, one URL a line, on stdout.
 *
 * Returns: the process's exit status
 */
int
ql_chat_service_main (const char *db_location,
                      const char *quotes_path,
                      const char *address)
{
  g_autoptr(QlQuoteBook) quotes = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) ledgers = NULL;
  g_autoptr(QlOpenaiBackend) backend = NULL;
  g_autoptr(QlChatTools) tools = NULL;
  g_autoptr(QlChatServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint sigint, sigterm;

  if (quotes_path != NULL)
    quotes = ql_quote_book_new_from_file (quotes_path, &error);
  else
    quotes = ql_quote_book_new_default ();
  if (quotes != NULL)
    store = ql_store_open (db_location, &error);
  if (store != NULL)
    ledgers = ql_ledger_book_new (store, &error);
  if (ledgers != NULL)
    backend = ql_openai_backend_new_from_environment (&error);
  if (backend == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return QL_EXIT_FAILURE;
    }

  tools = ql_chat_tools_new (quotes, ledgers);
  server = ql_chat_server_new (QL_CHAT_BACKEND (backend), tools,
                               ql_openai_backend_get_model (backend));
  if (!ql_chat_server_listen (server, address, &error))
    {
      g_printerr (_("%s: cannot listen on %s: %s\n"), g_get_prgname (), address, error->message);
      return QL_EXIT_FAILURE;
    }

  url = ql_chat_server_get_url (server);
  g_print (_("Serving the assistant on %s (language model service: %s)\n"), url,
           ql_openai_backend_get_base_url (backend));

  ql_ledger_book_watch (ledgers, WATCH_INTERVAL_MS);
  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  return QL_EXIT_OK;
}
