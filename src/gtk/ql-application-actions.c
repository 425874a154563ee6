/* ql-application-actions.c: the actions of QlApplication
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-application-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-application-private.h"

static void
ql_application_actions_quit_cb (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  QlApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  g_assert (QL_IS_APPLICATION (self));

  /* Closing, rather than destroying, lets each window save its size. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (G_APPLICATION (self));
}

static void
ql_application_actions_about_cb (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  QlApplication *self = user_data;
  const char *developers[] = { _("The Quote Ledger developers"), NULL };
  GtkWidget *about;

  g_assert (QL_IS_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-icon", APPLICATION_ID,
                        "application-name", _("Quote Ledger"),
                        "developer-name", _("The Quote Ledger developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Look up quotes and keep event-sourced ledgers of "
                                      "accounts and inventory items."),
                        "website", "https://github.com/quoteledger/quote-ledger",
                        "issue-url", "https://github.com/quoteledger/quote-ledger/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
ql_application_actions_change_skin_cb (GSimpleAction *action,
                                       GVariant      *value,
                                       gpointer       user_data)
{
  QlApplication *self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (QL_IS_APPLICATION (self));

  /* The state changes only once the skin is in use, so menus never show
   * a skin that failed to load as the current one. */
  if (!_ql_application_apply_skin (self, g_variant_get_string (value, NULL), &error))
    _ql_application_report_error (self, error->message);
}

static const GActionEntry actions[] = {
  { "quit", ql_application_actions_quit_cb },
  { "about", ql_application_actions_about_cb },
};

static const struct {
  const char *action;
  const char *accels[2];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "win.page::quotes", { "<Control>1", NULL } },
  { "win.page::ledgers", { "<Control>2", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.new-ledger", { "<Control>n", NULL } },
  { "win.import", { "<Control>o", NULL } },
  { "win.export", { "<Control><Shift>s", NULL } },
  { "win.enter-amount", { "<Control>e", NULL } },
};

void
_ql_application_actions_init (QlApplication *self)
{
  g_autoptr(GAction) color_scheme = NULL;
  g_autoptr(GSimpleAction) skin = NULL;

  g_assert (QL_IS_APPLICATION (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  /* The setting is the state: the window follows it through AdwStyleManager. */
  color_scheme = g_settings_create_action (self->settings, "color-scheme");
  g_action_map_add_action (G_ACTION_MAP (self), color_scheme);

  skin = g_simple_action_new_stateful ("skin", G_VARIANT_TYPE_STRING,
                                       g_variant_new_string (ql_skin_manager_get_skin (self->skin_manager)));
  g_signal_connect_object (skin, "change-state",
                           G_CALLBACK (ql_application_actions_change_skin_cb), self, 0);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (skin));

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);
}
