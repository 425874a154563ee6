/* ql-payments-controller.c: the PaymentService's calls, translated to the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-payments"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "payment.pb-c.h"
#include "ql-grpc-server.h"
#include "ql-ledger-events.h"
#include "ql-payments-controller.h"
#include "ql-reference-index.h"

/* The status texts of the seed's PaymentResponse. */
#define STATUS_SUCCESS "SUCCESS"
#define STATUS_FAILED  "FAILED"

static void
request_free (Payment__PaymentRequest *request)
{
  payment__payment_request__free_unpacked (request, NULL);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Payment__PaymentRequest, request_free)

static void
transfer_request_free (Payment__TransferRequest *request)
{
  payment__transfer_request__free_unpacked (request, NULL);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Payment__TransferRequest, transfer_request_free)

/* No currency has more decimals than this; an amount that needs more digits
 * to round-trip is passed on in exponent form, which the model refuses. */
#define MAX_FRACTION_DIGITS 20

struct _QlPaymentsController
{
  GObject parent_instance;

  QlLedgerBook     *book;
  /* Every order paid, by id: an order id names one payment in the whole
   * service, whichever account it was drawn from. */
  QlReferenceIndex *orders;
};

G_DEFINE_TYPE (QlPaymentsController, ql_payments_controller, G_TYPE_OBJECT)

static void
ql_payments_controller_dispose (GObject *object)
{
  QlPaymentsController *self = QL_PAYMENTS_CONTROLLER (object);

  g_clear_object (&self->book);
  g_clear_object (&self->orders);

  G_OBJECT_CLASS (ql_payments_controller_parent_class)->dispose (object);
}

static void
ql_payments_controller_class_init (QlPaymentsControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_payments_controller_dispose;
}

static void
ql_payments_controller_init (QlPaymentsController *self)
{
}

/**
 * ql_payments_controller_new:
 * @book: the ledgers that payments are drawn from
 *
 * Returns: (transfer full): a controller that answers PaymentService calls
 *   from the ledgers of @book
 */
QlPaymentsController *
ql_payments_controller_new (QlLedgerBook *book)
{
  QlPaymentsController *self;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (book), NULL);

  self = g_object_new (QL_TYPE_PAYMENTS_CONTROLLER, NULL);
  self->book = g_object_ref (book);
  self->orders = ql_reference_index_new (ql_ledger_book_get_store (book));
  /* Paid orders are read now rather than on the first call, which has a
   * client waiting; should the store fail, every call tries again. */
  ql_reference_index_update (self->orders, NULL);
  return self;
}

/**
 * ql_payments_controller_format_amount:
 * @amount: an amount as the protocol's double carries it
 *
 * Writes @amount as the shortest plain decimal that reads back as the same
 * double, so that `99.99` becomes "99.99" and the model parses the amount
 * the client meant. NaN, infinities and amounts needing more decimals than
 * any currency has come out in a form the model refuses.
 *
 * Returns: (transfer full): the amount as text
 */
char *
ql_payments_controller_format_amount (double amount)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE + 320];

  for (guint digits = 0; isfinite (amount) && digits <= MAX_FRACTION_DIGITS; digits++)
    {
      char format[16];

      g_snprintf (format, sizeof format, "%%.%uf", digits);
      g_ascii_formatd (text, sizeof text, format, amount);
      if (g_ascii_strtod (text, NULL) == amount)
        return g_strdup (text);
    }

  return g_strdup (g_ascii_dtostr (text, sizeof text, amount));
}

static GBytes *
pack_response (const char *payment_id,
               const char *status)
{
  Payment__PaymentResponse response = PAYMENT__PAYMENT_RESPONSE__INIT;
  gsize size;
  guint8 *data;

  response.payment_id = (char *) payment_id;
  response.status = (char *) status;
  size = payment__payment_response__get_packed_size (&response);
  data = g_malloc (MAX (size, 1));
  payment__payment_response__pack (&response, data);
  return g_bytes_new_take (data, size);
}

/* The string fields of a request message, as the wire carries them. */
typedef struct
{
  guint       field;
  const char *what;
  gsize       max_bytes;
} StringField;

