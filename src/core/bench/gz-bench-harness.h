/* gz-bench-harness.h: runs one benchmark: warmup, calibration, the measured run (by count or by
 * time, on N worker threads), exact allocation counts and optional profiles of the run; on the
 * calling thread or on a worker (_async), with progress and cancellation. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-bench-result.h"
#include "gz-bench-suites.h"
#include "gz-config.h"

G_BEGIN_DECLS

/* @fraction: 0..1 of the measured run done (by operations, or by time with a duration);
 * @ns_per_op: the estimate so far, wall time since the start over operations done (NaN before
 * the first operation is done). */
typedef void (*GzBenchProgressFunc) (double   fraction,
                                     double   ns_per_op,
                                     gpointer user_data);

typedef struct
{
  guint64             iterations;     /* operations in all, split over the workers (duration 0) */
  gint64              duration_nanos; /* > 0: run until then, whatever the concurrency */
  guint               concurrency;    /* worker threads, >= 1 */
  guint64             warmup;         /* unmeasured operations per worker */
  gboolean            memory;         /* B/op and allocs/op from the exact allocation counters */
  gboolean            memory_profile; /* and a memory profile of the measured run */
  gboolean            cpu_profile;    /* a CPU profile of the measured run */
  GzConfig           *config;         /* for the profilers and output-dir; may be NULL */
  const char         *output_dir;     /* NULL: config's output-dir */
  /* About every 100 ms of the measured run. gz_bench_run calls it on its own thread, and then
   * it must not allocate: the allocation counters are process-wide. gz_bench_run_async calls
   * it on the caller's thread-default main context, never after the callback. */
  GzBenchProgressFunc progress;
  gpointer            progress_data;
} GzBenchOptions;

void           gz_bench_options_init (GzBenchOptions       *options);

/* The cost of one CLOCK_MONOTONIC read as the harness uses it, in nanoseconds (median of a
 * few runs of back-to-back reads). */
double         gz_bench_timer_cost   (void);

/* Runs @suite (a built-in or the caller's own) on @options.concurrency new threads and blocks
 * until it is done. Cancelling @cancellable stops the run within about 100 ms (the workers stop
 * at their next batch of operations, or of warmup), writes no profile and fails with
 * G_IO_ERROR_CANCELLED: a cut-short run is not a sample. */
GzBenchResult *gz_bench_run          (const GzBenchSuite   *suite,
                                      const GzBenchOptions *options,
                                      GCancellable         *cancellable,
                                      GError              **error);
/* The same on a worker thread. @options is copied (its config referenced); @suite must stay
 * valid until @callback has run (the built-ins always are). Allocations anywhere in the
 * process count in B/op while the run is measured, the caller's main loop's too. */
void           gz_bench_run_async    (const GzBenchSuite   *suite,
                                      const GzBenchOptions *options,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
GzBenchResult *gz_bench_run_finish   (GAsyncResult         *result,
                                      GError              **error);

G_END_DECLS
