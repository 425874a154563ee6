/* ql-amount.c: exact amounts in integer minor units, and ISO 4217 currencies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-amount"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-ledger.h"

/* Longest piece of rejected input echoed back in an error message. */
#define ECHO_MAX_CHARS 32

typedef struct
{
  char  code[4];
  guint decimals;
} Currency;

/* ISO 4217 active codes with their minor unit (number of decimals). */
static const Currency currencies[] = {
  { "AED", 2 }, { "AFN", 2 }, { "ALL", 2 }, { "AMD", 2 }, { "AOA", 2 }, { "ARS", 2 },
  { "AUD", 2 }, { "AWG", 2 }, { "AZN", 2 }, { "BAM", 2 }, { "BBD", 2 }, { "BDT", 2 },
  { "BGN", 2 }, { "BHD", 3 }, { "BIF", 0 }, { "BMD", 2 }, { "BND", 2 }, { "BOB", 2 },
  { "BRL", 2 }, { "BSD", 2 }, { "BTN", 2 }, { "BWP", 2 }, { "BYN", 2 }, { "BZD", 2 },
  { "CAD", 2 }, { "CDF", 2 }, { "CHF", 2 }, { "CLF", 4 }, { "CLP", 0 }, { "CNY", 2 },
  { "COP", 2 }, { "CRC", 2 }, { "CUP", 2 }, { "CVE", 2 }, { "CZK", 2 }, { "DJF", 0 },
  { "DKK", 2 }, { "DOP", 2 }, { "DZD", 2 }, { "EGP", 2 }, { "ERN", 2 }, { "ETB", 2 },
  { "EUR", 2 }, { "FJD", 2 }, { "FKP", 2 }, { "GBP", 2 }, { "GEL", 2 }, { "GHS", 2 },
  { "GIP", 2 }, { "GMD", 2 }, { "GNF", 0 }, { "GTQ", 2 }, { "GYD", 2 }, { "HKD", 2 },
  { "HNL", 2 }, { "HTG", 2 }, { "HUF", 2 }, { "IDR", 2 }, { "ILS", 2 }, { "INR", 2 },
  { "IQD", 3 }, { "IRR", 2 }, { "ISK", 0 }, { "JMD", 2 }, { "JOD", 3 }, { "JPY", 0 },
  { "KES", 2 }, { "KGS", 2 }, { "KHR", 2 }, { "KMF", 0 }, { "KPW", 2 }, { "KRW", 0 },
  { "KWD", 3 }, { "KYD", 2 }, { "KZT", 2 }, { "LAK", 2 }, { "LBP", 2 }, { "LKR", 2 },
  { "LRD", 2 }, { "LSL", 2 }, { "LYD", 3 }, { "MAD", 2 }, { "MDL", 2 }, { "MGA", 2 },
  { "MKD", 2 }, { "MMK", 2 }, { "MNT", 2 }, { "MOP", 2 }, { "MRU", 2 }, { "MUR", 2 },
  { "MVR", 2 }, { "MWK", 2 }, { "MXN", 2 }, { "MYR", 2 }, { "MZN", 2 }, { "NAD", 2 },
  { "NGN", 2 }, { "NIO", 2 }, { "NOK", 2 }, { "NPR", 2 }, { "NZD", 2 }, { "OMR", 3 },
  { "PAB", 2 }, { "PEN", 2 }, { "PGK", 2 }, { "PHP", 2 }, { "PKR", 2 }, { "PLN", 2 },
  { "PYG", 0 }, { "QAR", 2 }, { "RON", 2 }, { "RSD", 2 }, { "RUB", 2 }, { "RWF", 0 },
  { "SAR", 2 }, { "SBD", 2 }, { "SCR", 2 }, { "SDG", 2 }, { "SEK", 2 }, { "SGD", 2 },
  { "SHP", 2 }, { "SLE", 2 }, { "SOS", 2 }, { "SRD", 2 }, { "SSP", 2 }, { "STN", 2 },
  { "SYP", 2 }, { "SZL", 2 }, { "THB", 2 }, { "TJS", 2 }, { "TMT", 2 }, { "TND", 3 },
  { "TOP", 2 }, { "TRY", 2 }, { "TTD", 2 }, { "TWD", 2 }, { "TZS", 2 }, { "UAH", 2 },
  { "UGX", 0 }, { "USD", 2 }, { "UYI", 0 }, { "UYU", 2 }, { "UYW", 4 }, { "UZS", 2 },
  { "VES", 2 }, { "VND", 0 }, { "VUV", 0 }, { "WST", 2 }, { "XAF", 0 }, { "XCD", 2 },
  { "XOF", 0 }, { "XPF", 0 }, { "YER", 2 }, { "ZAR", 2 }, { "ZMW", 2 }, { "ZWG", 2 },
};

