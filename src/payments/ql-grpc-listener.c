/* ql-grpc-listener.c: the listening sockets of the gRPC server, accepted by us
 *
 * libgrpc 1.51 stops accepting for good after one accept() fails with
 * EMFILE, while the process looks alive. So the service accepts its
 * connections itself and hands each to gRPC: out of descriptors, it sheds
 * the waiting clients and tries again a moment later; at its connection
 * limit, it closes new connections at once. Only a listening socket that
 * fails otherwise ends it, reported so that the service can exit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "quote-ledger-payments"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ql-grpc-listener.h"
#include "ql-grpc-server.h"

/* How long to wait before accepting again once descriptors ran out. */
#define RETRY_MS 100
#define BACKLOG 1024

struct _QlGrpcListener
{
  char   *address;
  GArray *sockets;
  int     port;
  int     wake[2];
  guint   max_connections;

  /* Only the thread touches these once it runs. */
  int         reserve_fd;
  GHashTable *connections;
  gboolean    starved;
  gboolean    full;

  GThread                  *thread;
  QlGrpcConnectionFunc      func;
  QlGrpcListenerFailedFunc  failed_func;
  gpointer                  user_data;
};

typedef enum
{
  ACCEPT_DRAINED,
  ACCEPT_STARVED,
  ACCEPT_FAILED,
} AcceptResult;

static int
open_reserve (void)
{
  return open ("/dev/null", O_RDONLY | O_CLOEXEC);
}

static gboolean
bind_one (QlGrpcListener  *self,
          GSocketAddress  *address)
{
  struct sockaddr_storage native;
  gssize size = g_socket_address_get_native_size (address);
  int one = 1;
  int fd;

  if (size <= 0 || (gsize) size > sizeof native ||
      !g_socket_address_to_native (address, &native, sizeof native, NULL))
    return FALSE;

  /* A port chosen by the first address serves the others too. */
  if (self->port != 0)
    {
      if (native.ss_family == AF_INET)
        ((struct sockaddr_in *) &native)->sin_port = htons (self->port);
      else if (native.ss_family == AF_INET6)
        ((struct sockaddr_in6 *) &native)->sin6_port = htons (self->port);
    }

  fd = socket (native.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  /* SO_REUSEADDR only: a restart binds again at once, and a second server
   * on the same port still fails. */
  if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind (fd, (struct sockaddr *) &native, size) != 0 ||
      listen (fd, BACKLOG) != 0)
    {
      close (fd);
      return FALSE;
    }

  if (self->port == 0)
    {
      struct sockaddr_storage bound;
      socklen_t bound_size = sizeof bound;

      if (getsockname (fd, (struct sockaddr *) &bound, &bound_size) == 0)
        self->port = ntohs (bound.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *) &bound)->sin6_port
                            : ((struct sockaddr_in *) &bound)->sin_port);
    }
  g_array_append_val (self->sockets, fd);
  return TRUE;
}

/**
 * ql_grpc_listener_new:
 * @address: where to listen, such as `127.0.0.1:50051`; port 0 picks one
 * @max_connections: the most connections open at once, at least 1
 * @error: return location for a #GError
 *
 * Listens on every address @address resolves to, without accepting yet.
 *
 * Returns: (transfer full): the listener, or %NULL with @error set
 */
QlGrpcListener *
ql_grpc_listener_new (const char  *address,
                      guint        max_connections,
                      GError     **error)
{
  g_autoptr(QlGrpcListener) self = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketAddressEnumerator) addresses = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (max_connections > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (QlGrpcListener, 1);
  self->address = g_strdup (address);
  self->sockets = g_array_new (FALSE, FALSE, sizeof (int));
  self->wake[0] = self->wake[1] = -1;
  self->reserve_fd = -1;
  self->max_connections = max_connections;
  self->connections = g_hash_table_new (NULL, NULL);

  connectable = g_network_address_parse (address, 0, NULL);
  if (connectable != NULL)
    addresses = g_socket_connectable_enumerate (connectable);
  while (ok && addresses != NULL)
    {
      g_autoptr(GSocketAddress) next = g_socket_address_enumerator_next (addresses, NULL, NULL);

      if (next == NULL)
        break;
      ok = bind_one (self, next);
    }

  if (!ok || self->sockets->len == 0 || !g_unix_open_pipe (self->wake, FD_CLOEXEC, NULL))
    {
      g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNAVAILABLE,
                   _("Cannot listen on “%s”: the address is in use or not valid"),
                   address);
      return NULL;
    }
  self->reserve_fd = open_reserve ();
  return g_steal_pointer (&self);
}

/**
 * ql_grpc_listener_get_port:
 * @self: a #QlGrpcListener
 *
 * Returns: the port listened on
 */
int
ql_grpc_listener_get_port (QlGrpcListener *self)
{
  return self->port;
}

/* A connection is open while its descriptor still names the same socket:
 * gRPC closes descriptors without telling, and numbers are reused. */
static void
forget_closed_connections (QlGrpcListener *self)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      struct stat st;

      if (fstat (GPOINTER_TO_INT (key), &st) != 0 || !S_ISSOCK (st.st_mode) ||
          (gsize) st.st_ino != GPOINTER_TO_SIZE (value))
        g_hash_table_iter_remove (&iter);
    }
}

