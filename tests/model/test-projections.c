/* test-projections.c: read models equal a fold of the events, survive
 * kills, and rebuild to what they were built to incrementally
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ql-daily-balance-projection.h"
#include "ql-dates.h"
#include "ql-event-notes.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events.h"
#include "ql-low-stock-projection.h"
#include "ql-memory-event-store.h"
#include "ql-monthly-totals-projection.h"
#include "ql-payments-projection.h"
#include "ql-projection-runner.h"
#include "ql-reference-index.h"
#include "ql-sqlite-event-store.h"
#include "ql-store.h"
#include "ql-test-model.h"
#include "ql-test-postgres.h"

/* The stores that keep read models on disk, which the loop tests run
 * on by their index. */
typedef enum
{
  STORE_SQLITE,
  STORE_POSTGRES,
  N_STORE_KINDS
} StoreKind;

/* Where the store of @kind that @key names lives, made empty: a run left
 * behind by a failed one must not add to this one. */
static char *
fresh_location (StoreKind   kind,
                const char *key)
{
  const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  if (kind == STORE_POSTGRES)
    {
      g_autofree char *database = ql_test_postgres_database (key);
      g_autoptr(QlEventStore) store = ql_store_open (database, NULL);

      /* Each key names its own database, fresh in each run's cluster. */
      ck_assert_msg (store != NULL && ql_test_head_position (store) == 0,
                     "the database “%s” is not empty", key);
      return g_steal_pointer (&database);
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (key, suffixes[i], NULL);

      g_remove (file);
    }
  return g_strdup (key);
}

static QlEventStore *
open_location (const char *location)
{
  g_autoptr(GError) error = NULL;
  QlEventStore *store = ql_store_open (location, &error);

  ck_assert_msg (store != NULL, "%s", error != NULL ? error->message : "");
  return store;
}

/* The loop tests over every store that keeps read models: the memory
 * store at 0, then each StoreKind. */
#define N_READ_MODEL_STORES (N_STORE_KINDS + 1)

static QlEventStore *
open_fresh_any (int         index,
                const char *key)
{
  g_autofree char *location = NULL;

  if (index == 0)
    return ql_memory_event_store_new ();
  location = fresh_location (index - 1, key);
  return open_location (location);
}

static QlEventStore *
open_fresh_sqlite (const char *path)
{
  g_autofree char *location = fresh_location (STORE_SQLITE, path);

  return open_location (location);
}

/* Names with the characters SQL text, array literals and keys might
 * trip on, and one that starts with another. */
static const char * const ledger_names[] = { "cash", "cash box", "bank \"main\", {2}\\x" };
static const char * const item_names[] = { "bolts", "nuts 'M6'; --" };

static void
random_day (GRand *rand,
            char   out[11])
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 1, G_DATE_JANUARY, 2026);
  g_date_add_days (&date, g_rand_int_range (rand, 0, 120));
  g_snprintf (out, 11, "%04u-%02u-%02u", (guint) g_date_get_year (&date),
              (guint) g_date_get_month (&date), (guint) g_date_get_day (&date));
}

/* One random command on an item: a change of its quantity, an undo, a
 * new date on a change, or a threshold, 0 taking it away. */
static void
random_item_command (QlLedgerBook *book,
                     GRand        *rand)
{
  const char *name = item_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (item_names))];
  g_autofree char *quantity = g_strdup_printf ("%d", g_rand_int_range (rand, 1, 12));
  g_autofree char *threshold = g_strdup_printf ("%d", g_rand_int_range (rand, 0, 30));
  QlLedger *item = ql_ledger_book_lookup (book, name);
  int choice = g_rand_int_range (rand, 0, 10);
  char date[11];
  QlChangeNote note = { date, NULL, NULL };

  random_day (rand, date);
  if (choice < 3)
    ql_test_drop_event (ql_ledger_book_record_change (book, name, QL_EVENT_QUANTITY_INCREASED,
                                                      quantity, &note, NULL));
  else if (choice < 6)
    ql_test_drop_event (ql_ledger_book_record_change (book, name, QL_EVENT_QUANTITY_DECREASED,
                                                      quantity, &note, NULL));
  else if (choice < 7)
    ql_test_drop_event (ql_ledger_book_undo (book, name, NULL));
  else if (choice < 9)
    ql_test_drop_event (ql_ledger_book_set_threshold (book, name, threshold, NULL));
  else if (item != NULL && ql_ledger_get_version (item) > 1)
    ql_test_drop_event (ql_ledger_book_amend (book, name,
                                              g_rand_int_range (rand, 2,
                                                                (gint32) ql_ledger_get_version (item) + 1),
                                              &note, NULL));
}

/* One random command: most fail no test when the rules refuse them (an
 * overdraft, nothing to undo); they are part of a user's sequence too. */
