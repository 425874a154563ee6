/* ql-skin-manager.c: CSS skins that recolor the window at runtime
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-skin-manager"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-skin-check.h"
#include "ql-skin-manager.h"

#define DARK_SUFFIX "-dark"

/**
 * QlSkinManager:
 *
 * Owns the one #GtkCssProvider that holds the current skin, at priority
 * %GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1 so that a skin wins over
 * libadwaita and over the application's own style.css alike.
 *
 * A skin only redefines libadwaita's named colours. Which skins there are
 * and their text come from a #QlSkinCatalogue: the shipped ones, and the
 * user's `ID.css` files (and optionally `ID-dark.css` for the dark style)
 * in their skins folder. A user's skin is parsed
 * into a scratch provider first: one that fails to parse is refused and the
 * current look stays.
 */
struct _QlSkinManager
{
  GObject         parent_instance;

  /* Owned References */
  GdkDisplay     *display;
  GtkCssProvider *provider;
  GtkStringList  *skins;
  GFileMonitor   *monitor;
  QlSkinCatalogue *catalogue;
  char           *skin;

  gboolean        dark;
};

G_DEFINE_FINAL_TYPE (QlSkinManager, ql_skin_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SKIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RELOAD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
list_contains (GtkStringList *list,
               const char    *skin)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (list, i), skin))
      return TRUE;

  return FALSE;
}

static void
on_scratch_parsing_error_cb (GtkCssProvider  *provider,
                             GtkCssSection   *section,
                             const GError    *error,
                             GError         **first_error)
{
  g_autofree char *location = NULL;

  /* Deprecation notices are not reasons to refuse a skin. */
  if (error->domain == GTK_CSS_PARSER_WARNING || *first_error != NULL)
    return;

  location = gtk_css_section_to_string (section);
  g_set_error (first_error, error->domain, error->code, "%s: %s", location, error->message);
}

static gboolean
check_css (const char  *css,
           GError     **error)
{
  g_autoptr(GtkCssProvider) scratch = gtk_css_provider_new ();
  GError *parse_error = NULL;

  g_signal_connect (scratch, "parsing-error",
                    G_CALLBACK (on_scratch_parsing_error_cb), &parse_error);
  gtk_css_provider_load_from_data (scratch, css, -1);
  g_signal_handlers_disconnect_by_data (scratch, &parse_error);

  if (parse_error != NULL)
    {
      g_propagate_error (error, parse_error);
      return FALSE;
    }

  return TRUE;
}

static char *
read_skin_css (QlSkinManager  *self,
               const char     *skin,
               gboolean        dark,
               GError        **error)
{
  g_autofree char *css = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;

  if (ql_skin_catalogue_is_builtin (self->catalogue, skin))
    return ql_skin_catalogue_load_css (self->catalogue, skin, dark, NULL, error);

  /* A skin the menus do not show yet is one dropped in since the last scan. */
  if (!list_contains (self->skins, skin))
    ql_skin_manager_rescan (self);

  css = ql_skin_catalogue_load_css (self->catalogue, skin, dark, &path, error);
  if (css == NULL)
    return NULL;

  /* The caps first: GTK's own parser is what a bad skin would crash. */
  if (!ql_skin_check_css (css, &local_error) || !check_css (css, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("The skin “%s” cannot be used: %s: "), skin, path);
      return NULL;
    }

  return g_steal_pointer (&css);
}

static gboolean
is_current_skin_file (QlSkinManager *self,
                      GFile         *file)
{
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *light = NULL;
  g_autofree char *dark = NULL;

  if (ql_skin_catalogue_is_builtin (self->catalogue, self->skin) || base == NULL)
    return FALSE;

  light = g_strconcat (self->skin, ".css", NULL);
  dark = g_strconcat (self->skin, DARK_SUFFIX ".css", NULL);
  return g_str_equal (base, light) || g_str_equal (base, dark);
}

