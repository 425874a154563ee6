/* test-chat.c: the conversation model over a scripted backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>

#include "ql-chat.h"
#include "ql-memory-event-store.h"
#include "ql-test-model.h"

/* A scripted backend: each request takes the next reply of the script,
 * streamed one token per main-loop iteration. A reply is tokens, or a
 * tool call ("@NAME ARGUMENTS"), or "!" for a failure after the tokens,
 * or "..." for a reply that never ends unless cancelled. */
#define QL_TYPE_SCRIPTED_BACKEND (ql_scripted_backend_get_type ())
G_DECLARE_FINAL_TYPE (QlScriptedBackend, ql_scripted_backend, QL, SCRIPTED_BACKEND, GObject)

struct _QlScriptedBackend
{
  GObject     parent_instance;
  GPtrArray  *script;
  guint       next;
  GPtrArray  *requests;
};

typedef struct
{
  char            **tokens;
  guint             at;
  QlChatTokenFunc   on_token;
  gpointer          token_data;
} Reply;

static void ql_scripted_backend_iface_init (QlChatBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QlScriptedBackend, ql_scripted_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QL_TYPE_CHAT_BACKEND,
                                                      ql_scripted_backend_iface_init))

static void
ql_scripted_backend_finalize (GObject *object)
{
  QlScriptedBackend *self = QL_SCRIPTED_BACKEND (object);

  g_ptr_array_unref (self->script);
  g_ptr_array_unref (self->requests);
  G_OBJECT_CLASS (ql_scripted_backend_parent_class)->finalize (object);
}

static void
ql_scripted_backend_class_init (QlScriptedBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ql_scripted_backend_finalize;
}

static void
ql_scripted_backend_init (QlScriptedBackend *self)
{
  self->script = g_ptr_array_new_with_free_func (g_free);
  self->requests = g_ptr_array_new_with_free_func (g_free);
}

static void
reply_free (Reply *reply)
{
  g_strfreev (reply->tokens);
  g_free (reply);
}

static gboolean
step_cb (gpointer user_data)
{
  GTask *task = user_data;
  Reply *reply = g_task_get_task_data (task);
  const char *token = reply->tokens[reply->at];
  g_autoptr(JsonObject) answer = NULL;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  if (token != NULL && g_str_equal (token, "..."))
    return G_SOURCE_CONTINUE;
  if (token != NULL && g_str_equal (token, "!"))
    {
      g_task_return_new_error (task, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM, "scripted failure");
      return G_SOURCE_REMOVE;
    }
  if (token != NULL && token[0] != '@')
    {
      reply->on_token (token, reply->token_data);
      reply->at++;
      return G_SOURCE_CONTINUE;
    }

  answer = json_object_new ();
  json_object_set_string_member (answer, "role", "assistant");
  if (token != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (token + 1, " ", 2);
      g_autofree char *json = g_strdup_printf (
          "[{\"id\":\"call-%u\",\"type\":\"function\",\"function\":{\"name\":\"%s\","
          "\"arguments\":\"\"}}]", reply->at, parts[0]);
      g_autoptr(JsonNode) calls = json_from_string (json, NULL);
      JsonObject *function = json_object_get_object_member (
          json_array_get_object_element (json_node_get_array (calls), 0), "function");

      json_object_set_string_member (function, "arguments", parts[1] != NULL ? parts[1] : "{}");
      json_object_set_array_member (answer, "tool_calls",
                                    json_array_ref (json_node_get_array (calls)));
    }
  g_task_return_pointer (task, g_steal_pointer (&answer), (GDestroyNotify) json_object_unref);
  return G_SOURCE_REMOVE;
}

static void
scripted_complete_async (QlChatBackend       *backend,
                         JsonArray           *messages,
                         JsonArray           *tools,
                         JsonObject          *options,
                         QlChatTokenFunc      on_token,
                         gpointer             token_data,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  QlScriptedBackend *self = QL_SCRIPTED_BACKEND (backend);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  Reply *reply = g_new0 (Reply, 1);

  ck_assert_uint_lt (self->next, self->script->len);
  json_node_set_array (node, messages);
  g_ptr_array_add (self->requests, json_to_string (node, FALSE));
  reply->tokens = g_strsplit (g_ptr_array_index (self->script, self->next++), "|", -1);
  reply->on_token = on_token;
  reply->token_data = token_data;
  g_task_set_task_data (task, reply, (GDestroyNotify) reply_free);
  g_idle_add_full (G_PRIORITY_DEFAULT, step_cb, task, g_object_unref);
}

