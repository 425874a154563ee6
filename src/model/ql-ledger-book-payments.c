/* ql-ledger-book-payments.c: QlLedgerBook's payments: withdrawals named
 * by a reference, many at once in one group, and the order-id rule that
 * makes a retry safe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-book"

#include "config.h"

#include <glib/gi18n.h>

#include "ql-event-private.h"
#include "ql-ledger-book-private.h"
#include "ql-ledger-events.h"
#include "ql-ledger-plans-private.h"
#include "ql-ledger-private.h"
#include "ql-text-rules.h"

/**
 * ql_ledger_book_withdraw_for_reference:
 * @self: a #QlLedgerBook
 * @name: an account's name
 * @amount: the amount as text, parsed with the account's decimals
 * @currency: the ISO 4217 code the amount is in; it must be the account's
 * @reference: a key that names this withdrawal, such as an order id
 * @error: return location for a #GError
 *
 * Appends `Withdrawn` `{"amount":…,"reference":…}` to an account, once per
 * @reference: when the account already has an event carrying @reference,
 * that event is returned and nothing is written, so a client may retry a
 * request safely.
 *
 * @reference must pass ql_text_check() as %QL_TEXT_FIELD_REFERENCE: at most
 * %QL_TEXT_REFERENCE_MAX_BYTES bytes of UTF-8 with no control or invisible
 * characters; @amount and @currency have their own byte limits. A text
 * that does not is refused before the store is read or written.
 *
 * Returns: (transfer full): the event that carries @reference, or %NULL
 *   with @error set, for instance to %QL_LEDGER_ERROR_INVALID_REFERENCE,
 *   %QL_LEDGER_ERROR_INVALID_CURRENCY or %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS
 */
