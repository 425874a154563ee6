/* ql-file.h: reading a user's file whole, with a bound
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The most a quotes file may hold: Debian's fortunes-zh, the largest
 * collection in the wild, is 2 MiB. */
#define QL_QUOTES_MAX_SIZE ((gsize) 64 << 20)

/* The most an import may hold: a million events take about 40 MiB. */
#define QL_IMPORT_MAX_SIZE ((gsize) 512 << 20)

GBytes *ql_file_load_bounded        (GFile               *file,
                                      gsize                max_size,
                                      GCancellable        *cancellable,
                                      GError             **error);
void    ql_file_load_bounded_async  (GFile               *file,
                                      gsize                max_size,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GBytes *ql_file_load_bounded_finish (GFile               *file,
                                      GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
