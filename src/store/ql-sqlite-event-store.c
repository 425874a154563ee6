/* ql-sqlite-event-store.c: an event store in one SQLite file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* For O_PATH. */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "ql-sqlite-event-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ql-sqlite-read-models-private.h"
#include "ql-sqlite-event-store.h"
#include "ql-sqlite-schema.h"
#include "ql-store-private.h"

/**
 * QlSqliteEventStore:
 *
 * A #QlEventStore in one SQLite file, the default store.
 *
 * The file is in WAL mode with `synchronous=FULL`: an append that
 * returned is on disk. Several processes may use one file at once; a
 * writer waits up to five seconds for another to finish. Events live in
 * an append-only table whose triggers refuse UPDATE and DELETE, each with
 * the reference it was appended with in a column of its own, beside a
 * table of ledger names written in the same transaction, and a table of
 * snapshots that is only a cache. A ledger's head is the largest version
 * of its events. After a large batch the WAL is copied into the database
 * on a thread of the store's own, so that the batch does not wait for it.
 */

/* How long a writer waits for another process to finish, in ms. */
#define BUSY_TIMEOUT_MS 5000

static const char sqlite_magic[16] = "SQLite format 3";


/* STATEMENT_INSERT_EVENTS writes this many rows at once: one statement
 * for a run of events costs less than a statement for each. */
#define EVENTS_PER_INSERT 128
#define EVENT_VALUES_2 "(?,?,?,?,?,?),(?,?,?,?,?,?)"
#define EVENT_VALUES_8 EVENT_VALUES_2 "," EVENT_VALUES_2 "," EVENT_VALUES_2 "," EVENT_VALUES_2
#define EVENT_VALUES_32 EVENT_VALUES_8 "," EVENT_VALUES_8 "," EVENT_VALUES_8 "," EVENT_VALUES_8
#define EVENT_COLUMNS 6

typedef enum
{
  STATEMENT_BEGIN,
  STATEMENT_COMMIT,
  STATEMENT_ROLLBACK,
  STATEMENT_HEAD_VERSION,
  STATEMENT_INSERT_EVENT,
  STATEMENT_APPEND_EVENT,
  STATEMENT_INSERT_EVENTS,
  STATEMENT_ADD_LEDGER,
  STATEMENT_READ_LEDGER,
  STATEMENT_READ_LEDGER_REFERENCES,
  STATEMENT_READ_LOG,
  STATEMENT_READ_LOG_REFERENCES,
  STATEMENT_HEAD_POSITION,
  STATEMENT_LIST_LEDGERS,
  STATEMENT_SAVE_SNAPSHOT,
  STATEMENT_LOAD_SNAPSHOT,
  STATEMENT_FIND_REFERENCE,
  N_STATEMENTS
} Statement;

static const char * const statement_sql[N_STATEMENTS] = {
  [STATEMENT_BEGIN] = "BEGIN IMMEDIATE",
  [STATEMENT_COMMIT] = "COMMIT",
  [STATEMENT_ROLLBACK] = "ROLLBACK",
  /* max() of no rows is NULL, which reads as 0. */
  [STATEMENT_HEAD_VERSION] = "SELECT max(version) FROM events WHERE ledger = ?1",
  /* A batch's INSERTs end the whole transaction on a conflict, which the
   * batch would roll back anyway: SQLite then keeps no journal to undo
   * one statement alone. */
  [STATEMENT_INSERT_EVENT] =
    "INSERT OR ROLLBACK INTO events (ledger, version, type, timestamp, payload, reference)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  /* Unless ?2 follows the ledger's head, the payload is NULL, which the
   * table refuses. (INSERT ... SELECT from the same table would copy the
   * SELECT to a temporary table first.) */
  [STATEMENT_APPEND_EVENT] =
    "INSERT INTO events (ledger, version, type, timestamp, payload, reference)"
    " VALUES (?1, ?2, ?3, ?4,"
    " CASE WHEN (SELECT max(version) FROM events WHERE ledger = ?1) = ?2 - 1 THEN ?5 END, ?6)",
  [STATEMENT_INSERT_EVENTS] =
    "INSERT OR ROLLBACK INTO events (ledger, version, type, timestamp, payload, reference)"
    " VALUES " EVENT_VALUES_32 "," EVENT_VALUES_32 "," EVENT_VALUES_32 "," EVENT_VALUES_32,
  [STATEMENT_ADD_LEDGER] = "INSERT OR IGNORE INTO ledgers (ledger) VALUES (?1)",
  [STATEMENT_READ_LEDGER] =
    "SELECT position, version, type, timestamp, payload FROM events"
    " WHERE ledger = ?1 AND version > ?2 AND version <= ?3 ORDER BY version",
  /* A scan reads the references of its events with a statement of their
   * own, from the small indexes of the events that have one: reading the
   * column of every row would cost each event of a replay almost a tenth
   * more. */
  [STATEMENT_READ_LEDGER_REFERENCES] =
    "SELECT version, reference FROM events"
    " WHERE ledger = ?1 AND version > ?2 AND version <= ?3 AND reference IS NOT NULL"
    " ORDER BY version",
  [STATEMENT_READ_LOG] =
    "SELECT position, ledger, version, type, timestamp, payload FROM events"
    " WHERE position >= ?1 ORDER BY position LIMIT ?2",
  [STATEMENT_READ_LOG_REFERENCES] =
    "SELECT position, reference FROM events"
    " WHERE position >= ?1 AND reference IS NOT NULL ORDER BY position",
  [STATEMENT_HEAD_POSITION] = "SELECT max(position) FROM events",
  [STATEMENT_LIST_LEDGERS] =
    "SELECT ledger, (SELECT max(version) FROM events WHERE events.ledger = ledgers.ledger)"
    " FROM ledgers ORDER BY ledger",
  [STATEMENT_SAVE_SNAPSHOT] =
    "INSERT OR REPLACE INTO snapshots (ledger, version, state) VALUES (?1, ?2, ?3)",
  [STATEMENT_LOAD_SNAPSHOT] =
    "SELECT version, state FROM snapshots"
    " WHERE ledger = ?1 AND version <= ?2 ORDER BY version DESC LIMIT 1",
  [STATEMENT_FIND_REFERENCE] =
    "SELECT version FROM events"
    " WHERE ledger = ?1 AND reference = ?2 ORDER BY version LIMIT 1",
};

/* The statements a read-only store leaves unprepared. */
static const gboolean statement_inserts_events[N_STATEMENTS] = {
  [STATEMENT_INSERT_EVENT] = TRUE,
  [STATEMENT_APPEND_EVENT] = TRUE,
  [STATEMENT_INSERT_EVENTS] = TRUE,
};

