/* test-ledger-book.c: commands, undo, time travel, snapshots and several
 * books sharing one store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ql-dates.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events.h"
#include "ql-ledger-private.h"
#include "ql-memory-event-store.h"
#include "ql-sqlite-event-store.h"
#include "ql-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"
#include "ql-test-postgres.h"

/*
 * A store that lets another writer win a given number of appends: before
 * passing an append on, it appends a competing deposit at the same version,
 * so the caller's append conflicts as it would against another process.
 */

#define TEST_TYPE_RACING_STORE (test_racing_store_get_type ())
G_DECLARE_FINAL_TYPE (TestRacingStore, test_racing_store, TEST, RACING_STORE, GObject)

struct _TestRacingStore
{
  GObject       parent_instance;
  QlEventStore *inner;
  guint         races_left;
  guint         n_conflicts;
  /* Reading the log fails while set, as a damaged file does. */
  gboolean      fail_log;
};

static void test_racing_store_iface_init (QlEventStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestRacingStore, test_racing_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_EVENT_STORE,
                                                      test_racing_store_iface_init))

static gboolean
racing_append (QlEventStore      *store,
               const char        *ledger,
               gint64             expected_version,
               const QlNewEvent  *events,
               guint              n_events,
               QlEventRecord     *out_appended,
               GError           **error)
{
  TestRacingStore *self = TEST_RACING_STORE (store);
  gboolean ok;

  if (self->races_left > 0 && expected_version > 0)
    {
      QlNewEvent competing = { "Deposited", "{\"amount\":1}" };

      self->races_left--;
      ck_assert (ql_event_store_append (self->inner, ledger, expected_version, &competing, 1,
                                        NULL, NULL));
    }

  ok = ql_event_store_append (self->inner, ledger, expected_version, events, n_events,
                              out_appended, error);
  if (!ok && error != NULL && g_error_matches (*error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT))
    self->n_conflicts++;
  return ok;
}

static gboolean
racing_read_ledger (QlEventStore  *store,
                    const char    *ledger,
                    gint64         after_version,
                    gint64         up_to_version,
                    QlEventFunc    func,
                    gpointer       user_data,
                    GError       **error)
{
  return ql_event_store_read_ledger (TEST_RACING_STORE (store)->inner, ledger, after_version,
                                     up_to_version, func, user_data, error);
}

static gboolean
racing_read_log (QlEventStore  *store,
                 gint64         start,
                 gint64         limit,
                 QlEventFunc    func,
                 gpointer       user_data,
                 GError       **error)
{
  if (TEST_RACING_STORE (store)->fail_log)
    {
      g_set_error_literal (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT, "unreadable");
      return FALSE;
    }
  return ql_event_store_read_log (TEST_RACING_STORE (store)->inner, start, limit, func,
                                  user_data, error);
}

static gint64
racing_get_head_position (QlEventStore  *store,
                          GError       **error)
{
  return ql_event_store_get_head_position (TEST_RACING_STORE (store)->inner, error);
}

static GPtrArray *
racing_list_ledgers (QlEventStore  *store,
                     GError       **error)
{
  return ql_event_store_list_ledgers (TEST_RACING_STORE (store)->inner, error);
}

static gboolean
racing_save_snapshot (QlEventStore  *store,
                      const char    *ledger,
                      gint64         version,
                      const char    *state,
                      GError       **error)
{
  return ql_event_store_save_snapshot (TEST_RACING_STORE (store)->inner, ledger, version,
                                       state, error);
}

static gboolean
racing_load_snapshot (QlEventStore  *store,
                      const char    *ledger,
                      gint64         up_to_version,
                      gint64        *out_version,
                      char         **out_state,
                      GError       **error)
{
  return ql_event_store_load_snapshot (TEST_RACING_STORE (store)->inner, ledger, up_to_version,
                                       out_version, out_state, error);
}

static void
test_racing_store_iface_init (QlEventStoreInterface *iface)
{
  iface->append = racing_append;
  iface->read_ledger = racing_read_ledger;
  iface->read_log = racing_read_log;
  iface->get_head_position = racing_get_head_position;
  iface->list_ledgers = racing_list_ledgers;
  iface->save_snapshot = racing_save_snapshot;
  iface->load_snapshot = racing_load_snapshot;
}

static void
test_racing_store_finalize (GObject *object)
{
  g_clear_object (&TEST_RACING_STORE (object)->inner);
  G_OBJECT_CLASS (test_racing_store_parent_class)->finalize (object);
}

static void
test_racing_store_class_init (TestRacingStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_racing_store_finalize;
}

static void
test_racing_store_init (TestRacingStore *self)
{
  self->inner = ql_memory_event_store_new ();
}

/*
 * Helpers
 */

/* A change's payload as a command writes it today: @members, then the
 * day it happened, today where the user is. */
static char *
dated_today (const char *members)
{
  g_autofree char *today = NULL;
  GDate date;

  ql_date_set_today (&date);
  today = ql_date_format (&date);
  return g_strdup_printf ("{%s,\"date\":\"%s\"}", members, today);
}

#define assert_payload_today(event, members) \
  G_STMT_START { \
    g_autofree char *expected_payload = dated_today (members); \
    ck_assert_str_eq (ql_event_get_payload (event), expected_payload); \
  } G_STMT_END

static guint
count_events (QlLedgerBook *book,
              const char   *name)
{
  g_autoptr(GPtrArray) events = ql_ledger_book_list_events (book, name, NULL);

  ck_assert (events != NULL);
  return events->len;
}

typedef struct
{
  guint items_changed;
  guint added;
  guint removed;
  guint last_position;
  guint changed;
  guint balance_notify;
  guint version_notify;
} Counts;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Counts     *counts)
{
  counts->items_changed++;
  counts->added += added;
  counts->removed += removed;
  counts->last_position = position;
}

static void
book_changed_cb (QlLedgerBook *book,
                 Counts       *counts)
{
  counts->changed++;
}

static void
ledger_notify_cb (QlLedger   *ledger,
                  GParamSpec *pspec,
                  Counts     *counts)
{
  if (g_strcmp0 (pspec->name, "balance") == 0)
    counts->balance_notify++;
  else if (g_strcmp0 (pspec->name, "version") == 0)
    counts->version_notify++;
}

static void
watch_book (QlLedgerBook *book,
            Counts       *counts)
{
  g_signal_connect (ql_ledger_book_get_ledgers (book), "items-changed",
                    G_CALLBACK (items_changed_cb), counts);
  g_signal_connect (book, "changed", G_CALLBACK (book_changed_cb), counts);
}

static char *
make_temp_db (char **out_dir)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ql-book-XXXXXX", &error);

  ck_assert_msg (dir != NULL, "%s", error != NULL ? error->message : "");
  *out_dir = dir;
  return g_build_filename (dir, "ledgers.db", NULL);
}

/*
 * The chapter's examples
 */

START_TEST (test_bank_account_example)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GPtrArray) events = NULL;
  static const char * const types[] = {
    "AccountOpened", "Deposited", "Deposited", "Withdrawn", "Deposited",
  };
  static const gint64 signed_amounts[] = { 0, 100, 50, -30, 30 };
  g_autofree char *balance = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Account", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", "100", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", "50", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, "Account", "30", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", "30", &ok_error)));

  ck_assert_int_eq (ql_test_balance_of (book, "Account"), 150);
  balance = ql_ledger_format_balance (ql_ledger_book_lookup (book, "Account"));
  ck_assert_str_eq (balance, "150");

  events = ql_ledger_book_list_events (book, "Account", NULL);
  ck_assert_uint_eq (events->len, 5);
  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);

      ck_assert_str_eq (ql_event_get_event_type (event), types[i]);
      ck_assert_int_eq (ql_event_get_version (event), i + 1);
      ck_assert_int_eq (ql_event_get_signed_amount (event), signed_amounts[i]);
      ck_assert_str_eq (ql_event_get_ledger (event), "Account");
    }
  ck_assert_str_eq (ql_event_get_payload (g_ptr_array_index (events, 0)), "{\"currency\":null}");
  assert_payload_today (g_ptr_array_index (events, 3), "\"amount\":30");
}
END_TEST

START_TEST (test_inventory_example)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autofree char *quantity = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Laptop", "10", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_increase (book, "Laptop", "5", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_decrease (book, "Laptop", "3", &ok_error)));

  ck_assert_int_eq (ql_test_balance_of (book, "Laptop"), 12);
  quantity = ql_ledger_format_balance (ql_ledger_book_lookup (book, "Laptop"));
  ck_assert_str_eq (quantity, "12");

  log = ql_ledger_book_read_log (book, 1, 5, NULL);
  ck_assert_uint_eq (log->len, 3);
  ck_assert_str_eq (ql_event_get_event_type (g_ptr_array_index (log, 0)), "ItemCreated");
  ck_assert_str_eq (ql_event_get_payload (g_ptr_array_index (log, 0)),
                    "{\"name\":\"Laptop\",\"quantity\":10}");
  assert_payload_today (g_ptr_array_index (log, 1), "\"amount\":5");
  assert_payload_today (g_ptr_array_index (log, 2), "\"amount\":3");
  for (guint i = 0; i < log->len; i++)
    {
      QlEvent *event = g_ptr_array_index (log, i);

      ck_assert_int_eq (ql_event_get_position (event), i + 1);
      ck_assert_int_gt (ql_event_get_timestamp (event), 0);
    }

  page = ql_ledger_book_read_log (book, 2, 1, NULL);
  ck_assert_uint_eq (page->len, 1);
  ck_assert_str_eq (ql_event_get_event_type (g_ptr_array_index (page, 0)), "QuantityIncreased");
}
END_TEST

