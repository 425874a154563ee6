/* test-ledger-events.c: the event vocabulary: payloads written and read back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "ql-ledger-events-private.h"
#include "ql-test-model.h"

static QlEventRecord
make_record (gint64      version,
             const char *type,
             const char *payload)
{
  return (QlEventRecord) {
    .position = version,
    .ledger = "L",
    .version = version,
    .type = type,
    .timestamp = 1700000000000000,
    .payload = payload,
  };
}

static QlEvent *
make_event (gint64      version,
            const char *type,
            const char *payload)
{
  QlEventRecord record = make_record (version, type, payload);

  return ql_event_new_from_record (&record);
}

/* Stored payloads keep their bytes: older and newer versions read them. */
START_TEST (test_writers_keep_the_stored_bytes)
{
  g_autofree char *plain = _ql_change_payload_write (150, 0, NULL);
  g_autofree char *undo = _ql_change_payload_write (30, 4, NULL);
  g_autofree char *paid = _ql_change_payload_write (999, 0, "order \"7\"");
  g_autofree char *usd = _ql_account_opened_payload_write ("USD");
  g_autofree char *units = _ql_account_opened_payload_write (NULL);
  g_autofree char *item = _ql_item_created_payload_write ("Laptop", 10);

  ck_assert_str_eq (plain, "{\"amount\":150}");
  ck_assert_str_eq (undo, "{\"amount\":30,\"reverses\":4}");
  ck_assert_str_eq (paid, "{\"amount\":999,\"reference\":\"order \\\"7\\\"\"}");
  ck_assert_str_eq (usd, "{\"currency\":\"USD\"}");
  ck_assert_str_eq (units, "{\"currency\":null}");
  ck_assert_str_eq (item, "{\"name\":\"Laptop\",\"quantity\":10}");
}
END_TEST

START_TEST (test_writers_read_back)
{
  g_autofree char *change = _ql_change_payload_write (G_MAXINT64, 0, "r");
  g_autofree char *undo = _ql_change_payload_write (30, 4, NULL);
  g_autofree char *usd = _ql_account_opened_payload_write ("USD");
  g_autofree char *item = _ql_item_created_payload_write ("Café \"Ü\"", 0);
  QlEventRecord change_record = make_record (2, QL_EVENT_WITHDRAWN, change);
  QlEventRecord undo_record = make_record (5, QL_EVENT_WITHDRAWN, undo);
  QlEventRecord usd_record = make_record (1, QL_EVENT_ACCOUNT_OPENED, usd);
  QlEventRecord item_record = make_record (1, QL_EVENT_ITEM_CREATED, item);
  QlLedgerKind kind = QL_LEDGER_KIND_ITEM;
  const char *currency = NULL;
  guint decimals = 0;
  gint64 quantity = -1;
  gint64 amount = 0;
  gint64 reverses = -1;

  ck_assert (_ql_event_record_read_change (&change_record, &amount, &reverses, NULL));
  ck_assert_int_eq (amount, G_MAXINT64);
  ck_assert_int_eq (reverses, 0);
  ck_assert (_ql_event_record_read_change (&undo_record, &amount, &reverses, NULL));
  ck_assert_int_eq (amount, 30);
  ck_assert_int_eq (reverses, 4);

  ck_assert (_ql_event_record_read_opening (&usd_record, &kind, &currency, &decimals,
                                            &quantity, NULL));
  ck_assert_int_eq (kind, QL_LEDGER_KIND_ACCOUNT);
  ck_assert_str_eq (currency, "USD");
  ck_assert_uint_eq (decimals, 2);
  ck_assert_int_eq (quantity, 0);

  ck_assert (_ql_event_record_read_opening (&item_record, &kind, &currency, &decimals,
                                            &quantity, NULL));
  ck_assert_int_eq (kind, QL_LEDGER_KIND_ITEM);
  ck_assert_ptr_null (currency);
  ck_assert_int_eq (quantity, 0);
}
END_TEST

