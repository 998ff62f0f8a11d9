#!/bin/sh
# test-server-e2e.sh: `gz-cli profile server` against real clients — go tool pprof (each
# profile type, with a workload preloaded into the server process), curl (status, headers,
# bad parameters, token, concurrent CPU profiles, keep-alive), wrk (a bounded load test while
# a CPU profile runs) — plus port in use, graceful shutdown mid CPU profile and auto-profile
# retention.
# Usage: test-server-e2e.sh PATH/TO/gz-cli PATH/TO/gz-test-server-workload.so. Exit 77 (skip)
# without curl.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

GZ_CLI=$1
WORKLOAD=$2
command -v curl >/dev/null || { echo "SKIP: curl is missing (tools/install-deps.sh)"; exit 77; }
HAVE_GO=0; command -v go >/dev/null && HAVE_GO=1
HAVE_WRK=0; command -v wrk >/dev/null && HAVE_WRK=1

# What this build can do. Without the allocation wrappers (AddressSanitizer, -Dtcmalloc=false)
# there are no memory profiles: the server must say so with a 501, not fail with a 500.
HAVE_MEMORY=$("$GZ_CLI" profile stats --format json | python3 -c \
  'import json, sys; print(0 if json.load(sys.stdin)["allocations"]["sampling_rate_bytes"] is None else 1)') \
  || { echo "FAIL: gz-cli profile stats --format json"; exit 1; }
NO_MEMORY_TEXT="Memory profiles need the allocation wrappers"
# AddressSanitizer makes the server 2-3x slower: time limits are scaled by SLOW. Its
# quarantine keeps freed memory resident: the load test bounds it (see there).
SLOW=1
if ldd "$GZ_CLI" 2>/dev/null | grep -q libasan; then
  SLOW=3
  # The workload library is preloaded ahead of ASan's runtime (it is not instrumented).
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16:verify_asan_link_order=0"
fi
echo "build: memory profiles $([ $HAVE_MEMORY = 1 ] && echo yes || echo no), time scale x$SLOW"

