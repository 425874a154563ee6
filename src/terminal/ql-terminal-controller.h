/* ql-terminal-controller.h: turns terminal lines into model calls and answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-ledger-book.h"
#include "ql-quote-book.h"
#include "ql-terminal-view.h"

G_BEGIN_DECLS

#define QL_TERMINAL_ERROR (ql_terminal_error_quark ())

/**
 * QlTerminalError:
 * @QL_TERMINAL_ERROR_SYNTAX: the line cannot be split into words
 * @QL_TERMINAL_ERROR_USAGE: a command with too few or too many arguments,
 *   or an argument that is not what the command takes
 * @QL_TERMINAL_ERROR_UNKNOWN_COMMAND: the first word names no command
 * @QL_TERMINAL_ERROR_NO_SETTINGS: a setting is to be changed but the
 *   settings schema is not installed
 *
 * Errors of the %QL_TERMINAL_ERROR domain: mistakes in a command line,
 * before the model is asked anything.
 */
typedef enum
{
  QL_TERMINAL_ERROR_SYNTAX,
  QL_TERMINAL_ERROR_USAGE,
  QL_TERMINAL_ERROR_UNKNOWN_COMMAND,
  QL_TERMINAL_ERROR_NO_SETTINGS,
} QlTerminalError;

GQuark ql_terminal_error_quark (void);

#define QL_TYPE_TERMINAL_CONTROLLER (ql_terminal_controller_get_type ())
G_DECLARE_FINAL_TYPE (QlTerminalController, ql_terminal_controller, QL, TERMINAL_CONTROLLER, GObject)

QlTerminalController *ql_terminal_controller_new         (QlTerminalView       *view,
                                                          QlQuoteBook          *quotes,
                                                          QlLedgerBook         *ledgers,
                                                          GSettings            *settings);
void                  ql_terminal_controller_start       (QlTerminalController *self);
void                  ql_terminal_controller_handle_line (QlTerminalController *self,
                                                          const char           *line);

G_END_DECLS
