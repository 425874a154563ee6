/* ql-lambda-controller.c: the Lambda functions, each an event translated to the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-lambda"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "ql-amount.h"
#include "ql-errors.h"
#include "ql-lambda-controller.h"
#include "ql-lambda-statement.h"
#include "ql-ledger-book.h"
#include "ql-reference-index.h"
#include "ql-store.h"
#include "ql-text-rules.h"

/* The status texts of the payment service's answers, kept the same here. */
#define STATUS_SUCCESS "SUCCESS"
#define STATUS_FAILED  "FAILED"

/* The limits of the payment service's request fields. */
#define ORDER_ID_MAX_BYTES QL_TEXT_REFERENCE_MAX_BYTES
#define CURRENCY_MAX_BYTES 32
#define USER_ID_MAX_BYTES  1024

/* No currency has more decimals than this. */
#define MAX_FRACTION_DIGITS 20

G_DEFINE_QUARK (ql-lambda-error-quark, ql_lambda_error)

typedef enum
{
  HANDLER_SQUARE,
  HANDLER_BALANCE,
  HANDLER_PROCESS_PAYMENT,
  HANDLER_INVOICE,
} Handler;

static const struct
{
  const char *name;
  Handler     handler;
  gboolean    needs_store;
} handlers[] = {
  { "square", HANDLER_SQUARE, FALSE },
  { "balance", HANDLER_BALANCE, TRUE },
  { "process-payment", HANDLER_PROCESS_PAYMENT, TRUE },
  { "invoice", HANDLER_INVOICE, TRUE },
};

static const char *const error_types[] = {
  [QL_LAMBDA_ERROR_UNKNOWN_HANDLER] = "Runtime.UnknownHandler",
  [QL_LAMBDA_ERROR_NO_DATABASE] = "Runtime.NoDatabase",
  [QL_LAMBDA_ERROR_INVALID_EVENT] = "InvalidEvent",
  [QL_LAMBDA_ERROR_MISSING_FIELD] = "MissingField",
  [QL_LAMBDA_ERROR_INVALID_NUMBER] = "InvalidNumber",
  [QL_LAMBDA_ERROR_NUMBER_OVERFLOW] = "NumberOverflow",
  [QL_LAMBDA_ERROR_INVALID_ARGUMENT] = "InvalidArgument",
  [QL_LAMBDA_ERROR_NOT_FOUND] = "NotFound",
  [QL_LAMBDA_ERROR_ALREADY_EXISTS] = "AlreadyExists",
  [QL_LAMBDA_ERROR_UNAVAILABLE] = "Unavailable",
  [QL_LAMBDA_ERROR_ABORTED] = "Aborted",
  [QL_LAMBDA_ERROR_INTERNAL] = "Internal",
};

/**
 * ql_lambda_error_type:
 * @error: an error a function failed with
 *
 * Returns: (transfer none): the `errorType` the Runtime API is told:
 *   a name per #QlLambdaError, `Runtime.Error` for any other error
 */
const char *
ql_lambda_error_type (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == QL_LAMBDA_ERROR && error->code >= 0 &&
      (gsize) error->code < G_N_ELEMENTS (error_types))
    return error_types[error->code];
  return "Runtime.Error";
}

struct _QlLambdaController
{
  GObject parent_instance;

  Handler           handler;
  QlLedgerBook     *book;
  /* Every order paid, by id, as the payment service keeps them. */
  QlReferenceIndex *orders;
};

G_DEFINE_TYPE (QlLambdaController, ql_lambda_controller, G_TYPE_OBJECT)

static void
ql_lambda_controller_dispose (GObject *object)
{
  QlLambdaController *self = QL_LAMBDA_CONTROLLER (object);

  g_clear_object (&self->orders);
  g_clear_object (&self->book);

  G_OBJECT_CLASS (ql_lambda_controller_parent_class)->dispose (object);
}

static void
ql_lambda_controller_class_init (QlLambdaControllerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ql_lambda_controller_dispose;
}

static void
ql_lambda_controller_init (QlLambdaController *self)
{
}

