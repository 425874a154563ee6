/* test-event-store.c: QlEvent and the event stores: memory, SQLite and
 * PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-event-store"

#include "config.h"

#include <check.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ql-event-store.h"
#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-postgres-event-store.h"
#include "ql-read-model-store.h"
#include "ql-sqlite-event-store.h"
#include "ql-sqlite-schema.h"
#include "ql-store.h"
#include "ql-store-private.h"
#include "ql-test-files.h"
#include "ql-test-model.h"
#include "ql-test-postgres.h"

/* Every behaviour of the store contract runs once per kind of store. */
typedef enum
{
  STORE_MEMORY,
  STORE_SQLITE,
  STORE_POSTGRES,
  N_STORE_KINDS
} StoreKind;


#define assert_no_error(e) \
  ck_assert_msg ((e) == NULL, "unexpected error: %s", (e) != NULL ? (e)->message : "")

#define assert_store_error(e, code) \
  ck_assert_msg (g_error_matches ((e), QL_STORE_ERROR, (code)), \
                 "expected store error %d, got %s", (code), \
                 (e) != NULL ? (e)->message : "no error")

/* A test's folder names its store: the same folder opens the same one
 * again, a file in it or a database of the test cluster's. */
static QlEventStore *
open_store (StoreKind   kind,
            const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  QlEventStore *store;

  if (kind == STORE_MEMORY)
    location = g_strdup (":memory:");
  else if (kind == STORE_SQLITE)
    location = g_build_filename (dir, "ledger.db", NULL);
  else
    location = ql_test_postgres_database (dir);

  store = ql_store_open (location, &error);
  assert_no_error (error);
  ck_assert_ptr_nonnull (store);
  if (kind == STORE_MEMORY)
    ck_assert (QL_IS_MEMORY_EVENT_STORE (store));
  else if (kind == STORE_SQLITE)
    ck_assert (QL_IS_SQLITE_EVENT_STORE (store));
  else
    ck_assert (QL_IS_POSTGRES_EVENT_STORE (store));

  return store;
}

static gboolean
append_one (QlEventStore  *store,
            const char    *ledger,
            gint64         expected_version,
            const char    *type,
            const char    *payload,
            GError       **error)
{
  QlNewEvent event = { type, payload };

  return ql_event_store_append (store, ledger, expected_version, &event, 1, NULL, error);
}

/* Appends a payment as the ledger book does: the reference in the
 * event's field, and in its payload too. */
static gboolean
append_paid (QlEventStore  *store,
             const char    *ledger,
             gint64         expected_version,
             const char    *type,
             gint64         amount,
             const char    *reference,
             GError       **error)
{
  g_autofree char *payload = g_strdup_printf ("{\"amount\":%" G_GINT64_FORMAT
                                              ",\"reference\":\"%s\"}", amount, reference);
  QlNewEvent event = { type, payload, reference };

  return ql_event_store_append (store, ledger, expected_version, &event, 1, NULL, error);
}

static gboolean
collect_cb (const QlEventRecord *record,
            gpointer             user_data)
{
  g_ptr_array_add (user_data, ql_event_new_from_record (record));
  return TRUE;
}

static GPtrArray *
read_ledger (QlEventStore *store,
             const char   *ledger,
             gint64        after_version,
             gint64        up_to_version)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func (g_object_unref);

  ck_assert (ql_event_store_read_ledger (store, ledger, after_version, up_to_version,
                                         collect_cb, events, &error));
  assert_no_error (error);

  return events;
}

static GPtrArray *
read_log (QlEventStore *store,
          gint64        start,
          gint64        limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func (g_object_unref);

  ck_assert (ql_event_store_read_log (store, start, limit, collect_cb, events, &error));
  assert_no_error (error);

  return events;
}

static QlEvent *
event_at (GPtrArray *events,
          guint      index)
{
  ck_assert_uint_lt (index, events->len);
  return g_ptr_array_index (events, index);
}

static void
assert_heads (QlEventStore *store,
              const char   *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) heads = ql_event_store_list_ledgers (store, &error);
  g_autoptr(GString) text = g_string_new (NULL);

  assert_no_error (error);
  ck_assert_ptr_nonnull (heads);

  for (guint i = 0; i < heads->len; i++)
    {
      QlLedgerHead *head = g_ptr_array_index (heads, i);

      g_string_append_printf (text, "%s%s=%" G_GINT64_FORMAT,
                              i > 0 ? "," : "", head->ledger, head->version);
    }

  ck_assert_str_eq (text->str, expected);
}

/* Versions, positions and types of @events, as "v1@p1:Type,...". */
static char *
describe (GPtrArray *events)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      QlEvent *event = g_ptr_array_index (events, i);

      g_string_append_printf (text, "%s%s/v%" G_GINT64_FORMAT "@p%" G_GINT64_FORMAT ":%s",
                              i > 0 ? "," : "", ql_event_get_ledger (event),
                              ql_event_get_version (event), ql_event_get_position (event),
                              ql_event_get_event_type (event));
    }

  return g_string_free (text, FALSE);
}

static int
raw_exec (const char  *path,
          const char  *sql,
          char       **out_message)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  int rc;

  ck_assert_int_eq (sqlite3_open (path, &db), SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  sqlite3_close (db);

  if (out_message != NULL)
    *out_message = g_strdup (message);
  sqlite3_free (message);

  return rc;
}

static guint
file_mode (const char *path)
{
  GStatBuf buf;

  ck_assert_msg (g_stat (path, &buf) == 0, "cannot stat %s", path);
  return buf.st_mode & 0777;
}

/* ---- QlEvent ---------------------------------------------------------- */

START_TEST (test_event_properties)
{
  QlEventRecord record = { 7, "Laptop", 3, "QuantityIncreased", 1710749110583875,
                           "{\"quantity\":5}" };
  g_autoptr(QlEvent) event = ql_event_new_from_record (&record);
  g_autofree char *ledger = NULL;
  g_autofree char *type = NULL;
  g_autofree char *payload = NULL;
  gint64 position = 0, version = 0, timestamp = 0;

  ck_assert_int_eq (ql_event_get_position (event), 7);
  ck_assert_str_eq (ql_event_get_ledger (event), "Laptop");
  ck_assert_int_eq (ql_event_get_version (event), 3);
  ck_assert_str_eq (ql_event_get_event_type (event), "QuantityIncreased");
  ck_assert_int_eq (ql_event_get_timestamp (event), 1710749110583875);
  ck_assert_str_eq (ql_event_get_payload (event), "{\"quantity\":5}");

  g_object_get (event,
                "position", &position, "ledger", &ledger, "version", &version,
                "event-type", &type, "timestamp", &timestamp, "payload", &payload,
                NULL);
  ck_assert_int_eq (position, 7);
  ck_assert_str_eq (ledger, "Laptop");
  ck_assert_int_eq (version, 3);
  ck_assert_str_eq (type, "QuantityIncreased");
  ck_assert_int_eq (timestamp, 1710749110583875);
  ck_assert_str_eq (payload, "{\"quantity\":5}");

  /* Read-only: the properties cannot be set at all. */
  ck_assert (!(g_object_class_find_property (G_OBJECT_GET_CLASS (event), "version")->flags
               & G_PARAM_WRITABLE));
}
END_TEST

START_TEST (test_event_copies_record)
{
  char ledger[] = "Laptop";
  char payload[] = "{\"quantity\":10}";
  QlEventRecord record = { 1, ledger, 1, "ItemCreated", 0, payload };
  g_autoptr(QlEvent) event = ql_event_new_from_record (&record);

  ledger[0] = 'X';
  payload[2] = 'X';
  ck_assert_str_eq (ql_event_get_ledger (event), "Laptop");
  ck_assert_str_eq (ql_event_get_payload (event), "{\"quantity\":10}");
}
END_TEST

START_TEST (test_event_to_json)
{
  QlEventRecord record = { 1, "Laptop", 1, "ItemCreated", 1710749110583875,
                           "{ \"quantity\" : 10, \"note\" : \"a \\\"b\\\" ü\" }" };
  g_autoptr(QlEvent) event = ql_event_new_from_record (&record);
  g_autofree char *json = ql_event_to_json (event);

  ck_assert_str_eq (json,
                    "{\"position\":1,\"ledger\":\"Laptop\",\"version\":1,"
                    "\"type\":\"ItemCreated\",\"timestamp\":\"2024-03-18T08:05:10.583875Z\","
                    "\"payload\":{\"quantity\":10,\"note\":\"a \\\"b\\\" ü\"}}");
}
END_TEST

START_TEST (test_event_to_json_timestamps)
{
  QlEventRecord whole = { 2, "Cash", 1, "AccountOpened", 1710720000000000, "{}" };
  QlEventRecord before_epoch = { 3, "Cash", 2, "Deposited", -1, "{}" };
  g_autoptr(QlEvent) whole_event = ql_event_new_from_record (&whole);
  g_autoptr(QlEvent) before_event = ql_event_new_from_record (&before_epoch);
  g_autofree char *whole_json = ql_event_to_json (whole_event);
  g_autofree char *before_json = ql_event_to_json (before_event);

  ck_assert_ptr_nonnull (strstr (whole_json, "\"timestamp\":\"2024-03-18T00:00:00.000000Z\""));
  ck_assert_ptr_nonnull (strstr (before_json, "\"timestamp\":\"1969-12-31T23:59:59.999999Z\""));
}
END_TEST

START_TEST (test_event_to_json_bad_payload)
{
  QlEventRecord record = { 4, "Cash", 1, "Deposited", 0, "not json {" };
  g_autoptr(QlEvent) event = ql_event_new_from_record (&record);
  g_autofree char *json = ql_event_to_json (event);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  /* Still one valid JSON line, with the text kept as a string. */
  ck_assert (json_parser_load_from_data (parser, json, -1, &error));
  assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (object, "payload"), "not json {");
  ck_assert_ptr_null (strchr (json, '\n'));
}
END_TEST

/* ---- The store contract, for every kind of store ---------------------- */

START_TEST (test_append_and_read_in_order)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *text = NULL;
  const QlNewEvent batch[] = {
    { "ItemCreated", "{\"quantity\":10}" },
    { "QuantityIncreased", "{\"quantity\":5}" },
    { "QuantityDecreased", "{\"quantity\":3}" },
  };
  gint64 before, after;

  ck_assert_int_eq (ql_test_head_position (store), 0);

  before = g_get_real_time ();
  ck_assert (ql_event_store_append (store, "Laptop", 0, batch, G_N_ELEMENTS (batch), NULL,
                                    &error));
  assert_no_error (error);
  ck_assert (append_one (store, "Laptop", 3, "QuantityIncreased", "{\"quantity\":1}", &error));
  assert_no_error (error);
  after = g_get_real_time ();

  events = read_ledger (store, "Laptop", 0, 0);
  text = describe (events);
  ck_assert_str_eq (text, "Laptop/v1@p1:ItemCreated,Laptop/v2@p2:QuantityIncreased,"
                          "Laptop/v3@p3:QuantityDecreased,Laptop/v4@p4:QuantityIncreased");
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 0)), "{\"quantity\":10}");
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 3)), "{\"quantity\":1}");

  for (guint i = 0; i < events->len; i++)
    {
      gint64 timestamp = ql_event_get_timestamp (event_at (events, i));

      ck_assert_int_ge (timestamp, before);
      ck_assert_int_le (timestamp, after);
    }

  ck_assert_int_eq (ql_test_head_position (store), 4);
  assert_heads (store, "Laptop=4");
}
END_TEST

START_TEST (test_versions_per_ledger_positions_global)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GPtrArray) cash = NULL;
  g_autofree char *log_text = NULL;
  g_autofree char *cash_text = NULL;

  ck_assert (append_one (store, "Laptop", 0, "ItemCreated", "{}", &error));
  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  ck_assert (append_one (store, "Laptop", 1, "QuantityIncreased", "{}", &error));
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{}", &error));
  ck_assert (append_one (store, "Laptop", 2, "QuantityDecreased", "{}", &error));
  assert_no_error (error);

  log = read_log (store, 1, 0);
  log_text = describe (log);
  ck_assert_str_eq (log_text, "Laptop/v1@p1:ItemCreated,Cash/v1@p2:AccountOpened,"
                              "Laptop/v2@p3:QuantityIncreased,Cash/v2@p4:Deposited,"
                              "Laptop/v3@p5:QuantityDecreased");

  cash = read_ledger (store, "Cash", 0, 0);
  cash_text = describe (cash);
  ck_assert_str_eq (cash_text, "Cash/v1@p2:AccountOpened,Cash/v2@p4:Deposited");

  ck_assert_int_eq (ql_test_head_position (store), 5);
}
END_TEST

