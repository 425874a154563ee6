/* test-window-ux.c: the window as its users expect it: room for the list
 * of ledgers, keyboard focus, search and shortcuts, time travel, layout,
 * currencies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-window-ux"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "ql-test-gtk.h"
#include "ql-test-model.h"
#include "ql-test-postgres.h"
#include "ql-store.h"

static QlTestApp *test_app;
static GtkWidget *page;

static void
setup (void)
{
  test_app = ql_test_app_new (FALSE);
  page = ql_test_app_show_ledgers (test_app);
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
  page = NULL;
}

static void
open_accounts (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("Account %02u", i);

      ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, name, "", NULL)));
    }
}

static GtkWidget *
focus (void)
{
  return gtk_root_get_focus (GTK_ROOT (test_app->window));
}

static gboolean
focus_is_in (const char *id)
{
  GtkWidget *widget = ql_test_find_widget (GTK_WIDGET (test_app->window), id);
  GtkWidget *focused = focus ();

  return focused != NULL && (focused == widget || gtk_widget_is_ancestor (focused, widget));
}

/* What the Tab key does: the window moves its focus. */
static void
press_tab (GtkDirectionType direction)
{
  g_signal_emit_by_name (test_app->window, "move-focus", direction);
  ql_test_spin (20);
}

static guint
ledger_rows (void)
{
  GtkListView *list = GTK_LIST_VIEW (ql_test_find_widget (page, "ledger_list"));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list)));
}

/* The New Ledger form pops up over the list instead of taking half of
 * the sidebar under it. */
START_TEST (test_list_gets_the_room)
{
  GtkWidget *scroller = ql_test_find_widget (page, "ledger_scroller");
  GtkWidget *button = ql_test_find_widget (page, "new_ledger_button");
  GtkWidget *popover = ql_test_find_widget (page, "new_ledger_popover");
  GtkWidget *sidebar;
  graphene_rect_t list_bounds;
  graphene_rect_t sidebar_bounds;

  open_accounts (40);
  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (scroller), 5000);

  /* Laid out when the list holds its share, or after 5 s at the most: a
   * slow build takes longer to get there. */
  sidebar = gtk_widget_get_ancestor (scroller, GTK_TYPE_BOX);
  for (gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       g_get_monotonic_time () < deadline; ql_test_spin (20))
    {
      ck_assert (gtk_widget_compute_bounds (scroller, sidebar, &list_bounds));
      ck_assert (gtk_widget_compute_bounds (sidebar, sidebar, &sidebar_bounds));
      if (list_bounds.size.height >= 0.8 * sidebar_bounds.size.height)
        break;
    }
  ck_assert_msg (list_bounds.size.height >= 0.8 * sidebar_bounds.size.height,
                 "the list has %.0f of the sidebar's %.0f px",
                 list_bounds.size.height, sidebar_bounds.size.height);
  ck_assert (!gtk_widget_get_visible (popover));

  /* The form opens from its button; a failure keeps it open with what
   * was typed, a ledger created closes it. */
  ck_assert (gtk_popover_get_autohide (GTK_POPOVER (popover)));
  ql_test_open_popover (button);
  ck_assert (focus_is_in ("name_row"));
  ql_test_set_text (page, "name_row", "Account 00");
  ql_test_activate (page, "create_button");
  ck_assert (gtk_widget_get_visible (popover));
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "create_error_label")));

  ql_test_set_text (page, "name_row", "Travel");
  ql_test_activate (page, "create_button");
  QL_TEST_WAIT_FOR (!gtk_widget_get_visible (popover), 2000);
  ck_assert_ptr_nonnull (ql_ledger_book_lookup (test_app->ledger_book, "Travel"));
  ck_assert_str_eq (ql_ledgers_page_get_selected_ledger (QL_LEDGERS_PAGE (page)), "Travel");
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (page, "name_row"))), "");
}
END_TEST

