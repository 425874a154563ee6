/* ql-ledger-import.c: one import of a CSV file or an hledger journal into
 * a ledger book
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-import"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-csv-reader-private.h"
#include "ql-dates.h"
#include "ql-file.h"
#include "ql-journal-reader-private.h"
#include "ql-ledger-book-private.h"
#include "ql-ledger-events-private.h"
#include "ql-ledger-import.h"
#include "ql-ledger-plans-private.h"
#include "ql-ledger-private.h"

/* Rows checked between two progress reports, and per main-loop turn of
 * an asynchronous import. */
#define ROWS_PER_STEP 50000

/**
 * QlLedgerImport:
 *
 * One import of a CSV file or an hledger journal into a #QlLedgerBook,
 * all or nothing, as ql_ledger_book_import_csv() and
 * ql_ledger_book_import_csv_async() run it.
 *
 * Only a regular file of up to 512 MiB is read: a FIFO, a device or a
 * larger file fails at once with a #GIOError naming it.
 *
 * The file is text in UTF-8 (a leading byte order mark is skipped), read
 * as RFC 4180 says: fields separated by commas, records by CRLF or LF, and
 * a field that holds commas, quotes or line breaks enclosed in double
 * quotes, a quote inside it written twice (`"Item 4, boxed"`,
 * `"The ""big"" one"`). Empty lines are skipped. The first record is the
 * header `ledger,type,amount` (any case), which may name `date`, `payee`
 * and `memo` too, in any order. Every other record has the fields its
 * header names:
 *
 * - `ledger`: the ledger's name, as the commands take it;
 * - `type`: one of the commands `open`, `deposit`, `withdraw`,
 *   `create-item`, `increase` or `decrease`;
 * - `amount`: what the command takes: the amount of a deposit or
 *   withdrawal in the account's currency (`99.99`), a whole quantity for
 *   `increase`, `decrease` and `create-item` (whose opening quantity may
 *   be 0), and for `open` the account's ISO 4217 currency code, or an
 *   empty field for plain units;
 * - `date` (optional): the day a change happened, `YYYY-MM-DD`; empty
 *   for the day it is imported;
 * - `payee` and `memo` (optional): what is written on a change; empty
 *   for none.
 *
 * For example:
 * |[
 * ledger,type,amount
 * Current account,open,USD
 * Current account,deposit,100.00
 * "Laptop, 15 inch",create-item,10
 * "Laptop, 15 inch",decrease,3
 * Current account,withdraw,30
 * ]|
 *
 * The import first reads the whole file and checks every row against the
 * rules and the ledgers' current state, as the rows before it leave them
 * (a row may use a ledger an earlier row opened), exactly as the commands
 * would. The first row that fails stops the import with that rule's error
 * (such as %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS), or with
 * %QL_LEDGER_ERROR_INVALID_IMPORT for a malformed file, its message
 * starting with the line, as in `Line 7: Cannot withdraw …`; nothing is
 * written then. Only a file that passes is written, in one transaction
 * through ql_event_store_append_batch(): every event or none. The
 * events of one ledger keep the file's order; those of different ledgers
 * are written ledger by ledger, in the order the file first names the
 * ledgers, so they are in that order in the notification log. When
 * another writer changed one of the file's ledgers meanwhile the whole
 * import fails with %QL_STORE_ERROR_CONFLICT and writes nothing;
 * importing again checks against the new state. Snapshots are
 * cached as the commands would leave them, and of each ledger's final
 * state, so loading the imported ledgers replays nothing.
 *
 * A file whose name ends in `.journal` or `.hledger` is an hledger
 * journal of simple transactions, as `hledger print` writes them. Its
 * transactions become rows of the same commands, checked and written as
 * above; a failing row's line is the line of its posting, and a
 * malformed journal fails with %QL_LEDGER_ERROR_INVALID_IMPORT naming its
 * line:
 *
 * - dates `YYYY-MM-DD` (or with `/` or `.`), an optional status `*` or
 *   `!` and code `(…)`; the description is the payee, a `| note` after
 *   it and the transaction's comments (tags alone excepted) the memo;
 * - postings `ACCOUNT  AMOUNT`, the amount's ISO 4217 code before or
 *   after it (none for plain units), by ql_amount_parse()'s rules; at most
 *   one amount left out, and every currency adding up to zero;
 * - an account under `assets` (any case), or declared with
 *   `account NAME  ; type: A` (or `C`), is a ledger: `assets:` is left
 *   out of its name, and an account in two currencies is a ledger for
 *   each, `NAME CODE`. A ledger that does not exist is opened with the
 *   currency; one that does must be an account of that currency. Other
 *   accounts are what a change was for: the payee when there is no
 *   description, the memo when there is no other;
 * - a transaction of two postings between two ledgers is a transfer
 *   (ql_ledger_book_transfer()); any other is a deposit or a withdrawal
 *   for each ledger posting, and one that posts to no ledger is left out;
 * - `include`, periodic (`~`) and auto (`=`) transactions, prices (`@`,
 *   `@@`), balance assertions, virtual postings, secondary dates and
 *   other directives than `account`, `commodity`, `payee` and `tag` are
 *   refused, as are lines over %QL_JOURNAL_MAX_LINE_BYTES bytes, NUL
 *   bytes and text that is not UTF-8.
 *
 * Cancelling the import's #GCancellable before the write commits fails with
 * %G_IO_ERROR_CANCELLED and writes nothing. The book's ledgers and
 * #QlLedgerBook::changed follow as for any command.
 *
 * Each ledger the file names gets a #QlLedger of the import's own, a copy
 * of the book's or the ledger a row opens, and every row is applied to it
 * with the rules the commands use. Once written, the book's ledgers take
 * the checked states and the ledgers the file opened join the book.
 */