START_TEST (test_conflict_writes_nothing)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *text = NULL;
  const QlNewEvent batch[] = {
    { "Deposited", "{\"amount\":100}" },
    { "Deposited", "{\"amount\":200}" },
  };

  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  assert_no_error (error);

  /* Stale: someone else made version 1 already. */
  ck_assert (!ql_event_store_append (store, "Cash", 0, batch, G_N_ELEMENTS (batch), NULL,
                                     &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  ck_assert_ptr_nonnull (strstr (error->message, "Cash"));
  g_clear_error (&error);

  /* From the future. */
  ck_assert (!append_one (store, "Cash", 5, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* A ledger that does not exist yet expects version 0. */
  ck_assert (!append_one (store, "Nobody", 1, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  ck_assert_int_eq (ql_test_head_position (store), 1);
  assert_heads (store, "Cash=1");
  events = read_log (store, 1, 0);
  ck_assert_uint_eq (events->len, 1);

  /* The store is still usable after a refused append. */
  ck_assert (ql_event_store_append (store, "Cash", 1, batch, G_N_ELEMENTS (batch), NULL,
                                    &error));
  assert_no_error (error);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = read_ledger (store, "Cash", 0, 0);
  text = describe (events);
  ck_assert_str_eq (text, "Cash/v1@p1:AccountOpened,Cash/v2@p2:Deposited,Cash/v3@p3:Deposited");

  /* One stale event, which the store checks in a single statement. */
  ck_assert (!append_one (store, "Cash", 2, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  assert_heads (store, "Cash=3");
}
END_TEST

static GLogWriterOutput
count_criticals_cb (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  guint *n_criticals = user_data;

  if (log_level & G_LOG_LEVEL_CRITICAL)
    (*n_criticals)++;

  return G_LOG_WRITER_HANDLED;
}

START_TEST (test_append_nothing_is_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  QlNewEvent event = { "Deposited", "{}" };
  guint n_criticals = 0;

  /* Appending no events is a programming error, reported and refused.
   * This runs in its own process, so the writer stays local to it. */
  g_log_set_writer_func (count_criticals_cb, &n_criticals, NULL);
  ck_assert (!ql_event_store_append (store, "Cash", 0, &event, 0, NULL, NULL));
  ck_assert_uint_eq (n_criticals, 1);
  ck_assert_int_eq (ql_test_head_position (store), 0);
  assert_heads (store, "");
}
END_TEST

START_TEST (test_read_ledger_ranges)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) middle = NULL;
  g_autoptr(GPtrArray) tail = NULL;
  g_autoptr(GPtrArray) head = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) unknown = NULL;
  g_autofree char *middle_text = NULL;
  g_autofree char *tail_text = NULL;
  g_autofree char *head_text = NULL;

  for (gint64 v = 0; v < 5; v++)
    ck_assert (append_one (store, "Cash", v, v == 0 ? "AccountOpened" : "Deposited", "{}",
                           &error));
  assert_no_error (error);

  middle = read_ledger (store, "Cash", 1, 3);
  middle_text = describe (middle);
  ck_assert_str_eq (middle_text, "Cash/v2@p2:Deposited,Cash/v3@p3:Deposited");

  tail = read_ledger (store, "Cash", 3, 0);
  tail_text = describe (tail);
  ck_assert_str_eq (tail_text, "Cash/v4@p4:Deposited,Cash/v5@p5:Deposited");

  head = read_ledger (store, "Cash", 0, 1);
  head_text = describe (head);
  ck_assert_str_eq (head_text, "Cash/v1@p1:AccountOpened");

  none = read_ledger (store, "Cash", 5, 0);
  ck_assert_uint_eq (none->len, 0);

  unknown = read_ledger (store, "Unknown", 0, 0);
  ck_assert_uint_eq (unknown->len, 0);
}
END_TEST

START_TEST (test_read_log_paging)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) beyond = NULL;
  g_autoptr(GPtrArray) one = NULL;
  gint64 start = 1;
  guint n_pages = 0;
  guint n_seen = 0;

  for (gint64 v = 0; v < 7; v++)
    ck_assert (append_one (store, v % 2 ? "Cash" : "Laptop", v / 2, "Changed", "{}", &error));
  assert_no_error (error);

  /* Pages of three: 3, 3, 1, then an empty one. */
  for (;;)
    {
      g_autoptr(GPtrArray) page = read_log (store, start, 3);

      if (page->len == 0)
        break;

      ck_assert_uint_le (page->len, 3);
      for (guint i = 0; i < page->len; i++)
        ck_assert_int_eq (ql_event_get_position (event_at (page, i)), start + i);

      n_seen += page->len;
      n_pages++;
      start = ql_event_get_position (event_at (page, page->len - 1)) + 1;
    }
  ck_assert_uint_eq (n_pages, 3);
  ck_assert_uint_eq (n_seen, 7);

  all = read_log (store, 1, 0);
  ck_assert_uint_eq (all->len, 7);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = read_log (store, 1, -1);
  ck_assert_uint_eq (all->len, 7);

  one = read_log (store, 5, 1);
  ck_assert_uint_eq (one->len, 1);
  ck_assert_int_eq (ql_event_get_position (event_at (one, 0)), 5);
  ck_assert_str_eq (ql_event_get_ledger (event_at (one, 0)), "Laptop");
  ck_assert_int_eq (ql_event_get_version (event_at (one, 0)), 3);

  beyond = read_log (store, 100, 10);
  ck_assert_uint_eq (beyond->len, 0);
}
END_TEST

START_TEST (test_list_ledgers)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  const char *names[] = { "Zeta", "alpha", "Beta", "Ünïcode 名", " spaced " };

  assert_heads (store, "");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (guint v = 0; v <= i; v++)
      ck_assert (append_one (store, names[i], v, "Changed", "{}", &error));
  assert_no_error (error);

  /* Names are kept exactly as given, and sorted in byte order. */
  assert_heads (store, " spaced =5,Beta=3,Zeta=1,alpha=2,Ünïcode 名=4");
}
END_TEST

START_TEST (test_find_reference)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  gint64 version = -1;

  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{\"currency\":\"USD\"}", &error));
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{\"amount\":100}", &error));
  ck_assert (append_paid (store, "Cash", 2, "Withdrawn", 5, "order-1", &error));
  ck_assert (append_paid (store, "Cash", 3, "Withdrawn", 6, "order-2", &error));
  ck_assert (append_one (store, "Other", 0, "AccountOpened", "{\"currency\":null}", &error));
  ck_assert (append_paid (store, "Other", 1, "Deposited", 9, "order-3", &error));
  /* Only the field counts: a payload's member is never read, and a
   * payload that is not JSON never stops the search. */
  ck_assert (append_one (store, "Cash", 4, "Deposited",
                         "{\"amount\":1,\"reference\":\"order-3\"}", &error));
  ck_assert (append_one (store, "Cash", 5, "Deposited", "reference order-3", &error));
  assert_no_error (error);

  ck_assert (ql_event_store_find_reference (store, "Cash", "order-2", &version, &error));
  ck_assert_int_eq (version, 4);
  ck_assert (ql_event_store_find_reference (store, "Cash", "order-1", &version, &error));
  ck_assert_int_eq (version, 3);
  /* A reference belongs to its ledger only. */
  ck_assert (ql_event_store_find_reference (store, "Cash", "order-3", &version, &error));
  ck_assert_int_eq (version, 0);
  ck_assert (ql_event_store_find_reference (store, "Other", "order-3", &version, &error));
  ck_assert_int_eq (version, 2);
  ck_assert (ql_event_store_find_reference (store, "Nobody", "order-1", &version, &error));
  ck_assert_int_eq (version, 0);
  assert_no_error (error);

  /* References written in a batch, in runs of rows written together; one
   * with a quote in it. */
  {
    QlNewEvent batch[40];

    for (guint i = 0; i < G_N_ELEMENTS (batch); i++)
      batch[i] = (QlNewEvent) { "Deposited", "{\"amount\":1}", NULL };
    batch[33] = (QlNewEvent) { "Deposited", "{\"amount\":1,\"reference\":\"order-4\"}",
                               "order-4" };
    batch[39] = (QlNewEvent) { "Deposited", "{\"reference\":\"say \\\"hi\\\"\",\"amount\":1}",
                               "say \"hi\"" };
    ck_assert (ql_event_store_append (store, "Other", 2, batch, G_N_ELEMENTS (batch), NULL,
                                      &error));
    assert_no_error (error);
  }
  ck_assert (ql_event_store_find_reference (store, "Other", "order-4", &version, &error));
  ck_assert_int_eq (version, 36);
  ck_assert (ql_event_store_find_reference (store, "Other", "say \"hi\"", &version, &error));
  ck_assert_int_eq (version, 42);
  assert_no_error (error);

  /* Each event comes back with the reference it was appended with. */
  {
    g_autoptr(GPtrArray) cash = read_ledger (store, "Cash", 0, 0);
    g_autoptr(GPtrArray) log = read_log (store, 1, 0);
    g_autofree char *reference = NULL;

    ck_assert_uint_eq (cash->len, 6);
    ck_assert_ptr_null (ql_event_get_reference (g_ptr_array_index (cash, 1)));
    ck_assert_str_eq (ql_event_get_reference (g_ptr_array_index (cash, 2)), "order-1");
    ck_assert_ptr_null (ql_event_get_reference (g_ptr_array_index (cash, 4)));
    g_object_get (g_ptr_array_index (cash, 3), "reference", &reference, NULL);
    ck_assert_str_eq (reference, "order-2");
    ck_assert_str_eq (ql_event_get_reference (g_ptr_array_index (log, 5)), "order-3");
    ck_assert_str_eq (ql_event_get_reference (g_ptr_array_index (log, log->len - 1)),
                      "say \"hi\"");
  }
  /* A scan that starts or stops part-way gets the references of its own
   * events. */
  {
    g_autoptr(GPtrArray) cash = read_ledger (store, "Cash", 3, 4);
    g_autoptr(GPtrArray) log = read_log (store, 6, 1);

    ck_assert_uint_eq (cash->len, 1);
    ck_assert_str_eq (ql_event_get_reference (g_ptr_array_index (cash, 0)), "order-2");
    ck_assert_uint_eq (log->len, 1);
    ck_assert_str_eq (ql_event_get_reference (g_ptr_array_index (log, 0)), "order-3");
  }
}
END_TEST

START_TEST (test_snapshots)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  gint64 version = -1;

  /* No snapshot is not an error. */
  ck_assert (ql_event_store_load_snapshot (store, "Cash", 0, &version, &state, &error));
  assert_no_error (error);
  ck_assert_int_eq (version, 0);
  ck_assert_ptr_null (state);

  ck_assert (ql_event_store_save_snapshot (store, "Cash", 5, "{\"balance\":5}", &error));
  ck_assert (ql_event_store_save_snapshot (store, "Cash", 2, "{\"balance\":2}", &error));
  ck_assert (ql_event_store_save_snapshot (store, "Card", 9, "{\"balance\":9}", &error));
  assert_no_error (error);

  /* Many at once, one of them replacing an older one. */
  {
    const QlSnapshot many[] = {
      { 20, "{\"balance\":20}" },
      { 30, "{\"balance\":30}" },
      { 9, "{\"balance\":90}" },
    };

    ck_assert (ql_event_store_save_snapshots (store, "Card", many, G_N_ELEMENTS (many), &error));
    assert_no_error (error);
    ck_assert (ql_event_store_save_snapshots (store, "Card", NULL, 0, &error));
    for (guint i = 0; i < G_N_ELEMENTS (many); i++)
      {
        ck_assert (ql_event_store_load_snapshot (store, "Card", many[i].version, &version, &state,
                                                 &error));
        ck_assert_int_eq (version, many[i].version);
        ck_assert_str_eq (state, many[i].state);
        g_clear_pointer (&state, g_free);
      }
  }

  ck_assert (ql_event_store_load_snapshot (store, "Cash", 4, &version, &state, &error));
  ck_assert_int_eq (version, 2);
  ck_assert_str_eq (state, "{\"balance\":2}");
  g_clear_pointer (&state, g_free);

  ck_assert (ql_event_store_load_snapshot (store, "Cash", 5, &version, &state, &error));
  ck_assert_int_eq (version, 5);
  ck_assert_str_eq (state, "{\"balance\":5}");
  g_clear_pointer (&state, g_free);

  ck_assert (ql_event_store_load_snapshot (store, "Cash", 0, &version, &state, &error));
  ck_assert_int_eq (version, 5);
  g_clear_pointer (&state, g_free);

  ck_assert (ql_event_store_load_snapshot (store, "Cash", 1, &version, &state, &error));
  ck_assert_int_eq (version, 0);
  ck_assert_ptr_null (state);

  /* Saving a version again replaces its state. */
  ck_assert (ql_event_store_save_snapshot (store, "Cash", 5, "{\"balance\":50}", &error));
  ck_assert (ql_event_store_load_snapshot (store, "Cash", 100, &version, &state, &error));
  assert_no_error (error);
  ck_assert_int_eq (version, 5);
  ck_assert_str_eq (state, "{\"balance\":50}");
  g_clear_pointer (&state, g_free);

  ck_assert (ql_event_store_load_snapshot (store, "Card", 8, &version, &state, &error));
  ck_assert_int_eq (version, 0);
  ck_assert_ptr_null (state);

  /* Snapshots are not events. */
  ck_assert_int_eq (ql_test_head_position (store), 0);
  assert_heads (store, "");
}
END_TEST

typedef struct
{
  guint n_calls;
  guint stop_after;
} StopCounter;

static gboolean
stop_after_cb (const QlEventRecord *record,
               gpointer             user_data)
{
  StopCounter *counter = user_data;

  counter->n_calls++;
  return counter->n_calls < counter->stop_after;
}

