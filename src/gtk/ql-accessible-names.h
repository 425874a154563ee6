/* ql-accessible-names.h: names for what GTK 4.8 leaves unnamed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void ql_accessible_names_set_label        (GtkWidget   *widget,
                                           const char  *label);
void ql_accessible_names_set_list_item    (GtkListItem *list_item,
                                           const char  *label);
void ql_accessible_names_set_menu_button  (GtkWidget   *menu_button,
                                           const char  *label);
void ql_accessible_names_set_mnemonic     (GtkButton   *button);

G_END_DECLS