QlEvent *
ql_ledger_book_withdraw_for_reference (QlLedgerBook  *self,
                                       const char    *name,
                                       const char    *amount,
                                       const char    *currency,
                                       const char    *reference,
                                       GError       **error)
{
  QlPaymentCommand command = { amount, currency, reference };
  g_autofree char *key = NULL;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (currency != NULL, NULL);
  g_return_val_if_fail (reference != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Every text is checked before the store is read or written, so a
   * refused payment leaves nothing behind. */
  key = _ql_ledger_book_command_name (self, name, error);
  if (key == NULL ||
      !ql_text_check (QL_TEXT_FIELD_AMOUNT, amount, -1, error) ||
      !ql_text_check (QL_TEXT_FIELD_CURRENCY, currency, -1, error) ||
      !ql_text_check (QL_TEXT_FIELD_REFERENCE, reference, -1, error))
    return NULL;

  return _ql_ledger_book_run_command (self, key, _ql_plan_payment, &command, error);
}

/* One payment of a group on its way. */
typedef struct
{
  QlPaymentCommand command;
  char            *key;
  guint            attempts;
  /* Plan it on a copy read from the store, not on the book's. */
  gboolean         fresh;
  gboolean         done;
} GroupPayment;

/* What one round plans for one ledger: events on top of each other,
 * decided on a scratch copy that is the ledger as it will be once the
 * events before are stored. */
typedef struct
{
  QlLedger  *ledger;
  QlLedger  *scratch;
  gint64     expected_version;
  gboolean   synced;
  GArray    *events;
  GPtrArray *payloads;
  /* Indices of the payments planned, then of those refused: a refusal
   * stands only when the events it was judged after are stored. */
  GArray    *planned;
  GArray    *refused;
  GPtrArray *refusals;
} GroupPart;

static void
group_part_free (GroupPart *part)
{
  g_clear_object (&part->scratch);
  g_array_unref (part->events);
  g_ptr_array_unref (part->payloads);
  g_array_unref (part->planned);
  g_array_unref (part->refused);
  g_ptr_array_unref (part->refusals);
  g_free (part);
}

static void
finish_payment (GroupPayment  *payment,
                guint          index,
                QlEvent       *event,
                GError        *error,
                QlEvent      **out_events,
                GError       **out_errors)
{
  g_assert ((event == NULL) != (error == NULL));
  payment->done = TRUE;
  out_events[index] = event;
  out_errors[index] = error;
}

/* A payment goes round again, with a fresh copy of its ledger, unless it
 * has been round too often. */
static void
retry_payment (QlLedgerBook  *self,
               GroupPayment  *payment,
               guint          index,
               QlEvent      **out_events,
               GError       **out_errors)
{
  GError *busy = NULL;

  payment->fresh = TRUE;
  if (++payment->attempts < QL_LEDGER_BOOK_MAX_ATTEMPTS)
    return;
  _ql_ledger_book_set_busy_error (&busy, payment->key);
  finish_payment (payment, index, NULL, busy, out_events, out_errors);
}

/* The part for @payment's ledger in this round, made on first use: a
 * scratch copy of the book's ledger, read again from the store first
 * when a payment of this round on it asked for that (@fresh_keys). NULL
 * with @error set when the ledger cannot be had. */
static GroupPart *
group_part_for (QlLedgerBook  *self,
                GHashTable    *parts,
                GHashTable    *fresh_keys,
                GroupPayment  *payment,
                GError       **error)
{
  GroupPart *part = g_hash_table_lookup (parts, payment->key);
  QlLedger *ledger = _ql_ledger_book_get_ledger (self, payment->key);
  gboolean synced = FALSE;

  if (part != NULL)
    return part;

  if (ledger == NULL || g_hash_table_contains (fresh_keys, payment->key))
    {
      if (!_ql_ledger_book_sync_existing_ledger (self, payment->key, &ledger, error))
        return NULL;
      synced = TRUE;
    }
  if (!_ql_ledger_check_sound (ledger, error))
    return NULL;

  part = g_new0 (GroupPart, 1);
  part->ledger = ledger;
  part->scratch = _ql_ledger_copy (ledger);
  part->expected_version = ql_ledger_get_version (ledger);
  part->synced = synced;
  part->events = g_array_new (FALSE, FALSE, sizeof (QlNewEvent));
  part->payloads = g_ptr_array_new_with_free_func (g_free);
  part->planned = g_array_new (FALSE, FALSE, sizeof (guint));
  part->refused = g_array_new (FALSE, FALSE, sizeof (guint));
  part->refusals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_hash_table_insert (parts, payment->key, part);
  return part;
}

/* Plans @payment on its part's scratch copy, or finishes it, or sends it
 * round again. */
static void
plan_group_payment (QlLedgerBook  *self,
                    GHashTable    *parts,
                    GHashTable    *fresh_keys,
                    GroupPayment  *payment,
                    guint          index,
                    QlEvent      **out_events,
                    GError       **out_errors)
{
  g_autoptr(GError) error = NULL;
  QlPlan plan = { NULL, NULL, NULL, 0 };
  GroupPart *part = group_part_for (self, parts, fresh_keys, payment, &error);
  QlEventRecord record;
  QlNewEvent event;

  if (part == NULL)
    {
      finish_payment (payment, index, NULL, g_steal_pointer (&error), out_events, out_errors);
      return;
    }

  if (!_ql_plan_payment (ql_ledger_book_get_store (self), part->scratch, &payment->command, &plan, &error))
    {
      g_free (plan.payload);
      /* As in run_command(): a plan made on the book's copy is made again
       * on a fresh one before it counts. */
      if (!part->synced)
        {
          retry_payment (self, payment, index, out_events, out_errors);
          return;
        }
      g_array_append_val (part->refused, index);
      g_ptr_array_add (part->refusals, g_steal_pointer (&error));
      return;
    }
  if (plan.answered_by > 0)
    {
      QlEvent *answer = _ql_ledger_book_read_event (self, payment->key, plan.answered_by, &error);

      finish_payment (payment, index, answer, answer == NULL ? g_steal_pointer (&error) : NULL,
                      out_events, out_errors);
      return;
    }

  record = (QlEventRecord) {
    .ledger = ql_ledger_get_name (part->scratch),
    .version = ql_ledger_get_version (part->scratch) + 1,
    .type = plan.type,
    .payload = plan.payload,
    .reference = plan.reference,
  };
  if (!_ql_ledger_apply_quietly (part->scratch, &record, &error))
    {
      g_free (plan.payload);
      finish_payment (payment, index, NULL, g_steal_pointer (&error), out_events, out_errors);
      return;
    }
  event = (QlNewEvent) { plan.type, plan.payload, plan.reference };
  g_ptr_array_add (part->payloads, plan.payload);
  g_array_append_val (part->events, event);
  g_array_append_val (part->planned, index);
}

/* Settles one part after the store wrote the group: @records are its
 * events as stored, or @part_error says why it was not written. */
static void
settle_group_part (QlLedgerBook        *self,
                   GroupPart           *part,
                   GroupPayment        *payments,
                   const QlEventRecord *records,
                   const GError        *part_error,
                   QlEvent            **out_events,
                   GError             **out_errors)
{
  gboolean conflict = g_error_matches (part_error, QL_STORE_ERROR, QL_STORE_ERROR_CONFLICT);

  for (guint i = 0; i < part->planned->len; i++)
    {
      guint index = g_array_index (part->planned, guint, i);
      g_autoptr(GError) error = NULL;

      if (conflict)
        retry_payment (self, &payments[index], index, out_events, out_errors);
      else if (part_error != NULL)
        finish_payment (&payments[index], index, NULL, g_error_copy (part_error),
                        out_events, out_errors);
      else if (!_ql_ledger_apply (part->ledger, &records[i], &error))
        finish_payment (&payments[index], index, NULL, g_steal_pointer (&error),
                        out_events, out_errors);
      else
        {
          _ql_ledger_book_mark_changed (self);
          finish_payment (&payments[index], index, ql_event_new_from_record (&records[i]), NULL,
                          out_events, out_errors);
        }
    }
  if (part_error == NULL && part->planned->len > 0)
    _ql_ledger_book_save_snapshot_if_due (self, part->ledger);

  for (guint i = 0; i < part->refused->len; i++)
    {
      guint index = g_array_index (part->refused, guint, i);

      if (conflict)
        retry_payment (self, &payments[index], index, out_events, out_errors);
      else if (part_error != NULL)
        finish_payment (&payments[index], index, NULL, g_error_copy (part_error),
                        out_events, out_errors);
      else
        finish_payment (&payments[index], index, NULL,
                        g_error_copy (g_ptr_array_index (part->refusals, i)),
                        out_events, out_errors);
    }
}

/* One round: plans every payment still open, at most one per reference,
 * appends what was planned as one group, and settles it. */
static void
run_group_round (QlLedgerBook  *self,
                 GroupPayment  *payments,
                 guint          n_payments,
                 QlEvent      **out_events,
                 GError       **out_errors)
{
  g_autoptr(GHashTable) parts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) group_part_free);
  g_autoptr(GHashTable) references = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) fresh_keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) appends = g_array_new (FALSE, FALSE, sizeof (QlLedgerAppend));
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GError) group_error = NULL;
  g_autofree QlEventRecord *records = NULL;
  g_autofree GError **part_errors = NULL;
  GHashTableIter iter;
  GroupPart *part;
  guint n_events = 0;
  guint first = 0;

  for (guint i = 0; i < n_payments; i++)
    if (!payments[i].done && payments[i].fresh)
      g_hash_table_add (fresh_keys, payments[i].key);

  for (guint i = 0; i < n_payments; i++)
    {
      GroupPayment *payment = &payments[i];

      /* The store finds a reference only once it is written: a second
       * payment with it waits for the next round. */
      if (payment->done || !g_hash_table_add (references, (gpointer) payment->command.reference))
        continue;
      plan_group_payment (self, parts, fresh_keys, payment, i, out_events, out_errors);
    }

  g_hash_table_iter_init (&iter, parts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &part))
    {
      QlLedgerAppend append = {
        ql_ledger_get_name (part->ledger), part->expected_version,
        (const QlNewEvent *) part->events->data, part->events->len, NULL,
      };

      g_ptr_array_add (order, part);
      if (part->events->len == 0)
        continue;
      g_array_append_val (appends, append);
      n_events += part->events->len;
    }

  records = g_new0 (QlEventRecord, MAX (n_events, 1));
  part_errors = g_new0 (GError *, MAX (appends->len, 1));
  if (appends->len > 0 &&
      !ql_event_store_append_group (ql_ledger_book_get_store (self), (const QlLedgerAppend *) appends->data,
                                    appends->len, records, part_errors, &group_error))
    g_assert (group_error != NULL);

  for (guint i = 0, a = 0; i < order->len; i++)
    {
      part = g_ptr_array_index (order, i);
      /* Its refusals were judged on the ledger as stored, whatever
       * became of the group. */
      if (part->events->len == 0)
        {
          settle_group_part (self, part, payments, NULL, NULL, out_events, out_errors);
          continue;
        }
      settle_group_part (self, part, payments, &records[first],
                         group_error != NULL ? group_error : part_errors[a],
                         out_events, out_errors);
      g_clear_error (&part_errors[a]);
      first += part->events->len;
      a++;
    }
}

