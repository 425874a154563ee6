/* ql-accessible-names.c: names for what GTK 4.8 leaves unnamed
 *
 * GTK 4.8 names an accessible it has no label for by its type, so a
 * screen reader says “GtkMenuButton” or, for a list row, nothing; and a
 * button with a mnemonic is read with its underscore and then again
 * (“_Deposit Deposit”). These calls give such widgets the name a
 * person would say.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-accessible-names"

#include "config.h"

#include "ql-accessible-names.h"

/**
 * ql_accessible_names_set_label:
 * @widget: any widget
 * @label: what a screen reader calls it
 */
void
ql_accessible_names_set_label (GtkWidget  *widget,
                               const char *label)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (label != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/**
 * ql_accessible_names_set_list_item:
 * @list_item: a bound list item, whose child is in its row
 * @label: what a screen reader calls the row
 *
 * Names the row itself: the widget the list makes around the item's
 * child, which is what a screen reader reads as the list item.
 */
void
ql_accessible_names_set_list_item (GtkListItem *list_item,
                                   const char  *label)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_LIST_ITEM (list_item));
  g_return_if_fail (label != NULL);

  child = gtk_list_item_get_child (list_item);
  if (child == NULL)
    return;

  ql_accessible_names_set_label (child, label);
  if (gtk_widget_get_parent (child) != NULL)
    ql_accessible_names_set_label (gtk_widget_get_parent (child), label);
}

/**
 * ql_accessible_names_set_menu_button:
 * @menu_button: a #GtkMenuButton
 * @label: what a screen reader calls it
 *
 * Names the menu button, which GTK 4.8 reads by its type name otherwise;
 * the toggle button inside it is read by that name too.
 */
void
ql_accessible_names_set_menu_button (GtkWidget  *menu_button,
                                     const char *label)
{
  g_return_if_fail (GTK_IS_MENU_BUTTON (menu_button));
  g_return_if_fail (label != NULL);

  ql_accessible_names_set_label (menu_button, label);
}

/**
 * ql_accessible_names_set_mnemonic:
 * @button: a #GtkButton whose label has a mnemonic, such as “_Deposit”
 *
 * Has the button read by its label as shown, without the underscore.
 */
void
ql_accessible_names_set_mnemonic (GtkButton *button)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_BUTTON (button));

  /* GTK 4.8 reads a button by its label property, underscore and all, or
   * by its accessible label if it has one, and then a space and its
   * label's text: an empty accessible label leaves the text as shown,
   * after a space that screen readers pass over. */
  child = gtk_button_get_child (button);
  if (GTK_IS_LABEL (child))
    ql_accessible_names_set_label (GTK_WIDGET (button), "");
}
