/* test-payments-controller.c: PaymentService calls translated to the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <string.h>

#include "payment.pb-c.h"
#include "ql-grpc-server.h"
#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-payments-controller.h"
#include "ql-test-model.h"

typedef struct
{
  QlLedgerBook         *book;
  QlPaymentsController *controller;
} Fixture;

typedef struct
{
  char *payment_id;
  char *status;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_free (answer->payment_id);
  g_free (answer->status);
}

static void
fixture_init (Fixture *fixture)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(GError) error = NULL;

  fixture->book = ql_test_new_book (store);
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (fixture->book, "user456", "USD",
                                                              &error)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (fixture->book, "user456", "1000",
                                                         &error)));
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (fixture->book, "yen", "JPY",
                                                              &error)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (fixture->book, "yen", "5000", &error)));
  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (fixture->book, "Laptop", "10",
                                                             &error)));
  fixture->controller = ql_payments_controller_new (fixture->book);
}

static void
fixture_clear (Fixture *fixture)
{
  g_clear_object (&fixture->controller);
  g_clear_object (&fixture->book);
}

static GBytes *
pack_request (const char *order_id,
              double      amount,
              const char *currency,
              const char *user_id)
{
  Payment__PaymentRequest request = PAYMENT__PAYMENT_REQUEST__INIT;
  gsize size;
  guint8 *data;

  request.order_id = (char *) order_id;
  request.amount = amount;
  request.currency = (char *) currency;
  request.user_id = (char *) user_id;
  size = payment__payment_request__get_packed_size (&request);
  data = g_malloc (MAX (size, 1));
  payment__payment_request__pack (&request, data);
  return g_bytes_new_take (data, size);
}

static Answer
pay (Fixture    *fixture,
     const char *order_id,
     double      amount,
     const char *currency,
     const char *user_id)
{
  g_autoptr(GBytes) request = pack_request (order_id, amount, currency, user_id);
  g_autoptr(GBytes) response_bytes = NULL;
  g_autoptr(GError) error = NULL;
  Payment__PaymentResponse *response;
  Answer answer;
  gsize size = 0;
  const guint8 *data;

  response_bytes = ql_payments_controller_handle_call (fixture->controller,
                                                       QL_PAYMENTS_PROCESS_PAYMENT,
                                                       request, &error);
  ck_assert_ptr_null (error);
  ck_assert_ptr_nonnull (response_bytes);
  data = g_bytes_get_data (response_bytes, &size);
  response = payment__payment_response__unpack (NULL, size, data);
  ck_assert_ptr_nonnull (response);
  answer.payment_id = g_strdup (response->payment_id);
  answer.status = g_strdup (response->status);
  payment__payment_response__free_unpacked (response, NULL);
  return answer;
}

START_TEST (test_format_amount)
{
  static const struct { double amount; const char *text; } cases[] = {
    { 99.99, "99.99" },
    { 0.1, "0.1" },
    { 100, "100" },
    { 1000, "1000" },
    { 0.001, "0.001" },
    { 1e-05, "0.00001" },
    { 1e15, "1000000000000000" },
    { 1e21, "1000000000000000000000" },
    { 0.30000000000000004, "0.30000000000000004" },
    { -5, "-5" },
    { 0, "0" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ql_payments_controller_format_amount (cases[i].amount);

      ck_assert_str_eq (text, cases[i].text);
    }
}
END_TEST

START_TEST (test_format_amount_not_finite)
{
  g_autofree char *not_a_number = ql_payments_controller_format_amount (NAN);
  g_autofree char *infinite = ql_payments_controller_format_amount (INFINITY);
  g_autofree char *tiny = ql_payments_controller_format_amount (1e-30);

  ck_assert_str_eq (not_a_number, "nan");
  ck_assert_str_eq (infinite, "inf");
  ck_assert_ptr_nonnull (strchr (tiny, 'e'));
}
END_TEST

START_TEST (test_payment_succeeds)
{
  Fixture fixture;
  Answer answer;
  gint64 head;

  fixture_init (&fixture);
  head = ql_test_head_position (ql_ledger_book_get_store (fixture.book));

  answer = pay (&fixture, "order123", 99.99, "USD", "user456");
  ck_assert_str_eq (answer.status, "SUCCESS");
  ck_assert_str_ne (answer.payment_id, "");
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000 - 9999);
  ck_assert_int_eq (ql_test_head_position (ql_ledger_book_get_store (fixture.book)), head + 1);

  answer_clear (&answer);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_payment_records_order)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture;
  Answer answer;
  QlEvent *last;

  fixture_init (&fixture);
  answer = pay (&fixture, "order-7f3a", 12.5, "USD", "user456");
  ck_assert_str_eq (answer.status, "SUCCESS");

  events = ql_ledger_book_list_events (fixture.book, "user456", &error);
  ck_assert_ptr_nonnull (events);
  last = g_ptr_array_index (events, events->len - 1);
  ck_assert_str_eq (ql_event_get_event_type (last), QL_EVENT_WITHDRAWN);
  ck_assert_ptr_nonnull (strstr (ql_event_get_payload (last), "\"order-7f3a\""));

  answer_clear (&answer);
  fixture_clear (&fixture);
}
END_TEST

typedef struct
{
  const char *why;
  const char *order_id;
  double      amount;
  const char *currency;
  const char *user_id;
} Refused;

static const Refused refused[] = {
  { "unknown account", "o-1", 10, "USD", "nobody" },
  { "currency mismatch", "o-2", 10, "EUR", "user456" },
  { "currency of another account", "o-3", 10, "JPY", "user456" },
  { "insufficient funds", "o-4", 1000.01, "USD", "user456" },
  { "zero", "o-5", 0, "USD", "user456" },
  { "negative", "o-6", -5, "USD", "user456" },
  { "below the minor unit", "o-7", 0.001, "USD", "user456" },
  { "tiny", "o-8", 1e-05, "USD", "user456" },
  { "not a number", "o-9", NAN, "USD", "user456" },
  { "infinite", "o-10", INFINITY, "USD", "user456" },
  { "negative infinite", "o-11", -INFINITY, "USD", "user456" },
  { "overflow", "o-12", 1e300, "USD", "user456" },
  { "fraction of a yen", "o-13", 1.5, "JPY", "yen" },
  { "inventory item", "o-14", 1, "USD", "Laptop" },
  { "empty account name", "o-15", 1, "USD", "" },
  { "empty currency", "o-16", 1, "", "user456" },
  { "no order", "", 1, "USD", "user456" },
};

START_TEST (test_payment_fails)
{
  const Refused *r = &refused[_i];
  Fixture fixture;
  Answer answer;
  gint64 head;

  fixture_init (&fixture);
  head = ql_test_head_position (ql_ledger_book_get_store (fixture.book));

  answer = pay (&fixture, r->order_id, r->amount, r->currency, r->user_id);
  ck_assert_msg (g_str_equal (answer.status, "FAILED"), "%s: status %s", r->why, answer.status);
  ck_assert_str_eq (answer.payment_id, "");
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "yen"), 5000);
  ck_assert_int_eq (ql_test_head_position (ql_ledger_book_get_store (fixture.book)), head);

  answer_clear (&answer);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_failure_does_not_spend_order)
{
  Fixture fixture;
  Answer failed;
  Answer retried;

  fixture_init (&fixture);

  failed = pay (&fixture, "order-9", 5000, "USD", "user456");
  ck_assert_str_eq (failed.status, "FAILED");
  retried = pay (&fixture, "order-9", 50, "USD", "user456");
  ck_assert_str_eq (retried.status, "SUCCESS");
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 95000);

  answer_clear (&failed);
  answer_clear (&retried);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_same_order_charged_once)
{
  Fixture fixture;
  Answer first;
  Answer retry;
  Answer other;
  gint64 head;

  fixture_init (&fixture);

  first = pay (&fixture, "order123", 99.99, "USD", "user456");
  head = ql_test_head_position (ql_ledger_book_get_store (fixture.book));
  retry = pay (&fixture, "order123", 99.99, "USD", "user456");
  ck_assert_str_eq (first.status, "SUCCESS");
  ck_assert_str_eq (retry.status, "SUCCESS");
  ck_assert_str_eq (retry.payment_id, first.payment_id);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000 - 9999);
  ck_assert_int_eq (ql_test_head_position (ql_ledger_book_get_store (fixture.book)), head);

  other = pay (&fixture, "order124", 99.99, "USD", "user456");
  ck_assert_str_eq (other.status, "SUCCESS");
  ck_assert_str_ne (other.payment_id, first.payment_id);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000 - 2 * 9999);

  answer_clear (&first);
  answer_clear (&retry);
  answer_clear (&other);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_malformed_request)
{
  /* A truncated field, then a field number 0: neither is protobuf. */
  static const guint8 garbage[][4] = { { 0x0a, 0x05, 'a', 'b' }, { 0x00, 0x00, 0x00, 0x00 } };
  Fixture fixture;

  fixture_init (&fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GBytes) request = g_bytes_new_static (garbage[i], sizeof garbage[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) response = NULL;

      response = ql_payments_controller_handle_call (fixture.controller,
                                                     QL_PAYMENTS_PROCESS_PAYMENT,
                                                     request, &error);
      ck_assert_ptr_null (response);
      ck_assert (g_error_matches (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT));
    }
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000);

  fixture_clear (&fixture);
}
END_TEST