/**
 * ql_ledger_book_withdraw_group:
 * @self: a #QlLedgerBook
 * @requests: (array length=n_requests): the payments, in the order they
 *   came
 * @n_requests: the number of @requests
 * @out_events: (out caller-allocates) (array length=n_requests): where
 *   each payment's event goes, as ql_ledger_book_withdraw_for_reference()
 *   returns it, or %NULL
 * @out_errors: (out caller-allocates) (array length=n_requests): where
 *   each payment's error goes, or %NULL; every location %NULL on entry
 *
 * Makes many payments at once, as ql_ledger_book_withdraw_for_reference()
 * makes each, by the same rules and in the order given, with each
 * payment's outcome its own: one refused or in conflict does not fail the
 * others. The payments decided together go to the store as one group, in
 * one transaction where the store can, so that many payments cost one
 * flush to disk. Payments on one account are decided one after the other,
 * each on the balance the ones before leave. A refusal stands only once
 * the payments it was judged after are stored; a payment whose account
 * was changed by another writer is decided again, as a single one is.
 * Every payment has an event or an error when this returns.
 */
void
ql_ledger_book_withdraw_group (QlLedgerBook           *self,
                               const QlPaymentRequest *requests,
                               guint                   n_requests,
                               QlEvent               **out_events,
                               GError                **out_errors)
{
  g_autofree GroupPayment *payments = NULL;
  gboolean open = TRUE;

  g_return_if_fail (QL_IS_LEDGER_BOOK (self));
  g_return_if_fail (requests != NULL || n_requests == 0);
  g_return_if_fail (out_events != NULL || n_requests == 0);
  g_return_if_fail (out_errors != NULL || n_requests == 0);

  payments = g_new0 (GroupPayment, MAX (n_requests, 1));
  for (guint i = 0; i < n_requests; i++)
    {
      const QlPaymentRequest *request = &requests[i];
      GError *error = NULL;

      g_return_if_fail (request->name != NULL && request->amount != NULL &&
                        request->currency != NULL && request->reference != NULL);
      g_return_if_fail (out_errors[i] == NULL);

      out_events[i] = NULL;
      payments[i].command = (QlPaymentCommand) { request->amount, request->currency,
                                                 request->reference };
      /* Every text is checked before the store is read or written, as
       * for a single payment. */
      payments[i].key = _ql_ledger_book_command_name (self, request->name, &error);
      if (payments[i].key == NULL ||
          !ql_text_check (QL_TEXT_FIELD_AMOUNT, request->amount, -1, &error) ||
          !ql_text_check (QL_TEXT_FIELD_CURRENCY, request->currency, -1, &error) ||
          !ql_text_check (QL_TEXT_FIELD_REFERENCE, request->reference, -1, &error))
        finish_payment (&payments[i], i, NULL, error, out_events, out_errors);
    }

  /* Each round finishes a payment or counts an attempt against it. */
  while (open)
    {
      run_group_round (self, payments, n_requests, out_events, out_errors);
      open = FALSE;
      for (guint i = 0; i < n_requests; i++)
        open = open || !payments[i].done;
    }

  for (guint i = 0; i < n_requests; i++)
    g_free (payments[i].key);
  _ql_ledger_book_emit_changed_if_pending (self);
}

