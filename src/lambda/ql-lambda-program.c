/* ql-lambda-program.c: `bootstrap`, the AWS Lambda custom runtime
 *
 * Lambda starts this program in a provided.al2023 sandbox. It asks the
 * Runtime API for invocations one at a time, runs the function that
 * _HANDLER names in a worker process (ql-lambda-worker.c) and posts the
 * result or the error back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-lambda"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>

#include "ql-exit-status.h"
#include "ql-lambda-runtime.h"
#include "ql-lambda-worker.h"

/* How long a call to the Runtime API keeps trying by default while the
 * API is unreachable. */
#define DEFAULT_RETRY_MS 10000

/* The catalogues: the build tree's under QL_LOCALEDIR, the zip's beside
 * the bootstrap in a Lambda sandbox, else the installed ones. */
static void
bind_catalogues (void)
{
  const char *locale_dir = g_getenv ("QL_LOCALEDIR");
  const char *task_root = g_getenv ("LAMBDA_TASK_ROOT");
  g_autofree char *zipped = task_root != NULL ? g_build_filename (task_root, "locale", NULL)
                                              : NULL;

  if (locale_dir == NULL || *locale_dir == '\0')
    locale_dir = zipped != NULL && g_file_test (zipped, G_FILE_TEST_IS_DIR) ? zipped : LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

static guint
retry_budget (void)
{
  const char *text = g_getenv ("QL_LAMBDA_API_RETRY_MS");
  guint64 value;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    return (guint) value;
  return DEFAULT_RETRY_MS;
}

/* Answers one invocation. Returns FALSE only when the Runtime API cannot
 * be reached any more, which ends the runtime. */
static gboolean
answer (QlLambdaRuntime    *runtime,
        QlLambdaWorker     *worker,
        QlLambdaInvocation *invocation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) post_error = NULL;
  g_autofree char *error_type = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GBytes) result = NULL;
  gint64 deadline_ms = invocation->deadline_ms;
  gboolean posted;

  /* A deadline already past on arrival is no deadline Lambda set: some
   * emulators send a fixed small number instead. */
  if (deadline_ms > 0 && deadline_ms <= g_get_real_time () / 1000)
    {
      g_debug ("Invocation %s has a deadline in the past (%" G_GINT64_FORMAT
               "); it runs without one", invocation->request_id, deadline_ms);
      deadline_ms = 0;
    }

  if (invocation->payload == NULL)
    {
      error_type = g_strdup ("Runtime.RequestTooLarge");
      message = g_strdup_printf (_("The event is larger than %d bytes"),
                                 QL_LAMBDA_PAYLOAD_MAX_BYTES);
    }
  else
    {
      result = ql_lambda_worker_invoke (worker, invocation->trace_id, invocation->payload,
                                        deadline_ms, &error_type, &error);
      if (result == NULL)
        message = g_strdup (error->message);
      else if (g_bytes_get_size (result) > QL_LAMBDA_PAYLOAD_MAX_BYTES)
        {
          error_type = g_strdup ("Function.ResponseSizeTooLarge");
          message = g_strdup_printf (_("The response is %lu bytes; it can be at most %d bytes"),
                                     (gulong) g_bytes_get_size (result),
                                     QL_LAMBDA_PAYLOAD_MAX_BYTES);
          g_clear_pointer (&result, g_bytes_unref);
        }
    }

  if (result != NULL)
    posted = ql_lambda_runtime_respond (runtime, invocation->request_id, result, &post_error);
  else
    {
      g_printerr ("%s: %s: %s\n", invocation->request_id, error_type, message);
      posted = ql_lambda_runtime_report_error (runtime, invocation->request_id, error_type,
                                               message, &post_error);
    }

  if (posted)
    return TRUE;
  g_printerr (_("Invocation %s could not be answered: %s\n"), invocation->request_id,
              post_error->message);
  return !g_error_matches (post_error, QL_LAMBDA_RUNTIME_ERROR,
                           QL_LAMBDA_RUNTIME_ERROR_UNREACHABLE);
}

static int
run (const char *api,
     const char *handler,
     const char *database)
{
  g_autoptr(QlLambdaRuntime) runtime = ql_lambda_runtime_new (api, retry_budget ());
  g_autoptr(QlLambdaWorker) worker = ql_lambda_worker_new (handler, database);
  g_autoptr(GError) error = NULL;
  g_autofree char *error_type = NULL;

  if (!ql_lambda_worker_start (worker, &error_type, &error))
    {
      g_autoptr(GError) post_error = NULL;

      g_printerr ("%s: %s: %s\n", g_get_prgname (), error_type, error->message);
      if (!ql_lambda_runtime_report_error (runtime, NULL, error_type, error->message,
                                           &post_error))
        g_printerr (_("The init error could not be reported: %s\n"), post_error->message);
      return QL_EXIT_FAILURE;
    }

  for (;;)
    {
      g_autoptr(QlLambdaInvocation) invocation = ql_lambda_runtime_next (runtime, &error);

      if (invocation == NULL)
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return QL_EXIT_FAILURE;
        }
      if (!answer (runtime, worker, invocation))
        return QL_EXIT_FAILURE;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  const char *api;
  const char *handler;
  int status;

  setlocale (LC_ALL, "");
  bind_catalogues ();
  g_set_prgname ("bootstrap");

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    _("Serve Quote Ledger's functions as an AWS Lambda custom runtime."));
  /* The variables' names are no words to translate. */
  description = g_strdup_printf (
    _("Lambda sets %s and %s: square, balance, process-payment or invoice. The ledger "
      "functions open the PostgreSQL database that %s names. %s (default 10000) is how "
      "long an unreachable Runtime API is tried again."),
    "AWS_LAMBDA_RUNTIME_API", "_HANDLER", "QL_DATABASE", "QL_LAMBDA_API_RETRY_MS");
  g_option_context_set_description (context, description);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 1)
    {
      g_printerr ("%s: %s\n", g_get_prgname (),
                  error != NULL ? error->message : _("too many arguments"));
      return QL_EXIT_USAGE;
    }

  api = g_getenv ("AWS_LAMBDA_RUNTIME_API");
  handler = g_getenv ("_HANDLER");
  if (api == NULL || *api == '\0')
    {
      g_printerr (_("%s: AWS_LAMBDA_RUNTIME_API is not set: this program runs inside AWS "
                    "Lambda or an emulator of it\n"), g_get_prgname ());
      return QL_EXIT_USAGE;
    }

  /* A worker that died must not take the runtime with it through a write
   * to its pipe. */
  signal (SIGPIPE, SIG_IGN);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  status = run (api, handler, g_getenv ("QL_DATABASE"));
  curl_global_cleanup ();
  return status;
}
