/* ql-projection-changes.c: the changes an event counts in read models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include <string.h>

#include "ql-dates.h"
#include "ql-event-notes.h"
#include "ql-flat-json-private.h"
#include "ql-ledger-events.h"
#include "ql-ledger-events-private.h"
#include "ql-projection-changes-private.h"

static void
format_day (const GDate *date,
            char         out[11])
{
  g_snprintf (out, 11, "%04u-%02u-%02u", (guint) g_date_get_year (date),
              (guint) g_date_get_month (date), (guint) g_date_get_day (date));
}

static gboolean
read_digits (const char *text,
             guint       n,
             guint      *out_value)
{
  guint value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (text[i] < '0' || text[i] > '9')
        return FALSE;
      value = value * 10 + (guint) (text[i] - '0');
    }
  *out_value = value;
  return TRUE;
}

/* A calendar day written as the model writes it, checked without the
 * copies ql_date_parse() makes for text people type. */
static gboolean
check_written_day (const char *text)
{
  guint year, month, day;

  return text[4] == '-' && text[7] == '-' && read_digits (text, 4, &year) &&
         read_digits (text + 5, 2, &month) && read_digits (text + 8, 2, &day) && year >= 1 &&
         g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

/* The common event, a dated change that is no undo, read without
 * building an event or a JSON tree: replaying a million of them is the
 * cost of a rebuild. FALSE when the event needs the full reading. */
static gboolean
count_plain_change (const QlEventRecord *record,
                    QlCountedChangeFunc  func,
                    gpointer             user_data)
{
  const QlChangeType *change = _ql_change_type_find (record->type);
  const QlFlatMember *amount, *date;
  QlFlatObject object;
  QlCountedChange counted;

  if (change == NULL || !_ql_flat_object_parse (record->payload, &object) ||
      _ql_flat_object_get (&object, "reverses") != NULL)
    return FALSE;
  amount = _ql_flat_object_get (&object, "amount");
  if (amount == NULL || amount->kind != QL_FLAT_INTEGER || amount->integer <= 0)
    return FALSE;

  date = _ql_flat_object_get (&object, "date");
  if (date != NULL && date->kind == QL_FLAT_STRING && date->string_len == 10)
    {
      memcpy (counted.day, date->string, 10);
      counted.day[10] = '\0';
      if (!check_written_day (counted.day))
        return FALSE;
    }
  else if (date == NULL)
    {
      GDate day;

      ql_date_set_from_timestamp (&day, record->timestamp);
      format_day (&day, counted.day);
    }
  else
    return FALSE;

  counted.ledger = record->ledger;
  counted.type = record->type;
  counted.amount = change->sign < 0 ? -amount->integer : amount->integer;
  counted.count = 1;
  func (&counted, user_data);
  return TRUE;
}

static void
emit (QlEvent             *event,
      const GDate         *day,
      int                  count,
      QlCountedChangeFunc  func,
      gpointer             user_data)
{
  QlCountedChange counted = {
    .ledger = ql_event_get_ledger (event),
    .type = ql_event_get_event_type (event),
    .amount = ql_event_get_signed_amount (event),
    .count = count,
  };

  format_day (day, counted.day);
  func (&counted, user_data);
}

/**
 * _ql_projection_count_changes:
 * @store: the store @record comes from
 * @record: an event of the log
 * @func: called with each change @record counts or moves
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * A change counts once on its day; an undo counts on the day of the
 * change it reverses; an amendment that gives a change a new day takes
 * it, and every undo of it, from the old day and counts them on the new
 * one. Undos and amendments read their ledger's earlier events.
 *
 * Returns: %TRUE on success
 */
gboolean
_ql_projection_count_changes (QlEventStore         *store,
                              const QlEventRecord  *record,
                              QlCountedChangeFunc   func,
                              gpointer              user_data,
                              GError              **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(QlEventNotes) after = NULL;
  g_autoptr(QlEventNotes) before = NULL;
  QlEvent *event;
  GDate day;

  if (count_plain_change (record, func, user_data))
    return TRUE;
  if (_ql_change_type_find (record->type) == NULL &&
      g_strcmp0 (record->type, QL_EVENT_ITEM_CREATED) != 0 &&
      g_strcmp0 (record->type, QL_EVENT_CHANGE_AMENDED) != 0)
    return TRUE;

  events = ql_event_store_collect_ledger (store, record->ledger, 0, record->version, error);
  if (events == NULL)
    return FALSE;
  if (events->len == 0)
    return TRUE;
  event = g_ptr_array_index (events, events->len - 1);
  after = ql_event_notes_new (events, G_MAXINT64);

  if (ql_event_get_amends (event) == 0)
    {
      if (ql_event_get_signed_amount (event) != 0 &&
          ql_event_notes_lookup (after, ql_event_get_version (event), &day, NULL, NULL, NULL))
        emit (event, &day, 1, func, user_data);
      return TRUE;
    }

  g_ptr_array_set_size (events, events->len - 1);
  before = ql_event_notes_new (events, G_MAXINT64);
  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *earlier = g_ptr_array_index (events, i);
      gint64 version = ql_event_get_version (earlier);
      GDate old_day, new_day;

      if (ql_event_get_amends (earlier) != 0 || ql_event_get_signed_amount (earlier) == 0 ||
          !ql_event_notes_lookup (before, version, &old_day, NULL, NULL, NULL) ||
          !ql_event_notes_lookup (after, version, &new_day, NULL, NULL, NULL) ||
          g_date_compare (&old_day, &new_day) == 0)
        continue;
      emit (earlier, &old_day, -1, func, user_data);
      emit (earlier, &new_day, 1, func, user_data);
    }
  return TRUE;
}