/* The ledger an order's event is in, read from the store when another
 * program made it since the book last looked. */
static QlLedger *
order_ledger (QlLedgerBook *self,
              const char   *key)
{
  QlLedger *ledger = ql_ledger_book_lookup (self, key);

  if (ledger == NULL && _ql_ledger_book_sync_ledger (self, key, &ledger, NULL))
    _ql_ledger_book_emit_changed_if_pending (self);
  return ledger;
}

/**
 * ql_ledger_book_is_payment_for:
 * @self: a #QlLedgerBook
 * @payment: an event, such as one ql_ledger_book_withdraw_for_reference()
 *   returned
 * @name: an account's name, in any form ql_ledger_normalize_name() accepts
 * @amount: an amount as text, parsed with the account's decimals
 * @currency: an ISO 4217 code in any case
 *
 * Whether @payment is the withdrawal ql_ledger_book_withdraw_for_reference()
 * makes for these arguments: a `Withdrawn` event of the account @name,
 * whose currency is @currency, of @amount. A reference names one payment,
 * so a request that reuses it is a retry only when this holds; otherwise
 * it is a new payment under a reference already taken.
 *
 * Returns: %TRUE when @payment answers that request
 */
gboolean
ql_ledger_book_is_payment_for (QlLedgerBook *self,
                               QlEvent      *payment,
                               const char   *name,
                               const char   *amount,
                               const char   *currency)
{
  QlPaymentCommand command = { amount, currency, NULL };
  g_autofree char *key = NULL;
  QlLedger *ledger;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), FALSE);
  g_return_val_if_fail (QL_IS_EVENT (payment), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (amount != NULL, FALSE);
  g_return_val_if_fail (currency != NULL, FALSE);

  key = ql_ledger_normalize_name (name, NULL);
  return key != NULL && g_strcmp0 (key, ql_event_get_ledger (payment)) == 0 &&
         (ledger = order_ledger (self, key)) != NULL &&
         _ql_plan_is_payment (ledger, &command, payment);
}

