#!/usr/bin/env python3
"""Checks that the source tree keeps its layers (HACKING.md, Architecture).

Dependencies point inward: the model includes no front-end, no store and
no database client; the stores include no front-end; front-ends do not
include each other; and no two headers of the model or the stores
include each other, directly or through others.

Usage: test-layers.py SRC_DIR
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.MULTILINE)

# Headers of libraries that belong to one layer only.
FOREIGN = {
    "model": ("gtk/", "adwaita.h", "sqlite3.h", "libpq-fe.h", "grpc/",
              "protobuf-c/", "ncurses", "curses.h", "libsoup/", "curl/", "cairo",
              "readline/"),
    "store": ("gtk/", "adwaita.h", "grpc/", "protobuf-c/", "ncurses", "curses.h",
              "readline/"),
    "llm": ("gtk/", "adwaita.h", "sqlite3.h", "libpq-fe.h", "grpc/", "protobuf-c/",
            "ncurses", "curses.h", "readline/"),
}

# Adapters: they implement an interface of the model, and never depend on
# a front-end.
ADAPTERS = ("store", "llm")

FRONT_ENDS = ("gtk", "terminal", "screen", "payments", "lambda", "chat")


def sources(src):
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h")):
                yield folder, name, os.path.join(path, name)


def main():
    src = sys.argv[1]
    owner = {}      # header name -> folder it lives in
    includes = {}   # (folder, name) -> [(kind, included)]
    for folder, name, path in sources(src):
        if name.endswith(".h"):
            owner.setdefault(name, folder)
        with open(path, encoding="utf-8") as f:
            includes[(folder, name)] = INCLUDE.findall(f.read())

    problems = []
    for (folder, name), found in includes.items():
        for kind, header in found:
            base = os.path.basename(header)
            target = header.split("/")[0] if "/" in header and kind == '"' else owner.get(base)
            for foreign in FOREIGN.get(folder, ()):
                if header.startswith(foreign) or base == foreign:
                    problems.append(f"{folder}/{name} includes <{header}>, "
                                    f"which {folder}/ must not use")
            if kind != '"' or target is None or target == folder:
                continue
            if folder == "model" and target != "model":
                problems.append(f"model/{name} includes {target}/{base}: "
                                "the model depends on nothing outside it")
            elif folder in ADAPTERS and target in FRONT_ENDS:
                problems.append(f"{folder}/{name} includes {target}/{base}: "
                                "adapters never depend on a front-end")
            elif folder in ADAPTERS and target in ADAPTERS:
                problems.append(f"{folder}/{name} includes {target}/{base}: "
                                "adapters are independent of each other")
            elif folder in FRONT_ENDS and target in FRONT_ENDS:
                problems.append(f"{folder}/{name} includes {target}/{base}: "
                                "front-ends are independent of each other")

    # Cycles among the headers and sources of the core layers.
    graph = {}
    for (folder, name), found in includes.items():
        if folder not in ("model", "store"):
            continue
        edges = graph.setdefault(name, set())
        for kind, header in found:
            base = os.path.basename(header)
            if kind == '"' and owner.get(base) in ("model", "store") and base != name:
                edges.add(base)

    state = {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                problems.append("include cycle: " + " -> ".join(cycle))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])

    for problem in problems:
        print(problem)
    checked = sum(1 for key in includes)
    print(f"{checked} files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
