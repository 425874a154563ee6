/* test-ledger-dates.c: dates, payees and memos on changes, amendments, and
 * the balance on a day as known then and as known now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "ql-dates.h"
#include "ql-errors.h"
#include "ql-event-notes.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events.h"
#include "ql-memory-event-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

static GDate
day (const char *text)
{
  g_autoptr(GError) error = NULL;
  GDate date;

  ck_assert_msg (ql_date_parse (text, &date, &error), "%s", error != NULL ? error->message : "");
  return date;
}

static gint64
balance_on (QlLedgerBook *book,
            const char   *name,
            const char   *date,
            gint64        recorded_until)
{
  g_autoptr(GError) error = NULL;
  GDate on = day (date);
  gint64 balance = -1;

  ck_assert_msg (ql_ledger_book_balance_on (book, name, &on, recorded_until, &balance, &error),
                 "%s", error != NULL ? error->message : "");
  return balance;
}

static QlEvent *
change (QlLedgerBook *book,
        const char   *name,
        const char   *type,
        const char   *amount,
        const char   *date,
        const char   *payee,
        const char   *memo)
{
  g_autoptr(GError) error = NULL;
  QlChangeNote note = { date, payee, memo };
  QlEvent *event = ql_ledger_book_record_change (book, name, type, amount, &note, &error);

  ck_assert_msg (event != NULL, "%s", error != NULL ? error->message : "");
  return event;
}

static QlEvent *
amend (QlLedgerBook *book,
       const char   *name,
       gint64        version,
       const char   *date,
       const char   *payee,
       const char   *memo)
{
  g_autoptr(GError) error = NULL;
  QlChangeNote note = { date, payee, memo };
  QlEvent *event = ql_ledger_book_amend (book, name, version, &note, &error);

  ck_assert_msg (event != NULL, "%s", error != NULL ? error->message : "");
  return event;
}

/* An amendment of a memo, for the versions that refuse one. */
#define amend_or_null(book, version) \
  ql_ledger_book_amend ((book), "Cash", (version), &(QlChangeNote) { NULL, NULL, "x" }, \
                        &fail_error)

static void
assert_date (const GDate *date,
             const char  *expected)
{
  g_autofree char *text = ql_date_format (date);

  ck_assert_str_eq (text, expected);
}

START_TEST (test_date_parse)
{
  static const char * const bad[] = {
    "", "abc", "2026-6-30", "2026-06-31", "2026-02-29", "0000-01-01", "2026/06/30",
    "30-06-2026", "2026-06-30x", "2026-06-3", "2026-13-01", "2026-06-30\t1",
  };
  GDate date;
  g_autofree char *leap = NULL;

  date = day (" 2028-02-29 ");
  leap = ql_date_format (&date);
  ck_assert_str_eq (leap, "2028-02-29");
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_fails (ql_date_parse (bad[i], &date, &fail_error), QL_LEDGER_ERROR_INVALID_DATE);
}
END_TEST

START_TEST (test_recorded_time_parse)
{
  /* The test runs in UTC (see main()). */
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GTimeZone) east = g_time_zone_new_identifier ("+02:00");
  gint64 end_of_day = 0;
  gint64 minute = 0;
  gint64 second = 0;
  gint64 offset = 0;
  gint64 in_east = 0;

  assert_ok (ql_recorded_time_parse ("2026-07-01", local, &end_of_day, &ok_error));
  ck_assert_int_eq (end_of_day, G_GINT64_CONSTANT (1782950400000000) - 1);
  assert_ok (ql_recorded_time_parse ("2026-07-01 14:30", local, &minute, &ok_error));
  ck_assert_int_eq (minute, G_GINT64_CONSTANT (1782916200000000) + 60 * G_USEC_PER_SEC - 1);
  assert_ok (ql_recorded_time_parse ("2026-07-01T14:30:05", local, &second, &ok_error));
  ck_assert_int_eq (second, G_GINT64_CONSTANT (1782916205000000) + G_USEC_PER_SEC - 1);
  assert_ok (ql_recorded_time_parse ("2026-07-01T16:30:05+02:00", local, &offset, &ok_error));
  ck_assert_int_eq (offset, second);
  assert_fails (ql_recorded_time_parse ("yesterday", local, &offset, &fail_error),
                QL_LEDGER_ERROR_INVALID_DATE);
  assert_fails (ql_recorded_time_parse ("2026-07-01 25:00", local, &offset, &fail_error),
                QL_LEDGER_ERROR_INVALID_DATE);

  /* Days and times without an offset are read in the zone given; a time
   * with its own offset is the same instant in any zone. */
  ck_assert_ptr_nonnull (east);
  assert_ok (ql_recorded_time_parse ("2026-07-01", east, &in_east, &ok_error));
  ck_assert_int_eq (in_east, end_of_day - 2 * G_TIME_SPAN_HOUR);
  assert_ok (ql_recorded_time_parse ("2026-07-01 14:30", east, &in_east, &ok_error));
  ck_assert_int_eq (in_east, minute - 2 * G_TIME_SPAN_HOUR);
  assert_ok (ql_recorded_time_parse ("2026-07-01T16:30:05+02:00", east, &in_east, &ok_error));
  ck_assert_int_eq (in_east, second);
}
END_TEST

