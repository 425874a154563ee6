/* ql-test-gtk.c: running the real application's widgets inside a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-test-gtk"

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "ql-store.h"
#include "ql-test-files.h"
#include "ql-test-gtk.h"
#include "ql-test-model.h"

/* meson's exit status for a test that cannot run here. */
#define EXIT_SKIP 77

static const char * const strict_domains[] = {
  "Gtk", "Gdk", "Gsk", "Adwaita", "GLib", "GLib-GObject", "GLib-GIO",
};

static const char * const settings_keys[] = {
  "color-scheme", "skin", "window-width", "window-height", "window-maximized",
};

/* A warning or critical from GTK or GLib is a bug, and so is a critical
 * from anywhere: the test stops there. Warnings of the application's own
 * domains are how it reports bad skins, which tests provoke on purpose. */
static GLogWriterOutput
strict_log_writer (GLogLevelFlags   level,
                   const GLogField *fields,
                   gsize            n_fields,
                   gpointer         user_data)
{
  GLogWriterOutput output = g_log_writer_default (level, fields, n_fields, user_data);
  const char *domain = "";

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
      domain = fields[i].value;

  if (level & G_LOG_LEVEL_CRITICAL)
    abort ();
  if (level & G_LOG_LEVEL_WARNING)
    for (guint i = 0; i < G_N_ELEMENTS (strict_domains); i++)
      if (g_str_equal (domain, strict_domains[i]))
        abort ();

  return output;
}

/**
 * ql_test_run_suite:
 * @suite: (transfer full): the suite to run
 *
 * Prepares a private environment, runs @suite and cleans up. Every test
 * starts its own application, so they run alike in forked children and,
 * with CK_FORK=no, one after another in one process.
 *
 * Returns: the exit status for main()
 */
int
ql_test_run_suite (Suite *suite)
{
  g_autofree char *data_home = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: run the GTK tests under xvfb-run\n");
      return EXIT_SKIP;
    }

  /* Set before anything asks GLib for the user's folders: GLib caches them. */
  /* Outside a test, so no ck_assert here. */
  data_home = g_dir_make_tmp ("ql-gtk-test-XXXXXX", &error);
  if (data_home == NULL)
    g_error ("%s", error->message);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", QL_TEST_SCHEMA_DIR, FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* No portal or system preference should decide the colour scheme. */
  g_setenv ("ADW_DEBUG_COLOR_SCHEME", "prefer-light", TRUE);
  /* No accessibility bus, unless a test of the accessible tree asks for it. */
  g_setenv ("GTK_A11Y", "none", FALSE);
  /* Without a session bus, no bus at all: GLib would otherwise start one
   * through X11 autolaunch and leave it running after the tests. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", FALSE);
  /* No GL: software GL on a virtual display only slows tests down, and the
   * driver mesa loads and unloads again leaves allocations LeakSanitizer
   * can no longer trace to any library. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);

  g_log_set_writer_func (strict_log_writer, NULL, NULL);

  status = ql_test_run (suite, NULL);

  ql_test_remove_tree (data_home);

  return status;
}

const char *
ql_test_user_data_dir (void)
{
  return g_get_user_data_dir ();
}

void
ql_test_iterate (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (2000);
}

void
ql_test_spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    ql_test_iterate ();
}

char *
ql_test_app_db_path (QlTestApp *test_app)
{
  return g_build_filename (test_app->dir, "ledger.db", NULL);
}

/**
 * ql_test_app_new:
 * @on_disk: whether the ledgers live in a file of the test's own folder
 *   rather than in memory
 *
 * Starts the application with default settings and waits for its window.
 *
 * Returns: (transfer full): the running application
 */
QlTestApp *
ql_test_app_new (gboolean on_disk)
{
  return ql_test_app_new_full (on_disk, TRUE);
}

static QlTestApp *
start_app (QlTestApp  *test_app,
           const char *location,
           gboolean    reset_settings)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  settings = g_settings_new (APPLICATION_ID);
  for (guint i = 0; reset_settings && i < G_N_ELEMENTS (settings_keys); i++)
    g_settings_reset (settings, settings_keys[i]);

  store = ql_store_open (location, &error);
  ck_assert_msg (store != NULL, "%s", error != NULL ? error->message : "");
  test_app->ledger_book = ql_ledger_book_new (store, &error);
  ck_assert_msg (test_app->ledger_book != NULL, "%s", error != NULL ? error->message : "");
  test_app->quote_book = ql_quote_book_new_default ();

  /* Not unique: tests run in parallel, and none may take the bus name. */
  test_app->app = ql_application_new (test_app->quote_book, test_app->ledger_book,
                                      G_APPLICATION_NON_UNIQUE);
  ck_assert_msg (g_application_register (G_APPLICATION (test_app->app), NULL, &error),
                 "%s", error != NULL ? error->message : "");
  g_application_activate (G_APPLICATION (test_app->app));

  test_app->window = QL_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (test_app->app)));
  ck_assert_ptr_nonnull (test_app->window);
  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (test_app->window)), 5000);

  return test_app;
}

