/* ql-quotes-page.h: look a quote up by number, or browse and search them all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define QL_TYPE_QUOTES_PAGE (ql_quotes_page_get_type ())
G_DECLARE_FINAL_TYPE (QlQuotesPage, ql_quotes_page, QL, QUOTES_PAGE, GtkWidget)

void ql_quotes_page_set_quotes        (QlQuotesPage *self,
                                       GListModel   *quotes);
void ql_quotes_page_show_quote        (QlQuotesPage *self,
                                       const char   *index_text,
                                       const char   *text);
void ql_quotes_page_show_error        (QlQuotesPage *self,
                                       const char   *message);
void ql_quotes_page_set_matches       (QlQuotesPage *self,
                                       GtkBitset    *matches);
void ql_quotes_page_show_search_error (QlQuotesPage *self,
                                       const char   *message);
void ql_quotes_page_focus_first       (QlQuotesPage *self);
void ql_quotes_page_focus_search      (QlQuotesPage *self);

G_END_DECLS
