/* ql-chat-server.c: the chat service's HTTP and WebSocket routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-server"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-chat-server.h"
#include "ql-chat-socket.h"
#include "ql-chat-stream.h"

#define MAX_REQUEST (1024 * 1024)
#define LISTEN_BACKLOG 1024

/**
 * QlChatServer:
 *
 * Serves the assistant the way Lanarky serves a chain: `POST /chat`
 * streams server-sent events, `/ws` does the same over a WebSocket, and
 * `POST /v1/chat/completions` speaks OpenAI's format so that OpenAI
 * clients can use the service as it is; `GET /health` says it is up.
 * Each request gets a #QlChat of its own over the shared backend and
 * tools, so any number of chats stream at once on one main loop.
 */
struct _QlChatServer
{
  GObject        parent_instance;

  SoupServer    *server;
  QlChatBackend *backend;
  QlChatTools   *tools;
  char          *model;
  GPtrArray     *sockets;
  GSocketAddress *address;
};

G_DEFINE_FINAL_TYPE (QlChatServer, ql_chat_server, G_TYPE_OBJECT)

static void
ql_chat_server_dispose (GObject *object)
{
  QlChatServer *self = (QlChatServer *) object;

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->sockets, g_ptr_array_unref);
  g_clear_object (&self->backend);
  g_clear_object (&self->tools);
  g_clear_object (&self->address);

  G_OBJECT_CLASS (ql_chat_server_parent_class)->dispose (object);
}

static void
ql_chat_server_finalize (GObject *object)
{
  QlChatServer *self = (QlChatServer *) object;

  g_free (self->model);

  G_OBJECT_CLASS (ql_chat_server_parent_class)->finalize (object);
}

static void
ql_chat_server_class_init (QlChatServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_chat_server_dispose;
  object_class->finalize = ql_chat_server_finalize;
}

static void
ql_chat_server_init (QlChatServer *self)
{
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
answer_json (SoupServerMessage *message,
             guint              status,
             JsonNode          *root)
{
  g_autofree char *json = json_to_string (root, FALSE);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

static void
answer_error (SoupServerMessage *message,
              guint              status,
              const char        *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "invalid_request_error");
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  answer_json (message, status, root);
}

/* A message's text: a string, or OpenAI's list of parts. */
static char *
content_text (JsonNode *content)
{
  g_autoptr(GString) text = NULL;
  JsonArray *parts;

  if (content != NULL && JSON_NODE_HOLDS_VALUE (content) &&
      json_node_get_value_type (content) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (content));
  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
    return NULL;
  parts = json_node_get_array (content);
  text = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *part = json_array_get_element (parts, i);
      const char *piece = JSON_NODE_HOLDS_OBJECT (part)
                          ? json_object_get_string_member_with_default (
                              json_node_get_object (part), "text", NULL) : NULL;

      if (piece != NULL)
        g_string_append (text, piece);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * ql_chat_server_read_request:
 * @chat: an empty conversation
 * @request: a request body: `messages` as OpenAI has them, or Lanarky's
 *   `query`
 * @error: return location for a %QL_CHAT_ERROR_INVALID_REQUEST
 *
 * Puts the request's conversation into @chat, and its sampling options.
 *
 * Returns: whether the request holds a conversation to answer
 */
gboolean
ql_chat_server_read_request (QlChat      *chat,
                             JsonObject  *request,
                             GError     **error)
{
  JsonNode *messages = json_object_get_member (request, "messages");
  const char *query = json_object_get_string_member_with_default (request, "query", NULL);
  guint n = 0;

  if (messages != NULL && JSON_NODE_HOLDS_ARRAY (messages))
    {
      JsonArray *array = json_node_get_array (messages);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          JsonObject *message = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *role = message != NULL
                             ? json_object_get_string_member_with_default (message, "role", "")
                             : "";
          g_autofree char *text = message != NULL
                                  ? content_text (json_object_get_member (message, "content"))
                                  : NULL;
          QlChatRole chat_role;

          if (g_str_equal (role, "system") || g_str_equal (role, "developer"))
            chat_role = QL_CHAT_ROLE_SYSTEM;
          else if (g_str_equal (role, "user"))
            chat_role = QL_CHAT_ROLE_USER;
          else if (g_str_equal (role, "assistant"))
            chat_role = QL_CHAT_ROLE_ASSISTANT;
          else
            {
              g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
                           _("Message %u has the role “%s”; only system, user and assistant "
                             "messages are taken"), i + 1, role);
              return FALSE;
            }
          if (text == NULL)
            {
              g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
                           _("Message %u has no text"), i + 1);
              return FALSE;
            }
          ql_chat_append (chat, chat_role, text);
          n++;
        }
    }
  if (query != NULL)
    {
      ql_chat_append (chat, QL_CHAT_ROLE_USER, query);
      n++;
    }
  if (n == 0)
    {
      g_set_error (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
                   _("The request has neither “messages” nor a “query”"));
      return FALSE;
    }
  ql_chat_set_options (chat, request);
  return TRUE;
}

/**
 * ql_chat_server_new_chat:
 * @self: a #QlChatServer
 *
 * Returns: (transfer full): an empty conversation over the server's
 *   backend and tools
 */
QlChat *
ql_chat_server_new_chat (QlChatServer *self)
{
  g_return_val_if_fail (QL_IS_CHAT_SERVER (self), NULL);

  return ql_chat_new (self->backend, self->tools);
}