START_TEST (test_scans_stop_early)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  StopCounter log_counter = { 0, 2 };
  StopCounter ledger_counter = { 0, 3 };

  for (gint64 v = 0; v < 6; v++)
    ck_assert (append_one (store, "Cash", v, "Deposited", "{}", &error));
  assert_no_error (error);

  ck_assert (ql_event_store_read_log (store, 1, 0, stop_after_cb, &log_counter, &error));
  assert_no_error (error);
  ck_assert_uint_eq (log_counter.n_calls, 2);

  ck_assert (ql_event_store_read_ledger (store, "Cash", 0, 0, stop_after_cb, &ledger_counter,
                                         &error));
  assert_no_error (error);
  ck_assert_uint_eq (ledger_counter.n_calls, 3);

  /* A stopped scan leaves nothing behind: the next one starts afresh. */
  log_counter.n_calls = 0;
  log_counter.stop_after = 100;
  ck_assert (ql_event_store_read_log (store, 1, 0, stop_after_cb, &log_counter, &error));
  ck_assert_uint_eq (log_counter.n_calls, 6);
}
END_TEST

typedef struct
{
  QlEventStore *store;
  GString      *text;
} NestedScan;

static gboolean
inner_cb (const QlEventRecord *record,
          gpointer             user_data)
{
  NestedScan *nested = user_data;

  g_string_append_printf (nested->text, "%" G_GINT64_FORMAT, record->position);
  return TRUE;
}

static gboolean
outer_cb (const QlEventRecord *record,
          gpointer             user_data)
{
  NestedScan *nested = user_data;
  g_autoptr(GError) error = NULL;

  g_string_append_printf (nested->text, "[%s/%" G_GINT64_FORMAT ":", record->ledger,
                          record->version);
  ck_assert (ql_event_store_read_log (nested->store, record->position, 2, inner_cb, nested,
                                      &error));
  assert_no_error (error);
  ck_assert (ql_event_store_read_ledger (nested->store, record->ledger, 0, 0, inner_cb, nested,
                                         &error));
  assert_no_error (error);
  g_string_append (nested->text, "]");

  return TRUE;
}

START_TEST (test_nested_scans)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  NestedScan nested = { store, text };

  ck_assert (append_one (store, "A", 0, "Changed", "{}", &error));
  ck_assert (append_one (store, "B", 0, "Changed", "{}", &error));
  ck_assert (append_one (store, "A", 1, "Changed", "{}", &error));
  assert_no_error (error);

  /* A scan may start scans of the same kind from its callback. */
  ck_assert (ql_event_store_read_log (store, 1, 0, outer_cb, &nested, &error));
  assert_no_error (error);
  ck_assert_str_eq (text->str, "[A/1:1213][B/1:232][A/2:313]");
}
END_TEST

/* A batch as an import writes it: ledgers interleaved, new and old, with
 * references and snapshots, payloads with the characters a bulk format
 * must escape; then a stale one and a cancelled one, which write
 * nothing. */
static gboolean
cancel_batch_cb (guint64  n_written,
                 gpointer user_data)
{
  guint64 *calls = user_data;

  (*calls)++;
  return FALSE;
}

/* A group writes its parts together, refusing only the part whose
 * ledger moved on. */
START_TEST (test_append_group_refuses_parts_alone)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const QlNewEvent cash[] = {
    { "Withdrawn", "{\"amount\":1}", "order-1" },
    { "Withdrawn", "{\"amount\":2}", "order-2" },
  };
  const QlNewEvent stale[] = { { "Withdrawn", "{\"amount\":3}", "order-3" } };
  const QlNewEvent fresh[] = { { "Opened", "{}", NULL } };
  QlLedgerAppend appends[] = {
    { "Cash", 1, cash, G_N_ELEMENTS (cash), NULL },
    { "Bank", 0, stale, G_N_ELEMENTS (stale), NULL },
    { "Till", 0, fresh, G_N_ELEMENTS (fresh), NULL },
  };
  QlEventRecord records[4] = { { 0 } };
  GError *errors[G_N_ELEMENTS (appends)] = { NULL };
  gint64 version = 0;

  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));
  ck_assert (append_one (store, "Bank", 0, "Opened", "{}", &error));
  ck_assert (ql_event_store_append_group (store, appends, G_N_ELEMENTS (appends), records,
                                          errors, &error));
  assert_no_error (error);
  assert_no_error (errors[0]);
  assert_store_error (errors[1], QL_STORE_ERROR_CONFLICT);
  assert_no_error (errors[2]);
  g_clear_error (&errors[1]);

  ck_assert_int_eq (records[0].position, 3);
  ck_assert_int_eq (records[0].version, 2);
  ck_assert_str_eq (records[0].reference, "order-1");
  ck_assert_int_eq (records[1].position, 4);
  ck_assert_int_eq (records[1].version, 3);
  ck_assert_int_eq (records[3].position, 5);
  ck_assert_int_eq (records[3].version, 1);
  ck_assert_str_eq (records[3].ledger, "Till");

  events = read_log (store, 1, 0);
  ck_assert_uint_eq (events->len, 5);
  ck_assert_str_eq (ql_event_get_ledger (event_at (events, 2)), "Cash");
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 3)), cash[1].payload);
  ck_assert_str_eq (ql_event_get_ledger (event_at (events, 4)), "Till");
  ck_assert (ql_event_store_find_reference (store, "Cash", "order-2", &version, &error));
  ck_assert_int_eq (version, 3);
  ck_assert (ql_event_store_find_reference (store, "Bank", "order-3", &version, &error));
  ck_assert_int_eq (version, 0);
}
END_TEST

START_TEST (test_append_batch)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *state = NULL;
  g_autofree QlNewEvent *many = g_new0 (QlNewEvent, 5000);
  const QlNewEvent cash[] = {
    { "Deposited", "{\"note\":\"tab\\t, newline\\n, backslash \\\\ and \\\\N\"}", NULL },
    { "Withdrawn", "{\"amount\":1}", "order-1" },
  };
  const QlNewEvent stock[] = { { "Increased", "{\"quantity\":2}", NULL } };
  const QlNewEvent more_cash[] = { { "Deposited", "{\"amount\":3}", NULL } };
  QlLedgerAppend appends[] = {
    { "Cash", 1, cash, G_N_ELEMENTS (cash), NULL },
    { "Stock", 0, stock, G_N_ELEMENTS (stock), "{\"quantity\":2}" },
    { "Cash", 3, more_cash, G_N_ELEMENTS (more_cash), "{\"balance\":3}" },
  };
  gint64 version = 0;
  guint64 calls = 0;

  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));
  ck_assert (ql_event_store_append_batch (store, appends, G_N_ELEMENTS (appends), NULL, NULL,
                                          &error));
  assert_no_error (error);

  events = read_log (store, 1, 0);
  ck_assert_uint_eq (events->len, 5);
  ck_assert_str_eq (ql_event_get_ledger (event_at (events, 1)), "Cash");
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 1)), cash[0].payload);
  ck_assert_str_eq (ql_event_get_reference (event_at (events, 2)), "order-1");
  ck_assert_ptr_null (ql_event_get_reference (event_at (events, 1)));
  ck_assert_str_eq (ql_event_get_ledger (event_at (events, 3)), "Stock");
  ck_assert_int_eq (ql_event_get_version (event_at (events, 4)), 4);
  for (guint i = 0; i < events->len; i++)
    ck_assert_int_eq (ql_event_get_position (event_at (events, i)), i + 1);
  assert_heads (store, "Cash=4,Stock=1");

  ck_assert (ql_event_store_find_reference (store, "Cash", "order-1", &version, &error));
  ck_assert_int_eq (version, 3);
  ck_assert (ql_event_store_load_snapshot (store, "Cash", 0, &version, &state, &error));
  ck_assert_int_eq (version, 4);
  ck_assert_str_eq (state, "{\"balance\":3}");

  /* Stale: Stock is no longer at version 0. */
  ck_assert (!ql_event_store_append_batch (store, appends, G_N_ELEMENTS (appends), NULL, NULL,
                                           &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  for (guint i = 0; i < 5000; i++)
    many[i] = (QlNewEvent) { "Deposited", "{\"amount\":1}", NULL };
  appends[0] = (QlLedgerAppend) { "Other", 0, many, 5000, NULL };
  ck_assert (!ql_event_store_append_batch (store, appends, 1, cancel_batch_cb, &calls, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  ck_assert_uint_eq (calls, 1);

  ck_assert_int_eq (ql_test_head_position (store), 5);
  assert_heads (store, "Cash=4,Stock=1");
}
END_TEST

START_TEST (test_large_batch)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autofree QlNewEvent *batch = g_new0 (QlNewEvent, 1000);

  for (guint i = 0; i < 1000; i++)
    {
      char *payload = g_strdup_printf ("{\"amount\":%u}", i);

      g_ptr_array_add (payloads, payload);
      batch[i].type = "Deposited";
      batch[i].payload = payload;
    }

  ck_assert (ql_event_store_append (store, "Cash", 0, batch, 1000, NULL, &error));
  assert_no_error (error);

  events = read_ledger (store, "Cash", 0, 0);
  ck_assert_uint_eq (events->len, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      ck_assert_int_eq (ql_event_get_version (event_at (events, i)), i + 1);
      ck_assert_str_eq (ql_event_get_payload (event_at (events, i)),
                        g_ptr_array_index (payloads, i));
    }
  assert_heads (store, "Cash=1000");
}
END_TEST

/* ---- The SQLite file --------------------------------------------------- */

static gint64
file_size (const char *path)
{
  GStatBuf buf;

  return g_stat (path, &buf) == 0 ? (gint64) buf.st_size : -1;
}

/* After a large batch the WAL's pages are copied into the database file,
 * by the store's thread as no commit follows to do it, and the store's
 * commits go on afterwards. */
START_TEST (test_sqlite_checkpoints)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(QlEventStore) store = open_store (STORE_SQLITE, dir);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree QlNewEvent *batch = g_new0 (QlNewEvent, 100000);
  gint64 empty_size = file_size (path);
  gint64 deadline;

  for (guint i = 0; i < 100000; i++)
    {
      char *payload = g_strdup_printf ("{\"amount\":%u}", i + 1);

      g_ptr_array_add (payloads, payload);
      batch[i].type = "Deposited";
      batch[i].payload = payload;
    }

  ck_assert (ql_event_store_append (store, "Cash", 0, batch, 100000, NULL, &error));
  assert_no_error (error);

  /* 100,000 events fill about 1,700 pages of 4 KiB. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (file_size (path) < empty_size + (1 << 20) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  ck_assert_int_ge (file_size (path), empty_size + (1 << 20));

  ck_assert (append_one (store, "Cash", 100000, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);

  assert_heads (store, "Cash=100001");
  g_clear_object (&store);
  store = open_store (STORE_SQLITE, dir);
  assert_heads (store, "Cash=100001");
}
END_TEST

START_TEST (test_sqlite_persists_across_reopen)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (STORE_SQLITE, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *text = NULL;
  g_autofree char *state = NULL;
  gint64 version = 0;

  ck_assert (append_one (store, "Laptop", 0, "ItemCreated", "{\"quantity\":10}", &error));
  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  ck_assert (ql_event_store_save_snapshot (store, "Laptop", 1, "{\"quantity\":10}", &error));
  assert_no_error (error);
  g_clear_object (&store);

  store = open_store (STORE_SQLITE, dir);
  assert_heads (store, "Cash=1,Laptop=1");
  ck_assert_int_eq (ql_test_head_position (store), 2);

  ck_assert (ql_event_store_load_snapshot (store, "Laptop", 0, &version, &state, &error));
  ck_assert_int_eq (version, 1);
  ck_assert_str_eq (state, "{\"quantity\":10}");

  /* Versions and positions go on where they stopped. */
  ck_assert (append_one (store, "Laptop", 1, "QuantityIncreased", "{\"quantity\":5}", &error));
  assert_no_error (error);
  events = read_log (store, 1, 0);
  text = describe (events);
  ck_assert_str_eq (text, "Laptop/v1@p1:ItemCreated,Cash/v1@p2:AccountOpened,"
                          "Laptop/v2@p3:QuantityIncreased");
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 0)), "{\"quantity\":10}");
}
END_TEST

START_TEST (test_sqlite_modes)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *folder = g_build_filename (dir, "deep", "er", NULL);
  g_autofree char *path = g_build_filename (folder, "ledger.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *parent = g_path_get_dirname (folder);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  /* A permissive umask must not widen the modes. */
  umask (0);
  store = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  assert_no_error (error);

  ck_assert_uint_eq (file_mode (path), 0600);
  ck_assert_uint_eq (file_mode (folder), 0700);
  ck_assert_uint_eq (file_mode (parent), 0700);
  /* SQLite gives the log beside the file the file's own mode. */
  ck_assert_uint_eq (file_mode (wal), 0600);
}
END_TEST

