/* test-statistics.c: quantiles, the median's confidence interval and the Mann–Whitney U test
 * against hand-worked cases and published values. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "gz-bench-statistics.h"

static void
test_quantile (void)
{
  const double sorted[] = { 1, 2, 3, 4 };
  const double odd[] = { 5, 1, 3 };

  /* numpy.percentile([1,2,3,4], [0, 50, 90, 100]) = 1, 2.5, 3.7, 4 */
  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_quantile_sorted (sorted, 4, 0.0), 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_quantile_sorted (sorted, 4, 0.5), 2.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_quantile_sorted (sorted, 4, 0.9), 3.7, 1e-12);
  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_quantile_sorted (sorted, 4, 1.0), 4.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_median (odd, 3), 3.0, 1e-12);
  g_assert_true (isnan (gz_bench_statistics_median (odd, 0)));
}

static void
test_median_ci (void)
{
  const double six[] = { 6, 2, 4, 1, 5, 3 };
  const double ten[] = { 10, 3, 7, 1, 9, 2, 8, 4, 6, 5 };
  double twenty[20];
  double lo, hi, coverage;

  g_assert_cmpuint (gz_bench_statistics_ci_min_samples (0.95), ==, 6);
  g_assert_cmpuint (gz_bench_statistics_ci_min_samples (0.99), ==, 8);

  /* 5 values: [min, max] covers the median with probability 1 - 2/32 = 0.9375 < 0.95. */
  g_assert_false (gz_bench_statistics_median_ci (six, 5, 0.95, &lo, &hi, NULL));
  g_assert_true (isnan (lo) && isnan (hi));

  /* 6 values: [x(1), x(6)], coverage 1 - 2/64. */
  g_assert_true (gz_bench_statistics_median_ci (six, 6, 0.95, &lo, &hi, &coverage));
  g_assert_cmpfloat (lo, ==, 1);
  g_assert_cmpfloat (hi, ==, 6);
  g_assert_cmpfloat_with_epsilon (coverage, 0.96875, 1e-12);

  /* n = 10: the published 95% interval is (x(2), x(9)), coverage 1 - 2·11/1024. */
  g_assert_true (gz_bench_statistics_median_ci (ten, 10, 0.95, &lo, &hi, &coverage));
  g_assert_cmpfloat (lo, ==, 2);
  g_assert_cmpfloat (hi, ==, 9);
  g_assert_cmpfloat_with_epsilon (coverage, 1.0 - 22.0 / 1024.0, 1e-12);

  /* n = 20: (x(6), x(15)), coverage 1 - 2·P(B(20,½) <= 5) = 1 - 2·21700/1048576. */
  for (guint i = 0; i < 20; i++)
    twenty[i] = (double) ((i * 7) % 20 + 1);
  g_assert_true (gz_bench_statistics_median_ci (twenty, 20, 0.95, &lo, &hi, &coverage));
  g_assert_cmpfloat (lo, ==, 6);
  g_assert_cmpfloat (hi, ==, 15);
  g_assert_cmpfloat_with_epsilon (coverage, 1.0 - 2.0 * 21700.0 / 1048576.0, 1e-12);
}

static void
assert_mw (const double *x,
           gsize         nx,
           const double *y,
           gsize         ny,
           double        u,
           double        p,
           gboolean      exact)
{
  GzMannWhitney mw;

  gz_bench_statistics_mann_whitney (x, nx, y, ny, &mw);
  g_assert_cmpfloat_with_epsilon (mw.u, u, 1e-12);
  g_assert_cmpfloat_with_epsilon (mw.p, p, 5e-5);
  g_assert_cmpint (mw.exact, ==, exact);
}

static void
test_mann_whitney_exact (void)
{
  const double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 };
  const double a4[] = { 1, 2, 3, 4 }, b4[] = { 5, 6, 7, 8 };
  /* Critical-value tables, n1 = n2 = 5, two-sided alpha 0.05: U <= 2 is significant. */
  const double a5[] = { 1, 2, 3, 4, 6.5 }, a5b[] = { 1, 2, 3, 4, 7.5 };
  const double b5[] = { 5, 6, 7, 8, 9 };
  /* SciPy's mannwhitneyu example: U1 = 17, exact two-sided p = 0.1111. */
  const double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
  /* R's wilcox.test example (Hollander & Wolfe, permeability constants): W = 35, one-sided
   * p = 0.1272, so two-sided 0.2544. */
  const double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
  const double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };

  assert_mw (a3, 3, b3, 3, 0, 0.1, TRUE);                 /* 2 · 1/20 */
  assert_mw (b3, 3, a3, 3, 9, 0.1, TRUE);                 /* symmetric */
  assert_mw (a4, 4, b4, 4, 0, 2.0 / 70.0, TRUE);
  assert_mw (a5, 5, b5, 5, 2, 2.0 * 4.0 / 252.0, TRUE);   /* 0.0317 < 0.05 */
  assert_mw (a5b, 5, b5, 5, 3, 2.0 * 7.0 / 252.0, TRUE);  /* 0.0556 > 0.05 */
  assert_mw (males, 5, females, 4, 17, 0.111111, TRUE);
  assert_mw (rx, 10, ry, 5, 35, 0.254412, TRUE);
  assert_mw (a3, 3, a3, 3, 4.5, 1.0, FALSE);               /* all tied pairwise */

  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_mann_whitney_min_p (4, 4), 2.0 / 70.0, 1e-12);
  g_assert_cmpuint (gz_bench_statistics_mann_whitney_min_samples (0.05), ==, 4);
  g_assert_cmpuint (gz_bench_statistics_mann_whitney_min_samples (0.01), ==, 5);
}