static void
take_connection (QlGrpcListener *self,
                 int             fd)
{
  struct stat st;
  int one = 1;

  if (self->starved)
    {
      g_message (_("Accepting connections again on %s"), self->address);
      self->starved = FALSE;
    }

  if (g_hash_table_size (self->connections) >= self->max_connections)
    forget_closed_connections (self);
  if (g_hash_table_size (self->connections) >= self->max_connections ||
      fstat (fd, &st) != 0)
    {
      if (!self->full)
        g_message (_("%u connections are open on %s, the most allowed: closing new ones"),
                   self->max_connections, self->address);
      self->full = TRUE;
      close (fd);
      return;
    }
  self->full = FALSE;

  g_hash_table_insert (self->connections, GINT_TO_POINTER (fd), GSIZE_TO_POINTER (st.st_ino));
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  self->func (fd, self->user_data);
}

/* Out of descriptors: the spare one lets a waiting client be told at once,
 * by closing its connection, rather than wait in the backlog. */
static gboolean
shed_one (QlGrpcListener *self,
          int             listener)
{
  int fd;

  if (self->reserve_fd < 0)
    return FALSE;
  close (self->reserve_fd);
  fd = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd >= 0)
    close (fd);
  self->reserve_fd = open_reserve ();
  return fd >= 0 && self->reserve_fd >= 0;
}

static AcceptResult
accept_pending (QlGrpcListener  *self,
                int              listener,
                GError         **error)
{
  for (;;)
    {
      int fd = accept4 (listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      int saved_errno = errno;

      if (fd >= 0)
        {
          take_connection (self, fd);
          continue;
        }

      switch (saved_errno)
        {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return ACCEPT_DRAINED;

        /* The client went away, or was refused by a firewall rule. */
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
          continue;

        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
          if (!self->starved)
            g_message (_("Cannot accept connections on %s: %s; trying again"),
                       self->address, g_strerror (saved_errno));
          self->starved = TRUE;
          if (shed_one (self, listener))
            continue;
          return ACCEPT_STARVED;

        default:
          g_set_error (error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNAVAILABLE,
                       _("Cannot accept connections on %s any more: %s"),
                       self->address, g_strerror (saved_errno));
          return ACCEPT_FAILED;
        }
    }
}

static gpointer
listen_thread (gpointer data)
{
  QlGrpcListener *self = data;
  g_autofree struct pollfd *polled = g_new0 (struct pollfd, self->sockets->len + 1);
  g_autoptr(GError) error = NULL;
  gboolean starved = FALSE;

  for (;;)
    {
      polled[0].fd = self->wake[0];
      polled[0].events = POLLIN;
      for (guint i = 0; i < self->sockets->len; i++)
        {
          polled[i + 1].fd = g_array_index (self->sockets, int, i);
          /* While starved, the sockets are tried again after a pause. */
          polled[i + 1].events = starved ? 0 : POLLIN;
        }

      if (poll (polled, self->sockets->len + 1, starved ? RETRY_MS : -1) < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (&error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNAVAILABLE,
                       _("Cannot accept connections on %s any more: %s"),
                       self->address, g_strerror (saved_errno));
          break;
        }
      if (polled[0].revents != 0)
        break;

      for (guint i = 0; i < self->sockets->len && error == NULL; i++)
        {
          AcceptResult result;

          if ((polled[i + 1].revents & (POLLERR | POLLNVAL)) != 0)
            {
              g_set_error (&error, QL_GRPC_ERROR, QL_GRPC_ERROR_UNAVAILABLE,
                           _("Cannot accept connections on %s any more: %s"),
                           self->address, _("the listening socket failed"));
              break;
            }
          if (!starved && (polled[i + 1].revents & POLLIN) == 0)
            continue;

          result = accept_pending (self, polled[i + 1].fd, &error);
          starved = result == ACCEPT_STARVED;
        }
      if (error != NULL)
        break;
    }

  if (error != NULL)
    self->failed_func (error, self->user_data);
  return NULL;
}

/**
 * ql_grpc_listener_start:
 * @self: a #QlGrpcListener
 * @func: takes each accepted connection
 * @failed_func: told when nothing can be accepted any more
 * @user_data: data for both functions
 *
 * Starts accepting connections on a thread of its own, until freed.
 */
void
ql_grpc_listener_start (QlGrpcListener           *self,
                        QlGrpcConnectionFunc      func,
                        QlGrpcListenerFailedFunc  failed_func,
                        gpointer                  user_data)
{
  g_return_if_fail (self->thread == NULL);

  self->func = func;
  self->failed_func = failed_func;
  self->user_data = user_data;
  self->thread = g_thread_new ("ql-grpc-accept", listen_thread, self);
}

/**
 * ql_grpc_listener_free:
 * @self: a #QlGrpcListener
 *
 * Stops accepting and closes the listening sockets. Connections already
 * handed over stay open.
 */
void
ql_grpc_listener_free (QlGrpcListener *self)
{
  if (self->thread != NULL)
    {
      while (write (self->wake[1], "", 1) < 0 && errno == EINTR)
        ;
      g_thread_join (self->thread);
    }

  for (guint i = 0; i < self->sockets->len; i++)
    close (g_array_index (self->sockets, int, i));
  for (guint i = 0; i < G_N_ELEMENTS (self->wake); i++)
    if (self->wake[i] >= 0)
      close (self->wake[i]);
  if (self->reserve_fd >= 0)
    close (self->reserve_fd);

  g_array_unref (self->sockets);
  g_hash_table_unref (self->connections);
  g_free (self->address);
  g_free (self);
}
