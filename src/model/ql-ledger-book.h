/* ql-ledger-book.h: every ledger of one event store, and the commands on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-event-store.h"
#include "ql-ledger.h"
#include "ql-reference-index.h"

G_BEGIN_DECLS

/**
 * QlImportPhase:
 * @QL_IMPORT_PHASE_CHECKING: the file is read and every row checked
 *   against the rules; progress counts bytes of the file
 * @QL_IMPORT_PHASE_WRITING: the checked events are written; progress
 *   counts events
 *
 * The two steps of ql_ledger_book_import_csv().
 */
typedef enum
{
  QL_IMPORT_PHASE_CHECKING,
  QL_IMPORT_PHASE_WRITING,
} QlImportPhase;

/**
 * QlImportProgressFunc:
 * @phase: the step the import is in
 * @done: how much of the step is done: bytes while checking, events while
 *   writing
 * @total: how much there is: the file's size, or the number of events
 * @user_data: data given with the function
 *
 * Reports an import's progress, from the thread that runs it, every few
 * thousand rows and once at the end of each step.
 */
typedef void (*QlImportProgressFunc) (QlImportPhase phase,
                                      guint64       done,
                                      guint64       total,
                                      gpointer      user_data);

/**
 * QlExportProgressFunc:
 * @fraction: how much of the export is done, from 0 to 1: the share of
 *   its events read for their notes and written
 * @user_data: data given with the function
 *
 * Reports how far ql_ledger_book_export_async() is, on the main context
 * it was called from.
 */
typedef void (*QlExportProgressFunc) (double   fraction,
                                      gpointer user_data);

/**
 * QlPaymentRequest:
 * @name: the account's name, in any form ql_ledger_normalize_name() accepts
 * @amount: the amount as text, parsed with the account's decimals
 * @currency: an ISO 4217 code in any case
 * @reference: the key the payment is found by, such as an order id
 *
 * One payment of ql_ledger_book_withdraw_group(), with the arguments of
 * ql_ledger_book_withdraw_for_reference().
 */
typedef struct
{
  const char *name;
  const char *amount;
  const char *currency;
  const char *reference;
} QlPaymentRequest;

/**
 * QlTransferRequest:
 * @from: the ledger the amount leaves, in any form
 *   ql_ledger_normalize_name() accepts
 * @to: the ledger it goes to
 * @amount: the amount as text, parsed with @from's decimals
 * @currency: an ISO 4217 code in any case; it must be @from's
 * @reference: the order id the transfer is found by
 * @payee: (nullable): who was paid, written on both legs
 * @memo: (nullable): a free note, written on both legs
 *
 * One transfer of ql_ledger_book_transfer_order().
 */
typedef struct
{
  const char *from;
  const char *to;
  const char *amount;
  const char *currency;
  const char *reference;
  const char *payee;
  const char *memo;
} QlTransferRequest;

/**
 * QlChangeNote:
 * @date: (nullable): the day a change happened, `YYYY-MM-DD`
 * @payee: (nullable): who was paid, or paid in
 * @memo: (nullable): a free note
 *
 * What people write on a change besides its amount, as they typed it.
 */
typedef struct
{
  const char *date;
  const char *payee;
  const char *memo;
} QlChangeNote;

/**
 * QlEventFilter:
 * @text: (nullable): words to find in a change's payee or memo, in any
 *   case
 * @min_amount: (nullable): the smallest amount, as typed
 * @max_amount: (nullable): the largest amount, as typed
 * @from_date: (nullable): the first day, `YYYY-MM-DD`
 * @to_date: (nullable): the last day
 *
 * What ql_ledger_book_find_events() looks for; a %NULL member does not
 * restrict.
 */
typedef struct
{
  const char *text;
  const char *min_amount;
  const char *max_amount;
  const char *from_date;
  const char *to_date;
} QlEventFilter;

#define QL_TYPE_LEDGER_BOOK (ql_ledger_book_get_type ())
G_DECLARE_FINAL_TYPE (QlLedgerBook, ql_ledger_book, QL, LEDGER_BOOK, GObject)

QlLedgerBook *ql_ledger_book_new           (QlEventStore  *store,
                                            GError       **error);
QlEventStore *ql_ledger_book_get_store     (QlLedgerBook  *self);
GListModel   *ql_ledger_book_get_ledgers   (QlLedgerBook  *self);
QlLedger     *ql_ledger_book_lookup        (QlLedgerBook  *self,
                                            const char    *name);
QlEvent      *ql_ledger_book_open_account  (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *currency,
                                            GError       **error);
QlEvent      *ql_ledger_book_deposit       (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *amount,
                                            GError       **error);
QlEvent      *ql_ledger_book_withdraw      (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *amount,
                                            GError       **error);
QlEvent      *ql_ledger_book_create_item   (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *quantity,
                                            GError       **error);
QlEvent      *ql_ledger_book_increase      (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *quantity,
                                            GError       **error);
QlEvent      *ql_ledger_book_decrease      (QlLedgerBook  *self,
                                            const char    *name,
                                            const char    *quantity,
                                            GError       **error);