static void
random_command (QlLedgerBook *book,
                GRand        *rand)
{
  const char *name = ledger_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (ledger_names))];
  const char *other = ledger_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (ledger_names))];
  g_autofree char *amount = g_strdup_printf ("%d.%02d", g_rand_int_range (rand, 1, 300),
                                             g_rand_int_range (rand, 0, 100));
  char date[11];
  QlChangeNote note = { date, NULL, NULL };
  QlLedger *ledger = ql_ledger_book_lookup (book, name);
  int choice = g_rand_int_range (rand, 0, 10);

  random_day (rand, date);
  if (g_rand_int_range (rand, 0, 4) == 0)
    random_item_command (book, rand);
  else if (choice < 4)
    ql_test_drop_event (ql_ledger_book_record_change (book, name, QL_EVENT_DEPOSITED, amount,
                                                      &note, NULL));
  else if (choice < 6)
    ql_test_drop_event (ql_ledger_book_record_change (book, name, QL_EVENT_WITHDRAWN, amount,
                                                      &note, NULL));
  else if (choice < 7 && g_strcmp0 (name, other) != 0)
    ql_test_drop_event (ql_ledger_book_transfer (book, name, other, amount, &note, NULL));
  else if (choice < 8 && g_rand_boolean (rand))
    ql_test_drop_event (ql_ledger_book_undo (book, name, NULL));
  else if (choice < 8)
    {
      g_autofree char *order = g_strdup_printf ("order-%d", g_rand_int_range (rand, 0, 6));

      ql_test_drop_event (ql_ledger_book_withdraw_for_reference (book, name, amount, "EUR",
                                                                 order, NULL));
    }
  else if (ledger != NULL && ql_ledger_get_version (ledger) > 1)
    {
      QlChangeNote moved = { date, NULL, NULL };
      gint64 version = g_rand_int_range (rand, 2, (gint32) ql_ledger_get_version (ledger) + 1);

      ql_test_drop_event (ql_ledger_book_amend (book, name, version, &moved, NULL));
    }
}

static void
open_ledgers (QlLedgerBook *book)
{
  for (guint i = 0; i < G_N_ELEMENTS (ledger_names); i++)
    assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, ledger_names[i], "EUR",
                                                                &ok_error)));
  for (guint i = 0; i < G_N_ELEMENTS (item_names); i++)
    assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, item_names[i], "10",
                                                               &ok_error)));
}

/* The daily model against ql_event_notes_balance_on(), day by day. */
static void
check_daily (QlEventStore *store,
             const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = ql_event_store_collect_ledger (store, name, 0, G_MAXINT64,
                                                               &error);
  g_autoptr(QlEventNotes) notes = NULL;
  g_autoptr(GArray) days = NULL;
  gint64 opening = -1;
  guint next = 0;
  gint64 balance = 0;
  GDate day;

  ck_assert_msg (events != NULL, "%s", error != NULL ? error->message : "");
  notes = ql_event_notes_new (events, G_MAXINT64);
  days = ql_daily_balance_read (QL_READ_MODEL_STORE (store), name, NULL, NULL, &opening, &error);
  ck_assert_msg (days != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (opening, 0);

  g_date_clear (&day, 1);
  g_date_set_dmy (&day, 31, G_DATE_DECEMBER, 2025);
  /* Payments are dated the day they are recorded: go on to the last day. */
  for (guint i = 0; i < 140 || (next < days->len && i < 20000); i++)
    {
      if (next < days->len && g_array_index (days, QlDailyBalance, next).day == g_date_get_julian (&day))
        balance = g_array_index (days, QlDailyBalance, next++).balance;
      ck_assert_msg (balance == ql_event_notes_balance_on (notes, &day),
                     "%s on day %u: model %" G_GINT64_FORMAT ", events %" G_GINT64_FORMAT,
                     name, g_date_get_julian (&day), balance,
                     ql_event_notes_balance_on (notes, &day));
      g_date_add_days (&day, 1);
    }
  ck_assert_uint_eq (next, days->len);
}

/* The monthly model against a fold of the events it is made of. */
static void
check_monthly (QlEventStore *store,
               const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = ql_event_store_collect_ledger (store, name, 0, G_MAXINT64,
                                                               &error);
  g_autoptr(QlEventNotes) notes = ql_event_notes_new (events, G_MAXINT64);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) totals = NULL;
  guint n_expected = 0;

  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);
      gint64 amount = ql_event_get_signed_amount (event);
      g_autofree char *key = NULL;
      gint64 *values;
      GDate day;

      if (amount == 0 || ql_event_get_amends (event) != 0)
        continue;
      ck_assert (ql_event_notes_lookup (notes, ql_event_get_version (event), &day, NULL, NULL,
                                        NULL));
      key = g_strdup_printf ("%04u-%02u %s", (guint) g_date_get_year (&day),
                             (guint) g_date_get_month (&day), ql_event_get_event_type (event));
      values = g_hash_table_lookup (expected, key);
      if (values == NULL)
        {
          values = g_new0 (gint64, 2);
          g_hash_table_insert (expected, g_steal_pointer (&key), values);
          n_expected++;
        }
      values[0] += ABS (amount);
      values[1]++;
    }

  totals = ql_monthly_totals_read (QL_READ_MODEL_STORE (store), name, &error);
  ck_assert_msg (totals != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_uint_eq (totals->len, n_expected);
  for (guint i = 0; i < totals->len; i++)
    {
      QlMonthlyTotal *total = g_ptr_array_index (totals, i);
      g_autofree char *key = g_strdup_printf ("%04u-%02u %s", total->year, total->month,
                                              total->type);
      gint64 *values = g_hash_table_lookup (expected, key);

      ck_assert_msg (values != NULL, "%s %s: not in the events", name, key);
      ck_assert_int_eq (total->total, values[0]);
      ck_assert_int_eq (total->count, values[1]);
    }
}