struct _QlLedgerImport
{
  GObject parent_instance;

  /* Owned References */
  QlLedgerBook         *book;
  GBytes               *contents;
  QlCsvReader           reader;
  /* A journal is read whole, then its rows checked a step at a time. */
  gboolean              journal;
  gboolean              journal_read;
  QlJournalReader       journal_reader;
  guint                 next_journal_row;
  /* The current journal row's fields, by Column. */
  const char           *record[7];
  gboolean              header_seen;
  /* Where each column is in a record, or -1; and how many there are. */
  gint                  columns[7];
  guint                 n_columns;
  /* The dates, payees and memos of the rows, when the file has them. */
  GStringChunk         *notes;
  /* A ledger field's text as written → index + 1 in ledgers. */
  GHashTable           *by_text;
  /* A normalised name (owned) → index + 1 in ledgers. */
  GHashTable           *by_name;
  GPtrArray            *ledgers;
  GArray               *rows;
  GCancellable         *cancellable;
  QlImportProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_data_free;
};

G_DEFINE_FINAL_TYPE (QlLedgerImport, ql_ledger_import, G_TYPE_OBJECT)

typedef enum
{
  ROW_OPEN,
  ROW_CREATE_ITEM,
  ROW_DEPOSIT,
  ROW_WITHDRAW,
  ROW_INCREASE,
  ROW_DECREASE,
  ROW_TRANSFER,
} RowType;

static const struct
{
  const char *command;
  const char *event;
} row_types[] = {
  [ROW_OPEN] = { "open", QL_EVENT_ACCOUNT_OPENED },
  [ROW_CREATE_ITEM] = { "create-item", QL_EVENT_ITEM_CREATED },
  [ROW_DEPOSIT] = { "deposit", QL_EVENT_DEPOSITED },
  [ROW_WITHDRAW] = { "withdraw", QL_EVENT_WITHDRAWN },
  [ROW_INCREASE] = { "increase", QL_EVENT_QUANTITY_INCREASED },
  [ROW_DECREASE] = { "decrease", QL_EVENT_QUANTITY_DECREASED },
  /* Read as two rows: a leg in each ledger. */
  [ROW_TRANSFER] = { "transfer", NULL },
};

/* One ledger the file names. */
typedef struct
{
  /* The book's ledger, or NULL when the file creates it. */
  QlLedger   *existing;
  /* The ledger as the rows checked so far leave it. */
  QlLedger   *state;
  /* Its name and currency, which never change, read once for the write. */
  const char *name;
  const char *currency;
  /* The version the rows follow: the book's when it was copied, 0 for a
   * ledger the file creates. */
  gint64      start_version;
  /* The index of the last row that changes it. */
  guint       last_row;
} ImportLedger;

typedef struct
{
  guint32 ledger;
  guint32 type;
  gint64  amount;
  /* The ledger's balance after the row, for the snapshots. */
  gint64  balance;
  /* What is written on a change, in notes, or NULL. */
  const char *date;
  const char *payee;
  const char *memo;
  /* A leg of a transfer: its whole payload, in notes; else NULL. */
  const char *payload;
} ImportRow;

typedef enum
{
  COLUMN_LEDGER,
  COLUMN_TYPE,
  COLUMN_AMOUNT,
  COLUMN_DATE,
  COLUMN_PAYEE,
  COLUMN_MEMO,
  COLUMN_TO,
} Column;

static const char * const column_names[] = {
  [COLUMN_LEDGER] = "ledger", [COLUMN_TYPE] = "type", [COLUMN_AMOUNT] = "amount",
  [COLUMN_DATE] = "date", [COLUMN_PAYEE] = "payee", [COLUMN_MEMO] = "memo",
  [COLUMN_TO] = "to",
};

static void
import_ledger_free (gpointer data)
{
  ImportLedger *ledger = data;

  g_clear_object (&ledger->existing);
  g_clear_object (&ledger->state);
  g_free (ledger);
}

static void
ql_ledger_import_finalize (GObject *object)
{
  QlLedgerImport *self = QL_LEDGER_IMPORT (object);

  _ql_csv_reader_clear (&self->reader);
  _ql_journal_reader_clear (&self->journal_reader);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_clear_pointer (&self->by_text, g_hash_table_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->ledgers, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->notes, g_string_chunk_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->book);
  if (self->progress_data_free != NULL)
    self->progress_data_free (self->progress_data);

  G_OBJECT_CLASS (ql_ledger_import_parent_class)->finalize (object);
}

