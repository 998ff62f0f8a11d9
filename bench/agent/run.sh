#!/bin/sh
# bench/agent/run.sh: the agent's cost on a program at rest and while profiling (issue 8).
# Alternates, each round: program alone, with the agent preloaded (no session), under a cpu
# session and under a memory session (gz-cli profile start -- PROGRAM), for a CPU-bound and a
# malloc-heavy program of fixed work; then `true` alone vs preloaded (the start-up cost).
# Each run is one `hyperfine -N --runs 1 --export-json` (wall, user, system); medians and
# ratios vs alone are printed as markdown.  Usage: bench/agent/run.sh [ROUNDS] (default 7);
# GZ_BENCH_BUILDDIR (default build-agent) must hold src/agent/libgz-agent.so and src/cli/gz-cli.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=${1:-7}
build=${GZ_BENCH_BUILDDIR:-$top/build-agent}
case $build in /*) ;; *) build=$top/$build ;; esac
agent=$build/src/agent/libgz-agent.so
cli=$build/src/cli/gz-cli
[ -f "$agent" ] && [ -x "$cli" ] || { echo "build $build first (meson compile -C $build)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$work/cpu" "$here/cpu.c"
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$work/malloc" "$here/malloc.c"
truebin=$(command -v true)
[ "$truebin" != true ] || truebin=/bin/true

one () # NAME VARIANT COMMAND...
{
  name=$1; variant=$2; shift 2
  (cd "$work" && hyperfine -N --runs 1 --style none --output null \
      --export-json "$work/r.json" "$*" >/dev/null 2>&1) || { echo "failed: $*" >&2; exit 1; }
  printf '%s %s ' "$name" "$variant" >> "$work/all.txt"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["user"]+r["system"])' \
      "$work/r.json" >> "$work/all.txt"
}

echo "rounds: $rounds, agent: $agent" >&2
i=0
while [ "$i" -lt "$rounds" ]; do
  for p in cpu malloc; do
    one $p alone "$work/$p"
    one $p rest env LD_PRELOAD="$agent" "$work/$p"
    one $p cpu-session "$cli" profile start --type cpu --output-dir "$work/out" -- "$work/$p"
    one $p memory-session "$cli" profile start --type memory --output-dir "$work/out" -- "$work/$p"
  done
  for k in 1 2 3 4 5; do
    one true alone "$truebin"
    one true rest env LD_PRELOAD="$agent" "$truebin"
    one true env-only env "$truebin"
  done
  i=$((i + 1))
  echo "round $i done" >&2
done

python3 - "$work/all.txt" <<'PY'
import statistics, sys
from collections import defaultdict
d = defaultdict(lambda: ([], []))
for line in open(sys.argv[1]):
    n, v, w, c = line.split()
    d[n, v][0].append(float(w)); d[n, v][1].append(float(c))
print("| program | variant | runs | wall median | CPU median | wall / alone | CPU / alone |")
print("|---|---|---|---|---|---|---|")
for n in ("cpu", "malloc", "true"):
    base = "env-only" if n == "true" else "alone"
    bw = statistics.median(d[n, base][0]); bc = statistics.median(d[n, base][1])
    for v in ("alone", "env-only", "rest", "cpu-session", "memory-session"):
        if (n, v) not in d: continue
        w = statistics.median(d[n, v][0]); c = statistics.median(d[n, v][1])
        if n == "true":
            print(f"| true | {v} | {len(d[n, v][0])} | {w*1e3:.2f} ms | {c*1e3:.2f} ms | {(w-bw)*1e3:+.2f} ms vs env | {(c-bc)*1e3:+.2f} ms vs env |")
        else:
            print(f"| {n} | {v} | {len(d[n, v][0])} | {w:.3f} s | {c:.3f} s | {w/bw:.3f} | {c/bc:.3f} |")
PY
