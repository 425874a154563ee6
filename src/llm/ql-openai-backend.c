/* ql-openai-backend.c: an OpenAI-compatible chat-completions service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-openai-backend"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ql-openai-backend.h"

/* An error page or a non-streamed answer is read whole, up to this. */
#define MAX_BODY (1024 * 1024)

/* Sampling options a request may pass on; nothing else of a client's. */
static const char * const passed_options[] = {
  "temperature", "top_p", "max_tokens", "seed", "stop", "presence_penalty",
  "frequency_penalty", NULL
};

/**
 * QlOpenaiBackend:
 *
 * A #QlChatBackend over HTTP: POST BASE_URL/chat/completions with
 * `"stream": true`, read as server-sent events, as llama.cpp's
 * llama-server, Ollama, vLLM and OpenAI serve it. The API key goes into
 * the Authorization header and nowhere else: never into a message, a log
 * line or an error.
 */
struct _QlOpenaiBackend
{
  GObject      parent_instance;

  SoupSession *session;
  GUri        *base_uri;
  char        *base_url;
  char        *shown_url;
  char        *api_key;
  char        *model;
};

static void ql_openai_backend_chat_backend_init (QlChatBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlOpenaiBackend, ql_openai_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_CHAT_BACKEND,
                                                      ql_openai_backend_chat_backend_init))

typedef struct
{
  QlOpenaiBackend  *backend;
  SoupMessage      *message;
  GDataInputStream *lines;
  QlChatTokenFunc   on_token;
  gpointer          token_data;
  gboolean          streamed;
  GString          *body;
  GString          *data;
  char             *event;
  GString          *content;
  JsonArray        *tool_calls;
  gboolean          finished;
  gboolean          done;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->backend);
  g_clear_object (&request->message);
  g_clear_object (&request->lines);
  g_string_free (request->body, TRUE);
  g_string_free (request->data, TRUE);
  g_free (request->event);
  g_string_free (request->content, TRUE);
  g_clear_pointer (&request->tool_calls, json_array_unref);
  g_free (request);
}

static void
ql_openai_backend_finalize (GObject *object)
{
  QlOpenaiBackend *self = (QlOpenaiBackend *) object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_uri, g_uri_unref);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->shown_url, g_free);
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (ql_openai_backend_parent_class)->finalize (object);
}

static void
ql_openai_backend_class_init (QlOpenaiBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ql_openai_backend_finalize;
}

static void
ql_openai_backend_init (QlOpenaiBackend *self)
{
}

/**
 * ql_openai_backend_new:
 * @base_url: the API's base, such as `http://127.0.0.1:8080/v1`
 * @api_key: (nullable): the key sent as a bearer token, or %NULL for none
 * @model: (nullable): the model to ask for, or %NULL to let the service
 *   choose
 * @timeout_seconds: how long the service may stay silent, 0 for ever
 * @error: return location for a %QL_CHAT_ERROR_INVALID_REQUEST
 *
 * Returns: (transfer full): the backend, or %NULL when @base_url is not an
 *   http(s) URL
 */
QlOpenaiBackend *
ql_openai_backend_new (const char  *base_url,
                       const char  *api_key,
                       const char  *model,
                       guint        timeout_seconds,
                       GError     **error)
{
  g_autoptr(QlOpenaiBackend) self = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (base_url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL || (g_ascii_strcasecmp (scheme, "http") != 0 &&
                         g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
                   _("The language model service’s address “%s” is not an http or https URL"),
                   base_url);
      return NULL;
    }

  self = g_object_new (QL_TYPE_OPENAI_BACKEND, NULL);
  self->base_uri = g_steal_pointer (&uri);
  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  self->shown_url = g_uri_to_string_partial (self->base_uri, G_URI_HIDE_PASSWORD);
  self->api_key = api_key != NULL && *api_key != '\0' ? g_strdup (api_key) : NULL;
  self->model = model != NULL && *model != '\0' ? g_strdup (model) : NULL;
  self->session = soup_session_new_with_options ("timeout", timeout_seconds,
                                                 "max-conns", 256,
                                                 "max-conns-per-host", 256,
                                                 NULL);
  return g_steal_pointer (&self);
}

/**
 * ql_openai_backend_new_from_environment:
 * @error: return location for a %QL_CHAT_ERROR_INVALID_REQUEST
 *
 * Makes the backend the variables OpenAI's own SDKs read name:
 * `OPENAI_BASE_URL` (default http://127.0.0.1:8080/v1, llama-server's),
 * `OPENAI_API_KEY` and `OPENAI_MODEL`; `QL_LLM_TIMEOUT` sets how many
 * seconds the service may stay silent (default 60).
 *
 * Returns: (transfer full): the backend, or %NULL for an unusable URL
 */
