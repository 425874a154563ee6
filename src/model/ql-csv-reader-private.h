/* ql-csv-reader-private.h: reads RFC 4180 records from text in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ql-text-rules.h"

G_BEGIN_DECLS

#define QL_CSV_MAX_FIELDS 8
/* The longest record, line breaks inside quoted fields included. */
#define QL_CSV_MAX_LINE_BYTES 65536
/* No field holds more than the longest ledger name. */
#define QL_CSV_MAX_FIELD_BYTES QL_TEXT_NAME_MAX_BYTES

typedef struct
{
  const char *data;
  gsize       length;
  gsize       offset;
  /* The line the next record starts on, from 1. */
  guint64     next_line;
  /* The line the record just read starts on. */
  guint64     line;
  guint       n_fields;
  /* Each field's text, NUL-terminated, quotes and "" escapes undone. */
  GString    *fields[QL_CSV_MAX_FIELDS];
} QlCsvReader;

void     _ql_csv_reader_init  (QlCsvReader  *reader,
                               const char   *data,
                               gsize         length);
void     _ql_csv_reader_clear (QlCsvReader  *reader);
gboolean _ql_csv_reader_next  (QlCsvReader  *reader,
                               gboolean     *out_done,
                               GError      **error);

G_END_DECLS
