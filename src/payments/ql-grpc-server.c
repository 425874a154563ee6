/* ql-grpc-server.c: a gRPC server for unary calls, answered on a main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-payments"

#include "config.h"

#include <glib/gi18n.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_posix.h>
#include <grpc/grpc_security.h>
#include <sys/resource.h>

#include "ql-grpc-listener.h"
#include "ql-grpc-server.h"

/* The gRPC C core runs its own threads and posts every event to one
 * completion queue, which a thread of ours drains. That thread only moves
 * bytes; each request joins the calls waiting for the main context, where
 * the handler takes all that wait at once and the replies start. Every tag given to gRPC is counted in `outstanding`
 * until its event has been handled, so stopping knows when nothing is left. */

typedef enum
{
  CALL_REQUESTED,
  CALL_RECEIVING,
  CALL_ANSWERING,
} CallStage;

typedef struct
{
  QlGrpcServer        *server;
  CallStage            stage;
  grpc_call           *call;
  grpc_call_details    details;
  grpc_metadata_array  request_metadata;
  grpc_byte_buffer    *request_payload;
  grpc_byte_buffer    *response_payload;
  grpc_slice           status_details;
  int                  cancelled;
  char                *method;
  GBytes              *request;
} Call;

struct _QlGrpcServer
{
  GObject parent_instance;

  QlGrpcBatchFunc  func;
  gpointer         user_data;
  GDestroyNotify   user_data_destroy;
  GMainContext    *context;

  guint max_connections;

  grpc_completion_queue   *queue;
  grpc_server             *server;
  grpc_server_credentials *credentials;
  QlGrpcListener          *listener;
  GThread               *queue_thread;
  int                    port;

  /* Calls received and not handed to the handler yet, and whether a
   * source to hand them over is attached: both under `waiting_lock`. */
  GMutex  waiting_lock;
  GQueue  waiting;
  gboolean dispatch_attached;

  /* Touched by both threads, only through g_atomic_int_*. */
  gint outstanding;
  gint shutdown_notified;

  /* Its address is the tag of the shutdown notification. */
  char shutdown_tag;
};

G_DEFINE_TYPE (QlGrpcServer, ql_grpc_server, G_TYPE_OBJECT)

enum
{
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (ql-grpc-error-quark, ql_grpc_error)

static void
call_free (Call *call)
{
  if (call->call != NULL)
    grpc_call_unref (call->call);
  grpc_call_details_destroy (&call->details);
  grpc_metadata_array_destroy (&call->request_metadata);
  if (call->request_payload != NULL)
    grpc_byte_buffer_destroy (call->request_payload);
  if (call->response_payload != NULL)
    grpc_byte_buffer_destroy (call->response_payload);
  grpc_slice_unref (call->status_details);
  g_free (call->method);
  g_clear_pointer (&call->request, g_bytes_unref);
  g_free (call);
}

static void
request_next_call (QlGrpcServer *self)
{
  Call *call = g_new0 (Call, 1);

  call->server = self;
  call->stage = CALL_REQUESTED;
  call->status_details = grpc_empty_slice ();
  grpc_call_details_init (&call->details);
  grpc_metadata_array_init (&call->request_metadata);

  g_atomic_int_inc (&self->outstanding);
  if (grpc_server_request_call (self->server, &call->call, &call->details,
                                &call->request_metadata, self->queue, self->queue,
                                call) != GRPC_CALL_OK)
    {
      g_atomic_int_add (&self->outstanding, -1);
      call_free (call);
    }
}

/* Sends the status, with the response when there is one, and waits for the
 * client's close in the same batch: the call is complete when it ends. */
static void
answer_call (Call         *call,
             GBytes       *response,
             const GError *error)
{
  QlGrpcServer *self = call->server;
  grpc_op ops[4] = { 0 };
  size_t n_ops = 0;
  grpc_status_code status = GRPC_STATUS_OK;

  if (error != NULL)
    {
      status = error->domain == QL_GRPC_ERROR ? (grpc_status_code) error->code
                                              : GRPC_STATUS_INTERNAL;
      call->status_details = grpc_slice_from_copied_string (error->message);
    }

  ops[n_ops++].op = GRPC_OP_SEND_INITIAL_METADATA;

  if (error == NULL)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (response, &size);
      grpc_slice slice = grpc_slice_from_copied_buffer (data, size);

      call->response_payload = grpc_raw_byte_buffer_create (&slice, 1);
      grpc_slice_unref (slice);
      ops[n_ops].op = GRPC_OP_SEND_MESSAGE;
      ops[n_ops++].data.send_message.send_message = call->response_payload;
    }