/* The model's and the store's errors, as the function reports them. */
static void
set_model_error (const GError  *cause,
                 GError       **error)
{
  QlLambdaError code = QL_LAMBDA_ERROR_UNAVAILABLE;

  if (g_error_matches (cause, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND))
    code = QL_LAMBDA_ERROR_NOT_FOUND;
  else if (g_error_matches (cause, QL_LEDGER_ERROR, QL_LEDGER_ERROR_ORDER_TAKEN))
    code = QL_LAMBDA_ERROR_ALREADY_EXISTS;
  else if (g_error_matches (cause, QL_LEDGER_ERROR, QL_LEDGER_ERROR_BUSY) ||
           g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT))
    code = QL_LAMBDA_ERROR_ABORTED;
  else if (cause->domain == QL_LEDGER_ERROR)
    code = QL_LAMBDA_ERROR_INVALID_ARGUMENT;
  else if (g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT) ||
           g_error_matches (cause, QL_STORE_ERROR, QL_STORE_ERROR_TOO_NEW))
    code = QL_LAMBDA_ERROR_INTERNAL;

  g_set_error_literal (error, QL_LAMBDA_ERROR, code, cause->message);
}

/**
 * ql_lambda_controller_new:
 * @handler: the function's name, as `_HANDLER` gives it: `square`,
 *   `balance`, `process-payment` or `invoice`
 * @database: (nullable): the store the ledger functions use, in any form
 *   `--db` takes; the square function needs none
 * @error: return location for a #GError
 *
 * Makes the function ready, opening its store: what Lambda calls the
 * function's init.
 *
 * Returns: (transfer full): the function, or %NULL with @error set
 */
QlLambdaController *
ql_lambda_controller_new (const char  *handler,
                          const char  *database,
                          GError     **error)
{
  g_autoptr(QlLambdaController) self = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) store_error = NULL;
  gsize i;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (g_strcmp0 (handler, handlers[i].name) == 0)
      break;
  if (i == G_N_ELEMENTS (handlers))
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_UNKNOWN_HANDLER,
                   _("No function is called “%s”; the handler is one of square, balance, "
                     "process-payment and invoice"), handler != NULL ? handler : "");
      return NULL;
    }

  self = g_object_new (QL_TYPE_LAMBDA_CONTROLLER, NULL);
  self->handler = handlers[i].handler;
  if (!handlers[i].needs_store)
    return g_steal_pointer (&self);

  /* An unset database would open a file in a home folder that Lambda
   * throws away: the ledger functions need one named. */
  if (database == NULL || *database == '\0')
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_NO_DATABASE,
                   _("The %s function needs a database: set QL_DATABASE to a PostgreSQL "
                     "connection string"), handler);
      return NULL;
    }

  store = ql_store_open (database, &store_error);
  if (store != NULL)
    self->book = ql_ledger_book_new (store, &store_error);
  if (self->book == NULL)
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_NO_DATABASE,
                   _("The ledgers could not be opened: %s"), store_error->message);
      return NULL;
    }
  self->orders = ql_reference_index_new (store);
  return g_steal_pointer (&self);
}

/* The event as the function reads it. Function URLs and API Gateway's
 * HTTP APIs wrap the caller's JSON in `body`, base64-encoded for some
 * content types; the answer then has to be an HTTP response too. */
typedef struct
{
  JsonParser *parser;
  JsonObject *object;
  gboolean    http;
} Event;

static void
event_clear (Event *event)
{
  g_clear_object (&event->parser);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Event, event_clear)

static JsonObject *
parse_object (JsonParser  *parser,
              const char  *data,
              gsize        size,
              const char  *what,
              GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;

  if (size > G_MAXSSIZE || !json_parser_load_from_data (parser, data, (gssize) size, &parse_error))
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_EVENT,
                   _("The %s is not JSON: %s"), what,
                   parse_error != NULL ? parse_error->message : _("it is too large"));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_EVENT,
                   _("The %s is not a JSON object"), what);
      return NULL;
    }
  return json_node_get_object (root);
}

static gboolean
is_http_event (JsonObject *object)
{
  return json_object_has_member (object, "requestContext") &&
         (json_object_has_member (object, "body") ||
          json_object_has_member (object, "rawPath"));
}

