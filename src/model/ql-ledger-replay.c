/* ql-ledger-replay.c: rebuilding ledgers from a store's snapshots and events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-replay"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ql-errors.h"
#include "ql-ledger-private.h"
#include "ql-ledger-replay-private.h"

/* A load that replays this many events leaves a snapshot of the head. */
#define HEAD_SNAPSHOT_AFTER 256

typedef struct
{
  guint         snapshot_interval;
  QlLedger     *ledger;
  gboolean      live;
  guint64       n_applied;
  /* The states snapshots are due for, saved once the scan is over: a
   * ledger replayed whole, its snapshots gone, gets all of them back, and
   * time travel anywhere in it replays few events again. */
  GArray       *snapshots;
  /* Why the event at damaged_version could not be applied. */
  GError       *error;
  gint64        damaged_version;
} Replay;

static void
clear_snapshot (gpointer data)
{
  QlSnapshot *snapshot = data;

  g_free ((char *) snapshot->state);
}

static gboolean
replay_event_cb (const QlEventRecord *record,
                 gpointer             user_data)
{
  Replay *replay = user_data;
  gint64 version;

  if (replay->ledger == NULL)
    {
      replay->ledger = _ql_ledger_new_from_event (record, &replay->error);
      if (replay->ledger == NULL)
        {
          replay->damaged_version = record->version;
          return FALSE;
        }
    }
  else if (!_ql_ledger_apply_quietly (replay->ledger, record, &replay->error))
    {
      replay->damaged_version = record->version;
      return FALSE;
    }

  replay->n_applied++;
  version = ql_ledger_get_version (replay->ledger);
  if (replay->live && version % replay->snapshot_interval == 0)
    {
      QlSnapshot snapshot = { version, _ql_ledger_to_snapshot (replay->ledger) };

      if (replay->snapshots == NULL)
        {
          replay->snapshots = g_array_new (FALSE, FALSE, sizeof (QlSnapshot));
          g_array_set_clear_func (replay->snapshots, clear_snapshot);
        }
      g_array_append_val (replay->snapshots, snapshot);
    }
  return TRUE;
}

/* Snapshots are a cache: failing to write them loses nothing. */
static void
save_snapshots (QlEventStore *store,
                const char   *name,
                GArray       *snapshots)
{
  g_autoptr(GError) error = NULL;

  if (!ql_event_store_save_snapshots (store, name, (QlSnapshot *) snapshots->data,
                                      snapshots->len, &error))
    g_debug ("Could not save %u snapshots of “%s”: %s", snapshots->len, name, error->message);
}

static void
save_snapshot (QlEventStore *store,
               const char   *name,
               gint64        version,
               const char   *state)
{
  g_autoptr(GError) error = NULL;

  if (!ql_event_store_save_snapshot (store, name, version, state, &error))
    g_debug ("Could not save a snapshot of “%s” at version %" G_GINT64_FORMAT ": %s",
             name, version, error->message);
}

/* Replays @name's events after the state in @ledger (or from the start when
 * it points to %NULL) up to @up_to_version (0: all), in one scan of the
 * store that builds no object per event. A @live ledger is one a book
 * shows: its snapshots are kept, and @out_changed says whether it moved
 * or was found damaged. The events are applied quietly and the ledger
 * notifies once at the end; snapshots due on the way are written after the
 * scan, in one go, so that nothing writes during a read. An event that
 * cannot be applied stops the replay and marks the ledger damaged, in the
 * state before it: only failing to read the store is an error. A damaged
 * ledger is never replayed further, since its events never change. */
static gboolean
replay_events (QlEventStore  *store,
               guint          snapshot_interval,
               const char    *name,
               QlLedger     **ledger,
               gint64         up_to_version,
               gboolean       live,
               guint64       *out_n_applied,
               gboolean      *out_changed,
               GError       **error)
{
  Replay replay = { snapshot_interval, *ledger, live, 0, NULL, NULL, 0 };
  gint64 after = *ledger != NULL ? ql_ledger_get_version (*ledger) : 0;
  gint64 old_balance = *ledger != NULL ? ql_ledger_get_balance (*ledger) : 0;
  g_autoptr(GArray) snapshots = NULL;
  g_autoptr(GError) damage = NULL;
  gboolean ok;

  if (out_n_applied != NULL)
    *out_n_applied = 0;
  if (out_changed != NULL)
    *out_changed = FALSE;
  if (up_to_version > 0 && up_to_version <= after)
    return TRUE;
  if (*ledger != NULL && ql_ledger_get_damaged_version (*ledger) > 0)
    return TRUE;

  ok = ql_event_store_read_ledger (store, name, after, up_to_version,
                                   replay_event_cb, &replay, error);
  snapshots = g_steal_pointer (&replay.snapshots);
  damage = g_steal_pointer (&replay.error);

  if (*ledger != NULL)
    {
      if (replay.n_applied > 0)
        _ql_ledger_notify_changes (*ledger, old_balance, after);
    }
  else if (ok && replay.ledger == NULL && damage != NULL)
    *ledger = _ql_ledger_new_damaged (name, damage);
  else if (ok)
    *ledger = g_steal_pointer (&replay.ledger);
  else
    g_clear_object (&replay.ledger);

  if (ok && damage != NULL)
    {
      if (ql_ledger_get_damaged_version (*ledger) == 0)
        _ql_ledger_set_damage (*ledger, replay.damaged_version, damage);
      if (live)
        g_debug ("%s", damage->message);
    }

  if (out_changed != NULL)
    *out_changed = live && (replay.n_applied > 0 || (ok && damage != NULL));
  if (snapshots != NULL)
    save_snapshots (store, name, snapshots);
  if (out_n_applied != NULL)
    *out_n_applied = replay.n_applied;

  return ok;
}

