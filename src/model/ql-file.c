/* ql-file.c: reading a user's file whole, with a bound
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ql-file.h"

#define CHUNK_SIZE (64 * 1024)

/* A NUL follows the contents, outside them, as after g_file_load_bytes(). */
static GBytes *
finish_bytes (GByteArray *data)
{
  gsize length = data->len;
  g_autoptr(GBytes) terminated = NULL;

  g_byte_array_append (data, (const guint8 *) "", 1);
  terminated = g_byte_array_free_to_bytes (data);
  return g_bytes_new_from_bytes (terminated, 0, length);
}

static void
set_too_large_error (const char  *name,
                     gsize        max_size,
                     GError     **error)
{
  g_autofree char *limit = g_format_size_full (max_size, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
               _("“%s” is too large: Quote Ledger reads files of up to %s"), name, limit);
}

/* A FIFO or a device never ends, or blocks until someone writes to it:
 * only a regular file is read. */
static gboolean
check_regular (const char  *name,
               mode_t       mode,
               GError     **error)
{
  if (S_ISREG (mode))
    return TRUE;

  if (S_ISDIR (mode))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                 _("“%s” is a folder, not a file"), name);
  else if (S_ISFIFO (mode))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("“%s” is a named pipe (FIFO), not a regular file"), name);
  else if (S_ISCHR (mode) || S_ISBLK (mode))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("“%s” is a device, not a regular file"), name);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("“%s” is not a regular file"), name);
  return FALSE;
}

static GBytes *
load_path (const char    *path,
           gsize          max_size,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GByteArray) data = NULL;
  struct stat buf;
  int saved_errno;
  int fd;

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &buf) != 0)
    {
      saved_errno = errno;
      g_close (fd, NULL);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not read “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  if (!check_regular (path, buf.st_mode, error))
    {
      g_close (fd, NULL);
      return NULL;
    }

  if ((guint64) buf.st_size > max_size)
    {
      g_close (fd, NULL);
      set_too_large_error (path, max_size, error);
      return NULL;
    }

  /* The file may grow while it is read: the bound holds all the same. */
  data = g_byte_array_sized_new (buf.st_size + 1);
  for (;;)
    {
      gsize want = MIN ((gsize) CHUNK_SIZE, max_size + 1 - data->len);
      guint old_len = data->len;
      ssize_t n_read;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_close (fd, NULL);
          return NULL;
        }

      g_byte_array_set_size (data, old_len + want);
      n_read = read (fd, data->data + old_len, want);
      saved_errno = errno;
      g_byte_array_set_size (data, old_len + MAX (n_read, 0));

      if (n_read < 0 && saved_errno == EINTR)
        continue;
      if (n_read < 0)
        {
          g_close (fd, NULL);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not read “%s”: %s"), path, g_strerror (saved_errno));
          return NULL;
        }
      if (n_read == 0)
        break;
      if (data->len > max_size)
        {
          g_close (fd, NULL);
          set_too_large_error (path, max_size, error);
          return NULL;
        }
    }

  g_close (fd, NULL);
  return finish_bytes (g_steal_pointer (&data));
}

/* A file that is not on a local disk is read through GIO, bounded too. */
static GBytes *
load_stream (GFile         *file,
             gsize          max_size,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *name = g_file_get_parse_name (file);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                         cancellable, NULL);
  if (info != NULL &&
      g_file_info_get_file_type (info) != G_FILE_TYPE_UNKNOWN &&
      g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      check_regular (name, 0, error);
      return NULL;
    }

  for (;;)
    {
      guint old_len = data->len;
      gsize want = MIN ((gsize) CHUNK_SIZE, max_size + 1 - data->len);
      gssize n_read;

      g_byte_array_set_size (data, old_len + want);
      n_read = g_input_stream_read (G_INPUT_STREAM (stream), data->data + old_len, want,
                                    cancellable, error);
      g_byte_array_set_size (data, old_len + MAX (n_read, 0));
      if (n_read < 0)
        return NULL;
      if (n_read == 0)
        break;
      if (data->len > max_size)
        {
          set_too_large_error (name, max_size, error);
          return NULL;
        }
    }

  return finish_bytes (g_steal_pointer (&data));
}

/**
 * ql_file_load_bounded:
 * @file: the file to read
 * @max_size: the most it may hold, in bytes
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError
 *
 * Reads @file whole, as g_file_load_bytes() does, but only a regular
 * file and only up to @max_size bytes: a FIFO, a device such as
 * `/dev/zero` or a folder fails at once, naming the file, and so does a
 * file larger than @max_size, before it is read.
 *
 * Returns: (transfer full): the contents, or %NULL with a #GIOError set
 */
GBytes *
ql_file_load_bounded (GFile         *file,
                       gsize          max_size,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_file_get_path (file);
  if (path != NULL)
    return load_path (path, max_size, cancellable, error);
  return load_stream (file, max_size, cancellable, error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GBytes *contents = ql_file_load_bounded (source_object, GPOINTER_TO_SIZE (task_data),
                                            cancellable, &error);

  if (contents == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, contents, (GDestroyNotify) g_bytes_unref);
}

/**
 * ql_file_load_bounded_async:
 * @file: the file to read
 * @max_size: the most it may hold, in bytes
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: called when the file is read
 * @user_data: data for @callback
 *
 * Reads @file as ql_file_load_bounded() does, on a worker thread.
 * Finish with ql_file_load_bounded_finish().
 */
void
ql_file_load_bounded_async (GFile               *file,
                             gsize                max_size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (file, cancellable, callback, user_data);
  g_task_set_source_tag (task, ql_file_load_bounded_async);
  g_task_set_task_data (task, GSIZE_TO_POINTER (max_size), NULL);
  g_task_run_in_thread (task, load_thread);
}

/**
 * ql_file_load_bounded_finish:
 * @file: the file given to ql_file_load_bounded_async()
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the contents, or %NULL with @error set
 */
GBytes *
ql_file_load_bounded_finish (GFile         *file,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, file), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
