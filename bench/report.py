#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/report.py: turns the JSON lines of bench/c and bench/go into the markdown table of
bench/out/results.md: medians with a 95% confidence interval, the ratio gz/Go, the goals of
issue 2 and whether they are met (a difference counts only when a Mann-Whitney U test finds it
significant, as benchstat does)."""

import json
import math
import sys

# (measurement, what it is, goal text, goal check or None); the check gets (gz, go) rows.
ROWS = [
    ("cpu_profiler_overhead", "CPU profiler overhead, CPU-bound loop (%)",
     "<= 1% and <= Go", "cpu"),
    ("cpu_profiler_overhead_amplified",
     "CPU profiler overhead, measured at 250 Hz and divided by 2.5 (%) [3]", "<= 1% and <= Go",
     "cpu"),
    ("alloc_sampler_cost", "Memory sampler cost per allocation (ns) [1]", "<= 1.5 ns", "alloc"),
    ("malloc_pair_tcmalloc", "malloc/free pair, tc_malloc/tc_free alone (ns)", "", None),
    ("malloc_pair_wrapped_rate0", "malloc/free pair, gz wrappers, sampling off (ns)", "", None),
    ("malloc_pair_wrapped", "malloc/free pair, gz wrappers, sampling on (ns)", "", None),
    ("json_sampler_overhead", "Memory sampler overhead, JSON serialization (%) [2]", "< 1%",
     "json"),
    ("json_sampler_overhead_amplified",
     "Memory sampler overhead, JSON, measured at 16x the rate and divided by 16 (%) [3]", "< 1%",
     "json"),
    ("write_cpu", "Stop and write a 1 s cpu profile (ms)", "", None),
    ("write_memory", "Take and write memory (Go: heap) (ms)", "", None),
    ("write_goroutine", "Take and write goroutine (ms)", "", None),
    ("write_block", "Take and write block (ms)", "", None),
    ("write_mutex", "Take and write mutex (ms)", "", None),
    ("write_threadcreate", "Take and write threadcreate (ms)", "", None),
]

NOTES = """\
[1] gz: the executable's malloc/free wrappers with sampling at the default rate minus
tc_malloc/tc_free called directly, per pair of 16-128 byte blocks. Go: an allocation with
MemProfileRate at its default minus with MemProfileRate = 0 (Go allocates and collects itself;
there is no tcmalloc alone to compare with).
[2] gz: json-glib JsonBuilder + json_generator_to_data of a small object, sampling at the
default rate vs gz_heap_sampler_set_rate (0). Go: encoding/json of the same object,
MemProfileRate default vs 0.
[3] The same at 2.5 (CPU) or 16 (memory) times the sampling rate, so with that many times the
samples, each round's overhead divided by that factor: a sample costs the same, so the overhead
grows with their number and stands out of the noise of a loaded machine. For memory it may
over-estimate a little (more sampled live objects send more frees down the slow path).

