/* ql-screen-skin.h: the colours of a window skin, for the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-skin-catalogue.h"

G_BEGIN_DECLS

/* Colours as 0xRRGGBB, or -1 where the skin says nothing. */
typedef struct
{
  gint32 fg;
  gint32 bg;
  gint32 bar_fg;
  gint32 bar_bg;
  gint32 selected_fg;
  gint32 selected_bg;
  gint32 error_fg;
} QlScreenColours;

gboolean ql_screen_skin_read (QlSkinCatalogue  *catalogue,
                              const char       *skin,
                              gboolean          dark,
                              QlScreenColours  *out_colours,
                              GError          **error);

G_END_DECLS
