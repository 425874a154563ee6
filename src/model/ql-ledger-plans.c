/* ql-ledger-plans.c: what each command decides, before the book appends it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-plans"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-dates.h"
#include "ql-errors.h"
#include "ql-event-private.h"
#include "ql-ledger-events-private.h"
#include "ql-ledger-plans-private.h"
#include "ql-ledger-private.h"
#include "ql-text-rules.h"

/* Events read at once while walking a history backwards. */
#define PAGE_SIZE 256

/* The day a change happened: @text, or today when it is %NULL or empty. */
static gboolean
read_date (const char  *text,
           GDate       *out_date,
           GError     **error)
{
  if (text == NULL || *text == '\0')
    {
      ql_date_set_today (out_date);
      return TRUE;
    }
  return ql_date_parse (text, out_date, error);
}

/* A payee or memo, checked and trimmed; %NULL stays %NULL. */
static gboolean
read_note (QlTextField   field,
           const char   *text,
           char        **out_text,
           GError      **error)
{
  *out_text = NULL;
  if (text == NULL)
    return TRUE;
  if (!ql_text_check (field, text, -1, error))
    return FALSE;
  *out_text = g_strstrip (g_strdup (text));
  return TRUE;
}

/**
 * _ql_plan_change:
 * @store: the store the ledger is in
 * @ledger: the ledger as the command finds it
 * @command: a #QlChangeCommand
 * @plan: (out caller-allocates): what to append
 * @error: return location for a #GError
 *
 * A change is allowed by the ledger's kind, its amount's precision and
 * the balance rules of _ql_ledger_check_change().
 *
 * Returns: %TRUE with @plan filled, or %FALSE with @error set
 */
gboolean
_ql_plan_change (QlEventStore  *store,
                 QlLedger      *ledger,
                 gconstpointer  command,
                 QlPlan        *plan,
                 GError       **error)
{
  const QlChangeCommand *change = command;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  gint64 amount;
  GDate date;

  if (!_ql_ledger_check_kind (ledger, change->type, error) ||
      !ql_ledger_parse_amount (ledger, change->amount, &amount, error) ||
      !read_date (change->date, &date, error) ||
      !read_note (QL_TEXT_FIELD_PAYEE, change->payee, &payee, error) ||
      !read_note (QL_TEXT_FIELD_MEMO, change->memo, &memo, error) ||
      !_ql_ledger_check_change (ledger, change->type, amount, error))
    return FALSE;

  plan->type = change->type;
  /* An empty payee or memo is none. */
  plan->payload = _ql_change_payload_write_noted (amount, 0, NULL, &date,
                                                  payee != NULL && *payee != '\0' ? payee : NULL,
                                                  memo != NULL && *memo != '\0' ? memo : NULL);
  return TRUE;
}

/**
 * _ql_plan_amend:
 * @store: the store the ledger is in
 * @ledger: the ledger as the command finds it
 * @command: a #QlAmendCommand
 * @plan: (out caller-allocates): what to append
 * @error: return location for a #GError
 *
 * An amendment names a change of the ledger (not its opening, an undo or
 * another amendment) and says at least one thing about it.
 *
 * Returns: %TRUE with @plan filled, or %FALSE with @error set
 */
gboolean
_ql_plan_amend (QlEventStore  *store,
                QlLedger      *ledger,
                gconstpointer  command,
                QlPlan        *plan,
                GError       **error)
{
  const QlAmendCommand *amend = command;
  const char *name = ql_ledger_get_name (ledger);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, amend->version);
  QlEvent *target;
  GDate date;

  if (amend->date == NULL && amend->payee == NULL && amend->memo == NULL)
    {
      g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NOTE,
                           _("Say what to amend: a date, a payee or a memo"));
      return FALSE;
    }
  if ((amend->date != NULL && !ql_date_parse (amend->date, &date, error)) ||
      !read_note (QL_TEXT_FIELD_PAYEE, amend->payee, &payee, error) ||
      !read_note (QL_TEXT_FIELD_MEMO, amend->memo, &memo, error))
    return FALSE;

  if (amend->version < 1 || amend->version > ql_ledger_get_version (ledger))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_VERSION,
                   _("“%s” has no version %s"), name, version);
      return FALSE;
    }
  events = ql_event_store_collect_ledger (store, name, amend->version - 1, amend->version,
                                          error);
  if (events == NULL)
    return FALSE;
  target = events->len == 1 ? g_ptr_array_index (events, 0) : NULL;
  if (target == NULL || !ql_event_can_be_amended (target))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_VERSION,
                   _("Version %s of “%s” is not a change that can be amended"), version, name);
      return FALSE;
    }

  plan->type = QL_EVENT_CHANGE_AMENDED;
  plan->payload = _ql_amendment_payload_write (amend->version,
                                               amend->date != NULL ? &date : NULL, payee, memo);
  return TRUE;
}