  ops[n_ops].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n_ops].data.send_status_from_server.status = status;
  ops[n_ops++].data.send_status_from_server.status_details = &call->status_details;

  ops[n_ops].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n_ops++].data.recv_close_on_server.cancelled = &call->cancelled;

  call->stage = CALL_ANSWERING;
  g_atomic_int_inc (&self->outstanding);
  if (grpc_call_start_batch (call->call, ops, n_ops, call, NULL) != GRPC_CALL_OK)
    {
      g_atomic_int_add (&self->outstanding, -1);
      call_free (call);
    }
}

/* Runs on the main context: hands every call waiting to the handler in
 * one go. Calls that arrive while it runs wait for the next go, so the
 * busier the handler, the more calls it takes at once. */
static gboolean
dispatch_calls (gpointer data)
{
  QlGrpcServer *self = data;
  g_autoptr(GPtrArray) calls = g_ptr_array_new ();
  g_autofree const char **methods = NULL;
  g_autofree GBytes **requests = NULL;
  g_autofree GBytes **responses = NULL;
  g_autofree GError **errors = NULL;
  Call *call;

  g_mutex_lock (&self->waiting_lock);
  while ((call = g_queue_pop_head (&self->waiting)) != NULL)
    g_ptr_array_add (calls, call);
  self->dispatch_attached = FALSE;
  g_mutex_unlock (&self->waiting_lock);

  methods = g_new0 (const char *, calls->len + 1);
  requests = g_new0 (GBytes *, calls->len + 1);
  responses = g_new0 (GBytes *, calls->len + 1);
  errors = g_new0 (GError *, calls->len + 1);
  for (guint i = 0; i < calls->len; i++)
    {
      call = g_ptr_array_index (calls, i);
      methods[i] = call->method;
      requests[i] = call->request;
    }

  if (calls->len > 0)
    self->func (calls->len, methods, requests, responses, errors, self->user_data);

  for (guint i = 0; i < calls->len; i++)
    {
      g_assert ((responses[i] == NULL) != (errors[i] == NULL));
      answer_call (g_ptr_array_index (calls, i), responses[i], errors[i]);
      g_clear_pointer (&responses[i], g_bytes_unref);
      g_clear_error (&errors[i]);
      g_atomic_int_add (&self->outstanding, -1);
    }

  g_main_context_wakeup (self->context);
  return G_SOURCE_REMOVE;
}

/* Always through a source: g_main_context_invoke() would run the handler
 * right here whenever this thread could acquire the context, as it can
 * between two iterations. One source serves every call waiting. */
static void
dispatch_on_main_context (Call *call)
{
  QlGrpcServer *self = call->server;
  gboolean attach;

  g_mutex_lock (&self->waiting_lock);
  g_queue_push_tail (&self->waiting, call);
  attach = !self->dispatch_attached;
  self->dispatch_attached = TRUE;
  g_mutex_unlock (&self->waiting_lock);

  if (attach)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, dispatch_calls, self, NULL);
      g_source_set_static_name (source, "[quote-ledger] gRPC calls");
      g_source_attach (source, self->context);
    }
}

static void
receive_request (Call *call)
{
  grpc_op op = { 0 };

  op.op = GRPC_OP_RECV_MESSAGE;
  op.data.recv_message.recv_message = &call->request_payload;

  call->stage = CALL_RECEIVING;
  g_atomic_int_inc (&call->server->outstanding);
  if (grpc_call_start_batch (call->call, &op, 1, call, NULL) != GRPC_CALL_OK)
    {
      g_atomic_int_add (&call->server->outstanding, -1);
      call_free (call);
    }
}

static GBytes *
read_payload (grpc_byte_buffer *payload)
{
  grpc_byte_buffer_reader reader;
  grpc_slice slice;
  GBytes *bytes;

  if (!grpc_byte_buffer_reader_init (&reader, payload))
    return NULL;
  slice = grpc_byte_buffer_reader_readall (&reader);
  grpc_byte_buffer_reader_destroy (&reader);
  bytes = g_bytes_new (GRPC_SLICE_START_PTR (slice), GRPC_SLICE_LENGTH (slice));
  grpc_slice_unref (slice);
  return bytes;
}

