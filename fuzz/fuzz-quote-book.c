/* fuzz-quote-book.c: quotes files from hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever the bytes, a book either fails with an error or holds quotes
 * that are valid UTF-8 without control characters other than newline and
 * tab, so that no view can be made to print one.
 */
#define G_LOG_DOMAIN "fuzz-quote-book"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "ql-fuzz-common.h"
#include "ql-quote-book.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(QlQuoteBook) book = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strndup ((const char *) data, size);
  gint64 index = 0;
  guint n_items;

  book = ql_quote_book_new_from_data ((const char *) data, size, &error);
  if ((book == NULL) == (error == NULL))
    abort ();

  if (book != NULL)
    {
      g_autoptr(GArray) matches = NULL;

      n_items = g_list_model_get_n_items (G_LIST_MODEL (book));
      if (n_items == 0)
        abort ();
      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(QlQuote) quote = g_list_model_get_item (G_LIST_MODEL (book), i);

          ql_fuzz_check_showable_text (ql_quote_get_text (quote), -1);
        }
      if (g_list_model_get_item (G_LIST_MODEL (book), n_items) != NULL)
        abort ();
      ql_fuzz_check_showable_text (ql_quote_book_lookup (book, -1), -1);
      ql_fuzz_check_showable_text (ql_quote_book_lookup (book, G_MAXINT64), -1);
      matches = ql_quote_book_search (book, "e.", NULL);
      if (matches == NULL || matches->len > n_items)
        abort ();
    }

  /* The same bytes as a typed index. */
  ql_quote_book_parse_index (line, &index, NULL);

  return 0;
}
