/* test-openai-backend.c: the HTTP adapter against a scripted upstream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <libsoup/soup.h>

#include "ql-chat.h"
#include "ql-openai-backend.h"
#include "ql-test-model.h"

#define SECRET "sk-test-secret-0123"

/* A scripted upstream in this process: what it answers is set by the
 * test, not generated; it records the request it got. */
typedef struct
{
  SoupServer *server;
  char       *base_url;
  const char *body;
  const char *content_type;
  guint       status;
  gboolean    stall;
  char       *request;
  char       *authorization;
} ScriptedUpstream;

static void
upstream_cb (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  ScriptedUpstream *upstream = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  const char *authorization = soup_message_headers_get_one (
      soup_server_message_get_request_headers (message), "Authorization");

  g_free (upstream->request);
  upstream->request = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_free (upstream->authorization);
  upstream->authorization = g_strdup (authorization);
  if (upstream->stall)
    {
      soup_server_message_pause (message);
      return;
    }
  soup_server_message_set_status (message, upstream->status, NULL);
  soup_server_message_set_response (message, upstream->content_type, SOUP_MEMORY_STATIC,
                                    upstream->body, strlen (upstream->body));
}

/* Listens on a socket of our own, and returns its port: libsoup 3.2's
 * soup_server_get_uris() leaks the addresses it reads back. */
static guint
listen_on_loopback (SoupServer  *server,
                    GError     **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL || !g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) || !soup_server_listen_socket (server, socket, 0, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  return bound != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

static ScriptedUpstream *
scripted_upstream_new (void)
{
  ScriptedUpstream *upstream = g_new0 (ScriptedUpstream, 1);
  g_autoptr(GError) error = NULL;
  guint port;

  upstream->server = soup_server_new (NULL, NULL);
  upstream->status = SOUP_STATUS_OK;
  upstream->content_type = "text/event-stream";
  soup_server_add_handler (upstream->server, "/v1/chat/completions", upstream_cb, upstream, NULL);
  port = listen_on_loopback (upstream->server, &error);
  ck_assert_msg (port != 0, "%s", error != NULL ? error->message : "");
  upstream->base_url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  return upstream;
}

static void
scripted_upstream_free (ScriptedUpstream *upstream)
{
  soup_server_disconnect (upstream->server);
  g_object_unref (upstream->server);
  /* The closed connections are let go from the main loop. */
  for (guint i = 0; i < 100 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  g_free (upstream->base_url);
  g_free (upstream->request);
  g_free (upstream->authorization);
  g_free (upstream);
}

typedef struct
{
  GString    *tokens;
  JsonObject *answer;
  GError     *error;
  gboolean    done;
} Result;

static void
token_cb (const char *text,
          gpointer    user_data)
{
  g_string_append (((Result *) user_data)->tokens, text);
}

static void
completed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *out = user_data;

  out->answer = ql_chat_backend_complete_finish (QL_CHAT_BACKEND (source), result, &out->error);
  out->done = TRUE;
}

static void
complete (QlOpenaiBackend *backend,
          JsonObject      *options,
          Result          *out)
{
  g_autoptr(JsonNode) messages = json_from_string ("[{\"role\":\"user\",\"content\":\"Hi\"}]",
                                                   NULL);

  out->tokens = g_string_new (NULL);
  ql_chat_backend_complete_async (QL_CHAT_BACKEND (backend), json_node_get_array (messages),
                                  NULL, options, token_cb, out, NULL, completed_cb, out);
  while (!out->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
result_clear (Result *out)
{
  g_string_free (out->tokens, TRUE);
  g_clear_pointer (&out->answer, json_object_unref);
  g_clear_error (&out->error);
}

static QlOpenaiBackend *
backend_for (ScriptedUpstream *upstream,
             guint             timeout)
{
  g_autoptr(GError) error = NULL;
  QlOpenaiBackend *backend = ql_openai_backend_new (upstream->base_url, SECRET, "tiny", timeout,
                                                    &error);

  ck_assert_ptr_nonnull (backend);
  return backend;
}

START_TEST (test_streams_tokens_and_tool_calls)
{
  ScriptedUpstream *upstream = scripted_upstream_new ();
  g_autoptr(QlOpenaiBackend) backend = backend_for (upstream, 5);
  g_autoptr(JsonNode) options = json_from_string ("{\"temperature\":0,\"secret\":1}", NULL);
  Result out = { 0 };
  JsonObject *call;

  upstream->body =
    ": a comment\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\","
    "\"function\":{\"name\":\"get_bal\",\"arguments\":\"{\\\"led\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"name\":\"ance\",\"arguments\":\"ger\\\":\\\"Cash\\\"}\"}}]},"
    "\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: [DONE]\n\n";
  complete (backend, json_node_get_object (options), &out);
  ck_assert_ptr_null (out.error);
  ck_assert_str_eq (out.tokens->str, "Hello");
  ck_assert_str_eq (json_object_get_string_member (out.answer, "content"), "Hello");
  call = json_array_get_object_element (json_object_get_array_member (out.answer, "tool_calls"), 0);
  ck_assert_str_eq (json_object_get_string_member (call, "id"), "c1");
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (call, "function"),
                                                   "name"), "get_balance");
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (call, "function"),
                                                   "arguments"), "{\"ledger\":\"Cash\"}");
  /* The request: the model, streaming, sampling options but nothing else. */
  ck_assert_str_eq (upstream->request,
                    "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                    "\"stream\":true,\"temperature\":0}");
  ck_assert_str_eq (upstream->authorization, "Bearer " SECRET);
  result_clear (&out);
  scripted_upstream_free (upstream);
}
END_TEST

