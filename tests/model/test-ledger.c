/* test-ledger.c: ledger state built from events, snapshots, names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ql-event-store.h"
#include "ql-ledger-events-private.h"
#include "ql-ledger-private.h"
#include "ql-test-model.h"

static QlEventRecord
make_record (const char *ledger,
             gint64      version,
             const char *type,
             const char *payload)
{
  QlEventRecord record = { version, ledger, version, type, 1700000000000000 + version, payload };

  return record;
}

static QlLedger *
open_ledger (const char *name,
             const char *type,
             const char *payload)
{
  QlEventRecord record = make_record (name, 1, type, payload);
  g_autoptr(GError) error = NULL;
  QlLedger *ledger = _ql_ledger_new_from_event (&record, &error);

  ck_assert_msg (ledger != NULL, "%s", error != NULL ? error->message : "");
  return ledger;
}

static void
apply_ok (QlLedger   *ledger,
          const char *type,
          const char *payload)
{
  QlEventRecord record = make_record (ql_ledger_get_name (ledger),
                                      ql_ledger_get_version (ledger) + 1, type, payload);
  g_autoptr(GError) error = NULL;

  ck_assert_msg (_ql_ledger_apply (ledger, &record, &error), "%s",
                 error != NULL ? error->message : "");
}

typedef struct
{
  guint balance;
  guint version;
  guint other;
} NotifyCount;

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  NotifyCount *count = user_data;

  if (g_strcmp0 (pspec->name, "balance") == 0)
    count->balance++;
  else if (g_strcmp0 (pspec->name, "version") == 0)
    count->version++;
  else
    count->other++;
}

START_TEST (test_bank_account_replay)
{
  g_autoptr(QlLedger) account = open_ledger ("Checking", QL_EVENT_ACCOUNT_OPENED,
                                             "{\"currency\":null}");
  g_autofree char *balance = NULL;

  ck_assert_int_eq (ql_ledger_get_kind (account), QL_LEDGER_KIND_ACCOUNT);
  ck_assert_str_eq (ql_ledger_get_name (account), "Checking");
  ck_assert_ptr_null (ql_ledger_get_currency (account));
  ck_assert_uint_eq (ql_ledger_get_decimals (account), 0);
  ck_assert_int_eq (ql_ledger_get_balance (account), 0);
  ck_assert_int_eq (ql_ledger_get_version (account), 1);

  apply_ok (account, QL_EVENT_DEPOSITED, "{\"amount\":100}");
  apply_ok (account, QL_EVENT_DEPOSITED, "{\"amount\":50}");
  apply_ok (account, QL_EVENT_WITHDRAWN, "{\"amount\":30}");
  apply_ok (account, QL_EVENT_DEPOSITED, "{\"amount\":30}");

  ck_assert_int_eq (ql_ledger_get_balance (account), 150);
  ck_assert_int_eq (ql_ledger_get_version (account), 5);
  balance = ql_ledger_format_balance (account);
  ck_assert_str_eq (balance, "150");
}
END_TEST

START_TEST (test_inventory_replay)
{
  g_autoptr(QlLedger) item = open_ledger ("Laptop", QL_EVENT_ITEM_CREATED,
                                          "{\"name\":\"Laptop\",\"quantity\":10}");
  g_autofree char *quantity = NULL;

  ck_assert_int_eq (ql_ledger_get_kind (item), QL_LEDGER_KIND_ITEM);
  ck_assert_int_eq (ql_ledger_get_balance (item), 10);
  apply_ok (item, QL_EVENT_QUANTITY_INCREASED, "{\"amount\":5}");
  apply_ok (item, QL_EVENT_QUANTITY_DECREASED, "{\"amount\":3}");
  ck_assert_int_eq (ql_ledger_get_balance (item), 12);
  ck_assert_int_eq (ql_ledger_get_version (item), 3);
  quantity = ql_ledger_format_balance (item);
  ck_assert_str_eq (quantity, "12");
}
END_TEST

START_TEST (test_currency_accounts)
{
  g_autoptr(QlLedger) usd = open_ledger ("Dollars", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"USD\"}");
  g_autoptr(QlLedger) jpy = open_ledger ("Yen", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"jpy\"}");
  g_autoptr(QlLedger) kwd = open_ledger ("Dinar", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"KWD\"}");
  g_autofree char *usd_balance = NULL;
  g_autofree char *jpy_balance = NULL;
  g_autofree char *kwd_balance = NULL;
  g_autofree char *usd_amount = NULL;

  ck_assert_str_eq (ql_ledger_get_currency (usd), "USD");
  ck_assert_uint_eq (ql_ledger_get_decimals (usd), 2);
  ck_assert_str_eq (ql_ledger_get_currency (jpy), "JPY");
  ck_assert_uint_eq (ql_ledger_get_decimals (jpy), 0);
  ck_assert_uint_eq (ql_ledger_get_decimals (kwd), 3);

  apply_ok (usd, QL_EVENT_DEPOSITED, "{\"amount\":15000}");
  apply_ok (jpy, QL_EVENT_DEPOSITED, "{\"amount\":1500}");
  apply_ok (kwd, QL_EVENT_DEPOSITED, "{\"amount\":1234}");

  usd_balance = ql_ledger_format_balance (usd);
  jpy_balance = ql_ledger_format_balance (jpy);
  kwd_balance = ql_ledger_format_balance (kwd);
  usd_amount = ql_ledger_format_amount (usd, 5);
  ck_assert_str_eq (usd_balance, "150.00 USD");
  ck_assert_str_eq (jpy_balance, "1500 JPY");
  ck_assert_str_eq (kwd_balance, "1.234 KWD");
  ck_assert_str_eq (usd_amount, "0.05 USD");
}
END_TEST

START_TEST (test_parse_amount_by_kind)
{
  g_autoptr(QlLedger) usd = open_ledger ("Dollars", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"USD\"}");
  g_autoptr(QlLedger) item = open_ledger ("Laptop", QL_EVENT_ITEM_CREATED,
                                          "{\"name\":\"Laptop\",\"quantity\":0}");
  g_autoptr(GError) item_error = NULL;
  g_autoptr(GError) zero_error = NULL;
  gint64 minor = 0;

  ck_assert (ql_ledger_parse_amount (usd, "99.99", &minor, NULL));
  ck_assert_int_eq (minor, 9999);
  ck_assert (ql_ledger_parse_amount (item, "3", &minor, NULL));
  ck_assert_int_eq (minor, 3);
  ck_assert (!ql_ledger_parse_amount (item, "1.5", &minor, &item_error));
  ck_assert_str_eq (item_error->message, "Invalid quantity “1.5”: use a whole number, digits only");
  ck_assert (!ql_ledger_parse_amount (item, "0", &minor, &zero_error));
  ck_assert (g_error_matches (zero_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT));
}
END_TEST

START_TEST (test_properties_notify_only_on_change)
{
  g_autoptr(QlLedger) item = open_ledger ("Laptop", QL_EVENT_ITEM_CREATED,
                                          "{\"name\":\"Laptop\",\"quantity\":10}");
  NotifyCount count = { 0 };
  g_autofree char *name = NULL;
  g_autofree char *currency = NULL;
  QlLedgerKind kind;
  guint decimals;
  gint64 balance;
  gint64 version;

  g_signal_connect (item, "notify", G_CALLBACK (count_notify_cb), &count);
  apply_ok (item, QL_EVENT_QUANTITY_INCREASED, "{\"amount\":5}");
  ck_assert_uint_eq (count.balance, 1);
  ck_assert_uint_eq (count.version, 1);
  ck_assert_uint_eq (count.other, 0);

  g_object_get (item, "name", &name, "kind", &kind, "currency", &currency,
                "decimals", &decimals, "balance", &balance, "version", &version, NULL);
  ck_assert_str_eq (name, "Laptop");
  ck_assert_int_eq (kind, QL_LEDGER_KIND_ITEM);
  ck_assert_ptr_null (currency);
  ck_assert_uint_eq (decimals, 0);
  ck_assert_int_eq (balance, 15);
  ck_assert_int_eq (version, 2);
}
END_TEST

START_TEST (test_kind_enum_type)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (QL_TYPE_LEDGER_KIND);
  g_autoptr(GTypeClass) ledger_class = g_type_class_ref (QL_TYPE_LEDGER);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (ledger_class), "kind");

  ck_assert (G_TYPE_IS_ENUM (QL_TYPE_LEDGER_KIND));
  ck_assert_str_eq (g_enum_get_value (enum_class, QL_LEDGER_KIND_ACCOUNT)->value_nick, "account");
  ck_assert_str_eq (g_enum_get_value (enum_class, QL_LEDGER_KIND_ITEM)->value_nick, "item");
  ck_assert (pspec != NULL);
  ck_assert (G_PARAM_SPEC_VALUE_TYPE (pspec) == QL_TYPE_LEDGER_KIND);
  ck_assert ((pspec->flags & G_PARAM_WRITABLE) == 0);
}
END_TEST

typedef struct
{
  const char *type;
  const char *payload;
} BadEvent;

static const BadEvent bad_openings[] = {
  { QL_EVENT_DEPOSITED, "{\"amount\":5}" },
  { "Teleported", "{}" },
  { QL_EVENT_ACCOUNT_OPENED, "not json" },
  { QL_EVENT_ACCOUNT_OPENED, "[1,2]" },
  { QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"XYZ\"}" },
  { QL_EVENT_ACCOUNT_OPENED, "{\"currency\":5}" },
  { QL_EVENT_ITEM_CREATED, "{\"name\":\"Laptop\",\"quantity\":-1}" },
  { QL_EVENT_ITEM_CREATED, "{\"name\":\"Laptop\",\"quantity\":\"10\"}" },
  { QL_EVENT_ITEM_CREATED, "{\"name\":\"Laptop\",\"quantity\":1.5}" },
  { QL_EVENT_ITEM_CREATED, "{\"name\":\"Laptop\"}" },
};

START_TEST (test_bad_opening_is_damage)
{
  QlEventRecord record = make_record ("Broken", 1, bad_openings[_i].type, bad_openings[_i].payload);
  g_autoptr(GError) error = NULL;
  g_autoptr(QlLedger) ledger = _ql_ledger_new_from_event (&record, &error);

  ck_assert_ptr_null (ledger);
  ck_assert_msg (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT),
                 "%s", error != NULL ? error->message : "no error");
}
END_TEST

START_TEST (test_opening_must_be_version_one)
{
  QlEventRecord record = make_record ("Late", 2, QL_EVENT_ACCOUNT_OPENED, "{\"currency\":null}");
  g_autoptr(GError) error = NULL;
  g_autoptr(QlLedger) ledger = _ql_ledger_new_from_event (&record, &error);

  ck_assert_ptr_null (ledger);
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
}
END_TEST

static const BadEvent bad_changes[] = {
  { "Teleported", "{\"amount\":5}" },
  { QL_EVENT_QUANTITY_INCREASED, "{\"amount\":5}" },
  { QL_EVENT_ACCOUNT_OPENED, "{\"currency\":null}" },
  { QL_EVENT_DEPOSITED, "{\"amount\":0}" },
  { QL_EVENT_DEPOSITED, "{\"amount\":-5}" },
  { QL_EVENT_DEPOSITED, "{\"amount\":\"5\"}" },
  { QL_EVENT_DEPOSITED, "{\"amount\":5.5}" },
  { QL_EVENT_DEPOSITED, "{\"amount\":99999999999999999999}" },
  { QL_EVENT_DEPOSITED, "{}" },
  { QL_EVENT_DEPOSITED, "garbage" },
  { QL_EVENT_WITHDRAWN, "{\"amount\":101}" },
  { QL_EVENT_DEPOSITED, "{\"amount\":9223372036854775807}" },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":\"x\"}" },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":3}" },
  { QL_EVENT_WITHDRAWN, "{\"amount\":5,\"reverses\":1}" },
};

START_TEST (test_bad_change_is_damage)
{
  g_autoptr(QlLedger) account = open_ledger ("Checking", QL_EVENT_ACCOUNT_OPENED,
                                             "{\"currency\":null}");
  NotifyCount count = { 0 };
  QlEventRecord record;
  g_autoptr(GError) error = NULL;

  apply_ok (account, QL_EVENT_DEPOSITED, "{\"amount\":100}");
  g_signal_connect (account, "notify", G_CALLBACK (count_notify_cb), &count);

  record = make_record ("Checking", 3, bad_changes[_i].type, bad_changes[_i].payload);
  ck_assert (!_ql_ledger_apply (account, &record, &error));
  ck_assert_msg (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT),
                 "%s", error != NULL ? error->message : "no error");
  ck_assert_int_eq (ql_ledger_get_balance (account), 100);
  ck_assert_int_eq (ql_ledger_get_version (account), 2);
  ck_assert_uint_eq (count.balance + count.version + count.other, 0);
}
END_TEST

START_TEST (test_out_of_sequence_is_damage)
{
  g_autoptr(QlLedger) account = open_ledger ("Checking", QL_EVENT_ACCOUNT_OPENED,
                                             "{\"currency\":null}");
  QlEventRecord skipped = make_record ("Checking", 3, QL_EVENT_DEPOSITED, "{\"amount\":5}");
  QlEventRecord repeated = make_record ("Checking", 1, QL_EVENT_DEPOSITED, "{\"amount\":5}");
  QlEventRecord other = make_record ("Savings", 2, QL_EVENT_DEPOSITED, "{\"amount\":5}");
  g_autoptr(GError) skipped_error = NULL;
  g_autoptr(GError) repeated_error = NULL;
  g_autoptr(GError) other_error = NULL;

  ck_assert (!_ql_ledger_apply (account, &skipped, &skipped_error));
  ck_assert (g_error_matches (skipped_error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  ck_assert (!_ql_ledger_apply (account, &repeated, &repeated_error));
  ck_assert (g_error_matches (repeated_error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  ck_assert (!_ql_ledger_apply (account, &other, &other_error));
  ck_assert (g_error_matches (other_error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
  ck_assert_int_eq (ql_ledger_get_version (account), 1);
}
END_TEST

START_TEST (test_check_change_rules)
{
  g_autoptr(QlLedger) usd = open_ledger ("Checking", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"USD\"}");
  g_autoptr(QlLedger) item = open_ledger ("Laptop", QL_EVENT_ITEM_CREATED,
                                          "{\"name\":\"Laptop\",\"quantity\":12}");
  g_autoptr(GError) funds_error = NULL;
  g_autoptr(GError) quantity_error = NULL;
  g_autoptr(GError) account_kind_error = NULL;
  g_autoptr(GError) item_kind_error = NULL;
  g_autoptr(GError) overflow_error = NULL;

  apply_ok (usd, QL_EVENT_DEPOSITED, "{\"amount\":15000}");

  ck_assert (_ql_ledger_check_change (usd, QL_EVENT_WITHDRAWN, 15000, NULL));
  ck_assert (!_ql_ledger_check_change (usd, QL_EVENT_WITHDRAWN, 15001, &funds_error));
  ck_assert (g_error_matches (funds_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS));
  ck_assert_str_eq (funds_error->message,
                    "Cannot withdraw 150.01 USD from “Checking”: the balance is only 150.00 USD");

  ck_assert (_ql_ledger_check_change (item, QL_EVENT_QUANTITY_DECREASED, 12, NULL));
  ck_assert (!_ql_ledger_check_change (item, QL_EVENT_QUANTITY_DECREASED, 13, &quantity_error));
  ck_assert (g_error_matches (quantity_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_QUANTITY));
  ck_assert_str_eq (quantity_error->message,
                    "Cannot remove 13 from “Laptop”: the quantity is only 12");

  ck_assert (!_ql_ledger_check_change (usd, QL_EVENT_QUANTITY_INCREASED, 1, &account_kind_error));
  ck_assert (g_error_matches (account_kind_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_WRONG_KIND));
  ck_assert_str_eq (account_kind_error->message, "“Checking” is an account, not an inventory item");
  ck_assert (!_ql_ledger_check_change (item, QL_EVENT_DEPOSITED, 1, &item_kind_error));
  ck_assert (g_error_matches (item_kind_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_WRONG_KIND));
  ck_assert_str_eq (item_kind_error->message, "“Laptop” is an inventory item, not an account");

  ck_assert (!_ql_ledger_check_change (usd, QL_EVENT_DEPOSITED, G_MAXINT64, &overflow_error));
  ck_assert (g_error_matches (overflow_error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_AMOUNT));
}
END_TEST

START_TEST (test_signed_amounts)
{
  static const struct {
    const char *type;
    const char *payload;
    gint64      signed_amount;
  } cases[] = {
    { QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"USD\"}", 0 },
    { QL_EVENT_DEPOSITED, "{\"amount\":100}", 100 },
    { QL_EVENT_WITHDRAWN, "{\"amount\":30}", -30 },
    { QL_EVENT_WITHDRAWN, "{\"amount\":30,\"reverses\":4}", -30 },
    { QL_EVENT_ITEM_CREATED, "{\"name\":\"Laptop\",\"quantity\":10}", 10 },
    { QL_EVENT_QUANTITY_INCREASED, "{\"amount\":5}", 5 },
    { QL_EVENT_QUANTITY_DECREASED, "{\"amount\":3}", -3 },
    { "Teleported", "{\"amount\":3}", 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      QlEventRecord record = make_record ("L", 1, cases[i].type, cases[i].payload);
      g_autoptr(QlEvent) event = ql_event_new_from_record (&record);

      ck_assert_int_eq (ql_event_get_signed_amount (event), cases[i].signed_amount);
    }
}
END_TEST

START_TEST (test_undo_helpers)
{
  QlEventRecord plain = make_record ("L", 4, QL_EVENT_DEPOSITED, "{\"amount\":30}");
  QlEventRecord compensating = make_record ("L", 5, QL_EVENT_WITHDRAWN, "{\"amount\":30,\"reverses\":4}");
  gint64 amount = 0;
  gint64 reverses = -1;

  ck_assert (_ql_event_record_read_change (&plain, &amount, &reverses, NULL));
  ck_assert_int_eq (amount, 30);
  ck_assert_int_eq (reverses, 0);
  ck_assert (_ql_event_record_read_change (&compensating, &amount, &reverses, NULL));
  ck_assert_int_eq (reverses, 4);

  ck_assert_str_eq (_ql_event_type_get_opposite (QL_EVENT_DEPOSITED), QL_EVENT_WITHDRAWN);
  ck_assert_str_eq (_ql_event_type_get_opposite (QL_EVENT_WITHDRAWN), QL_EVENT_DEPOSITED);
  ck_assert_str_eq (_ql_event_type_get_opposite (QL_EVENT_QUANTITY_INCREASED),
                    QL_EVENT_QUANTITY_DECREASED);
  ck_assert_str_eq (_ql_event_type_get_opposite (QL_EVENT_QUANTITY_DECREASED),
                    QL_EVENT_QUANTITY_INCREASED);
  ck_assert_ptr_null (_ql_event_type_get_opposite (QL_EVENT_ACCOUNT_OPENED));
  ck_assert_ptr_null (_ql_event_type_get_opposite (QL_EVENT_ITEM_CREATED));
}
END_TEST

static void
assert_same_state (QlLedger *a,
                   QlLedger *b)
{
  ck_assert_str_eq (ql_ledger_get_name (a), ql_ledger_get_name (b));
  ck_assert_int_eq (ql_ledger_get_kind (a), ql_ledger_get_kind (b));
  ck_assert_str_eq (ql_ledger_get_currency (a) ? ql_ledger_get_currency (a) : "(none)",
                    ql_ledger_get_currency (b) ? ql_ledger_get_currency (b) : "(none)");
  ck_assert_uint_eq (ql_ledger_get_decimals (a), ql_ledger_get_decimals (b));
  ck_assert_int_eq (ql_ledger_get_balance (a), ql_ledger_get_balance (b));
  ck_assert_int_eq (ql_ledger_get_version (a), ql_ledger_get_version (b));
}

START_TEST (test_snapshot_round_trip)
{
  g_autoptr(QlLedger) usd = open_ledger ("Dollars", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"USD\"}");
  g_autoptr(QlLedger) plain = open_ledger ("Plain", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":null}");
  g_autoptr(QlLedger) item = open_ledger ("Laptop", QL_EVENT_ITEM_CREATED,
                                          "{\"name\":\"Laptop\",\"quantity\":10}");
  QlLedger *ledgers[3];

  apply_ok (usd, QL_EVENT_DEPOSITED, "{\"amount\":9223372036854775807}");
  apply_ok (plain, QL_EVENT_DEPOSITED, "{\"amount\":150}");
  apply_ok (item, QL_EVENT_QUANTITY_DECREASED, "{\"amount\":10}");
  ledgers[0] = usd;
  ledgers[1] = plain;
  ledgers[2] = item;

  for (guint i = 0; i < G_N_ELEMENTS (ledgers); i++)
    {
      g_autofree char *state = _ql_ledger_to_snapshot (ledgers[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(QlLedger) restored =
        _ql_ledger_new_from_snapshot (ql_ledger_get_name (ledgers[i]),
                                      ql_ledger_get_version (ledgers[i]), state, &error);
      g_autofree char *again = NULL;

      ck_assert_msg (restored != NULL, "%s", error != NULL ? error->message : "");
      assert_same_state (ledgers[i], restored);
      again = _ql_ledger_to_snapshot (restored);
      ck_assert_str_eq (again, state);
    }
}
END_TEST

static const char * const bad_snapshots[] = {
  "not json",
  "[]",
  "{\"kind\":\"ship\",\"balance\":1}",
  "{\"kind\":\"item\",\"balance\":-1}",
  "{\"kind\":\"item\"}",
  "{\"kind\":\"item\",\"balance\":1.5}",
  "{\"kind\":\"account\",\"currency\":\"XYZ\",\"balance\":1}",
  "{\"balance\":1}",
};

START_TEST (test_bad_snapshot_is_damage)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QlLedger) ledger = _ql_ledger_new_from_snapshot ("L", 3, bad_snapshots[_i], &error);

  ck_assert_ptr_null (ledger);
  ck_assert (g_error_matches (error, QL_STORE_ERROR, QL_STORE_ERROR_CORRUPT));
}
END_TEST

START_TEST (test_copy_is_independent)
{
  g_autoptr(QlLedger) usd = open_ledger ("Dollars", QL_EVENT_ACCOUNT_OPENED, "{\"currency\":\"USD\"}");
  g_autoptr(QlLedger) copy = NULL;

  apply_ok (usd, QL_EVENT_DEPOSITED, "{\"amount\":500}");
  copy = _ql_ledger_copy (usd);
  assert_same_state (usd, copy);
  apply_ok (usd, QL_EVENT_DEPOSITED, "{\"amount\":500}");
  ck_assert_int_eq (ql_ledger_get_balance (copy), 500);
  ck_assert_int_eq (ql_ledger_get_version (copy), 2);
  ck_assert_int_eq (ql_ledger_get_balance (usd), 1000);
}
END_TEST

START_TEST (test_names_accepted)
{
  g_autofree char *trimmed = ql_ledger_normalize_name ("  Rainy day fund \t", NULL);
  g_autofree char *composed = ql_ledger_normalize_name ("Cafe\xCC\x81", NULL);
  g_autofree char *chinese = ql_ledger_normalize_name ("储蓄", NULL);
  g_autofree char *hundred = NULL;
  g_autofree char *long_name = NULL;
  GString *builder = g_string_new (NULL);

  ck_assert_str_eq (trimmed, "Rainy day fund");
  ck_assert_str_eq (composed, "Caf\xC3\xA9");
  ck_assert_str_eq (chinese, "储蓄");

  for (int i = 0; i < QL_LEDGER_NAME_MAX_CHARS; i++)
    g_string_append (builder, "é");
  hundred = g_string_free (builder, FALSE);
  long_name = ql_ledger_normalize_name (hundred, NULL);
  ck_assert_str_eq (long_name, hundred);
}
END_TEST

typedef struct
{
  const char *name;
  const char *message;
} BadName;

static const BadName bad_names[] = {
  { "", "A ledger needs a name" },
  { "   \t ", "A ledger needs a name" },
  { "Tab\there", "A ledger name cannot hold control characters such as tabs or line breaks" },
  { "Two\nlines", "A ledger name cannot hold control characters such as tabs or line breaks" },
  { "Red\x1b[31m", "A ledger name cannot hold control characters such as tabs or line breaks" },
  { "Line\xE2\x80\xA8sep", "A ledger name cannot hold control characters such as tabs or line breaks" },
  { "Bad\xff", "A ledger name must be valid text" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "A ledger name can have at most 100 characters" },
};

START_TEST (test_names_rejected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = ql_ledger_normalize_name (bad_names[_i].name, &error);

  ck_assert_ptr_null (name);
  ck_assert (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INVALID_NAME));
  ck_assert_str_eq (error->message, bad_names[_i].message);
}
END_TEST

static const char * const event_types[] = {
  QL_EVENT_ACCOUNT_OPENED, QL_EVENT_DEPOSITED, QL_EVENT_WITHDRAWN,
  QL_EVENT_ITEM_CREATED, QL_EVENT_QUANTITY_INCREASED, QL_EVENT_QUANTITY_DECREASED,
};

START_TEST (test_event_type_labels_english)
{
  const char *unknown = "InterestPaid";
  static const char * const labels[] = {
    "Account opened", "Deposit", "Withdrawal",
    "Item created", "Quantity increased", "Quantity decreased",
  };

  /* English readers get words too; the stored names stay identifiers. */
  for (guint i = 0; i < G_N_ELEMENTS (event_types); i++)
    ck_assert_str_eq (ql_event_type_get_label (event_types[i]), labels[i]);
  ck_assert_ptr_eq (ql_event_type_get_label (unknown), unknown);
}
END_TEST

