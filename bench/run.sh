#!/usr/bin/env bash
# bench/run.sh: builds the C benchmarks (bench/c, linked like gz-cli) and the Go peer (bench/go),
# runs them side by side, one after the other, and prints a markdown table, also written to
# bench/out/results.md (raw JSON lines in bench/out/results.jsonl).
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/run.sh [--runs N] [--cpu-seconds S] [--quick]
#   GZ_BENCH_BUILDDIR: the meson build directory to use (default: build-bench, set up here).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/bench/out"
build="${GZ_BENCH_BUILDDIR:-$repo/build-bench}"
runs=7
cpu_seconds=2

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --cpu-seconds) cpu_seconds="$2"; shift 2 ;;
    --quick) runs=3; cpu_seconds=0.5; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in meson ninja go python3; do
  command -v "$tool" >/dev/null || {
    echo "run.sh: $tool is missing: run tools/install-deps.sh as root" >&2; exit 1; }
done

mkdir -p "$out/bin"

# The core, built by meson.
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$repo" -Dapp=false >"$out/meson-setup.log" \
    || { cat "$out/meson-setup.log" >&2; exit 1; }
fi
# The C benchmarks: meson's targets (bench/meson.build), linked like gz-cli against the core's
# layer libraries and the hooks. Only what the benchmarks need is built, so an unrelated broken
# target does not stop them.
programs=(cpu malloc json write)
bindir="$build/bench"
ninja -C "$build" "${programs[@]/#/bench/gz-bench-}" >"$out/ninja.log" 2>&1 \
  || { tail -30 "$out/ninja.log" >&2; exit 1; }

# The Go peer: standard library only; caches inside bench/out so no HOME is needed.
export GOCACHE="$out/go-cache" GOPATH="$out/go-path"
(cd "$repo/bench/go" && go build -o "$out/bin/gobench" .)

export G_SLICE=always-malloc
results="$out/results.jsonl"
: >"$results"
log() { echo "run.sh: $*" >&2; }
# A program that fails leaves its rows out of the table (or marked "not measured"); the others
# still run.
gz() {
  "$bindir/gz-bench-$1" --runs "$runs" --cpu-seconds "$cpu_seconds" --outdir "$out/profiles/gz" \
    "${@:2}" | tee -a "$results" || log "gz-bench-$1 failed (exit status ${PIPESTATUS[0]})"
}
gobench() {
  "$out/bin/gobench" -runs "$runs" -cpu-seconds "$cpu_seconds" -outdir "$out/profiles/go" \
    -only "$1" "${@:2}" | tee -a "$results" \
    || log "gobench -only $1 failed (exit status ${PIPESTATUS[0]})"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
log "CPU profiler overhead ($runs alternating runs of ${cpu_seconds} s, each side)"
gz cpu; gobench cpu
log "the same at 250 Hz (the most this kernel's CPU timers give), divided by 2.5"
gz cpu --hz 250; gobench cpu -cpu-hz 250
log "memory sampler cost per allocation"
gz malloc; gobench alloc
log "memory sampler overhead on JSON serialization"
gz json; gobench json
log "time to take and write each profile type"
gz write; gobench write

{
  echo "# gz profile vs Go: side by side"
  echo
  commit=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
  cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit,"\
       "$(nproc) CPUs ($cpu), $(go version | cut -d' ' -f3), load average before: $load0,"\
       "after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Command: bench/run.sh --runs $runs --cpu-seconds $cpu_seconds"
  echo
  python3 "$repo/bench/report.py" "$results"
} >"$out/results.md"
echo
cat "$out/results.md"
