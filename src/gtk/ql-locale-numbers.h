/* ql-locale-numbers.h: amounts, counts and days as the user's locale writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-ledger.h"

G_BEGIN_DECLS

char *ql_locale_numbers_format_amount  (QlLedger    *ledger,
                                        gint64       minor);
char *ql_locale_numbers_format_units   (gint64       minor,
                                        guint        decimals,
                                        const char  *currency);
char *ql_locale_numbers_format_balance (QlLedger    *ledger);
char *ql_locale_numbers_format_count   (guint64      count);
char *ql_locale_numbers_format_date   (const GDate *date);
char *ql_locale_numbers_read_amount    (const char  *text,
                                        GError     **error);

G_END_DECLS
