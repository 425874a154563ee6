/* ql-ledger-book-search.c: QlLedgerBook's questions about the past: the
 * balance on a day as known then or now, and searches of a history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-book"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ql-dates.h"
#include "ql-event-notes.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events-private.h"

/* These read the store through the book's public calls only, so they
 * live beside the commands rather than among them. */

/**
 * ql_ledger_book_balance_on:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 * @date: the day to see the balance at the end of
 * @recorded_until: how much to know: the last instant of recording taken
 *   into account, in microseconds since the epoch (see
 *   ql_recorded_time_parse()), or %G_MAXINT64 for everything known now
 * @out_balance: (out): the balance in minor units, or the quantity
 * @error: return location for a #GError
 *
 * Time travel in both dimensions: the balance on @date as the ledger's
 * events recorded until @recorded_until tell it, with their dates as
 * amended by then. "The balance on 30 June as we knew it on 1 July" and
 * "as we know it now" differ by what was recorded or corrected since.
 * A damaged ledger counts only the events before the damage.
 *
 * Returns: %TRUE with @out_balance set, or %FALSE with @error set, for
 *   instance to %QL_LEDGER_ERROR_NOT_FOUND when the ledger was not
 *   opened yet at @recorded_until
 */
gboolean
ql_ledger_book_balance_on (QlLedgerBook  *self,
                           const char    *name,
                           const GDate   *date,
                           gint64         recorded_until,
                           gint64        *out_balance,
                           GError       **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(QlEventNotes) notes = NULL;
  QlLedger *ledger;
  gint64 damaged;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (date != NULL && g_date_valid (date), FALSE);
  g_return_val_if_fail (out_balance != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  events = ql_ledger_book_list_events (self, name, error);
  if (events == NULL)
    return FALSE;
  ledger = ql_ledger_book_lookup (self, name);
  damaged = ledger != NULL ? ql_ledger_get_damaged_version (ledger) : 0;
  if (damaged > 0 && (gint64) events->len >= damaged)
    g_ptr_array_set_size (events, (guint) (damaged - 1));

  notes = ql_event_notes_new (events, recorded_until);
  if (ql_event_notes_is_empty (notes))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                   _("“%s” was not opened yet at that time"),
                   ql_event_get_ledger (g_ptr_array_index (events, 0)));
      return FALSE;
    }
  *out_balance = ql_event_notes_balance_on (notes, date);
  return TRUE;
}

/* @text casefolded in its normal form, for matching in any case. */
static char *
fold_text (const char *text)
{
  g_autofree char *normal = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);

  return normal != NULL ? g_utf8_casefold (normal, -1) : NULL;
}

static gboolean
note_holds (const char *note,
            const char *folded)
{
  g_autofree char *folded_note = note != NULL ? fold_text (note) : NULL;

  return folded_note != NULL && strstr (folded_note, folded) != NULL;
}

/**
 * ql_ledger_book_find_events:
 * @self: a #QlLedgerBook
 * @name: a ledger's name
 * @filter: what to look for
 * @error: return location for a #GError
 *
 * Searches one ledger's history: the changes whose payee or memo (as
 * amended) holds @filter's text in any case, whose amount is in its
 * range and whose day (as amended) is in its range. Openings and
 * amendments are found only when @filter restricts nothing. Amounts are
 * read in the ledger's own units, as a command reads them.
 *
 * Returns: (transfer full) (element-type QlEvent): the events found,
 *   oldest first, possibly none, or %NULL with @error set, for instance
 *   to %QL_LEDGER_ERROR_INVALID_AMOUNT, %QL_LEDGER_ERROR_INVALID_DATE or
 *   %QL_LEDGER_ERROR_NOT_FOUND
 */
GPtrArray *
ql_ledger_book_find_events (QlLedgerBook        *self,
                            const char          *name,
                            const QlEventFilter *filter,
                            GError             **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(QlEventNotes) notes = NULL;
  g_autofree char *folded = NULL;
  QlLedger *ledger;
  gint64 min_amount = 0;
  gint64 max_amount = G_MAXINT64;
  GDate from_date, to_date;
  gboolean restricts;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  events = ql_ledger_book_list_events (self, name, error);
  if (events == NULL)
    return NULL;
  ledger = ql_ledger_book_lookup (self, name);
  g_assert (ledger != NULL);

  if ((filter->text != NULL && !ql_text_check (QL_TEXT_FIELD_MEMO, filter->text, -1, error)) ||
      (filter->min_amount != NULL &&
       !ql_ledger_parse_amount (ledger, filter->min_amount, &min_amount, error)) ||
      (filter->max_amount != NULL &&
       !ql_ledger_parse_amount (ledger, filter->max_amount, &max_amount, error)) ||
      (filter->from_date != NULL && !ql_date_parse (filter->from_date, &from_date, error)) ||
      (filter->to_date != NULL && !ql_date_parse (filter->to_date, &to_date, error)))
    return NULL;
  if (filter->text != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (filter->text));

      folded = fold_text (trimmed);
    }
  restricts = filter->text != NULL || filter->min_amount != NULL ||
              filter->max_amount != NULL || filter->from_date != NULL ||
              filter->to_date != NULL;
  if (!restricts)
    return g_steal_pointer (&events);

  notes = ql_event_notes_new (events, G_MAXINT64);
  found = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      gint64 amount = ql_event_get_amount (event);
      const char *payee = NULL;
      const char *memo = NULL;
      GDate date;

      if (_ql_change_type_find (ql_event_get_event_type (event)) == NULL ||
          !ql_event_notes_lookup (notes, ql_event_get_version (event), &date, &payee, &memo,
                                  NULL) ||
          amount < min_amount || amount > max_amount ||
          (filter->from_date != NULL && g_date_compare (&date, &from_date) < 0) ||
          (filter->to_date != NULL && g_date_compare (&date, &to_date) > 0) ||
          (folded != NULL && *folded != '\0' && !note_holds (payee, folded) &&
           !note_holds (memo, folded)))
        continue;
      g_ptr_array_add (found, g_object_ref (event));
    }
  return g_steal_pointer (&found);
}