static void
test_mann_whitney_ties (void)
{
  /* By hand: U = 0 + 0.5 + 0.5 + 1.5 = 2.5; N = 8, ties 2×3 and 3×2 give Σ(t³-t) = 24 + 6;
   * σ² = 16/12 · (9 - 30/56) = 11.2857; z = (2.5 - 8 + 0.5)/σ = -1.48835;
   * p = 2Φ(z) = 0.13666 (R: wilcox.test(c(1,2,2,3), c(2,3,4,5)) gives W = 2.5, p = 0.1366). */
  const double x[] = { 1, 2, 2, 3 }, y[] = { 2, 3, 4, 5 };
  const double same[] = { 7, 7, 7 };
  GzMannWhitney mw;

  assert_mw (x, 4, y, 4, 2.5, 0.136658, FALSE);
  gz_bench_statistics_mann_whitney (x, 4, y, 4, &mw);
  g_assert_true (mw.ties);

  /* Every value equal: no evidence at all. */
  gz_bench_statistics_mann_whitney (same, 3, same, 3, &mw);
  g_assert_cmpfloat (mw.p, ==, 1.0);
}

static void
test_mann_whitney_large (void)
{
  double x[49], y[49];
  GzMannWhitney exact, approx;
  double xa[60], ya[60];

  /* Near the switch to the normal approximation the two agree closely. */
  for (guint i = 0; i < 49; i++)
    {
      x[i] = 2.0 * i;
      y[i] = 2.0 * i + 1.0 + (i % 3 == 0 ? 20.25 : 0.0);
    }
  gz_bench_statistics_mann_whitney (x, 49, y, 49, &exact);
  g_assert_true (exact.exact);
  for (guint i = 0; i < 60; i++)
    {
      xa[i] = i < 49 ? x[i] : 1000.0 + i;
      ya[i] = i < 49 ? y[i] : 1000.5 + i;
    }
  gz_bench_statistics_mann_whitney (xa, 49, ya, 49, &approx);
  g_assert_true (approx.exact);
  gz_bench_statistics_mann_whitney (xa, 50, ya, 50, &approx);
  g_assert_false (approx.exact);
  g_assert_cmpfloat (exact.p, >, 0.0);
  g_assert_cmpfloat (exact.p, <, 1.0);
  g_assert_cmpfloat (fabs (exact.p - approx.p), <, 0.02);
  /* Complete separation at n = 49 + 49: p = 2 / C(98, 49), far below any alpha. */
  for (guint i = 0; i < 49; i++)
    y[i] = 1000.0 + i;
  gz_bench_statistics_mann_whitney (x, 49, y, 49, &exact);
  g_assert_cmpfloat_with_epsilon (exact.p / gz_bench_statistics_mann_whitney_min_p (49, 49), 1.0, 1e-6);
}

static void
test_geomean (void)
{
  const double v[] = { 1, 4, 16 };
  const double with_zero[] = { 0, 2, 8 };

  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_geomean (v, 3), 4.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (gz_bench_statistics_geomean (with_zero, 3), 4.0, 1e-12);
  g_assert_true (isnan (gz_bench_statistics_geomean (with_zero, 1)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/statistics/quantile", test_quantile);
  g_test_add_func ("/core/statistics/median-ci", test_median_ci);
  g_test_add_func ("/core/statistics/mann-whitney-exact", test_mann_whitney_exact);
  g_test_add_func ("/core/statistics/mann-whitney-ties", test_mann_whitney_ties);
  g_test_add_func ("/core/statistics/mann-whitney-large", test_mann_whitney_large);
  g_test_add_func ("/core/statistics/geomean", test_geomean);
  return g_test_run ();
}
