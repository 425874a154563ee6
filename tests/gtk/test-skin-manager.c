/* test-skin-manager.c: QlSkinManager on a display, without the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-skin-manager"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "ql-skin-check.h"
#include "ql-skin-manager.h"
#include "ql-test-gtk.h"

static char *skins_dir;
static GtkWidget *window;
static GtkWidget *label;
static QlSkinManager *manager;

static void
write_skin (const char *file_name,
            const char *css)
{
  g_autofree char *path = g_build_filename (skins_dir, file_name, NULL);

  ck_assert (g_file_set_contents (path, css, -1, NULL));
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  gtk_init ();
  skins_dir = g_dir_make_tmp ("ql-skins-XXXXXX", &error);
  ck_assert_msg (skins_dir != NULL, "%s", error != NULL ? error->message : "");

  window = gtk_window_new ();
  label = gtk_label_new ("Quote Ledger");
  gtk_window_set_child (GTK_WINDOW (window), label);
  gtk_window_present (GTK_WINDOW (window));
}

static void
teardown (void)
{
  g_autoptr(GDir) dir = g_dir_open (skins_dir, 0, NULL);
  const char *name;

  g_clear_object (&manager);
  gtk_window_destroy (GTK_WINDOW (window));
  window = NULL;
  label = NULL;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (skins_dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (skins_dir);
  g_clear_pointer (&skins_dir, g_free);
}

static QlSkinManager *
new_manager (void)
{
  return ql_skin_manager_new (gtk_widget_get_display (window), skins_dir);
}

/* The named colour as the label sees it, or NULL when nothing defines it. */
static char *
named_color (const char *name)
{
  GdkRGBA color;
  gboolean found;

  ql_test_spin (10);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  found = gtk_style_context_lookup_color (gtk_widget_get_style_context (label), name, &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  return found ? gdk_rgba_to_string (&color) : NULL;
}

static char *
skin_at (guint position)
{
  g_autoptr(GtkStringObject) skin = g_list_model_get_item (ql_skin_manager_get_skins (manager),
                                                           position);

  return skin != NULL ? g_strdup (gtk_string_object_get_string (skin)) : NULL;
}

static void
count_changes (guint *changes)
{
  (*changes)++;
}

START_TEST (test_shipped_skins)
{
  const char *expected[] = { "adwaita", "forest", "high-contrast", "solarized" };
  g_autofree char *title = NULL;

  manager = new_manager ();
  ck_assert_uint_eq (g_list_model_get_n_items (ql_skin_manager_get_skins (manager)), 4);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *skin = skin_at (i);

      ck_assert_str_eq (skin, expected[i]);
    }

  ck_assert_str_eq (ql_skin_manager_get_skin (manager), QL_SKIN_DEFAULT);
  title = ql_skin_manager_dup_title (manager, "high-contrast");
  ck_assert_str_eq (title, "High Contrast");
}
END_TEST

START_TEST (test_load_and_dark_variant)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *color = NULL;

  manager = new_manager ();
  ck_assert (ql_skin_manager_load (manager, "solarized", &error));
  ck_assert_str_eq (ql_skin_manager_get_skin (manager), "solarized");
  color = named_color ("window_bg_color");
  ck_assert_str_eq (color, "rgb(253,246,227)");

  ql_skin_manager_set_dark (manager, TRUE);
  g_free (color);
  color = named_color ("window_bg_color");
  ck_assert_str_eq (color, "rgb(0,43,54)");

  /* The default skin adds nothing of its own. */
  ck_assert (ql_skin_manager_load (manager, QL_SKIN_DEFAULT, &error));
  g_free (color);
  color = named_color ("window_bg_color");
  ck_assert_ptr_null (color);
}
END_TEST

