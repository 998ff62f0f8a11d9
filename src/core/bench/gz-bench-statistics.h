/* gz-bench-statistics.h: the statistics benchmarks need, as benchstat computes them: quantiles,
 * a distribution-free confidence interval for the median, the Mann–Whitney U test, geomeans. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The confidence level of every interval the benchmarks report, as benchstat's. */
#define GZ_BENCH_CONFIDENCE 0.95

/* Sorts @values ascending in place. */
void     gz_bench_statistics_sort                     (double *values,
                                                       gsize   n);
/* The @q quantile (0..1) of @sorted (ascending, @n > 0), interpolated linearly between order
 * statistics (R's type 7, numpy's default). */
double   gz_bench_statistics_quantile_sorted          (const double *sorted,
                                                       gsize         n,
                                                       double        q);
/* The median of @values (any order; copied). NaN when @n is 0. */
double   gz_bench_statistics_median                   (const double *values,
                                                       gsize         n);

/* Distribution-free confidence interval for the median from order statistics: the widest
 * symmetric pair x(k), x(n+1-k) whose coverage 1 - 2·P(Binomial(n, ½) < k) is at least
 * @confidence. FALSE (and NaN bounds) when @n is too small for that confidence; then
 * gz_bench_statistics_ci_min_samples tells how many are needed. @coverage may be NULL. */
gboolean gz_bench_statistics_median_ci                (const double *values,
                                                       gsize         n,
                                                       double        confidence,
                                                       double       *lo,
                                                       double       *hi,
                                                       double       *coverage);
guint    gz_bench_statistics_ci_min_samples           (double confidence);

typedef struct
{
  double   u;        /* U of the first sample: pairs (x, y) with x > y, ties count ½ */
  double   p;        /* two-sided p-value */
  gboolean exact;    /* exact distribution (no ties, small samples) or normal approximation */
  gboolean ties;
} GzMannWhitney;

/* Two-sided Mann–Whitney U test of @x against @y (both non-empty). Exact when there are no
 * ties and both samples have fewer than 50 values; otherwise the normal approximation with
 * tie correction and continuity correction (as R's wilcox.test does). */
void     gz_bench_statistics_mann_whitney             (const double  *x,
                                                       gsize          nx,
                                                       const double  *y,
                                                       gsize          ny,
                                                       GzMannWhitney *result);
/* The smallest two-sided p-value the test can give for sizes @nx, @ny: 2 / C(nx+ny, nx). */
double   gz_bench_statistics_mann_whitney_min_p       (gsize nx,
                                                       gsize ny);
/* How many samples each side needs before a difference can be significant at @alpha. */
guint    gz_bench_statistics_mann_whitney_min_samples (double alpha);

/* Geometric mean of the positive values; NaN when none is positive. */
double   gz_bench_statistics_geomean                  (const double *values,
                                                       gsize         n);

G_END_DECLS