/* Runs on the completion-queue thread. */
static void
advance_call (Call     *call,
              gboolean  success)
{
  QlGrpcServer *self = call->server;

  switch (call->stage)
    {
    case CALL_REQUESTED:
      /* A request fails only when the server shuts down: ask no more. */
      if (!success)
        {
          call_free (call);
          return;
        }
      request_next_call (self);
      call->method = g_strndup ((const char *) GRPC_SLICE_START_PTR (call->details.method),
                                GRPC_SLICE_LENGTH (call->details.method));
      receive_request (call);
      return;

    case CALL_RECEIVING:
      if (!success)
        {
          call_free (call);
          return;
        }
      if (call->request_payload == NULL
          || (call->request = read_payload (call->request_payload)) == NULL)
        {
          g_autoptr(GError) error = g_error_new_literal (QL_GRPC_ERROR,
                                                         QL_GRPC_ERROR_INVALID_ARGUMENT,
                                                         _("The call carried no request message"));
          answer_call (call, NULL, error);
          return;
        }
      g_atomic_int_inc (&self->outstanding);
      dispatch_on_main_context (call);
      return;

    case CALL_ANSWERING:
      call_free (call);
      return;

    default:
      g_assert_not_reached ();
    }
}

static gpointer
drain_queue (gpointer data)
{
  QlGrpcServer *self = data;

  for (;;)
    {
      grpc_event event = grpc_completion_queue_next (self->queue,
                                                     gpr_inf_future (GPR_CLOCK_MONOTONIC),
                                                     NULL);

      if (event.type == GRPC_QUEUE_SHUTDOWN)
        break;
      g_assert (event.type == GRPC_OP_COMPLETE);

      if (event.tag == &self->shutdown_tag)
        g_atomic_int_set (&self->shutdown_notified, TRUE);
      else
        {
          advance_call (event.tag, event.success);
          g_atomic_int_add (&self->outstanding, -1);
        }
      g_main_context_wakeup (self->context);
    }

  return NULL;
}

static void
destroy_queue (QlGrpcServer *self)
{
  grpc_completion_queue_shutdown (self->queue);
  if (self->queue_thread != NULL)
    g_thread_join (g_steal_pointer (&self->queue_thread));
  else
    while (grpc_completion_queue_next (self->queue, gpr_inf_future (GPR_CLOCK_MONOTONIC),
                                       NULL).type != GRPC_QUEUE_SHUTDOWN)
      ;
  grpc_completion_queue_destroy (g_steal_pointer (&self->queue));
}

static void
ql_grpc_server_dispose (GObject *object)
{
  QlGrpcServer *self = QL_GRPC_SERVER (object);

  ql_grpc_server_stop (self, 0);

  G_OBJECT_CLASS (ql_grpc_server_parent_class)->dispose (object);
}

static void
ql_grpc_server_finalize (GObject *object)
{
  QlGrpcServer *self = QL_GRPC_SERVER (object);

  if (self->user_data_destroy != NULL)
    self->user_data_destroy (self->user_data);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->waiting_lock);

  G_OBJECT_CLASS (ql_grpc_server_parent_class)->finalize (object);
}

static void
ql_grpc_server_class_init (QlGrpcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_grpc_server_dispose;
  object_class->finalize = ql_grpc_server_finalize;

  /**
   * QlGrpcServer::failed:
   * @self: the server
   * @error: why it cannot accept connections any more
   *
   * Emitted on the server's main context when the server stopped
   * accepting connections for good: it will serve no new client.
   */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ql_grpc_server_init (QlGrpcServer *self)
{
  g_mutex_init (&self->waiting_lock);
  g_queue_init (&self->waiting);
}

/**
 * ql_grpc_server_new:
 * @func: answers the unary calls that wait, many at a time
 * @user_data: data for @func
 * @user_data_destroy: (nullable): frees @user_data with the server
 *
 * Makes a server that answers calls with @func on the thread-default main
 * context of the caller. It listens once started.
 *
 * Returns: (transfer full): a new server
 */
QlGrpcServer *
ql_grpc_server_new (QlGrpcBatchFunc func,
                    gpointer        user_data,
                    GDestroyNotify  user_data_destroy)
{
  QlGrpcServer *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (QL_TYPE_GRPC_SERVER, NULL);
  self->func = func;
  self->user_data = user_data;
  self->user_data_destroy = user_data_destroy;
  self->context = g_main_context_ref_thread_default ();
  return self;
}

static void
add_integer_arg (grpc_channel_args *args,
                 grpc_arg          *arg_list,
                 const char        *key,
                 int                value)
{
  grpc_arg *arg = &arg_list[args->num_args++];

  arg->type = GRPC_ARG_INTEGER;
  arg->key = (char *) key;
  arg->value.integer = value;
  args->args = arg_list;
}

/* Runs on the listener's thread. */
static void
add_connection (int      fd,
                gpointer user_data)
{
  QlGrpcServer *self = user_data;

  grpc_server_add_channel_from_fd (self->server, fd, self->credentials);
}

typedef struct
{
  QlGrpcServer *server;
  GError       *error;
} FailedReport;

static void
failed_report_free (gpointer data)
{
  FailedReport *report = data;

  g_object_unref (report->server);
  g_error_free (report->error);
  g_free (report);
}

/* Runs on the main context. */
static gboolean
emit_failed (gpointer data)
{
  FailedReport *report = data;

  g_signal_emit (report->server, signals[FAILED], 0, report->error);
  return G_SOURCE_REMOVE;
}

/* Runs on the listener's thread, which stopping joins: the server is
 * alive. */
static void
listener_failed (const GError *error,
                 gpointer      user_data)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  FailedReport *report = g_new0 (FailedReport, 1);

  report->server = g_object_ref (user_data);
  report->error = g_error_copy (error);
  g_source_set_callback (source, emit_failed, report, failed_report_free);
  g_source_set_static_name (source, "[quote-ledger] gRPC listener failed");
  g_source_attach (source, report->server->context);
}

