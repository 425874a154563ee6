/* ql-event-notes.c: what is written on a ledger's changes, amendments applied
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-event-notes"

#include "config.h"

#include "ql-event-notes-private.h"
#include "ql-event.h"
#include "ql-ledger-events.h"

/**
 * QlEventNotes:
 *
 * The date, payee and memo of each event of one ledger as the events
 * recorded until some instant say: the change's own, replaced by each
 * amendment in the order they were recorded. An undo happens on the day
 * of the change it reverses, so that taking a change back takes it out of
 * every day's balance. This is the one place both kinds of time travel
 * come from: the effective date picks the day, the recording time picks
 * what was known.
 */
struct _QlEventNotes
{
  /* gint64 version → Entry, of the events recorded until then. */
  GHashTable *entries;
};

typedef struct
{
  gint64  version;
  GDate   date;
  char   *payee;
  char   *memo;
  gint64  change;
  gint64  reverses;
  gint64  amended_by;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->payee);
  g_free (entry->memo);
  g_free (entry);
}

/* An empty payee or memo in an amendment takes it away. */
static void
replace_note (char **note,
              char  *value)
{
  if (value == NULL)
    return;
  g_free (*note);
  *note = *value != '\0' ? value : NULL;
  if (*note == NULL)
    g_free (value);
}

/**
 * ql_event_notes_new:
 * @events: (element-type QlEvent): one ledger's events, in version order
 * @recorded_until: the last instant of recording to take into account, in
 *   microseconds since the epoch; %G_MAXINT64 for everything known now
 *
 * Returns: (transfer full): the notes of @events recorded until
 *   @recorded_until
 */
QlEventNotes *
ql_event_notes_new (GPtrArray *events,
                    gint64     recorded_until)
{
  g_return_val_if_fail (events != NULL, NULL);

  return _ql_event_notes_new_in_steps (events, recorded_until, 0, NULL, NULL);
}

/* As ql_event_notes_new(), calling @func after every @step events, so a
 * long ledger can be read with progress and stopped: then %NULL. */
QlEventNotes *
_ql_event_notes_new_in_steps (GPtrArray            *events,
                              gint64                recorded_until,
                              guint                 step,
                              QlEventNotesStepFunc  func,
                              gpointer              user_data)
{
  QlEventNotes *notes;

  g_assert (events != NULL);
  g_assert (func == NULL || step > 0);

  notes = g_new0 (QlEventNotes, 1);
  notes->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, entry_free);

  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      gint64 amends = ql_event_get_amends (event);
      Entry *entry;

      if (func != NULL && i > 0 && i % step == 0 && !func (step, user_data))
        {
          ql_event_notes_free (notes);
          return NULL;
        }
      if (ql_event_get_timestamp (event) > recorded_until)
        continue;

      if (amends > 0)
        {
          Entry *amended = g_hash_table_lookup (notes->entries, &amends);
          GDate date;

          if (amended != NULL)
            {
              if (ql_event_get_date (event, &date))
                amended->date = date;
              replace_note (&amended->payee, ql_event_dup_payee (event));
              replace_note (&amended->memo, ql_event_dup_memo (event));
              amended->amended_by = ql_event_get_version (event);
            }
        }

      entry = g_new0 (Entry, 1);
      entry->version = ql_event_get_version (event);
      ql_event_get_date (event, &entry->date);
      if (amends == 0)
        {
          entry->payee = ql_event_dup_payee (event);
          entry->memo = ql_event_dup_memo (event);
          entry->change = ql_event_get_signed_amount (event);
          entry->reverses = ql_event_get_reverses (event);
        }
      /* The key lives in the entry, as long as it does. */
      g_hash_table_replace (notes->entries, &entry->version, entry);
    }

  return notes;
}

/**
 * ql_event_notes_free:
 * @notes: (transfer full): notes from ql_event_notes_new()
 */
void
ql_event_notes_free (QlEventNotes *notes)
{
  if (notes == NULL)
    return;
  g_hash_table_unref (notes->entries);
  g_free (notes);
}

/* The day an entry counts on: an undo's is its change's. Bounded by the
 * versions, which only point back. */
static const GDate *
effective_date (QlEventNotes *notes,
                Entry        *entry)
{
  while (entry->reverses > 0)
    {
      Entry *reversed = g_hash_table_lookup (notes->entries, &entry->reverses);

      if (reversed == NULL || reversed->version >= entry->version)
        break;
      entry = reversed;
    }
  return &entry->date;
}

/**
 * ql_event_notes_lookup:
 * @notes: a #QlEventNotes
 * @version: an event's version
 * @out_date: (out caller-allocates) (optional): the day it counts on
 * @out_payee: (out) (transfer none) (optional) (nullable): its payee
 * @out_memo: (out) (transfer none) (optional) (nullable): its memo
 * @out_amended_by: (out) (optional): the version of the last amendment
 *   that changed it, or 0
 *
 * An amendment itself has the date it gives and no payee or memo.
 *
 * Returns: %TRUE when the event at @version was recorded in time
 */
gboolean
ql_event_notes_lookup (QlEventNotes  *notes,
                       gint64         version,
                       GDate         *out_date,
                       const char   **out_payee,
                       const char   **out_memo,
                       gint64        *out_amended_by)
{
  Entry *entry;

  g_return_val_if_fail (notes != NULL, FALSE);

  entry = g_hash_table_lookup (notes->entries, &version);
  if (entry == NULL)
    return FALSE;
  if (out_date != NULL)
    *out_date = *effective_date (notes, entry);
  if (out_payee != NULL)
    *out_payee = entry->payee;
  if (out_memo != NULL)
    *out_memo = entry->memo;
  if (out_amended_by != NULL)
    *out_amended_by = entry->amended_by;
  return TRUE;
}

/**
 * ql_event_notes_balance_on:
 * @notes: a #QlEventNotes
 * @date: a day
 *
 * The balance or quantity at the end of @date: every change recorded in
 * time whose day is @date or before, and the opening quantity of an item.
 *
 * Returns: the balance in minor units, or the quantity
 */
gint64
ql_event_notes_balance_on (QlEventNotes *notes,
                           const GDate  *date)
{
  GHashTableIter iter;
  gpointer value;
  gint64 balance = 0;

  g_return_val_if_fail (notes != NULL, 0);
  g_return_val_if_fail (date != NULL && g_date_valid (date), 0);

  g_hash_table_iter_init (&iter, notes->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (entry->change != 0 && g_date_compare (effective_date (notes, entry), date) <= 0)
        balance += entry->change;
    }
  return balance;
}

/**
 * ql_event_notes_is_empty:
 * @notes: a #QlEventNotes
 *
 * Returns: %TRUE when no event was recorded in time: the ledger did not
 *   exist yet
 */
gboolean
ql_event_notes_is_empty (QlEventNotes *notes)
{
  g_return_val_if_fail (notes != NULL, TRUE);

  return g_hash_table_size (notes->entries) == 0;
}