static const StringField payment_fields[] = {
  { 1, N_("order id"), QL_PAYMENTS_ORDER_ID_MAX_BYTES },
  { 3, N_("currency"), QL_PAYMENTS_CURRENCY_MAX_BYTES },
  { 4, N_("user id"), QL_PAYMENTS_USER_ID_MAX_BYTES },
  { 0, NULL, 0 },
};

static const StringField transfer_fields[] = {
  { 1, N_("order id"), QL_PAYMENTS_ORDER_ID_MAX_BYTES },
  { 3, N_("currency"), QL_PAYMENTS_CURRENCY_MAX_BYTES },
  { 4, N_("from account"), QL_PAYMENTS_USER_ID_MAX_BYTES },
  { 5, N_("to account"), QL_PAYMENTS_USER_ID_MAX_BYTES },
  { 6, N_("payee"), QL_PAYMENTS_PAYEE_MAX_BYTES },
  { 7, N_("memo"), QL_PAYMENTS_MEMO_MAX_BYTES },
  { 0, NULL, 0 },
};

static gboolean
read_varint (const guint8 **p,
             const guint8  *end,
             guint64       *out_value)
{
  guint64 value = 0;

  for (guint shift = 0; shift < 64 && *p < end; shift += 7)
    {
      guint8 byte = *(*p)++;

      value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        {
          *out_value = value;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
check_string_field (const StringField  *field,
                    const guint8       *data,
                    gsize               size,
                    GError            **error)
{
  if (size > field->max_bytes)
    {
      g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                   _("The %s is %lu bytes long; it can be at most %lu bytes"),
                   _(field->what), (gulong) size, (gulong) field->max_bytes);
      return FALSE;
    }
  /* protobuf-c hands strings over NUL-terminated: "A\0one" would become
   * "A", another request's key. */
  if (memchr (data, '\0', size) != NULL)
    {
      g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                   _("The %s holds a NUL byte"), _(field->what));
      return FALSE;
    }
  /* Protocol Buffers strings are UTF-8; other implementations refuse
   * anything else while parsing, and protobuf-c does not check. */
  if (!g_utf8_validate_len ((const char *) data, size, NULL))
    {
      g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                   _("The %s is not valid UTF-8"), _(field->what));
      return FALSE;
    }
  return TRUE;
}

/* Walks the request's fields as sent and checks every occurrence of a
 * string field of @fields before anything is decoded or looked up: its
 * byte length first, then NUL bytes, then UTF-8. */
static gboolean
check_request_strings (const guint8       *data,
                       gsize               size,
                       const StringField  *fields,
                       const char         *malformed_message,
                       GError            **error)
{
  const guint8 *p = data;
  const guint8 *end = size > 0 ? data + size : data;

  while (p < end)
    {
      guint64 tag;
      guint64 length;

      if (!read_varint (&p, end, &tag))
        goto malformed;

      switch (tag & 7)
        {
        case 0:
          if (!read_varint (&p, end, &length))
            goto malformed;
          break;

        case 1:
        case 5:
          length = (tag & 7) == 1 ? 8 : 4;
          if ((guint64) (end - p) < length)
            goto malformed;
          p += length;
          break;

        case 2:
          if (!read_varint (&p, end, &length) || (guint64) (end - p) < length)
            goto malformed;
          for (const StringField *field = fields; field->what != NULL; field++)
            if (tag >> 3 == field->field && !check_string_field (field, p, length, error))
              return FALSE;
          p += length;
          break;

        default:
          goto malformed;
        }
    }
  return TRUE;

malformed:
  g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT, malformed_message);
  return FALSE;
}

/* Refusals by the ledgers' rules: nothing was written, and the same
 * request would be refused again. */
static gboolean
is_business_refusal (const GError *error)
{
  return error->domain == QL_LEDGER_ERROR && error->code != QL_LEDGER_ERROR_BUSY &&
         error->code != QL_LEDGER_ERROR_ORDER_TAKEN;
}

/* The status of a payment that failed for another reason than the rules:
 * ALREADY_EXISTS for an order id another request took, retryable for the
 * store's troubles, INVALID_ARGUMENT for checks of the request's text
 * made outside the ledgers' rules. */
