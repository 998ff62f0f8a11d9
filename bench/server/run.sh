#!/bin/sh
# bench/server/run.sh: gz-cli profile server and a Go net/http/pprof peer side by side under
# the same wrk load, alternating gz and Go on each endpoint for ROUNDS rounds: the median
# requests per second and p99 latency of each, their ratios, and wrk's errors.
# Usage: bench/server/run.sh [BUILD_DIR]
#   env: DURATION=4s THREADS=2 CONNECTIONS=16 ROUNDS=3 GZ_CLI=PATH (default BUILD_DIR's gz-cli)
#        ENDPOINTS="/debug/stats /debug/pprof/heap ..." (default: stats and the five profiles)
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../../build}
GZ_CLI=${GZ_CLI:-$BUILD/src/cli/gz-cli}
DURATION=${DURATION:-4s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
ROUNDS=${ROUNDS:-3}
ENDPOINTS=${ENDPOINTS:-/debug/stats /debug/pprof/heap /debug/pprof/allocs /debug/pprof/goroutine /debug/pprof/block /debug/pprof/mutex}
for tool in go wrk curl python3; do
  command -v $tool >/dev/null || { echo "bench/server: $tool is missing (tools/install-deps.sh)"; exit 1; }
done
[ -x "$GZ_CLI" ] || { echo "bench/server: no $GZ_CLI; build first (meson compile -C BUILD_DIR)"; exit 1; }

WORK=$(mktemp -d /tmp/gz-bench-server-XXXXXX)
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
rss_kib () { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

GZ_PORT=$(free_port); GO_PORT=$(free_port)
"$GZ_CLI" profile server --port "$GZ_PORT" >/dev/null 2>&1 & GZ_PID=$!; PIDS="$PIDS $!"
"$WORK/pprof-peer" -addr "127.0.0.1:$GO_PORT" 2>/dev/null & GO_PID=$!; PIDS="$PIDS $!"
wait_up "$GZ_PORT"; wait_up "$GO_PORT"

# run PORT PATH: prints "rps p99_ms errors" from one wrk run; errors counts socket errors and
# non-2xx responses.
run () {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1$2" >"$WORK/wrk" 2>&1
  rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk")
  p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
                            else if (v ~ /ms$/) { sub(/ms/, "", v) }
                            else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$WORK/wrk")
  errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { for (i = 4; i <= NF; i += 2) n += $i }
                END { print n + 0 }' "$WORK/wrk")
  echo "${rps:-0} ${p99:-0} $errors"
}

median () { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds alternating, on 127.0.0.1, $(nproc) CPUs;" \
     "gz-cli $("$GZ_CLI" --version | cut -d' ' -f2), $(go version | cut -d' ' -f3)"
printf '%-24s %9s %9s %7s %9s %9s %7s %6s\n' endpoint "gz req/s" "go req/s" ratio \
  "gz p99ms" "go p99ms" ratio errors
rss_start=$(rss_kib $GZ_PID)
for path in $ENDPOINTS; do
  gz_rps= go_rps= gz_p99= go_p99= errors=0
  for round in $(seq "$ROUNDS"); do
    # Alternate who goes first, so that neither always runs on a warmer (or busier) machine.
    if [ $((round % 2)) = 1 ]; then order="gz go"; else order="go gz"; fi
    for who in $order; do
      if [ $who = gz ]; then port=$GZ_PORT; else port=$GO_PORT; fi
      set -- $(run "$port" "$path")
      eval "${who}_rps=\"\$${who}_rps $1\" ${who}_p99=\"\$${who}_p99 $2\""
      errors=$((errors + $3))
    done
  done
  awk -v p="$path" -v a="$(echo $gz_rps | median)" -v b="$(echo $go_rps | median)" \
      -v c="$(echo $gz_p99 | median)" -v d="$(echo $go_p99 | median)" -v e="$errors" \
    'BEGIN { printf "%-24s %9.0f %9.0f %6.2fx %9.2f %9.2f %6.2fx %6d\n",
             p, a, b, (b > 0 ? a / b : 0), c, d, (d > 0 ? c / d : 0), e }'
done
echo "gz RSS: $rss_start -> $(rss_kib $GZ_PID) KiB over the run"
echo "medians of $ROUNDS; ratio: req/s gz/go (higher is better for gz); p99 gz/go (lower is better for gz)"
