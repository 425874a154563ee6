/* ql-chat-message-private.h: what QlChat changes in its messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-chat-message.h"

G_BEGIN_DECLS

void _ql_chat_message_append_content (QlChatMessage *self,
                                      const char    *text);
void _ql_chat_message_set_state      (QlChatMessage *self,
                                      QlChatState    state,
                                      const char    *error);
void _ql_chat_message_set_tool_calls (QlChatMessage *self,
                                      JsonArray     *tool_calls);
void _ql_chat_message_set_tool_call  (QlChatMessage *self,
                                      const char    *tool_call_id,
                                      const char    *summary);

G_END_DECLS