START_TEST (test_error_event_mid_stream)
{
  ScriptedUpstream *upstream = scripted_upstream_new ();
  g_autoptr(QlOpenaiBackend) backend = backend_for (upstream, 5);
  Result out = { 0 };

  upstream->body =
    "data: {\"choices\":[{\"delta\":{\"content\":\"Par\"}}]}\n\n"
    "event: error\ndata: {\"error\":{\"message\":\"out of memory\"}}\n\n";
  complete (backend, NULL, &out);
  ck_assert (g_error_matches (out.error, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM));
  ck_assert_str_eq (out.error->message, "The language model service failed: out of memory");
  ck_assert_str_eq (out.tokens->str, "Par");
  result_clear (&out);
  scripted_upstream_free (upstream);
}
END_TEST

START_TEST (test_stream_cut_short)
{
  ScriptedUpstream *upstream = scripted_upstream_new ();
  g_autoptr(QlOpenaiBackend) backend = backend_for (upstream, 5);
  Result out = { 0 };

  upstream->body = "data: {\"choices\":[{\"delta\":{\"content\":\"Par\"}}]}\n\n";
  complete (backend, NULL, &out);
  ck_assert (g_error_matches (out.error, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM));
  result_clear (&out);
  scripted_upstream_free (upstream);
}
END_TEST

START_TEST (test_http_error_says_why_without_the_key)
{
  ScriptedUpstream *upstream = scripted_upstream_new ();
  g_autoptr(QlOpenaiBackend) backend = backend_for (upstream, 5);
  Result out = { 0 };

  upstream->status = SOUP_STATUS_UNAUTHORIZED;
  upstream->content_type = "application/json";
  upstream->body = "{\"error\":{\"message\":\"Incorrect API key provided\"}}";
  complete (backend, NULL, &out);
  ck_assert (g_error_matches (out.error, QL_CHAT_ERROR, QL_CHAT_ERROR_UPSTREAM));
  ck_assert_str_eq (out.error->message, "The language model service answered 401 Unauthorized: "
                                        "Incorrect API key provided");
  result_clear (&out);
  scripted_upstream_free (upstream);
}
END_TEST

START_TEST (test_whole_answer_when_not_streamed)
{
  ScriptedUpstream *upstream = scripted_upstream_new ();
  g_autoptr(QlOpenaiBackend) backend = backend_for (upstream, 5);
  Result out = { 0 };

  upstream->content_type = "application/json";
  upstream->body = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"All at once\"},"
                   "\"finish_reason\":\"stop\"}]}";
  complete (backend, NULL, &out);
  ck_assert_ptr_null (out.error);
  ck_assert_str_eq (out.tokens->str, "All at once");
  result_clear (&out);
  scripted_upstream_free (upstream);
}
END_TEST

START_TEST (test_silence_times_out)
{
  ScriptedUpstream *upstream = scripted_upstream_new ();
  g_autoptr(QlOpenaiBackend) backend = backend_for (upstream, 1);
  Result out = { 0 };

  upstream->stall = TRUE;
  complete (backend, NULL, &out);
  ck_assert (g_error_matches (out.error, QL_CHAT_ERROR, QL_CHAT_ERROR_TIMEOUT));
  result_clear (&out);
  scripted_upstream_free (upstream);
}
END_TEST

