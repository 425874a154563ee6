/* fuzz-journal.c: hledger journal imports from hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bytes are read as a journal, then imported into a ledger book in
 * memory. An import is all or nothing: when it fails, not one event is
 * in the store; when it succeeds, every event it counted is. Every row
 * the reader gives names a line of the input and a ledger.
 */
#define G_LOG_DOMAIN "fuzz-journal"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "ql-journal-reader-private.h"
#include "ql-fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
read_rows (const char *data,
           gsize       size)
{
  QlJournalReader reader;

  _ql_journal_reader_init (&reader);
  if (_ql_journal_reader_read (&reader, data, size, NULL))
    {
      for (guint i = 0; i < reader.rows->len; i++)
        {
          QlJournalRow *row = &g_array_index (reader.rows, QlJournalRow, i);

          if (row->line == 0 || row->line > (guint64) size + 1 || row->end > size ||
              row->ledger == NULL || row->type == NULL || row->amount == NULL)
            abort ();
        }
    }
  else if (reader.rows->len != 0)
    abort ();
  _ql_journal_reader_clear (&reader);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  read_rows ((const char *) data, size);
  ql_fuzz_check_import (data, size, "fuzz-journal-XXXXXX.journal");
  return 0;
}
