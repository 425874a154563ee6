/* ql-ledger-events.c: the events a ledger is made of: names, labels, payloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-ledger-events"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ql-amount.h"
#include "ql-dates.h"
#include "ql-flat-json-private.h"
#include "ql-ledger-events-private.h"

/* The one place that knows what each event type means and how its payload
 * is written: `AccountOpened` {"currency":…}, `ItemCreated`
 * {"name":…,"quantity":…}, and the changes {"amount":…} with an optional
 * "reverses" (the version an undo takes back), "reference" (the key of
 * a payment), "date" (the day it happened, YYYY-MM-DD), "payee" and
 * "memo", and for one leg of a transfer "transfer" (the id both legs
 * share) and "counterpart" (the other ledger). `ChangeAmended` {"amends":…} gives a change a new "date",
 * "payee" or "memo" without touching the change itself; an empty payee
 * or memo takes it away. `ThresholdSet` {"threshold":…} gives an item the
 * quantity below which it runs low, 0 for none. A change without a date
 * happened on the day it was recorded. Payloads are stored, so their bytes never change. */

static const QlChangeType change_types[] = {
  { QL_EVENT_DEPOSITED, QL_EVENT_WITHDRAWN, QL_LEDGER_KIND_ACCOUNT, +1 },
  { QL_EVENT_WITHDRAWN, QL_EVENT_DEPOSITED, QL_LEDGER_KIND_ACCOUNT, -1 },
  { QL_EVENT_QUANTITY_INCREASED, QL_EVENT_QUANTITY_DECREASED, QL_LEDGER_KIND_ITEM, +1 },
  { QL_EVENT_QUANTITY_DECREASED, QL_EVENT_QUANTITY_INCREASED, QL_LEDGER_KIND_ITEM, -1 },
};

/**
 * _ql_change_type_find:
 * @type: (nullable): an event type name
 *
 * Returns: (nullable): what a change of @type does, or %NULL when @type
 *   is an opening event or unknown
 */
const QlChangeType *
_ql_change_type_find (const char *type)
{
  /* The model passes the QL_EVENT_* strings themselves: an import looks
   * a type up for each of a million rows. */
  for (gsize i = 0; i < G_N_ELEMENTS (change_types); i++)
    {
      if (change_types[i].type == type)
        return &change_types[i];
    }
  for (gsize i = 0; i < G_N_ELEMENTS (change_types); i++)
    {
      if (g_strcmp0 (change_types[i].type, type) == 0)
        return &change_types[i];
    }
  return NULL;
}

/**
 * _ql_event_type_get_opposite:
 * @type: an event type name
 *
 * Returns: (nullable): the type of the event that reverses a @type event,
 *   such as `Withdrawn` for `Deposited`, or %NULL when @type cannot be
 *   reversed
 */
const char *
_ql_event_type_get_opposite (const char *type)
{
  const QlChangeType *change = _ql_change_type_find (type);

  return change != NULL ? change->opposite : NULL;
}

static gboolean
is_known_type (const char *type)
{
  return g_strcmp0 (type, QL_EVENT_ACCOUNT_OPENED) == 0 ||
         g_strcmp0 (type, QL_EVENT_ITEM_CREATED) == 0 ||
         g_strcmp0 (type, QL_EVENT_CHANGE_AMENDED) == 0 ||
         g_strcmp0 (type, QL_EVENT_THRESHOLD_SET) == 0 ||
         _ql_change_type_find (type) != NULL;
}

/**
 * _ql_event_record_set_corrupt_error:
 * @error: return location for a #GError
 * @record: the event that cannot be applied
 * @detail: why, a translated phrase
 *
 * Sets %QL_STORE_ERROR_CORRUPT naming the event and its ledger.
 */
void
_ql_event_record_set_corrupt_error (GError              **error,
                                    const QlEventRecord  *record,
                                    const char           *detail)
{
  g_set_error (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT,
               _("Event %" PRId64 " of ledger “%s” is damaged: %s"),
               record->version, record->ledger, detail);
}

static void
set_unknown_type_error (GError              **error,
                        const QlEventRecord  *record)
{
  g_autofree char *detail =
    g_strdup_printf (_("its type “%s” is unknown: it was written by a newer version"),
                     record->type);

  _ql_event_record_set_corrupt_error (error, record, detail);
}

/* Whether @text holds an integer literal beyond gint64, outside strings.
 * json-glib wraps such an integer around instead of refusing it, so that
 * -9223372036854775809 would read as G_MAXINT64. */
