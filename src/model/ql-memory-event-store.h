/* ql-memory-event-store.h: an event store kept in memory only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-store.h"

G_BEGIN_DECLS

#define QL_TYPE_MEMORY_EVENT_STORE (ql_memory_event_store_get_type ())
G_DECLARE_FINAL_TYPE (QlMemoryEventStore, ql_memory_event_store, QL, MEMORY_EVENT_STORE, GObject)

QlEventStore *ql_memory_event_store_new (void);

G_END_DECLS