/* The payments model against the events, read from the newest down: a
 * change stands unless an undo that stands reverses it. */
static void
check_payments (QlEventStore *store)
{
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint l = 0; l < G_N_ELEMENTS (ledger_names); l++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = ql_event_store_collect_ledger (store, ledger_names[l], 0,
                                                                   G_MAXINT64, &error);
      g_autofree gboolean *reversed = g_new0 (gboolean, events->len + 2);

      for (guint i = events->len; i-- > 0;)
        {
          QlEvent *event = g_ptr_array_index (events, i);
          gint64 version = ql_event_get_version (event);
          gint64 reverses = ql_event_get_reverses (event);
          const char *reference = ql_event_get_reference (event);

          if (reversed[version])
            continue;
          if (reverses > 0)
            reversed[reverses] = TRUE;
          else if (reference != NULL)
            {
              char *key = g_strdup_printf ("%s %s", reference, ledger_names[l]);
              gint64 *values = g_hash_table_lookup (expected, key);

              if (values == NULL)
                g_hash_table_insert (expected, key, values = g_new0 (gint64, 2));
              else
                g_free (key);
              values[0] += ql_event_get_amount (event);
              values[1]++;
            }
        }
    }

  for (int order = 0; order < 6; order++)
    {
      g_autofree char *reference = g_strdup_printf ("order-%d", order);
      g_autoptr(GPtrArray) totals = NULL;
      guint n_expected = 0;

      assert_ok ((totals = ql_payments_read (QL_READ_MODEL_STORE (store), reference,
                                             &ok_error)) != NULL);
      for (guint l = 0; l < G_N_ELEMENTS (ledger_names); l++)
        {
          g_autofree char *key = g_strdup_printf ("%s %s", reference, ledger_names[l]);

          n_expected += g_hash_table_contains (expected, key);
        }
      ck_assert_uint_eq (totals->len, n_expected);
      for (guint i = 0; i < totals->len; i++)
        {
          QlPaymentTotal *total = g_ptr_array_index (totals, i);
          g_autofree char *key = g_strdup_printf ("%s %s", reference, total->ledger);
          gint64 *values = g_hash_table_lookup (expected, key);

          ck_assert_msg (values != NULL, "%s: not in the events", key);
          ck_assert_int_eq (total->amount, values[0]);
          ck_assert_int_eq (total->count, values[1]);
        }
    }
}

/* The low-stock model against a fold of each item's events: its
 * quantity, and the threshold of its newest `ThresholdSet`. */