START_TEST (test_unknown_skin_refused)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *color = NULL;

  manager = new_manager ();
  ck_assert (ql_skin_manager_load (manager, "forest", NULL));
  ck_assert (!ql_skin_manager_load (manager, "no-such-skin", &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  ck_assert_str_eq (ql_skin_manager_get_skin (manager), "forest");
  color = named_color ("window_bg_color");
  ck_assert_str_eq (color, "rgb(238,243,234)");
}
END_TEST

START_TEST (test_user_skins_listed)
{
  g_autofree char *fifth = NULL;
  g_autofree char *sixth = NULL;
  g_autofree char *title = NULL;

  write_skin ("mine.css", "@define-color window_bg_color #010203;\n");
  write_skin ("mine-dark.css", "@define-color window_bg_color #040506;\n");
  write_skin ("lonely-dark.css", "@define-color window_bg_color #070809;\n");
  write_skin (".hidden.css", "@define-color window_bg_color #0a0b0c;\n");
  write_skin ("notes.txt", "not a skin\n");
  write_skin ("forest.css", "@define-color window_bg_color #ff0000;\n");

  manager = new_manager ();

  /* Shipped skins first; a variant is not a skin; a shipped name wins. */
  ck_assert_uint_eq (g_list_model_get_n_items (ql_skin_manager_get_skins (manager)), 6);
  fifth = skin_at (4);
  sixth = skin_at (5);
  ck_assert_str_eq (fifth, "lonely-dark");
  ck_assert_str_eq (sixth, "mine");
  title = ql_skin_manager_dup_title (manager, "mine");
  ck_assert_str_eq (title, "mine");

  ck_assert (ql_skin_manager_load (manager, "forest", NULL));
  {
    g_autofree char *color = named_color ("window_bg_color");

    ck_assert_str_eq (color, "rgb(238,243,234)");
  }

  ck_assert (ql_skin_manager_load (manager, "mine", NULL));
  {
    g_autofree char *color = named_color ("window_bg_color");

    ck_assert_str_eq (color, "rgb(1,2,3)");
  }
  ql_skin_manager_set_dark (manager, TRUE);
  {
    g_autofree char *color = named_color ("window_bg_color");

    ck_assert_str_eq (color, "rgb(4,5,6)");
  }
}
END_TEST

START_TEST (test_rescan_finds_new_skins)
{
  guint changes = 0;
  g_autofree char *added = NULL;

  manager = new_manager ();
  g_signal_connect_swapped (ql_skin_manager_get_skins (manager), "items-changed",
                            G_CALLBACK (count_changes), &changes);

  ql_skin_manager_rescan (manager);
  ck_assert_uint_eq (changes, 0);

  write_skin ("late.css", "@define-color window_bg_color #111111;\n");
  ql_skin_manager_rescan (manager);
  ck_assert_uint_eq (changes, 1);
  added = skin_at (4);
  ck_assert_str_eq (added, "late");

  /* Loading a skin nobody listed yet looks in the folder again. */
  write_skin ("later.css", "@define-color window_bg_color #222222;\n");
  ck_assert (ql_skin_manager_load (manager, "later", NULL));
}
END_TEST

START_TEST (test_broken_skin_refused)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *color = NULL;

  write_skin ("broken.css", "@define-color window_bg_color #ff0000;\nwindow { colour: red; }\n");
  manager = new_manager ();
  ck_assert (ql_skin_manager_load (manager, "solarized", NULL));

  ck_assert (!ql_skin_manager_load (manager, "broken", &error));
  ck_assert_int_eq (error->domain, GTK_CSS_PARSER_ERROR);
  ck_assert_msg (strstr (error->message, "broken.css") != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, ":2:") != NULL, "%s", error->message);

  ck_assert_str_eq (ql_skin_manager_get_skin (manager), "solarized");
  color = named_color ("window_bg_color");
  ck_assert_str_eq (color, "rgb(253,246,227)");
}
END_TEST

static char *
many_rules (guint n)
{
  GString *css = g_string_new ("");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (css, ".r%u { color: red; }\n", i);
  return g_string_free (css, FALSE);
}

static char *
mix_chain (guint depth)
{
  GString *css = g_string_new ("@define-color c0 #102030;\n");

  for (guint i = 1; i <= depth; i++)
    g_string_append_printf (css, "@define-color c%u mix(@c%u, shade(@c%u, 1.1), 0.5);\n",
                            i, i - 1, i - 1);
  g_string_append_printf (css, "@define-color window_bg_color @c%u;\n", depth);
  return g_string_free (css, FALSE);
}

