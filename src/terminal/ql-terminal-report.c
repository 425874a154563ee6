/* ql-terminal-report.c: a report's rows, as a table or as JSON lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-terminal-report"

#include "config.h"

#include <json-glib/json-glib.h>

#include "ql-terminal-report.h"

/**
 * QlTerminalReport:
 *
 * The rows of one report, built once and printed either way: a table
 * under the columns' headings, or one JSON object a line for scripts.
 * Cells are added in column order; a row ends with its last column.
 * A cell's value is what the JSON holds (minor units, type names), its
 * text what the table shows (a formatted amount, a translated label).
 */
struct _QlTerminalReport
{
  QlTerminalColumn *columns;
  guint             n_columns;
  QlTerminalTable  *table;
  /* The JSON lines of the rows done, and the row being added. */
  GString          *records;
  guint             n_records;
  JsonBuilder      *record;
  char            **cells;
  guint             n_cells;
};

/**
 * ql_terminal_report_new:
 * @columns: (array length=n_columns): the report's columns, whose
 *   strings must outlive the report
 * @n_columns: how many there are
 *
 * Returns: (transfer full): a report with no rows yet
 */
QlTerminalReport *
ql_terminal_report_new (const QlTerminalColumn *columns,
                        guint                   n_columns)
{
  QlTerminalReport *self;
  g_autofree QlTerminalAlign *aligns = NULL;
  g_autofree const char **headings = NULL;

  g_return_val_if_fail (columns != NULL, NULL);
  g_return_val_if_fail (n_columns > 0, NULL);

  aligns = g_new (QlTerminalAlign, n_columns);
  headings = g_new (const char *, n_columns);
  for (guint i = 0; i < n_columns; i++)
    {
      aligns[i] = columns[i].align;
      headings[i] = columns[i].heading;
    }

  self = g_new0 (QlTerminalReport, 1);
  self->columns = g_memdup2 (columns, sizeof (QlTerminalColumn) * n_columns);
  self->n_columns = n_columns;
  self->table = ql_terminal_table_new (n_columns, aligns);
  ql_terminal_table_add_row (self->table, headings);
  self->records = g_string_new (NULL);
  self->cells = g_new0 (char *, n_columns + 1);
  return self;
}

/* Starts the row's JSON object before its first cell, names the cell's
 * member, and keeps @text for the table. */
static void
begin_cell (QlTerminalReport *self,
            const char       *text)
{
  g_assert (self->n_cells < self->n_columns);

  if (self->n_cells == 0)
    {
      self->record = json_builder_new ();
      json_builder_begin_object (self->record);
    }
  json_builder_set_member_name (self->record, self->columns[self->n_cells].member);
  self->cells[self->n_cells] = g_strdup (text);
}

/* Counts the cell just added; after a row's last one, the row goes into
 * the table and its object into the records. */
static void
end_cell (QlTerminalReport *self)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *line = NULL;

  self->n_cells++;
  if (self->n_cells < self->n_columns)
    return;

  json_builder_end_object (self->record);
  node = json_builder_get_root (self->record);
  line = json_to_string (node, FALSE);
  if (self->n_records > 0)
    g_string_append_c (self->records, '\n');
  g_string_append (self->records, line);
  self->n_records++;
  g_clear_object (&self->record);
  ql_terminal_table_add_row (self->table, (const char * const *) self->cells);
  for (guint i = 0; i < self->n_columns; i++)
    g_clear_pointer (&self->cells[i], g_free);
  self->n_cells = 0;
}

/**
 * ql_terminal_report_add_string:
 * @self: a #QlTerminalReport
 * @value: the cell's value in the JSON object
 * @text: (nullable): what the table shows, or %NULL for @value
 *
 * Adds the next cell of the row, a string.
 */
void
ql_terminal_report_add_string (QlTerminalReport *self,
                               const char       *value,
                               const char       *text)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (value != NULL);
  g_return_if_fail (self->n_cells < self->n_columns);

  begin_cell (self, text != NULL ? text : value);
  json_builder_add_string_value (self->record, value);
  end_cell (self);
}

/**
 * ql_terminal_report_add_number:
 * @self: a #QlTerminalReport
 * @value: the cell's value in the JSON object
 * @text: (nullable): what the table shows, or %NULL for @value in digits
 *
 * Adds the next cell of the row, a number.
 */
void
ql_terminal_report_add_number (QlTerminalReport *self,
                               gint64            value,
                               const char       *text)
{
  g_autofree char *digits = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->n_cells < self->n_columns);

  if (text == NULL)
    text = digits = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  begin_cell (self, text);
  json_builder_add_int_value (self->record, value);
  end_cell (self);
}

/**
 * ql_terminal_report_add_text_row:
 * @self: a #QlTerminalReport
 * @cells: (array): as many texts as the report has columns
 *
 * Adds a row only the table shows, such as a statement's opening
 * balance, which is no record of its own.
 */
void
ql_terminal_report_add_text_row (QlTerminalReport   *self,
                                 const char * const *cells)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cells != NULL);
  g_return_if_fail (self->n_cells == 0);

  ql_terminal_table_add_row (self->table, cells);
}

/**
 * ql_terminal_report_get_n_records:
 * @self: a #QlTerminalReport
 *
 * Returns: how many rows with a JSON object the report has: text rows
 *   and the headings do not count
 */
guint
ql_terminal_report_get_n_records (QlTerminalReport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_records;
}

/**
 * ql_terminal_report_format:
 * @self: a #QlTerminalReport
 * @json: whether the rows are wanted as JSON
 *
 * Returns: (transfer full) (nullable): the table, headings first, or
 *   with @json one JSON object a line; either without a trailing
 *   newline. %NULL when @json is set and there are no records.
 */
char *
ql_terminal_report_format (QlTerminalReport *self,
                           gboolean          json)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->n_cells == 0, NULL);

  if (!json)
    return ql_terminal_table_format (self->table);
  if (self->n_records == 0)
    return NULL;
  return g_strdup (self->records->str);
}

/**
 * ql_terminal_report_free:
 * @self: a #QlTerminalReport
 */
void
ql_terminal_report_free (QlTerminalReport *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->record);
  g_strfreev (self->cells);
  g_string_free (self->records, TRUE);
  ql_terminal_table_free (self->table);
  g_free (self->columns);
  g_free (self);
}
