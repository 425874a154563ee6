/* ql-quotes-page.c: look a quote up by number, or browse and search them all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-quotes-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-quote.h"
#include "ql-accessible-names.h"
#include "ql-quotes-page.h"

/**
 * QlQuotesPage:
 *
 * Shows quotes and reports what the user asks for through signals; it
 * never looks anything up itself. A controller answers with
 * ql_quotes_page_show_quote(), ql_quotes_page_show_error() and
 * ql_quotes_page_set_matches().
 */
struct _QlQuotesPage
{
  GtkWidget          parent_instance;

  /* Template Widgets; the clamp is bound so that disposing the template
   * unparents it */
  GtkWidget         *clamp;
  GtkEntry          *index_entry;
  GtkButton         *show_button;
  GtkLabel          *caption_label;
  GtkLabel          *quote_label;
  GtkLabel          *error_label;
  GtkSearchEntry    *search_entry;
  GtkLabel          *search_error_label;
  GtkListView       *quote_list;
  GtkStack          *results_stack;

  /* Owned References */
  GtkFilterListModel *filtered;
  GtkBitset          *matches;
};

G_DEFINE_FINAL_TYPE (QlQuotesPage, ql_quotes_page, GTK_TYPE_WIDGET)

enum {
  LOOKUP_REQUESTED,
  RANDOM_REQUESTED,
  SEARCH_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
quote_matches (gpointer item,
               gpointer user_data)
{
  QlQuotesPage *self = user_data;

  return self->matches == NULL || gtk_bitset_contains (self->matches,
                                                       ql_quote_get_index (QL_QUOTE (item)));
}

static void
setup_quote_row_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *index_label = gtk_label_new (NULL);
  GtkWidget *text_label = gtk_label_new (NULL);

  gtk_widget_add_css_class (box, "quote-row");
  gtk_label_set_xalign (GTK_LABEL (index_label), 1);
  gtk_label_set_yalign (GTK_LABEL (index_label), 0);
  gtk_label_set_width_chars (GTK_LABEL (index_label), 4);
  gtk_widget_add_css_class (index_label, "dim-label");
  gtk_widget_add_css_class (index_label, "numeric");
  gtk_label_set_xalign (GTK_LABEL (text_label), 0);
  gtk_label_set_wrap (GTK_LABEL (text_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (text_label, TRUE);

  gtk_box_append (GTK_BOX (box), index_label);
  gtk_box_append (GTK_BOX (box), text_label);
  gtk_list_item_set_child (list_item, box);
}

static void
bind_quote_row_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   gpointer                  user_data)
{
  QlQuote *quote = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *index_label = gtk_widget_get_first_child (box);
  GtkWidget *text_label = gtk_widget_get_next_sibling (index_label);
  g_autofree char *index_text = g_strdup_printf ("%u", ql_quote_get_index (quote));

  gtk_label_set_text (GTK_LABEL (index_label), index_text);
  gtk_label_set_text (GTK_LABEL (text_label), ql_quote_get_text (quote));
  ql_accessible_names_set_list_item (list_item, ql_quote_get_text (quote));
}

static void
on_index_entry_activate_cb (QlQuotesPage *self)
{
  g_assert (QL_IS_QUOTES_PAGE (self));

  g_signal_emit (self, signals[LOOKUP_REQUESTED], 0,
                 gtk_editable_get_text (GTK_EDITABLE (self->index_entry)));
}

static void
on_random_button_clicked_cb (QlQuotesPage *self)
{
  g_assert (QL_IS_QUOTES_PAGE (self));

  g_signal_emit (self, signals[RANDOM_REQUESTED], 0);
}

static void
on_search_entry_search_changed_cb (QlQuotesPage *self)
{
  g_assert (QL_IS_QUOTES_PAGE (self));

  g_signal_emit (self, signals[SEARCH_CHANGED], 0,
                 gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

/* Escape takes the search away, as in other GNOME lists. */
static void
on_search_entry_stop_search_cb (QlQuotesPage *self)
{
  g_assert (QL_IS_QUOTES_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
on_quote_list_activate_cb (QlQuotesPage *self,
                           guint         position)
{
  g_autoptr(QlQuote) quote = NULL;
  g_autofree char *index_text = NULL;

  g_assert (QL_IS_QUOTES_PAGE (self));

  quote = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  if (quote == NULL)
    return;

  index_text = g_strdup_printf ("%u", ql_quote_get_index (quote));
  gtk_editable_set_text (GTK_EDITABLE (self->index_entry), index_text);
  g_signal_emit (self, signals[LOOKUP_REQUESTED], 0, index_text);
}

static void
ql_quotes_page_dispose (GObject *object)
{
  QlQuotesPage *self = (QlQuotesPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), QL_TYPE_QUOTES_PAGE);

  g_clear_object (&self->filtered);
  g_clear_pointer (&self->matches, gtk_bitset_unref);

  G_OBJECT_CLASS (ql_quotes_page_parent_class)->dispose (object);
}

static void
ql_quotes_page_class_init (QlQuotesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ql_quotes_page_dispose;

  /**
   * QlQuotesPage::lookup-requested:
   * @self: the page
   * @text: the quote number as the user typed it
   */
  signals[LOOKUP_REQUESTED] =
    g_signal_new ("lookup-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * QlQuotesPage::random-requested:
   * @self: the page
   */
  signals[RANDOM_REQUESTED] =
    g_signal_new ("random-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * QlQuotesPage::search-changed:
   * @self: the page
   * @pattern: the search text, empty for every quote
   */
  signals[SEARCH_CHANGED] =
    g_signal_new ("search-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/ql-quotes-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, clamp);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, index_entry);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, show_button);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, caption_label);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, quote_label);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, search_error_label);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, quote_list);
  gtk_widget_class_bind_template_child (widget_class, QlQuotesPage, results_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_index_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_random_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_quote_list_activate_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "quotespage");
}

static void
ql_quotes_page_init (QlQuotesPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkCustomFilter *filter;

  gtk_widget_init_template (GTK_WIDGET (self));
  ql_accessible_names_set_mnemonic (self->show_button);

  filter = gtk_custom_filter_new (quote_matches, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (filter));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_quote_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_quote_row_cb), NULL);
  gtk_list_view_set_factory (self->quote_list, factory);
  gtk_list_view_set_model (self->quote_list,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)))));

  gtk_widget_add_css_class (GTK_WIDGET (self->quote_label), "dim-label");
}

/**
 * ql_quotes_page_set_quotes:
 * @self: a #QlQuotesPage
 * @quotes: (nullable): a list of #QlQuote
 *
 * Sets the quotes the page lists.
 */
void
ql_quotes_page_set_quotes (QlQuotesPage *self,
                           GListModel   *quotes)
{
  g_return_if_fail (QL_IS_QUOTES_PAGE (self));
  g_return_if_fail (quotes == NULL || G_IS_LIST_MODEL (quotes));

  gtk_filter_list_model_set_model (self->filtered, quotes);
}

/**
 * ql_quotes_page_show_quote:
 * @self: a #QlQuotesPage
 * @index_text: (nullable): the number to show in the entry, or %NULL to
 *   leave the entry as the user typed it
 * @text: the quote
 *
 * Shows the answer to a lookup.
 */
void
ql_quotes_page_show_quote (QlQuotesPage *self,
                           const char   *index_text,
                           const char   *text)
{
  g_return_if_fail (QL_IS_QUOTES_PAGE (self));
  g_return_if_fail (text != NULL);

  if (index_text != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->index_entry), index_text);

