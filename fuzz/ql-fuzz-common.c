/* ql-fuzz-common.c: the checks the fuzz targets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-fuzz-common"

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "ql-fuzz-common.h"
#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"

/**
 * ql_fuzz_check_import:
 * @data: the bytes of a file to import
 * @size: how many
 * @file_template: the temporary file's name, as g_file_open_tmp() takes
 *   it: its ending picks the format (`.csv`, `.journal`)
 *
 * Imports @data from a file into a ledger book in memory and aborts
 * unless the import was all or nothing: when it fails, not one event is
 * in the store; when it succeeds, every event it counted is.
 */
void
ql_fuzz_check_import (const uint8_t *data,
                      size_t         size,
                      const char    *file_template)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_ledger_book_new (store, NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint64 n_events = 0;
  gboolean imported;
  int fd;

  fd = g_file_open_tmp (file_template, &path, NULL);
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
}

/**
 * ql_fuzz_check_showable_text:
 * @text: text a view may print
 * @length: its length in bytes, or -1 when it ends with a NUL
 *
 * Aborts unless @text is valid UTF-8 with no control character but
 * newline and tab: no DEL, no C0 or C1 control that could drive a
 * terminal.
 */
void
ql_fuzz_check_showable_text (const char *text,
                             gssize      length)
{
  const char *end;

  if (text == NULL || !g_utf8_validate (text, length, &end))
    abort ();

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c < 0xa0))
        abort ();
    }
}