START_TEST (test_sqlite_settings)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(QlEventStore) store = open_store (STORE_SQLITE, dir);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  ck_assert_str_eq (ql_sqlite_event_store_get_path (QL_SQLITE_EVENT_STORE (store)), path);
  ck_assert (!ql_sqlite_event_store_is_read_only (QL_SQLITE_EVENT_STORE (store)));

  ck_assert_int_eq (sqlite3_open (path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), "wal");
  sqlite3_finalize (stmt);
  ck_assert_int_eq (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int (stmt, 0), QL_SQLITE_SCHEMA_VERSION);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}
END_TEST

START_TEST (test_sqlite_triggers)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(QlEventStore) store = open_store (STORE_SQLITE, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const char *statements[] = {
    "UPDATE events SET payload = '{\"amount\":1000000}'",
    "DELETE FROM events",
    ("INSERT OR REPLACE INTO events (position, ledger, version, type, timestamp, payload)"
     " VALUES (1, 'Cash', 1, 'Deposited', 0, '{}')"),
  };

  ck_assert (append_one (store, "Cash", 0, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autofree char *message = NULL;

      ck_assert_int_ne (raw_exec (path, statements[i], &message), SQLITE_OK);
      ck_assert_ptr_nonnull (message);
      ck_assert_str_eq (message, "events are immutable");
    }

  events = read_log (store, 1, 0);
  ck_assert_uint_eq (events->len, 1);
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 0)), "{\"amount\":1}");
  ck_assert_str_eq (ql_event_get_event_type (event_at (events, 0)), "Deposited");
}
END_TEST

START_TEST (test_sqlite_too_new)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "future.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_length = 0;
  gsize after_length = 0;

  ck_assert_int_eq (raw_exec (path, "CREATE TABLE events (x); PRAGMA user_version = 99;", NULL),
                    SQLITE_OK);
  ck_assert (g_file_get_contents (path, &before, &before_length, NULL));

  store = ql_store_open (path, &error);
  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_TOO_NEW);
  ck_assert_ptr_nonnull (strstr (error->message, path));

  ck_assert (g_file_get_contents (path, &after, &after_length, NULL));
  ck_assert_uint_eq (after_length, before_length);
  ck_assert_mem_eq (after, before, before_length);
}
END_TEST

static void
assert_refused_untouched (const char *path,
                          const char *contents,
                          gsize       length)
{
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  gsize after_length = 0;

  store = ql_store_open (path, &error);
  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_CORRUPT);
  ck_assert_ptr_nonnull (strstr (error->message, path));

  ck_assert (g_file_get_contents (path, &after, &after_length, NULL));
  ck_assert_uint_eq (after_length, length);
  ck_assert_mem_eq (after, contents, length);
  ck_assert (!g_file_test (wal, G_FILE_TEST_EXISTS));
  ck_assert (!g_file_test (journal, G_FILE_TEST_EXISTS));
}

START_TEST (test_sqlite_text_file_is_corrupt)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
  const char notes[] = "My notes, not a database.\nSecond line.\n";

  ck_assert (g_file_set_contents (path, notes, -1, NULL));
  assert_refused_untouched (path, notes, strlen (notes));
}
END_TEST

START_TEST (test_sqlite_foreign_database_is_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "other.db", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  ck_assert_int_eq (raw_exec (path, "CREATE TABLE recipes (name TEXT);"
                                    "INSERT INTO recipes VALUES ('bread');", NULL),
                    SQLITE_OK);
  ck_assert (g_file_get_contents (path, &contents, &length, NULL));
  assert_refused_untouched (path, contents, length);
}
END_TEST

START_TEST (test_sqlite_folder_is_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = ql_store_open (dir, &error);
  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_FAILED);
}
END_TEST

/* The file is refused as it is, naming it and @words. */
static void
assert_refused_with (const char *path,
                     const char *words)
{
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = ql_store_open (path, &error);
  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_msg (strstr (error->message, path) != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, words) != NULL, "%s", error->message);
}

START_TEST (test_sqlite_special_files_are_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *fifo = g_build_filename (dir, "pipe.db", NULL);

  ck_assert_int_eq (mkfifo (fifo, 0600), 0);
  assert_refused_with (fifo, "named pipe");
  assert_refused_with ("/dev/null", "device");
  assert_refused_with (dir, "folder");
}
END_TEST

START_TEST (test_sqlite_foreign_files_are_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *theirs = g_build_filename (dir, "theirs.db", NULL);
  g_autofree char *shared = g_build_filename (dir, "shared.db", NULL);
  g_autofree char *mine = g_build_filename (dir, "mine.txt", NULL);
  g_autofree char *link = g_build_filename (dir, "link.db", NULL);
  g_autofree char *good = g_build_filename (dir, "good.db", NULL);
  g_autofree char *good_wal = g_build_filename (dir, "good.db-wal", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf buf;

  /* An empty file another user left in a folder everyone can write. */
  ck_assert (g_file_set_contents (theirs, "", 0, NULL));
  ck_assert_int_eq (g_chmod (theirs, 0666), 0);
  ck_assert_int_eq (g_chmod (dir, 01777), 0);
  ql_test_give_away (theirs);
  /* Only root can hand a file to another user; nor is it root's then. */
  if (geteuid () == 0)
    {
      assert_refused_with (theirs, "another user");
      ck_assert_int_eq (g_stat (theirs, &buf), 0);
      ck_assert_int_eq (buf.st_size, 0);
    }

  /* One of the user's own files, which a link would turn into a database. */
  ck_assert (g_file_set_contents (mine, "", 0, NULL));
  ck_assert_int_eq (symlink (mine, link), 0);
  assert_refused_with (link, "symbolic link");
  ck_assert (g_file_get_contents (mine, &contents, NULL, NULL));
  ck_assert_str_eq (contents, "");

  ck_assert (g_file_set_contents (shared, "", 0, NULL));
  ck_assert_int_eq (g_chmod (shared, 0664), 0);
  assert_refused_with (shared, "chmod 600");
  ck_assert_int_eq (g_chmod (shared, 0606), 0);
  assert_refused_with (shared, "chmod 600");

  /* SQLite's files beside a database are held to the same rule. */
  ck_assert_int_eq (symlink (mine, good_wal), 0);
  assert_refused_with (good, "good.db-wal");
  g_clear_pointer (&contents, g_free);
  ck_assert (g_file_get_contents (mine, &contents, NULL, NULL));
  ck_assert_str_eq (contents, "");

  /* A file of one's own that others can only read is fine. */
  ck_assert_int_eq (g_unlink (good_wal), 0);
  ck_assert_int_eq (g_chmod (good, 0644), 0);
  store = ql_store_open (good, &error);
  assert_no_error (error);
  ck_assert (!ql_sqlite_event_store_is_read_only (QL_SQLITE_EVENT_STORE (store)));
}
END_TEST

/* Another program's INSERT gives an event a reference, in the column
 * the store keeps it in: a retry of that payment must not charge it
 * again. */
START_TEST (test_sqlite_references_of_other_writers)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlEvent) retry = NULL;
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  store = ql_store_open (path, &error);
  assert_no_error (error);
  book = ql_ledger_book_new (store, &error);
  assert_no_error (error);
  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "user456", "USD", &error)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "user456", "1000", &error)));
  assert_no_error (error);
  g_clear_object (&book);
  g_clear_object (&store);

  ck_assert_int_eq (raw_exec (path, "INSERT INTO events (ledger, version, type, timestamp,"
                                    " payload, reference)"
                                    " VALUES ('user456', 3, 'Withdrawn', 0,"
                                    " '{\"amount\":9999,\"reference\":\"order123\"}',"
                                    " 'order123')", NULL),
                    SQLITE_OK);

  store = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (ql_event_store_find_reference (store, "user456", "order123", &version, &error));
  assert_no_error (error);
  ck_assert_int_eq (version, 3);

  book = ql_ledger_book_new (store, &error);
  assert_no_error (error);
  retry = ql_ledger_book_withdraw_for_reference (book, "user456", "99.99", "USD", "order123",
                                                 &error);
  ck_assert_msg (retry != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_int_eq (ql_event_get_version (retry), 3);
  ck_assert_int_eq (ql_test_head_position (store), 3);
}
END_TEST

START_TEST (test_store_errno_messages)
{
  struct
  {
    int         saved_errno;
    const char *words;
  } cases[] = {
    { ENOSPC, "is full" },
    { EDQUOT, "disk quota exceeded" },
    { EFBIG, "file too large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      ck_assert (_ql_store_set_errno_error ("/x/ledger.db", cases[i].saved_errno, &error));
      assert_store_error (error, QL_STORE_ERROR_FULL);
      ck_assert_msg (strstr (error->message, cases[i].words) != NULL, "%s", error->message);
      ck_assert_ptr_nonnull (strstr (error->message, "/x/ledger.db"));
    }

  /* Other causes keep SQLite's own words. */
  ck_assert (!_ql_store_set_errno_error ("/x/ledger.db", EIO, NULL));
  ck_assert (!_ql_store_set_errno_error ("/x/ledger.db", 0, NULL));
}
END_TEST

static char *
make_store_file (const char *dir)
{
  g_autoptr(QlEventStore) store = open_store (STORE_SQLITE, dir);
  g_autoptr(GError) error = NULL;

  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{\"amount\":100}", &error));
  assert_no_error (error);

  return g_build_filename (dir, "ledger.db", NULL);
}

static void
assert_reads_but_refuses_writes (const char *path)
{
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  store = ql_store_open (path, &error);
  assert_no_error (error);
  ck_assert (ql_sqlite_event_store_is_read_only (QL_SQLITE_EVENT_STORE (store)));

  events = read_log (store, 1, 0);
  ck_assert_uint_eq (events->len, 2);
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 1)), "{\"amount\":100}");
  assert_heads (store, "Cash=2");

  ck_assert (!append_one (store, "Cash", 2, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  ck_assert (!ql_event_store_save_snapshot (store, "Cash", 2, "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  ck_assert_int_eq (ql_test_head_position (store), 2);
}

START_TEST (test_sqlite_read_only_file)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_store_file (dir);

  ck_assert_int_eq (g_chmod (path, 0444), 0);
  ql_test_give_away (path);
  /* The folder stays writable, for whoever the test runs as. */
  ck_assert_int_eq (g_chmod (dir, 0777), 0);
  ql_test_drop_root ();

  assert_reads_but_refuses_writes (path);
}
END_TEST

START_TEST (test_sqlite_read_only_folder)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = make_store_file (dir);
  g_autofree char *other = g_build_filename (dir, "other.db", NULL);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  ck_assert_int_eq (g_chmod (path, 0644), 0);
  ql_test_give_away (path);
  ck_assert_int_eq (g_chmod (dir, 0555), 0);
  ql_test_drop_root ();

  assert_reads_but_refuses_writes (path);

  /* A new file cannot be made there at all. */
  store = ql_store_open (other, &error);
  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_READ_ONLY);
}
END_TEST

START_TEST (test_sqlite_two_stores_one_file)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) first = open_store (STORE_SQLITE, dir);
  g_autoptr(QlEventStore) second = open_store (STORE_SQLITE, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *text = NULL;

  ck_assert (append_one (first, "Cash", 0, "AccountOpened", "{}", &error));
  assert_no_error (error);

  /* The second sees the first's append... */
  assert_heads (second, "Cash=1");
  ck_assert_int_eq (ql_test_head_position (second), 1);

  /* ...and both decide on version 1; the first to append wins. */
  ck_assert (append_one (first, "Cash", 1, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);
  ck_assert (!append_one (second, "Cash", 1, "Deposited", "{\"amount\":2}", &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  ck_assert (append_one (second, "Cash", 2, "Withdrawn", "{\"amount\":3}", &error));
  assert_no_error (error);

  events = read_ledger (first, "Cash", 0, 0);
  text = describe (events);
  ck_assert_str_eq (text, "Cash/v1@p1:AccountOpened,Cash/v2@p2:Deposited,Cash/v3@p3:Withdrawn");
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 1)), "{\"amount\":1}");
}
END_TEST

START_TEST (test_sqlite_busy)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autoptr(QlEventStore) store = open_store (STORE_SQLITE, dir);
  g_autoptr(GError) error = NULL;
  sqlite3 *other = NULL;
  gint64 started;

  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  assert_no_error (error);

  /* Another writer holds the lock past the store's patience. */
  ck_assert_int_eq (sqlite3_open (path, &other), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

  started = g_get_monotonic_time ();
  ck_assert (!append_one (store, "Cash", 1, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_ptr_nonnull (strstr (error->message, "busy"));
  ck_assert_int_ge (g_get_monotonic_time () - started, 4 * G_USEC_PER_SEC);
  g_clear_error (&error);

  ck_assert_int_eq (sqlite3_exec (other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (other);

  /* Nothing was written, and the store works again. */
  ck_assert_int_eq (ql_test_head_position (store), 1);
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{}", &error));
  assert_no_error (error);
  assert_heads (store, "Cash=2");
}
END_TEST

START_TEST (test_sqlite_failed_write_rolls_back)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (STORE_SQLITE, dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = g_strnfill (300000, 'x');
  g_autofree char *payload = g_strdup_printf ("{\"note\":\"%s\"}", filler);
  struct rlimit limit;
  struct rlimit small;

  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  assert_no_error (error);

  /* Files may not grow past 200 kB for now: the big event cannot be
   * written. The limit applies to this test's own process only. */
  ck_assert_int_eq (getrlimit (RLIMIT_FSIZE, &limit), 0);
  small = limit;
  small.rlim_cur = 200000;
  signal (SIGXFSZ, SIG_IGN);
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &small), 0);

  ck_assert (!append_one (store, "Cash", 1, "Deposited", payload, &error));
  ck_assert (error != NULL && error->domain == QL_STORE_ERROR);
  g_clear_error (&error);

  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &limit), 0);

  /* Nothing of the failed append remains, and the store goes on. */
  ck_assert_int_eq (ql_test_head_position (store), 1);
  assert_heads (store, "Cash=1");
  ck_assert (append_one (store, "Cash", 1, "Deposited", payload, &error));
  assert_no_error (error);
  assert_heads (store, "Cash=2");
}
END_TEST

