/* ql-store.h: opens the event store a user named
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-store.h"

G_BEGIN_DECLS

QlEventStore *ql_store_open             (const char  *db,
                                         GError     **error);
char         *ql_store_default_location (void);

G_END_DECLS
