/* ql-sqlite-event-store.h: an event store in one SQLite file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-store.h"

G_BEGIN_DECLS

#define QL_TYPE_SQLITE_EVENT_STORE (ql_sqlite_event_store_get_type ())
G_DECLARE_FINAL_TYPE (QlSqliteEventStore, ql_sqlite_event_store, QL, SQLITE_EVENT_STORE, GObject)

QlEventStore *ql_sqlite_event_store_new          (const char          *path,
                                                  GError             **error);
const char   *ql_sqlite_event_store_get_path     (QlSqliteEventStore  *self);
gboolean      ql_sqlite_event_store_is_read_only (QlSqliteEventStore  *self);

G_END_DECLS
