/* ql-postgres-event-store.c: an event store in a PostgreSQL database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-postgres-event-store"

#include "config.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <string.h>

#include "ql-postgres-event-store-private.h"
#include "ql-postgres-schema.h"

/**
 * QlPostgresEventStore:
 *
 * A #QlEventStore in a PostgreSQL database, which several machines may
 * share.
 *
 * The tables are those of ql-postgres-schema.c. Every append runs in a
 * transaction that first takes one advisory lock, the same for every
 * append to the database, held to the commit, and only then reads the
 * ledger's head and the log's last position: appends take turns, each
 * event's position is the one after the last committed, and positions
 * become visible in the order they were given. A follower that has read
 * position N therefore never finds N - 1 appear later, and the log has
 * no gaps. Readers take no lock.
 *
 * Each append notifies the channel %QL_POSTGRES_EVENTS_CHANNEL, with
 * the position of its last event as the payload, when it commits: other
 * connections that LISTEN learn of new events without reading the log.
 *
 * Each append draws a token that its events keep: when the connection
 * is lost while its commit is on the way, the store looks the append up
 * by it once the lost connection's server process has ended, and
 * answers whether it went in.
 *
 * A server that takes no writes (a standby, or
 * `default_transaction_read_only`) opens the store read-only.
 *
 * It also keeps the projections' read models, in tables of their own
 * (ql-postgres-read-models.c), on the same connection.
 */

/* Rows a scan fetches at a time: a scan of any length holds no more in
 * memory, and a callback may start another scan between two pages. */
#define PAGE_ROWS 1000

/* How many events a batch writes between two calls to its progress
 * function. */
#define PROGRESS_EVERY 4096

/* COPY data is sent in pieces of about this size. */
#define COPY_CHUNK (256 * 1024)

/* The lock appends take turns on. An advisory lock rather than LOCK
 * TABLE: a table lock strong enough to order INSERTs also conflicts with
 * VACUUM, which an append-only table needs now and then, and appends
 * would wait for it. */
#define LOCK_APPENDS "SELECT pg_advisory_xact_lock(5139776012)"

typedef enum
{
  STATEMENT_HEADS,
  STATEMENT_INSERT_EVENT,
  STATEMENT_ADD_LEDGER,
  STATEMENT_READ_LEDGER,
  STATEMENT_READ_LOG,
  STATEMENT_HEAD_POSITION,
  STATEMENT_LIST_LEDGERS,
  STATEMENT_SAVE_SNAPSHOT,
  STATEMENT_LOAD_SNAPSHOT,
  STATEMENT_FIND_REFERENCE,
  STATEMENT_NOTIFY,
  STATEMENT_APPEND_ONE,
  STATEMENT_LOCK_APPENDS,
  STATEMENT_FIND_TOKEN,
  STATEMENT_BACKEND_ALIVE,
  N_STATEMENTS
} Statement;

static const char * const statement_sql[N_STATEMENTS] = {
  /* The ledger's version and the log's last position, read under the
   * append lock. */
  [STATEMENT_HEADS] =
    "SELECT (SELECT coalesce(max(version), 0) FROM ql_events WHERE ledger = $1),"
    " (SELECT coalesce(max(position), 0) FROM ql_events)",
  [STATEMENT_INSERT_EVENT] =
    "INSERT INTO ql_events"
    " (position, ledger, version, type, time_us, payload, reference, token)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
  [STATEMENT_ADD_LEDGER] =
    "INSERT INTO ql_ledgers (ledger) VALUES ($1) ON CONFLICT DO NOTHING",
  [STATEMENT_READ_LEDGER] =
    "SELECT position, version, type, time_us, payload, reference FROM ql_events"
    " WHERE ledger = $1 AND version > $2 AND version <= $3 ORDER BY version LIMIT $4",
  [STATEMENT_READ_LOG] =
    "SELECT position, version, type, time_us, payload, reference, ledger FROM ql_events"
    " WHERE position >= $1 ORDER BY position LIMIT $2",
  [STATEMENT_HEAD_POSITION] = "SELECT coalesce(max(position), 0) FROM ql_events",
  [STATEMENT_LIST_LEDGERS] =
    "SELECT ledger, (SELECT coalesce(max(version), 0) FROM ql_events"
    " WHERE ql_events.ledger = ql_ledgers.ledger)"
    " FROM ql_ledgers ORDER BY ledger",
  [STATEMENT_SAVE_SNAPSHOT] =
    "INSERT INTO ql_snapshots (ledger, version, state) VALUES ($1, $2, $3)"
    " ON CONFLICT (ledger, version) DO UPDATE SET state = excluded.state",
  [STATEMENT_LOAD_SNAPSHOT] =
    "SELECT version, state FROM ql_snapshots"
    " WHERE ledger = $1 AND version <= $2 ORDER BY version DESC LIMIT 1",
  [STATEMENT_FIND_REFERENCE] =
    "SELECT version FROM ql_events"
    " WHERE ledger = $1 AND reference = $2 ORDER BY version LIMIT 1",
  /* Sent inside the append's transaction, so delivered at its commit
   * and never for an append that was rolled back. */
  [STATEMENT_NOTIFY] = "SELECT pg_notify('" QL_POSTGRES_EVENTS_CHANNEL "', $1)",
  /* One event after the ledger's head, under the append lock, in one
   * statement that takes the next position and notifies. It goes in only
   * when its version follows one the ledger has and is not taken yet: the
   * head check, as two probes of the UNIQUE (ledger, version) index
   * (HAVING, since an aggregate gives a row even when WHERE keeps none).
   * A CTE over max(version) costs the server twice the instructions, ON
   * CONFLICT DO NOTHING a WAL record more for each event. No row comes
   * back when the head is elsewhere. */
  [STATEMENT_APPEND_ONE] =
    "INSERT INTO ql_events"
    " (position, ledger, version, type, time_us, payload, reference, token)"
    " SELECT coalesce(max(position), 0) + 1, $1, $2::bigint, $3, $4::bigint, $5, $6, $7::uuid"
    " FROM ql_events"
    " HAVING EXISTS (SELECT FROM ql_events WHERE ledger = $1 AND version = $2::bigint - 1)"
    " AND NOT EXISTS (SELECT FROM ql_events WHERE ledger = $1 AND version = $2::bigint)"
    " RETURNING position, pg_notify('" QL_POSTGRES_EVENTS_CHANNEL "', position::text)",
  /* Prepared, since a command's append takes it each time. */
  [STATEMENT_LOCK_APPENDS] = LOCK_APPENDS,
  /* The first event of an append whose commit a lost connection hid. */
  [STATEMENT_FIND_TOKEN] =
    "SELECT position FROM ql_events WHERE ledger = $1 AND version = $2 AND token = $3::uuid",
  /* Whether the server process of the connection an append was lost
   * with still runs on this server: until it ends, its transaction may
   * yet commit. */
  [STATEMENT_BACKEND_ALIVE] =
    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
    " AND pg_postmaster_start_time()::text = $2",
};

struct _QlPostgresEventStore
{
  GObject   parent_instance;

