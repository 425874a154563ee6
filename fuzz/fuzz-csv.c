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

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "ql-csv-reader-private.h"
#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"

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
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_ledger_book_new (store, NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint64 n_events = 0;
  gboolean imported;
  int fd;

  read_records ((const char *) data, size);

  fd = g_file_open_tmp ("fuzz-csv-XXXXXX.csv", &path, NULL);
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
