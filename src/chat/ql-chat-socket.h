/* ql-chat-socket.h: one WebSocket conversation with the assistant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ql-chat.h"

G_BEGIN_DECLS

typedef struct _QlChatServer QlChatServer;

#define QL_TYPE_CHAT_SOCKET (ql_chat_socket_get_type ())
G_DECLARE_FINAL_TYPE (QlChatSocket, ql_chat_socket, QL, CHAT_SOCKET, GObject)

QlChatSocket *ql_chat_socket_new (QlChatServer            *server,
                                  SoupWebsocketConnection *connection);

G_END_DECLS
