/* ql-ledger.c: the state of one event-sourced ledger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-event-store.h"
#include "ql-ledger-events-private.h"
#include "ql-ledger-private.h"

/**
 * QlLedger:
 *
 * The current state of one ledger (an account or an inventory item), built
 * by replaying its events. A #QlLedgerBook keeps one #QlLedger per ledger
 * and updates it in place, so views can watch its properties; every
 * property is read-only and notifies only when its value changes.
 */
struct _QlLedger
{
  GObject parent_instance;

  char         *name;
  char         *sort_key;
  char         *currency;
  QlLedgerKind  kind;
  guint         decimals;
  gint64        balance;
  gint64        version;
  /* The first event that could not be applied, and why; 0 and NULL while
   * the ledger is sound. */
  gint64        damaged_version;
  char         *damage;
};

G_DEFINE_FINAL_TYPE (QlLedger, ql_ledger, G_TYPE_OBJECT)

G_DEFINE_QUARK (ql-ledger-error-quark, ql_ledger_error)

G_DEFINE_ENUM_TYPE (QlLedgerKind, ql_ledger_kind,
  G_DEFINE_ENUM_VALUE (QL_LEDGER_KIND_ACCOUNT, "account"),
  G_DEFINE_ENUM_VALUE (QL_LEDGER_KIND_ITEM, "item"))

enum {
  PROP_0,
  PROP_NAME,
  PROP_KIND,
  PROP_CURRENCY,
  PROP_DECIMALS,
  PROP_BALANCE,
  PROP_VERSION,
  PROP_DAMAGED_VERSION,
  PROP_DAMAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static QlLedger *
create_ledger (const char   *name,
               QlLedgerKind  kind,
               const char   *currency,
               guint         decimals,
               gint64        balance,
               gint64        version)
{
  QlLedger *self = g_object_new (QL_TYPE_LEDGER, NULL);

  self->name = g_strdup (name);
  self->kind = kind;
  self->currency = g_strdup (currency);
  self->decimals = decimals;
  self->balance = balance;
  self->version = version;

  return self;
}

static void
ql_ledger_finalize (GObject *object)
{
  QlLedger *self = (QlLedger *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->sort_key, g_free);
  g_clear_pointer (&self->currency, g_free);
  g_clear_pointer (&self->damage, g_free);

  G_OBJECT_CLASS (ql_ledger_parent_class)->finalize (object);
}

static void
ql_ledger_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  QlLedger *self = QL_LEDGER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_CURRENCY:
      g_value_set_string (value, self->currency);
      break;

    case PROP_DECIMALS:
      g_value_set_uint (value, self->decimals);
      break;

    case PROP_BALANCE:
      g_value_set_int64 (value, self->balance);
      break;

    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_DAMAGED_VERSION:
      g_value_set_int64 (value, self->damaged_version);
      break;

    case PROP_DAMAGE:
      g_value_set_string (value, self->damage);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_ledger_class_init (QlLedgerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ql_ledger_finalize;
  object_class->get_property = ql_ledger_get_property;

  /**
   * QlLedger:name:
   *
   * The ledger's unique name.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * QlLedger:kind:
   *
   * Whether the ledger is an account or an inventory item.
   */
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, QL_TYPE_LEDGER_KIND,
                                             QL_LEDGER_KIND_ACCOUNT, flags);

  /**
   * QlLedger:currency:
   *
   * The account's ISO 4217 currency code, or %NULL for plain units and for
   * inventory items.
   */
  properties[PROP_CURRENCY] = g_param_spec_string ("currency", NULL, NULL, NULL, flags);

  /**
   * QlLedger:decimals:
   *
   * How many decimal places an amount has: the currency's minor unit, or 0.
   */
  properties[PROP_DECIMALS] = g_param_spec_uint ("decimals", NULL, NULL,
                                                 0, QL_AMOUNT_MAX_DECIMALS, 0, flags);

  /**
   * QlLedger:balance:
   *
   * The account's balance in minor units, or the item's quantity.
   */
  properties[PROP_BALANCE] = g_param_spec_int64 ("balance", NULL, NULL,
                                                 0, G_MAXINT64, 0, flags);