/**
 * _ql_plan_threshold:
 * @store: the store the ledger is in
 * @ledger: the ledger as the command finds it
 * @command: a #QlThresholdCommand
 * @plan: (out caller-allocates): what to append
 * @error: return location for a #GError
 *
 * Only an item has a threshold: a whole quantity of zero or more, zero
 * for none.
 *
 * Returns: %TRUE with @plan filled, or %FALSE with @error set
 */
gboolean
_ql_plan_threshold (QlEventStore  *store,
                    QlLedger      *ledger,
                    gconstpointer  command,
                    QlPlan        *plan,
                    GError       **error)
{
  const QlThresholdCommand *threshold = command;
  gint64 quantity;

  if (ql_ledger_get_kind (ledger) != QL_LEDGER_KIND_ITEM)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_WRONG_KIND,
                   _("“%s” is an account: only an item has a stock threshold"),
                   ql_ledger_get_name (ledger));
      return FALSE;
    }
  if (!ql_quantity_parse (threshold->quantity, TRUE, &quantity, error))
    return FALSE;

  plan->type = QL_EVENT_THRESHOLD_SET;
  plan->payload = _ql_threshold_payload_write (quantity);
  return TRUE;
}

typedef struct
{
  const char *type;
  gint64      amount;
  gint64      version;
  /* Borrowed from the page, as @type is. */
  QlEvent    *event;
} UndoTarget;

/* Walks the history backwards, page by page, to the newest change that no
 * compensating event reverses yet. The set of reversed versions only holds
 * what the walk has passed, so its size does not grow with history. */
static gboolean
find_undo_target (QlEventStore  *store,
                  QlLedger      *ledger,
                  UndoTarget    *target,
                  GPtrArray    **out_page,
                  GError       **error)
{
  const char *name = ql_ledger_get_name (ledger);
  g_autoptr(GHashTable) reversed = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                          g_free, NULL);
  gint64 high = ql_ledger_get_version (ledger);

  while (high > 0)
    {
      gint64 low = MAX (0, high - PAGE_SIZE);
      g_autoptr(GPtrArray) events = ql_event_store_collect_ledger (store, name, low, high, error);

      if (events == NULL)
        return FALSE;

      for (guint i = events->len; i > 0; i--)
        {
          QlEvent *event = g_ptr_array_index (events, i - 1);
          QlEventRecord record;
          gint64 amount;
          gint64 reverses;

          _ql_event_get_record (event, &record);
          if (record.version == 1)
            break;
          /* An amendment or a threshold is no change of the balance to
           * take back. */
          if (g_strcmp0 (record.type, QL_EVENT_CHANGE_AMENDED) == 0 ||
              g_strcmp0 (record.type, QL_EVENT_THRESHOLD_SET) == 0)
            continue;

          if (!_ql_event_record_read_change (&record, &amount, &reverses, error))
            return FALSE;

          if (reverses > 0)
            g_hash_table_add (reversed, g_memdup2 (&reverses, sizeof reverses));
          else if (!g_hash_table_remove (reversed, &record.version))
            {
              target->type = ql_event_get_event_type (event);
              target->amount = amount;
              target->version = record.version;
              target->event = event;
              /* The page owns the type string the target points to. */
              *out_page = g_steal_pointer (&events);
              return TRUE;
            }
        }

      if (low == 0 || (events->len > 0 &&
                       ql_event_get_version (g_ptr_array_index (events, 0)) == 1))
        break;
      high = low;
    }

  g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_NOTHING_TO_UNDO,
               _("Nothing to undo in “%s”: every change is already undone"), name);
  return FALSE;
}

/**
 * _ql_plan_undo:
 * @store: the store the ledger is in
 * @ledger: the ledger as the command finds it
 * @command: unused
 * @plan: (out caller-allocates): what to append
 * @error: return location for a #GError
 *
 * An undo appends the opposite of the newest change nothing reverses yet,
 * naming it in `reverses`, if the balance rules allow that opposite.
 *
 * Returns: %TRUE with @plan filled, or %FALSE with @error set
 */
