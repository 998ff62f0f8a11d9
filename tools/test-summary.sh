#!/usr/bin/env bash
# Counts meson test results from BUILDDIR/meson-logs/testlog.json (one JSON object per test) and
# prints "N passed, N failed, N skipped". A build dir without a test log (configure or build
# failed, or no tests ran) counts as one failure. Exits 1 when anything failed.
# Usage: tools/test-summary.sh [--each] BUILDDIR...   (--each: also one line per build dir)
set -u

each=false
if [ "${1:-}" = "--each" ]; then
  each=true
  shift
fi

total_passed=0 total_failed=0 total_skipped=0
for dir in "$@"; do
  log=$dir/meson-logs/testlog.json
  if [ ! -s "$log" ]; then
    echo "$dir: no meson test log: configure or build failed, or no tests ran" \
      "(counted as 1 failed)" >&2
    total_failed=$((total_failed + 1))
    continue
  fi
  # OK and EXPECTEDFAIL pass; SKIP skips; FAIL, TIMEOUT, UNEXPECTEDPASS, ERROR, ... fail.
  read -r passed failed skipped < <(
    grep -oE '"result": *"[A-Z_]+"' "$log" | awk -F'"' '
      $4 == "OK" || $4 == "EXPECTEDFAIL" { p++; next }
      $4 == "SKIP" { s++; next }
      { f++ }
      END { printf "%d %d %d\n", p, f, s }')
  if $each; then
    echo "$dir: $passed passed, $failed failed, $skipped skipped"
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
done

echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
[ "$total_failed" -eq 0 ]
