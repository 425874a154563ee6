/* ql-lambda-statement.h: a ledger's statement between two versions, as a PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ql-ledger.h"

G_BEGIN_DECLS

GBytes *ql_lambda_statement_render (QlLedger   *opening,
                                    QlLedger   *closing,
                                    GPtrArray  *changes,
                                    GError    **error);

G_END_DECLS
