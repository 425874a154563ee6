/* ql-test-postgres.h: a throwaway PostgreSQL cluster for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A role whose password the cluster checks, for the tests of wrong
 * passwords; every other role logs in without one. */
#define QL_TEST_POSTGRES_PASSWORD_ROLE "ql_password"
#define QL_TEST_POSTGRES_PASSWORD      "right-password"

typedef struct _QlTestPostgres QlTestPostgres;

QlTestPostgres *ql_test_postgres_start         (GError         **error);
QlTestPostgres *ql_test_postgres_start_standby (QlTestPostgres  *primary,
                                                GError         **error);
gboolean        ql_test_postgres_crash         (QlTestPostgres  *cluster,
                                                GError         **error);
gboolean        ql_test_postgres_restart       (QlTestPostgres  *cluster,
                                                GError         **error);
gboolean        ql_test_postgres_promote       (QlTestPostgres  *standby,
                                                GError         **error);
void            ql_test_postgres_stop          (QlTestPostgres  *cluster);
const char     *ql_test_postgres_get_socket_dir (QlTestPostgres *cluster);
const char     *ql_test_postgres_conninfo      (void);
char           *ql_test_postgres_database      (const char      *key);

G_END_DECLS
