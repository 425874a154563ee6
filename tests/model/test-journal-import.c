/* test-journal-import.c: hledger journals imported, refused with their
 * line, all or nothing, and balanced as real hledger balances them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "ql-amount.h"
#include "ql-ledger-book.h"
#include "ql-ledger-events.h"
#include "ql-memory-event-store.h"
#include "ql-test-files.h"
#include "ql-test-model.h"

static char *
write_journal (const char *name,
               const char *text,
               gssize      length)
{
  g_autofree char *dir = ql_test_make_dir ();
  char *path = g_build_filename (dir, name, NULL);

  ck_assert (g_file_set_contents (path, text, length, NULL));
  return path;
}

static gboolean
import_journal_len (QlLedgerBook  *book,
                    const char    *text,
                    gssize         length,
                    guint64       *out_n_events,
                    GError       **error)
{
  g_autofree char *path = write_journal ("import.journal", text, length);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, out_n_events, error);
}

static gboolean
import_journal (QlLedgerBook  *book,
                const char    *text,
                GError       **error)
{
  return import_journal_len (book, text, -1, NULL, error);
}

static QlEvent *
event_of (GPtrArray *events,
          guint      index)
{
  ck_assert_uint_lt (index, events->len);
  return g_ptr_array_index (events, index);
}

static const char example_journal[] =
  "; a journal as hledger print writes it\n"
  "account bank:savings  ; type: A\n"
  "\n"
  "2026-01-02 * Opening balance\n"
  "    assets:Checking          1000.00 USD\n"
  "    equity:opening\n"
  "\n"
  "2026/01/05 ! (12) Grocer | weekly shop  ; paid by card\n"
  "    expenses:food              42.50 USD  ; a posting's own comment\n"
  "    assets:Checking\n"
  "\n"
  "2026-01-06 Move to savings\n"
  "    assets:Checking           -200.00 USD\n"
  "    bank:savings              USD 200.00\n"
  "\r\n"
  "2026-01-07 Salary\n"
  "    Assets:Wallet              EUR 10\n"
  "    income:salary             -10 EUR\n"
  "\n"
  "2026-01-08 Dinner out\n"
  "    expenses:food              20 USD\n"
  "    liabilities:card\n";

START_TEST (test_journal_example)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GPtrArray) checking = NULL;
  g_autoptr(GPtrArray) savings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *payee = NULL;
  g_autofree char *memo = NULL;
  g_autofree char *opening_memo = NULL;
  g_autofree char *out_id = NULL;
  g_autofree char *in_id = NULL;
  g_autofree char *counterpart = NULL;
  guint64 n_events = 0;
  GDate day;

  ck_assert_msg (import_journal_len (book, example_journal, -1, &n_events, &error), "%s",
                 error != NULL ? error->message : "");
  /* Three opens, two changes, a transfer's two legs and a deposit; the
   * dinner posts to no ledger. */
  ck_assert_uint_eq (n_events, 8);
  ck_assert_int_eq (ql_test_balance_of (book, "Checking"), 75750);
  ck_assert_int_eq (ql_test_balance_of (book, "bank:savings"), 20000);
  ck_assert_int_eq (ql_test_balance_of (book, "Wallet"), 1000);
  ck_assert_str_eq (ql_ledger_get_currency (ql_ledger_book_lookup (book, "Wallet")), "EUR");

  checking = ql_ledger_book_list_events (book, "Checking", NULL);
  ck_assert_uint_eq (checking->len, 4);
  ck_assert (ql_event_get_date (event_of (checking, 2), &day));
  ck_assert_int_eq (g_date_get_year (&day), 2026);
  ck_assert_int_eq (g_date_get_month (&day), 1);
  ck_assert_int_eq (g_date_get_day (&day), 5);
  payee = ql_event_dup_payee (event_of (checking, 2));
  memo = ql_event_dup_memo (event_of (checking, 2));
  ck_assert_str_eq (payee, "Grocer");
  ck_assert_str_eq (memo, "weekly shop; paid by card");
  /* With no memo, the other account says what the change was for. */
  opening_memo = ql_event_dup_memo (event_of (checking, 1));
  ck_assert_str_eq (opening_memo, "equity:opening");

  /* Asset to asset in one commodity is a transfer: two linked legs. */
  savings = ql_ledger_book_list_events (book, "bank:savings", NULL);
  ck_assert_uint_eq (savings->len, 2);
  out_id = ql_event_dup_transfer (event_of (checking, 3));
  in_id = ql_event_dup_transfer (event_of (savings, 1));
  ck_assert_ptr_nonnull (out_id);
  ck_assert_str_eq (out_id, in_id);
  counterpart = ql_event_dup_counterpart (event_of (checking, 3));
  ck_assert_str_eq (counterpart, "bank:savings");
}
END_TEST

