#!/bin/sh
# test-fuzz-decode.sh: a short libFuzzer run of the profile decoder (and top on what decodes)
# from the seed corpus of real profiles (tests/fuzz/corpus: Go's cpu, heap, mutex, block and
# goroutine profiles, gzip and raw, and generated ones): no crash, no leak, no hang. TAP.
# Usage: test-fuzz-decode.sh SOURCE_ROOT BUILD_ROOT [SECONDS (default 20)]
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

src=$1
build=$2
seconds=${3:-20}
exe="$build/tests/fuzz-decode"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sh "$src/tests/fuzz/build.sh" "$src" "$build" "$exe" > "$work/build.log" 2>&1
status=$?
if [ $status -eq 77 ]; then
  echo "1..0 # SKIP $(tail -n 1 "$work/build.log")"
  exit 0
fi
echo "1..2"
if [ $status -ne 0 ]; then
  sed 's/^/# /' "$work/build.log"
  echo "not ok 1 - clang builds the libFuzzer target"
  echo "not ok 2 - fuzz run # SKIP not built"
  exit 1
fi
echo "ok 1 - clang builds the libFuzzer target"

mkdir "$work/corpus"
# -timeout: one input taking 30 s is a hang (a busy machine slows a fast one down);
# -rss_limit_mb: a gzip bomb must be refused.
"$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/" "$work/corpus" "$src/tests/fuzz/corpus" > "$work/fuzz.log" 2>&1
status=$?
runs=$(grep -o 'Done [0-9]* runs' "$work/fuzz.log" | tail -n 1)
if [ $status -ne 0 ]; then
  tail -n 60 "$work/fuzz.log" | sed 's/^/# /'
  for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -f "$crash" ] && echo "# input: $(od -An -tx1 "$crash" | head -c 600 | tr -d '\n')"
  done
  echo "not ok 2 - fuzz run of ${seconds} s found a problem (exit $status)"
  exit 1
fi
echo "ok 2 - fuzz run of ${seconds} s: ${runs:-no summary}, no crash, leak or hang"
