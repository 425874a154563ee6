/* ql-chat-controller.c: connects the Chat page to a QlChat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-controller"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-chat-controller.h"
#include "ql-openai-backend.h"

/**
 * QlChatController:
 *
 * Asks the page's questions in one #QlChat, kept for the window's life,
 * and keeps the page's buttons in step with it. Without a backend given,
 * the one the environment names is made at the first question, so that
 * a misconfigured service is an error where the user asked.
 */
struct _QlChatController
{
  GObject        parent_instance;

  /* Owned References */
  QlQuoteBook   *quotes;
  QlLedgerBook  *ledgers;
  QlChat        *chat;

  /* Borrowed References */
  QlChatPage    *page;
};

G_DEFINE_FINAL_TYPE (QlChatController, ql_chat_controller, G_TYPE_OBJECT)

static void
busy_changed_cb (QlChatController *self)
{
  if (self->page != NULL)
    ql_chat_page_set_busy (self->page, ql_chat_get_busy (self->chat));
}

static void
use_backend (QlChatController *self,
             QlChatBackend    *backend)
{
  g_autoptr(QlChatTools) tools = ql_chat_tools_new (self->quotes, self->ledgers);

  self->chat = ql_chat_new (backend, tools);
  g_signal_connect_object (self->chat, "notify::busy", G_CALLBACK (busy_changed_cb), self,
                           G_CONNECT_SWAPPED);
  ql_chat_page_set_messages (self->page, G_LIST_MODEL (self->chat));
}

static void
asked_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QlChatController) self = user_data;
  g_autoptr(QlChatMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = ql_chat_ask_finish (QL_CHAT (source), result, &error);
  if (reply == NULL && self->page != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ql_chat_page_show_error (self->page, error->message);
}

static void
on_ask_requested_cb (QlChatController *self,
                     const char       *question,
                     QlChatPage       *page)
{
  if (self->chat == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QlOpenaiBackend) backend = ql_openai_backend_new_from_environment (&error);

      if (backend == NULL)
        {
          ql_chat_page_show_error (page, error->message);
          return;
        }
      use_backend (self, QL_CHAT_BACKEND (backend));
    }
  ql_chat_ask_async (self->chat, question, NULL, asked_cb, g_object_ref (self));
}

static void
on_stop_requested_cb (QlChatController *self,
                      QlChatPage       *page)
{
  if (self->chat != NULL)
    ql_chat_stop (self->chat);
}

static void
ql_chat_controller_dispose (GObject *object)
{
  QlChatController *self = (QlChatController *) object;

  if (self->chat != NULL)
    ql_chat_stop (self->chat);
  g_clear_weak_pointer (&self->page);
  g_clear_object (&self->chat);
  g_clear_object (&self->quotes);
  g_clear_object (&self->ledgers);

  G_OBJECT_CLASS (ql_chat_controller_parent_class)->dispose (object);
}

static void
ql_chat_controller_class_init (QlChatControllerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ql_chat_controller_dispose;
}

static void
ql_chat_controller_init (QlChatController *self)
{
}

/**
 * ql_chat_controller_new:
 * @backend: (nullable): the language model service, or %NULL for the one
 *   the environment names
 * @quotes: (nullable): the quotes the assistant may search
 * @ledgers: (nullable): the ledgers the assistant may read
 * @page: the page to control
 *
 * Returns: (transfer full): the controller
 */
QlChatController *
ql_chat_controller_new (QlChatBackend *backend,
                        QlQuoteBook   *quotes,
                        QlLedgerBook  *ledgers,
                        QlChatPage    *page)
{
  QlChatController *self;

  g_return_val_if_fail (backend == NULL || QL_IS_CHAT_BACKEND (backend), NULL);
  g_return_val_if_fail (QL_IS_CHAT_PAGE (page), NULL);

  self = g_object_new (QL_TYPE_CHAT_CONTROLLER, NULL);
  g_set_object (&self->quotes, quotes);
  g_set_object (&self->ledgers, ledgers);
  g_set_weak_pointer (&self->page, page);
  if (backend != NULL)
    use_backend (self, backend);
  g_signal_connect_object (page, "ask-requested", G_CALLBACK (on_ask_requested_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "stop-requested", G_CALLBACK (on_stop_requested_cb), self,
                           G_CONNECT_SWAPPED);
  return self;
}

/**
 * ql_chat_controller_get_chat:
 * @self: a #QlChatController
 *
 * Returns: (transfer none) (nullable): the conversation, once there is one
 */
QlChat *
ql_chat_controller_get_chat (QlChatController *self)
{
  g_return_val_if_fail (QL_IS_CHAT_CONTROLLER (self), NULL);
  return self->chat;
}