typedef enum
{
  PARSE_AMOUNT,
  PARSE_QUANTITY,
} ParseKind;

static const gint64 powers_of_ten[QL_AMOUNT_MAX_DECIMALS + 1] = {
  G_GINT64_CONSTANT (1),
  G_GINT64_CONSTANT (10),
  G_GINT64_CONSTANT (100),
  G_GINT64_CONSTANT (1000),
  G_GINT64_CONSTANT (10000),
  G_GINT64_CONSTANT (100000),
  G_GINT64_CONSTANT (1000000),
  G_GINT64_CONSTANT (10000000),
  G_GINT64_CONSTANT (100000000),
  G_GINT64_CONSTANT (1000000000),
  G_GINT64_CONSTANT (10000000000),
  G_GINT64_CONSTANT (100000000000),
  G_GINT64_CONSTANT (1000000000000),
  G_GINT64_CONSTANT (10000000000000),
  G_GINT64_CONSTANT (100000000000000),
  G_GINT64_CONSTANT (1000000000000000),
  G_GINT64_CONSTANT (10000000000000000),
  G_GINT64_CONSTANT (100000000000000000),
  G_GINT64_CONSTANT (1000000000000000000),
};

/* Rejected input is quoted back to the user; make sure the quote is
 * valid UTF-8, short, and holds nothing a terminal would interpret. */
static char *
make_printable (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint n_chars = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n_chars == ECHO_MAX_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (c == ' ' || g_unichar_isprint (c))
        g_string_append_unichar (out, c);
      else
        g_string_append_unichar (out, 0xFFFD);
      n_chars++;
    }

  return g_string_free (out, FALSE);
}

static void
set_invalid_format_error (GError     **error,
                          ParseKind    kind,
                          const char  *text,
                          guint        decimals)
{
  g_autofree char *shown = make_printable (text);

  if (kind == PARSE_QUANTITY)
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 _("Invalid quantity “%s”: use a whole number, digits only"), shown);
  else if (decimals == 0)
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 _("Invalid amount “%s”: use a whole number, digits only"), shown);
  else
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 ngettext ("Invalid amount “%s”: use digits with at most %u decimal place",
                           "Invalid amount “%s”: use digits with at most %u decimal places",
                           decimals),
                 shown, decimals);
}

static void
set_not_positive_error (GError     **error,
                        ParseKind    kind,
                        const char  *text,
                        gboolean     allow_zero)
{
  g_autofree char *shown = make_printable (text);

  if (kind == PARSE_QUANTITY && allow_zero)
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 _("Invalid quantity “%s”: it cannot be negative"), shown);
  else if (kind == PARSE_QUANTITY)
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 _("Invalid quantity “%s”: it must be greater than zero"), shown);
  else
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 _("Invalid amount “%s”: it must be greater than zero"), shown);
}

static void
set_too_large_error (GError     **error,
                     ParseKind    kind,
                     const char  *text)
{
  g_autofree char *shown = make_printable (text);

  if (kind == PARSE_QUANTITY)
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 _("Invalid quantity “%s”: the number is too large"), shown);
  else
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                 _("Invalid amount “%s”: the number is too large"), shown);
}

static gboolean
accumulate_digit (gint64 *value,
                  char    digit)
{
  gint64 d = digit - '0';

  if (*value > (G_MAXINT64 - d) / 10)
    return FALSE;
  *value = *value * 10 + d;
  return TRUE;
}

/* The grammar, after surrounding ASCII white space is trimmed:
 *   DIGITS [ "." DIGITS ]   or   "." DIGITS
 * with ASCII digits only and at most @decimals digits after the point. */
