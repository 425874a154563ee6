/* fuzz-csv.c: CSV imports from hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bytes are read as records, then imported into a ledger book in
 * memory. An import is all or nothing: when it fails, not one event is
 * in the store; when it succeeds, every event it counted is.
 */
#define G_LOG_DOMAIN "fuzz-csv"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "ql-csv-reader-private.h"
#include "ql-fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
read_records (const char *data,
              gsize       size)
{
  QlCsvReader reader;
  gboolean done = FALSE;
  guint64 last_line = 0;

  _ql_csv_reader_init (&reader, data, size);
  while (_ql_csv_reader_next (&reader, &done, NULL) && !done)
    {
      if (reader.n_fields == 0 || reader.n_fields > QL_CSV_MAX_FIELDS ||
          reader.line <= last_line || reader.offset > size)
        abort ();
      last_line = reader.line;
    }
  _ql_csv_reader_clear (&reader);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  read_records ((const char *) data, size);
  ql_fuzz_check_import (data, size, "fuzz-csv-XXXXXX.csv");
  return 0;
}