  /* The database as messages name it: never with its password. */
  char     *name;
  PGconn   *conn;
  gboolean  read_only;
  /* Whether the connection LISTENs to the appends of others. */
  gboolean  listening;
  /* Counts the sessions: a new one after each reconnection. */
  guint     session;
  /* The connection's server process and when its server started: the
   * process of a lost connection can only still run on the same server. */
  int       backend_pid;
  char     *server_started;
  /* When a lost connection may next be tried again, and how long after
   * that the one after waits, in monotonic µs. */
  gint64    next_reconnect_us;
  gint64    reconnect_delay_us;
};

static void     ql_postgres_event_store_iface_init (QlEventStoreInterface *iface);
static gboolean reconnect_if_lost                  (QlPostgresEventStore  *self,
                                                    GError               **error);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlPostgresEventStore, ql_postgres_event_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_EVENT_STORE,
                                                      ql_postgres_event_store_iface_init)
                               G_IMPLEMENT_INTERFACE (QL_TYPE_READ_MODEL_STORE,
                                                      _ql_postgres_read_models_iface_init))

/* libpq's messages end with a newline and may hold several lines: one
 * line reads better in a terminal or a dialog. */
static char *
one_line (const char *message)
{
  g_auto(GStrv) lines = g_strsplit_set (message != NULL ? message : "", "\n\t", -1);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, lines[i]);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
set_conflict_error (const char  *ledger,
                    GError     **error)
{
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
               _("The ledger “%s” was changed by someone else; load it again and retry"),
               ledger);
}

/* An error from a failed statement, by its SQLSTATE; @result may be NULL
 * when the connection itself failed. */
static void
set_error_from_result (QlPostgresEventStore  *self,
                       const PGresult        *result,
                       GError               **error)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY)
                                       : NULL;
  g_autofree char *detail = one_line (primary != NULL ? primary : PQerrorMessage (self->conn));
  QlStoreError code = QL_STORE_ERROR_FAILED;

  if (g_strcmp0 (state, "25006") == 0)
    code = QL_STORE_ERROR_READ_ONLY;
  else if (g_strcmp0 (state, "53100") == 0)
    code = QL_STORE_ERROR_FULL;

  /* 55P03: lock_not_available, after lock_timeout; 57014: query_canceled,
   * after statement_timeout. Either way the transaction is rolled back. */
  if (g_strcmp0 (state, "55P03") == 0 || g_strcmp0 (state, "57014") == 0)
    g_set_error (error, QL_STORE_ERROR, code,
                 _("The PostgreSQL database “%s” did not answer in time (%s); "
                   "nothing was written, try again"), self->name, detail);
  else
    g_set_error (error, QL_STORE_ERROR, code,
                 _("Could not use the PostgreSQL database “%s”: %s"),
                 self->name, detail);
}

static gboolean
check_writable (QlPostgresEventStore  *self,
                GError               **error)
{
  if (!self->read_only)
    return TRUE;

  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_READ_ONLY,
               _("“%s” cannot be written: the PostgreSQL server takes no writes "
                 "(a standby, or read-only)"), self->name);
  return FALSE;
}

static void
statement_name (Statement  statement,
                char      *name,
                gsize      size)
{
  g_snprintf (name, size, "ql_%u", (guint) statement);
}

/* Runs a prepared statement with text parameters (NULL for SQL NULL);
 * the result is the caller's to clear. */
static PGresult *
execute (QlPostgresEventStore *self,
         Statement             statement,
         int                   n_params,
         const char * const   *values)
{
  char name[16];

  statement_name (statement, name, sizeof name);
  return PQexecPrepared (self->conn, name, n_params, values, NULL, NULL, 0);
}

/* Whether @result has the status @expected, with @error set from it when
 * not; frees @result either way. */
static gboolean
finish_result (QlPostgresEventStore  *self,
               PGresult              *result,
               ExecStatusType         expected,
               GError               **error)
{
  gboolean ok = PQresultStatus (result) == expected;

  if (!ok)
    set_error_from_result (self, result, error);
  PQclear (result);
  return ok;
}

/* Runs a fixed command (no user text in it) that returns no rows. */
static gboolean
run_command (QlPostgresEventStore  *self,
             const char            *sql,
             GError               **error)
{
  return finish_result (self, PQexec (self->conn, sql), PGRES_COMMAND_OK, error);
}

/* Runs fixed queries (no user text in them) whose rows are not needed;
 * the last one's result counts. */
static gboolean
run_query (QlPostgresEventStore  *self,
           const char            *sql,
           GError               **error)
{
  return finish_result (self, PQexec (self->conn, sql), PGRES_TUPLES_OK, error);
}

/* Runs a prepared statement that returns no rows. */
static gboolean
run_statement (QlPostgresEventStore  *self,
               Statement              statement,
               int                    n_params,
               const char * const    *values,
               GError               **error)
{
  return finish_result (self, execute (self, statement, n_params, values), PGRES_COMMAND_OK,
                        error);
}

static void
rollback (QlPostgresEventStore *self)
{
  if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
    PQclear (PQexec (self->conn, "ROLLBACK"));
}

static gint64
value_int64 (const PGresult *result,
             int             row,
             int             column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

/* Tells listeners, at the commit, the newest position. */
static gboolean
notify_appended (QlPostgresEventStore  *self,
                 gint64                 last_position,
                 GError               **error)
{
  char position_text[24];
  const char *values[] = { position_text };

  g_snprintf (position_text, sizeof position_text, "%" G_GINT64_FORMAT, last_position);
  return finish_result (self, execute (self, STATEMENT_NOTIFY, 1, values), PGRES_TUPLES_OK,
                        error);
}

/* Starts an append: a transaction holding the lock that makes appends
 * take turns (see the type's comment). Taken before any position is
 * chosen, it is what keeps the log in commit order. */
static gboolean
begin_append (QlPostgresEventStore  *self,
              GError               **error)
{
  if (!reconnect_if_lost (self, error) || !check_writable (self, error))
    return FALSE;

  return run_query (self, "BEGIN; " LOCK_APPENDS, error);
}

/* Reads a ledger's version and the log's last position, inside the
 * append's transaction. */
static gboolean
read_heads (QlPostgresEventStore  *self,
            const char            *ledger,
            gint64                *out_version,
            gint64                *out_position,
            GError               **error)
{
  const char *values[] = { ledger };
  PGresult *result = execute (self, STATEMENT_HEADS, 1, values);
  gboolean ok = PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1;

  if (ok)
    {
      *out_version = value_int64 (result, 0, 0);
      *out_position = value_int64 (result, 0, 1);
    }
  else
    {
      set_error_from_result (self, result, error);
    }
  PQclear (result);
  return ok;
}

static gboolean
add_ledger (QlPostgresEventStore  *self,
            const char            *ledger,
            GError               **error)
{
  const char *values[] = { ledger };

  return run_statement (self, STATEMENT_ADD_LEDGER, 1, values, error);
}

static gboolean
save_snapshot (QlPostgresEventStore  *self,
               const char            *ledger,
               gint64                 version,
               const char            *state,
               GError               **error)
{
  char version_text[24];
  const char *values[] = { ledger, version_text, state };

  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, version);
  return run_statement (self, STATEMENT_SAVE_SNAPSHOT, 3, values, error);
}

