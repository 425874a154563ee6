/* ql-store-private.h: what the SQLite adapter's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  _ql_store_set_errno_error (const char  *path,
                                     int          saved_errno,
                                     GError     **error);

G_END_DECLS