struct _QlSqliteEventStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  sqlite3_stmt *statements[N_STATEMENTS];
  gboolean      read_only;
  QlSqliteReadModels *read_models;

  /* Large checkpoints run on a thread of their own, with a connection of
   * its own: see wal_hook_cb(). */
  GThreadPool  *checkpointer;
  sqlite3      *checkpoint_db;
  gint          checkpoint_queued;
  int           wal_pages;
};

static void ql_sqlite_event_store_iface_init (QlEventStoreInterface *iface);
static void ql_sqlite_read_model_store_iface_init (QlReadModelStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlSqliteEventStore, ql_sqlite_event_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_EVENT_STORE,
                                                      ql_sqlite_event_store_iface_init)
                               G_IMPLEMENT_INTERFACE (QL_TYPE_READ_MODEL_STORE,
                                                      ql_sqlite_read_model_store_iface_init))

/* A statement in use. A scan's callback may start another scan of the
 * same kind; the cached statement is busy then, so the nested one gets a
 * statement of its own. */
typedef struct
{
  sqlite3_stmt *stmt;
  gboolean      owned;
} Cursor;

static void
set_error_from_code (QlSqliteEventStore  *self,
                     int                  rc,
                     GError             **error)
{
  _ql_store_set_sqlite_error (self->db, self->path, QL_STORE_TASK_USE, rc, error);
}

static void
set_conflict_error (const char  *ledger,
                    GError     **error)
{
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT,
               _("The ledger “%s” was changed by someone else; load it again and retry"),
               ledger);
}

static gboolean
check_writable (QlSqliteEventStore  *self,
                GError             **error)
{
  if (!self->read_only)
    return TRUE;

  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_READ_ONLY,
               _("“%s” cannot be written: it is read-only"), self->path);
  return FALSE;
}

static void
cursor_open (QlSqliteEventStore *self,
             Statement           statement,
             Cursor             *cursor)
{
  sqlite3_stmt *cached = self->statements[statement];

  if (!sqlite3_stmt_busy (cached))
    {
      cursor->stmt = cached;
      cursor->owned = FALSE;
      return;
    }

  cursor->owned = TRUE;
  if (sqlite3_prepare_v3 (self->db, statement_sql[statement], -1, 0, &cursor->stmt, NULL)
      != SQLITE_OK)
    cursor->stmt = NULL;
}

static void
cursor_close (Cursor *cursor)
{
  if (cursor->owned)
    {
      sqlite3_finalize (cursor->stmt);
    }
  else if (cursor->stmt != NULL)
    {
      sqlite3_reset (cursor->stmt);
      sqlite3_clear_bindings (cursor->stmt);
    }
  cursor->stmt = NULL;
}

/* Runs a statement that returns no rows, or whose rows are not needed. */
static int
step_once (QlSqliteEventStore *self,
           Statement           statement)
{
  sqlite3_stmt *stmt = self->statements[statement];
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static void
rollback (QlSqliteEventStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    step_once (self, STATEMENT_ROLLBACK);
}

/* How many events a batch writes between two calls to its progress
 * function. */
#define PROGRESS_EVERY 4096

typedef struct
{
  gint64               timestamp;
  guint64              n_written;
  QlBatchProgressFunc  progress;
  gpointer             user_data;
  /* The position the newest event written went in at. */
  gint64               last_position;
} Writing;

/* The head version of @ledger before this transaction, 0 when it has
 * none; -1 on failure with the SQLite code in @out_rc. */
static gint64
read_head_version (QlSqliteEventStore *self,
                   const char         *ledger,
                   int                *out_rc)
{
  sqlite3_stmt *head = self->statements[STATEMENT_HEAD_VERSION];
  gint64 version = 0;
  int rc;

  sqlite3_bind_text (head, 1, ledger, -1, SQLITE_STATIC);
  rc = sqlite3_step (head);
  if (rc == SQLITE_ROW)
    {
      version = sqlite3_column_int64 (head, 0);
      rc = SQLITE_DONE;
    }
  sqlite3_reset (head);
  *out_rc = rc;

  return rc == SQLITE_DONE ? version : -1;
}

static int
add_ledger (QlSqliteEventStore *self,
            const char         *ledger)
{
  sqlite3_bind_text (self->statements[STATEMENT_ADD_LEDGER], 1, ledger, -1, SQLITE_STATIC);
  return step_once (self, STATEMENT_ADD_LEDGER);
}

/* Events of a batch waiting to be inserted together, whatever their
 * ledgers: a statement for each run of EVENTS_PER_INSERT events costs
 * less than a statement for each event. */
typedef struct
{
  const QlLedgerAppend *append;
  guint                 index;
} PendingEvent;

typedef struct
{
  PendingEvent events[EVENTS_PER_INSERT];
  guint        n_events;
} Pending;

static void
bind_event (sqlite3_stmt       *stmt,
            guint               row,
            const PendingEvent *event,
            gint64              timestamp)
{
  const QlLedgerAppend *append = event->append;
  int first = row * EVENT_COLUMNS + 1;

  sqlite3_bind_text (stmt, first, append->ledger, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, first + 1, append->expected_version + event->index + 1);
  sqlite3_bind_text (stmt, first + 2, append->events[event->index].type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, first + 3, timestamp);
  sqlite3_bind_text (stmt, first + 4, append->events[event->index].payload, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, first + 5, append->events[event->index].reference, -1, SQLITE_STATIC);
}

static int
insert_rows (QlSqliteEventStore *self,
             Statement           statement,
             const PendingEvent *events,
             guint               n_events,
             gint64              timestamp)
{
  sqlite3_stmt *insert = self->statements[statement];
  int rc;

  for (guint row = 0; row < n_events; row++)
    bind_event (insert, row, &events[row], timestamp);
  rc = sqlite3_step (insert);
  sqlite3_reset (insert);
  return rc;
}

/* Inserts the pending events, whose ledgers' heads were checked, inside
 * the open write transaction. On a conflict it sets @error and returns
 * SQLITE_CONSTRAINT; on a cancelled batch, SQLITE_ABORT with @error set;
 * on other failures, the SQLite code with @error unset. */
static int
flush_pending (QlSqliteEventStore  *self,
               Pending             *pending,
               Writing             *writing,
               GError             **error)
{
  guint64 before = writing->n_written;
  guint n = pending->n_events;
  int rc = SQLITE_DONE;

  if (n == 0)
    return SQLITE_DONE;
  pending->n_events = 0;

  if (n == EVENTS_PER_INSERT)
    rc = insert_rows (self, STATEMENT_INSERT_EVENTS, pending->events, n, writing->timestamp);
  else
    for (guint i = 0; i < n && rc == SQLITE_DONE; i++)
      rc = insert_rows (self, STATEMENT_INSERT_EVENT, &pending->events[i], 1, writing->timestamp);

  /* The write lock is held, so the rows went in at consecutive
   * positions, the last one here. */
  if (rc == SQLITE_DONE)
    writing->last_position = sqlite3_last_insert_rowid (self->db);

  /* The heads said the versions were free; a row there anyway means
   * another writer, whatever constraint noticed it. A statement of many
   * rows does not say which one, so the first one's ledger is named. */
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      set_conflict_error (pending->events[0].append->ledger, error);
      return SQLITE_CONSTRAINT;
    }
  if (rc != SQLITE_DONE)
    return rc;

  writing->n_written += n;
  if (writing->progress != NULL &&
      before / PROGRESS_EVERY != writing->n_written / PROGRESS_EVERY &&
      !writing->progress (writing->n_written, writing->user_data))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The import was cancelled; nothing was written"));
      return SQLITE_ABORT;
    }

  return SQLITE_DONE;
}