/* A UNIQUE violation can only mean that another writer took the
 * version, whatever the lock: a database reached by other programs. */
static gboolean
insert_event (QlPostgresEventStore  *self,
              const char            *ledger,
              gint64                 position,
              gint64                 version,
              gint64                 timestamp,
              const QlNewEvent      *event,
              const char            *token,
              GError               **error)
{
  char position_text[24], version_text[24], time_text[24];
  const char *values[] = {
    position_text, ledger, version_text, event->type, time_text, event->payload,
    event->reference, token,
  };
  PGresult *result;
  gboolean ok;

  g_snprintf (position_text, sizeof position_text, "%" G_GINT64_FORMAT, position);
  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, version);
  g_snprintf (time_text, sizeof time_text, "%" G_GINT64_FORMAT, timestamp);

  result = execute (self, STATEMENT_INSERT_EVENT, G_N_ELEMENTS (values), values);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK;
  if (!ok && g_strcmp0 (PQresultErrorField (result, PG_DIAG_SQLSTATE), "23505") == 0)
    set_conflict_error (ledger, error);
  else if (!ok)
    set_error_from_result (self, result, error);
  PQclear (result);
  return ok;
}

/* The results of one pipelined query: its first result is kept, the
 * rest read to the end. FALSE when the connection gave none. */
static gboolean
take_pipeline_result (QlPostgresEventStore  *self,
                      PGresult             **out_result)
{
  PGresult *result = PQgetResult (self->conn);
  PGresult *more;

  *out_result = result;
  if (result == NULL)
    return FALSE;
  while ((more = PQgetResult (self->conn)) != NULL)
    PQclear (more);
  return TRUE;
}

/* The Sync's result, or NULL when the connection gave none. An error
 * before it (the implicit transaction's commit failed) goes to
 * @out_error, for the caller to report. */
static PGresult *
take_sync_result (QlPostgresEventStore  *self,
                  PGresult             **out_error)
{
  PGresult *result;

  while ((result = PQgetResult (self->conn)) != NULL &&
         PQresultStatus (result) != PGRES_PIPELINE_SYNC)
    {
      if (*out_error == NULL && PQresultStatus (result) == PGRES_FATAL_ERROR)
        *out_error = g_steal_pointer (&result);
      PQclear (result);
    }
  if (result == NULL && *out_error != NULL && PQstatus (self->conn) == CONNECTION_OK)
    result = PQgetResult (self->conn);
  return result;
}

/* One event after an existing ledger's head, as one round trip: the
 * append lock and one statement that checks the head, inserts and
 * notifies go to the server in one pipeline, whose Sync commits them. The
 * two run in the pipeline's implicit transaction (the lock is held to its
 * commit, and the statement after it reads with a snapshot of its own,
 * so it sees every append that committed before the lock was granted);
 * an error rolls it back. No BEGIN and COMMIT: two statements fewer for
 * the server to parse, and the commit's flush is all that is left. */
static gboolean
append_one_pipelined (QlPostgresEventStore  *self,
                      const char            *ledger,
                      gint64                 version,
                      gint64                 timestamp,
                      const QlNewEvent      *event,
                      const char            *token,
                      gboolean              *out_sent,
                      gint64                *out_position,
                      GError               **error)
{
  char lock_name[16], name[16], version_text[24], time_text[24];
  const char *values[] = {
    ledger, version_text, event->type, time_text, event->payload, event->reference, token,
  };
  PGresult *results[2] = { NULL };
  PGresult *sync = NULL;
  PGresult *commit_error = NULL;
  gboolean sent;
  gboolean ok = FALSE;

  if (!reconnect_if_lost (self, error) || !check_writable (self, error))
    return FALSE;

  statement_name (STATEMENT_LOCK_APPENDS, lock_name, sizeof lock_name);
  statement_name (STATEMENT_APPEND_ONE, name, sizeof name);
  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, version);
  g_snprintf (time_text, sizeof time_text, "%" G_GINT64_FORMAT, timestamp);

  sent = PQenterPipelineMode (self->conn) &&
         PQsendQueryPrepared (self->conn, lock_name, 0, NULL, NULL, NULL, 0) &&
         PQsendQueryPrepared (self->conn, name, G_N_ELEMENTS (values), values, NULL, NULL, 0) &&
         PQpipelineSync (self->conn);
  *out_sent = sent;

  for (guint i = 0; sent && i < G_N_ELEMENTS (results); i++)
    sent = take_pipeline_result (self, &results[i]);
  /* A commit that fails reports it before the Sync's result. */
  if (sent)
    sync = take_sync_result (self, &commit_error);
  PQexitPipelineMode (self->conn);

  if (!sent || sync == NULL)
    set_error_from_result (self, NULL, error);
  else if (PQresultStatus (results[0]) != PGRES_TUPLES_OK)
    set_error_from_result (self, results[0], error);
  else if (PQresultStatus (results[1]) != PGRES_TUPLES_OK)
    {
      /* 23505: unique_violation, another program's row. */
      if (g_strcmp0 (PQresultErrorField (results[1], PG_DIAG_SQLSTATE), "23505") == 0)
        set_conflict_error (ledger, error);
      else
        set_error_from_result (self, results[1], error);
    }
  else if (commit_error != NULL)
    set_error_from_result (self, commit_error, error);
  else if (PQntuples (results[1]) != 1)
    set_conflict_error (ledger, error);
  else
    {
      *out_position = value_int64 (results[1], 0, 0);
      ok = TRUE;
    }

  PQclear (sync);
  PQclear (commit_error);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    PQclear (results[i]);
  return ok;
}

/* How long an append whose commit a lost connection hid waits for the
 * server, to find out whether it went in. */
#define LOST_COMMIT_WAIT_US (10 * G_USEC_PER_SEC)

/* After a connection lost while an append's commit was on its way: waits
 * for a new connection and for the lost connection's server process to end
 * (until then its transaction may still commit), then looks for the
 * append's first event by its token. TRUE with @out_position when it
 * went in; FALSE with @error set when it did not, or when that could not
 * be found out in time (@lost_error then says why). */
