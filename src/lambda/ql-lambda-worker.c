/* ql-lambda-worker.c: runs a function in a process of its own, restarted after a crash or timeout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "quote-ledger-lambda"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ql-lambda-controller.h"
#include "ql-lambda-worker.h"

/* The runtime answers this long before the deadline, so that the error
 * reaches the Runtime API before Lambda stops the whole sandbox. */
#define DEADLINE_MARGIN_MS 50

/* A frame's payload can be larger than a response may be: the runtime
 * then reports the size instead of a broken frame. */
#define FRAME_MAX_BYTES (64 * 1024 * 1024)

typedef enum
{
  FRAME_READY = 1,
  FRAME_INIT_FAILED,
  FRAME_EVENT,
  FRAME_RESULT,
  FRAME_ERROR,
} FrameKind;

typedef struct
{
  guint32 kind;
  guint32 length;
} FrameHeader;

/* The function runs in a forked process that keeps its store open from
 * one invocation to the next. A crash or a hang there ends only that
 * process: the runtime reports the invocation as failed and starts a new
 * one for the next invocation. */
struct _QlLambdaWorker
{
  GObject parent_instance;

  char  *handler;
  char  *database;
  GPid   pid;
  int    to_worker;
  int    from_worker;
};

G_DEFINE_TYPE (QlLambdaWorker, ql_lambda_worker, G_TYPE_OBJECT)

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         size)
{
  while (size > 0)
    {
      ssize_t written = write (fd, data, size);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        return FALSE;
      data += written;
      size -= (gsize) written;
    }
  return TRUE;
}

static gboolean
write_frame (int           fd,
             FrameKind     kind,
             const guint8 *first,
             gsize         first_size,
             const guint8 *second,
             gsize         second_size)
{
  FrameHeader header = { kind, (guint32) (first_size + second_size) };

  return write_all (fd, (const guint8 *) &header, sizeof header) &&
         write_all (fd, first, first_size) && write_all (fd, second, second_size);
}

/* Reads exactly @size bytes, waiting until @give_up_us on the monotonic
 * clock (0: for ever). Returns 1 when read, 0 at the end of the stream,
 * -1 when the time ran out. */
static int
read_all (int     fd,
          guint8 *data,
          gsize   size,
          gint64  give_up_us)
{
  while (size > 0)
    {
      struct pollfd poll_fd = { fd, POLLIN, 0 };
      int timeout = -1;
      ssize_t got;

      if (give_up_us > 0)
        {
          gint64 left = give_up_us - g_get_monotonic_time ();

          if (left <= 0)
            return -1;
          timeout = (int) MIN ((left + 999) / 1000, G_MAXINT);
        }
      if (poll (&poll_fd, 1, timeout) < 0)
        {
          if (errno == EINTR)
            continue;
          return 0;
        }
      if (poll_fd.revents == 0)
        continue;
      got = read (fd, data, size);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return 0;
      data += got;
      size -= (gsize) got;
    }
  return 1;
}

/* Returns 1 with the frame, 0 at the end of the stream or on a broken
 * frame, -1 when the time ran out. */
static int
read_frame (int      fd,
            gint64   give_up_us,
            guint32 *out_kind,
            GBytes **out_payload)
{
  FrameHeader header;
  g_autofree guint8 *payload = NULL;
  int read;

  if ((read = read_all (fd, (guint8 *) &header, sizeof header, give_up_us)) != 1)
    return read;
  if (header.length > FRAME_MAX_BYTES)
    return 0;
  payload = g_malloc (header.length + 1);
  if ((read = read_all (fd, payload, header.length, give_up_us)) != 1)
    return read;
  payload[header.length] = '\0';
  *out_kind = header.kind;
  *out_payload = g_bytes_new_take (g_steal_pointer (&payload), header.length);
  return 1;
}

static gboolean
write_error_frame (int           fd,
                   FrameKind     kind,
                   const GError *error)
{
  const char *type = ql_lambda_error_type (error);

  return write_frame (fd, kind, (const guint8 *) type, strlen (type) + 1,
                      (const guint8 *) error->message, strlen (error->message));
}

/* The worker process: makes the function ready, then answers events until
 * the runtime closes its end. */
