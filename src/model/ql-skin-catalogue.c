/* ql-skin-catalogue.c: the skins there are, and the CSS text of each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-skin-catalogue"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ql-file.h"
#include "ql-model-resources.h"
#include "ql-skin-catalogue.h"

#define SKINS_RESOURCE_PATH "/io/github/quoteledger/QuoteLedger/model/skins/"
#define DARK_SUFFIX "-dark"

/**
 * QlSkinCatalogue:
 *
 * The one place that knows which skins exist and where their CSS is: the
 * default skin, the skins shipped in the model's resources, and the user's
 * `NAME.css` files in a skins folder, `NAME-dark.css` being the dark
 * variant of a `NAME.css` beside it. The window, the full-screen view and
 * the line mode all list and read skins through it, so they agree.
 */
struct _QlSkinCatalogue
{
  GObject  parent_instance;

  char    *user_skins_dir;
};

G_DEFINE_FINAL_TYPE (QlSkinCatalogue, ql_skin_catalogue, G_TYPE_OBJECT)

typedef struct
{
  const char *id;
  const char *title;
} BuiltinSkin;

/* The default first; the rest as their files are in the resources. */
static const BuiltinSkin builtin_skins[] = {
  { QL_SKIN_DEFAULT, N_("Adwaita") },
  { "forest", N_("Forest") },
  { "high-contrast", N_("High Contrast") },
  { "solarized", N_("Solarized") },
};

static const BuiltinSkin *
find_builtin (const char *skin)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtin_skins); i++)
    if (g_str_equal (builtin_skins[i].id, skin))
      return &builtin_skins[i];

  return NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
