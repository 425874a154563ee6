/* ql-lambda-runtime.c: a client of the AWS Lambda Runtime API (2018-06-01)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-lambda"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ql-lambda-runtime.h"

#define API_VERSION "2018-06-01"

/* The first pause between two tries, and the longest. */
#define BACKOFF_FIRST_MS 10
#define BACKOFF_MAX_MS   1000

G_DEFINE_QUARK (ql-lambda-runtime-error-quark, ql_lambda_runtime_error)

struct _QlLambdaRuntime
{
  GObject parent_instance;

  char  *base_url;
  guint  retry_ms;
  /* One handle for every call, so that its connection is kept alive. */
  CURL  *curl;
};

G_DEFINE_TYPE (QlLambdaRuntime, ql_lambda_runtime, G_TYPE_OBJECT)

/**
 * ql_lambda_invocation_free:
 * @invocation: (transfer full) (nullable): an invocation
 *
 * Frees @invocation and its payload.
 */
void
ql_lambda_invocation_free (QlLambdaInvocation *invocation)
{
  if (invocation == NULL)
    return;
  g_free (invocation->request_id);
  g_free (invocation->trace_id);
  g_clear_pointer (&invocation->payload, g_bytes_unref);
  g_free (invocation);
}

static void
ql_lambda_runtime_finalize (GObject *object)
{
  QlLambdaRuntime *self = QL_LAMBDA_RUNTIME (object);

  g_clear_pointer (&self->curl, curl_easy_cleanup);
  g_free (self->base_url);

  G_OBJECT_CLASS (ql_lambda_runtime_parent_class)->finalize (object);
}

static void
ql_lambda_runtime_class_init (QlLambdaRuntimeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ql_lambda_runtime_finalize;
}

static void
ql_lambda_runtime_init (QlLambdaRuntime *self)
{
}

/**
 * ql_lambda_runtime_new:
 * @api: the Runtime API's `host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it
 * @retry_ms: how long a call keeps trying while the API is unreachable
 *
 * Returns: (transfer full): a client of the Runtime API at @api
 */
QlLambdaRuntime *
ql_lambda_runtime_new (const char *api,
                       guint       retry_ms)
{
  QlLambdaRuntime *self;

  g_return_val_if_fail (api != NULL, NULL);

  self = g_object_new (QL_TYPE_LAMBDA_RUNTIME, NULL);
  self->base_url = g_strdup_printf ("http://%s/" API_VERSION "/runtime", api);
  self->retry_ms = retry_ms;
  self->curl = curl_easy_init ();
  return self;
}

/* What one call to the API brought back. */
typedef struct
{
  GByteArray         *body;
  gsize               max_body;
  gboolean            body_too_large;
  QlLambdaInvocation *invocation;
} Exchange;

static size_t
write_body (char   *data,
            size_t  size,
            size_t  count,
            void   *user_data)
{
  Exchange *exchange = user_data;
  gsize bytes = size * count;

  if (exchange->body->len + bytes > exchange->max_body)
    {
      /* Ending the transfer here keeps a runaway event out of memory; the
       * headers, and with them the request id, are in already. */
      exchange->body_too_large = TRUE;
      return 0;
    }
  g_byte_array_append (exchange->body, (const guint8 *) data, bytes);
  return bytes;
}

static char *
header_value (const char *line,
              gsize       length,
              const char *name)
{
  gsize name_length = strlen (name);

  if (length <= name_length || line[name_length] != ':' ||
      g_ascii_strncasecmp (line, name, name_length) != 0)
    return NULL;
  return g_strstrip (g_strndup (line + name_length + 1, length - name_length - 1));
}