static void
ql_ledger_import_class_init (QlLedgerImportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_ledger_import_finalize;
}

static void
ql_ledger_import_init (QlLedgerImport *self)
{
  self->by_text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->ledgers = g_ptr_array_new_with_free_func (import_ledger_free);
  self->rows = g_array_new (FALSE, FALSE, sizeof (ImportRow));
  self->notes = g_string_chunk_new (4096);
  _ql_journal_reader_init (&self->journal_reader);
}

/**
 * ql_ledger_import_new:
 * @book: the book to import into
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @progress: (nullable) (scope notified): called with the progress of each
 *   step, or %NULL
 * @progress_data: data for @progress
 * @progress_data_free: (nullable): frees @progress_data with the import
 *
 * Returns: (transfer full): a new import that has read nothing yet
 */
QlLedgerImport *
ql_ledger_import_new (QlLedgerBook         *book,
                      GCancellable         *cancellable,
                      QlImportProgressFunc  progress,
                      gpointer              progress_data,
                      GDestroyNotify        progress_data_free)
{
  QlLedgerImport *self;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (book), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (QL_TYPE_LEDGER_IMPORT, NULL);
  self->book = g_object_ref (book);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->progress = progress;
  self->progress_data = progress_data;
  self->progress_data_free = progress_data_free;
  return self;
}

/* A journal is known by its name, as hledger knows it. */
static gboolean
names_journal (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  return name != NULL && (g_str_has_suffix (name, ".journal") ||
                          g_str_has_suffix (name, ".hledger"));
}

static void
set_contents (QlLedgerImport *self,
              GBytes         *contents,
              gboolean        journal)
{
  gsize length;
  const char *data = g_bytes_get_data (contents, &length);

  self->contents = g_bytes_ref (contents);
  /* A byte order mark is not part of the first field. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }
  _ql_csv_reader_init (&self->reader, data, length);
  self->journal = journal;
}

static void
report (QlLedgerImport *self,
        QlImportPhase   phase,
        guint64         done,
        guint64         total)
{
  if (self->progress != NULL)
    self->progress (phase, done, total, self->progress_data);
}

static void
prefix_line (GError  **error,
             guint64   line)
{
  g_prefix_error (error, _("Line %" PRIu64 ": "), line);
}

static const char *
field (QlLedgerImport *self,
       guint           index)
{
  return self->reader.fields[index]->str;
}

/* The field of @column in the current record, or NULL when the file
 * has no such column. */
static const char *
column (QlLedgerImport *self,
        Column          which)
{
  if (self->journal)
    return self->record[which];
  return self->columns[which] >= 0 ? field (self, (guint) self->columns[which]) : NULL;
}

/* `ledger,type,amount` in that order, as before, or with `date`, `payee`
 * and `memo` among them in any order; each name once. */
static gboolean
check_header (QlLedgerImport  *self,
              GError         **error)
{
  gboolean ok = self->reader.n_fields >= 3 && self->reader.n_fields <= G_N_ELEMENTS (column_names);

  for (guint c = 0; c < G_N_ELEMENTS (column_names); c++)
    self->columns[c] = -1;
  for (guint i = 0; ok && i < self->reader.n_fields; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (field (self, i)));

      ok = FALSE;
      for (guint c = 0; c < G_N_ELEMENTS (column_names); c++)
        if (g_ascii_strcasecmp (name, column_names[c]) == 0 && self->columns[c] < 0)
          {
            self->columns[c] = (gint) i;
            ok = TRUE;
          }
    }
  ok = ok && self->columns[COLUMN_LEDGER] >= 0 && self->columns[COLUMN_TYPE] >= 0 &&
       self->columns[COLUMN_AMOUNT] >= 0;
  if (ok)
    {
      self->n_columns = self->reader.n_fields;
      return TRUE;
    }

  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
               _("Line %" PRIu64 ": the first line must be the header “ledger,type,amount”, "
                 "with “date”, “payee” and “memo” if the file has them"),
               self->reader.line);
  return FALSE;
}

static gboolean
parse_row_type (const char *text,
                RowType    *out_type)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  for (guint i = 0; i < G_N_ELEMENTS (row_types); i++)
    {
      if (g_ascii_strcasecmp (trimmed, row_types[i].command) == 0)
        {
          *out_type = i;
          return TRUE;
        }
    }
  return FALSE;
}

static ImportLedger *
get_ledger (QlLedgerImport *self,
            guint           index)
{
  return g_ptr_array_index (self->ledgers, index - 1);
}

/* Takes @state as the ledger @text names, under its normal form @name. */
static guint
add_ledger (QlLedgerImport *self,
            const char     *text,
            char           *name,
            QlLedger       *existing,
            QlLedger       *state)
{
  ImportLedger *entry = g_new0 (ImportLedger, 1);

  entry->existing = existing;
  entry->state = state;
  entry->name = ql_ledger_get_name (state);
  entry->currency = ql_ledger_get_currency (state);
  entry->start_version = existing != NULL ? ql_ledger_get_version (state) : 0;
  g_ptr_array_add (self->ledgers, entry);
  g_hash_table_insert (self->by_name, name, GUINT_TO_POINTER (self->ledgers->len));
  g_hash_table_insert (self->by_text, g_strdup (text), GUINT_TO_POINTER (self->ledgers->len));

  return self->ledgers->len;
}

