/* ql-chat.c: a conversation with the assistant, kept for the session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ql-chat.h"
#include "ql-chat-message-private.h"

/* Instructions for the language model, not for people: not translated. */
#define DEFAULT_SYSTEM_PROMPT \
  "You are the assistant of Quote Ledger, a program that keeps quotes and " \
  "event-sourced ledgers of accounts and inventory items. Answer questions " \
  "about them using the tools, which read the user's data; you cannot change " \
  "anything. Be brief."

/**
 * QlChat:
 *
 * A conversation with a language model: its messages, as a #GListModel of
 * #QlChatMessage, kept for as long as the object lives. ql_chat_ask_async()
 * adds the question and a reply that grows as the service streams it; the
 * #QlChat::token signal gives each piece. When the assistant calls a tool,
 * the lookup is run on the #QlChatTools, added as a tool message, and the
 * assistant is asked again. ql_chat_stop() stops the reply; what arrived
 * is kept.
 */
struct _QlChat
{
  GObject        parent_instance;

  QlChatBackend *backend;
  QlChatTools   *tools;
  char          *system_prompt;
  JsonObject    *options;
  GListStore    *messages;

  GTask         *task;
  GCancellable  *cancellable;
  GCancellable  *caller_cancellable;
  gulong         caller_handler;
  QlChatMessage *reply;
  guint          rounds;
};

static void ql_chat_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlChat, ql_chat, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ql_chat_list_model_init))

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_TOKEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
ql_chat_get_item_type (GListModel *model)
{
  return QL_TYPE_CHAT_MESSAGE;
}

static guint
ql_chat_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (QL_CHAT (model)->messages));
}

static gpointer
ql_chat_get_item (GListModel *model,
                  guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (QL_CHAT (model)->messages), position);
}

static void
ql_chat_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ql_chat_get_item_type;
  iface->get_n_items = ql_chat_get_n_items;
  iface->get_item = ql_chat_get_item;
}

static void
messages_changed_cb (QlChat     *self,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GListModel *messages)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
ql_chat_dispose (GObject *object)
{
  QlChat *self = (QlChat *) object;

  /* A reply in flight holds a reference to the chat, so none is here. */
  g_assert (self->task == NULL);
  g_clear_object (&self->backend);
  g_clear_object (&self->tools);
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (ql_chat_parent_class)->dispose (object);
}

static void
ql_chat_finalize (GObject *object)
{
  QlChat *self = (QlChat *) object;

  g_clear_pointer (&self->system_prompt, g_free);
  g_clear_pointer (&self->options, json_object_unref);

  G_OBJECT_CLASS (ql_chat_parent_class)->finalize (object);
}

