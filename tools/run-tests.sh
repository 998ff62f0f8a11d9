#!/usr/bin/env bash
# Runs every test, as CI does: installs the Debian 12 packages, then builds and tests twice in
# fresh build dirs: build-ci (-Dwerror=true, the app included) and build-asan (AddressSanitizer
# and UndefinedBehaviorSanitizer; no app, no tcmalloc). Ends with "N passed, N failed, N skipped"
# counted in subtests (tools/test-summary.sh) and a non-zero status if anything failed.
# Run as root on Debian 12: bash tools/run-tests.sh
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

if [ "$(id -u)" -eq 0 ]; then
  bash tools/install-deps.sh || { echo "tools/install-deps.sh failed" >&2; exit 1; }
else
  echo "Not root: skipping tools/install-deps.sh (run it as root if a package is missing)" >&2
fi

export CI=true
# Sanitizer findings must fail the test that triggered them.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}

# build_and_test DIR MESON_OPTIONS...: a fresh configure, build and test run; never exits.
build_and_test () {
  local dir=$1
  shift
  echo "=== $dir: meson setup $* ==="
  rm -rf "$dir"
  meson setup "$dir" "$@" || return 1
  meson compile -C "$dir" || return 1
  meson test -C "$dir" --print-errorlogs --num-processes 2
}

build_and_test build-ci -Dwerror=true
build_and_test build-asan -Db_sanitize=address,undefined -Dwerror=true -Dapp=false

echo "=== summary ==="
bash tools/test-summary.sh --each build-ci build-asan
