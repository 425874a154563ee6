/* ql-test-gtk.h: running the real application's widgets inside a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <check.h>

#include "ql-application.h"
#include "ql-window.h"

G_BEGIN_DECLS

typedef struct
{
  char          *dir;
  QlQuoteBook   *quote_book;
  QlLedgerBook  *ledger_book;
  QlApplication *app;
  QlWindow      *window;
} QlTestApp;

int        ql_test_run_suite      (Suite       *suite);
QlTestApp *ql_test_app_new        (gboolean     on_disk);
QlTestApp *ql_test_app_new_full   (gboolean     on_disk,
                                   gboolean     reset_settings);
QlTestApp *ql_test_app_new_on      (const char  *location);
void       ql_test_app_free       (QlTestApp   *test_app);
GtkWidget *ql_test_app_show_ledgers (QlTestApp *test_app);
char      *ql_test_app_db_path    (QlTestApp   *test_app);
GtkWidget *ql_test_find_widget    (GtkWidget   *root,
                                   const char  *id);
void       ql_test_iterate        (void);
void       ql_test_spin           (guint        ms);
void       ql_test_set_text       (GtkWidget   *root,
                                   const char  *id,
                                   const char  *text);
void       ql_test_activate       (GtkWidget   *root,
                                   const char  *id);
const char *ql_test_label_text    (GtkWidget   *root,
                                   const char  *id);
const char *ql_test_user_data_dir (void);
void       ql_test_open_popover   (GtkWidget   *menu_button);

/* Spins the main loop until @cond holds, failing the test after @ms. */
#define QL_TEST_WAIT_FOR(cond, ms)                                         \
  G_STMT_START {                                                           \
    gint64 ql_deadline_ = g_get_monotonic_time () + (gint64) (ms) * 1000;  \
    while (!(cond) && g_get_monotonic_time () < ql_deadline_)              \
      ql_test_iterate ();                                                  \
    ck_assert_msg ((cond), "timed out after %d ms waiting for %s",         \
                   (int) (ms), #cond);                                     \
  } G_STMT_END

G_END_DECLS