START_TEST (test_change_carries_date_payee_memo)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEvent) noted = NULL;
  g_autoptr(QlEvent) plain = NULL;
  g_autoptr(QlEvent) opened = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autofree char *today_text = NULL;
  g_autofree char *expected = NULL;
  GDate date, today;

  opened = ql_ledger_book_open_account (book, "Cash", "EUR", NULL);
  ck_assert_ptr_nonnull (opened);
  noted = change (book, "Cash", QL_EVENT_DEPOSITED, "12.50", "2026-06-30", "  Bakery ",
                  "bread \"and\" milk");
  ck_assert_str_eq (ql_event_get_payload (noted),
                    "{\"amount\":1250,\"date\":\"2026-06-30\",\"payee\":\"Bakery\","
                    "\"memo\":\"bread \\\"and\\\" milk\"}");
  ck_assert (ql_event_get_date (noted, &date));
  assert_date (&date, "2026-06-30");
  payee = ql_event_dup_payee (noted);
  memo = ql_event_dup_memo (noted);
  ck_assert_str_eq (payee, "Bakery");
  ck_assert_str_eq (memo, "bread \"and\" milk");
  ck_assert_int_eq (ql_event_get_amount (noted), 1250);

  /* No date given: today, where the user is. An empty payee is none. */
  plain = change (book, "Cash", QL_EVENT_WITHDRAWN, "2", NULL, "", NULL);
  ql_date_set_today (&today);
  today_text = ql_date_format (&today);
  expected = g_strdup_printf ("{\"amount\":200,\"date\":\"%s\"}", today_text);
  ck_assert_str_eq (ql_event_get_payload (plain), expected);
  ck_assert_ptr_null (ql_event_dup_payee (plain));
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 1050);

  /* The opening carries no date of its own: the day it was recorded. */
  ck_assert (!ql_event_get_date (opened, &date));
  assert_date (&date, today_text);
}
END_TEST

START_TEST (test_bad_notes_write_nothing)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autofree char *long_memo = g_strnfill (QL_TEXT_MEMO_MAX_BYTES + 1, 'm');
  QlChangeNote bad_date = { "2026-02-30", NULL, NULL };
  QlChangeNote bad_payee = { NULL, "tab\there", NULL };
  QlChangeNote bad_memo = { NULL, NULL, long_memo };

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", NULL, NULL)));
  assert_fails (ql_ledger_book_record_change (book, "Cash", QL_EVENT_DEPOSITED, "1", &bad_date,
                                              &fail_error), QL_LEDGER_ERROR_INVALID_DATE);
  assert_fails (ql_ledger_book_record_change (book, "Cash", QL_EVENT_DEPOSITED, "1", &bad_payee,
                                              &fail_error), QL_LEDGER_ERROR_INVALID_NOTE);
  assert_fails (ql_ledger_book_record_change (book, "Cash", QL_EVENT_DEPOSITED, "1", &bad_memo,
                                              &fail_error), QL_LEDGER_ERROR_INVALID_NOTE);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, "Cash")), 1);
}
END_TEST

