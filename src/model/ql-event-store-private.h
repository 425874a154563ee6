/* ql-event-store-private.h: what the event stores share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  _ql_payload_mentions_reference (const char *payload);
char     *_ql_payload_dup_reference      (const char *payload);

G_END_DECLS
