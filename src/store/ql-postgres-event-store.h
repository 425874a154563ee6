/* ql-postgres-event-store.h: an event store in a PostgreSQL database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-store.h"

G_BEGIN_DECLS

/* The channel every append notifies when it commits; the payload is the
 * position of its last event. */
#define QL_POSTGRES_EVENTS_CHANNEL "ql_events"

#define QL_TYPE_POSTGRES_EVENT_STORE (ql_postgres_event_store_get_type ())
G_DECLARE_FINAL_TYPE (QlPostgresEventStore, ql_postgres_event_store, QL, POSTGRES_EVENT_STORE, GObject)

gboolean      ql_postgres_event_store_is_conninfo (const char            *location);
QlEventStore *ql_postgres_event_store_new         (const char            *conninfo,
                                                   GError               **error);
const char   *ql_postgres_event_store_get_name    (QlPostgresEventStore  *self);

G_END_DECLS