static gboolean
find_lost_append (QlPostgresEventStore  *self,
                  const char            *ledger,
                  gint64                 version,
                  const char            *token,
                  const GError          *lost_error,
                  gint64                *out_position,
                  GError               **error)
{
  gint64 deadline = g_get_monotonic_time () + LOST_COMMIT_WAIT_US;
  g_autofree char *server_started = g_strdup (self->server_started);
  char pid_text[24], version_text[24];
  const char *alive_values[] = { pid_text, server_started };
  const char *find_values[] = { ledger, version_text, token };
  PGresult *result;
  gboolean found;

  g_snprintf (pid_text, sizeof pid_text, "%d", self->backend_pid);
  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, version);

  for (;;)
    {
      gboolean gone = FALSE;

      if (reconnect_if_lost (self, NULL))
        {
          result = execute (self, STATEMENT_BACKEND_ALIVE, 2, alive_values);
          gone = PQresultStatus (result) == PGRES_TUPLES_OK &&
                 value_int64 (result, 0, 0) == 0;
          PQclear (result);
        }
      if (gone)
        break;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                       _("The connection to the PostgreSQL database “%s” was lost while a "
                         "change was being committed, and whether it was written could not be "
                         "found out; look at the ledger before trying again: %s"),
                       self->name, lost_error->message);
          return FALSE;
        }
      g_usleep (10000);
    }

  result = execute (self, STATEMENT_FIND_TOKEN, G_N_ELEMENTS (find_values), find_values);
  found = PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1;
  if (found)
    *out_position = value_int64 (result, 0, 0);
  else if (PQresultStatus (result) != PGRES_TUPLES_OK)
    set_error_from_result (self, result, error);
  else
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("The connection to the PostgreSQL database “%s” was lost; nothing was "
                   "written, try again"), self->name);
  PQclear (result);
  return found;
}

/* One try at the append, the first event at @out_position. @out_sent
 * says whether its commit may have reached the server. */
static gboolean
append_once (QlPostgresEventStore  *self,
             const char            *ledger,
             gint64                 expected_version,
             const QlNewEvent      *events,
             guint                  n_events,
             gint64                 timestamp,
             const char            *token,
             gboolean              *out_sent,
             gint64                *out_position,
             GError               **error)
{
  gint64 version = 0;
  gint64 position = 0;

  *out_sent = FALSE;

  /* A new ledger needs its name written as well. */
  if (n_events == 1 && expected_version > 0)
    return append_one_pipelined (self, ledger, expected_version + 1, timestamp, &events[0],
                                 token, out_sent, out_position, error);

  if (!begin_append (self, error))
    goto failed;
  if (!read_heads (self, ledger, &version, &position, error))
    goto failed;
  if (version != expected_version)
    {
      set_conflict_error (ledger, error);
      goto failed;
    }
  if (expected_version == 0 && !add_ledger (self, ledger, error))
    goto failed;

  for (guint i = 0; i < n_events; i++)
    if (!insert_event (self, ledger, position + 1 + i, expected_version + 1 + i, timestamp,
                       &events[i], token, error))
      goto failed;

  if (!notify_appended (self, position + n_events, error))
    goto failed;
  *out_sent = TRUE;
  if (!run_command (self, "COMMIT", error))
    goto failed;

  *out_position = position + 1;
  return TRUE;

failed:
  rollback (self);
  return FALSE;
}

/* Every append carries a token of its own, which its events keep: when
 * the connection is lost with the commit on its way, the store finds
 * out from it whether the append went in, so the caller gets its answer
 * and never has to guess (a retry of a deposit that did go in would
 * count it twice). */
static gboolean
ql_postgres_event_store_append (QlEventStore      *store,
                                const char        *ledger,
                                gint64             expected_version,
                                const QlNewEvent  *events,
                                guint              n_events,
                                QlEventRecord     *out_appended,
                                GError           **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = g_uuid_string_random ();
  gint64 timestamp = g_get_real_time ();
  gint64 position = 0;
  gboolean sent = FALSE;

  if (!append_once (self, ledger, expected_version, events, n_events, timestamp, token,
                    &sent, &position, &local_error))
    {
      if (!sent || PQstatus (self->conn) == CONNECTION_OK)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!find_lost_append (self, ledger, expected_version + 1, token, local_error,
                             &position, error))
        return FALSE;
    }

  if (out_appended != NULL)
    for (guint i = 0; i < n_events; i++)
      out_appended[i] = (QlEventRecord) {
        .position = position + i,
        .ledger = ledger,
        .version = expected_version + i + 1,
        .type = events[i].type,
        .timestamp = timestamp,
        .payload = events[i].payload,
        .reference = events[i].reference,
      };
  return TRUE;
}

/* Independent parts in one transaction under the append lock, so one
 * commit and one flush of the WAL: a part whose ledger moved on is
 * refused alone, without an SQL error, and the others go in. A failed
 * statement aborts the transaction, and so the whole group. */
static gboolean
ql_postgres_event_store_append_group (QlEventStore          *store,
                                      const QlLedgerAppend  *appends,
                                      guint                  n_appends,
                                      QlEventRecord         *out_appended,
                                      GError               **out_errors,
                                      GError               **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  gint64 timestamp = g_get_real_time ();
  gint64 last_position = 0;
  guint first = 0;

  if (!begin_append (self, error))
    goto failed;

  for (guint i = 0; i < n_appends; first += appends[i].n_events, i++)
    {
      const QlLedgerAppend *append = &appends[i];
      gint64 version = 0;

      if (!read_heads (self, append->ledger, &version, &last_position, error))
        goto failed;
      if (version != append->expected_version)
        {
          set_conflict_error (append->ledger, &out_errors[i]);
          continue;
        }
      if (version == 0 && !add_ledger (self, append->ledger, error))
        goto failed;

      for (guint e = 0; e < append->n_events; e++)
        {
          if (!insert_event (self, append->ledger, last_position + 1 + e, version + 1 + e,
                             timestamp, &append->events[e], NULL, error))
            goto failed;
          if (out_appended != NULL)
            out_appended[first + e] = (QlEventRecord) {
              .position = last_position + 1 + e,
              .ledger = append->ledger,
              .version = version + 1 + e,
              .type = append->events[e].type,
              .timestamp = timestamp,
              .payload = append->events[e].payload,
              .reference = append->events[e].reference,
            };
        }
      last_position += append->n_events;
    }

  if (!notify_appended (self, last_position, error) ||
      !run_command (self, "COMMIT", error))
    goto failed;
  return TRUE;

failed:
  rollback (self);
  for (guint i = 0; i < n_appends; i++)
    g_clear_error (&out_errors[i]);
  return FALSE;
}

/* COPY's text format: backslash, newline, carriage return and tab are
 * escaped; \N is NULL. */
static void
append_copy_field (GString    *data,
                   const char *value)
{
  if (value == NULL)
    {
      g_string_append (data, "\\N");
      return;
    }

  for (const char *c = value; *c != '\0'; c++)
    switch (*c)
      {
      case '\\': g_string_append (data, "\\\\"); break;
      case '\n': g_string_append (data, "\\n"); break;
      case '\r': g_string_append (data, "\\r"); break;
      case '\t': g_string_append (data, "\\t"); break;
      default: g_string_append_c (data, *c); break;
      }
}

static gboolean
send_copy_data (QlPostgresEventStore  *self,
                GString               *data,
                GError               **error)
{
  if (data->len == 0)
    return TRUE;

  if (PQputCopyData (self->conn, data->str, (int) data->len) != 1)
    {
      set_error_from_result (self, NULL, error);
      return FALSE;
    }
  g_string_truncate (data, 0);
  return TRUE;
}

/* Ends the COPY, sent whole or @abort_reason given, and reads its
 * result. */
