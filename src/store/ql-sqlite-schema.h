/* ql-sqlite-schema.h: schema versions of the SQLite event store, and migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/**
 * QL_SQLITE_SCHEMA_VERSION:
 *
 * The newest schema version, recorded in `PRAGMA user_version`. A file
 * with a larger one was written by a newer Quote Ledger.
 *
 * - 1: events, ledger heads, snapshots, and the triggers that keep events
 *   immutable.
 * - 2: an index on each ledger's payment references, so that finding the
 *   event that carries a reference does not read the ledger's history.
 * - 3: the references move to a table of their own, written with their
 *   events, and the ledgers table keeps names only: a ledger's head is
 *   the largest version of its events. An append then changes two
 *   B-trees instead of four.
 * - 4: each event keeps the reference it was appended with in a column of
 *   its own, indexed per ledger; the reference table goes. Stores never
 *   read references from payloads.
 */
#define QL_SQLITE_SCHEMA_VERSION 4

/**
 * QlSqliteMigration:
 * @version: the schema version this step leads to
 * @sql: the statements that turn version @version - 1 into @version; they
 *   set `PRAGMA user_version` themselves
 *
 * One step of a schema migration.
 */
typedef struct
{
  gint64      version;
  const char *sql;
} QlSqliteMigration;

gboolean  ql_sqlite_schema_upgrade      (sqlite3                 *db,
                                         const char              *path,
                                         gboolean                 read_only,
                                         GError                 **error);
gboolean  ql_sqlite_schema_migrate      (sqlite3                 *db,
                                         const char              *path,
                                         const QlSqliteMigration *migrations,
                                         guint                    n_migrations,
                                         GError                 **error);
char     *ql_sqlite_schema_backup_path  (const char              *path,
                                         gint64                   version);

G_END_DECLS
