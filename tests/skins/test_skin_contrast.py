#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every skin reaches WCAG 2 AA in the light and the dark style: 4.5:1 for
text, 3:1 for controls. The ratios are computed from the colours: the
skin's @define-color lines over libadwaita's own defaults for the style
(read from the libadwaita library this build uses), and the opacity
libadwaita and the application's style.css give column headings.

The full-screen terminal view maps the same named colours (window,
header bar, accent, error), so its pairs are among these.

Arguments: the skins folder, the application's style.css, libadwaita's
shared library."""

import glob
import os
import re
import subprocess
import sys
import unittest

SKINS_DIR, STYLE_CSS, LIBADWAITA = sys.argv[1:4]
ADW = "/org/gnome/Adwaita/styles/"
DEFINE = re.compile(r"@define-color\s+([a-z_0-9]+)\s+([^;]+);")
TEXT, CONTROL = 4.5, 3.0


def resource(path):
    return subprocess.run(["gresource", "extract", LIBADWAITA, path], check=True,
                          capture_output=True, text=True).stdout


def parse_colour(value, names):
    """(r, g, b, a) with r, g, b in 0..255 and a in 0..1."""
    value = value.strip()
    if value.startswith("@"):
        return names[value[1:]]
    if value == "white":
        return (255, 255, 255, 1.0)
    if value == "black":
        return (0, 0, 0, 1.0)
    m = re.fullmatch(r"#([0-9a-fA-F]{6})", value)
    if m:
        h = m.group(1)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0)
    m = re.fullmatch(r"rgba?\(([^)]*)\)", value)
    if m:
        parts = [float(p) for p in m.group(1).split(",")]
        return (parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else 1.0)
    m = re.fullmatch(r"alpha\((.+),\s*([0-9.]+)\)", value)
    if m:
        r, g, b, a = parse_colour(m.group(1), names)
        return (r, g, b, a * float(m.group(2)))
    m = re.fullmatch(r"mix\((.+),(.+),\s*([0-9.]+)\)", value)
    if m:
        c1, c2, t = parse_colour(m.group(1), names), parse_colour(m.group(2), names), float(m.group(3))
        return tuple(c1[i] * (1 - t) + c2[i] * t for i in range(4))
    raise ValueError("colour %r" % value)


def define(names, css):
    for name, value in DEFINE.findall(css):
        try:
            names[name] = parse_colour(value, names)
        except (KeyError, ValueError):
            # currentColor and the like: not a colour of its own.
            pass


def over(top, bottom):
    """@top drawn on the opaque @bottom."""
    a = top[3]
    return tuple(top[i] * a + bottom[i] * (1 - a) for i in range(3)) + (1.0,)


def luminance(c):
    def channel(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in c[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(fg, bg):
    l1, l2 = luminance(fg), luminance(bg)
    return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)


def heading_opacity():
    """The opacity of column headings' text: libadwaita's, unless the
    application's style.css sets its own."""
    rule = re.compile(r"header\s*>\s*button\s*>\s*box\s*\{[^}]*?"
                      r"color:\s*(?:alpha\(currentColor,\s*([0-9.]+)\)|(currentColor))")
    with open(STYLE_CSS) as f:
        own = rule.search(f.read())
    found = own or rule.search(resource(ADW + "base.css"))
    return 1.0 if found.group(2) else float(found.group(1))


def skins():
    """(name, style, css): each skin in each style, the default skin's css empty."""
    found = [("adwaita", "light", ""), ("adwaita", "dark", "")]
    for path in sorted(glob.glob(os.path.join(SKINS_DIR, "*.css"))):
        name = os.path.basename(path)[:-len(".css")]
        if name.endswith("-dark"):
            continue
        dark = os.path.join(SKINS_DIR, name + "-dark.css")
        with open(path) as f:
            found.append((name, "light", f.read()))
        with open(dark if os.path.exists(dark) else path) as f:
            found.append((name, "dark", f.read()))
    return found


def colours(style, css):
    names = {}
    palette = resource(ADW + "base.css")
    # The palette (blue_3 and the like) the defaults are built on.
    define(names, "\n".join(line for line in palette.splitlines()[:80]
                            if line.startswith("@define-color")))
    define(names, resource(ADW + "defaults-%s.css" % style))
    # The application's own, then the skin's, each above the one before.
    with open(STYLE_CSS) as f:
        define(names, f.read())
    define(names, css)
    return names


def pairs(c, heading):
    """(what, foreground, background, needed) as the window shows them."""
    window = over(c["window_bg_color"], (255, 255, 255, 1.0))
    view = over(c["view_bg_color"], window)
    card = over(c["card_bg_color"], window)
    bar = over(c["headerbar_bg_color"], window)
    popover = over(c["popover_bg_color"], window)
    dialog = over(c["dialog_bg_color"], window)
    accent_bg = over(c["accent_bg_color"], window)
    destructive_bg = over(c["destructive_bg_color"], window)
    fg = c["window_fg_color"]
    # Buttons and entries are tinted with their own text colour.
    button = over(fg[:3] + (fg[3] * 0.1,), window)
    view_fg = c["view_fg_color"]
    yield "window text", over(fg, window), window, TEXT
    yield "list text", over(view_fg, view), view, TEXT
    yield "column heading", over(view_fg[:3] + (view_fg[3] * heading,), view), view, TEXT
    yield "card text", over(c["card_fg_color"], card), card, TEXT
    yield "header bar text", over(c["headerbar_fg_color"], bar), bar, TEXT
    yield "popover text", over(c["popover_fg_color"], popover), popover, TEXT
    yield "dialog text", over(c["dialog_fg_color"], dialog), dialog, TEXT
    yield "button label", over(fg, button), button, TEXT
    yield "entry text", over(fg, button), button, TEXT
    yield "selected or suggested", over(c["accent_fg_color"], accent_bg), accent_bg, TEXT
    yield "destructive button", over(c["destructive_fg_color"], destructive_bg), destructive_bg, TEXT
    yield "accent text", over(c["accent_color"], window), window, TEXT
    yield "accent text in a list", over(c["accent_color"], view), view, TEXT
    yield "error text", over(c["error_color"], window), window, TEXT
    yield "error text in a card", over(c["error_color"], card), card, TEXT
    yield "accent control (switch, check)", accent_bg, window, CONTROL


class ContrastTests(unittest.TestCase):
    def test_every_skin_reaches_aa(self):
        heading = heading_opacity()
        failures = []
        checked = 0
        for name, style, css in skins():
            for what, fg, bg, needed in pairs(colours(style, css), heading):
                checked += 1
                got = ratio(fg, bg)
                if got < needed:
                    failures.append("%s %s: %s %.2f:1, needs %.1f:1" % (name, style, what, got, needed))
        self.assertGreaterEqual(checked, 8 * 16)
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_the_ratios_are_wcag_ratios(self):
        self.assertAlmostEqual(ratio((0, 0, 0, 1), (255, 255, 255, 1)), 21.0)
        self.assertAlmostEqual(ratio((119, 119, 119, 1), (255, 255, 255, 1)), 4.48, places=2)
        # The figures that were reported before the fix, from the same formula.
        view = (255, 251, 239, 1.0)
        self.assertAlmostEqual(ratio(over((88, 110, 117, 0.4), view), view), 1.7, places=1)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
