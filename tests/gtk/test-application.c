/* test-application.c: QlApplication's actions, settings and skins, seen on
 * a running window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-application"

#include "config.h"

#include <glib/gstdio.h>

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

static void
activate (const char *action,
          const char *value)
{
  g_action_group_activate_action (G_ACTION_GROUP (test_app->app), action,
                                  g_variant_new_string (value));
  ql_test_spin (20);
}

static char *
action_state (const char *action)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (test_app->app), action);

  return g_variant_dup_string (state, NULL);
}

static char *
setting (const char *key)
{
  return g_settings_get_string (ql_application_get_settings (test_app->app), key);
}

static gboolean
named_color_is (const char *name,
                const char *expected)
{
  GtkStyleContext *context;
  GdkRGBA color;
  GdkRGBA want;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (GTK_WIDGET (test_app->window));
  if (!gtk_style_context_lookup_color (context, name, &color))
    return FALSE;
  G_GNUC_END_IGNORE_DEPRECATIONS

  ck_assert (gdk_rgba_parse (&want, expected));
  return gdk_rgba_equal (&color, &want);
}

/* The colour a label of the window is actually drawn in. */
static gboolean
label_color_is (const char *expected)
{
  GtkWidget *label = ql_test_find_widget (GTK_WIDGET (ql_window_get_quotes_page (test_app->window)),
                                          "quote_label");
  GdkRGBA color;
  GdkRGBA want;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (label), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  ck_assert (gdk_rgba_parse (&want, expected));
  return gdk_rgba_equal (&color, &want);
}

static void
write_user_skin (const char *file_name,
                 const char *css)
{
  g_autofree char *dir = g_build_filename (ql_test_user_data_dir (), "quote-ledger", "skins", NULL);
  g_autofree char *path = g_build_filename (dir, file_name, NULL);
  g_autoptr(GError) error = NULL;

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0700), 0);
  ck_assert_msg (g_file_set_contents (path, css, -1, &error), "%s",
                 error != NULL ? error->message : "");
}

START_TEST (test_color_scheme_switches_live)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *state = NULL;
  g_autofree char *saved = NULL;

  ck_assert (!adw_style_manager_get_dark (style_manager));

  activate ("color-scheme", "dark");
  QL_TEST_WAIT_FOR (adw_style_manager_get_dark (style_manager), 2000);
  ck_assert_int_eq (adw_style_manager_get_color_scheme (style_manager), ADW_COLOR_SCHEME_FORCE_DARK);
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#242424"), 2000);
  state = action_state ("color-scheme");
  saved = setting ("color-scheme");
  ck_assert_str_eq (state, "dark");
  ck_assert_str_eq (saved, "dark");

  activate ("color-scheme", "light");
  QL_TEST_WAIT_FOR (!adw_style_manager_get_dark (style_manager), 2000);
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#fafafa"), 2000);

  activate ("color-scheme", "default");
  QL_TEST_WAIT_FOR (adw_style_manager_get_color_scheme (style_manager) == ADW_COLOR_SCHEME_DEFAULT,
                    2000);

  /* A value the schema does not allow changes nothing. */
  activate ("color-scheme", "purple");
  g_clear_pointer (&saved, g_free);
  saved = setting ("color-scheme");
  ck_assert_str_eq (saved, "default");
}
END_TEST

START_TEST (test_skin_switches_live)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *state = NULL;
  g_autofree char *saved = NULL;

  state = action_state ("skin");
  ck_assert_str_eq (state, "adwaita");

  activate ("skin", "solarized");
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#fdf6e3"), 2000);
  QL_TEST_WAIT_FOR (label_color_is ("#4a5e65"), 2000);
  g_clear_pointer (&state, g_free);
  state = action_state ("skin");
  saved = setting ("skin");
  ck_assert_str_eq (state, "solarized");
  ck_assert_str_eq (saved, "solarized");

  /* The skin follows the colour scheme into its dark variant. */
  activate ("color-scheme", "dark");
  QL_TEST_WAIT_FOR (adw_style_manager_get_dark (style_manager), 2000);
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#002b36"), 2000);
  QL_TEST_WAIT_FOR (label_color_is ("#93a1a1"), 2000);

  activate ("skin", "forest");
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#17211a"), 2000);

  activate ("skin", "high-contrast");
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#000000"), 2000);

  /* Back to libadwaita's own colours. */
  activate ("skin", "adwaita");
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#242424"), 2000);
}
END_TEST

