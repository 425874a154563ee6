/* test-ledger-transactions.c: a change's day, payee and memo, transfers,
 * corrections and the balance on a day, driven through the Ledgers page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ledger-transactions"

#include "config.h"

#include <string.h>

#include "ql-dates.h"
#include "ql-ledger-events.h"
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
open_account (const char *name,
              const char *currency)
{
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (test_app->ledger_book, name,
                                                              currency, NULL)));
}

static void
record (const char *name,
        const char *type,
        const char *amount,
        const char *date,
        const char *memo)
{
  QlChangeNote note = { date, NULL, memo };
  g_autoptr(GError) error = NULL;

  ck_assert_msg (ql_test_drop_event (ql_ledger_book_record_change (test_app->ledger_book, name,
                                                                   type, amount, &note, &error)),
                 "%s", error != NULL ? error->message : "");
}

static void
show (const char *name)
{
  ql_ledgers_page_select_ledger (QL_LEDGERS_PAGE (page), name);
  ql_test_spin (50);
}

static guint
history_length (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view)));
}

static char *
history_cell (guint       row,
              const char *property)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ql_test_find_widget (page, "history_view"));
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)),
                                                   row);
  char *text = NULL;

  g_object_get (item, property, &text, NULL);
  return text;
}

static GtkWidget *find_label (GtkWidget  *root,
                              const char *text);

/* A label on screen under @root that reads @text. */
static gboolean
shows_label (GtkWidget  *root,
             const char *text)
{
  return find_label (root, text) != NULL;
}

/* The day as the window writes it, for the locale the test runs in. */
static char *
local_day (int year,
           int month,
           int day)
{
  g_autoptr(GDateTime) time = g_date_time_new_local (year, month, day, 12, 0, 0);

  return g_date_time_format (time, "%x");
}

/* Picks a day in the calendar of @form's date button, as a click would. */
static void
pick_day (GtkWidget *form,
          int        year,
          int        month,
          int        day)
{
  GtkWidget *button = ql_test_find_widget (form, "date_button");
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  g_autoptr(GDateTime) time = g_date_time_new_local (year, month, day, 12, 0, 0);

  ql_test_open_popover (button);
  gtk_calendar_select_day (GTK_CALENDAR (ql_test_find_widget (popover, "date_calendar")), time);
  QL_TEST_WAIT_FOR (!gtk_widget_get_visible (popover), 2000);
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      g_str_equal (gtk_label_get_text (GTK_LABEL (root)), text))
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

/* What a press of the right mouse button on @widget tells its gestures. */
static void
right_click (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = NULL;
  gboolean clicked = FALSE;

  ck_assert_ptr_nonnull (widget);
  controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller) &&
          gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == GDK_BUTTON_SECONDARY)
        {
          g_signal_emit_by_name (controller, "pressed", 1, 1.0, 1.0);
          clicked = TRUE;
        }
    }
  ck_assert_msg (clicked, "nothing answers a right click there");
  ql_test_spin (20);
}

static QlEvent *
stored_event (const char *name,
              gint64      version)
{
  g_autoptr(GPtrArray) events = ql_ledger_book_list_events (test_app->ledger_book, name, NULL);

  ck_assert_ptr_nonnull (events);
  ck_assert_uint_ge (events->len, (guint) version);
  return g_object_ref (g_ptr_array_index (events, version - 1));
}

/* A deposit with a day, payee and memo set in the form carries them: in
 * the history's row and in the stored event. The next one is dated today. */
