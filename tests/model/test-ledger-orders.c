/* test-ledger-orders.c: the order-id rule, one payment or transfer per
 * order id in the whole store, retries answered by it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>

#include "ql-errors.h"
#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-reference-index.h"
#include "ql-test-model.h"

typedef struct
{
  QlEventStore     *store;
  QlLedgerBook     *book;
  QlReferenceIndex *orders;
} Fixture;

static void
fixture_init (Fixture *fixture)
{
  fixture->store = ql_memory_event_store_new ();
  fixture->book = ql_test_new_book (fixture->store);
  fixture->orders = ql_reference_index_new (fixture->store);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (fixture->book, "Alice", "USD",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (fixture->book, "Alice", "100",
                                                         &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (fixture->book, "Bob", "USD",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (fixture->book, "Bob", "50",
                                                         &ok_error)));
}

static void
fixture_clear (Fixture *fixture)
{
  g_clear_object (&fixture->orders);
  g_clear_object (&fixture->book);
  g_clear_object (&fixture->store);
}

static QlEvent *
pay (Fixture     *fixture,
     const char  *name,
     const char  *amount,
     const char  *order_id,
     GError     **error)
{
  QlPaymentRequest request = { name, amount, "USD", order_id };

  return ql_ledger_book_pay_order (fixture->book, fixture->orders, &request, error);
}

START_TEST (test_pay_order_once)
{
  Fixture fixture;
  g_autoptr(QlEvent) paid = NULL;
  g_autoptr(QlEvent) retry = NULL;
  g_autoptr(GError) error = NULL;
  gint64 head;

  fixture_init (&fixture);
  paid = pay (&fixture, "Alice", "10", "o-1", &error);
  ck_assert_msg (paid != NULL, "%s", error != NULL ? error->message : "");
  head = ql_test_head_position (fixture.store);

  /* A retry, with the amount written another way, is answered by the
   * same payment and writes nothing. */
  retry = pay (&fixture, "Alice", "10.00", "o-1", &error);
  ck_assert_msg (retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_event_get_position (retry), ql_event_get_position (paid));
  ck_assert_int_eq (ql_test_head_position (fixture.store), head);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "Alice"), 9000);

  /* Another amount, or another account, under the same order id. */
  assert_fails (pay (&fixture, "Alice", "11", "o-1", &fail_error), QL_LEDGER_ERROR_ORDER_TAKEN);
  assert_fails (pay (&fixture, "Bob", "10", "o-1", &fail_error), QL_LEDGER_ERROR_ORDER_TAKEN);
  ck_assert_int_eq (ql_test_head_position (fixture.store), head);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_pay_order_refusals)
{
  Fixture fixture;
  gint64 head;

  fixture_init (&fixture);
  head = ql_test_head_position (fixture.store);
  assert_fails (pay (&fixture, "Alice", "10", "", &fail_error),
                QL_LEDGER_ERROR_INVALID_REFERENCE);
  assert_fails (pay (&fixture, "Alice", "1000", "o-2", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  assert_fails (pay (&fixture, "Nobody", "1", "o-2", &fail_error), QL_LEDGER_ERROR_NOT_FOUND);
  ck_assert_int_eq (ql_test_head_position (fixture.store), head);

  /* A refusal does not take the order id. */
  assert_ok (ql_test_drop_event (pay (&fixture, "Alice", "1", "o-2", &ok_error)));
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_pay_orders_in_one_call)
{
  Fixture fixture;
  QlPaymentRequest requests[] = {
    { "Alice", "10", "USD", "o-1" },
    { "Bob", "5", "USD", "o-2" },
    { "Alice", "10", "USD", "o-1" },
    { "Alice", "20", "USD", "o-1" },
    { "Bob", "500", "USD", "o-3" },
  };
  QlEvent *events[G_N_ELEMENTS (requests)];
  GError *errors[G_N_ELEMENTS (requests)] = { NULL };

  fixture_init (&fixture);
  ql_ledger_book_pay_orders (fixture.book, fixture.orders, requests, G_N_ELEMENTS (requests),
                             events, errors);
  ck_assert_ptr_nonnull (events[0]);
  ck_assert_ptr_nonnull (events[1]);
  /* The same order twice in one call: a retry, then a reuse. */
  ck_assert_ptr_nonnull (events[2]);
  ck_assert_int_eq (ql_event_get_position (events[2]), ql_event_get_position (events[0]));
  ck_assert (g_error_matches (errors[3], QL_LEDGER_ERROR, QL_LEDGER_ERROR_ORDER_TAKEN));
  ck_assert (g_error_matches (errors[4], QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS));
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "Alice"), 9000);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "Bob"), 4500);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_clear_object (&events[i]);
      g_clear_error (&errors[i]);
    }
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_order_of_a_ledger_another_book_made)
{
  Fixture fixture;
  g_autoptr(QlLedgerBook) other = NULL;
  g_autoptr(QlReferenceIndex) other_orders = NULL;
  g_autoptr(QlEvent) paid = NULL;
  g_autoptr(QlEvent) retry = NULL;
  g_autoptr(GError) error = NULL;
  QlPaymentRequest request = { "Late", "3", "USD", "o-late" };

  /* This book is open before the account exists; another pays from it. */
  fixture_init (&fixture);
  other = ql_test_new_book (fixture.store);
  other_orders = ql_reference_index_new (fixture.store);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (other, "Late", "USD", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (other, "Late", "10", &ok_error)));
  paid = ql_ledger_book_pay_order (other, other_orders, &request, &error);
  ck_assert_msg (paid != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_ptr_null (ql_ledger_book_lookup (fixture.book, "Late"));

  retry = ql_ledger_book_pay_order (fixture.book, fixture.orders, &request, &error);
  ck_assert_msg (retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_event_get_position (retry), ql_event_get_position (paid));
  fixture_clear (&fixture);
}
END_TEST