START_TEST (test_broken_user_skin_keeps_previous)
{
  g_autofree char *state = NULL;
  g_autofree char *saved = NULL;

  write_user_skin ("broken.css", "@define-color window_bg_color #ff0000;\n"
                                 "window { colour: red; }\n");

  activate ("skin", "solarized");
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#fdf6e3"), 2000);

  activate ("skin", "broken");
  ql_test_spin (100);
  ck_assert (named_color_is ("window_bg_color", "#fdf6e3"));
  state = action_state ("skin");
  saved = setting ("skin");
  ck_assert_str_eq (state, "solarized");
  ck_assert_str_eq (saved, "solarized");

  /* So does a skin that does not exist. */
  activate ("skin", "no-such-skin");
  ql_test_spin (50);
  ck_assert (named_color_is ("window_bg_color", "#fdf6e3"));
}
END_TEST

/* One bad skin must not spoil every start: the next one uses the default
 * look, says why, and forgets the skin. */
START_TEST (test_remembered_bad_skin_not_used_at_start)
{
  g_autoptr(GString) css = g_string_new ("");
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *saved = NULL;

  /* Since the last run, the remembered skin grew past what GTK can parse. */
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (css, ".r%u { color: red; }\n", i);
  write_user_skin ("good.css", css->str);
  g_settings_set_string (settings, "skin", "good");

  test_app = ql_test_app_new_full (FALSE, FALSE);
  ck_assert_str_eq (ql_skin_manager_get_skin (ql_application_get_skin_manager (test_app->app)),
                    QL_SKIN_DEFAULT);
  g_free (saved);
  saved = setting ("skin");
  ck_assert_str_eq (saved, QL_SKIN_DEFAULT);
  ck_assert (!named_color_is ("window_bg_color", "#010203"));
}
END_TEST

static gboolean
menu_has_skin (GMenuModel *menu,
               const char *skin)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (section != NULL && menu_has_skin (section, skin))
        return TRUE;
      if (section == NULL)
        {
          g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i,
                                                                              G_MENU_ATTRIBUTE_TARGET,
                                                                              G_VARIANT_TYPE_STRING);
          g_autofree char *action = NULL;

          if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action) &&
              g_str_equal (action, "app.skin") && target != NULL &&
              g_str_equal (g_variant_get_string (target, NULL), skin))
            return TRUE;
        }
    }

  return FALSE;
}

START_TEST (test_user_skin_in_menu_and_applied)
{
  GtkWidget *header_menu;
  GMenuModel *menu;

  write_user_skin ("mine.css", "@define-color window_bg_color #123456;\n");
  write_user_skin ("mine-dark.css", "@define-color window_bg_color #654321;\n");

  /* The folder is watched; a rescan stands in for a slow file monitor. */
  ql_test_spin (200);
  ql_skin_manager_rescan (ql_application_get_skin_manager (test_app->app));
  ql_test_spin (20);

  header_menu = ql_test_find_widget (GTK_WIDGET (test_app->window), "primary_menu_button");
  ck_assert_ptr_nonnull (header_menu);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (header_menu));
  ck_assert (menu_has_skin (menu, "solarized"));
  ck_assert (menu_has_skin (menu, "mine"));
  /* A dark variant is part of its skin, not a skin of its own. */
  ck_assert (!menu_has_skin (menu, "mine-dark"));

  activate ("skin", "mine");
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#123456"), 2000);
  activate ("color-scheme", "dark");
  QL_TEST_WAIT_FOR (named_color_is ("window_bg_color", "#654321"), 2000);
}
END_TEST

static gboolean
name_has_owner (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APPLICATION_ID),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* The state of an application action, read over the bus as any client would. */
static char *
exported_state (GDBusConnection *bus,
                const char      *action)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GVariant) value = NULL;
  gboolean enabled;
  const char *signature;

  reply = g_dbus_connection_call_sync (bus, APPLICATION_ID, "/io/github/quoteledger/QuoteLedger",
                                       "org.gtk.Actions", "Describe",
                                       g_variant_new ("(s)", action),
                                       G_VARIANT_TYPE ("((bgav))"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, NULL);
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "((b&g@av))", &enabled, &signature, &state);
  if (g_variant_n_children (state) != 1)
    return NULL;
  g_variant_get_child (state, 0, "v", &value);
  return g_variant_dup_string (value, NULL);
}

