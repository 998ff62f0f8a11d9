#!/usr/bin/env bash
# bench/suites/run.sh: gz's built-in benchmarks (`gz-cli profile benchmark`) side by side with the
# same operations in Go (bench/suites/go, testing.Benchmark), run alternately, as a markdown table
# of medians; also written to bench/out/suites.md (raw JSON lines: bench/out/suites/results.jsonl).
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/suites/run.sh [BUILDDIR] [--rounds R] [--count C] [--duration 500ms] [--only PAIR]
#   BUILDDIR  an existing meson build directory (default: build); gz-cli is (re)built in it.
#   --rounds  rounds of gz, Go, gz, Go… runs (default 5); the order flips every round.
#   --count   samples per invocation (gz --count, Go -count; default 1): samples = rounds * count.
#   --duration  length of each measured run (gz --duration, Go -benchtime; default 500ms).
#   --only    run one pair only (e.g. noop, json-marshal, thread-creation).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build="$repo/build"
rounds=5
count=1
duration=500ms
only=

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) build=$(cd "$1" 2>/dev/null && pwd) || { echo "run.sh: no build directory $1" >&2; exit 2; }
       shift ;;
  esac
done

for tool in ninja go python3; do
  command -v "$tool" >/dev/null || {
    echo "run.sh: $tool is missing: run tools/install-deps.sh as root" >&2; exit 1; }
done
[ -f "$build/build.ninja" ] || {
  echo "run.sh: $build is not a meson build directory; run meson setup $build -Dapp=false" >&2
  exit 1; }

out="$repo/bench/out"
work="$out/suites"
mkdir -p "$work"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log() { echo "run.sh: $*" >&2; }

# gz-cli, in the given build directory.
ninja -C "$build" src/cli/gz-cli >"$work/ninja.log" 2>&1 \
  || { tail -30 "$work/ninja.log" >&2; exit 1; }
gz="$build/src/cli/gz-cli"

# The Go peer: standard library only; its caches under bench/out so no HOME is needed.
export GOCACHE="$work/go-cache" GOPATH="$work/go-path" GOFLAGS=-mod=mod GO111MODULE=on
(cd "$here/go" && go build -o "$work/gosuites" .) || exit 1

# pair gz-suite go-benchmark (table.py has the notes)
pairs=(
  "memory-allocation memory-allocation memory-allocation"
  "memory-allocation-copy-fill memory-allocation memory-allocation-copy-fill"
  "goroutine-creation goroutine-creation goroutine-creation"
  "task-spawn task-spawn goroutine-creation"
  "thread-creation thread-creation os-thread-creation"
  "channel-operations channel-operations channel-operations"
  "json-marshal json-marshal json-marshal"
  "json-unmarshal json-unmarshal json-unmarshal"
  "string-operations string-operations string-operations"
  "noop noop noop"
)

results="$work/results.jsonl"
: >"$results"

# Tags each sample with impl and pair: gz's --format json holds them under benchmarks[].samples.
tag() {
  python3 -c '
import json, sys
impl, pair = sys.argv[1], sys.argv[2]
text = sys.stdin.read()
if impl == "gz":
    rows = [s for b in json.loads(text)["benchmarks"] for s in b["samples"]]
else:
    rows = [json.loads(l) for l in text.splitlines() if l.strip()]
for r in rows:
    r["impl"], r["pair"] = impl, pair
    print(json.dumps(r))' "$@"
}

run_gz() {
  # --memory-profiling=true gives exact allocs/op (it also writes a profile; it goes to $tmp).
  if "$gz" profile benchmark --name "$2" --format json --count "$count" --duration "$duration" \
       --memory-profiling=true --results-dir "$tmp/results" --output-dir "$tmp/profiles" \
       >"$tmp/gz.json" 2>"$tmp/gz.err"; then
    tag gz "$1" <"$tmp/gz.json" >>"$results"
  else
    log "gz $2 failed: $(tail -3 "$tmp/gz.err")"
  fi
}

run_go() {
  if "$work/gosuites" -bench "$2" -benchtime "$duration" -count "$count" \
       >"$tmp/go.json" 2>"$tmp/go.err"; then
    tag go "$1" <"$tmp/go.json" >>"$results"
  else
    log "Go $2 failed: $(tail -3 "$tmp/go.err")"
  fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
for ((r = 1; r <= rounds; r++)); do
  for p in "${pairs[@]}"; do
    read -r pair gz_name go_name <<<"$p"
    [ -n "$only" ] && [ "$only" != "$pair" ] && continue
    log "round $r/$rounds: $pair"
    if ((r % 2 == 1)); then
      run_gz "$pair" "$gz_name"; run_go "$pair" "$go_name"
    else
      run_go "$pair" "$go_name"; run_gz "$pair" "$gz_name"
    fi
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
go_version=$(go version | cut -d' ' -f3)
gz_version=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?')
buildtype=$(python3 -c 'import json, sys
print(next(o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"))' \
  "$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo '?')
command="bench/suites/run.sh ${build#"$repo"/} --rounds $rounds --count $count"
command="$command --duration $duration${only:+ --only $only}"
{
  echo "## gz built-in benchmarks vs Go (testing.Benchmark)"
  echo
  echo "\`$command\` on $(date -u +%Y-%m-%d): $(nproc) CPUs ($cpu_model), $go_version," \
       "gz $gz_version ($buildtype build); took $(($(date +%s) - started)) s; load average" \
       "$load_before before, $load_after after."
} >"$tmp/header.txt"

python3 "$here/table.py" "$results" "$tmp/header.txt" | tee "$out/suites.md"
