/* test-ledger-transfers.c: transfers between two ledgers, both legs or
 * neither, their undo, and writers moving money across the same ledgers
 * at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ql-errors.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events.h"
#include "ql-memory-event-store.h"
#include "ql-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"
#include "ql-test-postgres.h"

/* Transfers each writer tries; a writer may lose some to others. */
#define N_TRANSFERS 150
#define N_WRITERS 3

static void
open_account (QlLedgerBook *book,
              const char   *name,
              const char   *currency,
              const char   *deposit)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (ql_test_drop_event (ql_ledger_book_open_account (book, name, currency, &error)),
                 "%s", error != NULL ? error->message : "");
  if (deposit != NULL)
    ck_assert_msg (ql_test_drop_event (ql_ledger_book_deposit (book, name, deposit, &error)),
                   "%s", error != NULL ? error->message : "");
}

static gint64
version_of (QlLedgerBook *book,
            const char   *name)
{
  return ql_ledger_get_version (ql_ledger_book_lookup (book, name));
}

START_TEST (test_can_transfer_to)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;
  QlLedger *eur_a;
  QlLedger *eur_b;
  QlLedger *usd;
  QlLedger *plain;
  QlLedger *box;
  QlLedger *crate;

  open_account (book, "A", "EUR", NULL);
  open_account (book, "B", "eur", NULL);
  open_account (book, "U", "USD", NULL);
  open_account (book, "P", NULL, NULL);
  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (book, "Box", "1", &error)));
  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (book, "Crate", "1", &error)));
  eur_a = ql_ledger_book_lookup (book, "A");
  eur_b = ql_ledger_book_lookup (book, "B");
  usd = ql_ledger_book_lookup (book, "U");
  plain = ql_ledger_book_lookup (book, "P");
  box = ql_ledger_book_lookup (book, "Box");
  crate = ql_ledger_book_lookup (book, "Crate");

  /* Exactly the pairs the transfer itself accepts. */
  ck_assert (ql_ledger_can_transfer_to (eur_a, eur_b));
  ck_assert (ql_ledger_can_transfer_to (box, crate));
  ck_assert (!ql_ledger_can_transfer_to (eur_a, eur_a));
  ck_assert (!ql_ledger_can_transfer_to (eur_a, usd));
  ck_assert (!ql_ledger_can_transfer_to (eur_a, plain));
  ck_assert (!ql_ledger_can_transfer_to (plain, box));
  ck_assert (!ql_test_drop_event (ql_ledger_book_transfer (book, "A", "U", "1", NULL, &error)));
  g_clear_error (&error);
  ck_assert (!ql_test_drop_event (ql_ledger_book_transfer (book, "P", "Box", "1", NULL, &error)));
}
END_TEST

START_TEST (test_transfer_links_two_legs)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEvent) moved = NULL;
  g_autoptr(GPtrArray) from = NULL;
  g_autoptr(GPtrArray) to = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from_id = NULL;
  g_autofree char *to_id = NULL;
  g_autofree char *from_other = NULL;
  g_autofree char *to_other = NULL;
  g_autofree char *memo = NULL;
  QlChangeNote note = { "2026-06-30", NULL, "rent" };
  QlEvent *in;
  gint64 head = 0;

  open_account (book, "Checking", "EUR", "100");
  open_account (book, "Savings", "eur", NULL);
  head = ql_test_head_position (store);

  moved = ql_ledger_book_transfer (book, "Checking", "Savings", "30.50", &note, &error);
  ck_assert_msg (moved != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (ql_event_get_event_type (moved), QL_EVENT_WITHDRAWN);
  ck_assert_str_eq (ql_event_get_ledger (moved), "Checking");
  ck_assert_int_eq (ql_test_balance_of (book, "Checking"), 6950);
  ck_assert_int_eq (ql_test_balance_of (book, "Savings"), 3050);
  /* One commit: the two legs sit next to each other in the log. */
  ck_assert_int_eq (ql_test_head_position (store), head + 2);

  from = ql_ledger_book_list_events (book, "Checking", NULL);
  to = ql_ledger_book_list_events (book, "Savings", NULL);
  in = g_ptr_array_index (to, to->len - 1);
  ck_assert_str_eq (ql_event_get_event_type (in), QL_EVENT_DEPOSITED);
  ck_assert_int_eq (ql_event_get_amount (in), 3050);
  ck_assert_int_eq (ql_event_get_timestamp (in), ql_event_get_timestamp (moved));
  from_id = ql_event_dup_transfer (g_ptr_array_index (from, from->len - 1));
  to_id = ql_event_dup_transfer (in);
  ck_assert_ptr_nonnull (from_id);
  ck_assert_str_eq (from_id, to_id);
  from_other = ql_event_dup_counterpart (moved);
  to_other = ql_event_dup_counterpart (in);
  ck_assert_str_eq (from_other, "Savings");
  ck_assert_str_eq (to_other, "Checking");
  memo = ql_event_dup_memo (in);
  ck_assert_str_eq (memo, "rent");
}
END_TEST

