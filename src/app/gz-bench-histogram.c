/* gz-bench-histogram.c: benchmark timings into histogram bins for the latency chart. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "gz-bench-histogram.h"
#include "gz-bench-statistics.h"

/* The axis ends a quarter of the body's width beyond the p99: the far tail (a few timings of
 * a preempted thread, often 100 times the median) would squeeze every other bin into one. */
#define TAIL_MARGIN 0.25

GzBenchHistogram *
gz_bench_histogram_new (const double *values,
                        gsize         n)
{
  g_autofree double *sorted = g_new (double, MAX (n, 1));
  GzBenchHistogram *histogram;
  gsize m = 0;
  double lo, hi, p99, width;

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      sorted[m++] = values[i];
  if (m == 0)
    return NULL;
  gz_bench_statistics_sort (sorted, m);
  lo = sorted[0];
  p99 = gz_bench_statistics_quantile_sorted (sorted, m, 0.99);
  hi = MIN (sorted[m - 1], p99 + (p99 - lo) * TAIL_MARGIN);

  histogram = g_new0 (GzBenchHistogram, 1);
  histogram->n_bins = (guint) CLAMP (ceil (sqrt ((double) m)), 5.0, 40.0);
  if (hi <= lo)
    {
      /* Every timing the same: one visible bin around it. */
      double half = lo > 0 ? lo * 0.05 : 0.5;

      lo -= half;
      hi += half;
    }
  width = (hi - lo) / histogram->n_bins;
  histogram->edges = g_new (double, histogram->n_bins + 1);
  histogram->counts = g_new0 (guint64, histogram->n_bins);
  for (guint i = 0; i <= histogram->n_bins; i++)
    histogram->edges[i] = lo + width * i;
  histogram->edges[histogram->n_bins] = hi;
  for (gsize i = 0; i < m; i++)
    {
      if (sorted[i] > hi)
        {
          histogram->n_beyond++;
          continue;
        }
      histogram->counts[MIN ((guint) ((sorted[i] - lo) / width), histogram->n_bins - 1)]++;
      histogram->n_values++;
    }
  return histogram;
}

void
gz_bench_histogram_free (GzBenchHistogram *histogram)
{
  if (histogram == NULL)
    return;
  g_free (histogram->edges);
  g_free (histogram->counts);
  g_free (histogram);
}
