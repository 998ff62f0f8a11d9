/* gz-bench-common.h: what the C benchmarks share: options, timing, alternating runs, medians
 * and the one JSON line each measurement prints (the same schema as bench/go). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "config.h"

G_BEGIN_DECLS

/* config.h says "#define GZ_HAVE_TCMALLOC" or "#undef" (meson's set) or 1 / 0 (set10). */
#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
#define GZ_BENCH_HAVE_TCMALLOC 1
#else
#define GZ_BENCH_HAVE_TCMALLOC 0
#endif

typedef struct
{
  double cpu_s;  /* CPU time of the whole process (all threads, user + system) */
  double wall_s;
} GzBenchSpan;

/* One run, or one of @chunks parts of a run. */
typedef GzBenchSpan (*GzBenchRun) (gpointer data,
                                   guint    chunks);

/* Parses --runs, --cpu-seconds, --outdir and the program's own @entries (may be NULL), and
 * re-executes the program with G_SLICE=always-malloc when it is not set, as gz's own processes
 * run, so that GLib's slices reach malloc and the sampler. */
void        gz_bench_init       (int                *argc,
                                 char             ***argv,
                                 const GOptionEntry *entries);
guint       gz_bench_runs       (void);
double      gz_bench_cpu_seconds (void);
/* A directory for the profiles written, created; removed at exit unless --outdir named it. */
const char *gz_bench_outdir     (void);

double      gz_bench_now_cpu    (void);
double      gz_bench_now_wall   (void);

/* Runs @a and @b alternately @runs times (a first on even rounds, b first on odd ones, so that
 * drift cancels) and appends each run's CPU seconds to @as and @bs (GArray of double). With
 * @chunks > 1 each run is made of that many parts, interleaved with the other's, so that both
 * see the same load on a busy machine. */
void        gz_bench_paired     (guint       runs,
                                 guint       chunks,
                                 GzBenchRun  a,
                                 GzBenchRun  b,
                                 gpointer    data,
                                 GArray     *as,
                                 GArray     *bs,
                                 GArray     *a_wall,
                                 GArray     *b_wall);

double      gz_bench_median     (GArray     *values);
/* The smallest value: interference only ever adds time, so on a loaded machine the fastest
 * run is the least disturbed one. */
double      gz_bench_min        (GArray     *values);
/* (b[i] / a[i] - 1) * 100 for each pair. */
GArray     *gz_bench_overheads  (GArray     *as,
                                 GArray     *bs);

/* Prints {"measurement": ..., "impl": "gz", "unit": ..., "median": ..., "samples": [...],
 * "detail": {key: value, ...}}: the detail is given as (const char *key, double value) pairs
 * ending with NULL. */
void        gz_bench_emit       (const char *measurement,
                                 const char *unit,
                                 GArray     *samples,
                                 ...) G_GNUC_NULL_TERMINATED;
/* A line saying why a measurement could not be taken: {"measurement": ..., "impl": "gz",
 * "error": ...}. */
void        gz_bench_emit_error (const char *measurement,
                                 const char *message);

/* Allocations the heap sampler has sampled since the process started. */
double      gz_bench_heap_samples (void);

/* The CPU-bound loop, the same splitmix64 chain as bench/go. */
guint64     gz_bench_mix        (guint64     n,
                                 guint64     seed);

typedef void (*GzBenchLoop) (guint64  n,
                             gpointer data);
/* How many iterations of @loop take about @seconds of CPU time. */
guint64     gz_bench_calibrate  (double      seconds,
                                 GzBenchLoop loop,
                                 gpointer    data);

G_END_DECLS
