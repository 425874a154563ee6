#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nothing lost, nothing corrupted: the program killed at random moments,
many writers at once, broken and hostile files, and checks of the source.

Usage: test_robustness.py HAMMER [unittest arguments]
HAMMER is the path of the ql-hammer helper (threads on one database).
Set QL_TEST_SEED to replay a run; every run prints the seed it used."""

import collections
import hashlib
import json
import os
import pwd
import random
import re
import resource
import select
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BINARY = os.environ.get("QL_BINARY", "quote-ledger")
SOURCE_DIR = os.path.dirname(os.environ.get("QL_TEST_SOURCE_DIR",
                                            os.path.join(os.path.dirname(__file__), "..")))
HAMMER = None
PROMPT = "Which quote number would you like to see? "
UNPRIVILEGED_ID = 65534
SEED = int(os.environ.get("QL_TEST_SEED", str(int(time.time()))))

# How many times the crash tests kill the program.
KILLS_WHILE_APPENDING = 60
KILLS_WHILE_MIGRATING = 20

ACK = re.compile(r"(Deposited|Withdrew) (\d+) (?:into|from) (\S+)\. Balance: (\d+)")

# Version 1 of the schema, as the first release wrote it.
SCHEMA_V1 = """
PRAGMA journal_mode = WAL;
CREATE TABLE events (
  position INTEGER PRIMARY KEY, ledger TEXT NOT NULL, version INTEGER NOT NULL,
  type TEXT NOT NULL, timestamp INTEGER NOT NULL, payload TEXT NOT NULL,
  UNIQUE (ledger, version));
CREATE TABLE ledgers (ledger TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE snapshots (ledger TEXT, version INTEGER, state TEXT,
  PRIMARY KEY (ledger, version));
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
  WHEN EXISTS (SELECT 1 FROM events WHERE position = NEW.position
               OR (ledger = NEW.ledger AND version = NEW.version))
  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
PRAGMA user_version = 1;
"""


def checksum(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def drop_root():
    """For a child process: become nobody, whom file modes apply to."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(UNPRIVILEGED_ID)
        os.setuid(UNPRIVILEGED_ID)


def give_away(path):
    """Hands a file to nobody, as drop_root() becomes: a database is only
    opened by its owner."""
    if os.geteuid() == 0:
        os.chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID)


class RobustnessTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ql-robustness-")
        # Tests that give up root must still reach their folders.
        os.chmod(self.tmp, 0o755)
        self.env = dict(os.environ)
        self.env["XDG_DATA_HOME"] = os.path.join(self.tmp, "data")
        self.env["HOME"] = self.tmp
        self.env["NO_COLOR"] = "1"
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)
        self.random = random.Random(SEED)

    def tearDown(self):
        for root, dirs, _ in os.walk(self.tmp):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    def run_binary(self, lines, *args, preexec_fn=None, timeout=120):
        data = "".join(line + "\n" for line in lines).encode()
        proc = subprocess.run([BINARY, "--tui"] + list(args), input=data,
                              capture_output=True, env=self.env, timeout=timeout,
                              preexec_fn=preexec_fn)
        return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
                proc.stderr.decode("utf-8", "replace"))

    def acknowledged(self, out):
        """(ledger, signed amount) of every change the program confirmed."""
        acks = []
        for kind, amount, ledger, _ in ACK.findall(out):
            acks.append((ledger, int(amount) if kind == "Deposited" else -int(amount)))
        return acks

    def check_database(self, db):
        """The file is sound: integrity, contiguous versions, heads that
        match. Returns {ledger: [signed amounts of its changes]}."""
        con = sqlite3.connect(db, timeout=30)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            rows = con.execute("SELECT ledger, version, type, payload FROM events"
                               " ORDER BY ledger, version").fetchall()
            if con.execute("PRAGMA user_version").fetchone()[0] < 3:
                heads = dict(con.execute("SELECT ledger, version FROM ledgers").fetchall())
            else:
                # Since version 3 a ledger's head is its newest event.
                heads = dict(con.execute(
                    "SELECT ledger, (SELECT max(version) FROM events"
                    " WHERE events.ledger = ledgers.ledger) FROM ledgers").fetchall())
        finally:
            con.close()
        versions = collections.defaultdict(list)
        changes = collections.defaultdict(list)
        for ledger, version, kind, payload in rows:
            versions[ledger].append(version)
            amount = json.loads(payload).get("amount")
            if kind == "Deposited":
                changes[ledger].append(amount)
            elif kind == "Withdrawn":
                changes[ledger].append(-amount)
        for ledger, found in versions.items():
            self.assertEqual(found, list(range(1, len(found) + 1)), ledger)
            self.assertEqual(heads.get(ledger), len(found), ledger)
        self.assertEqual(set(heads), set(versions))
        return changes


