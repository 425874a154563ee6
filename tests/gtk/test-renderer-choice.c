/* test-renderer-choice.c: cairo without a GPU, the user's own choice kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-renderer-choice"

#include "config.h"

#include <check.h>
#include <glib/gstdio.h>

#include "ql-renderer-choice.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

static char *dri_dir;

/* Every test starts from an environment that says nothing, and a device
 * folder of its own instead of the machine's /dev/dri. */
static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  g_unsetenv ("GSK_RENDERER");
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("LIBGL_ALWAYS_SOFTWARE");
  dri_dir = g_dir_make_tmp ("ql-dri-XXXXXX", &error);
  ck_assert_msg (dri_dir != NULL, "%s", error != NULL ? error->message : "");
}

static void
teardown (void)
{
  ql_test_remove_tree (dri_dir);
  g_clear_pointer (&dri_dir, g_free);
}

static void
add_device (const char *name)
{
  g_autofree char *path = g_build_filename (dri_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  ck_assert_msg (g_file_set_contents (path, "", 0, &error), "%s",
                 error != NULL ? error->message : "");
}

START_TEST (test_no_render_node_draws_with_cairo)
{
  QlRendererChoice choice = ql_renderer_choice_decide (NULL, NULL, NULL, FALSE);

  ck_assert_str_eq (choice.gsk_renderer, "cairo");
  ck_assert_str_eq (choice.gdk_debug, "gl-disable");
}
END_TEST

START_TEST (test_render_node_leaves_gtk_alone)
{
  QlRendererChoice choice = ql_renderer_choice_decide (NULL, NULL, NULL, TRUE);

  ck_assert_ptr_null (choice.gsk_renderer);
  ck_assert_ptr_null (choice.gdk_debug);

  choice = ql_renderer_choice_decide (NULL, NULL, "0", TRUE);
  ck_assert_ptr_null (choice.gsk_renderer);
  ck_assert_ptr_null (choice.gdk_debug);
}
END_TEST

START_TEST (test_software_gl_draws_with_cairo)
{
  static const char * const yes[] = { "1", "true", "TRUE", "y", "yes" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      QlRendererChoice choice = ql_renderer_choice_decide (NULL, NULL, yes[i], TRUE);

      ck_assert_msg (g_strcmp0 (choice.gsk_renderer, "cairo") == 0,
                     "LIBGL_ALWAYS_SOFTWARE=%s kept GL", yes[i]);
      ck_assert_str_eq (choice.gdk_debug, "gl-disable");
    }

  /* No GPU at all: software GL whatever Mesa is told. */
  ck_assert_str_eq (ql_renderer_choice_decide (NULL, NULL, "0", FALSE).gsk_renderer, "cairo");
}
END_TEST

START_TEST (test_user_renderer_is_kept)
{
  static const char * const renderers[] = { "gl", "cairo", "vulkan", "ngl" };

  for (guint i = 0; i < G_N_ELEMENTS (renderers); i++)
    {
      QlRendererChoice no_gpu = ql_renderer_choice_decide (renderers[i], NULL, NULL, FALSE);
      QlRendererChoice software = ql_renderer_choice_decide (renderers[i], NULL, "1", TRUE);

      ck_assert_ptr_null (no_gpu.gsk_renderer);
      ck_assert_ptr_null (no_gpu.gdk_debug);
      ck_assert_ptr_null (software.gsk_renderer);
      ck_assert_ptr_null (software.gdk_debug);
    }

  /* An empty variable is no choice. */
  ck_assert_str_eq (ql_renderer_choice_decide ("", NULL, NULL, FALSE).gsk_renderer, "cairo");
}
END_TEST

START_TEST (test_user_debug_flags_are_kept)
{
  QlRendererChoice choice = ql_renderer_choice_decide (NULL, "events", NULL, FALSE);

  ck_assert_str_eq (choice.gsk_renderer, "cairo");
  ck_assert_ptr_null (choice.gdk_debug);

  choice = ql_renderer_choice_decide (NULL, "", NULL, FALSE);
  ck_assert_str_eq (choice.gdk_debug, "gl-disable");
}
END_TEST

START_TEST (test_render_node_is_found)
{
  g_autofree char *missing = g_build_filename (dri_dir, "missing", NULL);

  ck_assert (!ql_renderer_choice_has_render_node (missing));
  ck_assert (!ql_renderer_choice_has_render_node (dri_dir));

  /* A card node alone serves a display server, not GL in an application. */
  add_device ("card0");
  ck_assert (!ql_renderer_choice_has_render_node (dri_dir));

  add_device ("renderD128");
  ck_assert (ql_renderer_choice_has_render_node (dri_dir));
}
END_TEST

START_TEST (test_apply_sets_environment)
{
  ql_renderer_choice_apply (dri_dir);

  ck_assert_str_eq (g_getenv ("GSK_RENDERER"), "cairo");
  ck_assert_str_eq (g_getenv ("GDK_DEBUG"), "gl-disable");
}
END_TEST

START_TEST (test_apply_keeps_gpu_and_user_settings)
{
  add_device ("renderD128");
  ql_renderer_choice_apply (dri_dir);
  ck_assert_ptr_null (g_getenv ("GSK_RENDERER"));
  ck_assert_ptr_null (g_getenv ("GDK_DEBUG"));

  g_setenv ("LIBGL_ALWAYS_SOFTWARE", "1", TRUE);
  g_setenv ("GSK_RENDERER", "gl", TRUE);
  g_setenv ("GDK_DEBUG", "misc", TRUE);
  ql_renderer_choice_apply (dri_dir);
  ck_assert_str_eq (g_getenv ("GSK_RENDERER"), "gl");
  ck_assert_str_eq (g_getenv ("GDK_DEBUG"), "misc");

  g_unsetenv ("GSK_RENDERER");
  ql_renderer_choice_apply (dri_dir);
  ck_assert_str_eq (g_getenv ("GSK_RENDERER"), "cairo");
  ck_assert_str_eq (g_getenv ("GDK_DEBUG"), "misc");
}
END_TEST

static Suite *
renderer_choice_suite (void)
{
  Suite *suite = suite_create ("QlRendererChoice");
  struct {
    const char *name;
    const TTest *test;
  } cases[] = {
    { "no render node", test_no_render_node_draws_with_cairo },
    { "render node", test_render_node_leaves_gtk_alone },
    { "software GL", test_software_gl_draws_with_cairo },
    { "user renderer", test_user_renderer_is_kept },
    { "user debug flags", test_user_debug_flags_are_kept },
    { "render node found", test_render_node_is_found },
    { "apply", test_apply_sets_environment },
    { "apply keeps", test_apply_keeps_gpu_and_user_settings },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tc = tcase_create (cases[i].name);

      tcase_add_checked_fixture (tc, setup, teardown);
      tcase_add_test (tc, cases[i].test);
      suite_add_tcase (suite, tc);
    }
  return suite;
}

int
main (void)
{
  return ql_test_run (renderer_choice_suite (), NULL);
}