static const struct
{
  const char *journal;
  const char *message_start;
  const char *message_part;
} refusals[] = {
  { "include other.journal\n", "Line 1: ", "include" },
  { "\n~ monthly\n    assets:a  1 USD\n    income\n", "Line 2: ", "periodic" },
  { "= expenses\n    assets:a  -1 USD\n", "Line 1: ", "auto" },
  { "2026-01-01 x\n    assets:a  1 EUR @ 1.10 USD\n    income\n", "Line 2: ", "prices" },
  { "2026-01-01 x\n    assets:a  1 EUR @@ 1.10 USD\n    income\n", "Line 2: ", "prices" },
  { "2026-01-01 x\n    assets:a  1 USD = 1 USD\n    income\n", "Line 2: ", "balance assertions" },
  { "2026-01-01 x\n    assets:a  1 USD\n    income\n    equity\n", "Line 4: ", "only one posting" },
  { "2026-01-01 x\n    assets:a  1 USD\n    income  -2 USD\n", "Line 1: ", "not to zero" },
  { "2026-01-01 x\n    assets:a  1 USD\n    assets:b  1 EUR\n    income\n", "Line 4: ",
    "one commodity only" },
  { "2026-01-01 x\n    assets:a  1 USD\n    income  -1 EUR\n", "Line 1: ", "not to zero" },
  { "2026-02-30 x\n    assets:a  1 USD\n    income\n", "Line 1: ", "" },
  { "2026-01-01=2026-01-03 x\n    assets:a  1 USD\n    income\n", "Line 1: ", "secondary" },
  { "2026-01-01 x\n    assets:a  99999999999999999999 USD\n    income\n", "Line 2: ", "" },
  { "2026-01-01 x\n    assets:a  $5\n    income\n", "Line 2: ", "" },
  { "2026-01-01 x\n    (assets:a)  5 USD\n", "Line 2: ", "virtual" },
  { "alias a = b\n", "Line 1: ", "alias" },
  { "    assets:a  5 USD\n", "Line 1: ", "outside a transaction" },
  { "2026-01-01 x\n    assets:a  5 USD\n    income\n\n2026-01-02 y\n    assets:a  -6 USD\n"
    "    expenses\n",
    "Line 6: ", "" },
  { "2026-01-01 x\n    assets:a  5 USD\n    income\n\n2026-01-02 y\n    assets:a  -6 USD\n"
    "    assets:b\n",
    "Line 6: ", "" },
  { "2026-01-01 x\n    assets:a  1.234 USD\n    income\n", "Line 2: ", "" },
  { "2026-01-01 x\n    assets:a  1,000.00 USD\n    income\n", "Line 2: ", "" },
  { "2026-01-01 x\n    assets:a  -5 -USD\n    income\n", "Line 2: ", "" },
  { "2026-01-01 x\n    assets:a  5 USD\n    income\n\xff\xfe\n", "Line 4: ", "UTF-8" },
};

START_TEST (test_journal_refusals)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;

  ck_assert_msg (!import_journal (book, refusals[_i].journal, &error), "case %d imported", _i);
  ck_assert_msg (error->domain == QL_LEDGER_ERROR, "case %d: %s", _i, error->message);
  ck_assert_msg (g_str_has_prefix (error->message, refusals[_i].message_start),
                 "case %d: %s", _i, error->message);
  ck_assert_msg (strstr (error->message, refusals[_i].message_part) != NULL, "case %d: %s", _i,
                 error->message);
  /* Nothing of a refused file is written. */
  ck_assert_int_eq (ql_test_head_position (store), 0);
  ck_assert_uint_eq (g_list_model_get_n_items (ql_ledger_book_get_ledgers (book)), 0);
}
END_TEST

