/* test-text-rules.c: what text may enter an event, and commands that
 * refuse text store nothing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ql-ledger-book.h"
#include "ql-memory-event-store.h"
#include "ql-sqlite-event-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"
#include "ql-text-rules.h"

static void
assert_error (GError     *error,
              int         code,
              const char *message)
{
  ck_assert_msg (error != NULL, "no error");
  ck_assert_msg (g_error_matches (error, QL_LEDGER_ERROR, code), "%s", error->message);
  if (message != NULL)
    ck_assert_str_eq (error->message, message);
}

typedef struct
{
  QlTextField field;
  const char *text;
  gssize      length;
  int         code;
  const char *message;
} BadText;

static const BadText bad_texts[] = {
  { QL_TEXT_FIELD_REFERENCE, "\xFF\xFE", -1, QL_LEDGER_ERROR_INVALID_REFERENCE,
    "A payment reference must be valid UTF-8 text" },
  { QL_TEXT_FIELD_REFERENCE, "order\0id", 8, QL_LEDGER_ERROR_INVALID_REFERENCE,
    "A payment reference cannot hold control or invisible characters such as U+0000" },
  { QL_TEXT_FIELD_REFERENCE, "order\nid", -1, QL_LEDGER_ERROR_INVALID_REFERENCE,
    "A payment reference cannot hold control or invisible characters such as U+000A" },
  { QL_TEXT_FIELD_REFERENCE, "order\x7F", -1, QL_LEDGER_ERROR_INVALID_REFERENCE, NULL },
  { QL_TEXT_FIELD_REFERENCE, "order\xC2\x85", -1, QL_LEDGER_ERROR_INVALID_REFERENCE,
    "A payment reference cannot hold control or invisible characters such as U+0085" },
  { QL_TEXT_FIELD_REFERENCE, "order\xE2\x80\xAE", -1, QL_LEDGER_ERROR_INVALID_REFERENCE,
    "A payment reference cannot hold control or invisible characters such as U+202E" },
  { QL_TEXT_FIELD_REFERENCE, "order\xEF\xBF\xBE", -1, QL_LEDGER_ERROR_INVALID_REFERENCE,
    "A payment reference cannot hold control or invisible characters such as U+FFFE" },
  /* A surrogate encoded as UTF-8 is not UTF-8. */
  { QL_TEXT_FIELD_REFERENCE, "\xED\xA0\x80", -1, QL_LEDGER_ERROR_INVALID_REFERENCE,
    "A payment reference must be valid UTF-8 text" },
  { QL_TEXT_FIELD_NAME, "alice\xE2\x80\x8B", -1, QL_LEDGER_ERROR_INVALID_NAME,
    "A ledger name cannot hold invisible or unassigned characters such as U+200B" },
  { QL_TEXT_FIELD_NAME, "\xE2\x80\xAE" "ecila", -1, QL_LEDGER_ERROR_INVALID_NAME,
    "A ledger name cannot hold invisible or unassigned characters such as U+202E" },
  { QL_TEXT_FIELD_NAME, "a\xEF\xBB\xBF", -1, QL_LEDGER_ERROR_INVALID_NAME, NULL },
  { QL_TEXT_FIELD_NAME, "a\xEF\xB7\x90", -1, QL_LEDGER_ERROR_INVALID_NAME,
    "A ledger name cannot hold invisible or unassigned characters such as U+FDD0" },
  { QL_TEXT_FIELD_NAME, "a\xF4\x8F\xBF\xBF", -1, QL_LEDGER_ERROR_INVALID_NAME, NULL },
  { QL_TEXT_FIELD_NAME, "a\xE2\x80\xA9" "b", -1, QL_LEDGER_ERROR_INVALID_NAME,
    "A ledger name cannot hold control characters such as tabs or line breaks" },
  { QL_TEXT_FIELD_NAME, "a\0b", 3, QL_LEDGER_ERROR_INVALID_NAME,
    "A ledger name cannot hold control characters such as tabs or line breaks" },
  { QL_TEXT_FIELD_CURRENCY, "US\x01", -1, QL_LEDGER_ERROR_INVALID_CURRENCY,
    "A currency code cannot hold control or invisible characters such as U+0001" },
  { QL_TEXT_FIELD_CURRENCY, "\xFFUSD", -1, QL_LEDGER_ERROR_INVALID_CURRENCY,
    "A currency code must be valid UTF-8 text" },
  { QL_TEXT_FIELD_CURRENCY, "UUUUUUUUUUUUUUUUU", -1, QL_LEDGER_ERROR_INVALID_CURRENCY,
    "A currency code can have at most 16 bytes" },
  { QL_TEXT_FIELD_AMOUNT, "1\x1B[31m", -1, QL_LEDGER_ERROR_INVALID_AMOUNT,
    "An amount cannot hold control or invisible characters such as U+001B" },
  { QL_TEXT_FIELD_AMOUNT, "1\xE2\x80\x8B", -1, QL_LEDGER_ERROR_INVALID_AMOUNT, NULL },
};

