/* ql-amount.h: exact amounts in integer minor units, and ISO 4217 currencies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  ql_currency_lookup (const char  *code,
                              guint       *out_decimals,
                              GError     **error);
gboolean  ql_amount_parse    (const char  *text,
                              guint        decimals,
                              gint64      *out_minor,
                              GError     **error);
char     *ql_amount_format   (gint64       minor,
                              guint        decimals);

G_END_DECLS
