/* test-ledgers-page.c: the Ledgers page driven through its widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ledgers-page"

#include "config.h"

#include <locale.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "ql-ledger-history.h"
#include "ql-reversed-list-model.h"
#include "ql-test-gtk.h"
#include "ql-test-model.h"

static QlTestApp *test_app;
static GtkWidget *page;

static void
setup (void)
{
  test_app = ql_test_app_new (TRUE);
  page = ql_test_app_show_ledgers (test_app);
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
  page = NULL;
}

static void
create_ledger (guint       kind,
               const char *name,
               const char *detail)
{
  /* The form is in a popover, which the user opens first. */
  ql_test_open_popover (ql_test_find_widget (page, "new_ledger_button"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (ql_test_find_widget (page, "kind_row")), kind);
  ql_test_set_text (page, "name_row", name);
  ql_test_set_text (page, "detail_row", detail);
  ql_test_activate (page, "create_button");
}

static void
change (const char *button,
        const char *amount)
{
  ql_test_set_text (page, "amount_entry", amount);
  ql_test_activate (page, button);
}

static guint
history_length (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));

  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

static char *
history_cell (guint       row,
              const char *property)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), row);
  char *text = NULL;

  g_object_get (item, property, &text, NULL);
  return text;
}

/* What the file chooser does with the file the user picks. */
static void
import_file (GFile *file)
{
  g_autofree char *uri = g_file_get_uri (file);

  ck_assert (gtk_widget_activate_action (page, "ledgers.import-file", "s", uri));
}

static guint
ledger_rows (void)
{
  GtkListView *list = GTK_LIST_VIEW (ql_test_find_widget (page, "ledger_list"));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list)));
}

START_TEST (test_create_and_deposit)
{
  g_autofree char *last_balance = NULL;

  create_ledger (0, "Savings", "usd");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 0);
  ck_assert_uint_eq (ledger_rows (), 1);
  ck_assert_str_eq (ql_ledgers_page_get_selected_ledger (QL_LEDGERS_PAGE (page)), "Savings");
  ck_assert_str_eq (ql_test_label_text (page, "name_label"), "Savings");
  ck_assert_str_eq (gtk_button_get_label (GTK_BUTTON (ql_test_find_widget (page, "plus_button"))), "_Deposit");

  change ("plus_button", "100.50");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 10050);
  ck_assert_str_eq (ql_test_label_text (page, "balance_label"), "100.50 USD");
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (page, "amount_entry"))), "");

  /* Enter in the amount entry deposits too. */
  ql_test_set_text (page, "amount_entry", "49.50");
  ql_test_activate (page, "amount_entry");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 15000);

  change ("minus_button", "30");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 12000);

  ck_assert_uint_eq (history_length (), 4);
  last_balance = history_cell (3, "balance");
  ck_assert_str_eq (last_balance, "120.00 USD");
}
END_TEST

START_TEST (test_validation_errors_shown)
{
  GtkWidget *error_label = ql_test_find_widget (page, "change_error_label");
  GtkWidget *create_error = ql_test_find_widget (page, "create_error_label");
  g_autoptr(GError) expected = NULL;

  create_ledger (0, "Cash", "EUR");
  change ("plus_button", "10");

  /* Whatever the model says is shown as it says it. */
  change ("plus_button", "abc");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert (!ql_ledger_book_deposit (test_app->ledger_book, "Cash", "abc", &expected));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (error_label)), expected->message);
  g_clear_error (&expected);

  change ("minus_button", "500");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert (!ql_ledger_book_withdraw (test_app->ledger_book, "Cash", "500", &expected));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (error_label)), expected->message);
  g_clear_error (&expected);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 1000);

  /* A good change clears the error. */
  change ("minus_button", "1");
  ck_assert (!gtk_widget_get_visible (error_label));
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 900);

  create_ledger (0, "Cash", "");
  ck_assert (gtk_widget_get_visible (create_error));
  ck_assert (!ql_ledger_book_open_account (test_app->ledger_book, "Cash", NULL, &expected));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (create_error)), expected->message);
  g_clear_error (&expected);

  create_ledger (0, "Bad", "XYZ");
  ck_assert (gtk_widget_get_visible (create_error));
  ck_assert (ql_ledger_book_lookup (test_app->ledger_book, "Bad") == NULL);
}
END_TEST

START_TEST (test_item_and_undo)
{
  create_ledger (1, "Laptop", "10");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Laptop"), 10);
  ck_assert_str_eq (gtk_button_get_label (GTK_BUTTON (ql_test_find_widget (page, "plus_button"))), "_Increase");

  change ("plus_button", "5");
  change ("minus_button", "3");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Laptop"), 12);

  change ("minus_button", "13");
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "change_error_label")));
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Laptop"), 12);

  ql_test_activate (page, "undo_button");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Laptop"), 15);
  ck_assert_uint_eq (history_length (), 4);

  /* Ctrl+Z's action undoes on the Ledgers page. */
  ck_assert (gtk_widget_activate_action (page, "ledgers.undo", NULL));
  ql_test_spin (10);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Laptop"), 10);
  ck_assert_uint_eq (history_length (), 5);
}
END_TEST