  /**
   * QlLedger:version:
   *
   * The version of the newest event applied: the number of events.
   */
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL,
                                                 0, G_MAXINT64, 0, flags);

  /**
   * QlLedger:damaged-version:
   *
   * The version of the first of the ledger's events that could not be
   * applied, or 0 while the ledger is sound. A damaged ledger keeps the
   * state of the version before it and is read-only: its events are
   * never changed, so the damage never goes away.
   */
  properties[PROP_DAMAGED_VERSION] = g_param_spec_int64 ("damaged-version", NULL, NULL,
                                                         0, G_MAXINT64, 0, flags);

  /**
   * QlLedger:damage:
   *
   * Why the event at #QlLedger:damaged-version could not be applied, a
   * translated message naming the ledger and the version, or %NULL while
   * the ledger is sound. An event of a type this version does not know,
   * written by a newer version, is reported here too.
   */
  properties[PROP_DAMAGE] = g_param_spec_string ("damage", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_ledger_init (QlLedger *self)
{
}

/**
 * _ql_ledger_new_from_event:
 * @record: a ledger's first event, `AccountOpened` or `ItemCreated`
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the ledger at version 1, or %NULL with @error
 *   set to %QL_STORE_ERROR_CORRUPT
 */
QlLedger *
_ql_ledger_new_from_event (const QlEventRecord  *record,
                           GError              **error)
{
  QlLedgerKind kind;
  const char *currency;
  guint decimals;
  gint64 quantity;

  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (record->ledger != NULL, NULL);

  if (record->version != 1)
    {
      _ql_event_record_set_corrupt_error (error, record,
                                          _("the ledger does not start at version 1"));
      return NULL;
    }

  if (!_ql_event_record_read_opening (record, &kind, &currency, &decimals, &quantity, error))
    return NULL;
  return create_ledger (record->ledger, kind, currency, decimals, quantity, 1);
}

/**
 * _ql_ledger_apply:
 * @self: a #QlLedger
 * @record: the ledger's next event, at version #QlLedger:version + 1
 * @error: return location for a #GError
 *
 * Applies a stored event to the state, notifying the properties that
 * change. Events that break the ledger's rules cannot be in a sound store,
 * so they are reported as damage and change nothing.
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %QL_STORE_ERROR_CORRUPT
 */
gboolean
_ql_ledger_apply (QlLedger             *self,
                  const QlEventRecord  *record,
                  GError              **error)
{
  gint64 balance;
  gint64 version;

  g_return_val_if_fail (QL_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  balance = self->balance;
  version = self->version;
  if (!_ql_ledger_apply_quietly (self, record, error))
    return FALSE;
  _ql_ledger_notify_changes (self, balance, version);
  return TRUE;
}

/**
 * _ql_ledger_apply_quietly:
 * @self: a #QlLedger
 * @record: the ledger's next event, at version #QlLedger:version + 1
 * @error: return location for a #GError
 *
 * Applies an event as _ql_ledger_apply() does, but notifies nothing: a
 * replay applies many events and then calls _ql_ledger_notify_changes()
 * once.
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %QL_STORE_ERROR_CORRUPT
 */
gboolean
_ql_ledger_apply_quietly (QlLedger             *self,
                          const QlEventRecord  *record,
                          GError              **error)
{
  const QlChangeType *change;
  gint64 amount;

  g_assert (QL_IS_LEDGER (self));
  g_assert (record != NULL);

  if (record->version != self->version + 1 || g_strcmp0 (record->ledger, self->name) != 0)
    {
      _ql_event_record_set_corrupt_error (error, record, _("it is out of sequence"));
      return FALSE;
    }

  /* An amendment changes what is written on a change, never the balance. */
  if (g_strcmp0 (record->type, QL_EVENT_CHANGE_AMENDED) == 0)
    {
      gint64 amends;

      if (!_ql_event_record_read_amendment (record, &amends, error))
        return FALSE;
      self->version = record->version;
      return TRUE;
    }

  /* A threshold says when an item runs low; its quantity stays. */
  if (g_strcmp0 (record->type, QL_EVENT_THRESHOLD_SET) == 0)
    {
      gint64 threshold;

      if (self->kind != QL_LEDGER_KIND_ITEM)
        {
          _ql_event_record_set_corrupt_error (error, record,
                                              _("only an item has a threshold"));
          return FALSE;
        }
      if (!_ql_event_record_read_threshold (record, &threshold, error))
        return FALSE;
      self->version = record->version;
      return TRUE;
    }

  if (!_ql_event_record_read_change (record, &amount, NULL, error))
    return FALSE;

  /* Known to be found: reading the change checked the type. */
  change = _ql_change_type_find (record->type);
  g_assert (change != NULL);
  if (change->kind != self->kind)
    {
      g_autofree char *detail = g_strdup_printf (_("“%s” does not apply to this kind of ledger"),
                                                 record->type);

      _ql_event_record_set_corrupt_error (error, record, detail);
      return FALSE;
    }

  if (change->sign > 0 && self->balance > G_MAXINT64 - amount)
    {
      _ql_event_record_set_corrupt_error (error, record, _("the balance overflows"));
      return FALSE;
    }
  if (change->sign < 0 && amount > self->balance)
    {
      _ql_event_record_set_corrupt_error (error, record, _("the balance goes below zero"));
      return FALSE;
    }

  self->balance = change->sign > 0 ? self->balance + amount : self->balance - amount;
  self->version = record->version;
  return TRUE;
}

/**
 * _ql_ledger_notify_changes:
 * @self: a #QlLedger
 * @old_balance: the balance before a quiet replay
 * @old_version: the version before it
 *
 * Notifies #QlLedger:balance and #QlLedger:version for what changed since
 * the state the caller remembered.
 */
void
_ql_ledger_notify_changes (QlLedger *self,
                           gint64    old_balance,
                           gint64    old_version)
{
  g_return_if_fail (QL_IS_LEDGER (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->balance != old_balance)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BALANCE]);
  if (self->version != old_version)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
parse_amount (QlLedger    *self,
              const char  *text,
              gint64      *out_minor,
              GError     **error)
{
  if (self->kind == QL_LEDGER_KIND_ITEM)
    return ql_quantity_parse (text, FALSE, out_minor, error);
  return ql_amount_parse (text, self->decimals, out_minor, error);
}

static gboolean
check_kind (QlLedger          *self,
            const QlChangeType  *change,
            GError           **error)
{
  if (change->kind == self->kind)
    return TRUE;

  if (self->kind == QL_LEDGER_KIND_ACCOUNT)
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_WRONG_KIND,
                 _("“%s” is an account, not an inventory item"), self->name);
  else
    g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_WRONG_KIND,
                 _("“%s” is an inventory item, not an account"), self->name);
  return FALSE;
}