static QlTestApp *
test_app_new (void)
{
  g_autoptr(GError) error = NULL;
  QlTestApp *test_app = g_new0 (QlTestApp, 1);

  test_app->dir = g_dir_make_tmp ("ql-gtk-app-XXXXXX", &error);
  ck_assert_msg (test_app->dir != NULL, "%s", error != NULL ? error->message : "");
  return test_app;
}

/**
 * ql_test_app_new_full:
 * @on_disk: whether the ledgers are kept in a file
 * @reset_settings: whether to start with default settings, or with those
 *   left by an earlier application, as a second run would
 *
 * Returns: (transfer full): the running application
 */
QlTestApp *
ql_test_app_new_full (gboolean on_disk,
                      gboolean reset_settings)
{
  QlTestApp *test_app = test_app_new ();
  g_autofree char *db_path = on_disk ? ql_test_app_db_path (test_app) : g_strdup (":memory:");

  return start_app (test_app, db_path, reset_settings);
}

/**
 * ql_test_app_new_on:
 * @location: where the ledgers are, as `--db` names it
 *
 * Returns: (transfer full): the running application, with default settings
 */
QlTestApp *
ql_test_app_new_on (const char *location)
{
  return start_app (test_app_new (), location, TRUE);
}

void
ql_test_app_free (QlTestApp *test_app)
{
  GList *windows;

  ql_ledger_book_watch (test_app->ledger_book, 0);

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (test_app->app))) != NULL)
    gtk_window_destroy (windows->data);
  ql_test_spin (50);

  g_clear_object (&test_app->app);
  g_clear_object (&test_app->ledger_book);
  g_clear_object (&test_app->quote_book);

  ql_test_remove_tree (test_app->dir);
  g_free (test_app->dir);
  g_free (test_app);
}

/**
 * ql_test_app_show_ledgers:
 * @test_app: an application
 *
 * Brings its window to the Ledgers page and lets it settle, as the
 * tests of that page start.
 *
 * Returns: (transfer none): the page
 */
GtkWidget *
ql_test_app_show_ledgers (QlTestApp *test_app)
{
  GtkWidget *page = GTK_WIDGET (ql_window_get_ledgers_page (test_app->window));

  ql_window_show_page (test_app->window, "ledgers");
  ql_test_spin (20);
  return page;
}

/**
 * ql_test_find_widget:
 * @root: where to start
 * @id: the id the widget has in its .ui template
 *
 * Returns: (transfer none): the widget; fails the test when there is none
 */
GtkWidget *
ql_test_find_widget (GtkWidget  *root,
                     const char *id)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  g_ptr_array_add (pending, root);
  while (pending->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (pending, pending->len - 1);

      if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
        return widget;

      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (pending, child);
    }

  ck_abort_msg ("no widget has the id “%s”", id);
  return NULL;
}

void
ql_test_set_text (GtkWidget  *root,
                  const char *id,
                  const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (ql_test_find_widget (root, id)), text);
}

static void
count_click (guint *clicks)
{
  (*clicks)++;
}

/* Activates a widget as a user would: Enter in an entry, a click on a button. */
void
ql_test_activate (GtkWidget  *root,
                  const char *id)
{
  GtkWidget *widget = ql_test_find_widget (root, id);

  ck_assert_msg (gtk_widget_is_sensitive (widget), "“%s” is not sensitive", id);

  /* Enter in an entry reaches its text widget, which tells the entry. */
  if (GTK_IS_ENTRY (widget))
    {
      g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (widget)), "activate");
      ql_test_spin (20);
    }
  else if (GTK_IS_BUTTON (widget))
    {
      /* A button shows itself pressed for a moment before it is clicked. */
      guint clicks = 0;
      gulong handler = g_signal_connect_swapped (widget, "clicked", G_CALLBACK (count_click), &clicks);

      ck_assert_msg (gtk_widget_activate (widget), "“%s” cannot be activated", id);
      QL_TEST_WAIT_FOR (clicks == 1, 5000);
      g_signal_handler_disconnect (widget, handler);
      ql_test_spin (20);
    }
  else
    ck_assert_msg (FALSE, "“%s” is neither an entry nor a button", id);
}

const char *
ql_test_label_text (GtkWidget  *root,
                    const char *id)
{
  return gtk_label_get_text (GTK_LABEL (ql_test_find_widget (root, id)));
}

/**
 * ql_test_open_popover:
 * @menu_button: a #GtkMenuButton
 *
 * Opens the button's popover as a click would, and waits until it shows.
 * Tests share one X display with other tests' windows, whose taking the
 * focus would close a popover that hides itself on focus loss; in a test
 * it stays open until the code under test closes it.
 */
void
ql_test_open_popover (GtkWidget *menu_button)
{
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));

  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (menu_button), 5000);
  gtk_popover_set_autohide (popover, FALSE);
  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  QL_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (popover)), 5000);
}
