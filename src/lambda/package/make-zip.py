#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Packs lambda.zip: the function as Lambda's provided.al2023 runtime runs it.

Usage: make-zip.py BOOTSTRAP LOCALE_DIR OUTPUT

The program is built on Debian 12, whose glibc (2.36) is newer than
Amazon Linux 2023's (2.34), so the zip relies on nothing of the base image
but the kernel and /bin/sh: every shared library that ldd lists goes into
lib/, the C library and its loader too, and `bootstrap` is a shell script
that starts bin/bootstrap through that loader with lib/ as its only
library path. The catalogues go into locale/, where the program looks
under LAMBDA_TASK_ROOT.
"""

import os
import re
import subprocess
import sys
import zipfile

WRAPPER = """#!/bin/sh
# Lambda runs this file. The program and every library it needs, the C
# library and its loader among them, are in this folder: nothing is taken
# from the base image.
here=$(dirname "$0")
exec "$here/lib/ld-linux-x86-64.so.2" --library-path "$here/lib" "$here/bin/bootstrap" "$@"
"""

# Fixed timestamps: the same build makes the same zip.
STAMP = (2020, 1, 1, 0, 0, 0)


def libraries(program):
    out = subprocess.run(["ldd", program], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        match = re.search(r"(\S+) => (/\S+)", line) or re.search(r"^\s*(/\S+)", line)
        if match is None:
            continue
        path = match.group(match.lastindex)
        name = os.path.basename(match.group(1))
        found[name] = os.path.realpath(path)
    return found


def add(archive, name, data, mode):
    info = zipfile.ZipInfo(name, STAMP)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def main():
    program, locale_dir, output = sys.argv[1:4]
    libs = libraries(program)
    if "ld-linux-x86-64.so.2" not in libs:
        sys.exit("make-zip.py: %s names no ld-linux-x86-64.so.2; only x86_64 is packed" % program)

    tmp = output + ".tmp"
    with zipfile.ZipFile(tmp, "w") as archive:
        add(archive, "bootstrap", WRAPPER, 0o755)
        with open(program, "rb") as f:
            add(archive, "bin/bootstrap", f.read(), 0o755)
        for name, path in sorted(libs.items()):
            with open(path, "rb") as f:
                add(archive, "lib/" + name, f.read(), 0o755)
        for root, _dirs, files in sorted(os.walk(locale_dir)):
            for file in sorted(files):
                if file.endswith(".mo"):
                    path = os.path.join(root, file)
                    with open(path, "rb") as f:
                        add(archive, "locale/" + os.path.relpath(path, locale_dir), f.read(),
                            0o644)
    os.replace(tmp, output)


if __name__ == "__main__":
    main()