/* ---- Locations --------------------------------------------------------- */

static void
assert_store_file (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);

  ck_assert_msg (g_file_test (path, G_FILE_TEST_IS_REGULAR), "no store at %s", path);
  ck_assert_uint_eq (file_mode (path), 0600);
  ck_assert_uint_eq (file_mode (folder), 0700);
}

START_TEST (test_open_memory)
{
  g_autoptr(QlEventStore) first = NULL;
  g_autoptr(QlEventStore) second = NULL;
  g_autoptr(GError) error = NULL;

  first = ql_store_open (":memory:", &error);
  assert_no_error (error);
  ck_assert (QL_IS_MEMORY_EVENT_STORE (first));
  second = ql_store_open (":memory:", &error);
  ck_assert (append_one (first, "Cash", 0, "AccountOpened", "{}", &error));
  assert_no_error (error);

  /* Each memory store is its own. */
  assert_heads (second, "");
}
END_TEST

START_TEST (test_open_default_location)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *expected = g_build_filename (data, "quote-ledger", "ledger.db", NULL);
  g_autofree char *location = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlEventStore) again = NULL;
  g_autoptr(GError) error = NULL;

  /* GLib reads XDG_DATA_HOME once; this test has a process of its own. */
  g_setenv ("XDG_DATA_HOME", data, TRUE);

  location = ql_store_default_location ();
  ck_assert_str_eq (location, expected);

  store = ql_store_open (NULL, &error);
  assert_no_error (error);
  ck_assert (QL_IS_SQLITE_EVENT_STORE (store));
  ck_assert_str_eq (ql_sqlite_event_store_get_path (QL_SQLITE_EVENT_STORE (store)), expected);
  assert_store_file (expected);
  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  assert_no_error (error);

  again = ql_store_open ("", &error);
  assert_no_error (error);
  assert_heads (again, "Cash=1");
}
END_TEST

START_TEST (test_open_home_relative)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *expected = g_build_filename (dir, "ledgers", "mine.db", NULL);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  /* GLib reads HOME once; this test has a process of its own. */
  g_setenv ("HOME", dir, TRUE);

  store = ql_store_open ("~/ledgers/mine.db", &error);
  assert_no_error (error);
  ck_assert_str_eq (ql_sqlite_event_store_get_path (QL_SQLITE_EVENT_STORE (store)), expected);
  assert_store_file (expected);
}
END_TEST

START_TEST (test_open_cwd_relative)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *expected = g_build_filename (dir, "sub", "rel.db", NULL);
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GError) error = NULL;

  ck_assert_int_eq (g_chdir (dir), 0);

  store = ql_store_open ("sub/rel.db", &error);
  assert_no_error (error);
  ck_assert_str_eq (ql_sqlite_event_store_get_path (QL_SQLITE_EVENT_STORE (store)), expected);
  assert_store_file (expected);
}
END_TEST

/* What an append reports is what a scan reads back: the positions the
 * store gave, on each of the store's ways of writing. */
static void
assert_appended_as_read (QlEventStore        *store,
                         const QlEventRecord *appended,
                         guint                n_appended)
{
  for (guint i = 0; i < n_appended; i++)
    {
      g_autoptr(GPtrArray) read = read_log (store, appended[i].position, 1);
      QlEvent *event;

      ck_assert_uint_eq (read->len, 1);
      event = event_at (read, 0);
      ck_assert_int_eq (ql_event_get_position (event), appended[i].position);
      ck_assert_str_eq (ql_event_get_ledger (event), appended[i].ledger);
      ck_assert_int_eq (ql_event_get_version (event), appended[i].version);
      ck_assert_str_eq (ql_event_get_event_type (event), appended[i].type);
      ck_assert_int_eq (ql_event_get_timestamp (event), appended[i].timestamp);
      ck_assert_str_eq (ql_event_get_payload (event), appended[i].payload);
    }
}

START_TEST (test_append_reports_positions)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (_i, dir);
  g_autoptr(GError) error = NULL;
  const QlNewEvent opening[] = {
    { "AccountOpened", "{\"currency\":null}" },
    { "Deposited", "{\"amount\":5}" },
    { "Deposited", "{\"amount\":7}" },
  };
  const QlNewEvent other = { "ItemCreated", "{\"name\":\"Box\",\"quantity\":1}" };
  const QlNewEvent plain = { "Withdrawn", "{\"amount\":2}" };
  const QlNewEvent paid = { "Withdrawn", "{\"amount\":3,\"reference\":\"order-1\"}" };
  QlEventRecord appended[G_N_ELEMENTS (opening)];
  QlEventRecord one;

  /* A new ledger, in a transaction. */
  ck_assert (ql_event_store_append (store, "Cash", 0, opening, G_N_ELEMENTS (opening),
                                    appended, &error));
  assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (opening); i++)
    {
      ck_assert_int_eq (appended[i].position, i + 1);
      ck_assert_int_eq (appended[i].version, i + 1);
      ck_assert_ptr_eq (appended[i].type, opening[i].type);
      ck_assert_ptr_eq (appended[i].payload, opening[i].payload);
    }
  ck_assert_int_eq (appended[0].timestamp, appended[2].timestamp);
  assert_appended_as_read (store, appended, G_N_ELEMENTS (opening));

  ck_assert (ql_event_store_append (store, "Box", 0, &other, 1, &one, &error));
  ck_assert_int_eq (one.position, 4);
  ck_assert_int_eq (one.version, 1);
  assert_appended_as_read (store, &one, 1);

  /* One event after the head: the SQLite store's single statement. */
  ck_assert (ql_event_store_append (store, "Cash", 3, &plain, 1, &one, &error));
  ck_assert_int_eq (one.position, 5);
  ck_assert_int_eq (one.version, 4);
  ck_assert_str_eq (one.ledger, "Cash");
  assert_appended_as_read (store, &one, 1);

  /* A reference: a transaction with the reference's own row after it. */
  ck_assert (ql_event_store_append (store, "Cash", 4, &paid, 1, &one, &error));
  assert_no_error (error);
  ck_assert_int_eq (one.position, 6);
  ck_assert_int_eq (one.version, 5);
  assert_appended_as_read (store, &one, 1);

  /* A conflict reports nothing and writes nothing. */
  one.position = -1;
  ck_assert (!ql_event_store_append (store, "Cash", 4, &plain, 1, &one, &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  ck_assert_int_eq (one.position, -1);
  ck_assert_int_eq (ql_test_head_position (store), 6);
}
END_TEST

/* ---- PostgreSQL -------------------------------------------------------- */

START_TEST (test_postgres_persists_across_reopen)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{\"amount\":5}", &error));
  g_clear_object (&store);

  store = open_store (STORE_POSTGRES, dir);
  events = ql_event_store_collect_ledger (store, "Cash", 0, 0, &error);
  assert_no_error (error);
  ck_assert_uint_eq (events->len, 2);
  ck_assert_str_eq (ql_event_get_payload (events->pdata[1]), "{\"amount\":5}");
}
END_TEST

/* Runs @sql on a connection of its own, as another program would; on
 * failure returns the SQLSTATE. */
static char *
postgres_exec (const char *conninfo,
               const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result = NULL;
  char *state = NULL;

  ck_assert_msg (PQstatus (conn) == CONNECTION_OK, "%s", PQerrorMessage (conn));
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    state = g_strdup (PQresultErrorField (result, PG_DIAG_SQLSTATE));
  PQclear (result);
  PQfinish (conn);
  return state;
}

START_TEST (test_postgres_triggers)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const char *statements[] = {
    "UPDATE ql_events SET payload = '{\"amount\":1000000}'",
    "DELETE FROM ql_events",
    "TRUNCATE ql_events",
  };

  ck_assert (append_one (store, "Cash", 0, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autofree char *state = postgres_exec (conninfo, statements[i]);

      /* 23001: restrict_violation, what the trigger raises. */
      ck_assert_msg (g_strcmp0 (state, "23001") == 0, "%s: %s", statements[i], state);
    }

  /* Another program's row at a version that is taken. */
  {
    g_autofree char *state = postgres_exec (conninfo,
                                            "INSERT INTO ql_events (position, ledger, version,"
                                            " type, time_us, payload)"
                                            " VALUES (2, 'Cash', 1, 'Deposited', 0, '{}')");

    ck_assert_str_eq (state, "23505");
  }

  events = read_log (store, 1, 0);
  ck_assert_uint_eq (events->len, 1);
  ck_assert_str_eq (ql_event_get_payload (event_at (events, 0)), "{\"amount\":1}");
}
END_TEST

/* A database of version 1, before events kept their append's token,
 * gains the column when a writer opens it, and keeps its events. */
START_TEST (test_postgres_upgrades_version_1)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *state = NULL;
  g_autofree char *text = NULL;

  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  g_clear_object (&store);
  state = postgres_exec (conninfo, "ALTER TABLE ql_events DROP COLUMN token;"
                         " DROP TABLE ql_read_model_rows, ql_read_models;"
                         " DROP SEQUENCE ql_read_model_generations;"
                         " UPDATE ql_schema SET version = 1");
  ck_assert_ptr_null (state);

  store = open_store (STORE_POSTGRES, dir);
  /* 1 / 0 fails unless the version is 3. */
  state = postgres_exec (conninfo, "SELECT token FROM ql_events;"
                         " SELECT count (*) FROM ql_read_models, ql_read_model_rows;"
                         " SELECT 1 / (version / 3) FROM ql_schema");
  ck_assert_ptr_null (state);
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);
  events = read_ledger (store, "Cash", 0, 0);
  text = describe (events);
  ck_assert_str_eq (text, "Cash/v1@p1:AccountOpened,Cash/v2@p2:Deposited");
}
END_TEST

START_TEST (test_postgres_too_new)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  QlEventStore *newer;

  g_clear_object (&store);
  state = postgres_exec (conninfo, "UPDATE ql_schema SET version = 99");
  ck_assert_ptr_null (state);

  newer = ql_store_open (conninfo, &error);
  ck_assert_ptr_null (newer);
  assert_store_error (error, QL_STORE_ERROR_TOO_NEW);
}
END_TEST

START_TEST (test_postgres_read_only_server)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autofree char *read_only = g_strconcat (conninfo,
                                            " options='-c default_transaction_read_only=on'",
                                            NULL);
  g_autoptr(QlEventStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  ck_assert (append_one (store, "Cash", 0, "Deposited", "{\"amount\":1}", &error));

  /* A standby says the same as a server whose transactions are
   * read-only. */
  reader = ql_store_open (read_only, &error);
  assert_no_error (error);
  ck_assert (ql_event_store_is_read_only (reader));
  events = read_log (reader, 1, 0);
  ck_assert_uint_eq (events->len, 1);

  ck_assert (!append_one (reader, "Cash", 1, "Deposited", "{\"amount\":1}", &error));
  assert_store_error (error, QL_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  ck_assert (!ql_event_store_save_snapshot (reader, "Cash", 1, "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_READ_ONLY);
  ck_assert (!ql_event_store_is_read_only (store));
}
END_TEST

START_TEST (test_postgres_read_only_empty_database)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autofree char *read_only = g_strconcat (conninfo,
                                            " options='-c default_transaction_read_only=on'",
                                            NULL);
  g_autoptr(GError) error = NULL;
  QlEventStore *store = ql_store_open (read_only, &error);

  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_READ_ONLY);
}
END_TEST

START_TEST (test_postgres_locations)
{
  ck_assert (ql_postgres_event_store_is_conninfo ("postgresql:///ledgers"));
  ck_assert (ql_postgres_event_store_is_conninfo ("postgres://ann@db.example/ledgers"));
  ck_assert (ql_postgres_event_store_is_conninfo ("host=db.example dbname=ledgers"));
  ck_assert (ql_postgres_event_store_is_conninfo ("dbname=ledgers"));
  ck_assert (!ql_postgres_event_store_is_conninfo ("ledger.db"));
  ck_assert (!ql_postgres_event_store_is_conninfo ("/tmp/a=b.db"));
  ck_assert (!ql_postgres_event_store_is_conninfo ("~/ledgers/x=y"));
  ck_assert (!ql_postgres_event_store_is_conninfo (":memory:"));
}
END_TEST

START_TEST (test_postgres_server_down)
{
  g_autoptr(GError) error = NULL;
  QlEventStore *store = ql_store_open ("postgresql://someone:hunter2@/nope?host=/nonexistent",
                                       &error);

  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_msg (strstr (error->message, "dbname=nope host=/nonexistent user=someone") != NULL,
                 "%s", error->message);
  ck_assert_ptr_null (strstr (error->message, "hunter2"));
  ck_assert_ptr_null (strchr (error->message, '\n'));
}
END_TEST

START_TEST (test_postgres_passwords)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autofree char *as_role = g_strconcat (conninfo, " user=" QL_TEST_POSTGRES_PASSWORD_ROLE,
                                          NULL);
  g_autofree char *wrong = g_strconcat (as_role, " password=hunter2", NULL);
  g_autofree char *right = g_strconcat (as_role, " password=" QL_TEST_POSTGRES_PASSWORD, NULL);
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEventStore) store = NULL;

  g_unsetenv ("PGPASSWORD");
  g_setenv ("PGPASSFILE", "/nonexistent", TRUE);
  state = postgres_exec (conninfo, "GRANT CREATE ON SCHEMA public TO "
                                   QL_TEST_POSTGRES_PASSWORD_ROLE);
  ck_assert_ptr_null (state);

  store = ql_store_open (wrong, &error);
  ck_assert_ptr_null (store);
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_msg (strstr (error->message, "check the password") != NULL, "%s", error->message);
  ck_assert_ptr_null (strstr (error->message, "hunter2"));
  g_clear_error (&error);

  store = ql_store_open (as_role, &error);
  ck_assert_ptr_null (store);
  ck_assert_msg (strstr (error->message, "asks for a password") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* From the environment, as from ~/.pgpass: libpq reads them. */
  g_setenv ("PGPASSWORD", QL_TEST_POSTGRES_PASSWORD, TRUE);
  store = ql_store_open (as_role, &error);
  assert_no_error (error);
  ck_assert (append_one (store, "Cash", 0, "Deposited", "{\"amount\":1}", &error));
  g_clear_object (&store);
  g_unsetenv ("PGPASSWORD");

  store = ql_store_open (right, &error);
  assert_no_error (error);
  {
    const char *name = ql_postgres_event_store_get_name (QL_POSTGRES_EVENT_STORE (store));

    ck_assert_ptr_nonnull (strstr (name, "user=" QL_TEST_POSTGRES_PASSWORD_ROLE));
    ck_assert_ptr_null (strstr (name, QL_TEST_POSTGRES_PASSWORD));
  }
  ck_assert_int_eq (ql_test_head_position (store), 1);
}
END_TEST

