/* test-export.c: the asynchronous export, its progress, cancelling it, and
 * files that other programs read back whatever the ledgers are named
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

typedef struct
{
  GArray       *fractions;
  GCancellable *cancel_at_first;
  gboolean      done;
  gboolean      ok;
  guint64       n_changes;
  GError       *error;
} Run;

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  Run *run = user_data;

  ck_assert_msg (!run->done, "progress after the export finished");
  g_array_append_val (run->fractions, fraction);
  if (run->cancel_at_first != NULL)
    g_cancellable_cancel (run->cancel_at_first);
}

static void
done_cb (GObject      *book,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  run->ok = ql_ledger_book_export_finish (QL_LEDGER_BOOK (book), result, &run->n_changes,
                                          &run->error);
  run->done = TRUE;
}

static void
run_clear (Run *run)
{
  g_array_unref (run->fractions);
  g_clear_error (&run->error);
}

/* Exports asynchronously and waits on the main context for the end. */
static void
export_async (QlLedgerBook *book,
              const char   *path,
              const char   *name,
              GCancellable *cancellable,
              Run          *run)
{
  memset (run, 0, sizeof *run);
  run->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  ql_ledger_book_export_async (book, path, name, cancellable, progress_cb, run, NULL, done_cb,
                               run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  ck_assert_msg (g_file_get_contents (path, &contents, NULL, NULL), "cannot read %s", path);
  return contents;
}

/* The names of the folder's entries, sorted, one a line. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  ck_assert (handle != NULL);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, (char *) name);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("\n", (char **) names->pdata);
}

/* Three ledgers of @n_rows changes each, with notes. */
static QlLedgerBook *
new_big_book (QlEventStore *store,
              guint         n_rows)
{
  QlLedgerBook *book = ql_test_new_book (store);
  g_autoptr(GString) csv = g_string_new ("ledger,type,amount,date,payee,memo\n"
                                         "Cash,open,EUR,,,\n"
                                         "Bank,open,USD,,,\n"
                                         "Bolts,create-item,0,,,\n");

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (csv,
                            "Cash,deposit,%u.25,2026-01-%02u,Shop %u,\"memo, %u\"\n"
                            "Bank,deposit,1.%02u,2026-02-%02u,,\n"
                            "Bolts,increase,%u,,,\n",
                            i % 50, i % 28 + 1, i, i, i % 100, i % 28 + 1, i % 7 + 1);
  assert_ok (ql_test_import_text (book, csv->str, &ok_error));
  return book;
}

START_TEST (test_export_progress)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_big_book (store, 20000);
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "all.csv", NULL);
  Run run;

  export_async (book, path, NULL, NULL, &run);
  ck_assert_msg (run.ok, "%s", run.error != NULL ? run.error->message : "");
  ck_assert_uint_eq (run.n_changes, 60000);
  /* Reported as it went, a hundredth at a time at most, growing, and
   * last the whole. */
  ck_assert_uint_ge (run.fractions->len, 2);
  ck_assert_uint_le (run.fractions->len, 101);
  for (guint i = 0; i < run.fractions->len; i++)
    {
      double fraction = g_array_index (run.fractions, double, i);

      ck_assert_msg (fraction > 0.0 && fraction <= 1.0, "fraction %g", fraction);
      if (i > 0)
        ck_assert_msg (fraction > g_array_index (run.fractions, double, i - 1),
                       "%g after %g", fraction, g_array_index (run.fractions, double, i - 1));
    }
  ck_assert (g_array_index (run.fractions, double, run.fractions->len - 1) == 1.0);
  run_clear (&run);
}
END_TEST

/* The same bytes as the synchronous export, for one ledger and for all,
 * in both formats; a change made after the call is not in the file. */
