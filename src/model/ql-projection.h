/* ql-projection.h: a read model built from the notification log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-event-store.h"
#include "ql-read-model-store.h"

G_BEGIN_DECLS

/**
 * QlReadDeltas:
 *
 * What a run of events adds to a read model's rows, by key, until the
 * runner commits it.
 */
typedef struct _QlReadDeltas QlReadDeltas;

QlReadDeltas *ql_read_deltas_new    (void);
void          ql_read_deltas_free   (QlReadDeltas *deltas);
void          ql_read_deltas_add    (QlReadDeltas *deltas,
                                     const char   *key,
                                     gint64        a,
                                     gint64        b);
guint         ql_read_deltas_size   (QlReadDeltas *deltas);
QlReadRow    *ql_read_deltas_rows   (QlReadDeltas *deltas,
                                     guint        *out_n_rows);
void          ql_read_deltas_clear  (QlReadDeltas *deltas);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlReadDeltas, ql_read_deltas_free)

#define QL_TYPE_PROJECTION (ql_projection_get_type ())
G_DECLARE_INTERFACE (QlProjection, ql_projection, QL, PROJECTION, GObject)

/**
 * QlProjectionInterface:
 * @name: a stable name, which names its tables
 * @version: the version of what @apply computes, from 1; a new version
 *   rebuilds the read model from the start of the log
 * @apply: adds what one event changes to @deltas; it may read earlier
 *   events from @store, never write
 *
 * A projection: a fold of the notification log into rows. Its name and
 * version are data, set with @apply in its interface's init function.
 */
struct _QlProjectionInterface
{
  GTypeInterface parent_iface;

  const char *name;
  gint64      version;
  gboolean  (*apply) (QlProjection         *self,
                      QlEventStore         *store,
                      const QlEventRecord  *record,
                      QlReadDeltas         *deltas,
                      GError              **error);
};

const char *ql_projection_get_name    (QlProjection         *self);
gint64      ql_projection_get_version (QlProjection         *self);
gboolean    ql_projection_apply       (QlProjection         *self,
                                       QlEventStore         *store,
                                       const QlEventRecord  *record,
                                       QlReadDeltas         *deltas,
                                       GError              **error);

G_END_DECLS
