/* gz-bench-compare.c: the comparison of two labels: medians, intervals, Mann–Whitney U,
 * verdicts, geomeans and the notes that say what is missing. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gz-bench-compare.h"
#include "gz-bench-statistics.h"

static const char * const metric_units[GZ_BENCH_N_METRICS] = {
  "ns/op", "B/op", "allocs/op", "cpu-ns/op", "peak-RSS-B",
};
static const char * const metric_keys[GZ_BENCH_N_METRICS] = {
  "ns_per_op", "alloc_bytes_per_op", "allocs_per_op", "cpu_ns_per_op", "max_rss_bytes",
};

const char *
gz_bench_metric_unit (GzBenchMetric metric)
{
  g_return_val_if_fail (metric < GZ_BENCH_N_METRICS, NULL);
  return metric_units[metric];
}

const char *
gz_bench_metric_key (GzBenchMetric metric)
{
  g_return_val_if_fail (metric < GZ_BENCH_N_METRICS, NULL);
  return metric_keys[metric];
}

double
gz_bench_metric_value (const GzBenchResult *result,
                       GzBenchMetric        metric)
{
  switch (metric)
    {
    case GZ_BENCH_METRIC_TIME:
      return result->ns_per_op;
    case GZ_BENCH_METRIC_BYTES:
      return result->have_memory ? result->alloc_bytes_per_op : NAN;
    case GZ_BENCH_METRIC_ALLOCS:
      return result->have_memory ? result->allocs_per_op : NAN;
    case GZ_BENCH_METRIC_CPU:
      return result->command != NULL ? result->user_nanos + result->system_nanos : NAN;
    case GZ_BENCH_METRIC_RSS:
      return result->command != NULL ? result->max_rss_bytes : NAN;
    case GZ_BENCH_N_METRICS:
    default:
      g_return_val_if_reached (NAN);
    }
}

const char *
gz_bench_verdict_name (GzBenchVerdict verdict)
{
  switch (verdict)
    {
    case GZ_BENCH_VERDICT_REGRESSION:
      return "regression";
    case GZ_BENCH_VERDICT_IMPROVEMENT:
      return "improvement";
    case GZ_BENCH_VERDICT_SAME:
    default:
      return "~";
    }
}

static double *
metric_values (GPtrArray     *samples,
               GzBenchMetric  metric,
               guint         *n)
{
  double *values = g_new (double, MAX (samples->len, 1));

  *n = 0;
  for (guint i = 0; i < samples->len; i++)
    {
      double v = gz_bench_metric_value (g_ptr_array_index (samples, i), metric);

      if (isfinite (v))
        values[(*n)++] = v;
    }
  return values;
}

static gboolean
all_equal (const double *x,
           guint         nx,
           const double *y,
           guint         ny)
{
  double first = nx > 0 ? x[0] : y[0];

  for (guint i = 0; i < nx; i++)
    if (x[i] != first)
      return FALSE;
  for (guint i = 0; i < ny; i++)
    if (y[i] != first)
      return FALSE;
  return TRUE;
}

static void
compare_metric (GzBenchDelta  *delta,
                GPtrArray     *base_samples,
                GPtrArray     *cur_samples,
                GzBenchMetric  metric,
                double         threshold,
                double         alpha)
{
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  guint nx, ny;

  memset (delta, 0, sizeof *delta);
  delta->p = NAN;
  x = metric_values (base_samples, metric, &nx);
  y = metric_values (cur_samples, metric, &ny);
  if (nx == 0 || ny == 0)
    return;
  delta->present = TRUE;
  delta->n_base = nx;
  delta->n_cur = ny;
  delta->base_median = gz_bench_statistics_median (x, nx);
  delta->cur_median = gz_bench_statistics_median (y, ny);
  gz_bench_statistics_median_ci (x, nx, GZ_BENCH_CONFIDENCE, &delta->base_lo, &delta->base_hi,
                                 NULL);
  gz_bench_statistics_median_ci (y, ny, GZ_BENCH_CONFIDENCE, &delta->cur_lo, &delta->cur_hi,
                                 NULL);
  if (delta->base_median != 0)
    delta->change = 100.0 * (delta->cur_median - delta->base_median) / delta->base_median;
  else
    delta->change = delta->cur_median == 0 ? 0.0 : INFINITY;
  delta->all_equal = all_equal (x, nx, y, ny);
  delta->verdict = GZ_BENCH_VERDICT_SAME;
  if (delta->all_equal)
    {
      delta->p = 1.0;
      return;
    }
  {
    GzMannWhitney mw;

    gz_bench_statistics_mann_whitney (x, nx, y, ny, &mw);
    delta->p = mw.p;
  }
  if (delta->p < alpha && fabs (delta->change) >= threshold)
    delta->verdict = delta->change > 0 ? GZ_BENCH_VERDICT_REGRESSION
                                       : GZ_BENCH_VERDICT_IMPROVEMENT;
}

static void
comparison_row_free (gpointer data)
{
  GzBenchComparisonRow *row = data;

  g_free (row->name);
  g_free (row);
}

GzBenchComparison *
gz_bench_compare (GzResultSet *baseline,
                  GzResultSet *current,
                  double       threshold_percent,
                  double       alpha)
{
  GzBenchComparison *c = g_new0 (GzBenchComparison, 1);
  g_autoptr(GPtrArray) base_names = gz_result_set_benchmark_names (baseline);
  g_autoptr(GPtrArray) cur_names = gz_result_set_benchmark_names (current);
  guint ci_min = gz_bench_statistics_ci_min_samples (GZ_BENCH_CONFIDENCE);
  guint mw_min = gz_bench_statistics_mann_whitney_min_samples (alpha);
  guint fewest = G_MAXUINT;
  gboolean untestable = FALSE;

  c->baseline = g_strdup (baseline->label);
  c->current = g_strdup (current->label);
  c->alpha = alpha;
  c->threshold = threshold_percent;
  c->rows = g_ptr_array_new_with_free_func (comparison_row_free);
  c->notes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < base_names->len; i++)
    {
      const char *name = g_ptr_array_index (base_names, i);
      g_autoptr(GPtrArray) x = NULL;
      g_autoptr(GPtrArray) y = NULL;
      GzBenchComparisonRow *row;

      if (!g_ptr_array_find_with_equal_func (cur_names, name, g_str_equal, NULL))
        {
          g_ptr_array_add (c->notes, g_strdup_printf ("%s: only in %s", name, c->baseline));
          continue;
        }
      x = gz_result_set_samples (baseline, name);
      y = gz_result_set_samples (current, name);
      row = g_new0 (GzBenchComparisonRow, 1);
      row->name = g_strdup (name);
      for (guint m = 0; m < GZ_BENCH_N_METRICS; m++)
        {
          compare_metric (&row->metrics[m], x, y, m, threshold_percent, alpha);
          if (row->metrics[m].verdict == GZ_BENCH_VERDICT_REGRESSION)
            c->n_regressions++;
          else if (row->metrics[m].verdict == GZ_BENCH_VERDICT_IMPROVEMENT)
            c->n_improvements++;
        }
      fewest = MIN (fewest, MIN (row->metrics[0].n_base, row->metrics[0].n_cur));
      untestable |= gz_bench_statistics_mann_whitney_min_p (row->metrics[0].n_base,
                                                            row->metrics[0].n_cur) > alpha;
      g_ptr_array_add (c->rows, row);
    }
  for (guint i = 0; i < cur_names->len; i++)
    if (!g_ptr_array_find_with_equal_func (base_names, g_ptr_array_index (cur_names, i),
                                           g_str_equal, NULL))
      g_ptr_array_add (c->notes, g_strdup_printf ("%s: only in %s",
                                                  (char *) g_ptr_array_index (cur_names, i),
                                                  c->current));

  if (untestable)
    g_ptr_array_add (c->notes, g_strdup_printf ("need >= %u samples on each side to detect a "
                                                "difference at alpha level %g (fewest here: %u);"
                                                " run with --count %u", mw_min, alpha, fewest,
                                                MAX (mw_min, ci_min)));
  if (fewest != G_MAXUINT && fewest < ci_min)
    g_ptr_array_add (c->notes, g_strdup_printf ("need >= %u samples for a confidence interval "
                                                "at level 0.95 (fewest here: %u); run with "
                                                "--count %u", ci_min, fewest, ci_min));

  for (guint m = 0; m < GZ_BENCH_N_METRICS; m++)
    {
      g_autofree double *b = g_new (double, MAX (c->rows->len, 1));
      g_autofree double *k = g_new (double, MAX (c->rows->len, 1));
      guint n = 0;

      for (guint i = 0; i < c->rows->len; i++)
        {
          GzBenchDelta *d = &((GzBenchComparisonRow *) g_ptr_array_index (c->rows, i))->metrics[m];

          /* As benchstat: a geomean over values that are all positive. */
          if (d->present && d->base_median > 0 && d->cur_median > 0)
            {
              b[n] = d->base_median;
              k[n] = d->cur_median;
              n++;
            }
        }
      c->geomean_base[m] = n > 0 ? gz_bench_statistics_geomean (b, n) : NAN;
      c->geomean_cur[m] = n > 0 ? gz_bench_statistics_geomean (k, n) : NAN;
    }
  return c;
}


void
gz_bench_comparison_free (GzBenchComparison *comparison)
{
  if (comparison == NULL)
    return;
  g_free (comparison->baseline);
  g_free (comparison->current);
  g_ptr_array_unref (comparison->rows);
  g_ptr_array_unref (comparison->notes);
  g_free (comparison);
}
