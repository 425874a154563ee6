/* ql-quote.h: one quote and its index in a collection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define QL_TYPE_QUOTE (ql_quote_get_type ())
G_DECLARE_FINAL_TYPE (QlQuote, ql_quote, QL, QUOTE, GObject)

QlQuote    *ql_quote_new       (guint       index,
                                const char *text);
guint       ql_quote_get_index (QlQuote    *self);
const char *ql_quote_get_text  (QlQuote    *self);

G_END_DECLS
