/* ql-chat-page.h: the Chat page, a conversation with the assistant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define QL_TYPE_CHAT_PAGE (ql_chat_page_get_type ())
G_DECLARE_FINAL_TYPE (QlChatPage, ql_chat_page, QL, CHAT_PAGE, GtkBox)

void ql_chat_page_set_messages (QlChatPage *self,
                                GListModel *messages);
void ql_chat_page_set_busy     (QlChatPage *self,
                                gboolean    busy);
void ql_chat_page_show_error   (QlChatPage *self,
                                const char *message);

G_END_DECLS