static gboolean
holds_huge_integer (const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; *p != '\0' && *p != '"'; p++)
            if (*p == '\\' && p[1] != '\0')
              p++;
          if (*p == '"')
            p++;
        }
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          guint64 limit = *p == '-' ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
          guint64 value = 0;
          gboolean overflow = FALSE;

          if (*p == '-')
            p++;
          for (; g_ascii_isdigit (*p); p++)
            {
              guint digit = *p - '0';

              if (value > (limit - digit) / 10)
                overflow = TRUE;
              else
                value = value * 10 + digit;
            }
          /* A fraction or an exponent makes a double, which is not wrapped. */
          if (overflow && *p != '.' && *p != 'e' && *p != 'E')
            return TRUE;
          while (*p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-' ||
                 g_ascii_isdigit (*p))
            p++;
        }
      else
        p++;
    }
  return FALSE;
}

/* Drops the integer members of @object, which json-glib may have wrapped:
 * each then reads as missing. */
static void
drop_integer_members (JsonObject *object)
{
  g_autoptr(GList) names = json_object_get_members (object);
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (g_free);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
        g_ptr_array_add (dropped, g_strdup (l->data));
    }
  for (guint i = 0; i < dropped->len; i++)
    json_object_remove_member (object, g_ptr_array_index (dropped, i));
}

/**
 * _ql_payload_parse_object:
 * @text: (nullable): a stored payload or snapshot
 * @error: return location for a #GError
 *
 * Parses @text with json-glib. A text that holds an integer beyond gint64
 * anywhere loses its integer members, so that no wrapped number is ever
 * read as a true one.
 *
 * Returns: (transfer full): the JSON object @text holds, or %NULL with
 *   @error set in the %JSON_PARSER_ERROR domain
 */
JsonObject *
_ql_payload_parse_object (const char  *text,
                          GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;

  if (text == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("no payload"));
      return NULL;
    }

  /* An empty text parses to no node and no error. */
  node = json_from_string (text, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("not an object"));
      return NULL;
    }

  object = json_object_ref (json_node_get_object (node));
  if (holds_huge_integer (text))
    drop_integer_members (object);
  return object;
}

/**
 * _ql_payload_get_int:
 * @object: a parsed payload
 * @member: the member's name
 * @out_value: (out): its value
 *
 * Integers only: a string, a fraction or a number with an exponent is
 * refused, and so is an integer beyond gint64 (see
 * _ql_payload_parse_object()).
 *
 * Returns: %TRUE when @member is an integer
 */
gboolean
_ql_payload_get_int (JsonObject *object,
                     const char *member,
                     gint64     *out_value)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out_value = json_node_get_int (node);
  return TRUE;
}

/**
 * _ql_payload_get_currency:
 * @object: a parsed payload or snapshot
 * @out_currency: (out) (transfer none) (nullable): the canonical code, or
 *   %NULL for plain units
 * @out_decimals: (out): the currency's minor unit, 0 for plain units
 *
 * A missing member and JSON null both mean "no currency".
 *
 * Returns: %TRUE unless the member is there and not a known ISO 4217 code
 */
gboolean
_ql_payload_get_currency (JsonObject  *object,
                          const char **out_currency,
                          guint       *out_decimals)
{
  JsonNode *node = json_object_get_member (object, "currency");
  const char *code;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out_currency = NULL;
      *out_decimals = 0;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  code = ql_currency_canonicalize (json_node_get_string (node), out_decimals, NULL);
  if (code == NULL)
    return FALSE;
  *out_currency = code;
  return TRUE;
}

/**
 * _ql_change_payload_append:
 * @out: where to write
 * @amount: the positive amount the change moves
 *
 * Appends the payload of a plain change, `{"amount":30}`, the same bytes
 * _ql_change_payload_write() gives, without parsing a format: an import
 * writes one for each of a million rows.
 */
void
_ql_change_payload_append (GString *out,
                           gint64   amount)
{
  char digits[24];
  guint64 magnitude = amount < 0 ? -(guint64) amount : (guint64) amount;
  guint n = 0;

  do
    {
      digits[n++] = '0' + magnitude % 10;
      magnitude /= 10;
    }
  while (magnitude > 0);

  g_string_append (out, "{\"amount\":");
  if (amount < 0)
    g_string_append_c (out, '-');
  while (n > 0)
    g_string_append_c (out, digits[--n]);
  g_string_append_c (out, '}');
}