/* Finds the ledger a row names, copying it from the book the first time.
 * Returns its index + 1, 0 when neither the book nor an earlier row has
 * it, or -1 with @error set. */
static gint64
find_ledger (QlLedgerImport  *self,
             const char      *text,
             GError         **error)
{
  gpointer found = g_hash_table_lookup (self->by_text, text);
  g_autofree char *name = NULL;
  QlLedger *ledger = NULL;

  if (found != NULL)
    return GPOINTER_TO_UINT (found);

  name = ql_ledger_normalize_name (text, error);
  if (name == NULL)
    return -1;

  found = g_hash_table_lookup (self->by_name, name);
  if (found != NULL)
    {
      g_hash_table_insert (self->by_text, g_strdup (text), found);
      return GPOINTER_TO_UINT (found);
    }

  if (!_ql_ledger_book_sync_ledger (self->book, name, &ledger, error))
    return -1;
  if (ledger == NULL)
    return 0;
  if (!_ql_ledger_check_sound (ledger, error))
    return -1;

  /* The copy keeps the name the store keeps, which another program may
   * have written in another normal form: events go there. */
  return add_ledger (self, text, g_steal_pointer (&name), g_object_ref (ledger),
                     _ql_ledger_copy (ledger));
}

/* A row that opens an account or creates an item. */
static gboolean
check_creation (QlLedgerImport  *self,
                RowType          type,
                gint64           index,
                ImportRow       *row,
                GError         **error)
{
  const char *text = column (self, COLUMN_AMOUNT);
  const char *currency = NULL;
  g_autofree char *name = NULL;
  g_autofree char *code = NULL;
  gint64 quantity = 0;

  if (index > 0)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_EXISTS,
                   _("A ledger named “%s” exists already"),
                   ql_ledger_get_name (get_ledger (self, index)->state));
      return FALSE;
    }

  if (type == ROW_OPEN)
    {
      code = g_strstrip (g_strdup (text));
      if (code[0] != '\0')
        {
          currency = ql_currency_canonicalize (code, NULL, error);
          if (currency == NULL)
            return FALSE;
        }
    }
  else if (!ql_quantity_parse (text, TRUE, &quantity, error))
    return FALSE;

  name = ql_ledger_normalize_name (column (self, COLUMN_LEDGER), NULL);
  g_assert (name != NULL);
  row->ledger = add_ledger (self, column (self, COLUMN_LEDGER), g_strdup (name), NULL,
                            _ql_ledger_new_with_state (name,
                                                       type == ROW_OPEN ? QL_LEDGER_KIND_ACCOUNT
                                                                        : QL_LEDGER_KIND_ITEM,
                                                       currency, quantity, 1)) - 1;
  row->amount = quantity;
  return TRUE;
}

/* The date, payee and memo of the current record, checked and kept for
 * the write; empty fields are none. */
static gboolean
check_notes (QlLedgerImport  *self,
             ImportRow       *row,
             GError         **error)
{
  const char *date = column (self, COLUMN_DATE);
  const char *payee = column (self, COLUMN_PAYEE);
  const char *memo = column (self, COLUMN_MEMO);
  GDate day;

  if (date != NULL && *date != '\0')
    {
      g_autofree char *text = NULL;

      if (!ql_date_parse (date, &day, error))
        return FALSE;
      text = ql_date_format (&day);
      row->date = g_string_chunk_insert_const (self->notes, text);
    }
  if (payee != NULL && *payee != '\0')
    {
      g_autofree char *text = NULL;

      if (!ql_text_check (QL_TEXT_FIELD_PAYEE, payee, -1, error))
        return FALSE;
      text = g_strstrip (g_strdup (payee));
      row->payee = *text != '\0' ? g_string_chunk_insert_const (self->notes, text) : NULL;
    }
  if (memo != NULL && *memo != '\0')
    {
      g_autofree char *text = NULL;

      if (!ql_text_check (QL_TEXT_FIELD_MEMO, memo, -1, error))
        return FALSE;
      text = g_strstrip (g_strdup (memo));
      row->memo = *text != '\0' ? g_string_chunk_insert (self->notes, text) : NULL;
    }
  return TRUE;
}

static gboolean
keep_row (QlLedgerImport *self,
          ImportRow      *row)
{
  ImportLedger *entry = g_ptr_array_index (self->ledgers, row->ledger);

  row->balance = ql_ledger_get_balance (entry->state);
  entry->last_row = self->rows->len;
  g_array_append_val (self->rows, *row);
  return TRUE;
}

static RowType
row_type_of (const char *event)
{
  for (guint i = 0; i < G_N_ELEMENTS (row_types); i++)
    if (g_strcmp0 (row_types[i].event, event) == 0)
      return i;
  g_assert_not_reached ();
}