WORK=$(mktemp -d /tmp/gz-server-e2e-XXXXXX)
export HOME="$WORK/home" G_SLICE=always-malloc
mkdir -p "$HOME"
PIDS=""
cleanup () {
  for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

FAILED=0
fail () { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok () { echo "ok: $*"; }

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME [ARGS...]: sets PORT and PID; the preloaded library runs the workloads.
start_server () {
  name=$1; shift
  PORT=$(free_port)
  LD_PRELOAD="$WORKLOAD" "$GZ_CLI" profile server --port "$PORT" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  PIDS="$PIDS $PID"
  for _ in $(seq $((50 * SLOW))); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/debug/pprof/cmdline" -H "Authorization: Bearer x" \
      && return 0
    sleep 0.1
  done
  echo "server $name did not come up:"; cat "$WORK/$name.err"; exit 1
}

# check PATH STATUS CONTENT_TYPE [HEADER_REGEX]: one curl, its status, type and a header.
check () {
  path=$1; want_status=$2; want_type=$3; want_header=${4:-}
  curl -s -D "$WORK/headers" -o "$WORK/body" "$URL$path"
  status=$(head -1 "$WORK/headers" | cut -d' ' -f2)
  type=$(grep -i '^content-type:' "$WORK/headers" | cut -d' ' -f2- | tr -d '\r')
  if [ "$status" != "$want_status" ] || [ "$type" != "$want_type" ]; then
    fail "$path: $status $type, expected $want_status $want_type: $(head -c 200 "$WORK/body")"
  elif [ -n "$want_header" ] && ! grep -qiE "$want_header" "$WORK/headers"; then
    fail "$path: no header matching $want_header"
  else
    ok "$path $status $type"
  fi
}

# pprof_top URL FUNCTION: go tool pprof -top shows FUNCTION.
pprof_top () {
  if [ $HAVE_GO = 0 ]; then echo "skip: go tool pprof $1 (go is missing)"; return; fi
  if go tool pprof -top "$1" >"$WORK/top" 2>&1 && grep -q "$2" "$WORK/top"; then
    ok "go tool pprof -top $1 shows $2"
  else
    fail "go tool pprof -top $1 does not show $2:"; sed -n '1,20p' "$WORK/top"
  fi
}

# pprof_refused URL STATUS TEXT: go tool pprof fails and shows the server's status and text.
pprof_refused () {
  if [ $HAVE_GO = 0 ]; then echo "skip: go tool pprof $1 (go is missing)"; return; fi
  if ! go tool pprof -top "$1" >"$WORK/top" 2>&1 && grep -q "$2" "$WORK/top" \
     && grep -q "$3" "$WORK/top"; then
    ok "go tool pprof -top $1 shows the $2 and why"
  else
    fail "go tool pprof -top $1 does not show $2 $3:"; sed -n '1,20p' "$WORK/top"
  fi
}

# memory_check PATH WANT_TYPE [HEADER_REGEX]: a memory profile where the build has them, else
# a 501 that says why, as Go's errors are (plain text, X-Go-Pprof: 1).
memory_check () {
  if [ $HAVE_MEMORY = 1 ]; then
    check "$@"
  else
    check "$1" 501 "$TEXT" "x-go-pprof: 1"
    grep -q "$NO_MEMORY_TEXT" "$WORK/body" || fail "$1: the 501 does not say why: $(cat "$WORK/body")"
  fi
}

rss_kib () { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

start_server main
URL="http://127.0.0.1:$PORT/debug/pprof"
MAIN_PID=$PID
MAIN_PORT=$PORT
grep -q "Serving pprof at http://127.0.0.1:$PORT/debug/pprof/" "$WORK/main.out" \
  || fail "the URL is not printed: $(cat "$WORK/main.out")"

# --- curl: status codes, types, headers, bad parameters
BIN=application/octet-stream
TEXT="text/plain; charset=utf-8"
check / 200 "text/html; charset=utf-8"
memory_check /heap 200 $BIN 'content-disposition: attachment; filename="heap"'
memory_check /allocs 200 $BIN 'filename="allocs"'
check /goroutine 200 $BIN 'filename="goroutine"'
check /block 200 $BIN 'filename="block"'
check /mutex 200 $BIN 'filename="mutex"'
check /threadcreate 200 $BIN 'filename="threadcreate"'
check "/goroutine?debug=1" 200 "$TEXT"
check "/goroutine?debug=2" 200 "$TEXT"
grep -q '^thread .*"gz-test-burn"' "$WORK/body" || fail "goroutine?debug=2 lacks gz-test-burn"
memory_check "/heap?debug=1" 200 "$TEXT"
[ $HAVE_MEMORY = 0 ] || grep -q "gz_test_workload_hold_memory" "$WORK/body" \
  || fail "heap?debug=1 lacks the workload"
check /cmdline 200 "$TEXT"
tr '\0' ' ' <"$WORK/body" | grep -q "profile server --port $PORT" || fail "cmdline: $(cat "$WORK/body")"
check "/profile?seconds=-1" 400 "$TEXT" "x-go-pprof: 1"
check "/profile?seconds=abc" 400 "$TEXT" "x-go-pprof: 1"
check "/profile?seconds=86400" 400 "$TEXT" "x-go-pprof: 1"
check "/heap?seconds=abc" 400 "$TEXT" "x-go-pprof: 1"
check "/heap?seconds=1&debug=1" 400 "$TEXT" "x-go-pprof: 1"
check /trace 501 "$TEXT" "x-go-pprof: 1"
check /nonexistent 404 "$TEXT" "x-go-pprof: 1"
check "/symbol" 200 "$TEXT"
URL="http://127.0.0.1:$PORT" check /debug/stats 200 application/json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["pid"] > 0' \
  "$WORK/body" || fail "/debug/stats is not the expected JSON"
curl -s -o "$WORK/delta" -D "$WORK/headers" "$URL/block?seconds=1"
grep -q 'filename="block-delta"' "$WORK/headers" && ok "block?seconds=1 is a delta" \
  || fail "block?seconds=1: $(cat "$WORK/headers")"

# --- keep-alive: curl's second URL is served on the first one's connection
curl -s -v -o /dev/null -o /dev/null "$URL/cmdline" "$URL/cmdline" 2>"$WORK/keepalive" \
  && grep -q "Re-using existing connection" "$WORK/keepalive" \
  && [ "$(grep -c "< HTTP/1.1 200" "$WORK/keepalive")" = 2 ] \
  && ok "keep-alive: two requests on one connection" \
  || fail "keep-alive: $(grep -E '^[<*]' "$WORK/keepalive" | head -20)"

# --- go tool pprof for every type, the workload's functions in each
pprof_top "$URL/profile?seconds=2" gz_test_workload_burn_cpu
if [ $HAVE_MEMORY = 1 ]; then
  pprof_top "$URL/heap" gz_test_workload_hold_memory
  pprof_top "$URL/allocs" gz_test_workload_hold_memory
else
  pprof_refused "$URL/heap" "501 Not Implemented" "$NO_MEMORY_TEXT"
  pprof_refused "$URL/allocs" "501 Not Implemented" "$NO_MEMORY_TEXT"
fi
pprof_top "$URL/goroutine" gz_test_workload_contend
pprof_top "$URL/block" gz_test_workload_contend
pprof_top "$URL/mutex" gz_test_workload_contend
pprof_top "$URL/threadcreate" gz_test_workload_start
pprof_top "$URL/mutex?seconds=1" gz_test_workload_contend

# --- a second CPU profile at once is refused, as Go refuses it
curl -s -o "$WORK/first.prof" -w '%{http_code}' "$URL/profile?seconds=2" >"$WORK/first.code" &
sleep 0.5
second=$(curl -s -w ' %{http_code}' "$URL/profile?seconds=1")
wait $!
case "$second" in
  *"Could not enable CPU profiling: cpu profiling already in use"*500) ok "concurrent CPU profile: 500";;
  *) fail "concurrent CPU profile: $second";;
esac
[ "$(cat "$WORK/first.code")" = 200 ] || fail "the first CPU profile failed"

# --- port in use: one line naming the port and --port, non-zero, at once
start=$(date +%s%N)
"$GZ_CLI" profile server --port "$MAIN_PORT" >/dev/null 2>"$WORK/inuse.err"
code=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if [ $code -ne 0 ] && [ "$(wc -l <"$WORK/inuse.err")" -eq 1 ] && grep -q "port $MAIN_PORT" "$WORK/inuse.err" \
   && grep -q -- "--port" "$WORK/inuse.err" && [ $elapsed_ms -lt $((2000 * SLOW)) ]; then
  ok "port in use: exit $code in ${elapsed_ms} ms: $(cat "$WORK/inuse.err")"
else
  fail "port in use: exit $code in ${elapsed_ms} ms: $(cat "$WORK/inuse.err")"
fi

# --- load: wrk on /debug/stats while a CPU profile runs; no errors, RSS bounded, profile valid
if [ $HAVE_WRK = 1 ]; then
  wrk -t2 -c16 -d2s "http://127.0.0.1:$PORT/debug/stats" >/dev/null   # warm up
  rss_before=$(rss_kib $MAIN_PID)
  curl -s -o "$WORK/load.prof" -w '%{http_code}' "$URL/profile?seconds=10" >"$WORK/load.code" &
  curl_pid=$!
  sleep 0.3
  wrk -t2 -c16 -d10s --latency "http://127.0.0.1:$PORT/debug/stats" >"$WORK/wrk" 2>&1
  wait $curl_pid
  rss_after=$(rss_kib $MAIN_PID)
  requests=$(awk '/requests in/ { print $1 }' "$WORK/wrk")
  rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk")
  p99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk")
  echo "wrk -t2 -c16 -d10s /debug/stats during a CPU profile: $requests requests, $rps req/s, p99 $p99, RSS ${rss_before} -> ${rss_after} KiB"
  if grep -qE "Non-2xx|Socket errors" "$WORK/wrk"; then
    fail "wrk saw errors:"; cat "$WORK/wrk"
  elif [ "${requests:-0}" -lt $((1000 / SLOW)) ]; then
    fail "wrk: only ${requests:-0} requests in 10 s"
  else
    ok "wrk: no errors"
  fi
  # Bound: 32 MiB over the warmed-up RSS (a leak of ~1 KiB per request would exceed it).
  # Under ASan, add its quarantine of freed memory (16 MiB, set above) and the shadow and
  # allocator overhead of what is live (x2); LeakSanitizer checks leaks exactly at exit.
  rss_bound=32768
  [ $SLOW = 1 ] || rss_bound=$(((32768 + 16384) * 2))
  [ $((rss_after - rss_before)) -lt $rss_bound ] && ok "RSS within bound ($rss_bound KiB)" \
    || fail "RSS grew from $rss_before to $rss_after KiB (bound: $rss_bound KiB more)"
  [ "$(cat "$WORK/load.code")" = 200 ] || fail "the CPU profile under load: $(cat "$WORK/load.code")"
  pprof_top "$WORK/load.prof" gz_test_workload_burn_cpu
else
  echo "skip: load test (wrk is missing)"
fi

# --- token
printf 's3cret\n' >"$WORK/token"
start_server token --token-file "$WORK/token" --bind 0.0.0.0
# Off loopback with a token, the warning names what is still missing (TLS), not --token-file.
if grep -q "clear text" "$WORK/token.err" && ! grep -q -- "--token-file" "$WORK/token.err"; then
  ok "bind warning with a token: $(cat "$WORK/token.err")"
else
  fail "bind warning with a token: $(cat "$WORK/token.err")"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/debug/stats")
[ "$code" = 401 ] && ok "no token: 401" || fail "no token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" "http://127.0.0.1:$PORT/debug/stats")
[ "$code" = 401 ] && ok "wrong token: 401" || fail "wrong token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer s3cret" "http://127.0.0.1:$PORT/debug/stats")
[ "$code" = 200 ] && ok "token: 200" || fail "token: $code"
kill -TERM $PID; wait $PID

