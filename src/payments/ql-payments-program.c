/* ql-payments-program.c: the program `quote-ledger --serve-payments` runs
 *
 * The service is a program of its own so that gRPC's libraries, which
 * start threads and open descriptors before main(), load only where they
 * are used and never into the terminal or GTK front-ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-payments"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ql-exit-status.h"
#include "ql-payments.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_location = NULL;
  const char *locale_dir;
  int max_connections = 0;
  const GOptionEntry entries[] = {
    { "db", 'd', 0, G_OPTION_ARG_FILENAME, &db_location,
      N_("Keep ledgers in the database file PATH"), N_("PATH") },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
      N_("Keep at most N client connections open; by default as many as the descriptor limit allows, up to 1000"),
      N_("N") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* As quote-ledger does: the build tree's catalogues when run from it. */
  locale_dir = g_getenv ("QL_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE,
                  locale_dir != NULL && *locale_dir != '\0' ? locale_dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("quote-ledger");

  context = g_option_context_new (_("[ADDRESS]"));
  g_option_context_set_summary (context, _("Serve the ledgers as a gRPC payment service."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 2 ||
      max_connections < 0)
    {
      g_printerr ("%s: %s\n", g_get_prgname (),
                  error != NULL ? error->message
                  : max_connections < 0 ? _("--max-connections needs a positive number")
                  : _("too many arguments"));
      return QL_EXIT_USAGE;
    }

  return ql_payments_main (db_location, argc == 2 ? argv[1] : NULL, max_connections);
}
