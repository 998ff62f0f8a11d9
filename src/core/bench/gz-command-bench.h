/* gz-command-bench.h: benchmarks of any command (gz-command.h): each run spawned and waited
 * for with wait4 (wall, user and system time, peak RSS, exit status), warmup, prepare and
 * cleanup commands, the spawn cost; every run bounded (the duration's end, a per-run timeout)
 * and its process group cleaned up after it; on the calling thread or on a worker (_async),
 * with progress and cancellation that keeps what was measured. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-bench-result.h"
#include "gz-command.h"

G_BEGIN_DECLS

#define GZ_COMMAND_ERROR (gz_command_error_quark ())
GQuark gz_command_error_quark (void);

typedef enum
{
  GZ_COMMAND_ERROR_RUN_FAILED,    /* a run (warmup or measured) exited non-zero or was killed */
  GZ_COMMAND_ERROR_HELPER_FAILED, /* the prepare or cleanup command did */
} GzCommandError;

/* After each run, and when a command starts (@run 0). @command: index into the commands;
 * @run: measured runs done of it (0 during warmup); @fraction: 0..1 of all the measured runs
 * (by count, or by time with a duration); @mean_ns: the mean wall time of the command so far
 * (NaN before its first measured run). */
typedef void (*GzCommandProgressFunc) (guint    command,
                                       guint    run,
                                       double   fraction,
                                       double   mean_ns,
                                       gpointer user_data);

typedef struct
{
  GzCommandShell        shell;
  guint64               warmup;         /* unmeasured runs of each command first */
  guint64               count;          /* measured runs of each command (duration 0), >= 1 */
  gint64                duration_nanos; /* > 0: measured runs of each until then (at least 1
                                         * started); a run still going then is cut */
  gint64                timeout_nanos;  /* > 0: a run of a command (warmup or measured) still
                                         * going after this long is cut */
  const char           *prepare;        /* a command run before every run (warmup too), or NULL */
  const char           *cleanup;        /* run after all the runs of each command, or NULL */
  gboolean              ignore_failure; /* measure runs that exit non-zero instead of failing */
  /* gz_command_bench_run calls it on its own thread; _async on the caller's thread-default
   * main context (the latest figures, coalesced), the last ones before the callback and none
   * after it. */
  GzCommandProgressFunc progress;
  gpointer              progress_data;
} GzCommandBenchOptions;

void            gz_command_bench_options_init  (GzCommandBenchOptions *options);

/* The median wall time of an empty command (`sh -c ''`, or `true` without a shell) over
 * @runs runs after a few unmeasured ones, in nanoseconds; NaN when it cannot run. */
double          gz_command_bench_spawn_cost    (GzCommandShell        shell,
                                                guint                 runs);

typedef struct
{
  GPtrArray *results;       /* GzBenchResult, one per measured run, commands in order */
  GPtrArray *cut;           /* GzBenchResult, one per measured run that was cut (its cut set,
                             * its wall time until the cut): not in @results */
  double     spawn_cost_ns; /* also in each result */
  gboolean   interrupted;   /* cancelled: @results hold the runs done before (the cut-short
                             * run is dropped) */
} GzCommandBenchReport;

void            gz_command_bench_report_free   (GzCommandBenchReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzCommandBenchReport, gz_command_bench_report_free)

/* Measures the spawn cost, then each of @commands (GzCommand) in turn: prepare + warmup runs,
 * then the measured runs (each with prepare first), then cleanup. Every command's stdin, stdout
 * and stderr are /dev/null. A run that exits non-zero (or dies of a signal) fails with
 * G_IO_ERROR_FAILED naming the command, the run and the status, unless @ignore_failure; a
 * prepare or cleanup that fails always does. A run is cut (not an error) when it is still going
 * at the end of the duration or after the timeout: its whole process group gets SIGTERM, then
 * SIGKILL after a grace. Every command runs in a process group of its own, and whatever is left
 * in it after the command ends (background children) is ended the same way, so no process of a
 * run outlives it. Cancelling @cancellable kills the running command and returns the report
 * with interrupted set (not an error). */
GzCommandBenchReport *gz_command_bench_run        (GPtrArray                   *commands,
                                                   const GzCommandBenchOptions *options,
                                                   GCancellable                *cancellable,
                                                   GError                     **error);
/* The same on a worker thread. @commands is referenced; @options is copied (its strings too). */
void                  gz_command_bench_run_async  (GPtrArray                   *commands,
                                                   const GzCommandBenchOptions *options,
                                                   GCancellable                *cancellable,
                                                   GAsyncReadyCallback          callback,
                                                   gpointer                     user_data);
GzCommandBenchReport *gz_command_bench_run_finish (GAsyncResult                *result,
                                                   GError                     **error);

G_END_DECLS
