#!/bin/sh
# bench/fuzz/run.sh: a longer libFuzzer run of every fuzz target of the suite (tests/fuzz/
# fuzz-*.c: profiles, configuration, stored results, statistics JSON, query strings), built with
# clang (-fsanitize=fuzzer,address,undefined, the whole core instrumented for coverage) in a
# build dir of its own; each runs SECONDS from its seeds, keeping what it finds in
# bench/out/fuzz/NAME for the next run, and the runs and coverage (libFuzzer's cov: and ft:)
# are printed per target. Without clang's libFuzzer it says so and exits 0 (the suite's driver
# runs the same targets under gcc).
# Usage: bench/fuzz/run.sh [SECONDS per target (default 120)] [BUILD_DIR (default build-fuzz)]
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-120}
build=${2:-$repo/build-fuzz}
out="$repo/bench/out/fuzz"
targets="decode config results stats query"

clang=$(command -v clang-14 || command -v clang || true)
if [ -z "$clang" ]; then
  echo "bench/fuzz: clang is not installed: nothing run (the suite's fuzz-* tests run the same" \
       "targets with gcc; apt install clang for libFuzzer)"
  exit 0
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
  > "$probe/p.c"
if ! "$clang" -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" 2>/dev/null; then
  echo "bench/fuzz: $clang cannot link -fsanitize=fuzzer (libclang-rt-dev is missing): nothing run"
  exit 0
fi

if [ ! -f "$build/build.ninja" ]; then
  echo "bench/fuzz: configuring $build with $clang"
  CC="$clang" CFLAGS=-fsanitize=fuzzer-no-link meson setup "$build" "$repo" \
    -Db_sanitize=address,undefined -Db_lundef=false -Dapp=false -Dtcmalloc=false \
    -Dfuzzing=libfuzzer > "$probe/setup.log" 2>&1 || { cat "$probe/setup.log"; exit 1; }
fi
ninja -C "$build" $(for t in $targets; do printf 'tests/fuzz-%s ' "$t"; done) \
  > "$probe/build.log" 2>&1 || { tail -n 40 "$probe/build.log"; exit 1; }

corpus_of() {
  case $1 in
    decode) echo "$repo/tests/fuzz/corpus" ;;
    *) echo "$repo/tests/fuzz/corpus-$1" ;;
  esac
}

status=0
printf '%-8s %10s %8s %8s %6s  %s\n' target runs cov ft corpus result
for t in $targets; do
  mkdir -p "$out/$t"
  log="$out/$t.log"
  set +e
  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$repo/bench/fuzz/lsan.supp" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$build/tests/fuzz-$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 -artifact_prefix="$out/$t-" \
    "$out/$t" "$(corpus_of "$t")" > "$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -E '#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  units=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p')
  if [ $rc -eq 0 ]; then
    result=ok
  else
    result="FOUND A PROBLEM (exit $rc): $log, $out/$t-*"
    status=1
  fi
  printf '%-8s %10s %8s %8s %6s  %s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${units:-?}" \
    "$result"
done
exit $status
