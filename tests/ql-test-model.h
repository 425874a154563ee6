/* ql-test-model.h: the runner every Check test's main() uses, and the
 * model helpers the tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <check.h>
#include <glib.h>

#include "ql-errors.h"
#include "ql-event-store.h"
#include "ql-ledger-book.h"

G_BEGIN_DECLS

/* @call succeeds; it may set the GError named ok_error. */
#define assert_ok(call) \
  G_STMT_START { \
    g_autoptr(GError) ok_error = NULL; \
    ck_assert_msg ((call), "%s failed: %s", #call, ok_error != NULL ? ok_error->message : "?"); \
  } G_STMT_END

/* @call fails with the ledger error @code, set in the GError named
 * fail_error. */
#define assert_fails(call, code) \
  G_STMT_START { \
    g_autoptr(GError) fail_error = NULL; \
    ck_assert_msg (!(call), "%s succeeded", #call); \
    ck_assert_msg (g_error_matches (fail_error, QL_LEDGER_ERROR, (code)), \
                   "%s: expected code %d, got %s", #call, (code), \
                   fail_error != NULL ? fail_error->message : "no error"); \
  } G_STMT_END

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
gboolean      ql_test_import_text   (QlLedgerBook *book,
                                     const char   *text,
                                     GError      **error);
GHashTable   *ql_test_hledger_balances (const char *path);
gint64        ql_test_hledger_minor    (const char *shown,
                                        const char *currency);

G_END_DECLS