QlOpenaiBackend *
ql_openai_backend_new_from_environment (GError **error)
{
  const char *base_url = g_getenv ("OPENAI_BASE_URL");
  const char *timeout = g_getenv ("QL_LLM_TIMEOUT");
  guint64 seconds = QL_OPENAI_DEFAULT_TIMEOUT;

  if (base_url == NULL || *base_url == '\0')
    base_url = QL_OPENAI_DEFAULT_BASE_URL;
  if (timeout != NULL && *timeout != '\0' &&
      !g_ascii_string_to_unsigned (timeout, 10, 0, 3600, &seconds, NULL))
    {
      g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
                   _("%s must be a number of seconds from 0 to 3600, not “%s”"),
                   "QL_LLM_TIMEOUT", timeout);
      return NULL;
    }
  return ql_openai_backend_new (base_url, g_getenv ("OPENAI_API_KEY"), g_getenv ("OPENAI_MODEL"),
                                (guint) seconds, error);
}

/**
 * ql_openai_backend_get_base_url:
 * @self: a #QlOpenaiBackend
 *
 * Returns: the base URL, without any password it holds
 */
const char *
ql_openai_backend_get_base_url (QlOpenaiBackend *self)
{
  g_return_val_if_fail (QL_IS_OPENAI_BACKEND (self), NULL);
  return self->shown_url;
}

/**
 * ql_openai_backend_get_model:
 * @self: a #QlOpenaiBackend
 *
 * Returns: (nullable): the model asked for
 */
const char *
ql_openai_backend_get_model (QlOpenaiBackend *self)
{
  g_return_val_if_fail (QL_IS_OPENAI_BACKEND (self), NULL);
  return self->model;
}

static char *
build_body (QlOpenaiBackend *self,
            JsonArray       *messages,
            JsonArray       *tools,
            JsonObject      *options)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  if (self->model != NULL)
    json_object_set_string_member (body, "model", self->model);
  json_object_set_array_member (body, "messages", json_array_ref (messages));
  json_object_set_boolean_member (body, "stream", TRUE);
  if (tools != NULL)
    json_object_set_array_member (body, "tools", json_array_ref (tools));
  for (guint i = 0; options != NULL && passed_options[i] != NULL; i++)
    if (json_object_has_member (options, passed_options[i]))
      json_object_set_member (body, passed_options[i],
                              json_node_copy (json_object_get_member (options,
                                                                      passed_options[i])));
  json_node_set_object (root, body);
  return json_to_string (root, FALSE);
}

/* What an error body says, in OpenAI's shape or as plain text. */
static char *
error_text (const char *body)
{
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                       ? json_node_get_object (node) : NULL;
  JsonNode *error = object != NULL ? json_object_get_member (object, "error") : NULL;

  if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
    {
      const char *message = json_object_get_string_member_with_default (
          json_node_get_object (error), "message", NULL);

      if (message != NULL)
        return g_strdup (message);
    }
  if (error != NULL && JSON_NODE_HOLDS_VALUE (error) &&
      json_node_get_value_type (error) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (error));
  return g_utf8_make_valid (g_strstrip (g_strndup (body, 500)), -1);
}

static void
merge_tool_calls (Request   *request,
                  JsonArray *deltas)
{
  for (guint i = 0; i < json_array_get_length (deltas); i++)
    {
      JsonNode *node = json_array_get_element (deltas, i);
      JsonObject *delta = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *function;
      JsonObject *call;
      gint64 index;

      if (delta == NULL)
        continue;
      index = json_object_get_int_member_with_default (delta, "index", i);
      if (index < 0 || index > 64)
        continue;
      if (request->tool_calls == NULL)
        request->tool_calls = json_array_new ();
      while (json_array_get_length (request->tool_calls) <= (guint) index)
        {
          g_autoptr(JsonObject) empty = json_object_new ();
          g_autoptr(JsonObject) empty_function = json_object_new ();

          json_object_set_string_member (empty, "id", "");
          json_object_set_string_member (empty, "type", "function");
          json_object_set_string_member (empty_function, "name", "");
          json_object_set_string_member (empty_function, "arguments", "");
          json_object_set_object_member (empty, "function", g_steal_pointer (&empty_function));
          json_array_add_object_element (request->tool_calls, g_steal_pointer (&empty));
        }
      call = json_array_get_object_element (request->tool_calls, index);
      function = json_object_get_object_member (call, "function");
      if (json_object_get_string_member_with_default (delta, "id", NULL) != NULL)
        json_object_set_string_member (call, "id", json_object_get_string_member (delta, "id"));
      if (json_object_has_member (delta, "function") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (delta, "function")))
        {
          JsonObject *part = json_object_get_object_member (delta, "function");
          const char *name = json_object_get_string_member_with_default (part, "name", NULL);
          const char *arguments = json_object_get_string_member_with_default (part, "arguments",
                                                                              NULL);

          if (name != NULL)
            {
              g_autofree char *joined = g_strconcat (json_object_get_string_member (function,
                                                                                    "name"),
                                                     name, NULL);

              json_object_set_string_member (function, "name", joined);
            }
          if (arguments != NULL)
            {
              g_autofree char *joined = g_strconcat (
                  json_object_get_string_member (function, "arguments"), arguments, NULL);

              json_object_set_string_member (function, "arguments", joined);
            }
        }
    }
}