static gboolean
end_copy (QlPostgresEventStore  *self,
          const char            *abort_reason,
          const char            *first_ledger,
          GError               **error)
{
  PGresult *result;
  gboolean ok;

  if (PQputCopyEnd (self->conn, abort_reason) != 1)
    {
      if (abort_reason == NULL)
        set_error_from_result (self, NULL, error);
      return FALSE;
    }

  result = PQgetResult (self->conn);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK;
  if (!ok && abort_reason == NULL)
    {
      if (g_strcmp0 (PQresultErrorField (result, PG_DIAG_SQLSTATE), "23505") == 0)
        set_conflict_error (first_ledger, error);
      else
        set_error_from_result (self, result, error);
    }
  PQclear (result);

  /* libpq ends every command's results with NULL. */
  while ((result = PQgetResult (self->conn)) != NULL)
    PQclear (result);

  return ok;
}

/* Writes every event of @appends with one COPY, positions following
 * @last_position. */
static gboolean
copy_events (QlPostgresEventStore  *self,
             const QlLedgerAppend  *appends,
             guint                  n_appends,
             gint64                 last_position,
             gint64                 timestamp,
             QlBatchProgressFunc    progress,
             gpointer               user_data,
             GError               **error)
{
  g_autoptr(GString) data = g_string_sized_new (COPY_CHUNK + 4096);
  PGresult *result;
  guint64 n_written = 0;
  gint64 position = last_position;
  gboolean started;

  result = PQexec (self->conn,
                   "COPY ql_events (position, ledger, version, type, time_us, payload, reference)"
                   " FROM STDIN");
  started = PQresultStatus (result) == PGRES_COPY_IN;
  if (!started)
    set_error_from_result (self, result, error);
  PQclear (result);
  if (!started)
    return FALSE;

  for (guint i = 0; i < n_appends; i++)
    {
      const QlLedgerAppend *append = &appends[i];

      for (guint e = 0; e < append->n_events; e++)
        {
          g_string_append_printf (data, "%" G_GINT64_FORMAT "\t", ++position);
          append_copy_field (data, append->ledger);
          g_string_append_printf (data, "\t%" G_GINT64_FORMAT "\t",
                                  append->expected_version + e + 1);
          append_copy_field (data, append->events[e].type);
          g_string_append_printf (data, "\t%" G_GINT64_FORMAT "\t", timestamp);
          append_copy_field (data, append->events[e].payload);
          g_string_append_c (data, '\t');
          append_copy_field (data, append->events[e].reference);
          g_string_append_c (data, '\n');

          if (data->len >= COPY_CHUNK && !send_copy_data (self, data, error))
            {
              end_copy (self, "failed", NULL, NULL);
              return FALSE;
            }

          n_written++;
          if (progress != NULL && n_written % PROGRESS_EVERY == 0 &&
              !progress (n_written, user_data))
            {
              end_copy (self, "cancelled", NULL, NULL);
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The import was cancelled; nothing was written"));
              return FALSE;
            }
        }
    }

  if (!send_copy_data (self, data, error))
    {
      end_copy (self, "failed", NULL, NULL);
      return FALSE;
    }

  return end_copy (self, NULL, appends[0].ledger, error);
}

/* One transaction under the append lock: every ledger's head is read
 * once, the first time the batch meets it, and checked against what the
 * batch expects; then the names of new ledgers, the events by COPY, and
 * the snapshots. */
static gboolean
ql_postgres_event_store_append_batch (QlEventStore          *store,
                                      const QlLedgerAppend  *appends,
                                      guint                  n_appends,
                                      QlBatchProgressFunc    progress,
                                      gpointer               user_data,
                                      GError               **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  /* Ledger name (borrowed from @appends) → its version so far. */
  g_autoptr(GHashTable) heads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  gint64 timestamp = g_get_real_time ();
  gint64 last_position = 0;
  gint64 n_events = 0;

  if (!begin_append (self, error))
    goto failed;

  for (guint i = 0; i < n_appends; i++)
    {
      const QlLedgerAppend *append = &appends[i];
      gint64 *head = g_hash_table_lookup (heads, append->ledger);

      if (head == NULL)
        {
          gint64 version = 0;

          if (!read_heads (self, append->ledger, &version, &last_position, error))
            goto failed;
          head = g_memdup2 (&version, sizeof version);
          g_hash_table_insert (heads, (gpointer) append->ledger, head);
        }

      if (*head != append->expected_version)
        {
          set_conflict_error (append->ledger, error);
          goto failed;
        }
      if (*head == 0 && !add_ledger (self, append->ledger, error))
        goto failed;
      *head += append->n_events;
      n_events += append->n_events;
    }

  if (!copy_events (self, appends, n_appends, last_position, timestamp, progress, user_data,
                    error))
    goto failed;

  for (guint i = 0; i < n_appends; i++)
    if (appends[i].snapshot != NULL &&
        !save_snapshot (self, appends[i].ledger,
                        appends[i].expected_version + appends[i].n_events,
                        appends[i].snapshot, error))
      goto failed;

  if (!notify_appended (self, last_position + n_events, error) ||
      !run_command (self, "COMMIT", error))
    goto failed;
  return TRUE;

failed:
  rollback (self);
  return FALSE;
}

/* Hands the rows of one page to @func: columns position, version, type,
 * time, payload, reference, and the ledger unless @ledger names it.
 * Returns %TRUE when @func asked to stop. */
static gboolean
hand_over_page (const PGresult *result,
                const char     *ledger,
                QlEventFunc     func,
                gpointer        user_data)
{
  QlEventRecord record;

  for (int row = 0; row < PQntuples (result); row++)
    {
      record.position = value_int64 (result, row, 0);
      record.version = value_int64 (result, row, 1);
      record.type = PQgetvalue (result, row, 2);
      record.timestamp = value_int64 (result, row, 3);
      record.payload = PQgetvalue (result, row, 4);
      record.reference = PQgetisnull (result, row, 5) ? NULL : PQgetvalue (result, row, 5);
      record.ledger = ledger != NULL ? ledger : PQgetvalue (result, row, 6);

      if (!func (&record, user_data))
        return TRUE;
    }

  return FALSE;
}

static gboolean
ql_postgres_event_store_read_ledger (QlEventStore  *store,
                                     const char    *ledger,
                                     gint64         after_version,
                                     gint64         up_to_version,
                                     QlEventFunc    func,
                                     gpointer       user_data,
                                     GError       **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  char after_text[24], up_to_text[24], limit_text[24];
  const char *values[] = { ledger, after_text, up_to_text, limit_text };
  gint64 after = after_version;

  if (!reconnect_if_lost (self, error))
    return FALSE;

  g_snprintf (up_to_text, sizeof up_to_text, "%" G_GINT64_FORMAT,
              up_to_version > 0 ? up_to_version : G_MAXINT64);
  g_snprintf (limit_text, sizeof limit_text, "%d", PAGE_ROWS);

  for (;;)
    {
      PGresult *result;
      gboolean stopped;
      int n_rows;

      g_snprintf (after_text, sizeof after_text, "%" G_GINT64_FORMAT, after);
      result = execute (self, STATEMENT_READ_LEDGER, G_N_ELEMENTS (values), values);
      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        {
          set_error_from_result (self, result, error);
          PQclear (result);
          return FALSE;
        }

      n_rows = PQntuples (result);
      if (n_rows > 0)
        after = value_int64 (result, n_rows - 1, 1);
      stopped = hand_over_page (result, ledger, func, user_data);
      PQclear (result);

      if (stopped || n_rows < PAGE_ROWS)
        return TRUE;
    }
}