# --- graceful shutdown mid CPU profile: the profile is sent whole, exit 0, quickly
curl -s -o "$WORK/cut.prof" -w '%{http_code}' "$URL/profile" >"$WORK/cut.code" &
curl_pid=$!
sleep 1
start=$(date +%s%N)
kill -TERM $MAIN_PID
wait $MAIN_PID
code=$?
wait $curl_pid
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if [ $code -eq 0 ] && [ "$(cat "$WORK/cut.code")" = 200 ] && [ $elapsed_ms -lt $((5000 * SLOW)) ]; then
  ok "SIGTERM mid CPU profile: exit 0 in ${elapsed_ms} ms, profile sent"
else
  fail "SIGTERM mid CPU profile: exit $code, HTTP $(cat "$WORK/cut.code"), ${elapsed_ms} ms"
fi
pprof_top "$WORK/cut.prof" gz_test_workload_burn_cpu

# --- auto-profile: captures every second, the newest 2 kept, saved at SIGINT; each capture is
# cpu, goroutine and (where the build has memory profiles) heap
start_server auto --auto-profile --auto-profile-interval 1s --auto-profile-duration 300ms \
  --keep 2 --output-dir "$WORK/auto"
# Wait until retention has been seen at work: two sets kept and the first one gone. A capture
# still running when the next is due is skipped, so on a busy machine (or under ASan) that
# takes longer than three intervals: poll, within a bound.
first= deadline=$(($(date +%s) + 20 * SLOW))
while [ "$(date +%s)" -lt $deadline ]; do
  stamps=$(ls "$WORK/auto" 2>/dev/null | sed -n 's/^auto-\([0-9]*\)-.*/\1/p' | sort -u)
  [ -n "$first" ] || first=$(echo "$stamps" | head -n 1)
  if [ -n "$first" ] && [ "$(echo "$stamps" | grep -c .)" -eq 2 ] \
     && [ "$(echo "$stamps" | head -n 1)" != "$first" ]; then
    break
  fi
  sleep 0.25
