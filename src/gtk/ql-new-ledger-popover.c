/* ql-new-ledger-popover.c: the form that creates a ledger, in a popover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-new-ledger-popover"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ql-accessible-names.h"
#include "ql-new-ledger-popover.h"

/**
 * QlNewLedgerPopover:
 *
 * Asks for a new ledger's kind, name and currency or opening quantity.
 * Its button activates `ledgers.open-account` or `ledgers.create-item`,
 * which the page it pops up from provides. A popover rather than a form
 * in the sidebar, so that the list of ledgers keeps the sidebar's height.
 */
struct _QlNewLedgerPopover
{
  GtkPopover   parent_instance;

  /* Template Widgets */
  AdwComboRow *kind_row;
  AdwEntryRow *name_row;
  AdwEntryRow *detail_row;
  GtkLabel    *create_error_label;
  GtkButton   *create_button;
};

G_DEFINE_FINAL_TYPE (QlNewLedgerPopover, ql_new_ledger_popover, GTK_TYPE_POPOVER)

enum {
  KIND_ACCOUNT,
  KIND_ITEM,
};

static void
on_kind_row_notify_selected_cb (QlNewLedgerPopover *self)
{
  gboolean item = adw_combo_row_get_selected (self->kind_row) == KIND_ITEM;

  g_assert (QL_IS_NEW_LEDGER_POPOVER (self));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detail_row),
                                 item ? _("Quantity") : _("Currency (optional)"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->create_button),
                                  item ? "ledgers.create-item" : "ledgers.open-account");
}

/* Enter in a field does what the Create button does. */
static void
on_row_entry_activated_cb (QlNewLedgerPopover *self)
{
  g_assert (QL_IS_NEW_LEDGER_POPOVER (self));

  gtk_widget_activate_action (GTK_WIDGET (self),
                              gtk_actionable_get_action_name (GTK_ACTIONABLE (self->create_button)),
                              NULL);
}

static void
ql_new_ledger_popover_show (GtkWidget *widget)
{
  QlNewLedgerPopover *self = QL_NEW_LEDGER_POPOVER (widget);

  GTK_WIDGET_CLASS (ql_new_ledger_popover_parent_class)->show (widget);

  /* Most often only a name is needed: the cursor waits for it. */
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
ql_new_ledger_popover_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), QL_TYPE_NEW_LEDGER_POPOVER);

  G_OBJECT_CLASS (ql_new_ledger_popover_parent_class)->dispose (object);
}

static void
ql_new_ledger_popover_class_init (QlNewLedgerPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ql_new_ledger_popover_dispose;
  widget_class->show = ql_new_ledger_popover_show;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/quoteledger/QuoteLedger/ui/ql-new-ledger-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, QlNewLedgerPopover, kind_row);
  gtk_widget_class_bind_template_child (widget_class, QlNewLedgerPopover, name_row);
  gtk_widget_class_bind_template_child (widget_class, QlNewLedgerPopover, detail_row);
  gtk_widget_class_bind_template_child (widget_class, QlNewLedgerPopover, create_error_label);
  gtk_widget_class_bind_template_child (widget_class, QlNewLedgerPopover, create_button);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_row_notify_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_entry_activated_cb);
}

static void
ql_new_ledger_popover_init (QlNewLedgerPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ql_accessible_names_set_mnemonic (self->create_button);
}

/**
 * ql_new_ledger_popover_get_name:
 * @self: a #QlNewLedgerPopover
 *
 * Returns: the name typed
 */
const char *
ql_new_ledger_popover_get_name (QlNewLedgerPopover *self)
{
  g_return_val_if_fail (QL_IS_NEW_LEDGER_POPOVER (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

/**
 * ql_new_ledger_popover_get_detail:
 * @self: a #QlNewLedgerPopover
 *
 * Returns: a currency, possibly empty, for an account; the opening
 *   quantity for an item
 */
const char *
ql_new_ledger_popover_get_detail (QlNewLedgerPopover *self)
{
  g_return_val_if_fail (QL_IS_NEW_LEDGER_POPOVER (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->detail_row));
}

static void
set_error (QlNewLedgerPopover *self,
           const char         *message)
{
  gtk_label_set_text (self->create_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->create_error_label), message != NULL);
}

/**
 * ql_new_ledger_popover_show_error:
 * @self: a #QlNewLedgerPopover
 * @message: why the ledger could not be created
 *
 * Shows an error under the form, which stays open with what was typed.
 */
void
ql_new_ledger_popover_show_error (QlNewLedgerPopover *self,
                                  const char         *message)
{
  g_return_if_fail (QL_IS_NEW_LEDGER_POPOVER (self));
  g_return_if_fail (message != NULL);

  set_error (self, message);
}

/**
 * ql_new_ledger_popover_clear_error:
 * @self: a #QlNewLedgerPopover
 *
 * Takes away the error of an earlier attempt.
 */
void
ql_new_ledger_popover_clear_error (QlNewLedgerPopover *self)
{
  g_return_if_fail (QL_IS_NEW_LEDGER_POPOVER (self));

  set_error (self, NULL);
}

/**
 * ql_new_ledger_popover_done:
 * @self: a #QlNewLedgerPopover
 *
 * Empties the form and closes it after a ledger was created.
 */
void
ql_new_ledger_popover_done (QlNewLedgerPopover *self)
{
  g_return_if_fail (QL_IS_NEW_LEDGER_POPOVER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->detail_row), "");
  set_error (self, NULL);
  gtk_popover_popdown (GTK_POPOVER (self));
}