static void
check_low_stock (QlEventStore *store)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) items = NULL;

  for (guint l = 0; l < G_N_ELEMENTS (item_names); l++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = ql_event_store_collect_ledger (store, item_names[l], 0,
                                                                   G_MAXINT64, &error);
      gint64 quantity = 0, threshold = 0;

      ck_assert_msg (events != NULL, "%s", error != NULL ? error->message : "");
      for (guint i = 0; i < events->len; i++)
        {
          QlEvent *event = g_ptr_array_index (events, i);

          quantity += ql_event_get_signed_amount (event);
          if (g_strcmp0 (ql_event_get_event_type (event), QL_EVENT_THRESHOLD_SET) == 0)
            threshold = ql_event_get_threshold (event);
        }
      if (quantity < threshold)
        g_ptr_array_add (expected, g_strdup_printf ("%s %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                                    item_names[l], quantity, threshold));
    }
  /* The expected list is in the model's key order already. */
  ck_assert_int_lt (strcmp (item_names[0], item_names[1]), 0);

  assert_ok ((items = ql_low_stock_read (QL_READ_MODEL_STORE (store), &ok_error)) != NULL);
  ck_assert_uint_eq (items->len, expected->len);
  for (guint i = 0; i < items->len; i++)
    {
      QlLowStockItem *item = g_ptr_array_index (items, i);
      g_autofree char *line = g_strdup_printf ("%s %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                               item->item, item->quantity, item->threshold);

      ck_assert_str_eq (line, g_ptr_array_index (expected, i));
    }
}

static void
check_models (QlEventStore *store)
{
  for (guint i = 0; i < G_N_ELEMENTS (ledger_names); i++)
    {
      check_daily (store, ledger_names[i]);
      check_monthly (store, ledger_names[i]);
    }
  check_payments (store);
  check_low_stock (store);
}

static gboolean
collect_row (const QlReadRow *row,
             gpointer         user_data)
{
  if (row->a != 0 || row->b != 0)
    g_ptr_array_add (user_data, g_strdup_printf ("%s=%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                                 row->key, row->a, row->b));
  return TRUE;
}

static char *
dump (QlEventStore *store,
      const char   *name)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);

  assert_ok (ql_read_model_store_read_rows (QL_READ_MODEL_STORE (store), name, "", collect_row,
                                            rows, &ok_error));
  g_ptr_array_add (rows, NULL);
  return g_strjoinv ("\n", (char **) rows->pdata);
}

/* Commands and catch-ups interleaved at random, on one store. */
static void
run_random (QlEventStore *store,
            guint32       seed,
            guint         n_commands)
{
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree char *daily = NULL;
  g_autofree char *monthly = NULL;
  g_autofree char *daily_rebuilt = NULL;
  g_autofree char *monthly_rebuilt = NULL;
  g_autofree char *low_stock = NULL;
  g_autofree char *low_stock_rebuilt = NULL;

  ql_projection_runner_set_batch_size (runner, g_rand_int_range (rand, 1, 40));
  open_ledgers (book);
  for (guint i = 0; i < n_commands; i++)
    {
      random_command (book, rand);
      if (g_rand_int_range (rand, 0, 25) == 0)
        assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
    }
  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
  check_models (store);

  daily = dump (store, "daily_balance");
  monthly = dump (store, "monthly_totals");
  low_stock = dump (store, "low_stock");
  ck_assert_str_ne (low_stock, "");
  assert_ok (ql_projection_runner_rebuild (runner, "daily_balance", &ok_error));
  assert_ok (ql_projection_runner_rebuild (runner, "monthly_totals", &ok_error));
  assert_ok (ql_projection_runner_rebuild (runner, "low_stock", &ok_error));
  daily_rebuilt = dump (store, "daily_balance");
  monthly_rebuilt = dump (store, "monthly_totals");
  low_stock_rebuilt = dump (store, "low_stock");
  ck_assert_str_eq (daily_rebuilt, daily);
  ck_assert_str_eq (monthly_rebuilt, monthly);
  ck_assert_str_eq (low_stock_rebuilt, low_stock);
  check_models (store);
}

START_TEST (test_fold_memory)
{
  for (guint32 seed = 1; seed <= 12; seed++)
    {
      g_autoptr(QlEventStore) store = ql_memory_event_store_new ();

      run_random (store, seed * 7919 + (guint32) _i, 300);
    }
}
END_TEST

START_TEST (test_fold_on_disk)
{
  g_autofree char *location = fresh_location (_i, "fold.db");
  g_autoptr(QlEventStore) store = open_location (location);

  run_random (store, 424242, 250);
}
END_TEST

START_TEST (test_status_and_version_change)
{
  g_autoptr(QlEventStore) store = open_fresh_sqlite ("version.db");
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) stale = NULL;
  g_autoptr(GArray) after = NULL;
  g_autofree char *daily = NULL;
  g_autofree char *daily_rebuilt = NULL;
  sqlite3 *db = NULL;
  gint64 head;

  open_ledgers (book);
  for (guint i = 0; i < 60; i++)
    random_command (book, rand);
  head = ql_test_head_position (store);

  assert_ok ((before = ql_projection_runner_list_status (runner, &ok_error)) != NULL);
  ck_assert_int_eq (g_array_index (before, QlProjectionStatus, 0).state,
                    QL_PROJECTION_STATE_NOT_BUILT);
  ck_assert_int_eq (g_array_index (before, QlProjectionStatus, 0).lag, head);

  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
  daily = dump (store, "daily_balance");

  /* As if an older program had built it: the version on file differs. */
  ck_assert_int_eq (sqlite3_open ("version.db", &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db, "UPDATE read_models SET version = 0"
                                      " WHERE name = 'daily_balance'", NULL, NULL, NULL),
                    SQLITE_OK);
  sqlite3_close (db);

  assert_ok ((stale = ql_projection_runner_list_status (runner, &ok_error)) != NULL);
  ck_assert_int_eq (g_array_index (stale, QlProjectionStatus, 0).state,
                    QL_PROJECTION_STATE_REBUILDING);
  ck_assert_int_eq (g_array_index (stale, QlProjectionStatus, 1).state,
                    QL_PROJECTION_STATE_CAUGHT_UP);

  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
  assert_ok ((after = ql_projection_runner_list_status (runner, &ok_error)) != NULL);
  ck_assert_int_eq (g_array_index (after, QlProjectionStatus, 0).state,
                    QL_PROJECTION_STATE_CAUGHT_UP);
  ck_assert_int_eq (g_array_index (after, QlProjectionStatus, 0).version, 1);
  ck_assert_int_eq (g_array_index (after, QlProjectionStatus, 0).position, head);
  daily_rebuilt = dump (store, "daily_balance");
  ck_assert_str_eq (daily_rebuilt, daily);

  /* The old generation's rows went with the swap: one slot is left, and
   * no row belongs to a generation no slot names. */
  ck_assert_int_eq (sqlite3_open ("version.db", &db), SQLITE_OK);
  {
    const char *checks[] = {
      "SELECT count(*) = 1 FROM read_models WHERE name = 'daily_balance'",
      ("SELECT count(*) = 0 FROM read_model_rows"
       " WHERE generation NOT IN (SELECT generation FROM read_models)"),
      "SELECT count(*) > 0 FROM read_model_rows",
    };

    for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
      {
        sqlite3_stmt *stmt = NULL;

        ck_assert_int_eq (sqlite3_prepare_v2 (db, checks[i], -1, &stmt, NULL), SQLITE_OK);
        ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
        ck_assert_msg (sqlite3_column_int (stmt, 0) == 1, "%s", checks[i]);
        sqlite3_finalize (stmt);
      }
  }
  sqlite3_close (db);
}
END_TEST

static gint64
live_position (QlEventStore *store,
               const char   *name)
{
  gboolean found = FALSE;
  gint64 version = 0, position = 0;

  assert_ok (ql_read_model_store_get_state (QL_READ_MODEL_STORE (store), name, QL_READ_SLOT_LIVE,
                                            &found, &version, &position, &ok_error));
  return found ? position : 0;
}

/* A child catches up in small batches and is killed at a random moment;
 * whatever it committed counts once, whatever it had not is counted by
 * the next run. */
START_TEST (test_kill_mid_update)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  g_autofree char *location = fresh_location (_i, "kill.db");
  guint n_killed_midway = 0;
  gint64 head;

  {
    g_autoptr(QlEventStore) store = open_location (location);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

    open_ledgers (book);
    for (guint i = 0; i < 400; i++)
      random_command (book, rand);
    head = ql_test_head_position (store);
  }

  for (guint round = 0; round < 40; round++)
    {
      pid_t pid = fork ();
      int status = 0;

      ck_assert_int_ne (pid, -1);
      if (pid == 0)
        {
          g_autoptr(QlEventStore) store = ql_store_open (location, NULL);
          g_autoptr(QlProjectionRunner) runner = NULL;

          if (store == NULL)
            _exit (2);
          runner = ql_projection_runner_new_default (store);
          ql_projection_runner_set_batch_size (runner, 3);
          _exit (ql_projection_runner_catch_up (runner, NULL) ? 0 : 1);
        }
      /* The window grows each round, so that a slow build (valgrind)
       * also has children killed after some commits. */
      g_usleep ((gulong) g_rand_int_range (rand, 0, 15000) * (round + 1));
      kill (pid, SIGKILL);
      ck_assert_int_eq (waitpid (pid, &status, 0), pid);
      ck_assert_msg (WIFSIGNALED (status) || WEXITSTATUS (status) == 0,
                     "the child failed: status %d", status);

      {
        g_autoptr(QlEventStore) store = open_location (location);
        gint64 daily = live_position (store, "daily_balance");
        gint64 monthly = live_position (store, "monthly_totals");
        gint64 low_stock = live_position (store, "low_stock");

        if (WIFSIGNALED (status) && ((daily > 0 && daily < head) ||
                                     (monthly > 0 && monthly < head) ||
                                     (low_stock > 0 && low_stock < head)))
          n_killed_midway++;
        if (daily == head && monthly == head && low_stock == head)
          break;
      }
    }
  ck_assert_msg (n_killed_midway > 0, "no child was killed part of the way");

  {
    g_autoptr(QlEventStore) store = open_location (location);
    g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);

    assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
    check_models (store);
  }
}
END_TEST