is_regular_css (QlSkinCatalogue *self,
                const char      *file_name)
{
  g_autofree char *path = g_build_filename (self->user_skins_dir, file_name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static GPtrArray *
list_user_skins (QlSkinCatalogue *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (self->user_skins_dir, 0, NULL);
  const char *file_name;

  while (dir != NULL && (file_name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;

      if (!g_str_has_suffix (file_name, ".css") || file_name[0] == '.' ||
          !g_utf8_validate (file_name, -1, NULL))
        continue;

      id = g_strndup (file_name, strlen (file_name) - strlen (".css"));
      if (id[0] == '\0' || find_builtin (id) != NULL)
        continue;

      /* "X-dark.css" is the dark variant of "X.css" when that exists. */
      if (g_str_has_suffix (id, DARK_SUFFIX))
        {
          g_autofree char *base = g_strndup (id, strlen (id) - strlen (DARK_SUFFIX));
          g_autofree char *base_file = g_strconcat (base, ".css", NULL);

          if (is_regular_css (self, base_file))
            continue;
        }

      g_ptr_array_add (ids, g_steal_pointer (&id));
    }

  g_ptr_array_sort (ids, compare_strings);

  return g_steal_pointer (&ids);
}

static void
ql_skin_catalogue_finalize (GObject *object)
{
  QlSkinCatalogue *self = (QlSkinCatalogue *) object;

  g_clear_pointer (&self->user_skins_dir, g_free);

  G_OBJECT_CLASS (ql_skin_catalogue_parent_class)->finalize (object);
}

static void
ql_skin_catalogue_class_init (QlSkinCatalogueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ql_skin_catalogue_finalize;
}

static void
ql_skin_catalogue_init (QlSkinCatalogue *self)
{
}

/**
 * ql_skin_catalogue_new:
 * @user_skins_dir: the folder users put their own skins in
 *
 * Returns: (transfer full): a catalogue of the shipped skins and those in
 *   @user_skins_dir
 */
QlSkinCatalogue *
ql_skin_catalogue_new (const char *user_skins_dir)
{
  QlSkinCatalogue *self;

  g_return_val_if_fail (user_skins_dir != NULL, NULL);

  self = g_object_new (QL_TYPE_SKIN_CATALOGUE, NULL);
  self->user_skins_dir = g_strdup (user_skins_dir);

  return self;
}

/**
 * ql_skin_catalogue_new_for_user:
 *
 * Returns: (transfer full): a catalogue whose user skins are in
 *   `$XDG_DATA_HOME/quote-ledger/skins`, the folder every view reads
 */
QlSkinCatalogue *
ql_skin_catalogue_new_for_user (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "quote-ledger", "skins",
                                           NULL);

  return ql_skin_catalogue_new (dir);
}

/**
 * ql_skin_catalogue_get_user_skins_dir:
 * @self: a #QlSkinCatalogue
 *
 * Returns: the folder of the user's skins
 */
const char *
ql_skin_catalogue_get_user_skins_dir (QlSkinCatalogue *self)
{
  g_return_val_if_fail (QL_IS_SKIN_CATALOGUE (self), NULL);

  return self->user_skins_dir;
}

/**
 * ql_skin_catalogue_list:
 * @self: a #QlSkinCatalogue
 *
 * Reads the user's folder each time, so a skin dropped in shows up.
 *
 * Returns: (transfer full): the identifiers of every skin: the default,
 *   the shipped ones, then the user's in alphabetical order. A user's
 *   file named as a shipped skin is not listed: the shipped one wins.
 */
GStrv
ql_skin_catalogue_list (QlSkinCatalogue *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) user_skins = NULL;

  g_return_val_if_fail (QL_IS_SKIN_CATALOGUE (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_skins); i++)
    g_strv_builder_add (builder, builtin_skins[i].id);

  user_skins = list_user_skins (self);
  for (guint i = 0; i < user_skins->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (user_skins, i));

  return g_strv_builder_end (builder);
}

/**
 * ql_skin_catalogue_has_skin:
 * @self: a #QlSkinCatalogue
 * @skin: a skin identifier
 *
 * Returns: whether ql_skin_catalogue_list() would list @skin now
 */
gboolean
ql_skin_catalogue_has_skin (QlSkinCatalogue *self,
                            const char      *skin)
{
  g_auto(GStrv) skins = NULL;

  g_return_val_if_fail (QL_IS_SKIN_CATALOGUE (self), FALSE);
  g_return_val_if_fail (skin != NULL, FALSE);

  if (find_builtin (skin) != NULL)
    return TRUE;

  skins = ql_skin_catalogue_list (self);
  return g_strv_contains ((const char * const *) skins, skin);
}

/**
 * ql_skin_catalogue_is_builtin:
 * @self: a #QlSkinCatalogue
 * @skin: a skin identifier
 *
 * Returns: whether @skin is the default or one the program ships with
 */
gboolean
ql_skin_catalogue_is_builtin (QlSkinCatalogue *self,
                              const char      *skin)
{
  g_return_val_if_fail (QL_IS_SKIN_CATALOGUE (self), FALSE);
  g_return_val_if_fail (skin != NULL, FALSE);

  return find_builtin (skin) != NULL;
}

/**
 * ql_skin_catalogue_dup_title:
 * @self: a #QlSkinCatalogue
 * @skin: a skin identifier
 *
 * Returns: (transfer full): the name to show for @skin: a translated title
 *   for a shipped skin, the identifier itself for a user's
 */
char *
ql_skin_catalogue_dup_title (QlSkinCatalogue *self,
                             const char      *skin)
{
  const BuiltinSkin *builtin;

  g_return_val_if_fail (QL_IS_SKIN_CATALOGUE (self), NULL);
  g_return_val_if_fail (skin != NULL, NULL);

  builtin = find_builtin (skin);
  if (builtin != NULL)
    return g_strdup (_(builtin->title));

  return g_strdup (skin);
}

/**
 * ql_skin_catalogue_read_file:
 * @path: a skin file
 * @error: return location for a #GError
 *
 * Reads @path if it is a regular file of at most %QL_SKIN_MAX_SIZE bytes
 * of UTF-8 text. A FIFO, a device or a link to one is refused without
 * reading from it, so no skin can hang the program.
 *
 * Returns: (transfer full): the file's text, or %NULL with @error set
 */
char *
ql_skin_catalogue_read_file (const char  *path,
                             GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *contents;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  bytes = ql_file_load_bounded (file, QL_SKIN_MAX_SIZE, NULL, error);
  if (bytes == NULL)
    return NULL;

  contents = g_bytes_get_data (bytes, &length);
  if (length > 0 && (memchr (contents, '\0', length) != NULL ||
                     !g_utf8_validate (contents, (gssize) length, NULL)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The skin file “%s” is not UTF-8 text"), path);
      return NULL;
    }

  return g_strndup (length > 0 ? contents : "", length);
}

static char *
load_builtin_css (const char  *skin,
                  gboolean     dark,
                  GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (g_str_equal (skin, QL_SKIN_DEFAULT))
    return g_strdup ("");

  if (dark)
    {
      g_autofree char *path = g_strconcat (SKINS_RESOURCE_PATH, skin, DARK_SUFFIX ".css", NULL);

      bytes = g_resource_lookup_data (ql_model_get_resource (), path,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    }

  if (bytes == NULL)
    {
      g_autofree char *path = g_strconcat (SKINS_RESOURCE_PATH, skin, ".css", NULL);

      bytes = g_resource_lookup_data (ql_model_get_resource (), path,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (bytes == NULL)
        return NULL;
    }

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/**
 * ql_skin_catalogue_load_css:
 * @self: a #QlSkinCatalogue
 * @skin: a skin identifier
 * @dark: whether the dark variant is wanted
 * @out_path: (out) (optional): the user's file the text came from, or
 *   %NULL for a shipped skin
 * @error: return location for a #GError
 *
 * Reads the CSS text of @skin: its dark variant when @dark and there is
 * one, else its only file. The default skin's text is empty. A user's
 * file is read as ql_skin_catalogue_read_file() reads it; its CSS is not
 * checked here.
 *
 * Returns: (transfer full): the CSS text, or %NULL with @error set when
 *   there is no such skin or its file cannot be read
 */
char *
ql_skin_catalogue_load_css (QlSkinCatalogue  *self,
                            const char       *skin,
                            gboolean          dark,
                            char            **out_path,
                            GError          **error)
{
  g_autofree char *path = NULL;
  char *css;

  g_return_val_if_fail (QL_IS_SKIN_CATALOGUE (self), NULL);
  g_return_val_if_fail (skin != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_path != NULL)
    *out_path = NULL;

  if (find_builtin (skin) != NULL)
    return load_builtin_css (skin, dark, error);

  if (!ql_skin_catalogue_has_skin (self, skin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no skin named “%s”"), skin);
      return NULL;
    }

  if (dark)
    {
      g_autofree char *file_name = g_strconcat (skin, DARK_SUFFIX ".css", NULL);

      if (is_regular_css (self, file_name))
        path = g_build_filename (self->user_skins_dir, file_name, NULL);
    }

  if (path == NULL)
    {
      g_autofree char *file_name = g_strconcat (skin, ".css", NULL);

      path = g_build_filename (self->user_skins_dir, file_name, NULL);
    }

  css = ql_skin_catalogue_read_file (path, error);
  if (css != NULL && out_path != NULL)
    *out_path = g_steal_pointer (&path);

  return css;
}

/**
 * ql_skin_catalogue_parse_colours:
 * @css: a skin's CSS text
 *
 * Reads the named colours a skin defines as `@define-color NAME #rrggbb;`,
 * the only form the shipped skins use. Other CSS, and colours given in
 * other forms, are left out; a name defined twice keeps its last value,
 * as in CSS.
 *
 * Returns: (transfer full) (element-type utf8 guint32): each name and its
 *   colour as 0xRRGGBB
 */
GHashTable *
ql_skin_catalogue_parse_colours (const char *css)
{
  g_autoptr(GHashTable) colours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  g_return_val_if_fail (css != NULL, NULL);

  regex = g_regex_new ("@define-color\\s+([a-z_]+)\\s+#([0-9a-fA-F]{6})\\s*;", 0, 0, NULL);
  g_assert (regex != NULL);
  g_regex_match (regex, css, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *hex = g_match_info_fetch (match, 2);
      guint32 *rgb = g_new (guint32, 1);

      *rgb = (guint32) g_ascii_strtoull (hex, NULL, 16);
      g_hash_table_insert (colours, g_match_info_fetch (match, 1), rgb);
    }

  return g_steal_pointer (&colours);
}