static void
ql_chat_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  QlChat *self = QL_CHAT (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->task != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_chat_class_init (QlChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_chat_dispose;
  object_class->finalize = ql_chat_finalize;
  object_class->get_property = ql_chat_get_property;

  /**
   * QlChat:busy:
   *
   * Whether a reply is on its way.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * QlChat::token:
   * @self: the chat
   * @message: the reply that grew
   * @text: the piece it grew by
   *
   * A piece of the reply arrived.
   */
  signals[SIGNAL_TOKEN] =
    g_signal_new ("token", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, QL_TYPE_CHAT_MESSAGE, G_TYPE_STRING);
}

static void
ql_chat_init (QlChat *self)
{
  self->messages = g_list_store_new (QL_TYPE_CHAT_MESSAGE);
  self->system_prompt = g_strdup (DEFAULT_SYSTEM_PROMPT);
  g_signal_connect_swapped (self->messages, "items-changed",
                            G_CALLBACK (messages_changed_cb), self);
}

/**
 * ql_chat_new:
 * @backend: the language model service
 * @tools: (nullable): the lookups the assistant may call, or %NULL for none
 *
 * Returns: (transfer full): an empty conversation
 */
QlChat *
ql_chat_new (QlChatBackend *backend,
             QlChatTools   *tools)
{
  QlChat *self;

  g_return_val_if_fail (QL_IS_CHAT_BACKEND (backend), NULL);
  g_return_val_if_fail (tools == NULL || QL_IS_CHAT_TOOLS (tools), NULL);

  self = g_object_new (QL_TYPE_CHAT, NULL);
  self->backend = g_object_ref (backend);
  g_set_object (&self->tools, tools);
  return self;
}

/**
 * ql_chat_set_system_prompt:
 * @self: a #QlChat
 * @prompt: (nullable): the instructions sent before the conversation, or
 *   %NULL for none
 *
 * Replaces the built-in instructions. A conversation whose first message
 * is a system message gets no other.
 */
void
ql_chat_set_system_prompt (QlChat     *self,
                           const char *prompt)
{
  g_return_if_fail (QL_IS_CHAT (self));

  g_free (self->system_prompt);
  self->system_prompt = g_strdup (prompt);
}

/**
 * ql_chat_set_options:
 * @self: a #QlChat
 * @options: (nullable): sampling options for the service, such as
 *   `temperature`, `max_tokens` or `seed`, as an OpenAI request has them
 *
 * Sets what every later request asks of the service besides the
 * conversation.
 */
void
ql_chat_set_options (QlChat     *self,
                     JsonObject *options)
{
  g_return_if_fail (QL_IS_CHAT (self));

  g_clear_pointer (&self->options, json_object_unref);
  self->options = options != NULL ? json_object_ref (options) : NULL;
}

/**
 * ql_chat_append:
 * @self: a #QlChat
 * @role: who the message is from
 * @content: its text
 *
 * Adds a complete message, as a client's earlier conversation brings it.
 */
void
ql_chat_append (QlChat     *self,
                QlChatRole  role,
                const char *content)
{
  g_autoptr(QlChatMessage) message = NULL;

  g_return_if_fail (QL_IS_CHAT (self));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (content != NULL);

  message = ql_chat_message_new (role, content);
  g_list_store_append (self->messages, message);
}

/**
 * ql_chat_get_busy:
 * @self: a #QlChat
 *
 * Returns: whether a reply is on its way
 */
gboolean
ql_chat_get_busy (QlChat *self)
{
  g_return_val_if_fail (QL_IS_CHAT (self), FALSE);
  return self->task != NULL;
}

static JsonArray *
build_request (QlChat *self)
{
  JsonArray *request = json_array_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  g_autoptr(QlChatMessage) first = g_list_model_get_item (G_LIST_MODEL (self->messages), 0);

  if (self->system_prompt != NULL &&
      (first == NULL || ql_chat_message_get_role (first) != QL_CHAT_ROLE_SYSTEM))
    {
      g_autoptr(QlChatMessage) system = ql_chat_message_new (QL_CHAT_ROLE_SYSTEM,
                                                             self->system_prompt);

      json_array_add_object_element (request, ql_chat_message_to_json (system));
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QlChatMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i);

      if (message != self->reply)
        json_array_add_object_element (request, ql_chat_message_to_json (message));
    }
  return request;
}

static void
on_token (const char *text,
          gpointer    user_data)
{
  QlChat *self = user_data;

  _ql_chat_message_append_content (self->reply, text);
  g_signal_emit (self, signals[SIGNAL_TOKEN], 0, self->reply, text);
}

/* Ends the reply: the task is returned once, and the chat is free again. */
static void
finish (QlChat *self,
        GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(QlChatMessage) reply = g_steal_pointer (&self->reply);

  /* Not g_cancellable_disconnect(): it waits for a handler running on
   * this very thread when the caller's cancellation brought us here. */
  if (self->caller_cancellable != NULL)
    g_signal_handler_disconnect (self->caller_cancellable, self->caller_handler);
  self->caller_handler = 0;
  g_clear_object (&self->caller_cancellable);
  g_clear_object (&self->cancellable);

  if (error != NULL)
    {
      gboolean stopped = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      _ql_chat_message_set_state (reply, stopped ? QL_CHAT_STATE_STOPPED : QL_CHAT_STATE_FAILED,
                                  stopped ? NULL : error->message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
      g_task_return_error (task, error);
      return;
    }

  _ql_chat_message_set_state (reply, QL_CHAT_STATE_DONE, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_task_return_pointer (task, g_steal_pointer (&reply), g_object_unref);
}

static void start_round (QlChat *self);

static void
run_tool_calls (QlChat    *self,
                JsonArray *calls)
{
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonNode *node = json_array_get_element (calls, i);
      JsonObject *call = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *function = call != NULL ? json_object_get_object_member (call, "function")
                                          : NULL;
      const char *id = call != NULL ? json_object_get_string_member_with_default (call, "id", "")
                                    : "";
      const char *name = function != NULL
                         ? json_object_get_string_member_with_default (function, "name", "") : "";
      const char *arguments = function != NULL
                              ? json_object_get_string_member_with_default (function, "arguments",
                                                                            "{}") : "{}";
      g_autofree char *summary = NULL;
      g_autofree char *answer = ql_chat_tools_call (self->tools, name, arguments, &summary);
      g_autoptr(QlChatMessage) message = ql_chat_message_new (QL_CHAT_ROLE_TOOL, answer);

      _ql_chat_message_set_tool_call (message, id, summary);
      g_list_store_append (self->messages, message);
    }
}

static void
complete_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QlChat) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *calls = NULL;

  answer = ql_chat_backend_complete_finish (self->backend, result, &error);
  if (answer == NULL)
    {
      finish (self, g_steal_pointer (&error));
      return;
    }

  if (json_object_has_member (answer, "tool_calls") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (answer, "tool_calls")))
    calls = json_object_get_array_member (answer, "tool_calls");
  if (self->tools == NULL || calls == NULL || json_array_get_length (calls) == 0)
    {
      finish (self, NULL);
      return;
    }

  _ql_chat_message_set_tool_calls (self->reply, calls);
  _ql_chat_message_set_state (self->reply, QL_CHAT_STATE_DONE, NULL);
  g_clear_object (&self->reply);
  run_tool_calls (self, calls);
  start_round (self);
}