static gboolean
ql_postgres_event_store_read_log (QlEventStore  *store,
                                  gint64         start,
                                  gint64         limit,
                                  QlEventFunc    func,
                                  gpointer       user_data,
                                  GError       **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  char start_text[24], limit_text[24];
  const char *values[] = { start_text, limit_text };
  gint64 next = start;
  gint64 left = limit > 0 ? limit : G_MAXINT64;

  if (!reconnect_if_lost (self, error))
    return FALSE;

  while (left > 0)
    {
      PGresult *result;
      gboolean stopped;
      gint64 page = MIN (left, PAGE_ROWS);
      int n_rows;

      g_snprintf (start_text, sizeof start_text, "%" G_GINT64_FORMAT, next);
      g_snprintf (limit_text, sizeof limit_text, "%" G_GINT64_FORMAT, page);
      result = execute (self, STATEMENT_READ_LOG, G_N_ELEMENTS (values), values);
      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        {
          set_error_from_result (self, result, error);
          PQclear (result);
          return FALSE;
        }

      n_rows = PQntuples (result);
      if (n_rows > 0)
        next = value_int64 (result, n_rows - 1, 0) + 1;
      stopped = hand_over_page (result, NULL, func, user_data);
      PQclear (result);

      if (stopped || n_rows < page)
        break;
      left -= n_rows;
    }

  return TRUE;
}

/* Runs a prepared statement that returns one number, or no row. */
static gboolean
query_int64 (QlPostgresEventStore  *self,
             Statement              statement,
             int                    n_params,
             const char * const    *values,
             gint64                *out_value,
             GError               **error)
{
  PGresult *result;
  gboolean ok;

  if (!reconnect_if_lost (self, error))
    return FALSE;

  result = execute (self, statement, n_params, values);
  ok = PQresultStatus (result) == PGRES_TUPLES_OK;
  if (!ok)
    set_error_from_result (self, result, error);
  else if (PQntuples (result) > 0)
    *out_value = value_int64 (result, 0, 0);
  PQclear (result);
  return ok;
}

static gint64
ql_postgres_event_store_get_head_position (QlEventStore  *store,
                                           GError       **error)
{
  gint64 position = 0;

  if (!query_int64 (QL_POSTGRES_EVENT_STORE (store), STATEMENT_HEAD_POSITION, 0, NULL,
                    &position, error))
    return -1;
  return position;
}

static GPtrArray *
ql_postgres_event_store_list_ledgers (QlEventStore  *store,
                                      GError       **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  g_autoptr(GPtrArray) heads = NULL;
  PGresult *result;

  if (!reconnect_if_lost (self, error))
    return NULL;

  result = execute (self, STATEMENT_LIST_LEDGERS, 0, NULL);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      set_error_from_result (self, result, error);
      PQclear (result);
      return NULL;
    }

  heads = g_ptr_array_new_with_free_func ((GDestroyNotify) ql_ledger_head_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      QlLedgerHead *head = g_new0 (QlLedgerHead, 1);

      head->ledger = g_strdup (PQgetvalue (result, row, 0));
      head->version = value_int64 (result, row, 1);
      g_ptr_array_add (heads, head);
    }
  PQclear (result);

  return g_steal_pointer (&heads);
}

static gboolean
ql_postgres_event_store_save_snapshot (QlEventStore  *store,
                                       const char    *ledger,
                                       gint64         version,
                                       const char    *state,
                                       GError       **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);

  return reconnect_if_lost (self, error) && check_writable (self, error) &&
         save_snapshot (self, ledger, version, state, error);
}

/* One transaction: one commit for them all. */
static gboolean
ql_postgres_event_store_save_snapshots (QlEventStore      *store,
                                        const char        *ledger,
                                        const QlSnapshot  *snapshots,
                                        guint              n_snapshots,
                                        GError           **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);

  if (!reconnect_if_lost (self, error) || !check_writable (self, error) ||
      !run_command (self, "BEGIN", error))
    return FALSE;

  for (guint i = 0; i < n_snapshots; i++)
    if (!save_snapshot (self, ledger, snapshots[i].version, snapshots[i].state, error))
      goto failed;

  if (run_command (self, "COMMIT", error))
    return TRUE;

failed:
  rollback (self);
  return FALSE;
}

static gboolean
ql_postgres_event_store_load_snapshot (QlEventStore  *store,
                                       const char    *ledger,
                                       gint64         up_to_version,
                                       gint64        *out_version,
                                       char         **out_state,
                                       GError       **error)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  char up_to_text[24];
  const char *values[] = { ledger, up_to_text };
  PGresult *result;

  if (!reconnect_if_lost (self, error))
    return FALSE;

  g_snprintf (up_to_text, sizeof up_to_text, "%" G_GINT64_FORMAT,
              up_to_version > 0 ? up_to_version : G_MAXINT64);
  result = execute (self, STATEMENT_LOAD_SNAPSHOT, G_N_ELEMENTS (values), values);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      set_error_from_result (self, result, error);
      PQclear (result);
      return FALSE;
    }

  if (PQntuples (result) > 0)
    {
      *out_version = value_int64 (result, 0, 0);
      *out_state = g_strdup (PQgetvalue (result, 0, 1));
    }
  PQclear (result);
  return TRUE;
}

static gboolean
ql_postgres_event_store_find_reference (QlEventStore  *store,
                                        const char    *ledger,
                                        const char    *reference,
                                        gint64        *out_version,
                                        GError       **error)
{
  const char *values[] = { ledger, reference };

  return query_int64 (QL_POSTGRES_EVENT_STORE (store), STATEMENT_FIND_REFERENCE,
                      G_N_ELEMENTS (values), values, out_version, error);
}

/* How often a watch whose connection was lost wakes its reader instead,
 * in microseconds: the reader's refresh then says what went wrong. */
#define LOST_WAKE_INTERVAL_US (2 * G_USEC_PER_SEC)

/* Dispatches when a notification from another connection came. It
 * watches the store's own connection: libpq queues notifications that
 * arrive during a query, so prepare() looks at that queue too, not only
 * at the socket. */
typedef struct
{
  GSource               source;
  QlPostgresEventStore *store;
  gpointer              fd_tag;
  gboolean              pending;
  /* The store's session whose socket @fd_tag watches. */
  guint                 session;
} AppendSource;