Overheads are medians of per-pair ratios of alternating runs (on/off order flips every round
so drift cancels; allocation and JSON runs are 0.4 s made of 8 interleaved 50 ms parts),
timed in CPU time of the whole process (user + system, all threads: the signal handlers and
helper threads are counted, other programs on the machine are not).
Profile write times are wall-clock, after one warm-up. [lo, hi] is the 95% confidence interval
of the median; "~" marks a gz/Go difference that a Mann-Whitney U test does not find
significant (p >= 0.05). A goal is "likely"/"unlikely" met when its limit lies inside the
interval: more runs (--runs) or a quieter machine would decide it."""


def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return float("nan")
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def median_ci(xs):
    """Distribution-free 95% interval of the median from order statistics, or None."""
    s = sorted(xs)
    n = len(s)
    if n < 6:
        return None
    cdf, k = 0.0, 0
    for j in range(n + 1):
        cdf += math.comb(n, j) / 2 ** n
        if cdf > 0.025:
            break
        k = j + 1
    k = max(k, 1)
    return s[k - 1], s[n - k]


def mann_whitney_p(xs, ys):
    """Two-sided p of the Mann-Whitney U test (normal approximation, ties corrected)."""
    n1, n2 = len(xs), len(ys)
    if n1 < 3 or n2 < 3:
        return None
    both = sorted([(v, 0) for v in xs] + [(v, 1) for v in ys])
    ranks = [0.0] * len(both)
    ties = 0.0
    i = 0
    while i < len(both):
        j = i
        while j + 1 < len(both) and both[j + 1][0] == both[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    r1 = sum(r for r, (_, g) in zip(ranks, both) if g == 0)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sigma == 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / sigma
    return math.erfc(max(z, 0) / math.sqrt(2))


def fmt(v):
    if v is None or math.isnan(v):
        return "—"
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(row):
    if row is None:
        return "—"
    if "error" in row:
        return "not measured: " + row["error"]
    s = row["samples"]
    ci = median_ci(s)
    text = fmt(median(s))
    if ci:
        text += f" [{fmt(ci[0])}, {fmt(ci[1])}]"
    else:
        text += f" (n={len(s)}, too few for an interval)"
    return text


def against(samples, limit, strict=False):
    """Whether the median meets "<= limit" ("< limit" when strict), and how sure that is."""
    m = median(samples)
    ok = m < limit if strict else m <= limit
    ci = median_ci(samples)
    if ci is not None and ci[0] <= limit <= ci[1]:
        return ("likely" if ok else "unlikely") + " (interval spans the goal)"
    return "yes" if ok else "no"


def goal_met(kind, gz, go):
    if gz is None or "error" in gz:
        return "not measured"
    g = median(gz["samples"])
    if kind == "alloc":
        return against(gz["samples"], 1.5)
    if kind == "json":
        return against(gz["samples"], 1.0, strict=True)
    if kind == "cpu":
        verdict = against(gz["samples"], 1.0)
        if go is None or "error" in go:
            return verdict + "; Go not measured"
        o = median(go["samples"])
        p = mann_whitney_p(gz["samples"], go["samples"])
        if g <= o:
            return verdict + "; <= Go"
        if p is not None and p >= 0.05:
            return verdict + "; ~ Go"
        return verdict + "; > Go"
    return ""


def ratio(gz, go):
    if gz is None or go is None or "error" in gz or "error" in go:
        return "—"
    g, o = median(gz["samples"]), median(go["samples"])
    if o <= 0 or g < 0:
        return "n/a"
    text = f"{g / o:.2f}"
    p = mann_whitney_p(gz["samples"], go["samples"])
    if p is not None and p >= 0.05:
        text += " ~"
    return text


def main():
    rows = {}
    for path in sys.argv[1:] or ["-"]:
        f = sys.stdin if path == "-" else open(path)
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    print(f"report.py: skipping a line that is not JSON ({e}): {line}",
                          file=sys.stderr)
                    continue
                rows[(r["measurement"], r["impl"])] = r
    print("| Measurement | gz median [95% CI] | Go median [95% CI] | gz/Go | Goal | Met |")
    print("|---|---|---|---|---|---|")
    for name, title, goal, kind in ROWS:
        gz, go = rows.get((name, "gz")), rows.get((name, "go"))
        if gz is None and go is None:
            continue
        met = goal_met(kind, gz, go) if kind else ""
        print(f"| {title} | {cell(gz)} | {cell(go)} | {ratio(gz, go)} | {goal or '—'} "
              f"| {met or '—'} |")
    print()
    extra = []
    for key in [("alloc_sampler_cost", "gz"), ("json_sampler_overhead", "gz"),
                ("json_sampler_overhead_amplified", "gz"),
                ("cpu_profiler_overhead", "gz")]:
        r = rows.get(key)
        if r and "detail" in r:
            d = r["detail"]
            if "samples_on" in d:
                extra.append(f"JSON workload at rate {d['rate']:.0f}: "
                             f"{d['samples_on']:.0f} heap samples in each 50 ms chunk "
                             f"of {d['chunk_iterations']:.0f} serializations with sampling on, "
                             f"{d['samples_off']:.0f} with it off.")
            if "samples_per_run" in d:
                extra.append(f"malloc/free pairs: {d['samples_per_run']:.0f} heap samples a run "
                             f"of {d['pairs']:.0f} pairs at rate {d['rate']:.0f}.")
            if "profile_samples" in d:
                extra.append(f"CPU loop: {d['profile_samples']:.0f} samples in each gz profile of "
                             f"a {d['on_cpu_s']:.2f} s run.")
    best = []
    for name, title, unit in [("cpu_profiler_overhead", "CPU profiler overhead", "%"),
                              ("cpu_profiler_overhead_amplified", "amplified", "%"),
                              ("alloc_sampler_cost", "sampler cost per allocation", " ns"),
                              ("json_sampler_overhead", "JSON sampler overhead", "%"),
                              ("json_sampler_overhead_amplified", "amplified", "%")]:
        key = "best" if unit == " ns" else "best_overhead"
        vals = []
        for impl in ("gz", "go"):
            d = (rows.get((name, impl)) or {}).get("detail", {})
            if key in d:
                vals.append(f"{impl} {fmt(d[key])}{unit}")
        if vals:
            best.append(f"{title}: " + ", ".join(vals))
    if best:
        extra.append("From the fastest run of each kind (the least disturbed on a loaded machine): "
                     + "; ".join(best) + ".")
    for e in extra:
        print(e)
    if extra:
        print()
    print(NOTES)


if __name__ == "__main__":
    main()
