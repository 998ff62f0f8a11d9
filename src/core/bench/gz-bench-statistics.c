/* gz-bench-statistics.c: quantiles, the median's confidence interval, Mann–Whitney U, geomean. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gz-bench-statistics.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

void
gz_bench_statistics_sort (double *values,
                          gsize   n)
{
  if (n > 1)
    qsort (values, n, sizeof (double), compare_doubles);
}

static double *
sorted_copy (const double *values,
             gsize         n)
{
  double *copy = g_memdup2 (values, n * sizeof (double));

  qsort (copy, n, sizeof (double), compare_doubles);
  return copy;
}

double
gz_bench_statistics_quantile_sorted (const double *sorted,
                                     gsize         n,
                                     double        q)
{
  double h;
  gsize lo;

  g_return_val_if_fail (n > 0, NAN);

  q = CLAMP (q, 0.0, 1.0);
  h = (double) (n - 1) * q;
  lo = (gsize) floor (h);
  if (lo + 1 >= n)
    return sorted[n - 1];
  return sorted[lo] + (h - (double) lo) * (sorted[lo + 1] - sorted[lo]);
}

double
gz_bench_statistics_median (const double *values,
                            gsize         n)
{
  g_autofree double *sorted = NULL;

  if (n == 0)
    return NAN;
  sorted = sorted_copy (values, n);
  return gz_bench_statistics_quantile_sorted (sorted, n, 0.5);
}

/* P(Binomial(n, ½) = j), in log space so that large n does not underflow. */
static double
binomial_half_pmf (gsize n,
                   gsize j)
{
  return exp (lgamma ((double) n + 1) - lgamma ((double) j + 1) - lgamma ((double) (n - j) + 1)
              - (double) n * G_LN2);
}

gboolean
gz_bench_statistics_median_ci (const double *values,
                               gsize         n,
                               double        confidence,
                               double       *lo,
                               double       *hi,
                               double       *coverage)
{
  g_autofree double *sorted = NULL;
  double below = 0.0; /* P(B < k) */
  double best_coverage = NAN;
  gsize best_k = 0;

  *lo = *hi = NAN;
  if (coverage != NULL)
    *coverage = NAN;
  if (n == 0)
    return FALSE;

  /* x(k) <= median <= x(n+1-k) fails only when fewer than k values lie on one side. */
  for (gsize k = 1; 2 * k <= n + 1; k++)
    {
      double cov;

      below += binomial_half_pmf (n, k - 1);
      cov = 1.0 - 2.0 * below;
      if (cov < confidence)
        break;
      best_k = k;
      best_coverage = cov;
    }
  if (best_k == 0)
    return FALSE;

  sorted = sorted_copy (values, n);
  *lo = sorted[best_k - 1];
  *hi = sorted[n - best_k];
  if (coverage != NULL)
    *coverage = best_coverage;
  return TRUE;
}

guint
gz_bench_statistics_ci_min_samples (double confidence)
{
  /* The widest interval, [min, max], covers the median with probability 1 - 2·2^-n. */
  for (guint n = 1; n < 64; n++)
    if (1.0 - 2.0 * ldexp (1.0, -(int) n) >= confidence)
      return n;
  return 64;
}

/* Counts of U = 0..m·n over all C(m+n, m) orderings without ties: the coefficients of the
 * Gaussian binomial [m+n choose m]_q = Π_{i=1..m} (1 - q^(n+i)) / (1 - q^i). Multiplying and
 * dividing in turn keeps every intermediate a Gaussian binomial, so the coefficients stay
 * non-negative; the low ones (the tails) are exact integers. */
static double *
mann_whitney_counts (gsize m,
                     gsize n)
{
  gsize size = m * n + 1;
  double *c = g_new0 (double, size);

  c[0] = 1.0;
  for (gsize i = 1; i <= m; i++)
    {
      gsize up = n + i;

      for (gsize u = size; u-- > up;)
        c[u] -= c[u - up];
      for (gsize u = i; u < size; u++)
        c[u] += c[u - i];
    }
  return c;
}

static double
log_choose (gsize n,
            gsize k)
{
  return lgamma ((double) n + 1) - lgamma ((double) k + 1) - lgamma ((double) (n - k) + 1);
}

void
gz_bench_statistics_mann_whitney (const double  *x,
                                  gsize          nx,
                                  const double  *y,
                                  gsize          ny,
                                  GzMannWhitney *result)
{
  g_autofree double *all = NULL;
  g_autofree double *sorted = NULL;
  double u = 0.0, tie_term = 0.0;
  gsize n = nx + ny;

  memset (result, 0, sizeof *result);
  result->p = 1.0;
  g_return_if_fail (nx > 0 && ny > 0);

  for (gsize i = 0; i < nx; i++)
    for (gsize j = 0; j < ny; j++)
      u += x[i] > y[j] ? 1.0 : x[i] == y[j] ? 0.5 : 0.0;
  result->u = u;

  all = g_new (double, n);
  memcpy (all, x, nx * sizeof (double));
  memcpy (all + nx, y, ny * sizeof (double));
  sorted = sorted_copy (all, n);
  for (gsize i = 0; i < n;)
    {
      gsize j = i + 1;

      while (j < n && sorted[j] == sorted[i])
        j++;
      if (j - i > 1)
        {
          double t = (double) (j - i);

          tie_term += t * t * t - t;
          result->ties = TRUE;
        }
      i = j;
    }

  if (!result->ties && nx < 50 && ny < 50)
    {
      g_autofree double *counts = mann_whitney_counts (nx, ny);
      gsize k = (gsize) MIN (u, (double) (nx * ny) - u);
      double tail = 0.0;

      for (gsize j = 0; j <= k; j++)
        tail += counts[j];
      result->exact = TRUE;
      result->p = MIN (1.0, 2.0 * exp (log (tail) - log_choose (n, nx)));
      return;
    }

  {
    double mn = (double) nx * (double) ny;
    double sigma = sqrt (mn / 12.0 * (((double) n + 1.0) - tie_term / ((double) n * (n - 1.0))));
    double z = u - mn / 2.0;

    if (sigma <= 0.0 || !isfinite (sigma))
      {
        result->p = 1.0; /* every value equal: no evidence of any difference */
        return;
      }
    z = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0.0)) / sigma;
    result->p = MIN (1.0, erfc (fabs (z) / G_SQRT2));
  }
}

double
gz_bench_statistics_mann_whitney_min_p (gsize nx,
                                        gsize ny)
{
  if (nx == 0 || ny == 0)
    return 1.0;
  return MIN (1.0, 2.0 * exp (-log_choose (nx + ny, nx)));
}

guint
gz_bench_statistics_mann_whitney_min_samples (double alpha)
{
  for (guint n = 1; n < 1000; n++)
    if (gz_bench_statistics_mann_whitney_min_p (n, n) <= alpha)
      return n;
  return 1000;
}

double
gz_bench_statistics_geomean (const double *values,
                             gsize         n)
{
  double sum = 0.0;
  gsize used = 0;

  for (gsize i = 0; i < n; i++)
    if (values[i] > 0.0 && isfinite (values[i]))
      {
        sum += log (values[i]);
        used++;
      }
  return used == 0 ? NAN : exp (sum / (double) used);
}