static void
set_call_error (const GError  *cause,
                GError       **error)
{
  QlGrpcError code = QL_GRPC_ERROR_INVALID_ARGUMENT;

  if (g_error_matches (cause, QL_LEDGER_ERROR, QL_LEDGER_ERROR_ORDER_TAKEN))
    code = QL_GRPC_ERROR_ALREADY_EXISTS;
  else if (g_error_matches (cause, QL_LEDGER_ERROR, QL_LEDGER_ERROR_BUSY) ||
           g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT))
    code = QL_GRPC_ERROR_ABORTED;
  else if (g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT) ||
           g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_TOO_NEW))
    code = QL_GRPC_ERROR_INTERNAL;
  else if (cause->domain == QL_STORE_ERROR)
    code = QL_GRPC_ERROR_UNAVAILABLE;

  g_set_error_literal (error, QL_GRPC_ERROR, code, cause->message);
}

/* A payment call read and checked, for the model's order rule. */
typedef struct
{
  Payment__PaymentRequest *request;
  char                    *amount;
} PaymentCall;

static void
payment_call_clear (PaymentCall *call)
{
  g_clear_pointer (&call->request, request_free);
  g_clear_pointer (&call->amount, g_free);
}

/* Reads and checks a payment call: TRUE with @call filled, FALSE with
 * @error set. */
static gboolean
read_payment (GBytes       *request_bytes,
              PaymentCall  *call,
              GError      **error)
{
  g_autoptr(Payment__PaymentRequest) request = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (request_bytes, &size);

  if (!check_request_strings (data, size, payment_fields,
                              _("The request is not a valid PaymentRequest message"), error))
    return FALSE;

  request = payment__payment_request__unpack (NULL, size, data);
  if (request == NULL)
    {
      g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                           _("The request is not a valid PaymentRequest message"));
      return FALSE;
    }

  call->amount = ql_payments_controller_format_amount (request->amount);
  call->request = g_steal_pointer (&request);
  return TRUE;
}

static QlPaymentRequest
payment_request (const PaymentCall *call)
{
  return (QlPaymentRequest) { call->request->user_id, call->amount, call->request->currency,
                              call->request->order_id };
}

/* Answers a payment call from the model's answer to its order. */
static GBytes *
answer_payment (const PaymentCall  *call,
                QlEvent            *payment,
                const GError       *payment_error,
                GError            **error)
{
  Payment__PaymentRequest *request = call->request;
  g_autofree char *payment_id = NULL;

  if (payment != NULL)
    {
      payment_id = g_strdup_printf ("pay-%" G_GINT64_FORMAT, ql_event_get_position (payment));
      return pack_response (payment_id, STATUS_SUCCESS);
    }

  if (is_business_refusal (payment_error))
    {
      g_message (_("Payment of %s %s from “%s” for order “%s” failed: %s"),
                 call->amount, request->currency, request->user_id, request->order_id,
                 payment_error->message);
      return pack_response ("", STATUS_FAILED);
    }

  if (!g_error_matches (payment_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_ORDER_TAKEN))
    g_message (_("Payment of %s %s from “%s” for order “%s” was not made: %s"),
               call->amount, request->currency, request->user_id, request->order_id,
               payment_error->message);
  set_call_error (payment_error, error);
  return NULL;
}

static GBytes *
process_payment (QlPaymentsController  *self,
                 GBytes                *request_bytes,
                 GError               **error)
{
  PaymentCall call = { NULL, NULL };
  g_autoptr(QlEvent) event = NULL;
  g_autoptr(GError) payment_error = NULL;
  QlPaymentRequest payment;
  GBytes *response;

  if (!read_payment (request_bytes, &call, error))
    return NULL;

  payment = payment_request (&call);
  event = ql_ledger_book_pay_order (self->book, self->orders, &payment, &payment_error);
  response = answer_payment (&call, event, payment_error, error);
  payment_call_clear (&call);
  return response;
}

