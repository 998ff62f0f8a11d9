/* gz-bench-job.h: one benchmark as the app runs it: a built-in suite measured @count times, or
 * a command measured run by run (as `gz-cli profile benchmark --command`), on the core's
 * workers, with one progress figure over all of it; the samples come back as a GzBenchRun. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-bench-suites.h"
#include "gz-config.h"
#include "gz-result-set.h"

G_BEGIN_DECLS

typedef struct
{
  const GzBenchSuite *suite;          /* a built-in; NULL to run @command_line */
  const char         *command_line;   /* run by sh, as --command */
  guint64             iterations;     /* built-ins, when @duration_nanos is 0 */
  guint               concurrency;    /* built-ins */
  gint64              duration_nanos; /* > 0: each sample (or each command) runs this long */
  guint64             warmup;         /* operations per worker, or runs of the command */
  guint64             count;          /* samples of a built-in, or measured runs of a command */
  gboolean            memory;         /* built-ins: B/op, allocs/op and a memory profile of
                                       * the first sample; commands: a memory profile */
  gboolean            cpu_profile;    /* a CPU profile of the first sample; of a command, from
                                       * one extra, profiled run (as gz-cli) */
} GzBenchJobOptions;

/* On the caller's main context, often while the job runs. @fraction: 0..1 of the whole job;
 * @sample: the sample (or run) in progress, from 1; @estimate_ns: ns/op (or the mean run time)
 * so far, NaN before there is one. */
typedef void (*GzBenchJobProgressFunc) (double   fraction,
                                        guint    sample,
                                        double   estimate_ns,
                                        gpointer user_data);

void        gz_bench_job_options_init (GzBenchJobOptions       *options);

/* The command line of `gz-cli profile benchmark` that measures the same, as a run's context
 * records it. */
char       *gz_bench_job_command_line (const GzBenchJobOptions *options);

/* Checks @options' figures before anything runs (no I/O): GZ_BENCH_ERROR_INVALID naming what
 * is wrong. Whether the command can run is checked by gz_bench_job_run_async, on a worker. */
gboolean    gz_bench_job_check        (const GzBenchJobOptions *options,
                                       GError                 **error);

/* Runs the job. @options is copied; @config (may be NULL) gives output-dir and the profilers'
 * settings. Cancelling stops a built-in with G_IO_ERROR_CANCELLED (nothing kept, as gz-cli);
 * a command keeps the runs done before (gz_bench_job_run_finish sets @interrupted). A
 * command's profiles come after its measured runs; @progress then says sample 0. */
void        gz_bench_job_run_async    (const GzBenchJobOptions *options,
                                       GzConfig                *config,
                                       GzBenchJobProgressFunc   progress,
                                       gpointer                 progress_data,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data);
/* The samples (GzBenchResult) with the context of this process. @interrupted and @warning
 * (a command's profile that could not be taken, the runs kept) may be NULL. */
GzBenchRun *gz_bench_job_run_finish   (GAsyncResult            *result,
                                       gboolean                *interrupted,
                                       char                   **warning,
                                       GError                 **error);

G_END_DECLS