static GError *
call_error (Fixture *fixture,
            GBytes  *request)
{
  g_autoptr(GBytes) response = NULL;
  GError *error = NULL;

  response = ql_payments_controller_handle_call (fixture->controller,
                                                 QL_PAYMENTS_PROCESS_PAYMENT,
                                                 request, &error);
  ck_assert_ptr_null (response);
  ck_assert_ptr_nonnull (error);
  return error;
}

START_TEST (test_empty_bytes)
{
  g_autoptr(GBytes) request = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture;

  fixture_init (&fixture);
  response = ql_payments_controller_handle_call (fixture.controller,
                                                 QL_PAYMENTS_PROCESS_PAYMENT,
                                                 request, &error);
  ck_assert_ptr_nonnull (response);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_hostile_strings)
{
  /* order_id "A\0one", then an order id of bytes FF FE, then a user id
   * of 1025 bytes. */
  static const guint8 nul[] = { 0x0a, 0x05, 'A', 0, 'o', 'n', 'e' };
  static const guint8 not_utf8[] = { 0x0a, 0x02, 0xff, 0xfe };
  g_autofree guint8 *long_user = g_malloc (1028);
  Fixture fixture;
  gint64 head;

  fixture_init (&fixture);
  head = ql_test_head_position (ql_ledger_book_get_store (fixture.book));
  long_user[0] = 0x22;
  long_user[1] = 0x81;
  long_user[2] = 0x08;
  memset (long_user + 3, 'u', 1025);

  {
    g_autoptr(GBytes) request = g_bytes_new_static (nul, sizeof nul);
    g_autoptr(GError) error = call_error (&fixture, request);

    ck_assert (g_error_matches (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT));
    ck_assert_ptr_nonnull (strstr (error->message, "NUL"));
  }
  {
    g_autoptr(GBytes) request = g_bytes_new_static (not_utf8, sizeof not_utf8);
    g_autoptr(GError) error = call_error (&fixture, request);

    ck_assert (g_error_matches (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT));
    ck_assert_ptr_nonnull (strstr (error->message, "UTF-8"));
  }
  {
    g_autoptr(GBytes) request = g_bytes_new_static (long_user, 1028);
    g_autoptr(GError) error = call_error (&fixture, request);

    ck_assert (g_error_matches (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT));
    ck_assert_ptr_nonnull (strstr (error->message, "1024"));
  }
  ck_assert_int_eq (ql_test_head_position (ql_ledger_book_get_store (fixture.book)), head);

  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_reused_order_already_exists)
{
  g_autoptr(GBytes) other_amount = pack_request ("order123", 5, "USD", "user456");
  g_autoptr(GBytes) other_account = pack_request ("order123", 99.99, "JPY", "yen");
  g_autoptr(GError) amount_error = NULL;
  g_autoptr(GError) account_error = NULL;
  Fixture fixture;
  Answer first;
  Answer retry;
  gint64 head;

  fixture_init (&fixture);
  first = pay (&fixture, "order123", 99.99, "USD", "user456");
  ck_assert_str_eq (first.status, "SUCCESS");
  head = ql_test_head_position (ql_ledger_book_get_store (fixture.book));

  amount_error = call_error (&fixture, other_amount);
  account_error = call_error (&fixture, other_account);
  ck_assert (g_error_matches (amount_error, QL_GRPC_ERROR, QL_GRPC_ERROR_ALREADY_EXISTS));
  ck_assert (g_error_matches (account_error, QL_GRPC_ERROR, QL_GRPC_ERROR_ALREADY_EXISTS));
  ck_assert_int_eq (ql_test_head_position (ql_ledger_book_get_store (fixture.book)), head);

  retry = pay (&fixture, "order123", 99.99, "USD", "user456");
  ck_assert_str_eq (retry.status, "SUCCESS");
  ck_assert_str_eq (retry.payment_id, first.payment_id);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "yen"), 5000);

  answer_clear (&first);
  answer_clear (&retry);
  fixture_clear (&fixture);
}
END_TEST

