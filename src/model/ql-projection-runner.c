/* ql-projection-runner.c: keeps projections up to date with the log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-model"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-daily-balance-projection.h"
#include "ql-errors.h"
#include "ql-low-stock-projection.h"
#include "ql-memory-event-store.h"
#include "ql-monthly-totals-projection.h"
#include "ql-payments-projection.h"
#include "ql-projection-runner.h"

#define DEFAULT_BATCH_SIZE 50000
#define MAX_ATTEMPTS 8

struct _QlProjectionRunner
{
  GObject       parent_instance;

  QlEventStore *store;
  /* Where the read models are committed: @store itself, or, when it is
   * read-only, a memory store the runner folds the log into. */
  QlReadModelStore *read_store;
  GPtrArray    *projections;
  guint         batch_size;

  /* Where the projections stood after this runner's last follow of them
   * together: each live, of its current version, with no rebuild under
   * way, all at @together_position. The next follow counts from there
   * without reading their states; its commit checks them inside its
   * transaction, and a runner that moved first makes it a conflict. */
  gboolean      together_known;
  gint64        together_position;
  /* One set of deltas for each projection, kept between follows. */
  GPtrArray    *together_deltas;

  /* The book followed, and its QlLedgerBook::changed handler. */
  QlLedgerBook *book;
  gulong        changed_id;
};

G_DEFINE_FINAL_TYPE (QlProjectionRunner, ql_projection_runner, G_TYPE_OBJECT)

