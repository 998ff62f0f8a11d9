#!/usr/bin/env bash
# The main job: installs the Debian 12 packages, builds into build/, then opens the app when a
# display exists, or else runs a short CLI showcase: a 3 s benchmark with a CPU profile, where
# the profile went and how to read it. Run as root on Debian 12: bash tools/run-main.sh
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" -eq 0 ]; then
  bash tools/install-deps.sh
else
  echo "Not root: skipping tools/install-deps.sh (run it as root if a package is missing)" >&2
fi

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
meson compile -C build

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x build/src/app/gz-profile ]; then
  echo "Opening gz-profile (the app) on ${WAYLAND_DISPLAY:-$DISPLAY}"
  # Uninstalled: the window's settings schema is compiled in the build dir.
  export GSETTINGS_SCHEMA_DIR=$root/build/data
  exec build/src/app/gz-profile
fi

echo "No display: a CLI showcase instead."
outdir=$root/tmp/profiles
mkdir -p "$outdir"
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT

# A CPU session of an idle gz-cli has nothing to sample; a benchmark with --cpu-profiling
# profiles real work (json-glib serialization) in this process.
echo
echo "\$ gz-cli profile benchmark --name json-marshal --duration 3s --cpu-profiling --output-dir $outdir"
build/src/cli/gz-cli profile benchmark --name json-marshal --duration 3s --cpu-profiling \
  --output-dir "$outdir" --save showcase

profile=$(find "$outdir" -maxdepth 1 -name 'bench-json-marshal-cpu_*.prof' -newer "$marker" -print |
  sort | tail -n 1)
if [ -z "$profile" ]; then
  echo "gz-cli did not write a CPU profile into $outdir" >&2
  exit 1
fi

echo
echo "The profile went to: $profile ($(stat -c %s "$profile") bytes, gzip-compressed pprof)"
echo "Open it with:        go tool pprof -top $profile"
echo "          or:        go tool pprof -http=localhost:8080 $profile"
echo "Sessions:            gz-cli profile start --type cpu|memory|goroutine|block|mutex|threadcreate"
if command -v go >/dev/null 2>&1; then
  echo
  echo "\$ go tool pprof -top $profile | head -n 20"
  go tool pprof -top "$profile" 2>&1 | head -n 20 || true
fi
