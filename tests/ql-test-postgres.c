/* ql-test-postgres.c: a throwaway PostgreSQL cluster for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ql-test-files.h"
#include "ql-test-postgres.h"

/* A test program starts its own cluster in a temporary folder, before
 * Check forks the tests, and stops and removes it at the end: initdb,
 * a server listening only on a Unix socket in that folder, trust for
 * every role but one that must give a password. initdb and postgres
 * refuse to run as root, so as root they run as the `postgres` user
 * that the server's package makes, which then owns the folder. The
 * tests find the cluster through QL_TEST_POSTGRES, a connection string
 * without a database. */

#define ENV_CONNINFO "QL_TEST_POSTGRES"
#define SUPERUSER "ql"
/* Where Debian 12 installs the server when pg_config cannot say. */
#define FALLBACK_BINDIR "/usr/lib/postgresql/15/bin"

struct _QlTestPostgres
{
  char     *dir;
  char     *data;
  char     *bindir;
  gboolean  as_postgres;
  gboolean  running;
};

static void
cluster_free (QlTestPostgres *cluster)
{
  g_free (cluster->dir);
  g_free (cluster->data);
  g_free (cluster->bindir);
  g_free (cluster);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlTestPostgres, cluster_free)

static char *
find_bindir (void)
{
  g_autofree char *output = NULL;
  g_autofree char *initdb = NULL;
  const char * const argv[] = { "pg_config", "--bindir", NULL };

  if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, &output, NULL, NULL, NULL))
    {
      g_strstrip (output);
      initdb = g_build_filename (output, "initdb", NULL);
      if (g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&output);
    }

  return g_strdup (FALLBACK_BINDIR);
}

/* Runs one of the server's programs, as `postgres` when root. */
static gboolean
run_program (QlTestPostgres  *cluster,
             const char      *program,
             const char     **args,
             GError         **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *errors = NULL;
  g_autofree char *output = NULL;
  int status = 0;

  if (cluster->as_postgres)
    {
      g_ptr_array_add (argv, g_strdup ("runuser"));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup ("postgres"));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (cluster->bindir, program, NULL));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (cluster->dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, &output, &errors, &status, error))
    return FALSE;
  if (g_spawn_check_wait_status (status, NULL))
    return TRUE;

  g_set_error (error, G_SPAWN_EXIT_ERROR, status, "%s failed: %s%s", program, output, errors);
  return FALSE;
}