START_TEST (test_currencies)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *usd = NULL;
  g_autofree char *kwd = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Savings", " usd ",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Yen", "JPY", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Dinar", "kwd", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Plain", "", &ok_error)));

  ck_assert_str_eq (ql_ledger_get_currency (ql_ledger_book_lookup (book, "Savings")), "USD");
  ck_assert_ptr_null (ql_ledger_get_currency (ql_ledger_book_lookup (book, "Plain")));
  events = ql_ledger_book_list_events (book, "Savings", NULL);
  ck_assert_str_eq (ql_event_get_payload (g_ptr_array_index (events, 0)), "{\"currency\":\"USD\"}");

  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Savings", "99.99", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Savings", "0.01", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (book, "Savings"), 10000);
  usd = ql_ledger_format_balance (ql_ledger_book_lookup (book, "Savings"));
  ck_assert_str_eq (usd, "100.00 USD");

  assert_fails (ql_ledger_book_deposit (book, "Yen", "1.5", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Yen", "1500", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (book, "Yen"), 1500);

  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Dinar", "1.234", &ok_error)));
  kwd = ql_ledger_format_balance (ql_ledger_book_lookup (book, "Dinar"));
  ck_assert_str_eq (kwd, "1.234 KWD");

  assert_fails (ql_ledger_book_deposit (book, "Plain", "1.5", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_open_account (book, "Bad", "XYZ", &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  ck_assert_ptr_null (ql_ledger_book_lookup (book, "Bad"));
}
END_TEST

/*
 * Rules and errors
 */

START_TEST (test_rules)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) funds_error = NULL;
  g_autoptr(GError) missing_error = NULL;
  gint64 head;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Checking", "USD", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Checking", "150", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Laptop", "12", &ok_error)));
  head = ql_test_head_position (store);

  ck_assert (!ql_ledger_book_withdraw (book, "Checking", "150.01", &funds_error));
  ck_assert (g_error_matches (funds_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS));
  ck_assert_str_eq (funds_error->message,
                    "Cannot withdraw 150.01 USD from “Checking”: the balance is only 150.00 USD");
  assert_fails (ql_ledger_book_decrease (book, "Laptop", "13", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY);
  assert_fails (ql_ledger_book_deposit (book, "Laptop", "1", &fail_error),
                QL_LEDGER_ERROR_WRONG_KIND);
  assert_fails (ql_ledger_book_withdraw (book, "Laptop", "1", &fail_error),
                QL_LEDGER_ERROR_WRONG_KIND);
  assert_fails (ql_ledger_book_increase (book, "Checking", "1", &fail_error),
                QL_LEDGER_ERROR_WRONG_KIND);
  assert_fails (ql_ledger_book_decrease (book, "Checking", "1", &fail_error),
                QL_LEDGER_ERROR_WRONG_KIND);
  assert_fails (ql_ledger_book_deposit (book, "Checking", "0", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_deposit (book, "Checking", "-5", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_deposit (book, "Checking", "abc", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_deposit (book, "Checking", "92233720368547758.08", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_deposit (book, "Checking", "92233720368547758.07", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_increase (book, "Laptop", "1.5", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_increase (book, "Laptop", "0", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);

  ck_assert (!ql_ledger_book_deposit (book, "Nope", "1", &missing_error));
  ck_assert (g_error_matches (missing_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND));
  ck_assert_str_eq (missing_error->message, "No ledger is named “Nope”");
  assert_fails (ql_ledger_book_undo (book, "Nope", &fail_error) != NULL,
                QL_LEDGER_ERROR_NOT_FOUND);
  assert_fails (ql_ledger_book_state_at (book, "Nope", 1, &fail_error) != NULL,
                QL_LEDGER_ERROR_NOT_FOUND);
  assert_fails (ql_ledger_book_list_events (book, "Nope", &fail_error) != NULL,
                QL_LEDGER_ERROR_NOT_FOUND);

  /* A failed command writes nothing and changes nothing. */
  ck_assert_int_eq (ql_test_head_position (store), head);
  ck_assert_int_eq (ql_test_balance_of (book, "Checking"), 15000);
  ck_assert_int_eq (ql_test_balance_of (book, "Laptop"), 12);

  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, "Checking", "150", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_decrease (book, "Laptop", "12", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (book, "Checking"), 0);
  ck_assert_int_eq (ql_test_balance_of (book, "Laptop"), 0);
  assert_fails (ql_ledger_book_withdraw (book, "Checking", "0.01", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  assert_fails (ql_ledger_book_decrease (book, "Laptop", "1", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY);
}
END_TEST

START_TEST (test_items_open_with_zero)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Empty", "0", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (book, "Empty"), 0);
  assert_fails (ql_ledger_book_create_item (book, "Negative", "-1", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_create_item (book, "Half", "1.5", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_create_item (book, "Blank", "", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  ck_assert_int_eq (ql_test_head_position (store), 1);
}
END_TEST

START_TEST (test_names)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) exists_error = NULL;
  g_autofree char *too_long = g_strnfill (QL_LEDGER_NAME_MAX_CHARS + 1, 'n');
  g_autofree char *longest = g_strnfill (QL_LEDGER_NAME_MAX_CHARS, 'n');

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "  Wallet \t", NULL,
                                                              &ok_error)));
  ck_assert_str_eq (ql_ledger_get_name (ql_ledger_book_lookup (book, "Wallet")), "Wallet");
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, " Wallet ", "5", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (book, "Wallet"), 5);

  /* Names are unique across both kinds, compared in their stored form. */
  ck_assert (!ql_ledger_book_open_account (book, "Wallet", NULL, &exists_error));
  ck_assert (g_error_matches (exists_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS));
  ck_assert_str_eq (exists_error->message, "A ledger named “Wallet” exists already");
  assert_fails (ql_ledger_book_create_item (book, "Wallet ", "1", &fail_error),
                QL_LEDGER_ERROR_EXISTS);
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Caf\xC3\xA9", "1", &ok_error)));
  assert_fails (ql_ledger_book_open_account (book, "Cafe\xCC\x81", NULL, &fail_error),
                QL_LEDGER_ERROR_EXISTS);

  assert_fails (ql_ledger_book_open_account (book, "", NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (ql_ledger_book_open_account (book, "   ", NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (ql_ledger_book_open_account (book, "Two\nlines", NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (ql_ledger_book_create_item (book, "Esc\x1b", "1", &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (ql_ledger_book_create_item (book, "Bad\xfe", "1", &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (ql_ledger_book_open_account (book, too_long, NULL, &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_fails (ql_ledger_book_deposit (book, "", "1", &fail_error),
                QL_LEDGER_ERROR_INVALID_NAME);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, longest, NULL, &ok_error)));

  ck_assert_int_eq (ql_test_head_position (store), 4);
  ck_assert_ptr_null (ql_ledger_book_lookup (book, "Two\nlines"));
}
END_TEST

START_TEST (test_list_model)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  GListModel *ledgers = ql_ledger_book_get_ledgers (book);
  static const char * const expected[] = { "Alpha", "beta", "Gamma", "zeta" };
  Counts counts = { 0 };
  g_autoptr(QlLedger) first = NULL;

  watch_book (book, &counts);
  ck_assert (g_list_model_get_item_type (ledgers) == QL_TYPE_LEDGER);
  ck_assert_uint_eq (g_list_model_get_n_items (ledgers), 0);

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "zeta", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "beta", "1", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Gamma", NULL, &ok_error)));
  ck_assert_uint_eq (counts.items_changed, 3);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Alpha", NULL, &ok_error)));
  ck_assert_uint_eq (counts.items_changed, 4);
  ck_assert_uint_eq (counts.added, 4);
  ck_assert_uint_eq (counts.removed, 0);
  ck_assert_uint_eq (counts.last_position, 0);
  ck_assert_uint_eq (counts.changed, 4);

  ck_assert_uint_eq (g_list_model_get_n_items (ledgers), G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(QlLedger) ledger = g_list_model_get_item (ledgers, i);

      ck_assert_str_eq (ql_ledger_get_name (ledger), expected[i]);
    }

  /* The same object is updated in place; the list does not change. */
  first = g_list_model_get_item (ledgers, 0);
  g_signal_connect (first, "notify", G_CALLBACK (ledger_notify_cb), &counts);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Alpha", "7", &ok_error)));
  ck_assert_int_eq (ql_ledger_get_balance (first), 7);
  ck_assert_uint_eq (counts.balance_notify, 1);
  ck_assert_uint_eq (counts.version_notify, 1);
  ck_assert_uint_eq (counts.items_changed, 4);
  ck_assert_uint_eq (counts.changed, 5);
  ck_assert_ptr_eq (ql_ledger_book_lookup (book, "Alpha"), first);

  /* Failures emit nothing. */
  assert_fails (ql_ledger_book_withdraw (book, "Alpha", "8", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  ck_assert_uint_eq (counts.changed, 5);
  ck_assert_uint_eq (counts.balance_notify, 1);
}
END_TEST

/*
 * Undo
 */

static void
assert_undo (QlLedgerBook *book,
             const char   *name,
             const char   *type,
             const char   *payload,
             gint64        version,
             gint64        balance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) event = ql_ledger_book_undo (book, name, &error);

  ck_assert_msg (event != NULL, "undo failed: %s", error != NULL ? error->message : "");
  ck_assert_str_eq (ql_event_get_event_type (event), type);
  ck_assert_str_eq (ql_event_get_payload (event), payload);
  ck_assert_str_eq (ql_event_get_ledger (event), name);
  ck_assert_int_eq (ql_event_get_version (event), version);
  ck_assert_int_gt (ql_event_get_position (event), 0);
  ck_assert_int_eq (ql_test_balance_of (book, name), balance);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, name)), version);
}

/* A threshold is an event of its own: only items take one, it moves no
 * quantity, undo passes it by, and a book read from the store again
 * replays it. */
START_TEST (test_threshold)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) again = NULL;
  g_autoptr(QlEvent) set = NULL;
  QlLedger *item;

  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Bolts", "10", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_decrease (book, "Bolts", "4", &ok_error)));

  assert_fails (ql_ledger_book_set_threshold (book, "Cash", "5", &fail_error),
                QL_LEDGER_ERROR_WRONG_KIND);
  assert_fails (ql_ledger_book_set_threshold (book, "Bolts", "-1", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_set_threshold (book, "Bolts", "2.5", &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_set_threshold (book, "Nails", "2", &fail_error),
                QL_LEDGER_ERROR_NOT_FOUND);

  assert_ok ((set = ql_ledger_book_set_threshold (book, "Bolts", "8", &ok_error)) != NULL);
  ck_assert_str_eq (ql_event_get_event_type (set), QL_EVENT_THRESHOLD_SET);
  ck_assert_str_eq (ql_event_get_payload (set), "{\"threshold\":8}");
  ck_assert_int_eq (ql_event_get_threshold (set), 8);
  ck_assert_int_eq (ql_event_get_signed_amount (set), 0);
  ck_assert_str_eq (ql_event_type_get_label (QL_EVENT_THRESHOLD_SET), "Threshold set");
  item = ql_ledger_book_lookup (book, "Bolts");
  ck_assert_int_eq (ql_ledger_get_version (item), 3);
  ck_assert_int_eq (ql_ledger_get_balance (item), 6);
  assert_ok (ql_test_drop_event (ql_ledger_book_set_threshold (book, "Bolts", "0", &ok_error)));

  /* The undo takes back the decrease, behind both thresholds. */
  assert_undo (book, "Bolts", "QuantityIncreased", "{\"amount\":4,\"reverses\":2}", 5, 10);

  again = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (again, "Bolts"), 10);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (again, "Bolts")), 5);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (again, "Bolts")), 0);
}
END_TEST

START_TEST (test_undo_chain)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) nothing_error = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Account", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", "100", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", "50", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, "Account", "30", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", "30", &ok_error)));

  assert_undo (book, "Account", "Withdrawn", "{\"amount\":30,\"reverses\":5}", 6, 120);
  assert_undo (book, "Account", "Deposited", "{\"amount\":30,\"reverses\":4}", 7, 150);
  assert_undo (book, "Account", "Withdrawn", "{\"amount\":50,\"reverses\":3}", 8, 100);
  assert_undo (book, "Account", "Withdrawn", "{\"amount\":100,\"reverses\":2}", 9, 0);

  ck_assert_ptr_null (ql_ledger_book_undo (book, "Account", &nothing_error));
  ck_assert (g_error_matches (nothing_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOTHING_TO_UNDO));
  ck_assert_int_eq (ql_test_head_position (store), 9);
  ck_assert_uint_eq (count_events (book, "Account"), 9);
}
END_TEST

START_TEST (test_undo_after_new_changes)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Laptop", "10", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_increase (book, "Laptop", "5", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_decrease (book, "Laptop", "3", &ok_error)));
  assert_undo (book, "Laptop", "QuantityIncreased", "{\"amount\":3,\"reverses\":3}", 4, 15);
  assert_ok (ql_test_drop_event (ql_ledger_book_decrease (book, "Laptop", "7", &ok_error)));
  assert_undo (book, "Laptop", "QuantityIncreased", "{\"amount\":7,\"reverses\":5}", 6, 15);
  assert_undo (book, "Laptop", "QuantityDecreased", "{\"amount\":5,\"reverses\":2}", 7, 10);
  /* The opening event cannot be undone. */
  assert_fails (ql_ledger_book_undo (book, "Laptop", &fail_error) != NULL,
                QL_LEDGER_ERROR_NOTHING_TO_UNDO);
  ck_assert_int_eq (ql_test_balance_of (book, "Laptop"), 10);
}
END_TEST

START_TEST (test_undo_nothing_on_fresh_ledger)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "New", "EUR", &ok_error)));
  ck_assert_ptr_null (ql_ledger_book_undo (book, "New", &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOTHING_TO_UNDO));
  ck_assert_str_eq (error->message, "Nothing to undo in “New”: every change is already undone");
  ck_assert_int_eq (ql_test_head_position (store), 1);
}
END_TEST

START_TEST (test_undo_walks_pages)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

  /* Enough history that the walk back crosses several pages. */
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Long", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Long", "1000", &ok_error)));
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(QlEvent) undo = NULL;

      assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Long", "1", &ok_error)));
      undo = ql_ledger_book_undo (book, "Long", NULL);
      ck_assert (undo != NULL);
    }
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, "Long")), 602);
  assert_undo (book, "Long", "Withdrawn", "{\"amount\":1000,\"reverses\":2}", 603, 0);
  assert_fails (ql_ledger_book_undo (book, "Long", &fail_error) != NULL,
                QL_LEDGER_ERROR_NOTHING_TO_UNDO);
}
END_TEST

