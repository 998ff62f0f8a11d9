#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/perf/run.py: what being sampled costs a process that runs without the gz agent (issue 13).

Each round runs bench/perf/work.c (fixed CPU work through libc's qsort, timed by the process
itself once its sampler is attached) three ways, in turn: alone; sampled by
`gz-cli profile start --type cpu --pid PID` (perf events at the config's cpu-hz, 100 by default,
DWARF unwinding in gz-cli); and under `perf record -F 100 --call-graph dwarf -p PID` (Debian's
linux-perf). It prints the medians of the work's wall and CPU time and their ratios to alone, as
markdown. Goal: under 2 % at 100 Hz.

Usage: bench/perf/run.py [--rounds N] [--work MSTEPS] [--build DIR]   (DIR default build-perf)
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def attach_gz(cli, pid, out):
    proc = subprocess.Popen([cli, "profile", "start", "--type", "cpu", "--pid", str(pid),
                             "--duration", "10m", "--output-dir", out],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    # "Profiling …" comes before the events are enabled; the session is listed once they are.
    for line in proc.stdout:
        if line.startswith("Profiling "):
            break
    return proc


def attach_perf(pid, out):
    return subprocess.Popen(["perf", "record", "-F", "100", "--call-graph", "dwarf", "-p",
                             str(pid), "-o", os.path.join(out, "perf.data")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def one(work, msteps, variant, cli, out):
    prog = subprocess.Popen([work, str(msteps)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert prog.stdout.readline().strip() == "ready"
    sampler = None
    if variant == "gz":
        sampler = attach_gz(cli, prog.pid, out)
    elif variant == "perf":
        sampler = attach_perf(prog.pid, out)
    # Both samplers enable their events a moment after they start: wait for that.
    time.sleep(0.5)
    prog.stdin.write("go\n")
    prog.stdin.flush()
    wall, cpu, _ = prog.stdout.readline().split()
    prog.stdin.close()
    prog.wait()
    if sampler is not None:
        sampler.send_signal(2)
        sampler.wait(timeout=60)
    return int(wall) / 1e9, int(cpu) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--work", type=float, default=400, help="million xorshift steps")
    parser.add_argument("--build", default=os.path.join(TOP, "build-perf"))
    args = parser.parse_args()

    cli = os.path.join(args.build, "src", "cli", "gz-cli")
    if not os.access(cli, os.X_OK):
        sys.exit(f"build {args.build} first: no {cli}")
    variants = ["alone", "gz"] + (["perf"] if shutil.which("perf") else [])
    tmp = tempfile.mkdtemp(prefix="gz-bench-perf-")
    try:
        work = os.path.join(tmp, "work")
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                        work, os.path.join(HERE, "work.c")], check=True)
        results = {v: ([], []) for v in variants}
        for r in range(args.rounds):
            for v in variants:
                wall, cpu = one(work, args.work, v, cli, tmp)
                results[v][0].append(wall)
                results[v][1].append(cpu)
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    base_wall = statistics.median(results["alone"][0])
    base_cpu = statistics.median(results["alone"][1])
    print(f"{args.rounds} rounds of {args.work:g} M steps; medians (ratio to alone)\n")
    print("| sampler | wall s | wall ratio | CPU s | CPU ratio |")
    print("|---|---|---|---|---|")
    names = {"alone": "alone", "gz": "gz-cli --pid (perf events, 100 Hz, DWARF)",
             "perf": "perf record -F 100 --call-graph dwarf"}
    for v in variants:
        wall = statistics.median(results[v][0])
        cpu = statistics.median(results[v][1])
        print(f"| {names[v]} | {wall:.3f} | {wall / base_wall:.3f} | {cpu:.3f} | "
              f"{cpu / base_cpu:.3f} |")


if __name__ == "__main__":
    main()