START_TEST (test_change_actions_follow_ledger_kind)
{
  GtkWidget *error_label = ql_test_find_widget (page, "change_error_label");
  GtkActionable *plus = GTK_ACTIONABLE (ql_test_find_widget (page, "plus_button"));
  GtkActionable *minus = GTK_ACTIONABLE (ql_test_find_widget (page, "minus_button"));

  create_ledger (1, "Box", "3");
  create_ledger (0, "Cash", "EUR");
  ck_assert_str_eq (gtk_actionable_get_action_name (plus), "ledgers.deposit");
  ck_assert_str_eq (gtk_actionable_get_action_name (minus), "ledgers.withdraw");

  /* An account has no quantity: the item commands are off, not refused. */
  ql_test_set_text (page, "amount_entry", "2");
  ck_assert (gtk_widget_activate_action (page, "ledgers.increase", NULL));
  ck_assert (gtk_widget_activate_action (page, "ledgers.decrease", NULL));
  ql_test_spin (20);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "Cash")), 1);
  ck_assert (!gtk_widget_get_visible (error_label));

  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Box");
  ql_test_spin (20);
  ck_assert_str_eq (gtk_actionable_get_action_name (plus), "ledgers.increase");
  ck_assert_str_eq (gtk_actionable_get_action_name (minus), "ledgers.decrease");

  /* Nor does an item take money. */
  ql_test_set_text (page, "amount_entry", "2");
  ck_assert (gtk_widget_activate_action (page, "ledgers.deposit", NULL));
  ck_assert (gtk_widget_activate_action (page, "ledgers.withdraw", NULL));
  ql_test_spin (20);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "Box")), 1);
  ck_assert (!gtk_widget_get_visible (error_label));

  change ("plus_button", "2");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Box"), 5);
}
END_TEST

/* People read words in the history, never the stored type names. */
START_TEST (test_history_reads_words)
{
  static const char * const account[] = {
    "Account opened", "Deposit", "Withdrawal", "Deposit (undoes 3)",
  };
  static const char * const item[] = {
    "Item created", "Quantity increased", "Quantity decreased",
  };

  create_ledger (0, "Cash", "");
  change ("plus_button", "10");
  change ("minus_button", "4");
  ql_test_activate (page, "undo_button");
  ql_test_spin (20);
  ck_assert_uint_eq (history_length (), G_N_ELEMENTS (account));
  for (guint i = 0; i < G_N_ELEMENTS (account); i++)
    {
      g_autofree char *type = history_cell (i, "event-type");

      ck_assert_str_eq (type, account[i]);
    }

  create_ledger (1, "Box", "3");
  change ("plus_button", "2");
  change ("minus_button", "1");
  ck_assert_uint_eq (history_length (), G_N_ELEMENTS (item));
  for (guint i = 0; i < G_N_ELEMENTS (item); i++)
    {
      g_autofree char *type = history_cell (i, "event-type");

      ck_assert_str_eq (type, item[i]);
    }
}
END_TEST

static void
count_activation (GSimpleAction *action,
                  GVariant      *parameter,
                  guint         *activations)
{
  (*activations)++;
}

/* A page without a controller, whose commands are only counted: showing
 * it data asks nothing back; only the user's own moves do. */
START_TEST (test_showing_asks_nothing)
{
  static const struct {
    const char *name;
    const char *parameter_type;
  } commands[] = {
    { "open-account", NULL }, { "create-item", NULL }, { "deposit", NULL },
    { "withdraw", NULL }, { "increase", NULL }, { "decrease", NULL },
    { "undo", NULL }, { "reverse-undo", NULL }, { "import", NULL },
    { "import-file", "s" }, { "show-version", "x" },
  };
  g_autoptr(GSimpleActionGroup) actions = g_simple_action_group_new ();
  g_autoptr(GtkWidget) bare = g_object_ref_sink (g_object_new (QL_TYPE_LEDGERS_PAGE, NULL));
  QlLedgersPage *bare_page = QL_LEDGERS_PAGE (bare);
  guint activations = 0;
  QlLedger *ledger;

  create_ledger (0, "Shown", "EUR");
  change ("plus_button", "5");
  change ("plus_button", "7");
  ledger = ql_ledger_book_lookup (test_app->ledger_book, "Shown");

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const GVariantType *type = commands[i].parameter_type != NULL
                                 ? G_VARIANT_TYPE (commands[i].parameter_type) : NULL;
      g_autoptr(GSimpleAction) action = g_simple_action_new (commands[i].name, type);

      g_signal_connect (action, "activate", G_CALLBACK (count_activation), &activations);
      g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (action));
    }
  gtk_widget_insert_action_group (bare, "ledgers", G_ACTION_GROUP (actions));

  ql_ledgers_page_set_ledgers (bare_page, ql_ledger_book_get_ledgers (test_app->ledger_book));
  ql_ledgers_page_select_ledger (bare_page, "Shown");
  ql_ledgers_page_show_ledger (bare_page, ledger, NULL);
  ql_ledgers_page_show_past_state (bare_page, 3, "12.00 EUR");
  ql_ledgers_page_show_ledger (bare_page, ledger, NULL);
  ck_assert_uint_eq (activations, 0);
  ck_assert_str_eq (ql_test_label_text (bare, "past_state_label"), "12.00 EUR");
  ck_assert_int_eq (ql_ledgers_page_get_shown_version (bare_page), 3);

  /* Moving the time-travel control is the user's request. */
  gtk_range_set_value (GTK_RANGE (ql_test_find_widget (bare, "version_scale")), 2);
  ck_assert_uint_eq (activations, 1);
  ck_assert_int_eq (ql_ledgers_page_get_shown_version (bare_page), 2);
}
END_TEST