static gboolean
event_parse (Event   *event,
             GBytes  *bytes,
             GError **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  JsonNode *body;
  const char *text;
  g_autofree guchar *decoded = NULL;
  g_autoptr(JsonParser) body_parser = NULL;
  gsize decoded_size;

  event->parser = json_parser_new_immutable ();
  event->object = parse_object (event->parser, data != NULL ? data : "", size, _("event"), error);
  if (event->object == NULL || !is_http_event (event->object))
    return event->object != NULL;

  event->http = TRUE;
  body = json_object_get_member (event->object, "body");
  if (body == NULL || !JSON_NODE_HOLDS_VALUE (body) ||
      json_node_get_value_type (body) != G_TYPE_STRING)
    {
      g_set_error_literal (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_EVENT,
                           _("The HTTP request has no body"));
      return FALSE;
    }
  text = json_node_get_string (body);
  if (json_object_get_boolean_member_with_default (event->object, "isBase64Encoded", FALSE))
    {
      decoded = g_base64_decode (text, &decoded_size);
      text = (const char *) decoded;
    }
  else
    {
      decoded_size = strlen (text);
    }

  /* The body text belongs to the outer event's parser: that one goes only
   * once the body has a parser of its own. */
  body_parser = json_parser_new_immutable ();
  event->object = parse_object (body_parser, text != NULL ? text : "", decoded_size,
                                _("request body"), error);
  g_clear_object (&event->parser);
  event->parser = g_steal_pointer (&body_parser);
  return event->object != NULL;
}

static JsonNode *
require_member (JsonObject  *object,
                const char  *name,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_MISSING_FIELD,
                   _("The event has no “%s” field"), name);
      return NULL;
    }
  return node;
}

static const char *
require_string (JsonObject  *object,
                const char  *name,
                gsize        max_bytes,
                GError     **error)
{
  JsonNode *node = require_member (object, name, error);
  const char *text;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_ARGUMENT,
                   _("The “%s” field must be text"), name);
      return NULL;
    }
  text = json_node_get_string (node);
  if (strlen (text) > max_bytes)
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_ARGUMENT,
                   _("The “%s” field is %lu bytes long; it can be at most %lu bytes"),
                   name, (gulong) strlen (text), (gulong) max_bytes);
      return NULL;
    }
  return text;
}

static gboolean
require_integer (JsonObject  *object,
                 const char  *name,
                 gint64      *out_value,
                 GError     **error)
{
  JsonNode *node = require_member (object, name, error);

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_NUMBER,
                   _("The “%s” field must be a whole number"), name);
      return FALSE;
    }
  *out_value = json_node_get_int (node);
  return TRUE;
}

/* The shortest text that reads back as @value, as Python prints floats:
 * 2.5, 6.25, 1e+200. */
static char *
format_double (double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint digits = 1; digits < 17; digits++)
    {
      char format[16];

      g_snprintf (format, sizeof format, "%%.%ug", digits);
      g_ascii_formatd (text, sizeof text, format, value);
      if (g_ascii_strtod (text, NULL) == value)
        return g_strdup (text);
    }
  return g_strdup (g_ascii_formatd (text, sizeof text, "%.17g", value));
}

/* The shortest plain decimal that reads back as @value, as the payment
 * service writes a protocol's double for the model to parse: 99.99. */
static char *
format_amount (double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE + 320];

  for (guint digits = 0; isfinite (value) && digits <= MAX_FRACTION_DIGITS; digits++)
    {
      char format[16];

      g_snprintf (format, sizeof format, "%%.%uf", digits);
      g_ascii_formatd (text, sizeof text, format, value);
      if (g_ascii_strtod (text, NULL) == value)
        return g_strdup (text);
    }
  return g_strdup (g_ascii_dtostr (text, sizeof text, value));
}

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static JsonNode *
square (JsonObject  *event,
        GError     **error)
{
  JsonNode *number = require_member (event, "number", error);
  g_autofree char *number_text = NULL;
  g_autofree char *square_text = NULL;
  g_autofree char *message = NULL;

  if (number == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_VALUE (number) && json_node_get_value_type (number) == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (number);
      gint64 squared;

      number_text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      if (__builtin_mul_overflow (value, value, &squared))
        {
          g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_NUMBER_OVERFLOW,
                       _("The square of %s is too large for a 64-bit integer"), number_text);
          return NULL;
        }
      square_text = g_strdup_printf ("%" G_GINT64_FORMAT, squared);
    }
  else if (JSON_NODE_HOLDS_VALUE (number) && json_node_get_value_type (number) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (number);
      double squared = value * value;

      number_text = format_double (value);
      if (!isfinite (squared))
        {
          g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_NUMBER_OVERFLOW,
                       _("The square of %s is too large for a double"), number_text);
          return NULL;
        }
      square_text = format_double (squared);
    }
  else
    {
      g_set_error_literal (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_NUMBER,
                           _("The “number” field must be a number"));
      return NULL;
    }

  /* TRANSLATORS: the square function's answer: a number, then its square */
  message = g_strdup_printf (_("The square of %s is %s."), number_text, square_text);
  return string_node (message);
}