static gboolean
parse_decimal (const char  *text,
               guint        decimals,
               ParseKind    kind,
               gboolean     allow_zero,
               gint64      *out_minor,
               GError     **error)
{
  const char *p;
  const char *end;
  gint64 whole = 0;
  gint64 fraction = 0;
  guint n_whole_digits = 0;
  guint n_fraction_digits = 0;
  gboolean has_point = FALSE;
  gboolean negative = FALSE;
  gboolean too_large = FALSE;
  gint64 minor;

  g_assert (text != NULL);
  g_assert (decimals <= QL_AMOUNT_MAX_DECIMALS);

  /* Spaces around the number are allowed, as g_strstrip() would drop
   * them; this runs for every row of an import, so nothing is copied. */
  p = text;
  while (g_ascii_isspace (*p))
    p++;
  end = p + strlen (p);
  while (end > p && g_ascii_isspace (end[-1]))
    end--;

  if (p == end)
    {
      if (kind == PARSE_QUANTITY)
        g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                             _("Enter a quantity"));
      else
        g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                             _("Enter an amount"));
      return FALSE;
    }

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }

  for (; p < end && g_ascii_isdigit (*p); p++)
    {
      n_whole_digits++;
      if (!too_large && !accumulate_digit (&whole, *p))
        too_large = TRUE;
    }

  if (p < end && *p == '.')
    {
      has_point = TRUE;
      for (p++; p < end && g_ascii_isdigit (*p); p++)
        {
          n_fraction_digits++;
          if (n_fraction_digits <= decimals)
            fraction = fraction * 10 + (*p - '0');
        }
    }

  if (p != end || (n_whole_digits == 0 && n_fraction_digits == 0) ||
      (has_point && n_fraction_digits == 0))
    {
      set_invalid_format_error (error, kind, text, decimals);
      return FALSE;
    }

  if (negative)
    {
      set_not_positive_error (error, kind, text, allow_zero);
      return FALSE;
    }

  if (n_fraction_digits > decimals)
    {
      g_autofree char *shown = make_printable (text);

      if (kind == PARSE_QUANTITY || decimals == 0)
        set_invalid_format_error (error, kind, text, decimals);
      else
        g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                     ngettext ("Invalid amount “%s”: too many decimal places, at most %u is allowed",
                               "Invalid amount “%s”: too many decimal places, at most %u are allowed",
                               decimals),
                     shown, decimals);
      return FALSE;
    }

  if (too_large || whole > G_MAXINT64 / powers_of_ten[decimals])
    {
      set_too_large_error (error, kind, text);
      return FALSE;
    }
  minor = whole * powers_of_ten[decimals];
  fraction *= powers_of_ten[decimals - n_fraction_digits];
  if (minor > G_MAXINT64 - fraction)
    {
      set_too_large_error (error, kind, text);
      return FALSE;
    }
  minor += fraction;

  if (minor == 0 && !allow_zero)
    {
      set_not_positive_error (error, kind, text, FALSE);
      return FALSE;
    }

  *out_minor = minor;
  return TRUE;
}

/**
 * ql_currency_canonicalize:
 * @code: a currency code such as `usd` or `EUR`
 * @out_decimals: (out) (optional): where to store the currency's number of
 *   decimal places (its ISO 4217 minor unit)
 * @error: return location for a #GError
 *
 * Looks up an ISO 4217 currency code. Case does not matter and surrounding
 * white space is ignored.
 *
 * Returns: (transfer none) (nullable): the canonical upper-case code, a static
 *   string, or %NULL with @error set to %QL_LEDGER_ERROR_INVALID_CURRENCY
 */
const char *
ql_currency_canonicalize (const char  *code,
                          guint       *out_decimals,
                          GError     **error)
{
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trimmed = g_strstrip (g_strdup (code));

  if (strlen (trimmed) == 3)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (currencies); i++)
        {
          if (g_ascii_strcasecmp (currencies[i].code, trimmed) == 0)
            {
              if (out_decimals != NULL)
                *out_decimals = currencies[i].decimals;
              return currencies[i].code;
            }
        }
    }

  {
    g_autofree char *shown = make_printable (code);

    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY,
                 _("Unknown currency “%s”: use an ISO 4217 code such as USD, EUR or JPY"),
                 shown);
  }
  return NULL;
}

/**
 * ql_currency_lookup:
 * @code: a currency code such as `usd` or `EUR`
 * @out_decimals: (out) (optional): where to store the currency's number of
 *   decimal places (its ISO 4217 minor unit: 2 for USD, 0 for JPY, 3 for KWD)
 * @error: return location for a #GError
 *
 * Checks that @code names an ISO 4217 currency; see
 * ql_currency_canonicalize() to also get its canonical spelling.
 *
 * Returns: %TRUE if the currency is known, or %FALSE with @error set to
 *   %QL_LEDGER_ERROR_INVALID_CURRENCY
 */
