/* gz-bench-result.h: one measured sample of a benchmark: ns/op, ops/s, exact B/op and
 * allocs/op, latency percentiles and how they were timed. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* At most this many of a run's timings are kept in GzBenchResult.latencies. */
#define GZ_BENCH_MAX_LATENCIES 1024

typedef enum
{
  GZ_BENCH_TIMING_PER_OP,    /* percentiles from timing each operation */
  GZ_BENCH_TIMING_PER_BATCH, /* from timing batches of batch_size operations, divided */
} GzBenchTiming;

/* Why a command's run was stopped before it ended: such a run is kept and stored, never
 * counted in the statistics (gz_bench_summarize and the result sets leave it out). */
typedef enum
{
  GZ_BENCH_CUT_NONE,     /* it ran to its end */
  GZ_BENCH_CUT_DURATION, /* still going at the end of the benchmark's duration */
  GZ_BENCH_CUT_TIMEOUT,  /* over the per-run timeout */
} GzBenchCut;

typedef enum
{
  GZ_BENCH_P_MIN,
  GZ_BENCH_P_50,
  GZ_BENCH_P_90,
  GZ_BENCH_P_95,
  GZ_BENCH_P_99,
  GZ_BENCH_P_MAX,
  GZ_BENCH_N_PERCENTILES,
} GzBenchPercentile;

/* "min", "p50", …, "max". */
const char    *gz_bench_percentile_name     (GzBenchPercentile p);
/* The quantile (0..1) each percentile stands for. */
double         gz_bench_percentile_quantile (GzBenchPercentile p);
/* "per-op" or "per-batch", as stored. */
const char    *gz_bench_timing_name         (GzBenchTiming     timing);
/* NULL, "duration" or "timeout", as stored; and back (GZ_BENCH_CUT_NONE for anything else). */
const char    *gz_bench_cut_name            (GzBenchCut        cut);
GzBenchCut     gz_bench_cut_from_name       (const char       *name);

typedef struct
{
  char         *name;        /* suite, with "/concurrency=N" when N > 1 */
  char         *suite;
  guint         concurrency;
  guint64       iterations;  /* operations measured */
  gint64        wall_nanos;  /* the whole measured run */
  double        ns_per_op;   /* (wall - timer cost) / iterations */
  double        ops_per_sec;
  gboolean      have_memory;
  double        alloc_bytes_per_op;
  double        allocs_per_op;
  GzBenchTiming timing;
  guint64       batch_size;  /* 1 for per-op timing */
  guint64       n_timings;   /* timings behind the percentiles */
  double        percentiles[GZ_BENCH_N_PERCENTILES]; /* nanoseconds per operation */
  double        timer_cost_ns; /* subtracted from each timing and from the whole run */
  /* The timings' distribution, for a histogram: up to GZ_BENCH_MAX_LATENCIES of them, sorted,
   * evenly spaced by rank (all of them when fewer); NULL when not kept (stored results). */
  double       *latencies;
  guint         n_latencies;
  char         *memory_profile; /* paths of the profiles written, or NULL */
  char         *cpu_profile;
  char         *memory_note;  /* why there are no memory figures, or NULL */
  /* One measured run of a command (gz-command-bench): iterations 1, ns_per_op its wall time. */
  char         *command;      /* the command line as given; NULL for the built-ins */
  int           exit_status;  /* its exit status, or 128 + the signal that ended it */
  double        user_nanos;   /* CPU time in user mode, from wait4's rusage; NaN otherwise */
  double        system_nanos; /* CPU time in the kernel */
  double        max_rss_bytes; /* peak resident set size */
  double        spawn_cost_ns; /* an empty command's time then (not subtracted); NaN otherwise */
  GzBenchCut    cut;          /* stopped before its end: wall_nanos is until then */
} GzBenchResult;

/* Memory figures, percentiles and the command figures NaN, batch_size 1. */
GzBenchResult *gz_bench_result_new          (void);
GzBenchResult *gz_bench_result_copy         (const GzBenchResult *result);
void           gz_bench_result_free         (GzBenchResult       *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchResult, gz_bench_result_free)

/* The benchmark id for @suite at @concurrency: "channel-operations/concurrency=4". */
char          *gz_bench_result_name         (const char          *suite,
                                             guint                concurrency);

G_END_DECLS