START_TEST (test_event_accessors)
{
  static const struct {
    gint64      version;
    const char *type;
    const char *payload;
    gint64      amount;
    gint64      signed_amount;
    gint64      reverses;
  } cases[] = {
    { 1, QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"USD\"}", 0, 0, 0 },
    { 1, QL_EVENT_ITEM_CREATED, "{\"name\":\"Laptop\",\"quantity\":10}", 10, 10, 0 },
    { 2, QL_EVENT_DEPOSITED, "{\"amount\":100}", 100, 100, 0 },
    { 3, QL_EVENT_WITHDRAWN, "{\"amount\":30}", 30, -30, 0 },
    { 5, QL_EVENT_WITHDRAWN, "{\"amount\":30,\"reverses\":4}", 30, -30, 4 },
    { 5, QL_EVENT_QUANTITY_DECREASED, "{\"amount\":3,\"reverses\":2}", 3, -3, 2 },
    { 6, QL_EVENT_QUANTITY_INCREASED, "{\"amount\":3,\"reverses\":5}", 3, 3, 5 },
    /* json-glib's path, with white space and members in another order. */
    { 7, QL_EVENT_DEPOSITED, " { \"reverses\" : 6 , \"amount\" : 8 } ", 8, 8, 6 },
    { 2, QL_EVENT_WITHDRAWN, "{\"amount\":9223372036854775807}", G_MAXINT64, -G_MAXINT64, 0 },
    { 2, QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reference\":\"a\\\"b\"}", 5, -5, 0 },
    /* Huge numbers that are not integers, or are inside strings, are no harm. */
    { 2, QL_EVENT_WITHDRAWN, "{\"amount\":5,\"pad\":1e400,\"r\":\"99999999999999999999\"}", 5, -5, 0 },
    { 2, QL_EVENT_WITHDRAWN, "{\"amount\":5,\"pad\":-99999999999999999999.5}", 5, -5, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(QlEvent) event = make_event (cases[i].version, cases[i].type, cases[i].payload);

      ck_assert_msg (ql_event_get_amount (event) == cases[i].amount, "case %zu", i);
      ck_assert_msg (ql_event_get_signed_amount (event) == cases[i].signed_amount, "case %zu", i);
      ck_assert_msg (ql_event_get_reverses (event) == cases[i].reverses, "case %zu", i);
    }
}
END_TEST

typedef struct
{
  const char *type;
  const char *payload;
  /* What ql_event_get_amount() still reads, when only "reverses" is bad. */
  gint64      amount;
} HostileChange;

static const HostileChange hostile_changes[] = {
  { QL_EVENT_DEPOSITED, "not json", 0 },
  { QL_EVENT_DEPOSITED, "", 0 },
  { QL_EVENT_DEPOSITED, "[150]", 0 },
  { QL_EVENT_DEPOSITED, "150", 0 },
  { QL_EVENT_DEPOSITED, "null", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":150", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":150}}", 0 },
  { QL_EVENT_DEPOSITED, "{}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":\"150\"}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":150.0}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":1.5e2}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":true}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":null}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":[150]}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":{\"minor\":150}}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":0}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":-150}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":9223372036854775808}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":-9223372036854775809}", 0 },
  { QL_EVENT_DEPOSITED, "{\"amount\":99999999999999999999999999999999999999}", 0 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":\"4\"}", 5 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":4.0}", 5 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":null}", 5 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":1}", 5 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":-4}", 5 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":10}", 5 },
  /* json-glib would wrap it around: no integer of the payload is trusted. */
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":9223372036854775808}", 0 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"pad\":[18446744073709551621]}", 0 },
  { QL_EVENT_WITHDRAWN, "{\"amount\":18446744073709551621,\"pad\":\"5\"}", 0 },
  { QL_EVENT_ITEM_CREATED, "{\"amount\":5}", 0 },
  { QL_EVENT_ACCOUNT_OPENED, "{\"amount\":5}", 0 },
  { "Teleported", "{\"amount\":5}", 0 },
};

/* A hostile payload is damage to report, never a crash or a number. */
START_TEST (test_hostile_change_payloads)
{
  const HostileChange *hostile = &hostile_changes[_i];
  QlEventRecord record = make_record (9, hostile->type, hostile->payload);
  g_autoptr(QlEvent) event = ql_event_new_from_record (&record);
  g_autoptr(GError) error = NULL;
  gint64 amount = -1;
  gint64 reverses = -1;

  ck_assert (!_ql_event_record_read_change (&record, &amount, &reverses, &error));
  ck_assert_msg (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT),
                 "%s", error != NULL ? error->message : "no error");
  ck_assert_ptr_nonnull (strstr (error->message, "Event 9 of ledger “L” is damaged"));
  ck_assert_int_eq (amount, -1);
  ck_assert_int_eq (reverses, -1);

  ck_assert_int_eq (ql_event_get_amount (event), hostile->amount);
  ck_assert_int_eq (ql_event_get_reverses (event), 0);
}
END_TEST

static const char * const hostile_openings[] = {
  "not json",
  "[]",
  "{\"currency\":\"XYZ\"}",
  "{\"currency\":840}",
  "{\"currency\":[\"USD\"]}",
};

static const char * const hostile_items[] = {
  "{\"name\":\"Laptop\",\"quantity\":-1}",
  "{\"name\":\"Laptop\",\"quantity\":\"10\"}",
  "{\"name\":\"Laptop\",\"quantity\":1.5}",
  "{\"name\":\"Laptop\",\"quantity\":9223372036854775808}",
  "{\"name\":\"Laptop\",\"quantity\":null}",
  "{\"name\":\"Laptop\"}",
  "{\"name\":\"Laptop\",\"quantity\":10",
};