/* The log under concurrent writers: each writer process appends to a
 * ledger of its own, one event per transaction, while the follower reads
 * the log from the position after the last one it saw, as a ledger book
 * follows it. Were positions drawn before the append lock, a later
 * position could commit first and the follower would pass over the
 * earlier one for good. */
#define LOG_WRITERS 4
#define LOG_EVENTS_PER_WRITER 5000

static int
write_log_events (const char *conninfo,
                  guint       writer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlEventStore) store = ql_store_open (conninfo, &error);
  g_autofree char *ledger = g_strdup_printf ("writer-%u", writer);

  if (store == NULL)
    {
      g_printerr ("writer %u: %s\n", writer, error->message);
      return 1;
    }

  for (gint64 version = 0; version < LOG_EVENTS_PER_WRITER; version++)
    if (!append_one (store, ledger, version, "Deposited", "{\"amount\":1}", &error))
      {
        g_printerr ("writer %u: %s\n", writer, error->message);
        return 1;
      }

  return 0;
}

typedef struct
{
  gint64 last_position;
  gint64 versions[LOG_WRITERS];
  guint  n_out_of_order;
} LogFollower;

static gboolean
follow_log_cb (const QlEventRecord *record,
               gpointer             user_data)
{
  LogFollower *follower = user_data;
  guint writer = 0;

  if (record->position != follower->last_position + 1)
    follower->n_out_of_order++;
  follower->last_position = record->position;

  ck_assert (sscanf (record->ledger, "writer-%u", &writer) == 1 && writer < LOG_WRITERS);
  if (record->version != follower->versions[writer] + 1)
    follower->n_out_of_order++;
  follower->versions[writer] = record->version;

  return TRUE;
}

START_TEST (test_postgres_log_never_skips)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) follower_store = NULL;
  const gint64 n_events = LOG_WRITERS * LOG_EVENTS_PER_WRITER;
  LogFollower follower = { 0 };
  pid_t writers[LOG_WRITERS];
  guint n_running = LOG_WRITERS;
  guint n_reads = 0;
  guint n_reads_with_events = 0;
  gint64 started = g_get_monotonic_time ();
  gdouble seconds;

  for (guint i = 0; i < LOG_WRITERS; i++)
    {
      writers[i] = fork ();
      ck_assert_int_ge (writers[i], 0);
      if (writers[i] == 0)
        {
          int status = write_log_events (conninfo, i);

          /* The child leaves without the test's cleanup: what it
           * inherited is freed here, or a leak checker would count it. */
          g_free (conninfo);
          g_free (dir);
          _exit (status);
        }
    }

  /* Opened after the fork: no writer shares its connection. */
  follower_store = open_store (STORE_POSTGRES, dir);

  while (follower.last_position < n_events)
    {
      g_autoptr(GError) error = NULL;
      gint64 before = follower.last_position;
      gboolean finished = n_running == 0;

      ck_assert (ql_event_store_read_log (follower_store, follower.last_position + 1, 0,
                                          follow_log_cb, &follower, &error));
      assert_no_error (error);
      n_reads++;
      if (follower.last_position > before)
        n_reads_with_events++;
      else
        g_usleep (500);

      for (guint i = 0; i < LOG_WRITERS; i++)
        {
          int status = 0;

          if (writers[i] <= 0 || waitpid (writers[i], &status, WNOHANG) != writers[i])
            continue;
          ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "writer %u failed", i);
          writers[i] = 0;
          n_running--;
        }

      /* Every writer was done before that read began. */
      if (finished)
        break;
    }
  seconds = (g_get_monotonic_time () - started) / (gdouble) G_USEC_PER_SEC;

  ck_assert_int_eq (follower.n_out_of_order, 0);
  ck_assert_int_eq (follower.last_position, n_events);
  for (guint i = 0; i < LOG_WRITERS; i++)
    ck_assert_int_eq (follower.versions[i], LOG_EVENTS_PER_WRITER);
  /* The follower read while the writers wrote, not only once at the end. */
  ck_assert_uint_gt (n_reads_with_events, 10);
  ck_assert_int_eq (ql_test_head_position (follower_store), n_events);

  g_print ("log follower: %" G_GINT64_FORMAT " events from %d writers in %.1f s, "
           "%u reads (%u found new events), none skipped or seen twice\n",
           n_events, LOG_WRITERS, seconds, n_reads, n_reads_with_events);
}
END_TEST

/* The notification the next commit sends, waited for up to @timeout_ms;
 * NULL when none came. */
static char *
wait_for_notification (PGconn *listener,
                       int     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      PGnotify *notify;
      GPollFD poll_fd = { PQsocket (listener), G_IO_IN, 0 };
      gint64 left;

      ck_assert (PQconsumeInput (listener) == 1);
      notify = PQnotifies (listener);
      if (notify != NULL)
        {
          char *payload = NULL;

          if (strcmp (notify->relname, QL_POSTGRES_EVENTS_CHANNEL) == 0)
            payload = g_strdup (notify->extra);
          PQfreemem (notify);
          return payload;
        }

      left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        return NULL;
      g_poll (&poll_fd, 1, (int) (left / G_TIME_SPAN_MILLISECOND) + 1);
    }
}

START_TEST (test_postgres_notifies_appends)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autoptr(GError) error = NULL;
  const QlNewEvent two[] = { { "Deposited", "{\"amount\":1}" }, { "Deposited", "{\"amount\":2}" } };
  const QlLedgerAppend batch[] = { { "Stock", 0, two, 2, NULL } };
  PGconn *listener = PQconnectdb (conninfo);
  PGresult *result;
  char *payload;

  ck_assert_msg (PQstatus (listener) == CONNECTION_OK, "%s", PQerrorMessage (listener));
  result = PQexec (listener, "LISTEN " QL_POSTGRES_EVENTS_CHANNEL);
  ck_assert_int_eq (PQresultStatus (result), PGRES_COMMAND_OK);
  PQclear (result);

  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));
  payload = wait_for_notification (listener, 100);
  ck_assert_str_eq (payload, "1");
  g_free (payload);

  ck_assert (ql_event_store_append (store, "Cash", 1, two, 2, NULL, &error));
  payload = wait_for_notification (listener, 100);
  ck_assert_str_eq (payload, "3");
  g_free (payload);

  ck_assert (ql_event_store_append_batch (store, batch, 1, NULL, NULL, &error));
  payload = wait_for_notification (listener, 100);
  ck_assert_str_eq (payload, "5");
  g_free (payload);

  /* A conflict wrote nothing and tells nobody. */
  ck_assert (!append_one (store, "Cash", 1, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_CONFLICT);
  ck_assert_ptr_null (wait_for_notification (listener, 100));

  PQfinish (listener);
}
END_TEST

static gboolean
count_wake_cb (gpointer user_data)
{
  guint *n_wakes = user_data;

  (*n_wakes)++;
  return G_SOURCE_CONTINUE;
}

/* Runs @context until @n_wakes grows or @timeout_ms passed; returns the
 * time it took, in ms, or -1. */
static gint64
wait_for_wake (GMainContext *context,
               guint        *n_wakes,
               int           timeout_ms)
{
  gint64 started = g_get_monotonic_time ();
  gint64 deadline = started + timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint before = *n_wakes;

  while (*n_wakes == before && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (context, FALSE))
      g_usleep (G_TIME_SPAN_MILLISECOND);

  if (*n_wakes == before)
    return -1;
  return (g_get_monotonic_time () - started) / G_TIME_SPAN_MILLISECOND;
}

START_TEST (test_postgres_append_source)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autoptr(QlEventStore) reader = open_store (STORE_POSTGRES, dir);
  g_autoptr(QlEventStore) writer = open_store (STORE_POSTGRES, dir);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) source = ql_event_store_create_append_source (reader);
  g_autoptr(GError) error = NULL;
  guint n_wakes = 0;
  gint64 latency_ms;

  ck_assert_ptr_nonnull (source);
  g_source_set_callback (source, count_wake_cb, &n_wakes, NULL);
  g_source_attach (source, context);

  /* Another connection's append wakes the reader. */
  ck_assert (append_one (writer, "Cash", 0, "Opened", "{}", &error));
  latency_ms = wait_for_wake (context, &n_wakes, 2000);
  ck_assert_int_ge (latency_ms, 0);
  ck_assert_int_lt (latency_ms, 1000);

  /* The reader's own appends do not; a busy connection keeps what it
   * was told. */
  ck_assert (append_one (reader, "Cash", 1, "Deposited", "{}", &error));
  ck_assert_int_eq (wait_for_wake (context, &n_wakes, 200), -1);
  ck_assert (append_one (writer, "Cash", 2, "Deposited", "{}", &error));
  g_usleep (50 * G_TIME_SPAN_MILLISECOND);
  ck_assert_int_eq (ql_test_head_position (reader), 3);
  ck_assert_int_ge (wait_for_wake (context, &n_wakes, 2000), 0);
  ck_assert_uint_eq (n_wakes, 2);

  g_source_destroy (source);
}
END_TEST

START_TEST (test_postgres_read_only_has_no_append_source)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autofree char *read_only = g_strconcat (conninfo,
                                            " options='-c default_transaction_read_only=on'",
                                            NULL);
  g_autoptr(QlEventStore) reader = ql_store_open (read_only, NULL);

  /* The writable store made the tables the reader needs. */
  ck_assert (!ql_event_store_is_read_only (store));
  ck_assert_ptr_nonnull (reader);
  ck_assert_ptr_null (ql_event_store_create_append_source (reader));
}
END_TEST

