/* test-amount.c: exact amount parsing and formatting, ISO 4217 currencies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "ql-amount.h"
#include "ql-ledger.h"
#include "ql-test-model.h"

typedef struct
{
  const char *text;
  guint       decimals;
  gint64      minor;
} Accepted;

static const Accepted accepted[] = {
  { "150", 2, 15000 },
  { "99.99", 2, 9999 },
  { "0.5", 2, 50 },
  { ".5", 2, 50 },
  { "0.05", 2, 5 },
  { "1.5", 2, 150 },
  { "1.50", 2, 150 },
  { "  12.30  ", 2, 1230 },
  { "\t7\n", 2, 700 },
  { "007", 2, 700 },
  { "000000000000000000000000000001", 2, 100 },
  { "1234", 0, 1234 },
  { "1", 0, 1 },
  { "1.234", 3, 1234 },
  { "0.001", 3, 1 },
  { "5", 3, 5000 },
  { "9223372036854775807", 0, G_MAXINT64 },
  { "92233720368547758.07", 2, G_MAXINT64 },
  { "9223372036854775.807", 3, G_MAXINT64 },
  { "9.223372036854775807", 18, G_MAXINT64 },
};

typedef struct
{
  const char *text;
  guint       decimals;
  const char *message;
} Rejected;

static const Rejected rejected[] = {
  { "", 2, "Enter an amount" },
  { "   ", 2, "Enter an amount" },
  { "abc", 2, "Invalid amount “abc”: use digits with at most 2 decimal places" },
  { "1e3", 2, "Invalid amount “1e3”: use digits with at most 2 decimal places" },
  { "-5", 2, "Invalid amount “-5”: it must be greater than zero" },
  { "-0.5", 2, "Invalid amount “-0.5”: it must be greater than zero" },
  { "+5", 2, "Invalid amount “+5”: use digits with at most 2 decimal places" },
  { "0", 2, "Invalid amount “0”: it must be greater than zero" },
  { "0.00", 2, "Invalid amount “0.00”: it must be greater than zero" },
  { ".0", 2, "Invalid amount “.0”: it must be greater than zero" },
  { "1,000", 2, "Invalid amount “1,000”: use digits with at most 2 decimal places" },
  { "1.234", 2, "Invalid amount “1.234”: too many decimal places, at most 2 are allowed" },
  { "1.230", 2, "Invalid amount “1.230”: too many decimal places, at most 2 are allowed" },
  { "0.05", 1, "Invalid amount “0.05”: too many decimal places, at most 1 is allowed" },
  { "1.5", 0, "Invalid amount “1.5”: use a whole number, digits only" },
  { "abc", 0, "Invalid amount “abc”: use a whole number, digits only" },
  { "5.", 2, "Invalid amount “5.”: use digits with at most 2 decimal places" },
  { ".", 2, "Invalid amount “.”: use digits with at most 2 decimal places" },
  { "-", 2, "Invalid amount “-”: use digits with at most 2 decimal places" },
  { "--5", 2, "Invalid amount “--5”: use digits with at most 2 decimal places" },
  { "1.2.3", 2, "Invalid amount “1.2.3”: use digits with at most 2 decimal places" },
  { "1 000", 2, "Invalid amount “1 000”: use digits with at most 2 decimal places" },
  { "12abc", 2, "Invalid amount “12abc”: use digits with at most 2 decimal places" },
  { "0x10", 2, "Invalid amount “0x10”: use digits with at most 2 decimal places" },
  { "inf", 2, "Invalid amount “inf”: use digits with at most 2 decimal places" },
  { "NaN", 2, "Invalid amount “NaN”: use digits with at most 2 decimal places" },
  { "5 USD", 2, "Invalid amount “5 USD”: use digits with at most 2 decimal places" },
  /* Control characters are never echoed raw. */
  { "1\x01", 2, "Invalid amount “1\xEF\xBF\xBD”: use digits with at most 2 decimal places" },
  { "1\x1b[31m", 2, "Invalid amount “1\xEF\xBF\xBD[31m”: use digits with at most 2 decimal places" },
  { "1\x7f", 2, "Invalid amount “1\xEF\xBF\xBD”: use digits with at most 2 decimal places" },
  /* Not ASCII digits: full-width and Arabic-Indic. */
  { "\xEF\xBC\x91\xEF\xBC\x92", 2, "Invalid amount “１２”: use digits with at most 2 decimal places" },
  { "\xD9\xA3", 2, "Invalid amount “٣”: use digits with at most 2 decimal places" },
  { "9223372036854775808", 0, "Invalid amount “9223372036854775808”: the number is too large" },
  { "92233720368547758.08", 2, "Invalid amount “92233720368547758.08”: the number is too large" },
  { "92233720368547759", 2, "Invalid amount “92233720368547759”: the number is too large" },
  { "99999999999999999999999999", 2, "Invalid amount “99999999999999999999999999”: the number is too large" },
  { "10", 18, "Invalid amount “10”: the number is too large" },
};