START_TEST (test_hostile_account_payloads)
{
  QlEventRecord record = make_record (1, QL_EVENT_ACCOUNT_OPENED, hostile_openings[_i]);
  g_autoptr(GError) error = NULL;
  QlLedgerKind kind;
  const char *currency;
  guint decimals;
  gint64 quantity;

  ck_assert (!_ql_event_record_read_opening (&record, &kind, &currency, &decimals, &quantity,
                                             &error));
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
}
END_TEST

START_TEST (test_hostile_item_payloads)
{
  QlEventRecord record = make_record (1, QL_EVENT_ITEM_CREATED, hostile_items[_i]);
  g_autoptr(QlEvent) event = ql_event_new_from_record (&record);
  g_autoptr(GError) error = NULL;
  QlLedgerKind kind;
  const char *currency;
  guint decimals;
  gint64 quantity;

  ck_assert (!_ql_event_record_read_opening (&record, &kind, &currency, &decimals, &quantity,
                                             &error));
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  ck_assert_int_eq (ql_event_get_amount (event), 0);
  ck_assert_int_eq (ql_event_get_signed_amount (event), 0);
}
END_TEST

START_TEST (test_opening_types_are_not_changes)
{
  QlEventRecord opened = make_record (1, QL_EVENT_ACCOUNT_OPENED, "{\"currency\":null}");
  QlEventRecord deposit = make_record (1, QL_EVENT_DEPOSITED, "{\"amount\":5}");
  QlEventRecord unknown = make_record (1, "Teleported", "{}");
  g_autoptr(GError) change_error = NULL;
  g_autoptr(GError) opening_error = NULL;
  g_autoptr(GError) unknown_error = NULL;
  QlLedgerKind kind;
  const char *currency;
  guint decimals;
  gint64 quantity;
  gint64 amount;

  ck_assert (!_ql_event_record_read_change (&opened, &amount, NULL, &change_error));
  ck_assert_str_eq (change_error->message,
                    "Event 1 of ledger “L” is damaged: “AccountOpened” only opens a ledger");
  ck_assert (!_ql_event_record_read_opening (&deposit, &kind, &currency, &decimals, &quantity,
                                             &opening_error));
  ck_assert_str_eq (opening_error->message,
                    "Event 1 of ledger “L” is damaged: “Deposited” cannot open a ledger");
  ck_assert (!_ql_event_record_read_opening (&unknown, &kind, &currency, &decimals, &quantity,
                                             &unknown_error));
  ck_assert_str_eq (unknown_error->message,
                    "Event 1 of ledger “L” is damaged: its type “Teleported” is unknown: "
                    "it was written by a newer version");
}
END_TEST

START_TEST (test_change_types)
{
  const QlChangeType *deposit = _ql_change_type_find (QL_EVENT_DEPOSITED);
  const QlChangeType *decrease = _ql_change_type_find (QL_EVENT_QUANTITY_DECREASED);

  ck_assert_ptr_nonnull (deposit);
  ck_assert_int_eq (deposit->kind, QL_LEDGER_KIND_ACCOUNT);
  ck_assert_int_eq (deposit->sign, +1);
  ck_assert_str_eq (deposit->opposite, QL_EVENT_WITHDRAWN);
  ck_assert_ptr_nonnull (decrease);
  ck_assert_int_eq (decrease->kind, QL_LEDGER_KIND_ITEM);
  ck_assert_int_eq (decrease->sign, -1);
  ck_assert_ptr_null (_ql_change_type_find (QL_EVENT_ACCOUNT_OPENED));
  ck_assert_ptr_null (_ql_change_type_find (QL_EVENT_ITEM_CREATED));
  ck_assert_ptr_null (_ql_change_type_find ("Teleported"));
  ck_assert_ptr_null (_ql_change_type_find (NULL));
}
END_TEST

static Suite *
ledger_events_suite (void)
{
  Suite *suite = suite_create ("QlLedgerEvents");
  TCase *tc;

  tc = tcase_create ("writers");
  tcase_add_test (tc, test_writers_keep_the_stored_bytes);
  tcase_add_test (tc, test_writers_read_back);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("readers");
  tcase_add_test (tc, test_event_accessors);
  tcase_add_test (tc, test_opening_types_are_not_changes);
  tcase_add_test (tc, test_change_types);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("hostile payloads");
  tcase_add_loop_test (tc, test_hostile_change_payloads, 0, G_N_ELEMENTS (hostile_changes));
  tcase_add_loop_test (tc, test_hostile_account_payloads, 0, G_N_ELEMENTS (hostile_openings));
  tcase_add_loop_test (tc, test_hostile_item_payloads, 0, G_N_ELEMENTS (hostile_items));
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run (ledger_events_suite (), NULL);
}
