/* ql-test-files.c: private folders for the C tests, and giving up root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <unistd.h>

#include "ql-test-files.h"

/* The id of nobody: the tests run as root, which can write any file, so
 * tests of files that cannot be written run as nobody instead. */
#define UNPRIVILEGED_ID 65534

/**
 * ql_test_begin_run_dir:
 * @name: the test program's name
 *
 * Makes the folder one test run keeps its files in, and names it in
 * `QL_TEST_TMPDIR` for ql_test_make_dir(). Remove it with
 * ql_test_remove_tree() when the run ends.
 *
 * Returns: (transfer full): the folder's path
 */
char *
ql_test_begin_run_dir (const char *name)
{
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", name);
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  /* Tests that give up root must still reach their own folders. */
  g_chmod (dir, 0755);
  g_setenv ("QL_TEST_TMPDIR", dir, TRUE);
  return dir;
}

/**
 * ql_test_make_dir:
 *
 * Returns: (transfer full): a fresh private folder for one test, inside
 *   the run's folder
 */
char *
ql_test_make_dir (void)
{
  g_autofree char *template = g_build_filename (g_getenv ("QL_TEST_TMPDIR"), "XXXXXX", NULL);
  char *dir = g_mkdtemp_full (g_steal_pointer (&template), 0700);

  ck_assert_ptr_nonnull (dir);
  return dir;
}

/**
 * ql_test_remove_tree:
 * @path: a file or folder
 *
 * Removes @path and everything in it, including folders the tests made
 * read-only. Symbolic links are removed, never followed.
 */
void
ql_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      g_chmod (path, 0700);
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          ql_test_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

/**
 * ql_test_drop_root:
 *
 * Goes on as nobody when running as root. Check runs each test in a child
 * process, so giving up root there leaves the other tests alone.
 */
void
ql_test_drop_root (void)
{
  if (geteuid () != 0)
    return;

  ck_assert_int_eq (setgroups (0, NULL), 0);
  ck_assert_int_eq (setgid (UNPRIVILEGED_ID), 0);
  ck_assert_int_eq (setuid (UNPRIVILEGED_ID), 0);
  ck_assert_int_ne (geteuid (), 0);
}

/**
 * ql_test_give_away:
 * @path: a file the test made
 *
 * Hands @path to nobody when running as root, so that the user
 * ql_test_drop_root() makes owns it, as a user owns their own files.
 */
void
ql_test_give_away (const char *path)
{
  if (geteuid () == 0)
    ck_assert_int_eq (chown (path, UNPRIVILEGED_ID, UNPRIVILEGED_ID), 0);
}