/* Runs what Ctrl+Z does on the page, as its shortcut controller would
 * when the key reaches the page. */
static gboolean
press_ctrl_z_on_page (void)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (page);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      g_autoptr(GtkShortcutTrigger) trigger = NULL;

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      trigger = gtk_shortcut_trigger_parse_string ("<Control>z");
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, page, NULL);
        }
    }

  ck_abort_msg ("the page has no Ctrl+Z");
  return FALSE;
}

static GtkWidget *
find_button_labelled (GtkWidget  *root,
                      const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      found = find_button_labelled (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

START_TEST (test_ctrl_z_in_entry_edits_text)
{
  GtkApplication *app = GTK_APPLICATION (test_app->app);
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (app, "<Control>z");
  GtkWidget *entry;

  /* No window-wide Ctrl+Z that would run before the focused entry. */
  ck_assert_ptr_eq (actions[0], NULL);

  create_ledger (0, "Savings", "EUR");
  change ("plus_button", "50");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 5000);
  ck_assert (gtk_widget_is_sensitive (ql_test_find_widget (page, "undo_button")));

  entry = ql_test_find_widget (page, "amount_entry");
  ql_test_set_text (page, "amount_entry", "12");
  ck_assert (gtk_widget_grab_focus (entry));
  ql_test_spin (20);
  ck_assert (GTK_IS_EDITABLE (gtk_root_get_focus (gtk_widget_get_root (page))));

  /* With the entry focused the key is the text's, never the ledger's. */
  ck_assert (!press_ctrl_z_on_page ());
  ql_test_spin (20);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 5000);
  ck_assert_uint_eq (history_length (), 2);

  /* Elsewhere on the page it undoes the ledger's last change. */
  ck_assert (gtk_widget_grab_focus (ql_test_find_widget (page, "history_view")));
  ql_test_spin (20);
  ck_assert (press_ctrl_z_on_page ());
  ql_test_spin (20);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 0);
}
END_TEST

START_TEST (test_undo_disabled_with_nothing_to_undo)
{
  create_ledger (0, "Empty", "EUR");
  ql_test_spin (20);
  ck_assert (!gtk_widget_is_sensitive (ql_test_find_widget (page, "undo_button")));
  gtk_widget_activate_action (page, "ledgers.undo", NULL);
  ql_test_spin (20);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "Empty")), 1);

  change ("plus_button", "5");
  ck_assert (gtk_widget_is_sensitive (ql_test_find_widget (page, "undo_button")));
  ql_test_activate (page, "undo_button");
  /* Every change undone: nothing left to undo. */
  ck_assert (!gtk_widget_is_sensitive (ql_test_find_widget (page, "undo_button")));
}
END_TEST

START_TEST (test_undo_toast_reverses_again)
{
  GtkWidget *overlay;
  GtkWidget *button;

  create_ledger (0, "Savings", "EUR");
  change ("plus_button", "50");
  ql_test_activate (page, "undo_button");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 0);

  overlay = gtk_widget_get_ancestor (page, ADW_TYPE_TOAST_OVERLAY);
  ck_assert_ptr_nonnull (overlay);
  QL_TEST_WAIT_FOR (find_button_labelled (overlay, "_Reverse Again") != NULL, 5000);
  button = find_button_labelled (overlay, "_Reverse Again");
  if (g_getenv ("QL_TEST_HOLD_TOAST") != NULL)
    ql_test_spin (atoi (g_getenv ("QL_TEST_HOLD_TOAST")));

  g_signal_emit_by_name (button, "clicked");
  ql_test_spin (20);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 5000);
  ck_assert_uint_eq (history_length (), 4);
}
END_TEST

