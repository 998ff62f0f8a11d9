/* gz-results-store.h: benchmark results kept over time, one JSON file per label under the
 * results directory ($XDG_DATA_HOME/gz/results or the config's results-dir). Each run adds
 * its samples with its context; writes are atomic and serialized by a lock file; a corrupt
 * file is reported with its path and skipped. */
#pragma once

#include <glib-object.h>

#include "gz-bench-harness.h"

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
GzBenchContext *gz_bench_context_new_current (const char           *command_line);
GzBenchContext *gz_bench_context_copy        (const GzBenchContext *context);
void            gz_bench_context_free        (GzBenchContext       *context);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchContext, gz_bench_context_free)

/* One invocation: its context and every sample it took (GzBenchResult, in order). */
typedef struct
{
  GzBenchContext *context;
  GPtrArray      *results;
} GzBenchRun;

GzBenchRun     *gz_bench_run_new   (GzBenchContext *context); /* takes @context */
void            gz_bench_run_free  (GzBenchRun     *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchRun, gz_bench_run_free)

/* Everything stored under one label. */
typedef struct
{
  char      *label;
  char      *path;
  GPtrArray *runs;  /* GzBenchRun, oldest first */
} GzResultSet;

void            gz_result_set_free            (GzResultSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzResultSet, gz_result_set_free)
/* Benchmark names in order of first appearance (borrowed strings). */
GPtrArray      *gz_result_set_benchmark_names (GzResultSet *set);
/* Every sample of @name over all runs (borrowed GzBenchResult). */
GPtrArray      *gz_result_set_samples         (GzResultSet *set,
                                               const char  *name);
guint           gz_result_set_n_samples       (GzResultSet *set);

#define GZ_TYPE_RESULTS_STORE (gz_results_store_get_type ())
G_DECLARE_FINAL_TYPE (GzResultsStore, gz_results_store, GZ, RESULTS_STORE, GObject)

/* @dir: NULL for $XDG_DATA_HOME/gz/results. */
GzResultsStore *gz_results_store_new          (const char     *dir);
/* The config's results-dir. */
GzResultsStore *gz_results_store_new_for_config (GzConfig     *config);
const char     *gz_results_store_get_dir      (GzResultsStore *self);

/* Letters, digits and . _ - + (not starting with '.'), at most 100 characters. */
gboolean        gz_results_store_check_label  (const char     *label,
                                               GError        **error);
/* "run-20240131-154502", unused so far. */
char           *gz_results_store_new_label    (GzResultsStore *self);

/* Adds @run's samples to @label (created when new). Fails, changing nothing, when the label's
 * file is corrupt. */
gboolean        gz_results_store_add          (GzResultsStore *self,
                                               const char     *label,
                                               GzBenchRun     *run,
                                               GError        **error);
/* Every readable label, newest last; each unreadable file adds "PATH: why" to @problems. */
GPtrArray      *gz_results_store_list         (GzResultsStore *self,
                                               GPtrArray     **problems,
                                               GError        **error);
GzResultSet    *gz_results_store_load         (GzResultsStore *self,
                                               const char     *label,
                                               GError        **error);
gboolean        gz_results_store_delete       (GzResultsStore *self,
                                               const char     *label,
                                               GError        **error);

G_END_DECLS
