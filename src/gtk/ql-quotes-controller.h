/* ql-quotes-controller.h: connects a QlQuotesPage to a QlQuoteBook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-quote-book.h"
#include "ql-quotes-page.h"

G_BEGIN_DECLS

#define QL_TYPE_QUOTES_CONTROLLER (ql_quotes_controller_get_type ())
G_DECLARE_FINAL_TYPE (QlQuotesController, ql_quotes_controller, QL, QUOTES_CONTROLLER, GObject)

QlQuotesController *ql_quotes_controller_new (QlQuoteBook  *book,
                                              QlQuotesPage *page);

G_END_DECLS