START_TEST (test_parse_accepts)
{
  const Accepted *c = &accepted[_i];
  g_autoptr(GError) error = NULL;
  gint64 minor = -1;

  ck_assert_msg (ql_amount_parse (c->text, c->decimals, &minor, &error),
                 "“%s” was rejected: %s", c->text, error != NULL ? error->message : "");
  ck_assert_ptr_null (error);
  ck_assert_int_eq (minor, c->minor);
}
END_TEST

START_TEST (test_parse_rejects)
{
  const Rejected *c = &rejected[_i];
  g_autoptr(GError) error = NULL;
  gint64 minor = 42;

  ck_assert_msg (!ql_amount_parse (c->text, c->decimals, &minor, &error),
                 "“%s” was accepted as %" G_GINT64_FORMAT, c->text, minor);
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT));
  ck_assert_str_eq (error->message, c->message);
  ck_assert_int_eq (minor, 42);
}
END_TEST

START_TEST (test_parse_rejects_bad_utf8_and_long_input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) long_error = NULL;
  g_autofree char *long_text = g_strnfill (200, 'x');
  gint64 minor;

  ck_assert (!ql_amount_parse ("\xff" "5", 2, &minor, &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT));
  ck_assert (g_utf8_validate (error->message, -1, NULL));

  ck_assert (!ql_amount_parse (long_text, 2, &minor, &long_error));
  ck_assert (g_utf8_validate (long_error->message, -1, NULL));
  ck_assert (strstr (long_error->message, "…") != NULL);
  ck_assert_int_lt (strlen (long_error->message), 120);
}
END_TEST

START_TEST (test_quantity_parse)
{
  g_autoptr(GError) zero_error = NULL;
  g_autoptr(GError) fraction_error = NULL;
  g_autoptr(GError) negative_error = NULL;
  g_autoptr(GError) negative_zero_ok_error = NULL;
  gint64 quantity = -1;

  ck_assert (ql_quantity_parse (" 12 ", FALSE, &quantity, NULL));
  ck_assert_int_eq (quantity, 12);
  ck_assert (ql_quantity_parse ("0", TRUE, &quantity, NULL));
  ck_assert_int_eq (quantity, 0);

  ck_assert (!ql_quantity_parse ("0", FALSE, &quantity, &zero_error));
  ck_assert_str_eq (zero_error->message, "Invalid quantity “0”: it must be greater than zero");
  ck_assert (!ql_quantity_parse ("1.5", TRUE, &quantity, &fraction_error));
  ck_assert_str_eq (fraction_error->message, "Invalid quantity “1.5”: use a whole number, digits only");
  ck_assert (!ql_quantity_parse ("-3", FALSE, &quantity, &negative_error));
  ck_assert_str_eq (negative_error->message, "Invalid quantity “-3”: it must be greater than zero");
  ck_assert (!ql_quantity_parse ("-3", TRUE, &quantity, &negative_zero_ok_error));
  ck_assert_str_eq (negative_zero_ok_error->message, "Invalid quantity “-3”: it cannot be negative");
  ck_assert (g_error_matches (negative_zero_ok_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT));
}
END_TEST

typedef struct
{
  gint64      minor;
  guint       decimals;
  const char *text;
} Formatted;

