/* ql-event.c: one immutable event read back from an event store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ql-event"

#include "config.h"

#include <json-glib/json-glib.h>

#include "ql-event-private.h"

/**
 * QlEvent:
 *
 * One stored event, kept beyond a store scan. Every property is read-only:
 * an event never changes once it is in the store, so neither does its copy.
 */
struct _QlEvent
{
  GObject parent_instance;

  gint64  position;
  char   *ledger;
  gint64  version;
  char   *event_type;
  gint64  timestamp;
  char   *payload;
  char   *reference;
  char   *damage;
};

G_DEFINE_FINAL_TYPE (QlEvent, ql_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_POSITION,
  PROP_LEDGER,
  PROP_VERSION,
  PROP_EVENT_TYPE,
  PROP_TIMESTAMP,
  PROP_PAYLOAD,
  PROP_REFERENCE,
  PROP_DAMAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ql_event_finalize (GObject *object)
{
  QlEvent *self = (QlEvent *)object;

  g_clear_pointer (&self->ledger, g_free);
  g_clear_pointer (&self->event_type, g_free);
  g_clear_pointer (&self->payload, g_free);
  g_clear_pointer (&self->reference, g_free);
  g_clear_pointer (&self->damage, g_free);

  G_OBJECT_CLASS (ql_event_parent_class)->finalize (object);
}

static void
ql_event_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  QlEvent *self = QL_EVENT (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_int64 (value, self->position);
      break;

    case PROP_LEDGER:
      g_value_set_string (value, self->ledger);
      break;

    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_EVENT_TYPE:
      g_value_set_string (value, self->event_type);
      break;

    case PROP_TIMESTAMP:
      g_value_set_int64 (value, self->timestamp);
      break;

    case PROP_PAYLOAD:
      g_value_set_string (value, self->payload);
      break;

    case PROP_REFERENCE:
      g_value_set_string (value, self->reference);
      break;

    case PROP_DAMAGE:
      g_value_set_string (value, self->damage);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ql_event_class_init (QlEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ql_event_finalize;
  object_class->get_property = ql_event_get_property;

  /**
   * QlEvent:position:
   *
   * The event's place in the notification log, from 1.
   */
  properties[PROP_POSITION] =
    g_param_spec_int64 ("position", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * QlEvent:ledger:
   *
   * The name of the ledger the event belongs to.
   */
  properties[PROP_LEDGER] =
    g_param_spec_string ("ledger", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * QlEvent:version:
   *
   * The version of its ledger this event created, from 1.
   */
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * QlEvent:event-type:
   *
   * The stable type name, such as `Deposited`.
   */
  properties[PROP_EVENT_TYPE] =
    g_param_spec_string ("event-type", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * QlEvent:timestamp:
   *
   * When the event was appended: UTC microseconds since the epoch.
   */
  properties[PROP_TIMESTAMP] =
    g_param_spec_int64 ("timestamp", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * QlEvent:payload:
   *
   * The event's JSON object, as text.
   */
  properties[PROP_PAYLOAD] =
    g_param_spec_string ("payload", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * QlEvent:reference:
   *
   * The key a command gave the event in its ledger, such as a payment's
   * order id, or %NULL when it has none. Stores find events by it with
   * ql_event_store_find_reference().
   */
  properties[PROP_REFERENCE] =
    g_param_spec_string ("reference", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * QlEvent:damage:
   *
   * Why the event could not be applied to its ledger, such as a payload
   * that does not parse or an event type this version does not know, or
   * %NULL for a sound event. Only events read with
   * ql_ledger_book_read_log() are marked.
   */
  properties[PROP_DAMAGE] =
    g_param_spec_string ("damage", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ql_event_init (QlEvent *self)
{
}

/**
 * ql_event_new_from_record:
 * @record: an event handed to a #QlEventFunc
 *
 * Copies a borrowed record into an event that can be kept.
 *
 * Returns: (transfer full): a new #QlEvent
 */
QlEvent *
ql_event_new_from_record (const QlEventRecord *record)
{
  QlEvent *self;

  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (record->ledger != NULL, NULL);
  g_return_val_if_fail (record->type != NULL, NULL);
  g_return_val_if_fail (record->payload != NULL, NULL);

  self = g_object_new (QL_TYPE_EVENT, NULL);
  self->position = record->position;
  self->ledger = g_strdup (record->ledger);
  self->version = record->version;
  self->event_type = g_strdup (record->type);
  self->timestamp = record->timestamp;
  self->payload = g_strdup (record->payload);
  self->reference = g_strdup (record->reference);

  return self;
}

/**
 * ql_event_get_position:
 * @self: a #QlEvent
 *
 * Returns: the event's position in the notification log, from 1
 */
gint64
ql_event_get_position (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), 0);

  return self->position;
}

/**
 * ql_event_get_ledger:
 * @self: a #QlEvent
 *
 * Returns: the name of the ledger the event belongs to
 */
const char *
ql_event_get_ledger (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), NULL);

  return self->ledger;
}

/**
 * ql_event_get_version:
 * @self: a #QlEvent
 *
 * Returns: the ledger version this event created, from 1
 */
gint64
ql_event_get_version (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), 0);

  return self->version;
}

/**
 * ql_event_get_event_type:
 * @self: a #QlEvent
 *
 * Returns: the stable event type name, such as `Deposited`
 */
const char *
ql_event_get_event_type (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), NULL);

  return self->event_type;
}

/**
 * ql_event_get_timestamp:
 * @self: a #QlEvent
 *
 * Returns: the time of the append, UTC microseconds since the epoch
 */
gint64
ql_event_get_timestamp (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), 0);

  return self->timestamp;
}

