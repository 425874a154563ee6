/* ql-event.h: one immutable event read back from an event store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * QlEventRecord:
 * @position: global position in the notification log, from 1
 * @ledger: name of the ledger the event belongs to
 * @version: version of the ledger this event created, from 1
 * @type: stable event type name, such as `Deposited`
 * @timestamp: UTC time of the append, in microseconds since the epoch
 * @payload: the event's JSON object, as text
 * @reference: (nullable): the key a command gave the event, such as a
 *   payment's order id, or %NULL when it has none
 *
 * A borrowed view of one stored event, handed to a #QlEventFunc while a
 * store scans. Nothing in it outlives the call: copy what must be kept,
 * or make a #QlEvent with ql_event_new_from_record().
 */
typedef struct
{
  gint64      position;
  const char *ledger;
  gint64      version;
  const char *type;
  gint64      timestamp;
  const char *payload;
  const char *reference;
} QlEventRecord;

/**
 * QlEventFunc:
 * @record: the event, valid for this call only
 * @user_data: data given to the scan
 *
 * Called once per event, in order, by a store scan.
 *
 * Returns: %TRUE to go on, %FALSE to stop the scan early
 */
typedef gboolean (*QlEventFunc) (const QlEventRecord *record,
                                 gpointer             user_data);

/**
 * QlNewEvent:
 * @type: stable event type name
 * @payload: JSON object text
 * @reference: (nullable): a key that names the event in its ledger, such
 *   as a payment's order id, for ql_event_store_find_reference(); %NULL
 *   for none. Stores keep it beside the payload and never read it from
 *   the payload.
 *
 * An event about to be appended; the store gives it position, version and
 * timestamp.
 */
typedef struct
{
  const char *type;
  const char *payload;
  const char *reference;
} QlNewEvent;

#define QL_TYPE_EVENT (ql_event_get_type ())
G_DECLARE_FINAL_TYPE (QlEvent, ql_event, QL, EVENT, GObject)

QlEvent    *ql_event_new_from_record (const QlEventRecord *record);
gint64      ql_event_get_position    (QlEvent             *self);
const char *ql_event_get_ledger      (QlEvent             *self);
gint64      ql_event_get_version     (QlEvent             *self);
const char *ql_event_get_event_type  (QlEvent             *self);
gint64      ql_event_get_timestamp   (QlEvent             *self);
const char *ql_event_get_payload     (QlEvent             *self);
const char *ql_event_get_reference   (QlEvent             *self);
const char *ql_event_get_damage      (QlEvent             *self);
char       *ql_event_to_json         (QlEvent             *self);

G_END_DECLS
