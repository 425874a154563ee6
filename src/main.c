/* main.c: reads the command line and hands over to one front-end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "chat/ql-chat-server.h"
#include "chat/ql-chat-service.h"
#include "ql-exit-status.h"
#include "screen/ql-screen.h"
#include "terminal/ql-terminal.h"
#ifdef QL_HAVE_GTK
#include "gtk/ql-gtk.h"
#endif
#ifdef QL_HAVE_PAYMENTS
#include <errno.h>
#include <unistd.h>

#include "payments/ql-payments.h"
#endif

static gboolean
display_available (void)
{
  const char *x11 = g_getenv ("DISPLAY");
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");

  return (x11 != NULL && *x11 != '\0') || (wayland != NULL && *wayland != '\0');
}

static gboolean
parse_serve_chat (const char  *option_name,
                  const char  *value,
                  gpointer     data,
                  GError     **error)
{
  char **address = data;

  g_free (*address);
  *address = g_strdup (value != NULL ? value : QL_CHAT_SERVER_DEFAULT_ADDRESS);
  return TRUE;
}

/* The flags name the language model service for every front-end the way
 * OpenAI's SDKs read it: through the environment. */
static void
set_llm_environment (const char *url,
                     const char *model)
{
  if (url != NULL)
    g_setenv ("OPENAI_BASE_URL", url, TRUE);
  if (model != NULL)
    g_setenv ("OPENAI_MODEL", model, TRUE);
}

#ifdef QL_HAVE_PAYMENTS
static gboolean
parse_serve_payments (const char  *option_name,
                      const char  *value,
                      gpointer     data,
                      GError     **error)
{
  char **address = data;

  g_free (*address);
  *address = g_strdup (value != NULL ? value : QL_PAYMENTS_DEFAULT_ADDRESS);
  return TRUE;
}

/* The service program sits beside this one in a build tree, and in
 * LIBEXECDIR once installed. */
static char *
find_payments_program (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *beside = g_build_filename (dir, "quote-ledger-payments", NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&beside);
    }
  return g_build_filename (LIBEXECDIR, "quote-ledger-payments", NULL);
}

static int
run_payments_program (const char *db_location,
                      const char *address)
{
  g_autofree char *program = find_payments_program ();
  const char *argv[] = { program, address, "--db", db_location, NULL };

  if (db_location == NULL)
    argv[2] = NULL;
  execv (program, (char **) argv);

  g_printerr (_("%s: cannot run %s: %s\n"), g_get_prgname (), program, g_strerror (errno));
  return QL_EXIT_FAILURE;
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_location = NULL;
  g_autofree char *quotes_path = NULL;
  g_autofree char *payments_address = NULL;
  g_autofree char *chat_address = NULL;
  g_autofree char *llm_url = NULL;
  g_autofree char *llm_model = NULL;
  GOptionGroup *chat_group;
  GOptionGroup *main_group;
  const char *locale_dir;
  gboolean tui = FALSE;
  gboolean line = FALSE;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "tui", 't', 0, G_OPTION_ARG_NONE, &tui,
      N_("Use the terminal view, even when a display is available"), NULL },
    { "line", 'l', 0, G_OPTION_ARG_NONE, &line,
      N_("In the terminal, read and answer line by line instead of the full-screen view"), NULL },
    { "db", 'd', 0, G_OPTION_ARG_FILENAME, &db_location,
      N_("Keep ledgers in the database file PATH, in the PostgreSQL database a URI or "
         "connection string names, or in “:memory:”, a store that is not kept"),
      N_("PATH") },
    { "quotes", 'q', 0, G_OPTION_ARG_FILENAME, &quotes_path,
      N_("Read quotes from FILE: one per line, or fortune format"), N_("FILE") },
#ifdef QL_HAVE_PAYMENTS
    { "serve-payments", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK,
      (gpointer) parse_serve_payments,
      N_("Serve the ledgers as a gRPC payment service on ADDRESS (default 127.0.0.1:50051)"),
      N_("ADDRESS") },
#endif
    { "version", 'v', 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };
  const GOptionEntry chat_entries[] = {
    { "serve-chat", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK,
      (gpointer) parse_serve_chat,
      N_("Serve the assistant over HTTP on ADDRESS (default 127.0.0.1:8000)"), N_("ADDRESS") },
    { "llm-url", 0, 0, G_OPTION_ARG_STRING, &llm_url,
      N_("The OpenAI-compatible service the assistant asks (default: from the environment, "
         "else http://127.0.0.1:8080/v1)"), N_("URL") },
    { "llm-model", 0, 0, G_OPTION_ARG_STRING, &llm_model,
      N_("The model the assistant asks for (default: from the environment)"), N_("NAME") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* QL_LOCALEDIR points a program run from the build tree (tests,
   * `meson devenv`) at the catalogues the build compiled. */
  locale_dir = g_getenv ("QL_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE,
                  locale_dir != NULL && *locale_dir != '\0' ? locale_dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Look up quotes and keep event-sourced ledgers of accounts "
                                  "and inventory items."));
  /* A group of our own, so that option callbacks get &payments_address. */
  main_group = g_option_group_new (NULL, NULL, NULL, &payments_address, NULL);
  g_option_group_add_entries (main_group, entries);
  g_option_group_set_translation_domain (main_group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, main_group);
  chat_group = g_option_group_new ("assistant", _("Assistant options:"),
                                   _("Show the assistant’s options"), &chat_address, NULL);
  g_option_group_add_entries (chat_group, chat_entries);
  g_option_group_set_translation_domain (chat_group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, chat_group);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
      return QL_EXIT_USAGE;
    }

  if (argc > 1)
    {
      g_printerr (_("%s: unexpected argument “%s”\n"), g_get_prgname (), argv[1]);
      return QL_EXIT_USAGE;
    }

  if (version)
    {
      g_print ("quote-ledger %s\n", PACKAGE_VERSION);
      return QL_EXIT_OK;
    }

  set_llm_environment (llm_url, llm_model);
  if (chat_address != NULL)
    return ql_chat_service_main (db_location, quotes_path, chat_address);

#ifdef QL_HAVE_PAYMENTS
  if (payments_address != NULL)
    return run_payments_program (db_location, payments_address);
#endif

#ifdef QL_HAVE_GTK
  if (!tui && !line && display_available ())
    return ql_gtk_main (db_location, quotes_path);
#else
  (void) display_available;
#endif

  /* Pipes and scripts get the line view, byte for byte as ever. */
  if (tui && !line && ql_screen_is_available ())
    return ql_screen_main (db_location, quotes_path);

  return ql_terminal_main (db_location, quotes_path);
}