/**
 * ql_grpc_server_default_max_connections:
 *
 * The most connections a server accepts unless told otherwise: as many
 * as the descriptor limit leaves room for, beside the database's and
 * gRPC's own, and at most %QL_GRPC_MAX_CONNECTIONS.
 *
 * Returns: the connection limit
 */
guint
ql_grpc_server_default_max_connections (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return QL_GRPC_MAX_CONNECTIONS;
  if (limit.rlim_cur <= 2 * QL_GRPC_RESERVED_FDS)
    return MAX (1, (guint) limit.rlim_cur / 2);
  return MIN (QL_GRPC_MAX_CONNECTIONS, limit.rlim_cur - QL_GRPC_RESERVED_FDS);
}

/**
 * ql_grpc_server_set_max_connections:
 * @self: a #QlGrpcServer, not started
 * @max_connections: the most connections open at once; 0 for
 *   ql_grpc_server_default_max_connections()
 *
 * Sets how many client connections may be open at once. A connection
 * beyond them is closed as soon as it is accepted.
 */
void
ql_grpc_server_set_max_connections (QlGrpcServer *self,
                                    guint         max_connections)
{
  g_return_if_fail (QL_IS_GRPC_SERVER (self));
  g_return_if_fail (self->server == NULL);

  self->max_connections = max_connections;
}

/**
 * ql_grpc_server_start:
 * @self: a #QlGrpcServer
 * @address: where to listen, such as `127.0.0.1:50051`; port 0 picks one
 * @error: return location for a #GError
 *
 * Listens on @address, without TLS, and starts answering calls. Fails when
 * the address is in use, even by a server that allows port sharing.
 *
 * Returns: %TRUE when listening
 */
