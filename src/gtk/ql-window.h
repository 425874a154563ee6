/* ql-window.h: the main window, with a Quotes page and a Ledgers page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ql-application.h"
#include "ql-ledgers-page.h"
#include "ql-quotes-page.h"

G_BEGIN_DECLS

#define QL_TYPE_WINDOW (ql_window_get_type ())
G_DECLARE_FINAL_TYPE (QlWindow, ql_window, QL, WINDOW, AdwApplicationWindow)

QlWindow       *ql_window_new               (QlApplication *application);
QlQuotesPage   *ql_window_get_quotes_page   (QlWindow      *self);
QlLedgersPage  *ql_window_get_ledgers_page  (QlWindow      *self);
void            ql_window_show_page         (QlWindow      *self,
                                             const char    *name);
void            ql_window_show_toast        (QlWindow      *self,
                                             const char    *message);

G_END_DECLS