START_TEST (test_event_type_labels_translated)
{
  const char *build_dir = g_getenv ("QL_TEST_BUILD_DIR");
  g_autofree char *locale_dir = NULL;
  const char *unknown = "InterestPaid";
  const struct {
    const char *type;
    const char *label;
  } expected[] = {
    { QL_EVENT_ACCOUNT_OPENED, "开户" },
    { QL_EVENT_DEPOSITED, "存入" },
    { QL_EVENT_WITHDRAWN, "取出" },
    { QL_EVENT_ITEM_CREATED, "创建物品" },
    { QL_EVENT_QUANTITY_INCREASED, "数量增加" },
    { QL_EVENT_QUANTITY_DECREASED, "数量减少" },
  };

  ck_assert_msg (build_dir != NULL, "QL_TEST_BUILD_DIR is not set");
  /* The catalogue the build compiles from po/zh_CN.po. */
  locale_dir = g_build_filename (build_dir, "..", "po", NULL);
  ck_assert_msg (setlocale (LC_ALL, "zh_CN.UTF-8") != NULL,
                 "the zh_CN.UTF-8 locale is missing (tools/install-deps makes it)");
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    ck_assert_str_eq (ql_event_type_get_label (expected[i].type), expected[i].label);
  ck_assert_ptr_eq (ql_event_type_get_label (unknown), unknown);

  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C");
}
END_TEST

