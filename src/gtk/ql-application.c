/* ql-application.c: the GTK application, owner of the model and the settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-application-private.h"
#include "ql-window.h"

/* How often the ledger book looks for events written by other processes. */
#define WATCH_INTERVAL_MS 500

G_DEFINE_FINAL_TYPE (QlApplication, ql_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_QUOTE_BOOK,
  PROP_LEDGER_BOOK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
color_scheme_from_setting (GValue   *value,
                           GVariant *variant,
                           gpointer  user_data)
{
  const char *scheme = g_variant_get_string (variant, NULL);

  if (g_str_equal (scheme, "dark"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_str_equal (scheme, "light"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else
    g_value_set_enum (value, ADW_COLOR_SCHEME_DEFAULT);

  return TRUE;
}

static char *
dup_user_skins_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "quote-ledger", "skins", NULL);
}

static void
on_style_manager_notify_dark_cb (QlApplication   *self,
                                 GParamSpec      *pspec,
                                 AdwStyleManager *style_manager)
{
  g_assert (QL_IS_APPLICATION (self));

  ql_skin_manager_set_dark (self->skin_manager, adw_style_manager_get_dark (style_manager));
}

static void
on_settings_changed_skin_cb (QlApplication *self,
                             const char    *key,
                             GSettings     *settings)
{
  g_autofree char *skin = g_settings_get_string (settings, key);
  g_autoptr(GError) error = NULL;

  g_assert (QL_IS_APPLICATION (self));

  if (g_str_equal (skin, ql_skin_manager_get_skin (self->skin_manager)))
    return;

  /* A skin that failed is never remembered: the next start would meet it. */
  if (!_ql_application_apply_skin (self, skin, &error))
    {
      _ql_application_report_error (self, error->message);
      g_settings_set_string (settings, key, ql_skin_manager_get_skin (self->skin_manager));
    }
}

static void
ql_application_startup (GApplication *application)
{
  QlApplication *self = QL_APPLICATION (application);
  AdwStyleManager *style_manager;
  g_autofree char *user_skins_dir = dup_user_skins_dir ();
  g_autofree char *skin = NULL;
  g_autoptr(GError) error = NULL;

  g_application_set_resource_base_path (application, "/io/github/quoteledger/QuoteLedger");

  G_APPLICATION_CLASS (ql_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APPLICATION_ID);

  self->settings = g_settings_new (APPLICATION_ID);

  style_manager = adw_style_manager_get_default ();
  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                style_manager, "color-scheme",
                                G_SETTINGS_BIND_GET,
                                color_scheme_from_setting, NULL, NULL, NULL);

  self->skin_manager = ql_skin_manager_new (gdk_display_get_default (), user_skins_dir);
  ql_skin_manager_set_dark (self->skin_manager, adw_style_manager_get_dark (style_manager));
  g_signal_connect_object (style_manager, "notify::dark",
                           G_CALLBACK (on_style_manager_notify_dark_cb), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->skin_manager, "reload-failed",
                           G_CALLBACK (_ql_application_report_error), self,
                           G_CONNECT_SWAPPED);

  /* A skin file removed or broken since the last run: start with the
   * default look, forget the skin so that it cannot fail every start, and
   * say so once the window is there. */
  skin = g_settings_get_string (self->settings, "skin");
  if (!ql_skin_manager_load (self->skin_manager, skin, &error))
    {
      g_warning ("%s", error->message);
      /* The details, with the file's path, are too long for a toast. */
      self->startup_notice = g_strdup_printf (_("The skin “%s” cannot be used: started with the default look"),
                                              skin);
      g_settings_set_string (self->settings, "skin", QL_SKIN_DEFAULT);
    }
  g_signal_connect_object (self->settings, "changed::skin",
                           G_CALLBACK (on_settings_changed_skin_cb), self,
                           G_CONNECT_SWAPPED);

  _ql_application_actions_init (self);

  ql_ledger_book_watch (self->ledger_book, WATCH_INTERVAL_MS);
}

static void
on_first_frame_painted_cb (GdkFrameClock *clock)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_painted_cb, NULL);
  g_printerr ("first-frame\n");
}

static void
ql_application_activate (GApplication *application)
{
  QlApplication *self = QL_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));
  gboolean first = window == NULL;

  if (first)
    window = GTK_WINDOW (ql_window_new (QL_APPLICATION (application)));

  gtk_window_present (window);

  if (self->startup_notice != NULL && QL_IS_WINDOW (window))
    {
      g_autofree char *notice = g_steal_pointer (&self->startup_notice);

      ql_window_show_toast (QL_WINDOW (window), notice);
    }

  /* ql-bench times start-up to the first frame painted, not to the window mapped. */
  if (first && g_strcmp0 (g_getenv ("QL_REPORT_FIRST_FRAME"), "1") == 0)
    g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                      G_CALLBACK (on_first_frame_painted_cb), NULL);
}

