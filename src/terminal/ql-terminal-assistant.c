/* ql-terminal-assistant.c: the terminal's `ask` command and its answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-terminal-assistant"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "ql-chat.h"
#include "ql-openai-backend.h"
#include "ql-terminal-assistant.h"

/**
 * QlTerminalAssistant:
 *
 * Answers `ask`: the tokens are written as they arrive, each lookup as a
 * line saying what was looked up. While an answer streams, Ctrl+C
 * (SIGINT) stops the answer instead of the program. The conversation is
 * kept for the session, so that a question can follow up on the last.
 * Emits #QlTerminalAssistant::answered when the prompt may come back.
 */
struct _QlTerminalAssistant
{
  GObject         parent_instance;

  QlTerminalView *view;
  QlQuoteBook    *quotes;
  QlLedgerBook   *ledgers;
  QlChat         *chat;
  guint           sigint_source;
  gboolean        wrote;
};

G_DEFINE_FINAL_TYPE (QlTerminalAssistant, ql_terminal_assistant, G_TYPE_OBJECT)

enum {
  ANSWERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ql_terminal_assistant_dispose (GObject *object)
{
  QlTerminalAssistant *self = (QlTerminalAssistant *) object;

  g_clear_handle_id (&self->sigint_source, g_source_remove);
  if (self->chat != NULL)
    g_signal_handlers_disconnect_by_data (self->chat, self);
  g_clear_object (&self->chat);
  g_clear_object (&self->view);
  g_clear_object (&self->quotes);
  g_clear_object (&self->ledgers);

  G_OBJECT_CLASS (ql_terminal_assistant_parent_class)->dispose (object);
}

static void
ql_terminal_assistant_class_init (QlTerminalAssistantClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ql_terminal_assistant_dispose;

  /**
   * QlTerminalAssistant::answered:
   *
   * The answer is complete, stopped or failed.
   */
  signals[ANSWERED] =
    g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ql_terminal_assistant_init (QlTerminalAssistant *self)
{
}

/**
 * ql_terminal_assistant_new:
 * @view: where answers are written
 * @quotes: the quotes the assistant may search
 * @ledgers: the ledgers the assistant may read
 *
 * Returns: (transfer full): the assistant; it reaches the language model
 *   service only at the first question
 */
QlTerminalAssistant *
ql_terminal_assistant_new (QlTerminalView *view,
                           QlQuoteBook    *quotes,
                           QlLedgerBook   *ledgers)
{
  QlTerminalAssistant *self;

  g_return_val_if_fail (QL_IS_TERMINAL_VIEW (view), NULL);

  self = g_object_new (QL_TYPE_TERMINAL_ASSISTANT, NULL);
  self->view = g_object_ref (view);
  g_set_object (&self->quotes, quotes);
  g_set_object (&self->ledgers, ledgers);
  return self;
}

static void
token_cb (QlTerminalAssistant *self,
          QlChatMessage       *reply,
          const char          *text,
          QlChat              *chat)
{
  ql_terminal_view_show_partial (self->view, text);
  self->wrote = TRUE;
}

static void
lookup_added_cb (QlTerminalAssistant *self,
                 guint                position,
                 guint                removed,
                 guint                added,
                 GListModel          *messages)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(QlChatMessage) message = g_list_model_get_item (messages, i);
      g_autofree char *line = NULL;

      if (ql_chat_message_get_role (message) != QL_CHAT_ROLE_TOOL)
        continue;
      if (self->wrote)
        ql_terminal_view_show_partial (self->view, "\n");
      self->wrote = FALSE;
      line = g_strdup_printf (_("(%s)"), ql_chat_message_get_summary (message));
      ql_terminal_view_show (self->view, line);
    }
}

static gboolean
sigint_cb (gpointer user_data)
{
  QlTerminalAssistant *self = user_data;

  ql_chat_stop (self->chat);
  return G_SOURCE_CONTINUE;
}

static void
asked_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QlTerminalAssistant) self = user_data;
  g_autoptr(QlChatMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = ql_chat_ask_finish (QL_CHAT (source), result, &error);
  /* Ctrl+C ends the program again once the answer is over. */
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  if (self->view == NULL)
    return;
  ql_terminal_view_hold_interrupt (self->view, FALSE);
  if (self->wrote)
    ql_terminal_view_show_partial (self->view, "\n");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ql_terminal_view_show (self->view, _("(stopped)"));
  else if (error != NULL)
    ql_terminal_view_show_error (self->view, error->message);
  g_signal_emit (self, signals[ANSWERED], 0);
}

/**
 * ql_terminal_assistant_ask:
 * @self: a #QlTerminalAssistant
 * @question: what the user asks
 * @error: return location for a %QL_CHAT_ERROR when the service is
 *   misconfigured
 *
 * Starts the answer; #QlTerminalAssistant::answered follows when it ends.
 *
 * Returns: whether the answer started
 */
gboolean
ql_terminal_assistant_ask (QlTerminalAssistant  *self,
                           const char           *question,
                           GError              **error)
{
  g_return_val_if_fail (QL_IS_TERMINAL_ASSISTANT (self), FALSE);
  g_return_val_if_fail (question != NULL, FALSE);

  if (self->chat == NULL)
    {
      g_autoptr(QlOpenaiBackend) backend = ql_openai_backend_new_from_environment (error);
      g_autoptr(QlChatTools) tools = NULL;

      if (backend == NULL)
        return FALSE;
      tools = ql_chat_tools_new (self->quotes, self->ledgers);
      self->chat = ql_chat_new (QL_CHAT_BACKEND (backend), tools);
      g_signal_connect_swapped (self->chat, "token", G_CALLBACK (token_cb), self);
      g_signal_connect_swapped (self->chat, "items-changed", G_CALLBACK (lookup_added_cb), self);
    }

  self->wrote = FALSE;
  self->sigint_source = g_unix_signal_add (SIGINT, sigint_cb, self);
  ql_terminal_view_hold_interrupt (self->view, TRUE);
  ql_chat_ask_async (self->chat, question, NULL, asked_cb, g_object_ref (self));
  return TRUE;
}
