#!/usr/bin/env bash
# Runs a GUI test under a private X server and D-Bus session bus, its TAP output passed through
# untouched. When xvfb-run or dbus-run-session is missing it reports a TAP skip of the whole
# program ("1..0 # SKIP reason", exit 0: meson's TAP protocol reads exit 77 as an error).
# Usage: xvfb-run-test.sh COMMAND [ARG...]
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

for tool in xvfb-run xauth dbus-run-session; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool not found; install xvfb, xauth and dbus (tools/install-deps.sh)"
    exit 0
  fi
done

# Keep GTK on the private server even when the caller has a desktop session.
unset WAYLAND_DISPLAY
export GDK_BACKEND=x11
# No accessibility bus in the private session: do not let GTK look for one.
export GTK_A11Y=none NO_AT_BRIDGE=1

exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp -br" dbus-run-session -- "$@"
