/* test-skin-catalogue.c: which skins there are and the text of each, as
 * the window, the full-screen view and the line mode all read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "ql-skin-catalogue.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

static void
write_file (const char *dir,
            const char *file_name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, file_name, NULL);

  ck_assert (g_file_set_contents (path, text, -1, NULL));
}

static char *
joined (GStrv skins)
{
  return g_strjoinv (" ", skins);
}

START_TEST (test_shipped_skins)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new (dir);
  g_auto(GStrv) skins = ql_skin_catalogue_list (catalogue);
  g_autofree char *names = joined (skins);
  g_autofree char *title = ql_skin_catalogue_dup_title (catalogue, "high-contrast");
  g_autofree char *own = ql_skin_catalogue_dup_title (catalogue, "mine");

  ck_assert_str_eq (names, "adwaita forest high-contrast solarized");
  ck_assert_str_eq (title, "High Contrast");
  ck_assert_str_eq (own, "mine");
  ck_assert (ql_skin_catalogue_is_builtin (catalogue, QL_SKIN_DEFAULT));
  ck_assert (ql_skin_catalogue_is_builtin (catalogue, "solarized"));
  ck_assert (!ql_skin_catalogue_is_builtin (catalogue, "mine"));
  ck_assert_str_eq (ql_skin_catalogue_get_user_skins_dir (catalogue), dir);
}
END_TEST

START_TEST (test_users_skins_listed)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new (dir);
  g_auto(GStrv) skins = NULL;
  g_autofree char *names = NULL;

  write_file (dir, "zeta.css", "");
  write_file (dir, "alpha.css", "");
  /* The dark variant of alpha, not a skin of its own. */
  write_file (dir, "alpha-dark.css", "");
  /* Dark only: a skin named as its file. */
  write_file (dir, "lone-dark.css", "");
  /* A shipped skin's name: the shipped one wins. */
  write_file (dir, "forest.css", "");
  write_file (dir, ".hidden.css", "");
  write_file (dir, ".css", "");
  write_file (dir, "notes.txt", "");

  skins = ql_skin_catalogue_list (catalogue);
  names = joined (skins);
  ck_assert_str_eq (names, "adwaita forest high-contrast solarized alpha lone-dark zeta");
  ck_assert (ql_skin_catalogue_has_skin (catalogue, "alpha"));
  ck_assert (ql_skin_catalogue_has_skin (catalogue, "lone-dark"));
  ck_assert (!ql_skin_catalogue_has_skin (catalogue, "alpha-dark"));
  ck_assert (!ql_skin_catalogue_has_skin (catalogue, "notes"));
  ck_assert (!ql_skin_catalogue_has_skin (catalogue, "hidden"));

  /* Read again each time: a skin dropped in shows up at once. */
  write_file (dir, "beta.css", "");
  ck_assert (ql_skin_catalogue_has_skin (catalogue, "beta"));
}
END_TEST

START_TEST (test_missing_folder_lists_shipped_skins)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", NULL);
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new (missing);
  g_auto(GStrv) skins = ql_skin_catalogue_list (catalogue);

  ck_assert_uint_eq (g_strv_length (skins), 4);
}
END_TEST

START_TEST (test_shipped_css)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new (dir);
  g_autoptr(GError) error = NULL;
  /* Not owned: a shipped skin must set it to NULL, and nothing is freed. */
  char *path = (char *) "unset";
  g_autofree char *light = ql_skin_catalogue_load_css (catalogue, "solarized", FALSE, &path,
                                                       &error);
  g_autofree char *dark = ql_skin_catalogue_load_css (catalogue, "solarized", TRUE, NULL,
                                                      &error);
  g_autofree char *plain = ql_skin_catalogue_load_css (catalogue, QL_SKIN_DEFAULT, TRUE, NULL,
                                                       &error);

  ck_assert_msg (light != NULL && dark != NULL && plain != NULL, "%s",
                 error != NULL ? error->message : "");
  ck_assert_ptr_null (path);
  ck_assert_ptr_nonnull (strstr (light, "Solarized, light variant"));
  ck_assert_ptr_nonnull (strstr (dark, "Solarized, dark variant"));
  ck_assert_str_eq (plain, "");
}
END_TEST

START_TEST (test_users_css_and_dark_variant)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *light_path = NULL;
  g_autofree char *dark_path = NULL;
  g_autofree char *only_path = NULL;
  g_autofree char *light = NULL;
  g_autofree char *dark = NULL;
  g_autofree char *only = NULL;
  g_autofree char *expected = NULL;

  write_file (dir, "mine.css", "/* light */");
  write_file (dir, "mine-dark.css", "/* dark */");
  write_file (dir, "plain.css", "/* plain */");

  light = ql_skin_catalogue_load_css (catalogue, "mine", FALSE, &light_path, &error);
  dark = ql_skin_catalogue_load_css (catalogue, "mine", TRUE, &dark_path, &error);
  /* No dark variant: the only file serves both. */
  only = ql_skin_catalogue_load_css (catalogue, "plain", TRUE, &only_path, &error);
  ck_assert_msg (light != NULL && dark != NULL && only != NULL, "%s",
                 error != NULL ? error->message : "");
  ck_assert_str_eq (light, "/* light */");
  ck_assert_str_eq (dark, "/* dark */");
  ck_assert_str_eq (only, "/* plain */");
  expected = g_build_filename (dir, "mine-dark.css", NULL);
  ck_assert_str_eq (dark_path, expected);
  g_free (expected);
  expected = g_build_filename (dir, "plain.css", NULL);
  ck_assert_str_eq (only_path, expected);
}
END_TEST

