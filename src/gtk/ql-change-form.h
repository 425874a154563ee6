/* ql-change-form.h: what people write on a change: its day, payee and memo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define QL_TYPE_CHANGE_FORM (ql_change_form_get_type ())
G_DECLARE_FINAL_TYPE (QlChangeForm, ql_change_form, QL, CHANGE_FORM, GtkWidget)

const char *ql_change_form_get_date  (QlChangeForm *self);
const char *ql_change_form_get_payee (QlChangeForm *self);
const char *ql_change_form_get_memo  (QlChangeForm *self);
void        ql_change_form_set_date  (QlChangeForm *self,
                                      const GDate  *date);
void        ql_change_form_fill      (QlChangeForm *self,
                                      const GDate  *date,
                                      const char   *payee,
                                      const char   *memo);
void        ql_change_form_reset     (QlChangeForm *self);

G_END_DECLS
