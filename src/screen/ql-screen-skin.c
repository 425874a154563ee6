/* ql-screen-skin.c: the colours of a window skin, for the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-screen-skin"

#include "config.h"

#include <string.h>

#include "ql-file.h"
#include "ql-screen-resources.h"
#include "ql-screen-skin.h"

#define SKINS_RESOURCE_PATH "/io/github/quoteledger/QuoteLedger/screen/skins/"

/* A skin is a few dozen lines of CSS. */
#define SKIN_MAX_SIZE ((gsize) 256 << 10)

/* The skin's file, built in or in the user's folder; the dark variant
 * when asked for and there is one. */
static GBytes *
load_skin (const char  *skin,
           gboolean     dark,
           const char  *user_skins_dir,
           GError     **error)
{
  const char *suffixes[] = { dark ? "-dark.css" : ".css", ".css" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (skin, suffixes[i], NULL);
      g_autofree char *resource = g_strconcat (SKINS_RESOURCE_PATH, name, NULL);
      g_autofree char *path = g_build_filename (user_skins_dir, name, NULL);
      g_autoptr(GFile) file = NULL;
      g_autoptr(GError) local_error = NULL;
      GBytes *bytes = g_resource_lookup_data (ql_screen_get_resource (), resource,
                                             G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

      if (bytes != NULL)
        return bytes;

      file = g_file_new_for_path (path);
      bytes = ql_file_load_bounded (file, SKIN_MAX_SIZE, NULL, &local_error);
      if (bytes != NULL)
        return bytes;
      if (i + 1 == G_N_ELEMENTS (suffixes) ||
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  g_assert_not_reached ();
}

/**
 * ql_screen_skin_read:
 * @skin: the skin's identifier, as the settings hold it
 * @dark: whether the dark variant is wanted
 * @user_skins_dir: the folder users put their own skins in
 * @out_colours: (out): where the colours go
 * @error: return location for a #GError
 *
 * Reads the named colours (`@define-color NAME #rrggbb;`) of a skin the
 * window uses: the window's and the header bar's, the accent and the
 * error colour. Other CSS is ignored. The default skin has none.
 *
 * Returns: %TRUE when @out_colours holds the skin's colours, %FALSE for
 *   the default skin, and %FALSE with @error set when the skin cannot
 *   be read
 */
gboolean
ql_screen_skin_read (const char       *skin,
                     gboolean          dark,
                     const char       *user_skins_dir,
                     QlScreenColours  *out_colours,
                     GError          **error)
{
  static const struct { const char *name; gsize offset; } names[] = {
    { "window_fg_color", G_STRUCT_OFFSET (QlScreenColours, fg) },
    { "window_bg_color", G_STRUCT_OFFSET (QlScreenColours, bg) },
    { "headerbar_fg_color", G_STRUCT_OFFSET (QlScreenColours, bar_fg) },
    { "headerbar_bg_color", G_STRUCT_OFFSET (QlScreenColours, bar_bg) },
    { "accent_fg_color", G_STRUCT_OFFSET (QlScreenColours, selected_fg) },
    { "accent_bg_color", G_STRUCT_OFFSET (QlScreenColours, selected_bg) },
    { "error_color", G_STRUCT_OFFSET (QlScreenColours, error_fg) },
  };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (skin != NULL, FALSE);
  g_return_val_if_fail (user_skins_dir != NULL, FALSE);
  g_return_val_if_fail (out_colours != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_str_equal (skin, QL_SCREEN_SKIN_DEFAULT) || *skin == '\0' ||
      strchr (skin, '/') != NULL)
    return FALSE;

  bytes = load_skin (skin, dark, user_skins_dir, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &size);
  text = g_strndup (data, size);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    G_STRUCT_MEMBER (gint32, out_colours, names[i].offset) = -1;

  regex = g_regex_new ("@define-color\\s+([a-z_]+)\\s+#([0-9a-fA-F]{6})\\s*;", 0, 0, NULL);
  g_assert (regex != NULL);
  g_regex_match (regex, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *name = g_match_info_fetch (match, 1);
      g_autofree char *hex = g_match_info_fetch (match, 2);

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_str_equal (name, names[i].name))
          G_STRUCT_MEMBER (gint32, out_colours, names[i].offset) =
            (gint32) g_ascii_strtoll (hex, NULL, 16);
    }

  return TRUE;
}