static size_t
read_header (char   *data,
             size_t  size,
             size_t  count,
             void   *user_data)
{
  Exchange *exchange = user_data;
  QlLambdaInvocation *invocation = exchange->invocation;
  gsize length = size * count;
  char *value;

  if (invocation == NULL)
    return length;

  if ((value = header_value (data, length, "Lambda-Runtime-Aws-Request-Id")) != NULL)
    {
      g_free (invocation->request_id);
      invocation->request_id = value;
    }
  else if ((value = header_value (data, length, "Lambda-Runtime-Trace-Id")) != NULL)
    {
      g_free (invocation->trace_id);
      invocation->trace_id = value;
    }
  else if ((value = header_value (data, length, "Lambda-Runtime-Deadline-Ms")) != NULL)
    {
      invocation->deadline_ms = g_ascii_strtoll (value, NULL, 10);
      g_free (value);
    }
  return length;
}

/* Failures that say the API is not there yet or for a moment, as when its
 * process is restarting: worth another try. */
static gboolean
is_transient (CURLcode code,
              long     status)
{
  switch (code)
    {
    case CURLE_OK:
      return status >= 500;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Makes one call, trying again with a growing pause while the API is
 * unreachable, for at most the client's retry budget. Returns the HTTP
 * status, or 0 with @error set. */
static long
call (QlLambdaRuntime  *self,
      const char       *path,
      const char       *method,
      GBytes           *body,
      const char       *error_type,
      Exchange         *exchange,
      GError          **error)
{
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);
  gint64 give_up = g_get_monotonic_time () + (gint64) self->retry_ms * 1000;
  guint pause_ms = BACKOFF_FIRST_MS;

  for (;;)
    {
      struct curl_slist *headers = NULL;
      g_autofree char *type_header = NULL;
      CURLcode code;
      long status = 0;
      gsize size = 0;
      const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

      g_byte_array_set_size (exchange->body, 0);
      exchange->body_too_large = FALSE;

      curl_easy_reset (self->curl);
      curl_easy_setopt (self->curl, CURLOPT_URL, url);
      curl_easy_setopt (self->curl, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt (self->curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
      curl_easy_setopt (self->curl, CURLOPT_WRITEFUNCTION, write_body);
      curl_easy_setopt (self->curl, CURLOPT_WRITEDATA, exchange);
      curl_easy_setopt (self->curl, CURLOPT_HEADERFUNCTION, read_header);
      curl_easy_setopt (self->curl, CURLOPT_HEADERDATA, exchange);
      if (g_strcmp0 (method, "POST") == 0)
        {
          curl_easy_setopt (self->curl, CURLOPT_POST, 1L);
          curl_easy_setopt (self->curl, CURLOPT_POSTFIELDS, data != NULL ? data : "");
          curl_easy_setopt (self->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
          /* No "Expect: 100-continue" round trip before a large body. */
          headers = curl_slist_append (headers, "Expect:");
          headers = curl_slist_append (headers, "Content-Type: application/json");
          if (error_type != NULL)
            {
              type_header = g_strdup_printf ("Lambda-Runtime-Function-Error-Type: %s", error_type);
              headers = curl_slist_append (headers, type_header);
            }
          curl_easy_setopt (self->curl, CURLOPT_HTTPHEADER, headers);
        }

      code = curl_easy_perform (self->curl);
      curl_easy_getinfo (self->curl, CURLINFO_RESPONSE_CODE, &status);
      curl_slist_free_all (headers);

      if (code == CURLE_WRITE_ERROR && exchange->body_too_large)
        return status;
      if (code == CURLE_OK && !is_transient (code, status))
        return status;

      if (!is_transient (code, status) || g_get_monotonic_time () >= give_up)
        {
          g_set_error (error, QL_LAMBDA_RUNTIME_ERROR, QL_LAMBDA_RUNTIME_ERROR_UNREACHABLE,
                       _("The Lambda Runtime API at %s did not answer: %s"),
                       url, code != CURLE_OK ? curl_easy_strerror (code)
                                             : _("it answered with a server error"));
          return 0;
        }

      g_usleep ((gulong) pause_ms * 1000);
      pause_ms = MIN (pause_ms * 2, BACKOFF_MAX_MS);
    }
}

/**
 * ql_lambda_runtime_next:
 * @self: a #QlLambdaRuntime
 * @error: return location for a #GError
 *
 * Waits for the next invocation, for as long as the API takes to send one.
 *
 * Returns: (transfer full): the invocation, or %NULL with @error set
 */
QlLambdaInvocation *
ql_lambda_runtime_next (QlLambdaRuntime  *self,
                        GError          **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(QlLambdaInvocation) invocation = g_new0 (QlLambdaInvocation, 1);
  Exchange exchange = { body, QL_LAMBDA_PAYLOAD_MAX_BYTES, FALSE, invocation };
  long status;

  g_return_val_if_fail (QL_IS_LAMBDA_RUNTIME (self), NULL);

  status = call (self, "/invocation/next", "GET", NULL, NULL, &exchange, error);
  if (status == 0)
    return NULL;
  if (status != 200 || invocation->request_id == NULL || *invocation->request_id == '\0')
    {
      g_set_error (error, QL_LAMBDA_RUNTIME_ERROR, QL_LAMBDA_RUNTIME_ERROR_PROTOCOL,
                   _("The Lambda Runtime API answered the next invocation with status %ld "
                     "and no request id"), status);
      return NULL;
    }
  if (!exchange.body_too_large)
    invocation->payload = g_byte_array_free_to_bytes (g_steal_pointer (&body));
  return g_steal_pointer (&invocation);
}

static gboolean
post (QlLambdaRuntime  *self,
      const char       *path,
      GBytes           *body,
      const char       *error_type,
      GError          **error)
{
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  Exchange exchange = { answer, 64 * 1024, FALSE, NULL };
  long status = call (self, path, "POST", body, error_type, &exchange, error);

  if (status == 0)
    return FALSE;
  if (status == 413)
    {
      g_set_error (error, QL_LAMBDA_RUNTIME_ERROR, QL_LAMBDA_RUNTIME_ERROR_TOO_LARGE,
                   _("The Lambda Runtime API refused the response as too large"));
      return FALSE;
    }
  if (status < 200 || status >= 300)
    {
      g_byte_array_append (answer, (const guint8 *) "", 1);
      g_set_error (error, QL_LAMBDA_RUNTIME_ERROR, QL_LAMBDA_RUNTIME_ERROR_PROTOCOL,
                   _("The Lambda Runtime API refused %s with status %ld: %s"),
                   path, status, (const char *) answer->data);
      return FALSE;
    }
  return TRUE;
}

/**
 * ql_lambda_runtime_respond:
 * @self: a #QlLambdaRuntime
 * @request_id: the invocation answered
 * @response: the function's result
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the API took the response
 */
gboolean
ql_lambda_runtime_respond (QlLambdaRuntime  *self,
                           const char       *request_id,
                           GBytes           *response,
                           GError          **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (QL_IS_LAMBDA_RUNTIME (self), FALSE);
  g_return_val_if_fail (request_id != NULL, FALSE);

  path = g_strdup_printf ("/invocation/%s/response", request_id);
  return post (self, path, response, NULL, error);
}

/**
 * ql_lambda_runtime_report_error:
 * @self: a #QlLambdaRuntime
 * @request_id: (nullable): the invocation that failed, or %NULL for an
 *   error while the runtime was starting
 * @error_type: a short name for the kind of error, such as `InvalidNumber`
 * @message: what went wrong, for a person
 * @error: return location for a #GError
 *
 * Posts `{"errorMessage": …, "errorType": …}` as the invocation's error,
 * or as the init error when @request_id is %NULL.
 *
 * Returns: %TRUE if the API took the report
 */
gboolean
ql_lambda_runtime_report_error (QlLambdaRuntime  *self,
                                const char       *request_id,
                                const char       *error_type,
                                const char       *message,
                                GError          **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *path = NULL;
  char *text;

  g_return_val_if_fail (QL_IS_LAMBDA_RUNTIME (self), FALSE);
  g_return_val_if_fail (error_type != NULL && message != NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "errorMessage");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "errorType");
  json_builder_add_string_value (builder, error_type);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  body = g_bytes_new_take (text, strlen (text));

  path = request_id != NULL ? g_strdup_printf ("/invocation/%s/error", request_id)
                            : g_strdup ("/init/error");
  return post (self, path, body, error_type, error);
}
