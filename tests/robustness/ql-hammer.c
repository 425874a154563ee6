/* ql-hammer.c: threads that each change shared ledgers through their own store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: ql-hammer DATABASE THREADS OPERATIONS FIRST-AMOUNT ACCOUNT...
 *
 * Every thread opens its own QlSqliteEventStore and QlLedgerBook on
 * DATABASE and runs OPERATIONS deposits and withdrawals on the ACCOUNTs in
 * turn, each with an amount no other operation uses, counting up from
 * FIRST-AMOUNT. Each operation the model acknowledged is printed on
 * standard output as "deposit ACCOUNT AMOUNT" or "withdraw ACCOUNT
 * AMOUNT"; each refusal goes to standard error. The caller checks the
 * database against what was acknowledged.
 */
#define G_LOG_DOMAIN "ql-hammer"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ql-ledger-book.h"
#include "ql-sqlite-event-store.h"

typedef struct
{
  const char  *path;
  guint        index;
  guint        n_operations;
  gint64       first_amount;
  char       **accounts;
  guint        n_accounts;
  GMutex      *output_lock;
  gboolean     opened;
} Worker;

static gpointer
work (gpointer data)
{
  Worker *worker = data;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GError) error = NULL;

  store = ql_sqlite_event_store_new (worker->path, &error);
  if (store != NULL)
    book = ql_ledger_book_new (store, &error);
  if (book == NULL)
    {
      g_printerr ("thread %u: %s\n", worker->index, error->message);
      return NULL;
    }
  worker->opened = TRUE;

  for (guint i = 0; i < worker->n_operations; i++)
    {
      const char *account = worker->accounts[(worker->index + i) % worker->n_accounts];
      gint64 amount = worker->first_amount + (gint64) worker->index * worker->n_operations + i;
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, amount);
      gboolean withdraw = i % 4 == 3;
      g_autoptr(QlEvent) done = NULL;

      g_clear_error (&error);
      if (withdraw)
        done = ql_ledger_book_withdraw (book, account, text, &error);
      else
        done = ql_ledger_book_deposit (book, account, text, &error);

      g_mutex_lock (worker->output_lock);
      if (done != NULL)
        {
          printf ("%s %s %s\n", withdraw ? "withdraw" : "deposit", account, text);
          fflush (stdout);
        }
      else
        {
          fprintf (stderr, "refused %s %s %s: %s\n", withdraw ? "withdraw" : "deposit",
                   account, text, error->message);
        }
      g_mutex_unlock (worker->output_lock);
    }

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree Worker *workers = NULL;
  g_autofree GThread **threads = NULL;
  GMutex output_lock;
  guint64 n_threads;
  guint64 n_operations;
  gint64 first_amount;
  int status = EXIT_SUCCESS;

  if (argc < 6 ||
      !g_ascii_string_to_unsigned (argv[2], 10, 1, 64, &n_threads, NULL) ||
      !g_ascii_string_to_unsigned (argv[3], 10, 1, 100000, &n_operations, NULL) ||
      !g_ascii_string_to_signed (argv[4], 10, 1, G_MAXINT32, &first_amount, NULL))
    {
      g_printerr ("Usage: %s DATABASE THREADS OPERATIONS FIRST-AMOUNT ACCOUNT...\n", argv[0]);
      return 2;
    }

  g_mutex_init (&output_lock);
  workers = g_new0 (Worker, n_threads);
  threads = g_new0 (GThread *, n_threads);

  for (guint i = 0; i < n_threads; i++)
    {
      workers[i] = (Worker) { argv[1], i, n_operations, first_amount, argv + 5,
                              argc - 5, &output_lock, FALSE };
      threads[i] = g_thread_new ("hammer", work, &workers[i]);
    }

  for (guint i = 0; i < n_threads; i++)
    {
      g_thread_join (threads[i]);
      if (!workers[i].opened)
        status = EXIT_FAILURE;
    }

  g_mutex_clear (&output_lock);

  return status;
}
