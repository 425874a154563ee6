/* ql-chat-backend.h: the interface a language model service implements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ql-errors.h"

G_BEGIN_DECLS

/**
 * QlChatTokenFunc:
 * @text: the next piece of the reply, UTF-8
 * @user_data: the data given with the function
 *
 * Receives the reply's text as the service streams it.
 */
typedef void (*QlChatTokenFunc) (const char *text,
                                 gpointer    user_data);

#define QL_TYPE_CHAT_BACKEND (ql_chat_backend_get_type ())
G_DECLARE_INTERFACE (QlChatBackend, ql_chat_backend, QL, CHAT_BACKEND, GObject)

/**
 * QlChatBackendInterface:
 * @g_iface: the parent interface
 * @complete_async: streams one reply to @messages, calling @on_token for
 *   each piece of text until @callback runs
 * @complete_finish: returns the whole reply as an assistant message object
 *   in OpenAI's chat format (`content`, and `tool_calls` when the model
 *   asked for tools)
 *
 * @options holds sampling options (`temperature`, `max_tokens`, `seed`…)
 * that the service may honour.
 *
 * A language model service, as #QlChat sees it. Adapters outside the model
 * implement it over HTTP; tests implement it in memory.
 */
struct _QlChatBackendInterface
{
  GTypeInterface g_iface;

  void        (*complete_async)  (QlChatBackend       *self,
                                  JsonArray           *messages,
                                  JsonArray           *tools,
                                  JsonObject          *options,
                                  QlChatTokenFunc      on_token,
                                  gpointer             token_data,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  JsonObject *(*complete_finish) (QlChatBackend       *self,
                                  GAsyncResult        *result,
                                  GError             **error);
};

void        ql_chat_backend_complete_async  (QlChatBackend       *self,
                                             JsonArray           *messages,
                                             JsonArray           *tools,
                                             JsonObject          *options,
                                             QlChatTokenFunc      on_token,
                                             gpointer             token_data,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
JsonObject *ql_chat_backend_complete_finish (QlChatBackend       *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
