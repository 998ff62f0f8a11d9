#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/suites/table.py: joins the JSON lines bench/suites/run.sh collected (gz's sample objects
and the Go program's lines, each tagged with "impl" and "pair") into a markdown table of medians."""

import json
import statistics
import sys

# pair id, gz suite, Go benchmark, what differs
PAIRS = [
    ("memory-allocation", "memory-allocation", "memory-allocation",
     "C: `malloc` (through gz's counting wrappers to tcmalloc), `memset`, `free`. Go: `make` "
     "zeroes the 1 KiB first, the fill is a byte loop Go 1.19 does not vectorize, and the GC "
     "frees it later (concurrently, on the other core)."),
    ("memory-allocation-copy-fill", "memory-allocation", "memory-allocation-copy-fill",
     "The same, with Go's fill done like `bytes.Repeat` (one byte, then doubling `copy`s: "
     "`memmove`, vectorized like `memset`), so that the allocators are what differs: tcmalloc's "
     "free list and an immediate `free` against `mallocgc` (zeroing) and a GC cycle every few "
     "MiB of garbage."),
    ("goroutine-creation", "goroutine-creation", "goroutine-creation",
     "Not like for like: gz creates and joins an OS thread (`clone`, exit, join); Go starts a "
     "goroutine on a thread it already has (a 2 KiB stack from a cache) and waits for its send."),
    ("task-spawn", "task-spawn", "goroutine-creation",
     "The closest C peer of a goroutine: a task pushed to a GLib thread pool (1 thread), then a "
     "`GCond` wait; every operation wakes a parked thread, which Go's scheduler often avoids."),
    ("thread-creation", "thread-creation", "os-thread-creation",
     "Go: a goroutine that exits locked to its thread (`runtime.LockOSThread`) kills the thread, "
     "so a new one is made; {threads} of operations ran on a new thread. The new thread is made "
     "when the scheduler needs it, not awaited like `pthread_join`."),
    ("channel-operations", "channel-operations", "channel-operations",
     "gz: a capacity-1 queue from a `GMutex` and two `GCond`s; Go: a `chan int` of capacity 1. "
     "Both send and receive on one thread, so neither blocks; but GLib's `g_cond_signal` always "
     "makes a `futex` wake system call, waiter or not (2 per operation, seen with strace), "
     "and Go's channel makes none."),
    ("json-marshal", "json-marshal", "json-marshal",
     "json-glib builds a `JsonNode` tree with `JsonBuilder` (GObject, ref-counted nodes, a "
     "`GHashTable` per object) and generates text from it; `encoding/json` walks the struct with "
     "cached encoders into a pooled buffer."),
    ("json-unmarshal", "json-unmarshal", "json-unmarshal",
     "json-glib parses into a `JsonNode` tree, then the fields are copied into a C struct; "
     "`encoding/json` decodes straight into the struct (after a validating scan)."),
    ("string-operations", "string-operations", "string-operations",
     "`GString` (grows by doubling) with the digits formatted by hand; `strings.Builder` (grows "
     "by doubling) with `strconv.Itoa`, which allocates nothing below 100. Taking the string "
     "copies nothing in either."),
    ("noop", "noop", "noop",
     "Harness overhead. gz: one call of the operation per batch of hundreds, a clock read per "
     "batch (its measured cost subtracted); Go: the bare `b.N` loop. Both are wall time, so "
     "time taken by other processes inflates both."),
]


def fmt_ns(x):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_count(x):
    if x is None:
        return "–"
    return f"{x:.4g}"


def spread(xs):
    return f"{fmt_ns(statistics.median(xs))} ({fmt_ns(min(xs))}–{fmt_ns(max(xs))})"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: table.py RESULTS.jsonl HEADER.txt")
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    header = open(sys.argv[2]).read()

    def samples(pair, impl, key):
        return [r[key] for r in rows
                if r["pair"] == pair and r["impl"] == impl and r.get(key) is not None]

    out = [header.rstrip("\n"), "",
           "| benchmark (gz / Go) | gz ns/op | Go ns/op | ratio gz/Go | gz allocs/op | "
           "Go allocs/op | gz B/op | Go B/op | what differs |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for pair, gz_name, go_name, note in PAIRS:
        gz_ns, go_ns = samples(pair, "gz", "ns_per_op"), samples(pair, "go", "ns_per_op")
        if not gz_ns and not go_ns:
            continue
        med = lambda xs: statistics.median(xs) if xs else None
        gz_m, go_m = med(gz_ns), med(go_ns)
        # Runs alternate, so the i-th gz run and the i-th Go run saw the same moment of a
        # drifting machine: the ratio is the median of those pairs' ratios.
        ratios = [g / o for g, o in zip(gz_ns, go_ns) if o > 0]
        ratio = (f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
                 if ratios else "–")
        threads = samples(pair, "go", "threads_per_op")
        note = note.replace("{threads}", f"{100 * med(threads):.0f}%" if threads else "?")
        label = gz_name if gz_name == go_name else f"{gz_name} / {go_name}"
        out.append("| " + " | ".join([
            f"`{label}`",
            spread(gz_ns) if gz_ns else "not measured",
            spread(go_ns) if go_ns else "not measured",
            ratio,
            fmt_count(med(samples(pair, "gz", "allocs_per_op"))),
            fmt_count(med(samples(pair, "go", "allocs_per_op"))),
            fmt_count(med(samples(pair, "gz", "alloc_bytes_per_op"))),
            fmt_count(med(samples(pair, "go", "bytes_per_op"))),
            note]) + " |")
    n_gz = max((len(samples(p, "gz", "ns_per_op")) for p, *_ in PAIRS), default=0)
    n_go = max((len(samples(p, "go", "ns_per_op")) for p, *_ in PAIRS), default=0)
    out += ["",
            f"ns/op: median (min–max) of {n_gz} gz and {n_go} Go runs, each the whole measured "
            "run's wall time over its operations; allocs/op and B/op: medians, exact counts "
            "(gz: its allocation wrappers; Go: `runtime.MemStats` via `b.ReportAllocs`, here "
            "not truncated to integers). Ratio: median (min–max) over the rounds of gz's run "
            "over the Go run next to it.", ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