/* Brings a ledger a book shows up to date with the store. @out_changed
 * says whether it moved or was found damaged. */
gboolean
_ql_ledger_replay_catch_up (QlEventStore  *store,
                            guint          snapshot_interval,
                            QlLedger      *ledger,
                            gboolean      *out_changed,
                            GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (store), FALSE);
  g_return_val_if_fail (QL_IS_LEDGER (ledger), FALSE);

  return replay_events (store, snapshot_interval, ql_ledger_get_name (ledger), &ledger, 0, TRUE,
                        NULL, out_changed, error);
}

/* Saves @ledger's state when its version is due a snapshot. */
void
_ql_ledger_replay_save_snapshot_if_due (QlEventStore *store,
                                        guint         snapshot_interval,
                                        QlLedger     *ledger)
{
  g_autofree char *state = NULL;
  gint64 version = ql_ledger_get_version (ledger);

  if (version % snapshot_interval != 0)
    return;

  state = _ql_ledger_to_snapshot (ledger);
  save_snapshot (store, ql_ledger_get_name (ledger), version, state);
}

/* Loads a ledger from its newest usable snapshot at or below
 * @up_to_version (0: the newest), then replays the events after it. A
 * live load that had to replay a long tail leaves a snapshot of the head,
 * so that the next start does not replay it again. @out_ledger is %NULL
 * when the store has no such ledger. */
gboolean
_ql_ledger_replay_load (QlEventStore  *store,
                        guint          snapshot_interval,
                        const char    *name,
                        gint64         up_to_version,
                        gboolean       live,
                        QlLedger     **out_ledger,
                        GError       **error)
{
  g_autoptr(QlLedger) ledger = NULL;
  g_autoptr(GError) snapshot_error = NULL;
  g_autofree char *state = NULL;
  gint64 snapshot_version = 0;
  guint64 n_applied = 0;

  g_return_val_if_fail (QL_IS_EVENT_STORE (store), FALSE);

  if (!ql_event_store_load_snapshot (store, name, up_to_version,
                                     &snapshot_version, &state, &snapshot_error))
    g_debug ("Could not load a snapshot of “%s”: %s", name, snapshot_error->message);
  else if (state != NULL)
    {
      ledger = _ql_ledger_new_from_snapshot (name, snapshot_version, state, &snapshot_error);
      if (ledger == NULL)
        g_debug ("Ignoring a snapshot of “%s”: %s", name, snapshot_error->message);
    }

  /* A snapshot of the version wanted leaves nothing to replay. */
  if (ledger == NULL || up_to_version <= 0 ||
      ql_ledger_get_version (ledger) < up_to_version)
    {
      if (!replay_events (store, snapshot_interval, name, &ledger, up_to_version, live,
                          &n_applied, NULL, error))
        return FALSE;
    }

  if (live && ledger != NULL && n_applied >= HEAD_SNAPSHOT_AFTER &&
      ql_ledger_get_version (ledger) % snapshot_interval != 0)
    {
      g_autofree char *head_state = _ql_ledger_to_snapshot (ledger);

      save_snapshot (store, name, ql_ledger_get_version (ledger), head_state);
    }

  *out_ledger = g_steal_pointer (&ledger);
  return TRUE;
}

/* Rebuilds @ledger, up to date with the store, as it was right after its
 * event @version: a new object, independent of @ledger. */
QlLedger *
_ql_ledger_replay_state_at (QlEventStore  *store,
                            guint          snapshot_interval,
                            QlLedger      *ledger,
                            gint64         version,
                            GError       **error)
{
  const char *name = ql_ledger_get_name (ledger);
  g_autoptr(QlLedger) past = NULL;

  g_return_val_if_fail (QL_IS_EVENT_STORE (store), NULL);

  if (ql_ledger_get_damaged_version (ledger) > 0 &&
      version >= ql_ledger_get_damaged_version (ledger))
    {
      g_set_error_literal (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                           ql_ledger_get_damage (ledger));
      return NULL;
    }
  if (version < 1 || version > ql_ledger_get_version (ledger))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_VERSION,
                   _("“%s” has no version %" PRId64 ": its versions go from 1 to %" PRId64),
                   name, version, ql_ledger_get_version (ledger));
      return NULL;
    }

  if (!_ql_ledger_replay_load (store, snapshot_interval, name, version, FALSE, &past, error))
    return NULL;
  if (past == NULL || ql_ledger_get_version (past) != version)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                   _("Event %" PRId64 " of ledger “%s” is missing"), version, name);
      return NULL;
    }
  return g_steal_pointer (&past);
}
