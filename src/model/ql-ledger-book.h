/* ql-ledger-book.h: every ledger of one event store, and the commands on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-event-store.h"
#include "ql-ledger.h"

G_BEGIN_DECLS

#define QL_TYPE_LEDGER_BOOK (ql_ledger_book_get_type ())
G_DECLARE_FINAL_TYPE (QlLedgerBook, ql_ledger_book, QL, LEDGER_BOOK, GObject)

QlLedgerBook *ql_ledger_book_new           (QlEventStore  *store,
                                            GError       **error);
QlEventStore *ql_ledger_book_get_store     (QlLedgerBook  *self);
GListModel   *ql_ledger_book_get_ledgers   (QlLedgerBook  *self);
QlLedger     *ql_ledger_book_lookup        (QlLedgerBook  *self,
                                            const char    *name);
gboolean      ql_ledger_book_open_account  (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *currency,
                                            GError       **error);
gboolean      ql_ledger_book_deposit       (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *amount,
                                            GError       **error);
gboolean      ql_ledger_book_withdraw      (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *amount,
                                            GError       **error);
gboolean      ql_ledger_book_create_item   (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *quantity,
                                            GError       **error);
gboolean      ql_ledger_book_increase      (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *quantity,
                                            GError       **error);
gboolean      ql_ledger_book_decrease      (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *quantity,
                                            GError       **error);
QlEvent      *ql_ledger_book_withdraw_for_reference (QlLedgerBook  *self,
                                                     const char    *name,
                                                     const char    *amount,
                                                     const char    *currency,
                                                     const char    *reference,
                                                     GError       **error);
QlEvent      *ql_ledger_book_undo          (QlLedgerBook  *self,
                                            const char    *name,
                                            GError       **error);
QlLedger     *ql_ledger_book_state_at      (QlLedgerBook  *self,
                                            const char    *name,
                                            gint64         version,
                                            GError       **error);
GPtrArray    *ql_ledger_book_list_events   (QlLedgerBook  *self,
                                            const char    *name,
                                            GError       **error);
GPtrArray    *ql_ledger_book_read_log      (QlLedgerBook  *self,
                                            gint64         start,
                                            gint64         limit,
                                            GError       **error);
gboolean      ql_ledger_book_refresh       (QlLedgerBook  *self,
                                            GError       **error);
void          ql_ledger_book_watch         (QlLedgerBook  *self,
                                            guint          interval_ms);
guint         ql_ledger_book_get_snapshot_interval (QlLedgerBook *self);
void          ql_ledger_book_set_snapshot_interval (QlLedgerBook *self,
                                                    guint         interval);

G_END_DECLS
