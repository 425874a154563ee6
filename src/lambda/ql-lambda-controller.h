/* ql-lambda-controller.h: the Lambda functions, each an event translated to the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define QL_LAMBDA_ERROR (ql_lambda_error_quark ())

/**
 * QlLambdaError:
 * @QL_LAMBDA_ERROR_UNKNOWN_HANDLER: `_HANDLER` names no function
 * @QL_LAMBDA_ERROR_NO_DATABASE: a ledger function has no database to open
 * @QL_LAMBDA_ERROR_INVALID_EVENT: the event is not a JSON object
 * @QL_LAMBDA_ERROR_MISSING_FIELD: the event lacks a field the function needs
 * @QL_LAMBDA_ERROR_INVALID_NUMBER: a field that must be a number is not one
 * @QL_LAMBDA_ERROR_NUMBER_OVERFLOW: the result does not fit in a number
 * @QL_LAMBDA_ERROR_INVALID_ARGUMENT: the ledgers' rules refuse a field
 * @QL_LAMBDA_ERROR_NOT_FOUND: no ledger has the name asked for
 * @QL_LAMBDA_ERROR_ALREADY_EXISTS: the order was paid by another request
 * @QL_LAMBDA_ERROR_UNAVAILABLE: the store failed; retrying is safe
 * @QL_LAMBDA_ERROR_ABORTED: other writers kept winning; retrying is safe
 * @QL_LAMBDA_ERROR_INTERNAL: the store is damaged or too new
 *
 * Why a function failed. ql_lambda_error_type() names each for the
 * Runtime API's `errorType`.
 */
typedef enum
{
  QL_LAMBDA_ERROR_UNKNOWN_HANDLER,
  QL_LAMBDA_ERROR_NO_DATABASE,
  QL_LAMBDA_ERROR_INVALID_EVENT,
  QL_LAMBDA_ERROR_MISSING_FIELD,
  QL_LAMBDA_ERROR_INVALID_NUMBER,
  QL_LAMBDA_ERROR_NUMBER_OVERFLOW,
  QL_LAMBDA_ERROR_INVALID_ARGUMENT,
  QL_LAMBDA_ERROR_NOT_FOUND,
  QL_LAMBDA_ERROR_ALREADY_EXISTS,
  QL_LAMBDA_ERROR_UNAVAILABLE,
  QL_LAMBDA_ERROR_ABORTED,
  QL_LAMBDA_ERROR_INTERNAL,
} QlLambdaError;

GQuark      ql_lambda_error_quark (void);
const char *ql_lambda_error_type  (const GError *error);

#define QL_TYPE_LAMBDA_CONTROLLER (ql_lambda_controller_get_type ())
G_DECLARE_FINAL_TYPE (QlLambdaController, ql_lambda_controller, QL, LAMBDA_CONTROLLER, GObject)

QlLambdaController *ql_lambda_controller_new    (const char          *handler,
                                                 const char          *database,
                                                 GError             **error);
GBytes             *ql_lambda_controller_invoke (QlLambdaController  *self,
                                                 GBytes              *event,
                                                 GError             **error);

G_END_DECLS