/* A transfer row: the ledger it leaves, the `to` column's ledger, by the
 * rules of ql_ledger_book_transfer(); it becomes a row for each leg,
 * written with the rest of the file in one commit. */
static gboolean
check_transfer (QlLedgerImport  *self,
                gint64           from_index,
                ImportRow       *row,
                GError         **error)
{
  const char *to_text = column (self, COLUMN_TO);
  QlTransferCommand command = { column (self, COLUMN_AMOUNT), row->date, row->payee, row->memo };
  QlTransferLeg from_leg = { NULL, NULL };
  QlTransferLeg to_leg = { NULL, NULL };
  g_autofree char *transfer = g_uuid_string_random ();
  ImportRow to_row = *row;
  QlLedger *from;
  QlLedger *to;
  gint64 to_index;
  gboolean ok;

  if (to_text == NULL || *to_text == '\0')
    {
      g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                           _("a transfer needs the ledger it goes to in a “to” column"));
      return FALSE;
    }
  to_index = find_ledger (self, to_text, error);
  if (to_index < 0)
    return FALSE;
  if (from_index == 0 || to_index == 0)
    {
      g_autofree char *normalized =
        ql_ledger_normalize_name (from_index == 0 ? column (self, COLUMN_LEDGER) : to_text, NULL);

      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                   _("No ledger is named “%s”"), normalized);
      return FALSE;
    }

  from = get_ledger (self, from_index)->state;
  to = get_ledger (self, to_index)->state;
  ok = _ql_plan_transfer (from, to, &command, transfer, &from_leg, &to_leg, error) &&
       _ql_ledger_apply_command_quietly (from, from_leg.type, command.amount, &row->amount,
                                         error) &&
       _ql_ledger_apply_command_quietly (to, to_leg.type, command.amount, &to_row.amount,
                                         error);
  if (ok)
    {
      row->type = row_type_of (from_leg.type);
      row->ledger = from_index - 1;
      row->payload = g_string_chunk_insert (self->notes, from_leg.payload);
      to_row.type = row_type_of (to_leg.type);
      to_row.ledger = to_index - 1;
      to_row.payload = g_string_chunk_insert (self->notes, to_leg.payload);
      keep_row (self, row);
      keep_row (self, &to_row);
    }
  g_free (from_leg.payload);
  g_free (to_leg.payload);
  return ok;
}

static gboolean check_record (QlLedgerImport  *self,
                              GError         **error);

static gboolean
check_row (QlLedgerImport  *self,
           GError         **error)
{
  if (self->reader.n_fields != self->n_columns && self->n_columns == 3)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                   ngettext ("expected 3 fields (ledger,type,amount), found %u",
                             "expected 3 fields (ledger,type,amount), found %u",
                             self->reader.n_fields),
                   self->reader.n_fields);
      return FALSE;
    }
  if (self->reader.n_fields != self->n_columns)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                   ngettext ("expected %u fields, as the header names, found %u",
                             "expected %u fields, as the header names, found %u",
                             self->reader.n_fields),
                   self->n_columns, self->reader.n_fields);
      return FALSE;
    }
  return check_record (self, error);
}

/* The current record, from a CSV file or a journal, by the rules of the
 * command its type names. */
static gboolean
check_record (QlLedgerImport  *self,
              GError         **error)
{
  const char *name = column (self, COLUMN_LEDGER);
  ImportRow row = { 0 };
  ImportLedger *entry;
  RowType type;
  gint64 index;

  if (!parse_row_type (column (self, COLUMN_TYPE), &type))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                   _("unknown type “%s”: use open, deposit, withdraw, create-item, increase, "
                     "decrease or transfer"),
                   column (self, COLUMN_TYPE));
      return FALSE;
    }
  if (!check_notes (self, &row, error))
    return FALSE;

  index = find_ledger (self, name, error);
  if (index < 0)
    return FALSE;
  if (!ql_text_check (type == ROW_OPEN ? QL_TEXT_FIELD_CURRENCY : QL_TEXT_FIELD_AMOUNT,
                      column (self, COLUMN_AMOUNT), -1, error))
    return FALSE;

  row.type = type;
  if (type == ROW_TRANSFER)
    return check_transfer (self, index, &row, error);
  if (type == ROW_OPEN || type == ROW_CREATE_ITEM)
    {
      if (!check_creation (self, type, index, &row, error))
        return FALSE;
    }
  else
    {
      QlLedger *state;

      if (index == 0)
        {
          g_autofree char *normalized = ql_ledger_normalize_name (name, NULL);

          g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOT_FOUND,
                       _("No ledger is named “%s”"), normalized);
          return FALSE;
        }

      state = get_ledger (self, index)->state;
      if (!_ql_ledger_apply_command_quietly (state, row_types[type].event,
                                             column (self, COLUMN_AMOUNT),
                                             &row.amount, error))
        return FALSE;
      row.ledger = index - 1;
    }

  entry = g_ptr_array_index (self->ledgers, row.ledger);
  row.balance = ql_ledger_get_balance (entry->state);
  entry->last_row = self->rows->len;
  g_array_append_val (self->rows, row);
  return TRUE;
}