/**
 * ql_event_get_payload:
 * @self: a #QlEvent
 *
 * Returns: the event's JSON object, as text
 */
const char *
ql_event_get_payload (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), NULL);

  return self->payload;
}

/**
 * ql_event_get_reference:
 * @self: a #QlEvent
 *
 * Returns: (transfer none) (nullable): the key a command gave the event,
 *   such as a payment's order id, or %NULL; see #QlEvent:reference
 */
const char *
ql_event_get_reference (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), NULL);

  return self->reference;
}

/**
 * ql_event_get_damage:
 * @self: a #QlEvent
 *
 * Returns: (transfer none) (nullable): why the event could not be
 *   applied, or %NULL; see #QlEvent:damage
 */
const char *
ql_event_get_damage (QlEvent *self)
{
  g_return_val_if_fail (QL_IS_EVENT (self), NULL);

  return self->damage;
}

/**
 * _ql_event_set_damage:
 * @self: a #QlEvent not yet handed out
 * @damage: (nullable): why the event could not be applied
 *
 * Marks the event damaged; see #QlEvent:damage.
 */
void
_ql_event_set_damage (QlEvent    *self,
                      const char *damage)
{
  g_return_if_fail (QL_IS_EVENT (self));

  g_free (self->damage);
  self->damage = g_strdup (damage);
}

static char *
format_timestamp (gint64 timestamp)
{
  gint64 seconds = timestamp / G_USEC_PER_SEC;
  gint64 microseconds = timestamp % G_USEC_PER_SEC;
  g_autoptr(GDateTime) whole = NULL;
  g_autoptr(GDateTime) exact = NULL;

  /* Division rounds towards zero: before the epoch, borrow one second. */
  if (microseconds < 0)
    {
      microseconds += G_USEC_PER_SEC;
      seconds -= 1;
    }

  whole = g_date_time_new_from_unix_utc (seconds);
  if (whole == NULL)
    return g_strdup ("");

  exact = g_date_time_add (whole, microseconds);
  if (exact == NULL)
    return g_strdup ("");

  return g_date_time_format (exact, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/**
 * ql_event_to_json:
 * @self: a #QlEvent
 *
 * Formats the event as one compact line of JSON for the notification log,
 * such as `{"position":1,"ledger":"Laptop","version":1,"type":"ItemCreated",
 * "timestamp":"2024-03-18T08:05:10.583875Z","payload":{"quantity":10}}`.
 * The timestamp is ISO 8601 in UTC with microseconds, and the payload is
 * embedded as an object. A payload that is not valid JSON is embedded as a
 * string, so that the line stays valid JSON. A damaged event (see
 * #QlEvent:damage) has one more member, `"damaged"`, with the reason.
 *
 * Returns: (transfer full): the JSON text, without a trailing newline
 */
char *
ql_event_to_json (QlEvent *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *timestamp = NULL;
  JsonNode *payload_root = NULL;

  g_return_val_if_fail (QL_IS_EVENT (self), NULL);

  timestamp = format_timestamp (self->timestamp);

  parser = json_parser_new_immutable ();
  if (json_parser_load_from_data (parser, self->payload, -1, NULL))
    payload_root = json_parser_get_root (parser);

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "position");
  json_builder_add_int_value (builder, self->position);
  json_builder_set_member_name (builder, "ledger");
  json_builder_add_string_value (builder, self->ledger);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, self->version);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, self->event_type);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);
  json_builder_set_member_name (builder, "payload");
  if (payload_root != NULL)
    json_builder_add_value (builder, json_node_copy (payload_root));
  else
    json_builder_add_string_value (builder, self->payload);
  if (self->damage != NULL)
    {
      json_builder_set_member_name (builder, "damaged");
      json_builder_add_string_value (builder, self->damage);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/**
 * _ql_event_get_record:
 * @self: a #QlEvent
 * @record: (out caller-allocates): filled with a view of @self
 *
 * The strings in @record belong to @self and live as long as it does.
 */
void
_ql_event_get_record (QlEvent       *self,
                      QlEventRecord *record)
{
  g_return_if_fail (QL_IS_EVENT (self));

  *record = (QlEventRecord) {
    .position = self->position,
    .ledger = self->ledger,
    .version = self->version,
    .type = self->event_type,
    .timestamp = self->timestamp,
    .payload = self->payload,
    .reference = self->reference,
  };
}
