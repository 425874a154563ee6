/* ql-ledger-book-export.c: QlLedgerBook's changes written out as CSV or
 * as an hledger journal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-book"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-dates.h"
#include "ql-event-notes.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events.h"

typedef enum
{
  FORMAT_CSV,
  FORMAT_JOURNAL,
} Format;

static void
append_csv_field (GString    *out,
                  const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* An hledger account name ends at two spaces and splits at colons; a
 * description ends at a semicolon. */
static char *
journal_text (const char *text,
              const char *breaks)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (strchr (breaks, *p) != NULL)
        g_string_append_c (out, '_');
      else if (*p == ' ' && (p[1] == ' ' || p[1] == '\0'))
        continue;
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
append_change (GString     *out,
               Format       format,
               QlLedger    *ledger,
               QlEvent     *event,
               const GDate *day,
               const char  *payee,
               const char  *memo)
{
  g_autofree char *date = ql_date_format (day);
  g_autofree char *amount = ql_amount_format (ql_event_get_signed_amount (event),
                                              ql_ledger_get_decimals (ledger));
  const char *currency = ql_ledger_get_currency (ledger);
  gboolean item = ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM;

  if (currency != NULL && *currency == '\0')
    currency = NULL;

  if (format == FORMAT_CSV)
    {
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  ql_event_get_version (event));

      g_string_append_printf (out, "%s,", date);
      append_csv_field (out, ql_ledger_get_name (ledger));
      g_string_append_printf (out, ",%s,%s,%s,", version, ql_event_get_event_type (event),
                              amount);
      append_csv_field (out, currency);
      g_string_append_c (out, ',');
      append_csv_field (out, payee);
      g_string_append_c (out, ',');
      append_csv_field (out, memo);
      g_string_append_c (out, '\n');
    }
  else
    {
      g_autofree char *account = journal_text (ql_ledger_get_name (ledger), ":\t");
      g_autofree char *description = journal_text (payee != NULL ? payee
                                                   : ql_event_type_get_label (
                                                       ql_event_get_event_type (event)),
                                                   ";|\t");
      g_autofree char *note = journal_text (memo, ";\t");

      g_string_append_printf (out, "%s %s", date, description);
      if (note != NULL && *note != '\0')
        g_string_append_printf (out, " | %s", note);
      g_string_append_printf (out, "  ; version:%" G_GINT64_FORMAT "\n",
                              ql_event_get_version (event));
      g_string_append_printf (out, "    %s:%s  %s%s%s\n", item ? "inventory" : "assets", account,
                              amount, currency != NULL ? " " : "",
                              currency != NULL ? currency : (item ? " units" : ""));
      g_string_append_printf (out, "    equity:%s\n\n", account);
    }
}

static gboolean
append_ledger (QlLedgerBook  *self,
               GString       *out,
               Format         format,
               QlLedger      *ledger,
               guint64       *n_changes,
               GError       **error)
{
  g_autoptr(GPtrArray) events = ql_ledger_book_list_events (self, ql_ledger_get_name (ledger),
                                                            error);
  g_autoptr(QlEventNotes) notes = NULL;

  if (events == NULL)
    return FALSE;
  notes = ql_event_notes_new (events, G_MAXINT64);
  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      const char *payee = NULL, *memo = NULL;
      GDate day;

      if (ql_event_get_amends (event) != 0 || ql_event_get_signed_amount (event) == 0 ||
          !ql_event_notes_lookup (notes, ql_event_get_version (event), &day, &payee, &memo,
                                  NULL))
        continue;
      append_change (out, format, ledger, event, &day, payee, memo);
      (*n_changes)++;
    }
  return TRUE;
}

/**
 * ql_ledger_book_export:
 * @self: a book
 * @path: the file to write: CSV when it ends in `.csv`, an hledger
 *   journal when it ends in `.journal`
 * @name: (nullable): one ledger's name, or %NULL for every ledger
 * @out_n_changes: (out) (optional): how many changes were written
 * @error: return location for a #GError
 *
 * Writes each change as it counts now (amendments and undos applied) on
 * its written date. The CSV has the columns date, ledger, version, type,
 * amount, currency, payee and memo. The journal has one transaction a
 * change: the ledger under `assets:` (an item under `inventory:`) against
 * `equity:` with the same name; colons and double spaces in names, which
 * hledger reads as structure, become `_` and one space. The file is
 * replaced atomically.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_ledger_book_export (QlLedgerBook  *self,
                       const char    *path,
                       const char    *name,
                       guint64       *out_n_changes,
                       GError       **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  GListModel *ledgers;
  Format format;
  guint64 n_changes = 0;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_str_has_suffix (path, ".csv"))
    format = FORMAT_CSV;
  else if (g_str_has_suffix (path, ".journal"))
    format = FORMAT_JOURNAL;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("“%s” names no format to export to: end it in .csv or .journal"), path);
      return FALSE;
    }

  if (format == FORMAT_CSV)
    g_string_append (out, "date,ledger,version,type,amount,currency,payee,memo\n");
  if (name != NULL)
    {
      QlLedger *ledger = ql_ledger_book_lookup (self, name);

      if (ledger == NULL)
        {
          g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                       _("No ledger is named “%s”"), name);
          return FALSE;
        }
      if (!append_ledger (self, out, format, ledger, &n_changes, error))
        return FALSE;
    }
  else
    {
      ledgers = ql_ledger_book_get_ledgers (self);
      for (guint i = 0; i < g_list_model_get_n_items (ledgers); i++)
        {
          g_autoptr(QlLedger) ledger = g_list_model_get_item (ledgers, i);

          if (!append_ledger (self, out, format, ledger, &n_changes, error))
            return FALSE;
        }
    }

  if (out_n_changes != NULL)
    *out_n_changes = n_changes;
  return g_file_set_contents (path, out->str, out->len, error);
}
