/* test-quotes-page.c: the Quotes page driven through its widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-quotes-page"

#include "config.h"

#include "ql-quote.h"
#include "ql-test-gtk.h"

static QlTestApp *test_app;
static GtkWidget *page;

static void
setup (void)
{
  test_app = ql_test_app_new (FALSE);
  page = GTK_WIDGET (ql_window_get_quotes_page (test_app->window));
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
  page = NULL;
}

static void
look_up (const char *text)
{
  ql_test_set_text (page, "index_entry", text);
  ql_test_activate (page, "index_entry");
}

START_TEST (test_lookup_found)
{
  look_up ("3");
  ck_assert_str_eq (ql_test_label_text (page, "quote_label"), "Black holes really suck...");
  ck_assert (gtk_widget_get_visible (ql_test_find_widget (page, "quote_label")));
  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (page, "error_label")));

  /* The button does what Enter does; surrounding spaces are ignored. */
  ql_test_set_text (page, "index_entry", " 0 ");
  ql_test_activate (page, "show_button");
  ck_assert_str_eq (ql_test_label_text (page, "quote_label"),
                    "A man is not complete until he is married. Then he is finished.");
}
END_TEST

/* A number out of range is an error that says what to type instead,
 * never a quote that reads “Not found!”. */
START_TEST (test_lookup_not_found)
{
  GtkWidget *error_label = ql_test_find_widget (page, "error_label");

  look_up ("6");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (error_label)),
                    "There is no quote 6: choose 0 to 4");
  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (page, "quote_label")));
  ck_assert (gtk_widget_has_css_class (ql_test_find_widget (page, "index_entry"), "error"));

  look_up ("-1");
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (error_label)),
                    "There is no quote -1: choose 0 to 4");

  look_up ("2");
  ck_assert (!gtk_widget_get_visible (error_label));
  ck_assert_str_eq (ql_test_label_text (page, "quote_label"),
                    "Behind a successful man is an exhausted woman.");
}
END_TEST

START_TEST (test_lookup_incorrect_index)
{
  GtkWidget *error_label;

  look_up ("abc");
  error_label = ql_test_find_widget (page, "error_label");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (error_label)), "Incorrect index 'abc'");
  ck_assert (!gtk_widget_get_visible (ql_test_find_widget (page, "quote_label")));

  /* A good lookup afterwards clears the error. */
  look_up ("4");
  ck_assert (!gtk_widget_get_visible (error_label));
  ck_assert_str_eq (ql_test_label_text (page, "quote_label"), "Facts are stubborn things.");
}
END_TEST

START_TEST (test_random_quote)
{
  const char *index_text;
  gint64 index;

  ql_test_activate (page, "random_button");
  index_text = gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (page, "index_entry")));
  ck_assert (ql_quote_book_parse_index (index_text, &index, NULL));
  ck_assert_int_ge (index, 0);
  ck_assert_int_lt (index, 5);
  ck_assert_str_eq (ql_test_label_text (page, "quote_label"),
                    ql_quote_book_get_text (test_app->quote_book, index));
}
END_TEST

START_TEST (test_browse_and_search)
{
  GtkListView *list = GTK_LIST_VIEW (ql_test_find_widget (page, "quote_list"));
  GListModel *shown = G_LIST_MODEL (gtk_list_view_get_model (list));
  GtkWidget *search_error;
  int position;

  ck_assert_uint_eq (g_list_model_get_n_items (shown), 5);

  ql_test_set_text (page, "search_entry", "man");
  QL_TEST_WAIT_FOR (g_list_model_get_n_items (shown) == 2, 2000);

  ql_test_set_text (page, "search_entry", "^B");
  QL_TEST_WAIT_FOR (g_list_model_get_n_items (shown) == 2, 2000);

  /* Typing on into a pattern that does not compile: reported, and the
   * list stays as it was. */
  search_error = ql_test_find_widget (page, "search_error_label");
  position = -1;
  gtk_editable_insert_text (GTK_EDITABLE (ql_test_find_widget (page, "search_entry")), "(", -1,
                            &position);
  QL_TEST_WAIT_FOR (gtk_widget_get_visible (search_error), 2000);
  ck_assert_uint_eq (g_list_model_get_n_items (shown), 2);

  ql_test_set_text (page, "search_entry", "");
  QL_TEST_WAIT_FOR (g_list_model_get_n_items (shown) == 5, 2000);
  ck_assert (!gtk_widget_get_visible (search_error));

  /* Activating a row looks that quote up. */
  g_signal_emit_by_name (list, "activate", 1);
  ck_assert_str_eq (ql_test_label_text (page, "quote_label"),
                    "As I said before, I never repeat myself.");
}
END_TEST