static void
add_text (Request    *request,
          const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  g_string_append (request->content, text);
  request->on_token (text, request->token_data);
}

/* One choice of a chunk (delta) or of a whole answer (message). */
static void
read_choice (Request    *request,
             JsonObject *choice,
             const char *member)
{
  JsonNode *node = json_object_get_member (choice, member);
  JsonObject *part = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                   : NULL;

  if (part != NULL)
    {
      JsonNode *content = json_object_get_member (part, "content");
      JsonNode *calls = json_object_get_member (part, "tool_calls");

      if (content != NULL && JSON_NODE_HOLDS_VALUE (content) &&
          json_node_get_value_type (content) == G_TYPE_STRING)
        add_text (request, json_node_get_string (content));
      if (calls != NULL && JSON_NODE_HOLDS_ARRAY (calls))
        merge_tool_calls (request, json_node_get_array (calls));
    }
  node = json_object_get_member (choice, "finish_reason");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    request->finished = TRUE;
}

static gboolean
read_completion (Request     *request,
                 const char  *data,
                 const char  *member,
                 GError     **error)
{
  g_autoptr(JsonNode) node = json_from_string (data, NULL);
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                     : NULL;
  JsonNode *choices;

  if (object == NULL)
    {
      g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_PROTOCOL,
                   _("The language model service sent something that is not JSON"));
      return FALSE;
    }
  if (json_object_has_member (object, "error"))
    {
      g_autofree char *message = error_text (data);

      g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM,
                   _("The language model service failed: %s"), message);
      return FALSE;
    }
  choices = json_object_get_member (object, "choices");
  if (choices != NULL && JSON_NODE_HOLDS_ARRAY (choices) &&
      json_array_get_length (json_node_get_array (choices)) > 0)
    {
      JsonNode *first = json_array_get_element (json_node_get_array (choices), 0);

      if (JSON_NODE_HOLDS_OBJECT (first))
        read_choice (request, json_node_get_object (first), member);
    }
  return TRUE;
}

/* A complete server-sent event: its data lines joined, its event name. */
static gboolean
dispatch_event (Request  *request,
                GError  **error)
{
  g_autofree char *event = g_steal_pointer (&request->event);
  g_autofree char *data = NULL;

  if (request->data->len == 0)
    return TRUE;
  data = g_strdup (request->data->str);
  g_string_truncate (request->data, 0);

  if (g_str_equal (data, "[DONE]"))
    {
      request->finished = TRUE;
      request->done = TRUE;
      return TRUE;
    }
  if (g_strcmp0 (event, "error") == 0)
    {
      g_autofree char *message = error_text (data);

      g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM,
                   _("The language model service failed: %s"), message);
      return FALSE;
    }
  return read_completion (request, data, "delta", error);
}

static gboolean
read_sse_line (Request     *request,
               const char  *line,
               GError     **error)
{
  const char *value;

  if (*line == '\0')
    return dispatch_event (request, error);
  if (*line == ':')
    return TRUE;
  value = strchr (line, ':');
  value = value != NULL ? value + 1 : line + strlen (line);
  if (*value == ' ')
    value++;
  if (g_str_has_prefix (line, "data:"))
    {
      if (request->data->len > 0)
        g_string_append_c (request->data, '\n');
      g_string_append (request->data, value);
    }
  else if (g_str_has_prefix (line, "event:"))
    {
      g_free (request->event);
      request->event = g_strdup (value);
    }
  return TRUE;
}

static JsonObject *
build_answer (Request *request)
{
  JsonObject *answer = json_object_new ();

  json_object_set_string_member (answer, "role", "assistant");
  json_object_set_string_member (answer, "content", request->content->str);
  if (request->tool_calls != NULL)
    json_object_set_array_member (answer, "tool_calls", json_array_ref (request->tool_calls));
  return answer;
}

static GError *
transport_error (QlOpenaiBackend *self,
                 GError          *error,
                 gboolean         connected)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (QL_CHAT_ERROR, QL_CHAT_ERROR_TIMEOUT,
                        _("The language model service at %s sent nothing for too long"),
                        self->shown_url);
  if (connected)
    return g_error_new (QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM,
                        _("The connection to the language model service broke: %s"),
                        error->message);
  return g_error_new (QL_CHAT_ERROR, QL_CHAT_ERROR_UNAVAILABLE,
                      _("Cannot reach the language model service at %s: %s"),
                      self->shown_url, error->message);
}

