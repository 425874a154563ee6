/* ql-csv-reader.c: reads RFC 4180 records from text in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-csv-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ql-csv-reader-private.h"
#include "ql-ledger.h"

/* RFC 4180: fields are separated by commas and records by CRLF (a bare LF
 * is taken too). A field may be enclosed in double quotes, and then holds
 * commas, line breaks and doubled quotes ("") that stand for one quote.
 * The last record may lack its line break. A quote inside an unquoted
 * field, or text after a closing quote, is an error. */

/**
 * _ql_csv_reader_init:
 * @reader: (out caller-allocates): the reader
 * @data: the text, which must outlive the reader
 * @length: its length in bytes
 */
void
_ql_csv_reader_init (QlCsvReader *reader,
                     const char  *data,
                     gsize        length)
{
  memset (reader, 0, sizeof *reader);
  reader->data = data;
  reader->length = length;
  reader->next_line = 1;
  for (guint i = 0; i < QL_CSV_MAX_FIELDS; i++)
    reader->fields[i] = g_string_sized_new (64);
}

/**
 * _ql_csv_reader_clear:
 * @reader: a reader set up with _ql_csv_reader_init()
 */
void
_ql_csv_reader_clear (QlCsvReader *reader)
{
  for (guint i = 0; i < QL_CSV_MAX_FIELDS; i++)
    {
      if (reader->fields[i] != NULL)
        g_string_free (reader->fields[i], TRUE);
      reader->fields[i] = NULL;
    }
}

static void
set_error (GError     **error,
           guint64      line,
           const char  *detail)
{
  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
               _("Line %" PRIu64 ": %s"), line, detail);
}

/* A NUL byte would cut a field short wherever it is read as a C string,
 * so it is refused rather than read; the caps keep one line from holding
 * more than any command can take. */
static gboolean
check_record (QlCsvReader  *reader,
              gsize         n_bytes,
              GError      **error)
{
  if (n_bytes > QL_CSV_MAX_LINE_BYTES)
    {
      g_autofree char *detail = g_strdup_printf (_("the line is longer than %u bytes"),
                                                 (guint) QL_CSV_MAX_LINE_BYTES);

      set_error (error, reader->line, detail);
      return FALSE;
    }

  for (guint i = 0; i < reader->n_fields; i++)
    {
      const GString *field = reader->fields[i];

      if (memchr (field->str, '\0', field->len) != NULL)
        {
          set_error (error, reader->line, _("the line holds a NUL byte"));
          return FALSE;
        }
      if (field->len > QL_CSV_MAX_FIELD_BYTES)
        {
          g_autofree char *detail = g_strdup_printf (_("a field is longer than %u bytes"),
                                                     (guint) QL_CSV_MAX_FIELD_BYTES);

          set_error (error, reader->line, detail);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * _ql_csv_reader_next:
 * @reader: a reader
 * @out_done: (out): set to %TRUE at the end of the text, when no record
 *   was read
 * @error: return location for a #GError
 *
 * Reads the next record into @reader's fields.
 *
 * A record longer than %QL_CSV_MAX_LINE_BYTES, a field longer than
 * %QL_CSV_MAX_FIELD_BYTES or a NUL byte anywhere in a record is an error.
 *
 * Returns: %TRUE on success (a record, or the end), %FALSE with @error set
 *   to %QL_LEDGER_ERROR_INVALID_IMPORT naming the line
 */
gboolean
_ql_csv_reader_next (QlCsvReader  *reader,
                     gboolean     *out_done,
                     GError      **error)
{
  const char *data = reader->data;
  gsize end = reader->length;
  gsize p = reader->offset;
  gsize record_start = p;

  *out_done = FALSE;
  reader->n_fields = 0;
  reader->line = reader->next_line;

  if (p >= end)
    {
      *out_done = TRUE;
      return TRUE;
    }

  for (;;)
    {
      GString *field;

      if (reader->n_fields == QL_CSV_MAX_FIELDS)
        {
          set_error (error, reader->line, _("too many fields"));
          return FALSE;
        }
      field = reader->fields[reader->n_fields++];
      g_string_truncate (field, 0);

      if (p < end && data[p] == '"')
        {
          p++;
          for (;;)
            {
              const char *quote = memchr (data + p, '"', end - p);
              gsize stop = quote != NULL ? (gsize) (quote - data) : end;

              for (gsize i = p; i < stop; i++)
                {
                  if (data[i] == '\n')
                    reader->next_line++;
                }
              g_string_append_len (field, data + p, stop - p);
              if (quote == NULL)
                {
                  set_error (error, reader->line, _("a quoted field is never closed"));
                  return FALSE;
                }
              p = stop + 1;
              if (p < end && data[p] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                  continue;
                }
              break;
            }
          if (p < end && data[p] != ',' && data[p] != '\n' &&
              !(data[p] == '\r' && p + 1 < end && data[p + 1] == '\n'))
            {
              set_error (error, reader->line, _("text after a closing quote"));
              return FALSE;
            }
        }
      else
        {
          gsize start = p;

          while (p < end && data[p] != ',' && data[p] != '\n' && data[p] != '\r' &&
                 data[p] != '"')
            p++;
          if (p < end && data[p] == '\r' && !(p + 1 < end && data[p + 1] == '\n'))
            {
              set_error (error, reader->line, _("a carriage return inside a field"));
              return FALSE;
            }
          if (p < end && data[p] == '"')
            {
              set_error (error, reader->line, _("a quote inside a field that is not quoted"));
              return FALSE;
            }
          g_string_append_len (field, data + start, p - start);
        }

      if (p < end && data[p] == ',')
        {
          p++;
          continue;
        }

      /* The end of the record: CRLF, LF or the end of the text. */
      if (p < end && data[p] == '\r')
        p++;
      if (p < end && data[p] == '\n')
        {
          p++;
          reader->next_line++;
        }
      break;
    }

  if (!check_record (reader, p - record_start, error))
    return FALSE;

  reader->offset = p;
  return TRUE;
}