START_TEST (test_bad_texts)
{
  const BadText *bad = &bad_texts[_i];
  g_autoptr(GError) error = NULL;

  ck_assert_msg (!ql_text_check (bad->field, bad->text, bad->length, &error), "#%d passed", _i);
  assert_error (error, bad->code, bad->message);
}
END_TEST

START_TEST (test_good_texts)
{
  g_autofree char *reference = g_strnfill (QL_TEXT_REFERENCE_MAX_BYTES, 'r');
  g_autofree char *name = g_strnfill (QL_TEXT_NAME_MAX_BYTES, 'n');
  g_autofree char *long_reference = g_strnfill (QL_TEXT_REFERENCE_MAX_BYTES + 1, 'r');
  g_autoptr(GError) error = NULL;

  ck_assert (ql_text_check (QL_TEXT_FIELD_REFERENCE, "order-123 \"quoted\" \\ é 储蓄 🙂", -1, NULL));
  ck_assert (ql_text_check (QL_TEXT_FIELD_REFERENCE, reference, -1, NULL));
  ck_assert (ql_text_check (QL_TEXT_FIELD_REFERENCE, "", 0, NULL));
  /* A reference is a key, taken as it is: spaces in it are its own. */
  ck_assert (ql_text_check (QL_TEXT_FIELD_REFERENCE, " order ", -1, NULL));
  ck_assert (ql_text_check (QL_TEXT_FIELD_NAME, name, -1, NULL));
  ck_assert (ql_text_check (QL_TEXT_FIELD_NAME, " \tWallet\n ", -1, NULL));
  ck_assert (ql_text_check (QL_TEXT_FIELD_CURRENCY, " usd ", -1, NULL));
  ck_assert (ql_text_check (QL_TEXT_FIELD_AMOUNT, "99.99", 5, NULL));
  ck_assert_uint_eq (ql_text_field_get_max_bytes (QL_TEXT_FIELD_REFERENCE), 256);

  ck_assert (!ql_text_check (QL_TEXT_FIELD_REFERENCE, long_reference, -1, &error));
  assert_error (error, QL_LEDGER_ERROR_INVALID_REFERENCE,
                "A payment reference can have at most 256 bytes");
}
END_TEST

/* A payment whose reference is not text was charged, answered a failure
 * and left an event whose JSON did not parse. Now it stores nothing, and
 * the file opens again as it was. */
