/* ql-locale-numbers.c: amounts, counts and days as the user's locale writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-locale-numbers"

#include "config.h"

#include <limits.h>
#include <locale.h>
#include <string.h>

#include "ql-amount.h"
#include "ql-locale-numbers.h"

/* The window reads and writes numbers in the notation of LC_NUMERIC, as
 * the rest of the desktop does; the model, the terminal and the files keep
 * the plain one. */

static const char *
decimal_point (void)
{
  const char *point = localeconv ()->decimal_point;

  return point != NULL && *point != '\0' ? point : ".";
}

static const char *
thousands_separator (void)
{
  return localeconv ()->thousands_sep;
}

/**
 * ql_locale_numbers_format_amount:
 * @ledger: the ledger whose decimals and currency apply
 * @minor: an amount in minor units, or a quantity
 *
 * Returns: (transfer full): @minor grouped as the locale groups digits,
 *   followed by the ledger's currency code
 */
/* The currency goes where LC_MONETARY puts it: before or after the
 * number, with or without a space. The locale's own currency is written
 * with its symbol (“￥” for CNY under zh_CN, “$” for USD under en_US),
 * any other by its ISO 4217 code, always a space apart from the digits
 * (locales keep that space inside int_curr_symbol, “CNY ”). A locale that
 * says nothing, such as C, keeps the code after the number. */
static char *
place_currency (const char *number,
                const char *code)
{
  const struct lconv *conv = localeconv ();
  gboolean negative = number[0] == '-';
  const char *symbol = code;
  char precedes = negative ? conv->int_n_cs_precedes : conv->int_p_cs_precedes;
  char space = 1;
  const char *separator;

  if (conv->int_curr_symbol != NULL && strlen (code) == 3 &&
      strncmp (conv->int_curr_symbol, code, 3) == 0 &&
      conv->currency_symbol != NULL && *conv->currency_symbol != '\0')
    {
      symbol = conv->currency_symbol;
      precedes = negative ? conv->n_cs_precedes : conv->p_cs_precedes;
      space = negative ? conv->n_sep_by_space : conv->p_sep_by_space;
    }

  if (precedes == CHAR_MAX)
    return g_strdup_printf ("%s %s", number, code);

  separator = space == 1 ? " " : "";
  if (!precedes)
    return g_strdup_printf ("%s%s%s", number, separator, symbol);
  if (negative)
    return g_strdup_printf ("-%s%s%s", symbol, separator, number + 1);
  return g_strdup_printf ("%s%s%s", symbol, separator, number);
}

char *
ql_locale_numbers_format_amount (QlLedger *ledger,
                                 gint64    minor)
{
  g_return_val_if_fail (QL_IS_LEDGER (ledger), NULL);

  return ql_locale_numbers_format_units (minor, ql_ledger_get_decimals (ledger),
                                         ql_ledger_get_currency (ledger));
}

/**
 * ql_locale_numbers_format_units:
 * @minor: an amount in minor units, or a quantity
 * @decimals: how many of its digits are decimals
 * @currency: (nullable): an ISO 4217 code, or %NULL for a quantity
 *
 * Returns: (transfer full): @minor as ql_locale_numbers_format_amount()
 *   writes it, for views that are handed numbers rather than a ledger
 */
char *
ql_locale_numbers_format_units (gint64      minor,
                                guint       decimals,
                                const char *currency)
{
  g_autofree char *plain = ql_amount_format (minor, decimals);
  g_autofree char *grouped = ql_amount_group (plain, decimal_point (), thousands_separator ());

  if (currency == NULL || *currency == '\0')
    return g_steal_pointer (&grouped);
  return place_currency (grouped, currency);
}

/**
 * ql_locale_numbers_format_balance:
 * @ledger: a ledger
 *
 * Returns: (transfer full): the ledger's balance or quantity, as
 *   ql_locale_numbers_format_amount() writes it
 */
char *
ql_locale_numbers_format_balance (QlLedger *ledger)
{
  g_return_val_if_fail (QL_IS_LEDGER (ledger), NULL);

  return ql_locale_numbers_format_amount (ledger, ql_ledger_get_balance (ledger));
}

/**
 * ql_locale_numbers_format_count:
 * @count: how many of something
 *
 * Returns: (transfer full): @count with the locale's grouping
 */
char *
ql_locale_numbers_format_count (guint64 count)
{
  g_autofree char *plain = g_strdup_printf ("%" G_GUINT64_FORMAT, count);

  return ql_amount_group (plain, decimal_point (), thousands_separator ());
}

/**
 * ql_locale_numbers_read_amount:
 * @text: an amount or quantity as the user typed it
 * @error: return location for a #GError
 *
 * Returns: (transfer full): @text in the model's plain notation, or %NULL
 *   with @error set when its separators do not fit the locale's
 */
char *
ql_locale_numbers_read_amount (const char  *text,
                               GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  return ql_amount_ungroup (text, decimal_point (), thousands_separator (), error);
}

/**
 * ql_locale_numbers_format_date:
 * @date: a valid day
 *
 * Returns: (transfer full): @date as the locale writes a day
 *   (`12/03/2026` under en_US, `2026年12月03日` under zh_CN)
 */
char *
ql_locale_numbers_format_date (const GDate *date)
{
  g_autoptr(GDateTime) day = NULL;

  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  day = g_date_time_new_local (g_date_get_year (date), g_date_get_month (date),
                               g_date_get_day (date), 12, 0, 0);
  return day != NULL ? g_date_time_format (day, "%x") : g_strdup ("");
}