QlEvent      *ql_ledger_book_record_change (QlLedgerBook       *self,
                                            const char         *name,
                                            const char         *type,
                                            const char         *amount,
                                            const QlChangeNote *note,
                                            GError            **error);
QlEvent      *ql_ledger_book_transfer      (QlLedgerBook       *self,
                                            const char         *from,
                                            const char         *to,
                                            const char         *amount,
                                            const QlChangeNote *note,
                                            GError            **error);
QlEvent      *ql_ledger_book_set_threshold (QlLedgerBook       *self,
                                            const char         *name,
                                            const char         *quantity,
                                            GError            **error);
QlEvent      *ql_ledger_book_amend         (QlLedgerBook       *self,
                                            const char         *name,
                                            gint64              version,
                                            const QlChangeNote *note,
                                            GError            **error);
gboolean      ql_ledger_book_balance_on    (QlLedgerBook  *self,
                                            const char    *name,
                                            const GDate   *date,
                                            gint64         recorded_until,
                                            gint64        *out_balance,
                                            GError       **error);
QlEvent      *ql_ledger_book_withdraw_for_reference (QlLedgerBook  *self,
                                                     const char    *name,
                                                     const char    *amount,
                                                     const char    *currency,
                                                     const char    *reference,
                                                     GError       **error);
void          ql_ledger_book_withdraw_group (QlLedgerBook           *self,
                                             const QlPaymentRequest *requests,
                                             guint                   n_requests,
                                             QlEvent               **out_events,
                                             GError                **out_errors);
gboolean      ql_ledger_book_is_payment_for (QlLedgerBook *self,
                                             QlEvent      *payment,
                                             const char   *name,
                                             const char   *amount,
                                             const char   *currency);
QlEvent      *ql_ledger_book_pay_order     (QlLedgerBook           *self,
                                            QlReferenceIndex       *orders,
                                            const QlPaymentRequest *request,
                                            GError                **error);
QlEvent      *ql_ledger_book_transfer_order (QlLedgerBook            *self,
                                             QlReferenceIndex        *orders,
                                             const QlTransferRequest *request,
                                             GError                 **error);
void          ql_ledger_book_pay_orders    (QlLedgerBook           *self,
                                            QlReferenceIndex       *orders,
                                            const QlPaymentRequest *requests,
                                            guint                   n_requests,
                                            QlEvent               **out_events,
                                            GError                **out_errors);
QlEvent      *ql_ledger_book_undo          (QlLedgerBook  *self,
                                            const char    *name,
                                            GError       **error);
gboolean      ql_ledger_book_can_undo      (QlLedgerBook  *self,
                                            const char    *name);
QlLedger     *ql_ledger_book_state_at      (QlLedgerBook  *self,
                                            const char    *name,
                                            gint64         version,
                                            GError       **error);
gboolean      ql_ledger_book_export        (QlLedgerBook  *self,
                                            const char    *path,
                                            const char    *name,
                                            guint64       *out_n_changes,
                                            GError       **error);
void          ql_ledger_book_export_async  (QlLedgerBook          *self,
                                            const char            *path,
                                            const char            *name,
                                            GCancellable          *cancellable,
                                            QlExportProgressFunc   progress,
                                            gpointer               progress_data,
                                            GDestroyNotify         progress_data_free,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
gboolean      ql_ledger_book_export_finish (QlLedgerBook          *self,
                                            GAsyncResult          *result,
                                            guint64               *out_n_changes,
                                            GError               **error);
GPtrArray    *ql_ledger_book_list_events   (QlLedgerBook  *self,
                                            const char    *name,
                                            GError       **error);
GPtrArray    *ql_ledger_book_find_events   (QlLedgerBook        *self,
                                            const char          *name,
                                            const QlEventFilter *filter,
                                            GError             **error);
GPtrArray    *ql_ledger_book_read_log      (QlLedgerBook  *self,
                                            gint64         start,
                                            gint64         limit,
                                            GError       **error);
gboolean      ql_ledger_book_refresh       (QlLedgerBook  *self,
                                            GError       **error);
gboolean      ql_ledger_book_get_reachable (QlLedgerBook  *self);
void          ql_ledger_book_watch         (QlLedgerBook  *self,
                                            guint          interval_ms);
guint         ql_ledger_book_get_snapshot_interval (QlLedgerBook *self);
void          ql_ledger_book_set_snapshot_interval (QlLedgerBook *self,
                                                    guint         interval);
gboolean      ql_ledger_book_import_csv        (QlLedgerBook          *self,
                                                GFile                 *file,
                                                GCancellable          *cancellable,
                                                QlImportProgressFunc   progress,
                                                gpointer               progress_data,
                                                guint64               *out_n_events,
                                                GError               **error);
void          ql_ledger_book_import_csv_async  (QlLedgerBook          *self,
                                                GFile                 *file,
                                                GCancellable          *cancellable,
                                                QlImportProgressFunc   progress,
                                                gpointer               progress_data,
                                                GDestroyNotify         progress_data_free,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
gboolean      ql_ledger_book_import_csv_finish (QlLedgerBook          *self,
                                                GAsyncResult          *result,
                                                guint64               *out_n_events,
                                                GError               **error);

G_END_DECLS