static void
append_raw (QlEventStore *store,
            const char   *ledger,
            gint64        expected_version,
            const char   *type,
            const char   *payload)
{
  QlNewEvent event = { type, payload };
  g_autoptr(GError) error = NULL;

  ck_assert_msg (ql_event_store_append (store, ledger, expected_version, &event, 1, NULL, &error),
                 "%s", error != NULL ? error->message : "");
}

START_TEST (test_undo_blocked_by_rule)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GError) error = NULL;

  /* A history whose compensation is out of stack order, as another
   * program could write it: the deposit of 60 was partly spent since. */
  append_raw (store, "Odd", 0, "AccountOpened", "{\"currency\":null}");
  append_raw (store, "Odd", 1, "Deposited", "{\"amount\":100}");
  append_raw (store, "Odd", 2, "Withdrawn", "{\"amount\":50}");
  append_raw (store, "Odd", 3, "Deposited", "{\"amount\":60}");
  append_raw (store, "Odd", 4, "Withdrawn", "{\"amount\":100,\"reverses\":2}");

  book = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (book, "Odd"), 10);
  ck_assert_ptr_null (ql_ledger_book_undo (book, "Odd", &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS));
  ck_assert_str_eq (error->message, "Cannot withdraw 60 from “Odd”: the balance is only 10");
  ck_assert_int_eq (ql_test_head_position (store), 5);
  ck_assert_int_eq (ql_test_balance_of (book, "Odd"), 10);
}
END_TEST

/*
 * Time travel and snapshots
 */

static void
assert_same_state (QlLedger *a,
                   QlLedger *b)
{
  ck_assert_str_eq (ql_ledger_get_name (a), ql_ledger_get_name (b));
  ck_assert_int_eq (ql_ledger_get_kind (a), ql_ledger_get_kind (b));
  ck_assert_int_eq (g_strcmp0 (ql_ledger_get_currency (a), ql_ledger_get_currency (b)), 0);
  ck_assert_uint_eq (ql_ledger_get_decimals (a), ql_ledger_get_decimals (b));
  ck_assert_int_eq (ql_ledger_get_balance (a), ql_ledger_get_balance (b));
  ck_assert_int_eq (ql_ledger_get_version (a), ql_ledger_get_version (b));
}

static void
unref_state (gpointer state)
{
  g_clear_object (&state);
}

/* Runs a mixed history on "Account" and records the state after each
 * event, indexed by version (index 0, before the first event, is empty). */
static GPtrArray *
run_history (QlLedgerBook *book)
{
  GPtrArray *states = g_ptr_array_new_with_free_func (unref_state);
  static const char * const steps[] = {
    "+100", "+50", "-30", "+30", "u", "-20.5", "+1", "u", "u", "+7.25", "-1", "+3", "u",
  };

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Account", "EUR", &ok_error)));
  g_ptr_array_add (states, NULL);
  g_ptr_array_add (states, _ql_ledger_copy (ql_ledger_book_lookup (book, "Account")));

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      const char *step = steps[i];

      if (step[0] == '+')
        assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", step + 1,
                                                               &ok_error)));
      else if (step[0] == '-')
        assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, "Account", step + 1,
                                                                &ok_error)));
      else
        {
          g_autoptr(QlEvent) event = ql_ledger_book_undo (book, "Account", NULL);

          ck_assert (event != NULL);
        }
      g_ptr_array_add (states, _ql_ledger_copy (ql_ledger_book_lookup (book, "Account")));
    }

  return states;
}

