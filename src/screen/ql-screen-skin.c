/* ql-screen-skin.c: the colours of a window skin, for the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-screen-skin"

#include "config.h"

#include <string.h>

#include "ql-screen-skin.h"

/**
 * ql_screen_skin_read:
 * @catalogue: the skins there are
 * @skin: the skin's identifier, as the settings hold it
 * @dark: whether the dark variant is wanted
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
ql_screen_skin_read (QlSkinCatalogue  *catalogue,
                     const char       *skin,
                     gboolean          dark,
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
  g_autofree char *css = NULL;
  g_autoptr(GHashTable) colours = NULL;

  g_return_val_if_fail (QL_IS_SKIN_CATALOGUE (catalogue), FALSE);
  g_return_val_if_fail (skin != NULL, FALSE);
  g_return_val_if_fail (out_colours != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_str_equal (skin, QL_SKIN_DEFAULT) || *skin == '\0' || strchr (skin, '/') != NULL)
    return FALSE;

  css = ql_skin_catalogue_load_css (catalogue, skin, dark, NULL, error);
  if (css == NULL)
    return FALSE;

  colours = ql_skin_catalogue_parse_colours (css);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const guint32 *rgb = g_hash_table_lookup (colours, names[i].name);

      G_STRUCT_MEMBER (gint32, out_colours, names[i].offset) = rgb != NULL ? (gint32) *rgb : -1;
    }

  return TRUE;
}