/* Following: every read model is at one position, and a child counts
 * the events since in small batches, one transaction for all of them,
 * until it is killed. The read models stay at one position, each event
 * counted once in each. */
START_TEST (test_kill_mid_follow)
{
  static const char * const names[] = {
    "daily_balance", "monthly_totals", "payments", "low_stock",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *location = fresh_location (_i, "follow-kill.db");
  guint n_killed_midway = 0;
  gint64 start, head;

  {
    g_autoptr(QlEventStore) store = open_location (location);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
    g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);

    open_ledgers (book);
    for (guint i = 0; i < 50; i++)
      random_command (book, rand);
    assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
    start = ql_test_head_position (store);
    for (guint i = 0; i < 400; i++)
      random_command (book, rand);
    head = ql_test_head_position (store);
  }

  for (guint round = 0; round < 40; round++)
    {
      pid_t pid = fork ();
      int status = 0;
      gint64 position;

      ck_assert_int_ne (pid, -1);
      if (pid == 0)
        {
          g_autoptr(QlEventStore) store = ql_store_open (location, NULL);
          g_autoptr(QlProjectionRunner) runner = NULL;

          if (store == NULL)
            _exit (2);
          runner = ql_projection_runner_new_default (store);
          ql_projection_runner_set_batch_size (runner, 3);
          _exit (ql_projection_runner_catch_up (runner, NULL) ? 0 : 1);
        }
      g_usleep ((gulong) g_rand_int_range (rand, 0, 10000) * (round + 1));
      kill (pid, SIGKILL);
      ck_assert_int_eq (waitpid (pid, &status, 0), pid);
      ck_assert_msg (WIFSIGNALED (status) || WEXITSTATUS (status) == 0,
                     "the child failed: status %d", status);

      {
        g_autoptr(QlEventStore) store = open_location (location);

        position = live_position (store, names[0]);
        for (guint i = 1; i < G_N_ELEMENTS (names); i++)
          ck_assert_msg (live_position (store, names[i]) == position,
                         "%s at %" G_GINT64_FORMAT ", %s at %" G_GINT64_FORMAT, names[i],
                         live_position (store, names[i]), names[0], position);
      }
      if (WIFSIGNALED (status) && position > start && position < head)
        n_killed_midway++;
      if (position == head)
        break;
    }
  ck_assert_msg (n_killed_midway > 0, "no child was killed part of the way");

  {
    g_autoptr(QlEventStore) store = open_location (location);
    g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);

    assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
    check_models (store);
  }
}
END_TEST

