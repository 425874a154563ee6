/* test-window.c: QlWindow's size, pages and shortcuts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include "ql-test-gtk.h"

static QlTestApp *test_app;

static void
setup (void)
{
  test_app = ql_test_app_new (FALSE);
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
}

START_TEST (test_window_size_remembered)
{
  GSettings *settings = ql_application_get_settings (test_app->app);
  QlWindow *second;
  int width;
  int height;

  gtk_window_get_default_size (GTK_WINDOW (test_app->window), &width, &height);
  ck_assert_int_eq (width, 1000);
  ck_assert_int_eq (height, 700);

  gtk_window_set_default_size (GTK_WINDOW (test_app->window), 820, 610);
  ql_test_spin (50);
  gtk_window_close (GTK_WINDOW (test_app->window));
  ql_test_spin (50);
  ck_assert_int_eq (g_settings_get_int (settings, "window-width"), 820);
  ck_assert_int_eq (g_settings_get_int (settings, "window-height"), 610);
  ck_assert (!g_settings_get_boolean (settings, "window-maximized"));

  second = ql_window_new (test_app->app);
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  ck_assert_int_eq (width, 820);
  ck_assert_int_eq (height, 610);

  /* Quitting saves the size too. */
  gtk_window_present (GTK_WINDOW (second));
  gtk_window_set_default_size (GTK_WINDOW (second), 900, 640);
  ql_test_spin (50);
  g_action_group_activate_action (G_ACTION_GROUP (test_app->app), "quit", NULL);
  ql_test_spin (50);
  ck_assert_ptr_null (gtk_application_get_windows (GTK_APPLICATION (test_app->app)));
  ck_assert_int_eq (g_settings_get_int (settings, "window-width"), 900);
  ck_assert_int_eq (g_settings_get_int (settings, "window-height"), 640);
}
END_TEST

START_TEST (test_shortcuts)
{
  GtkApplication *app = GTK_APPLICATION (test_app->app);
  const struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "app.quit", "<Control>q" },
    { "win.page::quotes", "<Control>1" },
    { "win.page::ledgers", "<Control>2" },
    { "win.search", "<Control>f" },
    { "win.show-help-overlay", "<Control>question" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, expected[i].action);

      ck_assert_msg (accels[0] != NULL && g_str_equal (accels[0], expected[i].accel),
                     "%s has no accelerator %s", expected[i].action, expected[i].accel);
    }

  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.page", "s", "ledgers"));
  ck_assert (gtk_widget_is_visible (GTK_WIDGET (ql_window_get_ledgers_page (test_app->window))));
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (test_app->window), "win.page", "s", "quotes"));
  ck_assert (gtk_widget_is_visible (GTK_WIDGET (ql_window_get_quotes_page (test_app->window))));

  /* The shortcuts window comes from gtk/help-overlay.ui. */
  ck_assert_ptr_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (test_app->window)));
}
END_TEST

static Suite *
window_suite (void)
{
  Suite *suite = suite_create ("QlWindow");
  struct {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "window-size-remembered", test_window_size_remembered },
    { "shortcuts", test_shortcuts },
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
  return ql_test_run_suite (window_suite ());
}
