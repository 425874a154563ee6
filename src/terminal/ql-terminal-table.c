/* ql-terminal-table.c: text in columns that line up on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-terminal-table"

#include "config.h"

#include "ql-terminal-table.h"

/* Two spaces between columns, as the help and the old listings had. */
#define COLUMN_GAP 2

/**
 * QlTerminalTable:
 *
 * Rows of cells, each column as wide as its widest cell on screen, so
 * that Chinese and other wide characters line up with the rest.
 */
struct _QlTerminalTable
{
  guint            n_columns;
  QlTerminalAlign *aligns;
  GPtrArray       *rows;
};

/**
 * ql_terminal_text_width:
 * @text: UTF-8 text
 *
 * Returns: how many terminal columns @text takes: wide characters take
 *   two, combining marks none
 */
glong
ql_terminal_text_width (const char *text)
{
  glong width = 0;

  g_return_val_if_fail (text != NULL, 0);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iswide (c))
        width += 2;
      else if (!g_unichar_iszerowidth (c))
        width += 1;
    }

  return width;
}

/**
 * ql_terminal_table_new:
 * @n_columns: how many cells each row has
 * @aligns: (array length=n_columns): where each column's text goes
 *
 * Returns: (transfer full): an empty table
 */
QlTerminalTable *
ql_terminal_table_new (guint                  n_columns,
                       const QlTerminalAlign *aligns)
{
  QlTerminalTable *self;

  g_return_val_if_fail (n_columns > 0, NULL);
  g_return_val_if_fail (aligns != NULL, NULL);

  self = g_new0 (QlTerminalTable, 1);
  self->n_columns = n_columns;
  self->aligns = g_memdup2 (aligns, sizeof (QlTerminalAlign) * n_columns);
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  return self;
}

/**
 * ql_terminal_table_add_row:
 * @self: a #QlTerminalTable
 * @cells: (array): as many texts as the table has columns
 *
 * Adds a row; the table keeps copies of @cells.
 */
void
ql_terminal_table_add_row (QlTerminalTable    *self,
                           const char * const *cells)
{
  char **row;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cells != NULL);

  row = g_new0 (char *, self->n_columns + 1);
  for (guint i = 0; i < self->n_columns; i++)
    row[i] = g_strdup (cells[i] != NULL ? cells[i] : "");
  g_ptr_array_add (self->rows, row);
}

/**
 * ql_terminal_table_format:
 * @self: a #QlTerminalTable
 *
 * Returns: (transfer full): the rows, one a line without a trailing
 *   newline, each line without trailing spaces
 */
char *
ql_terminal_table_format (QlTerminalTable *self)
{
  g_autofree glong *widths = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  widths = g_new0 (glong, self->n_columns);
  for (guint r = 0; r < self->rows->len; r++)
    {
      char **row = g_ptr_array_index (self->rows, r);

      for (guint c = 0; c < self->n_columns; c++)
        widths[c] = MAX (widths[c], ql_terminal_text_width (row[c]));
    }

  for (guint r = 0; r < self->rows->len; r++)
    {
      char **row = g_ptr_array_index (self->rows, r);
      gsize line_start;

      if (r > 0)
        g_string_append_c (text, '\n');
      line_start = text->len;
      for (guint c = 0; c < self->n_columns; c++)
        {
          glong padding = widths[c] - ql_terminal_text_width (row[c]);

          /* An empty column takes no room at all. */
          if (widths[c] == 0)
            continue;
          if (text->len > line_start)
            g_string_append_printf (text, "%*s", COLUMN_GAP, "");
          if (self->aligns[c] == QL_TERMINAL_ALIGN_END)
            g_string_append_printf (text, "%*s", (int) padding, "");
          g_string_append (text, row[c]);
          if (self->aligns[c] == QL_TERMINAL_ALIGN_START)
            g_string_append_printf (text, "%*s", (int) padding, "");
        }
      while (text->len > line_start && text->str[text->len - 1] == ' ')
        g_string_truncate (text, text->len - 1);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * ql_terminal_table_free:
 * @self: a #QlTerminalTable
 */
void
ql_terminal_table_free (QlTerminalTable *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->rows);
  g_free (self->aligns);
  g_free (self);
}
