/* ql-chat-controller.h: connects the Chat page to a QlChat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-chat.h"
#include "ql-chat-page.h"

G_BEGIN_DECLS

#define QL_TYPE_CHAT_CONTROLLER (ql_chat_controller_get_type ())
G_DECLARE_FINAL_TYPE (QlChatController, ql_chat_controller, QL, CHAT_CONTROLLER, GObject)

QlChatController *ql_chat_controller_new      (QlChatBackend    *backend,
                                               QlQuoteBook      *quotes,
                                               QlLedgerBook     *ledgers,
                                               QlChatPage       *page);
QlChat           *ql_chat_controller_get_chat (QlChatController *self);

G_END_DECLS
