#!/usr/bin/env bash
# Every file with translatable strings is in po/POTFILES.in, and every file
# listed there exists: a string outside the catalogue is never translated.
set -euo pipefail
cd "$QL_TEST_SOURCE_DIR/.."

status=0
while read -r file; do
  case "$file" in ''|'#'*) continue ;; esac
  [ -f "$file" ] || { echo "po/POTFILES.in lists $file, which does not exist"; status=1; }
done < po/POTFILES.in

listed=$(grep -v '^#' po/POTFILES.in | sort)
while read -r file; do
  grep -qxF "$file" <<<"$listed" || { echo "$file has translatable strings but is not in po/POTFILES.in"; status=1; }
done < <(grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"|translatable="yes"|<(summary|description|name|p|li)>|^(Name|Comment|GenericName|Keywords)=' \
           src data --include='*.c' --include='*.ui' --include='*.xml.in' --include='*.desktop.in' --include='*.gschema.xml' | sort)

sorted=$(grep -v '^#' po/POTFILES.in | grep -v '^$')
if [ "$sorted" != "$(LC_ALL=C sort <<<"$sorted")" ]; then
  echo "po/POTFILES.in is not sorted"
  status=1
fi
exit $status