static int
insert_snapshot (QlSqliteEventStore *self,
                 const char         *ledger,
                 gint64              version,
                 const char         *state)
{
  sqlite3_stmt *stmt = self->statements[STATEMENT_SAVE_SNAPSHOT];

  sqlite3_bind_text (stmt, 1, ledger, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_text (stmt, 3, state, -1, SQLITE_STATIC);
  return step_once (self, STATEMENT_SAVE_SNAPSHOT);
}

/* Runs @appends in one IMMEDIATE transaction: IMMEDIATE takes the write
 * lock at once, so the versions checked cannot change before the commit.
 * Each ledger's head is read once, the first time the batch meets it, so
 * that a batch interleaving many ledgers costs no more than one ledger's
 * events; a ledger's name is written once, with its first events. */
static gboolean
write_appends_in_transaction (QlSqliteEventStore    *self,
                              const QlLedgerAppend  *appends,
                              guint                  n_appends,
                              Writing               *writing,
                              GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  /* Ledger name (borrowed from @appends) → its version so far. */
  g_autoptr(GHashTable) heads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  Pending pending = { .n_events = 0 };
  int rc;

  rc = step_once (self, STATEMENT_BEGIN);
  if (rc != SQLITE_DONE)
    goto failed;

  for (guint i = 0; i < n_appends; i++)
    {
      const QlLedgerAppend *append = &appends[i];
      gint64 *head = g_hash_table_lookup (heads, append->ledger);

      if (head == NULL)
        {
          gint64 version = read_head_version (self, append->ledger, &rc);

          if (version < 0)
            goto failed;
          head = g_memdup2 (&version, sizeof version);
          g_hash_table_insert (heads, (gpointer) append->ledger, head);
        }

      if (*head != append->expected_version)
        {
          set_conflict_error (append->ledger, &local_error);
          goto refused;
        }
      if (append->n_events == 0)
        continue;

      if (*head == 0)
        {
          rc = add_ledger (self, append->ledger);
          if (rc != SQLITE_DONE)
            goto failed;
        }

      for (guint e = 0; e < append->n_events; e++)
        {
          pending.events[pending.n_events++] = (PendingEvent) { append, e };
          if (pending.n_events < EVENTS_PER_INSERT)
            continue;
          rc = flush_pending (self, &pending, writing, &local_error);
          if (local_error != NULL)
            goto refused;
          if (rc != SQLITE_DONE)
            goto failed;
        }

      if (append->snapshot != NULL)
        {
          rc = insert_snapshot (self, append->ledger,
                                append->expected_version + append->n_events, append->snapshot);
          if (rc != SQLITE_DONE)
            goto failed;
        }
      *head += append->n_events;
    }

  rc = flush_pending (self, &pending, writing, &local_error);
  if (local_error != NULL)
    goto refused;
  if (rc != SQLITE_DONE)
    goto failed;

  rc = step_once (self, STATEMENT_COMMIT);
  if (rc != SQLITE_DONE)
    goto failed;

  return TRUE;

refused:
  rollback (self);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;

failed:
  set_error_from_code (self, rc, error);
  rollback (self);
  return FALSE;
}

/* A batch of this many events gets a larger page cache while it runs:
 * negative sizes are in KiB. */
#define LARGE_BATCH 50000
#define LARGE_BATCH_CACHE_KIB -131072
#define DEFAULT_CACHE_KIB -2000

static gboolean
write_appends (QlSqliteEventStore    *self,
               const QlLedgerAppend  *appends,
               guint                  n_appends,
               Writing               *writing,
               GError               **error)
{
  gboolean ok;

  guint64 n_events = 0;

  if (!check_writable (self, error))
    return FALSE;

  for (guint i = 0; i < n_appends; i++)
    n_events += appends[i].n_events;

  /* A large batch that interleaves ledgers inserts all over the
   * (ledger, version) index; with SQLite's default 2 MB of cache it
   * would write pages out and read them back many times over. The cache
   * grows for the batch only, and shrinks back, freeing its pages. */
  if (n_events >= LARGE_BATCH)
    sqlite3_exec (self->db, "PRAGMA cache_size = " G_STRINGIFY (LARGE_BATCH_CACHE_KIB), NULL, NULL, NULL);

  ok = write_appends_in_transaction (self, appends, n_appends, writing, error);

  if (n_events >= LARGE_BATCH)
    sqlite3_exec (self->db, "PRAGMA cache_size = " G_STRINGIFY (DEFAULT_CACHE_KIB), NULL, NULL, NULL);

  /* No statement may keep a pointer to the caller's strings. */
  sqlite3_clear_bindings (self->statements[STATEMENT_HEAD_VERSION]);
  sqlite3_clear_bindings (self->statements[STATEMENT_INSERT_EVENT]);
  sqlite3_clear_bindings (self->statements[STATEMENT_INSERT_EVENTS]);
  sqlite3_clear_bindings (self->statements[STATEMENT_SAVE_SNAPSHOT]);

  return ok;
}

/* One event after the head of an existing ledger: a single statement
 * checks the head and inserts, committed on its own. A write statement
 * takes the write lock before it reads, as BEGIN IMMEDIATE does, and
 * costs less than a transaction of four statements. */
static gboolean
append_one (QlSqliteEventStore  *self,
            const char          *ledger,
            gint64               expected_version,
            const QlNewEvent    *event,
            Writing             *writing,
            GError             **error)
{
  sqlite3_stmt *append = self->statements[STATEMENT_APPEND_EVENT];
  int rc;

  if (!check_writable (self, error))
    return FALSE;

  sqlite3_bind_text (append, 1, ledger, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (append, 2, expected_version + 1);
  sqlite3_bind_text (append, 3, event->type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (append, 4, writing->timestamp);
  sqlite3_bind_text (append, 5, event->payload, -1, SQLITE_STATIC);
  sqlite3_bind_text (append, 6, event->reference, -1, SQLITE_STATIC);
  rc = step_once (self, STATEMENT_APPEND_EVENT);

  if (rc == SQLITE_DONE)
    {
      writing->last_position = sqlite3_last_insert_rowid (self->db);
      return TRUE;
    }
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    set_conflict_error (ledger, error);
  else
    set_error_from_code (self, rc, error);
  return FALSE;
}

static gboolean
ql_sqlite_event_store_append (QlEventStore      *store,
                              const char        *ledger,
                              gint64             expected_version,
                              const QlNewEvent  *events,
                              guint              n_events,
                              QlEventRecord     *out_appended,
                              GError           **error)
{
  QlLedgerAppend append = { ledger, expected_version, events, n_events, NULL };
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  Writing writing = { g_get_real_time (), 0, NULL, NULL, 0 };
  gboolean ok;

  /* A new ledger needs its name written as well. */
  if (n_events == 1 && expected_version > 0)
    ok = append_one (self, ledger, expected_version, &events[0], &writing, error);
  else
    ok = write_appends (self, &append, 1, &writing, error);

  if (ok && out_appended != NULL)
    for (guint i = 0; i < n_events; i++)
      out_appended[i] = (QlEventRecord) {
        .position = writing.last_position - (n_events - 1) + i,
        .ledger = ledger,
        .version = expected_version + i + 1,
        .type = events[i].type,
        .timestamp = writing.timestamp,
        .payload = events[i].payload,
        .reference = events[i].reference,
      };
  return ok;
}

static gboolean
ql_sqlite_event_store_append_batch (QlEventStore          *store,
                                    const QlLedgerAppend  *appends,
                                    guint                  n_appends,
                                    QlBatchProgressFunc    progress,
                                    gpointer               user_data,
                                    GError               **error)
{
  Writing writing = { g_get_real_time (), 0, progress, user_data, 0 };

  return write_appends (QL_SQLITE_EVENT_STORE (store), appends, n_appends, &writing, error);
}

/* Independent parts in one IMMEDIATE transaction, so one commit and one
 * sync of the WAL: a part whose ledger moved on is refused alone, and the
 * rows of the others go in. A failed statement, which the heads checked
 * under the write lock rule out for versions, rolls back the whole group. */
static gboolean
ql_sqlite_event_store_append_group (QlEventStore          *store,
                                    const QlLedgerAppend  *appends,
                                    guint                  n_appends,
                                    QlEventRecord         *out_appended,
                                    GError               **out_errors,
                                    GError               **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  gint64 timestamp = g_get_real_time ();
  guint first = 0;
  int rc;

  if (!check_writable (self, error))
    return FALSE;

  rc = step_once (self, STATEMENT_BEGIN);
  if (rc != SQLITE_DONE)
    goto failed;

  for (guint i = 0; i < n_appends; first += appends[i].n_events, i++)
    {
      const QlLedgerAppend *append = &appends[i];
      gint64 version = read_head_version (self, append->ledger, &rc);

      if (version < 0)
        goto failed;
      if (version != append->expected_version)
        {
          set_conflict_error (append->ledger, &out_errors[i]);
          continue;
        }
      if (version == 0 && (rc = add_ledger (self, append->ledger)) != SQLITE_DONE)
        goto failed;

      for (guint e = 0; e < append->n_events; e++)
        {
          PendingEvent event = { append, e };

          rc = insert_rows (self, STATEMENT_INSERT_EVENT, &event, 1, timestamp);
          if (rc != SQLITE_DONE)
            goto failed;
          if (out_appended != NULL)
            out_appended[first + e] = (QlEventRecord) {
              .position = sqlite3_last_insert_rowid (self->db),
              .ledger = append->ledger,
              .version = append->expected_version + e + 1,
              .type = append->events[e].type,
              .timestamp = timestamp,
              .payload = append->events[e].payload,
              .reference = append->events[e].reference,
            };
        }
    }

  rc = step_once (self, STATEMENT_COMMIT);
  if (rc != SQLITE_DONE)
    goto failed;

  sqlite3_clear_bindings (self->statements[STATEMENT_HEAD_VERSION]);
  sqlite3_clear_bindings (self->statements[STATEMENT_INSERT_EVENT]);
  return TRUE;

failed:
  set_error_from_code (self, rc, error);
  rollback (self);
  sqlite3_clear_bindings (self->statements[STATEMENT_HEAD_VERSION]);
  sqlite3_clear_bindings (self->statements[STATEMENT_INSERT_EVENT]);
  for (guint i = 0; i < n_appends; i++)
    g_clear_error (&out_errors[i]);
  return FALSE;
}

/* The references of a scan's events, in the scan's order: each row is
 * the version (a ledger's scan) or the position (the log's) of an event
 * and its reference. */
typedef struct
{
  Cursor   cursor;
  gint64   key;
  gboolean started;
  int      rc;
} References;

/* The reference of the event at @key, or NULL. Keys only grow. The
 * first step comes after the scan's own, so that both statements read
 * the same snapshot of the file. */
static const char *
references_find (References *references,
                 gint64      key)
{
  sqlite3_stmt *stmt = references->cursor.stmt;

  while (references->rc == SQLITE_ROW && (!references->started || references->key < key))
    {
      references->started = TRUE;
      references->rc = sqlite3_step (stmt);
      if (references->rc == SQLITE_ROW)
        references->key = sqlite3_column_int64 (stmt, 0);
    }

  if (references->rc != SQLITE_ROW || references->key != key)
    return NULL;
  return (const char *) sqlite3_column_text (stmt, 1);
}

static gboolean
open_cursor_or_fail (QlSqliteEventStore  *self,
                     Statement            statement,
                     Cursor              *cursor,
                     GError             **error)
{
  cursor_open (self, statement, cursor);
  if (cursor->stmt != NULL)
    return TRUE;

  set_error_from_code (self, sqlite3_errcode (self->db), error);
  return FALSE;
}

/* Opens the two statements of a scan: its rows, and their references. */
static gboolean
open_scan (QlSqliteEventStore  *self,
           Statement            rows,
           Statement            row_references,
           Cursor              *cursor,
           References          *references,
           GError             **error)
{
  if (!open_cursor_or_fail (self, rows, cursor, error))
    return FALSE;
  if (open_cursor_or_fail (self, row_references, &references->cursor, error))
    return TRUE;

  cursor_close (cursor);
  return FALSE;
}

/* Runs a scan that open_scan() opened, and closes it. */
static gboolean
scan (QlSqliteEventStore  *self,
      Cursor              *cursor,
      References          *references,
      const char          *ledger,
      QlEventFunc          func,
      gpointer             user_data,
      GError             **error)
{
  sqlite3_stmt *stmt = cursor->stmt;
  QlEventRecord record;
  int rc;

  /* A read-ledger row has no ledger column: the caller's name is it. */
  int column = ledger != NULL ? 0 : 1;

  record.ledger = ledger;
  references->started = FALSE;
  references->rc = SQLITE_ROW;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      record.position = sqlite3_column_int64 (stmt, 0);
      if (ledger == NULL)
        record.ledger = (const char *) sqlite3_column_text (stmt, 1);
      record.version = sqlite3_column_int64 (stmt, column + 1);
      record.type = (const char *) sqlite3_column_text (stmt, column + 2);
      record.timestamp = sqlite3_column_int64 (stmt, column + 3);
      record.payload = (const char *) sqlite3_column_text (stmt, column + 4);
      record.reference = references_find (references,
                                          ledger != NULL ? record.version : record.position);

      if (references->rc != SQLITE_ROW && references->rc != SQLITE_DONE)
        {
          rc = references->rc;
          break;
        }
      if (!func (&record, user_data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }

  if (rc != SQLITE_DONE)
    set_error_from_code (self, rc, error);
  cursor_close (&references->cursor);
  cursor_close (cursor);

  return rc == SQLITE_DONE;
}

static gboolean
ql_sqlite_event_store_read_ledger (QlEventStore  *store,
                                   const char    *ledger,
                                   gint64         after_version,
                                   gint64         up_to_version,
                                   QlEventFunc    func,
                                   gpointer       user_data,
                                   GError       **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  References references;
  Cursor cursor;

  if (!open_scan (self, STATEMENT_READ_LEDGER, STATEMENT_READ_LEDGER_REFERENCES, &cursor,
                  &references, error))
    return FALSE;

  for (int i = 0; i < 2; i++)
    {
      sqlite3_stmt *stmt = i == 0 ? cursor.stmt : references.cursor.stmt;

      sqlite3_bind_text (stmt, 1, ledger, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, after_version);
      sqlite3_bind_int64 (stmt, 3, up_to_version > 0 ? up_to_version : G_MAXINT64);
    }

  return scan (self, &cursor, &references, ledger, func, user_data, error);
}

static gboolean
ql_sqlite_event_store_read_log (QlEventStore  *store,
                                gint64         start,
                                gint64         limit,
                                QlEventFunc    func,
                                gpointer       user_data,
                                GError       **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  References references;
  Cursor cursor;

  if (!open_scan (self, STATEMENT_READ_LOG, STATEMENT_READ_LOG_REFERENCES, &cursor, &references,
                  error))
    return FALSE;

  sqlite3_bind_int64 (cursor.stmt, 1, start);
  /* A negative LIMIT means no limit to SQLite. */
  sqlite3_bind_int64 (cursor.stmt, 2, limit > 0 ? limit : -1);
  sqlite3_bind_int64 (references.cursor.stmt, 1, start);

  return scan (self, &cursor, &references, NULL, func, user_data, error);
}

static gint64
ql_sqlite_event_store_get_head_position (QlEventStore  *store,
                                         GError       **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  sqlite3_stmt *stmt = self->statements[STATEMENT_HEAD_POSITION];
  gint64 position = 0;
  int rc;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      /* max() of no rows is NULL, which reads as 0. */
      position = sqlite3_column_int64 (stmt, 0);
    }
  else
    {
      set_error_from_code (self, rc, error);
      position = -1;
    }
  sqlite3_reset (stmt);

  return position;
}

static GPtrArray *
ql_sqlite_event_store_list_ledgers (QlEventStore  *store,
                                    GError       **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  sqlite3_stmt *stmt = self->statements[STATEMENT_LIST_LEDGERS];
  g_autoptr(GPtrArray) heads = NULL;
  int rc;

  heads = g_ptr_array_new_with_free_func ((GDestroyNotify) ql_ledger_head_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      QlLedgerHead *head = g_new0 (QlLedgerHead, 1);

      head->ledger = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      head->version = sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (heads, head);
    }

  if (rc != SQLITE_DONE)
    set_error_from_code (self, rc, error);
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return NULL;

  return g_steal_pointer (&heads);
}

static gboolean
ql_sqlite_event_store_save_snapshot (QlEventStore  *store,
                                     const char    *ledger,
                                     gint64         version,
                                     const char    *state,
                                     GError       **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  int rc;

  if (!check_writable (self, error))
    return FALSE;

  rc = insert_snapshot (self, ledger, version, state);
  if (rc != SQLITE_DONE)
    {
      set_error_from_code (self, rc, error);
      return FALSE;
    }

  return TRUE;
}

/* One transaction: one fsync for them all. */
static gboolean
ql_sqlite_event_store_save_snapshots (QlEventStore      *store,
                                      const char        *ledger,
                                      const QlSnapshot  *snapshots,
                                      guint              n_snapshots,
                                      GError           **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  int rc;

  if (!check_writable (self, error))
    return FALSE;

  rc = step_once (self, STATEMENT_BEGIN);
  for (guint i = 0; i < n_snapshots && rc == SQLITE_DONE; i++)
    rc = insert_snapshot (self, ledger, snapshots[i].version, snapshots[i].state);
  if (rc == SQLITE_DONE)
    rc = step_once (self, STATEMENT_COMMIT);

  if (rc != SQLITE_DONE)
    {
      set_error_from_code (self, rc, error);
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
ql_sqlite_event_store_load_snapshot (QlEventStore  *store,
                                     const char    *ledger,
                                     gint64         up_to_version,
                                     gint64        *out_version,
                                     char         **out_state,
                                     GError       **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  sqlite3_stmt *stmt = self->statements[STATEMENT_LOAD_SNAPSHOT];
  int rc;

  sqlite3_bind_text (stmt, 1, ledger, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, up_to_version > 0 ? up_to_version : G_MAXINT64);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (stmt, 1);

      *out_version = sqlite3_column_int64 (stmt, 0);
      *out_state = g_strdup (state != NULL ? state : "");
      rc = SQLITE_DONE;
    }
  else if (rc != SQLITE_DONE)
    {
      set_error_from_code (self, rc, error);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return rc == SQLITE_DONE;
}

static gboolean
ql_sqlite_event_store_find_reference (QlEventStore  *store,
                                      const char    *ledger,
                                      const char    *reference,
                                      gint64        *out_version,
                                      GError       **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);
  sqlite3_stmt *stmt = self->statements[STATEMENT_FIND_REFERENCE];
  gboolean ok = TRUE;
  int rc;

  sqlite3_bind_text (stmt, 1, ledger, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, reference, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_version = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      set_error_from_code (self, rc, error);
      ok = FALSE;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return ok;
}

static gboolean
store_is_read_only (QlEventStore *store)
{
  return QL_SQLITE_EVENT_STORE (store)->read_only;
}

static void
ql_sqlite_event_store_iface_init (QlEventStoreInterface *iface)
{
  iface->append = ql_sqlite_event_store_append;
  iface->read_ledger = ql_sqlite_event_store_read_ledger;
  iface->read_log = ql_sqlite_event_store_read_log;
  iface->get_head_position = ql_sqlite_event_store_get_head_position;
  iface->list_ledgers = ql_sqlite_event_store_list_ledgers;
  iface->save_snapshot = ql_sqlite_event_store_save_snapshot;
  iface->load_snapshot = ql_sqlite_event_store_load_snapshot;
  iface->append_batch = ql_sqlite_event_store_append_batch;
  iface->append_group = ql_sqlite_event_store_append_group;
  iface->find_reference = ql_sqlite_event_store_find_reference;
  iface->save_snapshots = ql_sqlite_event_store_save_snapshots;
  iface->is_read_only = store_is_read_only;
}

static gboolean
read_get_state (QlReadModelStore  *store,
                const char        *name,
                QlReadSlot         slot,
                gboolean          *out_found,
                gint64            *out_version,
                gint64            *out_position,
                GError           **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);

  return _ql_sqlite_read_get_state (self->read_models, name, slot, out_found, out_version,
                                    out_position, error);
}

static gboolean
read_commit (QlReadModelStore  *store,
             const char        *name,
             QlReadSlot         slot,
             gint64             version,
             gint64             expected_position,
             gint64             position,
             const QlReadRow   *rows,
             guint              n_rows,
             GError           **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);

  return check_writable (self, error) &&
         _ql_sqlite_read_commit (self->read_models, name, slot, version, expected_position,
                                 position, rows, n_rows, error);
}

static gboolean
read_commit_all (QlReadModelStore   *store,
                 const QlReadCommit *commits,
                 guint               n_commits,
                 GError            **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);

  return check_writable (self, error) &&
         _ql_sqlite_read_commit_all (self->read_models, commits, n_commits, error);
}

static gboolean
read_reset (QlReadModelStore  *store,
            const char        *name,
            QlReadSlot         slot,
            GError           **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);

  return check_writable (self, error) &&
         _ql_sqlite_read_reset (self->read_models, name, slot, error);
}

static gboolean
read_swap (QlReadModelStore  *store,
           const char        *name,
           GError           **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);

  return check_writable (self, error) &&
         _ql_sqlite_read_swap (self->read_models, name, error);
}

