/* ql-ledger-events-private.h: writing and reading event payloads, for the model only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ql-ledger.h"

G_BEGIN_DECLS

/**
 * QlChangeType:
 * @type: the event type name
 * @opposite: the type of the event that reverses it
 * @kind: the kind of ledger it applies to
 * @sign: +1 when it adds to the balance, -1 when it takes from it
 *
 * One of the events that change a balance after the opening event.
 */
typedef struct
{
  const char   *type;
  const char   *opposite;
  QlLedgerKind  kind;
  int           sign;
} QlChangeType;

const QlChangeType *_ql_change_type_find          (const char           *type);
const char         *_ql_event_type_get_opposite   (const char           *type);

void        _ql_event_record_set_corrupt_error    (GError              **error,
                                                   const QlEventRecord  *record,
                                                   const char           *detail);

void        _ql_change_payload_append             (GString              *out,
                                                   gint64                amount);
char       *_ql_change_payload_write              (gint64                amount,
                                                   gint64                reverses,
                                                   const char           *reference);
char       *_ql_change_payload_write_noted        (gint64                amount,
                                                   gint64                reverses,
                                                   const char           *reference,
                                                   const GDate          *date,
                                                   const char           *payee,
                                                   const char           *memo);
char       *_ql_transfer_leg_payload_write        (gint64                amount,
                                                   gint64                reverses,
                                                   const GDate          *date,
                                                   const char           *payee,
                                                   const char           *memo,
                                                   const char           *reference,
                                                   const char           *transfer,
                                                   const char           *counterpart);
char       *_ql_amendment_payload_write           (gint64                amends,
                                                   const GDate          *date,
                                                   const char           *payee,
                                                   const char           *memo);
char       *_ql_account_opened_payload_write      (const char           *currency);
char       *_ql_item_created_payload_write        (const char           *name,
                                                   gint64                quantity);
char       *_ql_threshold_payload_write           (gint64                threshold);

gboolean    _ql_event_record_read_opening         (const QlEventRecord  *record,
                                                   QlLedgerKind         *out_kind,
                                                   const char          **out_currency,
                                                   guint                *out_decimals,
                                                   gint64               *out_quantity,
                                                   GError              **error);
gboolean    _ql_event_record_read_change          (const QlEventRecord  *record,
                                                   gint64               *out_amount,
                                                   gint64               *out_reverses,
                                                   GError              **error);
gboolean    _ql_event_record_read_amendment       (const QlEventRecord  *record,
                                                   gint64               *out_amends,
                                                   GError              **error);
gboolean    _ql_event_record_read_threshold       (const QlEventRecord  *record,
                                                   gint64               *out_threshold,
                                                   GError              **error);

JsonObject *_ql_payload_parse_object              (const char           *text,
                                                   GError              **error);
gboolean    _ql_payload_get_int                   (JsonObject           *object,
                                                   const char           *member,
                                                   gint64               *out_value);
gboolean    _ql_payload_get_currency              (JsonObject           *object,
                                                   const char          **out_currency,
                                                   guint                *out_decimals);

G_END_DECLS