  gtk_widget_remove_css_class (GTK_WIDGET (self->index_entry), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->quote_label), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->caption_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->quote_label), TRUE);
  gtk_label_set_text (self->quote_label, text);
}

/**
 * ql_quotes_page_show_error:
 * @self: a #QlQuotesPage
 * @message: why the lookup failed
 *
 * Shows that a lookup failed, in place of the quote.
 */
void
ql_quotes_page_show_error (QlQuotesPage *self,
                           const char   *message)
{
  g_return_if_fail (QL_IS_QUOTES_PAGE (self));
  g_return_if_fail (message != NULL);

  gtk_widget_add_css_class (GTK_WIDGET (self->index_entry), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->caption_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->quote_label), FALSE);
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

/**
 * ql_quotes_page_set_matches:
 * @self: a #QlQuotesPage
 * @matches: (nullable): the indices of the quotes to list, or %NULL for all
 *
 * Narrows the list to the quotes a search found; when it found none,
 * says so in place of the list.
 */
void
ql_quotes_page_set_matches (QlQuotesPage *self,
                            GtkBitset    *matches)
{
  g_return_if_fail (QL_IS_QUOTES_PAGE (self));

  g_clear_pointer (&self->matches, gtk_bitset_unref);
  if (matches != NULL)
    self->matches = gtk_bitset_ref (matches);

  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->search_error_label), FALSE);
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->filtered),
                      GTK_FILTER_CHANGE_DIFFERENT);
  gtk_stack_set_visible_child_name (self->results_stack,
                                    matches != NULL && gtk_bitset_is_empty (matches)
                                    ? "empty" : "list");
}

/**
 * ql_quotes_page_show_search_error:
 * @self: a #QlQuotesPage
 * @message: why the search text cannot be used
 *
 * Shows that the search failed; the list stays as it was.
 */
void
ql_quotes_page_show_search_error (QlQuotesPage *self,
                                  const char   *message)
{
  g_return_if_fail (QL_IS_QUOTES_PAGE (self));
  g_return_if_fail (message != NULL);

  gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
  gtk_label_set_text (self->search_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->search_error_label), TRUE);
}

/**
 * ql_quotes_page_focus_search:
 * @self: a #QlQuotesPage
 *
 * Moves the keyboard focus to the search entry.
 */
void
ql_quotes_page_focus_search (QlQuotesPage *self)
{
  g_return_if_fail (QL_IS_QUOTES_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * ql_quotes_page_focus_first:
 * @self: a #QlQuotesPage
 *
 * Gives the keyboard focus to the quote number entry, where the page
 * asks the user to type.
 */
void
ql_quotes_page_focus_first (QlQuotesPage *self)
{
  g_return_if_fail (QL_IS_QUOTES_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->index_entry));
}