done
kill -INT $PID
wait $PID
code=$?
sets=$(ls "$WORK/auto" | sed -n 's/^auto-\([0-9]*\)-.*/\1/p' | sort -u | wc -l)
files=$(ls "$WORK/auto" | wc -l)
kinds=$((2 + HAVE_MEMORY))
heaps=$(ls "$WORK/auto" | grep -c -- '-heap\.prof$')
if [ $code -eq 0 ] && [ "$sets" -eq 2 ] && [ "$files" -eq $((2 * kinds)) ] \
   && [ "$heaps" -eq $((2 * HAVE_MEMORY)) ]; then
  ok "auto-profile: $sets captures of $kinds files kept"
else
  fail "auto-profile: exit $code, $sets captures, files: $(ls "$WORK/auto" | tr '\n' ' ')"
fi
# Every file reads back; the burner shows in at least one CPU capture (a 300 ms profile holds
# only ~30 samples, and one run has seen an empty one).
if [ $HAVE_GO = 1 ]; then
  shown=0
  for f in "$WORK"/auto/*.prof; do
    go tool pprof -top "$f" >"$WORK/top" 2>&1 || fail "go tool pprof cannot read $f: $(head -3 "$WORK/top")"
    case "$f" in *-cpu.prof) grep -q gz_test_workload_burn_cpu "$WORK/top" && shown=1;; esac
  done
  [ $shown = 1 ] && ok "auto-profile captures read back; the burner shows" \
    || fail "no automatic CPU capture shows gz_test_workload_burn_cpu"
fi

echo "$FAILED failed"
[ $FAILED -eq 0 ]
