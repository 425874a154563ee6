/* test-import.c: CSV import, batch appends, and snapshots as a cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <sqlite3.h>
#include <string.h>

#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-sqlite-event-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

typedef struct
{
  char *dir;
  char *db;
} TempDir;

static void
temp_dir_init (TempDir *temp)
{
  g_autoptr(GError) error = NULL;

  temp->dir = g_dir_make_tmp ("ql-import-XXXXXX", &error);
  ck_assert_msg (temp->dir != NULL, "%s", error != NULL ? error->message : "");
  temp->db = g_build_filename (temp->dir, "ledger.db", NULL);
}

static void
temp_dir_clear (TempDir *temp)
{
  ql_test_remove_tree (temp->dir);
  g_clear_pointer (&temp->dir, g_free);
  g_clear_pointer (&temp->db, g_free);
}

static GFile *
write_file_len (TempDir    *temp,
                const char *name,
                const char *contents,
                gssize      length)
{
  g_autofree char *path = g_build_filename (temp->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  ck_assert (g_file_set_contents (path, contents, length, &error));
  return g_file_new_for_path (path);
}

static GFile *
write_file (TempDir    *temp,
            const char *name,
            const char *contents)
{
  return write_file_len (temp, name, contents, -1);
}

static gint64
version_of (QlLedgerBook *book,
            const char   *name)
{
  QlLedger *ledger = ql_ledger_book_lookup (book, name);

  ck_assert_msg (ledger != NULL, "no ledger %s", name);
  return ql_ledger_get_version (ledger);
}

static const char example_csv[] =
  "ledger,type,amount\r\n"
  "Current account,open,usd\r\n"
  "Current account,deposit,100.00\r\n"
  "\"Laptop, 15 inch\",create-item,10\r\n"
  "\"Laptop, 15 inch\",decrease,3\r\n"
  "Current account,withdraw,30\r\n"
  "\r\n"
  "\"The \"\"big\"\" one\",open,\r\n"
  "\"The \"\"big\"\" one\",deposit,\"7\"\r\n"
  "Current account,deposit,0.50";

static gboolean
collect_cb (const QlEventRecord *record,
            gpointer             user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%s|%s", record->ledger,
                                               record->version, record->type, record->payload));
  return TRUE;
}

static GPtrArray *
read_log (QlEventStore *store)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  ck_assert (ql_event_store_read_log (store, 1, 0, collect_cb, lines, NULL));
  return lines;
}

START_TEST (test_import_example)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) reloaded = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  guint64 n_events = 0;
  TempDir temp;

  temp_dir_init (&temp);
  /* A byte order mark before the header is skipped. */
  {
    g_autofree char *with_bom = g_strconcat ("\xef\xbb\xbf", example_csv, NULL);

    file = write_file (&temp, "example.csv", with_bom);
  }

  ck_assert_msg (ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, &n_events, &error),
                 "%s", error != NULL ? error->message : "");
  ck_assert_uint_eq (n_events, 8);

  ck_assert_int_eq (ql_test_balance_of (book, "Current account"), 7050);
  ck_assert_str_eq (ql_ledger_get_currency (ql_ledger_book_lookup (book, "Current account")), "USD");
  ck_assert_int_eq (ql_test_balance_of (book, "Laptop, 15 inch"), 7);
  ck_assert_int_eq (ql_test_balance_of (book, "The \"big\" one"), 7);
  ck_assert_int_eq (version_of (book, "Current account"), 4);

  /* The log holds the file's events ledger by ledger, in the order the
   * file first names the ledgers, each ledger's in file order, with the
   * commands' payloads. */
  log = read_log (store);
  ck_assert_uint_eq (log->len, 8);
  ck_assert_str_eq (g_ptr_array_index (log, 0), "Current account|1|AccountOpened|{\"currency\":\"USD\"}");
  ck_assert_str_eq (g_ptr_array_index (log, 1), "Current account|2|Deposited|{\"amount\":10000}");
  ck_assert_str_eq (g_ptr_array_index (log, 2), "Current account|3|Withdrawn|{\"amount\":3000}");
  ck_assert_str_eq (g_ptr_array_index (log, 3), "Current account|4|Deposited|{\"amount\":50}");
  ck_assert_str_eq (g_ptr_array_index (log, 4),
                    "Laptop, 15 inch|1|ItemCreated|{\"name\":\"Laptop, 15 inch\",\"quantity\":10}");
  ck_assert_str_eq (g_ptr_array_index (log, 5), "Laptop, 15 inch|2|QuantityDecreased|{\"amount\":3}");
  ck_assert_str_eq (g_ptr_array_index (log, 6), "The \"big\" one|1|AccountOpened|{\"currency\":null}");
  ck_assert_str_eq (g_ptr_array_index (log, 7), "The \"big\" one|2|Deposited|{\"amount\":7}");

  /* Replaying the store gives the state the import computed. */
  reloaded = ql_test_new_book (store);
  ck_assert_int_eq (ql_test_balance_of (reloaded, "Current account"), 7050);
  ck_assert_int_eq (ql_test_balance_of (reloaded, "Laptop, 15 inch"), 7);

  temp_dir_clear (&temp);
}
END_TEST

