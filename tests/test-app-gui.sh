#!/usr/bin/env bash
# End to end: gz-profile starts under Xvfb, opens its window, draws something (screenshots are
# checked not to be blank), forwards a second invocation to the running instance, and quits
# cleanly through its app.quit action. Speaks TAP, one line per check; each check builds on the
# one before, so the first failure ends the run (the missing ones count as failed).
# Usage: test-app-gui.sh GZ_PROFILE APP_ID SCREENSHOT_DIR
set -euo pipefail

app=$1
app_id=$2
outdir=$3

for tool in xvfb-run import identify xwininfo gdbus; do
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

echo "1..5"
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
sleep 1
[ "$(count_windows)" -eq 1 ] || fail "expected one window, found $(count_windows)"
kill -0 "$pid" 2>/dev/null || fail "gz-profile died after the second invocation"
screenshot app-sessions
pass "a second invocation is forwarded to the running instance"

object_path=/$(echo "$app_id" | tr . /)
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

if grep -E -- '-(CRITICAL|WARNING) \*\*' "$tmp/app.log" >&2; then
  fail "gz-profile logged warnings"
fi
pass "gz-profile logged no warnings or criticals"
