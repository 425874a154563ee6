/* ql-chat-stream.c: one chat request answered over HTTP as it streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-stream"

#include "config.h"

#include <glib/gi18n.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "ql-chat-stream.h"

/**
 * QlChatStream:
 *
 * Answers one HTTP request from a #QlChat. The response waits for the
 * first token, so that a service that cannot be reached is an HTTP error
 * an OpenAI client reads as such; from then on each token is written as
 * it comes. A client that goes away stops the reply, which cancels the
 * request to the language model service.
 */
struct _QlChatStream
{
  GObject             parent_instance;

  QlChat             *chat;
  SoupServerMessage  *message;
  QlChatStreamFormat  format;
  char               *model;
  char               *id;
  gint64              created;
  gulong              token_handler;
  GSource            *hangup_source;
  gboolean            started;
  gboolean            gone;
};

G_DEFINE_FINAL_TYPE (QlChatStream, ql_chat_stream, G_TYPE_OBJECT)

static void
ql_chat_stream_dispose (GObject *object)
{
  QlChatStream *self = (QlChatStream *) object;

  if (self->token_handler != 0)
    g_clear_signal_handler (&self->token_handler, self->chat);
  if (self->hangup_source != NULL)
    g_source_destroy (self->hangup_source);
  g_clear_pointer (&self->hangup_source, g_source_unref);
  if (self->message != NULL)
    g_signal_handlers_disconnect_by_data (self->message, self);
  g_clear_object (&self->message);
  g_clear_object (&self->chat);

  G_OBJECT_CLASS (ql_chat_stream_parent_class)->dispose (object);
}

static void
ql_chat_stream_finalize (GObject *object)
{
  QlChatStream *self = (QlChatStream *) object;

  g_free (self->model);
  g_free (self->id);

  G_OBJECT_CLASS (ql_chat_stream_parent_class)->finalize (object);
}

static void
ql_chat_stream_class_init (QlChatStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_chat_stream_dispose;
  object_class->finalize = ql_chat_stream_finalize;
}

static void
ql_chat_stream_init (QlChatStream *self)
{
}

/**
 * ql_chat_stream_new:
 * @chat: the conversation, with the request's messages in it
 * @message: the request to answer
 * @format: how to write the reply
 * @model: the model name OpenAI chunks carry
 *
 * Returns: (transfer full): the stream; ql_chat_stream_start() runs it
 */
QlChatStream *
ql_chat_stream_new (QlChat             *chat,
                    SoupServerMessage  *message,
                    QlChatStreamFormat  format,
                    const char         *model)
{
  QlChatStream *self;

  g_return_val_if_fail (QL_IS_CHAT (chat), NULL);
  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (message), NULL);

  self = g_object_new (QL_TYPE_CHAT_STREAM, NULL);
  self->chat = g_object_ref (chat);
  self->message = g_object_ref (message);
  self->format = format;
  self->model = g_strdup (model);
  self->id = g_strdup_printf ("chatcmpl-%08x%08x", g_random_int (), g_random_int ());
  self->created = g_get_real_time () / G_USEC_PER_SEC;
  return self;
}

static void
write_text (QlChatStream *self,
            const char   *text)
{
  SoupMessageBody *body = soup_server_message_get_response_body (self->message);

  soup_message_body_append (body, SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_unpause (self->message);
}

/* An event's data, one `data:` line per line of text. */
static void
write_event (QlChatStream *self,
             const char   *event,
             const char   *data)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);

  if (event != NULL)
    g_string_append_printf (out, "event: %s\r\n", event);
  /* An event without a data line is never dispatched by clients. */
  if (lines[0] == NULL)
    g_string_append (out, "data: \r\n");
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "data: %s\r\n", lines[i]);
  g_string_append (out, "\r\n");
  write_text (self, out->str);
}

static char *
node_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static char *
openai_chunk (QlChatStream *self,
              const char   *content,
              const char   *finish_reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "chat.completion.chunk");
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, self->created);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, self->model);
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "delta");
  json_builder_begin_object (builder);
  if (content != NULL)
    {
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, "assistant");
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, content);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "finish_reason");
  if (finish_reason != NULL)
    json_builder_add_string_value (builder, finish_reason);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return node_to_string (root);
}

static char *
error_object (const GError *error,
              guint         status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *type = "upstream_error";

  if (g_error_matches (error, QL_CHAT_ERROR, QL_CHAT_ERROR_UNAVAILABLE))
    type = "upstream_unavailable";
  else if (g_error_matches (error, QL_CHAT_ERROR, QL_CHAT_ERROR_TIMEOUT))
    type = "upstream_timeout";

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return node_to_string (root);
}

static char *
lanarky_error (const GError *error,
               guint         status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status_code");
  json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, error->message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return node_to_string (root);
}

static guint
error_status (const GError *error)
{
  if (g_error_matches (error, QL_CHAT_ERROR, QL_CHAT_ERROR_TIMEOUT))
    return SOUP_STATUS_GATEWAY_TIMEOUT;
  if (g_error_matches (error, QL_CHAT_ERROR, QL_CHAT_ERROR_UNAVAILABLE))
    return SOUP_STATUS_BAD_GATEWAY;
  if (g_error_matches (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST))
    return SOUP_STATUS_BAD_REQUEST;
  return SOUP_STATUS_BAD_GATEWAY;
}