static void
worker_main (const char *handler,
             const char *database,
             int         from_runtime,
             int         to_runtime)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlLambdaController) controller = ql_lambda_controller_new (handler, database, &error);

  if (controller == NULL)
    {
      write_error_frame (to_runtime, FRAME_INIT_FAILED, error);
      return;
    }
  if (!write_frame (to_runtime, FRAME_READY, NULL, 0, NULL, 0))
    return;

  for (;;)
    {
      g_autoptr(GBytes) frame = NULL;
      g_autoptr(GBytes) event = NULL;
      g_autoptr(GBytes) result = NULL;
      g_autoptr(GError) invoke_error = NULL;
      guint32 kind = 0;
      gsize size;
      const char *data;
      gsize trace_length;

      if (read_frame (from_runtime, 0, &kind, &frame) != 1 || kind != FRAME_EVENT)
        return;

      /* An event frame is the trace id, a NUL, then the event. */
      data = g_bytes_get_data (frame, &size);
      trace_length = strnlen (data, size);
      if (trace_length == size)
        return;
      /* X-Ray's SDKs read the trace of the invocation running from here. */
      if (trace_length > 0)
        g_setenv ("_X_AMZN_TRACE_ID", data, TRUE);
      else
        g_unsetenv ("_X_AMZN_TRACE_ID");
      event = g_bytes_new_from_bytes (frame, trace_length + 1, size - trace_length - 1);

      result = ql_lambda_controller_invoke (controller, event, &invoke_error);
      if (result != NULL)
        {
          gsize result_size;
          const guint8 *result_data = g_bytes_get_data (result, &result_size);

          if (!write_frame (to_runtime, FRAME_RESULT, result_data, result_size, NULL, 0))
            return;
        }
      else if (!write_error_frame (to_runtime, FRAME_ERROR, invoke_error))
        return;
    }
}

static char *
describe_exit (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf (_("it was killed by signal %d (%s)"), WTERMSIG (status),
                            g_strsignal (WTERMSIG (status)));
  return g_strdup_printf (_("it exited with status %d"), WEXITSTATUS (status));
}

static void
clear_fd (int *fd)
{
  if (*fd >= 0)
    g_close (*fd, NULL);
  *fd = -1;
}

static void
stop_worker (QlLambdaWorker *self,
             int             signal_number,
             int            *out_status)
{
  int status = 0;

  if (self->pid <= 0)
    return;
  clear_fd (&self->to_worker);
  clear_fd (&self->from_worker);
  if (signal_number != 0)
    kill (self->pid, signal_number);
  while (waitpid (self->pid, &status, 0) < 0 && errno == EINTR)
    ;
  self->pid = 0;
  if (out_status != NULL)
    *out_status = status;
}

static void
ql_lambda_worker_dispose (GObject *object)
{
  QlLambdaWorker *self = QL_LAMBDA_WORKER (object);

  /* Between invocations the worker is idle: closing its pipe ends it, and
   * it leaves as a program does, closing its store. */
  if (self->pid > 0)
    {
      int status = 0;

      stop_worker (self, 0, &status);
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        {
          g_autofree char *how = describe_exit (status);

          g_printerr (_("The function’s process did not end cleanly: %s\n"), how);
        }
    }

  G_OBJECT_CLASS (ql_lambda_worker_parent_class)->dispose (object);
}

static void
ql_lambda_worker_finalize (GObject *object)
{
  QlLambdaWorker *self = QL_LAMBDA_WORKER (object);

  g_free (self->handler);
  g_free (self->database);

  G_OBJECT_CLASS (ql_lambda_worker_parent_class)->finalize (object);
}

static void
ql_lambda_worker_class_init (QlLambdaWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ql_lambda_worker_dispose;
  object_class->finalize = ql_lambda_worker_finalize;
}

static void
ql_lambda_worker_init (QlLambdaWorker *self)
{
  self->to_worker = -1;
  self->from_worker = -1;
}

/**
 * ql_lambda_worker_new:
 * @handler: the function's name, as `_HANDLER` gives it
 * @database: (nullable): the ledger functions' store
 *
 * Returns: (transfer full): a worker, not started yet
 */
QlLambdaWorker *
ql_lambda_worker_new (const char *handler,
                      const char *database)
{
  QlLambdaWorker *self = g_object_new (QL_TYPE_LAMBDA_WORKER, NULL);

  self->handler = g_strdup (handler);
  self->database = g_strdup (database);
  return self;
}


/* A frame of kind FRAME_ERROR or FRAME_INIT_FAILED: the errorType, a NUL,
 * then the message. */
static void
set_reported_error (GBytes  *payload,
                    char   **out_error_type,
                    GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  gsize type_length = strnlen (data, size);

  *out_error_type = g_strndup (data, type_length);
  g_set_error_literal (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INTERNAL,
                       type_length < size ? data + type_length + 1 : "");
}

/**
 * ql_lambda_worker_start:
 * @self: a #QlLambdaWorker
 * @out_error_type: (out) (transfer full): the errorType of a failure
 * @error: return location for a #GError
 *
 * Starts the worker process and waits until its function is ready.
 *
 * Returns: %TRUE when the function is ready; %FALSE when its init failed,
 *   with @out_error_type and @error saying why
 */