/**
 * _ql_change_payload_write:
 * @amount: the positive amount the change moves
 * @reverses: the version an undo reverses, or 0
 * @reference: (nullable): a payment's reference, or %NULL
 *
 * The payload of a change: `{"amount":30}`, `{"amount":30,"reverses":4}`
 * or `{"amount":30,"reference":"order-1"}`. Every command writes one, so
 * the plain cases are printed; a reference is text, which json-glib
 * escapes.
 *
 * Returns: (transfer full): the payload
 */
char *
_ql_change_payload_write (gint64      amount,
                          gint64      reverses,
                          const char *reference)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (reference == NULL && reverses <= 0)
    return g_strdup_printf ("{\"amount\":%" G_GINT64_FORMAT "}", amount);
  if (reference == NULL)
    return g_strdup_printf ("{\"amount\":%" G_GINT64_FORMAT ",\"reverses\":%" G_GINT64_FORMAT "}",
                            amount, reverses);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_int_value (builder, amount);
  if (reverses > 0)
    {
      json_builder_set_member_name (builder, "reverses");
      json_builder_add_int_value (builder, reverses);
    }
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, reference);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
add_note_members (JsonBuilder *builder,
                  const GDate *date,
                  const char  *payee,
                  const char  *memo)
{
  if (date != NULL)
    {
      g_autofree char *text = ql_date_format (date);

      json_builder_set_member_name (builder, "date");
      json_builder_add_string_value (builder, text);
    }
  if (payee != NULL)
    {
      json_builder_set_member_name (builder, "payee");
      json_builder_add_string_value (builder, payee);
    }
  if (memo != NULL)
    {
      json_builder_set_member_name (builder, "memo");
      json_builder_add_string_value (builder, memo);
    }
}

/**
 * _ql_change_payload_write_noted:
 * @amount: the positive amount the change moves
 * @reverses: the version an undo reverses, or 0
 * @reference: (nullable): a payment's reference, or %NULL
 * @date: (nullable): the day the change happened, or %NULL
 * @payee: (nullable): who was paid or paid in, or %NULL
 * @memo: (nullable): a note, or %NULL
 *
 * The payload of a change with what people write on it, such as
 * `{"amount":30,"date":"2026-06-30","payee":"Bakery"}`; without any of
 * them, the bytes of _ql_change_payload_write().
 *
 * Returns: (transfer full): the payload
 */
char *
_ql_change_payload_write_noted (gint64       amount,
                                gint64       reverses,
                                const char  *reference,
                                const GDate *date,
                                const char  *payee,
                                const char  *memo)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (date == NULL && payee == NULL && memo == NULL)
    return _ql_change_payload_write (amount, reverses, reference);
  /* The common case of a command, printed as the plain ones are. */
  if (reverses <= 0 && reference == NULL && payee == NULL && memo == NULL)
    return g_strdup_printf ("{\"amount\":%" G_GINT64_FORMAT ",\"date\":\"%04u-%02u-%02u\"}",
                            amount, (guint) g_date_get_year (date),
                            (guint) g_date_get_month (date), (guint) g_date_get_day (date));

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_int_value (builder, amount);
  if (reverses > 0)
    {
      json_builder_set_member_name (builder, "reverses");
      json_builder_add_int_value (builder, reverses);
    }
  if (reference != NULL)
    {
      json_builder_set_member_name (builder, "reference");
      json_builder_add_string_value (builder, reference);
    }
  add_note_members (builder, date, payee, memo);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * _ql_transfer_leg_payload_write:
 * @amount: the positive amount the leg moves
 * @reverses: the version an undo of the leg reverses, or 0
 * @date: (nullable): the day the transfer happened; %NULL for an undo
 * @payee: (nullable): a payee, or %NULL
 * @memo: (nullable): a memo, or %NULL
 * @reference: (nullable): the order id a payment service's transfer
 *   carries on its first leg, or %NULL
 * @transfer: the id both legs share
 * @counterpart: the name of the other leg's ledger
 *
 * Returns: (transfer full): a change's payload with `"transfer"` and
 *   `"counterpart"`
 */