static void
assert_state_at_every_version (QlLedgerBook *book,
                               GPtrArray    *states)
{
  for (guint version = 1; version < states->len; version++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QlLedger) past = ql_ledger_book_state_at (book, "Account", version, &error);

      ck_assert_msg (past != NULL, "version %u: %s", version, error != NULL ? error->message : "");
      assert_same_state (past, g_ptr_array_index (states, version));
    }
}

START_TEST (test_state_at)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GPtrArray) states = run_history (book);
  g_autoptr(QlLedger) newest = NULL;
  gint64 head = states->len - 1;
  gint64 version = 0;
  g_autofree char *state = NULL;

  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, "Account")), head);
  assert_state_at_every_version (book, states);

  assert_fails (ql_ledger_book_state_at (book, "Account", 0, &fail_error) != NULL,
                QL_LEDGER_ERROR_INVALID_VERSION);
  assert_fails (ql_ledger_book_state_at (book, "Account", head + 1, &fail_error) != NULL,
                QL_LEDGER_ERROR_INVALID_VERSION);
  assert_fails (ql_ledger_book_state_at (book, "Account", -1, &fail_error) != NULL,
                QL_LEDGER_ERROR_INVALID_VERSION);

  /* The result is a copy: later changes do not reach it. */
  newest = ql_ledger_book_state_at (book, "Account", head, NULL);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Account", "1", &ok_error)));
  assert_same_state (newest, g_ptr_array_index (states, head));

  /* The default interval keeps short histories free of snapshots. */
  ck_assert_uint_eq (ql_ledger_book_get_snapshot_interval (book), 1000);
  ck_assert (ql_event_store_load_snapshot (store, "Account", 0, &version, &state, NULL));
  ck_assert_int_eq (version, 0);
  ck_assert_ptr_null (state);
}
END_TEST

START_TEST (test_snapshots)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) reloaded = NULL;
  g_autoptr(GPtrArray) states = NULL;
  g_autofree char *state = NULL;
  gint64 version = 0;
  guint interval = 0;

  g_object_set (book, "snapshot-interval", 3, NULL);
  g_object_get (book, "snapshot-interval", &interval, NULL);
  ck_assert_uint_eq (interval, 3);
  states = run_history (book);
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Laptop", "10", &ok_error)));
  for (guint i = 0; i < 7; i++)
    assert_ok (ql_test_drop_event (ql_ledger_book_increase (book, "Laptop", "2", &ok_error)));

  /* 14 events: snapshots at 3, 6, 9 and 12; time travel uses them. */
  ck_assert (ql_event_store_load_snapshot (store, "Account", 0, &version, &state, NULL));
  ck_assert_int_eq (version, 12);
  ck_assert_ptr_nonnull (state);
  g_clear_pointer (&state, g_free);
  ck_assert (ql_event_store_load_snapshot (store, "Account", 8, &version, &state, NULL));
  ck_assert_int_eq (version, 6);
  g_clear_pointer (&state, g_free);
  assert_state_at_every_version (book, states);

  /* A new book loads from the snapshots and gets the replayed state. */
  reloaded = ql_test_new_book (store);
  assert_same_state (ql_ledger_book_lookup (reloaded, "Account"),
                     ql_ledger_book_lookup (book, "Account"));
  assert_same_state (ql_ledger_book_lookup (reloaded, "Laptop"),
                     ql_ledger_book_lookup (book, "Laptop"));
  ck_assert_int_eq (ql_test_balance_of (reloaded, "Laptop"), 24);
  assert_state_at_every_version (reloaded, states);
}
END_TEST

START_TEST (test_snapshot_is_used_and_damage_ignored)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) from_snapshot = NULL;
  g_autoptr(QlLedgerBook) replayed = NULL;
  g_autoptr(QlLedger) past = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Laptop", "10", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_increase (book, "Laptop", "5", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_decrease (book, "Laptop", "3", &ok_error)));

  /* A snapshot that disagrees with the events proves it is read. */
  ck_assert (ql_event_store_save_snapshot (store, "Laptop", 2, "{\"kind\":\"item\",\"balance\":1000}", NULL));
  from_snapshot = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (from_snapshot, "Laptop"), 997);
  past = ql_ledger_book_state_at (from_snapshot, "Laptop", 1, NULL);
  ck_assert_int_eq (ql_ledger_get_balance (past), 10);

  /* A damaged snapshot is a cache miss: the events are replayed instead. */
  ck_assert (ql_event_store_save_snapshot (store, "Laptop", 2, "{\"kind\":", NULL));
  replayed = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (replayed, "Laptop"), 12);
}
END_TEST

/* A damaged event damages its own ledger only: the book opens, the other
 * ledgers work, and the damaged one keeps the state before the damage,
 * read-only, naming the version and the reason. */
START_TEST (test_damaged_event_damages_one_ledger)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlLedgerBook) before = NULL;
  g_autoptr(QlLedger) past = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEvent) undo = NULL;
  QlLedger *strange;
  guint n_damaged = 0;

  append_raw (store, "Good", 0, "AccountOpened", "{\"currency\":null}");
  before = ql_test_new_book (store);
  append_raw (store, "Strange", 0, "AccountOpened", "{\"currency\":null}");
  append_raw (store, "Strange", 1, "Deposited", "{\"amount\":5}");
  append_raw (store, "Strange", 2, "Deposited", "{\"amount\":-3}");
  append_raw (store, "Strange", 3, "Deposited", "{\"amount\":7}");
  append_raw (store, "Broken", 0, "ItemCreated", "not json");

  book = ql_test_new_book (store);
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)), 3);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Good", "10", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (book, "Good"), 10);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (book, "Good")), 0);
  ck_assert_ptr_null (ql_ledger_get_damage (ql_ledger_book_lookup (book, "Good")));

  strange = ql_ledger_book_lookup (book, "Strange");
  ck_assert_int_eq (ql_ledger_get_balance (strange), 5);
  ck_assert_int_eq (ql_ledger_get_version (strange), 2);
  ck_assert_int_eq (ql_ledger_get_damaged_version (strange), 3);
  ck_assert_ptr_nonnull (strstr (ql_ledger_get_damage (strange), "3"));
  ck_assert_ptr_nonnull (strstr (ql_ledger_get_damage (strange), "amount"));

  /* Every command refuses, with the damage in its message. */
  ck_assert (!ql_ledger_book_deposit (book, "Strange", "1", &error));
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  ck_assert_ptr_nonnull (strstr (error->message, ql_ledger_get_damage (strange)));
  g_clear_error (&error);
  undo = ql_ledger_book_undo (book, "Strange", &error);
  ck_assert_ptr_null (undo);
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  g_clear_error (&error);
  ck_assert (!ql_ledger_book_open_account (book, "Strange", NULL, &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS));
  g_clear_error (&error);
  ck_assert_int_eq (ql_ledger_get_balance (strange), 5);
  ck_assert_int_eq (count_events (book, "Strange"), 4);

  /* Time travel works before the damage, and names it from there on. */
  past = ql_ledger_book_state_at (book, "Strange", 1, NULL);
  ck_assert_int_eq (ql_ledger_get_balance (past), 0);
  g_clear_object (&past);
  past = ql_ledger_book_state_at (book, "Strange", 2, NULL);
  ck_assert_int_eq (ql_ledger_get_balance (past), 5);
  g_clear_object (&past);
  past = ql_ledger_book_state_at (book, "Strange", 3, &error);
  ck_assert_ptr_null (past);
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  g_clear_error (&error);

  /* A ledger whose opening event is damaged is shown at version 0. */
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, "Broken")), 0);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (book, "Broken")), 1);
  ck_assert (!ql_ledger_book_increase (book, "Broken", "1", &error));
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  g_clear_error (&error);

  /* The log streams every row and marks the damaged ones. */
  log = ql_ledger_book_read_log (book, 1, 0, NULL);
  ck_assert_uint_eq (log->len, 7);
  for (guint i = 0; i < log->len; i++)
    {
      QlEvent *event = g_ptr_array_index (log, i);
      g_autofree char *json = ql_event_to_json (event);
      gboolean damaged = strstr (json, "\"damaged\":") != NULL;

      ck_assert_int_eq (damaged, ql_event_get_damage (event) != NULL);
      n_damaged += damaged;
      if (damaged)
        ck_assert (g_str_equal (ql_event_get_ledger (event), "Strange")
                   ? ql_event_get_version (event) == 3
                   : g_str_equal (ql_event_get_ledger (event), "Broken"));
    }
  ck_assert_uint_eq (n_damaged, 2);

  /* A book that was open already finds the damage when it refreshes. */
  assert_ok (ql_ledger_book_refresh (before, &ok_error));
  ck_assert_int_eq (ql_test_balance_of (before, "Good"), 10);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (before, "Strange")), 3);
  ck_assert_int_eq (ql_test_balance_of (before, "Strange"), 5);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (before, "Broken")), 1);

  /* Events after the damage are listed, but nothing applies them. */
  events = ql_ledger_book_list_events (before, "Strange", NULL);
  ck_assert_uint_eq (events->len, 4);
}
END_TEST

