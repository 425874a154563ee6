/* ql-payments-controller.c: the PaymentService's calls, translated to the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-payments"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "payment.pb-c.h"
#include "ql-grpc-server.h"
#include "ql-payments-controller.h"

/* The status texts of the seed's PaymentResponse. */
#define STATUS_SUCCESS "SUCCESS"
#define STATUS_FAILED  "FAILED"

/* No currency has more decimals than this; an amount that needs more digits
 * to round-trip is passed on in exponent form, which the model refuses. */
#define MAX_FRACTION_DIGITS 20

struct _QlPaymentsController
{
  GObject parent_instance;

  QlLedgerBook *book;
};

G_DEFINE_TYPE (QlPaymentsController, ql_payments_controller, G_TYPE_OBJECT)

static void
ql_payments_controller_dispose (GObject *object)
{
  QlPaymentsController *self = QL_PAYMENTS_CONTROLLER (object);

  g_clear_object (&self->book);

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

static GBytes *
process_payment (QlPaymentsController  *self,
                 GBytes                *request_bytes,
                 GError               **error)
{
  Payment__PaymentRequest *request;
  g_autoptr(QlEvent) event = NULL;
  g_autoptr(GError) payment_error = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *payment_id = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (request_bytes, &size);

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
    g_set_error_literal (&payment_error, QL_GRPC_ERROR, QL_GRPC_ERROR_INVALID_ARGUMENT,
                         _("The payment names no order"));
  else
    event = ql_ledger_book_withdraw_for_reference (self->book, request->user_id, amount,
                                                   request->currency, request->order_id,
                                                   &payment_error);

  if (event == NULL)
    g_message (_("Payment of %s %s from “%s” for order “%s” failed: %s"),
               amount, request->currency, request->user_id, request->order_id,
               payment_error->message);
  else
    payment_id = g_strdup_printf ("pay-%" G_GINT64_FORMAT, ql_event_get_position (event));

  payment__payment_request__free_unpacked (request, NULL);

  return pack_response (payment_id != NULL ? payment_id : "",
                        event != NULL ? STATUS_SUCCESS : STATUS_FAILED);
}

/**
 * ql_payments_controller_handle_call:
 * @self: a #QlPaymentsController
 * @method: the gRPC method path
 * @request: the serialized request message
 * @error: return location for a #GError in the %QL_GRPC_ERROR domain
 *
 * Answers one call of the PaymentService. A payment that the model refuses
 * is answered with the status `FAILED` and changes nothing; only a request
 * that cannot be read, or an unknown method, is an error.
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
