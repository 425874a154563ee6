/* ql-new-ledger-popover.h: the form that creates a ledger, in a popover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define QL_TYPE_NEW_LEDGER_POPOVER (ql_new_ledger_popover_get_type ())
G_DECLARE_FINAL_TYPE (QlNewLedgerPopover, ql_new_ledger_popover, QL, NEW_LEDGER_POPOVER, GtkPopover)

const char *ql_new_ledger_popover_get_name    (QlNewLedgerPopover *self);
const char *ql_new_ledger_popover_get_detail  (QlNewLedgerPopover *self);
void        ql_new_ledger_popover_show_error  (QlNewLedgerPopover *self,
                                               const char         *message);
void        ql_new_ledger_popover_clear_error (QlNewLedgerPopover *self);
void        ql_new_ledger_popover_done        (QlNewLedgerPopover *self);

G_END_DECLS