START_TEST (test_journal_hostile_bytes)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  static const char with_nul[] = "2026-01-01 x\n    assets:a  5 USD\n    inc\0ome\n";
  g_autoptr(GString) huge = g_string_new ("2026-01-01 x\n    assets:a  5 USD\n    income  ; ");
  g_autoptr(GError) nul_error = NULL;
  g_autoptr(GError) huge_error = NULL;

  ck_assert (!import_journal_len (book, with_nul, sizeof with_nul - 1, NULL, &nul_error));
  ck_assert_msg (g_str_has_prefix (nul_error->message, "Line 3: ") &&
                 strstr (nul_error->message, "NUL") != NULL, "%s", nul_error->message);

  for (guint i = 0; i < 70000; i++)
    g_string_append_c (huge, 'x');
  g_string_append_c (huge, '\n');
  ck_assert (!import_journal (book, huge->str, &huge_error));
  ck_assert_msg (g_str_has_prefix (huge_error->message, "Line 3: ") &&
                 strstr (huge_error->message, "longer") != NULL, "%s", huge_error->message);
  ck_assert_int_eq (ql_test_head_position (store), 0);
}
END_TEST

/* An error in the last transaction leaves the book as it was. */
/* A transaction without postings changes nothing (UBSan once saw it read
 * past the postings). */
START_TEST (test_journal_empty_transaction)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);

  assert_ok (import_journal (book, "2026-01-01 nothing\n", &ok_error));
  ck_assert_int_eq (ql_test_head_position (store), 0);
}
END_TEST

START_TEST (test_journal_all_or_nothing)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;
  gint64 head;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Checking", "USD",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Checking", "10", &ok_error)));
  head = ql_test_head_position (store);

  ck_assert (!import_journal (book,
                              "2026-01-01 Pay\n"
                              "    assets:Checking  100 USD\n"
                              "    income\n"
                              "\n"
                              "2026-01-02 Move\n"
                              "    assets:Checking  -50 USD\n"
                              "    assets:Savings\n"
                              "\n"
                              "2026-01-03 Too much\n"
                              "    expenses:rent  61 USD\n"
                              "    assets:Checking\n",
                              &error));
  ck_assert_msg (g_error_matches (error, QL_LEDGER_ERROR, QL_LEDGER_ERROR_INSUFFICIENT_FUNDS),
                 "%s", error->message);
  ck_assert_msg (g_str_has_prefix (error->message, "Line 11: "), "%s", error->message);
  ck_assert_int_eq (ql_test_head_position (store), head);
  ck_assert_int_eq (ql_test_balance_of (book, "Checking"), 1000);
  ck_assert_ptr_null (ql_ledger_book_lookup (book, "Savings"));
}
END_TEST

START_TEST (test_journal_reuses_ledgers)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GError) error = NULL;

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Checking", "USD",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Euros", "EUR",
                                                              &ok_error)));
  assert_ok (import_journal (book,
                             "2026-01-01 Pay\n    assets:Checking  7.25 USD\n    income\n",
                             &ok_error));
  ck_assert_int_eq (ql_test_balance_of (book, "Checking"), 725);
  ck_assert_int_eq (ql_ledger_get_version (ql_ledger_book_lookup (book, "Checking")), 2);

  ck_assert (!import_journal (book, "2026-01-01 Pay\n    assets:Euros  7 USD\n    income\n",
                              &error));
  ck_assert_msg (g_str_has_prefix (error->message, "Line 2: ") &&
                 strstr (error->message, "EUR") != NULL, "%s", error->message);

  /* An account in two commodities is a ledger for each. */
  assert_ok (import_journal (book,
                             "2026-01-01 Pay\n    assets:Cash  7 USD\n    income\n\n"
                             "2026-01-01 Pay\n    assets:Cash  5 EUR\n    income\n",
                             &ok_error));
  ck_assert_int_eq (ql_test_balance_of (book, "Cash USD"), 700);
  ck_assert_int_eq (ql_test_balance_of (book, "Cash EUR"), 500);
}
END_TEST

