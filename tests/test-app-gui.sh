#!/usr/bin/env bash
# End to end: gz-profile starts under Xvfb, opens its window, draws every page (a screenshot of
# each, checked not to be blank), forwards a second invocation to the running instance, serves
# /debug/pprof/ to curl once win.server-running (the Server page's switch) is turned on over
# D-Bus and stops serving when it is turned off, and quits cleanly through its app.quit action.
# Speaks TAP, one line per check; each check builds on the one before, so the first failure ends
# the run (the missing ones count as failed).
# Usage: test-app-gui.sh GZ_PROFILE APP_ID SCREENSHOT_DIR
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

app=$1
app_id=$2
outdir=$3

for tool in xvfb-run import identify compare convert xwininfo gdbus curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool not found; run tools/install-deps.sh"
    exit 0
  fi
done

if [ -z "${GZ_TEST_IN_XVFB:-}" ]; then
  export GZ_TEST_IN_XVFB=1
  exec "$(dirname "$0")/xvfb-run-test.sh" "$0" "$@"
fi

mkdir -p "$outdir"
tmp=$(mktemp -d)
pid=
cleanup () {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "1..10"
passed=0
pass () {
  passed=$((passed + 1))
  echo "ok $passed - $*"
}
fail () {
  echo "not ok $((passed + 1)) - $*"
  echo "FAIL: $*" >&2
  echo "--- gz-profile output ---" >&2
  cat "$tmp/app.log" >&2 || true
  exit 1
}

# A private home for everything the app may read or write.
export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_CACHE_HOME=$tmp/cache
export XDG_STATE_HOME=$tmp/state XDG_RUNTIME_DIR=$tmp/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
export GSETTINGS_BACKEND=memory
export G_DEBUG=fatal-criticals
# The Server page reads its port from gz's configuration, here its environment variable: a free
# one, so that a pprof server already on 6060 does not fail the test.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export GZ_PROFILE_PORT=$port

# Number of windows titled "gz profile" on the X server, leaving out GDK's 1x1 leader window.
count_windows () {
  xwininfo -root -tree | grep '"gz profile"' | grep -vc ' 1x1+' || true
}

# Screenshot of the whole screen into $outdir/$1.png. The first frame can take a while with
# software GL on a loaded machine: retry for up to 20 s before calling it blank.
screenshot () {
  local png=$outdir/$1.png sd=0
  for _ in $(seq 1 40); do
    rm -f "$png"
    import -window root "$png"
    [ -s "$png" ] || fail "no screenshot written to $png"
    sd=$(identify -format '%[fx:standard_deviation]' "$png")
    if awk -v sd="$sd" 'BEGIN { exit !(sd > 0.01) }'; then
      echo "# screenshot $png: standard deviation $sd"
      return 0
    fi
    sleep 0.5
  done
  fail "$png is blank (standard deviation $sd) 20 s after the window appeared"
}

# Waits (up to 20 s) until the header bar differs from the one in $outdir/$1.png (the view
# switcher marks the page shown; a page's own content may change by itself), then 1 s more for
# the page to settle: a page shown on a loaded machine can take a while to draw.
wait_for_change () {
  local diff=0
  convert "$outdir/$1.png" -crop 1280x60+0+0 +repage "$tmp/before.png"
  for _ in $(seq 1 40); do
    import -window root -crop 1280x60+0+0 +repage "$tmp/now.png"
    diff=$(compare -metric AE "$tmp/before.png" "$tmp/now.png" null: 2>&1 || true)
    [ "${diff%% *}" != 0 ] && { sleep 1; return 0; }
    sleep 0.5
  done
  fail "the header bar did not change 20 s after showing another page"
}

"$app" --page=statistics >"$tmp/app.log" 2>&1 &
pid=$!

for _ in $(seq 1 100); do
  [ "$(count_windows)" -ge 1 ] && break
  kill -0 "$pid" 2>/dev/null || fail "gz-profile exited before showing a window"
  sleep 0.2
done
[ "$(count_windows)" -ge 1 ] || fail "no gz profile window after 20 s"
pass "gz-profile opens its window"

# Let the first statistics refresh land.
sleep 2
kill -0 "$pid" 2>/dev/null || fail "gz-profile died after showing its window"
screenshot app-statistics
pass "the statistics page is drawn"

# A second invocation is forwarded to the running instance: no second window.
"$app" --page=sessions >>"$tmp/app.log" 2>&1 || fail "second invocation failed"
wait_for_change app-statistics
[ "$(count_windows)" -eq 1 ] || fail "expected one window, found $(count_windows)"
kill -0 "$pid" 2>/dev/null || fail "gz-profile died after the second invocation"
screenshot app-sessions
pass "a second invocation is forwarded to the running instance"

object_path=/$(echo "$app_id" | tr . /)
# The main window's actions (win.*), as GtkApplication exports them.
window_path=$object_path/window/1

# gz-profile --page=NAME reaches the running instance for every page (app.show-page).
previous=app-sessions
for page in benchmarks compare viewer server; do
  "$app" --page="$page" >>"$tmp/app.log" 2>&1 || fail "gz-profile --page=$page failed"
  wait_for_change "$previous"
  kill -0 "$pid" 2>/dev/null || fail "gz-profile died showing the $page page"
  screenshot "app-$page"
  previous=app-$page
done
pass "every page is drawn"

status=0
"$app" --page=nowhere >"$tmp/bad-page.log" 2>&1 || status=$?
[ "$status" -eq 1 ] && grep -q 'sessions, benchmarks, compare, statistics, server, viewer' \
  "$tmp/bad-page.log" || fail "--page=nowhere: status $status, $(cat "$tmp/bad-page.log")"
pass "an unknown --page names the six pages and fails"

set_server () {
  gdbus call --session --dest "$app_id" --object-path "$window_path" \
    --method org.gtk.Actions.SetState server-running "<$1>" '{}' >/dev/null \
    || fail "could not set win.server-running to $1 over D-Bus"
}

url=http://127.0.0.1:$port/debug/pprof/
set_server true
code=
for _ in $(seq 1 50); do
  code=$(curl -s -o "$tmp/index.html" -w '%{http_code}' --max-time 10 "$url" || true)
  [ "$code" = 200 ] && break
  sleep 0.2
done
[ "$code" = 200 ] || fail "GET $url gave '$code' 10 s after the server switch was turned on"
grep -q 'goroutine' "$tmp/index.html" && grep -q 'heap' "$tmp/index.html" \
  || fail "$url is not the pprof index: $(head -c 300 "$tmp/index.html")"
pass "the server switch serves the pprof index at $url"

# The request shows in the page's recent requests.
sleep 1
screenshot app-server
set_server false
for _ in $(seq 1 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
  [ "$code" = 000 ] && break
  sleep 0.2
done
[ "$code" = 000 ] || fail "$url still answers ($code) 10 s after the switch was turned off"
kill -0 "$pid" 2>/dev/null || fail "gz-profile died stopping its server"
pass "turning the switch off stops the server"

gdbus call --session --dest "$app_id" --object-path "$object_path" \
  --method org.freedesktop.Application.ActivateAction quit '[]' '{}' >/dev/null \
  || fail "could not activate app.quit over D-Bus"

for _ in $(seq 1 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$pid" 2>/dev/null && fail "gz-profile still running 10 s after app.quit"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || fail "gz-profile exited with status $status"
pass "app.quit over D-Bus ends gz-profile with status 0"

# The system's dark style (as libadwaita's debug variable simulates the desktop's preference)
# is followed: the window is drawn dark.
ADW_DEBUG_COLOR_SCHEME=prefer-dark "$app" --page=server >>"$tmp/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  [ "$(count_windows)" -ge 1 ] && break
  kill -0 "$pid" 2>/dev/null || fail "gz-profile (dark) exited before showing a window"
  sleep 0.2
done
sleep 2
screenshot app-server-dark
# The window's area only: Xvfb's root around it is black.
mean=$(convert "$outdir/app-server-dark.png" -crop 900x500+100+60 +repage -format '%[fx:mean]' info:)
# Quitting while the server runs: the window goes, the shutdown finishes, the program ends.
set_server true
code=
for _ in $(seq 1 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url" || true)
  [ "$code" = 200 ] && break
  sleep 0.2
done
[ "$code" = 200 ] || fail "the second gz-profile's server did not answer ($code)"
gdbus call --session --dest "$app_id" --object-path "$object_path" \
  --method org.freedesktop.Application.ActivateAction quit '[]' '{}' >/dev/null \
  || fail "could not quit the dark gz-profile over D-Bus"
for _ in $(seq 1 75); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$pid" 2>/dev/null && fail "gz-profile still running 15 s after app.quit with its server on"
wait "$pid" || fail "the dark gz-profile exited with status $?"
pid=
awk -v m="$mean" 'BEGIN { exit !(m < 0.4) }' \
  || fail "with the system's dark style the window is not dark (mean brightness $mean)"
pass "the system's dark style is followed (mean brightness $mean); quitting with the server on ends the program"

if grep -E -- '-(CRITICAL|WARNING) \*\*' "$tmp/app.log" >&2; then
  fail "gz-profile logged warnings"
fi
pass "gz-profile logged no warnings or criticals"