static gboolean
read_rows (QlReadModelStore  *store,
           const char        *name,
           const char        *prefix,
           QlReadRowFunc      func,
           gpointer           user_data,
           GError           **error)
{
  QlSqliteEventStore *self = QL_SQLITE_EVENT_STORE (store);

  return _ql_sqlite_read_rows (self->read_models, name, prefix, func, user_data, error);
}

static void
ql_sqlite_read_model_store_iface_init (QlReadModelStoreInterface *iface)
{
  iface->get_state = read_get_state;
  iface->commit = read_commit;
  iface->commit_all = read_commit_all;
  iface->reset = read_reset;
  iface->swap = read_swap;
  iface->read_rows = read_rows;
}

static void
ql_sqlite_event_store_finalize (GObject *object)
{
  QlSqliteEventStore *self = (QlSqliteEventStore *)object;

  /* A checkpoint under way is finished first. */
  if (self->checkpointer != NULL)
    g_thread_pool_free (g_steal_pointer (&self->checkpointer), FALSE, TRUE);
  g_clear_pointer (&self->checkpoint_db, sqlite3_close);

  g_clear_pointer (&self->read_models, _ql_sqlite_read_models_free);
  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ql_sqlite_event_store_parent_class)->finalize (object);
}

static void
ql_sqlite_event_store_class_init (QlSqliteEventStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_sqlite_event_store_finalize;
}