/* What the journal writer writes, the reader reads back to the same
 * balances. */
START_TEST (test_journal_round_trip)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(QlEventStore) other_store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) other = ql_test_new_book (other_store);
  g_autofree char *dir = ql_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "book.journal", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  QlChangeNote note = { "2026-03-01", "Landlord", "March rent" };
  const char *names[] = { "Current account", "Savings", "Yen", "Units" };

  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Current account", "USD",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Savings", "USD",
                                                              &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Yen", "JPY", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_open_account (book, "Units", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Current account", "1234.56",
                                                         &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_record_change (book, "Current account",
                                                               QL_EVENT_WITHDRAWN, "700.10", &note,
                                                               &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_transfer (book, "Current account", "Savings",
                                                          "100.01", NULL, &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Yen", "5000", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_withdraw (book, "Yen", "1", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_deposit (book, "Units", "42", &ok_error)));
  assert_ok (ql_test_drop_event (ql_ledger_book_create_item (book, "Bolts", "3", &ok_error)));

  assert_ok (ql_ledger_book_export (book, path, NULL, NULL, &ok_error));
  assert_ok (ql_ledger_book_import_csv (other, file, NULL, NULL, NULL, NULL, &ok_error));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      QlLedger *original = ql_ledger_book_lookup (book, names[i]);
      QlLedger *copy = ql_ledger_book_lookup (other, names[i]);

      ck_assert_msg (copy != NULL, "%s not imported", names[i]);
      ck_assert_int_eq (ql_ledger_get_balance (copy), ql_ledger_get_balance (original));
      ck_assert_str_eq (ql_ledger_get_currency (copy) != NULL ? ql_ledger_get_currency (copy) : "",
                        ql_ledger_get_currency (original) != NULL
                        ? ql_ledger_get_currency (original) : "");
    }
  /* Items are not money: the journal's inventory is not read back. */
  ck_assert_ptr_null (ql_ledger_book_lookup (other, "Bolts"));
}
END_TEST

/* Imports the journal at @path and checks every ledger against hledger. */
static void
check_against_hledger (const char  *path,
                       const char **accounts,
                       const char **ledgers,
                       const char **currencies,
                       guint        n_accounts)
{
  g_autoptr(QlEventStore) store = ql_memory_event_store_new ();
  g_autoptr(QlLedgerBook) book = ql_test_new_book (store);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GHashTable) balances = ql_test_hledger_balances (path);

  assert_ok (ql_ledger_book_import_csv (book, file, NULL, NULL, NULL, NULL, &ok_error));
  for (guint i = 0; i < n_accounts; i++)
    {
      const char *shown = g_hash_table_lookup (balances, accounts[i]);
      QlLedger *ledger = ql_ledger_book_lookup (book, ledgers[i]);
      gint64 expected = shown != NULL ? ql_test_hledger_minor (shown, currencies[i]) : 0;

      ck_assert_msg (ledger != NULL || expected == 0, "%s: no ledger %s", path, ledgers[i]);
      if (ledger != NULL)
        ck_assert_msg (ql_ledger_get_balance (ledger) == expected,
                       "%s: %s is %" G_GINT64_FORMAT " here, %s in hledger", path, ledgers[i],
                       ql_ledger_get_balance (ledger), shown);
    }
}

START_TEST (test_journal_hand_written_matches_hledger)
{
  g_autofree char *path = write_journal ("hand.journal", example_journal, -1);
  const char *accounts[] = { "assets:Checking", "bank:savings", "Assets:Wallet" };
  const char *ledgers[] = { "Checking", "bank:savings", "Wallet" };
  const char *currencies[] = { "USD", "USD", "EUR" };

  check_against_hledger (path, accounts, ledgers, currencies, G_N_ELEMENTS (accounts));
}
END_TEST

/* Random journals in the shapes hledger print writes: amounts on either
 * side of the commodity, one left out or not, transfers, and changes
 * that split over several postings; never overdrawn. */