/* A Transfer call: the transfer id answered, or NULL with @error set. */
static char *
transfer (Fixture     *fixture,
          const char  *order_id,
          double       amount,
          const char  *currency,
          const char  *from,
          const char  *to,
          GError     **error)
{
  Payment__TransferRequest request = PAYMENT__TRANSFER_REQUEST__INIT;
  g_autoptr(GBytes) request_bytes = NULL;
  g_autoptr(GBytes) response_bytes = NULL;
  Payment__TransferResponse *response;
  char *transfer_id;
  gsize size;
  guint8 *data;

  request.order_id = (char *) order_id;
  request.amount = amount;
  request.currency = (char *) currency;
  request.from_account = (char *) from;
  request.to_account = (char *) to;
  request.memo = (char *) "rent";
  size = payment__transfer_request__get_packed_size (&request);
  data = g_malloc (MAX (size, 1));
  payment__transfer_request__pack (&request, data);
  request_bytes = g_bytes_new_take (data, size);

  response_bytes = ql_payments_controller_handle_call (fixture->controller, QL_PAYMENTS_TRANSFER,
                                                       request_bytes, error);
  if (response_bytes == NULL)
    {
      ck_assert (error == NULL || *error != NULL);
      return NULL;
    }
  data = (guint8 *) g_bytes_get_data (response_bytes, &size);
  response = payment__transfer_response__unpack (NULL, size, data);
  ck_assert_ptr_nonnull (response);
  ck_assert_str_eq (response->status, "SUCCESS");
  transfer_id = g_strdup (response->transfer_id);
  payment__transfer_response__free_unpacked (response, NULL);
  return transfer_id;
}

