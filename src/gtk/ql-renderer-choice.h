/* ql-renderer-choice.h: how GTK draws when the machine has no GPU
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Values to give GSK_RENDERER and GDK_DEBUG before GTK starts; NULL leaves
 * a variable as it is. */
typedef struct
{
  const char *gsk_renderer;
  const char *gdk_debug;
} QlRendererChoice;

QlRendererChoice ql_renderer_choice_decide          (const char *gsk_renderer,
                                                     const char *gdk_debug,
                                                     const char *libgl_always_software,
                                                     gboolean    has_render_node);
gboolean         ql_renderer_choice_has_render_node (const char *dri_dir);
void             ql_renderer_choice_apply           (const char *dri_dir);

G_END_DECLS
