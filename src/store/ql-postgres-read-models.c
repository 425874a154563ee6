/* ql-postgres-read-models.c: read models in the PostgreSQL store's database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-postgres-event-store"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ql-errors.h"
#include "ql-postgres-event-store-private.h"

/* The tables are made by the schema's second migration
 * (ql-postgres-schema.c). Each slot of a projection is a row of
 * ql_read_models with a generation of its own, and its rows are kept
 * under that generation, so a rebuild fills a new one while queries read
 * the old. A commit locks its slots' rows (FOR UPDATE) before it checks
 * their positions: two runners on two machines take turns, and the
 * second finds the position moved and writes nothing. */

/* Rows a read fetches at a time, as the event scans do. */
#define PAGE_ROWS 1000

static const char add_rows_sql[] =
  "INSERT INTO ql_read_model_rows (generation, key, a, b)"
  " SELECT $1::bigint, t.key, sum (t.a)::bigint, sum (t.b)::bigint"
  " FROM unnest ($2::text[], $3::bigint[], $4::bigint[]) AS t (key, a, b) GROUP BY t.key"
  " ON CONFLICT (generation, key) DO UPDATE"
  " SET a = ql_read_model_rows.a + excluded.a, b = ql_read_model_rows.b + excluded.b";

static QlPostgresEventStore *
store_of (QlReadModelStore *store)
{
  return QL_POSTGRES_EVENT_STORE (store);
}

static void
set_conflict (const char  *name,
              GError     **error)
{
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
               _("The projection “%s” was brought up to date by someone else"), name);
}

/* Runs SQL with text parameters, or, without @values, fixed SQL that may
 * hold several statements; the result, of status @expected, is the
 * caller's to clear, or NULL with @error set. */
static PGresult *
query (QlPostgresEventStore  *self,
       PGconn                *conn,
       const char            *sql,
       int                    n_params,
       const char * const    *values,
       ExecStatusType         expected,
       GError               **error)
{
  PGresult *result = values != NULL ? PQexecParams (conn, sql, n_params, NULL, values, NULL,
                                                    NULL, 0)
                                     : PQexec (conn, sql);

  if (PQresultStatus (result) == expected)
    return result;
  _ql_postgres_event_store_set_error (self, result, error);
  PQclear (result);
  return NULL;
}

/* Whether a command's query() went through; clears its result. */
static gboolean
done (PGresult *result)
{
  PQclear (result);
  return result != NULL;
}

static void
rollback (PGconn *conn)
{
  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    PQclear (PQexec (conn, "ROLLBACK"));
}