/* The texts are formatted only for a refusal: an import checks a million
 * changes that pass. */
static gboolean
check_change (QlLedger          *self,
              const QlChangeType  *change,
              gint64             amount,
              GError           **error)
{
  if (!check_kind (self, change, error))
    return FALSE;

  if (amount <= 0)
    {
      g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                           _("The amount must be greater than zero"));
      return FALSE;
    }

  if (change->sign > 0 && self->balance > G_MAXINT64 - amount)
    {
      g_autofree char *shown_amount = ql_ledger_format_amount (self, amount);

      if (self->kind == QL_LEDGER_KIND_ACCOUNT)
        g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                     _("Cannot deposit %s into “%s”: the balance would be too large"),
                     shown_amount, self->name);
      else
        g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT,
                     _("Cannot add %s to “%s”: the quantity would be too large"),
                     shown_amount, self->name);
      return FALSE;
    }

  if (change->sign < 0 && amount > self->balance)
    {
      g_autofree char *shown_amount = ql_ledger_format_amount (self, amount);
      g_autofree char *shown_balance = ql_ledger_format_balance (self);

      if (self->kind == QL_LEDGER_KIND_ACCOUNT)
        g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS,
                     _("Cannot withdraw %s from “%s”: the balance is only %s"),
                     shown_amount, self->name, shown_balance);
      else
        g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY,
                     _("Cannot remove %s from “%s”: the quantity is only %s"),
                     shown_amount, self->name, shown_balance);
      return FALSE;
    }

  return TRUE;
}

/**
 * _ql_ledger_check_kind:
 * @self: a #QlLedger
 * @type: the type of the event a command would append
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @type applies to this kind of ledger, else %FALSE with
 *   @error set to %QL_LEDGER_ERROR_WRONG_KIND
 */