/* Imports @length bytes of @csv into a book holding one account with 100
 * in it, expecting a failure with @domain/@code whose message starts with
 * @prefix, and checks that nothing was written. */
static void
assert_import_fails_len (const char *csv,
                         gssize      length,
                         GQuark      domain,
                         int         code,
                         const char *prefix)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  TempDir temp;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Existing", NULL, NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Existing", "100", NULL)));

  temp_dir_init (&temp);
  file = write_file_len (&temp, "bad.csv", csv, length);
  ck_assert (!ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, NULL, &error));
  ck_assert_msg (g_error_matches (error, domain, code), "%s: got %s", csv, error->message);
  ck_assert_msg (g_str_has_prefix (error->message, prefix), "“%s” does not start with “%s”",
                 error->message, prefix);

  ck_assert_int_eq (ql_test_head_position (store), 2);
  ck_assert_int_eq (ql_test_balance_of (book, "Existing"), 100);
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)), 1);
  temp_dir_clear (&temp);
}

static void
assert_import_fails (const char *csv,
                     GQuark      domain,
                     int         code,
                     const char *prefix)
{
  assert_import_fails_len (csv, -1, domain, code, prefix);
}

START_TEST (test_failing_row_writes_nothing)
{
  /* A rule broken in the middle: the rows before it are not written. */
  assert_import_fails ("ledger,type,amount\n"
                       "New,open,\n"
                       "New,deposit,5\n"
                       "Existing,withdraw,60\n"
                       "Existing,withdraw,60\n"
                       "New,deposit,5\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS,
                       "Line 5: Cannot withdraw 60 from “Existing”: the balance is only 40");
  assert_import_fails ("ledger,type,amount\nExisting,deposit,1\nExisting,deposit,abc\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT, "Line 3: ");
  assert_import_fails ("ledger,type,amount\nExisting,deposit,1\nMissing,deposit,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                       "Line 3: No ledger is named “Missing”");
  assert_import_fails ("ledger,type,amount\nExisting,open,\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS, "Line 2: ");
  assert_import_fails ("ledger,type,amount\nA,open,\nA,create-item,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS, "Line 3: ");
  assert_import_fails ("ledger,type,amount\nExisting,increase,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_WRONG_KIND, "Line 2: ");
  assert_import_fails ("ledger,type,amount\nA,open,XYZ\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY, "Line 2: ");
  assert_import_fails ("ledger,type,amount\n\t,open,\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME, "Line 2: ");
}
END_TEST

START_TEST (test_malformed_files)
{
  assert_import_fails ("", QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT, "The file is empty");
  assert_import_fails ("name,kind,value\nExisting,deposit,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 1: the first line must be the header");
  assert_import_fails ("ledger,type,amount\nExisting,deposit,1\nExisting,deposit\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 3: expected 3 fields");
  assert_import_fails ("ledger,type,amount\nExisting,deposit,1,2\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 2: expected 3 fields");
  assert_import_fails ("ledger,type,amount\nExisting,spend,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 2: unknown type “spend”");
  assert_import_fails ("ledger,type,amount\n\"Existing,deposit,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 2: a quoted field is never closed");
  assert_import_fails ("ledger,type,amount\n\"Existing\"x,deposit,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 2: text after a closing quote");
  assert_import_fails ("ledger,type,amount\nExi\"sting,deposit,1\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 2: a quote inside a field");
  /* A quoted line break counts: the bad row starts on line 4. */
  assert_import_fails ("ledger,type,amount\n\"Two\nlines\",open,\nExisting,deposit,x\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME, "Line 2: ");
  assert_import_fails ("ledger,type,amount\nExisting,deposit,1\n\"A,B\",open,\nExisting,deposit,x\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT, "Line 4: ");
}
END_TEST

/* A NUL byte would cut a field short: `1\0000` read as 1, `ac\0ct` as
 * `ac`. It is refused wherever it is, naming the line. */
START_TEST (test_nul_bytes_refused)
{
  static const char amount[] = "ledger,type,amount\nExisting,deposit,1\0000\n";
  static const char name[] = "ledger,type,amount\nExisting,deposit,1\nac\0ct,open,\n";
  static const char quoted[] = "ledger,type,amount\n\"Exi\nst\0ing\",open,\n";
  static const char header[] = "ledger,type,am\0ount\nExisting,deposit,1\n";
  static const char last[] = "ledger,type,amount\nExisting,deposit,1\n\0";

  assert_import_fails_len (amount, sizeof amount - 1, QL_LEDGER_ERROR,
                           QL_LEDGER_ERROR_INVALID_IMPORT, "Line 2: the line holds a NUL byte");
  assert_import_fails_len (name, sizeof name - 1, QL_LEDGER_ERROR,
                           QL_LEDGER_ERROR_INVALID_IMPORT, "Line 3: the line holds a NUL byte");
  assert_import_fails_len (quoted, sizeof quoted - 1, QL_LEDGER_ERROR,
                           QL_LEDGER_ERROR_INVALID_IMPORT, "Line 2: the line holds a NUL byte");
  assert_import_fails_len (header, sizeof header - 1, QL_LEDGER_ERROR,
                           QL_LEDGER_ERROR_INVALID_IMPORT, "Line 1: the line holds a NUL byte");
  assert_import_fails_len (last, sizeof last - 1, QL_LEDGER_ERROR,
                           QL_LEDGER_ERROR_INVALID_IMPORT, "Line 3: the line holds a NUL byte");
}
END_TEST

/* A line longer than the cap, or a field longer than a name can be, is
 * refused naming the line, before any field of it is parsed. */
START_TEST (test_long_lines_refused)
{
  g_autofree char *long_field = g_strnfill (QL_TEXT_NAME_MAX_BYTES + 1, 'a');
  g_autofree char *longest_field = g_strnfill (QL_TEXT_NAME_MAX_BYTES, 'a');
  g_autofree char *long_line = NULL;
  g_autofree char *field_csv = NULL;
  g_autofree char *name_csv = NULL;
  g_autofree char *line_csv = NULL;
  g_autofree char *amount_csv = NULL;
  g_autofree char *message = NULL;
  GString *line = g_string_new ("\"");

  /* Many short lines inside one quoted field make one long record. */
  while (line->len <= 65536)
    g_string_append (line, "abcdefghijklmnopqrstuvwxyz\n");
  g_string_append (line, "\",open,");
  long_line = g_string_free (line, FALSE);

  field_csv = g_strdup_printf ("ledger,type,amount\nExisting,deposit,1\n%s,open,\n", long_field);
  message = g_strdup_printf ("Line 3: a field is longer than %u bytes", QL_TEXT_NAME_MAX_BYTES);
  assert_import_fails (field_csv, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT, message);

  /* A field of the cap passes the reader; the name rule then refuses it. */
  name_csv = g_strdup_printf ("ledger,type,amount\n%s,open,\n", longest_field);
  assert_import_fails (name_csv, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME, "Line 2: ");

  line_csv = g_strdup_printf ("ledger,type,amount\n%s\n", long_line);
  assert_import_fails (line_csv, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                       "Line 2: the line is longer than 65536 bytes");

  amount_csv = g_strdup_printf ("ledger,type,amount\nExisting,deposit,%s\n", longest_field);
  assert_import_fails (amount_csv, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                       "Line 2: An amount can have at most 64 bytes");
}
END_TEST

/* Every field that enters an event gets the same text rules as the
 * commands. */
START_TEST (test_text_rules_in_rows)
{
  assert_import_fails ("ledger,type,amount\nZero\xE2\x80\x8Bwidth,open,\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME,
                       "Line 2: A ledger name cannot hold invisible or unassigned characters such as U+200B");
  assert_import_fails ("ledger,type,amount\nBad\xFF\xFE,open,\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME,
                       "Line 2: A ledger name must be valid text");
  assert_import_fails ("ledger,type,amount\nExisting,deposit,1\x1B\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                       "Line 2: An amount cannot hold control or invisible characters such as U+001B");
  assert_import_fails ("ledger,type,amount\nNew,open,U\xE2\x80\xAESD\n",
                       QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY,
                       "Line 2: A currency code cannot hold control or invisible characters such as U+202E");
}
END_TEST

typedef struct
{
  guint64 checking_done;
  guint64 checking_total;
  guint64 writing_done;
  guint64 writing_total;
  guint   n_calls;
  GCancellable *cancel_while_writing;
} Progress;

static void
progress_cb (QlImportPhase phase,
             guint64       done,
             guint64       total,
             gpointer      user_data)
{
  Progress *progress = user_data;

  ck_assert_uint_le (done, total);
  progress->n_calls++;
  if (phase == QL_IMPORT_PHASE_CHECKING)
    {
      ck_assert_uint_ge (done, progress->checking_done);
      progress->checking_done = done;
      progress->checking_total = total;
    }
  else
    {
      ck_assert_uint_ge (done, progress->writing_done);
      progress->writing_done = done;
      progress->writing_total = total;
      if (progress->cancel_while_writing != NULL && done > 0)
        g_cancellable_cancel (progress->cancel_while_writing);
    }
}

static char *
make_big_csv (guint n_rows)
{
  GString *text = g_string_new ("ledger,type,amount\nA,open,USD\nB,create-item,0\n");

  for (guint i = 2; i < n_rows; i++)
    g_string_append_printf (text, i % 2 == 0 ? "A,deposit,%u.25\n" : "B,increase,%u\n", i);
  return g_string_free (text, FALSE);
}

START_TEST (test_progress_and_snapshots)
{
  TempDir temp;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = make_big_csv (20000);
  g_autofree char *state = NULL;
  Progress progress = { 0 };
  gint64 version = 0;

  temp_dir_init (&temp);
  store = ql_test_open_sqlite (temp.db);
  book = ql_test_new_book (store);
  ql_ledger_book_set_snapshot_interval (book, 1000);
  file = write_file (&temp, "big.csv", csv);

  ck_assert_msg (ql_ledger_book_import_csv (book, file, NULL, progress_cb, &progress, NULL, &error),
                 "%s", error != NULL ? error->message : "");
  ck_assert_uint_eq (progress.checking_total, strlen (csv));
  ck_assert_uint_eq (progress.checking_done, progress.checking_total);
  ck_assert_uint_eq (progress.writing_total, 20000);
  ck_assert_uint_eq (progress.writing_done, 20000);
  /* Reported during the write, not only at its end. */
  ck_assert_uint_gt (progress.n_calls, 4);

  /* Snapshots where the commands leave them, and of the final state. */
  ck_assert (ql_event_store_load_snapshot (store, "A", 0, &version, &state, NULL));
  ck_assert_int_eq (version, 10000);
  g_clear_pointer (&state, g_free);
  ck_assert (ql_event_store_load_snapshot (store, "A", 9999, &version, &state, NULL));
  ck_assert_int_eq (version, 9000);
  g_clear_pointer (&state, g_free);
  ck_assert (ql_event_store_load_snapshot (store, "B", 0, &version, &state, NULL));
  ck_assert_int_eq (version, 10000);

  g_clear_object (&book);
  g_clear_object (&store);
  temp_dir_clear (&temp);
}
END_TEST

START_TEST (test_cancel_writes_nothing)
{
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = make_big_csv (20000);
  Progress progress = { 0 };
  TempDir temp;

  temp_dir_init (&temp);
  store = ql_test_open_sqlite (temp.db);
  book = ql_test_new_book (store);
  file = write_file (&temp, "big.csv", csv);
  progress.cancel_while_writing = cancellable;

  ck_assert (!ql_ledger_book_import_csv (book, file, cancellable, progress_cb, &progress, NULL,
                                         &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  ck_assert_uint_gt (progress.writing_done, 0);
  ck_assert_int_eq (ql_test_head_position (store), 0);
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)), 0);

  g_clear_object (&book);
  g_clear_object (&store);
  temp_dir_clear (&temp);
}
END_TEST

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  guint64    n_events;
  GError    *error;
  guint      n_progress;
} AsyncImport;

static void
async_progress_cb (QlImportPhase phase,
                   guint64       done,
                   guint64       total,
                   gpointer      user_data)
{
  AsyncImport *import = user_data;

  import->n_progress++;
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncImport *import = user_data;

  import->ok = ql_ledger_book_import_csv_finish (QL_LEDGER_BOOK (object), result,
                                                 &import->n_events, &import->error);
  g_main_loop_quit (import->loop);
}

START_TEST (test_async_import)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GFile) file = NULL;
  g_autofree char *csv = make_big_csv (120001);
  AsyncImport import = { loop, FALSE, 0, NULL, 0 };
  TempDir temp;

  temp_dir_init (&temp);
  file = write_file (&temp, "big.csv", csv);
  ql_ledger_book_import_csv_async (book, file, NULL, async_progress_cb, &import, NULL,
                                   import_done_cb, &import);
  /* Nothing happens before the main loop runs. */
  ck_assert_int_eq (ql_test_head_position (store), 0);
  g_main_loop_run (loop);

  ck_assert_msg (import.ok, "%s", import.error != NULL ? import.error->message : "");
  ck_assert_uint_eq (import.n_events, 120001);
  /* Three checking steps of 50000 rows, then the write. */
  ck_assert_uint_ge (import.n_progress, 4);
  ck_assert_int_eq (version_of (book, "A"), 60001);
  temp_dir_clear (&temp);
}
END_TEST

typedef struct
{
  QlLedgerBook *other;
  gboolean      deposited;
} Interloper;

/* Once the file is checked, another book changes its ledger. */
static void
interloper_progress_cb (QlImportPhase phase,
                        guint64       done,
                        guint64       total,
                        gpointer      user_data)
{
  Interloper *interloper = user_data;

  if (phase == QL_IMPORT_PHASE_CHECKING && done == total && !interloper->deposited)
    {
      ck_assert (ql_test_drop_event (ql_ledger_book_deposit (interloper->other, "Shared", "1",
                                                             NULL)));
      interloper->deposited = TRUE;
    }
}

START_TEST (test_async_import_conflict)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlLedgerBook) other = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GFile) file = NULL;
  AsyncImport import = { loop, FALSE, 0, NULL, 0 };
  Interloper interloper = { NULL, FALSE };
  TempDir temp;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Shared", NULL, NULL)));
  other = ql_test_new_book (store);
  interloper.other = other;

  temp_dir_init (&temp);
  file = write_file (&temp, "conflict.csv",
                     "ledger,type,amount\nShared,deposit,5\nNew,open,\n");
  ql_ledger_book_import_csv_async (book, file, NULL, interloper_progress_cb, &interloper, NULL,
                                   import_done_cb, &import);
  g_main_loop_run (loop);

  /* The write finds the ledger changed: nothing of the file is written,
   * the other writer's deposit stays. */
  ck_assert (interloper.deposited);
  ck_assert (!import.ok);
  ck_assert (g_error_matches (import.error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT));
  ck_assert_int_eq (ql_test_head_position (store), 2);
  ck_assert_ptr_null (ql_ledger_book_lookup (book, "New"));
  g_clear_error (&import.error);

  /* Importing again checks against the new state. */
  ck_assert (ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, NULL, NULL));
  ck_assert_int_eq (ql_test_balance_of (book, "Shared"), 6);
  temp_dir_clear (&temp);
}
END_TEST

static void
assert_batch_contract (QlEventStore *store)
{
  QlNewEvent open = { "AccountOpened", "{\"currency\":null}" };
  QlNewEvent deposits[] = {
    { "Deposited", "{\"amount\":1}" },
    { "Deposited", "{\"amount\":2}" },
  };
  QlLedgerAppend appends[] = {
    { "A", 0, &open, 1, NULL },
    { "B", 0, &open, 1, NULL },
    { "A", 1, deposits, 2, "{\"kind\":\"account\",\"currency\":null,\"balance\":3}" },
  };
  QlLedgerAppend stale[] = {
    { "B", 1, deposits, 1, NULL },
    { "A", 1, deposits, 1, NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autofree char *state = NULL;
  gint64 version = 0;

  ck_assert_msg (ql_event_store_append_batch (store, appends, G_N_ELEMENTS (appends), NULL, NULL,
                                              &error), "%s", error != NULL ? error->message : "");
  log = read_log (store);
  ck_assert_uint_eq (log->len, 4);
  ck_assert_str_eq (g_ptr_array_index (log, 1), "B|1|AccountOpened|{\"currency\":null}");
  ck_assert_str_eq (g_ptr_array_index (log, 3), "A|3|Deposited|{\"amount\":2}");
  ck_assert (ql_event_store_load_snapshot (store, "A", 0, &version, &state, NULL));
  ck_assert_int_eq (version, 3);

  /* One stale part fails the batch: the part before it is not written. */
  ck_assert (!ql_event_store_append_batch (store, stale, G_N_ELEMENTS (stale), NULL, NULL, &error));
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT));
  ck_assert_int_eq (ql_test_head_position (store), 4);

  /* The heads follow the batch: single appends go on from there. */
  ck_assert (ql_event_store_append (store, "A", 3, deposits, 1, NULL, NULL));
  ck_assert (!ql_event_store_append (store, "B", 0, deposits, 1, NULL, NULL));
}

START_TEST (test_batch_contract)
{
  g_autoptr(QlEventStore) memory = ql_memory_event_store_new ();
  g_autoptr(QlEventStore) sqlite = NULL;
  TempDir temp;

  assert_batch_contract (memory);

  temp_dir_init (&temp);
  sqlite = ql_test_open_sqlite (temp.db);
  assert_batch_contract (sqlite);
  g_clear_object (&sqlite);
  temp_dir_clear (&temp);
}
END_TEST

static void
delete_snapshots (const char *path)
{
  sqlite3 *db = NULL;

  ck_assert_int_eq (sqlite3_open (path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db, "DELETE FROM snapshots", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);
}

static gint64
count_snapshots (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  ck_assert_int_eq (sqlite3_open (path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, "SELECT count(*) FROM snapshots", -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Snapshots are a cache: a book loaded from them, one loaded after they
 * were deleted behind the store's back, and the past states of both agree
 * with the states the commands built. */
START_TEST (test_snapshots_are_a_cache)
{
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GArray) balances = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GFile) file = NULL;
  g_autofree char *csv = make_big_csv (3001);
  TempDir temp;

  temp_dir_init (&temp);
  store = ql_test_open_sqlite (temp.db);
  book = ql_test_new_book (store);
  ql_ledger_book_set_snapshot_interval (book, 7);
  file = write_file (&temp, "big.csv", csv);
  ck_assert (ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, NULL, NULL));
  /* Commands after the import, some withdrawals, an undo. */
  for (guint i = 0; i < 30; i++)
    ck_assert (ql_test_drop_event (ql_ledger_book_withdraw (book, "A", "1.5", NULL)));
  {
    g_autoptr(QlEvent) undo = ql_ledger_book_undo (book, "A", NULL);

    ck_assert (undo != NULL);
  }
  for (gint64 v = 1; v <= version_of (book, "A"); v++)
    {
      g_autoptr(QlLedger) past = ql_ledger_book_state_at (book, "A", v, NULL);
      gint64 balance = ql_ledger_get_balance (past);

      g_array_append_val (balances, balance);
    }
  ck_assert_int_gt (count_snapshots (temp.db), 100);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(QlEventStore) again = NULL;
      g_autoptr(QlLedgerBook) loaded = NULL;

      /* Round 0 loads from the snapshots; round 1 without any. */
      if (round == 1)
        {
          delete_snapshots (temp.db);
          ck_assert_int_eq (count_snapshots (temp.db), 0);
        }
      again = ql_test_open_sqlite (temp.db);
      loaded = g_initable_new (QL_TYPE_LEDGER_BOOK, NULL, NULL, "store", again,
                               "snapshot-interval", 7, NULL);
      ck_assert_ptr_nonnull (loaded);
      ck_assert_int_eq (ql_test_balance_of (loaded, "A"), ql_test_balance_of (book, "A"));
      ck_assert_int_eq (version_of (loaded, "A"), version_of (book, "A"));
      ck_assert_int_eq (ql_test_balance_of (loaded, "B"), ql_test_balance_of (book, "B"));
      ck_assert_int_eq (version_of (loaded, "B"), version_of (book, "B"));
      for (gint64 v = 1; v <= version_of (book, "A"); v++)
        {
          g_autoptr(QlLedger) past = ql_ledger_book_state_at (loaded, "A", v, NULL);

          ck_assert_int_eq (ql_ledger_get_balance (past), g_array_index (balances, gint64, v - 1));
        }
    }

  /* Loading without snapshots left every one that was due, in one go,
   * and one of the head, for the next start. */
  {
    g_autoptr(QlEventStore) again = ql_test_open_sqlite (temp.db);
    gint64 head = version_of (book, "A");

    for (gint64 v = 7; v <= head; v += 7)
      {
        g_autofree char *state = NULL;
        gint64 version = 0;

        ck_assert (ql_event_store_load_snapshot (again, "A", v, &version, &state, NULL));
        ck_assert_int_eq (version, v);
      }
    ck_assert_int_ge (count_snapshots (temp.db),
                      head / 7 + version_of (book, "B") / 7);
  }

  g_clear_object (&book);
  g_clear_object (&store);
  temp_dir_clear (&temp);
}
END_TEST

static Suite *
import_suite (void)
{
  Suite *suite = suite_create ("Import");
  TCase *tc;

  tc = tcase_create ("format");
  tcase_add_test (tc, test_import_example);
  tcase_add_test (tc, test_malformed_files);
  tcase_add_test (tc, test_nul_bytes_refused);
  tcase_add_test (tc, test_long_lines_refused);
  tcase_add_test (tc, test_text_rules_in_rows);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("all-or-nothing");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_failing_row_writes_nothing);
  tcase_add_test (tc, test_cancel_writes_nothing);
  tcase_add_test (tc, test_async_import_conflict);
  tcase_add_test (tc, test_batch_contract);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("progress");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_progress_and_snapshots);
  tcase_add_test (tc, test_async_import);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("snapshots");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_snapshots_are_a_cache);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run (import_suite (), NULL);
}