static Suite *
ledger_suite (void)
{
  Suite *suite = suite_create ("QlLedger");
  TCase *tc;

  tc = tcase_create ("replay");
  tcase_add_test (tc, test_bank_account_replay);
  tcase_add_test (tc, test_inventory_replay);
  tcase_add_test (tc, test_currency_accounts);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("amounts");
  tcase_add_test (tc, test_parse_amount_by_kind);
  tcase_add_test (tc, test_signed_amounts);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("properties");
  tcase_add_test (tc, test_properties_notify_only_on_change);
  tcase_add_test (tc, test_kind_enum_type);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("damage");
  tcase_add_loop_test (tc, test_bad_opening_is_damage, 0, G_N_ELEMENTS (bad_openings));
  tcase_add_test (tc, test_opening_must_be_version_one);
  tcase_add_loop_test (tc, test_bad_change_is_damage, 0, G_N_ELEMENTS (bad_changes));
  tcase_add_test (tc, test_out_of_sequence_is_damage);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("rules");
  tcase_add_test (tc, test_check_change_rules);
  tcase_add_test (tc, test_undo_helpers);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("snapshots");
  tcase_add_test (tc, test_snapshot_round_trip);
  tcase_add_loop_test (tc, test_bad_snapshot_is_damage, 0, G_N_ELEMENTS (bad_snapshots));
  tcase_add_test (tc, test_copy_is_independent);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("names");
  tcase_add_test (tc, test_names_accepted);
  tcase_add_loop_test (tc, test_names_rejected, 0, G_N_ELEMENTS (bad_names));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("event type labels");
  tcase_add_test (tc, test_event_type_labels_english);
  tcase_add_test (tc, test_event_type_labels_translated);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run (ledger_suite (), NULL);
}
