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

/* The string fields of a PaymentRequest, as the wire carries them. */
typedef struct
{
  guint       field;
  const char *what;
  gsize       max_bytes;
} StringField;

static const StringField string_fields[] = {
  { 1, N_("order id"), QL_PAYMENTS_ORDER_ID_MAX_BYTES },
  { 3, N_("currency"), QL_PAYMENTS_CURRENCY_MAX_BYTES },
  { 4, N_("user id"), QL_PAYMENTS_USER_ID_MAX_BYTES },
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
 * string field before anything is decoded or looked up: its byte length
 * first, then NUL bytes, then UTF-8. */
static gboolean
check_request_strings (const guint8  *data,
                       gsize          size,
                       GError       **error)
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
          for (gsize i = 0; i < G_N_ELEMENTS (string_fields); i++)
            if (tag >> 3 == string_fields[i].field &&
                !check_string_field (&string_fields[i], p, length, error))
              return FALSE;
          p += length;
          break;

        default:
          goto malformed;
        }
    }
  return TRUE;

malformed:
  g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                       _("The request is not a valid PaymentRequest message"));
  return FALSE;
}

/* Answers a request for an order paid by @payment: SUCCESS when the
 * request is the one @payment made, ALREADY_EXISTS otherwise. */
static GBytes *
answer_payment (QlPaymentsController     *self,
                Payment__PaymentRequest  *request,
                const char               *amount,
                QlEvent                  *payment,
                GError                  **error)
{
  g_autofree char *payment_id = g_strdup_printf ("pay-%" G_GINT64_FORMAT,
                                                 ql_event_get_position (payment));

  if (!ql_ledger_book_is_payment_for (self->book, payment, request->user_id, amount,
                                      request->currency))
    {
      g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_ALREADY_EXISTS,
                   _("Order “%s” was already paid by %s with another account, currency "
                     "or amount; a new payment needs a new order id"),
                   request->order_id, payment_id);
      return NULL;
    }

  return pack_response (payment_id, STATUS_SUCCESS);
}

/* Answers a request whose order was paid already, by the payment stored
 * at @position. */
static GBytes *
answer_paid_order (QlPaymentsController     *self,
                   Payment__PaymentRequest  *request,
                   const char               *amount,
                   gint64                    position,
                   GError                  **error)
{
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GPtrArray) read = ql_ledger_book_read_log (self->book, position, 1, &store_error);
  QlEvent *payment = read != NULL && read->len == 1 ? g_ptr_array_index (read, 0) : NULL;

  if (payment == NULL || ql_event_get_position (payment) != position)
    {
      g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNAVAILABLE,
                   _("Order “%s” was paid, but its payment cannot be read now: %s; "
                     "retrying with the same request is safe"),
                   request->order_id,
                   store_error != NULL ? store_error->message : _("it is missing"));
      return NULL;
    }

  return answer_payment (self, request, amount, payment, error);
}

/* Refusals by the ledgers' rules: nothing was written, and the same
 * request would be refused again. */
static gboolean
is_business_refusal (const GError *error)
{
  return error->domain == QL_LEDGER_ERROR && error->code != QL_LEDGER_ERROR_BUSY;
}

/* The status of a payment that failed for another reason than the rules:
 * retryable for the store's troubles, INVALID_ARGUMENT for checks of the
 * request's text made outside the ledgers' rules. */
static void
set_call_error (const GError  *cause,
                     GError       **error)
{
  QlGrpcError code = QL_GRPC_ERROR_INVALID_ARGUMENT;

  if (g_error_matches (cause, QL_LEDGER_ERROR, QL_LEDGER_ERROR_BUSY) ||
      g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT))
    code = QL_GRPC_ERROR_ABORTED;
  else if (g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT) ||
           g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_TOO_NEW))
    code = QL_GRPC_ERROR_INTERNAL;
  else if (cause->domain == QL_STORE_ERROR)
    code = QL_GRPC_ERROR_UNAVAILABLE;

  g_set_error_literal (error, QL_GRPC_ERROR, code, cause->message);
}

static GBytes *
process_payment (QlPaymentsController  *self,
                 GBytes                *request_bytes,
                 GError               **error)
{
  g_autoptr(Payment__PaymentRequest) request = NULL;
  g_autoptr(QlEvent) event = NULL;
  g_autoptr(GError) payment_error = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autofree char *amount = NULL;
  gint64 paid;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (request_bytes, &size);

  if (!check_request_strings (data, size, error))
    return NULL;

  request = payment__payment_request__unpack (NULL, size, data);
  if (request == NULL)
    {
      g_set_error_literal (error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                           _("The request is not a valid PaymentRequest message"));
      return NULL;
    }

  amount = ql_payments_controller_format_amount (request->amount);

  /* The order id is what makes a retry safe: without one, every payment
   * would be taken for a retry of the first. */
  if (*request->order_id == '\0')
    {
      g_message (_("Payment of %s %s from “%s” for order “%s” failed: %s"),
                 amount, request->currency, request->user_id, request->order_id,
                 _("The payment names no order"));
      return pack_response ("", STATUS_FAILED);
    }

  /* Payments other programs made on the same database are orders too. */
  if (!ql_reference_index_update (self->orders, &store_error))
    {
      set_call_error (store_error, error);
      return NULL;
    }
  paid = ql_reference_index_lookup (self->orders, request->order_id);
  if (paid > 0)
    return answer_paid_order (self, request, amount, paid, error);

  /* Another program may have paid the order in this account since the
   * index was read: then the event returned is that payment, and is
   * checked the same way. */
  event = ql_ledger_book_withdraw_for_reference (self->book, request->user_id, amount,
                                                 request->currency, request->order_id,
                                                 &payment_error);
  if (event != NULL)
    return answer_payment (self, request, amount, event, error);

  if (is_business_refusal (payment_error))
    {
      g_message (_("Payment of %s %s from “%s” for order “%s” failed: %s"),
                 amount, request->currency, request->user_id, request->order_id,
                 payment_error->message);
      return pack_response ("", STATUS_FAILED);
    }

  /* The store failed: the order may be paid all the same, by another
   * program or by an append that committed before a later step failed,
   * such as reading an earlier payment back. Then it is answered. */
  if (ql_reference_index_update (self->orders, NULL) &&
      (paid = ql_reference_index_lookup (self->orders, request->order_id)) > 0)
    return answer_paid_order (self, request, amount, paid, error);

  g_message (_("Payment of %s %s from “%s” for order “%s” was not made: %s"),
             amount, request->currency, request->user_id, request->order_id,
             payment_error->message);
  set_call_error (payment_error, error);
  return NULL;
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
 * retry), an unknown method.
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

  g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNIMPLEMENTED,
               _("No method “%s” in this service"), method);
  return NULL;
}
