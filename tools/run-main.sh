#!/usr/bin/env bash
# The main job: installs the Debian 12 packages, builds into build/, then opens the app when a
# display exists, or else runs a short CLI showcase: a 3 s CPU profile of gz-cli itself, where
# it went and how to read it. Run as root on Debian 12: bash tools/run-main.sh
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

echo
echo "\$ gz-cli profile start --type cpu --duration 3s --output-dir $outdir"
build/src/cli/gz-cli profile start --type cpu --duration 3s --output-dir "$outdir"

profile=$(find "$outdir" -maxdepth 1 -name 'cpu_*.prof' -newer "$marker" -print | sort | tail -n 1)
if [ -z "$profile" ]; then
  echo "gz-cli did not write a cpu_*.prof into $outdir" >&2
  exit 1
fi

echo
echo "The profile went to: $profile ($(stat -c %s "$profile") bytes, gzip-compressed pprof)"
echo "Open it with:        go tool pprof -top $profile"
echo "          or:        go tool pprof -http=localhost:8080 $profile"
if command -v go >/dev/null 2>&1; then
  echo
  echo "\$ go tool pprof -top $profile | head -n 20"
  go tool pprof -top "$profile" 2>&1 | head -n 20 || true
fi