static void
ql_sqlite_event_store_init (QlSqliteEventStore *self)
{
}

static void
set_not_ours_error (const char  *path,
                    GError     **error)
{
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
               _("“%s” is not a Quote Ledger database; it was left untouched"), path);
}

static gboolean
ensure_folder (const char  *path,
               GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int saved_errno;

  if (g_file_test (folder, G_FILE_TEST_IS_DIR))
    return TRUE;

  if (g_mkdir_with_parents (folder, 0700) == 0)
    return TRUE;

  saved_errno = errno;
  g_set_error (error, QL_STORE_ERROR,
               saved_errno == EACCES || saved_errno == EROFS ? QL_STORE_ERROR_READ_ONLY
                                                             : QL_STORE_ERROR_FAILED,
               _("Could not create the folder “%s”: %s"), folder, g_strerror (saved_errno));
  return FALSE;
}

/* Refuses what is not a database file of this user's alone: in a folder
 * that others can write, another user may have left an empty file there,
 * which would stay theirs to read and rewrite, or a symbolic link that
 * would turn a file of the user's own into a database. */
static gboolean
check_file_status (const char         *path,
                   const struct stat  *buf,
                   GError            **error)
{
  if (S_ISLNK (buf->st_mode))
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("“%s” is a symbolic link, and a database is never opened through "
                   "one: name the file itself, or remove the link"), path);
  else if (S_ISDIR (buf->st_mode))
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("“%s” is a folder, not a database file"), path);
  else if (S_ISFIFO (buf->st_mode))
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("“%s” is a named pipe (FIFO), not a database file"), path);
  else if (S_ISCHR (buf->st_mode) || S_ISBLK (buf->st_mode))
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("“%s” is a device, not a database file"), path);
  else if (!S_ISREG (buf->st_mode))
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("“%s” is not a regular file, so it cannot be a database"), path);
  else if (buf->st_uid != geteuid ())
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("“%s” belongs to another user; a database is only opened by its owner: "
                   "copy it to a file of your own, or ask its owner to open it"), path);
  else if ((buf->st_mode & (S_IWGRP | S_IWOTH)) != 0)
    g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                 _("“%s” can be changed by other users; make it yours alone with "
                   "“chmod 600 %s”"), path, path);
  else
    return TRUE;

  return FALSE;
}

