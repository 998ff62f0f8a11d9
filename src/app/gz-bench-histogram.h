/* gz-bench-histogram.h: benchmark timings into histogram bins for the latency chart: linear
 * bins from the fastest timing to a little past the p99; the far tail is counted, not drawn. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double  *edges;     /* n_bins + 1, ascending */
  guint64 *counts;    /* n_bins */
  guint    n_bins;
  guint64  n_values;  /* counted in the bins */
  guint64  n_beyond;  /* above the last edge, left out */
} GzBenchHistogram;

/* Bins for @values (any order, copied; NaNs ignored): about √n bins, 5 to 40. NULL when no
 * value is finite. */
GzBenchHistogram *gz_bench_histogram_new  (const double     *values,
                                           gsize             n);
void              gz_bench_histogram_free (GzBenchHistogram *histogram);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchHistogram, gz_bench_histogram_free)

G_END_DECLS