static void
open_savings (Fixture *fixture)
{
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (fixture->book, "savings", "USD",
                                                              NULL)));
}

START_TEST (test_transfer_moves_once)
{
  QlEventStore *store;
  g_autofree char *first = NULL;
  g_autofree char *retry = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture;
  gint64 head;

  fixture_init (&fixture);
  open_savings (&fixture);
  store = ql_ledger_book_get_store (fixture.book);

  first = transfer (&fixture, "move-1", 250.5, "USD", "user456", "savings", &error);
  ck_assert_msg (first != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 74950);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "savings"), 25050);
  head = ql_test_head_position (store);

  /* The same request again: the same transfer, nothing written. */
  retry = transfer (&fixture, "move-1", 250.5, "USD", "user456", "savings", &error);
  ck_assert_msg (retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (retry, first);
  ck_assert_int_eq (ql_test_head_position (store), head);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "savings"), 25050);

  fixture_clear (&fixture);
}
END_TEST

/* Each status a transfer can be refused with, and what makes it. */
static const struct
{
  const char  *order_id;
  double       amount;
  const char  *currency;
  const char  *from;
  const char  *to;
  QlGrpcError  code;
} refused_transfers[] = {
  { "t", 1, "USD", "nobody", "savings", QL_GRPC_ERROR_NOT_FOUND },
  { "t", 1, "USD", "user456", "nobody", QL_GRPC_ERROR_NOT_FOUND },
  { "t", 1000.01, "USD", "user456", "savings", QL_GRPC_ERROR_FAILED_PRECONDITION },
  { "t", 1, "JPY", "user456", "savings", QL_GRPC_ERROR_FAILED_PRECONDITION },
  { "t", 1, "USD", "user456", "yen", QL_GRPC_ERROR_FAILED_PRECONDITION },
  { "t", 1, "USD", "Laptop", "savings", QL_GRPC_ERROR_FAILED_PRECONDITION },
  { "t", 0, "USD", "user456", "savings", QL_GRPC_ERROR_INVALID_ARGUMENT },
  { "t", -5, "USD", "user456", "savings", QL_GRPC_ERROR_INVALID_ARGUMENT },
  { "t", 0.001, "USD", "user456", "savings", QL_GRPC_ERROR_INVALID_ARGUMENT },
  { "t", 1, "USD", "user456", "user456", QL_GRPC_ERROR_INVALID_ARGUMENT },
  { "", 1, "USD", "user456", "savings", QL_GRPC_ERROR_INVALID_ARGUMENT },
  { "t", 1, "", "user456", "savings", QL_GRPC_ERROR_INVALID_ARGUMENT },
  { "t", 1, "USD", "", "savings", QL_GRPC_ERROR_INVALID_ARGUMENT },
  { "t", 1, "USD", "user456", "", QL_GRPC_ERROR_INVALID_ARGUMENT },
};