START_TEST (test_old_events_read_as_before)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *recorded = NULL;
  QlNewEvent opening = { "AccountOpened", "{\"currency\":null}" };
  QlNewEvent deposit = { "Deposited", "{\"amount\":100}" };
  GDate date;

  assert_ok (ql_event_store_append (store, "Old", 0, &opening, 1, NULL, &ok_error));
  assert_ok (ql_event_store_append (store, "Old", 1, &deposit, 1, NULL, &ok_error));
  book = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (book, "Old"), 100);

  events = ql_ledger_book_list_events (book, "Old", NULL);
  ck_assert (!ql_event_get_date (g_ptr_array_index (events, 1), &date));
  ck_assert_ptr_null (ql_event_dup_payee (g_ptr_array_index (events, 1)));
  ck_assert_ptr_null (ql_event_dup_memo (g_ptr_array_index (events, 1)));
  recorded = ql_date_format (&date);
  /* It happened on the day it was recorded: counted then, not before. */
  ck_assert_int_eq (balance_on (book, "Old", recorded, G_MAXINT64), 100);
  g_date_subtract_days (&date, 1);
  g_clear_pointer (&recorded, g_free);
  recorded = ql_date_format (&date);
  ck_assert_int_eq (balance_on (book, "Old", recorded, G_MAXINT64), 0);

  /* And it can be amended like any change. */
  ck_assert (ql_test_drop_event (amend (book, "Old", 2, "2020-01-01", NULL, NULL)));
  ck_assert_int_eq (balance_on (book, "Old", recorded, G_MAXINT64), 100);
}
END_TEST

START_TEST (test_amendment_is_a_new_event)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) reloaded = NULL;
  g_autoptr(QlEvent) amendment = NULL;
  g_autoptr(QlEvent) undo = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(QlEventNotes) notes = NULL;
  const char *payee = NULL;
  const char *memo = NULL;
  gint64 amended_by = 0;
  GDate date;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", NULL, NULL)));
  ck_assert (ql_test_drop_event (change (book, "Cash", QL_EVENT_DEPOSITED, "100", "2026-06-01",
                                         "Employer", "June")));
  ck_assert (ql_test_drop_event (change (book, "Cash", QL_EVENT_WITHDRAWN, "30", "2026-07-02",
                                         NULL, NULL)));

  amendment = amend (book, "Cash", 2, "2026-05-31", "", "June pay");
  ck_assert_str_eq (ql_event_get_event_type (amendment), QL_EVENT_CHANGE_AMENDED);
  ck_assert_str_eq (ql_event_get_payload (amendment),
                    "{\"amends\":2,\"date\":\"2026-05-31\",\"payee\":\"\",\"memo\":\"June pay\"}");
  ck_assert_int_eq (ql_event_get_amends (amendment), 2);
  ck_assert_int_eq (ql_event_get_signed_amount (amendment), 0);
  ck_assert_int_eq (ql_event_get_version (amendment), 4);
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 70);
  ck_assert_str_eq (ql_event_type_get_label (QL_EVENT_CHANGE_AMENDED), "Amendment");

  /* The change itself is as it was written. */
  events = ql_ledger_book_list_events (book, "Cash", NULL);
  ck_assert_uint_eq (events->len, 4);
  ck_assert_str_eq (ql_event_get_payload (g_ptr_array_index (events, 1)),
                    "{\"amount\":100,\"date\":\"2026-06-01\",\"payee\":\"Employer\","
                    "\"memo\":\"June\"}");
  notes = ql_event_notes_new (events, G_MAXINT64);
  ck_assert (ql_event_notes_lookup (notes, 2, &date, &payee, &memo, &amended_by));
  assert_date (&date, "2026-05-31");
  ck_assert_ptr_null (payee);
  ck_assert_str_eq (memo, "June pay");
  ck_assert_int_eq (amended_by, 4);

  /* Undo passes over the amendment to the newest change. */
  undo = ql_ledger_book_undo (book, "Cash", NULL);
  ck_assert_ptr_nonnull (undo);

  /* What views ask before they offer a correction. */
  ck_assert (!ql_event_can_be_amended (g_ptr_array_index (events, 0)));
  ck_assert (ql_event_can_be_amended (g_ptr_array_index (events, 1)));
  ck_assert (ql_event_can_be_amended (g_ptr_array_index (events, 2)));
  ck_assert (!ql_event_can_be_amended (amendment));
  ck_assert (!ql_event_can_be_amended (undo));
  ck_assert_int_eq (ql_event_get_reverses (undo), 3);
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 100);

  /* Only changes can be amended, and only with something to say. */
  assert_fails (ql_test_drop_event (amend_or_null (book, 1)), QL_LEDGER_ERROR_INVALID_VERSION);
  assert_fails (ql_test_drop_event (amend_or_null (book, 4)), QL_LEDGER_ERROR_INVALID_VERSION);
  assert_fails (ql_test_drop_event (amend_or_null (book, 5)), QL_LEDGER_ERROR_INVALID_VERSION);
  assert_fails (ql_test_drop_event (amend_or_null (book, 6)), QL_LEDGER_ERROR_INVALID_VERSION);
  assert_fails (ql_test_drop_event (amend_or_null (book, 0)), QL_LEDGER_ERROR_INVALID_VERSION);
  assert_fails (ql_test_drop_event (ql_ledger_book_amend (book, "Cash", 2, &(QlChangeNote) { 0 },
                                                          &fail_error)),
                QL_LEDGER_ERROR_INVALID_NOTE);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, "Cash")), 5);

  /* Another book reads the amendment back from the store. */
  reloaded = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (reloaded, "Cash"), 100);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (reloaded, "Cash")), 5);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (reloaded, "Cash")), 0);
}
END_TEST

