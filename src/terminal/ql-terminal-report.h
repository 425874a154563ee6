/* ql-terminal-report.h: a report's rows, as a table or as JSON lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ql-terminal-table.h"

G_BEGIN_DECLS

/**
 * QlTerminalColumn:
 * @heading: the table's heading of the column, translated
 * @member: the member each JSON object gives the column's value
 * @align: where the column's text goes in the table
 */
typedef struct
{
  const char      *heading;
  const char      *member;
  QlTerminalAlign  align;
} QlTerminalColumn;

typedef struct _QlTerminalReport QlTerminalReport;

QlTerminalReport *ql_terminal_report_new           (const QlTerminalColumn *columns,
                                                    guint                   n_columns);
void              ql_terminal_report_add_string    (QlTerminalReport       *self,
                                                    const char             *value,
                                                    const char             *text);
void              ql_terminal_report_add_number    (QlTerminalReport       *self,
                                                    gint64                  value,
                                                    const char             *text);
void              ql_terminal_report_add_text_row  (QlTerminalReport       *self,
                                                    const char * const     *cells);
guint             ql_terminal_report_get_n_records (QlTerminalReport       *self);
char             *ql_terminal_report_format        (QlTerminalReport       *self,
                                                    gboolean                json);
void              ql_terminal_report_free          (QlTerminalReport       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlTerminalReport, ql_terminal_report_free)

G_END_DECLS