/* Whether @event, the one an order id names, is what @request asks for. */
typedef gboolean (*OrderMatchFunc) (QlLedgerBook  *self,
                                    QlEvent       *event,
                                    gconstpointer  request);

static gboolean
payment_matches (QlLedgerBook  *self,
                 QlEvent       *event,
                 gconstpointer  request)
{
  const QlPaymentRequest *payment = request;

  return ql_ledger_book_is_payment_for (self, event, payment->name, payment->amount,
                                        payment->currency);
}

static void
set_order_taken_error (GError     **error,
                       const char  *order_id,
                       QlEvent     *taken)
{
  g_autofree char *transfer = ql_event_dup_transfer (taken);
  g_autofree char *payment_id = NULL;

  if (transfer != NULL)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_ORDER_TAKEN,
                   _("Order “%s” was already used by transfer %s with other ledgers, currency "
                     "or amount; a new transfer needs a new order id"),
                   order_id, transfer);
      return;
    }
  payment_id = g_strdup_printf ("pay-%" G_GINT64_FORMAT, ql_event_get_position (taken));
  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_ORDER_TAKEN,
               _("Order “%s” was already paid by %s with another account, currency "
                 "or amount; a new payment needs a new order id"),
               order_id, payment_id);
}

/* The answer to a request for an order @event took: @event when it is
 * what the request asks for, a refusal otherwise. */
