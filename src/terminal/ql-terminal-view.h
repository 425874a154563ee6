/* ql-terminal-view.h: reads lines and writes answers on a terminal or pipe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-line-editor.h"

G_BEGIN_DECLS

#define QL_TYPE_TERMINAL_VIEW (ql_terminal_view_get_type ())
G_DECLARE_FINAL_TYPE (QlTerminalView, ql_terminal_view, QL, TERMINAL_VIEW, GObject)

QlTerminalView *ql_terminal_view_new             (GInputStream   *input,
                                                  GOutputStream  *output,
                                                  GOutputStream  *errors,
                                                  gboolean        interactive,
                                                  gboolean        colour);
QlTerminalView *ql_terminal_view_new_for_stdio   (void);
gboolean        ql_terminal_view_get_interactive (QlTerminalView *self);
void            ql_terminal_view_hold_interrupt  (QlTerminalView *self,
                                                  gboolean        held);
void            ql_terminal_view_set_complete_func (QlTerminalView           *self,
                                                    QlLineEditorCompleteFunc  func,
                                                    gpointer                  user_data);
void            ql_terminal_view_ask             (QlTerminalView *self,
                                                  const char     *prompt);
void            ql_terminal_view_show_partial    (QlTerminalView *self,
                                                  const char     *text);
void            ql_terminal_view_show            (QlTerminalView *self,
                                                  const char     *text);
void            ql_terminal_view_show_error      (QlTerminalView *self,
                                                  const char     *message);
void            ql_terminal_view_show_notice     (QlTerminalView *self,
                                                  const char     *text);
void            ql_terminal_view_show_warning    (QlTerminalView *self,
                                                  const char     *message);
void            ql_terminal_view_show_progress   (QlTerminalView *self,
                                                  const char     *text,
                                                  double          fraction);

G_END_DECLS
