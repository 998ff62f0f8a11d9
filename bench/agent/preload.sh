#!/bin/sh
# bench/agent/preload.sh: what the preload (libgz-preload.so) costs a program, side by side with
# heaptrack and perf record in one run. Each round, interleaved so a load change hits all alike:
#   exec cost   `perf stat -r 30 -e task-clock` of `true`: alone, with libgz-preload.so
#               preloaded (no session) and with heaptrack's preload library preloaded;
#   at rest     bench/agent/cpu.c and malloc.c alone and with the preload (no session);
#   sessions    malloc.c under `gz-cli profile start --type memory -- …` and under `heaptrack`;
# then once: the CPU profile of malloc.c by `gz-cli profile start --type cpu -- …` (-noinlines,
# as perf counts a symbol) against `perf record` of the plain program (flat % of perf's top 5
# functions), and the records lost (the profiles' comments). Medians; ratios against the program
# alone in the same run.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: bench/agent/preload.sh [ROUNDS] (default 5); GZ_BENCH_BUILDDIR (default build) must
# hold src/preload/libgz-preload.so and src/cli/gz-cli. Needs perf (linux-perf), heaptrack,
# hyperfine and go (go tool pprof).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=${1:-5}
build=${GZ_BENCH_BUILDDIR:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
preload=$build/src/preload/libgz-preload.so
cli=$build/src/cli/gz-cli
heaptrack_lib=/usr/lib/heaptrack/libheaptrack_preload.so
[ -f "$preload" ] && [ -x "$cli" ] || { echo "build $build first (meson compile -C $build)" >&2; exit 1; }
for tool in perf heaptrack hyperfine go python3; do
  command -v $tool >/dev/null || { echo "$tool is needed (apt-get install linux-perf heaptrack hyperfine golang-go)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -g -Wall -Wextra -Werror -o "$work/cpu" "$here/cpu.c"
${CC:-cc} -O2 -g -Wall -Wextra -Werror -o "$work/malloc" "$here/malloc.c"
truebin=$(command -v true)
[ "$truebin" != true ] || truebin=/bin/true

one () # NAME VARIANT COMMAND...: one hyperfine run; wall and CPU seconds into all.txt
{
  name=$1; variant=$2; shift 2
  (cd "$work" && hyperfine -N --runs 1 --style none --output null \
      --export-json "$work/r.json" "$*" >/dev/null 2>&1) || { echo "failed: $*" >&2; exit 1; }
  printf '%s %s ' "$name" "$variant" >> "$work/all.txt"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["user"]+r["system"])' \
      "$work/r.json" >> "$work/all.txt"
}

exec_cost () # VARIANT ENV...: milliseconds of task-clock per exec of true, into exec.txt
{
  variant=$1; shift
  ms=$(env "$@" perf stat -r 30 -x, -e task-clock "$truebin" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}')
  echo "$variant $ms" >> "$work/exec.txt"
}

echo "rounds: $rounds, preload: $preload" >&2
i=0
while [ "$i" -lt "$rounds" ]; do
  exec_cost alone GZ_BENCH=1
  exec_cost gz-preload LD_PRELOAD="$preload"
  exec_cost heaptrack-preload LD_PRELOAD="$heaptrack_lib"
  for p in cpu malloc; do
    one $p alone "$work/$p"
    one $p rest env LD_PRELOAD="$preload" "$work/$p"
  done
  one malloc gz-memory-session "$cli" profile start --type memory --output-dir "$work/out" -- "$work/malloc"
  one malloc heaptrack heaptrack -o "$work/ht" "$work/malloc"
  rm -f "$work"/ht*
  i=$((i + 1))
  echo "round $i done" >&2
done

# The CPU profile of the malloc-heavy program: gz (perf events from outside, launched) against
# perf record of the plain program.
"$cli" profile start --type cpu --output-dir "$work/cpu-out" -- "$work/malloc" >/dev/null
gzprof=$(ls "$work"/cpu-out/*.prof | head -n 1)
go tool pprof -top -noinlines -nodecount=30 "$gzprof" 2>/dev/null > "$work/gz-top.txt"
perf record -q -F 999 -o "$work/perf.data" "$work/malloc" >/dev/null 2>&1
perf report -q -i "$work/perf.data" --stdio --no-children --sort symbol 2>/dev/null > "$work/perf-top.txt"
"$cli" profile start --type memory --output-dir "$work/mem-out" -- "$work/malloc" >/dev/null
memprof=$(ls "$work"/mem-out/*.prof | head -n 1)

python3 - "$work" "$gzprof" "$memprof" <<'PY'
import gzip, re, statistics, sys
from collections import defaultdict
work = sys.argv[1]
ex = defaultdict(list)
for line in open(f"{work}/exec.txt"):
    v, ms = line.split()
    ex[v].append(float(ms))
print("Exec cost of `true` (perf stat -r 30 task-clock, median over rounds):\n")
print("| variant | task-clock | extra vs alone |")
print("|---|---|---|")
a = statistics.median(ex["alone"])
for v in ("alone", "gz-preload", "heaptrack-preload"):
    m = statistics.median(ex[v])
    print(f"| {v} | {m:.3f} ms | {m - a:+.3f} ms |")
d = defaultdict(lambda: ([], []))
for line in open(f"{work}/all.txt"):
    n, v, w, c = line.split()
    d[n, v][0].append(float(w)); d[n, v][1].append(float(c))
print("\nPrograms (hyperfine, one run per round, medians):\n")
print("| program | variant | runs | wall | CPU | wall / alone | CPU / alone |")
print("|---|---|---|---|---|---|---|")
for n in ("cpu", "malloc"):
    bw = statistics.median(d[n, "alone"][0]); bc = statistics.median(d[n, "alone"][1])
    for v in ("alone", "rest", "gz-memory-session", "heaptrack"):
        if (n, v) not in d:
            continue
        w = statistics.median(d[n, v][0]); c = statistics.median(d[n, v][1])
        print(f"| {n} | {v} | {len(d[n, v][0])} | {w:.3f} s | {c:.3f} s | {w/bw:.3f} | {c/bc:.3f} |")

def gz_flat(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*\S+\s+([\d.]+)%\s+[\d.]+%\s+\S+\s+[\d.]+%\s+(.*)$", line)
        if m:
            out[m.group(2).strip()] = out.get(m.group(2).strip(), 0.0) + float(m.group(1))
    return out
def perf_flat(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*([\d.]+)%\s+\[\.\]\s+(\S+)", line)
        if m:
            # perf names glibc's free by its alias and version: cfree@GLIBC_2.2.5.
            name = m.group(2).split("@")[0]
            name = "free" if name == "cfree" else name
            out[name] = out.get(name, 0.0) + float(m.group(1))
    return out
g = gz_flat(f"{work}/gz-top.txt"); p = perf_flat(f"{work}/perf-top.txt")
print("\nCPU profile of malloc.c: flat % of perf record's top 5 functions\n")
print("| function | perf record | gz | difference |")
print("|---|---|---|---|")
for name, share in sorted(p.items(), key=lambda kv: -kv[1])[:5]:
    mine = g.get(name, 0.0)
    print(f"| {name} | {share:.1f} % | {mine:.1f} % | {mine - share:+.1f} pp |")
for label, path in (("cpu", sys.argv[2]), ("memory", sys.argv[3])):
    raw = gzip.open(path).read()
    lost = re.findall(rb"(\d+) records? (?:were )?lost", raw) + re.findall(rb"(\d+) samples? lost", raw)
    print(f"\nRecords lost in the {label} profile: {', '.join(x.decode() for x in lost) or '0 (no loss comment)'}")
PY