static void
start_round (QlChat *self)
{
  g_autoptr(JsonArray) request = NULL;
  g_autoptr(JsonArray) tools = NULL;
  GError *error = NULL;

  self->reply = ql_chat_message_new (QL_CHAT_ROLE_ASSISTANT, NULL);
  _ql_chat_message_set_state (self->reply, QL_CHAT_STATE_STREAMING, NULL);
  g_list_store_append (self->messages, self->reply);

  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    {
      finish (self, error);
      return;
    }
  if (++self->rounds > QL_CHAT_MAX_LOOKUP_ROUNDS + 1)
    {
      finish (self, g_error_new (QL_CHAT_ERROR, QL_CHAT_ERROR_TOO_MANY_LOOKUPS,
                                 _("The assistant kept looking things up without answering")));
      return;
    }

  request = build_request (self);
  if (self->tools != NULL)
    tools = ql_chat_tools_get_definitions (self->tools);
  ql_chat_backend_complete_async (self->backend, request,
                                  tools != NULL && json_array_get_length (tools) > 0 ? tools : NULL,
                                  self->options, on_token, self, self->cancellable,
                                  complete_cb, g_object_ref (self));
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

/**
 * ql_chat_ask_async:
 * @self: a #QlChat
 * @question: (nullable): what the user asks, or %NULL to answer the
 *   conversation as it stands
 * @cancellable: (nullable): stops the reply, like ql_chat_stop()
 * @callback: called when the reply is complete, stopped or failed
 * @user_data: data for @callback
 *
 * Asks the assistant. One reply at a time: while one is on its way,
 * another fails with %QL_CHAT_ERROR_BUSY.
 */
void
ql_chat_ask_async (QlChat              *self,
                   const char          *question,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (QL_IS_CHAT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ql_chat_ask_async);
  if (self->task != NULL)
    {
      g_task_return_new_error (task, QL_CHAT_ERROR, QL_CHAT_ERROR_BUSY,
                               _("The assistant is still answering"));
      return;
    }
  if (question == NULL && g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
    {
      g_task_return_new_error (task, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST,
                               _("There is nothing to answer"));
      return;
    }

  if (question != NULL)
    ql_chat_append (self, QL_CHAT_ROLE_USER, question);
  self->task = g_steal_pointer (&task);
  self->cancellable = g_cancellable_new ();
  self->rounds = 0;
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_handler = g_signal_connect (cancellable, "cancelled",
                                               G_CALLBACK (caller_cancelled_cb), self->cancellable);
      if (g_cancellable_is_cancelled (cancellable))
        g_cancellable_cancel (self->cancellable);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  start_round (self);
}

/**
 * ql_chat_ask_finish:
 * @self: a #QlChat
 * @result: the result given to the callback
 * @error: return location for a %QL_CHAT_ERROR, or %G_IO_ERROR_CANCELLED
 *   when the reply was stopped
 *
 * Returns: (transfer full): the assistant's answer, or %NULL on error; the
 *   stopped or failed reply stays in the conversation either way
 */
QlChatMessage *
ql_chat_ask_finish (QlChat        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (QL_IS_CHAT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ql_chat_stop:
 * @self: a #QlChat
 *
 * Stops the reply on its way, if any. The text that arrived stays; the
 * reply ends as %QL_CHAT_STATE_STOPPED.
 */
void
ql_chat_stop (QlChat *self)
{
  g_return_if_fail (QL_IS_CHAT (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}
