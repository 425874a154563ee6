/* ql-terminal-table.h: text in columns that line up on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  QL_TERMINAL_ALIGN_START,
  QL_TERMINAL_ALIGN_END,
} QlTerminalAlign;

typedef struct _QlTerminalTable QlTerminalTable;

glong            ql_terminal_text_width    (const char             *text);
QlTerminalTable *ql_terminal_table_new     (guint                   n_columns,
                                            const QlTerminalAlign  *aligns);
void             ql_terminal_table_add_row (QlTerminalTable        *self,
                                            const char * const     *cells);
char            *ql_terminal_table_format  (QlTerminalTable        *self);
void             ql_terminal_table_free    (QlTerminalTable        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlTerminalTable, ql_terminal_table_free)

G_END_DECLS
