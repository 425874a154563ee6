/* ql-tab-stop.h: a list that Tab enters once and leaves at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define QL_TYPE_TAB_STOP (ql_tab_stop_get_type ())
G_DECLARE_FINAL_TYPE (QlTabStop, ql_tab_stop, QL, TAB_STOP, GtkWidget)

GtkWidget *ql_tab_stop_get_child (QlTabStop *self);
void       ql_tab_stop_set_child (QlTabStop *self,
                                  GtkWidget *child);

G_END_DECLS
