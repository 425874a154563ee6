/* ql-test-model.c: the runner every Check test's main() uses, and the
 * model helpers the tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ql-amount.h"
#include "ql-sqlite-event-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

static int
run_suites (Suite   *first,
            va_list  more)
{
  SRunner *runner = srunner_create (first);
  Suite *suite;
  int n_failed;

  while ((suite = va_arg (more, Suite *)) != NULL)
    srunner_add_suite (runner, suite);

  srunner_run_all (runner, CK_ENV);
  n_failed = srunner_ntests_failed (runner);
  srunner_free (runner);

  return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/**
 * ql_test_run:
 * @first: (transfer full): the first suite to run
 * @...: more suites, then %NULL
 *
 * Runs the suites in one runner. Check reads its CK_ environment
 * variables (CK_FORK, CK_VERBOSITY, CK_RUN_SUITE, CK_RUN_CASE …) as it
 * does for any runner.
 *
 * Returns: the exit status for main()
 */
int
ql_test_run (Suite *first,
             ...)
{
  va_list more;
  int status;

  va_start (more, first);
  status = run_suites (first, more);
  va_end (more);

  return status;
}

/**
 * ql_test_run_in_dir:
 * @name: the test program's name, for ql_test_begin_run_dir()
 * @first: (transfer full): the first suite to run
 * @...: more suites, then %NULL
 *
 * Like ql_test_run(), for tests that keep files: the suites run with a
 * run folder for ql_test_make_dir(), removed when they are done.
 *
 * Returns: the exit status for main()
 */
int
ql_test_run_in_dir (const char *name,
                    Suite      *first,
                    ...)
{
  g_autofree char *run_dir = ql_test_begin_run_dir (name);
  va_list more;
  int status;

  va_start (more, first);
  status = run_suites (first, more);
  va_end (more);

  ql_test_remove_tree (run_dir);

  return status;
}

QlLedgerBook *
ql_test_new_book (QlEventStore *store)
{
  g_autoptr(GError) error = NULL;
  QlLedgerBook *book = ql_ledger_book_new (store, &error);

  ck_assert_msg (book != NULL, "%s", error != NULL ? error->message : "");
  return book;
}

QlEventStore *
ql_test_open_sqlite (const char *path)
{
  g_autoptr(GError) error = NULL;
  QlEventStore *store = ql_sqlite_event_store_new (path, &error);

  ck_assert_msg (store != NULL, "%s", error != NULL ? error->message : "");
  return store;
}

gint64
ql_test_balance_of (QlLedgerBook *book,
                    const char   *name)
{
  QlLedger *ledger = ql_ledger_book_lookup (book, name);

  ck_assert_msg (ledger != NULL, "no ledger “%s”", name);
  return ql_ledger_get_balance (ledger);
}

gint64
ql_test_head_position (QlEventStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 position = ql_event_store_get_head_position (store, &error);

  ck_assert_msg (error == NULL, "%s", error != NULL ? error->message : "");
  return position;
}

/* Commands return the event they appended; a test that only needs to
 * know they succeeded drops it here. */
gboolean
ql_test_drop_event (QlEvent *event)
{
  g_autoptr(QlEvent) dropped = event;

  return dropped != NULL;
}

/* Imports @text as a CSV file of its own. */
gboolean
ql_test_import_text (QlLedgerBook  *book,
                     const char    *text,
                     GError       **error)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "import.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  guint64 n_events = 0;

  ck_assert (g_file_set_contents (path, text, -1, NULL));
  return ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, &n_events, error);
}

/* The two fields of a line of hledger's CSV, each in quotes. */
static char **
unquote_csv_pair (const char *line)
{
  g_auto(GStrv) fields = g_new0 (char *, 3);
  const char *p = line;

  for (guint f = 0; f < 2; f++)
    {
      g_autoptr(GString) field = g_string_new (NULL);

      if (f == 1 && *p++ != ',')
        return NULL;
      if (*p++ != '"')
        return NULL;
      for (;; p++)
        {
          if (*p == '\0')
            return NULL;
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            break;
          else
            g_string_append_c (field, *p);
        }
      p++;
      fields[f] = g_string_free (g_steal_pointer (&field), FALSE);
    }
  return *p == '\0' ? g_steal_pointer (&fields) : NULL;
}

/* hledger's balance of each account of the journal at @path, as
 * `hledger balance -O csv` shows it: account → amount. */
GHashTable *
ql_test_hledger_balances (const char *path)
{
  const char *argv[] = { "hledger", "-f", path, "balance", "--flat", "--no-total", "-O", "csv",
                         NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *balances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = 0;

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error),
                 "hledger: %s", error != NULL ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "hledger failed: %s", err);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      /* "account","amount": one commodity each in these journals, a
       * quote in a field written twice. */
      fields = unquote_csv_pair (lines[i]);
      ck_assert_msg (fields != NULL, "%s", lines[i]);
      g_hash_table_insert (balances, g_strdup (fields[0]), g_strstrip (g_strdup (fields[1])));
    }
  return balances;
}

/* An amount as hledger shows it, `-12.5 USD` or `EUR 3`, in minor
 * units of its currency. */
gint64
ql_test_hledger_minor (const char *shown,
                       const char *currency)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean negative = strchr (shown, '-') != NULL;
  guint decimals = 0;
  gint64 minor = 0;

  if (g_strcmp0 (shown, "0") == 0)
    return 0;
  ck_assert (ql_currency_lookup (currency, &decimals, NULL));
  for (const char *p = shown; *p != '\0'; p++)
    if (g_ascii_isdigit (*p) || *p == '.')
      g_string_append_c (digits, *p);
  ck_assert_msg (strstr (shown, currency) != NULL, "%s is not in %s", shown, currency);
  /* A whole amount, or one with fewer decimals than the currency. */
  if (strchr (digits->str, '.') == NULL)
    g_string_append_c (digits, '.');
  while (strlen (strchr (digits->str, '.') + 1) < decimals)
    g_string_append_c (digits, '0');
  if (digits->str[digits->len - 1] == '.')
    g_string_truncate (digits, digits->len - 1);
  ck_assert_msg (ql_amount_parse (digits->str, decimals, &minor, NULL), "%s", shown);
  return negative ? -minor : minor;
}