static QlEvent *
judge_order (QlLedgerBook    *self,
             const char      *order_id,
             QlEvent         *event,
             OrderMatchFunc   matches,
             gconstpointer    request,
             GError         **error)
{
  if (!matches (self, event, request))
    {
      set_order_taken_error (error, order_id, event);
      return NULL;
    }
  return g_object_ref (event);
}

/* Answers a request for an order taken by the event stored at @position. */
static QlEvent *
answer_taken_order (QlLedgerBook    *self,
                    const char      *order_id,
                    gint64           position,
                    OrderMatchFunc   matches,
                    gconstpointer    request,
                    GError         **error)
{
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GPtrArray) read = ql_ledger_book_read_log (self, position, 1, &store_error);
  QlEvent *taken = read != NULL && read->len == 1 ? g_ptr_array_index (read, 0) : NULL;

  if (taken == NULL || ql_event_get_position (taken) != position)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED,
                   _("Order “%s” was paid, but its payment cannot be read now: %s; "
                     "retrying with the same request is safe"),
                   order_id, store_error != NULL ? store_error->message : _("it is missing"));
      return NULL;
    }
  return judge_order (self, order_id, taken, matches, request, error);
}

/* Finds the event @order_id names among every order of the store, 0 when
 * none does. The order id is what makes a retry safe: without one, every
 * request would be taken for a retry of the first. */
static gboolean
find_order (QlReferenceIndex  *orders,
            const char        *order_id,
            const char        *no_order_message,
            gint64            *out_position,
            GError           **error)
{
  if (*order_id == '\0')
    {
      g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_REFERENCE,
                           no_order_message);
      return FALSE;
    }
  /* Orders other programs took on the same store count too. */
  if (!ql_reference_index_update (orders, error))
    return FALSE;
  *out_position = ql_reference_index_lookup (orders, order_id);
  return TRUE;
}

/* Answers an order from its command's outcome: @event, or @command_error
 * (taken over). A refusal by the rules stands; when the store failed, the
 * order may have been taken all the same, by another program or by an
 * append that committed before a later step failed, and is answered then. */
static QlEvent *
settle_order (QlLedgerBook      *self,
              QlReferenceIndex  *orders,
              const char        *order_id,
              QlEvent           *event,
              GError            *command_error,
              OrderMatchFunc     matches,
              gconstpointer      request,
              GError           **error)
{
  gint64 taken;

  if (event != NULL)
    return judge_order (self, order_id, event, matches, request, error);

  if (command_error->domain != QL_LEDGER_ERROR || command_error->code == QL_LEDGER_ERROR_BUSY)
    {
      if (ql_reference_index_update (orders, NULL) &&
          (taken = ql_reference_index_lookup (orders, order_id)) > 0)
        {
          g_error_free (command_error);
          return answer_taken_order (self, order_id, taken, matches, request, error);
        }
    }
  g_propagate_error (error, command_error);
  return NULL;
}

static gboolean
check_payment_request (const QlPaymentRequest *request)
{
  return request->name != NULL && request->amount != NULL && request->currency != NULL &&
         request->reference != NULL;
}

/**
 * ql_ledger_book_pay_order:
 * @self: a #QlLedgerBook
 * @orders: the orders taken in @self's store
 * @request: the payment; its reference is the order id
 * @error: return location for a #GError
 *
 * The payment rule of an order id: one order id names one payment in the
 * whole store, whichever account it was drawn from. A request for an
 * order not yet paid withdraws as ql_ledger_book_withdraw_for_reference()
 * does; a request for an order already paid writes nothing and is
 * answered by that payment when it is the same request (the same
 * account, currency and amount, see ql_ledger_book_is_payment_for()), so
 * a client may retry safely, or refused with
 * %QL_LEDGER_ERROR_ORDER_TAKEN when it is another. An empty order id is
 * refused with %QL_LEDGER_ERROR_INVALID_REFERENCE. When the store fails
 * after the payment was committed, the payment is answered all the same.
 *
 * Returns: (transfer full): the order's payment, or %NULL with @error
 *   set: %QL_LEDGER_ERROR_ORDER_TAKEN, another %QL_LEDGER_ERROR for a
 *   refusal by the rules (which the same request meets again), or
 *   %QL_LEDGER_ERROR_BUSY or a %QL_STORE_ERROR for a failure worth
 *   retrying
 */
