"""Reading po/zh_CN.po: the entries of a gettext catalogue, for the tests."""

import re

_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$')
_MORE = re.compile(r'^"(.*)"$')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text):
    return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


class Entry:
    def __init__(self):
        self.flags = set()
        self.obsolete = False
        self.fields = {}

    @property
    def context(self):
        return self.fields.get("msgctxt")

    @property
    def msgid(self):
        return self.fields["msgid"]

    @property
    def msgstrs(self):
        return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr")]

    @property
    def msgstr(self):
        return self.msgstrs[0]


def read_entries(path):
    """Every entry of @path except the header and obsolete ones."""
    entries = []
    entry = None
    field = None
    with open(path, encoding="utf-8") as po:
        for line in po:
            line = line.rstrip("\n")
            if not line.strip():
                entry = None
                continue
            if entry is None:
                entry = Entry()
                entries.append(entry)
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif _FIELD.match(line):
                match = _FIELD.match(line)
                field = match.group(1)
                entry.fields[field] = _unescape(match.group(2))
            elif _MORE.match(line):
                entry.fields[field] += _unescape(_MORE.match(line).group(1))
            else:
                raise ValueError("%s: cannot read %r" % (path, line))
    return [e for e in entries if not e.obsolete and e.fields.get("msgid")]


_SPECIFIER = re.compile(r'%(?:\d+\$)?(?:<PRI[a-zA-Z0-9]+>|l{0,2}[sdui])')


def english_phrases(entries):
    """The fixed English text of every message, cut at its format
    specifiers and kept where it reads as words: text that must not reach
    a Chinese user. Messages the translation keeps as they are (names such
    as Adwaita) are left out."""
    phrases = set()
    for entry in entries:
        if entry.msgstr == entry.msgid:
            continue
        for piece in _SPECIFIER.split(entry.msgid):
            words = re.findall(r"[A-Za-z]{2,}", piece)
            if len(words) >= 2:
                phrases.add(piece.strip())
    return phrases
