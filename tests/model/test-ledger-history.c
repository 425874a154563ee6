/* test-ledger-history.c: a ledger's events as a lazy list with running balances
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>

#include "ql-ledger-history.h"
#include "ql-memory-event-store.h"
#include "ql-test-model.h"

#define N_EVENTS 2000

/* An item created with 5, then N_EVENTS - 1 changes; the quantity after
 * each event is kept in @expected. */
static void
fill_item (QlEventStore *store,
           GArray       *expected)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autofree QlNewEvent *events = g_new0 (QlNewEvent, N_EVENTS);
  QlLedgerAppend append = { "Bolts", 0, events, N_EVENTS, NULL };
  gint64 quantity = 5;

  events[0].type = QL_EVENT_ITEM_CREATED;
  events[0].payload = "{\"name\":\"Bolts\",\"quantity\":5}";
  g_array_append_val (expected, quantity);
  for (guint i = 1; i < N_EVENTS; i++)
    {
      gboolean down = i % 3 == 0;
      gint64 amount = down ? 1 : (gint64) (i % 7) + 1;
      char *payload = g_strdup_printf ("{\"amount\":%" G_GINT64_FORMAT "}", amount);

      g_ptr_array_add (payloads, payload);
      events[i].type = down ? QL_EVENT_QUANTITY_DECREASED : QL_EVENT_QUANTITY_INCREASED;
      events[i].payload = payload;
      quantity += down ? -amount : amount;
      g_array_append_val (expected, quantity);
    }
  ck_assert (ql_event_store_append_batch (store, &append, 1, NULL, NULL, NULL));
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint n_signals;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
  changes->n_signals++;
}

START_TEST (test_counts_and_random_access)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlLedgerHistory) history = NULL;
  GListModel *model;
  GRand *rand = g_rand_new_with_seed (42);

  fill_item (store, expected);
  book = ql_test_new_book (store);
  history = ql_ledger_history_new (book, ql_ledger_book_lookup (book, "Bolts"));
  model = G_LIST_MODEL (history);

  ck_assert (g_list_model_get_item_type (model) == QL_TYPE_EVENT);
  ck_assert_uint_eq (g_list_model_get_n_items (model), N_EVENTS);
  /* Nothing is read before an item is asked for. */
  ck_assert_uint_eq (ql_ledger_history_get_n_cached (history), 0);
  ck_assert_ptr_null (g_list_model_get_item (model, N_EVENTS));

  for (guint i = 0; i < 500; i++)
    {
      guint position = g_rand_int_range (rand, 0, N_EVENTS);
      g_autoptr(QlEvent) event = g_list_model_get_item (model, position);
      gint64 balance = -1;

      ck_assert_ptr_nonnull (event);
      ck_assert_int_eq (ql_event_get_version (event), position + 1);
      ck_assert_str_eq (ql_event_get_ledger (event), "Bolts");
      ck_assert (ql_ledger_history_get_balance (history, position, &balance, NULL));
      ck_assert_int_eq (balance, g_array_index (expected, gint64, position));
    }
  g_rand_free (rand);
}
END_TEST

START_TEST (test_memory_stays_bounded)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlLedgerHistory) history = NULL;
  guint bound = QL_LEDGER_HISTORY_PAGE_SIZE * QL_LEDGER_HISTORY_MAX_PAGES;

  fill_item (store, expected);
  book = ql_test_new_book (store);
  history = ql_ledger_history_new (book, ql_ledger_book_lookup (book, "Bolts"));

  /* Scrolling through everything, both ways, keeps a few pages. */
  for (guint i = 0; i < N_EVENTS; i++)
    {
      g_autoptr(QlEvent) event = g_list_model_get_item (G_LIST_MODEL (history), i);
      gint64 balance;

      ck_assert_int_eq (ql_event_get_version (event), i + 1);
      ck_assert (ql_ledger_history_get_balance (history, i, &balance, NULL));
      ck_assert_int_eq (balance, g_array_index (expected, gint64, i));
      ck_assert_uint_le (ql_ledger_history_get_n_cached (history), bound);
    }
  for (guint i = N_EVENTS; i > 0; i--)
    {
      g_autoptr(QlEvent) event = g_list_model_get_item (G_LIST_MODEL (history), i - 1);

      ck_assert_int_eq (ql_event_get_version (event), i);
      ck_assert_uint_le (ql_ledger_history_get_n_cached (history), bound);
    }
  ck_assert_uint_eq (ql_ledger_history_get_n_cached (history), bound);
}
END_TEST

START_TEST (test_growth)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerHistory) history = NULL;
  Changes changes = { 0 };
  GListModel *model;
  gint64 balance = 0;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Current", "USD", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Current", "100", NULL)));
  history = ql_ledger_history_new (book, ql_ledger_book_lookup (book, "Current"));
  model = G_LIST_MODEL (history);
  g_signal_connect (history, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  ck_assert_uint_eq (g_list_model_get_n_items (model), 2);

  /* Read the last page while it is short, then grow the ledger. */
  ck_assert (ql_ledger_history_get_balance (history, 1, &balance, NULL));
  ck_assert_int_eq (balance, 10000);

  ck_assert (ql_test_drop_event (ql_ledger_book_withdraw (book, "Current", "30", NULL)));
  ck_assert_uint_eq (changes.n_signals, 1);
  ck_assert_uint_eq (changes.position, 2);
  ck_assert_uint_eq (changes.removed, 0);
  ck_assert_uint_eq (changes.added, 1);
  ck_assert_uint_eq (g_list_model_get_n_items (model), 3);

  {
    g_autoptr(QlEvent) event = g_list_model_get_item (model, 2);

    ck_assert_str_eq (ql_event_get_event_type (event), QL_EVENT_WITHDRAWN);
  }
  ck_assert (ql_ledger_history_get_balance (history, 2, &balance, NULL));
  ck_assert_int_eq (balance, 7000);

  /* Growth by another book on the same store arrives with a refresh. */
  {
    g_autoptr(QlLedgerBook) other = ql_test_new_book (store);

    for (guint i = 0; i < 300; i++)
      ck_assert (ql_test_drop_event (ql_ledger_book_deposit (other, "Current", "1", NULL)));
  }
  ck_assert (ql_ledger_book_refresh (book, NULL));
  ck_assert_uint_eq (g_list_model_get_n_items (model), 303);
  /* However the refresh batches them, the changes end at the new end. */
  ck_assert_uint_eq (changes.position + changes.added, 303);
  ck_assert_uint_eq (changes.removed, 0);
  ck_assert (ql_ledger_history_get_balance (history, 302, &balance, NULL));
  ck_assert_int_eq (balance, 7000 + 30000);
}
END_TEST

static Suite *
ledger_history_suite (void)
{
  Suite *suite = suite_create ("QlLedgerHistory");
  TCase *tc;

  tc = tcase_create ("access");
  tcase_add_test (tc, test_counts_and_random_access);
  tcase_add_test (tc, test_memory_stays_bounded);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("growth");
  tcase_add_test (tc, test_growth);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run (ledger_history_suite (), NULL);
}
