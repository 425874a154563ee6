/* ql-ledger-book-private.h: what the book lends the model's other types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-ledger-book.h"
#include "ql-ledger-plans-private.h"

G_BEGIN_DECLS

/* How often a command reloads and tries again after another writer won. */
#define QL_LEDGER_BOOK_MAX_ATTEMPTS 10

gboolean _ql_ledger_book_sync_ledger             (QlLedgerBook  *self,
                                                  const char    *key,
                                                  QlLedger     **out_ledger,
                                                  GError       **error);
void     _ql_ledger_book_add_ledger              (QlLedgerBook  *self,
                                                  QlLedger      *ledger);
void     _ql_ledger_book_mark_changed            (QlLedgerBook  *self);
void     _ql_ledger_book_emit_changed_if_pending (QlLedgerBook  *self);
QlLedger *_ql_ledger_book_get_ledger             (QlLedgerBook  *self,
                                                  const char    *name);
char     *_ql_ledger_book_command_name           (QlLedgerBook  *self,
                                                  const char    *name,
                                                  GError       **error);
gboolean  _ql_ledger_book_sync_existing_ledger   (QlLedgerBook  *self,
                                                  const char    *name,
                                                  QlLedger     **out_ledger,
                                                  GError       **error);
QlEvent  *_ql_ledger_book_run_command            (QlLedgerBook  *self,
                                                  const char    *key,
                                                  QlPlanFunc     plan_func,
                                                  gconstpointer  command,
                                                  GError       **error);
QlEvent  *_ql_ledger_book_read_event             (QlLedgerBook  *self,
                                                  const char    *name,
                                                  gint64         version,
                                                  GError       **error);
void      _ql_ledger_book_set_busy_error         (GError       **error,
                                                  const char    *name);
QlEvent  *_ql_ledger_book_transfer_for_reference (QlLedgerBook       *self,
                                                  const char         *from,
                                                  const char         *to,
                                                  const char         *amount,
                                                  const char         *currency,
                                                  const char         *reference,
                                                  const QlChangeNote *note,
                                                  GError            **error);
void      _ql_ledger_book_save_snapshot_if_due   (QlLedgerBook  *self,
                                                  QlLedger      *ledger);

G_END_DECLS
