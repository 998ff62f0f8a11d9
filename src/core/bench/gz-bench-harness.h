/* gz-bench-harness.h: runs one benchmark: warmup, calibration, the measured run (by count or by
 * time, on N worker threads), exact allocation counts and optional profiles of the run. */
#pragma once

#include <glib.h>

#include "gz-bench-suites.h"
#include "gz-config.h"

G_BEGIN_DECLS

typedef enum
{
  GZ_BENCH_TIMING_PER_OP,    /* percentiles from timing each operation */
  GZ_BENCH_TIMING_PER_BATCH, /* from timing batches of batch_size operations, divided */
} GzBenchTiming;

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
const char *gz_bench_percentile_name (GzBenchPercentile p);

typedef struct
{
  guint64     iterations;     /* operations in all, split over the workers (duration 0) */
  gint64      duration_nanos; /* > 0: run until then, whatever the concurrency */
  guint       concurrency;    /* worker threads, >= 1 */
  guint64     warmup;         /* unmeasured operations per worker */
  gboolean    memory;         /* bytes/op and allocs/op from the exact allocation counters */
  gboolean    memory_profile; /* and a memory profile of the measured run */
  gboolean    cpu_profile;    /* a CPU profile of the measured run */
  GzConfig   *config;         /* for the profilers and output-dir; may be NULL */
  const char *output_dir;     /* NULL: config's output-dir */
  /* Called on the calling thread about every 100 ms with 0..1. It must not allocate: the
   * allocation counters are process-wide. */
  void      (*progress)      (double fraction, gpointer data);
  gpointer    progress_data;
} GzBenchOptions;

void gz_bench_options_init (GzBenchOptions *options);

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
  char         *memory_profile; /* paths of the profiles written, or NULL */
  char         *cpu_profile;
  char         *memory_note;  /* why there are no memory figures, or NULL */
} GzBenchResult;

GzBenchResult *gz_bench_result_new  (void);
GzBenchResult *gz_bench_result_copy (const GzBenchResult *result);
void           gz_bench_result_free (GzBenchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchResult, gz_bench_result_free)

/* The benchmark id for @suite at @concurrency: "channel-operations/concurrency=4". */
char          *gz_bench_result_name (const char *suite,
                                     guint       concurrency);

/* The cost of one CLOCK_MONOTONIC read as the harness uses it, in nanoseconds (median of a
 * few runs of back-to-back reads). */
double         gz_bench_timer_cost  (void);

GzBenchResult *gz_bench_run         (const GzBenchSuite   *suite,
                                     const GzBenchOptions *options,
                                     GError              **error);

G_END_DECLS
