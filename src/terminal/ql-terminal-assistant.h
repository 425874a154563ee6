/* ql-terminal-assistant.h: the terminal's `ask` command and its answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-ledger-book.h"
#include "ql-quote-book.h"
#include "ql-terminal-view.h"

G_BEGIN_DECLS

#define QL_TYPE_TERMINAL_ASSISTANT (ql_terminal_assistant_get_type ())
G_DECLARE_FINAL_TYPE (QlTerminalAssistant, ql_terminal_assistant, QL, TERMINAL_ASSISTANT, GObject)

QlTerminalAssistant *ql_terminal_assistant_new (QlTerminalView       *view,
                                                QlQuoteBook          *quotes,
                                                QlLedgerBook         *ledgers);
gboolean             ql_terminal_assistant_ask (QlTerminalAssistant  *self,
                                                const char           *question,
                                                GError              **error);

G_END_DECLS
