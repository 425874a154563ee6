/* ql-payments-controller.h: the PaymentService's calls, translated to the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-ledger-book.h"

G_BEGIN_DECLS

/* The method path of the seed's `PaymentService.ProcessPayment`. */
#define QL_PAYMENTS_PROCESS_PAYMENT "/payment.PaymentService/ProcessPayment"
/* The method path of `PaymentService.Transfer`. */
#define QL_PAYMENTS_TRANSFER "/payment.PaymentService/Transfer"

/* The most bytes each string of a PaymentRequest may have: an order id
 * is a payment's reference, bounded by the model's own rule; a user id is
 * an account name of at most QL_LEDGER_NAME_MAX_CHARS characters, in any
 * normal form. */
#define QL_PAYMENTS_ORDER_ID_MAX_BYTES QL_TEXT_REFERENCE_MAX_BYTES
#define QL_PAYMENTS_CURRENCY_MAX_BYTES 32
#define QL_PAYMENTS_USER_ID_MAX_BYTES  1024
/* A TransferRequest's accounts are user ids; its notes have the model's
 * limits. */
#define QL_PAYMENTS_PAYEE_MAX_BYTES    QL_TEXT_PAYEE_MAX_BYTES
#define QL_PAYMENTS_MEMO_MAX_BYTES     QL_TEXT_MEMO_MAX_BYTES

#define QL_TYPE_PAYMENTS_CONTROLLER (ql_payments_controller_get_type ())
G_DECLARE_FINAL_TYPE (QlPaymentsController, ql_payments_controller, QL, PAYMENTS_CONTROLLER, GObject)

QlPaymentsController *ql_payments_controller_new           (QlLedgerBook          *book);
GBytes               *ql_payments_controller_handle_call   (QlPaymentsController  *self,
                                                            const char            *method,
                                                            GBytes                *request,
                                                            GError               **error);
void                  ql_payments_controller_handle_calls  (QlPaymentsController  *self,
                                                            guint                  n_calls,
                                                            const char * const    *methods,
                                                            GBytes * const        *requests,
                                                            GBytes               **out_responses,
                                                            GError               **out_errors);
char                 *ql_payments_controller_format_amount (double                 amount);

G_END_DECLS
