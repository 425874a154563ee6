/* fuzz-payment-request.c: PaymentService requests from hostile bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever bytes a client sends as a PaymentRequest, the controller
 * answers exactly one way, and the answer tells the truth about the
 * store: SUCCESS names a stored payment of that order, which is new only
 * when the answer is its first; FAILED and errors store nothing. Every
 * stored payload stays JSON.
 */
#define G_LOG_DOMAIN "fuzz-payment-request"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payment.pb-c.h"
#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-payments-controller.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
ignore_message (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* The controller logs every refused payment; the fuzzer makes millions. */
  g_log_set_handler ("quote-ledger-payments", G_LOG_LEVEL_MESSAGE, ignore_message, NULL);
  return 0;
}

typedef struct
{
  gint64  position;
  char   *type;
  char   *payload;
} Found;

static gboolean
find_cb (const QlEventRecord *record,
         gpointer             user_data)
{
  Found *found = user_data;

  found->position = record->position;
  found->type = g_strdup (record->type);
  found->payload = g_strdup (record->payload);
  return FALSE;
}

static gint64
head_of (QlEventStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 head = ql_event_store_get_head_position (store, &error);

  if (error != NULL)
    abort ();
  return head;
}

/* The payment stored at @position is a withdrawal whose JSON names
 * @order_id. */
static void
check_payment (QlEventStore *store,
               gint64        position,
               const char   *order_id)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  Found found = { 0, NULL, NULL };
  JsonNode *root;

  if (position < 1 ||
      !ql_event_store_read_log (store, position, 1, find_cb, &found, NULL) ||
      found.position != position ||
      strcmp (found.type, QL_EVENT_WITHDRAWN) != 0 ||
      !json_parser_load_from_data (parser, found.payload, -1, NULL))
    abort ();
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root),
                                                             "reference", NULL),
                 order_id) != 0)
    abort ();
  g_free (found.type);
  g_free (found.payload);
}

/* Commands return the event they appended; setting up needs only to know
 * that they succeeded. */
static gboolean
succeeded (QlEvent *event)
{
  g_autoptr(QlEvent) appended = event;

  return appended != NULL;
}

static QlLedgerBook *
make_book (void)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_ledger_book_new (store, NULL);
  g_autoptr(QlEvent) paid = NULL;

  if (book == NULL ||
      !succeeded (ql_ledger_book_open_account (book, "user456", "USD", NULL)) ||
      !succeeded (ql_ledger_book_deposit (book, "user456", "1000", NULL)) ||
      !succeeded (ql_ledger_book_open_account (book, "yen", "JPY", NULL)) ||
      !succeeded (ql_ledger_book_deposit (book, "yen", "5000", NULL)) ||
      !succeeded (ql_ledger_book_create_item (book, "Laptop", "10", NULL)) ||
      (paid = ql_ledger_book_withdraw_for_reference (book, "user456", "10", "USD",
                                                     "order-1", NULL)) == NULL)
    abort ();
  return g_steal_pointer (&book);
}

static void
answer_once (QlPaymentsController *controller,
             QlEventStore         *store,
             GBytes               *request)
{
  g_autoptr(GBytes) response_bytes = NULL;
  g_autoptr(GError) error = NULL;
  Payment__PaymentRequest *decoded;
  Payment__PaymentResponse *response;
  gint64 head = head_of (store);
  gint64 position;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (request, &size);

  response_bytes = ql_payments_controller_handle_call (controller, QL_PAYMENTS_PROCESS_PAYMENT,
                                                       request, &error);
  if ((response_bytes == NULL) == (error == NULL))
    abort ();
  if (response_bytes == NULL)
    {
      if (head_of (store) != head)
        abort ();
      return;
    }

  bytes = g_bytes_get_data (response_bytes, &size);
  response = payment__payment_response__unpack (NULL, size, bytes);
  if (response == NULL)
    abort ();

  if (strcmp (response->status, "FAILED") == 0)
    {
      if (head_of (store) != head || *response->payment_id != '\0')
        abort ();
    }
  else if (strcmp (response->status, "SUCCESS") == 0)
    {
      bytes = g_bytes_get_data (request, &size);
      decoded = payment__payment_request__unpack (NULL, size, bytes);
      if (decoded == NULL ||
          sscanf (response->payment_id, "pay-%" G_GINT64_FORMAT, &position) != 1 ||
          head_of (store) < head || head_of (store) > head + 1 ||
          (head_of (store) == head + 1 && position != head + 1))
        abort ();
      check_payment (store, position, decoded->order_id);
      payment__payment_request__free_unpacked (decoded, NULL);
    }
  else
    abort ();

  payment__payment_response__free_unpacked (response, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(QlLedgerBook) book = make_book ();
  g_autoptr(QlPaymentsController) controller = ql_payments_controller_new (book);
  g_autoptr(GBytes) request = g_bytes_new (data, size);
  QlEventStore *store = ql_ledger_book_get_store (book);
  gint64 head;

  answer_once (controller, store, request);

  /* The same request again is a retry: it never stores a second event. */
  head = head_of (store);
  answer_once (controller, store, request);
  if (head_of (store) != head)
    abort ();

  return 0;
}