static const char *
results_shown (void)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (ql_test_find_widget (page, "results_stack")));
}

START_TEST (test_search_as_people_expect)
{
  GtkWidget *search = ql_test_find_widget (page, "search_entry");
  GtkWidget *search_error = ql_test_find_widget (page, "search_error_label");
  GListModel *shown = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (ql_test_find_widget (page, "quote_list"))));
  g_autoptr(GObject) first = NULL;

  /* Case does not matter. */
  ql_test_set_text (page, "search_entry", "black");
  QL_TEST_WAIT_FOR (g_list_model_get_n_items (shown) == 1, 2000);
  first = g_list_model_get_item (shown, 0);
  ck_assert_str_eq (ql_quote_get_text (QL_QUOTE (first)), "Black holes really suck...");
  ql_test_set_text (page, "search_entry", "FACTS ARE");
  QL_TEST_WAIT_FOR (g_list_model_get_n_items (shown) == 1, 2000);
  ck_assert_str_eq (results_shown (), "list");

  /* Nothing found: a status page says so in place of an empty card. */
  ql_test_set_text (page, "search_entry", "zebra");
  QL_TEST_WAIT_FOR (g_list_model_get_n_items (shown) == 0, 2000);
  ck_assert_str_eq (results_shown (), "empty");
  ck_assert (gtk_widget_is_visible (ql_test_find_widget (page, "no_matches_page")));

  /* A pattern that does not compile: a sentence, not GLib's message. */
  ql_test_set_text (page, "search_entry", "suck(");
  QL_TEST_WAIT_FOR (gtk_widget_get_visible (search_error), 2000);
  ck_assert_str_eq (gtk_label_get_text (GTK_LABEL (search_error)),
                    "This search is not a valid pattern: check its brackets, "
                    "parentheses and backslashes");

  /* Escape clears the search and shows every quote again. */
  g_signal_emit_by_name (search, "stop-search");
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (search)), "");
  QL_TEST_WAIT_FOR (g_list_model_get_n_items (shown) == 5, 2000);
  ck_assert (!gtk_widget_get_visible (search_error));
  ck_assert_str_eq (results_shown (), "list");
}
END_TEST

static gboolean
has_focus_within (GtkWindow *window,
                  GtkWidget *widget)
{
  GtkWidget *focus = gtk_window_get_focus (window);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

START_TEST (test_search_shortcut)
{
  GtkWidget *search = ql_test_find_widget (page, "search_entry");

  /* Ctrl+F on the Quotes page searches quotes; the Ledgers page has its own. */
  ql_window_show_page (test_app->window, "quotes");
  ql_test_spin (20);
  ck_assert (!has_focus_within (GTK_WINDOW (test_app->window), search));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.search", NULL));
  ql_test_spin (20);
  ck_assert (gtk_widget_is_visible (page));
  QL_TEST_WAIT_FOR (has_focus_within (GTK_WINDOW (test_app->window), search), 2000);
}
END_TEST

static Suite *
quotes_page_suite (void)
{
  Suite *suite = suite_create ("QlQuotesPage");
  struct {
    const char        *name;
    const TTest       *test;
  } cases[] = {
    { "lookup-found", test_lookup_found },
    { "lookup-not-found", test_lookup_not_found },
    { "lookup-incorrect-index", test_lookup_incorrect_index },
    { "random-quote", test_random_quote },
    { "search-as-people-expect", test_search_as_people_expect },
    { "browse-and-search", test_browse_and_search },
    { "search-shortcut", test_search_shortcut },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_set_timeout (tcase, 30);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }

  return suite;
}

int
main (void)
{
  return ql_test_run_suite (quotes_page_suite ());
}
