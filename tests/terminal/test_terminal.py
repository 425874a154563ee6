#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The terminal front-end, driven as users and scripts drive it: lines on
standard input through a pipe (and on a real terminal through a pty),
with standard output and standard error compared exactly.

Argument: the folder of the compiled settings schema, for the commands
that change the settings the window shares."""

import errno
import json
import os
import pty
import re
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ql_test_postgres  # noqa: E402
import csv  # noqa: E402
import decimal  # noqa: E402
import io  # noqa: E402
import sqlite3  # noqa: E402

BINARY = os.environ.get("QL_BINARY", "quote-ledger")
PROMPT = "Which quote number would you like to see? "
SEED = [
    "A man is not complete until he is married. Then he is finished.",
    "As I said before, I never repeat myself.",
    "Behind a successful man is an exhausted woman.",
    "Black holes really suck...",
    "Facts are stubborn things.",
]
TIMESTAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
# A time as events prints it, of the same width, so that tables compare exactly.
TIME = "YYYY-MM-DD hh:mm:ss"
# The recording time and the day a change happened, as a row of events starts.
STAMPED = TIMESTAMP + r"  \d{4}-\d{2}-\d{2}"
STAMP = TIME + "  YYYY-MM-DD"
SYSTEM_FORTUNES = "/usr/share/games/fortunes"
SCHEMA_DIR = sys.argv[1]
SCHEMA = "io.github.quoteledger.QuoteLedger"


def quote(index):
    return 'And the quote is: "%s"\n' % SEED[index]


NOT_FOUND = 'And the quote is: "Not found!"\n'
TOO_LONG = "Error: The line is longer than 65536 bytes and was not read."


CLUSTER = None


def setUpModule():
    # Never skipped: a machine that runs the tests can run PostgreSQL.
    global CLUSTER
    CLUSTER = ql_test_postgres.Cluster()


def tearDownModule():
    CLUSTER.stop()


class TerminalTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ql-terminal-")
        self.env = dict(os.environ)
        self.env["XDG_DATA_HOME"] = os.path.join(self.tmp, "data")
        self.env["HOME"] = self.tmp
        self.env.setdefault("NO_COLOR", "1")
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def run_binary(self, lines, *args, db=":memory:", timeout=120):
        """Runs the terminal view with @lines on stdin; returns (rc, out, err)."""
        if isinstance(lines, (list, tuple)):
            lines = "".join(line + "\n" for line in lines)
        data = lines if isinstance(lines, bytes) else lines.encode()
        argv = [BINARY, "--tui"]
        if db is not None:
            argv += ["--db", db]
        argv += list(args)
        proc = subprocess.run(argv, input=data, capture_output=True, env=self.env,
                              timeout=timeout)
        return (proc.returncode, proc.stdout.decode("utf-8", "strict"),
                proc.stderr.decode("utf-8", "strict"))

    def assert_answers(self, lines, expected_out, expected_err="", *args, **kwargs):
        rc, out, err = self.run_binary(lines, *args, **kwargs)
        self.assertEqual(err, expected_err)
        self.assertEqual(out, expected_out)
        self.assertEqual(rc, 0)
        return out

    def answers(self, out):
        """The lines printed, prompts taken out."""
        return out.replace(PROMPT, "").splitlines()


class QuoteTests(TerminalTestCase):
    def test_seed_transcript(self):
        # Piped input is not echoed: each prompt is followed by the answer.
        self.assert_answers(["3", "6", "abc"],
                            PROMPT + quote(3) + PROMPT + NOT_FOUND + PROMPT + PROMPT,
                            "Error: Incorrect index 'abc'\n")

    def test_every_default_quote(self):
        self.assert_answers([str(i) for i in range(5)],
                            "".join(PROMPT + quote(i) for i in range(5)) + PROMPT)

    def test_surrounding_spaces(self):
        self.assert_answers(["  3  ", "\t1", "4 \r"],
                            PROMPT + quote(3) + PROMPT + quote(1) + PROMPT + quote(4) + PROMPT)

    def test_negative_and_large_indices(self):
        self.assert_answers(["-1", "-5", "5", "99999", "-0", "9223372036854775807"],
                            PROMPT + NOT_FOUND + PROMPT + NOT_FOUND + PROMPT + NOT_FOUND +
                            PROMPT + NOT_FOUND + PROMPT + quote(0) + PROMPT + NOT_FOUND + PROMPT)

    def test_not_numbers(self):
        bad = ["abc", "", "3.5", "1e3", "99999999999999999999", "+3", " abc ", "3 4"]
        self.assert_answers(bad, PROMPT * (len(bad) + 1),
                            "".join("Error: Incorrect index '%s'\n" % b for b in bad))

    def test_typo_of_a_command_gets_a_hint(self):
        # The seed's error line stays exactly; a hint follows when a command is near.
        self.assert_answers(["ledger", "balanse", "LEDGRS", "qiut", "balanse Savings", "abc",
                             "ab", "1e3", "zebra"],
                            PROMPT * 10,
                            "Error: Incorrect index 'ledger'\n"
                            "Note: Did you mean “ledgers [--json]”?\n"
                            "Error: Incorrect index 'balanse'\n"
                            "Note: Did you mean “balance LEDGER”?\n"
                            "Error: Incorrect index 'LEDGRS'\n"
                            "Note: Did you mean “ledgers [--json]”?\n"
                            "Error: Incorrect index 'qiut'\n"
                            "Note: Did you mean “quit”?\n"
                            "Error: Unknown command “balanse”; type “help” to see the commands\n"
                            "Note: Did you mean “balance LEDGER”?\n"
                            "Error: Incorrect index 'abc'\n"
                            "Error: Incorrect index 'ab'\n"
                            "Error: Incorrect index '1e3'\n"
                            "Error: Incorrect index 'zebra'\n")

    def test_end_of_input_is_clean(self):
        self.assert_answers("", PROMPT)
        self.assert_answers("3", PROMPT + quote(3) + PROMPT)

    def test_closed_input(self):
        proc = subprocess.run([BINARY, "--tui", "--db", ":memory:"], stdin=subprocess.DEVNULL,
                              preexec_fn=lambda: os.close(0), capture_output=True,
                              env=self.env, timeout=60)
        self.assertEqual((proc.returncode, proc.stdout.decode(), proc.stderr.decode()),
                         (0, PROMPT, ""))

    def test_quit(self):
        self.assert_answers(["1", "quit", "2"], PROMPT + quote(1) + PROMPT)

    def test_quit_with_arguments_goes_on(self):
        # Found by fuzz-terminal: a refused quit used to stop asking.
        self.assert_answers(["quit now", "3"], PROMPT + PROMPT + quote(3) + PROMPT,
                            "Error: Too many arguments. Usage: quit\n", timeout=20)

    def test_random(self):
        rc, out, err = self.run_binary(["random"] * 20)
        self.assertEqual((rc, err), (0, ""))
        answers = self.answers(out)
        self.assertEqual(len(answers), 20)
        for answer in answers:
            match = re.fullmatch(r'Quote (\d): "(.*)"', answer)
            self.assertIsNotNone(match, answer)
            self.assertEqual(SEED[int(match.group(1))], match.group(2))

    def test_search(self):
        self.assert_answers(["search ^Black", "search \\bman\\b", "search zebra",
                             'search "stubborn things"', "search stubborn things"],
                            PROMPT + "3: Black holes really suck...\n" +
                            PROMPT + "0: %s\n2: %s\n" % (SEED[0], SEED[2]) +
                            PROMPT + "No quote matches “zebra”.\n" +
                            PROMPT + "4: %s\n" % SEED[4] +
                            PROMPT + "4: %s\n" % SEED[4] + PROMPT)

    def test_search_bad_pattern(self):
        rc, out, err = self.run_binary(["search (unclosed", "search"])
        self.assertEqual(rc, 0)
        self.assertEqual(out, PROMPT * 3)
        errors = err.splitlines()
        self.assertEqual(len(errors), 2)
        self.assertTrue(errors[0].startswith("Error: Incorrect search pattern: "), errors[0])
        self.assertEqual(errors[1], "Error: Missing argument. Usage: search PATTERN")

    def test_help(self):
        rc, out, err = self.run_binary(["help"])
        self.assertEqual((rc, err), (0, ""))
        lines = self.answers(out)
        self.assertEqual(lines[0], "Commands:")
        note = " [--date DATE] [--payee PAYEE] [--memo MEMO]"
        for usage in ["NUMBER", "random", "search PATTERN", "open ACCOUNT [CURRENCY]",
                      "deposit ACCOUNT AMOUNT" + note, "withdraw ACCOUNT AMOUNT" + note,
                      "create-item ITEM QUANTITY", "increase ITEM N" + note,
                      "decrease ITEM N" + note, "threshold ITEM QUANTITY", "balance LEDGER",
                      "events LEDGER [--json] [--search TEXT] [--min AMOUNT] [--max AMOUNT]"
                      " [--from DATE] [--to DATE]",
                      "at LEDGER VERSION|DATE [as-of RECORDED]", "amend LEDGER VERSION" + note,
                      "transfer FROM TO AMOUNT" + note,
                      "undo LEDGER", "ledgers [--json]", "log [START [LIMIT]]",
                      "report monthly LEDGER | statement LEDGER FROM TO | payments ORDER"
                      " | low-stock [--json]", "theme SCHEME",
                      "skin NAME", "help", "quit"]:
            self.assertTrue(any(re.fullmatch(r"  %s  +\S.*" % re.escape(usage), line)
                                for line in lines), usage)


class ThemeTests(TerminalTestCase):
    def setUp(self):
        super().setUp()
        # A key file in a private folder, so that gsettings in this process
        # reads what the program wrote.
        self.env.update(GSETTINGS_BACKEND="keyfile", GSETTINGS_SCHEMA_DIR=SCHEMA_DIR,
                        XDG_CONFIG_HOME=self.path("config"))

    def gsettings(self, *args):
        result = subprocess.run(["gsettings", *args], env=self.env, capture_output=True,
                                text=True, check=True, timeout=60)
        return result.stdout.strip()

    def test_theme_writes_the_shared_key(self):
        self.assert_answers(["theme dark"], PROMPT + "Colour scheme: dark\n" + PROMPT)
        self.assertEqual(self.gsettings("get", SCHEMA, "color-scheme"), "'dark'")
        self.assert_answers(["theme LIGHT", "theme default"],
                            PROMPT + "Colour scheme: light\n" + PROMPT +
                            "Colour scheme: default\n" + PROMPT)
        self.assertEqual(self.gsettings("get", SCHEMA, "color-scheme"), "'default'")

    def test_unknown_scheme_changes_nothing(self):
        self.gsettings("set", SCHEMA, "color-scheme", "dark")
        self.assert_answers(["theme purple", "theme", "theme dark light"], PROMPT * 4,
                            "Error: Unknown colour scheme “purple”: give light, dark or default\n"
                            "Error: Missing argument. Usage: theme SCHEME\n"
                            "Error: Too many arguments. Usage: theme SCHEME\n")
        self.assertEqual(self.gsettings("get", SCHEMA, "color-scheme"), "'dark'")

    def test_without_the_schema(self):
        self.env.pop("GSETTINGS_SCHEMA_DIR")
        self.env["XDG_DATA_DIRS"] = self.path("no-schemas")
        self.assert_answers(["theme dark", "skin forest"], PROMPT * 3,
                            "Error: The colour scheme cannot be changed: the settings schema "
                            "is not installed.\n"
                            "Error: The skin cannot be changed: the settings schema "
                            "is not installed.\n")

    def test_skin_writes_the_shared_key(self):
        self.assert_answers(["skin forest"], PROMPT + "Skin: forest\n" + PROMPT)
        self.assertEqual(self.gsettings("get", SCHEMA, "skin"), "'forest'")
        self.assert_answers(["skin adwaita"], PROMPT + "Skin: adwaita\n" + PROMPT)
        self.assertEqual(self.gsettings("get", SCHEMA, "skin"), "'adwaita'")

    def test_skin_of_the_users_own(self):
        skins = os.path.join(self.env["XDG_DATA_HOME"], "quote-ledger", "skins")
        os.makedirs(skins)
        for name in ("mine.css", "mine-dark.css", "night-dark.css", "notes.txt"):
            with open(os.path.join(skins, name), "w") as f:
                f.write("@define-color window_bg_color #102030;\n")
        self.assert_answers(["skin mine"], PROMPT + "Skin: mine\n" + PROMPT)
        self.assertEqual(self.gsettings("get", SCHEMA, "skin"), "'mine'")
        # A dark variant beside its skin is no skin of its own, as in the window.
        self.assert_answers(["skin mine-dark", "skin notes", "skin Forest"], PROMPT * 4,
                            "".join("Error: Unknown skin “%s”: give one of adwaita, forest, "
                                    "high-contrast, solarized, mine, night-dark\n" % name
                                    for name in ("mine-dark", "notes", "Forest")))
        self.assertEqual(self.gsettings("get", SCHEMA, "skin"), "'mine'")


class QuotesFileTests(TerminalTestCase):
    def test_plain_file(self):
        path = self.write("plain.txt", "First.\n\nSecond, after a blank line.\n")
        self.assert_answers(["0", "1", "2"],
                            PROMPT + 'And the quote is: "First."\n' +
                            PROMPT + 'And the quote is: "Second, after a blank line."\n' +
                            PROMPT + NOT_FOUND + PROMPT,
                            "", "--quotes", path)

    def test_fortune_file(self):
        path = self.write("fortunes", "One.\n%\nTwo lines,\n  -- indented.\n%\n")
        self.assert_answers(["1", "search indented"],
                            PROMPT + 'And the quote is: "Two lines,\n  -- indented."\n' +
                            PROMPT + "1: Two lines,\n  -- indented.\n" + PROMPT,
                            "", "--quotes", path)

    def test_escape_sequences_never_printed(self):
        path = self.write("colours", "\x1b[31mred\x1b[0m text\x07\n%\nclean\n%\n")
        self.assert_answers(["0"], PROMPT + 'And the quote is: "red text\ufffd"\n' + PROMPT,
                            "", "--quotes", path)

    def test_missing_file(self):
        path = self.path("no-such-file")
        rc, out, err = self.run_binary(["0"], "--quotes", path)
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1)
        self.assertTrue(err.startswith("Error: "), err)
        self.assertIn(path, err)
        self.assertIn("No such file or directory", err)

    def test_strfile_index_refused(self):
        dat = struct.pack(">6I", 2, 1, 5, 5, 0, 0x25000000) + struct.pack(">2I", 0, 8)
        path = self.write("animals.dat", dat)
        rc, out, err = self.run_binary(["0"], "--quotes", path)
        self.assertEqual((rc, out), (1, ""))
        self.assertRegex(err, r"^Error: “.*animals\.dat” is a strfile index .*\n$")

    def test_not_utf8(self):
        path = self.write("latin1", b"caf\xe9\n")
        rc, out, err = self.run_binary(["0"], "--quotes", path)
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(err, "Error: “%s” is not UTF-8 text (line 1)\n" % path)

    @unittest.skipUnless(os.path.isdir(SYSTEM_FORTUNES), "needs fortunes-min (tools/install-deps)")
    def test_system_fortune_directory(self):
        rc, out, err = self.run_binary(["0", "random", "random", "search ^"], "--quotes",
                                       SYSTEM_FORTUNES)
        self.assertEqual((rc, err), (0, ""))
        self.assertNotIn("\x1b", out)
        self.assertRegex(out, r"^%sAnd the quote is: \"" % re.escape(PROMPT))
        # Every entry of every file once: the .u8 links and .dat indexes do not count.
        expected = 0
        for name in os.listdir(SYSTEM_FORTUNES):
            if name.endswith(".dat"):
                with open(os.path.join(SYSTEM_FORTUNES, name), "rb") as f:
                    expected += struct.unpack(">2I", f.read(8))[1]
        numbered = re.findall(r"^(\d+): ", out.split(PROMPT)[4], re.M)
        self.assertEqual(len(numbered), expected)


class LedgerTests(TerminalTestCase):
    def test_bank_account(self):
        rc, out, err = self.run_binary(["open Savings", "deposit Savings 100",
                                        "deposit Savings 50", "withdraw Savings 30",
                                        "deposit Savings 30", "balance Savings",
                                        "events Savings"])
        self.assertEqual((rc, err), (0, ""))
        lines = self.answers(out)
        self.assertEqual(lines[:6], [
            "Opened account Savings.",
            "Deposited 100 into Savings. Balance: 100",
            "Deposited 50 into Savings. Balance: 150",
            "Withdrew 30 from Savings. Balance: 120",
            "Deposited 30 into Savings. Balance: 150",
            "Balance: 150",
        ])
        events = [re.sub(STAMPED, STAMP, line) for line in lines[6:]]
        self.assertEqual(events, [
            "Version  Time                 Date        Event           Change  Balance",
            "      1  %s  Account opened                0" % STAMP,
            "      2  %s  Deposit           +100      100" % STAMP,
            "      3  %s  Deposit            +50      150" % STAMP,
            "      4  %s  Withdrawal         -30      120" % STAMP,
            "      5  %s  Deposit            +30      150" % STAMP,
        ])

    def test_inventory_item_and_log(self):
        rc, out, err = self.run_binary(["create-item Laptop 10", "increase Laptop 5",
                                        "decrease Laptop 3", "balance Laptop", "log"])
        self.assertEqual((rc, err), (0, ""))
        lines = self.answers(out)
        self.assertEqual(lines[:4], [
            "Created item Laptop. Quantity: 10",
            "Increased Laptop by 5. Quantity: 15",
            "Decreased Laptop by 3. Quantity: 12",
            "Quantity: 12",
        ])
        log = lines[4:]
        self.assertEqual(len(log), 3)
        records = [json.loads(line) for line in log]
        self.assertEqual([r["type"] for r in records],
                         ["ItemCreated", "QuantityIncreased", "QuantityDecreased"])
        for record in records:
            for key in ("timestamp", "type", "ledger", "payload"):
                self.assertIn(key, record)
            self.assertEqual(record["ledger"], "Laptop")
            self.assertRegex(record["timestamp"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")

    def test_log_pages(self):
        rc, out, err = self.run_binary(["create-item Laptop 10", "increase Laptop 5",
                                        "decrease Laptop 3", "log 2", "log 2 1", "log 4"])
        self.assertEqual((rc, err), (0, ""))
        log = [json.loads(line) for line in self.answers(out)[3:]]
        self.assertEqual([r["type"] for r in log],
                         ["QuantityIncreased", "QuantityDecreased", "QuantityIncreased"])

    def test_currency(self):
        self.assert_answers(["open Wallet usd", "deposit Wallet 99.99", "withdraw Wallet 0.99",
                             "balance Wallet", "ledgers"],
                            PROMPT + "Opened account Wallet in USD.\n" +
                            PROMPT + "Deposited 99.99 USD into Wallet. Balance: 99.99 USD\n" +
                            PROMPT + "Withdrew 0.99 USD from Wallet. Balance: 99.00 USD\n" +
                            PROMPT + "Balance: 99.00 USD\n" +
                            PROMPT + "Ledger  Kind       Balance\nWallet  account  99.00 USD\n" +
                            PROMPT)

    def test_names_with_spaces(self):
        self.assert_answers(['open "Joint savings" EUR', 'deposit "Joint savings" 10.50',
                             'balance "Joint savings"', 'create-item "Blue pens" 3', "ledgers"],
                            PROMPT + "Opened account Joint savings in EUR.\n" +
                            PROMPT + "Deposited 10.50 EUR into Joint savings. Balance: 10.50 EUR\n" +
                            PROMPT + "Balance: 10.50 EUR\n" +
                            PROMPT + "Created item Blue pens. Quantity: 3\n" +
                            PROMPT + "Ledger         Kind       Balance\n"
                                     "Blue pens      item             3\n"
                                     "Joint savings  account  10.50 EUR\n" +
                            PROMPT)

    def test_undo_and_at(self):
        rc, out, err = self.run_binary(["open A", "deposit A 100", "deposit A 50", "undo A",
                                        "balance A", "at A 1", "at A 2", "at A 3", "at A 4",
                                        "undo A", "undo A", "events A"])
        self.assertEqual(rc, 0)
        lines = self.answers(out)
        self.assertEqual(lines[3:10], [
            "Undid version 3 of A with Withdrawal. Balance: 100",
            "Balance: 100",
            "Balance: 0",
            "Balance: 100",
            "Balance: 150",
            "Balance: 100",
            "Undid version 2 of A with Withdrawal. Balance: 0",
        ])
        self.assertEqual(err.count("\n"), 1)
        self.assertTrue(err.startswith("Error: "), err)
        events = [re.sub(STAMPED, STAMP, line) for line in lines[10:]]
        self.assertEqual(len(events), 6)
        self.assertEqual(events[4], "      4  %s  Withdrawal         -50      100  (undoes version 3)"
                         % STAMP)
        self.assertEqual(events[5], "      5  %s  Withdrawal        -100        0  (undoes version 2)"
                         % STAMP)

    def test_dates_payees_memos_and_amendments(self):
        rc, out, err = self.run_binary([
            "open Cash USD",
            'deposit Cash 100 --date 2026-06-01 --payee Employer --memo "June pay"',
            "withdraw Cash 30 --payee Bakery --date 2026-07-02",
            "amend Cash 3 --date 2026-06-20 --memo bread",
            'amend Cash 2 --memo ""',
            "balance Cash", "events Cash", "events Cash --json",
            "amend Cash 1 --memo x", "amend Cash 3", "amend Cash 9 --memo x",
            "deposit Cash 1 --date 2026-02-30", "deposit Cash 1 --memo"])
        answers = out.split(PROMPT)
        self.assertEqual(answers[1:7], [
            "Opened account Cash in USD.\n",
            "Deposited 100.00 USD into Cash. Balance: 100.00 USD\n",
            "Withdrew 30.00 USD from Cash. Balance: 70.00 USD\n",
            "Amended version 3 of Cash with version 4.\n",
            "Amended version 2 of Cash with version 5.\n",
            "Balance: 70.00 USD\n",
        ])
        rows = [re.sub(TIMESTAMP, TIME, line) for line in answers[7].splitlines()]
        today = rows[1].split()[3]
        self.assertEqual(rows, [
            "Version  Time                 Date        Event                Change     Balance",
            "      1  %s  %s  Account opened                 0.00 USD" % (TIME, today),
            "      2  %s  2026-06-01  Deposit         +100.00 USD  100.00 USD  Employer"
            "  (amended by version 5)" % TIME,
            "      3  %s  2026-06-20  Withdrawal       -30.00 USD   70.00 USD  Bakery  “bread”"
            "  (amended by version 4)" % TIME,
            "      4  %s  2026-06-20  Amendment                     70.00 USD  “bread”"
            "  (amends version 3)" % TIME,
            "      5  %s              Amendment                     70.00 USD  (memo taken away)"
            "  (amends version 2)" % TIME,
        ])
        events = [json.loads(line) for line in answers[8].splitlines()]
        # The change itself is never edited: what it said stays in the log.
        self.assertEqual(events[1]["payload"], {"amount": 10000, "date": "2026-06-01",
                                                "payee": "Employer", "memo": "June pay"})
        self.assertEqual(events[3]["type"], "ChangeAmended")
        self.assertEqual(events[3]["payload"], {"amends": 3, "date": "2026-06-20",
                                                "memo": "bread"})
        self.assertEqual(err.splitlines(), [
            "Error: Version 1 of “Cash” is not a change that can be amended",
            "Error: Say what to amend: a date, a payee or a memo",
            "Error: “Cash” has no version 9",
            "Error: “2026-02-30” is not a date: write it as YYYY-MM-DD, such as 2026-06-30",
            "Error: --memo needs a value. Usage: deposit ACCOUNT AMOUNT [--date DATE]"
            " [--payee PAYEE] [--memo MEMO]",
        ])

    def test_default_date_is_today_where_the_user_is(self):
        # Today where the user is, which is not always today in UTC.
        self.env["TZ"] = "Pacific/Auckland"
        rc, out, err = self.run_binary(["open A", "deposit A 5", "log"])
        self.assertEqual((rc, err), (0, ""))
        payload = json.loads(self.answers(out)[3])["payload"]
        auckland = subprocess.run(["date", "+%Y-%m-%d"], env=self.env, capture_output=True,
                                  text=True, check=True).stdout.strip()
        self.assertEqual(payload, {"amount": 5, "date": auckland})

    def test_time_travel_both_dimensions(self):
        db = self.path("ledgers.db")
        rc, out, err = self.run_binary(["open A", "deposit A 100 --date 2026-06-10",
                                        "withdraw A 30 --date 2026-07-05"], db=db)
        self.assertEqual((rc, err), (0, ""))
        # Recording times count to the second: the correction comes later.
        known_then = time.strftime("%Y-%m-%d %H:%M:%S")
        time.sleep(1.1)
        rc, out, err = self.run_binary([
            "amend A 3 --date 2026-06-25", "deposit A 7 --date 2026-06-01",
            "at A 2026-06-30", 'at A 2026-06-30 as-of "%s"' % known_then,
            "at A 2026-07-31 as-of \"%s\"" % known_then, "at A 2026-06-01",
            "at A 2026-06-30 as-of 2000-01-01", "at A 2026-06-30 as-of yesterday",
            "at A 2026-06-30 since 2026-07-01", "at A 3", "at A 3 as-of 2026-07-01"], db=db)
        answers = [a.strip() for a in out.split(PROMPT)[3:] if a.strip()]
        self.assertEqual(answers, [
            # Known now: the withdrawal moved into June, the late deposit counts.
            "Balance on 2026-06-30: 77",
            # Known then: only the deposit was in June.
            "Balance on 2026-06-30: 100",
            "Balance on 2026-07-31: 70",
            "Balance on 2026-06-01: 7",
            "Balance: 70",
        ])
        self.assertEqual(err.splitlines(), [
            "Error: “A” was not opened yet at that time",
            "Error: “yesterday” is not a recording time: write a day, YYYY-MM-DD, or a time,"
            " YYYY-MM-DD HH:MM[:SS]",
            "Error: After the date comes “as-of RECORDED”, such as as-of 2026-07-01",
            "Error: Too many arguments. Usage: at LEDGER VERSION|DATE [as-of RECORDED]",
        ])

    def test_transfers(self):
        rc, out, err = self.run_binary([
            "open Checking EUR", "open Savings EUR", "open Dollars USD", "create-item Box 2",
            "deposit Checking 100", 'transfer Checking Savings 30 --memo "for later"',
            "transfer Checking Savings 80", "transfer Checking Dollars 1",
            "transfer Checking Box 1", "transfer Savings Savings 1",
            "events Savings", "undo Savings", "balance Checking", "balance Savings"])
        answers = out.split(PROMPT)
        self.assertEqual(answers[6], "Moved 30.00 EUR from Checking to Savings."
                                     " Checking: 70.00 EUR, Savings: 30.00 EUR\n")
        rows = [re.sub(STAMPED, STAMP, line) for line in answers[11].splitlines()]
        self.assertEqual(rows[2], "      2  %s  Deposit         +30.00 EUR  30.00 EUR"
                                  "  “for later”  (transfer from Checking)" % STAMP)
        self.assertEqual(answers[12:15], [
            "Undid version 2 of Savings with Withdrawal. Balance: 0.00 EUR\n",
            "Balance: 100.00 EUR\n", "Balance: 0.00 EUR\n"])
        self.assertEqual(err.splitlines(), [
            "Error: Cannot withdraw 80.00 EUR from “Checking”: the balance is only 70.00 EUR",
            "Error: “Checking” and “Dollars” keep different currencies: a transfer moves money"
            " between accounts of one currency",
            "Error: “Checking” and “Box” are not the same kind of ledger: a transfer goes"
            " between two accounts or two items",
            "Error: A transfer needs two ledgers; “Savings” is named twice",
        ])

    def test_events_search(self):
        rc, out, err = self.run_binary([
            "open A USD",
            'deposit A 100 --date 2026-06-01 --payee Employer --memo "June pay"',
            "withdraw A 12.5 --date 2026-06-03 --payee Bakery --memo bread",
            "withdraw A 40 --date 2026-07-02 --payee Landlord",
            'amend A 4 --memo "Rent for JUNE"',
            "events A --search june", "events A --min 20 --max 50",
            "events A --from 2026-06-02 --to 2026-06-30", "events A --json --search BREAD",
            "events A --min abc", "events A --search"])
        answers = out.split(PROMPT)
        versions = [[line.split()[0] for line in answer.splitlines()[1:]]
                    for answer in answers[6:9]]
        self.assertEqual(versions, [["2", "4"], ["4"], ["3"]])
        # The balance after each row is the ledger's, not the search's.
        self.assertIn("-40.00 USD   47.50 USD  Landlord  “Rent for JUNE”", answers[6])
        found = [json.loads(line) for line in answers[9].splitlines()]
        self.assertEqual([(e["version"], e["balance"]) for e in found], [(3, 8750)])
        self.assertEqual(err.splitlines(), [
            "Error: Invalid amount “abc”: use digits with at most 2 decimal places",
            "Error: --search needs a value. Usage: events LEDGER [--json] [--search TEXT]"
            " [--min AMOUNT] [--max AMOUNT] [--from DATE] [--to DATE]",
        ])

    def test_events_and_ledgers_for_people(self):
        # Local time, as the window shows it; Chinese names line up on screen.
        self.env["TZ"] = "Asia/Shanghai"
        before = time.time()
        rc, out, err = self.run_binary(["open Cash EUR", "deposit Cash 1234.50", "withdraw Cash 4.5",
                                        'create-item "笔记本电脑" 3', "increase 笔记本电脑 12",
                                        "events Cash", "events 笔记本电脑", "ledgers"])
        self.assertEqual((rc, err), (0, ""))
        answers = out.split(PROMPT)
        cash = answers[6].splitlines()
        self.assertEqual([re.sub(STAMPED, STAMP, line) for line in cash], [
            "Version  Time                 Date        Event                 Change      Balance",
            "      1  %s  Account opened                   0.00 EUR" % STAMP,
            "      2  %s  Deposit         +1234.50 EUR  1234.50 EUR" % STAMP,
            "      3  %s  Withdrawal         -4.50 EUR  1230.00 EUR" % STAMP,
        ])
        shown = re.search(TIMESTAMP, cash[1]).group(0)
        local = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(before + 8 * 3600))
        self.assertLessEqual(abs(time.mktime(time.strptime(shown, "%Y-%m-%d %H:%M:%S")) -
                                 time.mktime(time.strptime(local, "%Y-%m-%d %H:%M:%S"))), 60)
        self.assertEqual([re.sub(STAMPED, STAMP, line) for line in answers[7].splitlines()], [
            "Version  Time                 Date        Event               Change  Quantity",
            "      1  %s  Item created            +3         3" % STAMP,
            "      2  %s  Quantity increased     +12        15" % STAMP,
        ])
        self.assertEqual(answers[8], "Ledger      Kind         Balance\n"
                                     "Cash        account  1230.00 EUR\n"
                                     "笔记本电脑  item              15\n")

    def test_json_for_scripts(self):
        rc, out, err = self.run_binary(["open Cash USD", "deposit Cash 10", "withdraw Cash 2.5",
                                        "undo Cash", "create-item Box 4", "events Cash --json",
                                        "ledgers --json", "events --json Box", "ledgers now"])
        self.assertEqual(rc, 0)
        self.assertEqual(err, "Error: Too many arguments. Usage: ledgers [--json]\n")
        answers = out.split(PROMPT)
        events = [json.loads(line) for line in answers[6].splitlines()]
        self.assertEqual([(e["version"], e["type"], e["balance"]) for e in events],
                         [(1, "AccountOpened", 0), (2, "Deposited", 1000), (3, "Withdrawn", 750),
                          (4, "Deposited", 1000)])
        self.assertEqual(events[3]["payload"], {"amount": 250, "reverses": 3})
        for event in events:
            self.assertEqual(event["ledger"], "Cash")
            self.assertRegex(event["timestamp"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
        ledgers = [json.loads(line) for line in answers[7].splitlines()]
        self.assertEqual(ledgers, [
            {"ledger": "Box", "kind": "item", "version": 1, "quantity": 4},
            {"ledger": "Cash", "kind": "account", "version": 4, "balance": 1000,
             "currency": "USD", "decimals": 2},
        ])
        box = [json.loads(line) for line in answers[8].splitlines()]
        self.assertEqual([(e["type"], e["balance"]) for e in box], [("ItemCreated", 4)])

    def test_import(self):
        csv = self.write("moves.csv", 'ledger,type,amount\nCash,open,USD\n'
                         'Cash,deposit,100.50\n"Laptop, 15 inch",create-item,10\n'
                         '"Laptop, 15 inch",decrease,3\n')
        rc, out, err = self.run_binary(["import " + csv, "ledgers", "events Cash"])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(re.sub(STAMPED, STAMP, out),
                         PROMPT + "Imported 4 events from %s.\n" % csv +
                         PROMPT + "Ledger           Kind        Balance\n"
                                  "Cash             account  100.50 USD\n"
                                  "Laptop, 15 inch  item              7\n" +
                         PROMPT + "Version  Time                 Date        Event                Change     Balance\n"
                                  "      1  %s  Account opened                 0.00 USD\n"
                                  "      2  %s  Deposit         +100.50 USD  100.50 USD\n"
                         % (STAMP, STAMP) + PROMPT)

    def test_import_is_all_or_nothing(self):
        db = self.path("ledgers.db")
        good = self.write("good.csv", "ledger,type,amount\nCash,open,\nCash,deposit,10\n")
        bad = self.write("bad.csv", "ledger,type,amount\nCash,withdraw,4\nNew,open,\n"
                         "Cash,withdraw,7\n")
        self.assert_answers(["import " + good], PROMPT + "Imported 2 events from %s.\n" % good
                            + PROMPT, db=db)
        self.assert_answers(["import " + bad, "balance Cash", "balance New"],
                            PROMPT + PROMPT + "Balance: 10\n" + PROMPT + PROMPT,
                            "Error: Line 4: Cannot withdraw 7 from “Cash”: the balance is only 6\n"
                            "Error: No ledger is named “New”\n", db=db)

    def test_import_missing_file(self):
        rc, out, err = self.run_binary(["import " + self.path("nope.csv")])
        self.assertEqual(rc, 0)
        self.assertEqual(len(err.splitlines()), 1)
        self.assertTrue(err.startswith("Error: ") and "nope.csv" in err, err)

    def test_import_journal(self):
        journal = self.write("bank.hledger", "2026-01-02 Employer\n"
                             "    assets:Checking  1,000.00 USD\n"
                             "    income:salary\n\n"
                             "2026-01-03 Save | for later\n"
                             "    assets:Checking  -250.00 USD\n"
                             "    assets:Savings\n")
        rc, out, err = self.run_binary(["import " + journal, "ledgers", "events Savings"])
        self.assertEqual(rc, 0)
        # Group marks are refused with the line, and nothing is imported.
        self.assertTrue(err.startswith("Error: Line 2: Invalid amount “1,000.00”"), err)
        self.assertIn("Error: No ledger is named “Savings”", err)
        journal = self.write("bank.journal", "2026-01-02 Employer\n"
                             "    assets:Checking  1000.00 USD\n"
                             "    income:salary\n\n"
                             "2026-01-03 Save | for later\n"
                             "    assets:Checking  -250.00 USD\n"
                             "    assets:Savings\n")
        rc, out, err = self.run_binary(["import " + journal, "ledgers", "events Savings"])
        self.assertEqual((rc, err), (0, ""))
        self.assertIn(PROMPT + "Imported 5 events from %s.\n" % journal, out)
        self.assertIn("Checking  account  750.00 USD\n"
                      "Savings   account  250.00 USD\n", out)
        self.assertIn("2026-01-03  Deposit         +250.00 USD  250.00 USD  Save  “for later”"
                      "  (transfer from Checking)", out)

    def test_persistence_across_runs(self):
        db = self.path("ledger.db")
        self.assert_answers(["open Savings", "deposit Savings 100"],
                            PROMPT + "Opened account Savings.\n" +
                            PROMPT + "Deposited 100 into Savings. Balance: 100\n" + PROMPT,
                            db=db)
        self.assertEqual(stat.S_IMODE(os.stat(db).st_mode), 0o600)
        self.assert_answers(["deposit Savings 50", "balance Savings"],
                            PROMPT + "Deposited 50 into Savings. Balance: 150\n" +
                            PROMPT + "Balance: 150\n" + PROMPT, db=db)
        rc, out, err = self.run_binary(["events Savings"], db=db)
        self.assertEqual(len(self.answers(out)), 4)

    def test_default_database_location(self):
        self.assert_answers(["open Savings"], PROMPT + "Opened account Savings.\n" + PROMPT,
                            db=None)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "data", "quote-ledger",
                                                    "ledger.db")))
        self.assert_answers(["ledgers"],
                            PROMPT + "Ledger   Kind     Balance\nSavings  account        0\n" +
                            PROMPT, db=None)

    def test_bad_input_changes_nothing(self):
        setup = ["open Savings", "deposit Savings 100", "create-item Laptop 10"]
        bad = [
            ("deposit Nobody 5", "Error: No ledger is named “Nobody”"),
            ("balance Nobody", "Error: No ledger is named “Nobody”"),
            ("events Nobody", None),
            ("undo Nobody", None),
            ("at Nobody 1", None),
            ("withdraw Savings 1000", None),
            ("decrease Laptop 11", None),
            ("deposit Savings abc", None),
            ("deposit Savings -5", None),
            ("deposit Savings 0", None),
            ("deposit Savings 1e3", None),
            ("deposit Savings 1.5", None),
            ("deposit Savings 99999999999999999999999", None),
            ("increase Laptop 2.5", None),
            ("deposit Laptop 5", None),
            ("increase Savings 5", None),
            ("create-item Savings 5", None),
            ("deposit Savings", "Error: Missing argument. Usage: deposit ACCOUNT AMOUNT"
             " [--date DATE] [--payee PAYEE] [--memo MEMO]"),
            ("deposit", "Error: Missing argument. Usage: deposit ACCOUNT AMOUNT"
             " [--date DATE] [--payee PAYEE] [--memo MEMO]"),
            ("deposit Savings 5 6", "Error: Too many arguments. Usage: deposit ACCOUNT AMOUNT"
             " [--date DATE] [--payee PAYEE] [--memo MEMO]"),
            ("open A B C", "Error: Too many arguments. Usage: open ACCOUNT [CURRENCY]"),
            ("ledgers now", None),
            ("frobnicate Savings", "Error: Unknown command “frobnicate”; type “help” to see "
                                   "the commands"),
            ("open Savings", None),
            ("open savings2 XYZ", None),
            ("open Bad USDX", None),
            ('open "Unclosed', "Error: A double quote is not closed"),
            ('deposit "Savings 5', "Error: A double quote is not closed"),
            ('open ""', None),
            ("open " + "x" * 101, None),
            ("at Savings 99", None),
            ("at Savings 0", None),
            ("at Savings abc", "Error: Incorrect version 'abc'"),
            ("log 0", None),
            ("log abc", None),
            ("log 1 0", None),
            ("log 1 2 3", None),
            ("deposit Savings " + "9" * 100000, None),
            ("x" * 200000, TOO_LONG),
        ]
        rc, out, err = self.run_binary(setup + [line for line, _ in bad] +
                                       ["balance Savings", "balance Laptop", "ledgers",
                                        "events Savings"])
        self.assertEqual(rc, 0)
        errors = err.splitlines()
        self.assertEqual(len(errors), len(bad), err[:2000])
        for (line, expected), message in zip(bad, errors):
            self.assertTrue(message.startswith("Error: "), (line[:80], message[:200]))
            if expected is not None:
                self.assertEqual(message, expected, line[:80])
        answers = self.answers(out)
        self.assertEqual(answers[:3], ["Opened account Savings.",
                                       "Deposited 100 into Savings. Balance: 100",
                                       "Created item Laptop. Quantity: 10"])
        self.assertEqual(answers[3:8], ["Balance: 100", "Quantity: 10",
                                        "Ledger   Kind     Balance",
                                        "Laptop   item          10",
                                        "Savings  account      100"])
        self.assertEqual(len(answers[8:]), 3)

    def test_over_long_line_is_refused_and_skipped(self):
        # 100 MB without a newline, then commands: one error, never the line
        # echoed back, and the next lines answered as usual.
        source = self.path("input")
        with open(source, "wb") as f:
            for _ in range(100):
                f.write(b"1" * (1024 * 1024))
            f.write(b"\n2\n" + b"y" * 70000 + b"\n1")
        short = self.path("short-input")
        with open(short, "wb") as f:
            f.write(b"2\n1")
        _, _, _, baseline_kb = self.run_measured(short)
        returncode, out, err, peak_kb = self.run_measured(source)
        self.assertEqual(returncode, 0)
        self.assertEqual(err.decode(), TOO_LONG + "\n" + TOO_LONG + "\n")
        self.assertEqual(self.answers(out.decode()), [quote(2).rstrip("\n"),
                                                      quote(1).rstrip("\n")])
        self.assertLess(len(out), 1000)
        # Kilobytes on Linux. Measured against the same program given two
        # short lines, so that ASan's and valgrind's own memory cancel out:
        # holding the line would take 100 MB more.
        self.assertLess(peak_kb - baseline_kb, 40 * 1024, (peak_kb, baseline_kb))

    def run_measured(self, source):
        """Runs the terminal view on the file SOURCE as its input; returns its
        exit code, output, errors and peak resident memory in kilobytes."""
        with open(source, "rb") as stdin, tempfile.TemporaryFile() as stdout, \
                tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen([BINARY, "--tui", "--db", ":memory:"], stdin=stdin,
                                    stdout=stdout, stderr=stderr, env=self.env)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            stderr.seek(0)
            return proc.returncode, stdout.read(), stderr.read(), usage.ru_maxrss

    def test_bad_bytes_are_escaped(self):
        lines = [b"abc\x01def", b"\x1b[31mred", b"caf\xe9", b"open Evil\x1b[2J",
                 b"deposit Sav\xffings 5", b"nul\x00byte", b"\x9b31m"]
        rc, out, err = self.run_binary(b"".join(line + b"\n" for line in lines) +
                                       b"ledgers\n")
        self.assertEqual(rc, 0)
        self.assertEqual(out, PROMPT * (len(lines) + 1) + "No ledgers yet.\n" + PROMPT)
        errors = err.splitlines()
        self.assertEqual(len(errors), len(lines))
        for message in errors:
            self.assertTrue(message.startswith("Error: "), message)
            self.assertIsNone(re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", message), message)
        self.assertEqual(errors[0], "Error: Incorrect index 'abc\\x01def'")
        self.assertEqual(errors[1], "Error: Incorrect index '\\x1b[31mred'")
        self.assertEqual(errors[2], "Error: Incorrect index 'caf\ufffd'")
        self.assertEqual(errors[5], "Error: Incorrect index 'nul\ufffdbyte'")

    def test_concurrent_writers(self):
        self.check_concurrent_writers(self.path("shared.db"))

    def test_concurrent_writers_postgres(self):
        self.check_concurrent_writers(CLUSTER.database(self.id()))

    def check_concurrent_writers(self, db):
        self.assert_answers(["open Shared"], PROMPT + "Opened account Shared.\n" + PROMPT, db=db)
        data = ("deposit Shared 1\n" * 200).encode()
        procs = [subprocess.Popen([BINARY, "--tui", "--db", db], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
                 for _ in range(2)]
        results = [proc.communicate(data, timeout=240) for proc in procs]
        for proc, (out, err) in zip(procs, results):
            self.assertEqual(err.decode(), "")
            self.assertEqual(proc.returncode, 0)
            self.assertEqual(len(self.answers(out.decode())), 200)
        self.assert_answers(["balance Shared"], PROMPT + "Balance: 400\n" + PROMPT, db=db)
        rc, out, err = self.run_binary(["events Shared"], db=db)
        self.assertEqual(len(self.answers(out)), 402)

    def test_unusable_database(self):
        db = self.write("not-a-db", b"This is not an SQLite database, just text." * 100)
        rc, out, err = self.run_binary(["0"], db=db)
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1)
        self.assertTrue(err.startswith("Error: "), err)

    def test_postgres_server_down(self):
        rc, out, err = self.run_binary(
            ["0"], db="postgresql://ann:hunter2@/nope?host=/nonexistent")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("Error: "), err)
        self.assertIn("dbname=nope host=/nonexistent user=ann", err)
        self.assertNotIn("hunter2", err)


class ReportTests(TerminalTestCase):
    SETUP = ["open cash EUR", "deposit cash 10 --date 2026-01-05",
             "deposit cash 2.50 --date 2026-01-05", "withdraw cash 3 --date 2026-02-01",
             "open bank EUR", "transfer cash bank 1 --date 2026-02-03",
             "amend cash 2 --date 2026-01-20"]

    def test_monthly_and_statement(self):
        rc, out, err = self.run_binary(self.SETUP + [
            "report monthly cash", "report statement cash 2026-01-10 2026-02-28"])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.answers(out)[len(self.SETUP):], [
            "Month    Kind        Count  Total",
            "2026-01  Deposit         2  12.50",
            "2026-02  Withdrawal      2   4.00",
            "Day         Changes  Change  Balance",
            "2026-01-10                      2.50",
            "2026-01-20        1   10.00    12.50",
            "2026-02-01        1   -3.00     9.50",
            "2026-02-03        1   -1.00     8.50",
        ])

    def test_json(self):
        rc, out, err = self.run_binary(self.SETUP + [
            "report monthly bank --json", "report statement cash 2026-02-01 2026-02-01 --json"])
        self.assertEqual((rc, err), (0, ""))
        records = [json.loads(line) for line in self.answers(out)[len(self.SETUP):]]
        self.assertEqual(records, [
            {"month": "2026-02", "type": "Deposited", "count": 1, "total": 100},
            {"date": "2026-02-01", "changes": 1, "change": -300, "balance": 950},
        ])

    def test_empty_reports(self):
        """A report with no rows says so in a table and prints nothing as JSON."""
        rc, out, err = self.run_binary(["open cash", "report monthly cash",
                                        "report monthly cash --json",
                                        "report statement cash 2026-01-01 2026-01-31 --json",
                                        "report statement cash 2026-01-01 2026-01-31"])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.answers(out)[1:], [
            "No changes yet.",
            "Day         Changes  Change  Balance",
            "2026-01-01                         0",
        ])

    def test_payments(self):
        """What an order paid, by ledger. The payment service writes the
        withdrawals that carry an order id; the terminal has no command for
        them, so the test stores them as the service does, in their column
        and in the payload."""
        db = self.path("payments.db")
        rc, out, err = self.run_binary(["open 用户 USD", "deposit 用户 100", "open yen JPY",
                                        "deposit yen 1000", "report payments order-7",
                                        "report payments order-7 --json"], db=db)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.answers(out)[4:], ["No payment for “order-7” stands."])
        with sqlite3.connect(db) as connection:
            for ledger, version, amount in [("用户", 3, 1250), ("yen", 3, 300)]:
                connection.execute(
                    "INSERT INTO events (ledger, version, type, timestamp, payload, reference)"
                    " VALUES (?, ?, 'Withdrawn', 1796346623601059, ?, 'order-7')",
                    (ledger, version, json.dumps({"amount": amount, "reference": "order-7"})))
        connection.close()
        rc, out, err = self.run_binary(["report payments order-7",
                                        "report payments order-7 --json",
                                        "report payments order-8"], db=db)
        self.assertEqual((rc, err), (0, ""))
        lines = self.answers(out)
        # The amounts in each ledger's currency; the wide name takes four columns.
        self.assertEqual(lines[:3] + lines[5:], [
            "Ledger  Count  Amount",
            "yen         1     300",
            "用户        1   12.50",
            "No payment for “order-8” stands.",
        ])
        self.assertEqual([json.loads(line) for line in lines[3:5]], [
            {"ledger": "yen", "count": 1, "amount": 300},
            {"ledger": "用户", "count": 1, "amount": 1250},
        ])

    def test_projections_follow_other_runs(self):
        self.check_projections_follow_other_runs(self.path("book.db"))

    def test_projections_follow_other_runs_postgres(self):
        self.check_projections_follow_other_runs(CLUSTER.database(self.id()))

    def check_projections_follow_other_runs(self, db):
        rc, out, err = self.run_binary(self.SETUP + ["projections"], db=db)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.answers(out)[len(self.SETUP):], [
            "Projection      Version  Position  Lag  State",
            "daily_balance         0         0    8  not built",
            "monthly_totals        0         0    8  not built",
            "payments              0         0    8  not built",
            "low_stock             0         0    8  not built",
        ])
        # A report builds them; a later run counts only what came since.
        rc, out, err = self.run_binary(["report monthly cash", "deposit cash 5 --date 2026-03-01",
                                        "projections --json", "report monthly cash --json",
                                        "projections rebuild monthly_totals"], db=db)
        self.assertEqual((rc, err), (0, ""))
        lines = self.answers(out)
        self.assertEqual([json.loads(line)["lag"] for line in lines[4:8]], [1, 1, 1, 1])
        self.assertEqual(json.loads(lines[10]),
                         {"month": "2026-03", "type": "Deposited", "count": 1, "total": 500})
        self.assertEqual(lines[11:], [
            "Rebuilt monthly_totals.",
            "Projection      Version  Position  Lag  State",
            "daily_balance         1         9    0  caught up",
            "monthly_totals        1         9    0  caught up",
            "payments              1         9    0  caught up",
            "low_stock             1         9    0  caught up",
        ])

    def test_mistakes(self):
        rc, out, err = self.run_binary(["open cash", "report weekly cash", "report monthly nobody",
                                        "report statement cash 2026-13-01 2026-12-31",
                                        "projections rebuild nothing", "projections show"])
        self.assertEqual(rc, 0)
        self.assertEqual(err.splitlines(), [
            "Error: Usage: report monthly LEDGER | statement LEDGER FROM TO | payments ORDER"
            " | low-stock [--json]",
            "Error: No ledger is named “nobody”",
            err.splitlines()[2],
            "Error: No projection is named “nothing”",
            "Error: Usage: projections [rebuild NAME] [--json]",
        ])
        self.assertIn("2026-13-01", err.splitlines()[2])


class LowStockTests(TerminalTestCase):
    SETUP = ["create-item bolts 10", "create-item nuts 3", "create-item \"wing nuts\" 0",
             "open cash"]

    def test_thresholds_and_report(self):
        rc, out, err = self.run_binary(self.SETUP + [
            "report low-stock", "threshold bolts 12", "threshold nuts 2",
            "threshold \"wing nuts\" 1", "report low-stock", "decrease nuts 2",
            "report low-stock --json", "threshold bolts 0", "undo nuts", "report low-stock",
            "increase \"wing nuts\" 1", "report low-stock"])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.answers(out)[len(self.SETUP):], [
            "No item is below its threshold.",
            "Set the threshold of bolts to 12. Quantity: 10",
            "Set the threshold of nuts to 2. Quantity: 3",
            "Set the threshold of wing nuts to 1. Quantity: 0",
            "Item       Quantity  Threshold",
            "bolts            10         12",
            "wing nuts         0          1",
            "Decreased nuts by 2. Quantity: 1",
            '{"item":"bolts","quantity":10,"threshold":12}',
            '{"item":"nuts","quantity":1,"threshold":2}',
            '{"item":"wing nuts","quantity":0,"threshold":1}',
            "Removed the threshold of bolts. Quantity: 10",
            # The undo takes back the decrease, not a threshold.
            "Undid version 3 of nuts with Quantity increased. Quantity: 3",
            "Item       Quantity  Threshold",
            "wing nuts         0          1",
            "Increased wing nuts by 1. Quantity: 1",
            "No item is below its threshold.",
        ])

    def test_wide_names_line_up(self):
        """Chinese names take two columns a character: the table pads them
        by width on screen, and --json gives the same rows to scripts. No
        item is low at first: --json then prints nothing."""
        rc, out, err = self.run_binary([
            "create-item 螺丝钉 4", "create-item \"wing nuts\" 0", "create-item 垫圈 12",
            "report low-stock --json", "threshold 螺丝钉 5", "threshold \"wing nuts\" 1",
            "threshold 垫圈 100", "report low-stock", "report low-stock --json"])
        self.assertEqual((rc, err), (0, ""))
        lines = self.answers(out)[3:]
        self.assertEqual(lines[3:7], [
            "Item       Quantity  Threshold",
            "wing nuts         0          1",
            "垫圈             12        100",
            "螺丝钉            4          5",
        ])
        self.assertEqual([json.loads(line) for line in lines[7:]], [
            {"item": "wing nuts", "quantity": 0, "threshold": 1},
            {"item": "垫圈", "quantity": 12, "threshold": 100},
            {"item": "螺丝钉", "quantity": 4, "threshold": 5},
        ])

    def test_thresholds_are_events_read_again(self):
        db = self.path("stock.db")
        rc, out, err = self.run_binary(self.SETUP + ["threshold bolts 11"], db=db)
        self.assertEqual((rc, err), (0, ""))
        rc, out, err = self.run_binary(["report low-stock", "log 5", "threshold bolts 0",
                                        "events bolts"], db=db)
        self.assertEqual((rc, err), (0, ""))
        lines = self.answers(out)
        self.assertEqual(lines[:2], ["Item   Quantity  Threshold", "bolts        10         11"])
        event = json.loads(lines[2])
        self.assertEqual((event["ledger"], event["version"], event["type"], event["payload"]),
                         ("bolts", 2, "ThresholdSet", {"threshold": 11}))
        # The history shows each threshold; the quantity stays.
        rows = [re.sub(STAMPED, STAMP, line) for line in lines[4:]]
        self.assertEqual(rows, [
            "Version  Time                 Date        Event          Change  Quantity",
            "      1  " + STAMP + "  Item created      +10        10",
            "      2  " + STAMP + "  Threshold set                10  (threshold 11)",
            "      3  " + STAMP + "  Threshold set                10  (no threshold)",
        ])

    def test_mistakes(self):
        rc, out, err = self.run_binary(self.SETUP + [
            "threshold cash 3", "threshold bolts -1", "threshold bolts 2.5",
            "threshold nobody 1", "threshold bolts", "report low-stock now"])
        self.assertEqual(rc, 0)
        self.assertEqual(err.splitlines(), [
            "Error: “cash” is an account: only an item has a stock threshold",
            "Error: Invalid quantity “-1”: it cannot be negative",
            "Error: Invalid quantity “2.5”: use a whole number, digits only",
            "Error: No ledger is named “nobody”",
            "Error: Missing argument. Usage: threshold ITEM QUANTITY",
            "Error: Usage: report monthly LEDGER | statement LEDGER FROM TO | payments ORDER"
            " | low-stock [--json]",
        ])
        # Nothing was set: only the setup answered on standard output.
        self.assertEqual(len(self.answers(out)), len(self.SETUP))


class ExportTests(TerminalTestCase):
    COMMANDS = ["open cash EUR", "open bank EUR", "open jar", "create-item Laptop 10",
                'deposit cash 100.25 --date 2026-01-05 --payee "Bakery; Co" --memo "bread, rolls"',
                "withdraw cash 3 --date 2026-02-01", "deposit jar 7 --date 2026-01-09",
                "transfer cash bank 40.10 --date 2026-02-03", "withdraw bank 0.10",
                "undo bank", "deposit bank 12.34 --date 2025-12-31", "amend cash 2 --date 2026-03-01",
                "decrease Laptop 3", "increase Laptop 1", "undo Laptop"]

    def balances(self):
        rc, out, err = self.run_binary(self.COMMANDS + ["ledgers --json"], db=self.path("b.db"))
        self.assertEqual((rc, err), (0, ""))
        return {r["ledger"]: decimal.Decimal(r.get("balance", r.get("quantity"))).scaleb(
                    -r.get("decimals", 0)) for r in map(json.loads, self.answers(out)[-4:])}

    def test_journal_balances_in_hledger(self):
        ours = self.balances()
        journal = self.path("all.journal")
        self.assert_answers(["export %s" % journal],
                            PROMPT + "Exported 12 changes to %s.\n" % journal + PROMPT,
                            db=self.path("b.db"))
        proc = subprocess.run(["hledger", "-f", journal, "balance", "assets", "inventory",
                               "--flat", "-E", "--no-total", "-O", "csv"],
                              capture_output=True, text=True, check=True)
        theirs = {}
        for row in list(csv.reader(io.StringIO(proc.stdout)))[1:]:
            theirs[row[0].split(":", 1)[1]] = decimal.Decimal(row[1].split()[0])
        self.assertEqual(theirs, ours)
        self.assertEqual(ours["cash"], decimal.Decimal("57.15"))

    def test_csv_of_one_ledger(self):
        ours = self.balances()
        path = self.path("cash.csv")
        self.assert_answers(["export %s cash" % path],
                            PROMPT + "Exported 3 changes to %s.\n" % path + PROMPT,
                            db=self.path("b.db"))
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([(r["date"], r["type"], r["amount"], r["payee"], r["memo"])
                          for r in rows], [
            ("2026-03-01", "Deposited", "100.25", "Bakery; Co", "bread, rolls"),
            ("2026-02-01", "Withdrawn", "-3.00", "", ""),
            ("2026-02-03", "Withdrawn", "-40.10", "", ""),
        ])
        self.assertEqual(sum(decimal.Decimal(r["amount"]) for r in rows), ours["cash"])

    def test_mistakes(self):
        rc, out, err = self.run_binary(["open cash", "export out.txt", "export out.csv nobody",
                                        "export %s" % self.path("missing/dir/x.csv")])
        self.assertEqual(rc, 0)
        lines = err.splitlines()
        self.assertEqual(lines[:2], [
            "Error: “out.txt” names no format to export to: end it in .csv or .journal",
            "Error: No ledger is named “nobody”",
        ])
        self.assertIn("x.csv", lines[2])
        self.assertFalse(os.path.exists(self.path("out.csv")))


class TtyTestCase(TerminalTestCase):
    """The terminal as a person sees it, through a pseudo-terminal."""

    def spawn(self, *args, colour=False):
        self.pending = b""
        env = dict(self.env)
        env["TERM"] = "xterm"
        if colour:
            env.pop("NO_COLOR", None)
        else:
            env["NO_COLOR"] = "1"
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(BINARY, [BINARY, "--tui"] + list(args), env)
            finally:
                os._exit(127)
        self.addCleanup(self.reap, pid, fd)
        return pid, fd

    def reap(self, pid, fd):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)

    def read_until(self, fd, text, timeout=30):
        """Reads up to and including @text; what follows stays for the next read."""
        data = self.pending
        deadline = time.monotonic() + timeout
        while text.encode() not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail("no %r in %r" % (text, data))
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError as e:
                    if e.errno == errno.EIO:
                        break
                    raise
                if not chunk:
                    break
                data += chunk
        self.assertIn(text.encode(), data)
        end = data.index(text.encode()) + len(text.encode())
        self.pending = data[end:]
        return data[:end].decode()

    def read_to_end(self, fd, timeout=30):
        data, self.pending = self.pending, b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
            if not ready:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        return data.decode()

    def finish(self, pid, fd):
        os.write(fd, b"\x04")
        rest = self.read_to_end(fd)
        _, status = os.waitpid(pid, 0)
        self.assertTrue(os.WIFEXITED(status))
        self.assertEqual(os.WEXITSTATUS(status), 0)
        return rest



class TtyTests(TtyTestCase):
    def test_prompt_and_answer(self):
        pid, fd = self.spawn("--db", ":memory:")
        self.assertEqual(self.read_until(fd, PROMPT), PROMPT)
        os.write(fd, b"3\n")
        out = self.read_until(fd, SEED[3] + '"')
        self.assertIn('And the quote is: "%s"' % SEED[3], out)
        os.write(fd, b"abc\n")
        out = self.read_until(fd, "Error: Incorrect index 'abc'")
        self.assertNotIn("\x1b", out)
        rest = self.finish(pid, fd)
        # End of input leaves the shell prompt on a line of its own.
        self.assertTrue(rest.endswith("\n"), repr(rest))

    def test_colour_on_a_terminal(self):
        pid, fd = self.spawn("--db", ":memory:", colour=True)
        out = self.read_until(fd, "see? ")
        self.assertIn("\x1b[", out)
        os.write(fd, b"abc\n")
        out = self.read_until(fd, "Incorrect index")
        self.assertIn("\x1b[1;31m", out)
        self.finish(pid, fd)

    def test_no_colour_with_no_color(self):
        pid, fd = self.spawn("--db", ":memory:", colour=False)
        out = self.read_until(fd, PROMPT)
        os.write(fd, b"abc\n")
        out += self.read_until(fd, "Error: Incorrect index 'abc'")
        out += self.read_until(fd, PROMPT)
        out += self.finish(pid, fd)
        self.assertNotIn("\x1b", out)

    def test_notice_when_another_program_writes(self):
        self.check_notice_when_another_program_writes(self.path("watched.db"))

    def test_notice_when_another_program_writes_postgres(self):
        self.check_notice_when_another_program_writes(CLUSTER.database(self.id()))

    def check_notice_when_another_program_writes(self, db):
        self.assert_answers(["open Shared"], PROMPT + "Opened account Shared.\n" + PROMPT, db=db)
        pid, fd = self.spawn("--db", db)
        self.read_until(fd, PROMPT)
        self.assert_answers(["deposit Shared 5"],
                            PROMPT + "Deposited 5 into Shared. Balance: 5\n" + PROMPT, db=db)
        out = self.read_until(fd, "Another program changed the ledgers.")
        # The notice interrupts the question, which is asked again.
        self.assertEqual(self.read_until(fd, PROMPT), "\r\n" + PROMPT)
        os.write(fd, b"balance Shared\n")
        self.read_until(fd, "Balance: 5")
        self.finish(pid, fd)


class LineEditingTests(TtyTestCase):
    """Line editing, history and completion, on a terminal only."""

    LEFT = b"\x1b[D"
    UP = b"\x1b[A"

    def setUp(self):
        super().setUp()
        self.env["XDG_STATE_HOME"] = self.path("state")
        self.history = os.path.join(self.tmp, "state", "quote-ledger", "history")

    def ask(self, fd, keys, answer):
        os.write(fd, keys)
        out = self.read_until(fd, answer)
        self.read_until(fd, PROMPT)
        return out

    def test_arrow_keys_edit_the_line(self):
        pid, fd = self.spawn("--db", ":memory:")
        self.read_until(fd, PROMPT)
        self.ask(fd, b"open Cash\n", "Opened account Cash.")
        # Left twice, then a digit: typed before the cursor, not as ^[[D.
        out = self.ask(fd, b"deposit Cash 75" + self.LEFT * 2 + b"1\n",
                       "Deposited 175 into Cash. Balance: 175")
        self.assertNotIn("^[", out)
        # Backspace deletes what is before the cursor.
        self.ask(fd, b"withdraw Cash 190" + self.LEFT + b"\x7f\n",
                 "Withdrew 10 from Cash. Balance: 165")
        self.finish(pid, fd)

    def test_history_kept_between_runs(self):
        db = self.path("ledgers.db")
        pid, fd = self.spawn("--db", db)
        self.read_until(fd, PROMPT)
        self.ask(fd, b"open Cash\n", "Opened account Cash.")
        self.ask(fd, b"deposit Cash 5\n", "Balance: 5")
        # An empty line and a repeat add nothing to the history.
        self.ask(fd, b"\n", "\n")
        self.ask(fd, b"deposit Cash 5\n", "Balance: 10")
        self.finish(pid, fd)
        with open(self.history) as f:
            self.assertEqual(f.read(), "open Cash\ndeposit Cash 5\n")
        self.assertEqual(stat.S_IMODE(os.stat(self.history).st_mode), 0o600)

        pid, fd = self.spawn("--db", db)
        self.read_until(fd, PROMPT)
        # Up recalls the last line of the run before; Up again the one before it.
        self.ask(fd, self.UP + b"\n", "Deposited 5 into Cash. Balance: 15")
        self.ask(fd, self.UP + self.UP + b"\n",
                 "Error: A ledger named “Cash” exists already")
        self.finish(pid, fd)

    def test_tab_completes_commands_and_ledgers(self):
        pid, fd = self.spawn("--db", ":memory:")
        self.read_until(fd, PROMPT)
        self.ask(fd, b'open "Joint savings"\n', "Opened account Joint savings.")
        self.ask(fd, b"open Cash\n", "Opened account Cash.")
        # A command's name, then a ledger's, each with a space after it.
        self.ask(fd, b"dep\tCa\t3\n", "Deposited 3 into Cash. Balance: 3")
        # A name with a space comes in double quotes, as the line needs it.
        self.ask(fd, b"bal\tJo\t\n", "Balance: 0")
        # Both of a transfer's ledgers complete.
        self.ask(fd, b"tran\tCa\tJo\t1\n", "Cash")
        self.ask(fd, b"balance Joint\t\n", "Balance: 1")
        # A threshold completes an item, never an account; a report its kind.
        self.ask(fd, b"create-item Cargo 4\n", "Created item Cargo. Quantity: 4")
        self.ask(fd, b"thr\tCa\t5\n", "Set the threshold of Cargo to 5. Quantity: 4")
        self.ask(fd, b"report low\t\n", "Item   Quantity  Threshold")
        # Only ledgers after a command that takes one; a tab never enters the line.
        out = self.ask(fd, b"open Ca\t\n", "Opened account Ca.")
        self.assertNotIn("\t", out)
        self.finish(pid, fd)

    def test_ctrl_c_at_the_prompt_ends_the_program(self):
        pid, fd = self.spawn("--db", ":memory:")
        self.read_until(fd, PROMPT)
        os.write(fd, b"open Ca")
        self.read_until(fd, "open Ca")
        os.write(fd, b"\x03")
        self.read_to_end(fd)
        _, status = os.waitpid(pid, 0)
        self.assertTrue(os.WIFSIGNALED(status))
        self.assertEqual(os.WTERMSIG(status), signal.SIGINT)

    def test_typing_goes_on_around_a_notice(self):
        db = self.path("watched.db")
        self.assert_answers(["open Shared"], PROMPT + "Opened account Shared.\n" + PROMPT, db=db)
        pid, fd = self.spawn("--db", db)
        self.read_until(fd, PROMPT)
        os.write(fd, b"balance Sha")
        self.read_until(fd, "balance Sha")
        self.assert_answers(["deposit Shared 5"],
                            PROMPT + "Deposited 5 into Shared. Balance: 5\n" + PROMPT, db=db)
        self.read_until(fd, "Another program changed the ledgers.")
        # The question and what was typed come back below the notice.
        self.read_until(fd, PROMPT + "balance Sha")
        os.write(fd, b"red\n")
        self.read_until(fd, "Balance: 5")
        self.finish(pid, fd)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
