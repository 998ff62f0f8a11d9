#!/bin/sh
# test-packaging-spdx.sh: every tracked source file carries "SPDX-License-Identifier:
# GPL-3.0-or-later" right after its leading comment (tools/add-spdx.sh --check). Speaks TAP.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-packaging-spdx.sh SOURCE_ROOT
# Not in the suite until tools/add-spdx.sh has been run on the whole tree; then add to
# tests/meson.build:
#   test('spdx', find_program('test-packaging-spdx.sh'), args: [meson.project_source_root()],
#     suite: 'install', protocol: 'tap')
set -u

echo "1..1"
if ! command -v git >/dev/null 2>&1 || ! git -C "$1" rev-parse --git-dir >/dev/null 2>&1; then
  echo "ok 1 # SKIP not a git checkout: the tracked files are unknown"
  exit 0
fi
if out=$("$1/tools/add-spdx.sh" --check 2>&1); then
  echo "ok 1 - every source file has its SPDX-License-Identifier line"
else
  echo "not ok 1 - $(printf '%s\n' "$out" | grep -c 'lacks') source files lack the SPDX line" \
       "(run tools/add-spdx.sh)"
  printf '%s\n' "$out" | sed 's/^/# /'
fi