QlEvent *
ql_ledger_book_pay_order (QlLedgerBook           *self,
                          QlReferenceIndex       *orders,
                          const QlPaymentRequest *request,
                          GError                **error)
{
  GError *payment_error = NULL;
  g_autoptr(QlEvent) event = NULL;
  gint64 paid = 0;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (QL_IS_REFERENCE_INDEX (orders), NULL);
  g_return_val_if_fail (request != NULL && check_payment_request (request), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!find_order (orders, request->reference, _("The payment names no order"), &paid, error))
    return NULL;
  if (paid > 0)
    return answer_taken_order (self, request->reference, paid, payment_matches, request, error);

  event = ql_ledger_book_withdraw_for_reference (self, request->name, request->amount,
                                                 request->currency, request->reference,
                                                 &payment_error);
  return settle_order (self, orders, request->reference, event, payment_error, payment_matches,
                       request, error);
}

/**
 * ql_ledger_book_pay_orders:
 * @self: a #QlLedgerBook
 * @orders: the orders taken in @self's store
 * @requests: (array length=n_requests): the payments, in the order they
 *   came
 * @n_requests: the number of @requests
 * @out_events: (out caller-allocates) (array length=n_requests): where
 *   each payment goes, or %NULL
 * @out_errors: (out caller-allocates) (array length=n_requests): where
 *   each error goes, or %NULL; every location %NULL on entry
 *
 * Answers many orders as ql_ledger_book_pay_order() answers each. The
 * payments to make are made together by ql_ledger_book_withdraw_group(),
 * and so stored with one flush to disk. A request for an order another
 * request of the same call names waits until that one is answered, and
 * is then answered as a retry or a reuse of the order id.
 */
void
ql_ledger_book_pay_orders (QlLedgerBook           *self,
                           QlReferenceIndex       *orders,
                           const QlPaymentRequest *requests,
                           guint                   n_requests,
                           QlEvent               **out_events,
                           GError                **out_errors)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) grouped = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) later = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree QlPaymentRequest *payments = NULL;
  g_autofree QlEvent **events = NULL;
  g_autofree GError **errors = NULL;

  g_return_if_fail (QL_IS_LEDGER_BOOK (self));
  g_return_if_fail (QL_IS_REFERENCE_INDEX (orders));
  g_return_if_fail (n_requests == 0 || (requests != NULL && out_events != NULL &&
                                        out_errors != NULL));

  for (guint i = 0; i < n_requests; i++)
    {
      const QlPaymentRequest *request = &requests[i];
      gint64 paid = 0;

      g_return_if_fail (check_payment_request (request));
      g_return_if_fail (out_errors[i] == NULL);

      out_events[i] = NULL;
      if (!find_order (orders, request->reference, _("The payment names no order"), &paid,
                       &out_errors[i]))
        continue;
      if (paid > 0)
        out_events[i] = answer_taken_order (self, request->reference, paid, payment_matches,
                                            request, &out_errors[i]);
      else if (g_hash_table_add (seen, (gpointer) request->reference))
        g_array_append_val (grouped, i);
      else
        g_array_append_val (later, i);
    }

  payments = g_new0 (QlPaymentRequest, MAX (grouped->len, 1));
  events = g_new0 (QlEvent *, MAX (grouped->len, 1));
  errors = g_new0 (GError *, MAX (grouped->len, 1));
  for (guint g = 0; g < grouped->len; g++)
    payments[g] = requests[g_array_index (grouped, guint, g)];
  if (grouped->len > 0)
    ql_ledger_book_withdraw_group (self, payments, grouped->len, events, errors);

  for (guint g = 0; g < grouped->len; g++)
    {
      guint i = g_array_index (grouped, guint, g);

      out_events[i] = settle_order (self, orders, requests[i].reference, events[g], errors[g],
                                    payment_matches, &requests[i], &out_errors[i]);
      g_clear_object (&events[g]);
    }

  for (guint l = 0; l < later->len; l++)
    {
      guint i = g_array_index (later, guint, l);

      out_events[i] = ql_ledger_book_pay_order (self, orders, &requests[i], &out_errors[i]);
    }
}

