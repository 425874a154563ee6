/* ql-postgres-event-store-private.h: what the PostgreSQL store's other
 * files share with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>

#include "ql-postgres-event-store.h"
#include "ql-read-model-store.h"

G_BEGIN_DECLS

PGconn *_ql_postgres_event_store_use       (QlPostgresEventStore  *self,
                                            gboolean               write,
                                            GError               **error);
void    _ql_postgres_event_store_set_error (QlPostgresEventStore  *self,
                                            const PGresult        *result,
                                            GError               **error);

void    _ql_postgres_read_models_iface_init (QlReadModelStoreInterface *iface);

G_END_DECLS
