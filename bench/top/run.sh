#!/usr/bin/env bash
# bench/top/run.sh: `gz-cli profile top` against `go tool pprof -top` on the same large profile
# (~1M samples over ~50k functions, written by gen-profile.c), side by side with hyperfine;
# prints each median and the ratio, and keeps hyperfine's JSON and Markdown in bench/out/top/.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/top/run.sh [--runs N (default 5)] [--samples N] [--functions N]
#   GZ_BENCH_BUILDDIR: the meson build directory with gz-cli (default: build-bench, set up here).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build="${GZ_BENCH_BUILDDIR:-$repo/build-bench}"
out="$repo/bench/out/top"
runs=5
samples=1000000
functions=50000

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    --functions) functions="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in meson ninja go hyperfine python3 cc; do
  command -v "$tool" >/dev/null || {
    echo "run.sh: $tool is missing: run tools/install-deps.sh as root" >&2; exit 1; }
done

mkdir -p "$out"
[ -f "$build/build.ninja" ] || meson setup "$build" "$repo" -Dapp=false >"$out/meson-setup.log"
meson compile -C "$build" src/cli/gz-cli >"$out/meson-compile.log"
gz_cli="$build/src/cli/gz-cli"

cc -O2 -o "$out/gen-profile" "$repo/bench/top/gen-profile.c" -lz -lm
profile="$out/large-${samples}-${functions}.prof"
[ -f "$profile" ] || "$out/gen-profile" "$profile" "$samples" "$functions" 1

# Both print the same analysis; -nodecount 20 keeps the terminal output small for both.
export HOME="$out/home" PPROF_TMPDIR="$out/home"
mkdir -p "$HOME"
hyperfine --runs "$runs" --warmup 1 --shell=none \
  --export-json "$out/top.json" --export-markdown "$out/top.md" \
  --command-name "gz-cli profile top" "$gz_cli profile top --nodecount 20 $profile" \
  --command-name "go tool pprof -top" "go tool pprof -top -nodecount=20 $profile"

python3 - "$out/top.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
gz, go = results["gz-cli profile top"], results["go tool pprof -top"]
print(f"median gz-cli profile top: {gz['median']:.3f} s (user {gz['user']:.3f} s)")
print(f"median go tool pprof -top: {go['median']:.3f} s (user {go['user']:.3f} s)")
print(f"gz-cli is {go['median'] / gz['median']:.1f}x faster (goal: 10x)")
PY
