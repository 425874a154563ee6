/* test-gtk-watcher.c: a window watches while other programs hammer its ledger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-gtk-watcher"

#include "config.h"

#include "ql-test-gtk.h"

#define N_TERMINALS 2
#define DEPOSITS_PER_TERMINAL 60
#define HAMMER_THREADS "2"
#define HAMMER_OPERATIONS "40"
#define HAMMER_FIRST_AMOUNT 1000

static GSubprocess *
spawn (GSubprocessFlags   flags,
       const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *process = g_subprocess_newv (argv, flags, &error);

  ck_assert_msg (process != NULL, "%s", error != NULL ? error->message : "");
  return process;
}

typedef struct
{
  char     *out;
  gboolean  done;
} Output;

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Output *output = user_data;
  g_autoptr(GError) error = NULL;

  ck_assert (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                                   &output->out, NULL, &error));
  output->done = TRUE;
}

/* Whole US dollars each program says it moved, in cents. */
static gint64
acknowledged_cents (const char *out)
{
  g_autoptr(GRegex) terminal = g_regex_new ("(Deposited|Withdrew) ([0-9]+)\\.00 USD", 0, 0, NULL);
  g_autoptr(GRegex) hammer = g_regex_new ("^(deposit|withdraw) Shared ([0-9]+)$",
                                          G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  gint64 cents = 0;

  for (GRegex *regex = terminal; regex != NULL; regex = regex == terminal ? hammer : NULL)
    {
      g_regex_match (regex, out, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *verb = g_match_info_fetch (match, 1);
          g_autofree char *amount = g_match_info_fetch (match, 2);
          gint64 value = g_ascii_strtoll (amount, NULL, 10) * 100;

          cents += verb[0] == 'W' || verb[0] == 'w' ? -value : value;
          g_match_info_next (match, NULL);
        }
      g_clear_pointer (&match, g_match_info_free);
    }

  return cents;
}

START_TEST (test_window_shows_the_final_state)
{
  QlTestApp *app = ql_test_app_new (TRUE);
  GtkWidget *page = GTK_WIDGET (ql_window_get_ledgers_page (app->window));
  g_autofree char *db_path = ql_test_app_db_path (app);
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GSubprocess) hammer = NULL;
  GSubprocess *terminals[N_TERMINALS];
  Output outputs[N_TERMINALS + 1] = { { NULL, FALSE } };
  const char *binary = g_getenv ("QL_BINARY");
  gint64 expected = 0;
  QlLedger *ledger;
  g_autofree char *expected_label = NULL;

  ck_assert_ptr_nonnull (binary);
  ql_window_show_page (app->window, "ledgers");
  ql_test_spin (20);
  /* Made through the window, so that it shows this ledger. */
  ql_test_open_popover (ql_test_find_widget (page, "new_ledger_button"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (ql_test_find_widget (page, "kind_row")), 0);
  ql_test_set_text (page, "name_row", "Shared");
  ql_test_set_text (page, "detail_row", "USD");
  ql_test_activate (page, "create_button");
  ql_test_set_text (page, "amount_entry", "100000");
  ql_test_activate (page, "plus_button");
  expected = 100000 * 100;
  QL_TEST_WAIT_FOR (g_strcmp0 (ql_test_label_text (page, "balance_label"), "100,000.00 USD") == 0 ||
                    g_strcmp0 (ql_test_label_text (page, "balance_label"), "100000.00 USD") == 0,
                    5000);

  for (guint i = 0; i < DEPOSITS_PER_TERMINAL; i++)
    g_string_append_printf (input, "deposit Shared %u\n%s", i + 1,
                            i % 6 == 5 ? "withdraw Shared 2\n" : "");

  for (guint t = 0; t < N_TERMINALS; t++)
    {
      const char *argv[] = { binary, "--tui", "--db", db_path, NULL };

      terminals[t] = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_SILENCE, argv);
      g_subprocess_communicate_utf8_async (terminals[t], input->str, NULL, communicated_cb,
                                           &outputs[t]);
    }
  {
    g_autofree char *first = g_strdup_printf ("%d", HAMMER_FIRST_AMOUNT);
    const char *argv[] = { QL_HAMMER_PATH, db_path, HAMMER_THREADS, HAMMER_OPERATIONS, first,
                           "Shared", NULL };

    hammer = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, argv);
    g_subprocess_communicate_utf8_async (hammer, NULL, NULL, communicated_cb,
                                         &outputs[N_TERMINALS]);
  }

  /* The window keeps running while they write. */
  for (guint i = 0; i <= N_TERMINALS; i++)
    QL_TEST_WAIT_FOR (outputs[i].done, 300000);

  for (guint i = 0; i <= N_TERMINALS; i++)
    {
      expected += acknowledged_cents (outputs[i].out);
      g_free (outputs[i].out);
    }
  for (guint t = 0; t < N_TERMINALS; t++)
    g_object_unref (terminals[t]);

  ledger = ql_ledger_book_lookup (app->ledger_book, "Shared");
  ck_assert_ptr_nonnull (ledger);
  /* The book looks for other programs' changes every 500 ms. */
  QL_TEST_WAIT_FOR (ql_ledger_get_balance (ledger) == expected, 10000);
  expected_label = ql_ledger_format_balance (ledger);
  QL_TEST_WAIT_FOR (g_strcmp0 (ql_test_label_text (page, "balance_label"), expected_label) == 0,
                    10000);

  ql_test_app_free (app);
}
END_TEST

static Suite *
gtk_watcher_suite (void)
{
  Suite *suite = suite_create ("GtkWatcher");
  TCase *tcase = tcase_create ("window-shows-the-final-state");

  tcase_set_timeout (tcase, 600);
  tcase_add_test (tcase, test_window_shows_the_final_state);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  return ql_test_run_suite (gtk_watcher_suite ());
}