static JsonObject *
scripted_complete_finish (QlChatBackend  *backend,
                          GAsyncResult   *result,
                          GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
ql_scripted_backend_iface_init (QlChatBackendInterface *iface)
{
  iface->complete_async = scripted_complete_async;
  iface->complete_finish = scripted_complete_finish;
}

static QlScriptedBackend *
scripted (const char *first,
          ...)
{
  QlScriptedBackend *self = g_object_new (QL_TYPE_SCRIPTED_BACKEND, NULL);
  va_list args;

  va_start (args, first);
  for (const char *reply = first; reply != NULL; reply = va_arg (args, const char *))
    g_ptr_array_add (self->script, g_strdup (reply));
  va_end (args);
  return self;
}

typedef struct
{
  QlChatMessage *reply;
  GError        *error;
  gboolean       done;
  GString       *tokens;
} Outcome;

static void
asked_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->reply = ql_chat_ask_finish (QL_CHAT (source), result, &outcome->error);
  outcome->done = TRUE;
}

static void
token_cb (QlChat        *chat,
          QlChatMessage *message,
          const char    *text,
          Outcome       *outcome)
{
  g_string_append (outcome->tokens, text);
}

static void
outcome_clear (Outcome *outcome)
{
  g_clear_object (&outcome->reply);
  g_clear_error (&outcome->error);
  g_string_free (outcome->tokens, TRUE);
}

static void
ask (QlChat     *chat,
     const char *question,
     Outcome    *outcome)
{
  gulong handler;

  outcome->tokens = g_string_new (NULL);
  handler = g_signal_connect (chat, "token", G_CALLBACK (token_cb), outcome);
  ql_chat_ask_async (chat, question, NULL, asked_cb, outcome);
  while (!outcome->done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (chat, handler);
}

static QlChatMessage *
message_at (QlChat *chat,
            guint   position)
{
  QlChatMessage *message = g_list_model_get_item (G_LIST_MODEL (chat), position);

  ck_assert_ptr_nonnull (message);
  g_object_unref (message);
  return message;
}

START_TEST (test_reply_grows_token_by_token)
{
  g_autoptr(QlScriptedBackend) backend = scripted ("Hello|, |world", NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), NULL);
  Outcome outcome = { 0 };

  ask (chat, "Hi?", &outcome);
  ck_assert_ptr_null (outcome.error);
  ck_assert_str_eq (outcome.tokens->str, "Hello, world");
  ck_assert_str_eq (ql_chat_message_get_content (outcome.reply), "Hello, world");
  ck_assert_int_eq (ql_chat_message_get_state (outcome.reply), QL_CHAT_STATE_DONE);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (chat)), 2);
  ck_assert_int_eq (ql_chat_message_get_role (message_at (chat, 0)), QL_CHAT_ROLE_USER);
  ck_assert_ptr_eq (message_at (chat, 1), outcome.reply);
  ck_assert (!ql_chat_get_busy (chat));
  /* The system prompt goes first, then the question. */
  ck_assert (strstr (g_ptr_array_index (backend->requests, 0),
                     "\"role\":\"system\"") != NULL);
  ck_assert (strstr (g_ptr_array_index (backend->requests, 0),
                     "{\"role\":\"user\",\"content\":\"Hi?\"}") != NULL);
  outcome_clear (&outcome);
}
END_TEST

START_TEST (test_the_whole_exchange_is_kept)
{
  g_autoptr(QlScriptedBackend) backend = scripted ("One", "Two", NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), NULL);
  Outcome first = { 0 }, second = { 0 };

  ask (chat, "First?", &first);
  ask (chat, "Second?", &second);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (chat)), 4);
  ck_assert (strstr (g_ptr_array_index (backend->requests, 1),
                     "{\"role\":\"user\",\"content\":\"First?\"},"
                     "{\"role\":\"assistant\",\"content\":\"One\"},"
                     "{\"role\":\"user\",\"content\":\"Second?\"}") != NULL);
  outcome_clear (&first);
  outcome_clear (&second);
}
END_TEST

