/* ql-grpc-server.h: a gRPC server for unary calls, answered on a main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define QL_GRPC_ERROR (ql_grpc_error_quark ())

/**
 * QlGrpcError:
 * @QL_GRPC_ERROR_INVALID_ARGUMENT: the request could not be understood
 * @QL_GRPC_ERROR_NOT_FOUND: the request names something that is not there
 * @QL_GRPC_ERROR_ALREADY_EXISTS: the request reuses a key that names
 *   another request
 * @QL_GRPC_ERROR_FAILED_PRECONDITION: the rules refuse the request in the
 *   state things are in
 * @QL_GRPC_ERROR_RESOURCE_EXHAUSTED: a limit of the server was reached
 * @QL_GRPC_ERROR_ABORTED: the call lost a race with another writer;
 *   nothing was done and it may be retried
 * @QL_GRPC_ERROR_UNIMPLEMENTED: no such method
 * @QL_GRPC_ERROR_INTERNAL: the server failed
 * @QL_GRPC_ERROR_UNAVAILABLE: the server cannot listen or serve right
 *   now; the call may be retried
 *
 * Errors of the %QL_GRPC_ERROR domain. The codes are gRPC status codes, so
 * a handler's error travels to the client as the call's status.
 */
typedef enum
{
  QL_GRPC_ERROR_INVALID_ARGUMENT = 3,
  QL_GRPC_ERROR_NOT_FOUND = 5,
  QL_GRPC_ERROR_ALREADY_EXISTS = 6,
  QL_GRPC_ERROR_FAILED_PRECONDITION = 9,
  QL_GRPC_ERROR_RESOURCE_EXHAUSTED = 8,
  QL_GRPC_ERROR_ABORTED = 10,
  QL_GRPC_ERROR_UNIMPLEMENTED = 12,
  QL_GRPC_ERROR_INTERNAL = 13,
  QL_GRPC_ERROR_UNAVAILABLE = 14,
} QlGrpcError;

GQuark ql_grpc_error_quark (void);

/* The server's limits. A message is one small request or response: any
 * bigger one is refused unread with RESOURCE_EXHAUSTED. */
#define QL_GRPC_MAX_MESSAGE_BYTES           4096
#define QL_GRPC_MAX_METADATA_BYTES          (16 * 1024)
#define QL_GRPC_MAX_CONCURRENT_STREAMS      100
#define QL_GRPC_IDLE_TIMEOUT_MS             (5 * 60 * 1000)
#define QL_GRPC_MAX_CONNECTION_AGE_MS       (60 * 60 * 1000)
#define QL_GRPC_MAX_CONNECTION_AGE_GRACE_MS (60 * 1000)
#define QL_GRPC_KEEPALIVE_TIME_MS           (2 * 60 * 1000)
#define QL_GRPC_KEEPALIVE_TIMEOUT_MS        (20 * 1000)
#define QL_GRPC_HANDSHAKE_TIMEOUT_MS        (20 * 1000)
#define QL_GRPC_MEMORY_QUOTA_BYTES          (256 * 1024 * 1024)
/* Connections open at once, and the descriptors kept free beside them. */
#define QL_GRPC_MAX_CONNECTIONS             1000
#define QL_GRPC_RESERVED_FDS                32

/**
 * QlGrpcBatchFunc:
 * @n_calls: how many calls are waiting, at least 1
 * @methods: (array length=n_calls): each call's method path, such as
 *   `/package.Service/Method`
 * @requests: (array length=n_calls): each call's request message as sent
 * @out_responses: (array length=n_calls): where each call's response
 *   message goes, or %NULL
 * @out_errors: (array length=n_calls): where each call's error goes, a
 *   %QL_GRPC_ERROR becoming its status, or %NULL
 * @user_data: data given to ql_grpc_server_new()
 *
 * Answers the unary calls that arrived while the handler was busy, all at
 * once, so that it can do their work together; each call gets either a
 * response or an error. Runs on the main context that was the thread
 * default when the server was made, one batch at a time; every call is
 * answered when it returns.
 */
typedef void (*QlGrpcBatchFunc) (guint                n_calls,
                                 const char * const  *methods,
                                 GBytes * const      *requests,
                                 GBytes             **out_responses,
                                 GError             **out_errors,
                                 gpointer             user_data);

#define QL_TYPE_GRPC_SERVER (ql_grpc_server_get_type ())
G_DECLARE_FINAL_TYPE (QlGrpcServer, ql_grpc_server, QL, GRPC_SERVER, GObject)

QlGrpcServer *ql_grpc_server_new      (QlGrpcBatchFunc   func,
                                       gpointer          user_data,
                                       GDestroyNotify    user_data_destroy);
gboolean      ql_grpc_server_start    (QlGrpcServer     *self,
                                       const char       *address,
                                       GError          **error);
void          ql_grpc_server_set_max_connections (QlGrpcServer *self,
                                                  guint         max_connections);
guint         ql_grpc_server_default_max_connections (void);
int           ql_grpc_server_get_port (QlGrpcServer     *self);
void          ql_grpc_server_stop     (QlGrpcServer     *self,
                                       guint             grace_ms);

G_END_DECLS
