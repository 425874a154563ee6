/* ql-test-files.h: private folders for the C tests, and giving up root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ql_test_begin_run_dir (const char *name);
char *ql_test_make_dir      (void);
void  ql_test_remove_tree   (const char *path);
void  ql_test_drop_root     (void);
void  ql_test_give_away     (const char *path);

G_END_DECLS