/* Watches the socket of the store's session, once it has a working one. */
static void
follow_session (AppendSource *self)
{
  GSource *source = (GSource *) self;

  /* A query that found the session lost made libpq close its socket:
   * the reader is woken on a timer until a new session works. */
  if (self->fd_tag != NULL && PQstatus (self->store->conn) != CONNECTION_OK)
    {
      g_source_remove_unix_fd (source, self->fd_tag);
      self->fd_tag = NULL;
      g_source_set_ready_time (source, g_source_get_time (source) + LOST_WAKE_INTERVAL_US);
      return;
    }

  if (self->fd_tag != NULL && self->session == self->store->session)
    return;
  if (PQstatus (self->store->conn) != CONNECTION_OK || !self->store->listening)
    return;

  if (self->fd_tag != NULL)
    g_source_remove_unix_fd (source, self->fd_tag);
  self->fd_tag = g_source_add_unix_fd (source, PQsocket (self->store->conn), G_IO_IN);
  self->session = self->store->session;
  g_source_set_ready_time (source, -1);
}

static void
take_notifications (AppendSource *self)
{
  PGconn *conn = self->store->conn;
  PGnotify *notify;

  while ((notify = PQnotifies (conn)) != NULL)
    {
      /* The store's own appends are news to nobody here. */
      if (notify->be_pid != PQbackendPID (conn))
        self->pending = TRUE;
      PQfreemem (notify);
    }
}

static gboolean
append_source_prepare (GSource *source,
                       int     *timeout)
{
  AppendSource *self = (AppendSource *) source;

  *timeout = -1;
  follow_session (self);
  if (self->fd_tag != NULL)
    take_notifications (self);
  return self->pending;
}

static gboolean
append_source_check (GSource *source)
{
  AppendSource *self = (AppendSource *) source;

  if (self->fd_tag == NULL)
    return self->pending;

  if ((g_source_query_unix_fd (source, self->fd_tag) & (G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_NVAL)) != 0)
    {
      if (PQconsumeInput (self->store->conn) == 1)
        {
          take_notifications (self);
        }
      else
        {
          /* A socket at its end stays readable: it is watched no more,
           * and the reader is woken on a timer. */
          g_source_remove_unix_fd (source, self->fd_tag);
          self->fd_tag = NULL;
          self->pending = TRUE;
        }
    }

  return self->pending;
}

static gboolean
append_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  AppendSource *self = (AppendSource *) source;

  self->pending = FALSE;
  if (self->fd_tag == NULL)
    g_source_set_ready_time (source, g_source_get_time (source) + LOST_WAKE_INTERVAL_US);

  return callback != NULL ? callback (user_data) : G_SOURCE_CONTINUE;
}

static void
append_source_finalize (GSource *source)
{
  AppendSource *self = (AppendSource *) source;

  g_clear_object (&self->store);
}

static GSourceFuncs append_source_funcs = {
  append_source_prepare,
  append_source_check,
  append_source_dispatch,
  append_source_finalize,
  NULL,
  NULL,
};

/* A standby cannot LISTEN: its readers look for new events themselves. */
static GSource *
ql_postgres_event_store_create_append_source (QlEventStore *store)
{
  QlPostgresEventStore *self = QL_POSTGRES_EVENT_STORE (store);
  AppendSource *source;

  if (self->read_only)
    return NULL;

  if (!self->listening)
    {
      g_autoptr(GError) error = NULL;

      if (!run_command (self, "LISTEN " QL_POSTGRES_EVENTS_CHANNEL, &error))
        {
          g_debug ("%s", error->message);
          return NULL;
        }
      self->listening = TRUE;
    }

  source = (AppendSource *) g_source_new (&append_source_funcs, sizeof (AppendSource));
  source->store = g_object_ref (self);
  follow_session (source);
  g_source_set_static_name ((GSource *) source, "[quote-ledger] PostgreSQL appends");

  return (GSource *) source;
}

static gboolean
store_is_read_only (QlEventStore *store)
{
  return QL_POSTGRES_EVENT_STORE (store)->read_only;
}

static void
ql_postgres_event_store_iface_init (QlEventStoreInterface *iface)
{
  iface->append = ql_postgres_event_store_append;
  iface->read_ledger = ql_postgres_event_store_read_ledger;
  iface->read_log = ql_postgres_event_store_read_log;
  iface->get_head_position = ql_postgres_event_store_get_head_position;
  iface->list_ledgers = ql_postgres_event_store_list_ledgers;
  iface->save_snapshot = ql_postgres_event_store_save_snapshot;
  iface->load_snapshot = ql_postgres_event_store_load_snapshot;
  iface->append_batch = ql_postgres_event_store_append_batch;
  iface->append_group = ql_postgres_event_store_append_group;
  iface->find_reference = ql_postgres_event_store_find_reference;
  iface->save_snapshots = ql_postgres_event_store_save_snapshots;
  iface->is_read_only = store_is_read_only;
  iface->create_append_source = ql_postgres_event_store_create_append_source;
}

static void
ql_postgres_event_store_finalize (GObject *object)
{
  QlPostgresEventStore *self = (QlPostgresEventStore *) object;

  g_clear_pointer (&self->conn, PQfinish);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->server_started, g_free);

  G_OBJECT_CLASS (ql_postgres_event_store_parent_class)->finalize (object);
}

static void
ql_postgres_event_store_class_init (QlPostgresEventStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_postgres_event_store_finalize;
}

static void
ql_postgres_event_store_init (QlPostgresEventStore *self)
{
}

/**
 * ql_postgres_event_store_is_conninfo:
 * @location: what `--db` was given
 *
 * Returns: %TRUE when @location is a `postgresql://` or `postgres://`
 *   URI, or a libpq connection string such as `host=… dbname=…`, rather
 *   than a file's path
 */
