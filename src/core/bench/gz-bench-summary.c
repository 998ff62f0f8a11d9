/* gz-bench-summary.c: the samples of each benchmark summed up by medians and intervals. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "gz-bench-statistics.h"
#include "gz-bench-summary.h"

double *
gz_bench_samples_collect (GPtrArray *samples,
                          gsize      offset,
                          gsize     *n)
{
  double *values = g_new (double, MAX (samples->len, 1));

  *n = 0;
  for (guint i = 0; i < samples->len; i++)
    {
      double v = G_STRUCT_MEMBER (double, g_ptr_array_index (samples, i), offset);

      if (isfinite (v))
        values[(*n)++] = v;
    }
  return values;
}

double
gz_bench_samples_median (GPtrArray *samples,
                         gsize      offset)
{
  gsize n;
  g_autofree double *values = gz_bench_samples_collect (samples, offset, &n);

  return gz_bench_statistics_median (values, n);
}

static void
summary_free (gpointer data)
{
  GzBenchSummary *summary = data;

  g_ptr_array_unref (summary->samples);
  g_free (summary);
}

/* The median of a field of GzBenchResult over the summary's samples. */
#define MEDIAN_OF(s, field) \
  gz_bench_samples_median ((s)->samples, G_STRUCT_OFFSET (GzBenchResult, field))

static void
summary_compute (GzBenchSummary *s)
{
  gsize n;
  g_autofree double *ns =
    gz_bench_samples_collect (s->samples, G_STRUCT_OFFSET (GzBenchResult, ns_per_op), &n);

  s->ns = gz_bench_statistics_median (ns, n);
  gz_bench_statistics_median_ci (ns, n, GZ_BENCH_CONFIDENCE, &s->ns_lo, &s->ns_hi, NULL);
  gz_bench_statistics_sort (ns, n);
  s->ns_min = n > 0 ? ns[0] : NAN;
  s->ns_max = n > 0 ? ns[n - 1] : NAN;
  s->ops_per_sec = MEDIAN_OF (s, ops_per_sec);
  s->bytes = s->have_memory ? MEDIAN_OF (s, alloc_bytes_per_op) : NAN;
  s->allocs = s->have_memory ? MEDIAN_OF (s, allocs_per_op) : NAN;
  for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
    s->percentiles[p] = MEDIAN_OF (s, percentiles[p]);
}

GPtrArray *
gz_bench_summarize (GPtrArray *results)
{
  GPtrArray *summaries = g_ptr_array_new_with_free_func (summary_free);

  for (guint i = 0; i < results->len; i++)
    {
      GzBenchResult *result = g_ptr_array_index (results, i);
      GzBenchSummary *summary = NULL;

      /* A run stopped before its end is no sample. */
      if (result->cut != GZ_BENCH_CUT_NONE)
        continue;
      for (guint j = 0; j < summaries->len && summary == NULL; j++)
        if (g_str_equal (((GzBenchSummary *) g_ptr_array_index (summaries, j))->name,
                         result->name))
          summary = g_ptr_array_index (summaries, j);
      if (summary == NULL)
        {
          summary = g_new0 (GzBenchSummary, 1);
          summary->name = result->name;
          summary->samples = g_ptr_array_new ();
          summary->have_memory = TRUE;
          g_ptr_array_add (summaries, summary);
        }
      g_ptr_array_add (summary->samples, result);
      summary->have_memory = summary->have_memory && result->have_memory;
    }
  for (guint j = 0; j < summaries->len; j++)
    summary_compute (g_ptr_array_index (summaries, j));
  return summaries;
}