START_TEST (test_export_same_as_sync)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_big_book (store, 3000);
  g_autofree char *dir = ql_test_make_dir ();
  const char *files[] = { "x.csv", "x.journal" };
  const char *names[] = { NULL, "Cash", "Bolts" };

  /* An undo and a correction count as the sync export counts them. */
  assert_ok (ql_test_drop_event (ql_ledger_book_undo (book, "Cash", &ok_error)));
  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    for (guint n = 0; n < G_N_ELEMENTS (names); n++)
      {
        g_autofree char *sync_path = g_strconcat (dir, "/sync-", files[f], NULL);
        g_autofree char *async_path = g_strconcat (dir, "/async-", files[f], NULL);
        g_autofree char *expected = NULL;
        g_autofree char *got = NULL;
        guint64 n_sync = 0;
        Run run;

        assert_ok (ql_ledger_book_export (book, sync_path, names[n], &n_sync, &ok_error));
        memset (&run, 0, sizeof run);
        run.fractions = g_array_new (FALSE, FALSE, sizeof (double));
        ql_ledger_book_export_async (book, async_path, names[n], NULL, progress_cb, &run, NULL,
                                     done_cb, &run);
        /* The snapshot was taken: this deposit is after it. */
        assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Bank", "1", &ok_error)));
        while (!run.done)
          g_main_context_iteration (NULL, TRUE);
        ck_assert_msg (run.ok, "%s", run.error != NULL ? run.error->message : "");
        ck_assert_uint_eq (run.n_changes, n_sync);
        expected = read_file (sync_path);
        got = read_file (async_path);
        ck_assert_uint_eq (strlen (got), strlen (expected));
        ck_assert_msg (g_str_equal (got, expected), "%s of %s differs", files[f],
                       names[n] != NULL ? names[n] : "every ledger");
        run_clear (&run);
        /* Put the book back as the next sync export must see it. */
        assert_ok (ql_test_drop_event (ql_ledger_book_undo (book, "Bank", &ok_error)));
      }
}
END_TEST

/* Cancelled before the writing thread starts and while it writes: the old
 * file stays as it was and nothing is left beside it. */
START_TEST (test_export_cancel_keeps_old_file)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_big_book (store, 60000);
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "old.journal", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run run;

  ck_assert (g_file_set_contents (path, "; the old journal\n", -1, NULL));

  g_cancellable_cancel (cancellable);
  export_async (book, path, NULL, cancellable, &run);
  ck_assert (!run.ok);
  ck_assert (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  ck_assert_uint_eq (run.fractions->len, 0);
  run_clear (&run);

  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  memset (&run, 0, sizeof run);
  run.fractions = g_array_new (FALSE, FALSE, sizeof (double));
  run.cancel_at_first = cancellable;
  ql_ledger_book_export_async (book, path, NULL, cancellable, progress_cb, &run, NULL, done_cb,
                               &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_msg (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED), "%s",
                 run.error != NULL ? run.error->message : "exported");
  ck_assert_uint_ge (run.fractions->len, 1);
  ck_assert (g_array_index (run.fractions, double, run.fractions->len - 1) < 1.0);
  run_clear (&run);

  after = read_file (path);
  ck_assert_str_eq (after, "; the old journal\n");
  listing = list_dir (dir);
  ck_assert_str_eq (listing, "old.journal");

  /* Not cancelled, the same call replaces it. */
  export_async (book, path, NULL, NULL, &run);
  ck_assert (run.ok);
  before = read_file (path);
  ck_assert (strstr (before, "\n2026-01-01 Shop 0 | memo, 0  ; version:2\n") != NULL);
  run_clear (&run);
  g_free (listing);
  listing = list_dir (dir);
  ck_assert_str_eq (listing, "old.journal");
}
END_TEST

/* A folder that cannot be written, or a name without a format, fails at
 * once and names the file. */
START_TEST (test_export_failures)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_big_book (store, 3);
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing", "x.csv", NULL);
  g_autofree char *text = g_build_filename (dir, "x.txt", NULL);
  Run run;

  export_async (book, missing, NULL, NULL, &run);
  ck_assert (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  ck_assert_msg (strstr (run.error->message, missing) != NULL, "%s", run.error->message);
  run_clear (&run);

  export_async (book, text, NULL, NULL, &run);
  ck_assert (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME));
  run_clear (&run);

  export_async (book, missing, "Nobody", NULL, &run);
  ck_assert (!run.ok);
  run_clear (&run);
}
END_TEST

/* A folder the user may not write to: the old file stays, and the
 * message names the file. */
START_TEST (test_export_folder_not_writable)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = new_big_book (store, 3);
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *locked = g_build_filename (dir, "locked", NULL);
  g_autofree char *path = g_build_filename (locked, "old.csv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  Run run;

  ck_assert_int_eq (g_mkdir (locked, 0700), 0);
  ck_assert (g_file_set_contents (path, "old\n", -1, NULL));
  ql_test_give_away (dir);
  ql_test_give_away (locked);
  ql_test_give_away (path);
  ck_assert_int_eq (g_chmod (locked, 0500), 0);
  /* Root would write there anyway. */
  ql_test_drop_root ();

  export_async (book, path, NULL, NULL, &run);
  ck_assert_msg (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED), "%s",
                 run.error != NULL ? run.error->message : "exported");
  ck_assert_msg (strstr (run.error->message, path) != NULL, "%s", run.error->message);
  run_clear (&run);
  contents = read_file (path);
  ck_assert_str_eq (contents, "old\n");
  listing = list_dir (locked);
  ck_assert_str_eq (listing, "old.csv");
  ck_assert_int_eq (g_chmod (locked, 0700), 0);
}
END_TEST

