/* ql-payments.c: serves the ledgers as the seed's gRPC PaymentService
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-payments"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

#include "ql-exit-status.h"
#include "ql-grpc-server.h"
#include "ql-ledger-book.h"
#include "ql-payments-controller.h"
#include "ql-payments.h"
#include "ql-store.h"

/* How long calls in flight may take to finish once asked to stop. */
#define SHUTDOWN_GRACE_MS 3000

static void
answer_calls (guint                n_calls,
              const char * const  *methods,
              GBytes * const      *requests,
              GBytes             **out_responses,
              GError             **out_errors,
              gpointer             user_data)
{
  ql_payments_controller_handle_calls (user_data, n_calls, methods, requests, out_responses,
                                       out_errors);
}

static gboolean
quit_on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GMainLoop *loop;
  int        status;
} Serving;

/* A service that cannot accept clients any more only looks alive: it
 * exits, so that whoever supervises it starts it again. */
static void
server_failed_cb (QlGrpcServer *server,
                  const GError *error,
                  gpointer      user_data)
{
  Serving *serving = user_data;

  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  serving->status = QL_EXIT_FAILURE;
  g_main_loop_quit (serving->loop);
}

/* Every connection takes a descriptor: use all the system allows. */
static void
raise_descriptor_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

/**
 * ql_payments_main:
 * @db_location: (nullable): the database, or %NULL for the default one
 * @address: (nullable): where to listen, or %NULL for
 *   %QL_PAYMENTS_DEFAULT_ADDRESS
 * @max_connections: the most client connections open at once, or 0 for
 *   as many as the descriptor limit leaves room for
 *
 * Serves payments from the ledgers of @db_location until SIGINT or SIGTERM,
 * then lets calls in flight finish and exits. Exits with a failure when it
 * can no longer accept connections.
 *
 * Returns: the process exit status
 */
int
ql_payments_main (const char *db_location,
                  const char *address,
                  guint       max_connections)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlGrpcServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Serving serving = { NULL, QL_EXIT_OK };
  sigset_t stop_signals;
  guint sigint_id;
  guint sigterm_id;

  if (address == NULL)
    address = QL_PAYMENTS_DEFAULT_ADDRESS;

  raise_descriptor_limit ();

  store = ql_store_open (db_location, &error);
  if (store != NULL)
    book = ql_ledger_book_new (store, &error);
  if (book == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return QL_EXIT_FAILURE;
    }

  /* Threads started from here on, gRPC's and ours, inherit this mask, so
   * the stop signals reach the main thread and its loop, never a thread
   * inside gRPC. */
  sigemptyset (&stop_signals);
  sigaddset (&stop_signals, SIGINT);
  sigaddset (&stop_signals, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &stop_signals, NULL);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_on_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_on_signal, loop);

  server = ql_grpc_server_new (answer_calls, ql_payments_controller_new (book), g_object_unref);
  ql_grpc_server_set_max_connections (server, max_connections);
  serving.loop = loop;
  g_signal_connect (server, "failed", G_CALLBACK (server_failed_cb), &serving);
  if (!ql_grpc_server_start (server, address, &error))
    {
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return QL_EXIT_FAILURE;
    }

  pthread_sigmask (SIG_UNBLOCK, &stop_signals, NULL);

  g_print (_("Payment Service ready on %s (port %d).\n"),
           address, ql_grpc_server_get_port (server));
  fflush (stdout);

  g_main_loop_run (loop);

  ql_grpc_server_stop (server, SHUTDOWN_GRACE_MS);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  g_print (_("Payment Service stopped.\n"));
  return serving.status;
}