/* Each page starts where its work does: typing on the Quotes page goes
 * to the number it asks for, on the Ledgers page to the list. */
START_TEST (test_each_page_a_first_focus)
{
  open_accounts (3);

  ql_window_show_page (test_app->window, "quotes");
  ql_test_spin (20);
  ck_assert (focus_is_in ("index_entry"));

  ql_window_show_page (test_app->window, "ledgers");
  ql_test_spin (20);
  ck_assert (focus_is_in ("ledger_list"));
}
END_TEST

/* A list is one stop of the Tab chain, however many rows it has. */
START_TEST (test_one_tab_stop_per_list)
{
  GtkWidget *history = ql_test_find_widget (page, "history_view");

  open_accounts (12);
  for (guint i = 0; i < 30; i++)
    ck_assert (ql_test_drop_event (ql_ledger_book_deposit (test_app->ledger_book, "Account 00", "1", NULL)));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Account 00");
  ql_test_spin (100);

  ql_ledgers_page_focus_first (QL_LEDGERS_PAGE (page));
  ck_assert (focus_is_in ("ledger_list"));
  press_tab (GTK_DIR_TAB_FORWARD);
  ck_assert_msg (!focus_is_in ("ledger_list"), "Tab stayed in the list of ledgers");

  ck_assert (gtk_widget_child_focus (history, GTK_DIR_TAB_FORWARD));
  ck_assert (focus_is_in ("history_view"));
  press_tab (GTK_DIR_TAB_FORWARD);
  ck_assert_msg (!focus_is_in ("history_view"), "Tab stayed in the history");

  /* Shift+Tab comes back into the history at once, and leaves it at once. */
  press_tab (GTK_DIR_TAB_BACKWARD);
  ck_assert (focus_is_in ("history_view"));
  press_tab (GTK_DIR_TAB_BACKWARD);
  ck_assert_msg (!focus_is_in ("history_view"), "Shift+Tab stayed in the history");
}
END_TEST

/* Ctrl+F searches what the page shows: on the Ledgers page, the list. */
START_TEST (test_search_per_page)
{
  GtkWidget *filter = ql_test_find_widget (page, "ledger_search_entry");
  GtkWidget *quotes;

  open_accounts (5);
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Cash", "", NULL)));
  ql_test_spin (20);
  ck_assert_uint_eq (ledger_rows (), 6);

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.search", NULL));
  ql_test_spin (20);
  ck_assert (gtk_widget_is_visible (page));
  ck_assert (focus_is_in ("ledger_search_entry"));

  /* Caseless, by part of the name, and the shown ledger stays shown. */
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Account 03");
  gtk_editable_set_text (GTK_EDITABLE (filter), "cas");
  QL_TEST_WAIT_FOR (ledger_rows () == 1, 2000);
  ck_assert_str_eq (ql_ledgers_page_get_selected_ledger (QL_LEDGERS_PAGE (page)), "Account 03");
  ck_assert_str_eq (ql_test_label_text (page, "name_label"), "Account 03");

  /* Escape clears the filter. */
  g_signal_emit_by_name (filter, "stop-search");
  QL_TEST_WAIT_FOR (ledger_rows () == 6, 2000);

  /* A ledger asked for by name is shown, even when the filter hid it. */
  gtk_editable_set_text (GTK_EDITABLE (filter), "cash");
  QL_TEST_WAIT_FOR (ledger_rows () == 1, 2000);
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Account 04");
  ck_assert_uint_eq (ledger_rows (), 6);
  ck_assert_str_eq (ql_ledgers_page_get_selected_ledger (QL_LEDGERS_PAGE (page)), "Account 04");

  /* On the Quotes page, Ctrl+F searches quotes. */
  ql_window_show_page (test_app->window, "quotes");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.search", NULL));
  ql_test_spin (20);
  /* The quotes' own entry: a drop-down's popup has one of that id too. */
  quotes = GTK_WIDGET (ql_window_get_quotes_page (test_app->window));
  ck_assert (gtk_widget_is_ancestor (focus (), ql_test_find_widget (quotes, "search_entry")));
}
END_TEST