START_TEST (test_transfer_refuses_as_a_whole)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  QlChangeNote bad_date = { "2026-06-31", NULL, NULL };
  gint64 head;

  open_account (book, "A", "USD", "10");
  open_account (book, "B", "USD", NULL);
  open_account (book, "Euro", "EUR", NULL);
  open_account (book, "Plain", NULL, NULL);
  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (book, "Box", "5", NULL)));
  head = ql_test_head_position (store);

  assert_fails (ql_ledger_book_transfer (book, "A", "B", "10.01", NULL, &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  assert_fails (ql_ledger_book_transfer (book, "A", "Euro", "1", NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  assert_fails (ql_ledger_book_transfer (book, "A", "Plain", "1", NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  assert_fails (ql_ledger_book_transfer (book, "A", "Box", "1", NULL, &fail_error),
                QL_LEDGER_ERROR_WRONG_KIND);
  assert_fails (ql_ledger_book_transfer (book, "A", " A ", "1", NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (ql_ledger_book_transfer (book, "A", "Nobody", "1", NULL, &fail_error),
                QL_LEDGER_ERROR_NOT_FOUND);
  assert_fails (ql_ledger_book_transfer (book, "A", "B", "0", NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_transfer (book, "A", "B", "1", &bad_date, &fail_error),
                QL_LEDGER_ERROR_INVALID_DATE);
  ck_assert_int_eq (ql_test_head_position (store), head);
  ck_assert_int_eq (ql_test_balance_of (book, "A"), 1000);
}
END_TEST

START_TEST (test_items_transfer)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEvent) moved = NULL;

  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (book, "Shop", "5", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (book, "Store room", "0", NULL)));
  moved = ql_ledger_book_transfer (book, "Shop", "Store room", "2", NULL, NULL);
  ck_assert_ptr_nonnull (moved);
  ck_assert_str_eq (ql_event_get_event_type (moved), QL_EVENT_QUANTITY_DECREASED);
  ck_assert_int_eq (ql_test_balance_of (book, "Shop"), 3);
  ck_assert_int_eq (ql_test_balance_of (book, "Store room"), 2);
  assert_fails (ql_ledger_book_transfer (book, "Shop", "Store room", "4", NULL, &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY);
}
END_TEST

START_TEST (test_undo_reverses_both_legs)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEvent) undo = NULL;
  g_autoptr(QlEvent) second = NULL;
  g_autoptr(GPtrArray) to = NULL;
  gint64 head;

  open_account (book, "A", NULL, "100");
  open_account (book, "B", NULL, NULL);
  ck_assert (ql_test_drop_event (ql_ledger_book_transfer (book, "A", "B", "30", NULL, NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "A", "5", NULL)));

  /* Undo on the receiving ledger takes back the transfer in both. */
  head = ql_test_head_position (store);
  undo = ql_ledger_book_undo (book, "B", NULL);
  ck_assert_ptr_nonnull (undo);
  ck_assert_str_eq (ql_event_get_event_type (undo), QL_EVENT_WITHDRAWN);
  ck_assert_int_eq (ql_event_get_reverses (undo), 2);
  ck_assert_int_eq (ql_test_head_position (store), head + 2);
  ck_assert_int_eq (ql_test_balance_of (book, "A"), 105);
  ck_assert_int_eq (ql_test_balance_of (book, "B"), 0);
  ck_assert (!ql_ledger_book_can_undo (book, "B"));

  /* The deposit is A's newest change still; then nothing is left. */
  ck_assert (ql_test_drop_event (ql_ledger_book_undo (book, "A", NULL)));
  ck_assert_int_eq (ql_test_balance_of (book, "A"), 100);
  ck_assert (ql_test_drop_event (ql_ledger_book_undo (book, "A", NULL)));
  ck_assert_int_eq (ql_test_balance_of (book, "A"), 0);

  /* A transfer whose money was spent since cannot be undone in part. */
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "A", "50", NULL)));
  second = ql_ledger_book_transfer (book, "A", "B", "50", NULL, NULL);
  ck_assert_ptr_nonnull (second);
  ck_assert (ql_test_drop_event (ql_ledger_book_withdraw (book, "B", "20", NULL)));
  head = ql_test_head_position (store);
  assert_fails (ql_ledger_book_undo (book, "A", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  ck_assert_int_eq (ql_test_head_position (store), head);
  ck_assert_int_eq (ql_test_balance_of (book, "A"), 0);
  /* Once B has the money back, the transfer can go. */
  ck_assert (ql_test_drop_event (ql_ledger_book_undo (book, "B", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_undo (book, "A", NULL)));
  ck_assert_int_eq (ql_test_balance_of (book, "A"), 50);
  ck_assert_int_eq (ql_test_balance_of (book, "B"), 0);
  to = ql_ledger_book_list_events (book, "B", NULL);
  ck_assert_int_eq (version_of (book, "B"), (gint64) to->len);
}
END_TEST

START_TEST (test_import_transfers)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) reloaded = NULL;
  g_autoptr(GPtrArray) from = NULL;
  g_autoptr(GPtrArray) to = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from_id = NULL;
  g_autofree char *to_id = NULL;
  g_autofree char *memo = NULL;
  gint64 head;

  open_account (book, "Savings", "USD", NULL);
  ck_assert_msg (ql_test_import_text (book,
                              "ledger,type,amount,to,memo\n"
                              "Checking,open,USD,,\n"
                              "Checking,deposit,100,,\n"
                              "Checking,transfer,30,Savings,for later\n"
                              "Savings,transfer,5,Checking,\n", &error),
                 "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_test_balance_of (book, "Checking"), 7500);
  ck_assert_int_eq (ql_test_balance_of (book, "Savings"), 2500);

  from = ql_ledger_book_list_events (book, "Checking", NULL);
  to = ql_ledger_book_list_events (book, "Savings", NULL);
  ck_assert_uint_eq (from->len, 4);
  ck_assert_uint_eq (to->len, 3);
  ck_assert_str_eq (ql_event_get_event_type (g_ptr_array_index (from, 2)), QL_EVENT_WITHDRAWN);
  from_id = ql_event_dup_transfer (g_ptr_array_index (from, 2));
  to_id = ql_event_dup_transfer (g_ptr_array_index (to, 1));
  ck_assert_ptr_nonnull (from_id);
  ck_assert_str_eq (from_id, to_id);
  memo = ql_event_dup_memo (g_ptr_array_index (to, 1));
  ck_assert_str_eq (memo, "for later");

  /* What was imported is what the store has. */
  reloaded = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (reloaded, "Checking"), 7500);
  ck_assert_int_eq (ql_test_balance_of (reloaded, "Savings"), 2500);
  /* Undo knows the imported transfer. */
  ck_assert (ql_test_drop_event (ql_ledger_book_undo (book, "Checking", NULL)));
  ck_assert_int_eq (ql_test_balance_of (book, "Savings"), 3000);

  /* An overdrawing transfer, or one without "to", writes nothing. */
  head = ql_test_head_position (store);
  assert_fails (ql_test_import_text (book, "ledger,type,amount,to\nSavings,transfer,31,Checking\n",
                             &fail_error), QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  assert_fails (ql_test_import_text (book, "ledger,type,amount\nSavings,transfer,1\n", &fail_error),
                QL_LEDGER_ERROR_INVALID_IMPORT);
  assert_fails (ql_test_import_text (book, "ledger,type,amount,to\nSavings,transfer,1,Nobody\n",
                             &fail_error), QL_LEDGER_ERROR_NOT_FOUND);
  ck_assert_int_eq (ql_test_head_position (store), head);
}
END_TEST

typedef struct
{
  const char *path;
  guint       index;
  guint       n_moved;
  guint       n_refused;
} Writer;

/* A store of its own on a SQLite file or a PostgreSQL database. */
static QlEventStore *
open_database (const char *location)
{
  g_autoptr(GError) error = NULL;
  QlEventStore *store = ql_store_open (location, &error);

  ck_assert_msg (store != NULL, "%s", error != NULL ? error->message : "");
  return store;
}

static gpointer
transfer_thread (gpointer data)
{
  Writer *writer = data;
  g_autoptr(QlEventStore) store = open_database (writer->path);
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

  for (guint i = 0; i < N_TRANSFERS; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean forth = (i + writer->index) % 2 == 0;
      g_autoptr(QlEvent) moved = ql_ledger_book_transfer (book, forth ? "A" : "B",
                                                          forth ? "B" : "A", "7", NULL, &error);

      if (moved != NULL)
        writer->n_moved++;
      else
        {
          /* Others may keep winning, or drain an account for a moment. */
          ck_assert_msg (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_BUSY) ||
                         g_error_matches (error, QL_LEDGER_ERROR,
                                          QL_LEDGER_ERROR_INSUFFICIENT_FUNDS),
                         "%s", error->message);
          writer->n_refused++;
        }
    }
  return NULL;
}

/* Every leg has its other half, and no money appeared or vanished. */
static void
assert_transfers_whole (QlLedgerBook *book,
                        guint         n_moved,
                        gint64        total)
{
  g_autoptr(GHashTable) legs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *names[] = { "A", "B" };

  ck_assert_int_eq (ql_test_balance_of (book, "A") + ql_test_balance_of (book, "B"), total);
  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autoptr(GPtrArray) events = ql_ledger_book_list_events (book, names[n], NULL);

      for (guint i = 0; i < events->len; i++)
        {
          char *id = ql_event_dup_transfer (g_ptr_array_index (events, i));

          if (id == NULL)
            continue;
          g_hash_table_insert (legs, id,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (legs, id))
                                                 + 1));
        }
    }
  ck_assert_uint_eq (g_hash_table_size (legs), n_moved);
  {
    GHashTableIter iter;
    gpointer count;

    g_hash_table_iter_init (&iter, legs);
    while (g_hash_table_iter_next (&iter, NULL, &count))
      ck_assert_uint_eq (GPOINTER_TO_UINT (count), 2);
  }
}