START_TEST (test_unknown_skins_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *outside = g_build_filename (dir, "..", "outside.css", NULL);
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new (dir);
  const char *names[] = { "no-such-skin", "../outside", "", "mine-dark" };

  ck_assert (g_file_set_contents (outside, "", -1, NULL));
  write_file (dir, "mine.css", "");
  write_file (dir, "mine-dark.css", "");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *css = ql_skin_catalogue_load_css (catalogue, names[i], FALSE, NULL,
                                                         &error);

      ck_assert_msg (css == NULL, "%s was read", names[i]);
      ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND), "%s",
                     error->message);
      ck_assert_ptr_nonnull (strstr (error->message, names[i]));
    }
  g_unlink (outside);
}
END_TEST

START_TEST (test_files_read_safely)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *fifo = g_build_filename (dir, "fifo.css", NULL);
  g_autofree char *zero = g_build_filename (dir, "zero.css", NULL);
  g_autofree char *big = g_build_filename (dir, "big.css", NULL);
  g_autofree char *binary = g_build_filename (dir, "binary.css", NULL);
  g_autofree char *padding = g_strnfill (QL_SKIN_MAX_SIZE + 1, ' ');
  g_autoptr(QlSkinCatalogue) catalogue = ql_skin_catalogue_new (dir);
  g_autofree char *css = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  ck_assert_int_eq (mkfifo (fifo, 0600), 0);
  ck_assert_int_eq (symlink ("/dev/zero", zero), 0);
  ck_assert (g_file_set_contents (big, padding, -1, NULL));
  ck_assert (g_file_set_contents (binary, "a\xff", -1, NULL));

  /* Refused at once, never read: a FIFO without a writer would block. */
  ck_assert_ptr_null (ql_skin_catalogue_load_css (catalogue, "fifo", FALSE, NULL, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE), "%s",
                 error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (ql_skin_catalogue_read_file (zero, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE), "%s",
                 error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (ql_skin_catalogue_read_file (big, &error));
  ck_assert_msg (strstr (error->message, "KiB") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (ql_skin_catalogue_read_file (binary, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA), "%s",
                 error->message);
  g_clear_error (&error);
  ck_assert_int_lt (g_get_monotonic_time () - start, G_USEC_PER_SEC);

  write_file (dir, "fine.css", "@define-color window_bg_color #010203;\n");
  g_free (big);
  big = g_build_filename (dir, "fine.css", NULL);
  css = ql_skin_catalogue_read_file (big, &error);
  ck_assert_msg (css != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (css, "@define-color window_bg_color #010203;\n");
}
END_TEST

START_TEST (test_colours_parsed)
{
  g_autoptr(GHashTable) colours =
    ql_skin_catalogue_parse_colours ("/* @define-color in a comment is still CSS text */\n"
                                     "@define-color window_bg_color #A0b0C0;\n"
                                     "@define-color accent_color   #000001 ;\n"
                                     "@define-color accent_color #123456;\n"
                                     "@define-color card_bg_color rgba(0, 0, 0, 0.5);\n"
                                     "@define-color short_color #fff;\n");
  const guint32 *rgb;

  ck_assert_uint_eq (g_hash_table_size (colours), 2);
  rgb = g_hash_table_lookup (colours, "window_bg_color");
  ck_assert_ptr_nonnull (rgb);
  ck_assert_uint_eq (*rgb, 0xa0b0c0);
  /* Defined twice: the last one counts, as in CSS. */
  rgb = g_hash_table_lookup (colours, "accent_color");
  ck_assert_ptr_nonnull (rgb);
  ck_assert_uint_eq (*rgb, 0x123456);
}
END_TEST

static Suite *
skin_catalogue_suite (void)
{
  Suite *suite = suite_create ("Skin catalogue");
  TCase *tc = tcase_create ("catalogue");

  tcase_add_test (tc, test_shipped_skins);
  tcase_add_test (tc, test_users_skins_listed);
  tcase_add_test (tc, test_missing_folder_lists_shipped_skins);
  tcase_add_test (tc, test_shipped_css);
  tcase_add_test (tc, test_users_css_and_dark_variant);
  tcase_add_test (tc, test_unknown_skins_refused);
  tcase_add_test (tc, test_files_read_safely);
  tcase_add_test (tc, test_colours_parsed);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run_in_dir ("ql-test-skin-catalogue", skin_catalogue_suite (), NULL);
}
