/* ql-application-private.h: QlApplication's instance, shared with its actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-application.h"

G_BEGIN_DECLS

struct _QlApplication
{
  AdwApplication  parent_instance;

  /* Owned References */
  QlQuoteBook    *quote_book;
  QlLedgerBook   *ledger_book;
  GSettings      *settings;
  QlSkinManager  *skin_manager;
  /* Why the remembered skin was not used, for the first window */
  char           *startup_notice;
};

void     _ql_application_actions_init (QlApplication  *self);
gboolean _ql_application_apply_skin   (QlApplication  *self,
                                       const char     *skin,
                                       GError        **error);
void     _ql_application_report_error (QlApplication  *self,
                                       const char     *message);

G_END_DECLS