class CrashTests(RobustnessTestCase):
    """SIGKILL at random moments: whatever was acknowledged is there, at
    most the one command in flight is there besides, and the file is
    sound."""

    def feed_and_kill(self, db, lines, delay):
        """Starts the program, writes @lines, kills it after @delay
        seconds; returns everything it wrote to stdout."""
        proc = subprocess.Popen([BINARY, "--tui", "--db", db], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env=self.env)

        def feed():
            try:
                for line in lines:
                    proc.stdin.write(line.encode() + b"\n")
                    proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        out = b""
        deadline = time.monotonic() + delay
        fd = proc.stdout.fileno()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                out += chunk
        proc.kill()
        # What it wrote before it died is still in the pipe.
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
        proc.wait()
        try:
            proc.stdin.close()
        except OSError:
            pass
        writer.join(10)
        proc.stdout.close()
        return out.decode("utf-8", "replace"), proc.returncode

    def test_kill_while_appending(self):
        db = self.path("crash.db")
        rc, out, err = self.run_binary(["open Cash", "open Spare"], "--db", db)
        self.assertEqual((rc, err), (0, ""))

        next_amount = 1
        acked = {"Cash": [], "Spare": []}
        n_killed = n_in_flight = 0
        for round_ in range(KILLS_WHILE_APPENDING):
            amounts = list(range(next_amount, next_amount + 300))
            next_amount += 300
            lines = ["deposit %s %d" % ("Cash" if a % 3 else "Spare", a) for a in amounts]
            out, rc = self.feed_and_kill(db, lines, self.random.uniform(0.0, 0.25))
            if rc == -signal.SIGKILL:
                n_killed += 1
            confirmed = self.acknowledged(out)
            # Commands run in order: the confirmed ones are a prefix.
            self.assertEqual([a for _, a in confirmed], amounts[:len(confirmed)])
            for ledger, amount in confirmed:
                acked[ledger].append(amount)

            changes = self.check_database(db)
            in_flight = amounts[len(confirmed)] if len(confirmed) < len(amounts) else None
            for ledger in acked:
                stored = changes.get(ledger, [])
                extra = collections.Counter(stored) - collections.Counter(acked[ledger])
                missing = collections.Counter(acked[ledger]) - collections.Counter(stored)
                self.assertFalse(missing, "round %d: acknowledged but lost" % round_)
                self.assertTrue(not extra or list(extra.elements()) == [in_flight],
                                "round %d: unexpected events %r" % (round_, extra))
                if extra:
                    # The one in flight was written: from now on it counts.
                    acked[ledger].append(in_flight)
                    n_in_flight += 1

        self.assertGreaterEqual(n_killed, KILLS_WHILE_APPENDING * 0.9)
        rc, out, err = self.run_binary(["balance Cash", "balance Spare"], "--db", db)
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("Balance: %d\n" % sum(acked["Cash"]), out)
        self.assertIn("Balance: %d\n" % sum(acked["Spare"]), out)
        print("crash: %d kills while appending, %d acknowledged deposits, %d written "
              "but not acknowledged (seed %d)"
              % (n_killed, sum(map(len, acked.values())) - n_in_flight, n_in_flight, SEED),
              file=sys.stderr)

    def test_kill_while_transferring(self):
        """A transfer is one commit: a kill leaves both legs or neither."""
        db = self.path("transfers.db")
        rc, out, err = self.run_binary(["open From", "open To", "deposit From 100000"],
                                       "--db", db)
        self.assertEqual((rc, err), (0, ""))
        n_killed = 0
        for round_ in range(KILLS_WHILE_APPENDING // 2):
            lines = ["transfer %s %s %d" % ((("From", "To") if i % 2 else ("To", "From"))
                                            + (i % 7 + 1,)) for i in range(1, 301)]
            out, rc = self.feed_and_kill(db, lines, self.random.uniform(0.0, 0.25))
            n_killed += rc == -signal.SIGKILL
            self.check_database(db)
            con = sqlite3.connect(db, timeout=30)
            try:
                rows = con.execute("SELECT ledger, type, payload FROM events"
                                   " WHERE type IN ('Deposited', 'Withdrawn')").fetchall()
            finally:
                con.close()
            legs = collections.defaultdict(list)
            total = 0
            for ledger, kind, payload in rows:
                fields = json.loads(payload)
                total += fields["amount"] if kind == "Deposited" else -fields["amount"]
                if "transfer" in fields:
                    legs[fields["transfer"]].append((ledger, kind, fields["amount"]))
            # No money appeared or vanished, and every leg has its other half.
            self.assertEqual(total, 100000, "round %d" % round_)
            for transfer, pair in legs.items():
                self.assertEqual(sorted(kind for _, kind, _ in pair), ["Deposited", "Withdrawn"],
                                 "round %d: transfer %s" % (round_, transfer))
                self.assertEqual(len({ledger for ledger, _, _ in pair}), 2, transfer)
                self.assertEqual(len({amount for _, _, amount in pair}), 1, transfer)
        self.assertGreaterEqual(n_killed, KILLS_WHILE_APPENDING // 2 * 0.9)
        # Killed at random, some rounds still got transfers through.
        self.assertGreater(len(legs), 0)
        print("crash: %d kills while transferring, %d transfers whole"
              % (n_killed, len(legs)), file=sys.stderr)

    def make_v1_file(self, db, n_events):
        con = sqlite3.connect(db)
        con.executescript(SCHEMA_V1)
        with con:
            for version in range(1, n_events + 1):
                payload = (json.dumps({"currency": None}) if version == 1 else
                           json.dumps({"amount": version, "reference": "order-%d" % version}))
                con.execute("INSERT INTO events (ledger, version, type, timestamp, payload)"
                            " VALUES ('Cash', ?, ?, 0, ?)",
                            (version, "AccountOpened" if version == 1 else "Deposited",
                             payload))
            con.execute("INSERT INTO ledgers VALUES ('Cash', ?)", (n_events,))
        con.close()
        os.chmod(db, 0o600)

    def test_kill_while_migrating(self):
        db = self.path("old.db")
        n_events = 5000
        self.make_v1_file(db, n_events)
        expected = list(range(2, n_events + 1))
        n_killed = 0
        for _ in range(KILLS_WHILE_MIGRATING):
            _, rc = self.feed_and_kill(db, ["balance Cash"], self.random.uniform(0.0, 0.15))
            n_killed += rc == -signal.SIGKILL
            self.assertEqual(self.check_database(db)["Cash"], expected)
            con = sqlite3.connect(db)
            version = con.execute("PRAGMA user_version").fetchone()[0]
            references = con.execute("SELECT count(*) FROM pragma_table_info ('events')"
                                     " WHERE name = 'reference'").fetchone()[0]
            con.close()
            self.assertIn(version, (1, 4))
            self.assertEqual(references, 1 if version == 4 else 0)
            # A backup is there only under its final name, and whole. A
            # copy killed half-way keeps its temporary name until the next
            # migration removes it.
            for name in os.listdir(self.tmp):
                if name.startswith("old.db.v1-backup") and "incomplete" not in name:
                    self.assertEqual(self.check_database(self.path(name))["Cash"], expected)

        rc, out, err = self.run_binary(["balance Cash"], "--db", db)
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("Balance: %d\n" % sum(expected), out)
        # Once migrated, nothing half-made is left; a kill between saving
        # the copy and committing leaves a copy that is kept, never replaced.
        backups = [n for n in os.listdir(self.tmp) if n.startswith("old.db.v1-backup")]
        self.assertIn("old.db.v1-backup", backups)
        for name in backups:
            self.assertRegex(name, r"^old\.db\.v1-backup(-\d+)?$")
        print("crash: %d kills while migrating (seed %d)" % (n_killed, SEED), file=sys.stderr)


class ConcurrencyTests(RobustnessTestCase):
    def test_processes_and_threads(self):
        """Terminal front-ends and threads with a store each, all on the
        same ledgers at once: every acknowledged change is applied once,
        and nothing else is."""
        db = self.path("shared.db")
        accounts = ["Alpha", "Beta", "Gamma"]
        rc, out, err = self.run_binary(["open %s" % a for a in accounts] +
                                       ["deposit %s 1000000" % a for a in accounts],
                                       "--db", db)
        self.assertEqual((rc, err.strip()), (0, ""))

        n_processes, n_per_process = 3, 150
        procs = []
        for p in range(n_processes):
            lines = []
            for i in range(n_per_process):
                amount = 10000 + p * n_per_process + i
                verb = "withdraw" if i % 5 == 4 else "deposit"
                lines.append("%s %s %d" % (verb, accounts[(p + i) % 3], amount))
            procs.append((subprocess.Popen([BINARY, "--tui", "--db", db],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, env=self.env),
                          "".join(line + "\n" for line in lines).encode()))
        hammer = subprocess.Popen([HAMMER, db, "4", "150", "20000"] + accounts,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)

        results = [proc.communicate(data, timeout=600) for proc, data in procs]
        hammer_out, hammer_err = hammer.communicate(timeout=600)
        self.assertEqual(hammer.returncode, 0, hammer_err.decode())

        acked = collections.defaultdict(list)
        n_refused = 0
        for (proc, _), (out, err) in zip(procs, results):
            self.assertEqual(proc.returncode, 0)
            for ledger, amount in self.acknowledged(out.decode()):
                acked[ledger].append(amount)
            # Every line is answered: acknowledged, or refused with a reason.
            n_acked = len(self.acknowledged(out.decode()))
            n_errors = len([e for e in err.decode().splitlines() if e.startswith("Error: ")])
            self.assertEqual(n_acked + n_errors, n_per_process, err.decode())
            n_refused += n_errors
        for line in hammer_out.decode().splitlines():
            verb, ledger, amount = line.split()
            acked[ledger].append(int(amount) if verb == "deposit" else -int(amount))
        n_refused += len(hammer_err.decode().splitlines())

        changes = self.check_database(db)
        for ledger in accounts:
            stored = changes[ledger]
            self.assertEqual(stored[0], 1000000)
            self.assertEqual(collections.Counter(stored[1:]), collections.Counter(acked[ledger]),
                             ledger)
        rc, out, err = self.run_binary(["balance %s" % a for a in accounts], "--db", db)
        self.assertEqual((rc, err), (0, ""))
        for ledger in accounts:
            self.assertIn("Balance: %d\n" % (1000000 + sum(acked[ledger])), out)
        print("concurrency: %d processes x %d and 4 threads x 150 operations, "
              "%d acknowledged, %d refused" % (n_processes, n_per_process,
                                              sum(map(len, acked.values())), n_refused),
              file=sys.stderr)


class BadFileTests(RobustnessTestCase):
    """Each bad file gives one clear error, a non-zero exit when the
    program cannot go on, and is never written."""

    def make_db(self, name="ledger.db", deposits=(5,)):
        db = self.path(name)
        rc, _, err = self.run_binary(["open Cash"] + ["deposit Cash %d" % d for d in deposits],
                                     "--db", db)
        self.assertEqual((rc, err), (0, ""))
        return db

    def assert_refused(self, db, *args, words=(), preexec_fn=None):
        before = checksum(db) if os.path.isfile(db) else None
        rc, out, err = self.run_binary(["balance Cash"], "--db", db, *args,
                                       preexec_fn=preexec_fn)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("Error: "), err)
        for word in words:
            self.assertIn(word, err)
        if before is not None:
            self.assertEqual(checksum(db), before)
        return err

    def test_corrupt_database(self):
        db = self.make_db(deposits=range(1, 300))
        with open(db, "r+b") as f:
            f.seek(4096)
            f.write(os.urandom(8192))
        err = self.assert_refused(db, words=["damaged"])
        self.assertIn(db, err)

    def test_truncated_database(self):
        db = self.make_db(deposits=range(1, 300))
        size = os.path.getsize(db)
        with open(db, "r+b") as f:
            f.truncate(size // 2)
        self.assert_refused(db, words=["damaged"])

    def test_not_a_database(self):
        for name, data in [("text.db", b"just some text\n" * 100),
                           ("zeros.db", bytes(8192)),
                           ("short.db", b"SQLite format"),
                           ("header-only.db", b"SQLite format 3\x00" + os.urandom(200))]:
            with self.subTest(name=name):
                db = self.path(name)
                with open(db, "wb") as f:
                    f.write(data)
                self.assert_refused(db)
                self.assertFalse(os.path.exists(db + "-wal"))

    def test_damaged_events(self):
        """A damaged event or one of an unknown type damages its own
        ledger only: the others work, the damaged one is read-only and
        says where and why, and the log streams every row."""
        db = self.make_db(deposits=(5,))
        rc, _, err = self.run_binary(["open Other", "deposit Other 3", "create-item Box 2"],
                                     "--db", db)
        self.assertEqual((rc, err), (0, ""))
        con = sqlite3.connect(db)
        con.execute("INSERT INTO events (ledger, version, type, timestamp, payload)"
                    " VALUES ('Cash', 3, 'Deposited', 0, '{\"amount\":')")
        con.execute("INSERT INTO events (ledger, version, type, timestamp, payload)"
                    " VALUES ('Cash', 4, 'Deposited', 0, '{\"amount\":1}')")
        con.execute("INSERT INTO events (ledger, version, type, timestamp, payload)"
                    " VALUES ('Other', 3, 'Interest', 0, '{}')")
        con.commit()
        con.close()
        rc, out, err = self.run_binary(["ledgers", "balance Cash", "events Cash", "deposit Cash 1",
                                        "at Cash 2", "deposit Other 1", "increase Box 1",
                                        "log"], "--db", db)
        self.assertEqual(rc, 0, err)
        lines = out.replace(PROMPT, "\n").split("\n")
        self.assertIn("Box     item           2", lines)
        self.assertIn("Cash    account        5  (damaged at version 3, read-only)", lines)
        self.assertIn("Other   account        3  (damaged at version 3, read-only)", lines)
        damage = [line for line in lines if line.startswith("Damaged at version 3, read-only: ")]
        self.assertEqual(len(damage), 2, out)
        self.assertTrue(any(re.match(r"^ +3  .*  Deposit +\(damaged\)$", line) for line in lines))
        self.assertTrue(any(re.match(r"^ +4  .*  Deposit +\+1 +\(not applied\)$", line)
                            for line in lines), out)
        self.assertIn("Balance: 5", lines)
        self.assertIn("Increased Box by 1. Quantity: 3", lines)
        log = [json.loads(line) for line in lines if line.startswith("{")]
        self.assertEqual(len(log), 9)
        damaged = [(row["ledger"], row["version"]) for row in log if "damaged" in row]
        self.assertEqual(damaged, [("Cash", 3), ("Other", 3)])
        self.assertIn("newer version", log[7]["damaged"])
        errors = err.splitlines()
        self.assertEqual(len(errors), 2, err)
        self.assertTrue(errors[0].startswith("Error: “Cash” is read-only: Event 3"), err)
        self.assertIn("“Interest” is unknown", errors[1])

    def test_database_of_another_program(self):
        db = self.path("other.db")
        con = sqlite3.connect(db)
        con.executescript("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('x');")
        con.close()
        self.assert_refused(db, words=["not a Quote Ledger database"])

    def test_newer_schema(self):
        db = self.make_db()
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = 99")
        con.close()
        self.assert_refused(db, words=["newer version"])

    def test_database_is_a_folder(self):
        db = self.path("folder.db")
        os.mkdir(db)
        self.assert_refused(db)

    def test_read_only_database(self):
        db = self.make_db()
        os.chmod(db, 0o444)
        give_away(db)
        os.chmod(self.tmp, 0o777)
        before = checksum(db)
        rc, out, err = self.run_binary(["balance Cash", "deposit Cash 1", "balance Cash"],
                                       "--db", db, preexec_fn=drop_root)
        self.assertEqual(rc, 0)
        self.assertEqual(out, PROMPT + "Balance: 5\n" + PROMPT + PROMPT + "Balance: 5\n" + PROMPT)
        lines = err.splitlines()
        self.assertEqual(lines[0], "Note: The ledgers are read-only: they can be shown but "
                                   "not changed.")
        self.assertEqual(len(lines), 2)
        self.assertIn("read-only", lines[1])
        self.assertEqual(checksum(db), before)

    def test_reports_on_a_read_only_database(self):
        """Reports fold what the file's read models lack in memory: the same
        answers as on a writable copy, the file untouched, no error."""
        db = self.path("reports.db")
        rc, _, err = self.run_binary(["open Cash EUR", "deposit Cash 5 --date 2026-01-05",
                                      "create-item Bolts 10", "threshold Bolts 8",
                                      "report monthly Cash"], "--db", db)
        self.assertEqual((rc, err), (0, ""))
        # Events the read models on file have not counted yet.
        rc, _, err = self.run_binary(["deposit Cash 7 --date 2026-02-01", "decrease Bolts 4"],
                                     "--db", db)
        self.assertEqual((rc, err), (0, ""))
        reports = ["report monthly Cash --json", "report statement Cash 2026-01-01 2026-02-28",
                   "report low-stock", "report payments order-1", "projections"]
        copy = self.path("copy.db")
        source = sqlite3.connect(db)
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        rc, expected, err = self.run_binary(reports[:-1], "--db", copy)
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("Bolts         6          8", expected)
        self.assertIn('{"month":"2026-02","type":"Deposited","count":1,"total":700}', expected)

        os.chmod(db, 0o444)
        give_away(db)
        os.chmod(self.tmp, 0o777)
        before = checksum(db)
        rc, out, err = self.run_binary(reports, "--db", db, preexec_fn=drop_root)
        self.assertEqual(rc, 0)
        self.assertEqual(err, "Note: The ledgers are read-only: they can be shown but not "
                              "changed.\n")
        self.assertEqual(out[:len(expected)], expected)
        # The status is that of the file: what it keeps, behind by two.
        self.assertIn("monthly_totals        1         4    2  behind", out[len(expected):])
        self.assertEqual(checksum(db), before)

    def test_read_only_folder(self):
        folder = self.path("locked")
        os.mkdir(folder)
        db = self.make_db(os.path.join("locked", "ledger.db"))
        # Owned by the unprivileged user the program runs as.
        os.chmod(db, 0o644)
        give_away(db)
        os.chmod(folder, 0o555)
        before = checksum(db)
        rc, out, err = self.run_binary(["balance Cash", "deposit Cash 1"], "--db", db,
                                       preexec_fn=drop_root)
        self.assertEqual(rc, 0)
        self.assertIn("Balance: 5\n", out)
        self.assertTrue(err.startswith("Note: "), err)
        self.assertEqual(checksum(db), before)
        # No new file can be made there at all.
        self.assert_refused(os.path.join(folder, "new.db"), preexec_fn=drop_root,
                            words=["new.db"])
        self.assertFalse(os.path.exists(os.path.join(folder, "new.db")))

    def mount_small_disk(self, folder):
        """Mounts a 384 KiB file system on @folder; False where that is
        not possible (not root, no mount in a container)."""
        if os.geteuid() != 0 or shutil.which("mount") is None:
            return False
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=384k,mode=0755", "tmpfs",
                           folder], capture_output=True).returncode != 0:
            return False
        self.addCleanup(subprocess.run, ["umount", "-l", folder], capture_output=True)
        return True

    def fill_disk(self, folder, limit):
        """Deposits until the disk is full: on a small file system, or with
        @limit, through RLIMIT_FSIZE (writes past it fail with EFBIG, as
        on a full disk)."""
        def limit_size():
            if limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        db = os.path.join(folder, "ledger.db")
        rc, out, err = self.run_binary(["open Cash", "deposit Cash 7"], "--db", db,
                                       preexec_fn=limit_size)
        self.assertEqual((rc, err), (0, ""))
        # Long names make each event big; the disk fills within a few hundred.
        name = "N" * 90
        lines = ["open %s" % name] + ["deposit %s %d" % (name, i) for i in range(1, 3000)]
        rc, out, err = self.run_binary(lines, "--db", db, preexec_fn=limit_size, timeout=300)
        self.assertEqual(rc, 0)
        errors = err.splitlines()
        self.assertTrue(errors, "the disk never filled")
        # ENOSPC reads "full", EFBIG past RLIMIT_FSIZE "file too large".
        for message in errors:
            self.assertTrue(message.startswith("Error: ") and db in message, message)
            self.assertIn("full" if limit is None else "file too large", message)
        acked = [a for _, a in self.acknowledged(out)]
        self.assertEqual(acked, list(range(1, len(acked) + 1)))

        # Everything acknowledged is there, nothing else, and the file is sound.
        changes = self.check_database(db)
        self.assertEqual(changes["Cash"], [7])
        self.assertEqual(changes.get(name, []), acked)
        before = checksum(db)
        rc, out, err = self.run_binary(["balance %s" % name], "--db", db, preexec_fn=limit_size)
        self.assertEqual(rc, 0)
        self.assertIn("Balance: %d\n" % sum(acked), out)
        self.assertEqual(checksum(db), before)
        print("full disk: %d deposits acknowledged, %d refused (%s)"
              % (len(acked), len(errors), "RLIMIT_FSIZE" if limit else "tmpfs"), file=sys.stderr)

    def test_full_disk_small_file_system(self):
        folder = self.path("small")
        os.mkdir(folder)
        if not self.mount_small_disk(folder):
            self.skipTest("cannot mount a small file system here; see test_full_disk_file_size")
        self.fill_disk(folder, None)

    def test_full_disk_file_size_limit(self):
        folder = self.path("limited")
        os.mkdir(folder)
        self.fill_disk(folder, 384 * 1024)

    def test_missing_quotes_file(self):
        rc, out, err = self.run_binary(["1"], "--db", ":memory:", "--quotes",
                                       self.path("missing.txt"))
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(len(err.splitlines()), 1)
        self.assertTrue(err.startswith("Error: ") and "missing.txt" in err, err)

    def test_unreadable_quotes_file(self):
        quotes = self.path("secret.txt")
        with open(quotes, "w") as f:
            f.write("A quote nobody may read.\n")
        os.chmod(quotes, 0o000)
        before = checksum(quotes)
        rc, out, err = self.run_binary(["0"], "--db", ":memory:", "--quotes", quotes,
                                       preexec_fn=drop_root)
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(len(err.splitlines()), 1)
        self.assertTrue(err.startswith("Error: ") and "secret.txt" in err, err)
        self.assertEqual(checksum(quotes), before)

    def test_binary_quotes_file(self):
        quotes = self.path("binary.txt")
        with open(quotes, "wb") as f:
            f.write(bytes(range(256)) * 64)
        rc, out, err = self.run_binary(["0"], "--db", ":memory:", "--quotes", quotes)
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(len(err.splitlines()), 1, err)


    def special_files(self):
        """(name, path) of files that never end or block their reader."""
        fifo = self.path("pipe")
        os.mkfifo(fifo)
        return [("/dev/zero", "/dev/zero"), ("/dev/urandom", "/dev/urandom"), ("FIFO", fifo)]

    def test_special_quotes_file(self):
        for name, path in self.special_files() + [("folder of nothing", self.tmp)]:
            with self.subTest(name=name):
                rc, out, err = self.run_binary(["0"], "--db", ":memory:", "--quotes", path,
                                               timeout=10)
                self.assertEqual((rc, out), (1, ""))
                self.assertEqual(len(err.splitlines()), 1, err)
                self.assertTrue(err.startswith("Error: ") and path in err, err)

    def test_huge_quotes_file(self):
        quotes = self.path("huge.txt")
        with open(quotes, "wb") as f:
            f.truncate(65 * 1024 * 1024)
        rc, out, err = self.run_binary(["0"], "--db", ":memory:", "--quotes", quotes,
                                       timeout=10)
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(err.replace("\xa0", " "),
                         "Error: \u201c%s\u201d is too large: Quote Ledger reads files "
                         "of up to 64.0 MiB\n" % quotes)

    def test_special_import_file(self):
        db = self.path("ledger.db")
        for name, path in self.special_files():
            with self.subTest(name=name):
                rc, out, err = self.run_binary(["import " + path, "0"], "--db", db,
                                               timeout=10)
                self.assertEqual(rc, 0)
                self.assertIn("And the quote is", out)
                self.assertEqual(len(err.splitlines()), 1, err)
                self.assertTrue(err.startswith("Error: ") and path in err, err)
                self.assertIn("not a regular file", err)

    def test_huge_import_file(self):
        csv = self.path("huge.csv")
        with open(csv, "wb") as f:
            f.write(b"ledger,type,amount\n")
            f.truncate(513 * 1024 * 1024)
        rc, out, err = self.run_binary(["import " + csv], "--db", self.path("ledger.db"),
                                       timeout=30)
        self.assertEqual(rc, 0)
        self.assertEqual(err.replace("\xa0", " "),
                         "Error: \u201c%s\u201d is too large: Quote Ledger reads files "
                         "of up to 512.0 MiB\n" % csv)