static gboolean
refresh (QlLambdaController  *self,
         GError             **error)
{
  g_autoptr(GError) store_error = NULL;

  /* Other machines write to the same database between two invocations. */
  if (!ql_ledger_book_refresh (self->book, &store_error))
    {
      set_model_error (store_error, error);
      return FALSE;
    }
  return TRUE;
}

static QlLedger *
find_ledger (QlLambdaController  *self,
             const char          *name,
             GError             **error)
{
  QlLedger *ledger = ql_ledger_book_lookup (self->book, name);

  if (ledger == NULL)
    g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_NOT_FOUND,
                 _("No ledger is called “%s”"), name);
  return ledger;
}

static JsonNode *
balance (QlLambdaController  *self,
         JsonObject          *event,
         GError             **error)
{
  const char *name = require_string (event, "ledger", G_MAXSIZE, error);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *formatted = NULL;
  QlLedger *ledger;

  if (name == NULL || !refresh (self, error) || (ledger = find_ledger (self, name, error)) == NULL)
    return NULL;

  formatted = ql_amount_format (ql_ledger_get_balance (ledger), ql_ledger_get_decimals (ledger));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ledger");
  json_builder_add_string_value (builder, ql_ledger_get_name (ledger));
  json_builder_set_member_name (builder, "balance");
  json_builder_add_string_value (builder, formatted);
  json_builder_set_member_name (builder, "currency");
  if (ql_ledger_get_currency (ledger) != NULL)
    json_builder_add_string_value (builder, ql_ledger_get_currency (ledger));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, ql_ledger_get_version (ledger));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
payment_answer (const char *payment_id,
                const char *status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "payment_id");
  json_builder_add_string_value (builder, payment_id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
read_amount (JsonObject  *event,
             char       **out_amount,
             GError     **error)
{
  JsonNode *node = require_member (event, "amount", error);

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    *out_amount = g_strdup (json_node_get_string (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    *out_amount = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out_amount = format_amount (json_node_get_double (node));
  else
    {
      g_set_error_literal (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_NUMBER,
                           _("The “amount” field must be a number or a decimal in text"));
      return FALSE;
    }
  return TRUE;
}

/* The payment service's ProcessPayment, with JSON for protobuf: the
 * model's order rule draws the amount from the account once per order
 * id, so a retry is safe. */
static JsonNode *
process_payment (QlLambdaController  *self,
                 JsonObject          *event,
                 GError             **error)
{
  QlPaymentRequest request = { NULL };
  g_autofree char *amount = NULL;
  g_autofree char *payment_id = NULL;
  g_autoptr(QlEvent) paid = NULL;
  g_autoptr(GError) payment_error = NULL;

  if ((request.reference = require_string (event, "order_id", ORDER_ID_MAX_BYTES, error)) == NULL ||
      !read_amount (event, &amount, error) ||
      (request.currency = require_string (event, "currency", CURRENCY_MAX_BYTES, error)) == NULL ||
      (request.name = require_string (event, "user_id", USER_ID_MAX_BYTES, error)) == NULL)
    return NULL;
  request.amount = amount;

  if (*request.reference != '\0' && !refresh (self, error))
    return NULL;

  paid = ql_ledger_book_pay_order (self->book, self->orders, &request, &payment_error);
  if (paid != NULL)
    {
      payment_id = g_strdup_printf ("pay-%" G_GINT64_FORMAT, ql_event_get_position (paid));
      return payment_answer (payment_id, STATUS_SUCCESS);
    }

  /* Refusals by the ledgers' rules wrote nothing and would be refused again. */
  if (payment_error->domain == QL_LEDGER_ERROR && payment_error->code != QL_LEDGER_ERROR_BUSY &&
      payment_error->code != QL_LEDGER_ERROR_ORDER_TAKEN)
    {
      g_message (_("Payment of %s %s from “%s” for order “%s” failed: %s"),
                 request.amount, request.currency, request.name, request.reference,
                 payment_error->message);
      return payment_answer ("", STATUS_FAILED);
    }

  set_model_error (payment_error, error);
  return NULL;
}

static JsonNode *
http_response (const char *content_type,
               const char *body,
               gboolean    base64)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "statusCode");
  json_builder_add_int_value (builder, 200);
  json_builder_set_member_name (builder, "headers");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Content-Type");
  json_builder_add_string_value (builder, content_type);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, body);
  json_builder_set_member_name (builder, "isBase64Encoded");
  json_builder_add_boolean_value (builder, base64);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A PDF statement: the answer is an HTTP response whichever way the
 * function was invoked, since it carries the content type and base64. */
static JsonNode *
invoice (QlLambdaController  *self,
         JsonObject          *event,
         GError             **error)
{
  const char *name = require_string (event, "ledger", G_MAXSIZE, error);
  g_autoptr(QlLedger) opening = NULL;
  g_autoptr(QlLedger) closing = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  g_autoptr(GError) model_error = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *encoded = NULL;
  gint64 from, to;
  gsize size;
  const guint8 *data;

  if (name == NULL || !require_integer (event, "from_version", &from, error) ||
      !require_integer (event, "to_version", &to, error))
    return NULL;
  if (from > to)
    {
      g_autofree char *from_text = g_strdup_printf ("%" G_GINT64_FORMAT, from);
      g_autofree char *to_text = g_strdup_printf ("%" G_GINT64_FORMAT, to);

      g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INVALID_ARGUMENT,
                   _("The statement starts at version %s, after its end at version %s"),
                   from_text, to_text);
      return NULL;
    }
  if (!refresh (self, error) || find_ledger (self, name, error) == NULL)
    return NULL;

  if ((opening = ql_ledger_book_state_at (self->book, name, from, &model_error)) == NULL ||
      (closing = ql_ledger_book_state_at (self->book, name, to, &model_error)) == NULL ||
      (events = ql_ledger_book_list_events (self->book, name, &model_error)) == NULL)
    {
      set_model_error (model_error, error);
      return NULL;
    }

  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *change = g_ptr_array_index (events, i);

      if (ql_event_get_version (change) > from && ql_event_get_version (change) <= to)
        g_ptr_array_add (lines, change);
    }

  pdf = ql_lambda_statement_render (opening, closing, lines, error);
  if (pdf == NULL)
    return NULL;
  data = g_bytes_get_data (pdf, &size);
  encoded = g_base64_encode (data, size);
  return http_response ("application/pdf", encoded, TRUE);
}