static gboolean
transfer_matches (QlLedgerBook  *self,
                  QlEvent       *event,
                  gconstpointer  request)
{
  const QlTransferRequest *transfer = request;
  QlTransferCommand command = { transfer->amount, NULL, NULL, NULL, transfer->currency, NULL };
  g_autofree char *from = ql_ledger_normalize_name (transfer->from, NULL);
  g_autofree char *to = ql_ledger_normalize_name (transfer->to, NULL);
  QlLedger *ledger;

  return from != NULL && to != NULL && g_strcmp0 (from, ql_event_get_ledger (event)) == 0 &&
         (ledger = order_ledger (self, from)) != NULL &&
         _ql_plan_is_transfer (ledger, to, &command, event);
}

/**
 * ql_ledger_book_transfer_order:
 * @self: a #QlLedgerBook
 * @orders: the orders taken in @self's store
 * @request: the transfer; its reference is the order id
 * @error: return location for a #GError
 *
 * The order-id rule of ql_ledger_book_pay_order(), for a transfer: one
 * order id names one payment or transfer in the whole store. A request
 * for an order not yet taken transfers as ql_ledger_book_transfer() does
 * (one commit, two legs linked by a transfer id, refused as a whole when
 * it would overdraw), in @request's currency only, with the order id on
 * the leg that takes from @request's @from. A request for an order taken
 * already writes nothing: it is answered by that leg when it is the same
 * request (the same two ledgers, currency and amount; the payee and memo
 * are not compared, since they may be amended), or refused with
 * %QL_LEDGER_ERROR_ORDER_TAKEN. An empty order id is refused with
 * %QL_LEDGER_ERROR_INVALID_REFERENCE.
 *
 * Returns: (transfer full): the leg that takes from @from, or %NULL with
 *   @error set: %QL_LEDGER_ERROR_ORDER_TAKEN, another %QL_LEDGER_ERROR for
 *   a refusal by the rules, or %QL_LEDGER_ERROR_BUSY or a
 *   %QL_STORE_ERROR for a failure worth retrying
 */
QlEvent *
ql_ledger_book_transfer_order (QlLedgerBook            *self,
                               QlReferenceIndex        *orders,
                               const QlTransferRequest *request,
                               GError                 **error)
{
  QlChangeNote note = { NULL, NULL, NULL };
  GError *transfer_error = NULL;
  g_autoptr(QlEvent) event = NULL;
  gint64 taken = 0;

  g_return_val_if_fail (QL_IS_LEDGER_BOOK (self), NULL);
  g_return_val_if_fail (QL_IS_REFERENCE_INDEX (orders), NULL);
  g_return_val_if_fail (request != NULL && request->from != NULL && request->to != NULL &&
                        request->amount != NULL && request->currency != NULL &&
                        request->reference != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!find_order (orders, request->reference, _("The transfer names no order"), &taken, error))
    return NULL;
  if (taken > 0)
    return answer_taken_order (self, request->reference, taken, transfer_matches, request,
                               error);

  note.payee = request->payee;
  note.memo = request->memo;
  event = _ql_ledger_book_transfer_for_reference (self, request->from, request->to,
                                                  request->amount, request->currency,
                                                  request->reference, &note, &transfer_error);
  return settle_order (self, orders, request->reference, event, transfer_error,
                       transfer_matches, request, error);
}