START_TEST (test_journal_random_matches_hledger)
{
  const char *accounts[] = { "assets:bank:checking", "assets:bank:savings", "assets:cash",
                             "assets:yen", "bank:euro" };
  const char *ledgers[] = { "bank:checking", "bank:savings", "cash", "yen", "bank:euro" };
  const char *currencies[] = { "USD", "USD", "USD", "JPY", "EUR" };
  const guint decimals[] = { 2, 2, 2, 0, 2 };
  const char *others[] = { "income:salary", "expenses:food", "expenses:rent", "equity:opening",
                           "liabilities:card" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (19 + (guint32) _i);
  g_autoptr(GString) journal = g_string_new ("account bank:euro  ; type: C\n\n");
  gint64 balances[G_N_ELEMENTS (accounts)] = { 0 };
  g_autofree char *path = NULL;

  for (guint t = 0; t < 300; t++)
    {
      guint a = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (accounts));
      guint b = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (accounts));
      const char *other = others[g_rand_int_range (rand, 0, G_N_ELEMENTS (others))];
      gint64 amount = g_rand_int_range (rand, 1, 100000);
      gboolean out = g_rand_boolean (rand) && balances[a] >= amount;
      g_autofree char *text = ql_amount_format (out ? -amount : amount, decimals[a]);
      g_autofree char *minus = ql_amount_format (out ? amount : -amount, decimals[a]);
      gboolean before = g_rand_boolean (rand);

      g_string_append_printf (journal, "2026-%02u-%02u %s%s\n", 1 + t % 12, 1 + t % 28,
                              g_rand_boolean (rand) ? "* " : "", t % 3 == 0 ? "" : "Payee");
      if (before)
        g_string_append_printf (journal, "    %s  %s %s\n", accounts[a], currencies[a], text);
      else
        g_string_append_printf (journal, "    %s  %s %s\n", accounts[a], text, currencies[a]);
      balances[a] += out ? -amount : amount;

      if (out && b != a && g_strcmp0 (currencies[b], currencies[a]) == 0 && g_rand_boolean (rand))
        {
          /* A transfer: the other side an asset too. */
          g_string_append_printf (journal, "    %s\n\n", accounts[b]);
          balances[b] += amount;
        }
      else if (g_rand_boolean (rand))
        g_string_append_printf (journal, "    %s\n\n", other);
      else
        {
          /* Split over two postings, both written. */
          gint64 part = amount / 2;
          g_autofree char *first = ql_amount_format (out ? part : -part, decimals[a]);
          g_autofree char *second = ql_amount_format (out ? amount - part : part - amount,
                                                      decimals[a]);

          if (part == 0)
            g_string_append_printf (journal, "    %s  %s %s\n\n", other, minus, currencies[a]);
          else
            g_string_append_printf (journal, "    %s  %s %s\n    %s  %s %s\n\n", other, first,
                                    currencies[a], others[(t + 1) % G_N_ELEMENTS (others)],
                                    second, currencies[a]);
        }
    }

  path = write_journal ("random.hledger", journal->str, -1);
  check_against_hledger (path, accounts, ledgers, currencies, G_N_ELEMENTS (accounts));
}
END_TEST

static Suite *
journal_import_suite (void)
{
  Suite *suite = suite_create ("journal-import");
  TCase *tc = tcase_create ("reading");

  tcase_add_test (tc, test_journal_example);
  tcase_add_loop_test (tc, test_journal_refusals, 0, G_N_ELEMENTS (refusals));
  tcase_add_test (tc, test_journal_hostile_bytes);
  tcase_add_test (tc, test_journal_empty_transaction);
  tcase_add_test (tc, test_journal_all_or_nothing);
  tcase_add_test (tc, test_journal_reuses_ledgers);
  tcase_add_test (tc, test_journal_round_trip);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("hledger");
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_journal_hand_written_matches_hledger);
  tcase_add_loop_test (tc, test_journal_random_matches_hledger, 0, 4);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return ql_test_run_in_dir ("ql-test-journal-import", journal_import_suite (), NULL);
}