START_TEST (test_time_travel)
{
  GtkRange *scale = GTK_RANGE (ql_test_find_widget (page, "version_scale"));

  create_ledger (0, "Bank", "USD");
  change ("plus_button", "100");
  change ("plus_button", "50");
  change ("minus_button", "30");
  change ("plus_button", "30");

  /* Versions: 1 opened, 2 +100, 3 +50, 4 -30, 5 +30. */
  ck_assert_int_eq ((int) gtk_range_get_value (scale), 5);
  ck_assert_str_eq (ql_test_label_text (page, "past_state_label"), "150.00 USD");

  gtk_range_set_value (scale, 3);
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "past_state_label"), "150.00 USD"), 1000);
  gtk_range_set_value (scale, 4);
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "past_state_label"), "120.00 USD"), 1000);
  gtk_range_set_value (scale, 2);
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "past_state_label"), "100.00 USD"), 1000);
  gtk_range_set_value (scale, 1);
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "past_state_label"), "0.00 USD"), 1000);

  /* The balance now is untouched by looking at the past. */
  ck_assert_str_eq (ql_test_label_text (page, "balance_label"), "150.00 USD");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Bank"), 15000);

  /* A new change while looking at the past leaves the control where it is. */
  change ("plus_button", "1");
  ck_assert_int_eq ((int) gtk_range_get_value (scale), 1);
  ck_assert_str_eq (ql_test_label_text (page, "past_state_label"), "0.00 USD");
}
END_TEST

START_TEST (test_long_history_read_lazily)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  GtkSelectionModel *rows;
  QlReversedListModel *order;
  GtkFilterListModel *shown;
  QlLedgerHistory *events;
  g_autofree char *last = NULL;
  g_autofree char *early = NULL;

  create_ledger (0, "Jar", "");
  for (guint i = 0; i < 1200; i++)
    ck_assert (ql_test_drop_event (ql_ledger_book_deposit (test_app->ledger_book, "Jar", "1",
                                                           NULL)));

  QL_TEST_WAIT_FOR (history_length () == 1201, 2000);
  last = history_cell (1200, "balance");
  early = history_cell (10, "balance");
  ck_assert_str_eq (last, "1200");
  ck_assert_str_eq (early, "10");

  /* The rows come from a list that keeps only a few pages of events, fewer
   * than the ledger holds. */
  rows = gtk_column_view_get_model (view);
  order = QL_REVERSED_LIST_MODEL (gtk_single_selection_get_model (GTK_SINGLE_SELECTION (rows)));
  shown = GTK_FILTER_LIST_MODEL (ql_reversed_list_model_get_model (order));
  events = QL_LEDGER_HISTORY (gtk_map_list_model_get_model (GTK_MAP_LIST_MODEL (gtk_filter_list_model_get_model (shown))));
  ck_assert_uint_le (ql_ledger_history_get_n_cached (events),
                     QL_LEDGER_HISTORY_PAGE_SIZE * QL_LEDGER_HISTORY_MAX_PAGES);
}
END_TEST

START_TEST (test_read_only_offers_no_changes)
{
  GtkWidget *notice = ql_test_find_widget (page, "read_only_label");
  GtkWidget *form = ql_test_find_widget (page, "new_ledger_button");
  GtkWidget *changes = ql_test_find_widget (page, "change_box");

  /* A store that can be written offers every control. */
  ck_assert (!gtk_widget_get_visible (notice));
  ck_assert (gtk_widget_get_visible (form));
  ck_assert (gtk_widget_get_visible (changes));

  ql_ledgers_page_set_read_only (QL_LEDGERS_PAGE (page), TRUE);
  ck_assert (gtk_widget_get_visible (notice));
  ck_assert (!gtk_widget_get_visible (form));
  ck_assert (!gtk_widget_get_visible (changes));
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "version_scale")));
}
END_TEST

static GFile *
write_csv (const char *name,
           const char *contents)
{
  g_autofree char *path = g_build_filename (test_app->dir, name, NULL);

  ck_assert (g_file_set_contents (path, contents, -1, NULL));
  return g_file_new_for_path (path);
}

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

START_TEST (test_import_button_opens_chooser)
{
  GtkWidget *chooser;

  /* Cancelling the file chooser imports nothing. */
  ql_test_activate (page, "import_button");
  QL_TEST_WAIT_FOR ((chooser = find_file_chooser ()) != NULL, 5000);
  /* CSV files, hledger journals, and any file. */
  {
    g_autoptr(GListModel) filters = gtk_file_chooser_get_filters (GTK_FILE_CHOOSER (chooser));
    g_autoptr(GtkFileFilter) journal = NULL;

    ck_assert_uint_eq (g_list_model_get_n_items (filters), 3);
    journal = g_list_model_get_item (filters, 1);
    ck_assert_str_eq (gtk_file_filter_get_name (journal), "hledger journals");
    {
      g_autoptr(GVariant) attributes = gtk_file_filter_to_gvariant (journal);
      g_autofree char *printed = g_variant_print (attributes, FALSE);

      ck_assert_msg (strstr (printed, "*.[jJ][oO][uU][rR][nN][aA][lL]") != NULL &&
                     strstr (printed, "*.[hH][lL][eE][dD][gG][eE][rR]") != NULL, "%s", printed);
    }
  }
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  ql_test_spin (50);
  ck_assert (find_file_chooser () == NULL);
  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (page, "import_box")));
  ck_assert (gtk_widget_get_sensitive (ql_test_find_widget (page, "import_button")));
}
END_TEST
#endif

