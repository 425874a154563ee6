/* ql-reversed-list-model.h: a list shown in its own order or backwards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define QL_TYPE_REVERSED_LIST_MODEL (ql_reversed_list_model_get_type ())
G_DECLARE_FINAL_TYPE (QlReversedListModel, ql_reversed_list_model, QL, REVERSED_LIST_MODEL, GObject)

QlReversedListModel *ql_reversed_list_model_new          (GListModel          *model);
GListModel          *ql_reversed_list_model_get_model    (QlReversedListModel *self);
gboolean             ql_reversed_list_model_get_reversed (QlReversedListModel *self);
void                 ql_reversed_list_model_set_reversed (QlReversedListModel *self,
                                                          gboolean             reversed);
guint                ql_reversed_list_model_get_position (QlReversedListModel *self,
                                                          guint                position);

G_END_DECLS
