/* ql-chat-socket.c: one WebSocket conversation with the assistant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-socket"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-chat-server.h"
#include "ql-chat-socket.h"

/**
 * QlChatSocket:
 *
 * Lanarky's WebSocket route: each text message from the client is a
 * question, either plain text or a JSON object with a `query` (asked in
 * the conversation the connection keeps) or `messages` (a conversation
 * of its own). The reply comes back as JSON messages
 * `{"event": "completion", "data": TOKEN}`, then `{"event": "end"}`, or
 * `{"event": "error", "data": MESSAGE}`. Closing the connection stops the
 * reply.
 */
struct _QlChatSocket
{
  GObject                  parent_instance;

  QlChatServer            *server;
  SoupWebsocketConnection *connection;
  QlChat                  *chat;
  gulong                   token_handler;
};

G_DEFINE_FINAL_TYPE (QlChatSocket, ql_chat_socket, G_TYPE_OBJECT)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
drop_chat (QlChatSocket *self)
{
  if (self->chat == NULL)
    return;
  g_clear_signal_handler (&self->token_handler, self->chat);
  ql_chat_stop (self->chat);
  g_clear_object (&self->chat);
}

static void
ql_chat_socket_dispose (GObject *object)
{
  QlChatSocket *self = (QlChatSocket *) object;

  drop_chat (self);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ql_chat_socket_parent_class)->dispose (object);
}

static void
ql_chat_socket_class_init (QlChatSocketClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ql_chat_socket_dispose;

  /**
   * QlChatSocket::closed:
   *
   * The client closed the connection.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ql_chat_socket_init (QlChatSocket *self)
{
}

static void
send_event (QlChatSocket *self,
            const char   *event,
            const char   *data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  if (soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, data);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  soup_websocket_connection_send_text (self->connection, json);
}

static void
token_cb (QlChatSocket  *self,
          QlChatMessage *reply,
          const char    *text,
          QlChat        *chat)
{
  send_event (self, "completion", text);
}

static void
asked_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QlChatSocket) self = user_data;
  g_autoptr(QlChatMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = ql_chat_ask_finish (QL_CHAT (source), result, &error);
  if (self->connection == NULL)
    return;
  if (reply == NULL)
    send_event (self, "error", error->message);
  else
    send_event (self, "end", "");
}

static void
new_chat (QlChatSocket *self)
{
  drop_chat (self);
  self->chat = ql_chat_server_new_chat (self->server);
  self->token_handler = g_signal_connect_swapped (self->chat, "token", G_CALLBACK (token_cb), self);
}

static void
message_cb (QlChatSocket            *self,
            gint                     type,
            GBytes                  *message,
            SoupWebsocketConnection *connection)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  g_autofree char *text = NULL;
  JsonObject *request;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || !g_utf8_validate (data, length, NULL))
    {
      send_event (self, "error", _("Send the question as text"));
      return;
    }
  if (self->chat != NULL && ql_chat_get_busy (self->chat))
    {
      send_event (self, "error", _("The assistant is still answering"));
      return;
    }
  text = g_strndup (data, length);
  node = json_from_string (text, NULL);
  request = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  if (request != NULL && json_object_has_member (request, "messages"))
    {
      new_chat (self);
      if (!ql_chat_server_read_request (self->chat, request, &error))
        {
          send_event (self, "error", error->message);
          return;
        }
      ql_chat_ask_async (self->chat, NULL, NULL, asked_cb, g_object_ref (self));
      return;
    }
  if (self->chat == NULL)
    new_chat (self);
  if (request != NULL)
    {
      const char *query = json_object_get_string_member_with_default (request, "query", NULL);

      if (query == NULL)
        {
          send_event (self, "error", _("The request has neither “messages” nor a “query”"));
          return;
        }
      ql_chat_set_options (self->chat, request);
      ql_chat_ask_async (self->chat, query, NULL, asked_cb, g_object_ref (self));
      return;
    }
  ql_chat_ask_async (self->chat, text, NULL, asked_cb, g_object_ref (self));
}

static void
closed_cb (QlChatSocket            *self,
           SoupWebsocketConnection *connection)
{
  /* A handler of closed may drop the last reference to the socket. */
  g_object_ref (self);
  drop_chat (self);
  g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
  g_object_unref (self);
}

/**
 * ql_chat_socket_new:
 * @server: the server whose backend and tools answer
 * @connection: the client's connection
 *
 * Returns: (transfer full): the conversation on @connection
 */
QlChatSocket *
ql_chat_socket_new (QlChatServer            *server,
                    SoupWebsocketConnection *connection)
{
  QlChatSocket *self;

  g_return_val_if_fail (QL_IS_CHAT_SERVER (server), NULL);
  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (connection), NULL);

  self = g_object_new (QL_TYPE_CHAT_SOCKET, NULL);
  self->server = server;
  self->connection = g_object_ref (connection);
  g_signal_connect_swapped (connection, "message", G_CALLBACK (message_cb), self);
  g_signal_connect_swapped (connection, "closed", G_CALLBACK (closed_cb), self);
  return self;
}
