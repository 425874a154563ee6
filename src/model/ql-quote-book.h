/* ql-quote-book.h: a collection of quotes, looked up by index
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-errors.h"
#include "ql-quote.h"

G_BEGIN_DECLS

#define QL_TYPE_QUOTE_BOOK (ql_quote_book_get_type ())
G_DECLARE_FINAL_TYPE (QlQuoteBook, ql_quote_book, QL, QUOTE_BOOK, GObject)

QlQuoteBook *ql_quote_book_new_default    (void);
QlQuoteBook *ql_quote_book_new_from_file  (const char   *path,
                                           GError      **error);
QlQuoteBook *ql_quote_book_new_from_data  (const char   *data,
                                           gsize         length,
                                           GError      **error);
gboolean     ql_quote_book_parse_index    (const char   *text,
                                           gint64       *out_index,
                                           GError      **error);
const char  *ql_quote_book_get_text       (QlQuoteBook  *self,
                                           gint64        index);
const char  *ql_quote_book_lookup         (QlQuoteBook  *self,
                                           gint64        index);
gint64       ql_quote_book_pick_random    (QlQuoteBook  *self,
                                           GRand        *rand);
GArray      *ql_quote_book_search         (QlQuoteBook  *self,
                                           const char   *pattern,
                                           GError      **error);

G_END_DECLS
