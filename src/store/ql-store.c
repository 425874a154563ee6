/* ql-store.c: opens the event store a user named
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ql-store"

#include "config.h"

#include <glib/gi18n.h>
#include <pwd.h>
#include <string.h>

#include "ql-memory-event-store.h"
#include "ql-postgres-event-store.h"
#include "ql-sqlite-event-store.h"
#include "ql-store.h"

/* The one place that picks an adapter for a `--db` string: the model
 * only knows the QlEventStore interface. */

#define MEMORY_LOCATION ":memory:"

/**
 * ql_store_default_location:
 *
 * Where ledgers are kept unless the user picks another file:
 * `$XDG_DATA_HOME/quote-ledger/ledger.db`.
 *
 * Returns: (transfer full): the path of the default database file
 */
char *
ql_store_default_location (void)
{
  return g_build_filename (g_get_user_data_dir (), "quote-ledger", "ledger.db", NULL);
}

/* `~` and `~/…` stand for the home folder, `~user` and `~user/…` for
 * that user's, as in a shell, which does not expand them in `--db=~/x`. */
static char *
expand_tilde (const char  *location,
              GError     **error)
{
  const char *slash = strchr (location, '/');
  const char *rest = slash != NULL ? slash + 1 : "";
  g_autofree char *user = g_strndup (location + 1,
                                     slash != NULL ? (gsize) (slash - location - 1)
                                                   : strlen (location + 1));
  g_autofree char *home = NULL;

  if (*user == '\0')
    {
      home = g_strdup (g_get_home_dir ());
    }
  else
    {
      struct passwd *entry = getpwnam (user);

      if (entry == NULL || entry->pw_dir == NULL || *entry->pw_dir == '\0')
        {
          g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                       _("Could not open “%s”: there is no user named “%s”"), location, user);
          return NULL;
        }
      home = g_strdup (entry->pw_dir);
    }

  return g_canonicalize_filename (rest, home);
}

static char *
resolve_location (const char  *location,
                  GError     **error)
{
  if (location == NULL || *location == '\0')
    return ql_store_default_location ();

  if (location[0] == '~')
    return expand_tilde (location, error);

  return g_canonicalize_filename (location, NULL);
}

/**
 * ql_store_open:
 * @db: (nullable): a file path, `:memory:`, a PostgreSQL URI or connection
 *   string, or %NULL for the default
 * @error: return location for a #GError
 *
 * Opens the store a user named, as `--db` does.
 *
 * %NULL or an empty string opens ql_store_default_location(), and
 * `:memory:` a new store that lives in memory only. A `postgresql://` or
 * `postgres://` URI, or a libpq connection string (`host=… dbname=…`),
 * opens a #QlPostgresEventStore on that database. Anything else is the
 * path of a SQLite file: a leading `~` stands for the home folder and
 * `~user` for that user's, as in a shell, and a relative path is taken from the current folder. A missing file is
 * created with mode 0600, and its missing folders with mode 0700. A file
 * that cannot be written is opened read-only: reads work and appends fail
 * with %QL_STORE_ERROR_READ_ONLY.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
QlEventStore *
ql_store_open (const char  *db,
               GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_strcmp0 (db, MEMORY_LOCATION) == 0)
    return ql_memory_event_store_new ();

  if (ql_postgres_event_store_is_conninfo (db))
    return ql_postgres_event_store_new (db, error);

  path = resolve_location (db, error);
  if (path == NULL)
    return NULL;

  return ql_sqlite_event_store_new (path, error);
}