static const Formatted formatted[] = {
  { 15000, 2, "150.00" },
  { 5, 2, "0.05" },
  { 0, 2, "0.00" },
  { 1234, 0, "1234" },
  { 0, 0, "0" },
  { -5, 2, "-0.05" },
  { -15000, 2, "-150.00" },
  { -1234, 0, "-1234" },
  { 1, 3, "0.001" },
  { 1234, 3, "1.234" },
  { 9999, 2, "99.99" },
  { G_MAXINT64, 2, "92233720368547758.07" },
  { G_MININT64, 2, "-92233720368547758.08" },
  { G_MININT64, 0, "-9223372036854775808" },
  { G_MAXINT64, 18, "9.223372036854775807" },
};

START_TEST (test_format)
{
  const Formatted *c = &formatted[_i];
  g_autofree char *text = ql_amount_format (c->minor, c->decimals);

  ck_assert_str_eq (text, c->text);
}
END_TEST

START_TEST (test_format_parse_round_trip)
{
  static const gint64 samples[] = { 1, 7, 10, 99, 100, 101, 12345, 999999, G_MAXINT64 };

  for (guint decimals = 0; decimals <= 3; decimals++)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
        {
          g_autofree char *text = ql_amount_format (samples[i], decimals);
          gint64 back = 0;

          ck_assert_msg (ql_amount_parse (text, decimals, &back, NULL), "%s", text);
          ck_assert_int_eq (back, samples[i]);
        }
    }
}
END_TEST

typedef struct
{
  const char *code;
  const char *canonical;
  guint       decimals;
} KnownCurrency;

static const KnownCurrency known_currencies[] = {
  { "USD", "USD", 2 }, { "usd", "USD", 2 }, { " Eur ", "EUR", 2 }, { "GBP", "GBP", 2 },
  { "JPY", "JPY", 0 }, { "jpy", "JPY", 0 }, { "CNY", "CNY", 2 }, { "CHF", "CHF", 2 },
  { "CAD", "CAD", 2 }, { "AUD", "AUD", 2 }, { "SEK", "SEK", 2 }, { "NOK", "NOK", 2 },
  { "DKK", "DKK", 2 }, { "INR", "INR", 2 }, { "KRW", "KRW", 0 }, { "BRL", "BRL", 2 },
  { "MXN", "MXN", 2 }, { "HKD", "HKD", 2 }, { "SGD", "SGD", 2 }, { "NZD", "NZD", 2 },
  { "ZAR", "ZAR", 2 }, { "RUB", "RUB", 2 }, { "TRY", "TRY", 2 }, { "PLN", "PLN", 2 },
  { "CZK", "CZK", 2 }, { "HUF", "HUF", 2 }, { "ILS", "ILS", 2 }, { "THB", "THB", 2 },
  { "TWD", "TWD", 2 }, { "KWD", "KWD", 3 }, { "kwd", "KWD", 3 }, { "BHD", "BHD", 3 },
  { "JOD", "JOD", 3 }, { "OMR", "OMR", 3 }, { "TND", "TND", 3 }, { "ISK", "ISK", 0 },
  { "CLP", "CLP", 0 }, { "VND", "VND", 0 }, { "CLF", "CLF", 4 },
};

START_TEST (test_currency_known)
{
  const KnownCurrency *c = &known_currencies[_i];
  g_autoptr(GError) error = NULL;
  guint decimals = 99;
  guint looked_up = 99;

  ck_assert_str_eq (ql_currency_canonicalize (c->code, &decimals, &error), c->canonical);
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (decimals, c->decimals);
  ck_assert (ql_currency_lookup (c->code, &looked_up, NULL));
  ck_assert_uint_eq (looked_up, c->decimals);
  ck_assert (ql_currency_lookup (c->code, NULL, NULL));
}
END_TEST

static const char * const unknown_currencies[] = {
  "", "XYZ", "US", "USDD", "U$D", "\xC3\x9CSD", "US D", "123", "usd\n1",
};

START_TEST (test_currency_unknown)
{
  g_autoptr(GError) error = NULL;
  guint decimals = 99;

  ck_assert (!ql_currency_lookup (unknown_currencies[_i], &decimals, &error));
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY));
  ck_assert (g_utf8_validate (error->message, -1, NULL));
  ck_assert (strchr (error->message, '\n') == NULL);
  ck_assert_uint_eq (decimals, 99);
}
END_TEST

START_TEST (test_currency_message)
{
  g_autoptr(GError) error = NULL;

  ck_assert_ptr_null (ql_currency_canonicalize ("xyz", NULL, &error));
  ck_assert_str_eq (error->message,
                    "Unknown currency “xyz”: use an ISO 4217 code such as USD, EUR or JPY");
}
END_TEST