gboolean
_ql_ledger_check_kind (QlLedger    *self,
                       const char  *type,
                       GError     **error)
{
  const QlChangeType *change = _ql_change_type_find (type);

  g_return_val_if_fail (QL_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  return check_kind (self, change, error);
}

/**
 * _ql_ledger_check_change:
 * @self: a #QlLedger
 * @type: the type of the event a command would append
 * @amount: the amount it would move, in minor units
 * @error: return location for a #GError
 *
 * Checks a command against the ledger's current state and rules before
 * anything is written.
 *
 * Returns: %TRUE if the change is allowed, else %FALSE with @error set to
 *   %QL_LEDGER_ERROR_WRONG_KIND, %QL_LEDGER_ERROR_INVALID_AMOUNT,
 *   %QL_LEDGER_ERROR_INSUFFICIENT_FUNDS or
 *   %QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY
 */
gboolean
_ql_ledger_check_change (QlLedger    *self,
                         const char  *type,
                         gint64       amount,
                         GError     **error)
{
  const QlChangeType *change = _ql_change_type_find (type);

  g_return_val_if_fail (QL_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  return check_change (self, change, amount, error);
}

/**
 * _ql_ledger_apply_command_quietly:
 * @self: a #QlLedger
 * @type: the type of the event a command would append
 * @text: the amount the command was given, as text
 * @out_amount: (out): where to store the amount, in minor units
 * @error: return location for a #GError
 *
 * Checks a change command as the book's commands do, the kind first, then
 * the amount with ql_ledger_parse_amount(), then the rules of
 * _ql_ledger_check_change(), and when it passes moves the state by it, one
 * version on, notifying nothing: an import checks each row against a copy
 * of its ledger this way.
 *
 * Returns: %TRUE if the change was applied, else %FALSE with @error set
 *   as those checks set it
 */
gboolean
_ql_ledger_apply_command_quietly (QlLedger    *self,
                                  const char  *type,
                                  const char  *text,
                                  gint64      *out_amount,
                                  GError     **error)
{
  const QlChangeType *change = _ql_change_type_find (type);

  g_return_val_if_fail (QL_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  if (!check_kind (self, change, error) ||
      !parse_amount (self, text, out_amount, error) ||
      !check_change (self, change, *out_amount, error))
    return FALSE;

  self->balance = change->sign > 0 ? self->balance + *out_amount : self->balance - *out_amount;
  self->version++;
  return TRUE;
}

/**
 * _ql_ledger_copy:
 * @self: a #QlLedger
 *
 * Returns: (transfer full): an independent ledger with the same state
 */
QlLedger *
_ql_ledger_copy (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), NULL);

  return create_ledger (self->name, self->kind, self->currency, self->decimals,
                        self->balance, self->version);
}

/**
 * _ql_ledger_to_snapshot:
 * @self: a #QlLedger
 *
 * Serialises the state for ql_event_store_save_snapshot(); the name and
 * version are kept by the store beside it.
 *
 * Returns: (transfer full): the state as a JSON object
 */
char *
_ql_ledger_to_snapshot (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), NULL);

  return _ql_ledger_format_snapshot (self->kind, self->currency, self->balance);
}

/**
 * _ql_ledger_format_snapshot:
 * @kind: the ledger's kind
 * @currency: (nullable): an account's canonical currency code
 * @balance: its balance or quantity
 *
 * Formats a state as _ql_ledger_to_snapshot() does, without a #QlLedger:
 * `{"kind":"account","currency":"USD","balance":150}` or
 * `{"kind":"item","balance":12}`. Currency codes are three capital
 * letters, so nothing needs escaping.
 *
 * Returns: (transfer full): the state as a JSON object
 */
char *
_ql_ledger_format_snapshot (QlLedgerKind  kind,
                            const char   *currency,
                            gint64        balance)
{
  if (kind == QL_LEDGER_KIND_ITEM)
    return g_strdup_printf ("{\"kind\":\"item\",\"balance\":%" G_GINT64_FORMAT "}", balance);
  if (currency == NULL)
    return g_strdup_printf ("{\"kind\":\"account\",\"currency\":null,\"balance\":%"
                            G_GINT64_FORMAT "}", balance);
  return g_strdup_printf ("{\"kind\":\"account\",\"currency\":\"%s\",\"balance\":%"
                          G_GINT64_FORMAT "}", currency, balance);
}