START_TEST (test_damaged_amendment)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = NULL;
  QlNewEvent opening = { "AccountOpened", "{\"currency\":null}" };
  QlNewEvent deposit = { "Deposited", "{\"amount\":100}" };
  QlNewEvent forward = { "ChangeAmended", "{\"amends\":3,\"memo\":\"x\"}" };

  assert_ok (ql_event_store_append (store, "Odd", 0, &opening, 1, NULL, &ok_error));
  assert_ok (ql_event_store_append (store, "Odd", 1, &deposit, 1, NULL, &ok_error));
  assert_ok (ql_event_store_append (store, "Odd", 2, &forward, 1, NULL, &ok_error));
  book = ql_test_new_book (store);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (book, "Odd")), 3);
}
END_TEST

START_TEST (test_time_travel_both_dimensions)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;
  gint64 before_opening;
  gint64 known_then;
  gint64 before_undo;
  gint64 balance = 0;
  GDate june = day ("2026-06-30");

  before_opening = g_get_real_time ();
  g_usleep (2000);
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "A", NULL, NULL)));
  ck_assert (ql_test_drop_event (change (book, "A", QL_EVENT_DEPOSITED, "100", "2026-06-10",
                                         NULL, NULL)));
  ck_assert (ql_test_drop_event (change (book, "A", QL_EVENT_WITHDRAWN, "30", "2026-07-05",
                                         NULL, NULL)));
  known_then = g_get_real_time ();
  g_usleep (2000);
  ck_assert (ql_test_drop_event (amend (book, "A", 3, "2026-06-25", NULL, NULL)));
  ck_assert (ql_test_drop_event (change (book, "A", QL_EVENT_DEPOSITED, "7", "2026-06-01",
                                         NULL, NULL)));

  /* As known now: the withdrawal moved into June, the late deposit is in. */
  ck_assert_int_eq (balance_on (book, "A", "2026-06-30", G_MAXINT64), 77);
  ck_assert_int_eq (balance_on (book, "A", "2026-06-24", G_MAXINT64), 107);
  ck_assert_int_eq (balance_on (book, "A", "2026-05-31", G_MAXINT64), 0);
  /* As known then. */
  ck_assert_int_eq (balance_on (book, "A", "2026-06-30", known_then), 100);
  ck_assert_int_eq (balance_on (book, "A", "2026-07-05", known_then), 70);
  ck_assert_int_eq (balance_on (book, "A", "2026-06-01", known_then), 0);

  /* An undo counts on the day of the change it takes back. */
  before_undo = g_get_real_time ();
  g_usleep (2000);
  ck_assert (ql_test_drop_event (ql_ledger_book_undo (book, "A", NULL)));
  ck_assert_int_eq (balance_on (book, "A", "2026-06-01", G_MAXINT64), 0);
  ck_assert_int_eq (balance_on (book, "A", "2026-06-01", before_undo), 7);
  ck_assert_int_eq (balance_on (book, "A", "2026-06-30", G_MAXINT64), 70);

  ck_assert (!ql_ledger_book_balance_on (book, "A", &june, before_opening, &balance, &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND));
  g_clear_error (&error);
  ck_assert (!ql_ledger_book_balance_on (book, "Nobody", &june, G_MAXINT64, &balance, &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND));
}
END_TEST