static const char * const hostile[] = {
  "Comma, Inc.",
  "The \"big\" one",
  "a:b:c",
  "Semi; colon",
  "Two  spaces",
  "(Paren) [bracket]",
  "Pipe | and @ = * !",
  "\"",
};

/* The exported CSV as Python's csv module reads it. */
static JsonArray *
python_csv_rows (const char *path)
{
  const char *argv[] = { "python3", "-c",
                         "import csv, json, sys\n"
                         "print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', "
                         "encoding='utf-8'), strict=True))))",
                         path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  int status = 0;

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error), "%s", error != NULL ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "python3: %s", err);
  node = json_from_string (out, &error);
  ck_assert_msg (node != NULL, "%s", error != NULL ? error->message : "");
  return json_array_ref (json_node_get_array (node));
}

START_TEST (test_export_hostile_names)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *csv = g_build_filename (dir, "hostile.csv", NULL);
  g_autofree char *journal = g_build_filename (dir, "hostile.journal", NULL);
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GHashTable) balances = NULL;
  g_autoptr(GError) error = NULL;
  QlChangeNote note = { NULL, "Payee, \"quoted\"; | odd", "memo\u00a0with ; and ,\"" };
  QlEvent *refused;
  guint n_deposits = 0;
  Run run;

  /* A line break never gets into a name. */
  refused = ql_ledger_book_open_account (book, "Line\nbreak", "USD", &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME));

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *amount = g_strdup_printf ("%u.%02u", i + 1, i);

      assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, hostile[i], "USD",
                                                                  &ok_error)));
      assert_ok (ql_test_drop_event (ql_ledger_book_record_change (book, hostile[i],
                                                                   QL_EVENT_DEPOSITED, amount,
                                                                   &note, &ok_error)));
      assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, hostile[i], "0.50",
                                                              &ok_error)));
    }

  export_async (book, csv, NULL, NULL, &run);
  ck_assert_msg (run.ok, "%s", run.error != NULL ? run.error->message : "");
  run_clear (&run);
  rows = python_csv_rows (csv);
  ck_assert_uint_eq (json_array_get_length (rows), 1 + 2 * G_N_ELEMENTS (hostile));
  /* Every field as it was written, each name in two rows. */
  for (guint r = 1; r < json_array_get_length (rows); r++)
    {
      JsonArray *row = json_array_get_array_element (rows, r);
      const char *name;
      gboolean known = FALSE;

      ck_assert_uint_eq (json_array_get_length (row), 8);
      name = json_array_get_string_element (row, 1);
      for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
        known |= g_str_equal (name, hostile[i]);
      ck_assert_msg (known, "row %u names %s", r, name);
      ck_assert_str_eq (json_array_get_string_element (row, 5), "USD");
      if (g_str_equal (json_array_get_string_element (row, 3), "Deposited"))
        {
          ck_assert_str_eq (json_array_get_string_element (row, 6), note.payee);
          ck_assert_str_eq (json_array_get_string_element (row, 7), note.memo);
          n_deposits++;
        }
    }
  ck_assert_uint_eq (n_deposits, G_N_ELEMENTS (hostile));

  export_async (book, journal, NULL, NULL, &run);
  ck_assert_msg (run.ok, "%s", run.error != NULL ? run.error->message : "");
  run_clear (&run);
  /* hledger reads it, one account a ledger, each with our balance. */
  balances = ql_test_hledger_balances (journal);
  ck_assert_uint_eq (g_hash_table_size (balances), 2 * G_N_ELEMENTS (hostile));
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GString) account = g_string_new (hostile[i]);
      const char *shown;

      g_string_replace (account, ":", "_", 0);
      g_string_replace (account, "  ", " ", 0);
      g_string_prepend (account, "assets:");
      shown = g_hash_table_lookup (balances, account->str);
      ck_assert_msg (shown != NULL, "hledger has no %s", account->str);
      ck_assert_int_eq (ql_test_hledger_minor (shown, "USD"),
                        ql_test_balance_of (book, hostile[i]));
    }
}
END_TEST

static Suite *
export_suite (void)
{
  Suite *suite = suite_create ("export");
  TCase *tc = tcase_create ("async");

  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_export_progress);
  tcase_add_test (tc, test_export_same_as_sync);
  tcase_add_test (tc, test_export_cancel_keeps_old_file);
  tcase_add_test (tc, test_export_failures);
  tcase_add_test (tc, test_export_folder_not_writable);
  tcase_add_test (tc, test_export_hostile_names);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return ql_test_run_in_dir ("ql-test-export", export_suite (), NULL);
}