gboolean
_ql_plan_undo (QlEventStore  *store,
               QlLedger      *ledger,
               gconstpointer  command,
               QlPlan        *plan,
               GError       **error)
{
  g_autoptr(GPtrArray) page = NULL;
  UndoTarget target;
  const char *opposite;

  if (!find_undo_target (store, ledger, &target, &page, error))
    return FALSE;

  opposite = _ql_event_type_get_opposite (target.type);
  if (!_ql_ledger_check_change (ledger, opposite, target.amount, error))
    return FALSE;

  plan->type = opposite;
  plan->payload = _ql_change_payload_write (target.amount, target.version, NULL);
  return TRUE;
}

/**
 * _ql_plan_has_undo:
 * @store: the store the ledger is in
 * @ledger: a ledger
 *
 * Returns: %TRUE when @ledger has a change that no event reverses yet
 */
gboolean
_ql_plan_has_undo (QlEventStore *store,
                   QlLedger     *ledger)
{
  g_autoptr(GPtrArray) page = NULL;
  UndoTarget target;

  return find_undo_target (store, ledger, &target, &page, NULL);
}

static gboolean
check_currency (QlLedger     *ledger,
                const char   *currency,
                GError      **error)
{
  const char *canonical = ql_currency_canonicalize (currency, NULL, error);
  const char *own = ql_ledger_get_currency (ledger);

  if (canonical == NULL)
    return FALSE;
  if (own == NULL)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY,
                   _("“%s” keeps plain units, not %s"), ql_ledger_get_name (ledger), canonical);
      return FALSE;
    }
  if (strcmp (canonical, own) != 0)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY,
                   _("“%s” keeps its money in %s, not in %s"),
                   ql_ledger_get_name (ledger), own, canonical);
      return FALSE;
    }
  return TRUE;
}

/**
 * _ql_plan_payment:
 * @store: the store the ledger is in
 * @ledger: the ledger as the command finds it
 * @command: a #QlPaymentCommand
 * @plan: (out caller-allocates): what to append, or the event that
 *   carries the reference already
 * @error: return location for a #GError
 *
 * A payment is answered by the ledger's event with its reference when
 * there is one; otherwise it is a withdrawal in the ledger's own
 * currency, by the balance rules.
 *
 * Returns: %TRUE with @plan filled, or %FALSE with @error set
 */
gboolean
_ql_plan_payment (QlEventStore  *store,
                  QlLedger      *ledger,
                  gconstpointer  command,
                  QlPlan        *plan,
                  GError       **error)
{
  const QlPaymentCommand *payment = command;
  gint64 minor;
  GDate today;

  if (!_ql_ledger_check_kind (ledger, QL_EVENT_WITHDRAWN, error) ||
      !ql_event_store_find_reference (store, ql_ledger_get_name (ledger),
                                      payment->reference, &plan->answered_by, error))
    return FALSE;
  if (plan->answered_by > 0)
    return TRUE;

  if (!check_currency (ledger, payment->currency, error) ||
      !ql_ledger_parse_amount (ledger, payment->amount, &minor, error) ||
      !_ql_ledger_check_change (ledger, QL_EVENT_WITHDRAWN, minor, error))
    return FALSE;

  ql_date_set_today (&today);
  plan->type = QL_EVENT_WITHDRAWN;
  plan->payload = _ql_change_payload_write_noted (minor, 0, payment->reference, &today, NULL,
                                                  NULL);
  plan->reference = payment->reference;
  return TRUE;
}

/**
 * _ql_plan_is_payment:
 * @ledger: the account @payment is in
 * @command: a payment request; its reference is not looked at
 * @payment: an event of @ledger
 *
 * Whether @payment is the withdrawal _ql_plan_payment() decides for
 * @command: a `Withdrawn` event, in the account's own currency, of the
 * amount asked for, and not a leg of a transfer.
 *
 * Returns: %TRUE when @payment answers @command
 */
gboolean
_ql_plan_is_payment (QlLedger               *ledger,
                     const QlPaymentCommand *command,
                     QlEvent                *payment)
{
  g_autofree char *transfer = ql_event_dup_transfer (payment);
  gint64 minor;

  return transfer == NULL &&
         g_strcmp0 (ql_event_get_event_type (payment), QL_EVENT_WITHDRAWN) == 0 &&
         check_currency (ledger, command->currency, NULL) &&
         ql_ledger_parse_amount (ledger, command->amount, &minor, NULL) &&
         ql_event_get_amount (payment) == minor;
}

/* The change that takes a transfer's amount out of @ledger, or puts it
 * in: a withdrawal or a decrease, a deposit or an increase. */
static const char *
leg_type (QlLedger *ledger,
          int       sign)
{
  if (ql_ledger_get_kind (ledger) == QL_LEDGER_KIND_ITEM)
    return sign < 0 ? QL_EVENT_QUANTITY_DECREASED : QL_EVENT_QUANTITY_INCREASED;
  return sign < 0 ? QL_EVENT_WITHDRAWN : QL_EVENT_DEPOSITED;
}