static JsonObject *
read_body (SoupServerMessage *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *data;
  gsize length;

  if (body->length > MAX_REQUEST)
    return NULL;
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &length);
  if (length == 0 || !g_utf8_validate (data, length, NULL))
    return NULL;
  node = json_from_string (data, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static void
chat_cb (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  QlChatServer *self = user_data;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(QlChat) chat = NULL;
  g_autoptr(QlChatStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  gboolean openai = g_str_equal (path, "/v1/chat/completions");
  QlChatStreamFormat format;

  if (soup_server_message_get_method (message) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Allow", "POST");
      answer_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Send the chat with POST"));
      return;
    }
  request = read_body (message);
  if (request == NULL)
    {
      answer_error (message, SOUP_STATUS_BAD_REQUEST,
                    _("The request body must be a JSON object of at most 1 MiB"));
      return;
    }
  chat = ql_chat_server_new_chat (self);
  if (!ql_chat_server_read_request (chat, request, &error))
    {
      answer_error (message, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  if (!openai)
    format = QL_CHAT_STREAM_LANARKY;
  else if (json_object_get_boolean_member_with_default (request, "stream", FALSE))
    format = QL_CHAT_STREAM_OPENAI;
  else
    format = QL_CHAT_STREAM_OPENAI_WHOLE;
  stream = ql_chat_stream_new (chat, message, format, self->model);
  ql_chat_stream_start (stream);
}

static void
health_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  QlChatServer *self = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, self->model);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  answer_json (message, SOUP_STATUS_OK, root);
}

static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *message,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  answer_error (message, SOUP_STATUS_NOT_FOUND,
                _("Unknown route; the service has POST /chat, /ws, "
                  "POST /v1/chat/completions and GET /health"));
}

static void
socket_closed_cb (QlChatServer *self,
                  QlChatSocket *socket)
{
  g_ptr_array_remove_fast (self->sockets, socket);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *message,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  QlChatServer *self = user_data;
  QlChatSocket *socket = ql_chat_socket_new (self, connection);

  g_ptr_array_add (self->sockets, socket);
  g_signal_connect_object (socket, "closed", G_CALLBACK (socket_closed_cb), self,
                           G_CONNECT_SWAPPED);
}

/**
 * ql_chat_server_new:
 * @backend: the language model service
 * @tools: (nullable): the lookups the assistant may call
 * @model: (nullable): the model name to report, or %NULL for the
 *   program's name
 *
 * Returns: (transfer full): a server with its routes, not yet listening
 */
QlChatServer *
ql_chat_server_new (QlChatBackend *backend,
                    QlChatTools   *tools,
                    const char    *model)
{
  QlChatServer *self;

  g_return_val_if_fail (QL_IS_CHAT_BACKEND (backend), NULL);
  g_return_val_if_fail (tools == NULL || QL_IS_CHAT_TOOLS (tools), NULL);

  self = g_object_new (QL_TYPE_CHAT_SERVER, NULL);
  self->backend = g_object_ref (backend);
  g_set_object (&self->tools, tools);
  self->model = g_strdup (model != NULL && *model != '\0' ? model : "quote-ledger");
  self->server = soup_server_new ("server-header", "quote-ledger ", NULL);
  soup_server_add_handler (self->server, NULL, not_found_cb, self, NULL);
  soup_server_add_handler (self->server, "/chat", chat_cb, self, NULL);
  soup_server_add_handler (self->server, "/v1/chat/completions", chat_cb, self, NULL);
  soup_server_add_handler (self->server, "/health", health_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, "/ws", NULL, NULL, websocket_cb, self, NULL);
  return self;
}

/**
 * ql_chat_server_listen:
 * @self: a #QlChatServer
 * @address: HOST:PORT; port 0 picks a free one
 * @error: return location for a #GIOError or #GResolverError
 *
 * Returns: whether the server listens
 */
gboolean
ql_chat_server_listen (QlChatServer  *self,
                       const char    *address,
                       GError       **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketAddressEnumerator) addresses = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_return_val_if_fail (QL_IS_CHAT_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  connectable = g_network_address_parse (address, 8000, error);
  if (connectable == NULL)
    return FALSE;
  addresses = g_socket_connectable_enumerate (connectable);
  socket_address = g_socket_address_enumerator_next (addresses, NULL, error);
  if (socket_address == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("“%s” names no address to listen on"), address);
      return FALSE;
    }
  socket = g_socket_new (g_socket_address_get_family (socket_address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  /* Many chats connect at once: GIO's default of 10 pending connections
   * would have the kernel reset the rest. */
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, socket_address, TRUE, error) || !g_socket_listen (socket, error) ||
      !soup_server_listen_socket (self->server, socket, 0, error))
    return FALSE;
  g_clear_object (&self->address);
  self->address = g_socket_get_local_address (socket, error);
  return self->address != NULL;
}

/**
 * ql_chat_server_get_url:
 * @self: a #QlChatServer
 *
 * Read from the socket itself: libsoup 3.2's soup_server_get_uris() leaks
 * the addresses it reads.
 *
 * Returns: (transfer full) (nullable): where the server listens, or %NULL
 *   before ql_chat_server_listen()
 */
char *
ql_chat_server_get_url (QlChatServer *self)
{
  GInetSocketAddress *inet;
  g_autofree char *host = NULL;

  g_return_val_if_fail (QL_IS_CHAT_SERVER (self), NULL);

  if (self->address == NULL || !G_IS_INET_SOCKET_ADDRESS (self->address))
    return NULL;
  inet = G_INET_SOCKET_ADDRESS (self->address);
  host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  if (g_inet_address_get_family (g_inet_socket_address_get_address (inet)) ==
      G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("http://[%s]:%u/", host, g_inet_socket_address_get_port (inet));
  return g_strdup_printf ("http://%s:%u/", host, g_inet_socket_address_get_port (inet));
}