START_TEST (test_postgres_lock_timeout)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autofree char *impatient = g_strconcat (conninfo, " options='-c lock_timeout=200ms'", NULL);
  g_autoptr(QlEventStore) writer = NULL;
  g_autoptr(GError) error = NULL;
  PGconn *other = PQconnectdb (conninfo);
  PGresult *result;

  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));
  writer = ql_store_open (impatient, &error);
  assert_no_error (error);

  /* Another program keeps the events table locked. */
  ck_assert_msg (PQstatus (other) == CONNECTION_OK, "%s", PQerrorMessage (other));
  result = PQexec (other, "BEGIN; LOCK TABLE ql_events IN ACCESS EXCLUSIVE MODE");
  ck_assert_int_eq (PQresultStatus (result), PGRES_COMMAND_OK);
  PQclear (result);

  ck_assert (!append_one (writer, "Cash", 1, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_msg (strstr (error->message, "did not answer in time") != NULL, "%s",
                 error->message);
  g_clear_error (&error);

  PQclear (PQexec (other, "ROLLBACK"));
  PQfinish (other);

  /* Nothing was half-written, and the connection works on. */
  ck_assert_int_eq (ql_test_head_position (writer), 1);
  ck_assert (append_one (writer, "Cash", 1, "Deposited", "{}", &error));
  assert_no_error (error);
  ck_assert_int_eq (ql_test_head_position (store), 2);
}
END_TEST

/* A full disk, as PostgreSQL reports it: SQLSTATE 53100. A tablespace on
 * a tiny file system would need root and a mount; a trigger raising the
 * same error reaches the store the same way, through the failed INSERT
 * or COPY. */
START_TEST (test_postgres_disk_full)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  const QlNewEvent deposit[] = { { "Deposited", "{\"amount\":1}", NULL } };
  QlLedgerAppend appends[] = {
    { "Cash", 1, deposit, 1, NULL },
    { "Bank", 0, deposit, 1, NULL },
  };
  GError *errors[G_N_ELEMENTS (appends)] = { NULL };

  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));
  state = postgres_exec (conninfo,
                         "CREATE FUNCTION ql_test_full () RETURNS trigger LANGUAGE plpgsql AS"
                         " $$BEGIN RAISE EXCEPTION 'could not extend file: No space left on"
                         " device' USING ERRCODE = '53100'; END$$;"
                         " CREATE TRIGGER ql_test_full BEFORE INSERT ON ql_events"
                         " FOR EACH ROW EXECUTE FUNCTION ql_test_full ()");
  ck_assert_ptr_null (state);

  ck_assert (!append_one (store, "Cash", 1, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_FULL);
  ck_assert_msg (strstr (error->message, "No space left on device") != NULL, "%s",
                 error->message);
  g_clear_error (&error);

  ck_assert (!ql_event_store_append_group (store, appends, G_N_ELEMENTS (appends), NULL, errors,
                                           &error));
  assert_store_error (error, QL_STORE_ERROR_FULL);
  ck_assert_ptr_null (errors[0]);
  ck_assert_ptr_null (errors[1]);
  g_clear_error (&error);

  ck_assert (!ql_event_store_append_batch (store, appends, G_N_ELEMENTS (appends), NULL, NULL,
                                           &error));
  assert_store_error (error, QL_STORE_ERROR_FULL);
  g_clear_error (&error);

  /* Nothing was half-written; with room again, appends go on. */
  ck_assert_int_eq (ql_test_head_position (store), 1);
  g_clear_pointer (&state, g_free);
  state = postgres_exec (conninfo, "DROP TRIGGER ql_test_full ON ql_events");
  ck_assert_ptr_null (state);
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{}", &error));
  assert_no_error (error);
  ck_assert_int_eq (ql_test_head_position (store), 2);
}
END_TEST

START_TEST (test_postgres_statement_timeout)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autofree char *impatient = g_strconcat (conninfo, " options='-c statement_timeout=200ms'",
                                            NULL);
  g_autoptr(QlEventStore) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));
  writer = ql_store_open (impatient, &error);
  assert_no_error (error);

  /* Every insert now takes a second: longer than the writer waits. */
  state = postgres_exec (conninfo,
                         "CREATE FUNCTION ql_test_slow () RETURNS trigger LANGUAGE plpgsql AS"
                         " $$BEGIN PERFORM pg_sleep (1); RETURN NEW; END$$;"
                         " CREATE TRIGGER ql_test_slow BEFORE INSERT ON ql_events"
                         " FOR EACH ROW EXECUTE FUNCTION ql_test_slow ()");
  ck_assert_ptr_null (state);

  ck_assert (!append_one (writer, "Cash", 1, "Deposited", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_msg (strstr (error->message, "did not answer in time") != NULL, "%s",
                 error->message);
  g_clear_error (&error);

  /* Nothing was half-written, and the connection works on. */
  g_clear_pointer (&state, g_free);
  state = postgres_exec (conninfo, "DROP TRIGGER ql_test_slow ON ql_events");
  ck_assert_ptr_null (state);
  ck_assert_int_eq (ql_test_head_position (writer), 1);
  ck_assert (append_one (writer, "Cash", 1, "Deposited", "{}", &error));
  assert_no_error (error);
  ck_assert_int_eq (ql_test_head_position (store), 2);
}
END_TEST

/* Ends every other session of @conninfo's database, as a server restart
 * or a failover would. */
static void
terminate_other_sessions (const char *conninfo)
{
  g_autofree char *state = postgres_exec (conninfo,
                                          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                          " WHERE datname = current_database()"
                                          " AND pid <> pg_backend_pid()");

  ck_assert_ptr_null (state);
}

START_TEST (test_postgres_reconnects)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autoptr(QlEventStore) writer = open_store (STORE_POSTGRES, dir);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) source = ql_event_store_create_append_source (store);
  g_autoptr(GError) error = NULL;
  guint n_wakes = 0;

  g_source_set_callback (source, count_wake_cb, &n_wakes, NULL);
  g_source_attach (source, context);
  ck_assert (append_one (store, "Cash", 0, "Opened", "{}", &error));

  /* The command in flight fails, having written nothing; the next one
   * connects again and works. */
  terminate_other_sessions (conninfo);
  ck_assert (!append_one (store, "Cash", 1, "Deposited", "{\"amount\":1}", &error));
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  g_clear_error (&error);
  ck_assert (append_one (store, "Cash", 1, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);
  ck_assert_int_eq (ql_test_head_position (store), 2);

  /* The lost connection woke the watch, which follows the new one:
   * another writer's append wakes it again. */
  g_clear_object (&writer);
  writer = open_store (STORE_POSTGRES, dir);
  while (g_main_context_iteration (context, FALSE))
    ;
  n_wakes = 0;
  ck_assert (append_one (writer, "Cash", 2, "Deposited", "{\"amount\":1}", &error));
  ck_assert_int_ge (wait_for_wake (context, &n_wakes, 2000), 0);

  /* A read finds the connection lost too, and the next read works. */
  terminate_other_sessions (conninfo);
  ck_assert_int_eq (ql_event_store_get_head_position (store, &error), -1);
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  g_clear_error (&error);
  ck_assert_int_eq (ql_test_head_position (store), 3);

  g_source_destroy (source);
}
END_TEST

/* A commit that fails (a deferred trigger of another program's refuses
 * it) fails the append, which wrote nothing, and the store goes on: the
 * one-event append's commit is its pipeline's Sync, whose error comes
 * after the statements' results. */
START_TEST (test_postgres_commit_refused)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autoptr(QlEventStore) store = open_store (STORE_POSTGRES, dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  ck_assert (append_one (store, "Cash", 0, "AccountOpened", "{}", &error));
  state = postgres_exec (conninfo,
                         "CREATE FUNCTION refuse_at_commit () RETURNS trigger"
                         " LANGUAGE plpgsql AS $$ BEGIN"
                         " IF NEW.type = 'Refused' THEN RAISE EXCEPTION 'refused at commit';"
                         " END IF; RETURN NULL; END $$;"
                         "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON ql_events"
                         " DEFERRABLE INITIALLY DEFERRED"
                         " FOR EACH ROW EXECUTE FUNCTION refuse_at_commit ()");
  ck_assert_ptr_null (state);

  ck_assert (!append_one (store, "Cash", 1, "Refused", "{}", &error));
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_ptr_nonnull (strstr (error->message, "refused at commit"));
  g_clear_error (&error);
  ck_assert_int_eq (ql_test_head_position (store), 1);

  ck_assert (append_one (store, "Cash", 1, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);
  assert_heads (store, "Cash=2");
  ck_assert_int_eq (ql_test_head_position (store), 2);
}
END_TEST

/* A proxy between a store and the test cluster, on a Unix socket of its
 * own, that can cut a connection: at the next bytes the server sends
 * (the commit went in, its answer is lost) or at the next bytes the
 * client sends (the server never sees them). */
typedef struct
{
  char      *dir;
  char      *upstream;
  int        listen_fd;
  GThread   *acceptor;
  GPtrArray *relays;
  GMutex     lock;
  gint       cut_reply;
  gint       cut_request;
  gint       stop;
} CutProxy;

typedef struct
{
  CutProxy *proxy;
  int       client;
  int       server;
} Relay;

/* What cut_reply asks for: the next bytes the server sends, or those
 * that answer the next request holding a COMMIT. */
enum { CUT_NEXT_REPLY = 1, CUT_COMMIT_REPLY = 2 };

/* Protocol messages hold NULs: no string search. */
static gboolean
holds_commit (const char *bytes,
              gsize       length)
{
  for (gsize i = 0; i + 6 <= length; i++)
    if (memcmp (bytes + i, "COMMIT", 6) == 0)
      return TRUE;
  return FALSE;
}

/* Copies what one side sent to the other; FALSE once it is closed. A
 * request holding a COMMIT arms @proxy's cut of the next reply, when
 * asked to. */
static gboolean
relay_bytes (CutProxy *proxy,
             int       from,
             int       to)
{
  char buffer[16384];
  ssize_t n = read (from, buffer, sizeof buffer);

  if (n <= 0)
    return FALSE;
  if (g_atomic_int_get (&proxy->cut_reply) == CUT_COMMIT_REPLY &&
      holds_commit (buffer, n))
    g_atomic_int_set (&proxy->cut_reply, CUT_NEXT_REPLY);
  for (ssize_t done = 0; done < n;)
    {
      ssize_t written = write (to, buffer + done, n - done);

      if (written <= 0)
        return FALSE;
      done += written;
    }
  return TRUE;
}

static gpointer
relay_thread (gpointer data)
{
  Relay *relay = data;

  while (!g_atomic_int_get (&relay->proxy->stop))
    {
      struct pollfd fds[] = { { relay->client, POLLIN, 0 }, { relay->server, POLLIN, 0 } };

      if (poll (fds, G_N_ELEMENTS (fds), 50) <= 0)
        continue;
      if (fds[0].revents != 0 &&
          (g_atomic_int_compare_and_exchange (&relay->proxy->cut_request, 1, 0) ||
           !relay_bytes (relay->proxy, relay->client, relay->server)))
        break;
      if (fds[1].revents != 0 &&
          (g_atomic_int_compare_and_exchange (&relay->proxy->cut_reply, CUT_NEXT_REPLY, 0) ||
           !relay_bytes (relay->proxy, relay->server, relay->client)))
        break;
    }
  close (relay->client);
  close (relay->server);
  g_free (relay);
  return NULL;
}

static int
unix_socket (const char *path,
             gboolean    listening)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  ck_assert_int_ge (fd, 0);
  ck_assert_uint_lt (strlen (path), sizeof address.sun_path);
  strcpy (address.sun_path, path);
  if (listening)
    ck_assert_int_eq (bind (fd, (struct sockaddr *) &address, sizeof address), 0);
  else if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static gpointer
acceptor_thread (gpointer data)
{
  CutProxy *proxy = data;

  while (!g_atomic_int_get (&proxy->stop))
    {
      struct pollfd fds[] = { { proxy->listen_fd, POLLIN, 0 } };
      Relay *relay;
      int client, server;

      if (poll (fds, 1, 50) <= 0)
        continue;
      client = accept (proxy->listen_fd, NULL, NULL);
      if (client < 0)
        continue;
      server = unix_socket (proxy->upstream, FALSE);
      if (server < 0)
        {
          close (client);
          continue;
        }
      relay = g_new (Relay, 1);
      *relay = (Relay) { proxy, client, server };
      g_mutex_lock (&proxy->lock);
      g_ptr_array_add (proxy->relays, g_thread_new ("relay", relay_thread, relay));
      g_mutex_unlock (&proxy->lock);
    }
  return NULL;
}

/* Listens in @dir as a server on port 5432 would, and relays to the
 * test cluster's socket. */
static CutProxy *
cut_proxy_new (const char *dir)
{
  CutProxy *proxy = g_new0 (CutProxy, 1);
  PQconninfoOption *options = PQconninfoParse (ql_test_postgres_conninfo (), NULL);
  g_autofree char *path = g_build_filename (dir, ".s.PGSQL.5432", NULL);

  ck_assert_ptr_nonnull (options);
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (strcmp (option->keyword, "host") == 0)
      proxy->upstream = g_build_filename (option->val, ".s.PGSQL.5432", NULL);
  PQconninfoFree (options);
  ck_assert_ptr_nonnull (proxy->upstream);

  proxy->dir = g_strdup (dir);
  proxy->relays = g_ptr_array_new ();
  g_mutex_init (&proxy->lock);
  proxy->listen_fd = unix_socket (path, TRUE);
  ck_assert_int_eq (listen (proxy->listen_fd, 16), 0);
  proxy->acceptor = g_thread_new ("acceptor", acceptor_thread, proxy);
  return proxy;
}

static void
cut_proxy_free (CutProxy *proxy)
{
  g_atomic_int_set (&proxy->stop, 1);
  g_thread_join (proxy->acceptor);
  for (guint i = 0; i < proxy->relays->len; i++)
    g_thread_join (g_ptr_array_index (proxy->relays, i));
  g_ptr_array_unref (proxy->relays);
  g_mutex_clear (&proxy->lock);
  close (proxy->listen_fd);
  g_free (proxy->upstream);
  g_free (proxy->dir);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CutProxy, cut_proxy_free)

/* A connection lost after the commit was sent and before its answer
 * came: the store finds out from the append's token that it went in, so
 * a deposit counts once and its caller is told it worked; lost before
 * the server saw it, the append says nothing was written. */
START_TEST (test_postgres_lost_commit)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *proxy_dir = g_build_filename (dir, "proxy", NULL);
  g_autofree char *conninfo = ql_test_postgres_database (dir);
  g_autofree char *proxied = NULL;
  g_autoptr(CutProxy) proxy = NULL;
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(QlEvent) opened = NULL;
  g_autoptr(QlEvent) deposited = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const QlNewEvent two[] = {
    { "Deposited", "{\"amount\":100}" },
    { "Deposited", "{\"amount\":200}" },
  };
  QlEventRecord records[2];

  ck_assert_int_eq (g_mkdir (proxy_dir, 0700), 0);
  proxy = cut_proxy_new (proxy_dir);
  /* The later host= wins. */
  proxied = g_strdup_printf ("%s host=%s", conninfo, proxy_dir);
  store = ql_store_open (proxied, &error);
  assert_no_error (error);
  book = ql_ledger_book_new (store, &error);
  assert_no_error (error);
  opened = ql_ledger_book_open_account (book, "Cash", NULL, &error);
  assert_no_error (error);

  /* One event: the pipelined append, whose one reply comes after the
   * commit. */
  g_atomic_int_set (&proxy->cut_reply, CUT_NEXT_REPLY);
  deposited = ql_ledger_book_deposit (book, "Cash", "5", &error);
  assert_no_error (error);
  ck_assert_ptr_nonnull (deposited);
  ck_assert_int_eq (g_atomic_int_get (&proxy->cut_reply), 0);
  ck_assert_int_eq (ql_event_get_version (deposited), 2);
  ck_assert_int_eq (ql_event_get_position (deposited), 2);
  ck_assert_int_eq (ql_test_balance_of (book, "Cash"), 5);

  /* Several events: a transaction, whose COMMIT's answer is lost. */
  g_atomic_int_set (&proxy->cut_reply, CUT_COMMIT_REPLY);
  ck_assert (ql_event_store_append (store, "Cash", 2, two, G_N_ELEMENTS (two), records,
                                    &error));
  assert_no_error (error);
  ck_assert_int_eq (g_atomic_int_get (&proxy->cut_reply), 0);
  ck_assert_int_eq (records[0].position, 3);
  ck_assert_int_eq (records[1].position, 4);

  /* The server never saw it: nothing was written, and the answer says so. */
  g_atomic_int_set (&proxy->cut_request, 1);
  ck_assert (!append_one (store, "Cash", 4, "Deposited", "{\"amount\":1}", &error));
  assert_store_error (error, QL_STORE_ERROR_FAILED);
  ck_assert_ptr_nonnull (strstr (error->message, "nothing was written"));
  g_clear_error (&error);
  ck_assert_int_eq (ql_test_head_position (store), 4);
  ck_assert (append_one (store, "Cash", 4, "Deposited", "{\"amount\":1}", &error));
  assert_no_error (error);

  events = read_ledger (store, "Cash", 0, 0);
  text = describe (events);
  ck_assert_str_eq (text, "Cash/v1@p1:AccountOpened,Cash/v2@p2:Deposited,"
                    "Cash/v3@p3:Deposited,Cash/v4@p4:Deposited,Cash/v5@p5:Deposited");
}
END_TEST

