/* ql-test-model.h: the runner every Check test's main() uses, and the
 * model helpers the tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <check.h>
#include <glib.h>

#include "ql-event-store.h"
#include "ql-ledger-book.h"

G_BEGIN_DECLS

int           ql_test_run           (Suite        *first,
                                     ...) G_GNUC_NULL_TERMINATED;
int           ql_test_run_in_dir    (const char   *name,
                                     Suite        *first,
                                     ...) G_GNUC_NULL_TERMINATED;

QlLedgerBook *ql_test_new_book      (QlEventStore *store);
QlEventStore *ql_test_open_sqlite   (const char   *path);
gint64        ql_test_balance_of    (QlLedgerBook *book,
                                     const char   *name);
gint64        ql_test_head_position (QlEventStore *store);
gboolean      ql_test_drop_event    (QlEvent      *event);

G_END_DECLS