/**
 * _ql_plan_is_transfer:
 * @from: the ledger @leg is in
 * @to: the normal form of the other ledger's name
 * @command: a transfer request; its reference, date and notes are not
 *   looked at (notes may be amended since)
 * @leg: an event of @from
 *
 * Whether @leg is the leg _ql_plan_transfer() decides for @command in
 * @from: the leg that takes from @from, to @to, in @from's currency when
 * @command names one, of the amount asked for.
 *
 * Returns: %TRUE when @leg answers @command
 */
gboolean
_ql_plan_is_transfer (QlLedger                *from,
                      const char              *to,
                      const QlTransferCommand *command,
                      QlEvent                 *leg)
{
  g_autofree char *transfer = ql_event_dup_transfer (leg);
  g_autofree char *counterpart = ql_event_dup_counterpart (leg);
  g_autofree char *counterpart_key = NULL;
  gint64 minor;

  if (transfer == NULL || counterpart == NULL ||
      g_strcmp0 (ql_event_get_event_type (leg), leg_type (from, -1)) != 0 ||
      ql_event_get_reverses (leg) != 0)
    return FALSE;
  counterpart_key = ql_ledger_normalize_name (counterpart, NULL);
  return g_strcmp0 (counterpart_key, to) == 0 &&
         (command->currency == NULL || check_currency (from, command->currency, NULL)) &&
         ql_ledger_parse_amount (from, command->amount, &minor, NULL) &&
         ql_event_get_amount (leg) == minor;
}

/**
 * _ql_plan_transfer:
 * @from: the ledger the amount leaves, as the command finds it
 * @to: the ledger it goes to
 * @command: what was asked
 * @transfer: the id both legs carry
 * @out_from: (out caller-allocates): the leg that takes from @from
 * @out_to: (out caller-allocates): the leg that adds to @to
 * @error: return location for a #GError
 *
 * A transfer moves an amount between two different ledgers that count
 * the same thing: two accounts in the same currency (or both in plain
 * units), or two items. Both legs are checked by the balance rules
 * before either is written, so one that would overdraw refuses the
 * whole transfer.
 *
 * Returns: %TRUE with both legs planned, or %FALSE with @error set
 */
gboolean
_ql_plan_transfer (QlLedger                *from,
                   QlLedger                *to,
                   const QlTransferCommand *command,
                   const char              *transfer,
                   QlTransferLeg           *out_from,
                   QlTransferLeg           *out_to,
                   GError                 **error)
{
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  const char *from_name = ql_ledger_get_name (from);
  const char *to_name = ql_ledger_get_name (to);
  gint64 amount;
  GDate date;

  if (from == to)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME,
                   _("A transfer needs two ledgers; “%s” is named twice"), from_name);
      return FALSE;
    }
  if (ql_ledger_get_kind (from) != ql_ledger_get_kind (to))
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_WRONG_KIND,
                   _("“%s” and “%s” are not the same kind of ledger: a transfer goes "
                     "between two accounts or two items"), from_name, to_name);
      return FALSE;
    }
  if (g_strcmp0 (ql_ledger_get_currency (from), ql_ledger_get_currency (to)) != 0)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_CURRENCY,
                   _("“%s” and “%s” keep different currencies: a transfer moves money "
                     "between accounts of one currency"), from_name, to_name);
      return FALSE;
    }
  if (command->currency != NULL && !check_currency (from, command->currency, error))
    return FALSE;

  out_from->type = leg_type (from, -1);
  out_to->type = leg_type (to, +1);
  if (!ql_ledger_parse_amount (from, command->amount, &amount, error) ||
      !read_date (command->date, &date, error) ||
      !read_note (QL_TEXT_FIELD_PAYEE, command->payee, &payee, error) ||
      !read_note (QL_TEXT_FIELD_MEMO, command->memo, &memo, error) ||
      !_ql_ledger_check_change (from, out_from->type, amount, error) ||
      !_ql_ledger_check_change (to, out_to->type, amount, error))
    return FALSE;

  if (payee != NULL && *payee == '\0')
    g_clear_pointer (&payee, g_free);
  if (memo != NULL && *memo == '\0')
    g_clear_pointer (&memo, g_free);
  out_from->payload = _ql_transfer_leg_payload_write (amount, 0, &date, payee, memo,
                                                      command->reference, transfer, to_name);
  out_to->payload = _ql_transfer_leg_payload_write (amount, 0, &date, payee, memo, NULL,
                                                    transfer, from_name);
  return TRUE;
}

