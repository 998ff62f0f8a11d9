#!/usr/bin/env bash
# bench/commands/run.sh: gz-cli profile benchmark --command against hyperfine on the same
# commands and machine, in alternating turns: the mean each reports for each command, and the
# overhead each adds per run (what each reports for the empty command `true`, and the wall time
# the whole tool takes per run). Prints a markdown table, also written to
# bench/out/commands.md (raw JSON in bench/out/commands/).
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/commands/run.sh [--rounds N] [--runs N]
#   GZ_BENCH_BUILDDIR: the meson build directory to use (default: build-bench, set up here).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/bench/out/commands"
build="${GZ_BENCH_BUILDDIR:-$repo/build-bench}"
rounds=3
runs=20

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in meson ninja hyperfine python3; do
  command -v "$tool" >/dev/null || {
    echo "run.sh: $tool is missing: run tools/install-deps.sh as root" >&2; exit 1; }
done

mkdir -p "$out"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$repo" -Dapp=false >"$out/meson-setup.log" \
    || { cat "$out/meson-setup.log" >&2; exit 1; }
fi
ninja -C "$build" src/cli/gz-cli src/core/bench/gz-bench-spawn tests/gz-test-fixed-work \
  >"$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
gz="$build/src/cli/gz-cli"
work="$build/tests/gz-test-fixed-work"
results="$out/results"
rm -rf "$results"

# name|command (run without a shell by both: hyperfine -N, gz --shell none)
commands=(
  "empty|true"
  "sleep 50ms|sleep 0.05"
  "fixed work|$work 60"
  "100 MiB|$work 0 100"
)

now() { date +%s.%N; }

for round in $(seq 1 "$rounds"); do
  for entry in "${commands[@]}"; do
    name=${entry%%|*}
    cmd=${entry#*|}
    slug=$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-')
    # Alternate which tool goes first, so that neither always runs on a warmer machine.
    if [ $((round % 2)) -eq 1 ]; then order="gz hyperfine"; else order="hyperfine gz"; fi
    for tool in $order; do
      start=$(now)
      if [ "$tool" = gz ]; then
        "$gz" profile benchmark --command "$cmd" --name "$name" --shell none --warmup 3 \
          --count "$runs" --format json --results-dir "$results" --save "$slug" \
          >"$out/gz-$slug-$round.json" 2>/dev/null
      else
        hyperfine -N --warmup 3 --runs "$runs" --style none \
          --export-json "$out/hyperfine-$slug-$round.json" "$cmd" >/dev/null 2>&1
      fi
      end=$(now)
      echo "$tool $slug $round $start $end" >>"$out/walls.txt.tmp"
    done
  done
done
mv "$out/walls.txt.tmp" "$out/walls.txt"

python3 - "$out" "$rounds" "$runs" <<'PY' | tee "$out/../commands.md"
import json, statistics, sys
out, rounds, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = {}
walls = {}
for line in open(f"{out}/walls.txt"):
    tool, slug, rnd, start, end = line.split()
    walls.setdefault((tool, slug), []).append(float(end) - float(start))
    names[slug] = None
def gz(slug):
    t, rss = [], []
    for r in range(1, rounds + 1):
        doc = json.load(open(f"{out}/gz-{slug}-{r}.json"))
        for s in doc["benchmarks"][0]["samples"]:
            t.append(s["ns_per_op"] / 1e9)
            rss.append(s["max_rss_bytes"])
    return t, rss
def hf(slug):
    t = []
    for r in range(1, rounds + 1):
        t += json.load(open(f"{out}/hyperfine-{slug}-{r}.json"))["results"][0]["times"]
    return t
def ms(x): return f"{x * 1e3:.3f}"
print(f"gz vs hyperfine 1.15, {rounds} alternating rounds of {runs} runs (3 warmup) each, no shell\n")
print("| command | gz mean ± σ (ms) | gz median | hyperfine mean ± σ (ms) | hyperfine median | gz − hf | gz peak RSS | wall/run gz | wall/run hf |")
print("|:---|---:|---:|---:|---:|---:|---:|---:|---:|")
for slug in names:
    g, rss = gz(slug)
    h = hf(slug)
    wg = statistics.mean(walls[("gz", slug)]) / (runs + 3)
    wh = statistics.mean(walls[("hyperfine", slug)]) / (runs + 3)
    print(f"| {slug} | {ms(statistics.mean(g))} ± {ms(statistics.stdev(g))} | {ms(statistics.median(g))} "
          f"| {ms(statistics.mean(h))} ± {ms(statistics.stdev(h))} | {ms(statistics.median(h))} "
          f"| {ms(statistics.mean(g) - statistics.mean(h))} | {statistics.median(rss) / 1048576:.1f} MiB "
          f"| {ms(wg)} | {ms(wh)} |")
print("\n`empty` is `true`: what each tool reports for a command that does nothing is the overhead in"
      "\nevery figure it reports. wall/run is the tool's whole wall time (start-up, spawn-cost"
      "\nmeasurement, warmup, export) over its runs: what it costs to run.")
PY
