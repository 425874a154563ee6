/* ql-lambda-runtime.h: a client of the AWS Lambda Runtime API (2018-06-01)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The most bytes an invocation's event or response may have: Lambda's
 * limit for synchronous invocations. */
#define QL_LAMBDA_PAYLOAD_MAX_BYTES (6 * 1024 * 1024)

#define QL_LAMBDA_RUNTIME_ERROR (ql_lambda_runtime_error_quark ())

/**
 * QlLambdaRuntimeError:
 * @QL_LAMBDA_RUNTIME_ERROR_UNREACHABLE: the Runtime API did not answer
 *   within the retry budget
 * @QL_LAMBDA_RUNTIME_ERROR_PROTOCOL: the Runtime API answered with a status
 *   or headers that this runtime cannot act on
 * @QL_LAMBDA_RUNTIME_ERROR_TOO_LARGE: the Runtime API refused a response
 *   as too large
 */
typedef enum
{
  QL_LAMBDA_RUNTIME_ERROR_UNREACHABLE,
  QL_LAMBDA_RUNTIME_ERROR_PROTOCOL,
  QL_LAMBDA_RUNTIME_ERROR_TOO_LARGE,
} QlLambdaRuntimeError;

GQuark ql_lambda_runtime_error_quark (void);

/* One invocation as the Runtime API handed it over. @payload is %NULL
 * when the event was larger than %QL_LAMBDA_PAYLOAD_MAX_BYTES: it was not
 * read, and the invocation is to be answered with an error. */
typedef struct
{
  char   *request_id;
  char   *trace_id;
  gint64  deadline_ms;
  GBytes *payload;
} QlLambdaInvocation;

void ql_lambda_invocation_free (QlLambdaInvocation *invocation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlLambdaInvocation, ql_lambda_invocation_free)

#define QL_TYPE_LAMBDA_RUNTIME (ql_lambda_runtime_get_type ())
G_DECLARE_FINAL_TYPE (QlLambdaRuntime, ql_lambda_runtime, QL, LAMBDA_RUNTIME, GObject)

QlLambdaRuntime    *ql_lambda_runtime_new          (const char       *api,
                                                    guint             retry_ms);
QlLambdaInvocation *ql_lambda_runtime_next         (QlLambdaRuntime  *self,
                                                    GError          **error);
gboolean            ql_lambda_runtime_respond      (QlLambdaRuntime  *self,
                                                    const char       *request_id,
                                                    GBytes           *response,
                                                    GError          **error);
gboolean            ql_lambda_runtime_report_error (QlLambdaRuntime  *self,
                                                    const char       *request_id,
                                                    const char       *error_type,
                                                    const char       *message,
                                                    GError          **error);

G_END_DECLS