static void
damage_notify_cb (QlLedger   *ledger,
                  GParamSpec *pspec,
                  guint      *n_notify)
{
  (*n_notify)++;
}

/* A type this version does not know, written by a newer one, is shown as
 * such and makes its ledger read-only; it stops nothing else. */
START_TEST (test_unknown_event_type)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlLedgerBook) watching = NULL;
  QlLedger *ledger;
  guint n_notify = 0;

  append_raw (store, "Strange", 0, "AccountOpened", "{\"currency\":null}");
  append_raw (store, "Strange", 1, "Deposited", "{\"amount\":5}");
  watching = ql_test_new_book (store);
  g_signal_connect (ql_ledger_book_lookup (watching, "Strange"), "notify::damage",
                    G_CALLBACK (damage_notify_cb), &n_notify);
  append_raw (store, "Strange", 2, "Teleported", "{\"amount\":5}");
  append_raw (store, "Vault", 0, "VaultOpened", "{}");
  append_raw (store, "Plain", 0, "ItemCreated", "{\"quantity\":4}");

  book = ql_test_new_book (store);
  ledger = ql_ledger_book_lookup (book, "Strange");
  ck_assert_int_eq (ql_ledger_get_balance (ledger), 5);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ledger), 3);
  ck_assert_ptr_nonnull (strstr (ql_ledger_get_damage (ledger), "Teleported"));
  ck_assert_ptr_nonnull (strstr (ql_ledger_get_damage (ledger), "newer version"));
  ledger = ql_ledger_book_lookup (book, "Vault");
  ck_assert_int_eq (ql_ledger_get_damaged_version (ledger), 1);
  ck_assert_ptr_nonnull (strstr (ql_ledger_get_damage (ledger), "VaultOpened"));
  ck_assert_ptr_nonnull (strstr (ql_ledger_get_damage (ledger), "newer version"));
  ck_assert_int_eq (ql_test_balance_of (book, "Plain"), 4);

  assert_ok (ql_ledger_book_refresh (watching, &ok_error));
  ck_assert_uint_eq (n_notify, 1);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (watching, "Strange")), 3);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (watching, "Vault")), 1);
  assert_ok (ql_test_drop_event (ql_ledger_book_increase (watching, "Plain", "1", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (watching, "Plain"), 5);
}
END_TEST

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  int rc;

  ck_assert_int_eq (sqlite3_open (path, &db), SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  ck_assert_msg (rc == SQLITE_OK, "%s", message != NULL ? message : "");
  sqlite3_close (db);
}

/* Damage written into a database file by another program: rows the store
 * would never write, inserted with SQLite itself, and a payload changed
 * under the triggers. Snapshots are never written beyond the damage. */
START_TEST (test_damaged_sqlite_file)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = make_temp_db (&dir);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlLedger) past = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  store = ql_sqlite_event_store_new (path, NULL);
  book = ql_test_new_book (store);
  g_object_set (book, "snapshot-interval", 2, NULL);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", "USD", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Cash", "5", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Other", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Other", "5", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Laptop", "3", &ok_error)));
  g_clear_object (&book);
  g_clear_object (&store);

  exec_sql (path,
            "INSERT INTO events (ledger, version, type, timestamp, payload)"
            "  VALUES ('Cash', 3, 'Deposited', 0, '{\"amount\":');"
            "INSERT INTO events (ledger, version, type, timestamp, payload)"
            "  VALUES ('Cash', 4, 'Deposited', 0, '{\"amount\":100}');"
            "INSERT INTO events (ledger, version, type, timestamp, payload)"
            "  VALUES ('Cash', 5, 'Deposited', 0, '{\"amount\":100}');"
            "INSERT INTO events (ledger, version, type, timestamp, payload)"
            "  VALUES ('Other', 3, 'Interest', 0, '{\"rate\":5}');"
            "DROP TRIGGER events_no_update;"
            "UPDATE events SET payload = '{\"quantity\":-1}' WHERE ledger = 'Laptop';"
            "DELETE FROM snapshots;");

  store = ql_sqlite_event_store_new (path, NULL);
  book = ql_test_new_book (store);
  g_object_set (book, "snapshot-interval", 2, NULL);
  ck_assert_int_eq (ql_ledger_get_balance (ql_ledger_book_lookup (book, "Cash")), 500);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (book, "Cash")), 3);
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (book, "Other")), 3);
  ck_assert_ptr_nonnull (strstr (ql_ledger_get_damage (ql_ledger_book_lookup (book, "Other")),
                                 "newer version"));
  ck_assert_int_eq (ql_ledger_get_damaged_version (ql_ledger_book_lookup (book, "Laptop")), 1);
  ck_assert (!ql_ledger_book_deposit (book, "Cash", "1", &error));
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  g_clear_error (&error);
  past = ql_ledger_book_state_at (book, "Cash", 2, NULL);
  ck_assert_int_eq (ql_ledger_get_balance (past), 500);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "New", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "New", "1", &ok_error)));

  log = ql_ledger_book_read_log (book, 1, 0, NULL);
  ck_assert_uint_eq (log->len, 11);
  for (guint i = 0; i < log->len; i++)
    {
      g_autofree char *json = ql_event_to_json (g_ptr_array_index (log, i));

      ck_assert_ptr_nonnull (json);
    }

  /* The snapshots written by this run are all of sound states. */
  ck_assert_int_eq (sqlite3_open (path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, "SELECT count(*) FROM snapshots"
                                            " WHERE (ledger = 'Cash' AND version > 2)"
                                            "    OR (ledger = 'Other' AND version > 2)"
                                            "    OR ledger = 'Laptop'", -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int (stmt, 0), 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_clear_object (&book);
  g_clear_object (&store);
  ql_test_remove_tree (dir);
}
END_TEST

/*
 * Several books on one store
 */

START_TEST (test_refresh_between_books)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) writer = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) reader = ql_test_new_book (store);
  Counts counts = { 0 };
  QlLedger *shared;

  watch_book (reader, &counts);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (writer, "Shared", "USD", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (writer, "Shared", "100", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (writer, "Laptop", "10", &ok_error)));
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (reader)), 0);

  assert_ok (ql_ledger_book_refresh (reader, &ok_error));
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (reader)), 2);
  ck_assert_uint_eq (counts.added, 2);
  ck_assert_uint_eq (counts.changed, 1);
  ck_assert_int_eq (ql_test_balance_of (reader, "Shared"), 10000);
  ck_assert_int_eq (ql_test_balance_of (reader, "Laptop"), 10);

  shared = ql_ledger_book_lookup (reader, "Shared");
  g_signal_connect (shared, "notify", G_CALLBACK (ledger_notify_cb), &counts);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (writer, "Shared", "50", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (writer, "Shared", "25", &ok_error)));
  assert_ok (ql_ledger_book_refresh (reader, &ok_error));
  ck_assert_int_eq (ql_ledger_get_balance (shared), 12500);
  ck_assert_int_eq (ql_ledger_get_version (shared), 4);
  ck_assert_uint_eq (counts.balance_notify, 2);
  ck_assert_uint_eq (counts.version_notify, 2);
  ck_assert_uint_eq (counts.changed, 2);
  ck_assert_uint_eq (counts.added, 2);

  /* Nothing new: no signal. */
  assert_ok (ql_ledger_book_refresh (reader, &ok_error));
  ck_assert_uint_eq (counts.changed, 2);
  ck_assert_uint_eq (counts.balance_notify, 2);
}
END_TEST

START_TEST (test_commands_catch_up_before_checking)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) a = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) b = ql_test_new_book (store);

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (a, "Joint", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (a, "Joint", "100", &ok_error)));

  /* b never refreshed, yet knows the account and its balance. */
  assert_fails (ql_ledger_book_open_account (b, "Joint", NULL, &fail_error),
                QL_LEDGER_ERROR_EXISTS);
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (b, "Joint", "60", &ok_error)));
  assert_fails (ql_ledger_book_withdraw (a, "Joint", "60", &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  ck_assert_int_eq (ql_test_balance_of (a, "Joint"), 40);

  /* Undo in b reverses a's newest change, which b never saw itself. */
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (a, "Joint", "5", &ok_error)));
  assert_undo (b, "Joint", "Withdrawn", "{\"amount\":5,\"reverses\":4}", 5, 40);

  /* a's copy says 45, too little; b's deposit, which a has not seen,
   * makes the withdrawal possible. */
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (b, "Joint", "100", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (a, "Joint"), 45);
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (a, "Joint", "120", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (a, "Joint"), 20);
  ck_assert_uint_eq (count_events (a, "Joint"), 7);
}
END_TEST