static void
run_gapplication (const char *action,
                  const char *parameter)
{
  const char *argv[] = { "gapplication", "action", APPLICATION_ID, action, parameter, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error),
                 "%s", error != NULL ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, &error), "%s", error->message);
}

static void
on_process_exited_cb (GObject      *process,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (process), result, NULL);
  *exited = TRUE;
}

START_TEST (test_gapplication_action_switches_running_window)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  const char *binary = g_getenv ("QL_BINARY");
  gboolean exited = FALSE;

  ck_assert_ptr_nonnull (binary);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  ck_assert_msg (bus != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_msg (!name_has_owner (bus), "another Quote Ledger already runs on this bus");

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, binary, "--db", ":memory:", NULL);
  ck_assert_msg (process != NULL, "%s", error != NULL ? error->message : "");
  g_subprocess_wait_async (process, NULL, on_process_exited_cb, &exited);
  QL_TEST_WAIT_FOR (name_has_owner (bus) || exited, 20000);
  ck_assert (!exited);

  QL_TEST_WAIT_FOR ((g_free (state), state = exported_state (bus, "color-scheme")) != NULL &&
                    g_str_equal (state, "default"), 5000);

  run_gapplication ("color-scheme", "'dark'");
  QL_TEST_WAIT_FOR ((g_free (state), state = exported_state (bus, "color-scheme")) != NULL &&
                    g_str_equal (state, "dark"), 5000);

  run_gapplication ("skin", "'forest'");
  QL_TEST_WAIT_FOR ((g_free (state), state = exported_state (bus, "skin")) != NULL &&
                    g_str_equal (state, "forest"), 5000);

  run_gapplication ("quit", NULL);
  QL_TEST_WAIT_FOR (exited, 20000);
  ck_assert (g_subprocess_get_if_exited (process));
  ck_assert_int_eq (g_subprocess_get_exit_status (process), 0);
}
END_TEST

START_TEST (test_reports_first_frame_on_request)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("ql-first-frame-XXXXXX", &error);
  const char *binary = g_getenv ("QL_BINARY");
  gboolean reported = FALSE;

  ck_assert_ptr_nonnull (binary);
  ck_assert_msg (data_home != NULL, "%s", error != NULL ? error->message : "");
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "QL_REPORT_FIRST_FRAME", "1", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "--db", ":memory:", NULL);
  ck_assert_msg (process != NULL, "%s", error != NULL ? error->message : "");

  /* The test's timeout fails it when no frame is ever reported. */
  lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  while (!reported)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

      ck_assert_msg (line != NULL, "stderr ended without a first frame: %s",
                     error != NULL ? error->message : "");
      reported = g_str_equal (line, "first-frame");
    }

  g_subprocess_force_exit (process);
  ck_assert (g_subprocess_wait (process, NULL, NULL));
  g_rmdir (data_home);
}
END_TEST

static Suite *
application_suite (void)
{
  Suite *suite = suite_create ("QlApplication");
  struct {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "color-scheme-switches-live", test_color_scheme_switches_live },
    { "skin-switches-live", test_skin_switches_live },
    { "broken-user-skin-keeps-previous", test_broken_user_skin_keeps_previous },
    { "user-skin-in-menu-and-applied", test_user_skin_in_menu_and_applied },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_set_timeout (tcase, 30);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }

  {
    TCase *tcase = tcase_create ("reports-first-frame-on-request");

    tcase_set_timeout (tcase, 60);
    tcase_add_test (tcase, test_reports_first_frame_on_request);
    suite_add_tcase (suite, tcase);
  }

  /* A second process on the session bus, when the tests have one. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    {
      TCase *tcase = tcase_create ("gapplication-action-switches-running-window");

      tcase_set_timeout (tcase, 90);
      tcase_add_test (tcase, test_gapplication_action_switches_running_window);
      suite_add_tcase (suite, tcase);
    }

  /* Starts its application itself, with the settings of a last run. */
  {
    TCase *tcase = tcase_create ("remembered-bad-skin-not-used-at-start");

    tcase_add_checked_fixture (tcase, NULL, teardown);
    tcase_set_timeout (tcase, 60);
    tcase_add_test (tcase, test_remembered_bad_skin_not_used_at_start);
    suite_add_tcase (suite, tcase);
  }

  return suite;
}

int
main (void)
{
  return ql_test_run_suite (application_suite ());
}
