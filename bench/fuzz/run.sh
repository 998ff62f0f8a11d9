#!/bin/sh
# bench/fuzz/run.sh: a long libFuzzer run of the profile decoder (the suite runs 20 s of the
# same target): builds it with clang beside a meson build dir and fuzzes from the seed corpus
# (tests/fuzz/corpus), keeping what it finds in bench/out/fuzz-corpus for the next run.
# Usage: bench/fuzz/run.sh [SECONDS (default 600)] [BUILD_DIR (default build-bench)]
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-600}
build=${2:-$repo/build-bench}
out="$repo/bench/out"
corpus="$out/fuzz-corpus"

[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" src/core/profile/profile.pb-c.c >/dev/null 2>&1 ||
  meson compile -C "$build" >/dev/null
mkdir -p "$corpus"
sh "$repo/tests/fuzz/build.sh" "$repo" "$build" "$out/fuzz-decode"
echo "fuzzing the decoder for ${seconds} s (corpus: $corpus; findings: $out/crash-*)"
exec "$out/fuzz-decode" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=262144 -print_final_stats=1 -artifact_prefix="$out/" \
  "$corpus" "$repo/tests/fuzz/corpus"
