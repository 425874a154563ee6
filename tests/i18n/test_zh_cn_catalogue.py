#!/usr/bin/env python3
"""The Chinese catalogue: valid, complete for the current sources, in one
set of terms, and merged into the desktop file and the metainfo.

Arguments: the merged desktop file and metainfo of the build (or nothing
when the build has no GTK front-end)."""

import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zh_cn_catalogue import read_entries  # noqa: E402

SOURCE_ROOT = os.path.dirname(os.path.abspath(os.environ["QL_TEST_SOURCE_DIR"]))
PO_DIR = os.path.join(SOURCE_ROOT, "po")
CATALOGUE = os.path.join(PO_DIR, "zh_CN.po")
MERGED = sys.argv[1:]

# What meson's "glib" preset hands xgettext, so that the test finds the
# same messages `meson compile quote-ledger-pot` does.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_printerr:1:c-format", "--flag=g_print:1:c-format",
]

# English term (a regular expression) and the Chinese the translation
# uses for it. Where the English word is syntax (a command name, a path)
# the translation keeps it and that is fine too.
GLOSSARY = [
    (r"\bledgers?\b", "账本"),
    (r"\baccounts?\b", "账户"),
    (r"\binventory items?\b", "库存物品"),
    (r"\bitems?\b", "物品"),
    (r"\bdeposit(ed)?\b", "存入"),
    (r"\bwithdr(aw|ew|awn)\b", "取出"),
    (r"\bbalance\b", "余额"),
    (r"\bquantity\b", "数量"),
    (r"\bevents?\b", "事件"),
    (r"\bund(o|oes|id|one)\b", "撤销"),
    (r"\bnotification log\b", "通知日志"),
    (r"\bskins?\b", "皮肤"),
    (r"\bcolou?r scheme\b", "配色方案"),
    (r"\btime travel\b", "时间回溯"),
    # A quote, not a quotation mark of CSV or of the command line.
    (r"(?<!double )(?<!closing )\bquotes?\b(?! inside)", "名言"),
    (r"\bversions?\b", "版本"),
    (r"\bamounts?\b", "金额"),
]


class CatalogueTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.entries = read_entries(CATALOGUE)

    def test_linguas_lists_zh_cn(self):
        with open(os.path.join(PO_DIR, "LINGUAS"), encoding="utf-8") as linguas:
            languages = [l.strip() for l in linguas if l.strip() and not l.startswith("#")]
        self.assertIn("zh_CN", languages)

    def test_msgfmt_check_passes(self):
        result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, CATALOGUE],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        # "N translated messages." and nothing about fuzzy or untranslated ones.
        self.assertRegex(result.stderr.strip(), r"^\d+ translated messages?\.$")

    def test_every_entry_translated(self):
        self.assertGreater(len(self.entries), 200)
        for entry in self.entries:
            self.assertNotIn("fuzzy", entry.flags, entry.msgid)
            for msgstr in entry.msgstrs:
                self.assertNotEqual(msgstr, "", entry.msgid)

    def test_one_plural_form(self):
        with open(CATALOGUE, encoding="utf-8") as po:
            self.assertIn('"Plural-Forms: nplurals=1; plural=0;\\n"', po.read())
        plurals = [e for e in self.entries if "msgid_plural" in e.fields]
        self.assertTrue(plurals)
        for entry in plurals:
            self.assertEqual(len(entry.msgstrs), 1, entry.msgid)

    def test_catalogue_covers_the_sources(self):
        """Every message in the sources today has its Chinese translation:
        a string added without one fails here."""
        with tempfile.TemporaryDirectory() as work:
            pot = os.path.join(work, "current.pot")
            subprocess.run(["xgettext", *XGETTEXT_ARGS, "--files-from=po/POTFILES.in",
                            "--directory=.", "--output=" + pot],
                           cwd=SOURCE_ROOT, check=True, capture_output=True)
            result = subprocess.run(["msgcmp", CATALOGUE, pot], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0,
                         "messages without a translation; run `meson compile -C BUILD "
                         "quote-ledger-update-po` and translate them:\n" + result.stderr)

    def test_mnemonics_kept(self):
        """A mnemonic stays usable: 显示(_S) for _Show."""
        for entry in self.entries:
            match = re.search(r"_([A-Za-z])", entry.msgid)
            if match is None or entry.msgid == "translator-credits" or "%" in entry.msgid:
                continue
            self.assertIn("(_%s)" % match.group(1).upper(), entry.msgstr, entry.msgid)

    def test_spacing_kept(self):
        """A prompt keeps its trailing space; Chinese text takes full-width
        punctuation, not an ASCII colon or comma followed by a space."""
        for entry in self.entries:
            if entry.msgid.endswith(" ") and not entry.msgid.endswith(": "):
                self.assertTrue(entry.msgstr.endswith(" "), entry.msgid)
            for msgstr in entry.msgstrs:
                self.assertNotRegex(msgstr, r"[\u4e00-\u9fff][:,;] ", entry.msgid)

    def test_terms_consistent(self):
        for entry in self.entries:
            if entry.context == "event type":
                continue  # short labels of stored names, tested in test-ledger
            for english, chinese in GLOSSARY:
                found = re.search(english, entry.msgid, re.IGNORECASE)
                if found is None:
                    continue
                syntax = re.search(english, entry.msgstr, re.IGNORECASE)
                self.assertTrue(chinese in entry.msgstr or syntax,
                                "%r should say %s for %r: %r"
                                % (entry.msgid, chinese, found.group(0), entry.msgstr))


@unittest.skipUnless(MERGED, "the build has no GTK front-end, so no desktop file")
class MergedFilesTest(unittest.TestCase):
    def test_desktop_file(self):
        desktop = next(p for p in MERGED if p.endswith(".desktop"))
        with open(desktop, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertIn("Name[zh_CN]=名言账本", lines)
        translated = {l.split("=", 1)[0] for l in lines if "[" in l.split("=", 1)[0]}
        for key in ("Name", "Comment", "Keywords"):
            self.assertIn(key + "[zh_CN]", translated)
        keywords = next(l for l in lines if l.startswith("Keywords[zh_CN]="))
        self.assertIn("账本;", keywords)
        self.assertTrue(keywords.endswith(";"))

    def test_metainfo(self):
        metainfo = next(p for p in MERGED if p.endswith(".metainfo.xml"))
        lang = "{http://www.w3.org/XML/1998/namespace}lang"
        root = ElementTree.parse(metainfo).getroot()
        english = [e for e in root.iter() if e.tag in ("name", "summary", "p", "li", "caption",
                                                       "developer_name") and lang not in e.attrib]
        chinese = [e for e in root.iter() if e.attrib.get(lang) == "zh_CN"]
        # Every translatable element has its Chinese sibling.
        self.assertEqual(len(chinese), len(english))
        self.assertEqual(root.find("name").text, "Quote Ledger")
        names = [e.text for e in chinese if e.tag == "name"]
        self.assertEqual(names, ["名言账本"])
        for element in chinese:
            self.assertRegex(element.text, r"[\u4e00-\u9fff]")

    def test_schema_domain(self):
        schema = os.path.join(SOURCE_ROOT, "data", "io.github.quoteledger.QuoteLedger.gschema.xml")
        root = ElementTree.parse(schema).getroot()
        self.assertEqual(root.get("gettext-domain"), "quote-ledger")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
