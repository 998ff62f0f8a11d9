#!/usr/bin/env bash
# bench/app/run.sh: gz-profile's start-up to its first painted frame against a minimal GTK 4
# window (the peer), and the main loop's longest stall while a session of each type is stopped
# and written; under a private Xvfb and D-Bus session, as the app's tests run. Prints markdown
# (also written to bench/out/app.md). Not a test: it prints numbers.
# Usage: bench/app/run.sh [--runs N] [--rounds N]   (GZ_BENCH_BUILDDIR: build dir, default
# build-bench)
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
builddir=${GZ_BENCH_BUILDDIR:-$top/build-bench}
runs=11
rounds=5
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--rounds N]" >&2; exit 2 ;;
  esac
done

if [ -z "${GZ_BENCH_IN_XVFB:-}" ]; then
  [ -f "$builddir/build.ninja" ] || meson setup "$builddir" "$top" >/dev/null
  meson compile -C "$builddir" bench/app/gz-bench-app bench/app/gz-bench-gtk-window >/dev/null
  # The GSettings schema the window reads, compiled by a full build.
  [ -f "$builddir/data/gschemas.compiled" ] || meson compile -C "$builddir" >/dev/null
  export GZ_BENCH_IN_XVFB=1
  exec "$top/tests/xvfb-run-test.sh" "$0" --runs "$runs" --rounds "$rounds"
fi

app=$builddir/bench/app/gz-bench-app
peer=$builddir/bench/app/gz-bench-gtk-window
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GSETTINGS_SCHEMA_DIR=$builddir/data GSETTINGS_BACKEND=memory
export XDG_CONFIG_HOME=$tmp/config XDG_RUNTIME_DIR=$tmp/run
mkdir -p -m 700 "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"

# One start: the milliseconds from just before exec to the first painted frame.
first_frame () {
  local t0 out
  t0=$(date +%s%N)
  if [ "$1" = app ]; then out=$("$app" startup --t0="$t0" 2>/dev/null)
  else out=$("$peer" --t0="$t0" 2>/dev/null); fi
  echo "$out" | awk '/^first-frame-ms/ { print $2 }'
}

median () { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread () { sort -n | awk '{ v[NR] = $1 } END { printf "%s–%s", v[1], v[NR] }'; }

# Warm the page cache, then alternate, the order flipping each round.
first_frame app >/dev/null; first_frame peer >/dev/null
: >"$tmp/app.txt"; : >"$tmp/peer.txt"
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then order="app peer"; else order="peer app"; fi
  for who in $order; do
    first_frame "$who" >>"$tmp/$who.txt"
  done
done

app_median=$(median <"$tmp/app.txt")
peer_median=$(median <"$tmp/peer.txt")
{
  echo "## gz-profile start-up to first frame ($runs runs each, alternating; $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
  echo
  echo "| program | median | range |"
  echo "|---|---|---|"
  echo "| gz-profile (gz-bench-app startup: main.c's start-up, six pages) | $app_median ms | $(spread <"$tmp/app.txt") ms |"
  echo "| minimal GTK 4 window (gz-bench-gtk-window) | $peer_median ms | $(spread <"$tmp/peer.txt") ms |"
  echo
  awk -v a="$app_median" -v p="$peer_median" \
    'BEGIN { printf "gz-profile takes %.0f ms more than the peer (%.2fx); goal: under 300 ms.\n", a - p, a / p }'
  echo
  echo "## Longest main-loop stall while a session is stopped and written ($rounds rounds a type)"
  echo
  echo "Drawn with GSK_RENDERER=cairo: under Xvfb, GL is llvmpipe, whose frames wait for its rasterizer threads whenever a stop keeps a CPU busy (that wait measures the machine, not the app)."
  echo
  GSK_RENDERER=cairo "$app" stall --rounds "$rounds" 2>/dev/null
} | tee "$tmp/report.md"
mkdir -p "$top/bench/out"
cp "$tmp/report.md" "$top/bench/out/app.md"