static QlEvent *
move (Fixture     *fixture,
      const char  *from,
      const char  *to,
      const char  *amount,
      const char  *currency,
      const char  *order_id,
      GError     **error)
{
  QlTransferRequest request = { from, to, amount, currency, order_id, "Rent", NULL };

  return ql_ledger_book_transfer_order (fixture->book, fixture->orders, &request, error);
}

START_TEST (test_transfer_order_once)
{
  Fixture fixture;
  g_autoptr(QlEvent) moved = NULL;
  g_autoptr(QlEvent) retry = NULL;
  g_autoptr(GError) error = NULL;
  gint64 head;

  fixture_init (&fixture);
  moved = move (&fixture, "Alice", "Bob", "30", "usd", "t-1", &error);
  ck_assert_msg (moved != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (ql_event_get_ledger (moved), "Alice");
  ck_assert_str_eq (ql_event_get_reference (moved), "t-1");
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "Alice"), 7000);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "Bob"), 8000);
  head = ql_test_head_position (fixture.store);

  /* The retry is the same transfer, written once; any other request
   * under its order id is refused. */
  retry = move (&fixture, "Alice", "Bob", "30.00", "USD", "t-1", &error);
  ck_assert_msg (retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_event_get_position (retry), ql_event_get_position (moved));
  assert_fails (move (&fixture, "Alice", "Bob", "31", "USD", "t-1", &fail_error),
                QL_LEDGER_ERROR_ORDER_TAKEN);
  assert_fails (move (&fixture, "Bob", "Alice", "30", "USD", "t-1", &fail_error),
                QL_LEDGER_ERROR_ORDER_TAKEN);
  assert_fails (pay (&fixture, "Alice", "30", "t-1", &fail_error), QL_LEDGER_ERROR_ORDER_TAKEN);
  ck_assert_int_eq (ql_test_head_position (fixture.store), head);

  /* A payment's order id is taken for transfers too. */
  assert_ok (ql_test_drop_event (pay (&fixture, "Alice", "1", "o-9", &ok_error)));
  head = ql_test_head_position (fixture.store);
  assert_fails (move (&fixture, "Alice", "Bob", "1", "USD", "o-9", &fail_error),
                QL_LEDGER_ERROR_ORDER_TAKEN);
  ck_assert_int_eq (ql_test_head_position (fixture.store), head);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_transfer_order_refusals)
{
  Fixture fixture;
  gint64 head;

  fixture_init (&fixture);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (fixture.book, "Euro", "EUR",
                                                              &ok_error)));
  head = ql_test_head_position (fixture.store);
  assert_fails (move (&fixture, "Alice", "Bob", "100.01", "USD", "t-2", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  assert_fails (move (&fixture, "Alice", "Bob", "1", "EUR", "t-2", &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  assert_fails (move (&fixture, "Alice", "Euro", "1", "USD", "t-2", &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  assert_fails (move (&fixture, "Alice", "Alice", "1", "USD", "t-2", &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (move (&fixture, "Alice", "Nobody", "1", "USD", "t-2", &fail_error),
                QL_LEDGER_ERROR_NOT_FOUND);
  assert_fails (move (&fixture, "Alice", "Bob", "-1", "USD", "t-2", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (move (&fixture, "Alice", "Bob", "1", "USD", "", &fail_error),
                QL_LEDGER_ERROR_INVALID_REFERENCE);
  ck_assert_int_eq (ql_test_head_position (fixture.store), head);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "Alice"), 10000);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "Bob"), 5000);

  /* Refusals leave the order id free. */
  assert_ok (ql_test_drop_event (move (&fixture, "Alice", "Bob", "1", "USD", "t-2", &ok_error)));
  fixture_clear (&fixture);
}
END_TEST

static Suite *
orders_suite (void)
{
  Suite *suite = suite_create ("QlLedgerBook orders");
  TCase *tc = tcase_create ("payments");

  tcase_add_test (tc, test_pay_order_once);
  tcase_add_test (tc, test_pay_order_refusals);
  tcase_add_test (tc, test_pay_orders_in_one_call);
  tcase_add_test (tc, test_order_of_a_ledger_another_book_made);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("transfers");
  tcase_add_test (tc, test_transfer_order_once);
  tcase_add_test (tc, test_transfer_order_refusals);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return ql_test_run (orders_suite (), NULL);
}
