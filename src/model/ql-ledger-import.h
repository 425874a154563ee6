/* ql-ledger-import.h: one import of a CSV file into a ledger book
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-ledger-book.h"

G_BEGIN_DECLS

#define QL_TYPE_LEDGER_IMPORT (ql_ledger_import_get_type ())
G_DECLARE_FINAL_TYPE (QlLedgerImport, ql_ledger_import, QL, LEDGER_IMPORT, GObject)

QlLedgerImport *ql_ledger_import_new       (QlLedgerBook          *book,
                                            GCancellable          *cancellable,
                                            QlImportProgressFunc   progress,
                                            gpointer               progress_data,
                                            GDestroyNotify         progress_data_free);
gboolean        ql_ledger_import_run       (QlLedgerImport        *self,
                                            GFile                 *file,
                                            guint64               *out_n_events,
                                            GError               **error);
void            ql_ledger_import_run_async (QlLedgerImport        *self,
                                            GFile                 *file,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
gboolean        ql_ledger_import_run_finish (GAsyncResult         *result,
                                             guint64              *out_n_events,
                                             GError              **error);

G_END_DECLS