char *
_ql_transfer_leg_payload_write (gint64       amount,
                                gint64       reverses,
                                const GDate *date,
                                const char  *payee,
                                const char  *memo,
                                const char  *reference,
                                const char  *transfer,
                                const char  *counterpart)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_int_value (builder, amount);
  if (reverses > 0)
    {
      json_builder_set_member_name (builder, "reverses");
      json_builder_add_int_value (builder, reverses);
    }
  if (reference != NULL)
    {
      json_builder_set_member_name (builder, "reference");
      json_builder_add_string_value (builder, reference);
    }
  add_note_members (builder, date, payee, memo);
  json_builder_set_member_name (builder, "transfer");
  json_builder_add_string_value (builder, transfer);
  json_builder_set_member_name (builder, "counterpart");
  json_builder_add_string_value (builder, counterpart);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * _ql_amendment_payload_write:
 * @amends: the version of the change amended
 * @date: (nullable): its new date, or %NULL to keep it
 * @payee: (nullable): its new payee, empty to take it away, or %NULL to
 *   keep it
 * @memo: (nullable): its new memo, the same way
 *
 * Returns: (transfer full): `{"amends":3,"date":"2026-06-30"}` and so on
 */
char *
_ql_amendment_payload_write (gint64       amends,
                             const GDate *date,
                             const char  *payee,
                             const char  *memo)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "amends");
  json_builder_add_int_value (builder, amends);
  add_note_members (builder, date, payee, memo);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * _ql_account_opened_payload_write:
 * @currency: (nullable): a canonical ISO 4217 code, or %NULL for plain units
 *
 * Returns: (transfer full): `{"currency":"USD"}` or `{"currency":null}`
 */
char *
_ql_account_opened_payload_write (const char *currency)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "currency");
  if (currency != NULL)
    json_builder_add_string_value (builder, currency);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * _ql_item_created_payload_write:
 * @name: the item's name, as stored
 * @quantity: its opening quantity, zero or more
 *
 * Returns: (transfer full): `{"name":"Laptop","quantity":10}`
 */
char *
_ql_item_created_payload_write (const char *name,
                                gint64      quantity)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "quantity");
  json_builder_add_int_value (builder, quantity);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * _ql_threshold_payload_write:
 * @threshold: the quantity below which an item runs low, 0 for none
 *
 * Returns: (transfer full): `{"threshold":5}`
 */
char *
_ql_threshold_payload_write (gint64 threshold)
{
  return g_strdup_printf ("{\"threshold\":%" G_GINT64_FORMAT "}", threshold);
}

/* The members of a change's payload as they are, before any rule. */
typedef struct
{
  gboolean amount_ok;
  gint64   amount;
  gboolean has_reverses;
  gboolean reverses_ok;
  gint64   reverses;
} ChangeMembers;

/* The payloads this model writes take the fast path; anything else goes
 * through json-glib and gets the same answer. Fails only for a payload
 * that is not a JSON object. */
static gboolean
read_change_members (const char     *payload,
                     ChangeMembers  *members,
                     GError        **error)
{
  g_autoptr(JsonObject) object = NULL;
  QlFlatObject flat;

  *members = (ChangeMembers) { FALSE, 0, FALSE, FALSE, 0 };

  if (payload != NULL && _ql_flat_object_parse (payload, &flat))
    {
      const QlFlatMember *member = _ql_flat_object_get (&flat, "amount");

      members->amount_ok = member != NULL && member->kind == QL_FLAT_INTEGER;
      if (members->amount_ok)
        members->amount = member->integer;

      member = _ql_flat_object_get (&flat, "reverses");
      members->has_reverses = member != NULL;
      members->reverses_ok = members->has_reverses && member->kind == QL_FLAT_INTEGER;
      if (members->reverses_ok)
        members->reverses = member->integer;
      return TRUE;
    }

  object = _ql_payload_parse_object (payload, error);
  if (object == NULL)
    return FALSE;
  members->amount_ok = _ql_payload_get_int (object, "amount", &members->amount);
  members->has_reverses = json_object_has_member (object, "reverses");
  members->reverses_ok = members->has_reverses &&
                         _ql_payload_get_int (object, "reverses", &members->reverses);
  return TRUE;
}

/* The opening quantity of an `ItemCreated` payload, by the same two paths. */
static gboolean
read_quantity_member (const char     *payload,
                      gint64         *out_quantity,
                      GError        **error)
{
  g_autoptr(JsonObject) object = NULL;
  QlFlatObject flat;

  *out_quantity = -1;
  if (payload != NULL && _ql_flat_object_parse (payload, &flat))
    {
      const QlFlatMember *member = _ql_flat_object_get (&flat, "quantity");

      if (member != NULL && member->kind == QL_FLAT_INTEGER)
        *out_quantity = member->integer;
      return TRUE;
    }

  object = _ql_payload_parse_object (payload, error);
  if (object == NULL)
    return FALSE;
  if (!_ql_payload_get_int (object, "quantity", out_quantity))
    *out_quantity = -1;
  return TRUE;
}

