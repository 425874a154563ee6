/* test-stale-clusters.c: a cluster a killed test program left behind is
 * removed by the next one to start, and nothing else is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <utime.h>
#include <unistd.h>

#include "ql-test-files.h"
#include "ql-test-postgres.h"

/* A folder named as the clusters are, with a server pid file holding
 * @pid (none when 0), last changed @age_s seconds ago. */
static char *
make_cluster_folder (pid_t pid,
                     int   age_s)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ql-postgres-XXXXXX", &error);
  g_autofree char *data = NULL;
  struct utimbuf times;

  ck_assert_msg (dir != NULL, "%s", error != NULL ? error->message : "");
  data = g_build_filename (dir, "data", NULL);
  ck_assert_int_eq (g_mkdir (data, 0700), 0);
  if (pid > 0)
    {
      g_autofree char *pid_file = g_build_filename (data, "postmaster.pid", NULL);
      g_autofree char *contents = g_strdup_printf ("%d\n%s\n", (int) pid, data);

      ck_assert (g_file_set_contents (pid_file, contents, -1, &error));
    }
  times.actime = times.modtime = time (NULL) - age_s;
  ck_assert_int_eq (utime (dir, &times), 0);
  return dir;
}

/* A pid that no process has: one of a child that has exited and been
 * reaped. */
static pid_t
gone_pid (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int status;

  ck_assert (g_spawn_async (NULL, (char **) argv, NULL,
                            G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                            &error));
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  return pid;
}

START_TEST (test_stale_clusters_are_removed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *killed = make_cluster_folder (gone_pid (), 0);
  g_autofree char *never_started = make_cluster_folder (0, 2 * 60 * 60);
  g_autofree char *starting = make_cluster_folder (0, 0);
  g_autofree char *running = make_cluster_folder (getpid (), 2 * 60 * 60);
  QlTestPostgres *cluster = ql_test_postgres_start (&error);

  ck_assert_msg (cluster != NULL, "%s", error != NULL ? error->message : "");
  ck_assert (!g_file_test (killed, G_FILE_TEST_EXISTS));
  ck_assert (!g_file_test (never_started, G_FILE_TEST_EXISTS));
  ck_assert (g_file_test (starting, G_FILE_TEST_IS_DIR));
  ck_assert (g_file_test (running, G_FILE_TEST_IS_DIR));
  ql_test_postgres_stop (cluster);

  ql_test_remove_tree (starting);
  ql_test_remove_tree (running);
}
END_TEST

/* A test program that ends without stopping its cluster, as a failed
 * assertion does, leaves its server running: the next cluster to start
 * stops it and removes its folder. */
START_TEST (test_orphaned_cluster_is_stopped)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *contents = NULL;
  QlTestPostgres *cluster;
  char dir[4096] = { 0 };
  int fds[2];
  pid_t child;
  pid_t server;
  int status;

  ck_assert_int_eq (pipe (fds), 0);
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      QlTestPostgres *orphan = ql_test_postgres_start (NULL);
      const char *orphan_dir = orphan != NULL ? ql_test_postgres_get_socket_dir (orphan) : "";

      _exit (write (fds[1], orphan_dir, strlen (orphan_dir)) > 0 ? 0 : 1);
    }
  close (fds[1]);
  ck_assert_int_gt (read (fds[0], dir, sizeof dir - 1), 0);
  close (fds[0]);
  ck_assert_int_eq (waitpid (child, &status, 0), child);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  pid_file = g_build_filename (dir, "data", "postmaster.pid", NULL);
  ck_assert (g_file_get_contents (pid_file, &contents, NULL, NULL));
  server = (pid_t) g_ascii_strtoll (contents, NULL, 10);
  ck_assert_int_eq (kill (server, 0), 0);

  cluster = ql_test_postgres_start (&error);
  ck_assert_msg (cluster != NULL, "%s", error != NULL ? error->message : "");
  ck_assert (!g_file_test (dir, G_FILE_TEST_EXISTS));
  /* pg_ctl returns once the pid file is gone, a moment before the server. */
  for (guint i = 0; i < 500 && kill (server, 0) == 0; i++)
    g_usleep (10000);
  ck_assert_msg (kill (server, 0) != 0 && errno == ESRCH, "the orphan's server %d still runs",
                 (int) server);
  ql_test_postgres_stop (cluster);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("stale clusters");
  TCase *tc = tcase_create ("removed");
  SRunner *runner;
  int failed;

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_stale_clusters_are_removed);
  tcase_add_test (tc, test_orphaned_cluster_is_stopped);
  suite_add_tcase (suite, tc);
  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