static void
ql_application_dispose (GObject *object)
{
  QlApplication *self = (QlApplication *) object;

  g_clear_object (&self->skin_manager);
  g_clear_pointer (&self->startup_notice, g_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->ledger_book);
  g_clear_object (&self->quote_book);

  G_OBJECT_CLASS (ql_application_parent_class)->dispose (object);
}

static void
ql_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  QlApplication *self = QL_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_QUOTE_BOOK:
      g_value_set_object (value, self->quote_book);
      break;

    case PROP_LEDGER_BOOK:
      g_value_set_object (value, self->ledger_book);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  QlApplication *self = QL_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_QUOTE_BOOK:
      self->quote_book = g_value_dup_object (value);
      break;

    case PROP_LEDGER_BOOK:
      self->ledger_book = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_application_class_init (QlApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ql_application_dispose;
  object_class->get_property = ql_application_get_property;
  object_class->set_property = ql_application_set_property;

  application_class->startup = ql_application_startup;
  application_class->activate = ql_application_activate;

  properties[PROP_QUOTE_BOOK] =
    g_param_spec_object ("quote-book", NULL, NULL,
                         QL_TYPE_QUOTE_BOOK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LEDGER_BOOK] =
    g_param_spec_object ("ledger-book", NULL, NULL,
                         QL_TYPE_LEDGER_BOOK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_application_init (QlApplication *self)
{
}

gboolean
_ql_application_apply_skin (QlApplication  *self,
                            const char     *skin,
                            GError        **error)
{
  GAction *action;

  g_assert (QL_IS_APPLICATION (self));

  if (!ql_skin_manager_load (self->skin_manager, skin, error))
    return FALSE;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "skin");
  if (action != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (skin));

  g_settings_set_string (self->settings, "skin", skin);

  return TRUE;
}

void
_ql_application_report_error (QlApplication *self,
                              const char    *message)
{
  GtkWindow *window;

  g_assert (QL_IS_APPLICATION (self));

  g_warning ("%s", message);

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (QL_IS_WINDOW (window))
    ql_window_show_toast (QL_WINDOW (window), message);
}

/**
 * ql_application_new:
 * @quote_book: the quotes to show
 * @ledger_book: the ledgers to show and change
 * @flags: #GApplicationFlags, such as %G_APPLICATION_NON_UNIQUE for tests
 *
 * Returns: (transfer full): a new #QlApplication
 */
QlApplication *
ql_application_new (QlQuoteBook       *quote_book,
                    QlLedgerBook      *ledger_book,
                    GApplicationFlags  flags)
{
  g_return_val_if_fail (QL_IS_QUOTE_BOOK (quote_book), NULL);
  g_return_val_if_fail (QL_IS_LEDGER_BOOK (ledger_book), NULL);

  return g_object_new (QL_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", flags,
                       "quote-book", quote_book,
                       "ledger-book", ledger_book,
                       NULL);
}

/**
 * ql_application_get_quote_book:
 * @self: a #QlApplication
 *
 * Returns: (transfer none): the quotes the application shows
 */
QlQuoteBook *
ql_application_get_quote_book (QlApplication *self)
{
  g_return_val_if_fail (QL_IS_APPLICATION (self), NULL);

  return self->quote_book;
}

/**
 * ql_application_get_ledger_book:
 * @self: a #QlApplication
 *
 * Returns: (transfer none): the ledgers the application shows
 */
QlLedgerBook *
ql_application_get_ledger_book (QlApplication *self)
{
  g_return_val_if_fail (QL_IS_APPLICATION (self), NULL);

  return self->ledger_book;
}

/**
 * ql_application_get_settings:
 * @self: a #QlApplication
 *
 * Returns: (transfer none): the application's #GSettings, once started
 */
GSettings *
ql_application_get_settings (QlApplication *self)
{
  g_return_val_if_fail (QL_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * ql_application_get_skin_manager:
 * @self: a #QlApplication
 *
 * Returns: (transfer none): the skin manager, once started
 */
QlSkinManager *
ql_application_get_skin_manager (QlApplication *self)
{
  g_return_val_if_fail (QL_IS_APPLICATION (self), NULL);

  return self->skin_manager;
}
