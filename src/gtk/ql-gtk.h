/* ql-gtk.h: the GTK front-end's entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ql_gtk_main (const char *db_location,
                 const char *quotes_path);

G_END_DECLS