START_TEST (test_change_carries_day_payee_and_memo)
{
  GtkWidget *form = ql_test_find_widget (page, "change_form");
  g_autofree char *june = local_day (2026, 6, 30);
  g_autofree char *day = NULL;
  g_autofree char *date = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autofree char *stored_payee = NULL;
  g_autofree char *stored_memo = NULL;
  g_autoptr(QlEvent) event = NULL;
  g_autoptr(QlEvent) later = NULL;
  g_autofree char *today_text = NULL;
  GDate stored;
  GDate today;

  open_account ("Cash", "EUR");
  show ("Cash");

  /* The form starts on today, in the local time zone. */
  g_date_clear (&today, 1);
  ql_date_set_today (&today);
  today_text = local_day (g_date_get_year (&today), g_date_get_month (&today),
                          g_date_get_day (&today));
  ck_assert_str_eq (gtk_menu_button_get_label (GTK_MENU_BUTTON (ql_test_find_widget (form, "date_button"))),
                    today_text);

  pick_day (form, 2026, 6, 30);
  ck_assert_str_eq (gtk_menu_button_get_label (GTK_MENU_BUTTON (ql_test_find_widget (form, "date_button"))),
                    june);
  ql_test_set_text (form, "payee_entry", "Bakery Müller");
  ql_test_set_text (form, "memo_entry", "Bread for the week");
  ql_test_set_text (page, "amount_entry", "12.50");
  ql_test_activate (page, "plus_button");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 1250);

  ck_assert_uint_eq (history_length (), 2);
  day = history_cell (1, "day");
  date = history_cell (1, "date");
  payee = history_cell (1, "payee");
  memo = history_cell (1, "memo");
  ck_assert_str_eq (day, "2026-06-30");
  ck_assert_str_eq (date, june);
  ck_assert_str_eq (payee, "Bakery Müller");
  ck_assert_str_eq (memo, "Bread for the week");
  /* The columns show them. */
  ck_assert (shows_label (ql_test_find_widget (page, "history_view"), june));
  ck_assert (shows_label (ql_test_find_widget (page, "history_view"), "Bakery Müller"));
  ck_assert (shows_label (ql_test_find_widget (page, "history_view"), "Bread for the week"));

  event = stored_event ("Cash", 2);
  ck_assert (ql_event_get_date (event, &stored));
  ck_assert_int_eq (g_date_get_year (&stored), 2026);
  ck_assert_int_eq (g_date_get_month (&stored), 6);
  ck_assert_int_eq (g_date_get_day (&stored), 30);
  stored_payee = ql_event_dup_payee (event);
  stored_memo = ql_event_dup_memo (event);
  ck_assert_str_eq (stored_payee, "Bakery Müller");
  ck_assert_str_eq (stored_memo, "Bread for the week");

  /* The form is clear again, and a change without a day is today's. */
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (form, "payee_entry"))), "");
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (form, "memo_entry"))), "");
  ql_test_set_text (page, "amount_entry", "1");
  ql_test_activate (page, "minus_button");
  later = stored_event ("Cash", 3);
  ck_assert (ql_event_get_date (later, &stored));
  ck_assert_int_eq (g_date_compare (&stored, &today), 0);
  ck_assert_ptr_null (ql_event_dup_payee (later));

  /* A payee the model refuses is shown as it says, and nothing is written. */
  ql_test_set_text (form, "payee_entry", "Bad\x01payee");
  ql_test_set_text (page, "amount_entry", "1");
  ql_test_activate (page, "plus_button");
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "change_error_label")));
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "Cash")), 3);
}
END_TEST

/* A transfer moves the amount out of one ledger and into the other; the
 * choice lists only ledgers of the same currency; an overdraw refuses
 * both legs and says so on the form until the next action. */
START_TEST (test_transfer_moves_both_or_neither)
{
  GtkWidget *button = ql_test_find_widget (page, "transfer_button");
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWidget *form = ql_test_find_widget (popover, "transfer_form");
  GtkWidget *error_label = ql_test_find_widget (popover, "transfer_error_label");
  GtkDropDown *targets = GTK_DROP_DOWN (ql_test_find_widget (popover, "transfer_target_dropdown"));
  GListModel *choice = gtk_drop_down_get_model (targets);
  g_autoptr(GtkStringObject) only = NULL;
  g_autoptr(GError) expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *in = NULL;
  g_autofree char *memo = NULL;

  open_account ("Cash", "EUR");
  open_account ("Savings", "EUR");
  open_account ("Dollars", "USD");
  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (test_app->ledger_book, "Box", "3", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (test_app->ledger_book, "Cash", "100", NULL)));
  show ("Cash");

  ck_assert_uint_eq (g_list_model_get_n_items (choice), 1);
  only = g_list_model_get_item (choice, 0);
  ck_assert_str_eq (gtk_string_object_get_string (only), "Savings");

  ql_test_open_popover (button);
  ql_test_set_text (popover, "transfer_amount_entry", "30");
  ql_test_set_text (form, "memo_entry", "Rent reserve");
  ql_test_activate (popover, "transfer_confirm_button");
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 7000);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 3000);
  QL_TEST_WAIT_FOR (!gtk_widget_get_visible (popover), 2000);

  out = history_cell (history_length () - 1, "event-type");
  memo = history_cell (history_length () - 1, "memo");
  ck_assert_str_eq (out, "Transfer to Savings");
  ck_assert_str_eq (memo, "Rent reserve");

  /* An overdraw refuses the whole transfer, on the form. */
  ql_test_open_popover (button);
  ql_test_set_text (popover, "transfer_amount_entry", "500");
  ql_test_activate (popover, "transfer_confirm_button");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert (!ql_ledger_book_transfer (test_app->ledger_book, "Cash", "Savings", "500", NULL, &expected));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (error_label)), expected->message);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 7000);
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Savings"), 3000);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "Cash")), 3);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "Savings")), 2);
  ck_assert (gtk_widget_get_visible (popover));

  /* The next action clears it. */
  ql_test_set_text (page, "amount_entry", "1");
  ql_test_activate (page, "plus_button");
  ck_assert (!gtk_widget_get_visible (error_label));
  gtk_popover_popdown (GTK_POPOVER (popover));

  show ("Savings");
  in = history_cell (history_length () - 1, "event-type");
  ck_assert_str_eq (in, "Transfer from Cash");
  ck_assert (shows_label (ql_test_find_widget (page, "history_view"), "Transfer from Cash"));

  /* No other ledger keeps dollars: the form says so. */
  show ("Dollars");
  ck_assert_uint_eq (g_list_model_get_n_items (choice), 0);
  ql_test_open_popover (button);
  ql_test_set_text (popover, "transfer_amount_entry", "1");
  ql_test_activate (popover, "transfer_confirm_button");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "No other ledger") != NULL);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (test_app->ledger_book, "Dollars")), 1);
}
END_TEST

