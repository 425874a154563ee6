/* ql-chat.h: a conversation with the assistant, kept for the session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-chat-backend.h"
#include "ql-chat-message.h"
#include "ql-chat-tools.h"

G_BEGIN_DECLS

/* A reply may look things up this many times before it must answer. */
#define QL_CHAT_MAX_LOOKUP_ROUNDS 4

#define QL_TYPE_CHAT (ql_chat_get_type ())
G_DECLARE_FINAL_TYPE (QlChat, ql_chat, QL, CHAT, GObject)

QlChat        *ql_chat_new               (QlChatBackend        *backend,
                                          QlChatTools          *tools);
void           ql_chat_set_system_prompt (QlChat               *self,
                                          const char           *prompt);
void           ql_chat_set_options       (QlChat               *self,
                                          JsonObject           *options);
void           ql_chat_append            (QlChat               *self,
                                          QlChatRole            role,
                                          const char           *content);
gboolean       ql_chat_get_busy          (QlChat               *self);
void           ql_chat_ask_async         (QlChat               *self,
                                          const char           *question,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
QlChatMessage *ql_chat_ask_finish        (QlChat               *self,
                                          GAsyncResult         *result,
                                          GError              **error);
void           ql_chat_stop              (QlChat               *self);

G_END_DECLS