START_TEST (test_item_on_a_day)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autofree char *today_text = NULL;
  GDate today;

  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (book, "Box", "4", NULL)));
  ck_assert (ql_test_drop_event (change (book, "Box", QL_EVENT_QUANTITY_INCREASED, "3",
                                         "2026-01-15", NULL, "restock")));
  ql_date_set_today (&today);
  today_text = ql_date_format (&today);
  /* The opening quantity counts from the day the item was created. */
  ck_assert_int_eq (balance_on (book, "Box", "2026-01-15", G_MAXINT64),
                    strcmp (today_text, "2026-01-15") <= 0 ? 7 : 3);
  ck_assert_int_eq (balance_on (book, "Box", today_text, G_MAXINT64), 7);
}
END_TEST

START_TEST (test_dates_survive_sqlite)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "dates.db", NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *memo = NULL;
  GDate date;

  {
    g_autoptr(QlEventStore) store = ql_test_open_sqlite (path);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

    ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", "USD", NULL)));
    ck_assert (ql_test_drop_event (change (book, "Cash", QL_EVENT_DEPOSITED, "5", "2026-03-01",
                                           "Ann", "café ☕")));
    ck_assert (ql_test_drop_event (amend (book, "Cash", 2, "2026-03-02", NULL, NULL)));
  }
  {
    g_autoptr(QlEventStore) store = ql_test_open_sqlite (path);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

    ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 500);
    ck_assert_int_eq (balance_on (book, "Cash", "2026-03-01", G_MAXINT64), 0);
    ck_assert_int_eq (balance_on (book, "Cash", "2026-03-02", G_MAXINT64), 500);
    events = ql_ledger_book_list_events (book, "Cash", NULL);
    ck_assert (ql_event_get_date (g_ptr_array_index (events, 1), &date));
    assert_date (&date, "2026-03-01");
    memo = ql_event_dup_memo (g_ptr_array_index (events, 1));
    ck_assert_str_eq (memo, "café ☕");
  }
}
END_TEST

static GPtrArray *
find (QlLedgerBook *book,
      const char   *text,
      const char   *min_amount,
      const char   *max_amount,
      const char   *from_date,
      const char   *to_date)
{
  g_autoptr(GError) error = NULL;
  QlEventFilter filter = { text, min_amount, max_amount, from_date, to_date };
  GPtrArray *found = ql_ledger_book_find_events (book, "Cash", &filter, &error);

  ck_assert_msg (found != NULL, "%s", error != NULL ? error->message : "");
  return found;
}

/* The versions @found holds, as "2,4". */
static char *
versions_of (GPtrArray *found)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            ql_event_get_version (g_ptr_array_index (found, i)));
  g_ptr_array_unref (found);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_found(expected, ...) \
  G_STMT_START { \
    g_autofree char *found_versions = versions_of (find (book, __VA_ARGS__)); \
    ck_assert_str_eq (found_versions, (expected)); \
  } G_STMT_END

START_TEST (test_find_events)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  QlEventFilter bad_amount = { NULL, "abc", NULL, NULL, NULL };
  QlEventFilter bad_date = { NULL, NULL, NULL, "2026-13-01", NULL };

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", "USD", NULL)));
  ck_assert (ql_test_drop_event (change (book, "Cash", QL_EVENT_DEPOSITED, "100", "2026-06-01",
                                         "Employer", "June pay")));
  ck_assert (ql_test_drop_event (change (book, "Cash", QL_EVENT_WITHDRAWN, "12.50",
                                         "2026-06-03", "Bäckerei", "bread")));
  ck_assert (ql_test_drop_event (change (book, "Cash", QL_EVENT_WITHDRAWN, "40", "2026-07-02",
                                         "Landlord", NULL)));
  ck_assert (ql_test_drop_event (amend (book, "Cash", 4, NULL, NULL, "Rent for JUNE")));

  assert_found ("1,2,3,4,5", NULL, NULL, NULL, NULL, NULL);
  /* In any case, payee or memo, as amended. */
  assert_found ("2,4", " june ", NULL, NULL, NULL, NULL);
  assert_found ("3", "BÄCK", NULL, NULL, NULL, NULL);
  assert_found ("", "nothing like it", NULL, NULL, NULL, NULL);
  /* Amounts in the ledger's units, both ends included. */
  assert_found ("3,4", NULL, "12.50", "40", NULL, NULL);
  assert_found ("2", NULL, "40.01", NULL, NULL, NULL);
  /* Days, both ends included. */
  assert_found ("2,3", NULL, NULL, NULL, "2026-06-01", "2026-06-30");
  assert_found ("4", NULL, NULL, NULL, "2026-07-02", NULL);
  assert_found ("2", "june", "50", NULL, NULL, "2026-06-30");

  /* An amended date moves the change into another range. */
  ck_assert (ql_test_drop_event (amend (book, "Cash", 4, "2026-06-30", NULL, NULL)));
  assert_found ("2,3,4", NULL, NULL, NULL, "2026-06-01", "2026-06-30");

  assert_fails (ql_ledger_book_find_events (book, "Cash", &bad_amount, &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_find_events (book, "Cash", &bad_date, &fail_error),
                QL_LEDGER_ERROR_INVALID_DATE);
  assert_fails (ql_ledger_book_find_events (book, "Nobody", &bad_date, &fail_error),
                QL_LEDGER_ERROR_NOT_FOUND);
}
END_TEST