gboolean
ql_currency_lookup (const char  *code,
                    guint       *out_decimals,
                    GError     **error)
{
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return ql_currency_canonicalize (code, out_decimals, error) != NULL;
}

/**
 * ql_amount_parse:
 * @text: the amount as the user typed it, such as `99.99`
 * @decimals: how many decimal places the currency has, at most
 *   %QL_AMOUNT_MAX_DECIMALS
 * @out_minor: (out): where to store the amount in minor units (cents for USD)
 * @error: return location for a #GError
 *
 * Parses a positive amount exactly, without floating point. Surrounding
 * white space is ignored. Accepted: ASCII digits with an optional decimal
 * point followed by 1 to @decimals digits; the digits before the point may be
 * left out, so `.5` is half a unit. Rejected, with a message that quotes the
 * input: an empty text, signs (`-5`, `+5`), exponents (`1e3`), group
 * separators (`1,000`), a point without digits after it (`5.`), more than
 * @decimals decimal places (`1.234` for 2), zero (`0`, `0.00`), amounts
 * beyond %G_MAXINT64 minor units, control characters and non-ASCII digits.
 * A text is read up to its first NUL byte, as any C string.
 *
 * Returns: %TRUE on success, or %FALSE with @error set to
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
gboolean
ql_amount_parse (const char  *text,
                 guint        decimals,
                 gint64      *out_minor,
                 GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (decimals <= QL_AMOUNT_MAX_DECIMALS, FALSE);
  g_return_val_if_fail (out_minor != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return parse_decimal (text, decimals, PARSE_AMOUNT, FALSE, out_minor, error);
}

/**
 * ql_quantity_parse:
 * @text: the quantity as the user typed it, such as `12`
 * @allow_zero: whether `0` is acceptable (an item may be created empty)
 * @out_quantity: (out): where to store the quantity
 * @error: return location for a #GError
 *
 * Parses a whole, positive quantity, by the rules of ql_amount_parse() with
 * no decimal places, except that zero is accepted when @allow_zero is set.
 *
 * Returns: %TRUE on success, or %FALSE with @error set to
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
gboolean
ql_quantity_parse (const char  *text,
                   gboolean     allow_zero,
                   gint64      *out_quantity,
                   GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_quantity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return parse_decimal (text, 0, PARSE_QUANTITY, allow_zero, out_quantity, error);
}

/**
 * ql_amount_format:
 * @minor: an amount in minor units
 * @decimals: how many decimal places the currency has, at most
 *   %QL_AMOUNT_MAX_DECIMALS
 *
 * Formats an amount exactly, with a point as decimal separator and no
 * grouping: `150.00` and `0.05` for 2 decimals, `1234` for 0. Negative
 * amounts start with `-`.
 *
 * Returns: (transfer full): the formatted amount
 */
char *
ql_amount_format (gint64 minor,
                  guint  decimals)
{
  const char *sign = minor < 0 ? "-" : "";
  /* Negate in unsigned arithmetic so that G_MININT64 is exact too. */
  guint64 magnitude = minor < 0 ? (guint64) 0 - (guint64) minor : (guint64) minor;
  guint64 unit;

  g_return_val_if_fail (decimals <= QL_AMOUNT_MAX_DECIMALS, NULL);

  if (decimals == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, sign, magnitude);

  unit = (guint64) powers_of_ten[decimals];
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT,
                          sign, magnitude / unit, (int) decimals, magnitude % unit);
}

/**
 * ql_amount_group:
 * @plain: an amount as ql_amount_format() writes it, such as `-1234567.50`
 * @decimal_point: the decimal point to write, such as `.` or `,`
 * @thousands_separator: (nullable): what goes between groups of three
 *   digits, or %NULL or `""` for none
 *
 * Writes an amount in a notation people read, such as a locale's:
 * `1,234,567.50`, or `1.234.567,50` with the separators swapped.
 *
 * Returns: (transfer full): the amount in that notation
 */
