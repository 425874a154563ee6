/* ql-chat-message.h: one message of a conversation with the assistant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * QlChatRole:
 * @QL_CHAT_ROLE_SYSTEM: instructions to the assistant
 * @QL_CHAT_ROLE_USER: what the user asked
 * @QL_CHAT_ROLE_ASSISTANT: the assistant's reply, or its request for tools
 * @QL_CHAT_ROLE_TOOL: what a tool looked up for the assistant
 *
 * Who a message is from.
 */
typedef enum
{
  QL_CHAT_ROLE_SYSTEM,
  QL_CHAT_ROLE_USER,
  QL_CHAT_ROLE_ASSISTANT,
  QL_CHAT_ROLE_TOOL,
} QlChatRole;

GType ql_chat_role_get_type (void) G_GNUC_CONST;
#define QL_TYPE_CHAT_ROLE (ql_chat_role_get_type ())

/**
 * QlChatState:
 * @QL_CHAT_STATE_STREAMING: the reply is still arriving
 * @QL_CHAT_STATE_DONE: the message is complete
 * @QL_CHAT_STATE_STOPPED: the reply was stopped; its text is what came
 * @QL_CHAT_STATE_FAILED: the reply failed; see #QlChatMessage:error
 *
 * How far a message is.
 */
typedef enum
{
  QL_CHAT_STATE_STREAMING,
  QL_CHAT_STATE_DONE,
  QL_CHAT_STATE_STOPPED,
  QL_CHAT_STATE_FAILED,
} QlChatState;

GType ql_chat_state_get_type (void) G_GNUC_CONST;
#define QL_TYPE_CHAT_STATE (ql_chat_state_get_type ())

#define QL_TYPE_CHAT_MESSAGE (ql_chat_message_get_type ())
G_DECLARE_FINAL_TYPE (QlChatMessage, ql_chat_message, QL, CHAT_MESSAGE, GObject)

QlChatMessage *ql_chat_message_new              (QlChatRole     role,
                                                 const char    *content);
QlChatRole     ql_chat_message_get_role         (QlChatMessage *self);
const char    *ql_chat_message_get_content      (QlChatMessage *self);
QlChatState    ql_chat_message_get_state        (QlChatMessage *self);
const char    *ql_chat_message_get_error        (QlChatMessage *self);
const char    *ql_chat_message_get_summary      (QlChatMessage *self);
JsonObject    *ql_chat_message_to_json          (QlChatMessage *self);

G_END_DECLS
