/* ql-postgres-schema.h: the PostgreSQL store's tables and their migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* The version the tables of a database this build writes are at. */
#define QL_POSTGRES_SCHEMA_VERSION 3

gboolean ql_postgres_schema_upgrade (PGconn      *conn,
                                     const char  *name,
                                     gboolean     read_only,
                                     GError     **error);

G_END_DECLS