static void
interleave_commands (QlLedgerBook *a,
                     QlLedgerBook *b,
                     guint         rounds)
{
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (a, "Joint", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (b, "Stock", "0", &ok_error)));

  for (guint i = 0; i < rounds; i++)
    {
      assert_ok (ql_test_drop_event (ql_ledger_book_deposit (a, "Joint", "2", &ok_error)));
      assert_ok (ql_test_drop_event (ql_ledger_book_deposit (b, "Joint", "3", &ok_error)));
      assert_ok (ql_test_drop_event (ql_ledger_book_increase (b, "Stock", "1", &ok_error)));
      assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (b, "Joint", "1", &ok_error)));
      assert_ok (ql_test_drop_event (ql_ledger_book_increase (a, "Stock", "1", &ok_error)));
    }

  assert_ok (ql_ledger_book_refresh (a, &ok_error));
  assert_ok (ql_ledger_book_refresh (b, &ok_error));
  ck_assert_int_eq (ql_test_balance_of (a, "Joint"), 4 * rounds);
  ck_assert_int_eq (ql_test_balance_of (b, "Joint"), 4 * rounds);
  ck_assert_int_eq (ql_test_balance_of (a, "Stock"), 2 * rounds);
  ck_assert_int_eq (ql_test_balance_of (b, "Stock"), 2 * rounds);
  ck_assert_uint_eq (count_events (a, "Joint"), 1 + 3 * rounds);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (b, "Joint")), 1 + 3 * rounds);
}

START_TEST (test_interleaved_books_memory)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) a = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) b = ql_test_new_book (store);

  interleave_commands (a, b, 50);
}
END_TEST

START_TEST (test_conflicts_are_retried)
{
  g_autoptr(TestRacingStore) store = g_object_new (TEST_TYPE_RACING_STORE, NULL);
  g_autoptr(QlLedgerBook) book = ql_test_new_book (QL_EVENT_STORE (store));
  Counts counts = { 0 };
  QlLedger *account;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Raced", NULL, &ok_error)));
  account = ql_ledger_book_lookup (book, "Raced");
  g_signal_connect (account, "notify", G_CALLBACK (ledger_notify_cb), &counts);

  store->races_left = 3;
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Raced", "100", &ok_error)));
  ck_assert_uint_eq (store->n_conflicts, 3);
  /* Three competing deposits of 1, then ours, each applied once. */
  ck_assert_int_eq (ql_ledger_get_balance (account), 103);
  ck_assert_int_eq (ql_ledger_get_version (account), 5);
  ck_assert_uint_eq (count_events (book, "Raced"), 5);

  /* The rule is checked against the reloaded state each time. */
  store->races_left = 2;
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, "Raced", "103", &ok_error)));
  ck_assert_uint_eq (store->n_conflicts, 5);
  ck_assert_int_eq (ql_ledger_get_balance (account), 2);
  ck_assert_int_eq (ql_ledger_get_version (account), 8);

  /* The other writer's deposit lands first, so it is the one undone. */
  store->races_left = 1;
  assert_undo (book, "Raced", "Withdrawn", "{\"amount\":1,\"reverses\":9}", 10, 2);
  ck_assert_uint_eq (store->n_conflicts, 6);
}
END_TEST

START_TEST (test_busy_after_too_many_conflicts)
{
  g_autoptr(TestRacingStore) store = g_object_new (TEST_TYPE_RACING_STORE, NULL);
  g_autoptr(QlLedgerBook) book = ql_test_new_book (QL_EVENT_STORE (store));
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Hot", NULL, &ok_error)));
  store->races_left = 1000;
  ck_assert (!ql_ledger_book_deposit (book, "Hot", "100", &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_BUSY));
  ck_assert_uint_eq (store->n_conflicts, 10);

  /* Only the other writer's deposits of 1 were written. */
  events = ql_ledger_book_list_events (book, "Hot", NULL);
  ck_assert_uint_eq (events->len, 11);
  for (guint i = 1; i < events->len; i++)
    ck_assert_int_eq (ql_event_get_signed_amount (g_ptr_array_index (events, i)), 1);
  assert_ok (ql_ledger_book_refresh (book, &ok_error));
  ck_assert_int_eq (ql_test_balance_of (book, "Hot"), 10);
}
END_TEST

/* A store of its own on the database @location names: a SQLite file or
 * a PostgreSQL connection string. */
static QlEventStore *
open_database (const char *location)
{
  g_autoptr(GError) error = NULL;
  QlEventStore *store = ql_store_open (location, &error);

  ck_assert_msg (store != NULL, "%s", error != NULL ? error->message : "");
  return store;
}

/* Loop 0 on a SQLite file, loop 1 on a PostgreSQL database. */
START_TEST (test_two_books_on_one_database)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = make_temp_db (&dir);
  g_autofree char *path = _i == 0 ? g_strdup (file) : ql_test_postgres_database (dir);
  QlEventStore *store_a = open_database (path);
  QlEventStore *store_b;
  QlLedgerBook *a;
  QlLedgerBook *b;
  QlLedgerBook *reopened;
  Counts counts = { 0 };

  store_b = open_database (path);
  a = ql_test_new_book (store_a);
  b = ql_test_new_book (store_b);
  g_object_set (a, "snapshot-interval", 3, NULL);
  watch_book (b, &counts);

  interleave_commands (a, b, 10);
  ck_assert_uint_eq (counts.added, 2);

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (a, "Later", "GBP", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (a, "Later", "12.34", &ok_error)));
  assert_ok (ql_ledger_book_refresh (b, &ok_error));
  ck_assert_uint_eq (counts.added, 3);
  ck_assert_int_eq (ql_test_balance_of (b, "Later"), 1234);

  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (store_a);
  g_object_unref (store_b);

  /* Everything is still there after reopening the database. */
  store_a = open_database (path);
  reopened = ql_test_new_book (store_a);
  ck_assert_int_eq (ql_test_balance_of (reopened, "Joint"), 40);
  ck_assert_int_eq (ql_test_balance_of (reopened, "Stock"), 20);
  ck_assert_int_eq (ql_test_balance_of (reopened, "Later"), 1234);
  g_object_unref (reopened);
  g_object_unref (store_a);

  ql_test_remove_tree (dir);
}
END_TEST

static gboolean
stop_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
quit_on_changed_cb (QlLedgerBook *book,
                    GMainLoop    *loop)
{
  g_main_loop_quit (loop);
}

/* On PostgreSQL the watch is woken by the other writer's commit: with an
 * interval of a minute, a poll would never come in time. */
START_TEST (test_watch_postgres_wakes_at_once)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = make_temp_db (&dir);
  g_autofree char *conninfo = ql_test_postgres_database (file);
  g_autoptr(QlEventStore) writer_store = open_database (conninfo);
  g_autoptr(QlEventStore) watcher_store = open_database (conninfo);
  g_autoptr(QlLedgerBook) writer = ql_test_new_book (writer_store);
  g_autoptr(QlLedgerBook) watcher = ql_test_new_book (watcher_store);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gint64 started;
  guint timeout_id;

  g_signal_connect (watcher, "changed", G_CALLBACK (quit_on_changed_cb), loop);
  ql_ledger_book_watch (watcher, 60000);

  started = g_get_monotonic_time ();
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (writer, "Watched", NULL, &ok_error)));
  timeout_id = g_timeout_add (5000, stop_loop_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (timeout_id);
  ck_assert_ptr_nonnull (ql_ledger_book_lookup (watcher, "Watched"));
  g_print ("watch on PostgreSQL: woken %" G_GINT64_FORMAT " ms after the append returned\n",
           (g_get_monotonic_time () - started) / G_TIME_SPAN_MILLISECOND);

  /* The watcher's own commands wake nobody; the next writer's do. */
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (watcher, "Watched", "2", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (writer, "Watched", "5", &ok_error)));
  timeout_id = g_timeout_add (5000, stop_loop_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (timeout_id);
  ck_assert_int_eq (ql_test_balance_of (watcher, "Watched"), 7);

  ql_ledger_book_watch (watcher, 0);
  ql_test_remove_tree (dir);
}
END_TEST

START_TEST (test_watch)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) writer = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) watcher = ql_test_new_book (store);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint timeout_id;

  g_signal_connect (watcher, "changed", G_CALLBACK (quit_on_changed_cb), loop);
  ql_ledger_book_watch (watcher, 10);
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (writer, "Watched", NULL, &ok_error)));

  timeout_id = g_timeout_add (5000, stop_loop_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (timeout_id);
  ck_assert_ptr_nonnull (ql_ledger_book_lookup (watcher, "Watched"));

  /* Watching stops at 0: new events wait for an explicit refresh. */
  ql_ledger_book_watch (watcher, 0);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (writer, "Watched", "5", &ok_error)));
  g_timeout_add (100, stop_loop_cb, loop);
  g_main_loop_run (loop);
  ck_assert_int_eq (ql_test_balance_of (watcher, "Watched"), 0);
  assert_ok (ql_ledger_book_refresh (watcher, &ok_error));
  ck_assert_int_eq (ql_test_balance_of (watcher, "Watched"), 5);
}
END_TEST

static void
refresh_failed_cb (QlLedgerBook *book,
                   const GError *error,
                   GMainLoop    *loop)
{
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  g_object_set_data (G_OBJECT (book), "failed", GINT_TO_POINTER (TRUE));
  g_main_loop_quit (loop);
}