static void
count_updates (QlProjectionRunner *runner,
               guint              *n_updates)
{
  (*n_updates)++;
}

static gint64
balance_in_model (QlEventStore *store,
                  const char   *name)
{
  g_autoptr(GArray) days = NULL;
  gint64 opening = 0;

  assert_ok ((days = ql_daily_balance_read (QL_READ_MODEL_STORE (store), name, NULL, NULL,
                                            &opening, &ok_error)) != NULL);
  return days->len > 0 ? g_array_index (days, QlDailyBalance, days->len - 1).balance : opening;
}

/* A follower counts its own book's commands at once, and another
 * writer's when its book refreshes. */
START_TEST (test_follow_book)
{
  g_autoptr(QlEventStore) writer_store = open_fresh_sqlite ("follow.db");
  g_autoptr(QlLedgerBook) writer = ql_test_new_book (writer_store);
  g_autoptr(QlEventStore) store = ql_test_open_sqlite ("follow.db");
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  guint n_updates = 0;

  g_signal_connect (runner, "updated", G_CALLBACK (count_updates), &n_updates);
  ql_projection_runner_follow (runner, book);

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "cash", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "cash", "40", &ok_error)));
  ck_assert_uint_eq (n_updates, 2);
  ck_assert_int_eq (balance_in_model (store, "cash"), 40);

  assert_ok (ql_ledger_book_refresh (writer, &ok_error));
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (writer, "cash", "15", &ok_error)));
  ck_assert_int_eq (balance_in_model (store, "cash"), 40);
  assert_ok (ql_ledger_book_refresh (book, &ok_error));
  ck_assert_uint_eq (n_updates, 3);
  ck_assert_int_eq (balance_in_model (store, "cash"), 25);
  ck_assert_int_eq (live_position (store, "daily_balance"), ql_test_head_position (store));

  ql_projection_runner_follow (runner, NULL);
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "cash", "1", &ok_error)));
  ck_assert_uint_eq (n_updates, 3);
  ck_assert_int_eq (balance_in_model (store, "cash"), 25);
}
END_TEST

START_TEST (test_unknown_projection)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  g_autoptr(GError) error = NULL;

  ck_assert (!ql_projection_runner_rebuild (runner, "no_such", &error));
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED));
}
END_TEST

/* A runner follows from the state of its own last commit, without
 * reading it again: another runner on the same file that counted first
 * makes that state stale, and the commit then conflicts and writes
 * nothing, so every event still counts once. */
START_TEST (test_second_runner_moves_first)
{
  static const char * const names[] = {
    "daily_balance", "monthly_totals", "payments", "low_stock",
  };
  g_autofree char *location = fresh_location (_i, "two-runners.db");
  g_autoptr(QlEventStore) store = open_location (location);
  g_autoptr(QlEventStore) other_store = open_location (location);
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  g_autoptr(QlProjectionRunner) other = ql_projection_runner_new_default (other_store);
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  gint64 head;

  open_ledgers (book);
  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
  for (guint round = 0; round < 40; round++)
    {
      guint n = (guint) g_rand_int_range (rand, 1, 8);

      for (guint i = 0; i < n; i++)
        random_command (book, rand);
      /* Mostly the other runner counts these first; now and then it
       * counts only some of them, or none. */
      if (round % 4 == 1)
        {
          assert_ok (ql_projection_runner_catch_up (other, &ok_error));
          random_command (book, rand);
        }
      else if (round % 4 != 3)
        assert_ok (ql_projection_runner_catch_up (other, &ok_error));
      assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
    }

  head = ql_test_head_position (store);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    ck_assert_int_eq (live_position (store, names[i]), head);
  check_models (store);
}
END_TEST

/* A table another program rebuilt in its own version, at the position
 * this runner last left it, is not counted into: the commit conflicts
 * and the runner rebuilds it in its version. */
START_TEST (test_rebuilt_by_another_version)
{
  g_autoptr(QlEventStore) store = open_fresh_sqlite ("other-version.db");
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(GArray) status = NULL;
  sqlite3 *db = NULL;

  open_ledgers (book);
  for (guint i = 0; i < 40; i++)
    random_command (book, rand);
  /* Built one by one, then followed together: the runner knows where
   * they stand. */
  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
  random_command (book, rand);
  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));

  ck_assert_int_eq (sqlite3_open ("other-version.db", &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db, "UPDATE read_models SET version = 0"
                                      " WHERE name = 'daily_balance'", NULL, NULL, NULL),
                    SQLITE_OK);
  sqlite3_close (db);

  for (guint i = 0; i < 20; i++)
    random_command (book, rand);
  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
  assert_ok ((status = ql_projection_runner_list_status (runner, &ok_error)) != NULL);
  for (guint i = 0; i < status->len; i++)
    {
      QlProjectionStatus *line = &g_array_index (status, QlProjectionStatus, i);

      ck_assert_msg (line->state == QL_PROJECTION_STATE_CAUGHT_UP && line->version == 1,
                     "%s: state %d, version %" G_GINT64_FORMAT, line->name, line->state,
                     line->version);
    }
  check_models (store);
}
END_TEST