static gboolean
stop_when_text (gpointer user_data)
{
  QlChat *chat = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (chat));
  g_autoptr(QlChatMessage) last = g_list_model_get_item (G_LIST_MODEL (chat), n - 1);

  if (g_str_equal (ql_chat_message_get_content (last), "Partial"))
    {
      ql_chat_stop (chat);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

START_TEST (test_stop_keeps_what_came)
{
  g_autoptr(QlScriptedBackend) backend = scripted ("Partial|...", "Again", NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), NULL);
  Outcome outcome = { 0 }, again = { 0 };

  g_idle_add_full (G_PRIORITY_DEFAULT, stop_when_text, chat, NULL);
  ask (chat, "Long?", &outcome);
  ck_assert (g_error_matches (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  ck_assert_int_eq (ql_chat_message_get_state (message_at (chat, 1)), QL_CHAT_STATE_STOPPED);
  ck_assert_str_eq (ql_chat_message_get_content (message_at (chat, 1)), "Partial");
  /* The chat answers the next question. */
  ask (chat, "Short?", &again);
  ck_assert_str_eq (ql_chat_message_get_content (again.reply), "Again");
  outcome_clear (&outcome);
  outcome_clear (&again);
}
END_TEST

START_TEST (test_caller_cancellable_stops)
{
  g_autoptr(QlScriptedBackend) backend = scripted ("...", NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { .tokens = g_string_new (NULL) };

  ql_chat_ask_async (chat, "Wait", cancellable, asked_cb, &outcome);
  ck_assert (ql_chat_get_busy (chat));
  g_cancellable_cancel (cancellable);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  ck_assert (g_error_matches (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  ck_assert (!ql_chat_get_busy (chat));
  outcome_clear (&outcome);
}
END_TEST

START_TEST (test_failure_is_kept_on_the_reply)
{
  g_autoptr(QlScriptedBackend) backend = scripted ("Half|!", NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), NULL);
  Outcome outcome = { 0 };

  ask (chat, "Fail?", &outcome);
  ck_assert (g_error_matches (outcome.error, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM));
  ck_assert_int_eq (ql_chat_message_get_state (message_at (chat, 1)), QL_CHAT_STATE_FAILED);
  ck_assert_str_eq (ql_chat_message_get_error (message_at (chat, 1)), "scripted failure");
  ck_assert_str_eq (ql_chat_message_get_content (message_at (chat, 1)), "Half");
  outcome_clear (&outcome);
}
END_TEST

START_TEST (test_one_reply_at_a_time)
{
  g_autoptr(QlScriptedBackend) backend = scripted ("...", NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), NULL);
  Outcome first = { .tokens = g_string_new (NULL) };
  Outcome second = { 0 };

  ql_chat_ask_async (chat, "One", NULL, asked_cb, &first);
  ask (chat, "Two", &second);
  ck_assert (g_error_matches (second.error, QL_CHAT_ERROR, QL_CHAT_ERROR_BUSY));
  ql_chat_stop (chat);
  while (!first.done)
    g_main_context_iteration (NULL, TRUE);
  outcome_clear (&first);
  outcome_clear (&second);
}
END_TEST

static QlLedgerBook *
book_with_cash (QlEventStore *store)
{
  QlLedgerBook *book = ql_test_new_book (store);

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Cash", "EUR", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Cash", "12.50", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_withdraw (book, "Cash", "2", NULL)));
  return book;
}

START_TEST (test_tools_answer_from_the_model)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = book_with_cash (store);
  g_autoptr(QlQuoteBook) quotes = ql_quote_book_new_from_data ("Carpe diem\nMemento mori\n", 24,
                                                               NULL);
  g_autoptr(QlChatTools) tools = ql_chat_tools_new (quotes, book);
  g_autoptr(QlScriptedBackend) backend = scripted (
      "@get_balance {\"ledger\":\"Cash\"}", "@get_state_at {\"ledger\":\"Cash\",\"version\":2}",
      "@get_history {\"ledger\":\"Cash\"}", "@search_quotes {\"pattern\":\"mori\"}", "Done",
      "@list_ledgers", "@get_balance {\"ledger\":\"Nope\"}", "Done again", NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), tools);
  gint64 head = ql_test_head_position (store);
  Outcome outcome = { 0 };
  QlChatMessage *tool;

  ask (chat, "How much?", &outcome);
  ck_assert_str_eq (ql_chat_message_get_content (outcome.reply), "Done");
  outcome_clear (&outcome);
  memset (&outcome, 0, sizeof outcome);
  ask (chat, "Which?", &outcome);
  ck_assert_str_eq (ql_chat_message_get_content (outcome.reply), "Done again");
  outcome_clear (&outcome);

  tool = message_at (chat, 2);
  ck_assert_int_eq (ql_chat_message_get_role (tool), QL_CHAT_ROLE_TOOL);
  ck_assert_str_eq (ql_chat_message_get_summary (tool), "Looked up the balance of “Cash”");
  ck_assert_str_eq (ql_chat_message_get_content (tool),
                    "{\"ledger\":\"Cash\",\"kind\":\"account\",\"balance\":\"10.50 EUR\","
                    "\"currency\":\"EUR\",\"version\":3}");
  tool = message_at (chat, 4);
  ck_assert_str_eq (ql_chat_message_get_summary (tool), "Looked up “Cash” at version 2");
  ck_assert (strstr (ql_chat_message_get_content (tool), "\"balance\":\"12.50 EUR\"") != NULL);
  tool = message_at (chat, 6);
  ck_assert_str_eq (ql_chat_message_get_summary (tool), "Read the history of “Cash”");
  ck_assert_msg (strstr (ql_chat_message_get_content (tool),
                         "\"change\":\"-\",\"amount\":\"2.00 EUR\",\"balance_after\":\"10.50 EUR\"")
                 != NULL, "%s", ql_chat_message_get_content (tool));
  tool = message_at (chat, 8);
  ck_assert_str_eq (ql_chat_message_get_content (tool),
                    "{\"total\":1,\"quotes\":[{\"index\":1,\"text\":\"Memento mori\"}]}");
  tool = message_at (chat, 12);
  ck_assert_str_eq (ql_chat_message_get_summary (tool), "Listed the ledgers");
  ck_assert (strstr (ql_chat_message_get_content (tool), "\"ledger\":\"Cash\"") != NULL);
  tool = message_at (chat, 14);
  ck_assert_str_eq (ql_chat_message_get_content (tool),
                    "{\"error\":\"No ledger is called “Nope”\"}");
  /* The assistant's request and the tool's answer reach the service. */
  ck_assert (strstr (g_ptr_array_index (backend->requests, 1),
                     "\"tool_calls\":[{\"id\":\"call-0\"") != NULL);
  ck_assert (strstr (g_ptr_array_index (backend->requests, 1),
                     "\"role\":\"tool\",\"content\":\"{\\\"ledger\\\":\\\"Cash\\\"") != NULL);
  /* Reading wrote nothing. */
  ck_assert_int_eq (ql_test_head_position (store), head);
}
END_TEST