static GBytes *
pack_transfer_response (const char *transfer_id)
{
  Payment__TransferResponse response = PAYMENT__TRANSFER_RESPONSE__INIT;
  gsize size;
  guint8 *data;

  response.transfer_id = (char *) transfer_id;
  response.status = (char *) STATUS_SUCCESS;
  size = payment__transfer_response__get_packed_size (&response);
  data = g_malloc (MAX (size, 1));
  payment__transfer_response__pack (&response, data);
  return g_bytes_new_take (data, size);
}

/* A transfer's outcome as a gRPC status: the client of a transfer gets
 * the rule that refused it as a status code of its own. */
static void
set_transfer_error (const GError  *cause,
                    GError       **error)
{
  if (cause->domain != QL_LEDGER_ERROR || cause->code == QL_LEDGER_ERROR_BUSY ||
      cause->code == QL_LEDGER_ERROR_ORDER_TAKEN)
    {
      set_call_error (cause, error);
      return;
    }

  switch ((QlLedgerError) cause->code)
    {
    case QL_LEDGER_ERROR_NOT_FOUND:
      g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_NOT_FOUND, cause->message);
      break;
    case QL_LEDGER_ERROR_INSUFFICIENT_FUNDS:
    case QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY:
    case QL_LEDGER_ERROR_INVALID_CURRENCY:
    case QL_LEDGER_ERROR_WRONG_KIND:
      g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_FAILED_PRECONDITION,
                           cause->message);
      break;
    default:
      g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT, cause->message);
      break;
    }
}

/* The fields a transfer cannot go without, in the order they are named
 * when missing. */
static gboolean
check_transfer_fields (const Payment__TransferRequest  *request,
                       GError                         **error)
{
  const struct { const char *value; const char *what; } required[] = {
    { request->order_id, N_("order id") },
    { request->from_account, N_("from account") },
    { request->to_account, N_("to account") },
    { request->currency, N_("currency") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    if (*required[i].value == '\0')
      {
        g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                     _("The transfer has no %s"), _(required[i].what));
        return FALSE;
      }
  return TRUE;
}

static GBytes *
process_transfer (QlPaymentsController  *self,
                  GBytes                *request_bytes,
                  GError               **error)
{
  g_autoptr(Payment__TransferRequest) request = NULL;
  g_autoptr(QlEvent) event = NULL;
  g_autoptr(GError) transfer_error = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *transfer_id = NULL;
  QlTransferRequest transfer;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (request_bytes, &size);

  if (!check_request_strings (data, size, transfer_fields,
                              _("The request is not a valid TransferRequest message"), error))
    return NULL;
  request = payment__transfer_request__unpack (NULL, size, data);
  if (request == NULL)
    {
      g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                           _("The request is not a valid TransferRequest message"));
      return NULL;
    }
  if (!check_transfer_fields (request, error))
    return NULL;

  amount = ql_payments_controller_format_amount (request->amount);
  transfer = (QlTransferRequest) {
    request->from_account, request->to_account, amount, request->currency, request->order_id,
    *request->payee != '\0' ? request->payee : NULL,
    *request->memo != '\0' ? request->memo : NULL,
  };
  event = ql_ledger_book_transfer_order (self->book, self->orders, &transfer, &transfer_error);
  if (event == NULL)
    {
      g_message (_("Transfer of %s %s from “%s” to “%s” for order “%s” was not made: %s"),
                 amount, request->currency, request->from_account, request->to_account,
                 request->order_id, transfer_error->message);
      set_transfer_error (transfer_error, error);
      return NULL;
    }

  transfer_id = ql_event_dup_transfer (event);
  return pack_transfer_response (transfer_id);
}

/**
 * ql_payments_controller_handle_call:
 * @self: a #QlPaymentsController
 * @method: the gRPC method path
 * @request: the serialized request message
 * @error: return location for a #GError in the %QL_GRPC_ERROR domain
 *
 * Answers one call of the PaymentService. A payment answered `SUCCESS` is
 * stored; one the ledgers' rules refuse is answered `FAILED` and changes
 * nothing. Errors change nothing either: a request that cannot be read or
 * breaks a limit (%QL_GRPC_ERROR_INVALID_ARGUMENT), an order id already
 * paid by another request (%QL_GRPC_ERROR_ALREADY_EXISTS), a store that is
 * busy or failing (%QL_GRPC_ERROR_UNAVAILABLE, %QL_GRPC_ERROR_ABORTED:
 * retry), an unknown method. A transfer answered is stored; one refused
 * changes nothing and is told by its status: %QL_GRPC_ERROR_NOT_FOUND,
 * %QL_GRPC_ERROR_FAILED_PRECONDITION (it would overdraw, or the currency
 * or the kind of ledger does not match), %QL_GRPC_ERROR_INVALID_ARGUMENT,
 * or the statuses of a payment for a reused order id or the store.
 *
 * Returns: (transfer full): the serialized response, or %NULL with @error set
 */
