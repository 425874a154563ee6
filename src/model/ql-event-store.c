/* ql-event-store.c: the interface every event store implements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-event-store"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-event-store.h"

/**
 * QlEventStore:
 *
 * An append-only log of events, grouped into ledgers.
 *
 * Each event has a global position in the notification log (1, 2, 3 ...
 * across all ledgers, in commit order) and a version within its ledger
 * (1, 2, 3 ...). Appends are optimistic: the caller names the version it
 * built its decision on, and the append fails with
 * %QL_STORE_ERROR_CONFLICT when another writer got there first. Nothing
 * is ever changed or removed. Snapshots are a cache beside the log.
 *
 * Ledger names are stored exactly as given; checking them is the job of
 * the ledger book.
 */

G_DEFINE_INTERFACE (QlEventStore, ql_event_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ql-store-error-quark, ql_store_error)

static void
ql_event_store_default_init (QlEventStoreInterface *iface)
{
}

/**
 * ql_ledger_head_free:
 * @head: (nullable): a #QlLedgerHead
 *
 * Frees a row of ql_event_store_list_ledgers().
 */
void
ql_ledger_head_free (QlLedgerHead *head)
{
  if (head == NULL)
    return;

  g_free (head->ledger);
  g_free (head);
}

/**
 * ql_event_store_is_read_only:
 * @self: a #QlEventStore
 *
 * Whether the store was opened read-only, as ql_store_open() does
 * with a file it cannot write: reads work and appends fail with
 * %QL_STORE_ERROR_READ_ONLY. A front-end tells its user so up front.
 * A store that does not implement the method is never read-only.
 *
 * Returns: %TRUE when appends to @self cannot succeed
 */
gboolean
ql_event_store_is_read_only (QlEventStore *self)
{
  QlEventStoreInterface *iface;

  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);

  iface = QL_EVENT_STORE_GET_IFACE (self);
  return iface->is_read_only != NULL && iface->is_read_only (self);
}

/**
 * ql_event_store_create_append_source:
 * @self: a #QlEventStore
 *
 * A source that dispatches, from the main context it is attached to,
 * soon after another connection to the same store commits an append:
 * its callback is a #GSourceFunc. It may also dispatch when nothing new
 * is there. A store that cannot tell returns %NULL; its readers look for
 * new events on a timer.
 *
 * Returns: (transfer full) (nullable): a new source, not attached yet,
 *   or %NULL
 */
GSource *
ql_event_store_create_append_source (QlEventStore *self)
{
  QlEventStoreInterface *iface;

  g_return_val_if_fail (QL_IS_EVENT_STORE (self), NULL);

  iface = QL_EVENT_STORE_GET_IFACE (self);
  return iface->create_append_source != NULL ? iface->create_append_source (self) : NULL;
}

/**
 * ql_event_store_append:
 * @self: a #QlEventStore
 * @ledger: the ledger's name
 * @expected_version: the ledger's version the caller saw: 0 for a ledger
 *   that does not exist yet
 * @events: (array length=n_events): the events to append, at least one
 * @n_events: the number of @events
 * @out_appended: (out caller-allocates) (array length=n_events) (optional):
 *   where to describe the events as stored, one record per event, or %NULL
 * @error: return location for a #GError
 *
 * Appends @events to @ledger as versions @expected_version + 1,
 * @expected_version + 2 ..., all or none, and stamps them with the
 * current time. Fails with %QL_STORE_ERROR_CONFLICT, writing nothing,
 * when the ledger's version is no longer @expected_version.
 *
 * On success each record of @out_appended holds its event as a scan
 * would hand it over: the position the store gave it in the notification
 * log (the events of one append have consecutive positions), its
 * version, its timestamp, and @ledger and the event's type and payload,
 * which are the caller's own strings, valid as long as they are.
 *
 * Once this returns %TRUE the events are durable.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_event_store_append (QlEventStore      *self,
                       const char        *ledger,
                       gint64             expected_version,
                       const QlNewEvent  *events,
                       guint              n_events,
                       QlEventRecord     *out_appended,
                       GError           **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (expected_version >= 0, FALSE);
  g_return_val_if_fail (events != NULL, FALSE);
  g_return_val_if_fail (n_events > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_events; i++)
    {
      g_return_val_if_fail (events[i].type != NULL, FALSE);
      g_return_val_if_fail (events[i].payload != NULL, FALSE);
    }

  return QL_EVENT_STORE_GET_IFACE (self)->append (self, ledger, expected_version,
                                                  events, n_events, out_appended, error);
}

/**
 * ql_event_store_read_ledger:
 * @self: a #QlEventStore
 * @ledger: the ledger's name
 * @after_version: scan the versions above this one; 0 for all
 * @up_to_version: the last version to scan; 0 or less to scan to the end
 * @func: (scope call): called for each event in version order
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Scans one ledger's events. A ledger with no events scans nothing and
 * succeeds. The scan stops early when @func returns %FALSE.
 *
 * Returns: %TRUE when the scan ran (to the end or until @func stopped it),
 *   %FALSE with @error set
 */