/* The files SQLite keeps beside a database are held to the same rule. */
static const char * const companion_suffixes[] = { "-wal", "-shm", "-journal" };

static gboolean
check_companions (const char  *path,
                  GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (companion_suffixes); i++)
    {
      g_autofree char *companion = g_strconcat (path, companion_suffixes[i], NULL);
      struct stat buf;

      if (lstat (companion, &buf) != 0)
        continue;
      if (!check_file_status (companion, &buf, error))
        return FALSE;
    }

  return TRUE;
}

/* Makes an empty regular file of mode 0600 at @path, failing with EEXIST
 * when anything is there, links included, as O_CREAT | O_EXCL does. It
 * opens no descriptor: another thread's SQLite may open the new file at
 * once, and closing a descriptor of it would drop that thread's locks on
 * it. The umask applies, as it does to open(). Returns 0, or -1 with
 * errno set. */
static int
create_empty_file (const char *path)
{
  return mknod (path, S_IFREG | 0600, 0);
}

/* Makes the WAL files before SQLite does, so that none can be planted
 * between the check and SQLite's open: in a folder with the sticky bit,
 * such as /tmp, nobody else can then replace them. Returns which ones it
 * made, one bit each. */
static guint
create_companions (const char *path)
{
  guint created = 0;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *companion = g_strconcat (path, companion_suffixes[i], NULL);

      if (create_empty_file (companion) == 0)
        created |= 1u << i;
    }

  return created;
}