START_TEST (test_bad_reference_stores_nothing)
{
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "ledger.db", NULL);
  g_autofree char *huge = g_strnfill (4 * 1024 * 1024, 'x');
  static const char * const bad_references[] = {
    "\xFF\xFE", "a\x01", "tab\there", "line\nbreak", "rlo\xE2\x80\xAE", "esc\x1B[0m",
  };

  {
    g_autoptr(QlEventStore) store = ql_test_open_sqlite (path);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

    ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "user456", "USD", NULL)));
    ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "user456", "1000", NULL)));

    for (guint i = 0; i < G_N_ELEMENTS (bad_references); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(QlEvent) event =
          ql_ledger_book_withdraw_for_reference (book, "user456", "10", "USD",
                                                 bad_references[i], &error);

        ck_assert_ptr_null (event);
        assert_error (error, QL_LEDGER_ERROR_INVALID_REFERENCE, NULL);
      }

    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QlEvent) event =
        ql_ledger_book_withdraw_for_reference (book, "user456", "10", "USD", huge, &error);

      ck_assert_ptr_null (event);
      assert_error (error, QL_LEDGER_ERROR_INVALID_REFERENCE,
                    "A payment reference can have at most 256 bytes");
    }

    ck_assert_int_eq (ql_test_head_position (store), 2);
    ck_assert_int_eq (ql_ledger_get_balance (ql_ledger_book_lookup (book, "user456")), 100000);
  }

  {
    g_autoptr(QlEventStore) store = ql_test_open_sqlite (path);
    g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
    g_autoptr(QlEvent) event = NULL;
    g_autoptr(GError) error = NULL;

    ck_assert_int_eq (ql_test_head_position (store), 2);
    ck_assert_int_eq (ql_ledger_get_balance (ql_ledger_book_lookup (book, "user456")), 100000);

    /* The book still takes payments after the refused ones. */
    event = ql_ledger_book_withdraw_for_reference (book, "user456", "10", "USD", "order-1",
                                                   &error);
    ck_assert_msg (event != NULL, "%s", error != NULL ? error->message : "");
  }

  ql_test_remove_tree (dir);
}
END_TEST

/* Every valid reference gives an event whose payload is JSON that gives
 * the reference back, byte for byte. */
START_TEST (test_reference_payload_round_trips)
{
  static const char * const references[] = {
    "\"", "\\", "\\\"", "\"}{\"amount\":1", "</script>", "\xC3\xA9\xE5\x82\xA8\xF0\x9F\x99\x82",
    "\\u0000", "'", "/", "\xE2\x80\x8A", "a b",
  };
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "Shop", "EUR", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "Shop", "100", NULL)));

  for (guint i = 0; i < G_N_ELEMENTS (references); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QlEvent) event =
        ql_ledger_book_withdraw_for_reference (book, "Shop", "1", "EUR", references[i], &error);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      ck_assert_msg (event != NULL, "%s", error != NULL ? error->message : "");
      ck_assert_msg (json_parser_load_from_data (parser, ql_event_get_payload (event), -1, NULL),
                     "%s", ql_event_get_payload (event));
      object = json_node_get_object (json_parser_get_root (parser));
      ck_assert_str_eq (json_object_get_string_member (object, "reference"), references[i]);
      ck_assert_int_eq (json_object_get_int_member (object, "amount"), 100);
    }
}
END_TEST