gboolean
ql_grpc_server_start (QlGrpcServer  *self,
                      const char    *address,
                      GError       **error)
{
  grpc_arg arg_list[16] = { 0 };
  grpc_channel_args args = { 0 };
  grpc_resource_quota *quota;

  g_return_val_if_fail (QL_IS_GRPC_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* gRPC sets SO_REUSEPORT by default, which would let a second server
   * share the port silently instead of failing to bind. */
  add_integer_arg (&args, arg_list, GRPC_ARG_ALLOW_REUSEPORT, 0);
  /* A request bigger than this is refused before it is read. */
  add_integer_arg (&args, arg_list, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                   QL_GRPC_MAX_MESSAGE_BYTES);
  add_integer_arg (&args, arg_list, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
                   QL_GRPC_MAX_MESSAGE_BYTES);
  add_integer_arg (&args, arg_list, GRPC_ARG_MAX_METADATA_SIZE, QL_GRPC_MAX_METADATA_BYTES);
  add_integer_arg (&args, arg_list, GRPC_ARG_MAX_CONCURRENT_STREAMS,
                   QL_GRPC_MAX_CONCURRENT_STREAMS);
  /* Connections that carry no call are closed, and live ones are pinged,
   * so that dead or idle clients do not keep descriptors. */
  add_integer_arg (&args, arg_list, GRPC_ARG_MAX_CONNECTION_IDLE_MS, QL_GRPC_IDLE_TIMEOUT_MS);
  add_integer_arg (&args, arg_list, GRPC_ARG_MAX_CONNECTION_AGE_MS, QL_GRPC_MAX_CONNECTION_AGE_MS);
  add_integer_arg (&args, arg_list, GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                   QL_GRPC_MAX_CONNECTION_AGE_GRACE_MS);
  add_integer_arg (&args, arg_list, GRPC_ARG_KEEPALIVE_TIME_MS, QL_GRPC_KEEPALIVE_TIME_MS);
  add_integer_arg (&args, arg_list, GRPC_ARG_KEEPALIVE_TIMEOUT_MS, QL_GRPC_KEEPALIVE_TIMEOUT_MS);
  add_integer_arg (&args, arg_list, GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                   QL_GRPC_HANDSHAKE_TIMEOUT_MS);

  /* Memory for every connection's buffers together. */
  quota = grpc_resource_quota_create ("quote-ledger-payments");
  grpc_resource_quota_resize (quota, QL_GRPC_MEMORY_QUOTA_BYTES);
  arg_list[args.num_args].type = GRPC_ARG_POINTER;
  arg_list[args.num_args].key = (char *) GRPC_ARG_RESOURCE_QUOTA;
  arg_list[args.num_args].value.pointer.p = quota;
  arg_list[args.num_args].value.pointer.vtable = grpc_resource_quota_arg_vtable ();
  args.num_args++;

  grpc_init ();
  self->queue = grpc_completion_queue_create_for_next (NULL);
  self->server = grpc_server_create (&args, NULL);
  grpc_resource_quota_unref (quota);
  grpc_server_register_completion_queue (self->server, self->queue, NULL);

  self->listener = ql_grpc_listener_new (address, self->max_connections > 0
                                                  ? self->max_connections
                                                  : ql_grpc_server_default_max_connections (),
                                         error);
  if (self->listener == NULL)
    {
      grpc_server_destroy (g_steal_pointer (&self->server));
      destroy_queue (self);
      grpc_shutdown ();
      return FALSE;
    }
  self->port = ql_grpc_listener_get_port (self->listener);
  self->credentials = grpc_insecure_server_credentials_create ();

  grpc_server_start (self->server);
  g_atomic_int_set (&self->shutdown_notified, FALSE);
  self->queue_thread = g_thread_new ("ql-grpc-queue", drain_queue, self);
  request_next_call (self);
  ql_grpc_listener_start (self->listener, add_connection, listener_failed, self);
  return TRUE;
}

/**
 * ql_grpc_server_get_port:
 * @self: a #QlGrpcServer
 *
 * Returns: the port listened on, or 0 when not started
 */
int
ql_grpc_server_get_port (QlGrpcServer *self)
{
  g_return_val_if_fail (QL_IS_GRPC_SERVER (self), 0);

  return self->server != NULL ? self->port : 0;
}

static gboolean
end_grace (gpointer data)
{
  gboolean *grace_over = data;

  *grace_over = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * ql_grpc_server_stop:
 * @self: a #QlGrpcServer
 * @grace_ms: how long calls in flight may take to finish
 *
 * Stops listening, lets the calls in flight finish for up to @grace_ms, then
 * cancels the rest. Iterates the server's main context until every call is
 * over, so handlers keep running meanwhile. Does nothing when not started.
 */
void
ql_grpc_server_stop (QlGrpcServer *self,
                     guint         grace_ms)
{
  g_autoptr(GSource) grace = NULL;
  gboolean grace_over = FALSE;
  gboolean cancelled = FALSE;

  g_return_if_fail (QL_IS_GRPC_SERVER (self));

  if (self->server == NULL)
    return;

  /* No new connection reaches a server that shuts down. */
  g_clear_pointer (&self->listener, ql_grpc_listener_free);
  grpc_server_shutdown_and_notify (self->server, self->queue, &self->shutdown_tag);

  grace = g_timeout_source_new (grace_ms);
  g_source_set_callback (grace, end_grace, &grace_over, NULL);
  g_source_attach (grace, self->context);

  while (!g_atomic_int_get (&self->shutdown_notified)
         || g_atomic_int_get (&self->outstanding) > 0)
    {
      if (grace_over && !cancelled)
        {
          grpc_server_cancel_all_calls (self->server);
          cancelled = TRUE;
        }
      g_main_context_iteration (self->context, TRUE);
    }
  g_source_destroy (grace);

  grpc_server_destroy (g_steal_pointer (&self->server));
  grpc_server_credentials_release (g_steal_pointer (&self->credentials));
  destroy_queue (self);
  grpc_shutdown ();
}
