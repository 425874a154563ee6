#!/usr/bin/env python3
"""The terminal view and --help of the built program under zh_CN.UTF-8.

Argument: the build's locale folder (po/ of the build tree, laid out as
zh_CN/LC_MESSAGES/quote-ledger.mo), handed to the program as QL_LOCALEDIR."""

import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zh_cn_catalogue import english_phrases, read_entries  # noqa: E402

BINARY = os.environ["QL_BINARY"]
SOURCE_ROOT = os.path.dirname(os.path.abspath(os.environ["QL_TEST_SOURCE_DIR"]))
LOCALE_DIR = sys.argv[1]
PROMPT = "您想看哪个编号的名言？ "
TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"

COMMANDS = ["random", "search", "open", "deposit", "withdraw", "create-item", "increase",
            "decrease", "threshold", "transfer", "balance", "events", "at", "undo", "amend", "import", "ledgers", "log",
            "projections", "report", "export",
            "theme", "skin", "ask", "help", "quit"]


def columns(text):
    """Terminal columns @text takes: two for a wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class ZhCnTerminalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.TemporaryDirectory()
        cls.env = {k: v for k, v in os.environ.items()
                   if k not in ("DISPLAY", "WAYLAND_DISPLAY", "LANG") and not k.startswith("LC_")}
        cls.env.update(LANGUAGE="zh_CN", LC_ALL="zh_CN.UTF-8", QL_LOCALEDIR=LOCALE_DIR,
                       HOME=cls.home.name, XDG_DATA_HOME=cls.home.name)
        cls.phrases = english_phrases(read_entries(os.path.join(SOURCE_ROOT, "po", "zh_CN.po")))

    @classmethod
    def tearDownClass(cls):
        cls.home.cleanup()

    def run_program(self, args, text="", env=None):
        result = subprocess.run([BINARY, *args], input=text, capture_output=True, text=True,
                                env=env or self.env, timeout=60)
        return result

    def tui(self, text):
        result = self.run_program(["--tui", "--db", ":memory:"], text)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout, result.stderr

    def assert_no_english(self, text):
        for phrase in self.phrases:
            self.assertNotIn(phrase, text, "untranslated English in:\n" + text)

    def test_locale_installed(self):
        """The tests need the locale itself; without it they fail, never skip."""
        locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
        self.assertTrue(any(l.lower() in ("zh_cn.utf8", "zh_cn.utf-8") for l in locales),
                        "the zh_CN.UTF-8 locale is missing (tools/install-deps makes it)")
        self.assertTrue(os.path.isfile(os.path.join(LOCALE_DIR, "zh_CN", "LC_MESSAGES",
                                                    "quote-ledger.mo")))

    def test_seed_transcript(self):
        out, err = self.tui("3\n6\nabc\n")
        self.assertEqual(out, PROMPT + "名言是：“Black holes really suck...”\n" +
                         PROMPT + "名言是：“未找到！”\n" + PROMPT + PROMPT)
        self.assertEqual(err, "错误：编号“abc”不正确\n")
        self.assert_no_english(out + err)

    def test_ledger_session(self):
        out, err = self.tui("open Savings\ndeposit Savings 100\nwithdraw Savings 30\n"
                            "withdraw Savings 500\nundo Savings\nevents Savings\n"
                            "create-item Laptop 10\nincrease Laptop 5\nledgers\n"
                            "at Savings 9\nbalance\nfrobnicate now\n")
        answers = out.split(PROMPT)
        self.assertEqual(answers[1:6], ["已开立账户“Savings”。\n",
                                        "已向“Savings”存入 100。余额：100\n",
                                        "已从“Savings”取出 30。余额：70\n",
                                        "",
                                        "已撤销“Savings”的版本 3（补偿事件：存入）。余额：100\n"])
        events = answers[6].splitlines()
        self.assertEqual(len(events), 5)
        # Columns line up on screen, Chinese characters being two columns wide.
        self.assertEqual(events[0], "版本  时间                 日期        事件  变动  余额")
        day = r"\d{4}-\d{2}-\d{2}"
        for line, pattern in zip(events[1:], ["   1  %s  %s  开户           0$",
                                              "   2  %s  %s  存入  \\+100   100$",
                                              "   3  %s  %s  取出   -30    70$",
                                              "   4  %s  %s  存入   \\+30   100  （撤销版本 3）$"]):
            self.assertRegex(line, "^" + pattern % (TIMESTAMP, day))
        self.assertEqual(answers[7:10], ["已创建物品“Laptop”。数量：10\n",
                                         "已将“Laptop”增加 5。数量：15\n",
                                         "账本     类型      余额\n"
                                         "Laptop   库存物品    15\n"
                                         "Savings  账户       100\n"])
        self.assertEqual(err.splitlines(), ["错误：无法从“Savings”取出 500：余额只有 70",
                                            "错误：“Savings”没有版本 9：其版本从 1 到 4",
                                            "错误：缺少参数。用法：balance 账本",
                                            "错误：未知命令“frobnicate”；输入“help”查看命令"])
        self.assert_no_english(out + err)

    def test_quote_commands(self):
        out, err = self.tui("random\nsearch Black\nsearch zzz\nsearch (\n")
        answers = out.split(PROMPT)
        self.assertRegex(answers[1], r"^名言 [0-4]：“[^”]+”\n$")
        self.assertEqual(answers[2:4], ["3: Black holes really suck...\n", "没有与“zzz”匹配的名言。\n"])
        self.assertTrue(err.startswith("错误：搜索模式不正确："), err)
        self.assert_no_english(out + err)

    def test_import(self):
        with tempfile.TemporaryDirectory() as work:
            csv = os.path.join(work, "ledgers.csv")
            with open(csv, "w", encoding="utf-8") as f:
                f.write("ledger,type,amount\n储蓄,open,\n储蓄,deposit,5\n")
            bad = os.path.join(work, "bad.csv")
            with open(bad, "w", encoding="utf-8") as f:
                f.write("ledger,type,amount\n储蓄,spend,5\n")
            out, err = self.tui("import %s\nimport %s\nledgers\n" % (csv, bad))
        answers = out.split(PROMPT)
        self.assertEqual(answers[1], "已从“%s”导入 2 个事件。\n" % csv)
        self.assertEqual(answers[3], "账本  类型  余额\n储蓄  账户     5\n")
        self.assertRegex(err, r"^错误：第 2 行：未知类型“spend”：请使用 open、deposit、")
        self.assert_no_english(out + err)

    def test_log_keeps_stored_names(self):
        """The notification log is data: its event types stay as stored."""
        out, _ = self.tui("open Cash\ndeposit Cash 5\nlog\n")
        log = out.split(PROMPT)[3]
        self.assertIn('"type":"AccountOpened"', log.replace(" ", ""))
        self.assertIn('"type":"Deposited"', log.replace(" ", ""))

    def test_threshold_and_low_stock(self):
        out, err = self.tui("create-item 螺栓 3\nopen 现金\nthreshold 螺栓 5\n"
                            "threshold 现金 5\nreport low-stock\nthreshold 螺栓 0\n"
                            "report low-stock\n")
        answers = out.split(PROMPT)
        self.assertEqual(answers[3], "已将“螺栓”的阈值设为 5。数量：3\n")
        self.assertEqual(answers[5], "物品  数量  阈值\n螺栓     3     5\n")
        self.assertEqual(answers[6], "已取消“螺栓”的阈值。数量：3\n")
        self.assertEqual(answers[7], "没有物品低于其阈值。\n")
        self.assertEqual(err, "错误：“现金”是账户：只有库存物品才有库存阈值\n")
        self.assert_no_english(out + err)

    def test_help(self):
        out, err = self.tui("help\n")
        self.assertEqual(err, "")
        lines = out.split(PROMPT)[1].splitlines()
        self.assertEqual(lines[0], "命令：")
        self.assertEqual(lines[-1], "含空格的名称请放在双引号中：open \"Joint savings\" EUR")
        rows = lines[1:-1]
        self.assertEqual(len(rows), len(COMMANDS) + 1)
        self.assertRegex(rows[0], r"^  编号 +显示该编号的名言$")
        starts = set()
        for row, name in zip(rows[1:], COMMANDS):
            # The command names are syntax and stay; what they do is Chinese.
            usage, description = re.match(r"^  (\S.*?\S|\S) {2,}(\S.*)$", row).groups()
            self.assertEqual(usage.split()[0], name)
            self.assertRegex(description, r"[\u4e00-\u9fff]", row)
            starts.add(columns(row) - columns(description))
        self.assertIn("  open 账户 [货币]", "\n".join(rows))
        # The descriptions line up on screen, Chinese characters being two columns wide.
        self.assertEqual(len(starts), 1, "\n".join(rows))
        self.assert_no_english(out)

    def test_option_help(self):
        result = self.run_program(["--help"])
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        self.assertIn("查阅名言，并以事件溯源方式记录账户和库存物品的账本。", out)
        self.assertRegex(out, r"(?m)^  -t, --tui +使用终端视图，即使有可用的显示器$")
        self.assertRegex(out, r"(?m)^  -d, --db=路径 +将账本保存在数据库文件“路径”中")
        self.assertRegex(out, r"(?m)^  -v, --version +打印版本号并退出$")
        self.assert_no_english(out)

    def test_usage_errors(self):
        result = self.run_program(["--tui", "extra"])
        self.assertEqual(result.returncode, 2)
        self.assertRegex(result.stderr, r"^\S+：意外的参数“extra”\n$")
        result = self.run_program(["--no-such-option"])
        self.assertEqual(result.returncode, 2)
        self.assertRegex(result.stderr, r"运行“\S+ --help”查看选项。\n$")
        self.assert_no_english(result.stderr)

    def test_english_unchanged(self):
        """The same program in the C locale still speaks the seed's English."""
        env = dict(self.env, LC_ALL="C.UTF-8")
        del env["LANGUAGE"]
        result = self.run_program(["--tui", "--db", ":memory:"], "3\n", env=env)
        self.assertEqual(result.stdout, "Which quote number would you like to see? "
                         "And the quote is: \"Black holes really suck...\"\n"
                         "Which quote number would you like to see? ")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