char *
ql_amount_group (const char *plain,
                 const char *decimal_point,
                 const char *thousands_separator)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *digits = plain;
  const char *point;
  gsize n_digits;

  g_return_val_if_fail (plain != NULL, NULL);
  g_return_val_if_fail (decimal_point != NULL, NULL);

  if (*digits == '-')
    g_string_append_c (out, *digits++);
  point = strchr (digits, '.');
  n_digits = point != NULL ? (gsize) (point - digits) : strlen (digits);

  for (gsize i = 0; i < n_digits; i++)
    {
      if (i > 0 && (n_digits - i) % 3 == 0 && thousands_separator != NULL)
        g_string_append (out, thousands_separator);
      g_string_append_c (out, digits[i]);
    }
  if (point != NULL)
    {
      g_string_append (out, decimal_point);
      g_string_append (out, point + 1);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Whether @part is @min to @max ASCII digits and nothing else. */
static gboolean
is_digit_group (const char *part,
                gsize       min,
                gsize       max)
{
  gsize n = strlen (part);

  if (n < min || n > max)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (part[i]))
      return FALSE;
  return TRUE;
}

static void
set_grouping_error (GError     **error,
                    const char  *text,
                    const char  *decimal_point,
                    const char  *thousands_separator)
{
  g_autofree char *shown = make_printable (text);
  g_autofree char *example = ql_amount_group ("1234.50", decimal_point, thousands_separator);

  /* Translators: what was typed, then 1234.50 as the user's locale writes it */
  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
               _("Invalid amount “%s”: write it as in %s"), shown, example);
}

/**
 * ql_amount_ungroup:
 * @text: an amount as a person typed it in a notation, such as `1,234.50`
 * @decimal_point: the notation's decimal point, such as `.` or `,`
 * @thousands_separator: (nullable): what the notation puts between groups
 *   of three digits, or %NULL or `""` for none
 * @error: return location for a #GError
 *
 * Turns an amount written in a notation, such as a locale's, into the
 * plain form ql_amount_parse() reads: `1.234,50` with `,` and `.` becomes
 * `1234.50`. Groups must be whole: one to three digits, then groups of
 * exactly three, before the decimal point only. Nothing is guessed: a
 * text whose separators do not fit the notation, such as `1,5` where `,`
 * groups thousands or `1.5` where the point is `,`, is refused rather
 * than read another way. What is left, digits and a point, is for
 * ql_amount_parse() to check.
 *
 * Returns: (transfer full): the plain text, or %NULL with @error set to
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
char *
ql_amount_ungroup (const char  *text,
                   const char  *decimal_point,
                   const char  *thousands_separator,
                   GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *whole = NULL;
  const char *fraction = NULL;
  const char *point;
  gboolean grouped;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (decimal_point != NULL && *decimal_point != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  grouped = thousands_separator != NULL && *thousands_separator != '\0';
  trimmed = g_strstrip (g_strdup (text));
  point = strstr (trimmed, decimal_point);
  if (point != NULL)
    {
      whole = g_strndup (trimmed, point - trimmed);
      fraction = point + strlen (decimal_point);
    }
  else
    whole = g_strdup (trimmed);

  /* A point where the notation has none would be a guess. */
  if ((!g_str_equal (decimal_point, ".") &&
       (!grouped || !g_str_equal (thousands_separator, ".")) && strchr (trimmed, '.') != NULL) ||
      (fraction != NULL && (strstr (fraction, decimal_point) != NULL ||
                            (grouped && strstr (fraction, thousands_separator) != NULL))))
    {
      set_grouping_error (error, text, decimal_point, thousands_separator);
      return NULL;
    }

  if (grouped && strstr (whole, thousands_separator) != NULL)
    {
      g_auto(GStrv) groups = g_strsplit (whole, thousands_separator, -1);
      const char *first = groups[0];

      if (*first == '-' || *first == '+')
        first++;
      if (!is_digit_group (first, 1, 3))
        {
          set_grouping_error (error, text, decimal_point, thousands_separator);
          return NULL;
        }
      for (guint i = 1; groups[i] != NULL; i++)
        if (!is_digit_group (groups[i], 3, 3))
          {
            set_grouping_error (error, text, decimal_point, thousands_separator);
            return NULL;
          }
      g_free (whole);
      whole = g_strjoinv ("", groups);
    }

  if (fraction == NULL)
    return g_steal_pointer (&whole);
  return g_strconcat (whole, ".", fraction, NULL);
}
