/* gz-result-set.h: what the results store keeps: the context a run was measured in, the runs
 * (one invocation's samples each) and every run under one label; and the store's errors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gz-bench-result.h"

G_BEGIN_DECLS

#define GZ_RESULTS_ERROR (gz_results_error_quark ())
GQuark gz_results_error_quark (void);

typedef enum
{
  GZ_RESULTS_ERROR_NOT_FOUND,     /* no such label; the message lists the labels */
  GZ_RESULTS_ERROR_CORRUPT,       /* a file that cannot be read as results; names the path */
  GZ_RESULTS_ERROR_INVALID_LABEL,
  GZ_RESULTS_ERROR_FAILED,        /* I/O */
} GzResultsError;

/* Where and on what a run was measured. */
typedef struct
{
  char  *date;         /* ISO 8601 with offset */
  char  *host;
  char  *cpu_model;    /* /proc/cpuinfo "model name" */
  guint  cpu_count;
  char  *gz_version;
  char  *build_type;
  char  *command_line;
} GzBenchContext;

/* The context of this process now; @command_line as typed (may be NULL). */
GzBenchContext *gz_bench_context_new_current  (const char           *command_line);
GzBenchContext *gz_bench_context_copy         (const GzBenchContext *context);
void            gz_bench_context_free         (GzBenchContext       *context);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchContext, gz_bench_context_free)

/* One invocation: its context and every sample it took (GzBenchResult, in order). */
typedef struct
{
  GzBenchContext *context;
  GPtrArray      *results;
} GzBenchRun;

GzBenchRun     *gz_bench_run_new              (GzBenchContext       *context); /* takes it */
GzBenchRun     *gz_bench_run_copy             (const GzBenchRun     *run);
void            gz_bench_run_free             (GzBenchRun           *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchRun, gz_bench_run_free)

/* Everything stored under one label. */
typedef struct
{
  char      *label;
  char      *path;
  GPtrArray *runs;  /* GzBenchRun, oldest first */
} GzResultSet;

/* An empty set (no runs). */
GzResultSet    *gz_result_set_new             (const char           *label,
                                               const char           *path);
void            gz_result_set_free            (GzResultSet          *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzResultSet, gz_result_set_free)
/* Benchmark names in order of first appearance (borrowed strings). */
GPtrArray      *gz_result_set_benchmark_names (GzResultSet          *set);
/* Every sample of @name over all runs (borrowed GzBenchResult). */
GPtrArray      *gz_result_set_samples         (GzResultSet          *set,
                                               const char           *name);
guint           gz_result_set_n_samples       (GzResultSet          *set);

G_END_DECLS