/* Checks up to @max_rows rows. Returns %TRUE with @out_done set once the
 * whole file is checked. */
static gboolean
check_rows (QlLedgerImport  *self,
            guint            max_rows,
            gboolean        *out_done,
            GError         **error)
{
  *out_done = FALSE;

  for (guint i = 0; i < max_rows; i++)
    {
      gboolean end;

      if (!_ql_csv_reader_next (&self->reader, &end, error))
        return FALSE;
      if (end)
        {
          if (!self->header_seen)
            {
              g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                                   _("The file is empty: it needs the header “ledger,type,amount”"));
              return FALSE;
            }
          *out_done = TRUE;
          break;
        }

      /* An empty line holds no row. */
      if (self->reader.n_fields == 1 && field (self, 0)[0] == '\0')
        continue;

      if (!self->header_seen)
        {
          if (!check_header (self, error))
            return FALSE;
          self->header_seen = TRUE;
          continue;
        }

      if (!check_row (self, error))
        {
          prefix_line (error, self->reader.line);
          return FALSE;
        }
    }

  report (self, QL_IMPORT_PHASE_CHECKING, self->reader.offset, self->reader.length);
  return TRUE;
}

/* A journal's `open` before a ledger's first change: a ledger the book
 * or an earlier row has already is used as it is, when it is an account
 * of the journal's currency. */
static gboolean
check_journal_open (QlLedgerImport  *self,
                    GError         **error)
{
  const char *currency = column (self, COLUMN_AMOUNT);
  gint64 index = find_ledger (self, column (self, COLUMN_LEDGER), error);
  const char *kept;
  QlLedger *state;

  if (index < 0)
    return FALSE;
  if (index == 0)
    return check_record (self, error);

  state = get_ledger (self, index)->state;
  kept = ql_ledger_get_currency (state);
  if (kept == NULL)
    kept = "";
  if (ql_ledger_get_kind (state) != QL_LEDGER_KIND_ACCOUNT)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                   _("“%s” is an item: a journal posts money to accounts only"),
                   ql_ledger_get_name (state));
      return FALSE;
    }
  if (g_strcmp0 (kept, currency) != 0)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_IMPORT,
                   _("the ledger “%s” keeps %s, but the journal posts %s to it"),
                   ql_ledger_get_name (state), *kept != '\0' ? kept : _("plain units"),
                   *currency != '\0' ? currency : _("plain units"));
      return FALSE;
    }
  return TRUE;
}

/* Reads the journal at the first step, then checks up to @max_rows of
 * its rows as check_rows() checks a CSV file's. */
static gboolean
check_journal_rows (QlLedgerImport  *self,
                    guint            max_rows,
                    gboolean        *out_done,
                    GError         **error)
{
  GArray *rows = self->journal_reader.rows;
  gsize offset = 0;

  *out_done = FALSE;
  if (!self->journal_read)
    {
      if (!_ql_journal_reader_read (&self->journal_reader, self->reader.data,
                                    self->reader.length, error))
        return FALSE;
      self->journal_read = TRUE;
    }

  for (guint i = 0; i < max_rows && self->next_journal_row < rows->len; i++)
    {
      const QlJournalRow *row = &g_array_index (rows, QlJournalRow, self->next_journal_row++);
      gboolean ok;

      self->record[COLUMN_LEDGER] = row->ledger;
      self->record[COLUMN_TYPE] = row->type;
      self->record[COLUMN_AMOUNT] = row->amount;
      self->record[COLUMN_DATE] = row->date;
      self->record[COLUMN_PAYEE] = row->payee;
      self->record[COLUMN_MEMO] = row->memo;
      self->record[COLUMN_TO] = row->to;
      ok = g_str_equal (row->type, "open") ? check_journal_open (self, error)
                                           : check_record (self, error);
      if (!ok)
        {
          prefix_line (error, row->line);
          return FALSE;
        }
      offset = row->end;
    }

  *out_done = self->next_journal_row == rows->len;
  report (self, QL_IMPORT_PHASE_CHECKING, *out_done ? self->reader.length : offset,
          self->reader.length);
  return TRUE;
}

/* The payload the command of @row's type writes. */
static const char *
build_payload (GStringChunk *chunk,
               ImportLedger *entry,
               ImportRow    *row,
               GString      *scratch)
{
  g_string_truncate (scratch, 0);
  if (row->payload != NULL)
    return row->payload;

  switch ((RowType) row->type)
    {
    case ROW_OPEN:
      {
        g_autofree char *text = _ql_account_opened_payload_write (entry->currency);

        g_string_append (scratch, text);
      }
      break;

    case ROW_CREATE_ITEM:
      {
        g_autofree char *text = _ql_item_created_payload_write (entry->name, row->amount);

        g_string_append (scratch, text);
      }
      break;

    case ROW_DEPOSIT:
    case ROW_WITHDRAW:
    case ROW_INCREASE:
    case ROW_DECREASE:
    case ROW_TRANSFER:
    default:
      if (row->date != NULL || row->payee != NULL || row->memo != NULL)
        {
          g_autofree char *text = NULL;
          GDate day;

          /* Checked when the row was read. */
          if (row->date != NULL && !ql_date_parse (row->date, &day, NULL))
            g_assert_not_reached ();
          text = _ql_change_payload_write_noted (row->amount, 0, NULL,
                                                 row->date != NULL ? &day : NULL,
                                                 row->payee, row->memo);
          g_string_append (scratch, text);
        }
      else
        _ql_change_payload_append (scratch, row->amount);
      break;
    }

  return g_string_chunk_insert_len (chunk, scratch->str, scratch->len);
}