START_TEST (test_import_dates_payees_memos)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  GDate date;

  /* Columns by their header's names, in any order. */
  ck_assert_msg (ql_test_import_text (book,
                              "Memo,ledger,DATE,type,amount,payee\n"
                              ",Cash,,open,EUR,\n"
                              "\"June pay, net\",Cash,2026-06-01,deposit,100,Employer\n"
                              ",Cash,2026-06-03,withdraw,12.50,\n"
                              ",Cash,,deposit,1,\n", &error),
                 "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 8850);
  events = ql_ledger_book_list_events (book, "Cash", NULL);
  ck_assert_uint_eq (events->len, 4);
  ck_assert_str_eq (ql_event_get_payload (g_ptr_array_index (events, 1)),
                    "{\"amount\":10000,\"date\":\"2026-06-01\",\"payee\":\"Employer\","
                    "\"memo\":\"June pay, net\"}");
  ck_assert_str_eq (ql_event_get_payload (g_ptr_array_index (events, 2)),
                    "{\"amount\":1250,\"date\":\"2026-06-03\"}");
  /* An empty date is the day of the import, as before. */
  ck_assert_str_eq (ql_event_get_payload (g_ptr_array_index (events, 3)), "{\"amount\":100}");
  ck_assert (ql_event_get_date (g_ptr_array_index (events, 1), &date));
  assert_date (&date, "2026-06-01");
  payee = ql_event_dup_payee (g_ptr_array_index (events, 1));
  memo = ql_event_dup_memo (g_ptr_array_index (events, 1));
  ck_assert_str_eq (payee, "Employer");
  ck_assert_str_eq (memo, "June pay, net");
  ck_assert_int_eq (balance_on (book, "Cash", "2026-06-02", G_MAXINT64), 10000);

  /* A bad date or header writes nothing. */
  assert_fails (ql_test_import_text (book, "ledger,type,amount,date\nCash,deposit,5,2026-02-30\n",
                             &fail_error), QL_LEDGER_ERROR_INVALID_DATE);
  assert_fails (ql_test_import_text (book, "ledger,type,amount,date,date\n", &fail_error),
                QL_LEDGER_ERROR_INVALID_IMPORT);
  assert_fails (ql_test_import_text (book, "ledger,type,memo\n", &fail_error),
                QL_LEDGER_ERROR_INVALID_IMPORT);
  assert_fails (ql_test_import_text (book, "ledger,type,amount,memo\nCash,deposit,5\n", &fail_error),
                QL_LEDGER_ERROR_INVALID_IMPORT);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, "Cash")), 4);
}
END_TEST

static Suite *
dates_suite (void)
{
  Suite *suite = suite_create ("ledger-dates");
  TCase *tc;

  tc = tcase_create ("dates");
  tcase_add_test (tc, test_date_parse);
  tcase_add_test (tc, test_recorded_time_parse);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("changes");
  tcase_add_test (tc, test_change_carries_date_payee_memo);
  tcase_add_test (tc, test_bad_notes_write_nothing);
  tcase_add_test (tc, test_old_events_read_as_before);
  tcase_add_test (tc, test_amendment_is_a_new_event);
  tcase_add_test (tc, test_damaged_amendment);
  tcase_add_test (tc, test_dates_survive_sqlite);
  tcase_add_test (tc, test_import_dates_payees_memos);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("time-travel");
  tcase_add_test (tc, test_time_travel_both_dimensions);
  tcase_add_test (tc, test_item_on_a_day);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("search");
  tcase_add_test (tc, test_find_events);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  /* Recording times given as days and minutes are read in this zone. */
  g_setenv ("TZ", "UTC", TRUE);
  return ql_test_run_in_dir ("ql-test-ledger-dates", dates_suite (), NULL);
}
