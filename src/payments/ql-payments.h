/* ql-payments.h: the payment microservice front-end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* Where the service listens when no address is given: this machine only. */
#define QL_PAYMENTS_DEFAULT_ADDRESS "127.0.0.1:50051"

#include <glib.h>

int ql_payments_main (const char *db_location,
                      const char *address,
                      guint       max_connections);