/**
 * _ql_event_record_read_opening:
 * @record: a ledger's first event, `AccountOpened` or `ItemCreated`
 * @out_kind: (out): the kind of ledger it opens
 * @out_currency: (out) (transfer none) (nullable): an account's canonical
 *   currency code, or %NULL for plain units and items
 * @out_decimals: (out): the currency's minor unit, or 0
 * @out_quantity: (out): an item's opening quantity, or 0
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %QL_STORE_ERROR_CORRUPT
 */
gboolean
_ql_event_record_read_opening (const QlEventRecord  *record,
                               QlLedgerKind         *out_kind,
                               const char          **out_currency,
                               guint                *out_decimals,
                               gint64               *out_quantity,
                               GError              **error)
{
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (record != NULL, FALSE);

  *out_currency = NULL;
  *out_decimals = 0;
  *out_quantity = 0;

  payload = _ql_payload_parse_object (record->payload, &local_error);
  if (payload == NULL)
    {
      _ql_event_record_set_corrupt_error (error, record, local_error->message);
      return FALSE;
    }

  if (g_strcmp0 (record->type, QL_EVENT_ACCOUNT_OPENED) == 0)
    {
      if (!_ql_payload_get_currency (payload, out_currency, out_decimals))
        {
          _ql_event_record_set_corrupt_error (error, record,
                                              _("the currency is not a known ISO 4217 code"));
          return FALSE;
        }
      *out_kind = QL_LEDGER_KIND_ACCOUNT;
      return TRUE;
    }

  if (g_strcmp0 (record->type, QL_EVENT_ITEM_CREATED) == 0)
    {
      if (!_ql_payload_get_int (payload, "quantity", out_quantity) || *out_quantity < 0)
        {
          *out_quantity = 0;
          _ql_event_record_set_corrupt_error (error, record,
                                              _("the quantity is not a whole number of zero or more"));
          return FALSE;
        }
      *out_kind = QL_LEDGER_KIND_ITEM;
      return TRUE;
    }

  if (!is_known_type (record->type))
    {
      set_unknown_type_error (error, record);
      return FALSE;
    }

  {
    g_autofree char *detail = g_strdup_printf (_("“%s” cannot open a ledger"), record->type);

    _ql_event_record_set_corrupt_error (error, record, detail);
  }
  return FALSE;
}

/**
 * _ql_event_record_read_change:
 * @record: a `Deposited`, `Withdrawn`, `QuantityIncreased` or
 *   `QuantityDecreased` event
 * @out_amount: (out): the positive amount it moves
 * @out_reverses: (out) (optional): the version it reverses when it is an
 *   undo, else 0
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %QL_STORE_ERROR_CORRUPT
 */
gboolean
_ql_event_record_read_change (const QlEventRecord  *record,
                              gint64               *out_amount,
                              gint64               *out_reverses,
                              GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  ChangeMembers members;

  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (out_amount != NULL, FALSE);

  if (_ql_change_type_find (record->type) == NULL)
    {
      if (is_known_type (record->type))
        {
          g_autofree char *detail = g_strdup_printf (_("“%s” only opens a ledger"),
                                                     record->type);

          _ql_event_record_set_corrupt_error (error, record, detail);
        }
      else
        set_unknown_type_error (error, record);
      return FALSE;
    }

  if (!read_change_members (record->payload, &members, &local_error))
    {
      _ql_event_record_set_corrupt_error (error, record, local_error->message);
      return FALSE;
    }

  if (!members.amount_ok || members.amount <= 0)
    {
      _ql_event_record_set_corrupt_error (error, record,
                                          _("the amount is not a positive whole number"));
      return FALSE;
    }
  if (members.has_reverses &&
      (!members.reverses_ok || members.reverses < 2 || members.reverses >= record->version))
    {
      _ql_event_record_set_corrupt_error (error, record,
                                          _("it reverses an event that cannot be reversed"));
      return FALSE;
    }

  *out_amount = members.amount;
  if (out_reverses != NULL)
    *out_reverses = members.has_reverses ? members.reverses : 0;
  return TRUE;
}