static void
collect_shortcuts (GtkWidget  *widget,
                   GHashTable *listed)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *action = NULL;
      g_autofree char *accel = NULL;

      g_object_get (widget, "action-name", &action, "accelerator", &accel, NULL);
      if (action != NULL)
        g_hash_table_add (listed, g_steal_pointer (&action));
      if (accel != NULL)
        g_hash_table_add (listed, g_steal_pointer (&accel));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, listed);
}

/* Every shortcut the application has is in the shortcuts window, and the
 * Ledgers page's own do what they say. */
START_TEST (test_shortcuts_listed_and_working)
{
  GtkApplication *app = GTK_APPLICATION (test_app->app);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (test_app->window));
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) actions = gtk_application_list_action_descriptions (app);
  const struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "win.new-ledger", "<Control>n" },
    { "win.import", "<Control>o" },
    { "win.enter-amount", "<Control>e" },
  };

  ck_assert_ptr_nonnull (overlay);
  collect_shortcuts (GTK_WIDGET (overlay), listed);
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, actions[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        ck_assert_msg (g_hash_table_contains (listed, actions[i]) ||
                       g_hash_table_contains (listed, accels[j]),
                       "%s (%s) is not in the shortcuts window", actions[i], accels[j]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, expected[i].action);

      ck_assert_msg (accels[0] != NULL && g_str_equal (accels[0], expected[i].accel),
                     "%s has no accelerator %s", expected[i].action, expected[i].accel);
      ck_assert (g_hash_table_contains (listed, expected[i].action));
    }

  /* New Ledger opens the form from any page. */
  ql_window_show_page (test_app->window, "quotes");
  gtk_popover_set_autohide (GTK_POPOVER (ql_test_find_widget (page, "new_ledger_popover")), FALSE);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.new-ledger", NULL));
  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (ql_test_find_widget (page, "new_ledger_popover")), 5000);
  ck_assert (focus_is_in ("name_row"));
  gtk_popover_popdown (GTK_POPOVER (ql_test_find_widget (page, "new_ledger_popover")));

  /* The amount entry, once there is a ledger to change. */
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Cash", "", NULL)));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Cash");
  ql_window_show_page (test_app->window, "quotes");
  ql_test_spin (20);
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.enter-amount", NULL));
  ql_test_spin (20);
  ck_assert (focus_is_in ("amount_entry"));

  /* Import is the page's own import, enabled while the ledgers can change. */
  ck_assert (g_action_group_get_action_enabled (G_ACTION_GROUP (test_app->window), "import"));
}
END_TEST

static GtkAdjustment *
history_scrolling (void)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (ql_test_find_widget (page, "history_view")));
}

static guint
history_selected (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));

  return gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_column_view_get_model (view)));
}

/* The slider and the history show one version: its row is selected and in
 * sight, the label says its date and whether it is the past; a row picked
 * moves the slider. With one version, there is no slider. */