/* Every command refuses bad text before it reads or writes the store. */
START_TEST (test_commands_refuse_bad_text)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autofree char *long_amount = g_strnfill (QL_TEXT_AMOUNT_MAX_BYTES + 1, '1');
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(GError) e4 = NULL;
  g_autoptr(GError) e5 = NULL;
  g_autoptr(GError) e6 = NULL;
  g_autoptr(GError) e7 = NULL;
  g_autoptr(GError) e8 = NULL;
  g_autoptr(GError) e9 = NULL;
  g_autoptr(QlEvent) payment = NULL;

  ck_assert (ql_test_drop_event (ql_ledger_book_open_account (book, "alice", "USD", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_deposit (book, "alice", "50", NULL)));
  ck_assert (ql_test_drop_event (ql_ledger_book_create_item (book, "Box", "5", NULL)));

  ck_assert (!ql_ledger_book_open_account (book, "alice\xE2\x80\x8B", NULL, &e1));
  assert_error (e1, QL_LEDGER_ERROR_INVALID_NAME, NULL);
  ck_assert (!ql_ledger_book_create_item (book, "\xE2\x80\xAE" "xoB", "1", &e2));
  assert_error (e2, QL_LEDGER_ERROR_INVALID_NAME, NULL);
  ck_assert (!ql_ledger_book_open_account (book, "bob", "US\xE2\x80\x8B" "D", &e3));
  assert_error (e3, QL_LEDGER_ERROR_INVALID_CURRENCY, NULL);
  ck_assert (!ql_ledger_book_deposit (book, "alice", long_amount, &e4));
  assert_error (e4, QL_LEDGER_ERROR_INVALID_AMOUNT, "An amount can have at most 64 bytes");
  ck_assert (!ql_ledger_book_increase (book, "Box", "1\xFF", &e5));
  assert_error (e5, QL_LEDGER_ERROR_INVALID_AMOUNT, "An amount must be valid UTF-8 text");
  ck_assert (!ql_ledger_book_create_item (book, "Crate", "1\x1B", &e6));
  assert_error (e6, QL_LEDGER_ERROR_INVALID_AMOUNT, NULL);
  payment = ql_ledger_book_withdraw_for_reference (book, "alice", "1\xC2\x85", "USD", "o1", &e7);
  ck_assert_ptr_null (payment);
  assert_error (e7, QL_LEDGER_ERROR_INVALID_AMOUNT, NULL);
  payment = ql_ledger_book_withdraw_for_reference (book, "alice", "1", "\xFE", "o1", &e8);
  ck_assert_ptr_null (payment);
  assert_error (e8, QL_LEDGER_ERROR_INVALID_CURRENCY, NULL);
  ck_assert_ptr_null (ql_ledger_book_undo (book, "alice\xE2\x80\x8B", &e9));
  assert_error (e9, QL_LEDGER_ERROR_INVALID_NAME, NULL);

  ck_assert_int_eq (ql_test_head_position (store), 3);
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)), 2);
  ck_assert_ptr_null (ql_ledger_book_lookup (book, "alice\xE2\x80\x8B"));
}
END_TEST

/* The byte length is checked before anything reads the text: a name of
 * 800 KB of combining marks, which normalisation takes quadratic time on,
 * is refused with the length error. */
START_TEST (test_long_name_refused_first)
{
  gsize size = 800 * 1024;
  g_autofree char *name = g_malloc (size + 1);
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) payment_error = NULL;
  g_autoptr(GError) normalize_error = NULL;
  g_autoptr(QlEvent) payment = NULL;
  g_autofree char *normalized = NULL;

  /* "a" and then U+0301 U+0316 in turns: each pair must be reordered. */
  name[0] = 'a';
  for (gsize i = 1; i + 2 <= size; i += 2)
    {
      if ((i / 2) % 2 == 0)
        memcpy (name + i, "\xCC\x81", 2);
      else
        memcpy (name + i, "\xCC\x96", 2);
    }
  name[size - (size - 1) % 2] = '\0';

  ck_assert (!ql_ledger_book_open_account (book, name, NULL, &error));
  assert_error (error, QL_LEDGER_ERROR_INVALID_NAME, "A ledger name can have at most 400 bytes");
  payment = ql_ledger_book_withdraw_for_reference (book, name, "1", "USD", "o1", &payment_error);
  ck_assert_ptr_null (payment);
  assert_error (payment_error, QL_LEDGER_ERROR_INVALID_NAME,
                "A ledger name can have at most 400 bytes");
  normalized = ql_ledger_normalize_name (name, &normalize_error);
  ck_assert_ptr_null (normalized);
  assert_error (normalize_error, QL_LEDGER_ERROR_INVALID_NAME, NULL);
  ck_assert_ptr_null (ql_ledger_book_lookup (book, name));
  ck_assert_int_eq (ql_test_head_position (store), 0);
}
END_TEST

/* Another program may store a name in another normal form, such as NFD:
 * the book finds it under the NFC form every command looks names up in,
 * and its events keep going to the stream the store has. */
