/* ql-ledger-book-private.h: what the book lends the model's other types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-ledger-book.h"

G_BEGIN_DECLS

gboolean _ql_ledger_book_sync_ledger             (QlLedgerBook  *self,
                                                  const char    *key,
                                                  QlLedger     **out_ledger,
                                                  GError       **error);
void     _ql_ledger_book_add_ledger              (QlLedgerBook  *self,
                                                  QlLedger      *ledger);
void     _ql_ledger_book_mark_changed            (QlLedgerBook  *self);
void     _ql_ledger_book_emit_changed_if_pending (QlLedgerBook  *self);

G_END_DECLS