START_TEST (test_slider_and_history_linked)
{
  GtkWidget *box = ql_test_find_widget (page, "time_travel_box");
  GtkWidget *scale = ql_test_find_widget (page, "version_scale");
  GtkWidget *label = ql_test_find_widget (page, "version_label");
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  GtkAdjustment *scrolling;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Jar", "", NULL)));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Jar");
  ql_test_spin (50);
  ck_assert_str_eq (ql_test_label_text (page, "name_label"), "Jar");
  ck_assert (!gtk_widget_get_visible (box));

  for (guint i = 0; i < 59; i++)
    ck_assert (ql_test_drop_event (ql_ledger_book_deposit (test_app->ledger_book, "Jar", "1", NULL)));
  ql_test_spin (100);
  ck_assert (gtk_widget_get_visible (box));

  /* A deposit through the window: its row is the newest, selected and in sight. */
  ql_test_set_text (page, "amount_entry", "1");
  ql_test_activate (page, "plus_button");
  ql_test_spin (100);
  ck_assert_int_eq ((int) gtk_range_get_value (GTK_RANGE (scale)), 61);
  ck_assert_uint_eq (history_selected (), 60);
  scrolling = history_scrolling ();
  ck_assert_msg (gtk_adjustment_get_value (scrolling) + gtk_adjustment_get_page_size (scrolling) >=
                 gtk_adjustment_get_upper (scrolling) - 1,
                 "the newest row is out of sight: %.0f + %.0f of %.0f",
                 gtk_adjustment_get_value (scrolling), gtk_adjustment_get_page_size (scrolling),
                 gtk_adjustment_get_upper (scrolling));
  ck_assert_msg (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Now: version 61, 20"),
                 "“%s”", gtk_label_get_text (GTK_LABEL (label)));
  ck_assert (!gtk_widget_has_css_class (label, "past"));

  /* The slider moved back: the row comes into sight, and the slider keeps the focus. */
  ck_assert (gtk_widget_grab_focus (scale));
  gtk_range_set_value (GTK_RANGE (scale), 3);
  ql_test_spin (100);
  ck_assert (focus_is_in ("version_scale"));
  ck_assert_uint_eq (history_selected (), 2);
  ck_assert_msg (gtk_adjustment_get_value (scrolling) + gtk_adjustment_get_page_size (scrolling) <
                 gtk_adjustment_get_upper (scrolling) / 2, "the row of version 3 is out of sight");
  ck_assert_msg (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Viewing the past: version 3 of 61, 20"),
                 "“%s”", gtk_label_get_text (GTK_LABEL (label)));
  ck_assert (gtk_widget_has_css_class (label, "past"));
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "past_state_label"), "2"), 1000);

  /* A row picked in the history moves the slider to its version. */
  gtk_selection_model_select_item (gtk_column_view_get_model (view), 9, TRUE);
  ql_test_spin (20);
  ck_assert_int_eq ((int) gtk_range_get_value (GTK_RANGE (scale)), 10);
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "past_state_label"), "9"), 1000);
}
END_TEST

static guint64
history_version_at (guint position)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  g_autoptr(GObject) row = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), position);
  gint64 version = 0;

  ck_assert_ptr_nonnull (row);
  g_object_get (row, "version", &version, NULL);
  return (guint64) version;
}

static gboolean
history_at_top (void)
{
  return gtk_adjustment_get_value (history_scrolling ()) < 1;
}

/* Newest first is the user's choice, kept in the settings: the newest row
 * leads, in sight without scrolling, and the slider still finds its row. */
