/* ql-skin-check.h: what a skin file must be before GTK parses it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GTK 4.8's CSS parser crashes near 1,000 rules, and each level of
 * @define-color referring to another doubles its work: the caps keep every
 * skin far from both. */
#define QL_SKIN_MAX_RULES         500
#define QL_SKIN_MAX_COLORS        200
#define QL_SKIN_MAX_COLOR_DEPTH   8

gboolean ql_skin_check_css (const char  *css,
                            GError     **error);

G_END_DECLS
