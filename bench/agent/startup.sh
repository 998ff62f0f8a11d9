#!/bin/sh
# bench/agent/startup.sh: where the agent's start-up cost goes. Preloads into /bin/true, in
# turn: nothing, empty libraries that only pull in (NEEDED) a growing set of the agent's
# dependencies, and the agent itself; prints the median over ROUNDS of `perf stat -r 10`
# task-clock for each (interleaved, so a load change hits every line alike).
# Usage: bench/agent/startup.sh [ROUNDS] (default 8); GZ_BENCH_BUILDDIR as for run.sh.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=${1:-8}
build=${GZ_BENCH_BUILDDIR:-$top/build-agent}
case $build in /*) ;; *) build=$top/$build ;; esac
agent=$build/src/agent/libgz-agent.so
[ -f "$agent" ] || { echo "build $build first (meson compile -C $build)" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo 'int gz_startup_stub (void) { return 0; }' > "$work/stub.c"
# The agent's own NEEDED, as -l flags (libc and the loader come anyway).
all=$(readelf -d "$agent" | sed -n 's/.*Shared library: \[lib\([^]]*\)\.so.*\]/\1/p' |
      grep -v -e '^c$' -e '^ld-linux' | sed 's/^/-l/' | tr '\n' ' ')
tcmalloc=$(echo "$all" | grep -o -e '-ltcmalloc[a-z_]*' || true)
stub () # NAME LIBS...: an empty library that needs LIBS
{
  name=$1; shift
  # shellcheck disable=SC2068
  ${CC:-cc} -shared -fPIC -o "$work/$name.so" "$work/stub.c" -Wl,--no-as-needed $@
}
stub 1-tcmalloc "$tcmalloc"
stub 2-plus-glib-gobject-unwind "$tcmalloc" -lglib-2.0 -lgobject-2.0 -lunwind
stub 3-plus-gio "$tcmalloc" -lglib-2.0 -lgobject-2.0 -lunwind -lgio-2.0
stub 4-all-of-the-agents-libraries "$all"
cp "$agent" "$work/5-the-agent.so"

i=0
while [ "$i" -lt "$rounds" ]; do
  for lib in none "$work"/*.so; do
    pre=
    [ "$lib" = none ] || pre="LD_PRELOAD=$lib"
    printf '%s ' "$(basename "$lib" .so)" >> "$work/all.txt"
    perf stat -x, -r 10 -e task-clock /bin/sh -c "$pre exec /bin/true" 2>&1 >/dev/null |
      grep task-clock | cut -d, -f1 >> "$work/all.txt"
  done
  i=$((i + 1))
done

python3 - "$work/all.txt" <<'PY'
import statistics, sys
from collections import defaultdict
d = defaultdict(list)
for line in open(sys.argv[1]):
    name, ms = line.split()
    d[name].append(float(ms))
base = statistics.median(d["none"])
print("| /bin/true preloaded with | rounds | task-clock median | vs nothing |")
print("|---|---|---|---|")
for name in sorted(d, key=lambda n: (n != "none", n)):
    m = statistics.median(d[name])
    print(f"| {name} | {len(d[name])} | {m:.2f} ms | {m - base:+.2f} ms |")
PY