/**
 * _ql_ledger_new_with_state:
 * @name: the ledger's name
 * @kind: its kind
 * @currency: (nullable): an account's ISO 4217 code, or %NULL
 * @balance: its balance or quantity
 * @version: its version
 *
 * Returns: (transfer full): a ledger in that state, which the caller knows
 *   the store holds
 */
QlLedger *
_ql_ledger_new_with_state (const char   *name,
                           QlLedgerKind  kind,
                           const char   *currency,
                           gint64        balance,
                           gint64        version)
{
  guint decimals = 0;

  g_return_val_if_fail (name != NULL, NULL);

  if (currency != NULL)
    currency = ql_currency_canonicalize (currency, &decimals, NULL);
  return create_ledger (name, kind, currency, decimals, balance, version);
}

/**
 * _ql_ledger_set_state:
 * @self: a #QlLedger
 * @balance: the new balance
 * @version: the new version
 *
 * Moves the ledger to a state the caller knows the store holds, notifying
 * what changed.
 */
void
_ql_ledger_set_state (QlLedger *self,
                      gint64    balance,
                      gint64    version)
{
  gint64 old_balance;
  gint64 old_version;

  g_return_if_fail (QL_IS_LEDGER (self));

  old_balance = self->balance;
  old_version = self->version;
  self->balance = balance;
  self->version = version;
  _ql_ledger_notify_changes (self, old_balance, old_version);
}

/**
 * _ql_ledger_new_from_snapshot:
 * @name: the ledger's name
 * @version: the version the snapshot was taken at
 * @state: text made by _ql_ledger_to_snapshot()
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the ledger as it was at @version, or %NULL with
 *   @error set to %QL_STORE_ERROR_CORRUPT
 */
QlLedger *
_ql_ledger_new_from_snapshot (const char  *name,
                              gint64       version,
                              const char  *state,
                              GError     **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *kind;
  const char *currency = NULL;
  guint decimals = 0;
  gint64 balance;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (state != NULL, NULL);

  object = _ql_payload_parse_object (state, &local_error);
  if (object == NULL || version < 1)
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                   _("The saved state of ledger “%s” is damaged"), name);
      return NULL;
    }

  kind = json_object_get_string_member_with_default (object, "kind", "");
  if (!_ql_payload_get_int (object, "balance", &balance) || balance < 0 ||
      (g_strcmp0 (kind, "account") == 0 && !_ql_payload_get_currency (object, &currency, &decimals)))
    {
      g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
                   _("The saved state of ledger “%s” is damaged"), name);
      return NULL;
    }

  if (g_strcmp0 (kind, "account") == 0)
    return create_ledger (name, QL_LEDGER_KIND_ACCOUNT, currency, decimals, balance, version);
  if (g_strcmp0 (kind, "item") == 0)
    return create_ledger (name, QL_LEDGER_KIND_ITEM, NULL, 0, balance, version);

  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
               _("The saved state of ledger “%s” is damaged"), name);
  return NULL;
}

/* A key that sorts ledgers by name for the user's language, ignoring
 * case, compared with strcmp(). */
static const char *
get_sort_key (QlLedger *self)
{
  if (self->sort_key == NULL)
    {
      g_autofree char *folded = g_utf8_casefold (self->name, -1);

      self->sort_key = g_utf8_collate_key (folded, -1);
    }
  return self->sort_key;
}

/**
 * _ql_ledger_compare:
 * @a: a #QlLedger
 * @b: another #QlLedger
 * @user_data: unused
 *
 * The order views list ledgers in: by name for the user's language,
 * ignoring case; names that only differ in case or form by their bytes.
 *
 * Returns: less than, equal to or greater than 0 as @a sorts before, with
 *   or after @b
 */
int
_ql_ledger_compare (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  QlLedger *ledger_a = (QlLedger *) a;
  QlLedger *ledger_b = (QlLedger *) b;
  int result = strcmp (get_sort_key (ledger_a), get_sort_key (ledger_b));

  if (result != 0)
    return result;
  return strcmp (ledger_a->name, ledger_b->name);
}

/**
 * ql_ledger_get_name:
 * @self: a #QlLedger
 *
 * Returns: (transfer none): the ledger's unique name
 */
