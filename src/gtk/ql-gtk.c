/* ql-gtk.c: opens the model and runs the GTK application on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-gtk"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "ql-application.h"
#include "ql-exit-status.h"
#include "ql-gtk.h"
#include "ql-renderer-choice.h"
#include "ql-store.h"

/* Run straight from a build tree, the program finds no settings schema,
 * and g_settings_new() would abort with a GLib trap. */
static gboolean
settings_schema_found (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  return schema != NULL;
}

int
ql_gtk_main (const char *db_location,
             const char *quotes_path)
{
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) ledger_book = NULL;
  g_autoptr(QlQuoteBook) quote_book = NULL;
  g_autoptr(QlApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup (g_get_prgname ());
  char *argv[] = { prgname, NULL };

  if (!settings_schema_found ())
    {
      g_printerr (_("%s: the settings schema %s is not installed: install "
                    "the program, or run it with “meson devenv -C BUILDDIR quote-ledger”\n"),
                  g_get_prgname (), APPLICATION_ID);
      return QL_EXIT_FAILURE;
    }

  /* First, while this is the only thread: GTK reads these when it starts. */
  ql_renderer_choice_apply ("/dev/dri");

  if (quotes_path != NULL)
    quote_book = ql_quote_book_new_from_file (quotes_path, &error);
  else
    quote_book = ql_quote_book_new_default ();
  if (quote_book == NULL)
    {
      g_printerr (_("%s: cannot read quotes from “%s”: %s\n"),
                  g_get_prgname (), quotes_path, error->message);
      return QL_EXIT_FAILURE;
    }

  store = ql_store_open (db_location, &error);
  if (store != NULL)
    ledger_book = ql_ledger_book_new (store, &error);
  if (ledger_book == NULL)
    {
      g_printerr (_("%s: cannot open the ledgers: %s\n"), g_get_prgname (), error->message);
      return QL_EXIT_FAILURE;
    }

  app = ql_application_new (quote_book, ledger_book, G_APPLICATION_DEFAULT_FLAGS);

  /* The command line was parsed by main(): hand GApplication nothing more. */
  return g_application_run (G_APPLICATION (app), 1, argv) == 0 ? QL_EXIT_OK : QL_EXIT_FAILURE;
}
