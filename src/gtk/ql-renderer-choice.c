/* ql-renderer-choice.c: how GTK draws when the machine has no GPU
 *
 * Without a GPU, GTK's GL renderer runs on Mesa's llvmpipe: libLLVM and
 * the software driver take about 60 MB, the GL textures and the
 * rasteriser's threads about 55 MB more, and on a 2-core machine a frame
 * of the ledger history takes 30–50 ms to draw against 4–6 ms with cairo
 * (measured under Xvfb, where first frame also came 30–50 % sooner with
 * cairo). GTK 4.8 also sets up GL when it opens an X11 display, only to
 * choose a visual, which loads all of Mesa even for the cairo renderer:
 * GDK_DEBUG=gl-disable keeps it from doing so, and GTK then draws with
 * cairo by itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-renderer-choice"

#include "config.h"

#include "ql-renderer-choice.h"

static gboolean
is_set (const char *value)
{
  return value != NULL && *value != '\0';
}

/* Mesa reads LIBGL_ALWAYS_SOFTWARE as a boolean: these are its words for yes. */
static gboolean
mesa_boolean_is_true (const char *value)
{
  static const char * const yes[] = { "1", "true", "y", "yes" };

  if (value == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (value, yes[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * ql_renderer_choice_decide:
 * @gsk_renderer: (nullable): the user's GSK_RENDERER
 * @gdk_debug: (nullable): the user's GDK_DEBUG
 * @libgl_always_software: (nullable): the user's LIBGL_ALWAYS_SOFTWARE
 * @has_render_node: whether the machine has a GPU render node
 *
 * Software GL is what GTK would use without a render node, or when Mesa is
 * told to render in software: then cairo is both smaller and faster. A
 * renderer the user chose is kept, and so is the user's GDK_DEBUG.
 *
 * Returns: the values to set before GTK starts
 */
QlRendererChoice
ql_renderer_choice_decide (const char *gsk_renderer,
                           const char *gdk_debug,
                           const char *libgl_always_software,
                           gboolean    has_render_node)
{
  QlRendererChoice choice = { NULL, NULL };

  if (is_set (gsk_renderer))
    return choice;
  if (has_render_node && !mesa_boolean_is_true (libgl_always_software))
    return choice;

  choice.gsk_renderer = "cairo";
  if (!is_set (gdk_debug))
    choice.gdk_debug = "gl-disable";
  return choice;
}

/**
 * ql_renderer_choice_has_render_node:
 * @dri_dir: the folder of DRM device nodes, /dev/dri on Linux
 *
 * Returns: whether @dri_dir holds a render node (renderD128, ...), which
 *   every GPU driver that can do GL without a display server provides
 */
gboolean
ql_renderer_choice_has_render_node (const char *dri_dir)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (dri_dir != NULL, FALSE);

  dir = g_dir_open (dri_dir, 0, NULL);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

/**
 * ql_renderer_choice_apply:
 * @dri_dir: the folder of DRM device nodes, /dev/dri on Linux
 *
 * Sets GSK_RENDERER and GDK_DEBUG as ql_renderer_choice_decide() says for
 * this process's environment. Call it before GTK starts and before any
 * other thread does, as it changes the environment.
 */
void
ql_renderer_choice_apply (const char *dri_dir)
{
  QlRendererChoice choice;

  g_return_if_fail (dri_dir != NULL);

  choice = ql_renderer_choice_decide (g_getenv ("GSK_RENDERER"),
                                      g_getenv ("GDK_DEBUG"),
                                      g_getenv ("LIBGL_ALWAYS_SOFTWARE"),
                                      ql_renderer_choice_has_render_node (dri_dir));
  if (choice.gsk_renderer != NULL)
    g_setenv ("GSK_RENDERER", choice.gsk_renderer, TRUE);
  if (choice.gdk_debug != NULL)
    g_setenv ("GDK_DEBUG", choice.gdk_debug, TRUE);
}