START_TEST (test_import_journal)
{
  GtkWidget *status = ql_test_find_widget (page, "import_status_label");
  g_autoptr(GFile) journal = write_csv ("bank.journal", "2026-01-02 Employer\n"
                                                        "    assets:Checking  12.50 EUR\n"
                                                        "    income:salary\n");

  import_file (journal);
  QL_TEST_WAIT_FOR (g_str_equal (gtk_label_get_text (GTK_LABEL (status)), "Imported 2 events"),
                    5000);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Checking"), 1250);
  ck_assert_str_eq (ql_ledger_get_currency (ql_ledger_book_lookup (test_app->ledger_book,
                                                                   "Checking")), "EUR");
}
END_TEST

START_TEST (test_import_csv)
{
  GtkWidget *status = ql_test_find_widget (page, "import_status_label");
  g_autoptr(GFile) good = write_csv ("good.csv", "ledger,type,amount\n"
                                                 "Imported,open,EUR\n"
                                                 "Imported,deposit,12.50\n"
                                                 "\"Crate, large\",create-item,4\n");
  g_autoptr(GFile) bad = write_csv ("bad.csv", "ledger,type,amount\n"
                                               "Other,open,EUR\n"
                                               "Other,withdraw,5\n");

  import_file (good);
  /* One import at a time. */
  ck_assert (!gtk_widget_get_sensitive (ql_test_find_widget (page, "import_button")));
  QL_TEST_WAIT_FOR (ql_ledger_book_lookup (test_app->ledger_book, "Crate, large") != NULL, 5000);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Imported"), 1250);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Crate, large"), 4);
  QL_TEST_WAIT_FOR (g_str_equal (gtk_label_get_text (GTK_LABEL (status)), "Imported 3 events"), 2000);
  ck_assert (!gtk_widget_has_css_class (status, "error"));
  ck_assert_uint_eq (ledger_rows (), 2);
  ck_assert (gtk_widget_get_sensitive (ql_test_find_widget (page, "import_button")));

  /* A file that breaks a rule writes nothing and says why. */
  import_file (bad);
  QL_TEST_WAIT_FOR (gtk_widget_has_css_class (status, "error"), 5000);
  ck_assert_str_ne (gtk_label_get_text (GTK_LABEL (status)), "");
  ck_assert (ql_ledger_book_lookup (test_app->ledger_book, "Other") == NULL);
  ck_assert_uint_eq (ledger_rows (), 2);
}
END_TEST

/* An error belongs to the action that caused it: the next action or
 * another ledger takes it away, and the entry is no longer red. */
START_TEST (test_errors_belong_to_their_action)
{
  GtkWidget *entry = ql_test_find_widget (page, "amount_entry");
  GtkWidget *change_error = ql_test_find_widget (page, "change_error_label");
  GtkWidget *create_error = ql_test_find_widget (page, "create_error_label");
  GtkWidget *import_box = ql_test_find_widget (page, "import_box");
  GtkWidget *status = ql_test_find_widget (page, "import_status_label");
  g_autoptr(GFile) bad = write_csv ("bad.csv", "ledger,type,amount\n"
                                               "Other,open,EUR\n"
                                               "Other,withdraw,5\n");

  create_ledger (0, "Cash", "");
  create_ledger (0, "Bank", "");

  /* Another ledger: its entry is not red with the last one's failure. */
  change ("minus_button", "5");
  ck_assert (gtk_widget_get_visible (change_error));
  ck_assert (gtk_widget_has_css_class (entry, "error"));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Cash");
  ql_test_spin (20);
  ck_assert (!gtk_widget_get_visible (change_error));
  ck_assert (!gtk_widget_has_css_class (entry, "error"));

  /* A failed creation's message goes with the next action that works. */
  create_ledger (0, "Cash", "");
  ck_assert (gtk_widget_get_visible (create_error));
  change ("plus_button", "3");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 3);
  ck_assert (!gtk_widget_get_visible (create_error));

  /* And a failed change's message with the next creation. */
  change ("minus_button", "50");
  ck_assert (gtk_widget_get_visible (change_error));
  create_ledger (1, "Box", "1");
  ck_assert (!gtk_widget_get_visible (change_error));
  ck_assert (!gtk_widget_has_css_class (entry, "error"));

  /* A failed import's message stays only until the next action. */
  import_file (bad);
  QL_TEST_WAIT_FOR (gtk_widget_has_css_class (status, "error"), 5000);
  ck_assert (gtk_widget_get_visible (import_box));
  change ("plus_button", "1");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Box"), 2);
  ck_assert (!gtk_widget_get_visible (import_box));
  ck_assert (!gtk_widget_has_css_class (status, "error"));

  /* The same for a change of ledger. */
  import_file (bad);
  QL_TEST_WAIT_FOR (gtk_widget_has_css_class (status, "error"), 5000);
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Bank");
  ql_test_spin (20);
  ck_assert (!gtk_widget_get_visible (import_box));
}
END_TEST

