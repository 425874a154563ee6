/* test-chat-page.c: the Chat page of the window against a scripted upstream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-chat-page"

#include "config.h"

#include <libsoup/soup.h>

#include "ql-test-gtk.h"

/* A scripted upstream in the test's process: its replies are fixed by
 * the question, not generated. "lookup" asks for list_ledgers, then
 * answers once the lookup's answer is in; "wait" never answers; "fail"
 * is an HTTP 500; anything else is two tokens. */
static SoupServer *upstream;
static QlTestApp *test_app;
static GtkWidget *page;

static const char two_tokens[] =
  "data: {\"choices\":[{\"delta\":{\"content\":\"Two \"}}]}\n\n"
  "data: {\"choices\":[{\"delta\":{\"content\":\"tokens\"},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";
static const char lookup[] =
  "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":"
  "\"function\",\"function\":{\"name\":\"list_ledgers\",\"arguments\":\"{}\"}}]},"
  "\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
static const char looked_up[] =
  "data: {\"choices\":[{\"delta\":{\"content\":\"One ledger\"},\"finish_reason\":\"stop\"}]}\n\n";

static void
upstream_cb (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autofree char *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  const char *reply = two_tokens;

  if (strstr (body, "\"content\":\"wait\"") != NULL)
    {
      soup_server_message_pause (message);
      return;
    }
  if (strstr (body, "\"content\":\"fail\"") != NULL)
    {
      const char *error = "{\"error\":{\"message\":\"scripted failure\"}}";

      soup_server_message_set_status (message, 500, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                        error, strlen (error));
      return;
    }
  if (strstr (body, "\"content\":\"lookup\"") != NULL)
    reply = strstr (body, "\"role\":\"tool\"") != NULL ? looked_up : lookup;
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/event-stream", SOUP_MEMORY_STATIC,
                                    reply, strlen (reply));
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

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint port;

  upstream = soup_server_new (NULL, NULL);
  soup_server_add_handler (upstream, "/v1/chat/completions", upstream_cb, NULL, NULL);
  port = listen_on_loopback (upstream, &error);
  ck_assert_msg (port != 0, "%s", error != NULL ? error->message : "");
  url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  g_setenv ("OPENAI_BASE_URL", url, TRUE);

  test_app = ql_test_app_new (FALSE);
  ql_window_show_page (test_app->window, "chat");
  page = ql_test_find_widget (GTK_WIDGET (test_app->window), "chat_page");
}

static void
teardown (void)
{
  g_clear_pointer (&test_app, ql_test_app_free);
  soup_server_disconnect (upstream);
  g_clear_object (&upstream);
  page = NULL;
}

/* Whether a label under @root reads @text. */
static gboolean
shows_text (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_visible (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

static void
ask (const char *question)
{
  ql_test_set_text (page, "question_entry", question);
  ql_test_activate (page, "ask_button");
}

START_TEST (test_answer_streams_in)
{
  GtkWidget *list = ql_test_find_widget (page, "messages_list");

  ask ("hello");
  QL_TEST_WAIT_FOR (shows_text (list, "Two tokens"), 5000);
  ck_assert (shows_text (list, "hello"));
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (ql_test_find_widget (page,
                                                                              "question_entry"))),
                    "");
  QL_TEST_WAIT_FOR (gtk_widget_is_sensitive (ql_test_find_widget (page, "ask_button")), 5000);
  ck_assert (!gtk_widget_is_sensitive (ql_test_find_widget (page, "stop_button")));
}
END_TEST

START_TEST (test_lookup_is_shown_as_what_was_looked_up)
{
  GtkWidget *list = ql_test_find_widget (page, "messages_list");

  ask ("lookup");
  QL_TEST_WAIT_FOR (shows_text (list, "One ledger"), 5000);
  ck_assert (shows_text (list, "Listed the ledgers"));
  /* The data the assistant read is not shown. */
  ck_assert (!shows_text (list, "{\"ledgers\":[]}"));
}
END_TEST

START_TEST (test_stop_button_stops_the_answer)
{
  GtkWidget *stop = ql_test_find_widget (page, "stop_button");

  ask ("wait");
  QL_TEST_WAIT_FOR (gtk_widget_is_sensitive (stop), 5000);
  ck_assert (!gtk_widget_is_sensitive (ql_test_find_widget (page, "ask_button")));
  ql_test_activate (page, "stop_button");
  QL_TEST_WAIT_FOR (!gtk_widget_is_sensitive (stop), 5000);
  ck_assert (gtk_widget_is_sensitive (ql_test_find_widget (page, "ask_button")));
  /* A stopped answer is not an error. */
  ck_assert (!shows_text (GTK_WIDGET (test_app->window), "scripted failure"));
}
END_TEST

START_TEST (test_error_is_a_toast)
{
  ask ("fail");
  QL_TEST_WAIT_FOR (shows_text (GTK_WIDGET (test_app->window),
                                "The language model service answered 500 Internal Server "
                                "Error: scripted failure"), 5000);
}
END_TEST

static Suite *
chat_page_suite (void)
{
  Suite *suite = suite_create ("QlChatPage");
  TCase *tc = tcase_create ("chat-page");

  /* A window in an ASan build: far slower than Check's 4 s default. */
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_answer_streams_in);
  tcase_add_test (tc, test_lookup_is_shown_as_what_was_looked_up);
  tcase_add_test (tc, test_stop_button_stops_the_answer);
  tcase_add_test (tc, test_error_is_a_toast);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return ql_test_run_suite (chat_page_suite ());
}