START_TEST (test_history_newest_first_by_choice)
{
  GSettings *settings = ql_application_get_settings (test_app->app);
  GtkWidget *button = ql_test_find_widget (page, "history_order_button");
  GtkWidget *scale = ql_test_find_widget (page, "version_scale");

  ck_assert (!ql_ledgers_page_get_newest_first (QL_LEDGERS_PAGE (page)));
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Jar", "", NULL)));
  for (guint i = 0; i < 80; i++)
    ck_assert (ql_test_drop_event (ql_ledger_book_deposit (test_app->ledger_book, "Jar", "1", NULL)));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Jar");
  ql_test_spin (100);
  ck_assert_uint_eq (history_version_at (0), 1);
  ck_assert_uint_eq (history_selected (), 80);
  QL_TEST_WAIT_FOR (!history_at_top (), 2000);

  ql_test_activate (page, "history_order_button");
  ql_test_spin (100);
  ck_assert (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  ck_assert (g_settings_get_boolean (settings, "history-newest-first"));
  ck_assert_uint_eq (history_version_at (0), 81);
  ck_assert_uint_eq (history_version_at (80), 1);
  ck_assert_uint_eq (history_selected (), 0);
  QL_TEST_WAIT_FOR (history_at_top (), 2000);

  /* A deposit through the window leads the list, selected and in sight. */
  ql_test_set_text (page, "amount_entry", "1");
  ql_test_activate (page, "plus_button");
  ql_test_spin (100);
  ck_assert_uint_eq (history_version_at (0), 82);
  ck_assert_uint_eq (history_selected (), 0);
  QL_TEST_WAIT_FOR (history_at_top (), 2000);

  /* The slider's row, counted from the newest. */
  gtk_range_set_value (GTK_RANGE (scale), 3);
  ql_test_spin (100);
  ck_assert_uint_eq (history_selected (), 79);
  ck_assert_uint_eq (history_version_at (79), 3);
  QL_TEST_WAIT_FOR (!history_at_top (), 2000);

  /* Changed in the settings, as a new window would read them. */
  g_settings_set_boolean (settings, "history-newest-first", FALSE);
  ql_test_spin (100);
  ck_assert (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  ck_assert_uint_eq (history_version_at (0), 1);
  ck_assert_uint_eq (history_selected (), 2);
}
END_TEST

/* Whether @widget lies wholly inside what @scroller shows. */
static gboolean
in_sight (GtkWidget *widget,
          GtkWidget *scroller)
{
  graphene_rect_t bounds;

  return gtk_widget_compute_bounds (widget, scroller, &bounds) && bounds.origin.x >= 0 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (scroller);
}

/* A widget is cut when it has less than its natural width, or when it
 * reaches beyond its parent, which clips it: a label never gets less than
 * its minimum, so a column too narrow for it shows that way. */
static gboolean
is_cut (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);
  graphene_rect_t bounds;
  int natural;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  if (gtk_widget_get_width (widget) < natural)
    return TRUE;
  if (parent == NULL || !gtk_widget_compute_bounds (widget, parent, &bounds))
    return FALSE;
  return bounds.origin.x < -0.5 ||
         bounds.origin.x + bounds.size.width > gtk_widget_get_width (parent) + 0.5;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_str_equal (gtk_label_get_text (GTK_LABEL (root)), text) &&
      gtk_widget_get_mapped (root))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
laid_out (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_width (widget) > 0;
}

/* The window holds from 360 px wide to full screen: a 12-digit balance is
 * never cut in the history, although the rows first shown held small ones,
 * the balance heading wraps, a long name has a tooltip, and the sidebar
 * keeps its width whatever it lists. */
START_TEST (test_layout_holds_at_every_width)
{
  const char *name = "Yen savings for a very long journey around the world";
  AdwLeaflet *leaflet = ADW_LEAFLET (ql_test_find_widget (page, "leaflet"));
  GtkWidget *sidebar = gtk_widget_get_ancestor (ql_test_find_widget (page, "ledger_scroller"), GTK_TYPE_BOX);
  GtkWidget *history = ql_test_find_widget (page, "history_view");
  GtkAdjustment *scrolling;
  const char *balance;
  GtkWidget *cell;
  GtkWidget *form;
  int minimum;
  int width;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Cash", "EUR", NULL)));
  ql_test_spin (50);
  width = gtk_widget_get_width (sidebar);

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, name, "JPY", NULL)));
  for (guint i = 0; i < 200; i++)
    ck_assert (ql_test_drop_event (ql_ledger_book_deposit (test_app->ledger_book, name, "5", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (test_app->ledger_book, name, "123456789012", NULL)));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), name);
  ql_ledgers_page_show_import_result (QL_LEDGERS_PAGE (page),
                                      "Imported 100000 events into 2000 ledgers from a long file name.csv", FALSE);
  ql_test_spin (100);
  ck_assert_int_eq (gtk_widget_get_width (sidebar), width);

  /* The oldest rows, shown first, sized the balance column; the page
   * opens at the newest. */
  balance = ql_test_label_text (page, "balance_label");
  ck_assert_msg (strstr (balance, "123456790012") != NULL, "%s", balance);
  /* A cell not yet allocated is 0 px wide: a slow build lays out later. */
  QL_TEST_WAIT_FOR (laid_out (find_label (history, balance)), 3000);
  cell = find_label (history, balance);
  ck_assert_ptr_nonnull (cell);
  ck_assert_msg (!is_cut (cell), "the balance is cut to %d px", gtk_widget_get_width (cell));
  ck_assert_msg (in_sight (cell, ql_test_find_widget (page, "history_scroller")),
                 "the balance needs scrolling sideways at %d px",
                 gtk_widget_get_width (GTK_WIDGET (test_app->window)));

  /* Scrolled to the oldest rows and back, the column still fits it. */
  scrolling = history_scrolling ();
  gtk_adjustment_set_value (scrolling, 0);
  QL_TEST_WAIT_FOR (find_label (history, balance) == NULL, 2000);
  gtk_adjustment_set_value (scrolling, gtk_adjustment_get_upper (scrolling));
  QL_TEST_WAIT_FOR (find_label (history, balance) != NULL, 2000);
  ql_test_spin (100);
  cell = find_label (history, balance);
  ck_assert_msg (!is_cut (cell), "the balance is cut to %d px", gtk_widget_get_width (cell));
  ck_assert_str_eq (gtk_widget_get_tooltip_text (ql_test_find_widget (page, "name_label")), name);

  gtk_window_set_default_size (GTK_WINDOW (test_app->window), 360, 600);
  QL_TEST_WAIT_FOR (adw_leaflet_get_folded (leaflet), 5000);
  adw_leaflet_set_visible_child_name (leaflet, "detail");
  ql_test_spin (200);
  gtk_widget_measure (GTK_WIDGET (test_app->window), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  ck_assert_int_le (minimum, 360);
  QL_TEST_WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (test_app->window)) <= 360, 2000);
  ck_assert (!is_cut (ql_test_find_widget (page, "balance_label")) ||
             gtk_label_get_wrap (GTK_LABEL (ql_test_find_widget (page, "balance_label"))));
  ck_assert_int_le (gtk_widget_get_width (ql_test_find_widget (page, "balance_label")), 360);
  /* The payee and the memo take two rows rather than shrink to a word. */
  form = ql_test_find_widget (page, "change_form");
  ck_assert_int_ge (gtk_widget_get_width (ql_test_find_widget (form, "payee_entry")), 120);
  ck_assert_int_ge (gtk_widget_get_width (ql_test_find_widget (form, "memo_entry")), 120);

  /* The history scrolls sideways rather than cutting its columns. */
  cell = find_label (history, balance);
  ck_assert_ptr_nonnull (cell);
  ck_assert (!is_cut (cell));
}
END_TEST

