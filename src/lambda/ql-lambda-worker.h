/* ql-lambda-worker.h: runs a function in a process of its own, restarted after a crash or timeout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The errorTypes of invocations that the function did not answer. */
#define QL_LAMBDA_WORKER_CRASHED   "Runtime.HandlerCrashed"
#define QL_LAMBDA_WORKER_TIMED_OUT "Runtime.HandlerTimedOut"

#define QL_TYPE_LAMBDA_WORKER (ql_lambda_worker_get_type ())
G_DECLARE_FINAL_TYPE (QlLambdaWorker, ql_lambda_worker, QL, LAMBDA_WORKER, GObject)

QlLambdaWorker *ql_lambda_worker_new    (const char      *handler,
                                         const char      *database);
gboolean        ql_lambda_worker_start  (QlLambdaWorker  *self,
                                         char           **out_error_type,
                                         GError         **error);
GBytes         *ql_lambda_worker_invoke (QlLambdaWorker  *self,
                                         const char      *trace_id,
                                         GBytes          *event,
                                         gint64           deadline_ms,
                                         char           **out_error_type,
                                         GError         **error);

G_END_DECLS