/* The window writes and reads numbers as the user's locale does; Chinese
 * groups digits in threes with commas, as English does. */
START_TEST (test_amounts_in_the_locales_notation)
{
  GtkWidget *error_label = ql_test_find_widget (page, "change_error_label");
  g_autofree char *amount = NULL;
  g_autofree char *balance = NULL;

  ck_assert_msg (setlocale (LC_NUMERIC, "zh_CN.UTF-8") != NULL,
                 "the zh_CN.UTF-8 locale is missing (tools/install-deps makes it)");

  create_ledger (0, "Savings", "EUR");
  change ("plus_button", "1,234,567.89");
  ck_assert (!gtk_widget_get_visible (error_label));
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 123456789);
  ck_assert_str_eq (ql_test_label_text (page, "balance_label"), "1,234,567.89 EUR");
  amount = history_cell (1, "amount");
  balance = history_cell (1, "balance");
  ck_assert_str_eq (amount, "+1,234,567.89 EUR");
  ck_assert_str_eq (balance, "1,234,567.89 EUR");

  /* A comma that does not group thousands is no decimal point either. */
  change ("minus_button", "1,23");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (error_label)),
                    "Invalid amount “1,23”: write it as in 1,234.50");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 123456789);

  create_ledger (1, "Crates", "12,000");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Crates"), 12000);
  ck_assert_str_eq (ql_test_label_text (page, "balance_label"), "12,000");

  setlocale (LC_NUMERIC, "C");
}
END_TEST

START_TEST (test_narrow_window_folds)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (ql_test_find_widget (page, "leaflet"));
  GtkWidget *list = ql_test_find_widget (page, "ledger_list");

  create_ledger (0, "Wallet", "");
  ck_assert (!adw_leaflet_get_folded (leaflet));

  gtk_window_set_default_size (GTK_WINDOW (test_app->window), 400, 600);
  QL_TEST_WAIT_FOR (adw_leaflet_get_folded (leaflet), 5000);
  ck_assert_str_eq (adw_leaflet_get_visible_child_name (leaflet), "sidebar");

  /* Choosing a ledger shows it; the back button shows the list again. */
  g_signal_emit_by_name (list, "activate", 0);
  QL_TEST_WAIT_FOR (g_str_equal (adw_leaflet_get_visible_child_name (leaflet), "detail"), 2000);
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "back_button")));
  ql_test_activate (page, "back_button");
  QL_TEST_WAIT_FOR (g_str_equal (adw_leaflet_get_visible_child_name (leaflet), "sidebar"), 2000);
}
END_TEST

static gboolean
run_terminal (QlTestApp  *app,
              const char *input)
{
  g_autofree char *db_path = ql_test_app_db_path (app);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("QL_BINARY");

  ck_assert_msg (binary != NULL, "QL_BINARY is not set");
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "--tui", "--db", db_path, NULL);
  ck_assert_msg (process != NULL, "%s", error != NULL ? error->message : "");
  ck_assert (g_subprocess_communicate_utf8 (process, input, NULL, NULL, NULL, &error));
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

START_TEST (test_live_updates_from_another_process)
{
  create_ledger (0, "Shared", "USD");
  change ("plus_button", "10");
  ck_assert_uint_eq (history_length (), 2);

  ck_assert (run_terminal (test_app, "deposit Shared 25\nopen Remote EUR\ndeposit Remote 7\n"));

  /* The book looks every 500 ms: both changes show within about a second. */
  QL_TEST_WAIT_FOR (history_length () == 3, 2000);
  ck_assert_str_eq (ql_test_label_text (page, "balance_label"), "35.00 USD");
  QL_TEST_WAIT_FOR (ledger_rows () == 2, 2000);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Remote"), 700);
  ck_assert_int_eq ((int) gtk_range_get_value (GTK_RANGE (ql_test_find_widget (page, "version_scale"))), 3);
}
END_TEST

/* Damage written into the database by another program, with SQLite
 * itself: the damaged ledger says where and why and offers no change,
 * its row is marked, and the other ledgers work. */