static void read_next_line (GTask *task);

static void
finish_body (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  guint status = soup_message_get_status (request->message);
  GError *error = NULL;

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *message = error_text (request->body->str);

      g_task_return_new_error (task, QL_CHAT_ERROR,
                               status == SOUP_STATUS_SERVICE_UNAVAILABLE ||
                               status == SOUP_STATUS_BAD_GATEWAY
                               ? QL_CHAT_ERROR_UNAVAILABLE : QL_CHAT_ERROR_UPSTREAM,
                               _("The language model service answered %u %s: %s"),
                               status, soup_message_get_reason_phrase (request->message),
                               message);
      return;
    }
  if (!read_completion (request, request->body->str, "message", &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, build_answer (request), (GDestroyNotify) json_object_unref);
}

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = g_data_input_stream_read_line_finish_utf8 (request->lines, result, &length, &error);
  if (error != NULL)
    {
      g_task_return_error (task, transport_error (request->backend, error, TRUE));
      return;
    }

  if (line == NULL)
    {
      GError *dispatch_error = NULL;

      if (!request->streamed)
        {
          finish_body (task);
          return;
        }
      if (!dispatch_event (request, &dispatch_error))
        g_task_return_error (task, dispatch_error);
      else if (!request->finished)
        g_task_return_new_error (task, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM,
                                 _("The language model service ended the reply early"));
      else
        g_task_return_pointer (task, build_answer (request), (GDestroyNotify) json_object_unref);
      return;
    }

  if (length > 0 && line[length - 1] == '\r')
    line[length - 1] = '\0';

  if (!request->streamed)
    {
      if (request->body->len + length > MAX_BODY)
        {
          g_task_return_new_error (task, QL_CHAT_ERROR, QL_CHAT_ERROR_PROTOCOL,
                                   _("The language model service’s answer is too long"));
          return;
        }
      g_string_append (request->body, line);
      g_string_append_c (request->body, '\n');
    }
  else
    {
      GError *sse_error = NULL;

      if (!read_sse_line (request, line, &sse_error))
        {
          g_task_return_error (task, sse_error);
          return;
        }
      /* [DONE] ends the reply; the end of the body is not waited for. */
      if (request->done)
        {
          g_task_return_pointer (task, build_answer (request),
                                 (GDestroyNotify) json_object_unref);
          return;
        }
    }
  read_next_line (g_steal_pointer (&task));
}

static void
read_next_line (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_data_input_stream_read_line_async (request->lines, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task), line_read_cb, task);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  const char *type;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, transport_error (request->backend, error, FALSE));
      return;
    }

  type = soup_message_headers_get_content_type (
      soup_message_get_response_headers (request->message), NULL);
  request->streamed = SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (request->message)) &&
                      g_strcmp0 (type, "text/event-stream") == 0;
  request->lines = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (request->lines, G_DATA_STREAM_NEWLINE_TYPE_LF);
  read_next_line (g_steal_pointer (&task));
}

static void
ql_openai_backend_complete_async (QlChatBackend       *backend,
                                  JsonArray           *messages,
                                  JsonArray           *tools,
                                  JsonObject          *options,
                                  QlChatTokenFunc      on_token,
                                  gpointer             token_data,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  QlOpenaiBackend *self = QL_OPENAI_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = g_strconcat (self->base_url, "/chat/completions", NULL);
  g_autofree char *body = build_body (self, messages, tools, options);
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *headers;
  Request *request;

  g_task_set_source_tag (task, ql_openai_backend_complete_async);
  request = g_new0 (Request, 1);
  request->backend = g_object_ref (self);
  request->on_token = on_token;
  request->token_data = token_data;
  request->body = g_string_new (NULL);
  request->data = g_string_new (NULL);
  request->content = g_string_new (NULL);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  request->message = soup_message_new (SOUP_METHOD_POST, url);
  if (request->message == NULL)
    {
      g_task_return_new_error (task, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
                               _("The language model service’s address “%s” is not an http or "
                                 "https URL"), self->shown_url);
      return;
    }
  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept", "text/event-stream");
  if (self->api_key != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->api_key, NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
    }
  bytes = g_bytes_new (body, strlen (body));
  soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT, cancellable,
                           sent_cb, g_steal_pointer (&task));
}

static JsonObject *
ql_openai_backend_complete_finish (QlChatBackend  *backend,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
ql_openai_backend_chat_backend_init (QlChatBackendInterface *iface)
{
  iface->complete_async = ql_openai_backend_complete_async;
  iface->complete_finish = ql_openai_backend_complete_finish;
}