const char *
ql_ledger_get_name (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), NULL);

  return self->name;
}

/**
 * ql_ledger_get_kind:
 * @self: a #QlLedger
 *
 * Returns: whether the ledger is an account or an inventory item
 */
QlLedgerKind
ql_ledger_get_kind (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), QL_LEDGER_KIND_ACCOUNT);

  return self->kind;
}

/**
 * ql_ledger_get_currency:
 * @self: a #QlLedger
 *
 * Returns: (transfer none) (nullable): the upper-case ISO 4217 code of an
 *   account, or %NULL for plain units and inventory items
 */
const char *
ql_ledger_get_currency (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), NULL);

  return self->currency;
}

/**
 * ql_ledger_get_decimals:
 * @self: a #QlLedger
 *
 * Returns: the number of decimal places of the ledger's amounts: the
 *   currency's minor unit, or 0 for plain units and inventory items
 */
guint
ql_ledger_get_decimals (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), 0);

  return self->decimals;
}

/**
 * ql_ledger_get_balance:
 * @self: a #QlLedger
 *
 * Returns: an account's balance in minor units, or an item's quantity;
 *   never negative
 */
gint64
ql_ledger_get_balance (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), 0);

  return self->balance;
}

/**
 * ql_ledger_get_version:
 * @self: a #QlLedger
 *
 * Returns: the version of the newest event in this state, from 1
 */
gint64
ql_ledger_get_version (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), 0);

  return self->version;
}

/**
 * ql_ledger_get_damaged_version:
 * @self: a #QlLedger
 *
 * Returns: the version of the first event that could not be applied, or
 *   0 when the ledger is sound; see #QlLedger:damaged-version
 */
gint64
ql_ledger_get_damaged_version (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), 0);

  return self->damaged_version;
}

/**
 * ql_ledger_get_damage:
 * @self: a #QlLedger
 *
 * Returns: (transfer none) (nullable): why the ledger is damaged, or %NULL
 *   when it is sound; see #QlLedger:damage
 */
const char *
ql_ledger_get_damage (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), NULL);

  return self->damage;
}

/**
 * ql_ledger_can_transfer_to:
 * @self: the ledger an amount would leave
 * @other: the ledger it would go to
 *
 * Whether a transfer can go from @self to @other at all: two different
 * ledgers that count the same thing, two accounts in one currency (or
 * both in plain units) or two items. Whether the amount is there is for
 * ql_ledger_book_transfer() to say.
 *
 * Returns: %TRUE when @other can take a transfer from @self
 */
gboolean
ql_ledger_can_transfer_to (QlLedger *self,
                           QlLedger *other)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (QL_IS_LEDGER (other), FALSE);

  return self != other && g_strcmp0 (self->name, other->name) != 0 &&
         self->kind == other->kind && g_strcmp0 (self->currency, other->currency) == 0;
}

/**
 * _ql_ledger_set_damage:
 * @self: a sound #QlLedger
 * @version: the version of the event that could not be applied
 * @reason: the error that says why
 *
 * Marks the ledger damaged from @version on; its state stays as it is.
 */
void
_ql_ledger_set_damage (QlLedger     *self,
                       gint64        version,
                       const GError *reason)
{
  g_return_if_fail (QL_IS_LEDGER (self));
  g_return_if_fail (version >= 1);
  g_return_if_fail (reason != NULL);
  g_return_if_fail (self->damaged_version == 0);

  self->damaged_version = version;
  self->damage = g_strdup (reason->message);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAMAGED_VERSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAMAGE]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * _ql_ledger_new_damaged:
 * @name: the ledger's name
 * @reason: why its first event could not be applied
 *
 * Returns: (transfer full): a ledger at version 0, damaged at version 1,
 *   for a ledger whose opening event is damaged
 */
QlLedger *
_ql_ledger_new_damaged (const char   *name,
                        const GError *reason)
{
  QlLedger *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (reason != NULL, NULL);

  self = create_ledger (name, QL_LEDGER_KIND_ACCOUNT, NULL, 0, 0, 0);
  self->damaged_version = 1;
  self->damage = g_strdup (reason->message);
  return self;
}

/**
 * _ql_ledger_check_sound:
 * @self: a #QlLedger
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the ledger can be changed, else %FALSE with @error
 *   set to %QL_STORE_ERROR_CORRUPT, naming the damage
 */
