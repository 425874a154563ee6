#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The terminal's `ask` command against the scripted upstream of the chat
tests (tests/chat/scripted_upstream.py): through a pipe, output compared
exactly; on a pty, Ctrl+C stops the answer and the program goes on."""

import os
import pty
import select
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.environ.get("QL_BINARY", "quote-ledger")
PROMPT = "Which quote number would you like to see? "


class AskTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "..", "chat", "scripted_upstream.py")],
            stdout=subprocess.PIPE, text=True)
        port = int(cls.upstream.stdout.readline().split()[1])
        cls.url = f"http://127.0.0.1:{port}/v1"

    @classmethod
    def tearDownClass(cls):
        cls.upstream.terminate()
        cls.upstream.wait(timeout=10)

    def env(self, url=None):
        env = dict(os.environ, OPENAI_BASE_URL=url or self.url, NO_COLOR="1",
                   HOME=tempfile.gettempdir())
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def run_lines(self, text, url=None):
        return subprocess.run([BINARY, "--db", ":memory:", "--line"], input=text,
                              capture_output=True, text=True, env=self.env(url), timeout=60)

    def test_answer_and_lookup(self):
        result = self.run_lines("open Cash EUR\ndeposit Cash 5\n"
                                "ask tool list_ledgers {}\n"
                                "ask how are you\n")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, (
            PROMPT + "Opened account Cash in EUR.\n"
            + PROMPT + "Deposited 5.00 EUR into Cash. Balance: 5.00 EUR\n"
            + PROMPT + "(Listed the ledgers)\n"
            'Tool said: {"ledgers":[{"ledger":"Cash","kind":"account","balance":"5.00 EUR",'
            '"currency":"EUR","version":2}]}\n'
            + PROMPT + "Scripted reply to: how are you \n" + PROMPT))
        self.assertEqual(result.stderr, "")

    def test_failure_mid_answer(self):
        result = self.run_lines("ask fail-mid\nrandom\n")
        self.assertTrue(result.stdout.startswith(PROMPT + "Half way \n" + PROMPT + "Quote "))
        self.assertEqual(result.stderr,
                         "Error: The language model service failed: scripted error mid-stream\n")

    def test_service_down(self):
        result = self.run_lines("ask anyone\n", url="http://127.0.0.1:1/v1")
        self.assertEqual(result.returncode, 0)
        self.assertIn("Error: Cannot reach the language model service at http://127.0.0.1:1/v1",
                      result.stderr)

    def test_ctrl_c_stops_the_answer_not_the_program(self):
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(BINARY, [BINARY, "--db", ":memory:", "--line"], self.env())
        output = b""

        def read_until(text, seconds=20):
            nonlocal output
            deadline = time.monotonic() + seconds
            while text.encode() not in output and time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.1)
                if ready:
                    try:
                        output += os.read(fd, 4096)
                    except OSError:
                        break
            return text.encode() in output

        try:
            self.assertTrue(read_until(PROMPT))
            os.write(fd, b"ask slow\r")
            self.assertTrue(read_until("Slow "), output)
            os.write(fd, b"\x03")
            self.assertTrue(read_until("(stopped)"), output)
            self.assertTrue(read_until("(stopped)\r\n" + PROMPT), output)
            os.write(fd, b"ask again\r")
            self.assertTrue(read_until("Scripted reply to: again"), output)
            os.write(fd, b"quit\r")
            _, status = os.waitpid(pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        finally:
            os.close(fd)


if __name__ == "__main__":
    unittest.main()
