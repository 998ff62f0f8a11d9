#!/usr/bin/env bash
# bench/viewer/run.sh: the Viewer page on a large synthetic profile (~1M samples, ~50k functions,
# written by bench/top/gen-profile.c): open to first drawn flame graph (goal < 1 s) and the hover
# frame (goal < 16 ms), under Xvfb; then the same load without a window, decode and tree build
# timed apart (gz-bench-tree). Prints the medians; not a test.
# Usage: bench/viewer/run.sh [RUNS [SAMPLES [FUNCTIONS]]]   (GZ_BENCH_BUILDDIR: build dir)
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${GZ_BENCH_BUILDDIR:-$top/build-bench}
runs=${1:-3}
samples=${2:-1000000}
functions=${3:-50000}
out=$top/bench/out/viewer
mkdir -p "$out"

[ -d "$build" ] || meson setup "$build" "$top" >/dev/null
meson compile -C "$build" bench/viewer/gz-bench-viewer bench/viewer/gz-bench-tree >/dev/null

cc -O2 -o "$out/gen-profile" "$top/bench/top/gen-profile.c" -lz -lm
profile=$out/viewer-$samples-$functions.prof
[ -s "$profile" ] || "$out/gen-profile" "$profile" "$samples" "$functions"

export GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory
unset WAYLAND_DISPLAY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  "$build/bench/viewer/gz-bench-viewer" "$profile" "$runs" 200 "$out" | tee "$out/results.txt"
echo "without a window (read once; decode, tree build, worker jobs, zooms):" | tee -a "$out/results.txt"
"$build/bench/viewer/gz-bench-tree" "$profile" "$runs" | tee -a "$out/results.txt"