gboolean
ql_lambda_worker_start (QlLambdaWorker  *self,
                        char           **out_error_type,
                        GError         **error)
{
  int to_worker[2];
  int from_worker[2];
  g_autoptr(GBytes) payload = NULL;
  guint32 kind = 0;
  int status = 0;

  g_return_val_if_fail (QL_IS_LAMBDA_WORKER (self), FALSE);
  g_return_val_if_fail (out_error_type != NULL && *out_error_type == NULL, FALSE);

  stop_worker (self, SIGKILL, NULL);
  if (!g_unix_open_pipe (to_worker, FD_CLOEXEC, error))
    {
      *out_error_type = g_strdup ("Runtime.Error");
      return FALSE;
    }
  if (!g_unix_open_pipe (from_worker, FD_CLOEXEC, error))
    {
      g_close (to_worker[0], NULL);
      g_close (to_worker[1], NULL);
      *out_error_type = g_strdup ("Runtime.Error");
      return FALSE;
    }

  self->pid = fork ();
  if (self->pid == 0)
    {
      g_close (to_worker[1], NULL);
      g_close (from_worker[0], NULL);
      worker_main (self->handler, self->database, to_worker[0], from_worker[1]);
      exit (0);
    }
  g_close (to_worker[0], NULL);
  g_close (from_worker[1], NULL);
  self->to_worker = to_worker[1];
  self->from_worker = from_worker[0];
  if (self->pid < 0)
    {
      int saved = errno;

      self->pid = 0;
      clear_fd (&self->to_worker);
      clear_fd (&self->from_worker);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The function’s process could not be started: %s"), g_strerror (saved));
      *out_error_type = g_strdup ("Runtime.Error");
      return FALSE;
    }

  if (read_frame (self->from_worker, 0, &kind, &payload) == 1 && kind == FRAME_READY)
    return TRUE;

  if (payload != NULL && kind == FRAME_INIT_FAILED)
    {
      stop_worker (self, 0, NULL);
      set_reported_error (payload, out_error_type, error);
      return FALSE;
    }

  stop_worker (self, SIGKILL, &status);
  {
    g_autofree char *how = describe_exit (status);

    *out_error_type = g_strdup (QL_LAMBDA_WORKER_CRASHED);
    g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INTERNAL,
                 _("The function’s process ended while starting: %s"), how);
  }
  return FALSE;
}

/**
 * ql_lambda_worker_invoke:
 * @self: a #QlLambdaWorker
 * @trace_id: (nullable): the invocation's X-Ray trace header
 * @event: the invocation's event
 * @deadline_ms: when the invocation must be answered, in milliseconds
 *   since the Unix epoch, or 0 for no deadline
 * @out_error_type: (out) (transfer full): the errorType of a failure
 * @error: return location for a #GError
 *
 * Runs the function on @event in the worker process, starting that first
 * if it is not running. A worker that crashes is reported as
 * %QL_LAMBDA_WORKER_CRASHED, one still busy at the deadline is killed and
 * reported as %QL_LAMBDA_WORKER_TIMED_OUT; either way the next invocation
 * gets a new worker.
 *
 * Returns: (transfer full): the function's result, or %NULL with
 *   @out_error_type and @error set
 */
GBytes *
ql_lambda_worker_invoke (QlLambdaWorker  *self,
                         const char      *trace_id,
                         GBytes          *event,
                         gint64           deadline_ms,
                         char           **out_error_type,
                         GError         **error)
{
  g_autoptr(GBytes) payload = NULL;
  const char *trace = trace_id != NULL ? trace_id : "";
  gint64 give_up_us = 0;
  guint32 kind = 0;
  gsize size;
  const guint8 *data;
  int status = 0;
  int got;

  g_return_val_if_fail (QL_IS_LAMBDA_WORKER (self), NULL);
  g_return_val_if_fail (event != NULL, NULL);
  g_return_val_if_fail (out_error_type != NULL && *out_error_type == NULL, NULL);

  /* A worker that died while idle is replaced without a word: no
   * invocation was lost. */
  if (self->pid > 0 && waitpid (self->pid, &status, WNOHANG) == self->pid)
    {
      self->pid = 0;
      clear_fd (&self->to_worker);
      clear_fd (&self->from_worker);
    }
  if (self->pid <= 0 && !ql_lambda_worker_start (self, out_error_type, error))
    return NULL;

  if (deadline_ms > 0)
    give_up_us = g_get_monotonic_time () +
                 (deadline_ms - DEADLINE_MARGIN_MS - g_get_real_time () / 1000) * 1000;

  data = g_bytes_get_data (event, &size);
  if (write_frame (self->to_worker, FRAME_EVENT, (const guint8 *) trace, strlen (trace) + 1,
                   data, size))
    got = read_frame (self->from_worker, give_up_us, &kind, &payload);
  else
    got = 0;

  if (got == 1 && kind == FRAME_RESULT)
    return g_steal_pointer (&payload);
  if (got == 1 && kind == FRAME_ERROR)
    {
      set_reported_error (payload, out_error_type, error);
      return NULL;
    }

  if (got < 0)
    {
      stop_worker (self, SIGKILL, NULL);
      *out_error_type = g_strdup (QL_LAMBDA_WORKER_TIMED_OUT);
      g_set_error_literal (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INTERNAL,
                           _("The function did not answer before the invocation’s deadline; "
                             "its process was stopped"));
      return NULL;
    }

  stop_worker (self, SIGKILL, &status);
  {
    g_autofree char *how = describe_exit (status);

    *out_error_type = g_strdup (QL_LAMBDA_WORKER_CRASHED);
    g_set_error (error, QL_LAMBDA_ERROR, QL_LAMBDA_ERROR_INTERNAL,
                 _("The function’s process ended before answering: %s"), how);
  }
  return NULL;
}
