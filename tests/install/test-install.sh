#!/usr/bin/env bash
# Installs Quote Ledger into a temporary prefix, from a build of its own,
# and runs the installed binary: nothing may depend on the source tree.
set -euo pipefail

src="$QL_TEST_SOURCE_DIR/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

meson setup "$work/build" "$src" --prefix "$prefix" -Db_sanitize=none >"$work/setup.log" 2>&1 \
  || { cat "$work/setup.log"; exit 1; }
meson install -C "$work/build" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; exit 1; }

fail () { echo "FAIL: $*"; exit 1; }
bin="$prefix/bin/quote-ledger"
share="$prefix/share"
for f in "$bin" \
         "$share/man/man1/quote-ledger.1" \
         "$share/quote-ledger/default-quotes.txt" \
         "$share/glib-2.0/schemas/gschemas.compiled" \
         "$share/glib-2.0/schemas/io.github.quoteledger.QuoteLedger.gschema.xml" \
         "$share/applications/io.github.quoteledger.QuoteLedger.desktop" \
         "$share/metainfo/io.github.quoteledger.QuoteLedger.metainfo.xml" \
         "$share/icons/hicolor/scalable/apps/io.github.quoteledger.QuoteLedger.svg" \
         "$share/locale/zh_CN/LC_MESSAGES/quote-ledger.mo" \
         "$prefix/libexec/quote-ledger-payments"; do
  [ -f "$f" ] || fail "$f is not installed"
done

export XDG_DATA_HOME="$work/data" HOME="$work/home"
mkdir -p "$HOME"
cd "$work"

"$bin" --version | grep -qx "quote-ledger [0-9.]*" || fail "--version"

out=$(printf '3\n' | env -u DISPLAY -u WAYLAND_DISPLAY "$bin" 2>&1)
[ "$out" = 'Which quote number would you like to see? And the quote is: "Black holes really suck..."
Which quote number would you like to see? ' ] || fail "installed terminal view printed: $out"

out=$(printf 'open Cash\ndeposit Cash 5\nbalance Cash\n' | "$bin" --tui 2>&1)
grep -q 'Balance: 5$' <<<"$out" || fail "ledger in the default location: $out"
[ "$(stat -c %a "$XDG_DATA_HOME/quote-ledger/ledger.db")" = 600 ] || fail "database is not private"

locale -a | grep -qi '^zh_CN\.utf-\?8$' || fail "the zh_CN.UTF-8 locale is missing (tools/install-deps makes it)"
out=$(printf '3\n' | LC_ALL=zh_CN.UTF-8 LANGUAGE=zh_CN "$bin" --tui 2>&1)
grep -q 'Black holes really suck' <<<"$out" || fail "zh_CN: $out"
! grep -q 'Which quote number' <<<"$out" || fail "zh_CN prompt is not translated: $out"

if [ -n "${DISPLAY:-}" ]; then
  # The installed window must come up with the installed schema and stay up.
  status=0
  GSETTINGS_SCHEMA_DIR="$share/glib-2.0/schemas" timeout 4 "$bin" --db :memory: \
    >"$work/gui.log" 2>&1 || status=$?
  [ $status -eq 124 ] || { cat "$work/gui.log"; fail "installed window exited with $status"; }
  ! grep -E 'CRITICAL|WARNING' "$work/gui.log" || fail "installed window logged warnings"
fi
echo "installed into $prefix and ran"