static gint64
value_int64 (const PGresult *result,
             int             row,
             int             column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

typedef struct
{
  gboolean found;
  gint64   version;
  gint64   position;
  gint64   generation;
} Slot;

/* The slot's row; @for_update locks it to the end of the transaction. */
static gboolean
read_slot (QlPostgresEventStore  *self,
           PGconn                *conn,
           const char            *name,
           QlReadSlot             slot,
           gboolean               for_update,
           Slot                  *out_slot,
           GError               **error)
{
  char slot_text[4];
  const char *values[] = { name, slot_text };
  PGresult *result;

  g_snprintf (slot_text, sizeof slot_text, "%d", (int) slot);
  result = query (self, conn,
                  for_update ? "SELECT version, position, generation FROM ql_read_models"
                               " WHERE name = $1 AND slot = $2::integer FOR UPDATE"
                             : "SELECT version, position, generation FROM ql_read_models"
                               " WHERE name = $1 AND slot = $2::integer",
                  G_N_ELEMENTS (values), values, PGRES_TUPLES_OK, error);
  if (result == NULL)
    return FALSE;
  *out_slot = (Slot) { PQntuples (result) == 1 };
  if (out_slot->found)
    {
      out_slot->version = value_int64 (result, 0, 0);
      out_slot->position = value_int64 (result, 0, 1);
      out_slot->generation = value_int64 (result, 0, 2);
    }
  PQclear (result);
  return TRUE;
}

static gboolean
get_state (QlReadModelStore  *store,
           const char        *name,
           QlReadSlot         slot,
           gboolean          *out_found,
           gint64            *out_version,
           gint64            *out_position,
           GError           **error)
{
  QlPostgresEventStore *self = store_of (store);
  PGconn *conn;
  Slot state;

  if ((conn = _ql_postgres_event_store_use (self, FALSE, error)) == NULL ||
      !read_slot (self, conn, name, slot, FALSE, &state, error))
    return FALSE;
  *out_found = state.found;
  *out_version = state.version;
  *out_position = state.position;
  return TRUE;
}

/* An array literal of the keys: each quoted, with its quotes and
 * backslashes escaped, so no key's text can end an element. */
static char *
keys_literal (const QlReadRow *rows,
              guint            n_rows)
{
  GString *text = g_string_new ("{");

  for (guint i = 0; i < n_rows; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, '"');
      for (const char *c = rows[i].key; *c != '\0'; c++)
        {
          if (*c == '"' || *c == '\\')
            g_string_append_c (text, '\\');
          g_string_append_c (text, *c);
        }
      g_string_append_c (text, '"');
    }
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static char *
values_literal (const QlReadRow *rows,
                guint            n_rows,
                gboolean         second)
{
  GString *text = g_string_new ("{");

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            second ? rows[i].b : rows[i].a);
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static gboolean
add_rows (QlPostgresEventStore  *self,
          PGconn                *conn,
          gint64                 generation,
          const QlReadRow       *rows,
          guint                  n_rows,
          GError               **error)
{
  char generation_text[24];
  g_autofree char *keys = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (n_rows == 0)
    return TRUE;
  g_snprintf (generation_text, sizeof generation_text, "%" G_GINT64_FORMAT, generation);
  keys = keys_literal (rows, n_rows);
  a = values_literal (rows, n_rows, FALSE);
  b = values_literal (rows, n_rows, TRUE);
  {
    const char *values[] = { generation_text, keys, a, b };

    return done (query (self, conn, add_rows_sql, G_N_ELEMENTS (values), values,
                        PGRES_COMMAND_OK, error));
  }
}

/* A new slot, with a generation no rows are kept under yet; another
 * runner that made it first is a conflict. */
static gboolean
create_slot (QlPostgresEventStore  *self,
             PGconn                *conn,
             const char            *name,
             QlReadSlot             slot,
             gint64                *out_generation,
             GError               **error)
{
  char slot_text[4];
  const char *values[] = { name, slot_text };
  PGresult *result;
  gboolean made;

  g_snprintf (slot_text, sizeof slot_text, "%d", (int) slot);
  result = query (self, conn,
                  "INSERT INTO ql_read_models (name, slot, version, position, generation)"
                  " VALUES ($1, $2::integer, 0, 0, nextval ('ql_read_model_generations'))"
                  " ON CONFLICT DO NOTHING RETURNING generation",
                  G_N_ELEMENTS (values), values, PGRES_TUPLES_OK, error);
  if (result == NULL)
    return FALSE;
  made = PQntuples (result) == 1;
  if (made)
    *out_generation = value_int64 (result, 0, 0);
  PQclear (result);
  if (!made)
    set_conflict (name, error);
  return made;
}

static gboolean
commit_in_transaction (QlPostgresEventStore  *self,
                       PGconn                *conn,
                       const QlReadCommit    *commit,
                       GError               **error)
{
  char slot_text[4], version_text[24], position_text[24];
  const char *values[] = { commit->name, slot_text, version_text, position_text };
  Slot state;

  if (!read_slot (self, conn, commit->name, commit->slot, TRUE, &state, error))
    return FALSE;
  /* A table of another version is not counted into: its runner is
   * rebuilding it, or one of a newer program is. */
  if ((state.found ? state.position : 0) != commit->expected_position ||
      (state.found && state.version != commit->version))
    {
      set_conflict (commit->name, error);
      return FALSE;
    }
  if (!state.found &&
      !create_slot (self, conn, commit->name, commit->slot, &state.generation, error))
    return FALSE;

  g_snprintf (slot_text, sizeof slot_text, "%d", (int) commit->slot);
  g_snprintf (version_text, sizeof version_text, "%" G_GINT64_FORMAT, commit->version);
  g_snprintf (position_text, sizeof position_text, "%" G_GINT64_FORMAT, commit->position);
  return add_rows (self, conn, state.generation, commit->rows, commit->n_rows, error) &&
         done (query (self, conn, "UPDATE ql_read_models SET version = $3::bigint,"
                          " position = $4::bigint WHERE name = $1 AND slot = $2::integer",
              G_N_ELEMENTS (values), values, PGRES_COMMAND_OK, error));
}

/* Read models are derived: a commit a crash loses is counted again from
 * the position before it, which went with it. They need the
 * transaction's atomicity, not the wait for the WAL flush the events
 * pay. */
static const char begin_read_model_commit[] = "BEGIN; SET LOCAL synchronous_commit = off";

/* The slots' numbers in SQL text. */
G_STATIC_ASSERT (QL_READ_SLOT_LIVE == 0 && QL_READ_SLOT_BUILDING == 1);

static gboolean
commit_all (QlReadModelStore    *store,
            const QlReadCommit  *commits,
            guint                n_commits,
            GError             **error)
{
  QlPostgresEventStore *self = store_of (store);
  PGconn *conn;
  gboolean ok;

  if ((conn = _ql_postgres_event_store_use (self, TRUE, error)) == NULL)
    return FALSE;

  ok = done (query (self, conn, begin_read_model_commit, 0, NULL, PGRES_COMMAND_OK, error));
  for (guint i = 0; ok && i < n_commits; i++)
    ok = commit_in_transaction (self, conn, &commits[i], error);
  if (ok)
    ok = done (query (self, conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK, error));
  if (!ok)
    rollback (conn);
  return ok;
}

static gboolean
commit (QlReadModelStore  *store,
        const char        *name,
        QlReadSlot         slot,
        gint64             version,
        gint64             expected_position,
        gint64             position,
        const QlReadRow   *rows,
        guint              n_rows,
        GError           **error)
{
  const QlReadCommit one = { name, slot, version, expected_position, position, rows, n_rows };

  return commit_all (store, &one, 1, error);
}

static gboolean
drop_slot (QlPostgresEventStore  *self,
           PGconn                *conn,
           const char            *name,
           QlReadSlot             slot,
           GError               **error)
{
  char generation_text[24];
  const char *values[] = { generation_text };
  Slot state;

  if (!read_slot (self, conn, name, slot, TRUE, &state, error))
    return FALSE;
  if (!state.found)
    return TRUE;
  g_snprintf (generation_text, sizeof generation_text, "%" G_GINT64_FORMAT, state.generation);
  return done (query (self, conn, "DELETE FROM ql_read_model_rows WHERE generation = $1::bigint",
              G_N_ELEMENTS (values), values, PGRES_COMMAND_OK, error)) &&
         done (query (self, conn, "DELETE FROM ql_read_models WHERE generation = $1::bigint",
              G_N_ELEMENTS (values), values, PGRES_COMMAND_OK, error));
}

/* Runs @step with a name and a slot in one transaction. */
static gboolean
in_transaction (QlReadModelStore  *store,
                const char        *name,
                QlReadSlot         slot,
                gboolean         (*step) (QlPostgresEventStore *, PGconn *, const char *,
                                          QlReadSlot, GError **),
                GError           **error)
{
  QlPostgresEventStore *self = store_of (store);
  PGconn *conn;

  if ((conn = _ql_postgres_event_store_use (self, TRUE, error)) == NULL ||
      !done (query (self, conn, "BEGIN", 0, NULL, PGRES_COMMAND_OK, error)))
    return FALSE;
  if (!step (self, conn, name, slot, error) ||
      !done (query (self, conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK, error)))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

static gboolean
reset (QlReadModelStore  *store,
       const char        *name,
       QlReadSlot         slot,
       GError           **error)
{
  return in_transaction (store, name, slot, drop_slot, error);
}

static gboolean
swap_building_in (QlPostgresEventStore  *self,
                  PGconn                *conn,
                  const char            *name,
                  QlReadSlot             slot,
                  GError               **error)
{
  const char *values[] = { name };
  Slot building;

  if (!read_slot (self, conn, name, QL_READ_SLOT_BUILDING, TRUE, &building, error))
    return FALSE;
  if (!building.found)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("The projection “%s” has no rebuilt table to swap in"), name);
      return FALSE;
    }
  return drop_slot (self, conn, name, QL_READ_SLOT_LIVE, error) &&
         done (query (self, conn, "UPDATE ql_read_models SET slot = 0 WHERE name = $1 AND slot = 1",
              G_N_ELEMENTS (values), values, PGRES_COMMAND_OK, error));
}

