/* ql-dates.c: the dates people write on a change, and recording times
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-dates"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ql-dates.h"
#include "ql-errors.h"
#include "ql-text-rules.h"

/* A change's date is a calendar day, without a time or a zone: the day
 * the person says it happened, as on a bank statement. Recording times
 * are instants (microseconds since the epoch, as event timestamps are);
 * people give them in their own zone. */

static gboolean
parse_digits (const char *text,
              guint       n,
              guint      *out_value)
{
  guint value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (guint) (text[i] - '0');
    }
  *out_value = value;
  return TRUE;
}

static void
set_date_error (GError     **error,
                const char  *text)
{
  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_DATE,
               _("“%s” is not a date: write it as YYYY-MM-DD, such as 2026-06-30"), text);
}

/**
 * ql_date_parse:
 * @text: a date as the user typed it, such as `2026-06-30`; spaces
 *   around it are ignored
 * @out_date: (out caller-allocates): the day
 * @error: return location for a #GError
 *
 * Reads a calendar day written as ISO 8601 does, year 1 to 9999. No
 * other form is guessed at: `06/07/2026` means a different day in
 * different countries.
 *
 * Returns: %TRUE with @out_date set, or %FALSE with @error set to
 *   %QL_LEDGER_ERROR_INVALID_DATE
 */
gboolean
ql_date_parse (const char  *text,
               GDate       *out_date,
               GError     **error)
{
  g_autofree char *trimmed = NULL;
  guint year, month, day;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_date != NULL, FALSE);

  if (!ql_text_check (QL_TEXT_FIELD_DATE, text, -1, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (text));

  if (strlen (trimmed) != 10 || trimmed[4] != '-' || trimmed[7] != '-' ||
      !parse_digits (trimmed, 4, &year) || !parse_digits (trimmed + 5, 2, &month) ||
      !parse_digits (trimmed + 8, 2, &day) || year < 1 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      set_date_error (error, trimmed);
      return FALSE;
    }

  g_date_clear (out_date, 1);
  g_date_set_dmy (out_date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

/**
 * ql_date_format:
 * @date: a valid day
 *
 * Returns: (transfer full): @date as `YYYY-MM-DD`, the form events keep
 *   and ql_date_parse() reads
 */
char *
ql_date_format (const GDate *date)
{
  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  return g_strdup_printf ("%04u-%02u-%02u", (guint) g_date_get_year (date),
                          (guint) g_date_get_month (date), (guint) g_date_get_day (date));
}

/**
 * ql_date_set_from_timestamp:
 * @date: (out caller-allocates): the day
 * @timestamp: an instant, in microseconds since the epoch
 *
 * Sets @date to the day @timestamp falls on in the user's time zone: the
 * date of an event recorded before changes carried one.
 */
void
ql_date_set_from_timestamp (GDate  *date,
                            gint64  timestamp)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_if_fail (date != NULL);

  g_date_clear (date, 1);
  utc = g_date_time_new_from_unix_utc (timestamp / G_USEC_PER_SEC);
  local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  if (local == NULL)
    {
      /* Beyond what GDateTime holds: the first day it can. */
      g_date_set_dmy (date, 1, G_DATE_JANUARY, 1);
      return;
    }
  g_date_set_dmy (date, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local),
                  (GDateYear) g_date_time_get_year (local));
}

/**
 * ql_date_set_today:
 * @date: (out caller-allocates): the day
 *
 * Sets @date to today in the user's time zone, the date a change carries
 * when none is given.
 */
void
ql_date_set_today (GDate *date)
{
  g_return_if_fail (date != NULL);

  ql_date_set_from_timestamp (date, g_get_real_time ());
}

static gint64
to_unix_usec (GDateTime *instant)
{
  return g_date_time_to_unix (instant) * G_USEC_PER_SEC + g_date_time_get_microsecond (instant);
}

/**
 * ql_recorded_time_parse:
 * @text: a day (`2026-07-01`) or a time in @zone (`2026-07-01 14:30`,
 *   `2026-07-01T14:30:05`), or an ISO 8601 time with its own offset
 *   (`2026-07-01T14:30:05+02:00`)
 * @zone: the zone a day or a time without an offset is in, the user's
 *   (the caller keeps one g_time_zone_new_local() for its commands)
 * @out_timestamp: (out): the last microsecond @text names, in
 *   microseconds since the epoch
 * @error: return location for a #GError
 *
 * Reads how far the recording of events goes, for "as we knew it then":
 * a day takes everything recorded until that day ends, a minute until
 * the minute ends, and so on, as a person means it.
 *
 * Returns: %TRUE with @out_timestamp set, or %FALSE with @error set to
 *   %QL_LEDGER_ERROR_INVALID_DATE
 */
gboolean
ql_recorded_time_parse (const char  *text,
                        GTimeZone   *zone,
                        gint64      *out_timestamp,
                        GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GDateTime) instant = NULL;
  const char *clock;
  gint64 span;
  GDate day;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (zone != NULL, FALSE);
  g_return_val_if_fail (out_timestamp != NULL, FALSE);

  if (!ql_text_check (QL_TEXT_FIELD_DATE, text, -1, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (text));

  if (strlen (trimmed) == 10)
    {
      g_autoptr(GDateTime) start = NULL;

      if (!ql_date_parse (trimmed, &day, error))
        return FALSE;
      start = g_date_time_new (zone, g_date_get_year (&day), g_date_get_month (&day),
                               g_date_get_day (&day), 0, 0, 0);
      instant = start != NULL ? g_date_time_add_days (start, 1) : NULL;
      if (instant == NULL)
        {
          set_date_error (error, trimmed);
          return FALSE;
        }
      *out_timestamp = to_unix_usec (instant) - 1;
      return TRUE;
    }

  if (strlen (trimmed) > 10 && trimmed[10] == ' ')
    trimmed[10] = 'T';
  clock = strlen (trimmed) > 10 ? trimmed + 11 : "";
  /* GDateTime wants seconds; a minute is its first second. */
  if (strlen (clock) == 5 && clock[2] == ':')
    {
      g_autofree char *with_seconds = g_strconcat (trimmed, ":00", NULL);

      instant = g_date_time_new_from_iso8601 (with_seconds, zone);
      span = 60 * G_USEC_PER_SEC;
    }
  else
    {
      instant = g_date_time_new_from_iso8601 (trimmed, zone);
      span = strchr (clock, '.') != NULL || strchr (clock, ',') != NULL ? 1 : G_USEC_PER_SEC;
    }

  if (instant == NULL)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_DATE,
                   _("“%s” is not a recording time: write a day, YYYY-MM-DD, or a time, "
                     "YYYY-MM-DD HH:MM[:SS]"), trimmed);
      return FALSE;
    }
  *out_timestamp = to_unix_usec (instant) + span - 1;
  return TRUE;
}