START_TEST (test_damaged_ledger_is_read_only)
{
  g_autofree char *db_path = ql_test_app_db_path (test_app);
  GtkWidget *damage = ql_test_find_widget (page, "damage_label");
  GtkWidget *changes = ql_test_find_widget (page, "change_box");
  QlLedger *ledger;
  sqlite3 *db = NULL;

  create_ledger (0, "Sound", "");
  create_ledger (0, "Cash", "");
  change ("plus_button", "5");
  ck_assert (gtk_widget_get_sensitive (changes));
  ck_assert (!gtk_widget_get_visible (damage));

  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db, "INSERT INTO events (ledger, version, type, timestamp, payload)"
                                      " VALUES ('Cash', 3, 'Deposited', 0, '{\"amount\":')",
                                  NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);

  /* The book looks every 500 ms. */
  ledger = ql_ledger_book_lookup (test_app->ledger_book, "Cash");
  QL_TEST_WAIT_FOR (ql_ledger_get_damaged_version (ledger) == 3, 2000);
  QL_TEST_WAIT_FOR (gtk_widget_get_visible (damage), 2000);
  ck_assert (g_str_has_prefix (ql_test_label_text (page, "damage_label"), "Damaged at version 3"));
  ck_assert (!gtk_widget_get_sensitive (changes));
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 5);

  /* Its commands are off too, also those without a button: Ctrl+Z. */
  ql_test_set_text (page, "amount_entry", "1");
  ck_assert (gtk_widget_activate_action (page, "ledgers.deposit", NULL));
  ck_assert (gtk_widget_activate_action (page, "ledgers.undo", NULL));
  ql_test_spin (20);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 5);
  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (page, "change_error_label")));

  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Sound");
  ql_test_spin (20);
  ck_assert (!gtk_widget_get_visible (damage));
  ck_assert (gtk_widget_get_sensitive (changes));
  change ("plus_button", "7");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Sound"), 7);

  /* Opened again, the window shows the damage from the start. */
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Cash");
  ql_test_spin (20);
  ck_assert (gtk_widget_get_visible (damage));
  ck_assert (!gtk_widget_get_sensitive (changes));
}
END_TEST

static void
record (const char *amount,
        const char *date,
        const char *payee,
        const char *memo)
{
  QlChangeNote note = { .date = date, .payee = payee, .memo = memo };

  ck_assert (ql_test_drop_event (ql_ledger_book_record_change (test_app->ledger_book, "Bank",
                                                               QL_EVENT_DEPOSITED, amount,
                                                               &note, NULL)));
}

static gint64
history_version (guint row)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), row);
  gint64 version = 0;

  g_object_get (item, "version", &version, NULL);
  return version;
}

/* The rows a search shows are the versions the book found, listed by
 * version: the slider and a picked row still agree on which one. */