gboolean
ql_postgres_event_store_is_conninfo (const char *location)
{
  PQconninfoOption *options;

  if (location == NULL)
    return FALSE;
  if (g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://"))
    return TRUE;
  if (strchr (location, '=') == NULL)
    return FALSE;

  /* A path with an `=` in it is no valid list of keywords. */
  options = PQconninfoParse (location, NULL);
  PQconninfoFree (options);
  return options != NULL;
}

/* Names the database in messages by the parts that say which one it is:
 * never the password, nor anything else the string holds. */
static char *
describe (const char *conninfo)
{
  static const char * const shown[] = { "dbname", "host", "hostaddr", "port", "user" };
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  if (options == NULL)
    return g_strdup (_("(an unreadable connection string)"));

  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    for (PQconninfoOption *option = options; option->keyword != NULL; option++)
      if (strcmp (option->keyword, shown[i]) == 0 && option->val != NULL && *option->val != '\0')
        g_string_append_printf (text, "%s%s=%s", text->len > 0 ? " " : "",
                                option->keyword, option->val);
  PQconninfoFree (options);

  if (text->len == 0)
    g_string_append (text, _("the default PostgreSQL database"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The server's notices (a NOTICE from a trigger, say) are no concern of
 * the user's. */
static void
notice_cb (gpointer    user_data,
           const char *message)
{
  g_debug ("%s", message);
}

static gboolean
connect_to_server (QlPostgresEventStore  *self,
                   const char            *conninfo,
                   GError               **error)
{
  /* The user's string comes first and is expanded; what follows it
   * overrides it: the store reads and writes UTF-8. */
  const char * const keywords[] = { "dbname", "client_encoding", "fallback_application_name",
                                    NULL };
  const char * const values[] = { conninfo, "UTF8", "quote-ledger", NULL };
  g_autofree char *detail = NULL;

  self->conn = PQconnectdbParams (keywords, values, TRUE);
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;

  detail = one_line (self->conn != NULL ? PQerrorMessage (self->conn) : NULL);
  if (self->conn != NULL && PQconnectionNeedsPassword (self->conn))
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("The PostgreSQL database “%s” asks for a password: give it in the URI, "
                   "in PGPASSWORD or in ~/.pgpass"), self->name);
  else if (self->conn != NULL && PQconnectionUsedPassword (self->conn))
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("Could not log in to the PostgreSQL database “%s”; check the password "
                   "(in the URI, PGPASSWORD or ~/.pgpass): %s"), self->name, detail);
  else
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("Could not connect to the PostgreSQL database “%s”: %s"),
                 self->name, detail);
  return FALSE;
}

/* An append waits for the one before it to commit, a matter of
 * milliseconds; one that waits this long fails instead of hanging, unless
 * the user's connection string or role set a lock_timeout of its own. */
#define DEFAULT_LOCK_TIMEOUT "10s"

static gboolean
set_default_timeouts (QlPostgresEventStore  *self,
                      GError               **error)
{
  return run_query (self,
                    "SELECT set_config('lock_timeout', '" DEFAULT_LOCK_TIMEOUT "', false)"
                    " WHERE current_setting('lock_timeout') = '0'", error);
}

/* A standby, or a server whose transactions are read-only by default,
 * takes no writes: the store is then read-only. */
static gboolean
read_server_mode (QlPostgresEventStore  *self,
                  GError               **error)
{
  PGresult *result = PQexec (self->conn,
                             "SELECT pg_is_in_recovery()"
                             " OR current_setting('transaction_read_only')::boolean,"
                             " pg_postmaster_start_time()::text");
  gboolean ok = PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1;

  if (ok)
    {
      self->read_only = strcmp (PQgetvalue (result, 0, 0), "t") == 0;
      g_free (self->server_started);
      self->server_started = g_strdup (PQgetvalue (result, 0, 1));
      self->backend_pid = PQbackendPID (self->conn);
    }
  else
    set_error_from_result (self, result, error);
  PQclear (result);
  return ok;
}

static gboolean
prepare_statements (QlPostgresEventStore  *self,
                    GError               **error)
{
  for (guint i = 0; i < N_STATEMENTS; i++)
    {
      char name[16];
      PGresult *result;
      gboolean ok;

      statement_name (i, name, sizeof name);
      result = PQprepare (self->conn, name, statement_sql[i], 0, NULL);
      ok = PQresultStatus (result) == PGRES_COMMAND_OK;
      if (!ok)
        set_error_from_result (self, result, error);
      PQclear (result);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* What a session holds, set up again on each connection: the notice
 * handler, the server's mode, the timeouts, the prepared statements and
 * the LISTEN. */
static gboolean
set_up_session (QlPostgresEventStore  *self,
                GError               **error)
{
  PQsetNoticeProcessor (self->conn, notice_cb, NULL);

  return read_server_mode (self, error) &&
         set_default_timeouts (self, error) &&
         prepare_statements (self, error) &&
         (!self->listening || self->read_only ||
          run_command (self, "LISTEN " QL_POSTGRES_EVENTS_CHANNEL, error));
}

#define RECONNECT_FIRST_DELAY_US (100 * G_TIME_SPAN_MILLISECOND)
#define RECONNECT_MAX_DELAY_US (5 * G_USEC_PER_SEC)

/* Called as an operation starts, outside any transaction: a connection
 * that was lost (the operation that found out failed, having written
 * nothing that was not committed) is made again, with libpq's own
 * parameters, so a multi-host string may land on another server. Tries
 * wait longer and longer, up to RECONNECT_MAX_DELAY_US apart; in
 * between, operations fail at once. */
static gboolean
reconnect_if_lost (QlPostgresEventStore  *self,
                   GError               **error)
{
  gint64 now;

  if (PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;

  now = g_get_monotonic_time ();
  if (now >= self->next_reconnect_us)
    {
      g_autoptr(GError) local_error = NULL;

      PQreset (self->conn);
      if (PQstatus (self->conn) == CONNECTION_OK && set_up_session (self, &local_error))
        {
          self->session++;
          self->reconnect_delay_us = 0;
          self->next_reconnect_us = 0;
          return TRUE;
        }

      self->reconnect_delay_us = CLAMP (self->reconnect_delay_us * 2,
                                        RECONNECT_FIRST_DELAY_US, RECONNECT_MAX_DELAY_US);
      self->next_reconnect_us = now + self->reconnect_delay_us;
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  {
    g_autofree char *detail = one_line (PQerrorMessage (self->conn));

    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("The connection to the PostgreSQL database “%s” was lost and is being "
                   "made again: %s"), self->name, detail);
  }
  return FALSE;
}

/**
 * ql_postgres_event_store_new:
 * @conninfo: a `postgresql://` URI or a libpq connection string
 * @error: return location for a #GError
 *
 * Connects to the database @conninfo names and creates the store's
 * tables in it, or brings them up to date, in one transaction. The
 * password comes from @conninfo, `PGPASSWORD` or `~/.pgpass`, as libpq
 * finds it; no message ever shows it. A server that takes no writes
 * opens the store read-only. Tables of a newer version fail with
 * %QL_STORE_ERROR_TOO_NEW.
 *
 * Returns: (transfer full): a new #QlEventStore, or %NULL with @error set
 */
QlEventStore *
ql_postgres_event_store_new (const char  *conninfo,
                             GError     **error)
{
  g_autoptr(QlPostgresEventStore) self = NULL;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (QL_TYPE_POSTGRES_EVENT_STORE, NULL);
  self->name = describe (conninfo);

  if (!connect_to_server (self, conninfo, error) ||
      !read_server_mode (self, error) ||
      !ql_postgres_schema_upgrade (self->conn, self->name, self->read_only, error) ||
      !set_up_session (self, error))
    return NULL;

  return QL_EVENT_STORE (g_steal_pointer (&self));
}

/* The connection, made again first if it was lost; when @write, only
 * on a server that takes writes. */
PGconn *
_ql_postgres_event_store_use (QlPostgresEventStore  *self,
                              gboolean               write,
                              GError               **error)
{
  if (!reconnect_if_lost (self, error) || (write && !check_writable (self, error)))
    return NULL;
  return self->conn;
}

void
_ql_postgres_event_store_set_error (QlPostgresEventStore  *self,
                                    const PGresult        *result,
                                    GError               **error)
{
  set_error_from_result (self, result, error);
}

/**
 * ql_postgres_event_store_get_name:
 * @self: a #QlPostgresEventStore
 *
 * Returns: the database as messages name it, without its password
 */
const char *
ql_postgres_event_store_get_name (QlPostgresEventStore *self)
{
  g_return_val_if_fail (QL_IS_POSTGRES_EVENT_STORE (self), NULL);

  return self->name;
}
