/* ql-screen.h: the full-screen terminal front-end, run from main()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ql_screen_is_available (void);
int      ql_screen_main         (const char *db_location,
                                 const char *quotes_path);

G_END_DECLS
