/* ql-journal-reader-private.h: reads an hledger journal of simple
 * transactions into the rows an import checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest line a journal may have. */
#define QL_JOURNAL_MAX_LINE_BYTES 65536
/* The most postings one transaction may have. */
#define QL_JOURNAL_MAX_POSTINGS 1024

/* One command a journal asks for, with the fields of a CSV import's row:
 * `open` (amount: the currency, empty for plain units), `deposit`,
 * `withdraw` (amount: positive, in the currency's decimals) or `transfer`
 * (from ledger to to). An `open` comes before a ledger's first change. */
typedef struct
{
  /* The line of the posting the row comes from. */
  guint64     line;
  /* Where the row's transaction ends in the text, for progress. */
  gsize       end;
  const char *type;
  const char *ledger;
  const char *amount;
  const char *to;
  const char *date;
  const char *payee;
  const char *memo;
} QlJournalRow;

typedef struct
{
  GStringChunk *strings;
  /* Of QlJournalRow, in the journal's order. */
  GArray       *rows;
  /* Transactions read, and those left out: they post to no ledger. */
  guint64       n_transactions;
  guint64       n_skipped;
} QlJournalReader;

void     _ql_journal_reader_init  (QlJournalReader  *reader);
void     _ql_journal_reader_clear (QlJournalReader  *reader);
gboolean _ql_journal_reader_read  (QlJournalReader  *reader,
                                   const char       *data,
                                   gsize             length,
                                   GError          **error);

G_END_DECLS