/* Loop 0 on a SQLite file, loop 1 on a PostgreSQL database; each writer
 * has its own connection, as separate programs would. */
START_TEST (test_concurrent_transfers)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = _i == 0 ? g_build_filename (dir, "transfers.db", NULL)
                                  : ql_test_postgres_database (dir);
  Writer writers[N_WRITERS];
  GThread *threads[N_WRITERS];
  guint n_moved = 0;

  {
    g_autoptr(QlEventStore) store = open_database (path);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

    open_account (book, "A", NULL, "100");
    open_account (book, "B", NULL, "100");
  }

  for (guint i = 0; i < N_WRITERS; i++)
    {
      writers[i] = (Writer) { path, i, 0, 0 };
      threads[i] = g_thread_new ("transfers", transfer_thread, &writers[i]);
    }
  for (guint i = 0; i < N_WRITERS; i++)
    {
      g_thread_join (threads[i]);
      n_moved += writers[i].n_moved;
    }
  ck_assert_uint_gt (n_moved, 0);

  {
    g_autoptr(QlEventStore) store = open_database (path);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

    assert_transfers_whole (book, n_moved, 200);
  }
}
END_TEST

static Suite *
transfers_suite (void)
{
  Suite *suite = suite_create ("ledger-transfers");
  TCase *tc;

  tc = tcase_create ("transfers");
  tcase_add_test (tc, test_transfer_links_two_legs);
  tcase_add_test (tc, test_can_transfer_to);
  tcase_add_test (tc, test_transfer_refuses_as_a_whole);
  tcase_add_test (tc, test_items_transfer);
  tcase_add_test (tc, test_undo_reverses_both_legs);
  tcase_add_test (tc, test_import_transfers);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("concurrent");
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_concurrent_transfers, 0, 2);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  QlTestPostgres *cluster = ql_test_postgres_start (&error);
  int status;

  if (cluster == NULL)
    {
      g_printerr ("Could not start a PostgreSQL cluster for the tests: %s\n", error->message);
      return EXIT_FAILURE;
    }

  status = ql_test_run_in_dir ("ql-test-ledger-transfers", transfers_suite (), NULL);
  ql_test_postgres_stop (cluster);
  return status;
}
