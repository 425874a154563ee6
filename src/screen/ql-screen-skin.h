/* ql-screen-skin.h: the colours of a window skin, for the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The skin that leaves the window's own colours: the terminal then keeps
 * the colour scheme's palette. */
#define QL_SCREEN_SKIN_DEFAULT "adwaita"

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

gboolean ql_screen_skin_read (const char       *skin,
                              gboolean          dark,
                              const char       *user_skins_dir,
                              QlScreenColours  *out_colours,
                              GError          **error);

G_END_DECLS