static void
use_locale (const char *name)
{
  ck_assert_msg (setlocale (LC_NUMERIC, name) != NULL && setlocale (LC_MONETARY, name) != NULL,
                 "the %s locale is missing (tools/install-deps makes it)", name);
}

static const char *
balance_shown (const char *ledger)
{
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), ledger);
  ql_test_spin (20);
  return ql_test_label_text (page, "balance_label");
}

/* Amounts are grouped, and the currency placed, as the locale does: its
 * own currency by symbol, any other by code; C keeps the code after. */
START_TEST (test_currency_as_the_locale_places_it)
{
  QlLedgerBook *book = test_app->ledger_book;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Dollars", "USD", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Dollars", "1234567.5", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Euros", "EUR", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Euros", "1234.5", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Yuan", "CNY", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Yuan", "88888", NULL)));

  use_locale ("en_US.UTF-8");
  ck_assert_str_eq (balance_shown ("Dollars"), "$1,234,567.50");
  ck_assert_str_eq (balance_shown ("Euros"), "EUR 1,234.50");

  use_locale ("zh_CN.UTF-8");
  ck_assert_str_eq (balance_shown ("Yuan"), "￥88,888.00");
  ck_assert_str_eq (balance_shown ("Euros"), "EUR 1,234.50");

  use_locale ("C");
  ck_assert_str_eq (balance_shown ("Dollars"), "1234567.50 USD");
}
END_TEST

