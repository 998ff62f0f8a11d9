/* gz-bench-store.h: the app's way to the benchmark results store (the one `gz-cli profile
 * benchmark --save` and `gz-cli profile compare` use): list, save and compare on a worker. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-bench-compare.h"
#include "gz-results-store.h"

G_BEGIN_DECLS

/* gz-cli compare's defaults, so that the app's verdicts are the CLI's. */
#define GZ_BENCH_STORE_THRESHOLD 5.0
#define GZ_BENCH_STORE_ALPHA     0.05

/* Every readable label (GzResultSet, newest last); @problems (may be NULL) gets "PATH: why"
 * for each unreadable file. */
void               gz_bench_store_list_async     (GzResultsStore      *store,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray         *gz_bench_store_list_finish    (GAsyncResult        *result,
                                                  GPtrArray          **problems,
                                                  GError             **error);

/* Adds @run's samples (copied) to @label, or to a new generated label when @label is NULL or
 * empty. Returns the label used. */
void               gz_bench_store_save_async     (GzResultsStore      *store,
                                                  const char          *label,
                                                  const GzBenchRun    *run,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
char              *gz_bench_store_save_finish    (GAsyncResult        *result,
                                                  GError             **error);

/* Loads both labels and compares them with gz_bench_compare, as gz-cli compare does. A
 * comparison with no benchmark in common is returned too (rows empty). */
void               gz_bench_store_compare_async  (GzResultsStore      *store,
                                                  const char          *baseline,
                                                  const char          *current,
                                                  double               threshold_percent,
                                                  double               alpha,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GzBenchComparison *gz_bench_store_compare_finish (GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
