/* test-reference-index.c: payment references across a whole store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>

#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-reference-index.h"
#include "ql-test-model.h"

static QlLedgerBook *
new_book_with_accounts (QlEventStore *store)
{
  QlLedgerBook *book = ql_test_new_book (store);

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Alice", "USD", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Alice", "100", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Bob", "USD", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Bob", "100", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Units", NULL, NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Units", "100", NULL)));
  return book;
}

static void
update_ok (QlReferenceIndex *index)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (ql_reference_index_update (index, &error), "%s",
                 error != NULL ? error->message : "");
}

START_TEST (test_first_payment_of_a_reference_wins)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_book_with_accounts (store);
  g_autoptr(QlReferenceIndex) index = ql_reference_index_new (store);
  g_autoptr(QlEvent) alice = NULL;
  g_autoptr(QlEvent) bob = NULL;

  update_ok (index);
  ck_assert_int_eq (ql_reference_index_lookup (index, "order-1"), 0);

  alice = ql_ledger_book_withdraw_for_reference (book, "Alice", "5", "USD", "order-1", NULL);
  ck_assert_ptr_nonnull (alice);
  /* Nothing is read until the next update. */
  ck_assert_int_eq (ql_reference_index_lookup (index, "order-1"), 0);
  update_ok (index);
  ck_assert_int_eq (ql_reference_index_lookup (index, "order-1"), ql_event_get_position (alice));

  /* Each ledger takes a reference once; the index names the first of all. */
  bob = ql_ledger_book_withdraw_for_reference (book, "Bob", "7", "USD", "order-1", NULL);
  ck_assert_ptr_nonnull (bob);
  ck_assert_int_gt (ql_event_get_position (bob), ql_event_get_position (alice));
  update_ok (index);
  ck_assert_int_eq (ql_reference_index_lookup (index, "order-1"), ql_event_get_position (alice));
  ck_assert_int_eq (ql_reference_index_lookup (index, "order-2"), 0);
}
END_TEST

/* Only a payment's reference counts, and only the reference the event
 * carries as its field: a payload is never searched for one. */
START_TEST (test_only_payments_are_indexed)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_book_with_accounts (store);
  g_autoptr(QlReferenceIndex) index = ql_reference_index_new (ql_ledger_book_get_store (book));
  const QlNewEvent deposit = { "Deposited", "{\"amount\":1,\"reference\":\"order-3\"}",
                               "order-3" };
  const QlNewEvent payload_only = { "Withdrawn", "{\"amount\":1,\"reference\":\"order-4\"}",
                                    NULL };
  const QlNewEvent payment = { "Withdrawn", "{\"amount\":1,\"reference\":\"order-5\"}",
                               "order-5" };

  ck_assert (ql_event_store_append (store, "Alice", 2, &deposit, 1, NULL, NULL));
  ck_assert (ql_event_store_append (store, "Alice", 3, &payload_only, 1, NULL, NULL));
  ck_assert (ql_event_store_append (store, "Alice", 4, &payment, 1, NULL, NULL));
  update_ok (index);

  ck_assert_int_eq (ql_reference_index_lookup (index, "order-3"), 0);
  ck_assert_int_eq (ql_reference_index_lookup (index, "order-4"), 0);
  ck_assert_int_eq (ql_reference_index_lookup (index, "order-5"), ql_test_head_position (store));
}
END_TEST

START_TEST (test_is_payment_for)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_book_with_accounts (store);
  g_autoptr(QlEvent) paid = ql_ledger_book_withdraw_for_reference (book, "Alice", "2.50", "USD",
                                                                   "order-1", NULL);
  g_autoptr(QlEvent) deposit = ql_ledger_book_deposit (book, "Alice", "2.50", NULL);
  g_autoptr(QlEvent) plain = ql_ledger_book_withdraw (book, "Units", "2", NULL);

  ck_assert_ptr_nonnull (paid);
  ck_assert (ql_ledger_book_is_payment_for (book, paid, "Alice", "2.50", "USD"));
  ck_assert (ql_ledger_book_is_payment_for (book, paid, " Alice ", "2.5", "usd"));

  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Bob", "2.50", "USD"));
  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Nobody", "2.50", "USD"));
  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Ali\001ce", "2.50", "USD"));
  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Alice", "2.51", "USD"));
  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Alice", "2.505", "USD"));
  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Alice", "abc", "USD"));
  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Alice", "2.50", "EUR"));
  ck_assert (!ql_ledger_book_is_payment_for (book, paid, "Alice", "2.50", "XYZ"));
  ck_assert (!ql_ledger_book_is_payment_for (book, deposit, "Alice", "2.50", "USD"));
  /* An account in plain units takes no currency. */
  ck_assert (!ql_ledger_book_is_payment_for (book, plain, "Units", "2", "USD"));
}
END_TEST

static Suite *
reference_index_suite (void)
{
  Suite *suite = suite_create ("QlReferenceIndex");
  TCase *tc = tcase_create ("references");

  tcase_add_test (tc, test_first_payment_of_a_reference_wins);
  tcase_add_test (tc, test_only_payments_are_indexed);
  tcase_add_test (tc, test_is_payment_for);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run (reference_index_suite (), NULL);
}
