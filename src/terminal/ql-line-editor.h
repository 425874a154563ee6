/* ql-line-editor.h: line editing, history and completion on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The words that may stand at @word_index (0 for the first) of a line
 * whose earlier words are @words; the editor keeps those that begin as
 * the word being typed. */
typedef GStrv (*QlLineEditorCompleteFunc) (const char * const *words,
                                           guint               word_index,
                                           gpointer            user_data);

#define QL_TYPE_LINE_EDITOR (ql_line_editor_get_type ())
G_DECLARE_FINAL_TYPE (QlLineEditor, ql_line_editor, QL, LINE_EDITOR, GObject)

QlLineEditor *ql_line_editor_new                 (const char               *history_path);
void          ql_line_editor_hold_interrupt      (QlLineEditor             *self,
                                                  gboolean                  held);
void          ql_line_editor_set_complete_func   (QlLineEditor             *self,
                                                  QlLineEditorCompleteFunc  func,
                                                  gpointer                  user_data);
void          ql_line_editor_ask                 (QlLineEditor             *self,
                                                  const char               *prompt);
void          ql_line_editor_hide_line           (QlLineEditor             *self);
void          ql_line_editor_show_line           (QlLineEditor             *self);

G_END_DECLS