/* A string member, or NULL when @member is missing or not a string. */
static const char *
get_string_member (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/**
 * _ql_event_record_read_amendment:
 * @record: a `ChangeAmended` event
 * @out_amends: (out): the version it amends
 * @error: return location for a #GError
 *
 * Checks what a ledger needs of an amendment: that it names an earlier
 * version and carries at least one of a date, a payee and a memo, each
 * readable. Whether that version is a change is for the command to know.
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %QL_STORE_ERROR_CORRUPT
 */
gboolean
_ql_event_record_read_amendment (const QlEventRecord  *record,
                                 gint64               *out_amends,
                                 GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) object = NULL;
  const char *date;
  GDate day;
  gboolean has_note;

  g_return_val_if_fail (record != NULL, FALSE);

  object = _ql_payload_parse_object (record->payload, &local_error);
  if (object == NULL)
    {
      _ql_event_record_set_corrupt_error (error, record, local_error->message);
      return FALSE;
    }
  if (!_ql_payload_get_int (object, "amends", out_amends) ||
      *out_amends < 2 || *out_amends >= record->version)
    {
      _ql_event_record_set_corrupt_error (error, record,
                                          _("it amends an event that cannot be amended"));
      return FALSE;
    }

  date = get_string_member (object, "date");
  has_note = date != NULL || get_string_member (object, "payee") != NULL ||
             get_string_member (object, "memo") != NULL;
  if (!has_note || (date != NULL && !ql_date_parse (date, &day, NULL)))
    {
      _ql_event_record_set_corrupt_error (error, record,
                                          _("it does not say what it changes"));
      return FALSE;
    }
  return TRUE;
}

/* The "threshold" of a `ThresholdSet` payload, or -1 when it has none
 * that can be read, by the fast path or through json-glib. */
static gint64
read_threshold_member (const char *payload)
{
  g_autoptr(JsonObject) object = NULL;
  QlFlatObject flat;
  gint64 threshold;

  if (payload != NULL && _ql_flat_object_parse (payload, &flat))
    {
      const QlFlatMember *member = _ql_flat_object_get (&flat, "threshold");

      return member != NULL && member->kind == QL_FLAT_INTEGER && member->integer >= 0
             ? member->integer : -1;
    }
  object = _ql_payload_parse_object (payload, NULL);
  if (object == NULL || !_ql_payload_get_int (object, "threshold", &threshold) || threshold < 0)
    return -1;
  return threshold;
}

/**
 * _ql_event_record_read_threshold:
 * @record: a `ThresholdSet` event
 * @out_threshold: (out): the item's new threshold, zero or more
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, %FALSE with @error set to
 *   %QL_STORE_ERROR_CORRUPT
 */
gboolean
_ql_event_record_read_threshold (const QlEventRecord  *record,
                                 gint64               *out_threshold,
                                 GError              **error)
{
  g_return_val_if_fail (record != NULL, FALSE);

  *out_threshold = read_threshold_member (record->payload);
  if (*out_threshold < 0)
    {
      *out_threshold = 0;
      _ql_event_record_set_corrupt_error (error, record,
                                          _("the threshold is not a whole number of zero or more"));
      return FALSE;
    }
  return TRUE;
}

/**
 * ql_event_get_threshold:
 * @event: a ledger's event
 *
 * Returns: the threshold a `ThresholdSet` event gives its item, or 0 for
 *   any other event
 */
gint64
ql_event_get_threshold (QlEvent *event)
{
  g_return_val_if_fail (QL_IS_EVENT (event), 0);

  if (g_strcmp0 (ql_event_get_event_type (event), QL_EVENT_THRESHOLD_SET) != 0)
    return 0;
  return MAX (read_threshold_member (ql_event_get_payload (event)), 0);
}

/* Stored names are identifiers; people read words, in English too. */
static const struct
{
  const char *type;
  const char *label;
} event_type_labels[] = {
  /* Translators: the kinds of event, shown in a ledger's history and in
   * the terminal's "events" and "undo" answers. */
  { QL_EVENT_ACCOUNT_OPENED, NC_("event type", "Account opened") },
  { QL_EVENT_DEPOSITED, NC_("event type", "Deposit") },
  { QL_EVENT_WITHDRAWN, NC_("event type", "Withdrawal") },
  { QL_EVENT_ITEM_CREATED, NC_("event type", "Item created") },
  { QL_EVENT_QUANTITY_INCREASED, NC_("event type", "Quantity increased") },
  { QL_EVENT_QUANTITY_DECREASED, NC_("event type", "Quantity decreased") },
  { QL_EVENT_CHANGE_AMENDED, NC_("event type", "Amendment") },
  { QL_EVENT_THRESHOLD_SET, NC_("event type", "Threshold set") },
};

