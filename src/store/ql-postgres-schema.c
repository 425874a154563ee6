/* ql-postgres-schema.c: the PostgreSQL store's tables and their migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-postgres-schema"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "ql-errors.h"
#include "ql-postgres-schema.h"

/* Every table is prefixed ql_, so that the ledgers may share a database
 * with other programs' tables. The schema version is the one row of
 * ql_schema. Names are compared as bytes (COLLATE "C"), as SQLite does,
 * whatever the database's locale. Events are immutable for every
 * connection: triggers refuse UPDATE, DELETE and TRUNCATE. */
static const char migration_1[] =
  "CREATE TABLE ql_schema (version integer NOT NULL);"
  "INSERT INTO ql_schema (version) VALUES (1);"
  "CREATE TABLE ql_ledgers (ledger text COLLATE \"C\" PRIMARY KEY);"
  "CREATE TABLE ql_events ("
  " position bigint PRIMARY KEY CHECK (position > 0),"
  " ledger text COLLATE \"C\" NOT NULL,"
  " version bigint NOT NULL CHECK (version > 0),"
  " type text NOT NULL,"
  " time_us bigint NOT NULL,"
  " payload text NOT NULL,"
  " reference text,"
  " UNIQUE (ledger, version));"
  "CREATE INDEX ql_events_references ON ql_events (ledger, reference)"
  " WHERE reference IS NOT NULL;"
  "CREATE TABLE ql_snapshots ("
  " ledger text COLLATE \"C\" NOT NULL,"
  " version bigint NOT NULL,"
  " state text NOT NULL,"
  " PRIMARY KEY (ledger, version));"
  "CREATE FUNCTION ql_refuse_event_change () RETURNS trigger LANGUAGE plpgsql AS $$"
  " BEGIN RAISE EXCEPTION 'events are immutable: % refused', TG_OP"
  " USING ERRCODE = 'restrict_violation'; END $$;"
  "CREATE TRIGGER ql_events_immutable BEFORE UPDATE OR DELETE ON ql_events"
  " FOR EACH ROW EXECUTE FUNCTION ql_refuse_event_change ();"
  "CREATE TRIGGER ql_events_not_truncated BEFORE TRUNCATE ON ql_events"
  " FOR EACH STATEMENT EXECUTE FUNCTION ql_refuse_event_change ();";

/* Each append's token, drawn by the store that wrote it: after a
 * connection lost during the commit, the store looks its event up by
 * (ledger, version) and this token to learn whether the commit went in.
 * No index: the UNIQUE (ledger, version) one finds the row. Adding a
 * column with no default rewrites nothing. */
static const char migration_2[] =
  "ALTER TABLE ql_events ADD COLUMN token uuid;"
  "UPDATE ql_schema SET version = 2;";

/* The projections' read models (see ql-postgres-read-models.c): each
 * slot of a projection, and the rows of every slot's generation, keyed
 * in byte order. They are derived from the events and may be rebuilt,
 * but live beside them so that a read model and its position commit in
 * one transaction. */
static const char migration_3[] =
  "UPDATE ql_schema SET version = 3;"
  "CREATE SEQUENCE ql_read_model_generations;"
  "CREATE TABLE ql_read_models ("
  " name text COLLATE \"C\" NOT NULL,"
  " slot integer NOT NULL,"
  " version bigint NOT NULL,"
  " position bigint NOT NULL,"
  " generation bigint NOT NULL UNIQUE,"
  " PRIMARY KEY (name, slot));"
  "CREATE TABLE ql_read_model_rows ("
  " generation bigint NOT NULL,"
  " key text COLLATE \"C\" NOT NULL,"
  " a bigint NOT NULL,"
  " b bigint NOT NULL,"
  " PRIMARY KEY (generation, key));";

/* migrations[N - 1] brings a database from version N - 1 to N, and
 * records N in ql_schema. */
static const char * const migrations[QL_POSTGRES_SCHEMA_VERSION] = {
  migration_1,
  migration_2,
  migration_3,
};

/* Any two processes upgrading one database at once take turns. */
#define SCHEMA_LOCK "SELECT pg_advisory_xact_lock(5139776011)"

/* Names what failed by the server's own one-line message. */
static void
set_failed (PGconn          *conn,
            const PGresult  *result,
            const char      *name,
            GError         **error)
{
  const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  g_autofree char *message = g_strdup (primary != NULL ? primary : PQerrorMessage (conn));

  g_strdelimit (message, "\n\t", ' ');
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
               _("Could not prepare the PostgreSQL database “%s” for Quote Ledger; "
                 "it was left as it was: %s"), name, g_strstrip (message));
}

/* Runs fixed SQL, and reads the first column of its one row into
 * @out_value when given. */
static gboolean
run (PGconn      *conn,
     const char  *sql,
     const char  *name,
     int         *out_value,
     GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (ok && out_value != NULL)
    *out_value = PQntuples (result) == 1 && !PQgetisnull (result, 0, 0)
                   ? atoi (PQgetvalue (result, 0, 0)) : 0;
  if (!ok)
    set_failed (conn, result, name, error);
  PQclear (result);
  return ok;
}

/* The version the database's tables are at, 0 when it has none. */
static gboolean
read_version (PGconn      *conn,
              const char  *name,
              int         *out_version,
              GError     **error)
{
  int exists = 0;

  *out_version = 0;
  if (!run (conn, "SELECT (to_regclass('ql_schema') IS NOT NULL)::integer", name, &exists,
            error))
    return FALSE;

  return exists == 0 || run (conn, "SELECT max(version) FROM ql_schema", name, out_version,
                             error);
}

static gboolean
check_version (int          version,
               const char  *name,
               gboolean     read_only,
               GError     **error)
{
  if (version > QL_POSTGRES_SCHEMA_VERSION)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_TOO_NEW,
                   _("“%s” was written by a newer version of Quote Ledger; "
                     "update Quote Ledger to open it"), name);
      return FALSE;
    }
  if (read_only && version < QL_POSTGRES_SCHEMA_VERSION)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_READ_ONLY,
                   _("“%s” holds no ledgers of this version yet and cannot be written: "
                     "it is read-only"), name);
      return FALSE;
    }
  return TRUE;
}

/**
 * ql_postgres_schema_upgrade:
 * @conn: a connection, outside any transaction
 * @name: the database's name for messages, without its password
 * @read_only: whether the server takes no writes
 * @error: return location for a #GError
 *
 * Creates the tables in a database that has none, and brings older ones
 * up to date, in one transaction: a failed migration leaves the database
 * as it was. Newer tables are refused, and so are missing or older ones
 * when @read_only.
 *
 * Returns: %TRUE when the tables are at %QL_POSTGRES_SCHEMA_VERSION
 */
gboolean
ql_postgres_schema_upgrade (PGconn      *conn,
                            const char  *name,
                            gboolean     read_only,
                            GError     **error)
{
  int version = 0;

  if (read_only)
    return read_version (conn, name, &version, error) &&
           check_version (version, name, TRUE, error);

  if (!run (conn, "BEGIN", name, NULL, error))
    return FALSE;

  if (!run (conn, SCHEMA_LOCK, name, NULL, error) ||
      !read_version (conn, name, &version, error) ||
      !check_version (version, name, FALSE, error))
    goto failed;

  for (int next = version + 1; next <= QL_POSTGRES_SCHEMA_VERSION; next++)
    if (!run (conn, migrations[next - 1], name, NULL, error))
      goto failed;

  return run (conn, "COMMIT", name, NULL, error);

failed:
  PQclear (PQexec (conn, "ROLLBACK"));
  return FALSE;
}