START_TEST (test_watch_reports_failure)
{
  g_autoptr(TestRacingStore) store = g_object_new (TEST_TYPE_RACING_STORE, NULL);
  g_autoptr(QlLedgerBook) watcher = ql_test_new_book (QL_EVENT_STORE (store));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint timeout_id;

  g_signal_connect (watcher, "refresh-failed", G_CALLBACK (refresh_failed_cb), loop);
  ql_ledger_book_watch (watcher, 10);
  append_raw (store->inner, "Strange", 0, "AccountOpened", "{\"currency\":null}");
  store->fail_log = TRUE;

  ck_assert (ql_ledger_book_get_reachable (watcher));
  timeout_id = g_timeout_add (5000, stop_loop_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (timeout_id);
  ck_assert (g_object_get_data (G_OBJECT (watcher), "failed") != NULL);
  ck_assert (!ql_ledger_book_get_reachable (watcher));

  /* The next look that works says so. */
  store->fail_log = FALSE;
  g_signal_connect_swapped (watcher, "notify::reachable", G_CALLBACK (g_main_loop_quit), loop);
  timeout_id = g_timeout_add (5000, stop_loop_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (timeout_id);
  ck_assert (ql_ledger_book_get_reachable (watcher));
}
END_TEST

static QlTestPostgres *cluster;

static gboolean
wait_for_reachable (QlLedgerBook *book,
                    gboolean      reachable,
                    guint         seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (ql_ledger_book_get_reachable (book) != reachable && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  return ql_ledger_book_get_reachable (book) == reachable;
}

/* The server goes away under a watching book and comes back: the book
 * says it cannot reach the store, with no timer of its own to rely on,
 * and once the server is back it reconnects and catches up. */
START_TEST (test_watch_postgres_reconnects)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = make_temp_db (&dir);
  g_autofree char *conninfo = ql_test_postgres_database (file);
  g_autoptr(QlEventStore) watcher_store = open_database (conninfo);
  g_autoptr(QlLedgerBook) watcher = ql_test_new_book (watcher_store);
  g_autoptr(QlEventStore) writer_store = NULL;
  g_autoptr(QlLedgerBook) writer = NULL;
  g_autoptr(GError) error = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (watcher, "Shared", NULL, &ok_error)));
  ql_ledger_book_watch (watcher, 60000);
  ck_assert (ql_ledger_book_get_reachable (watcher));

  ck_assert_msg (ql_test_postgres_crash (cluster, &error), "%s", error ? error->message : "");
  ck_assert_msg (wait_for_reachable (watcher, FALSE, 15), "the lost server went unnoticed");
  ck_assert (!ql_test_drop_event (ql_ledger_book_deposit (watcher, "Shared", "1", NULL)));

  ck_assert_msg (ql_test_postgres_restart (cluster, &error), "%s", error ? error->message : "");
  writer_store = open_database (conninfo);
  writer = ql_test_new_book (writer_store);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (writer, "Shared", "5", &ok_error)));

  ck_assert_msg (wait_for_reachable (watcher, TRUE, 20), "the book did not reconnect");
  ck_assert_int_eq (ql_test_balance_of (watcher, "Shared"), 5);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (watcher, "Shared", "2", &ok_error)));
  ck_assert_int_eq (ql_test_balance_of (watcher, "Shared"), 7);

  ql_ledger_book_watch (watcher, 0);
  ql_test_remove_tree (dir);
}
END_TEST

/*
 * Withdrawals named by a reference, as payments are
 */

/* A command returns its event as the log holds it, so that no caller
 * reads it back or parses what it typed again. */
static void
assert_event_is_logged (QlLedgerBook *book,
                        QlEvent      *event,
                        gint64        position,
                        gint64        version,
                        const char   *type,
                        gint64        amount)
{
  g_autoptr(GPtrArray) log = NULL;
  QlEvent *logged;

  ck_assert_ptr_nonnull (event);
  ck_assert_int_eq (ql_event_get_position (event), position);
  ck_assert_int_eq (ql_event_get_version (event), version);
  ck_assert_str_eq (ql_event_get_event_type (event), type);
  ck_assert_int_eq (ql_event_get_amount (event), amount);

  log = ql_ledger_book_read_log (book, position, 1, NULL);
  ck_assert_ptr_nonnull (log);
  ck_assert_uint_eq (log->len, 1);
  logged = g_ptr_array_index (log, 0);
  ck_assert_str_eq (ql_event_get_ledger (logged), ql_event_get_ledger (event));
  ck_assert_int_eq (ql_event_get_version (logged), version);
  ck_assert_int_eq (ql_event_get_timestamp (logged), ql_event_get_timestamp (event));
  ck_assert_str_eq (ql_event_get_payload (logged), ql_event_get_payload (event));
}

/* Loop 0 on the memory store, 1 on SQLite, 2 on PostgreSQL. */
START_TEST (test_withdraw_group)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = _i > 0 ? make_temp_db (&dir) : NULL;
  g_autofree char *path = _i == 2 ? ql_test_postgres_database (dir) : g_strdup (file);
  g_autoptr(QlEventStore) store = _i > 0 ? open_database (path) : ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) other = ql_test_new_book (store);
  g_autoptr(QlEvent) opened = ql_ledger_book_open_account (book, "Cash", "EUR", NULL);
  g_autoptr(QlEvent) filled = ql_ledger_book_deposit (book, "Cash", "10", NULL);
  g_autoptr(QlEvent) bank = ql_ledger_book_open_account (book, "Bank", "EUR", NULL);
  g_autoptr(QlEvent) bank_filled = ql_ledger_book_deposit (book, "Bank", "100", NULL);
  g_autoptr(QlEvent) moved = NULL;
  const QlPaymentRequest requests[] = {
    { "Cash", "4", "EUR", "order-a" },
    { "Bank", "1", "EUR", "order-b" },
    { "Cash", "4", "eur", "order-c" },
    { "Cash", "4", "EUR", "order-d" },
    { "Bank", "1.234", "EUR", "order-e" },
    { "Cash", "4", "EUR", "order-a" },
    { "Nobody", "1", "EUR", "order-f" },
    { "Cash", "1", "USD", "order-g" },
  };
  const QlPaymentRequest later[] = {
    { "Bank", "1", "EUR", "order-h" },
    { "Cash", "1", "EUR", "order-i" },
  };
  QlEvent *events[G_N_ELEMENTS (requests)] = { NULL };
  GError *errors[G_N_ELEMENTS (requests)] = { NULL };
  gint64 head;

  ck_assert_ptr_nonnull (bank_filled);
  head = ql_event_store_get_head_position (store, NULL);
  ql_ledger_book_withdraw_group (book, requests, G_N_ELEMENTS (requests), events, errors);

  /* In order: a, b and c paid; d refused on what a and c left. */
  for (guint i = 0; i < 3; i++)
    {
      ck_assert_msg (errors[i] == NULL, "%u: %s", i, errors[i]->message);
      ck_assert_int_gt (ql_event_get_position (events[i]), head);
      ck_assert_str_eq (ql_event_get_reference (events[i]), requests[i].reference);
    }
  ck_assert (g_error_matches (errors[3], QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS));
  ck_assert (g_error_matches (errors[4], QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT));
  /* The same reference again is answered by its payment. */
  ck_assert_msg (errors[5] == NULL, "%s", errors[5] != NULL ? errors[5]->message : "");
  ck_assert_int_eq (ql_event_get_position (events[5]), ql_event_get_position (events[0]));
  ck_assert (g_error_matches (errors[6], QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND));
  ck_assert (g_error_matches (errors[7], QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY));
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 200);
  ck_assert_int_eq (ql_test_balance_of (book, "Bank"), 9900);
  ck_assert_int_eq (ql_event_store_get_head_position (store, NULL), head + 3);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_clear_object (&events[i]);
      g_clear_error (&errors[i]);
    }

  /* Another writer moves Bank on: that part is planned again and paid,
   * the other part is paid at once. */
  moved = ql_ledger_book_withdraw (other, "Bank", "2", NULL);
  ck_assert_ptr_nonnull (moved);
  ql_ledger_book_withdraw_group (book, later, G_N_ELEMENTS (later), events, errors);
  for (guint i = 0; i < G_N_ELEMENTS (later); i++)
    {
      ck_assert_msg (errors[i] == NULL, "%u: %s", i, errors[i]->message);
      ck_assert_str_eq (ql_event_get_reference (events[i]), later[i].reference);
      g_clear_object (&events[i]);
    }
  ck_assert_int_eq (ql_test_balance_of (book, "Bank"), 9600);
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 100);
  ck_assert_ptr_nonnull (opened);
  ck_assert_ptr_nonnull (filled);
  ck_assert_ptr_nonnull (bank);
}
END_TEST