START_TEST (test_search_history)
{
  GtkRange *scale = GTK_RANGE (ql_test_find_widget (page, "version_scale"));
  GtkSearchBar *bar = GTK_SEARCH_BAR (ql_test_find_widget (page, "history_search_bar"));
  GtkStack *stack = GTK_STACK (ql_test_find_widget (page, "history_stack"));
  GtkWidget *error_label = ql_test_find_widget (page, "history_search_error_label");
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  GtkSingleSelection *rows;
  g_autoptr(GError) expected = NULL;

  create_ledger (0, "Bank", "USD");
  /* Versions: 1 opened, 2 to 5 these. */
  record ("12", "2026-01-05", "Bakery", "bread");
  record ("300", "2026-02-01", "Landlord", "rent");
  record ("8.50", "2026-02-10", "bakery corner", NULL);
  record ("45", "2026-03-01", "Grocer", "bread and milk");
  QL_TEST_WAIT_FOR (history_length () == 5, 2000);
  ck_assert (!gtk_search_bar_get_search_mode (bar));

  ql_test_activate (page, "history_search_button");
  ck_assert (gtk_search_bar_get_search_mode (bar));

  /* The text is found in payee or memo, in any case. */
  ql_test_set_text (page, "history_search_entry", "BREAD");
  QL_TEST_WAIT_FOR (history_length () == 2, 2000);
  ck_assert_int_eq (history_version (0), 2);
  ck_assert_int_eq (history_version (1), 5);

  ql_test_set_text (page, "history_search_entry", "bakery");
  QL_TEST_WAIT_FOR (history_length () == 2 && history_version (1) == 4, 2000);
  ck_assert_int_eq (history_version (0), 2);
  ck_assert_str_eq (gtk_stack_get_visible_child_name (stack), "rows");

  /* Picking the second row shown travels to its version, 4, not to 2. */
  rows = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  gtk_single_selection_set_selected (rows, 1);
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "past_state_label"), "320.50 USD"), 1000);
  ck_assert_int_eq ((int) gtk_range_get_value (scale), 4);
  /* And the slider finds the row of its version among those shown. */
  gtk_range_set_value (scale, 2);
  ck_assert_uint_eq (gtk_single_selection_get_selected (rows), 0);
  gtk_range_set_value (scale, 3);
  ck_assert_uint_eq (gtk_single_selection_get_selected (rows), GTK_INVALID_LIST_POSITION);
  gtk_range_set_value (scale, 5);

  /* Nothing found says so. */
  ql_test_set_text (page, "history_search_entry", "nobody");
  QL_TEST_WAIT_FOR (history_length () == 0, 2000);
  ck_assert_str_eq (gtk_stack_get_visible_child_name (stack), "none");

  /* An amount range, with no text. */
  ql_test_set_text (page, "history_search_entry", "");
  ql_test_set_text (page, "history_min_entry", "10");
  ql_test_set_text (page, "history_max_entry", "50");
  ql_test_activate (page, "history_max_entry");
  QL_TEST_WAIT_FOR (history_length () == 2 && history_version (0) == 2, 2000);
  ck_assert_int_eq (history_version (1), 5);
  ck_assert_str_eq (gtk_stack_get_visible_child_name (stack), "rows");

  /* And a date range on top of it. */
  ql_test_set_text (page, "history_from_entry", "2026-02-01");
  ql_test_activate (page, "history_from_entry");
  QL_TEST_WAIT_FOR (history_length () == 1, 2000);
  ck_assert_int_eq (history_version (0), 5);

  /* A new matching change shows up while the search stays. */
  record ("20", "2026-04-01", "Grocer", NULL);
  QL_TEST_WAIT_FOR (history_length () == 2, 2000);
  ck_assert_int_eq (history_version (1), 6);

  /* What the book cannot read is said under the bar, as the book says it. */
  ql_test_set_text (page, "history_min_entry", "abc");
  ql_test_activate (page, "history_min_entry");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert_ptr_null (ql_ledger_book_find_events (test_app->ledger_book, "Bank",
                                                  &(QlEventFilter) { .min_amount = "abc" },
                                                  &expected));
  ck_assert_str_eq (ql_test_label_text (page, "history_search_error_label"), expected->message);
  ql_test_set_text (page, "history_min_entry", "");
  ql_test_activate (page, "history_min_entry");
  ck_assert (!gtk_widget_get_visible (error_label));

  /* Escape closes the bar, empties it and shows the whole history again. */
  g_signal_emit_by_name (ql_test_find_widget (page, "history_search_entry"), "stop-search");
  ql_test_spin (20);
  ck_assert (!gtk_search_bar_get_search_mode (bar));
  ck_assert_uint_eq (history_length (), 6);
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (page, "history_from_entry"))), "");

  /* Ctrl+F searches the history while it has the focus, else the ledgers. */
  ck_assert (gtk_widget_grab_focus (GTK_WIDGET (view)));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.search", NULL));
  ck_assert (gtk_search_bar_get_search_mode (bar));
  ck_assert (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (test_app->window)),
                                     ql_test_find_widget (page, "history_search_entry")));
  ck_assert (gtk_widget_grab_focus (ql_test_find_widget (page, "amount_entry")));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.search", NULL));
  ck_assert (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (test_app->window)),
                                     ql_test_find_widget (page, "ledger_search_entry")));
}
END_TEST

static Suite *
ledgers_page_suite (void)
{
  Suite *suite = suite_create ("QlLedgersPage");
  struct {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "create-and-deposit", test_create_and_deposit },
    { "validation-errors-shown", test_validation_errors_shown },
    { "item-and-undo", test_item_and_undo },
    { "history-reads-words", test_history_reads_words },
    { "change-actions-follow-ledger-kind", test_change_actions_follow_ledger_kind },
    { "showing-asks-nothing", test_showing_asks_nothing },
    { "ctrl-z-in-entry-edits-text", test_ctrl_z_in_entry_edits_text },
    { "undo-disabled-with-nothing-to-undo", test_undo_disabled_with_nothing_to_undo },
    { "undo-toast-reverses-again", test_undo_toast_reverses_again },
    { "time-travel", test_time_travel },
    { "narrow-window-folds", test_narrow_window_folds },
    { "import-csv", test_import_csv },
    { "import-journal", test_import_journal },
    { "errors-belong-to-their-action", test_errors_belong_to_their_action },
    { "amounts-in-the-locales-notation", test_amounts_in_the_locales_notation },
#ifndef __SANITIZE_ADDRESS__
    /* The file chooser takes GLib past 2048 quarks, and GLib then drops its
     * first quark array on purpose, unfreed; LeakSanitizer's stacks cannot
     * tell that block from a leak of ours, so this runs without ASan only. */
    { "import-button-opens-chooser", test_import_button_opens_chooser },
#endif
    { "read-only-offers-no-changes", test_read_only_offers_no_changes },
    { "long-history-read-lazily", test_long_history_read_lazily },
    { "live-updates-from-another-process", test_live_updates_from_another_process },
    { "damaged-ledger-is-read-only", test_damaged_ledger_is_read_only },
    { "search-history", test_search_history },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_set_timeout (tcase, 60);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }

  return suite;
}

int
main (void)
{
  return ql_test_run_suite (ledgers_page_suite ());
}