class BuildTreeTests(RobustnessTestCase):
    def test_missing_settings_schema(self):
        """Run straight from a build tree, the window finds no settings
        schema: one line says so, and how to run it, instead of a trap."""
        empty = self.path("share")
        os.mkdir(empty)
        env = dict(self.env)
        env.pop("GSETTINGS_SCHEMA_DIR", None)
        env["XDG_DATA_DIRS"] = empty
        command = [BINARY, "--db", ":memory:"]
        # GTK would stop first at a display it cannot open.
        if os.environ.get("DISPLAY"):
            env["DISPLAY"] = os.environ["DISPLAY"]
        elif shutil.which("xvfb-run"):
            command = ["xvfb-run", "-a"] + command
        else:
            self.skipTest("no display, and no xvfb-run to make one")
        proc = subprocess.run(command, stdin=subprocess.DEVNULL,
                              capture_output=True, env=env, timeout=60)
        err = proc.stderr.decode("utf-8", "replace")
        if proc.returncode == 0 and err == "":
            self.skipTest("built without the GTK front-end")
        self.assertEqual(proc.returncode, 1, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("io.github.quoteledger.QuoteLedger", err)
        self.assertIn("meson devenv", err)


class SecurityTests(RobustnessTestCase):
    def test_files_are_private(self):
        old = os.umask(0o022)
        try:
            rc, _, err = self.run_binary(["open Cash", "deposit Cash 1"])
        finally:
            os.umask(old)
        self.assertEqual((rc, err), (0, ""))
        folder = os.path.join(self.env["XDG_DATA_HOME"], "quote-ledger")
        self.assertEqual(stat.S_IMODE(os.stat(folder).st_mode), 0o700)
        names = os.listdir(folder)
        self.assertIn("ledger.db", names)
        for name in names:
            mode = stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode)
            self.assertEqual(mode & 0o077, 0, "%s is mode %o" % (name, mode))

    def assert_db_refused(self, db, words, shown=None):
        rc, out, err = self.run_binary(["open Cash"], "--db", db, timeout=10)
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("Error: ") and (shown or db) in err, err)
        self.assertIn(words, err)

    def test_files_are_private_whatever_the_umask(self):
        old = os.umask(0)
        try:
            rc, _, err = self.run_binary(["open Cash", "deposit Cash 1"],
                                         "--db", self.path("ledger.db"))
        finally:
            os.umask(old)
        self.assertEqual((rc, err), (0, ""))
        for name in os.listdir(self.tmp):
            mode = stat.S_IMODE(os.lstat(self.path(name)).st_mode)
            self.assertEqual(mode & 0o077, 0, "%s is mode %o" % (name, mode))

    def test_file_of_another_user_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest("only root can give a file to another user")
        shared = self.path("shared")
        os.mkdir(shared)
        os.chmod(shared, 0o1777)
        db = os.path.join(shared, "ledger.db")
        with open(db, "w"):
            pass
        os.chmod(db, 0o666)
        give_away(db)
        self.assert_db_refused(db, "belongs to another user")
        info = os.stat(db)
        self.assertEqual((info.st_uid, info.st_size), (UNPRIVILEGED_ID, 0))
        self.assertEqual(sorted(os.listdir(shared)), ["ledger.db"])

    def test_file_others_can_write_is_refused(self):
        db = self.path("ledger.db")
        rc, _, err = self.run_binary(["open Cash"], "--db", db)
        self.assertEqual((rc, err), (0, ""))
        for mode in (0o660, 0o602, 0o666):
            with self.subTest(mode="%o" % mode):
                os.chmod(db, mode)
                self.assert_db_refused(db, "\u201cchmod 600 %s\u201d" % db)
        # Others may read it: their business.
        os.chmod(db, 0o644)
        rc, out, err = self.run_binary(["balance Cash"], "--db", db)
        self.assertEqual((rc, err), (0, ""))

    def test_symbolic_links_are_refused(self):
        mine = self.path("notes.txt")
        with open(mine, "w") as f:
            f.write("my notes\n")
        before = checksum(mine)
        empty = self.path("empty.txt")
        open(empty, "w").close()
        for target in (mine, empty, self.path("missing.db")):
            with self.subTest(target=target):
                link = self.path("link.db")
                os.symlink(target, link)
                self.assert_db_refused(link, "symbolic link")
                os.unlink(link)
        self.assertEqual(checksum(mine), before)
        self.assertEqual(os.path.getsize(empty), 0)
        self.assertFalse(os.path.exists(self.path("missing.db")))
        # Nor beside the database: SQLite would write through them.
        db = self.path("ledger.db")
        for suffix in ("-wal", "-shm", "-journal"):
            with self.subTest(suffix=suffix):
                os.symlink(empty, db + suffix)
                self.assert_db_refused(db, db + suffix)
                os.unlink(db + suffix)
        self.assertEqual(os.path.getsize(empty), 0)

    def test_tilde_is_expanded(self):
        """--db=~/x.db reaches the program unexpanded: it expands ~ and
        ~user as a shell does."""
        home = self.tmp
        self.assert_db_refused("~", "is a folder", shown="\u201c%s\u201d" % home)
        rc, _, err = self.run_binary(["open Cash"], "--db=~/home.db")
        self.assertEqual((rc, err), (0, ""))
        self.assertTrue(os.path.isfile(os.path.join(home, "home.db")))
        self.assertFalse(os.path.exists("~"))
        # ~user is that user's home folder from the password database.
        entry = pwd.getpwuid(os.geteuid())
        relative = os.path.relpath(self.path("user.db"), entry.pw_dir)
        rc, _, err = self.run_binary(["open Cash"], "--db=~%s/%s" % (entry.pw_name, relative))
        self.assertEqual((rc, err), (0, ""))
        self.assertTrue(os.path.isfile(self.path("user.db")))
        self.assert_db_refused("~no-such-user-here/x.db", "no user named")
        self.assertEqual(sorted(n for n in os.listdir(self.tmp) if n.startswith("~")), [])

    def test_special_files_as_database(self):
        fifo = self.path("pipe.db")
        os.mkfifo(fifo)
        self.assert_db_refused(fifo, "named pipe (FIFO)")
        self.assert_db_refused("/dev/null", "device")
        self.assert_db_refused(self.tmp, "folder")

    def sources(self):
        for root, _, files in os.walk(os.path.join(SOURCE_DIR, "src")):
            for name in files:
                if name.endswith((".c", ".h")):
                    path = os.path.join(root, name)
                    with open(path, encoding="utf-8") as f:
                        yield os.path.relpath(path, SOURCE_DIR), f.read()

    @staticmethod
    def strip_comments(text):
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
        return re.sub(r"//[^\n]*", "", text)

    def test_no_shell(self):
        forbidden = re.compile(r"\b(system|popen|execl|execlp|g_spawn_command_line_\w+|"
                               r"g_spawn_async_with_pipes|g_spawn_sync|g_subprocess_new)\s*\(|"
                               r"\"(/bin/)?sh\"|\"-c\"")
        for path, text in self.sources():
            for number, line in enumerate(self.strip_comments(text).splitlines(), 1):
                self.assertIsNone(forbidden.search(line), "%s:%d: %s" % (path, number, line))

    def test_sql_is_never_built_from_values(self):
        """SQL text is constant: values only ever reach SQLite as bound
        parameters."""
        sql_literal = re.compile(r'"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|'
                                 r'BEGIN|COMMIT|ROLLBACK|REPLACE|WITH)\b[^"]*"', re.I)
        builders = re.compile(r"\b(sqlite3_(v?mprintf|snprintf|str_\w+)|g_strdup_printf|"
                              r"g_strconcat|g_string_\w+printf|g_string_append\w*|"
                              r"g_strjoin\w*)\s*\(")
        call = re.compile(r"\b(sqlite3_exec|sqlite3_prepare\w*)\s*\(\s*[^,]+,\s*([^,]+),")
        n_calls = 0
        for path, text in self.sources():
            code = self.strip_comments(text)
            self.assertNotRegex(code, r"\bsqlite3_(v?mprintf|snprintf)\s*\(", path)
            # No SQL keyword literal is an argument to a string builder.
            for match in builders.finditer(code):
                depth, end = 0, match.end() - 1
                for end in range(match.end() - 1, len(code)):
                    depth += {"(": 1, ")": -1}.get(code[end], 0)
                    if depth == 0:
                        break
                arguments = code[match.end():end]
                self.assertIsNone(sql_literal.search(arguments),
                                  "%s: SQL built with %s" % (path, match.group(1)))
            # SQL handed to SQLite is a literal, a constant table's entry, or a
            # parameter whose callers pass literals.
            for match in call.finditer(code):
                n_calls += 1
                argument = match.group(2).strip()
                if argument.startswith('"') or re.fullmatch(r"\w+_sql\[\w+\]", argument) or \
                   re.fullmatch(r"\w+->sql", argument):
                    continue
                self.assertRegex(argument, r"^\w+$", "%s: %s" % (path, match.group(0)))
                self.assertIsNotNone(
                    re.search(r"(static )?const char \w*\s*\*?\s*" + argument + r"\b", code),
                    "%s: SQL from %r" % (path, argument))
            # Functions that take SQL as a parameter get literals only.
            for helper in re.findall(r"\n(\w+) \([^)]*const char\s+\*sql\b", code):
                for match in re.finditer(r"[ \t(!=|&]" + helper + r"\s*\(([^;]*)\);", code):
                    args = match.group(1)
                    constant = any(re.search(r"static const char " + word + r"\[\]", code)
                                   for word in re.findall(r"\w+", args))
                    self.assertTrue(constant or re.search(r'"|->sql\b', args),
                                    "%s: %s called without a constant" % (path, helper))
        self.assertGreater(n_calls, 5)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    HAMMER = sys.argv.pop(1)
    print("seed %d" % SEED, file=sys.stderr)
    unittest.main(verbosity=2)
