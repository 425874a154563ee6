/* ql-reference-index.h: which event of a whole store each payment reference names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-event-store.h"

G_BEGIN_DECLS

#define QL_TYPE_REFERENCE_INDEX (ql_reference_index_get_type ())
G_DECLARE_FINAL_TYPE (QlReferenceIndex, ql_reference_index, QL, REFERENCE_INDEX, GObject)

QlReferenceIndex *ql_reference_index_new    (QlEventStore      *store);
gboolean          ql_reference_index_update (QlReferenceIndex  *self,
                                             GError           **error);
gint64            ql_reference_index_lookup (QlReferenceIndex  *self,
                                             const char        *reference);

G_END_DECLS