/* Correcting a memo and a date appends amendments, shown as such; the
 * change itself stays as it was recorded. */
START_TEST (test_correct_appends_an_amendment)
{
  GtkWidget *button = ql_test_find_widget (page, "correct_button");
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWidget *form = ql_test_find_widget (popover, "correct_form");
  g_autofree char *type = NULL;
  g_autofree char *memo = NULL;
  g_autofree char *date = NULL;
  g_autofree char *january = local_day (2026, 1, 5);
  g_autofree char *original_memo = NULL;
  g_autofree char *amended_memo = NULL;
  g_autoptr(QlEvent) original = NULL;
  g_autoptr(QlEvent) amendment = NULL;
  g_autoptr(QlEvent) redated = NULL;
  GDate day;

  open_account ("Cash", "EUR");
  record ("Cash", QL_EVENT_DEPOSITED, "10", "2026-01-04", "Tpyo");
  show ("Cash");

  /* The slider is on the newest version, the deposit: its row is corrected. */
  ck_assert (gtk_widget_get_sensitive (button));
  ql_test_open_popover (button);
  ck_assert_str_eq (ql_test_label_text (popover, "correct_title_label"), "Correct Version 2");
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (form, "memo_entry"))), "Tpyo");
  ql_test_set_text (form, "memo_entry", "Typo");
  ql_test_activate (popover, "correct_apply_button");
  QL_TEST_WAIT_FOR (!gtk_widget_get_visible (popover), 2000);

  ck_assert_uint_eq (history_length (), 3);
  type = history_cell (2, "event-type");
  memo = history_cell (2, "memo");
  ck_assert_str_eq (type, "Correction of version 2");
  ck_assert_str_eq (memo, "Typo");
  ck_assert (shows_label (ql_test_find_widget (page, "history_view"), "Correction of version 2"));

  original = stored_event ("Cash", 2);
  amendment = stored_event ("Cash", 3);
  original_memo = ql_event_dup_memo (original);
  amended_memo = ql_event_dup_memo (amendment);
  ck_assert_str_eq (ql_event_get_event_type (amendment), QL_EVENT_CHANGE_AMENDED);
  ck_assert_int_eq (ql_event_get_amends (amendment), 2);
  ck_assert_str_eq (amended_memo, "Typo");
  ck_assert_str_eq (original_memo, "Tpyo");
  /* Only what was altered is corrected: the day stays the change's own. */
  ck_assert (!ql_event_get_date (amendment, &day));
  ck_assert_int_eq (ql_test_balance_of (test_app->ledger_book, "Cash"), 1000);

  /* A right click on the deposit's row corrects its day. */
  gtk_popover_set_autohide (GTK_POPOVER (popover), FALSE);
  right_click (find_label (ql_test_find_widget (page, "history_view"), "Tpyo"));
  QL_TEST_WAIT_FOR (gtk_widget_get_visible (popover), 2000);
  ck_assert_int_eq ((int) gtk_range_get_value (GTK_RANGE (ql_test_find_widget (page, "version_scale"))), 2);
  ck_assert_str_eq (ql_test_label_text (popover, "correct_title_label"), "Correct Version 2");
  pick_day (form, 2026, 1, 5);
  ql_test_activate (popover, "correct_apply_button");
  ck_assert_uint_eq (history_length (), 4);
  date = history_cell (3, "date");
  ck_assert_str_eq (date, january);
  redated = stored_event ("Cash", 4);
  ck_assert_int_eq (ql_event_get_amends (redated), 2);
  ck_assert (ql_event_get_date (redated, &day));
  ck_assert_int_eq (g_date_get_day (&day), 5);

  /* A correction, or the opening, has nothing to correct. */
  gtk_range_set_value (GTK_RANGE (ql_test_find_widget (page, "version_scale")), 4);
  ql_test_spin (20);
  ck_assert (!gtk_widget_get_sensitive (button));
  gtk_range_set_value (GTK_RANGE (ql_test_find_widget (page, "version_scale")), 1);
  ql_test_spin (20);
  ck_assert (!gtk_widget_get_sensitive (button));
  gtk_range_set_value (GTK_RANGE (ql_test_find_widget (page, "version_scale")), 2);
  ql_test_spin (20);
  ck_assert (gtk_widget_get_sensitive (button));

  /* A correction the model refuses is shown on the form. */
  ql_test_open_popover (button);
  ql_test_set_text (form, "memo_entry", "Bad\x01memo");
  ql_test_activate (popover, "correct_apply_button");
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (popover, "correct_error_label")));
  ck_assert (gtk_widget_get_visible (popover));
  ck_assert_uint_eq (history_length (), 4);
}
END_TEST