gboolean
ql_event_store_read_ledger (QlEventStore  *self,
                            const char    *ledger,
                            gint64         after_version,
                            gint64         up_to_version,
                            QlEventFunc    func,
                            gpointer       user_data,
                            GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (after_version >= 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return QL_EVENT_STORE_GET_IFACE (self)->read_ledger (self, ledger, after_version,
                                                       up_to_version, func, user_data,
                                                       error);
}

/**
 * ql_event_store_read_log:
 * @self: a #QlEventStore
 * @start: the first position to scan, from 1
 * @limit: the most events to scan; 0 or less for all
 * @func: (scope call): called for each event in position order
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Scans the notification log: the events of every ledger in the order
 * they were committed. Page through it by passing the position after the
 * last one seen as the next @start. The scan stops early when @func
 * returns %FALSE.
 *
 * Returns: %TRUE when the scan ran, %FALSE with @error set
 */
gboolean
ql_event_store_read_log (QlEventStore  *self,
                         gint64         start,
                         gint64         limit,
                         QlEventFunc    func,
                         gpointer       user_data,
                         GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (start >= 1, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return QL_EVENT_STORE_GET_IFACE (self)->read_log (self, start, limit, func, user_data,
                                                    error);
}

/**
 * ql_event_store_get_head_position:
 * @self: a #QlEventStore
 * @error: return location for a #GError
 *
 * Returns: the position of the newest event, 0 when the store is empty,
 *   or -1 with @error set
 */
gint64
ql_event_store_get_head_position (QlEventStore  *self,
                                  GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return QL_EVENT_STORE_GET_IFACE (self)->get_head_position (self, error);
}

/**
 * ql_event_store_list_ledgers:
 * @self: a #QlEventStore
 * @error: return location for a #GError
 *
 * Lists every ledger with its last version, sorted by name (byte order).
 *
 * Returns: (transfer full) (element-type QlLedgerHead): the heads, freed
 *   with the array, or %NULL with @error set
 */
GPtrArray *
ql_event_store_list_ledgers (QlEventStore  *self,
                             GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return QL_EVENT_STORE_GET_IFACE (self)->list_ledgers (self, error);
}

/**
 * ql_event_store_save_snapshot:
 * @self: a #QlEventStore
 * @ledger: the ledger's name
 * @version: the version @state was built at, from 1
 * @state: the ledger's state, as text
 * @error: return location for a #GError
 *
 * Caches @state as @ledger at @version, replacing any snapshot of that
 * version. Snapshots are a cache: a failure here loses no event, and a
 * caller may ignore it.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_event_store_save_snapshot (QlEventStore  *self,
                              const char    *ledger,
                              gint64         version,
                              const char    *state,
                              GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (version >= 1, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return QL_EVENT_STORE_GET_IFACE (self)->save_snapshot (self, ledger, version, state, error);
}

/**
 * ql_event_store_save_snapshots:
 * @self: a #QlEventStore
 * @ledger: the ledger's name
 * @snapshots: (array length=n_snapshots): the states to cache
 * @n_snapshots: the number of @snapshots
 * @error: return location for a #GError
 *
 * Caches many states of @ledger, as ql_event_store_save_snapshot() does
 * one, all at once: the SQLite store writes them in one transaction.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_event_store_save_snapshots (QlEventStore      *self,
                               const char        *ledger,
                               const QlSnapshot  *snapshots,
                               guint              n_snapshots,
                               GError           **error)
{
  QlEventStoreInterface *iface;

  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (snapshots != NULL || n_snapshots == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_snapshots; i++)
    g_return_val_if_fail (snapshots[i].version >= 1 && snapshots[i].state != NULL, FALSE);

  iface = QL_EVENT_STORE_GET_IFACE (self);
  if (iface->save_snapshots != NULL)
    return iface->save_snapshots (self, ledger, snapshots, n_snapshots, error);

  for (guint i = 0; i < n_snapshots; i++)
    if (!iface->save_snapshot (self, ledger, snapshots[i].version, snapshots[i].state, error))
      return FALSE;
  return TRUE;
}

/**
 * ql_event_store_load_snapshot:
 * @self: a #QlEventStore
 * @ledger: the ledger's name
 * @up_to_version: the newest version wanted; 0 or less for the newest
 *   snapshot of all
 * @out_version: (out): the snapshot's version, 0 when there is none
 * @out_state: (out) (transfer full) (nullable): the snapshot's state, %NULL
 *   when there is none
 * @error: return location for a #GError
 *
 * Finds the newest snapshot of @ledger at or below @up_to_version. Having
 * no snapshot is not an error: the call succeeds with @out_version 0 and
 * @out_state %NULL, and the caller replays from the first event.
 *
 * Returns: %TRUE on success (with or without a snapshot), %FALSE with
 *   @error set
 */
gboolean
ql_event_store_load_snapshot (QlEventStore  *self,
                              const char    *ledger,
                              gint64         up_to_version,
                              gint64        *out_version,
                              char         **out_state,
                              GError       **error)
{
  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (out_version != NULL, FALSE);
  g_return_val_if_fail (out_state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_version = 0;
  *out_state = NULL;

  return QL_EVENT_STORE_GET_IFACE (self)->load_snapshot (self, ledger, up_to_version,
                                                         out_version, out_state, error);
}

/**
 * ql_event_store_append_batch:
 * @self: a #QlEventStore
 * @appends: (array length=n_appends): what to append to which ledger
 * @n_appends: the number of @appends, at least 1
 * @progress: (nullable) (scope call): called every few thousand events
 *   with the number written so far; returning %FALSE cancels the batch
 * @user_data: data for @progress
 * @error: return location for a #GError
 *
 * Appends events to many ledgers in one transaction: either every event
 * of every #QlLedgerAppend is written, or none is. Each part is checked
 * as ql_event_store_append() checks one append, against the ledger as
 * the parts before it in @appends left it, so a ledger may appear more
 * than once when its expected versions follow on. A ledger that is no
 * longer at its expected version fails the whole batch with
 * %QL_STORE_ERROR_CONFLICT; a cancelled batch fails with
 * %G_IO_ERROR_CANCELLED. Every event of the batch gets the same
 * timestamp, and their positions follow the order of @appends.
 *
 * This is the fast way to write many events: the SQLite store writes
 * them with one prepared statement and one commit.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_event_store_append_batch (QlEventStore         *self,
                             const QlLedgerAppend *appends,
                             guint                 n_appends,
                             QlBatchProgressFunc   progress,
                             gpointer              user_data,
                             GError              **error)
{
  QlEventStoreInterface *iface;

  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (appends != NULL, FALSE);
  g_return_val_if_fail (n_appends > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_appends; i++)
    {
      g_return_val_if_fail (appends[i].ledger != NULL, FALSE);
      g_return_val_if_fail (appends[i].expected_version >= 0, FALSE);
      g_return_val_if_fail (appends[i].events != NULL, FALSE);
      g_return_val_if_fail (appends[i].n_events > 0, FALSE);
    }

  iface = QL_EVENT_STORE_GET_IFACE (self);
  if (iface->append_batch == NULL)
    {
      g_set_error_literal (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                           _("This store cannot write many ledgers at once"));
      return FALSE;
    }

  return iface->append_batch (self, appends, n_appends, progress, user_data, error);
}

/**
 * ql_event_store_append_group:
 * @self: a #QlEventStore
 * @appends: (array length=n_appends): the parts, without snapshots
 * @n_appends: the number of @appends, at least 1
 * @out_appended: (out caller-allocates) (optional): one record per event
 *   of @appends, in their order; a refused part's records are left as
 *   they were. Strings are the caller's, as in ql_event_store_append().
 * @out_errors: (out caller-allocates) (array length=n_appends): one
 *   location per part, %NULL on entry, set when that part was refused
 * @error: return location for a #GError when the whole group failed
 *
 * Appends independent parts together, for callers that have many
 * commands waiting: each part is checked as ql_event_store_append()
 * checks one append, and one that finds its ledger at another version is
 * refused alone, in @out_errors with %QL_STORE_ERROR_CONFLICT, while the
 * others are written. A store that can writes them in one transaction,
 * so that the group costs one flush to disk rather than one per part.
 * A store that cannot appends the parts one by one, and reports each
 * part's failure in @out_errors.
 *
 * Once this returns %TRUE, every part without an error is durable.
 *
 * Returns: %TRUE when the group was written (some parts may have been
 *   refused), %FALSE with @error set when nothing was
 */
gboolean
ql_event_store_append_group (QlEventStore         *self,
                             const QlLedgerAppend *appends,
                             guint                 n_appends,
                             QlEventRecord        *out_appended,
                             GError              **out_errors,
                             GError              **error)
{
  QlEventStoreInterface *iface;
  guint first = 0;

  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (appends != NULL, FALSE);
  g_return_val_if_fail (n_appends > 0, FALSE);
  g_return_val_if_fail (out_errors != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_appends; i++)
    {
      g_return_val_if_fail (appends[i].ledger != NULL, FALSE);
      g_return_val_if_fail (appends[i].expected_version >= 0, FALSE);
      g_return_val_if_fail (appends[i].events != NULL, FALSE);
      g_return_val_if_fail (appends[i].n_events > 0, FALSE);
      g_return_val_if_fail (appends[i].snapshot == NULL, FALSE);
      g_return_val_if_fail (out_errors[i] == NULL, FALSE);
    }

  iface = QL_EVENT_STORE_GET_IFACE (self);
  if (iface->append_group != NULL)
    return iface->append_group (self, appends, n_appends, out_appended, out_errors, error);

  for (guint i = 0; i < n_appends; i++)
    {
      ql_event_store_append (self, appends[i].ledger, appends[i].expected_version,
                             appends[i].events, appends[i].n_events,
                             out_appended != NULL ? &out_appended[first] : NULL,
                             &out_errors[i]);
      first += appends[i].n_events;
    }
  return TRUE;
}

typedef struct
{
  const char *reference;
  gint64      version;
} ReferenceSearch;

static gboolean
find_reference_cb (const QlEventRecord *record,
                   gpointer             user_data)
{
  ReferenceSearch *search = user_data;

  if (g_strcmp0 (record->reference, search->reference) != 0)
    return TRUE;

  search->version = record->version;
  return FALSE;
}

/**
 * ql_event_store_find_reference:
 * @self: a #QlEventStore
 * @ledger: a ledger's name
 * @reference: the reference to look for
 * @out_version: (out): the version of the first event of @ledger whose
 *   #QlNewEvent.reference was @reference, or 0 when none has
 * @error: return location for a #GError
 *
 * Finds an event by the reference a command gave it, such as a payment's
 * order id. Only the reference given with the event counts, never a
 * member of its payload. The SQLite store answers from an index; a store
 * without one reads the ledger's events.
 *
 * Returns: %TRUE on success, found or not; %FALSE with @error set when
 *   the store could not be read
 */
gboolean
ql_event_store_find_reference (QlEventStore  *self,
                               const char    *ledger,
                               const char    *reference,
                               gint64        *out_version,
                               GError       **error)
{
  QlEventStoreInterface *iface;
  ReferenceSearch search;

  g_return_val_if_fail (QL_IS_EVENT_STORE (self), FALSE);
  g_return_val_if_fail (ledger != NULL, FALSE);
  g_return_val_if_fail (reference != NULL, FALSE);
  g_return_val_if_fail (out_version != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_version = 0;
  iface = QL_EVENT_STORE_GET_IFACE (self);
  if (iface->find_reference != NULL)
    return iface->find_reference (self, ledger, reference, out_version, error);

  search.reference = reference;
  search.version = 0;
  if (!ql_event_store_read_ledger (self, ledger, 0, 0, find_reference_cb, &search, error))
    return FALSE;
  *out_version = search.version;
  return TRUE;
}

static gboolean
collect_event_cb (const QlEventRecord *record,
                  gpointer             user_data)
{
  g_ptr_array_add (user_data, ql_event_new_from_record (record));
  return TRUE;
}

/**
 * ql_event_store_collect_ledger:
 * @self: a #QlEventStore
 * @ledger: the ledger's name
 * @after_version: read the events after this version
 * @up_to_version: read up to this version, or 0 for all
 * @error: return location for a #GError
 *
 * Reads events as ql_event_store_read_ledger() does, into #QlEvent
 * objects. The events are copied out of the scan, so that a caller may
 * write to the store while it goes through them.
 *
 * Returns: (transfer full) (element-type QlEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
ql_event_store_collect_ledger (QlEventStore  *self,
                               const char    *ledger,
                               gint64         after_version,
                               gint64         up_to_version,
                               GError       **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);

  if (!ql_event_store_read_ledger (self, ledger, after_version, up_to_version,
                                   collect_event_cb, events, error))
    return NULL;
  return g_steal_pointer (&events);
}

/**
 * ql_event_store_collect_log:
 * @self: a #QlEventStore
 * @start: the first position to read, from 1
 * @limit: the most events to read, or 0 for all
 * @error: return location for a #GError
 *
 * Reads the notification log as ql_event_store_read_log() does, into
 * #QlEvent objects.
 *
 * Returns: (transfer full) (element-type QlEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
ql_event_store_collect_log (QlEventStore  *self,
                            gint64         start,
                            gint64         limit,
                            GError       **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);

  if (!ql_event_store_read_log (self, start, limit, collect_event_cb, events, error))
    return NULL;
  return g_steal_pointer (&events);
}
