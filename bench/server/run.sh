#!/bin/sh
# bench/server/run.sh: gz-cli profile server and a Go net/http/pprof peer side by side under
# the same wrk load: requests per second and p99 latency for /debug/stats,
# /debug/pprof/heap and /debug/pprof/goroutine, and the median time to serve one request.
# Usage: bench/server/run.sh [BUILD_DIR]  (env: DURATION=5s THREADS=2 CONNECTIONS=16)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../../build}
GZ_CLI=$BUILD/src/cli/gz-cli
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
for tool in go wrk curl python3; do
  command -v $tool >/dev/null || { echo "bench/server: $tool is missing (tools/install-deps.sh)"; exit 1; }
done
[ -x "$GZ_CLI" ] || { echo "bench/server: no $GZ_CLI; build first (ninja -C BUILD_DIR)"; exit 1; }

WORK=$(mktemp -d /tmp/gz-bench-server-XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$WORK"' EXIT
export GOCACHE="$WORK/gocache" GOFLAGS=-mod=mod HOME="${HOME:-$WORK}"
(cd "$HERE" && go build -o "$WORK/pprof-peer" .)

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_up () {
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$1/debug/stats" && return 0; sleep 0.1; done
  echo "bench/server: nothing listens on port $1"; exit 1
}

GZ_PORT=$(free_port); GO_PORT=$(free_port)
G_SLICE=always-malloc "$GZ_CLI" profile server --port "$GZ_PORT" >/dev/null 2>&1 & PIDS="$PIDS $!"
"$WORK/pprof-peer" -addr "127.0.0.1:$GO_PORT" 2>/dev/null & PIDS="$PIDS $!"
wait_up "$GZ_PORT"; wait_up "$GO_PORT"

# run PORT PATH: "rps p99_ms" from wrk, then the median of 9 single curl requests in ms.
run () {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1$2" >"$WORK/wrk" 2>&1
  errors=$(grep -cE "Non-2xx|Socket errors" "$WORK/wrk" || true)
  rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk")
  p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
                            else if (v ~ /ms$/) { sub(/ms/, "", v) }
                            else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$WORK/wrk")
  single=$(for _ in $(seq 9); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$1$2"; done \
           | sort -n | sed -n 5p)
  echo "$rps $p99 $(awk -v s="$single" 'BEGIN { print s * 1000 }') $errors"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on 127.0.0.1, $(nproc) CPUs; gz-cli $("$GZ_CLI" --version | cut -d' ' -f2), $(go version | cut -d' ' -f3)"
printf '%-24s %10s %10s %7s %9s %9s %7s %9s %9s\n' endpoint "gz req/s" "go req/s" ratio \
  "gz p99ms" "go p99ms" ratio "gz 1-req" "go 1-req"
for path in /debug/stats /debug/pprof/heap /debug/pprof/goroutine; do
  set -- $(run "$GZ_PORT" "$path"); gz_rps=$1 gz_p99=$2 gz_one=$3 gz_err=$4
  set -- $(run "$GO_PORT" "$path"); go_rps=$1 go_p99=$2 go_one=$3 go_err=$4
  awk -v p="$path" -v a="$gz_rps" -v b="$go_rps" -v c="$gz_p99" -v d="$go_p99" -v e="$gz_one" -v f="$go_one" \
    'BEGIN { printf "%-24s %10.0f %10.0f %6.2fx %9.2f %9.2f %6.2fx %8.2fms %8.2fms\n",
             p, a, b, a / b, c, d, c / d, e, f }'
  [ "$gz_err$go_err" = 00 ] || echo "  (errors: gz $gz_err, go $go_err lines; see wrk output)"
done
echo "ratio: req/s gz/go (higher is better for gz); p99 gz/go (lower is better for gz)"