GBytes *
ql_payments_controller_handle_call (QlPaymentsController  *self,
                                    const char            *method,
                                    GBytes                *request,
                                    GError               **error)
{
  g_return_val_if_fail (QL_IS_PAYMENTS_CONTROLLER (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_strcmp0 (method, QL_PAYMENTS_PROCESS_PAYMENT) == 0)
    return process_payment (self, request, error);
  if (g_strcmp0 (method, QL_PAYMENTS_TRANSFER) == 0)
    return process_transfer (self, request, error);

  g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNIMPLEMENTED,
               _("No method “%s” in this service"), method);
  return NULL;
}

/**
 * ql_payments_controller_handle_calls:
 * @self: a #QlPaymentsController
 * @n_calls: how many calls
 * @methods: (array length=n_calls): each call's gRPC method path
 * @requests: (array length=n_calls): each call's serialized request
 * @out_responses: (array length=n_calls): where each serialized response
 *   goes, or %NULL
 * @out_errors: (array length=n_calls): where each error goes, in the
 *   %QL_GRPC_ERROR domain, or %NULL; every location %NULL on entry
 *
 * Answers calls that wait together, each as
 * ql_payments_controller_handle_call() answers it. The payments among
 * them are answered together by ql_ledger_book_pay_orders(): the
 * withdrawals are stored with one flush to disk, and each call is
 * answered only once its own outcome is known and, when it is a
 * success, durable.
 */
void
ql_payments_controller_handle_calls (QlPaymentsController  *self,
                                     guint                  n_calls,
                                     const char * const    *methods,
                                     GBytes * const        *requests,
                                     GBytes               **out_responses,
                                     GError               **out_errors)
{
  g_autoptr(GArray) paying = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree PaymentCall *calls = NULL;
  g_autofree QlPaymentRequest *payments = NULL;
  g_autofree QlEvent **events = NULL;
  g_autofree GError **errors = NULL;

  g_return_if_fail (QL_IS_PAYMENTS_CONTROLLER (self));
  g_return_if_fail (n_calls == 0 || (methods != NULL && requests != NULL &&
                                     out_responses != NULL && out_errors != NULL));

  calls = g_new0 (PaymentCall, MAX (n_calls, 1));
  for (guint i = 0; i < n_calls; i++)
    {
      out_responses[i] = NULL;
      if (g_strcmp0 (methods[i], QL_PAYMENTS_PROCESS_PAYMENT) != 0)
        out_responses[i] = ql_payments_controller_handle_call (self, methods[i], requests[i],
                                                               &out_errors[i]);
      else if (read_payment (requests[i], &calls[i], &out_errors[i]))
        g_array_append_val (paying, i);
    }

  payments = g_new0 (QlPaymentRequest, MAX (paying->len, 1));
  events = g_new0 (QlEvent *, MAX (paying->len, 1));
  errors = g_new0 (GError *, MAX (paying->len, 1));
  for (guint p = 0; p < paying->len; p++)
    payments[p] = payment_request (&calls[g_array_index (paying, guint, p)]);
  if (paying->len > 0)
    ql_ledger_book_pay_orders (self->book, self->orders, payments, paying->len, events, errors);

  for (guint p = 0; p < paying->len; p++)
    {
      guint i = g_array_index (paying, guint, p);

      out_responses[i] = answer_payment (&calls[i], events[p], errors[p], &out_errors[i]);
      g_clear_object (&events[p]);
      g_clear_error (&errors[p]);
    }

  for (guint i = 0; i < n_calls; i++)
    payment_call_clear (&calls[i]);
}
