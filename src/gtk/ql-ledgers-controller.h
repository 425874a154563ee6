/* ql-ledgers-controller.h: connects a QlLedgersPage to a QlLedgerBook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-ledger-book.h"
#include "ql-ledgers-page.h"

G_BEGIN_DECLS

#define QL_TYPE_LEDGERS_CONTROLLER (ql_ledgers_controller_get_type ())
G_DECLARE_FINAL_TYPE (QlLedgersController, ql_ledgers_controller, QL, LEDGERS_CONTROLLER, GObject)

QlLedgersController *ql_ledgers_controller_new (QlLedgerBook  *book,
                                                QlLedgersPage *page);

G_END_DECLS
