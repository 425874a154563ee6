/* test-export.c: Export… in the window, from the action to the toast, and
 * what hledger reads from the file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ql-test-gtk.h"
#include "ql-test-model.h"

static QlTestApp *test_app;
static GtkWidget *page;

static void
setup (void)
{
  QlLedgerBook *book;
  QlChangeNote note = { "2026-02-03", "Grocer, \"Fresh\"", "weekly: bread" };

  test_app = ql_test_app_new (TRUE);
  page = ql_test_app_show_ledgers (test_app);
  book = test_app->ledger_book;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", "EUR", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Bank: main", "USD",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Cash", "120.50", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_record_change (book, "Cash", QL_EVENT_WITHDRAWN,
                                                               "20.25", &note, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Bank: main", "1000",
                                                         &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, "Bank: main", "99.99",
                                                          &ok_error)));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Cash");
  ql_test_spin (20);
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
  page = NULL;
}

static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
export_enabled (void)
{
  return gtk_widget_get_sensitive (ql_test_find_widget (page, "export_button"));
}

/* What the file chooser does with the file, filter and choice picked. */
static char *
export_to (const char *name,
           const char *format,
           const char *ledger)
{
  g_autofree char *path = g_build_filename (test_app->dir, name, NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);

  ck_assert (gtk_widget_activate_action (page, "ledgers.export-file", "(ssms)", uri, format,
                                         ledger));
  return g_steal_pointer (&path);
}

static char *
sync_export (const char *name,
             const char *ledger)
{
  g_autofree char *path = g_build_filename (test_app->dir, name, NULL);
  char *contents = NULL;

  assert_ok (ql_ledger_book_export (test_app->ledger_book, path, ledger, NULL, &ok_error));
  ck_assert (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static char *
contents_of (const char *path)
{
  char *contents = NULL;

  ck_assert_msg (g_file_get_contents (path, &contents, NULL, NULL), "no %s", path);
  return contents;
}

START_TEST (test_export_every_ledger_to_csv)
{
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_autofree char *second = NULL;
  g_autofree char *uri = NULL;
  GtkWidget *window = GTK_WIDGET (test_app->window);
  GtkWidget *progress;

  ck_assert (export_enabled ());
  path = export_to ("all.csv", "csv", NULL);
  /* One export at a time; an import waits for it too. */
  ck_assert (!export_enabled ());
  second = g_build_filename (test_app->dir, "second.csv", NULL);
  uri = g_filename_to_uri (second, NULL, NULL);
  /* A disabled action does nothing. */
  gtk_widget_activate_action (page, "ledgers.export-file", "(ssms)", uri, "csv", NULL);
  ck_assert (!gtk_widget_get_sensitive (ql_test_find_widget (page, "import_button")));
  /* The progress shows where an import's does. */
  progress = ql_test_find_widget (page, "import_progress");
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "import_box")));
  ck_assert (gtk_widget_get_visible (progress));
  ck_assert_str_eq (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (progress)), "Exporting…");
  QL_TEST_WAIT_FOR (shows_text (window, "Exported 4 changes to all.csv"), 5000);
  ck_assert (export_enabled ());
  ck_assert (gtk_widget_get_sensitive (ql_test_find_widget (page, "import_button")));
  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (page, "import_box")));

  got = contents_of (path);
  expected = sync_export ("sync.csv", NULL);
  ck_assert_str_eq (got, expected);
  ck_assert (!g_file_test (second, G_FILE_TEST_EXISTS));
}
END_TEST

/* A name without a suffix takes the filter's; one ledger alone. */
START_TEST (test_export_suffix_from_filter)
{
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_autofree char *taken = g_build_filename (test_app->dir, "taken.csv", NULL);
  GtkWidget *status = ql_test_find_widget (page, "import_status_label");

  g_free (export_to ("cash", "journal", "Cash"));
  QL_TEST_WAIT_FOR (shows_text (GTK_WIDGET (test_app->window),
                                "Exported 2 changes to cash.journal"), 5000);
  path = g_build_filename (test_app->dir, "cash.journal", NULL);
  got = contents_of (path);
  expected = sync_export ("sync.journal", "Cash");
  ck_assert_str_eq (got, expected);

  /* The chooser asked about “taken”, not about the file the suffix names. */
  ck_assert (g_file_set_contents (taken, "mine\n", -1, NULL));
  g_free (export_to ("taken", "csv", NULL));
  ck_assert (gtk_widget_has_css_class (status, "error"));
  ck_assert_msg (strstr (gtk_label_get_text (GTK_LABEL (status)), "taken.csv") != NULL, "%s",
                 gtk_label_get_text (GTK_LABEL (status)));
  g_free (got);
  got = contents_of (taken);
  ck_assert_str_eq (got, "mine\n");
  ck_assert (export_enabled ());
}
END_TEST

/* A file that cannot be written says why under the list, and leaves
 * nothing behind. */
