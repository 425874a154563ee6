/* ql-quotes-controller.c: connects a QlQuotesPage to a QlQuoteBook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-quotes-controller"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "ql-quotes-controller.h"

/**
 * QlQuotesController:
 *
 * The GTK front-end's thin layer between the Quotes page and the quote
 * book: it turns the page's requests into model calls and pushes the
 * answers, errors included, back into the page.
 */
struct _QlQuotesController
{
  GObject       parent_instance;

  /* Owned References */
  QlQuoteBook  *book;
  GRand        *rand;

  /* Borrowed References */
  QlQuotesPage *page;
};

G_DEFINE_FINAL_TYPE (QlQuotesController, ql_quotes_controller, G_TYPE_OBJECT)

static void
on_page_lookup_requested_cb (QlQuotesController *self,
                             const char         *text,
                             QlQuotesPage       *page)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  const char *quote;
  guint n_quotes;
  gint64 index;

  g_assert (QL_IS_QUOTES_CONTROLLER (self));

  if (!ql_quote_book_parse_index (text, &index, &error))
    {
      ql_quotes_page_show_error (page, error->message);
      return;
    }

  quote = ql_quote_book_get_text (self->book, index);
  if (quote != NULL)
    {
      ql_quotes_page_show_quote (page, NULL, quote);
      return;
    }

  /* The window says what to type instead; the terminal keeps the seed's
   * “Not found!”. */
  n_quotes = g_list_model_get_n_items (G_LIST_MODEL (self->book));
  if (n_quotes == 0)
    message = g_strdup (_("There are no quotes to show"));
  else
    /* Translators: the number typed, then the last quote's number */
    message = g_strdup_printf (_("There is no quote %" PRId64 ": choose 0 to %u"),
                               index, n_quotes - 1);
  ql_quotes_page_show_error (page, message);
}

static void
on_page_random_requested_cb (QlQuotesController *self,
                             QlQuotesPage       *page)
{
  g_autofree char *index_text = NULL;
  gint64 index;

  g_assert (QL_IS_QUOTES_CONTROLLER (self));

  if (g_list_model_get_n_items (G_LIST_MODEL (self->book)) == 0)
    return;

  index = ql_quote_book_pick_random (self->book, self->rand);
  index_text = g_strdup_printf ("%" G_GINT64_FORMAT, index);
  ql_quotes_page_show_quote (page, index_text, ql_quote_book_lookup (self->book, index));
}

static void
on_page_search_changed_cb (QlQuotesController *self,
                           const char         *pattern,
                           QlQuotesPage       *page)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) found = NULL;
  g_autoptr(GtkBitset) matches = NULL;
  g_autofree char *caseless = NULL;

  g_assert (QL_IS_QUOTES_CONTROLLER (self));

  if (pattern[0] == '\0')
    {
      ql_quotes_page_set_matches (page, NULL);
      return;
    }

  /* People searching a window expect “black” to find “Black”; (?i) in
   * UTF-8 mode folds case across Unicode, not ASCII alone. */
  caseless = g_strconcat ("(?i)", pattern, NULL);
  found = ql_quote_book_search (self->book, caseless, &error);
  if (found == NULL)
    {
      /* GLib's message names offsets in a pattern the user never typed. */
      ql_quotes_page_show_search_error (page,
                                        _("This search is not a valid pattern: check its "
                                          "brackets, parentheses and backslashes"));
      return;
    }

  matches = gtk_bitset_new_empty ();
  for (guint i = 0; i < found->len; i++)
    gtk_bitset_add (matches, (guint) g_array_index (found, gint64, i));

  ql_quotes_page_set_matches (page, matches);
}

static void
ql_quotes_controller_dispose (GObject *object)
{
  QlQuotesController *self = (QlQuotesController *) object;

  if (self->page != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->page, self);
      g_object_remove_weak_pointer (G_OBJECT (self->page), (gpointer *) &self->page);
      self->page = NULL;
    }

  g_clear_object (&self->book);

  G_OBJECT_CLASS (ql_quotes_controller_parent_class)->dispose (object);
}

static void
ql_quotes_controller_finalize (GObject *object)
{
  QlQuotesController *self = (QlQuotesController *) object;

  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (ql_quotes_controller_parent_class)->finalize (object);
}

static void
ql_quotes_controller_class_init (QlQuotesControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_quotes_controller_dispose;
  object_class->finalize = ql_quotes_controller_finalize;
}

static void
ql_quotes_controller_init (QlQuotesController *self)
{
  self->rand = g_rand_new ();
}

/**
 * ql_quotes_controller_new:
 * @book: the quotes to look up
 * @page: the page to serve; the controller holds no reference to it
 *
 * Returns: (transfer full): a controller that serves @page until either
 *   goes away
 */
QlQuotesController *
ql_quotes_controller_new (QlQuoteBook  *book,
                          QlQuotesPage *page)
{
  QlQuotesController *self;

  g_return_val_if_fail (QL_IS_QUOTE_BOOK (book), NULL);
  g_return_val_if_fail (QL_IS_QUOTES_PAGE (page), NULL);

  self = g_object_new (QL_TYPE_QUOTES_CONTROLLER, NULL);
  self->book = g_object_ref (book);
  self->page = page;
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &self->page);

  g_signal_connect_swapped (page, "lookup-requested",
                            G_CALLBACK (on_page_lookup_requested_cb), self);
  g_signal_connect_swapped (page, "random-requested",
                            G_CALLBACK (on_page_random_requested_cb), self);
  g_signal_connect_swapped (page, "search-changed",
                            G_CALLBACK (on_page_search_changed_cb), self);

  ql_quotes_page_set_quotes (page, G_LIST_MODEL (book));

  return self;
}
