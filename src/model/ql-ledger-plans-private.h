/* ql-ledger-plans-private.h: what each command decides, before the book
 * appends it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ql-event-store.h"
#include "ql-ledger.h"

G_BEGIN_DECLS

/**
 * QlPlan:
 * @type: the type of the event to append
 * @payload: (owned): its payload
 * @reference: (nullable): the reference it is found by
 * @answered_by: the version of an event already in the ledger that answers
 *   the command, or 0
 *
 * What a command decided against a ledger's current state: either an
 * event to append, or an event that answers it already.
 */
typedef struct
{
  const char *type;
  char       *payload;
  const char *reference;
  gint64      answered_by;
} QlPlan;

/* Decides @command against @ledger as it is; reads @store when the rules
 * need its history. Fails with the rule's error, appending nothing. */
typedef gboolean (*QlPlanFunc) (QlEventStore  *store,
                                QlLedger      *ledger,
                                gconstpointer  command,
                                QlPlan        *plan,
                                GError       **error);

/* A deposit, withdrawal, increase or decrease of @amount, as typed, with
 * an optional date (today when %NULL), payee and memo. */
typedef struct
{
  const char *type;
  const char *amount;
  const char *date;
  const char *payee;
  const char *memo;
} QlChangeCommand;

/* A new date, payee or memo for the change at @version; %NULL keeps one,
 * an empty payee or memo takes it away. */
typedef struct
{
  gint64      version;
  const char *date;
  const char *payee;
  const char *memo;
} QlAmendCommand;

/* An item's stock threshold, as typed: a whole quantity, 0 for none. */
typedef struct
{
  const char *quantity;
} QlThresholdCommand;

/* A withdrawal named by @reference, as the payment service asks for it. */
typedef struct
{
  const char *amount;
  const char *currency;
  const char *reference;
} QlPaymentCommand;

/* A transfer of @amount, as typed, with what is written on it; the
 * payment service's also names the currency (nullable), which must be
 * @from's, and an order id as @reference (nullable) on @from's leg. */
typedef struct
{
  const char *amount;
  const char *date;
  const char *payee;
  const char *memo;
  const char *currency;
  const char *reference;
} QlTransferCommand;

/* One leg of a transfer, or of its undo, as planned. */
typedef struct
{
  const char *type;
  char       *payload;
} QlTransferLeg;

gboolean _ql_plan_transfer       (QlLedger                *from,
                                  QlLedger                *to,
                                  const QlTransferCommand *command,
                                  const char              *transfer,
                                  QlTransferLeg           *out_from,
                                  QlTransferLeg           *out_to,
                                  GError                 **error);
gboolean _ql_plan_find_undo      (QlEventStore  *store,
                                  QlLedger      *ledger,
                                  QlEvent      **out_target,
                                  GError       **error);
gboolean _ql_plan_undo_transfer  (QlEventStore  *store,
                                  QlLedger      *ledger,
                                  QlEvent       *target,
                                  QlLedger      *counterpart,
                                  QlTransferLeg *out_leg,
                                  QlTransferLeg *out_counterpart_leg,
                                  GError       **error);
gboolean _ql_plan_change         (QlEventStore  *store,
                                  QlLedger      *ledger,
                                  gconstpointer  command,
                                  QlPlan        *plan,
                                  GError       **error);
gboolean _ql_plan_amend          (QlEventStore  *store,
                                  QlLedger      *ledger,
                                  gconstpointer  command,
                                  QlPlan        *plan,
                                  GError       **error);
gboolean _ql_plan_threshold      (QlEventStore  *store,
                                  QlLedger      *ledger,
                                  gconstpointer  command,
                                  QlPlan        *plan,
                                  GError       **error);
gboolean _ql_plan_undo           (QlEventStore  *store,
                                  QlLedger      *ledger,
                                  gconstpointer  command,
                                  QlPlan        *plan,
                                  GError       **error);
gboolean _ql_plan_payment        (QlEventStore  *store,
                                  QlLedger      *ledger,
                                  gconstpointer  command,
                                  QlPlan        *plan,
                                  GError       **error);
gboolean _ql_plan_has_undo       (QlEventStore  *store,
                                  QlLedger      *ledger);
gboolean _ql_plan_is_payment     (QlLedger               *ledger,
                                  const QlPaymentCommand *command,
                                  QlEvent                *payment);
gboolean _ql_plan_is_transfer    (QlLedger                *from,
                                  const char              *to,
                                  const QlTransferCommand *command,
                                  QlEvent                 *leg);

G_END_DECLS
