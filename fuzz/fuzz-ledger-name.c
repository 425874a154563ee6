/* fuzz-ledger-name.c: ledger names from hostile bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever the bytes, a name the book accepts is stored as valid UTF-8 in
 * NFC, without surrounding white space, control, format (invisible or
 * direction-changing) or unassigned characters, noncharacters or line and
 * paragraph separators, at most QL_LEDGER_NAME_MAX_CHARS long and
 * QL_TEXT_NAME_MAX_BYTES bytes; the book
 * then finds the ledger by the name as given and as stored, and opening
 * it again is refused. A name it refuses leaves the book empty.
 */
#define G_LOG_DOMAIN "fuzz-ledger-name"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_stored_name (const char *name)
{
  g_autofree char *nfc = NULL;
  glong n_chars;

  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    abort ();
  nfc = g_utf8_normalize (name, -1, G_NORMALIZE_NFC);
  if (nfc == NULL || strcmp (nfc, name) != 0)
    abort ();
  n_chars = g_utf8_strlen (name, -1);
  if (n_chars > QL_LEDGER_NAME_MAX_CHARS || strlen (name) > QL_TEXT_NAME_MAX_BYTES ||
      g_unichar_isspace (g_utf8_get_char (name)) ||
      g_unichar_isspace (g_utf8_get_char (g_utf8_offset_to_pointer (name, n_chars - 1))))
    abort ();

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
          type == G_UNICODE_UNASSIGNED || type == G_UNICODE_SURROGATE ||
          type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR ||
          (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_ledger_book_new (store, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strndup ((const char *) data, size);
  g_autofree char *stored = NULL;
  g_autoptr(QlEvent) opened = NULL;
  g_autoptr(QlEvent) reopened = NULL;
  g_autoptr(QlEvent) deposited = NULL;
  QlLedger *ledger;

  if (book == NULL)
    abort ();

  opened = ql_ledger_book_open_account (book, name, "USD", &error);
  if (opened == NULL)
    {
      if (error == NULL || ql_ledger_book_lookup (book, name) != NULL ||
          g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)) != 0)
        abort ();
      return 0;
    }

  ledger = ql_ledger_book_lookup (book, name);
  if (ledger == NULL || g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)) != 1)
    abort ();
  check_stored_name (ql_ledger_get_name (ledger));

  stored = ql_ledger_normalize_name (name, NULL);
  if (stored == NULL || strcmp (stored, ql_ledger_get_name (ledger)) != 0 ||
      ql_ledger_book_lookup (book, stored) != ledger ||
      (reopened = ql_ledger_book_open_account (book, stored, "USD", NULL)) != NULL ||
      (deposited = ql_ledger_book_deposit (book, name, "1", NULL)) == NULL ||
      ql_ledger_get_balance (ledger) != 100)
    abort ();

  return 0;
}
