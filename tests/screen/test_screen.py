#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The full-screen terminal view, driven as a person drives it: the real
program in a tmux pane of 100 x 30 (100 x 20 for scrolling), keys sent
with send-keys, the screen read back with capture-pane (with -e for its
colours). Beside it, on the test run's display, the real window, whose
actions are called over the session bus and whose pixels are read back.

Arguments: the folder of the compiled settings schema, the build's
locale folder, and `gtk` when the build has the window. Settings live in
a keyfile of the test's own, so that `gsettings` in another process and
the program share them."""

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import unittest

BINARY = os.environ.get("QL_BINARY", "quote-ledger")
SCHEMA_DIR = sys.argv[1]
LOCALE_DIR = sys.argv[2]
HAVE_GTK = sys.argv[3] == "gtk"
# The test run's display, for the window; the full-screen view never sees it.
DISPLAY = os.environ.get("DISPLAY")
APPLICATION_ID = "io.github.quoteledger.QuoteLedger"
APPLICATION_PATH = "/io/github/quoteledger/QuoteLedger"
SCHEMA = "io.github.quoteledger.QuoteLedger"
WIDTH, HEIGHT = 100, 30


def columns(text):
    """Terminal columns @text takes: two for a wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class ScreenTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ql-screen-")
        self.socket = os.path.join(self.tmp, "tmux.sock")
        self.db = os.path.join(self.tmp, "ledgers.db")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX", "TMUX_PANE")}
        self.env.update(HOME=self.tmp, XDG_DATA_HOME=os.path.join(self.tmp, "data"),
                        XDG_CONFIG_HOME=os.path.join(self.tmp, "config"),
                        GSETTINGS_BACKEND="keyfile", GSETTINGS_SCHEMA_DIR=SCHEMA_DIR,
                        QL_LOCALEDIR=LOCALE_DIR)
        self.started = False

    def tearDown(self):
        if self.started:
            subprocess.run(self.tmux_argv("kill-server"), env=self.env,
                           capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tmux_argv(self, *args):
        return ["tmux", "-S", self.socket, "-f", "/dev/null", *args]

    def tmux(self, *args):
        result = subprocess.run(self.tmux_argv(*args), env=self.env, capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def line_mode(self, lines):
        """Runs the line view on a pipe with the same database."""
        result = subprocess.run([BINARY, "--tui", "--db", self.db],
                                input="".join(line + "\n" for line in lines),
                                capture_output=True, text=True, env=self.env, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def start(self, *args, colour=False, term=None, height=HEIGHT):
        """Starts the program in a pane (@term for its TERM instead of the one
        tmux gives); its status and stderr land in files, and so does the
        terminal's mode once it has left."""
        if colour:
            self.env.pop("NO_COLOR", None)
        else:
            self.env["NO_COLOR"] = "1"
        argv = [BINARY, "--tui", "--db", self.db, *args]
        if term is not None:
            argv = ["env", "TERM=" + term] + argv
        script = "%s 2>%s; echo $? >%s; stty -a >%s" % (
            " ".join(shlex.quote(a) for a in argv),
            shlex.quote(self.path("stderr")), shlex.quote(self.path("status")),
            shlex.quote(self.path("stty")))
        self.tmux("new-session", "-d", "-x", str(WIDTH), "-y", str(height), script)
        self.tmux("set-option", "-g", "remain-on-exit", "on")
        self.started = True

    def path(self, name):
        return os.path.join(self.tmp, name)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p"] + (["-e"] if escapes else [])
        return self.tmux(*args)

    def wait_for(self, text, timeout=10, escapes=False):
        """The screen once it shows @text (a string or a compiled pattern)."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen(escapes)
            # capture-pane drops the spaces that end a row.
            found = text.search(shown) if hasattr(text, "search") else text.rstrip() in shown
            if found:
                return shown
            if time.monotonic() > deadline:
                self.fail("no %r on the screen:\n%s" % (text, shown))
            time.sleep(0.05)

    def keys(self, *keys):
        self.tmux("send-keys", *keys)

    def type(self, text):
        self.tmux("send-keys", "-l", text)

    def wait_exit(self, timeout=10):
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.path("stty")) or os.path.getsize(self.path("stty")) == 0:
            if time.monotonic() > deadline:
                self.fail("the program did not leave:\n" + self.screen())
            time.sleep(0.05)
        time.sleep(0.1)
        with open(self.path("status")) as f:
            status = f.read().strip()
        with open(self.path("stderr")) as f:
            errors = f.read()
        self.assertEqual(status, "0", errors)
        self.assertEqual(errors, "")
        with open(self.path("stty")) as f:
            modes = f.read().split()
        # The terminal is cooked again: it echoes and reads lines.
        self.assertIn("icanon", modes)
        self.assertIn("echo", modes)

    def quit(self):
        self.keys("q")
        self.wait_exit()

    def gsettings(self, *args):
        result = subprocess.run(["gsettings", *args], env=self.env, capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.strip()

    def open_savings(self):
        self.line_mode(["open Savings EUR", "deposit Savings 100", "create-item Widgets 5"])

    def write_quotes(self, text):
        path = self.path("quotes.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path


class DispatchTests(ScreenTestCase):
    def test_full_screen_on_a_terminal(self):
        self.start()
        shown = self.wait_for("Ledgers")
        self.assertIn("F1 Quotes", shown)
        self.assertIn("q quit", shown.splitlines()[-1])
        self.quit()

    def test_line_forces_the_line_view(self):
        self.start("--line")
        self.wait_for("Which quote number would you like to see?")
        self.keys("1", "Enter")
        self.wait_for('And the quote is: "As I said before, I never repeat myself."')
        self.keys("quit", "Enter")
        self.wait_exit()

    def test_pipes_keep_the_line_view(self):
        out = self.line_mode(["1"])
        self.assertEqual(out, "Which quote number would you like to see? "
                              "And the quote is: \"As I said before, I never repeat myself.\"\n"
                              "Which quote number would you like to see? ")

    def test_sigterm_restores_the_terminal(self):
        self.start()
        self.wait_for("Ledgers")
        self.tmux("send-keys", "d")
        pid = int(self.tmux("display-message", "-p", "#{pane_pid}").strip())
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                  text=True).stdout.split()
        self.assertEqual(len(children), 1)
        os.kill(int(children[0]), 15)
        self.wait_exit()

    def test_ctrl_c_restores_the_terminal(self):
        self.start()
        self.wait_for("Ledgers")
        self.keys("/")
        self.wait_for("Show the ledgers whose name holds:")
        self.keys("C-c")
        self.wait_exit()

    def test_resize(self):
        self.open_savings()
        self.start()
        self.wait_for("Savings")
        self.tmux("resize-window", "-x", "60", "-y", "20")
        shown = self.wait_for(re.compile(r"^ Arrows", re.M))
        self.assertEqual(len(shown.splitlines()), 20)
        self.quit()


class LedgersTests(ScreenTestCase):
    def test_list_and_history(self):
        self.open_savings()
        self.start()
        shown = self.wait_for("Widgets")
        self.assertRegex(shown, r"Savings\s+100\.00 EUR")
        self.assertIn("Savings  Balance: 100.00 EUR", shown)
        self.assertRegex(shown, r"1 .* Account opened|1 .*AccountOpened|1\s.*opened")
        self.assertRegex(shown, r"2 .*\+100\.00 EUR\s+100\.00 EUR")
        self.quit()

    def test_deposit_withdraw_undo(self):
        self.open_savings()
        self.start()
        self.wait_for("Widgets")
        self.keys("d")
        self.wait_for("Amount to deposit into Savings: ")
        self.type("12.50")
        self.keys("Enter")
        shown = self.wait_for("Deposited 12.50 EUR into Savings. Balance: 112.50 EUR")
        self.assertRegex(shown, r"3 .*\+12\.50 EUR\s+112\.50 EUR")
        self.assertRegex(shown, r"Savings\s+112\.50 EUR")

        self.keys("w")
        self.wait_for("Amount to withdraw from Savings: ")
        self.type("500")
        self.keys("Enter")
        shown = self.wait_for("Cannot withdraw 500.00 EUR from “Savings”: the balance is only 112.50 EUR")
        self.assertRegex(shown, r"Savings\s+112\.50 EUR")

        self.keys("w")
        self.type("0.50")
        self.keys("Enter")
        self.wait_for("Withdrew 0.50 EUR from Savings. Balance: 112.00 EUR")

        self.keys("u")
        shown = self.wait_for("Undid version 4 of Savings")
        self.assertRegex(shown, r"5 .*\(undoes version 4\)\s+\+0\.50 EUR\s+112\.50 EUR")
        self.assertRegex(shown, r"Savings\s+112\.50 EUR")
        self.quit()
        self.assertIn("Balance: 112.50 EUR", self.line_mode(["balance Savings"]))

    def test_history_shows_dates_payees_and_transfers(self):
        self.line_mode(["open Checking EUR", "open Savings EUR",
                        'deposit Checking 100 --date 2026-01-05 --payee Bo --memo "rye"',
                        "transfer Checking Savings 40 --date 2026-02-03",
                        "amend Checking 2 --date 2026-01-06"])
        self.start()
        shown = self.wait_for("Checking  Balance: 60.00 EUR")
        # The day a change happened, as amended, with its payee and memo.
        self.assertRegex(shown, r"2  2026-01-06  Deposit\s+\+100\.00 EUR\s+100\.00 EUR  "
                                r"Bo “rye”")
        self.assertRegex(shown, r"3  2026-02-03  Transfer to Savings\s+-40\.00 EUR\s+60\.00 EUR")
        self.keys("Down")
        shown = self.wait_for("Savings  Balance: 40.00 EUR")
        self.assertRegex(shown, r"2  2026-02-03  Transfer from Checking\s+\+40\.00 EUR")
        self.quit()

    def test_columns_fit_the_screen(self):
        self.line_mode(["open Savings EUR", "deposit Savings 100", "withdraw Savings 12.50",
                        "deposit Savings 40", "undo Savings", "open 储蓄账户 CNY",
                        "deposit 储蓄账户 123456.78"])
        self.start()
        shown = self.wait_for("Savings  Balance: 87.50 EUR")
        # The event's text gives way, marked as cut; every balance is whole.
        self.assertRegex(shown, re.compile(r"^.*│\s+5 .*-40\.00 EUR\s+87\.50 EUR$", re.M))
        self.assertRegex(shown, re.compile(r"^.*│\s+5 .*\(undoes ver[^)]*…\s+-40\.00 EUR", re.M))
        self.assertRegex(shown, re.compile(r"^.*│\s+4 .*\+40\.00 EUR\s+127\.50 EUR$", re.M))
        self.quit()

    def test_time_travel(self):
        self.open_savings()
        self.line_mode(["deposit Savings 20"])
        self.start()
        self.wait_for("Savings  Balance: 120.00 EUR")
        self.keys("Left")
        shown = self.wait_for("Savings  Balance: 100.00 EUR  (version 2 of 3)")
        self.assertNotIn("+20.00 EUR", shown)
        self.keys("Left", "Left", "Left")
        self.wait_for("Savings  Balance: 0.00 EUR  (version 1 of 3)")
        self.keys("Right", "Right")
        shown = self.wait_for("Savings  Balance: 120.00 EUR")
        self.assertNotIn("(version", shown)
        self.assertIn("+20.00 EUR", shown)
        self.keys("Left")
        self.wait_for("(version 2 of 3)")
        self.keys("d")
        self.type("1")
        self.keys("Enter")
        shown = self.wait_for("Savings  Balance: 121.00 EUR")
        self.assertNotIn("(version", shown)
        self.quit()

    def test_import_with_progress(self):
        self.open_savings()
        small = self.path("small.csv")
        with open(small, "w") as f:
            f.write("ledger,type,amount\nCash,open,\nCash,deposit,10\nSavings,deposit,1\n")
        big = self.path("big.csv")
        with open(big, "w") as f:
            f.write("ledger,type,amount\nMany,open,\n")
            f.write("Many,deposit,1\n" * 300000)
        self.start()
        self.wait_for("Widgets")
        self.keys("i")
        self.wait_for("CSV file to import: ")
        self.type(small)
        self.keys("Enter")
        shown = self.wait_for("Imported 3 events from %s." % small)
        self.assertRegex(shown, r"Cash\s+10")
        self.assertRegex(shown, r"Savings\s+101\.00 EUR")

        self.keys("i")
        self.type(big)
        self.keys("Enter")
        shown = self.wait_for(re.compile(r"(Checking|Writing)… \[.*\]\s+\d+%"), timeout=30)
        self.wait_for("Imported 300001 events from %s." % big, timeout=120)
        self.wait_for(re.compile(r"Many\s+300000"))

        self.keys("i")
        self.type(self.path("missing.csv"))
        self.keys("Enter")
        self.wait_for("missing.csv")
        self.quit()

    def test_filter(self):
        self.open_savings()
        self.line_mode(["open Spending", "deposit Spending 3"])
        self.start()
        self.wait_for("Widgets")
        self.keys("/")
        self.wait_for("Show the ledgers whose name holds: ")
        self.type("SP")
        self.keys("Enter")
        shown = self.wait_for("Spending  Balance: 3")
        self.assertNotIn("Savings", shown)
        self.assertNotIn("Widgets", shown)
        self.keys("d")
        self.type("2")
        self.keys("Enter")
        self.wait_for("Deposited 2 into Spending. Balance: 5")
        self.keys("/")
        self.type("nothing")
        self.keys("Enter")
        self.wait_for("No ledger’s name holds “nothing”.")
        self.keys("/", "Enter")
        shown = self.wait_for("Widgets")
        self.assertIn("Savings", shown)
        self.quit()

    def click(self, x, y):
        """A press and a release of the first button, as xterm reports them."""
        self.type("\x1b[M %c%c" % (33 + x, 33 + y))
        self.type("\x1b[M#%c%c" % (33 + x, 33 + y))

    def test_mouse(self):
        self.open_savings()
        self.start()
        self.wait_for("Savings  Balance: 100.00 EUR")
        self.click(3, 5)
        self.wait_for("Widgets  Quantity: 5")
        self.click(3, 4)
        self.wait_for("Savings  Balance: 100.00 EUR")
        self.click(3, 0)
        self.wait_for("Type a quote’s number")
        self.click(15, 0)
        self.wait_for("Widgets")
        self.quit()

    def test_bad_amount_and_escape(self):
        self.open_savings()
        self.start()
        self.wait_for("Widgets")
        self.keys("d")
        self.type("abc")
        self.keys("Enter")
        self.wait_for("Invalid amount “abc”")
        self.keys("d")
        self.wait_for("Amount to deposit")
        self.type("5")
        self.keys("Escape")
        shown = self.wait_for(re.compile(r"\A(?![\s\S]*Amount to deposit)"))
        self.assertRegex(shown, r"Savings\s+100\.00 EUR")
        self.quit()

    def test_items(self):
        self.open_savings()
        self.start()
        self.wait_for("Widgets")
        self.keys("Down")
        self.wait_for("Widgets  Quantity: 5")
        self.keys("+")
        self.wait_for("Quantity to add to Widgets: ")
        self.type("3")
        self.keys("Enter")
        self.wait_for("Increased Widgets by 3. Quantity: 8")
        self.keys("-")
        self.type("9")
        self.keys("Enter")
        self.wait_for("Cannot remove 9 from “Widgets”: the quantity is only 8")
        self.keys("d")
        self.type("1")
        self.keys("Enter")
        self.wait_for("is an inventory item, not an account")
        self.quit()

    def test_no_ledgers(self):
        self.start()
        self.wait_for("No ledgers yet.")
        self.keys("d")
        self.wait_for("There is no ledger to change yet.")
        self.quit()

    def test_another_process_writes(self):
        self.open_savings()
        self.start()
        self.wait_for("Widgets")
        started = time.monotonic()
        self.line_mode(["deposit Savings 7"])
        self.wait_for(re.compile(r"Savings\s+107\.00 EUR"), timeout=2)
        self.assertLess(time.monotonic() - started, 2)
        shown = self.wait_for(re.compile(r"3 .*\+7\.00 EUR\s+107\.00 EUR"), timeout=2)
        self.assertIn("Balance: 107.00 EUR", shown)
        self.line_mode(["open Checking"])
        self.wait_for("Checking", timeout=2)
        self.quit()

    def test_help(self):
        self.start()
        self.wait_for("Ledgers")
        self.keys("?")
        shown = self.wait_for("show or hide this help")
        self.assertIn("deposit into or withdraw from an account", shown)
        self.keys("x")
        self.wait_for(re.compile(r"\A(?![\s\S]*show or hide this help)"))
        self.quit()


class ScrollTests(ScreenTestCase):
    """Lists longer than the pane: PageUp, PageDown and the wheel."""

    def versions(self, shown):
        """The history's version numbers on the screen, top to bottom."""
        return [int(v) for v in re.findall(r"│ +(\d+)  \d{4}-\d\d-\d\d  ", shown)]

    def wheel(self, down):
        """One step of the wheel, as xterm reports it (buttons 4 and 5)."""
        self.type("\x1b[M%c%c%c" % (97 if down else 96, 33 + 40, 33 + 8))

    def wait_for_versions(self, first, last):
        deadline = time.monotonic() + 10
        while True:
            shown = self.versions(self.screen())
            if shown and (shown[0], shown[-1]) == (first, last):
                self.assertEqual(shown, list(range(first, last + 1)))
                return
            if time.monotonic() > deadline:
                self.fail("versions %r, not %d to %d:\n%s" % (shown, first, last, self.screen()))
            time.sleep(0.05)

    def test_history_scrolls_and_a_new_event_shows_the_newest(self):
        # Opened at version 1, then 59 deposits: 60 events, 13 rows in view.
        self.line_mode(["open Cash"] + ["deposit Cash %d" % i for i in range(1, 60)])
        self.start(height=20)
        self.wait_for("Cash  Balance: 1770")
        self.wait_for_versions(48, 60)
        self.keys("PPage")
        self.wait_for_versions(35, 47)
        self.keys("PPage", "PPage", "PPage", "PPage")
        self.wait_for_versions(1, 13)
        self.assertIn("Account opened", self.screen())
        self.keys("NPage")
        self.wait_for_versions(14, 26)
        self.wheel(down=False)
        self.wait_for_versions(11, 23)
        self.wheel(down=True)
        self.wait_for_versions(14, 26)
        self.line_mode(["deposit Cash 60"])
        self.wait_for("Cash  Balance: 1830")
        self.wait_for_versions(49, 61)
        self.keys("NPage")
        self.wait_for_versions(49, 61)
        self.quit()

    def test_search_matches_scroll(self):
        quotes = self.write_quotes("".join("Quote about thing %02d\n%%\n" % i
                                           for i in range(40)))
        self.start("--quotes", quotes, height=20)
        self.wait_for("Ledgers")
        self.keys("Tab", "/")
        self.wait_for("Search the quotes for: ")
        self.type("thing")
        self.keys("Enter")
        shown = self.wait_for("Quotes that match “thing”")
        self.assertIn("0: Quote about thing 00", shown)
        self.assertNotIn("thing 14", shown)
        self.keys("NPage")
        shown = self.wait_for("thing 14")
        self.assertNotIn("thing 13", shown)
        self.keys("NPage", "NPage", "NPage")
        shown = self.wait_for("39: Quote about thing 39")
        # The last match stays on the last row: no scrolling past it.
        rows = shown.splitlines()
        self.assertIn("thing 39", rows[17])
        self.keys("PPage", "PPage", "PPage", "PPage")
        self.wait_for("0: Quote about thing 00")
        self.wheel(down=True)
        shown = self.wait_for("3: Quote about thing 03")
        self.assertNotIn("thing 02", shown)
        self.quit()


class QuotesTests(ScreenTestCase):
    def test_number_random_search(self):
        self.start()
        self.wait_for("Ledgers")
        self.keys("Tab")
        self.wait_for("Type a quote’s number")
        self.keys("3")
        self.wait_for("Which quote number would you like to see? 3")
        self.keys("Enter")
        shown = self.wait_for("Quote 3")
        self.assertIn("Black holes really suck...", shown)
        self.keys("9", "9", "Enter")
        self.wait_for("Not found!")
        self.keys("9", "x", "Enter")
        self.wait_for("Incorrect index")
        self.keys("r")
        self.wait_for(re.compile(r"Quote [0-4]\b"))
        self.keys("/")
        self.wait_for("Search the quotes for: ")
        self.type("ma[nr]")
        self.keys("Enter")
        shown = self.wait_for("Quotes that match “ma[nr]”")
        self.assertIn("0: A man is not complete", shown)
        self.assertIn("2: Behind a successful man", shown)
        self.keys("/")
        self.type("(")
        self.keys("Enter")
        self.wait_for("regular expression")
        self.keys("F2")
        self.wait_for("No ledgers yet.")
        self.quit()

    def test_control_characters_never_reach_the_terminal(self):
        quotes = self.write_quotes("Bell\x07 and \x1b[31mred\n")
        self.start("--quotes", quotes, colour=True)
        self.wait_for("Ledgers")
        self.keys("Tab", "0", "Enter")
        shown = self.wait_for("Quote 0", escapes=True)
        self.assertIn("red", shown)
        self.assertNotIn("\x07", shown)
        self.assertNotRegex(shown, r"\x1b\[[0-9;]*31m")
        self.quit()


@unittest.skipUnless(HAVE_GTK and DISPLAY, "needs the window and a display")
class WindowSchemeTests(ScreenTestCase):
    """The real window and the full-screen view open side by side, on the
    same settings: a scheme chosen in either shows in the other."""

    def setUp(self):
        super().setUp()
        self.window = None

    def tearDown(self):
        if self.window is not None and self.window.poll() is None:
            self.window.terminate()
            self.window.wait(timeout=30)
        super().tearDown()

    def start_window(self):
        env = dict(self.env, DISPLAY=DISPLAY, NO_AT_BRIDGE="1")
        self.window = subprocess.Popen([BINARY, "--db", self.db], env=env,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        subprocess.run(["gdbus", "wait", "--session", "--timeout", "60", APPLICATION_ID],
                       check=True, timeout=90)
        result = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--pid",
                                 str(self.window.pid)], env=env, capture_output=True,
                                text=True, check=True, timeout=60)
        self.window_id = result.stdout.split()[0]

    def window_action(self, method, *args):
        result = subprocess.run(["gdbus", "call", "--session", "--dest", APPLICATION_ID,
                                 "--object-path", APPLICATION_PATH,
                                 "--method", "org.gtk.Actions." + method, *args],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.strip()

    def window_brightness(self):
        """The mean grey of the window's pixels as painted, 0 to 1."""
        result = subprocess.run(["import", "-window", self.window_id, "-colorspace", "Gray",
                                 "-resize", "1x1!", "-format", "%[fx:mean]", "info:"],
                                env=dict(self.env, DISPLAY=DISPLAY), capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        return float(result.stdout)

    def wait_for_window(self, dark, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            brightness = self.window_brightness()
            if (brightness < 0.3) if dark else (brightness > 0.6):
                return
            if time.monotonic() > deadline:
                self.fail("the window is not %s: mean grey %.2f"
                          % ("dark" if dark else "light", brightness, ))
            time.sleep(0.1)

    def test_the_window_and_the_view_follow_each_other(self):
        self.open_savings()
        self.gsettings("set", SCHEMA, "color-scheme", "light")
        self.start_window()
        self.wait_for_window(dark=False)
        self.start(colour=True)
        self.wait_for(re.compile(r"\x1b\[[0-9;]*47m"), escapes=True)

        # The window's own action, over the bus as a menu would activate it.
        self.window_action("Activate", "color-scheme", "[<'dark'>]", "{}")
        self.wait_for_window(dark=True)
        self.wait_for(re.compile(r"\x1b\[[0-9;]*40m"), escapes=True, timeout=2)
        self.assertNotRegex(self.screen(escapes=True), r"\x1b\[[0-9;]*47m")

        # t in the view: the window's action state, and its pixels, follow.
        self.keys("t")
        self.wait_for(re.compile(r"\x1b\[[0-9;]*47m"), escapes=True, timeout=2)
        self.wait_for_window(dark=False)
        self.assertEqual(self.window_action("Describe", "color-scheme"),
                         "((true, signature 's', [<'light'>]),)")
        self.assertEqual(self.gsettings("get", SCHEMA, "color-scheme"), "'light'")
        self.quit()


class SchemeTests(ScreenTestCase):
    def test_gsettings_recolours_and_t_writes_it(self):
        self.open_savings()
        self.start(colour=True)
        first = self.wait_for("Widgets", escapes=True)
        self.gsettings("set", SCHEMA, "color-scheme", "dark")
        dark = self.wait_for(re.compile(r"\x1b\[[0-9;]*40m"), escapes=True, timeout=2)
        self.assertNotEqual(first, dark)
        self.gsettings("set", SCHEMA, "color-scheme", "light")
        light = self.wait_for(re.compile(r"\x1b\[[0-9;]*47m"), escapes=True, timeout=2)
        self.assertNotEqual(light, dark)
        self.keys("t")
        deadline = time.monotonic() + 2
        while self.gsettings("get", SCHEMA, "color-scheme") != "'dark'":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.wait_for(re.compile(r"\x1b\[[0-9;]*40m"), escapes=True, timeout=2)
        self.keys("t")
        self.wait_for(re.compile(r"\x1b\[[0-9;]*47m"), escapes=True, timeout=2)
        self.assertEqual(self.gsettings("get", SCHEMA, "color-scheme"), "'light'")
        self.quit()

    def test_no_color(self):
        self.gsettings("set", SCHEMA, "color-scheme", "dark")
        self.start(colour=False)
        shown = self.wait_for("Ledgers", escapes=True)
        self.assertNotRegex(shown, r"\x1b\[[0-9;]*[34][0-7]m")
        self.assertIn("\x1b[7m", shown)
        self.quit()

    def test_eight_colours(self):
        self.gsettings("set", SCHEMA, "color-scheme", "dark")
        self.gsettings("set", SCHEMA, "skin", "forest")
        self.start(colour=True, term="xterm")
        shown = self.wait_for(re.compile(r"\x1b\[[0-9;]*40m"), escapes=True)
        self.assertNotRegex(shown, r"\x1b\[[0-9;]*[34]8;")
        self.quit()

    def test_skin_colours_on_256_colours(self):
        self.open_savings()
        self.start(colour=True, term="xterm-256color")
        shown = self.wait_for("Widgets", escapes=True)
        self.assertNotRegex(shown, r"\x1b\[[0-9;]*48;5;")
        # Forest's header bar, #dbe7d3, is grey 253 of the 256; its dark
        # window, #17211a, is grey 234.
        self.gsettings("set", SCHEMA, "skin", "forest")
        self.wait_for(re.compile(r"\x1b\[[0-9;]*48;5;253m"), escapes=True, timeout=2)
        self.gsettings("set", SCHEMA, "color-scheme", "dark")
        self.wait_for(re.compile(r"\x1b\[[0-9;]*48;5;234m"), escapes=True, timeout=2)
        self.gsettings("set", SCHEMA, "skin", "adwaita")
        shown = self.wait_for(re.compile(r"\A(?![\s\S]*48;5;)[\s\S]*40m"), escapes=True,
                              timeout=2)
        self.gsettings("set", SCHEMA, "skin", "no-such-skin")
        self.wait_for("no-such-skin")
        self.quit()

    def test_skin_colours_in_direct_colour(self):
        self.gsettings("set", SCHEMA, "skin", "forest")
        self.start(colour=True, term="xterm-direct")
        # Forest's header bar, #dbe7d3, as it is.
        self.wait_for(re.compile(r"\x1b\[[0-9;]*48;2;219;231;211m"), escapes=True)
        self.quit()

    def test_user_skin(self):
        skins = os.path.join(self.tmp, "data", "quote-ledger", "skins")
        os.makedirs(skins)
        with open(os.path.join(skins, "mine.css"), "w") as f:
            f.write("@define-color window_bg_color #ff0000;\n")
        self.gsettings("set", SCHEMA, "skin", "mine")
        self.start(colour=True, term="xterm-256color")
        self.wait_for(re.compile(r"\x1b\[[0-9;]*48;5;196m"), escapes=True)
        self.quit()


class ChineseTests(ScreenTestCase):
    def setUp(self):
        super().setUp()
        for key in [k for k in self.env if k.startswith("LC_") or k == "LANG"]:
            del self.env[key]
        self.env.update(LANGUAGE="zh_CN", LC_ALL="zh_CN.UTF-8")

    def test_ledgers_in_chinese(self):
        self.line_mode(["open 储蓄 EUR", "deposit 储蓄 100", "create-item Widgets 5"])
        self.start()
        shown = self.wait_for("Widgets")
        footer = shown.splitlines()[-1]
        self.assertNotIn("quit", footer)
        self.assertIn("q ", footer)
        # Both balances end in the same column, wide names or not.
        rows = [line for line in shown.splitlines() if "储蓄 " in line[:12] or "Widgets" in line[:12]]
        ends = {columns(row.split("│")[0].rstrip()) for row in rows}
        self.assertEqual(len(ends), 1, rows)
        self.keys("w")
        self.type("500")
        self.keys("Enter")
        shown = self.wait_for(re.compile(r"[\u4e00-\u9fff].*500"))
        self.assertNotIn("Cannot withdraw", shown)
        self.quit()

    def test_actions_in_chinese(self):
        self.line_mode(["open 储蓄 EUR", "deposit 储蓄 100"])
        csv = self.path("more.csv")
        with open(csv, "w") as f:
            f.write("ledger,type,amount\n储蓄,deposit,5\n")
        self.start()
        self.wait_for("储蓄  余额：100.00 EUR")
        self.keys("d")
        self.wait_for("要存入 储蓄 的金额：")
        self.type("20")
        self.keys("Enter")
        shown = self.wait_for("已向“储蓄”存入 20.00 EUR。余额：120.00 EUR")
        self.assertNotIn("Deposit", shown)
        self.keys("u")
        shown = self.wait_for("已撤销“储蓄”的版本 3")
        self.assertIn("（撤销版本 3）", shown)
        self.keys("Left")
        self.wait_for("储蓄  余额：120.00 EUR  （版本 3，共 4 个版本）")
        self.keys("Right", "i")
        self.wait_for("要导入的 CSV 文件：")
        self.type(csv)
        self.keys("Enter")
        self.wait_for("已从“%s”导入 1 个事件。" % csv)
        self.keys("/")
        self.wait_for("显示名称包含此文字的账本：")
        self.type("x")
        self.keys("Enter")
        self.wait_for("没有名称包含“x”的账本。")
        self.keys("Tab", "/")
        self.type("man")
        self.keys("Enter")
        shown = self.wait_for("与“man”匹配的名言")
        self.assertIn("退出", shown.splitlines()[-1])
        self.quit()

    def test_quotes_and_help_in_chinese(self):
        self.start()
        self.wait_for("F1")
        self.keys("?")
        shown = self.wait_for("q ")
        self.assertNotIn("show or hide", shown)
        self.keys("x", "Tab", "1")
        self.wait_for("您想看哪个编号的名言？ 1")
        self.quit_from_prompt()

    def quit_from_prompt(self):
        self.keys("Escape")
        time.sleep(0.2)
        self.quit()


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