/**
 * ql_event_type_get_label:
 * @type: an event type name, such as %QL_EVENT_DEPOSITED
 *
 * The name of an event type as a view shows it to a person, in the
 * user's language. Databases and the notification log keep @type
 * itself; a type this version does not know is returned as it is.
 *
 * Returns: (transfer none): the label
 */
const char *
ql_event_type_get_label (const char *type)
{
  g_return_val_if_fail (type != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (event_type_labels); i++)
    {
      if (g_str_equal (event_type_labels[i].type, type))
        return g_dpgettext2 (GETTEXT_PACKAGE, "event type", event_type_labels[i].label);
    }
  return type;
}

/**
 * ql_event_get_amount:
 * @event: a ledger's event
 *
 * What an event moves, always positive: the amount of `Deposited`,
 * `Withdrawn`, `QuantityIncreased` and `QuantityDecreased`, and the
 * opening quantity of `ItemCreated`. It is 0 for `AccountOpened`, for
 * types this version does not know and for payloads that do not hold a
 * valid amount.
 *
 * Returns: the amount in minor units, or the quantity
 */
gint64
ql_event_get_amount (QlEvent *event)
{
  const char *type;
  ChangeMembers members;
  gint64 quantity;

  g_return_val_if_fail (QL_IS_EVENT (event), 0);

  type = ql_event_get_event_type (event);
  if (g_strcmp0 (type, QL_EVENT_ITEM_CREATED) == 0)
    return read_quantity_member (ql_event_get_payload (event), &quantity, NULL) && quantity > 0
           ? quantity : 0;
  if (_ql_change_type_find (type) == NULL ||
      !read_change_members (ql_event_get_payload (event), &members, NULL) ||
      !members.amount_ok || members.amount <= 0)
    return 0;
  return members.amount;
}

/**
 * ql_event_get_signed_amount:
 * @event: a ledger's event
 *
 * How an event changed its ledger's balance: ql_event_get_amount() for
 * `Deposited`, `QuantityIncreased` and `ItemCreated`, its negative for
 * `Withdrawn` and `QuantityDecreased`, and 0 for `AccountOpened` and for
 * events this version does not know.
 *
 * Returns: the change in minor units
 */
gint64
ql_event_get_signed_amount (QlEvent *event)
{
  const QlChangeType *change;

  g_return_val_if_fail (QL_IS_EVENT (event), 0);

  change = _ql_change_type_find (ql_event_get_event_type (event));
  return change != NULL && change->sign < 0 ? -ql_event_get_amount (event)
                                            : ql_event_get_amount (event);
}

/**
 * ql_event_get_reverses:
 * @event: a ledger's event
 *
 * Which change an undo took back: the compensating event of
 * ql_ledger_book_undo() names the version it reverses.
 *
 * Returns: the version @event reverses, or 0 when it is not an undo (or
 *   its payload does not name a version that can be reversed)
 */
gint64
ql_event_get_reverses (QlEvent *event)
{
  ChangeMembers members;

  g_return_val_if_fail (QL_IS_EVENT (event), 0);

  if (_ql_change_type_find (ql_event_get_event_type (event)) == NULL ||
      !read_change_members (ql_event_get_payload (event), &members, NULL) ||
      !members.reverses_ok || members.reverses < 2 ||
      members.reverses >= ql_event_get_version (event))
    return 0;
  return members.reverses;
}

/* The payload of a change or an amendment, or NULL for other events. */
static JsonObject *
parse_noted_payload (QlEvent *event)
{
  const char *type = ql_event_get_event_type (event);

  if (_ql_change_type_find (type) == NULL && g_strcmp0 (type, QL_EVENT_CHANGE_AMENDED) != 0)
    return NULL;
  return _ql_payload_parse_object (ql_event_get_payload (event), NULL);
}

/**
 * ql_event_can_be_amended:
 * @event: a ledger's event
 *
 * Whether ql_ledger_book_amend() can correct @event: a deposit, a
 * withdrawal or a change of quantity (a transfer's leg included), but
 * not an opening, an undo or an amendment.
 *
 * Returns: %TRUE when @event is a change that can be amended
 */
