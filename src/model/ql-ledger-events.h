/* ql-ledger-events.h: the events a ledger is made of, as views read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ql-event.h"

G_BEGIN_DECLS

/* Stable event type names: stored in databases, never renamed. */
#define QL_EVENT_ACCOUNT_OPENED     "AccountOpened"
#define QL_EVENT_DEPOSITED          "Deposited"
#define QL_EVENT_WITHDRAWN          "Withdrawn"
#define QL_EVENT_ITEM_CREATED       "ItemCreated"
#define QL_EVENT_QUANTITY_INCREASED "QuantityIncreased"
#define QL_EVENT_QUANTITY_DECREASED "QuantityDecreased"
#define QL_EVENT_CHANGE_AMENDED     "ChangeAmended"
#define QL_EVENT_THRESHOLD_SET      "ThresholdSet"

const char *ql_event_type_get_label    (const char *type);
gint64      ql_event_get_amount        (QlEvent    *event);
gint64      ql_event_get_signed_amount (QlEvent    *event);
gint64      ql_event_get_reverses      (QlEvent    *event);
gint64      ql_event_get_amends        (QlEvent    *event);
gboolean    ql_event_can_be_amended    (QlEvent    *event);
gboolean    ql_event_get_date          (QlEvent    *event,
                                        GDate      *out_date);
char       *ql_event_dup_payee         (QlEvent    *event);
char       *ql_event_dup_memo          (QlEvent    *event);
char       *ql_event_dup_transfer      (QlEvent    *event);
char       *ql_event_dup_counterpart   (QlEvent    *event);
gint64      ql_event_get_threshold     (QlEvent    *event);

G_END_DECLS