START_TEST (test_transfer_refused)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;
  Fixture fixture;
  gint64 head;

  fixture_init (&fixture);
  open_savings (&fixture);
  head = ql_test_head_position (ql_ledger_book_get_store (fixture.book));

  moved = transfer (&fixture, refused_transfers[_i].order_id, refused_transfers[_i].amount,
                    refused_transfers[_i].currency, refused_transfers[_i].from,
                    refused_transfers[_i].to, &error);
  ck_assert_ptr_null (moved);
  ck_assert_msg (g_error_matches (error, QL_GRPC_ERROR, refused_transfers[_i].code),
                 "case %d: expected status %d, got %s", _i, refused_transfers[_i].code,
                 error != NULL ? error->message : "a transfer");
  /* A refusal, overdrawing first, writes nothing. */
  ck_assert_int_eq (ql_test_head_position (ql_ledger_book_get_store (fixture.book)), head);
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000);

  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_transfer_reused_order_already_exists)
{
  g_autoptr(GBytes) reused = pack_request ("move-1", 10, "USD", "user456");
  g_autoptr(GError) amount_error = NULL;
  g_autoptr(GError) payment_error = NULL;
  g_autoptr(GError) paid_error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *other = NULL;
  g_autofree char *after_payment = NULL;
  Fixture fixture;
  Answer paid;
  gint64 head;

  fixture_init (&fixture);
  open_savings (&fixture);
  first = transfer (&fixture, "move-1", 10, "USD", "user456", "savings", NULL);
  ck_assert_ptr_nonnull (first);
  paid = pay (&fixture, "order-1", 5, "USD", "user456");
  ck_assert_str_eq (paid.status, "SUCCESS");
  head = ql_test_head_position (ql_ledger_book_get_store (fixture.book));

  other = transfer (&fixture, "move-1", 11, "USD", "user456", "savings", &amount_error);
  after_payment = transfer (&fixture, "order-1", 5, "USD", "user456", "savings", &paid_error);
  ck_assert_ptr_null (other);
  ck_assert_ptr_null (after_payment);
  ck_assert (g_error_matches (amount_error, QL_GRPC_ERROR, QL_GRPC_ERROR_ALREADY_EXISTS));
  ck_assert (g_error_matches (paid_error, QL_GRPC_ERROR, QL_GRPC_ERROR_ALREADY_EXISTS));
  /* A payment under a transfer's order id is refused the same way. */
  payment_error = call_error (&fixture, reused);
  ck_assert (g_error_matches (payment_error, QL_GRPC_ERROR, QL_GRPC_ERROR_ALREADY_EXISTS));
  ck_assert_int_eq (ql_test_head_position (ql_ledger_book_get_store (fixture.book)), head);

  answer_clear (&paid);
  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_transfer_malformed)
{
  static const guint8 garbage[] = { 0x0a, 0x05, 'a', 'b' };
  g_autoptr(GBytes) request = g_bytes_new_static (garbage, sizeof garbage);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *memo = g_strnfill (QL_PAYMENTS_MEMO_MAX_BYTES + 1, 'm');
  Payment__TransferRequest long_memo = PAYMENT__TRANSFER_REQUEST__INIT;
  g_autoptr(GBytes) long_request = NULL;
  g_autoptr(GError) long_error = NULL;
  g_autoptr(GBytes) long_response = NULL;
  gsize size;
  guint8 *data;
  Fixture fixture;

  fixture_init (&fixture);
  open_savings (&fixture);
  response = ql_payments_controller_handle_call (fixture.controller, QL_PAYMENTS_TRANSFER,
                                                 request, &error);
  ck_assert_ptr_null (response);
  ck_assert (g_error_matches (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT));

  long_memo.order_id = (char *) "m";
  long_memo.amount = 1;
  long_memo.currency = (char *) "USD";
  long_memo.from_account = (char *) "user456";
  long_memo.to_account = (char *) "savings";
  long_memo.memo = memo;
  size = payment__transfer_request__get_packed_size (&long_memo);
  data = g_malloc (size);
  payment__transfer_request__pack (&long_memo, data);
  long_request = g_bytes_new_take (data, size);
  long_response = ql_payments_controller_handle_call (fixture.controller, QL_PAYMENTS_TRANSFER,
                                                      long_request, &long_error);
  ck_assert_ptr_null (long_response);
  ck_assert (g_error_matches (long_error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT));
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000);

  fixture_clear (&fixture);
}
END_TEST