START_TEST (test_name_stored_in_nfd_is_found)
{
  static const char nfd[] = "Cafe\xCC\x81";
  static const char nfc[] = "Caf\xC3\xA9";
  static const char nfd_item[] = "Bo\xCC\x88x";
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *csv_path = g_build_filename (dir, "rows.csv", NULL);
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = NULL;
  g_autoptr(GFile) csv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) exists_error = NULL;
  g_autoptr(GError) import_error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  QlNewEvent opened = { QL_EVENT_ACCOUNT_OPENED, "{\"currency\":null}" };
  QlNewEvent created = { QL_EVENT_ITEM_CREATED, "{\"name\":\"Box\",\"quantity\":1}" };
  QlLedger *ledger;

  ck_assert (ql_event_store_append (store, nfd, 0, &opened, 1, NULL, NULL));
  book = ql_test_new_book (store);

  ledger = ql_ledger_book_lookup (book, nfc);
  ck_assert_ptr_nonnull (ledger);
  ck_assert_ptr_eq (ledger, ql_ledger_book_lookup (book, nfd));
  ck_assert_str_eq (ql_ledger_get_name (ledger), nfd);

  ck_assert_msg (ql_test_drop_event (ql_ledger_book_deposit (book, nfc, "5", &error)), "%s",
                 error != NULL ? error->message : "");
  ck_assert_int_eq (ql_ledger_get_balance (ledger), 5);
  ck_assert (!ql_ledger_book_open_account (book, nfc, NULL, &exists_error));
  assert_error (exists_error, QL_LEDGER_ERROR_EXISTS, NULL);

  ck_assert (g_file_set_contents (csv_path, "ledger,type,amount\nCaf\xC3\xA9,deposit,2\n"
                                  "Cafe\xCC\x81,deposit,3\nCaf\xC3\xA9,open,\n", -1, NULL));
  csv = g_file_new_for_path (csv_path);
  ck_assert (!ql_ledger_book_import_csv (book, csv, NULL, NULL, NULL, NULL, &import_error));
  assert_error (import_error, QL_LEDGER_ERROR_EXISTS, NULL);
  ck_assert (g_file_set_contents (csv_path, "ledger,type,amount\nCaf\xC3\xA9,deposit,2\n"
                                  "Cafe\xCC\x81,deposit,3\n", -1, NULL));
  ck_assert (ql_ledger_book_import_csv (book, csv, NULL, NULL, NULL, NULL, NULL));
  ck_assert_int_eq (ql_ledger_get_balance (ledger), 10);

  /* Every event went to the one stream the store has. */
  events = ql_ledger_book_list_events (book, nfc, NULL);
  ck_assert_uint_eq (events->len, 4);
  for (guint i = 0; i < events->len; i++)
    ck_assert_str_eq (ql_event_get_ledger (g_ptr_array_index (events, i)), nfd);
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)), 1);

  /* A ledger that arrives with a refresh is found the same way. */
  ck_assert (ql_event_store_append (store, nfd_item, 0, &created, 1, NULL, NULL));
  ck_assert (ql_ledger_book_refresh (book, NULL));
  ck_assert_ptr_nonnull (ql_ledger_book_lookup (book, "B\xC3\xB6x"));
  ck_assert (ql_test_drop_event (ql_ledger_book_increase (book, "B\xC3\xB6x", "1", NULL)));
  ck_assert_int_eq (ql_ledger_get_balance (ql_ledger_book_lookup (book, nfd_item)), 2);

  ql_test_remove_tree (dir);
}
END_TEST

static Suite *
text_rules_suite (void)
{
  Suite *suite = suite_create ("Text rules");
  TCase *tc;

  tc = tcase_create ("rules");
  tcase_add_loop_test (tc, test_bad_texts, 0, G_N_ELEMENTS (bad_texts));
  tcase_add_test (tc, test_good_texts);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("commands");
  /* Each of these is quick; the limit catches a long text that is read
   * whole, such as one normalised before its length is checked. */
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_bad_reference_stores_nothing);
  tcase_add_test (tc, test_reference_payload_round_trips);
  tcase_add_test (tc, test_commands_refuse_bad_text);
  tcase_add_test (tc, test_long_name_refused_first);
  tcase_add_test (tc, test_name_stored_in_nfd_is_found);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run_in_dir ("ql-test-text-rules", text_rules_suite (), NULL);
}
