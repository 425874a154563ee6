/* ql-chat-page.c: the Chat page, a conversation with the assistant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-accessible-names.h"
#include "ql-chat-message.h"
#include "ql-chat-page.h"

/**
 * QlChatPage:
 *
 * Shows a conversation's messages as they grow, one row each: the
 * question, what was looked up, the answer. Reports the user's intent
 * with ::ask-requested and ::stop-requested; errors go to the window's
 * toasts.
 */
struct _QlChatPage
{
  GtkBox             parent_instance;

  GtkScrolledWindow *scroller;
  GtkListBox        *messages_list;
  GtkEntry          *question_entry;
  GtkButton         *ask_button;
  GtkButton         *stop_button;
};

G_DEFINE_FINAL_TYPE (QlChatPage, ql_chat_page, GTK_TYPE_BOX)

enum {
  ASK_REQUESTED,
  STOP_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_ask_cb (QlChatPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->question_entry));
  g_autofree char *question = g_strstrip (g_strdup (text));

  if (*question == '\0' || !gtk_widget_get_sensitive (GTK_WIDGET (self->ask_button)))
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->question_entry), "");
  g_signal_emit (self, signals[ASK_REQUESTED], 0, question);
}

static void
on_stop_cb (QlChatPage *self)
{
  g_signal_emit (self, signals[STOP_REQUESTED], 0);
}

static void
ql_chat_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), QL_TYPE_CHAT_PAGE);

  G_OBJECT_CLASS (ql_chat_page_parent_class)->dispose (object);
}

static void
ql_chat_page_class_init (QlChatPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ql_chat_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/"
                                               "ql-chat-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QlChatPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, QlChatPage, messages_list);
  gtk_widget_class_bind_template_child (widget_class, QlChatPage, question_entry);
  gtk_widget_class_bind_template_child (widget_class, QlChatPage, ask_button);
  gtk_widget_class_bind_template_child (widget_class, QlChatPage, stop_button);
  gtk_widget_class_bind_template_callback (widget_class, on_ask_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_cb);

  /**
   * QlChatPage::ask-requested:
   * @self: the page
   * @question: what the user asked, trimmed
   */
  signals[ASK_REQUESTED] =
    g_signal_new ("ask-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * QlChatPage::stop-requested:
   * @self: the page
   */
  signals[STOP_REQUESTED] =
    g_signal_new ("stop-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
ql_chat_page_init (QlChatPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ql_accessible_names_set_mnemonic (self->ask_button);
  ql_accessible_names_set_mnemonic (self->stop_button);
}

static gboolean
scroll_to_end_cb (gpointer user_data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (user_data);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  return G_SOURCE_REMOVE;
}

static void
content_changed_cb (QlChatPage *self)
{
  g_idle_add_full (G_PRIORITY_LOW, scroll_to_end_cb, g_object_ref (self->scroller),
                   g_object_unref);
}

static gboolean
has_text (GBinding     *binding,
          const GValue *from,
          GValue       *to,
          gpointer      user_data)
{
  const char *text = g_value_get_string (from);

  g_value_set_boolean (to, text != NULL && *text != '\0');
  return TRUE;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  QlChatPage *self = user_data;
  QlChatMessage *message = item;
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);

  switch (ql_chat_message_get_role (message))
    {
    case QL_CHAT_ROLE_TOOL:
      /* What was looked up, not the data the assistant read. */
      g_object_bind_property (message, "summary", label, "label", G_BINDING_SYNC_CREATE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "chat-lookup");
      break;
    case QL_CHAT_ROLE_USER:
      g_object_bind_property (message, "content", label, "label", G_BINDING_SYNC_CREATE);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (label, "chat-question");
      break;
    case QL_CHAT_ROLE_SYSTEM:
      gtk_widget_set_visible (label, FALSE);
      break;
    case QL_CHAT_ROLE_ASSISTANT:
    default:
      g_object_bind_property (message, "content", label, "label", G_BINDING_SYNC_CREATE);
      gtk_widget_add_css_class (label, "chat-answer");
      g_signal_connect_object (message, "notify::content", G_CALLBACK (content_changed_cb), self,
                               G_CONNECT_SWAPPED);
      /* A reply that only asked for lookups has no text to show. */
      g_object_bind_property_full (label, "label", label, "visible", G_BINDING_SYNC_CREATE,
                                   has_text, NULL, NULL, NULL);
      break;
    }
  return label;
}

/**
 * ql_chat_page_set_messages:
 * @self: a #QlChatPage
 * @messages: (nullable): the conversation, a #GListModel of #QlChatMessage
 *
 * Shows @messages; rows follow the model as it grows.
 */
void
ql_chat_page_set_messages (QlChatPage *self,
                           GListModel *messages)
{
  g_return_if_fail (QL_IS_CHAT_PAGE (self));

  gtk_list_box_bind_model (self->messages_list, messages, create_row, self, NULL);
}

/**
 * ql_chat_page_set_busy:
 * @self: a #QlChatPage
 * @busy: whether an answer is streaming
 *
 * While busy, Stop is the button to press and Ask waits.
 */
void
ql_chat_page_set_busy (QlChatPage *self,
                       gboolean    busy)
{
  g_return_if_fail (QL_IS_CHAT_PAGE (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->ask_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), busy);
}

/**
 * ql_chat_page_show_error:
 * @self: a #QlChatPage
 * @message: what went wrong
 *
 * Shows @message as a toast of the window the page is in.
 */
void
ql_chat_page_show_error (QlChatPage *self,
                         const char *message)
{
  GtkWidget *overlay;
  g_autofree char *escaped = NULL;

  g_return_if_fail (QL_IS_CHAT_PAGE (self));
  g_return_if_fail (message != NULL);

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    {
      g_warning ("%s", message);
      return;
    }
  escaped = g_markup_escape_text (message, -1);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
}