static void
on_user_skins_changed_cb (QlSkinManager     *self,
                          GFile             *file,
                          GFile             *other_file,
                          GFileMonitorEvent  event)
{
  GFile *written = event == G_FILE_MONITOR_EVENT_RENAMED ? other_file : file;

  g_assert (QL_IS_SKIN_MANAGER (self));

  if (event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_DELETED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN ||
      event == G_FILE_MONITOR_EVENT_MOVED_OUT ||
      event == G_FILE_MONITOR_EVENT_RENAMED)
    ql_skin_manager_rescan (self);

  if ((event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT ||
       event == G_FILE_MONITOR_EVENT_CREATED ||
       event == G_FILE_MONITOR_EVENT_MOVED_IN ||
       event == G_FILE_MONITOR_EVENT_RENAMED) &&
      written != NULL && is_current_skin_file (self, written))
    {
      g_autoptr(GError) error = NULL;

      /* Checked again as any new skin is; the last good look stays if it fails. */
      if (!ql_skin_manager_load (self, self->skin, &error))
        g_signal_emit (self, signals[RELOAD_FAILED], 0, error->message);
    }
}

static void
ql_skin_manager_dispose (GObject *object)
{
  QlSkinManager *self = (QlSkinManager *) object;

  if (self->provider != NULL && self->display != NULL)
    gtk_style_context_remove_provider_for_display (self->display,
                                                   GTK_STYLE_PROVIDER (self->provider));
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);

  g_clear_object (&self->monitor);
  g_clear_object (&self->provider);
  g_clear_object (&self->skins);
  g_clear_object (&self->display);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (ql_skin_manager_parent_class)->dispose (object);
}

static void
ql_skin_manager_finalize (GObject *object)
{
  QlSkinManager *self = (QlSkinManager *) object;

  g_clear_pointer (&self->skin, g_free);

  G_OBJECT_CLASS (ql_skin_manager_parent_class)->finalize (object);
}