static void
pick_balance_day (int year,
                  int month,
                  int day)
{
  GtkWidget *button = ql_test_find_widget (page, "balance_date_button");
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  g_autoptr(GDateTime) time = g_date_time_new_local (year, month, day, 12, 0, 0);

  ql_test_open_popover (button);
  gtk_calendar_select_day (GTK_CALENDAR (ql_test_find_widget (popover, "balance_date_calendar")),
                           time);
  QL_TEST_WAIT_FOR (!gtk_widget_get_visible (popover), 2000);
}

/* The date picker beside the slider gives the balance on a past day as
 * known now, and with the slider on an older version as known then. */
START_TEST (test_balance_on_a_day)
{
  GtkWidget *box = ql_test_find_widget (page, "balance_date_box");
  GtkWidget *scale = ql_test_find_widget (page, "version_scale");
  g_autofree char *january = local_day (2026, 1, 31);
  g_autofree char *now = NULL;
  g_autofree char *then = NULL;
  g_autofree char *corrected = NULL;
  QlChangeNote later = { "2026-02-05", NULL, NULL };

  open_account ("Cash", "EUR");
  record ("Cash", QL_EVENT_DEPOSITED, "100", "2026-01-10", NULL);
  record ("Cash", QL_EVENT_DEPOSITED, "50", "2026-01-20", NULL);
  record ("Cash", QL_EVENT_DEPOSITED, "7", "2026-03-01", NULL);
  show ("Cash");
  ck_assert (!gtk_widget_get_visible (box));

  pick_balance_day (2026, 1, 31);
  ck_assert (gtk_widget_get_visible (box));
  now = g_strdup_printf ("Balance on %s as known now: 150.00 EUR", january);
  ck_assert_str_eq (ql_test_label_text (page, "balance_date_label"), now);

  /* The second deposit is moved into February: known now, the balance on
   * 31 January drops; known at version 4, before the correction, not. */
  ck_assert (ql_test_drop_event (ql_ledger_book_amend (test_app->ledger_book, "Cash", 3, &later, NULL)));
  ql_test_spin (50);
  g_free (now);
  now = g_strdup_printf ("Balance on %s as known now: 100.00 EUR", january);
  ck_assert_str_eq (ql_test_label_text (page, "balance_date_label"), now);

  gtk_range_set_value (GTK_RANGE (scale), 4);
  ql_test_spin (20);
  then = g_strdup_printf ("Balance on %s as known at version 4: 150.00 EUR", january);
  ck_assert_str_eq (ql_test_label_text (page, "balance_date_label"), then);

  /* Known at version 2, only the first deposit was recorded. */
  gtk_range_set_value (GTK_RANGE (scale), 2);
  ql_test_spin (20);
  corrected = g_strdup_printf ("Balance on %s as known at version 2: 100.00 EUR", january);
  ck_assert_str_eq (ql_test_label_text (page, "balance_date_label"), corrected);

  /* Back to today: no day is asked for any more. */
  ql_test_activate (page, "balance_date_clear_button");
  ck_assert (!gtk_widget_get_visible (box));
  gtk_range_set_value (GTK_RANGE (scale), 5);
  ql_test_spin (20);
  ck_assert (!gtk_widget_get_visible (box));
}
END_TEST

static Suite *
transactions_suite (void)
{
  Suite *suite = suite_create ("Ledger transactions");
  TCase *tcase = tcase_create ("transactions");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_change_carries_day_payee_and_memo);
  tcase_add_test (tcase, test_transfer_moves_both_or_neither);
  tcase_add_test (tcase, test_correct_appends_an_amendment);
  tcase_add_test (tcase, test_balance_on_a_day);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  return ql_test_run_suite (transactions_suite ());
}