START_TEST (test_lookups_are_bounded)
{
  g_autoptr(QlQuoteBook) quotes = ql_quote_book_new_default ();
  g_autoptr(QlChatTools) tools = ql_chat_tools_new (quotes, NULL);
  const char *lookup = "@search_quotes {\"pattern\":\"a\"}";
  g_autoptr(QlScriptedBackend) backend = scripted (lookup, lookup, lookup, lookup, lookup, NULL);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), tools);
  Outcome outcome = { 0 };

  ask (chat, "Loop?", &outcome);
  ck_assert (g_error_matches (outcome.error, QL_CHAT_ERROR, QL_CHAT_ERROR_TOO_MANY_LOOKUPS));
  ck_assert_uint_eq (backend->requests->len, QL_CHAT_MAX_LOOKUP_ROUNDS + 1);
  outcome_clear (&outcome);
}
END_TEST

START_TEST (test_tool_definitions_follow_what_is_given)
{
  g_autoptr(QlQuoteBook) quotes = ql_quote_book_new_default ();
  g_autoptr(QlChatTools) only_quotes = ql_chat_tools_new (quotes, NULL);
  g_autoptr(JsonArray) definitions = ql_chat_tools_get_definitions (only_quotes);
  g_autofree char *summary = NULL;
  g_autofree char *answer = NULL;

  ck_assert_uint_eq (json_array_get_length (definitions), 1);
  answer = ql_chat_tools_call (only_quotes, "list_ledgers", "{}", &summary);
  ck_assert_str_eq (answer, "{\"error\":\"There is no lookup called “list_ledgers”\"}");
}
END_TEST

static Suite *
chat_suite (void)
{
  Suite *suite = suite_create ("QlChat");
  TCase *tc = tcase_create ("chat");

  tcase_add_test (tc, test_reply_grows_token_by_token);
  tcase_add_test (tc, test_the_whole_exchange_is_kept);
  tcase_add_test (tc, test_stop_keeps_what_came);
  tcase_add_test (tc, test_caller_cancellable_stops);
  tcase_add_test (tc, test_failure_is_kept_on_the_reply);
  tcase_add_test (tc, test_one_reply_at_a_time);
  tcase_add_test (tc, test_tools_answer_from_the_model);
  tcase_add_test (tc, test_lookups_are_bounded);
  tcase_add_test (tc, test_tool_definitions_follow_what_is_given);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return ql_test_run (chat_suite (), NULL);
}
