#!/bin/sh
# bench/server/probes.sh: is a new client still served while wrk holds 400 busy connections?
# gz-cli profile server and the Go net/http/pprof peer (main.go here) in the same run, each
# under `wrk -t2 -c400 -d10s` with 10 curl probes (a fresh connection each) during the load:
# probes answered 200, their median and slowest latency, and wrk's req/s and errors side by side.
# Usage: bench/server/probes.sh [BUILD_DIR]
#   env: DURATION=10s THREADS=2 CONNECTIONS=400 PROBES=10 NOFILE=1024 (the servers' soft fd
#        limit, a desktop's default; gz's connection cap follows it) ENDPOINT=/debug/pprof/cmdline
#        GZ_CLI=PATH (default BUILD_DIR's gz-cli)
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../../build}
GZ_CLI=${GZ_CLI:-$BUILD/src/cli/gz-cli}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-400}
PROBES=${PROBES:-10}
NOFILE=${NOFILE:-1024}
ENDPOINT=${ENDPOINT:-/debug/pprof/cmdline}
for tool in go wrk curl python3; do
  command -v $tool >/dev/null || { echo "bench/server: $tool is missing"; exit 1; }
done
[ -x "$GZ_CLI" ] || { echo "bench/server: no $GZ_CLI; build first (meson compile -C BUILD_DIR)"; exit 1; }

WORK=$(mktemp -d /tmp/gz-bench-probes-XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$WORK"' EXIT
export HOME="${HOME:-$WORK}"
export GOCACHE="${GOCACHE:-$HOME/.cache/go-build}" GOFLAGS=-mod=mod
(cd "$HERE" && go build -o "$WORK/pprof-peer" .)

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_up () {
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$1/debug/stats" && return 0; sleep 0.1; done
  echo "bench/server: nothing listens on port $1"; exit 1
}

GZ_PORT=$(free_port); GO_PORT=$(free_port)
(ulimit -Sn "$NOFILE"; exec "$GZ_CLI" profile server --port "$GZ_PORT") >/dev/null 2>&1 &
PIDS="$PIDS $!"
(ulimit -Sn "$NOFILE"; exec "$WORK/pprof-peer" -addr "127.0.0.1:$GO_PORT") 2>/dev/null &
PIDS="$PIDS $!"
wait_up "$GZ_PORT"; wait_up "$GO_PORT"

median () { sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'; }

# load PORT: wrk on PORT with the probes during it; prints "rps errors answered median_ms max_ms".
load () {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$1$ENDPOINT" >"$WORK/wrk" 2>&1 &
  wrk_pid=$!
  sleep 1 # wrk's connections are all open
  : >"$WORK/probes"
  for _ in $(seq "$PROBES"); do
    curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}\n' \
      "http://127.0.0.1:$1$ENDPOINT" >>"$WORK/probes" || echo "000 5" >>"$WORK/probes"
    sleep 0.5
  done
  wait $wrk_pid
  rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk")
  errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { for (i = 4; i <= NF; i += 2) n += $i }
                END { print n + 0 }' "$WORK/wrk")
  answered=$(awk '$1 == 200 { n++ } END { print n + 0 }' "$WORK/probes")
  med=$(awk '$1 == 200 { print $2 * 1000 }' "$WORK/probes" | median)
  max=$(awk '$1 == 200 { print $2 * 1000 }' "$WORK/probes" | sort -g | tail -1)
  echo "${rps:-0} $errors $answered $med ${max:--}"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION $ENDPOINT, $PROBES curl probes during each;" \
     "soft fd limit $NOFILE; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg);" \
     "gz-cli $("$GZ_CLI" --version | cut -d' ' -f2), $(go version | cut -d' ' -f3)"
printf '%-6s %9s %11s %9s %13s %11s\n' server "req/s" "wrk errors" answered "probe median" "probe max"
for who in gz go; do
  if [ $who = gz ]; then port=$GZ_PORT; else port=$GO_PORT; fi
  set -- $(load "$port")
  printf '%-6s %9.0f %11d %6d/%-2d %10s ms %8s ms\n' $who "$1" "$2" "$3" "$PROBES" "$4" "$5"
done