gboolean
_ql_ledger_check_sound (QlLedger  *self,
                        GError   **error)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), FALSE);

  if (self->damaged_version == 0)
    return TRUE;

  /* Translators: the ledger's name, then why it is damaged. */
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
               _("“%s” is read-only: %s"), self->name, self->damage);
  return FALSE;
}

/**
 * ql_ledger_format_amount:
 * @self: a #QlLedger
 * @minor: an amount in the ledger's minor units
 *
 * Formats an amount of this ledger: `150.00 USD` for an account in dollars,
 * `150` for an account in plain units, `12` for an item.
 *
 * Returns: (transfer full): the formatted amount
 */
char *
ql_ledger_format_amount (QlLedger *self,
                         gint64    minor)
{
  g_autofree char *number = NULL;

  g_return_val_if_fail (QL_IS_LEDGER (self), NULL);

  number = ql_amount_format (minor, self->decimals);
  if (self->currency == NULL)
    return g_steal_pointer (&number);
  return g_strdup_printf ("%s %s", number, self->currency);
}

/**
 * ql_ledger_format_balance:
 * @self: a #QlLedger
 *
 * Formats the balance as ql_ledger_format_amount() does.
 *
 * Returns: (transfer full): the formatted balance or quantity
 */
char *
ql_ledger_format_balance (QlLedger *self)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), NULL);

  return ql_ledger_format_amount (self, self->balance);
}

/**
 * ql_ledger_parse_amount:
 * @self: a #QlLedger
 * @text: an amount or quantity as the user typed it
 * @out_minor: (out): where to store it in the ledger's minor units
 * @error: return location for a #GError
 *
 * Parses a positive amount with the ledger's decimal places (see
 * ql_amount_parse()) for an account, or a positive whole quantity (see
 * ql_quantity_parse()) for an item.
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %QL_LEDGER_ERROR_INVALID_AMOUNT
 */
gboolean
ql_ledger_parse_amount (QlLedger    *self,
                        const char  *text,
                        gint64      *out_minor,
                        GError     **error)
{
  g_return_val_if_fail (QL_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_minor != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return parse_amount (self, text, out_minor, error);
}

/**
 * ql_ledger_normalize_name:
 * @name: a ledger name as the user typed it
 * @error: return location for a #GError
 *
 * Checks a ledger name and returns the form it is stored under: Unicode
 * NFC with surrounding white space removed. A name must have at most
 * %QL_TEXT_NAME_MAX_BYTES bytes as given (checked first, so a long text is
 * refused without being normalised), be valid UTF-8, hold no character
 * that ql_text_is_forbidden_char() refuses (control characters such as tabs
 * and line breaks, invisible format characters such as U+200B, unassigned
 * code points) and have from 1 to %QL_LEDGER_NAME_MAX_CHARS characters.
 *
 * Returns: (transfer full) (nullable): the stored form of the name, or
 *   %NULL with @error set to %QL_LEDGER_ERROR_INVALID_NAME
 */
char *
ql_ledger_normalize_name (const char  *name,
                          GError     **error)
{
  g_autofree char *normalized = NULL;
  const char *start;
  const char *end;
  glong n_chars;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ql_text_check (QL_TEXT_FIELD_NAME, name, -1, error))
    return NULL;

  /* Text in ASCII is in NFC already; every command names a ledger, and
   * most names are ASCII. */
  if (g_str_is_ascii (name))
    normalized = g_strdup (name);
  else
    normalized = g_utf8_normalize (name, -1, G_NORMALIZE_NFC);

  start = normalized;
  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  end = start + strlen (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  if (start == end)
    {
      g_set_error_literal (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME,
                           _("A ledger needs a name"));
      return NULL;
    }

  n_chars = g_utf8_strlen (start, end - start);
  if (n_chars > QL_LEDGER_NAME_MAX_CHARS)
    {
      g_set_error (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME,
                   ngettext ("A ledger name can have at most %d character",
                             "A ledger name can have at most %d characters",
                             QL_LEDGER_NAME_MAX_CHARS),
                   QL_LEDGER_NAME_MAX_CHARS);
      return NULL;
    }

  return g_strndup (start, end - start);
}
