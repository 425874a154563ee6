/* ql-event-store.h: the interface every event store implements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-errors.h"
#include "ql-event.h"

G_BEGIN_DECLS

/**
 * QlLedgerHead:
 * @ledger: ledger name
 * @version: the ledger's last version
 *
 * One row of ql_event_store_list_ledgers().
 */
typedef struct
{
  char   *ledger;
  gint64  version;
} QlLedgerHead;

void ql_ledger_head_free (QlLedgerHead *head);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlLedgerHead, ql_ledger_head_free)

/**
 * QlLedgerAppend:
 * @ledger: ledger name
 * @expected_version: the ledger's version the caller saw, 0 for a new ledger
 * @events: (array length=n_events): the events to append to it
 * @n_events: the number of @events, at least 1
 * @snapshot: (nullable): the ledger's state after these events, as
 *   ql_event_store_save_snapshot() takes it, to cache in the same
 *   transaction; %NULL for none
 *
 * One ledger's part of ql_event_store_append_batch().
 */
typedef struct
{
  const char       *ledger;
  gint64            expected_version;
  const QlNewEvent *events;
  guint             n_events;
  const char       *snapshot;
} QlLedgerAppend;

/**
 * QlSnapshot:
 * @version: the version @state was built at, from 1
 * @state: the ledger's state, as text
 *
 * One snapshot of ql_event_store_save_snapshots().
 */
typedef struct
{
  gint64      version;
  const char *state;
} QlSnapshot;

/**
 * QlBatchProgressFunc:
 * @n_written: how many events of the batch are written so far
 * @user_data: data given to ql_event_store_append_batch()
 *
 * Called now and then while a batch is written, from the calling thread.
 *
 * Returns: %TRUE to go on, %FALSE to cancel the batch, writing nothing
 */
typedef gboolean (*QlBatchProgressFunc) (guint64  n_written,
                                         gpointer user_data);

#define QL_TYPE_EVENT_STORE (ql_event_store_get_type ())
G_DECLARE_INTERFACE (QlEventStore, ql_event_store, QL, EVENT_STORE, GObject)

/**
 * QlEventStoreInterface:
 * @append: appends events to one ledger atomically, if its version is
 *   still the one expected, and describes them as stored when asked
 * @read_ledger: scans one ledger's events in version order
 * @read_log: scans the notification log in position order
 * @get_head_position: the position of the newest event, 0 when empty
 * @list_ledgers: every ledger with its last version
 * @save_snapshot: caches a ledger's state at a version
 * @load_snapshot: the newest cached state at or below a version
 * @append_batch: appends events to many ledgers in one transaction, all
 *   or none; %NULL in a store that cannot, which then fails such batches
 * @find_reference: the first version of a ledger whose event was appended
 *   with a reference; %NULL in a store without an index, which is then
 *   scanned
 * @save_snapshots: caches many states of one ledger at once; %NULL in a
 *   store where that costs no less than saving them one by one
 * @is_read_only: whether appends cannot succeed; %NULL in a store that is
 *   never read-only
 * @create_append_source: a source that dispatches when another
 *   connection has appended; %NULL, or returning %NULL, in a store that
 *   cannot tell, whose readers then look for new events themselves
 * @append_group: appends to many ledgers in one transaction, each part
 *   checked and refused on its own; %NULL in a store that cannot, whose
 *   parts are then appended one by one
 *
 * The contract shared by every store. Stores are used from one thread.
 */
struct _QlEventStoreInterface
{
  GTypeInterface parent_iface;

