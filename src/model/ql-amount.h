/* ql-amount.h: exact amounts in integer minor units, and ISO 4217 currencies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * QL_AMOUNT_MAX_DECIMALS:
 *
 * The most decimal places an amount can have; 10^18 still fits in a #gint64.
 */
#define QL_AMOUNT_MAX_DECIMALS 18

gboolean    ql_currency_lookup      (const char  *code,
                                     guint       *out_decimals,
                                     GError     **error);
const char *ql_currency_canonicalize (const char  *code,
                                      guint       *out_decimals,
                                      GError     **error);
gboolean    ql_amount_parse         (const char  *text,
                                     guint        decimals,
                                     gint64      *out_minor,
                                     GError     **error);
gboolean    ql_quantity_parse       (const char  *text,
                                     gboolean     allow_zero,
                                     gint64      *out_quantity,
                                     GError     **error);
char       *ql_amount_format        (gint64       minor,
                                     guint        decimals);
char       *ql_amount_group         (const char  *plain,
                                     const char  *decimal_point,
                                     const char  *thousands_separator);
char       *ql_amount_ungroup       (const char  *text,
                                     const char  *decimal_point,
                                     const char  *thousands_separator,
                                     GError     **error);

G_END_DECLS
