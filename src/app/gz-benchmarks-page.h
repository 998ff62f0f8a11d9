/* gz-benchmarks-page.h: the Benchmarks page of the main window: run a built-in benchmark or a
 * command, see its figures and latency histogram, save it under a label. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-result-set.h"

G_BEGIN_DECLS

#define GZ_TYPE_BENCHMARKS_PAGE (gz_benchmarks_page_get_type ())
G_DECLARE_FINAL_TYPE (GzBenchmarksPage, gz_benchmarks_page, GZ, BENCHMARKS_PAGE, AdwBin)

GtkWidget        *gz_benchmarks_page_new           (void);

/* What the Run button does: starts the benchmark set in the form (when the page is ready and
 * nothing runs). */
void              gz_benchmarks_page_run           (GzBenchmarksPage *self);
/* TRUE while the configuration loads, a benchmark runs or a save is written. */
gboolean          gz_benchmarks_page_get_busy      (GzBenchmarksPage *self);
/* The samples of the last finished run (borrowed), or NULL. */
const GzBenchRun *gz_benchmarks_page_get_run       (GzBenchmarksPage *self);
/* The text shown for a figure: "ns_per_op", "ops_per_sec", "bytes_per_op", "allocs_per_op",
 * "samples", a percentile by name ("p50", "p99", "max"…); NULL when not shown. */
const char       *gz_benchmarks_page_get_value     (GzBenchmarksPage *self,
                                                    const char       *key);
/* The latency histogram (a GzHistogramChart). */
GtkWidget        *gz_benchmarks_page_get_histogram (GzBenchmarksPage *self);
/* The label the last run was saved under, or NULL. */
const char       *gz_benchmarks_page_get_saved_label (GzBenchmarksPage *self);

G_END_DECLS