enum {
  UPDATED,
  UPDATE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
stop_following (QlProjectionRunner *self)
{
  if (self->book == NULL)
    return;
  g_clear_signal_handler (&self->changed_id, self->book);
  g_clear_object (&self->book);
}

static void
ql_projection_runner_finalize (GObject *object)
{
  QlProjectionRunner *self = QL_PROJECTION_RUNNER (object);

  stop_following (self);
  g_clear_object (&self->read_store);
  g_clear_object (&self->store);
  g_clear_pointer (&self->projections, g_ptr_array_unref);
  g_clear_pointer (&self->together_deltas, g_ptr_array_unref);

  G_OBJECT_CLASS (ql_projection_runner_parent_class)->finalize (object);
}

static void
ql_projection_runner_class_init (QlProjectionRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ql_projection_runner_finalize;

  /**
   * QlProjectionRunner::updated:
   * @self: a runner
   *
   * Emitted when following a book, after the read models have counted
   * the events the book just applied, so views can read them again.
   */
  signals[UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * QlProjectionRunner::update-failed:
   * @self: a runner
   * @error: why the read models could not catch up
   *
   * Emitted when following a book and catching up fails; the next change
   * of the book tries again from the last commit.
   */
  signals[UPDATE_FAILED] =
    g_signal_new ("update-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ql_projection_runner_init (QlProjectionRunner *self)
{
  self->projections = g_ptr_array_new_with_free_func (g_object_unref);
  self->together_deltas = g_ptr_array_new_with_free_func ((GDestroyNotify) ql_read_deltas_free);
  self->batch_size = DEFAULT_BATCH_SIZE;
}

/**
 * ql_projection_runner_new:
 * @store: an event store that also keeps read models (a
 *   #QlReadModelStore), so a read model and its position commit together
 *
 * When @store is read-only the runner writes nothing to it: it starts
 * from the read models @store holds, where their version is current, and
 * counts the rest of the log in memory, so queries still answer.
 *
 * Returns: (transfer full): a runner without projections
 */
QlProjectionRunner *
ql_projection_runner_new (QlEventStore *store)
{
  QlProjectionRunner *self;

  g_return_val_if_fail (QL_IS_EVENT_STORE (store), NULL);
  g_return_val_if_fail (QL_IS_READ_MODEL_STORE (store), NULL);

  self = g_object_new (QL_TYPE_PROJECTION_RUNNER, NULL);
  self->store = g_object_ref (store);
  if (ql_event_store_is_read_only (store))
    self->read_store = QL_READ_MODEL_STORE (ql_memory_event_store_new ());
  else
    self->read_store = g_object_ref (QL_READ_MODEL_STORE (store));
  return self;
}

/**
 * ql_projection_runner_new_default:
 * @store: as for ql_projection_runner_new()
 *
 * Returns: (transfer full): a runner with every projection the views
 *   read: `daily_balance`, `monthly_totals`, `payments` and `low_stock`
 */
QlProjectionRunner *
ql_projection_runner_new_default (QlEventStore *store)
{
  QlProjectionRunner *self = ql_projection_runner_new (store);

  g_ptr_array_add (self->projections, ql_daily_balance_projection_new ());
  g_ptr_array_add (self->projections, ql_monthly_totals_projection_new ());
  g_ptr_array_add (self->projections, ql_payments_projection_new ());
  g_ptr_array_add (self->projections, ql_low_stock_projection_new ());
  return self;
}

/**
 * ql_projection_runner_add:
 * @self: a runner
 * @projection: a projection whose name no other one has
 */
void
ql_projection_runner_add (QlProjectionRunner *self,
                          QlProjection       *projection)
{
  g_return_if_fail (QL_IS_PROJECTION_RUNNER (self));
  g_return_if_fail (QL_IS_PROJECTION (projection));

  g_ptr_array_add (self->projections, g_object_ref (projection));
  self->together_known = FALSE;
}

/**
 * ql_projection_runner_get_read_store:
 * @self: a runner
 *
 * Returns: (transfer none): where its read models are kept: its event
 *   store, or the memory it counts a read-only store's log in
 */
QlReadModelStore *
ql_projection_runner_get_read_store (QlProjectionRunner *self)
{
  g_return_val_if_fail (QL_IS_PROJECTION_RUNNER (self), NULL);

  return self->read_store;
}

static gboolean
in_memory (QlProjectionRunner *self)
{
  return (gpointer) self->read_store != (gpointer) self->store;
}

/**
 * ql_projection_runner_set_batch_size:
 * @self: a runner
 * @batch_size: how many events each commit counts at most, from 1
 *
 * Larger batches cost fewer commits; smaller ones lose less work to a
 * crash.
 */
void
ql_projection_runner_set_batch_size (QlProjectionRunner *self,
                                     guint               batch_size)
{
  g_return_if_fail (QL_IS_PROJECTION_RUNNER (self));
  g_return_if_fail (batch_size > 0);

  self->batch_size = batch_size;
}

typedef struct
{
  QlProjectionRunner *self;
  QlProjection       *projection;
  QlReadDeltas       *deltas;
  gint64              last;
  guint               n_read;
  GError             *error;
} Batch;

static gboolean
apply_record (const QlEventRecord *record,
              gpointer             user_data)
{
  Batch *batch = user_data;

  if (!ql_projection_apply (batch->projection, batch->self->store, record, batch->deltas,
                            &batch->error))
    return FALSE;
  batch->last = record->position;
  batch->n_read++;
  return TRUE;
}

/* Counts the log's events after @position into one slot, a batch per
 * transaction, until the head: a batch shorter than the batch size
 * reached it. */
static gboolean
run_slot (QlProjectionRunner  *self,
          QlProjection        *projection,
          QlReadSlot           slot,
          gint64               position,
          GError             **error)
{
  g_autoptr(QlReadDeltas) deltas = ql_read_deltas_new ();
  const char *name = ql_projection_get_name (projection);
  gint64 version = ql_projection_get_version (projection);
  gboolean first = TRUE;

  for (;;)
    {
      Batch batch = { self, projection, deltas, position, 0, NULL };
      g_autofree QlReadRow *rows = NULL;
      guint n_rows;

      if (!ql_event_store_read_log (self->store, position + 1, self->batch_size, apply_record,
                                    &batch, error))
        return FALSE;
      if (batch.error != NULL)
        {
          g_propagate_error (error, batch.error);
          return FALSE;
        }
      /* A slot with nothing to count gets its table all the same, so it
       * stands as built. */
      if (batch.last == position && !first)
        return TRUE;
      rows = ql_read_deltas_rows (deltas, &n_rows);
      if (!ql_read_model_store_commit (self->read_store, name, slot, version,
                                       position, batch.last, rows, n_rows, error))
        return FALSE;
      ql_read_deltas_clear (deltas);
      if (batch.n_read < self->batch_size)
        return TRUE;
      position = batch.last;
      first = FALSE;
    }
}

static gboolean
copy_row (const QlReadRow *row,
          gpointer         user_data)
{
  GArray *rows = user_data;
  QlReadRow copy = { g_strdup (row->key), row->a, row->b };

  g_array_append_val (rows, copy);
  return TRUE;
}

static void
clear_row (gpointer data)
{
  QlReadRow *row = data;

  g_free ((char *) row->key);
}

/* A read-only store's live read model, when its version is current,
 * copied into memory with its position, so only the events after it are
 * counted again. */
static gboolean
seed_from_store (QlProjectionRunner  *self,
                 QlProjection        *projection,
                 gboolean            *out_seeded,
                 gint64              *out_position,
                 GError             **error)
{
  QlReadModelStore *stored = QL_READ_MODEL_STORE (self->store);
  const char *name = ql_projection_get_name (projection);
  gint64 version = ql_projection_get_version (projection);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (QlReadRow));
  gboolean found;
  gint64 stored_version;

  *out_seeded = FALSE;
  *out_position = 0;
  g_array_set_clear_func (rows, clear_row);
  if (!ql_read_model_store_get_state (stored, name, QL_READ_SLOT_LIVE, &found, &stored_version,
                                      out_position, error))
    return FALSE;
  if (!found || stored_version != version)
    {
      *out_position = 0;
      return TRUE;
    }
  if (!ql_read_model_store_read_rows (stored, name, "", copy_row, rows, error) ||
      !ql_read_model_store_commit (self->read_store, name, QL_READ_SLOT_LIVE, version, 0,
                                   *out_position, (QlReadRow *) (gpointer) rows->data, rows->len,
                                   error))
    return FALSE;
  *out_seeded = TRUE;
  return TRUE;
}

static gboolean
get_state (QlProjectionRunner  *self,
           const char          *name,
           QlReadSlot           slot,
           gboolean            *out_found,
           gint64              *out_version,
           gint64              *out_position,
           GError             **error)
{
  return ql_read_model_store_get_state (self->read_store, name, slot,
                                        out_found, out_version, out_position, error);
}

/* Builds the building slot up to the head, then swaps it in. */
static gboolean
finish_rebuild (QlProjectionRunner  *self,
                QlProjection        *projection,
                gint64               position,
                GError             **error)
{
  const char *name = ql_projection_get_name (projection);

  return run_slot (self, projection, QL_READ_SLOT_BUILDING, position, error) &&
         ql_read_model_store_swap (self->read_store, name, error);
}

static gboolean
catch_up_one (QlProjectionRunner  *self,
              QlProjection        *projection,
              GError             **error)
{
  const char *name = ql_projection_get_name (projection);
  gint64 version = ql_projection_get_version (projection);
  gboolean live, building;
  gint64 live_version, live_position, building_version, building_position;

  if (!get_state (self, name, QL_READ_SLOT_LIVE, &live, &live_version, &live_position, error) ||
      !get_state (self, name, QL_READ_SLOT_BUILDING, &building, &building_version,
                  &building_position, error))
    return FALSE;

  if (building && building_version == version)
    return finish_rebuild (self, projection, building_position, error);
  if (building && !ql_read_model_store_reset (self->read_store, name,
                                              QL_READ_SLOT_BUILDING, error))
    return FALSE;
  if (!live && in_memory (self))
    {
      gboolean seeded;
      gint64 position;

      if (!seed_from_store (self, projection, &seeded, &position, error))
        return FALSE;
      if (seeded)
        return run_slot (self, projection, QL_READ_SLOT_LIVE, position, error);
    }
  if (!live)
    return run_slot (self, projection, QL_READ_SLOT_LIVE, 0, error);
  /* The live table answers queries, in its old version, until the new
   * one has caught up. */
  if (live_version != version)
    return finish_rebuild (self, projection, 0, error);
  return run_slot (self, projection, QL_READ_SLOT_LIVE, live_position, error);
}

typedef struct
{
  QlProjectionRunner  *self;
  gint64               last;
  guint                n_read;
  GError              *error;
} SharedBatch;

static gboolean
apply_record_to_all (const QlEventRecord *record,
                     gpointer             user_data)
{
  SharedBatch *batch = user_data;
  QlProjectionRunner *self = batch->self;

  for (guint i = 0; i < self->projections->len; i++)
    if (!ql_projection_apply (g_ptr_array_index (self->projections, i), self->store, record,
                              g_ptr_array_index (self->together_deltas, i), &batch->error))
      return FALSE;
  batch->last = record->position;
  batch->n_read++;
  return TRUE;
}

/* Whether every projection is live, current and at one position, read
 * from the store: *@out_position is then that position, else -1. */
static gboolean
read_together_position (QlProjectionRunner  *self,
                        gint64              *out_position,
                        GError             **error)
{
  gint64 position = -1;

  *out_position = -1;
  for (guint i = 0; i < self->projections->len; i++)
    {
      QlProjection *projection = g_ptr_array_index (self->projections, i);
      const char *name = ql_projection_get_name (projection);
      gboolean live, building;
      gint64 version, live_position, building_version, building_position;

      if (!get_state (self, name, QL_READ_SLOT_LIVE, &live, &version, &live_position, error) ||
          !get_state (self, name, QL_READ_SLOT_BUILDING, &building, &building_version,
                      &building_position, error))
        return FALSE;
      if (!live || building || version != ql_projection_get_version (projection) ||
          (position >= 0 && live_position != position))
        return TRUE;
      position = live_position;
    }
  *out_position = position;
  return TRUE;
}

/* Following the log, every projection is live, current and at one
 * position: each event is then read once for all of them, and each batch
 * is one transaction for all of them. *@out_done is FALSE when they are
 * not so, or another runner moved first: each then catches up alone. */
static gboolean
catch_up_together (QlProjectionRunner  *self,
                   gboolean            *out_done,
                   GError             **error)
{
  guint n = self->projections->len;
  g_autofree QlReadCommit *commits = NULL;
  g_autofree QlReadRow **rows = NULL;
  gint64 position;
  gboolean ok = TRUE;

  *out_done = FALSE;
  if (n == 0)
    return TRUE;
  if (self->together_known)
    position = self->together_position;
  else if (!read_together_position (self, &position, error))
    return FALSE;
  if (position < 0)
    return TRUE;
  /* Known again only once this run has ended well. */
  self->together_known = FALSE;

  while (self->together_deltas->len < n)
    g_ptr_array_add (self->together_deltas, ql_read_deltas_new ());
  /* A run that failed may have left counts behind. */
  for (guint i = 0; i < n; i++)
    ql_read_deltas_clear (g_ptr_array_index (self->together_deltas, i));
  commits = g_new0 (QlReadCommit, n);
  rows = g_new0 (QlReadRow *, n);
  for (;;)
    {
      SharedBatch batch = { self, position, 0, NULL };
      GError *local_error = NULL;

      if (!ql_event_store_read_log (self->store, position + 1, self->batch_size,
                                    apply_record_to_all, &batch, error))
        {
          g_clear_error (&batch.error);
          ok = FALSE;
          break;
        }
      if (batch.error != NULL)
        {
          g_propagate_error (error, batch.error);
          ok = FALSE;
          break;
        }
      if (batch.n_read == 0)
        {
          *out_done = TRUE;
          break;
        }
      for (guint i = 0; i < n; i++)
        {
          QlProjection *projection = g_ptr_array_index (self->projections, i);

          rows[i] = ql_read_deltas_rows (g_ptr_array_index (self->together_deltas, i),
                                         &commits[i].n_rows);
          commits[i].name = ql_projection_get_name (projection);
          commits[i].slot = QL_READ_SLOT_LIVE;
          commits[i].version = ql_projection_get_version (projection);
          commits[i].expected_position = position;
          commits[i].position = batch.last;
          commits[i].rows = rows[i];
        }
      ok = ql_read_model_store_commit_all (self->read_store, commits, n, &local_error);
      for (guint i = 0; i < n; i++)
        {
          g_clear_pointer (&rows[i], g_free);
          ql_read_deltas_clear (g_ptr_array_index (self->together_deltas, i));
        }
      if (!ok)
        {
          /* Nothing was written: the projections go on one by one. */
          ok = g_error_matches (local_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT);
          if (ok)
            g_error_free (local_error);
          else
            g_propagate_error (error, local_error);
          break;
        }
      position = batch.last;
      /* A batch shorter than the batch size reached the head. */
      if (batch.n_read < self->batch_size)
        {
          *out_done = TRUE;
          break;
        }
    }
  if (!ok)
    for (guint i = 0; i < n; i++)
      ql_read_deltas_clear (g_ptr_array_index (self->together_deltas, i));
  self->together_known = *out_done;
  self->together_position = position;
  return ok;
}

/**
 * ql_projection_runner_catch_up:
 * @self: a runner
 * @error: return location for a #GError
 *
 * Counts every event after each projection's position, committing each
 * batch with its position; builds a read model that is missing and
 * rebuilds, then swaps in, one whose projection has a new version. An
 * interrupted run goes on from where its last commit left it. When every
 * read model is current and at one position, as when following, the
 * events are read once and each batch commits them all together; the
 * runner then counts from where its own last commit left them, without
 * reading their states first. Each commit checks the position and the
 * version it counted after, in its transaction: when another runner has
 * moved first, nothing is written and each read model catches up from
 * its state as stored, so every event still counts once.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_projection_runner_catch_up (QlProjectionRunner  *self,
                               GError             **error)
{
  gboolean done;

  g_return_val_if_fail (QL_IS_PROJECTION_RUNNER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!catch_up_together (self, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  for (guint i = 0; i < self->projections->len; i++)
    {
      QlProjection *projection = g_ptr_array_index (self->projections, i);
      g_autoptr(GError) local_error = NULL;
      guint attempt;

      /* Another process that counted the same events first made this
       * commit fail, writing nothing: go on from where it got. */
      for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
          g_clear_error (&local_error);
          if (catch_up_one (self, projection, &local_error))
            break;
          if (!g_error_matches (local_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT))
            break;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  return TRUE;
}

static QlProjection *
find_projection (QlProjectionRunner *self,
                 const char         *name)
{
  for (guint i = 0; i < self->projections->len; i++)
    {
      QlProjection *projection = g_ptr_array_index (self->projections, i);

      if (g_strcmp0 (ql_projection_get_name (projection), name) == 0)
        return projection;
    }
  return NULL;
}

/**
 * ql_projection_runner_rebuild:
 * @self: a runner
 * @name: a projection's name
 * @error: return location for a #GError
 *
 * Builds the projection's read model afresh from the start of the log
 * into a new table and swaps it in; until then queries read the old one.
 * A read-only store's read models cannot be rebuilt: the error is
 * %QL_STORE_ERROR_READ_ONLY.
 *
 * Returns: %TRUE on success
 */
gboolean
ql_projection_runner_rebuild (QlProjectionRunner  *self,
                              const char          *name,
                              GError             **error)
{
  QlProjection *projection;

  g_return_val_if_fail (QL_IS_PROJECTION_RUNNER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  projection = find_projection (self, name);
  if (projection == NULL)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("No projection is named “%s”"), name);
      return FALSE;
    }
  self->together_known = FALSE;
  if (in_memory (self))
    {
      g_set_error_literal (error, QL_STORE_ERROR, QL_STORE_ERROR_READ_ONLY,
                           _("The read models cannot be rebuilt: the store is read-only"));
      return FALSE;
    }
  return ql_read_model_store_reset (self->read_store, name,
                                    QL_READ_SLOT_BUILDING, error) &&
         finish_rebuild (self, projection, 0, error);
}

static void
book_changed_cb (QlLedgerBook       *book,
                 QlProjectionRunner *self)
{
  g_autoptr(GError) error = NULL;

  if (ql_projection_runner_catch_up (self, &error))
    g_signal_emit (self, signals[UPDATED], 0);
  else
    g_signal_emit (self, signals[UPDATE_FAILED], 0, error);
}

/**
 * ql_projection_runner_follow:
 * @self: a runner
 * @book: (nullable): the book whose changes to follow, on the runner's
 *   store; %NULL stops following
 *
 * Catches up each time @book has applied new events, its own commands'
 * or, when it is watched (ql_ledger_book_watch()), other writers', so
 * the read models follow the log as the views do. Emits
 * #QlProjectionRunner::updated or #QlProjectionRunner::update-failed.
 */
void
ql_projection_runner_follow (QlProjectionRunner *self,
                             QlLedgerBook       *book)
{
  g_return_if_fail (QL_IS_PROJECTION_RUNNER (self));
  g_return_if_fail (book == NULL || QL_IS_LEDGER_BOOK (book));
  g_return_if_fail (book == NULL || ql_ledger_book_get_store (book) == self->store);

  stop_following (self);
  if (book == NULL)
    return;
  self->book = g_object_ref (book);
  self->changed_id = g_signal_connect (book, "changed", G_CALLBACK (book_changed_cb), self);
}

/**
 * ql_projection_runner_list_status:
 * @self: a runner
 * @error: return location for a #GError
 *
 * The status of the read models kept in the store, also when the store
 * is read-only and the runner counts the log in memory.
 *
 * Returns: (transfer full) (element-type QlProjectionStatus): each
 *   projection's status, in the order they were added, or %NULL on error;
 *   the names belong to the projections
 */
GArray *
ql_projection_runner_list_status (QlProjectionRunner  *self,
                                  GError             **error)
{
  g_autoptr(GArray) list = g_array_new (FALSE, TRUE, sizeof (QlProjectionStatus));
  QlReadModelStore *stored;
  gint64 head;
  GError *head_error = NULL;

  g_return_val_if_fail (QL_IS_PROJECTION_RUNNER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stored = QL_READ_MODEL_STORE (self->store);
  head = ql_event_store_get_head_position (self->store, &head_error);
  if (head_error != NULL)
    {
      g_propagate_error (error, head_error);
      return NULL;
    }

  for (guint i = 0; i < self->projections->len; i++)
    {
      QlProjection *projection = g_ptr_array_index (self->projections, i);
      QlProjectionStatus status = { ql_projection_get_name (projection) };
      gboolean live, building;
      gint64 building_version, building_position;

      if (!ql_read_model_store_get_state (stored, status.name, QL_READ_SLOT_LIVE, &live,
                                          &status.version, &status.position, error) ||
          !ql_read_model_store_get_state (stored, status.name, QL_READ_SLOT_BUILDING, &building,
                                          &building_version, &building_position, error))
        return NULL;
      if (!live)
        {
          status.version = 0;
          status.position = 0;
        }
      status.lag = MAX (head - status.position, 0);
      if (building || (live && status.version != ql_projection_get_version (projection)))
        status.state = QL_PROJECTION_STATE_REBUILDING;
      else if (!live)
        status.state = QL_PROJECTION_STATE_NOT_BUILT;
      else
        status.state = status.lag > 0 ? QL_PROJECTION_STATE_BEHIND : QL_PROJECTION_STATE_CAUGHT_UP;
      g_array_append_val (list, status);
    }
  return g_steal_pointer (&list);
}

/**
 * ql_projection_state_get_label:
 * @state: a state
 *
 * Returns: the state in words, translated
 */
const char *
ql_projection_state_get_label (QlProjectionState state)
{
  switch (state)
    {
    case QL_PROJECTION_STATE_NOT_BUILT:
      return _("not built");
    case QL_PROJECTION_STATE_BEHIND:
      return _("behind");
    case QL_PROJECTION_STATE_CAUGHT_UP:
      return _("caught up");
    case QL_PROJECTION_STATE_REBUILDING:
      return _("rebuilding");
    default:
      g_return_val_if_reached ("");
    }
}
