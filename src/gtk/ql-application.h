/* ql-application.h: the GTK application, owner of the model and the settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ql-ledger-book.h"
#include "ql-quote-book.h"
#include "ql-skin-manager.h"

G_BEGIN_DECLS

#define QL_TYPE_APPLICATION (ql_application_get_type ())
G_DECLARE_FINAL_TYPE (QlApplication, ql_application, QL, APPLICATION, AdwApplication)

QlApplication *ql_application_new              (QlQuoteBook       *quote_book,
                                                QlLedgerBook      *ledger_book,
                                                GApplicationFlags  flags);
QlQuoteBook   *ql_application_get_quote_book   (QlApplication     *self);
QlLedgerBook  *ql_application_get_ledger_book  (QlApplication     *self);
GSettings     *ql_application_get_settings     (QlApplication     *self);
QlSkinManager *ql_application_get_skin_manager (QlApplication     *self);

G_END_DECLS