static void
ql_skin_manager_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QlSkinManager *self = QL_SKIN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_SKIN:
      g_value_set_string (value, self->skin);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_skin_manager_class_init (QlSkinManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_skin_manager_dispose;
  object_class->finalize = ql_skin_manager_finalize;
  object_class->get_property = ql_skin_manager_get_property;

  properties[PROP_SKIN] =
    g_param_spec_string ("skin", NULL, NULL,
                         QL_SKIN_DEFAULT,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * QlSkinManager::reload-failed:
   * @self: a #QlSkinManager
   * @message: why the changed skin file cannot be used
   *
   * Emitted when the file of the skin in use changed and no longer passes
   * the checks; the look it had before stays.
   */
  signals[RELOAD_FAILED] =
    g_signal_new ("reload-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ql_skin_manager_init (QlSkinManager *self)
{
  self->skin = g_strdup (QL_SKIN_DEFAULT);
  self->provider = gtk_css_provider_new ();
  self->skins = gtk_string_list_new (NULL);
}

/**
 * ql_skin_manager_new:
 * @display: the display to style
 * @user_skins_dir: the folder users put their own skins in
 *
 * Returns: (transfer full): a skin manager showing the default skin
 */
QlSkinManager *
ql_skin_manager_new (GdkDisplay *display,
                     const char *user_skins_dir)
{
  QlSkinManager *self;
  g_autoptr(GFile) dir = NULL;

  g_return_val_if_fail (GDK_IS_DISPLAY (display), NULL);
  g_return_val_if_fail (user_skins_dir != NULL, NULL);

  self = g_object_new (QL_TYPE_SKIN_MANAGER, NULL);
  self->display = g_object_ref (display);
  self->catalogue = ql_skin_catalogue_new (user_skins_dir);

  gtk_style_context_add_provider_for_display (display,
                                              GTK_STYLE_PROVIDER (self->provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);

  /* Skins dropped into the folder while the application runs show up in menus. */
  dir = g_file_new_for_path (user_skins_dir);
  self->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect_object (self->monitor, "changed",
                             G_CALLBACK (on_user_skins_changed_cb), self, G_CONNECT_SWAPPED);

  ql_skin_manager_rescan (self);

  return self;
}

/**
 * ql_skin_manager_get_skins:
 * @self: a #QlSkinManager
 *
 * Returns: (transfer none): a list of #GtkStringObject, the identifiers of
 *   every skin: the shipped ones, then the user's in alphabetical order
 */
GListModel *
ql_skin_manager_get_skins (QlSkinManager *self)
{
  g_return_val_if_fail (QL_IS_SKIN_MANAGER (self), NULL);

  return G_LIST_MODEL (self->skins);
}

/**
 * ql_skin_manager_dup_title:
 * @self: a #QlSkinManager
 * @skin: a skin identifier
 *
 * Returns: (transfer full): the name to show for @skin
 */
char *
ql_skin_manager_dup_title (QlSkinManager *self,
                           const char    *skin)
{
  g_return_val_if_fail (QL_IS_SKIN_MANAGER (self), NULL);
  g_return_val_if_fail (skin != NULL, NULL);

  return ql_skin_catalogue_dup_title (self->catalogue, skin);
}

/**
 * ql_skin_manager_get_skin:
 * @self: a #QlSkinManager
 *
 * Returns: the identifier of the skin in use
 */
const char *
ql_skin_manager_get_skin (QlSkinManager *self)
{
  g_return_val_if_fail (QL_IS_SKIN_MANAGER (self), NULL);

  return self->skin;
}

/**
 * ql_skin_manager_load:
 * @self: a #QlSkinManager
 * @skin: a skin identifier
 * @error: return location for a #GError
 *
 * Restyles the display with @skin. A skin that does not exist or does not
 * parse is refused, and the current skin stays.
 *
 * Returns: %TRUE if @skin is now in use
 */
gboolean
ql_skin_manager_load (QlSkinManager  *self,
                      const char     *skin,
                      GError        **error)
{
  g_autofree char *css = NULL;

  g_return_val_if_fail (QL_IS_SKIN_MANAGER (self), FALSE);
  g_return_val_if_fail (skin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  css = read_skin_css (self, skin, self->dark, error);
  if (css == NULL)
    return FALSE;

  gtk_css_provider_load_from_data (self->provider, css, -1);

  if (!g_str_equal (self->skin, skin))
    {
      g_free (self->skin);
      self->skin = g_strdup (skin);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SKIN]);
    }

  return TRUE;
}

/**
 * ql_skin_manager_set_dark:
 * @self: a #QlSkinManager
 * @dark: whether the display now uses the dark style
 *
 * Switches the current skin to its variant for @dark.
 */
void
ql_skin_manager_set_dark (QlSkinManager *self,
                          gboolean       dark)
{
  g_autofree char *css = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (QL_IS_SKIN_MANAGER (self));

  dark = !!dark;
  if (self->dark == dark)
    return;

  self->dark = dark;
  css = read_skin_css (self, self->skin, dark, &error);
  if (css == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }

  gtk_css_provider_load_from_data (self->provider, css, -1);
}

/**
 * ql_skin_manager_rescan:
 * @self: a #QlSkinManager
 *
 * Reads the user's skins folder again.
 */
void
ql_skin_manager_rescan (QlSkinManager *self)
{
  g_auto(GStrv) skins = NULL;
  guint n_items;
  guint n_skins;
  gboolean same;

  g_return_if_fail (QL_IS_SKIN_MANAGER (self));

  skins = ql_skin_catalogue_list (self->catalogue);
  n_skins = g_strv_length (skins);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->skins));

  /* Menus bound to the list rebuild on every change: leave an equal one be. */
  same = n_items == n_skins;
  for (guint i = 0; same && i < n_skins; i++)
    same = g_str_equal (gtk_string_list_get_string (self->skins, i), skins[i]);
  if (same)
    return;

  gtk_string_list_splice (self->skins, 0, n_items, (const char * const *) skins);
}