/* The PostgreSQL server goes away under the window and comes back: the
 * window says it is reconnecting, then shows what others wrote meanwhile. */
START_TEST (test_reconnecting_shown_and_cleared)
{
  g_autoptr(GError) error = NULL;
  QlTestPostgres *cluster = ql_test_postgres_start (&error);
  g_autofree char *conninfo = NULL;
  g_autoptr(QlEventStore) writer_store = NULL;
  g_autoptr(QlLedgerBook) writer = NULL;
  GtkWidget *notice;

  ck_assert_msg (cluster != NULL, "%s", error != NULL ? error->message : "");
  conninfo = ql_test_postgres_database ("window-reconnects");
  test_app = ql_test_app_new_on (conninfo);
  page = GTK_WIDGET (ql_window_get_ledgers_page (test_app->window));
  ql_window_show_page (test_app->window, "ledgers");
  notice = ql_test_find_widget (page, "reconnecting_box");
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, "Shared", "", NULL)));
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), "Shared");
  ql_test_spin (50);
  ck_assert (!gtk_widget_get_visible (notice));

  ck_assert_msg (ql_test_postgres_crash (cluster, &error), "%s", error != NULL ? error->message : "");
  QL_TEST_WAIT_FOR (gtk_widget_get_visible (notice), 15000);
  ck_assert_ptr_nonnull (strstr (gtk_widget_get_tooltip_text (ql_test_find_widget (page, "reconnecting_label")),
                                 "PostgreSQL"));

  ck_assert_msg (ql_test_postgres_restart (cluster, &error), "%s", error != NULL ? error->message : "");
  writer_store = ql_store_open (conninfo, &error);
  ck_assert_msg (writer_store != NULL, "%s", error != NULL ? error->message : "");
  writer = ql_ledger_book_new (writer_store, &error);
  ck_assert_msg (writer != NULL, "%s", error != NULL ? error->message : "");
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (writer, "Shared", "5", NULL)));

  QL_TEST_WAIT_FOR (!gtk_widget_get_visible (notice), 20000);
  QL_TEST_WAIT_FOR (g_str_equal (ql_test_label_text (page, "balance_label"), "5"), 2000);

  g_clear_object (&writer);
  g_clear_object (&writer_store);
  g_clear_pointer (&test_app, ql_test_app_free);
  ql_test_postgres_stop (cluster);
}
END_TEST

static Suite *
window_ux_suite (void)
{
  Suite *suite = suite_create ("QlWindowUx");
  struct {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "list-gets-the-room", test_list_gets_the_room },
    { "each-page-a-first-focus", test_each_page_a_first_focus },
    { "one-tab-stop-per-list", test_one_tab_stop_per_list },
    { "search-per-page", test_search_per_page },
    { "shortcuts-listed-and-working", test_shortcuts_listed_and_working },
    { "slider-and-history-linked", test_slider_and_history_linked },
    { "layout-holds-at-every-width", test_layout_holds_at_every_width },
    { "history-newest-first-by-choice", test_history_newest_first_by_choice },
    { "currency-as-the-locale-places-it", test_currency_as_the_locale_places_it },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_set_timeout (tcase, 60);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }

  {
    TCase *tcase = tcase_create ("reconnecting-shown-and-cleared");

    tcase_set_timeout (tcase, 90);
    tcase_add_test (tcase, test_reconnecting_shown_and_cleared);
    suite_add_tcase (suite, tcase);
  }

  return suite;
}

int
main (void)
{
  return ql_test_run_suite (window_ux_suite ());
}