/* Removes what create_companions() made, when a file that is not ours
 * was refused: it is left as it was, with nothing beside it. */
static void
remove_companions (const char *path,
                   guint       created)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *companion = g_strconcat (path, companion_suffixes[i], NULL);
      struct stat buf;

      if ((created & (1u << i)) != 0 && lstat (companion, &buf) == 0 &&
          S_ISREG (buf.st_mode) && buf.st_size == 0)
        g_unlink (companion);
    }
}

/* Makes sure the file exists, so that SQLite never creates it with its own
 * mode, and checks that an existing one is a SQLite file of this user's
 * before SQLite sees it: nothing is ever written to a file that is not
 * ours. */
static gboolean
check_or_create_file (const char  *path,
                      GError     **error)
{
  struct stat buf;
  int saved_errno;
  int fd;

  if (create_empty_file (path) == 0)
    return check_companions (path, error);

  if (errno != EEXIST)
    {
      saved_errno = errno;
      g_set_error (error, QL_STORE_ERROR,
                   saved_errno == EACCES || saved_errno == EROFS ? QL_STORE_ERROR_READ_ONLY
                                                                 : QL_STORE_ERROR_FAILED,
                   _("Could not create “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  /* What was checked is what is opened: no link, no FIFO swapped in.
   * O_PATH, because closing any other descriptor of the file would drop
   * the locks SQLite holds on it for other stores of this process. */
  fd = g_open (path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("Could not read “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fstat (fd, &buf) != 0)
    {
      saved_errno = errno;
      g_close (fd, NULL);
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("Could not read “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  g_close (fd, NULL);
  if (!check_file_status (path, &buf, error))
    return FALSE;

  return check_companions (path, error);
}

/* Checks the schema version. A file without one must hold no tables, of
 * another program or of ours, and be writable: ql_sqlite_schema_upgrade()
 * creates the tables in it. */
static gboolean
check_schema (QlSqliteEventStore  *self,
              gboolean             create,
              GError             **error)
{
  gint64 user_version = 0;
  gint64 n_objects = 0;

  if (!_ql_store_query_int (self->db, "PRAGMA user_version", &user_version,
                            self->path, QL_STORE_TASK_USE, error))
    return FALSE;

  if (user_version > QL_SQLITE_SCHEMA_VERSION)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_TOO_NEW,
                   _("“%s” was written by a newer version of Quote Ledger; "
                     "update Quote Ledger to open it"), self->path);
      return FALSE;
    }

  if (user_version > 0)
    return TRUE;

  if (!_ql_store_query_int (self->db, "SELECT count(*) FROM sqlite_master", &n_objects,
                            self->path, QL_STORE_TASK_USE, error))
    return FALSE;

  if (n_objects > 0)
    {
      set_not_ours_error (self->path, error);
      return FALSE;
    }

  if (!create)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_READ_ONLY,
                   _("“%s” holds no ledgers yet and cannot be written: it is read-only"),
                   self->path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
prepare_statements (QlSqliteEventStore  *self,
                    GError             **error)
{
  for (guint i = 0; i < N_STATEMENTS; i++)
    {
      int rc;

      /* A read-only file of an older version is read through a view,
       * which takes no INSERT; nothing is ever appended to it. */
      if (self->read_only && statement_inserts_events[i])
        continue;

      rc = sqlite3_prepare_v3 (self->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &self->statements[i], NULL);
      if (rc != SQLITE_OK)
        {
          /* The file claims our schema, yet its tables do not fit. */
          g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                       _("“%s” is damaged or not a Quote Ledger database: %s"),
                       self->path, sqlite3_errmsg (self->db));
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
writable (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);

  /* WAL mode creates files beside the database, so the folder counts. */
  return g_access (path, W_OK) == 0 && g_access (folder, W_OK) == 0;
}

/* The WAL is copied into the database once it holds this many pages,
 * as often as SQLite's own automatic checkpoint would. */
#define CHECKPOINT_PAGES 1000

static void
checkpoint_cb (gpointer data,
               gpointer user_data)
{
  QlSqliteEventStore *self = user_data;

  /* A commit from now on asks for another checkpoint. */
  g_atomic_int_set (&self->checkpoint_queued, FALSE);

  /* A connection learns that the file is in WAL mode when it first reads
   * it; until then a checkpoint does nothing. */
  if (self->checkpoint_db == NULL &&
      (sqlite3_open_v2 (self->path, &self->checkpoint_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
       sqlite3_exec (self->checkpoint_db, "SELECT count(*) FROM sqlite_master",
                     NULL, NULL, NULL) != SQLITE_OK))
    {
      g_debug ("Could not open “%s” to checkpoint it: %s", self->path,
               sqlite3_errmsg (self->checkpoint_db));
      g_clear_pointer (&self->checkpoint_db, sqlite3_close);
      return;
    }

  /* A passive checkpoint waits for nobody; what it cannot copy now, a
   * later one will. */
  sqlite3_wal_checkpoint_v2 (self->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* Called by SQLite after each commit, in place of its automatic
 * checkpoint, which copies the WAL into the database inside the commit
 * that fills it. After a command's commit of a few pages that costs a few
 * milliseconds, and the commit still does it, as SQLite would. After a
 * batch, such as an import, it would be a second write of everything the
 * batch wrote, and an fsync, after its events were durable already: that
 * copy goes to another thread. */
static int
wal_hook_cb (gpointer    user_data,
             sqlite3    *db,
             const char *name,
             int         n_pages)
{
  QlSqliteEventStore *self = user_data;
  /* The WAL starts again from its beginning after a checkpoint. */
  int n_written = n_pages >= self->wal_pages ? n_pages - self->wal_pages : n_pages;

  self->wal_pages = n_pages;
  if (n_pages < CHECKPOINT_PAGES)
    return SQLITE_OK;

  if (n_written >= CHECKPOINT_PAGES &&
      g_atomic_int_compare_and_exchange (&self->checkpoint_queued, FALSE, TRUE))
    {
      if (self->checkpointer == NULL)
        self->checkpointer = g_thread_pool_new (checkpoint_cb, self, 1, FALSE, NULL);
      if (g_thread_pool_push (self->checkpointer, GINT_TO_POINTER (TRUE), NULL))
        return SQLITE_OK;
      g_atomic_int_set (&self->checkpoint_queued, FALSE);
    }
  else if (g_atomic_int_get (&self->checkpoint_queued))
    {
      /* The thread has one to do already. */
      return SQLITE_OK;
    }

  sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return SQLITE_OK;
}

static gboolean
open_connection (QlSqliteEventStore  *self,
                 const char          *parameters,
                 GError             **error)
{
  g_autofree char *escaped = g_uri_escape_string (self->path, "/", FALSE);
  g_autofree char *uri = g_strconcat ("file:", escaped, parameters, NULL);
  int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  int rc;

  flags |= self->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;

  g_clear_pointer (&self->db, sqlite3_close);
  rc = sqlite3_open_v2 (uri, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_error_from_code (self, rc, error);
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  return TRUE;
}

/* A file that is not empty must start as a SQLite database does. The
 * header is read through SQLite's own handle, before anything is written:
 * a descriptor of our own would drop SQLite's locks when closed. */
static gboolean
check_header (QlSqliteEventStore  *self,
              GError             **error)
{
  char header[sizeof sqlite_magic];
  sqlite3_file *file = NULL;
  sqlite3_int64 size = 0;
  int rc;

  rc = sqlite3_file_control (self->db, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc == SQLITE_OK && file != NULL && file->pMethods != NULL)
    rc = file->pMethods->xFileSize (file, &size);
  if (rc != SQLITE_OK || file == NULL || file->pMethods == NULL)
    {
      set_error_from_code (self, rc != SQLITE_OK ? rc : SQLITE_CANTOPEN, error);
      return FALSE;
    }

  /* An empty file is a database that has yet to be written. */
  if (size == 0)
    return TRUE;

  rc = file->pMethods->xRead (file, header, sizeof header, 0);
  if (rc == SQLITE_OK && memcmp (header, sqlite_magic, sizeof header) == 0)
    return TRUE;
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
    {
      set_error_from_code (self, rc, error);
      return FALSE;
    }

  set_not_ours_error (self->path, error);
  return FALSE;
}

/* Whether SQLite can read the file as opened. */
static gboolean
can_read (QlSqliteEventStore *self)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  return (rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_CANTOPEN;
}

static gboolean
open_database_checked (QlSqliteEventStore  *self,
                       GError             **error)
{
  self->read_only = !writable (self->path);

  if (!open_connection (self, self->read_only ? "?mode=ro" : "", error) ||
      !check_header (self, error))
    return FALSE;

  /* The operating system may refuse writes that access() allowed. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    self->read_only = TRUE;

  /* A WAL file needs an index file beside it, which a reader cannot
   * create in a folder it cannot write. Nobody can write the database
   * there through SQLite either, so it is read as an immutable file. */
  if (self->read_only && !can_read (self) && !open_connection (self, "?immutable=1", error))
    return FALSE;

  if (!check_schema (self, !self->read_only, error) ||
      !ql_sqlite_schema_upgrade (self->db, self->path, self->read_only, error))
    return FALSE;

  if (!self->read_only)
    {
      if (!_ql_store_run_sql (self->db, "PRAGMA journal_mode = WAL",
                              self->path, QL_STORE_TASK_USE, error))
        return FALSE;
      if (!_ql_store_run_sql (self->db, "PRAGMA synchronous = FULL",
                              self->path, QL_STORE_TASK_USE, error))
        return FALSE;
      sqlite3_wal_hook (self->db, wal_hook_cb, self);
    }

  /* The triggers guard the events against other programs' SQL. This
   * connection only ever inserts events, with plain INSERTs checked by
   * the UNIQUE constraint, so it skips them: the INSERT trigger alone
   * would double the cost of every append. */
  sqlite3_db_config (self->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);

  if (!prepare_statements (self, error))
    return FALSE;
  self->read_models = _ql_sqlite_read_models_new (self->db, self->path);
  return TRUE;
}

static gboolean
open_database (QlSqliteEventStore  *self,
               GError             **error)
{
  guint created = 0;

  if (writable (self->path))
    created = create_companions (self->path);
  if (open_database_checked (self, error))
    return TRUE;

  /* SQLite lets go of the files first. */
  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  remove_companions (self->path, created);
  return FALSE;
}

/**
 * ql_sqlite_event_store_new:
 * @path: the database file
 * @error: return location for a #GError
 *
 * Opens the store in @path, creating the file (mode 0600) and its folders
 * (mode 0700) when missing. A file that is not a SQLite database, or one
 * that holds another program's tables, fails with
 * %QL_STORE_ERROR_CORRUPT and is left as it was; a file from a newer
 * version fails with %QL_STORE_ERROR_TOO_NEW. A file that cannot be
 * written is opened read-only.
 *
 * Returns: (transfer full): a new #QlEventStore, or %NULL with @error set
 */
QlEventStore *
ql_sqlite_event_store_new (const char  *path,
                           GError     **error)
{
  g_autoptr(QlSqliteEventStore) self = NULL;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (QL_TYPE_SQLITE_EVENT_STORE, NULL);
  self->path = g_canonicalize_filename (path, NULL);

  if (!ensure_folder (self->path, error) ||
      !check_or_create_file (self->path, error) ||
      !open_database (self, error))
    return NULL;

  return QL_EVENT_STORE (g_steal_pointer (&self));
}

/**
 * ql_sqlite_event_store_get_path:
 * @self: a #QlSqliteEventStore
 *
 * Returns: the absolute path of the database file
 */
const char *
ql_sqlite_event_store_get_path (QlSqliteEventStore *self)
{
  g_return_val_if_fail (QL_IS_SQLITE_EVENT_STORE (self), NULL);

  return self->path;
}

/**
 * ql_sqlite_event_store_is_read_only:
 * @self: a #QlSqliteEventStore
 *
 * Returns: %TRUE when the file was opened read-only, so appends fail
 */
gboolean
ql_sqlite_event_store_is_read_only (QlSqliteEventStore *self)
{
  g_return_val_if_fail (QL_IS_SQLITE_EVENT_STORE (self), FALSE);

  return self->read_only;
}