/**
 * ql_lambda_controller_invoke:
 * @self: a #QlLambdaController
 * @event: the invocation's event, as the Runtime API sent it
 * @error: return location for a #GError in the %QL_LAMBDA_ERROR domain
 *
 * Runs the function on one event. An event that came through a Function
 * URL or API Gateway's HTTP API is read from its body, and answered with
 * an HTTP response.
 *
 * Returns: (transfer full): the function's result as JSON, or %NULL with
 *   @error set
 */
GBytes *
ql_lambda_controller_invoke (QlLambdaController  *self,
                             GBytes              *event,
                             GError             **error)
{
  g_auto(Event) parsed = { NULL };
  g_autoptr(JsonNode) result = NULL;
  char *text;

  g_return_val_if_fail (QL_IS_LAMBDA_CONTROLLER (self), NULL);
  g_return_val_if_fail (event != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!event_parse (&parsed, event, error))
    return NULL;

  switch (self->handler)
    {
    case HANDLER_SQUARE:
      result = square (parsed.object, error);
      break;
    case HANDLER_BALANCE:
      result = balance (self, parsed.object, error);
      break;
    case HANDLER_PROCESS_PAYMENT:
      result = process_payment (self, parsed.object, error);
      break;
    case HANDLER_INVOICE:
      result = invoice (self, parsed.object, error);
      break;
    }
  if (result == NULL)
    return NULL;

  if (parsed.http && self->handler != HANDLER_INVOICE)
    {
      g_autoptr(JsonNode) response = NULL;
      g_autofree char *body = NULL;

      if (JSON_NODE_HOLDS_VALUE (result) && json_node_get_value_type (result) == G_TYPE_STRING)
        response = http_response ("text/plain; charset=utf-8", json_node_get_string (result), FALSE);
      else
        {
          body = json_to_string (result, FALSE);
          response = http_response ("application/json", body, FALSE);
        }
      g_clear_pointer (&result, json_node_unref);
      result = g_steal_pointer (&response);
    }

  text = json_to_string (result, FALSE);
  return g_bytes_new_take (text, strlen (text));
}
