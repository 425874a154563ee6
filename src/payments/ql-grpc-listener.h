/* ql-grpc-listener.h: the listening sockets of the gRPC server, accepted by us
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * QlGrpcConnectionFunc:
 * @fd: a connected socket, non-blocking; the function owns it
 * @user_data: data given to ql_grpc_listener_start()
 *
 * Takes one accepted connection. Runs on the listener's thread.
 */
typedef void (*QlGrpcConnectionFunc) (int      fd,
                                      gpointer user_data);

/**
 * QlGrpcListenerFailedFunc:
 * @error: why nothing can be accepted any more
 * @user_data: data given to ql_grpc_listener_start()
 *
 * Reports that the listener stopped for good. Runs on the listener's
 * thread, once.
 */
typedef void (*QlGrpcListenerFailedFunc) (const GError *error,
                                          gpointer      user_data);

typedef struct _QlGrpcListener QlGrpcListener;

QlGrpcListener *ql_grpc_listener_new      (const char               *address,
                                           guint                     max_connections,
                                           GError                  **error);
int             ql_grpc_listener_get_port (QlGrpcListener           *self);
void            ql_grpc_listener_start    (QlGrpcListener           *self,
                                           QlGrpcConnectionFunc      func,
                                           QlGrpcListenerFailedFunc  failed_func,
                                           gpointer                  user_data);
void            ql_grpc_listener_free     (QlGrpcListener           *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QlGrpcListener, ql_grpc_listener_free)

G_END_DECLS