START_TEST (test_commands_return_their_events)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = _i > 0 ? make_temp_db (&dir) : NULL;
  g_autofree char *path = _i == 2 ? ql_test_postgres_database (dir) : g_strdup (file);
  g_autoptr(QlEventStore) store = _i > 0 ? open_database (path) : ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEvent) opened = ql_ledger_book_open_account (book, " Cash ", "eur", NULL);
  g_autoptr(QlEvent) created = ql_ledger_book_create_item (book, "Box", "12", NULL);
  g_autoptr(QlEvent) deposited = ql_ledger_book_deposit (book, "Cash", "10.50", NULL);
  g_autoptr(QlEvent) withdrawn = ql_ledger_book_withdraw (book, "Cash", "0.5", NULL);
  g_autoptr(QlEvent) increased = ql_ledger_book_increase (book, "Box", "3", NULL);
  g_autoptr(QlEvent) decreased = ql_ledger_book_decrease (book, "Box", "15", NULL);
  g_autoptr(QlEvent) undone = ql_ledger_book_undo (book, "Cash", NULL);
  g_autoptr(QlEvent) paid = ql_ledger_book_withdraw_for_reference (book, "Cash", "1", "EUR",
                                                                   "order-9", NULL);
  g_autoptr(QlEvent) paid_again = ql_ledger_book_withdraw_for_reference (book, "Cash", "1", "EUR",
                                                                         "order-9", NULL);
  g_autoptr(QlEvent) refused = NULL;
  g_autoptr(GError) error = NULL;

  assert_event_is_logged (book, opened, 1, 1, QL_EVENT_ACCOUNT_OPENED, 0);
  ck_assert_str_eq (ql_event_get_ledger (opened), "Cash");
  ck_assert_str_eq (ql_event_get_payload (opened), "{\"currency\":\"EUR\"}");
  assert_event_is_logged (book, created, 2, 1, QL_EVENT_ITEM_CREATED, 12);
  assert_event_is_logged (book, deposited, 3, 2, QL_EVENT_DEPOSITED, 1050);
  assert_event_is_logged (book, withdrawn, 4, 3, QL_EVENT_WITHDRAWN, 50);
  ck_assert_int_eq (ql_event_get_signed_amount (withdrawn), -50);
  assert_event_is_logged (book, increased, 5, 2, QL_EVENT_QUANTITY_INCREASED, 3);
  assert_event_is_logged (book, decreased, 6, 3, QL_EVENT_QUANTITY_DECREASED, 15);
  ck_assert_int_eq (ql_test_balance_of (book, "Box"), 0);

  /* The undo takes back the withdrawal, and says so. */
  assert_event_is_logged (book, undone, 7, 4, QL_EVENT_DEPOSITED, 50);
  ck_assert_int_eq (ql_event_get_reverses (undone), 3);
  ck_assert_int_eq (ql_event_get_reverses (withdrawn), 0);

  /* A payment answered already returns the earlier event. */
  assert_event_is_logged (book, paid, 8, 5, QL_EVENT_WITHDRAWN, 100);
  assert_event_is_logged (book, paid_again, 8, 5, QL_EVENT_WITHDRAWN, 100);
  ck_assert_int_eq (ql_test_head_position (store), 8);

  refused = ql_ledger_book_decrease (book, "Box", "1", &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY));
  ck_assert_int_eq (ql_test_head_position (store), 8);

  g_clear_object (&book);
  g_clear_object (&store);
  if (dir != NULL)
    ql_test_remove_tree (dir);
}
END_TEST

/* Another writer took the version first: the event returned is the one
 * appended after the retry, at the position it got. */
START_TEST (test_command_event_after_conflict)
{
  g_autoptr(QlEventStore) store = g_object_new (TEST_TYPE_RACING_STORE, NULL);
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEvent) deposited = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", NULL, &ok_error)));
  TEST_RACING_STORE (store)->races_left = 1;
  deposited = ql_ledger_book_deposit (book, "Cash", "5", NULL);

  assert_event_is_logged (book, deposited, 3, 3, QL_EVENT_DEPOSITED, 5);
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 6);
}
END_TEST

START_TEST (test_withdraw_for_reference)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEvent) first = NULL;
  g_autoptr(QlEvent) retry = NULL;
  g_autoptr(QlEvent) other = NULL;
  g_autoptr(GError) error = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "user456", "USD", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "user456", "1000", &ok_error)));

  first = ql_ledger_book_withdraw_for_reference (book, "user456", "99.99", "usd", "order123",
                                                 &error);
  ck_assert_msg (first != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (ql_event_get_event_type (first), "Withdrawn");
  assert_payload_today (first, "\"amount\":9999,\"reference\":\"order123\"");
  ck_assert_int_eq (ql_test_balance_of (book, "user456"), 90001);

  /* The same reference again is the same event, charged once. */
  retry = ql_ledger_book_withdraw_for_reference (book, "user456", "99.99", "USD", "order123",
                                                 &error);
  ck_assert_msg (retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_event_get_position (retry), ql_event_get_position (first));
  ck_assert_int_eq (ql_test_balance_of (book, "user456"), 90001);
  ck_assert_uint_eq (count_events (book, "user456"), 3);

  other = ql_ledger_book_withdraw_for_reference (book, "user456", "0.01", "USD", "order124",
                                                 &error);
  ck_assert_msg (other != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_gt (ql_event_get_position (other), ql_event_get_position (first));
  ck_assert_int_eq (ql_test_balance_of (book, "user456"), 90000);
}
END_TEST

START_TEST (test_withdraw_for_reference_failures)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  gint64 head;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "user456", "USD", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "plain", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Laptop", "3", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "user456", "10", &ok_error)));
  head = ql_test_head_position (store);

  assert_fails (ql_ledger_book_withdraw_for_reference (book, "nobody", "1", "USD", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_NOT_FOUND);
  assert_fails (ql_ledger_book_withdraw_for_reference (book, "user456", "1", "EUR", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  assert_fails (ql_ledger_book_withdraw_for_reference (book, "plain", "1", "USD", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  assert_fails (ql_ledger_book_withdraw_for_reference (book, "user456", "1", "XYZ", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_INVALID_CURRENCY);
  assert_fails (ql_ledger_book_withdraw_for_reference (book, "user456", "10.01", "USD", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_INSUFFICIENT_FUNDS);
  assert_fails (ql_ledger_book_withdraw_for_reference (book, "user456", "0.001", "USD", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_withdraw_for_reference (book, "user456", "0", "USD", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_INVALID_AMOUNT);
  assert_fails (ql_ledger_book_withdraw_for_reference (book, "Laptop", "1", "USD", "o1",
                                                       &fail_error),
                QL_LEDGER_ERROR_WRONG_KIND);

  /* Nothing failed wrote anything, and the reference is still free. */
  ck_assert_int_eq (ql_test_head_position (store), head);
  ck_assert_int_eq (ql_test_balance_of (book, "user456"), 1000);
  {
    g_autoptr(QlEvent) paid = ql_ledger_book_withdraw_for_reference (book, "user456", "10", "USD",
                                                                     "o1", NULL);
    ck_assert (paid != NULL);
    ck_assert_int_eq (ql_test_balance_of (book, "user456"), 0);
  }
}
END_TEST

static Suite *
ledger_book_suite (void)
{
  Suite *suite = suite_create ("QlLedgerBook");
  TCase *tc;

  tc = tcase_create ("examples");
  tcase_add_test (tc, test_bank_account_example);
  tcase_add_test (tc, test_inventory_example);
  tcase_add_test (tc, test_threshold);
  tcase_add_test (tc, test_currencies);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("rules");
  tcase_add_test (tc, test_rules);
  tcase_add_test (tc, test_items_open_with_zero);
  tcase_add_test (tc, test_names);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("list-model");
  tcase_add_test (tc, test_list_model);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("undo");
  tcase_add_test (tc, test_undo_chain);
  tcase_add_test (tc, test_undo_after_new_changes);
  tcase_add_test (tc, test_undo_nothing_on_fresh_ledger);
  tcase_add_test (tc, test_undo_walks_pages);
  tcase_add_test (tc, test_undo_blocked_by_rule);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("returned-events");
  tcase_add_loop_test (tc, test_commands_return_their_events, 0, 3);
  tcase_add_test (tc, test_command_event_after_conflict);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("references");
  tcase_add_test (tc, test_withdraw_for_reference);
  tcase_add_test (tc, test_withdraw_for_reference_failures);
  tcase_add_loop_test (tc, test_withdraw_group, 0, 3);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("time-travel");
  tcase_add_test (tc, test_state_at);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("snapshots");
  tcase_add_test (tc, test_snapshots);
  tcase_add_test (tc, test_snapshot_is_used_and_damage_ignored);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("damage");
  tcase_add_test (tc, test_damaged_event_damages_one_ledger);
  tcase_add_test (tc, test_unknown_event_type);
  tcase_add_test (tc, test_damaged_sqlite_file);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("shared-store");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_refresh_between_books);
  tcase_add_test (tc, test_commands_catch_up_before_checking);
  tcase_add_test (tc, test_interleaved_books_memory);
  tcase_add_test (tc, test_conflicts_are_retried);
  tcase_add_test (tc, test_busy_after_too_many_conflicts);
  tcase_add_loop_test (tc, test_two_books_on_one_database, 0, 2);
  tcase_add_test (tc, test_watch);
  tcase_add_test (tc, test_watch_postgres_wakes_at_once);
  tcase_add_test (tc, test_watch_reports_failure);
  tcase_add_test (tc, test_watch_postgres_reconnects);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  int status;

  cluster = ql_test_postgres_start (&error);
  if (cluster == NULL)
    {
      g_printerr ("Could not start a PostgreSQL cluster for the tests: %s\n", error->message);
      return EXIT_FAILURE;
    }

  status = ql_test_run (ledger_book_suite (), NULL);
  ql_test_postgres_stop (cluster);
  return status;
}