static gboolean
swap (QlReadModelStore  *store,
      const char        *name,
      GError           **error)
{
  return in_transaction (store, name, QL_READ_SLOT_LIVE, swap_building_in, error);
}

/* Hands one page's rows to @func; FALSE in *@out_more when it asked to
 * stop or a key no longer starts with @prefix. */
static void
hand_over_page (const PGresult *result,
                const char     *prefix,
                QlReadRowFunc   func,
                gpointer        user_data,
                gboolean       *out_more)
{
  gsize prefix_len = strlen (prefix);
  int n = PQntuples (result);

  *out_more = n == PAGE_ROWS;
  for (int i = 0; i < n; i++)
    {
      QlReadRow row = { PQgetvalue (result, i, 0), value_int64 (result, i, 1),
                        value_int64 (result, i, 2) };

      if (strncmp (row.key, prefix, prefix_len) != 0 || !func (&row, user_data))
        {
          *out_more = FALSE;
          return;
        }
    }
}

/* The live rows in pages, keyed after the last one handed over. */
static gboolean
read_pages (QlPostgresEventStore  *self,
            PGconn                *conn,
            const char            *name,
            const char            *prefix,
            QlReadRowFunc          func,
            gpointer               user_data,
            GError               **error)
{
  g_autofree char *after = NULL;
  char generation_text[24], limit_text[16];
  Slot live;
  gboolean more = TRUE;

  if (!read_slot (self, conn, name, QL_READ_SLOT_LIVE, FALSE, &live, error))
    return FALSE;
  if (!live.found)
    return TRUE;
  g_snprintf (generation_text, sizeof generation_text, "%" G_GINT64_FORMAT, live.generation);
  g_snprintf (limit_text, sizeof limit_text, "%d", PAGE_ROWS);
  while (more)
    {
      const char *values[] = { generation_text, after != NULL ? after : prefix, limit_text };
      PGresult *result =
        query (self, conn, after != NULL
                             ? "SELECT key, a, b FROM ql_read_model_rows"
                               " WHERE generation = $1::bigint AND key > $2"
                               " ORDER BY key LIMIT $3::integer"
                             : "SELECT key, a, b FROM ql_read_model_rows"
                               " WHERE generation = $1::bigint AND key >= $2"
                               " ORDER BY key LIMIT $3::integer",
               G_N_ELEMENTS (values), values, PGRES_TUPLES_OK, error);

      if (result == NULL)
        return FALSE;
      hand_over_page (result, prefix, func, user_data, &more);
      if (more)
        {
          g_free (after);
          after = g_strdup (PQgetvalue (result, PQntuples (result) - 1, 0));
        }
      PQclear (result);
    }
  return TRUE;
}

static gboolean
read_rows (QlReadModelStore  *store,
           const char        *name,
           const char        *prefix,
           QlReadRowFunc      func,
           gpointer           user_data,
           GError           **error)
{
  QlPostgresEventStore *self = store_of (store);
  PGconn *conn;
  gboolean own_transaction, ok;

  if ((conn = _ql_postgres_event_store_use (self, FALSE, error)) == NULL)
    return FALSE;
  /* Every page from one snapshot of the database, so a commit between
   * two pages cannot show half a batch. */
  own_transaction = PQtransactionStatus (conn) == PQTRANS_IDLE;
  if (own_transaction &&
      !done (query (self, conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
                    PGRES_COMMAND_OK, error)))
    return FALSE;
  ok = read_pages (self, conn, name, prefix, func, user_data, error);
  if (own_transaction)
    {
      if (ok)
        ok = done (query (self, conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK, error));
      if (!ok)
        rollback (conn);
    }
  return ok;
}

void
_ql_postgres_read_models_iface_init (QlReadModelStoreInterface *iface)
{
  iface->get_state = get_state;
  iface->commit = commit;
  iface->reset = reset;
  iface->swap = swap;
  iface->read_rows = read_rows;
  iface->commit_all = commit_all;
}