/* Every store refuses a commit after another position or into a table
 * of another version, and write nothing then. */
START_TEST (test_commit_checks_state)
{
  g_autoptr(QlEventStore) store = open_fresh_any (_i, "commit-checks.db");
  QlReadModelStore *read_store = QL_READ_MODEL_STORE (store);
  QlReadRow row = { "key", 3, 1 };
  g_autoptr(GError) version_error = NULL;
  g_autoptr(GError) position_error = NULL;
  g_autofree char *rows = NULL;
  gboolean found = FALSE;
  gint64 version = 0, position = 0;

  assert_ok (ql_read_model_store_commit (read_store, "checked", QL_READ_SLOT_LIVE, 1, 0, 5,
                                         &row, 1, &ok_error));
  ck_assert (!ql_read_model_store_commit (read_store, "checked", QL_READ_SLOT_LIVE, 2, 5, 6,
                                          &row, 1, &version_error));
  ck_assert (g_error_matches (version_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT));
  ck_assert (!ql_read_model_store_commit (read_store, "checked", QL_READ_SLOT_LIVE, 1, 4, 6,
                                          &row, 1, &position_error));
  ck_assert (g_error_matches (position_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT));
  assert_ok (ql_read_model_store_get_state (read_store, "checked", QL_READ_SLOT_LIVE, &found,
                                            &version, &position, &ok_error));
  ck_assert (found);
  ck_assert_int_eq (version, 1);
  ck_assert_int_eq (position, 5);

  assert_ok (ql_read_model_store_commit (read_store, "checked", QL_READ_SLOT_LIVE, 1, 5, 6,
                                         &row, 1, &ok_error));
  rows = dump (store, "checked");
  ck_assert_str_eq (rows, "key=6/2");
}
END_TEST

/* A projection's name is a plain word in every store: anything else is
 * refused before a store sees it, and nothing is written. */
START_TEST (test_names_are_plain_words)
{
  g_autoptr(QlEventStore) store = open_fresh_any (_i, "names.db");
  QlReadModelStore *read_store = QL_READ_MODEL_STORE (store);
  const char * const names[] = { "", "Daily", "daily balance", "x'; DROP TABLE y; --", "é" };
  QlReadRow row = { "key", 1, 1 };
  gboolean found = TRUE;
  gint64 version, position;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;

      ck_assert (!ql_read_model_store_commit (read_store, names[i], QL_READ_SLOT_LIVE, 1, 0, 1,
                                              &row, 1, &error));
      ck_assert_msg (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED), "%s",
                     names[i]);
      g_clear_error (&error);
      ck_assert (!ql_read_model_store_get_state (read_store, names[i], QL_READ_SLOT_LIVE,
                                                 &found, &version, &position, &error));
      g_clear_error (&error);
      ck_assert (!ql_read_model_store_reset (read_store, names[i], QL_READ_SLOT_LIVE, &error));
    }
  assert_ok (ql_read_model_store_get_state (read_store, "daily_balance_2", QL_READ_SLOT_LIVE,
                                            &found, &version, &position, &ok_error));
  ck_assert (!found);
}
END_TEST

/* The low-stock model finds an item's previous threshold however far
 * back it was set. */
START_TEST (test_threshold_far_back)
{
  g_autoptr(QlEventStore) store = open_fresh_any (_i, "threshold.db");
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  g_autoptr(GPtrArray) items = NULL;
  QlLowStockItem *item;

  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "bolts", "10", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_set_threshold (book, "bolts", "50", &ok_error)));
  for (guint i = 0; i < 100; i++)
    assert_ok (ql_test_drop_event (ql_ledger_book_record_change (book, "bolts",
                                                                 QL_EVENT_QUANTITY_INCREASED,
                                                                 "1", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_set_threshold (book, "bolts", "200",
                                                               &ok_error)));
  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));

  assert_ok ((items = ql_low_stock_read (QL_READ_MODEL_STORE (store), &ok_error)) != NULL);
  ck_assert_uint_eq (items->len, 1);
  item = g_ptr_array_index (items, 0);
  ck_assert_int_eq (item->quantity, 110);
  ck_assert_int_eq (item->threshold, 200);
}
END_TEST

/* The one line the payments model has for @order, or NULL. */
static QlPaymentTotal *
payment_line (QlProjectionRunner *runner,
              QlEventStore       *store,
              const char         *order,
              GPtrArray         **out_totals)
{
  assert_ok (ql_projection_runner_catch_up (runner, &ok_error));
  assert_ok ((*out_totals = ql_payments_read (QL_READ_MODEL_STORE (store), order,
                                              &ok_error)) != NULL);
  ck_assert_uint_le ((*out_totals)->len, 1);
  return (*out_totals)->len == 1 ? g_ptr_array_index (*out_totals, 0) : NULL;
}

/* A transfer the payment service makes counts once, under its order id,
 * for the ledger it takes from (the leg the service answers with), in
 * either order of the two names; a retry adds nothing, and an undo from
 * either side takes it back, for good. */
