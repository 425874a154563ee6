/* ql-history-row.h: one line of a ledger's history, ready to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define QL_TYPE_HISTORY_ROW (ql_history_row_get_type ())
G_DECLARE_FINAL_TYPE (QlHistoryRow, ql_history_row, QL, HISTORY_ROW, GObject)

QlHistoryRow *ql_history_row_new (gint64      version,
                                  const char *time,
                                  const char *event_type,
                                  const char *amount,
                                  const char *balance);
void          ql_history_row_set_note (QlHistoryRow *self,
                                       const char   *day,
                                       const char   *date,
                                       const char   *payee,
                                       const char   *memo,
                                       gboolean      correctable);

G_END_DECLS