typedef struct
{
  QlLedgerImport *self;
  guint64         total;
} WriteProgress;

static gboolean
write_progress_cb (guint64  n_written,
                   gpointer user_data)
{
  WriteProgress *write = user_data;

  report (write->self, QL_IMPORT_PHASE_WRITING, n_written, write->total);
  return !g_cancellable_is_cancelled (write->self->cancellable);
}

/* The rows' indexes grouped by ledger, ledgers in the order the file
 * first names them, each ledger's rows in file order. */
static guint *
order_rows_by_ledger (QlLedgerImport *self)
{
  guint n_rows = self->rows->len;
  guint *order = g_new (guint, n_rows);
  g_autofree guint *next = g_new0 (guint, self->ledgers->len + 1);

  for (guint i = 0; i < n_rows; i++)
    next[g_array_index (self->rows, ImportRow, i).ledger + 1]++;
  for (guint l = 1; l <= self->ledgers->len; l++)
    next[l] += next[l - 1];
  for (guint i = 0; i < n_rows; i++)
    order[next[g_array_index (self->rows, ImportRow, i).ledger]++] = i;

  return order;
}

/* The book's ledgers take the checked states, and the ledgers the file
 * created join the book: the store holds exactly the checked events, so
 * these are the replayed states. */
static void
publish_states (QlLedgerImport *self)
{
  for (guint i = 0; i < self->ledgers->len; i++)
    {
      ImportLedger *entry = g_ptr_array_index (self->ledgers, i);
      gint64 version = ql_ledger_get_version (entry->state);

      if (entry->existing == NULL)
        _ql_ledger_book_add_ledger (self->book, entry->state);
      else if (ql_ledger_get_version (entry->existing) != version)
        {
          _ql_ledger_set_state (entry->existing, ql_ledger_get_balance (entry->state), version);
          _ql_ledger_book_mark_changed (self->book);
        }
    }
}

/* Writes every checked row in one batch, with a snapshot wherever one is
 * due and at each ledger's last row. The batch is one transaction, so its
 * events appear together, and nothing orders the events of different
 * ledgers inside it: they are written ledger by ledger, each ledger's in
 * file order, which lets each ledger's index entries go in one after
 * another. */
static gboolean
write_rows (QlLedgerImport  *self,
            GError         **error)
{
  guint n_rows = self->rows->len;
  guint interval = ql_ledger_book_get_snapshot_interval (self->book);
  g_autofree QlNewEvent *events = NULL;
  g_autoptr(GArray) appends = NULL;
  g_autoptr(GString) scratch = g_string_new (NULL);
  GStringChunk *chunk = NULL;
  /* Each ledger's version as the rows written so far leave it. */
  g_autofree gint64 *versions = NULL;
  g_autofree guint *order = NULL;
  WriteProgress progress = { self, n_rows };
  gboolean ok;

  if (n_rows == 0)
    {
      report (self, QL_IMPORT_PHASE_WRITING, 0, 0);
      return TRUE;
    }

  events = g_new (QlNewEvent, n_rows);
  appends = g_array_sized_new (FALSE, FALSE, sizeof (QlLedgerAppend), n_rows);
  chunk = g_string_chunk_new (1 << 20);
  versions = g_new0 (gint64, self->ledgers->len);

  for (guint i = 0; i < self->ledgers->len; i++)
    versions[i] = ((ImportLedger *) g_ptr_array_index (self->ledgers, i))->start_version;

  order = order_rows_by_ledger (self);
  for (guint k = 0; k < n_rows; k++)
    {
      guint i = order[k];
      ImportRow *row = &g_array_index (self->rows, ImportRow, i);
      ImportLedger *entry = g_ptr_array_index (self->ledgers, row->ledger);
      QlLedgerAppend *last = appends->len > 0
                             ? &g_array_index (appends, QlLedgerAppend, appends->len - 1)
                             : NULL;
      gint64 version;

      events[k].type = row_types[row->type].event;
      events[k].payload = build_payload (chunk, entry, row, scratch);
      events[k].reference = NULL;

      /* Consecutive rows of one ledger share a part, up to a snapshot. */
      if (last != NULL && last->ledger == entry->name && last->snapshot == NULL)
        last->n_events++;
      else
        {
          QlLedgerAppend append = { entry->name, versions[row->ledger], &events[k], 1, NULL };

          g_array_append_val (appends, append);
          last = &g_array_index (appends, QlLedgerAppend, appends->len - 1);
        }

      version = ++versions[row->ledger];
      if (version % interval == 0 || entry->last_row == i)
        {
          g_autofree char *state = _ql_ledger_format_snapshot (ql_ledger_get_kind (entry->state),
                                                               entry->currency,
                                                               row->balance);

          last->snapshot = g_string_chunk_insert (chunk, state);
        }
    }

  ok = ql_event_store_append_batch (ql_ledger_book_get_store (self->book),
                                    (QlLedgerAppend *) appends->data, appends->len,
                                    write_progress_cb, &progress, error);
  g_string_chunk_free (chunk);
  if (!ok)
    return FALSE;

  publish_states (self);
  report (self, QL_IMPORT_PHASE_WRITING, n_rows, n_rows);
  _ql_ledger_book_emit_changed_if_pending (self->book);
  return TRUE;
}