static gboolean
write_file (const char  *path,
            const char  *mode,
            const char  *text,
            GError     **error)
{
  /* fopen keeps the owner of a file that exists: it stays the server's. */
  FILE *file = fopen (path, mode);

  if (file == NULL || fputs (text, file) < 0 || fclose (file) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not write %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
configure (QlTestPostgres  *cluster,
           GError         **error)
{
  g_autofree char *conf = g_build_filename (cluster->data, "postgresql.conf", NULL);
  g_autofree char *hba = g_build_filename (cluster->data, "pg_hba.conf", NULL);
  /* The cluster is thrown away after the run: what a crash would lose
   * does not matter, and without fsync 20,000 commits take seconds. */
  g_autofree char *settings = g_strdup_printf ("listen_addresses = ''\n"
                                               "unix_socket_directories = '%s'\n"
                                               "fsync = off\n"
                                               "shared_buffers = 16MB\n"
                                               "max_connections = 40\n",
                                               cluster->dir);

  return write_file (conf, "a", settings, error) &&
         write_file (hba, "w",
                     "local all " QL_TEST_POSTGRES_PASSWORD_ROLE " scram-sha-256\n"
                     "local all all trust\n"
                     "local replication all trust\n", error);
}

/* Runs @sql; failing with SQLSTATE @allowed_state counts as success. */
static gboolean
run_sql (const char  *conninfo,
         const char  *sql,
         const char  *allowed_state,
         GError     **error)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result = NULL;
  gboolean ok = PQstatus (conn) == CONNECTION_OK;

  if (ok)
    {
      result = PQexec (conn, sql);
      ok = PQresultStatus (result) == PGRES_COMMAND_OK ||
           g_strcmp0 (PQresultErrorField (result, PG_DIAG_SQLSTATE), allowed_state) == 0;
    }
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
  return ok;
}

/* How old a cluster's folder without a server must be before it counts
 * as left behind rather than still being made, in seconds. */
#define STALE_FOLDER_AGE_S (60 * 60)

/* Whether the process the first line of @path names is gone. */
static gboolean
pid_in_file_is_gone (const char *path)
{
  g_autofree char *contents = NULL;
  gint64 pid;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  pid = g_ascii_strtoll (contents, NULL, 10);
  return pid > 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* Whether the cluster in @dir was left behind by a test program killed
 * before it could stop it, or that failed before it did: the program
 * that made it is gone, or its server's pid is, or it never got one and
 * the folder is old. A pid that exists, whoever's, keeps it. */
static gboolean
is_stale_cluster (const char *dir)
{
  g_autofree char *owner_file = g_build_filename (dir, "owner", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "data", "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  GStatBuf st;

  if (pid_in_file_is_gone (owner_file))
    return TRUE;
  if (g_file_get_contents (pid_file, &contents, NULL, NULL))
    {
      gint64 pid = g_ascii_strtoll (contents, NULL, 10);

      return pid > 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
    }
  return g_stat (dir, &st) == 0 && time (NULL) - st.st_mtime > STALE_FOLDER_AGE_S;
}

/* A server whose owner is gone may still run: it is stopped before its
 * folder goes. */
static void
stop_and_remove (const char *dir)
{
  g_autofree char *pid_file = g_build_filename (dir, "data", "postmaster.pid", NULL);
  QlTestPostgres cluster = { (char *) dir, NULL, NULL, geteuid () == 0, TRUE };

  if (g_file_test (pid_file, G_FILE_TEST_EXISTS) && !pid_in_file_is_gone (pid_file))
    {
      g_autofree char *data = g_build_filename (dir, "data", NULL);
      g_autofree char *bindir = find_bindir ();
      const char *stop[] = { "-D", data, "-m", "immediate", "-w", "stop", NULL };
      g_autoptr(GError) error = NULL;

      cluster.data = data;
      cluster.bindir = bindir;
      if (!run_program (&cluster, "pg_ctl", stop, &error))
        g_printerr ("Could not stop the cluster left in %s: %s\n", dir, error->message);
    }
  ql_test_remove_tree (dir);
}

/* Removes the clusters test programs killed from outside (a timeout, a
 * signal) left in the temporary folder. */
static void
remove_stale_clusters (void)
{
  const char *tmp = g_get_tmp_dir ();
  g_autoptr(GDir) folder = g_dir_open (tmp, 0, NULL);
  const char *name;

  while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *dir = g_build_filename (tmp, name, NULL);

      if (g_str_has_prefix (name, "ql-postgres-") && is_stale_cluster (dir))
        stop_and_remove (dir);
    }
}

/* The cluster's folder, the server's own when running as root. */
static gboolean
make_folder (QlTestPostgres  *cluster,
             GError         **error)
{
  cluster->as_postgres = geteuid () == 0;
  cluster->bindir = find_bindir ();
  cluster->dir = g_dir_make_tmp ("ql-postgres-XXXXXX", error);
  if (cluster->dir == NULL)
    return FALSE;
  cluster->data = g_build_filename (cluster->dir, "data", NULL);

  if (cluster->as_postgres)
    {
      struct passwd *postgres = getpwnam ("postgres");

      if (postgres == NULL || chown (cluster->dir, postgres->pw_uid, postgres->pw_gid) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Running as root, the cluster needs the user postgres to own %s: %s",
                       cluster->dir, postgres == NULL ? "there is no such user"
                                                      : g_strerror (errno));
          ql_test_remove_tree (cluster->dir);
          return FALSE;
        }
    }

  return TRUE;
}

static char *
conninfo_of (QlTestPostgres *cluster)
{
  return g_strdup_printf ("host=%s port=5432 user=" SUPERUSER, cluster->dir);
}

/**
 * ql_test_postgres_start:
 * @error: return location for a #GError
 *
 * Makes and starts a cluster, and names it in `QL_TEST_POSTGRES`.
 *
 * Returns: (transfer full): the cluster, for ql_test_postgres_stop(), or
 *   %NULL with @error set
 */
QlTestPostgres *
ql_test_postgres_start (GError **error)
{
  g_autoptr(QlTestPostgres) cluster = g_new0 (QlTestPostgres, 1);
  g_autofree char *log = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *admin = NULL;

  remove_stale_clusters ();
  if (!make_folder (cluster, error))
    return NULL;
  log = g_build_filename (cluster->dir, "server.log", NULL);

  /* The program that makes the cluster owns it: one that fails before it
   * stops the server leaves a cluster the next one stops. */
  {
    g_autofree char *owner_file = g_build_filename (cluster->dir, "owner", NULL);
    g_autofree char *owner = g_strdup_printf ("%d\n", (int) getpid ());

    if (!g_file_set_contents (owner_file, owner, -1, error))
      {
        ql_test_remove_tree (cluster->dir);
        return NULL;
      }
  }

  {
    const char *initdb[] = { "-D", cluster->data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                             "--locale=C", "--no-sync", "--no-instructions", NULL };
    const char *start[] = { "-D", cluster->data, "-l", log, "-w", "-t", "60", "start", NULL };

    if (!run_program (cluster, "initdb", initdb, error) || !configure (cluster, error) ||
        !run_program (cluster, "pg_ctl", start, error))
      {
        g_autofree char *server_log = NULL;

        if (g_file_get_contents (log, &server_log, NULL, NULL) && *error != NULL)
          g_prefix_error (error, "%s\n", server_log);
        ql_test_remove_tree (cluster->dir);
        return NULL;
      }
  }

  cluster->running = TRUE;
  conninfo = conninfo_of (cluster);
  admin = g_strdup_printf ("%s dbname=postgres", conninfo);
  if (!run_sql (admin, "CREATE ROLE " QL_TEST_POSTGRES_PASSWORD_ROLE " LOGIN PASSWORD '"
                       QL_TEST_POSTGRES_PASSWORD "'", NULL, error))
    {
      ql_test_postgres_stop (g_steal_pointer (&cluster));
      return NULL;
    }

  g_setenv (ENV_CONNINFO, conninfo, TRUE);
  return g_steal_pointer (&cluster);
}

/**
 * ql_test_postgres_stop:
 * @cluster: (transfer full): what ql_test_postgres_start() returned
 *
 * Stops the cluster and removes its folder.
 */
void
ql_test_postgres_stop (QlTestPostgres *cluster)
{
  const char *stop[] = { "-D", cluster->data, "-m", "immediate", "-w", "stop", NULL };
  g_autoptr(GError) error = NULL;

  if (cluster->running && !run_program (cluster, "pg_ctl", stop, &error))
    g_printerr ("%s\n", error->message);
  ql_test_remove_tree (cluster->dir);
  cluster_free (cluster);
}

/**
 * ql_test_postgres_start_standby:
 * @primary: a started cluster
 * @error: return location for a #GError
 *
 * Makes a streaming standby of @primary (`pg_basebackup -R`) in a folder
 * of its own, listening on a socket there, and starts it.
 *
 * Returns: (transfer full): the standby, or %NULL with @error set
 */
QlTestPostgres *
ql_test_postgres_start_standby (QlTestPostgres  *primary,
                                GError         **error)
{
  g_autoptr(QlTestPostgres) standby = g_new0 (QlTestPostgres, 1);
  g_autofree char *source = conninfo_of (primary);
  g_autofree char *log = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *settings = NULL;

  if (!make_folder (standby, error))
    return NULL;
  log = g_build_filename (standby->dir, "server.log", NULL);
  conf = g_build_filename (standby->data, "postgresql.conf", NULL);
  settings = g_strdup_printf ("unix_socket_directories = '%s'\n", standby->dir);

  {
    const char *backup[] = { "-D", standby->data, "-R", "-X", "stream", "-d", source, NULL };
    const char *start[] = { "-D", standby->data, "-l", log, "-w", "-t", "60", "start", NULL };

    if (!run_program (standby, "pg_basebackup", backup, error) ||
        !write_file (conf, "a", settings, error) ||
        !run_program (standby, "pg_ctl", start, error))
      {
        ql_test_remove_tree (standby->dir);
        return NULL;
      }
  }

  standby->running = TRUE;
  return g_steal_pointer (&standby);
}

/**
 * ql_test_postgres_crash:
 * @cluster: a started cluster
 * @error: return location for a #GError
 *
 * Stops the server at once, as a crash would; its folder stays until
 * ql_test_postgres_stop().
 *
 * Returns: %TRUE when the server stopped
 */
gboolean
ql_test_postgres_crash (QlTestPostgres  *cluster,
                        GError         **error)
{
  const char *stop[] = { "-D", cluster->data, "-m", "immediate", "-w", "stop", NULL };

  if (!run_program (cluster, "pg_ctl", stop, error))
    return FALSE;
  cluster->running = FALSE;
  return TRUE;
}

/**
 * ql_test_postgres_restart:
 * @cluster: a cluster stopped by ql_test_postgres_crash()
 * @error: return location for a #GError
 *
 * Starts the server again on the same folder and socket.
 *
 * Returns: %TRUE once it takes connections
 */
gboolean
ql_test_postgres_restart (QlTestPostgres  *cluster,
                          GError         **error)
{
  g_autofree char *log = g_build_filename (cluster->dir, "server.log", NULL);
  const char *start[] = { "-D", cluster->data, "-l", log, "-w", "-t", "60", "start", NULL };

  if (!run_program (cluster, "pg_ctl", start, error))
    return FALSE;
  cluster->running = TRUE;
  return TRUE;
}

/**
 * ql_test_postgres_promote:
 * @standby: a started standby
 * @error: return location for a #GError
 *
 * Makes the standby a primary, and waits until it takes writes.
 *
 * Returns: %TRUE once it does
 */
gboolean
ql_test_postgres_promote (QlTestPostgres  *standby,
                          GError         **error)
{
  const char *promote[] = { "-D", standby->data, "-w", "-t", "60", "promote", NULL };

  return run_program (standby, "pg_ctl", promote, error);
}

/**
 * ql_test_postgres_get_socket_dir:
 * @cluster: a started cluster
 *
 * Returns: the folder of @cluster's socket, its `host`
 */
const char *
ql_test_postgres_get_socket_dir (QlTestPostgres *cluster)
{
  return cluster->dir;
}

/**
 * ql_test_postgres_conninfo:
 *
 * Returns: the started cluster's connection string, without a database
 */
const char *
ql_test_postgres_conninfo (void)
{
  const char *conninfo = g_getenv (ENV_CONNINFO);

  ck_assert_msg (conninfo != NULL, "no PostgreSQL cluster was started");
  return conninfo;
}

/**
 * ql_test_postgres_database:
 * @key: any text; the same key names the same database
 *
 * Creates the database @key names in the started cluster, unless it
 * exists already.
 *
 * Returns: (transfer full): its connection string
 */
char *
ql_test_postgres_database (const char *key)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);
  g_autofree char *name = g_strdup_printf ("ql_test_%.16s", hash);
  g_autofree char *admin = g_strdup_printf ("%s dbname=postgres", ql_test_postgres_conninfo ());
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autoptr(GError) error = NULL;

  /* 42P04: duplicate_database. */
  ck_assert_msg (run_sql (admin, create, "42P04", &error), "%s", error->message);

  return g_strdup_printf ("%s dbname=%s", ql_test_postgres_conninfo (), name);
}
