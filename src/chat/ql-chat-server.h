/* ql-chat-server.h: the chat service's HTTP and WebSocket routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ql-chat.h"

G_BEGIN_DECLS

#define QL_CHAT_SERVER_DEFAULT_ADDRESS "127.0.0.1:8000"

#define QL_TYPE_CHAT_SERVER (ql_chat_server_get_type ())
G_DECLARE_FINAL_TYPE (QlChatServer, ql_chat_server, QL, CHAT_SERVER, GObject)

QlChatServer *ql_chat_server_new          (QlChatBackend  *backend,
                                           QlChatTools    *tools,
                                           const char     *model);
gboolean      ql_chat_server_listen       (QlChatServer   *self,
                                           const char     *address,
                                           GError        **error);
char         *ql_chat_server_get_url      (QlChatServer   *self);
QlChat       *ql_chat_server_new_chat     (QlChatServer   *self);
gboolean      ql_chat_server_read_request (QlChat         *chat,
                                           JsonObject     *request,
                                           GError        **error);

G_END_DECLS