START_TEST (test_export_unwritable)
{
  g_autofree char *folder = g_build_filename (test_app->dir, "folder.csv", NULL);
  g_autofree char *missing = NULL;
  GtkWidget *status = ql_test_find_widget (page, "import_status_label");
  g_autoptr(GDir) dir = NULL;
  const char *entry;
  guint n_entries = 0;

  /* A folder where the file should be: written, then not renamed. */
  ck_assert_int_eq (g_mkdir (folder, 0700), 0);
  g_free (export_to ("folder.csv", "csv", NULL));
  QL_TEST_WAIT_FOR (gtk_widget_has_css_class (status, "error"), 5000);
  ck_assert (gtk_widget_get_visible (status));
  ck_assert_msg (strstr (gtk_label_get_text (GTK_LABEL (status)), folder) != NULL &&
                 strstr (gtk_label_get_text (GTK_LABEL (status)), "Is a directory") != NULL,
                 "%s", gtk_label_get_text (GTK_LABEL (status)));
  dir = g_dir_open (test_app->dir, 0, NULL);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      ck_assert_msg (entry[0] != '.', "%s left behind", entry);
      n_entries++;
    }
  ck_assert (export_enabled ());

  /* A folder that is not there. */
  missing = export_to ("gone/x.journal", "journal", NULL);
  QL_TEST_WAIT_FOR (strstr (gtk_label_get_text (GTK_LABEL (status)), missing) != NULL, 5000);
  ck_assert (gtk_widget_has_css_class (status, "error"));
  ck_assert (strstr (gtk_label_get_text (GTK_LABEL (status)), "No such file or directory") != NULL);
}
END_TEST

/* The journal of every ledger, read by hledger, has our balances. */
START_TEST (test_export_journal_in_hledger)
{
  g_autofree char *path = export_to ("all.journal", "journal", NULL);
  g_autoptr(GHashTable) balances = NULL;
  const struct {
    const char *account;
    const char *ledger;
    const char *currency;
  } accounts[] = {
    { "assets:Cash", "Cash", "EUR" },
    { "assets:Bank_ main", "Bank: main", "USD" },
  };

  QL_TEST_WAIT_FOR (shows_text (GTK_WIDGET (test_app->window),
                                "Exported 4 changes to all.journal"), 5000);
  balances = ql_test_hledger_balances (path);
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      const char *shown = g_hash_table_lookup (balances, accounts[i].account);

      ck_assert_msg (shown != NULL, "hledger has no %s", accounts[i].account);
      ck_assert_int_eq (ql_test_hledger_minor (shown, accounts[i].currency),
                        ql_test_balance_of (test_app->ledger_book, accounts[i].ledger));
    }
}
END_TEST

#ifndef __SANITIZE_ADDRESS__
static GtkWidget *
find_file_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static GtkWidget *
find_drop_down_offering (GtkWidget  *widget,
                         const char *label)
{
  if (GTK_IS_DROP_DOWN (widget))
    {
      GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (widget));

      for (guint i = 0; GTK_IS_STRING_LIST (model) && i < g_list_model_get_n_items (model); i++)
        if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
          return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_drop_down_offering (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Ctrl+Shift+S's action opens a save chooser named after the ledger
 * shown; the journal filter and "Every ledger" picked write them all. */
START_TEST (test_export_chooser)
{
  GtkWidget *chooser;
  GtkWidget *choice;
  g_autoptr(GListModel) filters = NULL;
  g_autoptr(GtkFileFilter) journal = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (test_app->dir);
  g_autofree char *path = g_build_filename (test_app->dir, "picked.journal", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_auto(GStrv) accels = NULL;

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (test_app->app), "win.export");
  ck_assert_str_eq (accels[0], "<Shift><Control>s");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.export", NULL));
  QL_TEST_WAIT_FOR ((chooser = find_file_chooser ()) != NULL, 5000);
  ck_assert_int_eq (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)),
                    GTK_FILE_CHOOSER_ACTION_SAVE);
  ck_assert_str_eq (gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser)), "Cash.csv");
  ck_assert_str_eq (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), "ledgers"), "shown");
  filters = gtk_file_chooser_get_filters (GTK_FILE_CHOOSER (chooser));
  ck_assert_uint_eq (g_list_model_get_n_items (filters), 2);
  journal = g_list_model_get_item (filters, 1);
  ck_assert_str_eq (gtk_file_filter_get_name (journal), "hledger journals");

  /* The chooser opens on its own folder first. */
  ql_test_spin (300);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), journal);
  /* As a click picks it: GTK 4.8's set_choice leaves the drop-down as it was. */
  choice = find_drop_down_offering (chooser, "Every ledger");
  ck_assert_ptr_nonnull (choice);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (choice), 1);
  ck_assert_str_eq (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), "ledgers"), "all");
  ck_assert (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "picked");
  ql_test_spin (100);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  QL_TEST_WAIT_FOR (shows_text (GTK_WIDGET (test_app->window),
                                "Exported 4 changes to picked.journal"), 5000);
  got = contents_of (path);
  expected = sync_export ("sync.journal", NULL);
  ck_assert_str_eq (got, expected);

  ck_assert (export_enabled ());
}
END_TEST
#endif

static Suite *
export_suite (void)
{
  Suite *suite = suite_create ("Export");
  TCase *tc = tcase_create ("export");

  tcase_set_timeout (tc, 30);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_export_every_ledger_to_csv);
  tcase_add_test (tc, test_export_suffix_from_filter);
  tcase_add_test (tc, test_export_unwritable);
  tcase_add_test (tc, test_export_journal_in_hledger);
#ifndef __SANITIZE_ADDRESS__
  /* The file chooser runs without ASan only, as test-ledgers-page says. */
  tcase_add_test (tc, test_export_chooser);
#endif
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  /* The chooser records a saved file as used by the program it names. */
  g_set_prgname ("test-export");
  g_set_application_name ("Quote Ledger");
  return ql_test_run_suite (export_suite ());
}