/* Runs @sql on @conninfo; FALSE with @error set when it failed. */
static gboolean
postgres_try (const char  *conninfo,
              const char  *sql,
              GError     **error)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result = PQexec (conn, sql);
  gboolean ok = PQresultStatus (result) == PGRES_COMMAND_OK ||
                PQresultStatus (result) == PGRES_TUPLES_OK;

  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
  return ok;
}

/* Waits until @primary's commits wait for a synchronous standby. */
static gboolean
wait_for_synchronous_standby (const char  *primary,
                              GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!postgres_try (primary, "SELECT 1 / (count(*) = 1)::integer FROM pg_stat_replication"
                                 " WHERE sync_state = 'sync'", error))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_clear_error (error);
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }

  return TRUE;
}

/* What the failover test does between starting its clusters and
 * stopping them, whatever happens: an assertion in between would leave
 * the servers running. */
static gboolean
fail_over (QlTestPostgres  *primary,
           QlTestPostgres  *standby,
           GError         **error)
{
  g_autofree char *admin = g_strdup_printf ("host=%s user=ql dbname=postgres",
                                            ql_test_postgres_get_socket_dir (primary));
  g_autofree char *both = g_strdup_printf ("host=%s,%s user=ql dbname=postgres"
                                           " target_session_attrs=read-write",
                                           ql_test_postgres_get_socket_dir (primary),
                                           ql_test_postgres_get_socket_dir (standby));
  g_autoptr(QlEventStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 deadline;

  if (!postgres_try (admin, "ALTER SYSTEM SET synchronous_standby_names = '*'", error) ||
      !postgres_try (admin, "SELECT pg_reload_conf()", error) ||
      !wait_for_synchronous_standby (admin, error))
    return FALSE;

  store = ql_store_open (both, error);
  if (store == NULL)
    return FALSE;
  for (gint64 version = 0; version < 20; version++)
    if (!append_one (store, "Cash", version, "Deposited", "{\"amount\":1}", error))
      return FALSE;

  if (!ql_test_postgres_crash (primary, error) || !ql_test_postgres_promote (standby, error))
    return FALSE;

  /* The first append finds the connection lost; a later one connects to
   * whichever host takes writes. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!append_one (store, "Cash", 20, "Deposited", "{\"amount\":1}", error))
    {
      if (g_get_monotonic_time () >= deadline ||
          !g_error_matches (*error, QL_STORE_ERROR, QL_STORE_ERROR_FAILED))
        return FALSE;
      g_clear_error (error);
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    }

  events = ql_event_store_collect_log (store, 1, 0, error);
  if (events == NULL)
    return FALSE;
  for (guint i = 0; i < events->len; i++)
    if (ql_event_get_position (events->pdata[i]) != i + 1 ||
        ql_event_get_version (events->pdata[i]) != i + 1)
      break;
  if (events->len != 21 || ql_event_store_is_read_only (store))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the new primary holds %u events, not 21 in order, or is read-only",
                   events->len);
      return FALSE;
    }

  return TRUE;
}

/* A primary and a streaming standby whose commits are synchronous: the
 * primary crashes, the standby is promoted, and the store, given both
 * hosts with target_session_attrs=read-write, goes on on the new primary
 * with every acknowledged event. */
START_TEST (test_postgres_failover)
{
  g_autoptr(GError) error = NULL;
  QlTestPostgres *primary = ql_test_postgres_start (&error);
  QlTestPostgres *standby = NULL;
  gboolean ok = FALSE;

  if (primary != NULL)
    standby = ql_test_postgres_start_standby (primary, &error);
  if (standby != NULL)
    ok = fail_over (primary, standby, &error);

  if (standby != NULL)
    ql_test_postgres_stop (standby);
  if (primary != NULL)
    ql_test_postgres_stop (primary);
  ck_assert_msg (ok, "%s", error != NULL ? error->message : "");
}
END_TEST

/* ---- Running ----------------------------------------------------------- */

static TCase *
store_case (const char  *name,
            const TTest *test)
{
  TCase *tcase = tcase_create (name);

  tcase_add_loop_test (tcase, test, STORE_MEMORY, N_STORE_KINDS);
  return tcase;
}

static Suite *
event_suite (void)
{
  Suite *suite = suite_create ("QlEvent");
  TCase *tcase;

  tcase = tcase_create ("properties");
  tcase_add_test (tcase, test_event_properties);
  tcase_add_test (tcase, test_event_copies_record);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("json");
  tcase_add_test (tcase, test_event_to_json);
  tcase_add_test (tcase, test_event_to_json_timestamps);
  tcase_add_test (tcase, test_event_to_json_bad_payload);
  suite_add_tcase (suite, tcase);

  return suite;
}

static Suite *
event_store_suite (void)
{
  Suite *suite = suite_create ("QlEventStore");

  suite_add_tcase (suite, store_case ("append-read", test_append_and_read_in_order));
  suite_add_tcase (suite, store_case ("append-positions", test_append_reports_positions));
  suite_add_tcase (suite, store_case ("versions-positions",
                                      test_versions_per_ledger_positions_global));
  suite_add_tcase (suite, store_case ("conflict", test_conflict_writes_nothing));
  suite_add_tcase (suite, store_case ("append-nothing", test_append_nothing_is_refused));
  suite_add_tcase (suite, store_case ("read-ledger-ranges", test_read_ledger_ranges));
  suite_add_tcase (suite, store_case ("read-log-paging", test_read_log_paging));
  suite_add_tcase (suite, store_case ("list-ledgers", test_list_ledgers));
  suite_add_tcase (suite, store_case ("snapshots", test_snapshots));
  suite_add_tcase (suite, store_case ("find-reference", test_find_reference));
  suite_add_tcase (suite, store_case ("early-stop", test_scans_stop_early));
  suite_add_tcase (suite, store_case ("nested-scans", test_nested_scans));
  suite_add_tcase (suite, store_case ("large-batch", test_large_batch));
  suite_add_tcase (suite, store_case ("append-batch", test_append_batch));
  suite_add_tcase (suite, store_case ("append-group", test_append_group_refuses_parts_alone));

  return suite;
}

static Suite *
sqlite_event_store_suite (void)
{
  Suite *suite = suite_create ("QlSqliteEventStore");
  TCase *tcase;

  tcase = tcase_create ("persistence");
  tcase_add_test (tcase, test_sqlite_persists_across_reopen);
  tcase_add_test (tcase, test_sqlite_checkpoints);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("file");
  tcase_add_test (tcase, test_sqlite_modes);
  tcase_add_test (tcase, test_sqlite_settings);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("immutable");
  tcase_add_test (tcase, test_sqlite_triggers);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("refused-files");
  tcase_add_test (tcase, test_sqlite_too_new);
  tcase_add_test (tcase, test_sqlite_text_file_is_corrupt);
  tcase_add_test (tcase, test_sqlite_foreign_database_is_refused);
  tcase_add_test (tcase, test_sqlite_folder_is_refused);
  tcase_add_test (tcase, test_sqlite_special_files_are_refused);
  tcase_add_test (tcase, test_sqlite_foreign_files_are_refused);
  tcase_add_test (tcase, test_store_errno_messages);
  tcase_add_test (tcase, test_sqlite_references_of_other_writers);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("read-only");
  tcase_add_test (tcase, test_sqlite_read_only_file);
  tcase_add_test (tcase, test_sqlite_read_only_folder);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("shared-file");
  tcase_add_test (tcase, test_sqlite_two_stores_one_file);
  suite_add_tcase (suite, tcase);

  /* Waits out the five-second busy timeout. */
  tcase = tcase_create ("failures");
  tcase_set_timeout (tcase, 30);
  tcase_add_test (tcase, test_sqlite_busy);
  tcase_add_test (tcase, test_sqlite_failed_write_rolls_back);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("locations");
  tcase_add_test (tcase, test_open_memory);
  tcase_add_test (tcase, test_open_default_location);
  tcase_add_test (tcase, test_open_home_relative);
  tcase_add_test (tcase, test_open_cwd_relative);
  suite_add_tcase (suite, tcase);

  return suite;
}

static Suite *
postgres_event_store_suite (void)
{
  Suite *suite = suite_create ("QlPostgresEventStore");
  TCase *tcase;

  tcase = tcase_create ("open");
  tcase_add_test (tcase, test_postgres_persists_across_reopen);
  tcase_add_test (tcase, test_postgres_too_new);
  tcase_add_test (tcase, test_postgres_upgrades_version_1);
  tcase_add_test (tcase, test_postgres_locations);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("immutable");
  tcase_add_test (tcase, test_postgres_triggers);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("log-order");
  tcase_add_test (tcase, test_postgres_log_never_skips);
  tcase_set_timeout (tcase, 120);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("notifications");
  tcase_add_test (tcase, test_postgres_notifies_appends);
  tcase_add_test (tcase, test_postgres_append_source);
  tcase_add_test (tcase, test_postgres_read_only_has_no_append_source);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("failover");
  tcase_add_test (tcase, test_postgres_failover);
  tcase_set_timeout (tcase, 120);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("faults");
  tcase_add_test (tcase, test_postgres_read_only_server);
  tcase_add_test (tcase, test_postgres_read_only_empty_database);
  tcase_add_test (tcase, test_postgres_server_down);
  tcase_add_test (tcase, test_postgres_passwords);
  tcase_add_test (tcase, test_postgres_lock_timeout);
  tcase_add_test (tcase, test_postgres_statement_timeout);
  tcase_add_test (tcase, test_postgres_disk_full);
  tcase_add_test (tcase, test_postgres_reconnects);
  tcase_add_test (tcase, test_postgres_lost_commit);
  tcase_add_test (tcase, test_postgres_commit_refused);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  QlTestPostgres *cluster = ql_test_postgres_start (&error);
  int status;

  /* Never skipped: a machine that runs the tests can run PostgreSQL. */
  if (cluster == NULL)
    {
      g_printerr ("Could not start a PostgreSQL cluster for the tests: %s\n", error->message);
      return EXIT_FAILURE;
    }

  status = ql_test_run_in_dir ("ql-test-event-store", event_suite (),
                               event_store_suite (), sqlite_event_store_suite (),
                               postgres_event_store_suite (), NULL);
  ql_test_postgres_stop (cluster);
  return status;
}
