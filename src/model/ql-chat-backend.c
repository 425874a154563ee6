/* ql-chat-backend.c: the interface a language model service implements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-backend"

#include "config.h"

#include "ql-chat-backend.h"

G_DEFINE_INTERFACE (QlChatBackend, ql_chat_backend, G_TYPE_OBJECT)

G_DEFINE_QUARK (ql-chat-error-quark, ql_chat_error)

static void
ql_chat_backend_default_init (QlChatBackendInterface *iface)
{
}

/**
 * ql_chat_backend_complete_async:
 * @self: a #QlChatBackend
 * @messages: the conversation so far, as OpenAI chat message objects
 * @tools: (nullable): the tools the model may call, as OpenAI function
 *   definitions
 * @options: (nullable): sampling options, as an OpenAI request has them
 * @on_token: (scope notified): called with each piece of the reply's text
 * @token_data: data for @on_token; it must stay valid until @callback runs
 * @cancellable: (nullable): stops the request, also mid-stream
 * @callback: called once the reply is complete or failed
 * @user_data: data for @callback
 *
 * Asks the service for the next assistant message and streams its text.
 */
void
ql_chat_backend_complete_async (QlChatBackend       *self,
                                JsonArray           *messages,
                                JsonArray           *tools,
                                JsonObject          *options,
                                QlChatTokenFunc      on_token,
                                gpointer             token_data,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (QL_IS_CHAT_BACKEND (self));
  g_return_if_fail (messages != NULL);
  g_return_if_fail (on_token != NULL);

  QL_CHAT_BACKEND_GET_IFACE (self)->complete_async (self, messages, tools, options,
                                                    on_token, token_data,
                                                    cancellable, callback, user_data);
}

/**
 * ql_chat_backend_complete_finish:
 * @self: a #QlChatBackend
 * @result: the result given to the callback
 * @error: return location for a %QL_CHAT_ERROR or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the assistant message, or %NULL on error
 */
JsonObject *
ql_chat_backend_complete_finish (QlChatBackend  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (QL_IS_CHAT_BACKEND (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return QL_CHAT_BACKEND_GET_IFACE (self)->complete_finish (self, result, error);
}
