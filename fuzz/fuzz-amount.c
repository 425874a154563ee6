/* fuzz-amount.c: amounts, quantities and currency codes from hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the number of decimals; the rest is the text, cut
 * at its first NUL as any C string. Every amount that parses must format
 * back to text that parses to the same value.
 */
#define G_LOG_DOMAIN "fuzz-amount"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "ql-amount.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  guint decimals;
  gint64 minor = 0;
  gint64 quantity = 0;
  guint currency_decimals = 0;

  if (size == 0)
    return 0;

  decimals = data[0] % (QL_AMOUNT_MAX_DECIMALS + 1);
  text = g_strndup ((const char *) data + 1, size - 1);

  if (ql_amount_parse (text, decimals, &minor, NULL))
    {
      g_autofree char *formatted = ql_amount_format (minor, decimals);
      gint64 again = 0;

      if (minor <= 0 || !ql_amount_parse (formatted, decimals, &again, NULL) || again != minor)
        abort ();
    }

  if (ql_quantity_parse (text, TRUE, &quantity, NULL) && quantity < 0)
    abort ();
  if (ql_quantity_parse (text, FALSE, &quantity, NULL) && quantity <= 0)
    abort ();

  if (ql_currency_canonicalize (text, &currency_decimals, NULL) != NULL &&
      currency_decimals > QL_AMOUNT_MAX_DECIMALS)
    abort ();

  return 0;
}