/* The checks need no display: GTK never sees what they refuse. */
START_TEST (test_check_caps)
{
  g_autofree char *rules_ok = many_rules (QL_SKIN_MAX_RULES);
  g_autofree char *rules_bad = many_rules (2000);
  g_autofree char *chain_ok = mix_chain (QL_SKIN_MAX_COLOR_DEPTH - 2);
  g_autofree char *chain_bad = mix_chain (30);
  g_autoptr(GError) error = NULL;

  ck_assert (ql_skin_check_css (rules_ok, NULL));
  ck_assert (!ql_skin_check_css (rules_bad, &error));
  ck_assert_msg (strstr (error->message, "rules") != NULL, "%s", error->message);
  g_clear_error (&error);

  ck_assert (ql_skin_check_css (chain_ok, NULL));
  ck_assert (!ql_skin_check_css (chain_bad, &error));
  ck_assert_msg (strstr (error->message, "deep") != NULL, "%s", error->message);
  g_clear_error (&error);

  ck_assert (!ql_skin_check_css ("@import url(\"/dev/zero\");\n", NULL));
  /* Braces and names in comments and strings are not rules. */
  ck_assert (ql_skin_check_css ("/* { { @import } */ label { content: \"{@import}\"; }\n", NULL));
}
END_TEST

START_TEST (test_dangerous_skins_refused)
{
  g_autofree char *rules = many_rules (2000);
  g_autofree char *chain = mix_chain (30);
  g_autofree char *fifo = g_build_filename (skins_dir, "fifo.css", NULL);
  g_autofree char *zero = g_build_filename (skins_dir, "zero.css", NULL);
  const char *bad[] = { "rules", "chain", "fifo", "zero" };
  g_autofree char *color = NULL;

  write_skin ("rules.css", rules);
  write_skin ("chain.css", chain);
  ck_assert_int_eq (mkfifo (fifo, 0600), 0);
  ck_assert_int_eq (symlink ("/dev/zero", zero), 0);
  manager = new_manager ();
  ck_assert (ql_skin_manager_load (manager, "solarized", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      ck_assert_msg (!ql_skin_manager_load (manager, bad[i], &error), "%s loaded", bad[i]);
      ck_assert_str_eq (ql_skin_manager_get_skin (manager), "solarized");
    }
  color = named_color ("window_bg_color");
  ck_assert_str_eq (color, "rgb(253,246,227)");
}
END_TEST

START_TEST (test_skin_reloaded_on_change)
{
  g_autofree char *color = NULL;
  guint failures = 0;
  g_autofree char *huge = many_rules (2000);

  write_skin ("mine.css", "@define-color window_bg_color #010203;\n");
  manager = new_manager ();
  g_signal_connect_swapped (manager, "reload-failed", G_CALLBACK (count_changes), &failures);
  ck_assert (ql_skin_manager_load (manager, "mine", NULL));
  color = named_color ("window_bg_color");
  ck_assert_str_eq (color, "rgb(1,2,3)");

  write_skin ("mine.css", "@define-color window_bg_color #040506;\n");
  QL_TEST_WAIT_FOR ((g_free (color), color = named_color ("window_bg_color"),
                     g_str_equal (color, "rgb(4,5,6)")), 10000);

  /* A change that breaks the skin is refused; the last good look stays. */
  write_skin ("mine.css", huge);
  QL_TEST_WAIT_FOR (failures > 0, 10000);
  g_free (color);
  color = named_color ("window_bg_color");
  ck_assert_str_eq (color, "rgb(4,5,6)");
  ck_assert_str_eq (ql_skin_manager_get_skin (manager), "mine");
}
END_TEST

static Suite *
skin_manager_suite (void)
{
  Suite *suite = suite_create ("QlSkinManager");
  struct {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "shipped-skins", test_shipped_skins },
    { "load-and-dark-variant", test_load_and_dark_variant },
    { "unknown-skin-refused", test_unknown_skin_refused },
    { "user-skins-listed", test_user_skins_listed },
    { "rescan-finds-new-skins", test_rescan_finds_new_skins },
    { "broken-skin-refused", test_broken_skin_refused },
    { "check-caps", test_check_caps },
    { "dangerous-skins-refused", test_dangerous_skins_refused },
    { "skin-reloaded-on-change", test_skin_reloaded_on_change },
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
  return ql_test_run_suite (skin_manager_suite ());
}