START_TEST (test_service_down)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(QlOpenaiBackend) backend = NULL;
  g_autofree char *url = NULL;
  Result out = { 0 };

  /* A port bound but not listening refuses connections. */
  ck_assert (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("http://user:pw@127.0.0.1:%u/v1",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  backend = ql_openai_backend_new (url, SECRET, NULL, 5, NULL);
  complete (backend, NULL, &out);
  ck_assert (g_error_matches (out.error, QL_CHAT_ERROR, QL_CHAT_ERROR_UNAVAILABLE));
  ck_assert (strstr (out.error->message, "Cannot reach the language model service") != NULL);
  ck_assert (strstr (out.error->message, "pw") == NULL);
  ck_assert (strstr (out.error->message, SECRET) == NULL);
  result_clear (&out);
}
END_TEST

START_TEST (test_configuration_from_the_environment)
{
  g_autoptr(QlOpenaiBackend) backend = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1/", TRUE);
  g_setenv ("OPENAI_MODEL", "llama3", TRUE);
  backend = ql_openai_backend_new_from_environment (&error);
  ck_assert_ptr_nonnull (backend);
  ck_assert_str_eq (ql_openai_backend_get_base_url (backend), "http://127.0.0.1:11434/v1/");
  ck_assert_str_eq (ql_openai_backend_get_model (backend), "llama3");
  g_clear_object (&backend);

  g_setenv ("OPENAI_BASE_URL", "ftp://example.org", TRUE);
  backend = ql_openai_backend_new_from_environment (&error);
  ck_assert_ptr_null (backend);
  ck_assert (g_error_matches (error, QL_CHAT_ERROR, QL_CHAT_ERROR_INVALID_REQUEST));
  g_clear_error (&error);

  g_unsetenv ("OPENAI_BASE_URL");
  g_setenv ("QL_LLM_TIMEOUT", "soon", TRUE);
  backend = ql_openai_backend_new_from_environment (&error);
  ck_assert_ptr_null (backend);
  g_unsetenv ("QL_LLM_TIMEOUT");
}
END_TEST

static void
asked_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  QlChatMessage **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ql_chat_ask_finish (QL_CHAT (source), result, &error);
  ck_assert_msg (*out != NULL, "%s", error->message);
}

START_TEST (test_chat_over_http)
{
  ScriptedUpstream *upstream = scripted_upstream_new ();
  g_autoptr(QlOpenaiBackend) backend = backend_for (upstream, 5);
  g_autoptr(QlChat) chat = ql_chat_new (QL_CHAT_BACKEND (backend), NULL);
  g_autoptr(QlChatMessage) answer = NULL;
  g_autoptr(QlChatMessage) reply = NULL;

  upstream->body = "data: {\"choices\":[{\"delta\":{\"content\":\"Fine\"},"
                   "\"finish_reason\":\"stop\"}]}\n\n";
  ql_chat_ask_async (chat, "How are you?", NULL, asked_cb, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = g_list_model_get_item (G_LIST_MODEL (chat), 1);
  ck_assert_ptr_eq (answer, reply);
  ck_assert_str_eq (ql_chat_message_get_content (reply), "Fine");
  ck_assert_int_eq (ql_chat_message_get_state (reply), QL_CHAT_STATE_DONE);
  scripted_upstream_free (upstream);
}
END_TEST

static Suite *
backend_suite (void)
{
  Suite *suite = suite_create ("QlOpenaiBackend");
  TCase *tc = tcase_create ("backend");

  tcase_add_test (tc, test_streams_tokens_and_tool_calls);
  tcase_add_test (tc, test_error_event_mid_stream);
  tcase_add_test (tc, test_stream_cut_short);
  tcase_add_test (tc, test_http_error_says_why_without_the_key);
  tcase_add_test (tc, test_whole_answer_when_not_streamed);
  tcase_add_test (tc, test_silence_times_out);
  tcase_add_test (tc, test_service_down);
  tcase_add_test (tc, test_configuration_from_the_environment);
  tcase_add_test (tc, test_chat_over_http);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return ql_test_run (backend_suite (), NULL);
}