/**
 * _ql_plan_find_undo:
 * @store: the store the ledger is in
 * @ledger: a ledger
 * @out_target: (out) (transfer full): the newest change of @ledger that
 *   nothing reverses yet
 * @error: return location for a #GError
 *
 * Returns: %TRUE with @out_target set, or %FALSE with @error set, for
 *   instance to %QL_LEDGER_ERROR_NOTHING_TO_UNDO
 */
gboolean
_ql_plan_find_undo (QlEventStore  *store,
                    QlLedger      *ledger,
                    QlEvent      **out_target,
                    GError       **error)
{
  g_autoptr(GPtrArray) page = NULL;
  UndoTarget target;

  if (!find_undo_target (store, ledger, &target, &page, error))
    return FALSE;
  *out_target = g_object_ref (target.event);
  return TRUE;
}

/* The leg of @transfer in @ledger that nothing reverses yet, walking its
 * history backwards page by page. */
static QlEvent *
find_open_leg (QlEventStore  *store,
               QlLedger      *ledger,
               const char    *transfer,
               GError       **error)
{
  const char *name = ql_ledger_get_name (ledger);
  g_autoptr(GHashTable) reversed = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                          g_free, NULL);
  gint64 high = ql_ledger_get_version (ledger);

  while (high > 1)
    {
      gint64 low = MAX (0, high - PAGE_SIZE);
      g_autoptr(GPtrArray) events = ql_event_store_collect_ledger (store, name, low, high, error);

      if (events == NULL)
        return NULL;
      for (guint i = events->len; i > 0; i--)
        {
          QlEvent *event = g_ptr_array_index (events, i - 1);
          gint64 reverses = ql_event_get_reverses (event);
          gint64 version = ql_event_get_version (event);
          g_autofree char *id = NULL;

          if (reverses > 0)
            {
              g_hash_table_add (reversed, g_memdup2 (&reverses, sizeof reverses));
              continue;
            }
          id = ql_event_dup_transfer (event);
          if (g_strcmp0 (id, transfer) == 0)
            return g_hash_table_contains (reversed, &version) ? NULL : g_object_ref (event);
        }
      high = low;
    }
  return NULL;
}

/**
 * _ql_plan_undo_transfer:
 * @store: the store both ledgers are in
 * @ledger: the ledger undo was asked of
 * @target: its newest change nothing reverses, a leg of a transfer
 * @counterpart: the ledger of the other leg, as the command finds it
 * @out_leg: (out caller-allocates): the reversal of @target
 * @out_counterpart_leg: (out caller-allocates): the reversal of the other
 *   leg
 * @error: return location for a #GError
 *
 * Undoing either leg of a transfer reverses both, each by the balance
 * rules of its own ledger; when the other leg cannot be reversed (its
 * ledger spent the money since), neither is.
 *
 * Returns: %TRUE with both reversals planned, or %FALSE with @error set
 */
gboolean
_ql_plan_undo_transfer (QlEventStore  *store,
                        QlLedger      *ledger,
                        QlEvent       *target,
                        QlLedger      *counterpart,
                        QlTransferLeg *out_leg,
                        QlTransferLeg *out_counterpart_leg,
                        GError       **error)
{
  g_autofree char *transfer = ql_event_dup_transfer (target);
  g_autoptr(QlEvent) other = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 amount = ql_event_get_amount (target);

  other = find_open_leg (store, counterpart, transfer, &local_error);
  if (other == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                     _("The other half of the transfer from “%s” is missing in “%s”"),
                     ql_ledger_get_name (ledger), ql_ledger_get_name (counterpart));
      return FALSE;
    }

  out_leg->type = _ql_event_type_get_opposite (ql_event_get_event_type (target));
  out_counterpart_leg->type = _ql_event_type_get_opposite (ql_event_get_event_type (other));
  if (!_ql_ledger_check_change (ledger, out_leg->type, amount, error) ||
      !_ql_ledger_check_change (counterpart, out_counterpart_leg->type,
                                ql_event_get_amount (other), error))
    return FALSE;

  out_leg->payload = _ql_transfer_leg_payload_write (amount, ql_event_get_version (target), NULL,
                                                     NULL, NULL, NULL, transfer,
                                                     ql_ledger_get_name (counterpart));
  out_counterpart_leg->payload =
    _ql_transfer_leg_payload_write (ql_event_get_amount (other), ql_event_get_version (other),
                                    NULL, NULL, NULL, NULL, transfer,
                                    ql_ledger_get_name (ledger));
  return TRUE;
}