START_TEST (test_unknown_method)
{
  g_autoptr(GBytes) request = pack_request ("order123", 1, "USD", "user456");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) response = NULL;
  Fixture fixture;

  fixture_init (&fixture);

  response = ql_payments_controller_handle_call (fixture.controller,
                                                 "/payment.PaymentService/Refund",
                                                 request, &error);
  ck_assert_ptr_null (response);
  ck_assert (g_error_matches (error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNIMPLEMENTED));
  ck_assert_int_eq (ql_test_balance_of (fixture.book, "user456"), 100000);

  fixture_clear (&fixture);
}
END_TEST

static Suite *
payments_controller_suite (void)
{
  Suite *suite = suite_create ("QlPaymentsController");
  TCase *tc;

  tc = tcase_create ("format-amount");
  tcase_add_test (tc, test_format_amount);
  tcase_add_test (tc, test_format_amount_not_finite);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("payment-succeeds");
  tcase_add_test (tc, test_payment_succeeds);
  tcase_add_test (tc, test_payment_records_order);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("payment-fails");
  tcase_add_loop_test (tc, test_payment_fails, 0, G_N_ELEMENTS (refused));
  tcase_add_test (tc, test_failure_does_not_spend_order);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("idempotent");
  tcase_add_test (tc, test_same_order_charged_once);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("bad-calls");
  tcase_add_test (tc, test_malformed_request);
  tcase_add_test (tc, test_unknown_method);
  tcase_add_test (tc, test_empty_bytes);
  tcase_add_test (tc, test_hostile_strings);
  tcase_add_test (tc, test_reused_order_already_exists);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("transfers");
  tcase_add_test (tc, test_transfer_moves_once);
  tcase_add_loop_test (tc, test_transfer_refused, 0, G_N_ELEMENTS (refused_transfers));
  tcase_add_test (tc, test_transfer_reused_order_already_exists);
  tcase_add_test (tc, test_transfer_malformed);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run (payments_controller_suite (), NULL);
}