gboolean
ql_event_can_be_amended (QlEvent *event)
{
  g_return_val_if_fail (QL_IS_EVENT (event), FALSE);

  return _ql_change_type_find (ql_event_get_event_type (event)) != NULL &&
         ql_event_get_reverses (event) == 0;
}

/**
 * ql_event_get_amends:
 * @event: a ledger's event
 *
 * Which change a `ChangeAmended` event gives a new date, payee or memo.
 *
 * Returns: the version @event amends, or 0 when it is not an amendment
 */
gint64
ql_event_get_amends (QlEvent *event)
{
  g_autoptr(JsonObject) object = NULL;
  gint64 amends;

  g_return_val_if_fail (QL_IS_EVENT (event), 0);

  if (g_strcmp0 (ql_event_get_event_type (event), QL_EVENT_CHANGE_AMENDED) != 0)
    return 0;
  object = parse_noted_payload (event);
  if (object == NULL || !_ql_payload_get_int (object, "amends", &amends) || amends < 2 ||
      amends >= ql_event_get_version (event))
    return 0;
  return amends;
}

/**
 * ql_event_get_date:
 * @event: a ledger's event
 * @out_date: (out caller-allocates): the day
 *
 * The date written on @event: the day a change happened, or the new date
 * an amendment gives. An event without one (an opening, an undo, an
 * event recorded before changes had dates) gets the day it was recorded,
 * in the user's time zone. An undo happens on the day of the change it
 * reverses; ql_event_notes_new() knows that.
 *
 * Returns: %TRUE when @event carries a date of its own
 */
gboolean
ql_event_get_date (QlEvent *event,
                   GDate   *out_date)
{
  g_autoptr(JsonObject) object = NULL;
  const char *text;

  g_return_val_if_fail (QL_IS_EVENT (event), FALSE);
  g_return_val_if_fail (out_date != NULL, FALSE);

  object = parse_noted_payload (event);
  text = object != NULL ? get_string_member (object, "date") : NULL;
  if (text != NULL && ql_date_parse (text, out_date, NULL))
    return TRUE;
  ql_date_set_from_timestamp (out_date, ql_event_get_timestamp (event));
  return FALSE;
}

static char *
dup_note_member (QlEvent    *event,
                 const char *member)
{
  g_autoptr(JsonObject) object = parse_noted_payload (event);

  return object != NULL ? g_strdup (get_string_member (object, member)) : NULL;
}

/**
 * ql_event_dup_payee:
 * @event: a ledger's event
 *
 * Returns: (transfer full) (nullable): the payee written on a change, or
 *   the new payee of an amendment (empty when it takes the payee away),
 *   or %NULL when @event carries none
 */
char *
ql_event_dup_payee (QlEvent *event)
{
  g_return_val_if_fail (QL_IS_EVENT (event), NULL);

  return dup_note_member (event, "payee");
}

/**
 * ql_event_dup_memo:
 * @event: a ledger's event
 *
 * Returns: (transfer full) (nullable): the memo written on a change, or
 *   the new memo of an amendment (empty when it takes the memo away), or
 *   %NULL when @event carries none
 */
char *
ql_event_dup_memo (QlEvent *event)
{
  g_return_val_if_fail (QL_IS_EVENT (event), NULL);

  return dup_note_member (event, "memo");
}

/**
 * ql_event_dup_transfer:
 * @event: a ledger's event
 *
 * Returns: (transfer full) (nullable): the id a leg of a transfer shares
 *   with the other leg (and with the undo of each), or %NULL when @event
 *   is not part of a transfer
 */
char *
ql_event_dup_transfer (QlEvent *event)
{
  g_return_val_if_fail (QL_IS_EVENT (event), NULL);

  return _ql_change_type_find (ql_event_get_event_type (event)) != NULL
         ? dup_note_member (event, "transfer") : NULL;
}

/**
 * ql_event_dup_counterpart:
 * @event: a ledger's event
 *
 * Returns: (transfer full) (nullable): the ledger of the other leg of the
 *   transfer @event is part of, or %NULL
 */
char *
ql_event_dup_counterpart (QlEvent *event)
{
  g_return_val_if_fail (QL_IS_EVENT (event), NULL);

  return _ql_change_type_find (ql_event_get_event_type (event)) != NULL
         ? dup_note_member (event, "counterpart") : NULL;
}