  gboolean   (*append)            (QlEventStore      *self,
                                   const char        *ledger,
                                   gint64             expected_version,
                                   const QlNewEvent  *events,
                                   guint              n_events,
                                   QlEventRecord     *out_appended,
                                   GError           **error);
  gboolean   (*read_ledger)       (QlEventStore      *self,
                                   const char        *ledger,
                                   gint64             after_version,
                                   gint64             up_to_version,
                                   QlEventFunc        func,
                                   gpointer           user_data,
                                   GError           **error);
  gboolean   (*read_log)          (QlEventStore      *self,
                                   gint64             start,
                                   gint64             limit,
                                   QlEventFunc        func,
                                   gpointer           user_data,
                                   GError           **error);
  gint64     (*get_head_position) (QlEventStore      *self,
                                   GError           **error);
  GPtrArray *(*list_ledgers)      (QlEventStore      *self,
                                   GError           **error);
  gboolean   (*save_snapshot)     (QlEventStore      *self,
                                   const char        *ledger,
                                   gint64             version,
                                   const char        *state,
                                   GError           **error);
  gboolean   (*load_snapshot)     (QlEventStore      *self,
                                   const char        *ledger,
                                   gint64             up_to_version,
                                   gint64            *out_version,
                                   char             **out_state,
                                   GError           **error);
  gboolean   (*append_batch)      (QlEventStore         *self,
                                   const QlLedgerAppend *appends,
                                   guint                 n_appends,
                                   QlBatchProgressFunc   progress,
                                   gpointer              user_data,
                                   GError              **error);
  gboolean   (*find_reference)    (QlEventStore      *self,
                                   const char        *ledger,
                                   const char        *reference,
                                   gint64            *out_version,
                                   GError           **error);
  gboolean   (*save_snapshots)    (QlEventStore      *self,
                                   const char        *ledger,
                                   const QlSnapshot  *snapshots,
                                   guint              n_snapshots,
                                   GError           **error);
  gboolean   (*is_read_only)      (QlEventStore      *self);
  GSource   *(*create_append_source) (QlEventStore   *self);
  gboolean   (*append_group)      (QlEventStore         *self,
                                   const QlLedgerAppend *appends,
                                   guint                 n_appends,
                                   QlEventRecord        *out_appended,
                                   GError              **out_errors,
                                   GError              **error);
};

gboolean      ql_event_store_is_read_only      (QlEventStore      *self);
GSource      *ql_event_store_create_append_source (QlEventStore   *self);
gboolean      ql_event_store_append            (QlEventStore      *self,
                                                const char        *ledger,
                                                gint64             expected_version,
                                                const QlNewEvent  *events,
                                                guint              n_events,
                                                QlEventRecord     *out_appended,
                                                GError           **error);
gboolean      ql_event_store_read_ledger       (QlEventStore      *self,
                                                const char        *ledger,
                                                gint64             after_version,
                                                gint64             up_to_version,
                                                QlEventFunc        func,
                                                gpointer           user_data,
                                                GError           **error);
gboolean      ql_event_store_read_log          (QlEventStore      *self,
                                                gint64             start,
                                                gint64             limit,
                                                QlEventFunc        func,
                                                gpointer           user_data,
                                                GError           **error);
GPtrArray    *ql_event_store_collect_ledger    (QlEventStore      *self,
                                                const char        *ledger,
                                                gint64             after_version,
                                                gint64             up_to_version,
                                                GError           **error);
GPtrArray    *ql_event_store_collect_log       (QlEventStore      *self,
                                                gint64             start,
                                                gint64             limit,
                                                GError           **error);
gint64        ql_event_store_get_head_position (QlEventStore      *self,
                                                GError           **error);
GPtrArray    *ql_event_store_list_ledgers      (QlEventStore      *self,
                                                GError           **error);
gboolean      ql_event_store_save_snapshot     (QlEventStore      *self,
                                                const char        *ledger,
                                                gint64             version,
                                                const char        *state,
                                                GError           **error);
gboolean      ql_event_store_save_snapshots    (QlEventStore      *self,
                                                const char        *ledger,
                                                const QlSnapshot  *snapshots,
                                                guint              n_snapshots,
                                                GError           **error);
gboolean      ql_event_store_load_snapshot     (QlEventStore      *self,
                                                const char        *ledger,
                                                gint64             up_to_version,
                                                gint64            *out_version,
                                                char             **out_state,
                                                GError           **error);
gboolean      ql_event_store_append_batch      (QlEventStore         *self,
                                                const QlLedgerAppend *appends,
                                                guint                 n_appends,
                                                QlBatchProgressFunc   progress,
                                                gpointer              user_data,
                                                GError              **error);
gboolean      ql_event_store_append_group      (QlEventStore         *self,
                                                const QlLedgerAppend *appends,
                                                guint                 n_appends,
                                                QlEventRecord        *out_appended,
                                                GError              **out_errors,
                                                GError              **error);
gboolean      ql_event_store_find_reference    (QlEventStore      *self,
                                                const char        *ledger,
                                                const char        *reference,
                                                gint64            *out_version,
                                                GError           **error);

G_END_DECLS
