/* ql-chat-message.c: one message of a conversation with the assistant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-chat-message"

#include "config.h"

#include "ql-chat-message-private.h"

/**
 * QlChatMessage:
 *
 * One message of a #QlChat. An assistant message grows while its reply
 * streams: #QlChatMessage:content is notified for each piece. A tool
 * message carries the tool's answer for the assistant and, in
 * #QlChatMessage:summary, a sentence saying what was looked up, for views.
 */
struct _QlChatMessage
{
  GObject      parent_instance;

  QlChatRole   role;
  GString     *content;
  QlChatState  state;
  char        *error;
  char        *summary;
  char        *tool_call_id;
  JsonArray   *tool_calls;
};

G_DEFINE_FINAL_TYPE (QlChatMessage, ql_chat_message, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (QlChatRole, ql_chat_role,
  G_DEFINE_ENUM_VALUE (QL_CHAT_ROLE_SYSTEM, "system"),
  G_DEFINE_ENUM_VALUE (QL_CHAT_ROLE_USER, "user"),
  G_DEFINE_ENUM_VALUE (QL_CHAT_ROLE_ASSISTANT, "assistant"),
  G_DEFINE_ENUM_VALUE (QL_CHAT_ROLE_TOOL, "tool"))

G_DEFINE_ENUM_TYPE (QlChatState, ql_chat_state,
  G_DEFINE_ENUM_VALUE (QL_CHAT_STATE_STREAMING, "streaming"),
  G_DEFINE_ENUM_VALUE (QL_CHAT_STATE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (QL_CHAT_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (QL_CHAT_STATE_FAILED, "failed"))

enum {
  PROP_0,
  PROP_ROLE,
  PROP_CONTENT,
  PROP_STATE,
  PROP_ERROR,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const role_names[] = { "system", "user", "assistant", "tool" };

static void
ql_chat_message_finalize (GObject *object)
{
  QlChatMessage *self = (QlChatMessage *) object;

  g_string_free (self->content, TRUE);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->tool_call_id, g_free);
  g_clear_pointer (&self->tool_calls, json_array_unref);

  G_OBJECT_CLASS (ql_chat_message_parent_class)->finalize (object);
}

static void
ql_chat_message_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QlChatMessage *self = QL_CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_CONTENT:
      g_value_set_string (value, self->content->str);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_chat_message_class_init (QlChatMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_chat_message_finalize;
  object_class->get_property = ql_chat_message_get_property;

  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, QL_TYPE_CHAT_ROLE, QL_CHAT_ROLE_USER,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONTENT] =
    g_param_spec_string ("content", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, QL_TYPE_CHAT_STATE, QL_CHAT_STATE_DONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_chat_message_init (QlChatMessage *self)
{
  self->content = g_string_new ("");
  self->state = QL_CHAT_STATE_DONE;
}

/**
 * ql_chat_message_new:
 * @role: who the message is from
 * @content: (nullable): its text
 *
 * Returns: (transfer full): a complete message
 */
QlChatMessage *
ql_chat_message_new (QlChatRole  role,
                     const char *content)
{
  QlChatMessage *self;

  g_return_val_if_fail (role <= QL_CHAT_ROLE_TOOL, NULL);

  self = g_object_new (QL_TYPE_CHAT_MESSAGE, NULL);
  self->role = role;
  if (content != NULL)
    g_string_assign (self->content, content);
  return self;
}

/**
 * ql_chat_message_get_role:
 * @self: a #QlChatMessage
 *
 * Returns: who the message is from
 */
QlChatRole
ql_chat_message_get_role (QlChatMessage *self)
{
  g_return_val_if_fail (QL_IS_CHAT_MESSAGE (self), QL_CHAT_ROLE_USER);
  return self->role;
}

/**
 * ql_chat_message_get_content:
 * @self: a #QlChatMessage
 *
 * Returns: the text so far; for a tool message, the tool's JSON answer
 */
const char *
ql_chat_message_get_content (QlChatMessage *self)
{
  g_return_val_if_fail (QL_IS_CHAT_MESSAGE (self), NULL);
  return self->content->str;
}

/**
 * ql_chat_message_get_state:
 * @self: a #QlChatMessage
 *
 * Returns: whether the message is streaming, complete, stopped or failed
 */
QlChatState
ql_chat_message_get_state (QlChatMessage *self)
{
  g_return_val_if_fail (QL_IS_CHAT_MESSAGE (self), QL_CHAT_STATE_DONE);
  return self->state;
}

/**
 * ql_chat_message_get_error:
 * @self: a #QlChatMessage
 *
 * Returns: (nullable): why the reply failed, translated
 */
const char *
ql_chat_message_get_error (QlChatMessage *self)
{
  g_return_val_if_fail (QL_IS_CHAT_MESSAGE (self), NULL);
  return self->error;
}

/**
 * ql_chat_message_get_summary:
 * @self: a #QlChatMessage
 *
 * Returns: (nullable): for a tool message, what was looked up, translated
 */
const char *
ql_chat_message_get_summary (QlChatMessage *self)
{
  g_return_val_if_fail (QL_IS_CHAT_MESSAGE (self), NULL);
  return self->summary;
}

/**
 * ql_chat_message_to_json:
 * @self: a #QlChatMessage
 *
 * Returns: (transfer full): the message in OpenAI's chat format
 */
JsonObject *
ql_chat_message_to_json (QlChatMessage *self)
{
  JsonObject *object;

  g_return_val_if_fail (QL_IS_CHAT_MESSAGE (self), NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "role", role_names[self->role]);
  if (self->tool_calls != NULL && self->content->len == 0)
    json_object_set_null_member (object, "content");
  else
    json_object_set_string_member (object, "content", self->content->str);
  if (self->tool_calls != NULL)
    json_object_set_array_member (object, "tool_calls", json_array_ref (self->tool_calls));
  if (self->tool_call_id != NULL)
    json_object_set_string_member (object, "tool_call_id", self->tool_call_id);
  return object;
}

void
_ql_chat_message_append_content (QlChatMessage *self,
                                 const char    *text)
{
  g_assert (QL_IS_CHAT_MESSAGE (self));

  if (*text == '\0')
    return;
  g_string_append (self->content, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

void
_ql_chat_message_set_state (QlChatMessage *self,
                            QlChatState    state,
                            const char    *error)
{
  g_assert (QL_IS_CHAT_MESSAGE (self));

  if (g_strcmp0 (self->error, error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

void
_ql_chat_message_set_tool_calls (QlChatMessage *self,
                                 JsonArray     *tool_calls)
{
  g_assert (QL_IS_CHAT_MESSAGE (self));

  g_clear_pointer (&self->tool_calls, json_array_unref);
  self->tool_calls = tool_calls != NULL ? json_array_ref (tool_calls) : NULL;
}

void
_ql_chat_message_set_tool_call (QlChatMessage *self,
                                const char    *tool_call_id,
                                const char    *summary)
{
  g_assert (QL_IS_CHAT_MESSAGE (self));

  g_free (self->tool_call_id);
  self->tool_call_id = g_strdup (tool_call_id);
  g_free (self->summary);
  self->summary = g_strdup (summary);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}