static gboolean
check_cancelled (QlLedgerImport  *self,
                 GError         **error)
{
  if (!g_cancellable_is_cancelled (self->cancellable))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       _("The import was cancelled; nothing was written"));
  return TRUE;
}

/* Checks one step of rows, and writes them all once the last is checked.
 * Returns %TRUE with @out_done set once the file is written. */
static gboolean
run_step (QlLedgerImport  *self,
          gboolean        *out_done,
          GError         **error)
{
  gboolean checked = FALSE;

  *out_done = FALSE;
  if (check_cancelled (self, error) ||
      !(self->journal ? check_journal_rows (self, ROWS_PER_STEP, &checked, error)
                      : check_rows (self, ROWS_PER_STEP, &checked, error)) ||
      (checked && (check_cancelled (self, error) || !write_rows (self, error))))
    {
      _ql_ledger_book_emit_changed_if_pending (self->book);
      return FALSE;
    }
  *out_done = checked;
  return TRUE;
}

/**
 * ql_ledger_import_run:
 * @self: a #QlLedgerImport that has not run
 * @file: a CSV file in the format #QlLedgerImport describes
 * @out_n_events: (out) (optional): how many events were written
 * @error: return location for a #GError
 *
 * Runs the import from the calling thread.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
ql_ledger_import_run (QlLedgerImport  *self,
                      GFile           *file,
                      guint64         *out_n_events,
                      GError         **error)
{
  g_autoptr(GBytes) contents = NULL;
  gboolean done = FALSE;

  g_return_val_if_fail (QL_IS_LEDGER_IMPORT (self), FALSE);
  g_return_val_if_fail (self->contents == NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  contents = ql_file_load_bounded (file, QL_IMPORT_MAX_SIZE, self->cancellable, error);
  if (contents == NULL)
    return FALSE;
  set_contents (self, contents, names_journal (file));

  while (!done)
    {
      if (!run_step (self, &done, error))
        return FALSE;
    }

  if (out_n_events != NULL)
    *out_n_events = self->rows->len;
  return TRUE;
}

static gboolean
step_cb (gpointer user_data)
{
  GTask *task = user_data;
  QlLedgerImport *self = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean done;

  if (!run_step (self, &done, &error))
    {
      g_task_return_error (task, error);
      return G_SOURCE_REMOVE;
    }
  if (!done)
    return G_SOURCE_CONTINUE;

  g_task_return_int (task, self->rows->len);
  return G_SOURCE_REMOVE;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QlLedgerImport *self = g_task_get_task_data (task);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GSource) source = NULL;
  GError *error = NULL;

  contents = ql_file_load_bounded_finish (G_FILE (object), result, &error);
  if (contents == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  set_contents (self, contents, names_journal (G_FILE (object)));

  /* Checking runs a step per main-loop turn, so a window stays live and
   * can show the progress. */
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[quote-ledger] import");
  g_task_attach_source (task, source, step_cb);
}

/**
 * ql_ledger_import_run_async:
 * @self: a #QlLedgerImport that has not run
 * @file: a CSV file in the format #QlLedgerImport describes
 * @callback: called when the import is over, with the book as its source
 *   object
 * @user_data: data for @callback
 *
 * Runs the import as ql_ledger_book_import_csv_async() describes it.
 * Finish with ql_ledger_import_run_finish().
 */
void
ql_ledger_import_run_async (QlLedgerImport      *self,
                            GFile               *file,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (QL_IS_LEDGER_IMPORT (self));
  g_return_if_fail (self->contents == NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self->book, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, ql_ledger_import_run_async);
  g_task_set_task_data (task, g_object_ref (self), g_object_unref);
  ql_file_load_bounded_async (file, QL_IMPORT_MAX_SIZE, self->cancellable, loaded_cb,
                               g_steal_pointer (&task));
}

/**
 * ql_ledger_import_run_finish:
 * @result: the result given to the callback of ql_ledger_import_run_async()
 * @out_n_events: (out) (optional): how many events were written
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the whole file was imported, %FALSE with @error set
 *   when nothing was
 */
gboolean
ql_ledger_import_run_finish (GAsyncResult  *result,
                             guint64       *out_n_events,
                             GError       **error)
{
  gssize n_events;

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ql_ledger_import_run_async,
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_events = g_task_propagate_int (G_TASK (result), error);
  if (n_events < 0)
    return FALSE;
  if (out_n_events != NULL)
    *out_n_events = n_events;
  return TRUE;
}
