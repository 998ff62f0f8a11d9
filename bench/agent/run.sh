#!/bin/sh
# bench/agent/run.sh: what the preload (libgz-preload.so) costs a program, beside heaptrack and
# perf record in the same run (issue 17). Each round runs every variant once, the order
# reversed every other round (ABBA) so that a change of load hits all alike:
#   exec cost   `perf stat -r 30 -e task-clock,page-faults env … true`: alone, with
#               libgz-preload.so preloaded (no session) and with heaptrack's preload library;
#   at rest     agent/cpu.c and agent/malloc.c alone and with the preload (no session);
#   sessions    malloc.c under `gz-cli profile start --type memory -- …`; heaptrack (~40x
#               slower) on a tenth of the work, against that tenth alone;
# then: the CPU profile of malloc.c by `gz-cli profile start --type cpu -- …` (-noinlines, as
# perf counts a symbol) against `perf record -p` of the same process (flat % of perf's top 5
# functions, 3 runs), and the records lost (the profiles' comments). CPU is the task-clock of the whole
# process tree (gz-cli and its collector, heaptrack and its interpreter included). Medians, and
# the median of each round's ratio against the program alone in the same round.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: bench/agent/run.sh [ROUNDS] (default 9); GZ_BENCH_BUILDDIR (default build) must hold
# src/preload/libgz-preload.so and src/cli/gz-cli; GZ_BENCH_BASELINE, a second
# libgz-preload.so (an older build), adds its at-rest and memory-session variants to the same
# rounds. Needs perf (linux-perf), heaptrack and go (go tool pprof).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=${1:-9}
build=${GZ_BENCH_BUILDDIR:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
preload=$build/src/preload/libgz-preload.so
cli=$build/src/cli/gz-cli
baseline=${GZ_BENCH_BASELINE:-}
heaptrack_lib=/usr/lib/heaptrack/libheaptrack_preload.so
[ -f "$preload" ] && [ -x "$cli" ] || { echo "build $build first (meson compile -C $build)" >&2; exit 1; }
[ -z "$baseline" ] || [ -f "$baseline" ] || { echo "GZ_BENCH_BASELINE: no file $baseline" >&2; exit 1; }
for tool in perf heaptrack go python3; do
  command -v $tool >/dev/null || { echo "$tool is needed (apt-get install linux-perf heaptrack golang-go)" >&2; exit 1; }
done
[ -f "$heaptrack_lib" ] || { echo "no $heaptrack_lib (apt-get install heaptrack)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -g -Wall -Wextra -Werror -o "$work/cpu" "$here/cpu.c"
${CC:-cc} -O2 -g -Wall -Wextra -Werror -o "$work/malloc" "$here/malloc.c"
truebin=$(command -v true)
[ "$truebin" != true ] || truebin=/bin/true
small=7000000  # a tenth of malloc.c's default work, for heaptrack

now_ns () { date +%s%N; }

# run ROUND PROGRAM VARIANT COMMAND...: wall and task-clock (the whole tree) into all.txt
run ()
{
  round=$1; name=$2; variant=$3; shift 3
  t0=$(now_ns)
  ms=$(cd "$work" && perf stat -x, -e task-clock -- "$@" 2>&1 >/dev/null |
       awk -F, '/task-clock/ {print $1}')
  t1=$(now_ns)
  [ -n "$ms" ] || { echo "failed: $*" >&2; exit 1; }
  echo "$round $name $variant $(( (t1 - t0) / 1000 )) $ms" >> "$work/all.txt"
}

# exec_cost ROUND VARIANT ENV...: task-clock (ms) and page faults per `env ENV... true`, into
# exec.txt. env sets LD_PRELOAD for true alone: set around perf, it preloaded perf, and both
# libraries take themselves out of LD_PRELOAD for the children, so true ran bare.
exec_cost ()
{
  round=$1; variant=$2; shift 2
  perf stat -r 30 -x, -e task-clock,page-faults env "$@" "$truebin" 2>&1 >/dev/null |
    awk -F, -v r="$round" -v v="$variant" '/task-clock/ {ms = $1} /page-faults/ {pf = $1}
                                           END {print r, v, ms, pf}' >> "$work/exec.txt"
}

# The memory sessions' profiles: their comments say how many records were read and lost.
memory_session ()
{
  round=$1; variant=$2; shift 2
  rm -rf "$work/mem-out"
  run "$round" malloc "$variant" env "$@" "$cli" profile start --type memory \
      --output-dir "$work/mem-out" -- "$work/malloc"
  go tool pprof -raw "$work"/mem-out/*.prof 2>/dev/null | grep '^Comment' |
    sed "s/^/$variant: /" >> "$work/comments.txt"
}

variant () # ROUND N: the Nth variant of a round
{
  case $2 in
    1) exec_cost "$1" alone GZ_BENCH=1 ;;
    2) exec_cost "$1" gz-preload LD_PRELOAD="$preload" ;;
    3) exec_cost "$1" heaptrack-preload LD_PRELOAD="$heaptrack_lib" ;;
    4) run "$1" cpu alone "$work/cpu" ;;
    5) run "$1" cpu rest env LD_PRELOAD="$preload" "$work/cpu" ;;
    6) run "$1" malloc alone "$work/malloc" ;;
    7) run "$1" malloc rest env LD_PRELOAD="$preload" "$work/malloc" ;;
    8) memory_session "$1" gz-memory-session GZ_BENCH=1 ;;
    9) run "$1" malloc-tenth alone "$work/malloc" $small ;;
    10) rm -f "$work"/ht.*
        run "$1" malloc-tenth heaptrack heaptrack -o "$work/ht" "$work/malloc" $small ;;
    11) [ -z "$baseline" ] || exec_cost "$1" gz-preload-baseline LD_PRELOAD="$baseline" ;;
    12) [ -z "$baseline" ] || run "$1" malloc rest-baseline env LD_PRELOAD="$baseline" "$work/malloc" ;;
    13) [ -z "$baseline" ] || memory_session "$1" gz-memory-session-baseline GZ_PRELOAD_LIBRARY="$baseline" ;;
    14) [ -z "$baseline" ] || run "$1" cpu rest-baseline env LD_PRELOAD="$baseline" "$work/cpu" ;;
  esac
}

echo "rounds: $rounds, preload: $preload${baseline:+, baseline: $baseline}" >&2
uptime > "$work/load.txt"
i=0
while [ "$i" -lt "$rounds" ]; do
  cut -d' ' -f1 /proc/loadavg >> "$work/loadavg.txt"
  if [ $((i % 2)) -eq 0 ]; then order="1 2 3 4 5 6 7 8 9 10 11 12 13 14"
  else order="14 13 12 11 10 9 8 7 6 5 4 3 2 1"; fi
  for n in $order; do variant "$i" "$n"; done
  i=$((i + 1))
  echo "round $i done ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
uptime >> "$work/load.txt"

# The CPU profile of the malloc-heavy program: gz (perf events from outside, launched, at its
# default rate) and perf record -F 999 attached to the same process (run to run, the shares of
# malloc.c's functions move by several points on this loaded machine: separate runs compare
# the load, not the profilers), 4 times the default work (~4 s), 3 times; gz's profiles merged
# by pprof, perf's shares averaged.
long=280000000
for k in 1 2 3; do
  "$cli" profile start --type cpu --output-dir "$work/cpu-out" -- "$work/malloc" $long >/dev/null &
  gzpid=$!
  pid=
  while [ -z "$pid" ] && kill -0 $gzpid 2>/dev/null; do
    pid=$(pgrep -P $gzpid -x malloc || true)
    [ -n "$pid" ] || sleep 0.01
  done
  [ -n "$pid" ] || { echo "gz-cli profile start --type cpu did not start malloc" >&2; exit 1; }
  perf record -q -F 999 -o "$work/perf.data" -p "$pid" >/dev/null 2>&1 || true
  wait $gzpid
  perf report -q -i "$work/perf.data" --stdio --no-children --sort symbol 2>/dev/null > "$work/perf-top.$k.txt"
done
go tool pprof -top -noinlines -nodecount=40 "$work"/cpu-out/*.prof 2>/dev/null > "$work/gz-top.txt"
for gzprof in "$work"/cpu-out/*.prof; do
  go tool pprof -raw "$gzprof" 2>/dev/null | grep '^Comment' | sed 's/^/gz-cpu-profile: /' >> "$work/comments.txt"
done
if [ -e /usr/lib/debug/.build-id ] && dpkg -s libc6-dbg >/dev/null 2>&1; then
  echo "libc6-dbg installed: libc's internal functions (_int_free, _int_malloc) have names" > "$work/dbg.txt"
else
  echo "libc6-dbg not installed: libc's internal functions may be unnamed" > "$work/dbg.txt"
fi

python3 - "$work" <<'PY'
import re, statistics as st, sys
from collections import defaultdict
work = sys.argv[1]
load = [float(x) for x in open(f"{work}/loadavg.txt")]
print("Load: " + " / ".join(l.strip() for l in open(f"{work}/load.txt")))
print(f"1-minute load average at each round's start: median {st.median(load):.1f}, "
      f"{min(load):.1f}-{max(load):.1f} (2 CPUs)\n")

def rng(v):
    return f"{min(v):.3f}-{max(v):.3f}"

ex = defaultdict(dict)
pf = defaultdict(dict)
for line in open(f"{work}/exec.txt"):
    r, v, ms, faults = line.split()
    ex[v][r] = float(ms)
    pf[v][r] = float(faults)
print("Exec cost of `env … true` (perf stat -r 30 per round; medians over rounds):\n")
print("| variant | rounds | task-clock | extra vs alone (median of rounds' differences) "
      "| page faults | extra |")
print("|---|---|---|---|---|---|")
for v in ("alone", "gz-preload", "gz-preload-baseline", "heaptrack-preload"):
    if v not in ex:
        continue
    m = st.median(ex[v].values())
    d = [ex[v][r] - ex["alone"][r] for r in ex[v] if r in ex["alone"]]
    f = st.median(pf[v].values())
    print(f"| {v} | {len(ex[v])} | {m:.3f} ms | {st.median(d):+.3f} ms | {f:.0f} | "
          f"{f - st.median(pf['alone'].values()):+.0f} |")

d = defaultdict(dict)
for line in open(f"{work}/all.txt"):
    r, n, v, us, ms = line.split()
    d[n, v][r] = (int(us) / 1e6, float(ms) / 1e3)
print("\nPrograms (CPU = task-clock of the process tree; ratios: median of each round's "
      "variant / alone, with their range):\n")
print("| program | variant | rounds | wall | CPU | CPU / alone | range | wall / alone |")
print("|---|---|---|---|---|---|---|---|")
for n in ("cpu", "malloc", "malloc-tenth"):
    base = d.get((n, "alone"))
    if not base:
        continue
    for v in ("alone", "rest", "rest-baseline", "gz-memory-session",
              "gz-memory-session-baseline", "heaptrack"):
        if (n, v) not in d:
            continue
        runs = d[n, v]
        w = st.median(x[0] for x in runs.values()); c = st.median(x[1] for x in runs.values())
        cr = [runs[r][1] / base[r][1] for r in runs if r in base]
        wr = [runs[r][0] / base[r][0] for r in runs if r in base]
        print(f"| {n} | {v} | {len(runs)} | {w:.3f} s | {c:.3f} s | {st.median(cr):.3f} | "
              f"{rng(cr)} | {st.median(wr):.3f} |")

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
g = gz_flat(f"{work}/gz-top.txt")
p = defaultdict(float)
for k in (1, 2, 3):
    for name, share in perf_flat(f"{work}/perf-top.{k}.txt").items():
        p[name] += share / 3
print("\nCPU profile of malloc.c (3 runs): flat % of perf record's top 5 functions "
      f"({open(f'{work}/dbg.txt').read().strip()})\n")
print("| function | perf record -F 999 -p (same process) | gz-cli profile (-noinlines) | difference |")
print("|---|---|---|---|")
worst = 0.0
for name, share in sorted(p.items(), key=lambda kv: -kv[1])[:5]:
    mine = g.get(name, 0.0)
    worst = max(worst, abs(mine - share))
    print(f"| {name} | {share:.1f} % | {mine:.1f} % | {mine - share:+.1f} pp |")
print(f"\nLargest difference: {worst:.1f} pp")

print("\nRecords lost (the profiles' comments):\n")
lost = defaultdict(list)
read = defaultdict(list)
for line in open(f"{work}/comments.txt"):
    variant = line.split(":", 1)[0]
    for x in re.findall(r"(\d+) (?:records? )?lost", line):
        lost[variant].append(int(x))
    for x in re.findall(r"(\d+) records read", line):
        read[variant].append(int(x))
print("| profile | runs | records read (median) | records lost: total, runs with a loss |")
print("|---|---|---|---|")
for variant in sorted(set(read) | set(lost)):
    runs = max(len(read[variant]), sum(1 for l in open(f"{work}/comments.txt")
                                       if l.startswith(variant + ": Comment: perf events")))
    print(f"| {variant} | {runs} | {st.median(read[variant]) if read[variant] else '-'} | "
          f"{sum(lost[variant])}, {sum(1 for x in lost[variant] if x > 0)} |")
PY
