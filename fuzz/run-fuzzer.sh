#!/bin/sh
# Runs one fuzz target for a bounded time on its committed seed corpus.
# New inputs go to a scratch folder, never into the source tree; a crash
# is saved in the build folder and fails the test.
#
# Usage: run-fuzzer.sh FUZZER SEED-CORPUS SECONDS ARTIFACT-FOLDER
set -eu
fuzzer=$1 seeds=$2 seconds=$3 artifacts=$4

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ql-fuzz-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"

"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$artifacts/$(basename "$fuzzer")-" \
  "$scratch" "$seeds"