static void
begin_events (QlChatStream *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (self->message);

  self->started = TRUE;
  soup_server_message_set_status (self->message, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  /* Proxies such as nginx would otherwise hold the tokens back. */
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  if (self->format == QL_CHAT_STREAM_OPENAI)
    {
      g_autofree char *first = openai_chunk (self, "", NULL);

      write_event (self, NULL, first);
    }
}

static void
end_body (QlChatStream *self)
{
  soup_message_body_complete (soup_server_message_get_response_body (self->message));
  soup_server_message_unpause (self->message);
}

static void
token_cb (QlChatStream  *self,
          QlChatMessage *reply,
          const char    *text,
          QlChat        *chat)
{
  g_autofree char *chunk = NULL;

  if (self->gone || self->format == QL_CHAT_STREAM_OPENAI_WHOLE)
    return;
  if (!self->started)
    begin_events (self);
  if (self->format == QL_CHAT_STREAM_LANARKY)
    {
      write_event (self, "completion", text);
      return;
    }
  chunk = openai_chunk (self, text, NULL);
  write_event (self, NULL, chunk);
}

static void
answer_error (QlChatStream *self,
              const GError *error)
{
  guint status = error_status (error);
  g_autofree char *json = NULL;

  if (self->format == QL_CHAT_STREAM_LANARKY)
    {
      if (!self->started)
        begin_events (self);
      json = lanarky_error (error, status);
      write_event (self, "error", json);
      end_body (self);
      return;
    }
  json = error_object (error, status);
  if (self->started)
    {
      /* OpenAI's SDKs raise an error for a chunk that holds one. */
      write_event (self, NULL, json);
      end_body (self);
      return;
    }
  soup_server_message_set_status (self->message, status, NULL);
  soup_server_message_set_response (self->message, "application/json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
  soup_server_message_unpause (self->message);
}

static void
answer_whole (QlChatStream  *self,
              QlChatMessage *reply)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "chat.completion");
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, self->created);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, self->model);
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "assistant");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, ql_chat_message_get_content (reply));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "finish_reason");
  json_builder_add_string_value (builder, "stop");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = node_to_string (root);
  soup_server_message_set_status (self->message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (self->message, "application/json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
  soup_server_message_unpause (self->message);
}

static void
asked_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QlChatStream) self = user_data;
  g_autoptr(QlChatMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = ql_chat_ask_finish (QL_CHAT (source), result, &error);
  if (self->gone)
    return;
  if (reply == NULL)
    {
      answer_error (self, error);
      return;
    }
  if (self->format == QL_CHAT_STREAM_OPENAI_WHOLE)
    {
      answer_whole (self, reply);
      return;
    }
  if (!self->started)
    begin_events (self);
  if (self->format == QL_CHAT_STREAM_LANARKY)
    write_event (self, "end", "");
  else
    {
      g_autofree char *last = openai_chunk (self, NULL, "stop");

      write_event (self, NULL, last);
      write_event (self, NULL, "[DONE]");
    }
  end_body (self);
}

/* The client went away, or the answer was sent: either way, no more. */
static void
finished_cb (QlChatStream      *self,
             SoupServerMessage *message)
{
  self->gone = TRUE;
  if (self->hangup_source != NULL)
    g_source_destroy (self->hangup_source);
  ql_chat_stop (self->chat);
}

/* A paused message reads nothing, so libsoup would notice a client that
 * hung up only at the next token, which a slow service may never send.
 * The socket turning readable says it sooner: a peek of 0 bytes is the
 * hang-up; bytes are a pipelined request, left for libsoup. */
static gboolean
client_readable_cb (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  QlChatStream *self = user_data;
  GInputVector vector;
  GInputMessage peek = { 0 };
  char byte;
  int flags = G_SOCKET_MSG_PEEK;
  g_autoptr(GError) error = NULL;

  vector.buffer = &byte;
  vector.size = 1;
  peek.vectors = &vector;
  peek.num_vectors = 1;
  peek.flags = flags;
  if (g_socket_receive_messages (socket, &peek, 1, 0, NULL, &error) == 1 && peek.bytes_received > 0)
    return G_SOURCE_REMOVE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  finished_cb (self, self->message);
  return G_SOURCE_REMOVE;
}

static void
watch_client (QlChatStream *self)
{
  GSocket *socket = soup_server_message_get_socket (self->message);

  if (socket == NULL)
    return;
  /* Each token is a small write that must leave at once, not wait for
   * the last one's acknowledgement (Nagle's algorithm). */
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  self->hangup_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->hangup_source, G_SOURCE_FUNC (client_readable_cb), self, NULL);
  g_source_attach (self->hangup_source, NULL);
}

/**
 * ql_chat_stream_start:
 * @self: a #QlChatStream
 *
 * Asks the chat and answers the request as the reply comes. Call it from
 * the server's handler: it pauses the message until there is something
 * to send.
 */
void
ql_chat_stream_start (QlChatStream *self)
{
  SoupMessageBody *body;

  g_return_if_fail (QL_IS_CHAT_STREAM (self));

  body = soup_server_message_get_response_body (self->message);
  soup_message_body_set_accumulate (body, FALSE);
  g_signal_connect_object (self->message, "disconnected", G_CALLBACK (finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message, "finished", G_CALLBACK (finished_cb), self,
                           G_CONNECT_SWAPPED);
  self->token_handler = g_signal_connect_swapped (self->chat, "token",
                                                  G_CALLBACK (token_cb), self);
  soup_server_message_pause (self->message);
  watch_client (self);
  ql_chat_ask_async (self->chat, NULL, NULL, asked_cb, g_object_ref (self));
}
