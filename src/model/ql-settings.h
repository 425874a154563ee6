/* ql-settings.h: the settings every front-end shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSettings *ql_settings_open (void);

G_END_DECLS
