/* ql-test-model.c: the runner every Check test's main() uses, and the
 * model helpers the tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include "ql-sqlite-event-store.h"
#include "ql-test-model.h"

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
  SRunner *runner = srunner_create (first);
  Suite *suite;
  va_list args;
  int n_failed;

  va_start (args, first);
  while ((suite = va_arg (args, Suite *)) != NULL)
    srunner_add_suite (runner, suite);
  va_end (args);

  srunner_run_all (runner, CK_ENV);
  n_failed = srunner_ntests_failed (runner);
  srunner_free (runner);

  return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
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