START_TEST (test_transfer_order_payments)
{
  static const struct { const char *from, *to, *undo_on; } cases[] = {
    { "alice", "bob", "bob" },
    { "zed", "alice", "zed" },
  };
  g_autoptr(QlEventStore) store = open_fresh_any (_i, "transfer-orders.db");
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlReferenceIndex) orders = ql_reference_index_new (store);
  g_autoptr(QlProjectionRunner) runner = ql_projection_runner_new_default (store);
  const char * const accounts[] = { "alice", "bob", "zed" };

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, accounts[i], "EUR",
                                                                  &ok_error)));
      assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, accounts[i], "100",
                                                             &ok_error)));
    }

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *order = g_strdup_printf ("order-t%u", c);
      QlTransferRequest request = { cases[c].from, cases[c].to, "12.50", "EUR", order, "Rent",
                                    NULL };
      g_autoptr(QlEvent) answer = NULL;
      g_autoptr(QlEvent) retry = NULL;
      g_autoptr(QlEvent) late_retry = NULL;
      g_autoptr(GPtrArray) moved = NULL;
      g_autoptr(GPtrArray) retried = NULL;
      g_autoptr(GPtrArray) undone = NULL;
      g_autoptr(GPtrArray) late = NULL;
      QlPaymentTotal *line;
      gint64 head;

      assert_ok ((answer = ql_ledger_book_transfer_order (book, orders, &request,
                                                          &ok_error)) != NULL);
      line = payment_line (runner, store, order, &moved);
      ck_assert_msg (line != NULL, "%s: no payment line", order);
      ck_assert_str_eq (line->ledger, cases[c].from);
      ck_assert_str_eq (line->ledger, ql_event_get_ledger (answer));
      ck_assert_int_eq (line->amount, 1250);
      ck_assert_int_eq (line->amount, ql_event_get_amount (answer));
      ck_assert_int_eq (line->count, 1);

      head = ql_test_head_position (store);
      assert_ok ((retry = ql_ledger_book_transfer_order (book, orders, &request,
                                                         &ok_error)) != NULL);
      ck_assert_int_eq (ql_event_get_position (retry), ql_event_get_position (answer));
      ck_assert_int_eq (ql_test_head_position (store), head);
      line = payment_line (runner, store, order, &retried);
      ck_assert (line != NULL);
      ck_assert_int_eq (line->amount, 1250);
      ck_assert_int_eq (line->count, 1);

      assert_ok (ql_test_drop_event (ql_ledger_book_undo (book, cases[c].undo_on, &ok_error)));
      ck_assert (payment_line (runner, store, order, &undone) == NULL);

      /* The order id stays taken: a retry is answered by the same leg,
       * writes nothing, and the undone transfer does not stand again. */
      head = ql_test_head_position (store);
      assert_ok ((late_retry = ql_ledger_book_transfer_order (book, orders, &request,
                                                              &ok_error)) != NULL);
      ck_assert_int_eq (ql_event_get_position (late_retry), ql_event_get_position (answer));
      ck_assert_int_eq (ql_test_head_position (store), head);
      ck_assert (payment_line (runner, store, order, &late) == NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      ck_assert_int_eq (ql_test_balance_of (book, accounts[i]), 10000);
      check_daily (store, accounts[i]);
    }
}
END_TEST

static Suite *
projections_suite (void)
{
  Suite *suite = suite_create ("projections");
  TCase *tcase = tcase_create ("core");

  tcase_set_timeout (tcase, 120);
  tcase_add_loop_test (tcase, test_fold_memory, 0, 2);
  tcase_add_loop_test (tcase, test_fold_on_disk, 0, N_STORE_KINDS);
  tcase_add_test (tcase, test_status_and_version_change);
  tcase_add_loop_test (tcase, test_kill_mid_update, 0, N_STORE_KINDS);
  tcase_add_loop_test (tcase, test_kill_mid_follow, 0, N_STORE_KINDS);
  tcase_add_test (tcase, test_follow_book);
  tcase_add_test (tcase, test_unknown_projection);
  tcase_add_loop_test (tcase, test_second_runner_moves_first, 0, N_STORE_KINDS);
  tcase_add_test (tcase, test_rebuilt_by_another_version);
  tcase_add_loop_test (tcase, test_commit_checks_state, 0, N_READ_MODEL_STORES);
  tcase_add_loop_test (tcase, test_threshold_far_back, 0, N_READ_MODEL_STORES);
  tcase_add_loop_test (tcase, test_names_are_plain_words, 0, N_READ_MODEL_STORES);
  tcase_add_loop_test (tcase, test_transfer_order_payments, 0, N_READ_MODEL_STORES);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  QlTestPostgres *cluster = NULL;
  int status;

  g_setenv ("TZ", "UTC", TRUE);
  cluster = ql_test_postgres_start (&error);
  /* Never skipped: a machine that runs the tests can run PostgreSQL. */
  if (cluster == NULL)
    {
      g_printerr ("Could not start a PostgreSQL cluster for the tests: %s\n", error->message);
      return EXIT_FAILURE;
    }
  status = ql_test_run_in_dir ("ql-test-projections", projections_suite (), NULL);
  ql_test_postgres_stop (cluster);
  return status;
}
