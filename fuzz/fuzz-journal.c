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

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "ql-journal-reader-private.h"
#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"

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
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_ledger_book_new (store, NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint64 n_events = 0;
  gboolean imported;
  int fd;

  read_rows ((const char *) data, size);

  fd = g_file_open_tmp ("fuzz-journal-XXXXXX.journal", &path, NULL);
  if (fd < 0)
    abort ();
  if (!g_file_set_contents (path, (const char *) data, size, NULL))
    abort ();
  g_close (fd, NULL);
  file = g_file_new_for_path (path);

  imported = ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, &n_events, &error);
  g_unlink (path);

  if (imported == (error != NULL))
    abort ();
  if (ql_event_store_get_head_position (store, NULL) != (imported ? (gint64) n_events : 0))
    abort ();

  return 0;
}
