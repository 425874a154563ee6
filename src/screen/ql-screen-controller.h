/* ql-screen-controller.h: between the full-screen view and the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-ledger-book.h"
#include "ql-quote-book.h"
#include "ql-screen-view.h"

G_BEGIN_DECLS

#define QL_TYPE_SCREEN_CONTROLLER (ql_screen_controller_get_type ())
G_DECLARE_FINAL_TYPE (QlScreenController, ql_screen_controller, QL, SCREEN_CONTROLLER, GObject)

QlScreenController *ql_screen_controller_new   (QlScreenView *view,
                                                QlQuoteBook  *quotes,
                                                QlLedgerBook *ledgers,
                                                GSettings    *settings);
void                ql_screen_controller_start (QlScreenController *self);

G_END_DECLS
