/* ql-chat-tools.h: the read-only lookups the assistant may call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ql-ledger-book.h"
#include "ql-quote-book.h"

G_BEGIN_DECLS

#define QL_TYPE_CHAT_TOOLS (ql_chat_tools_get_type ())
G_DECLARE_FINAL_TYPE (QlChatTools, ql_chat_tools, QL, CHAT_TOOLS, GObject)

QlChatTools *ql_chat_tools_new             (QlQuoteBook  *quotes,
                                            QlLedgerBook *ledgers);
JsonArray   *ql_chat_tools_get_definitions (QlChatTools  *self);
char        *ql_chat_tools_call            (QlChatTools  *self,
                                            const char   *name,
                                            const char   *arguments,
                                            char        **out_summary);

G_END_DECLS