/* A locale's notation: English and Chinese write 1,234.50, German 1.234,50. */
static const struct {
  const char *text;
  const char *point;
  const char *separator;
  const char *plain;
} ungrouped[] = {
  { "1,234,567.50", ".", ",", "1234567.50" },
  { "1,000", ".", ",", "1000" },
  { "1000", ".", ",", "1000" },
  { " 12.5 ", ".", ",", "12.5" },
  { "1.234.567,50", ",", ".", "1234567.50" },
  { "1,5", ",", ".", "1.5" },
  { "1234,5", ",", ".", "1234.5" },
  { "1 234,50", ",", " ", "1234.50" },
  { "1,000", ".", "", "1,000" },
  { "1.5", ".", NULL, "1.5" },
};

/* Never a guess: separators that do not fit the notation are refused. */
static const struct {
  const char *text;
  const char *point;
  const char *separator;
} badly_grouped[] = {
  { "1,5", ".", "," },
  { "1,23,456", ".", "," },
  { "1234,567", ".", "," },
  { ",123", ".", "," },
  { "1.000,5", ".", "," },
  { "1,000.5,0", ".", "," },
  { "1.5", ",", "." },
  { "1.5", ",", " " },
  { "1,5,0", ",", "." },
};

START_TEST (test_ungroup_accepts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = ql_amount_ungroup (ungrouped[_i].text, ungrouped[_i].point,
                                              ungrouped[_i].separator, &error);

  ck_assert_msg (plain != NULL, "%s: %s", ungrouped[_i].text, error->message);
  ck_assert_str_eq (plain, ungrouped[_i].plain);
}
END_TEST

START_TEST (test_ungroup_refuses)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = ql_amount_ungroup (badly_grouped[_i].text, badly_grouped[_i].point,
                                              badly_grouped[_i].separator, &error);

  ck_assert_msg (plain == NULL, "%s read as %s", badly_grouped[_i].text, plain);
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT));
}
END_TEST

START_TEST (test_group)
{
  g_autofree char *english = ql_amount_group ("-1234567.50", ".", ",");
  g_autofree char *german = ql_amount_group ("1234567.50", ",", ".");
  g_autofree char *small = ql_amount_group ("999", ".", ",");
  g_autofree char *plain = ql_amount_group ("1234567", ".", NULL);
  g_autoptr(GError) error = NULL;

  ck_assert_str_eq (english, "-1,234,567.50");
  ck_assert_str_eq (german, "1.234.567,50");
  ck_assert_str_eq (small, "999");
  ck_assert_str_eq (plain, "1234567");

  ck_assert_ptr_null (ql_amount_ungroup ("1,5", ".", ",", &error));
  ck_assert_str_eq (error->message, "Invalid amount “1,5”: write it as in 1,234.50");
}
END_TEST

static Suite *
amount_suite (void)
{
  Suite *suite = suite_create ("QlAmount");
  TCase *tc;

  tc = tcase_create ("parse-accepts");
  tcase_add_loop_test (tc, test_parse_accepts, 0, G_N_ELEMENTS (accepted));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("parse-rejects");
  tcase_add_loop_test (tc, test_parse_rejects, 0, G_N_ELEMENTS (rejected));
  tcase_add_test (tc, test_parse_rejects_bad_utf8_and_long_input);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("quantity");
  tcase_add_test (tc, test_quantity_parse);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("format");
  tcase_add_loop_test (tc, test_format, 0, G_N_ELEMENTS (formatted));
  tcase_add_test (tc, test_format_parse_round_trip);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("notation");
  tcase_add_loop_test (tc, test_ungroup_accepts, 0, G_N_ELEMENTS (ungrouped));
  tcase_add_loop_test (tc, test_ungroup_refuses, 0, G_N_ELEMENTS (badly_grouped));
  tcase_add_test (tc, test_group);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("currency");
  tcase_add_loop_test (tc, test_currency_known, 0, G_N_ELEMENTS (known_currencies));
  tcase_add_loop_test (tc, test_currency_unknown, 0, G_N_ELEMENTS (unknown_currencies));
  tcase_add_test (tc, test_currency_message);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run (amount_suite (), NULL);
}
