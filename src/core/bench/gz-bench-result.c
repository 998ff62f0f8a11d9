/* gz-bench-result.c: one measured sample of a benchmark, its copies and its names. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "gz-bench-result.h"

static const char * const percentile_names[GZ_BENCH_N_PERCENTILES] = {
  "min", "p50", "p90", "p95", "p99", "max",
};
static const double percentile_q[GZ_BENCH_N_PERCENTILES] = { 0.0, 0.5, 0.9, 0.95, 0.99, 1.0 };

const char *
gz_bench_percentile_name (GzBenchPercentile p)
{
  g_return_val_if_fail (p < GZ_BENCH_N_PERCENTILES, NULL);
  return percentile_names[p];
}

double
gz_bench_percentile_quantile (GzBenchPercentile p)
{
  g_return_val_if_fail (p < GZ_BENCH_N_PERCENTILES, NAN);
  return percentile_q[p];
}

const char *
gz_bench_timing_name (GzBenchTiming timing)
{
  return timing == GZ_BENCH_TIMING_PER_BATCH ? "per-batch" : "per-op";
}

const char *
gz_bench_cut_name (GzBenchCut cut)
{
  switch (cut)
    {
    case GZ_BENCH_CUT_DURATION:
      return "duration";
    case GZ_BENCH_CUT_TIMEOUT:
      return "timeout";
    case GZ_BENCH_CUT_NONE:
    default:
      return NULL;
    }
}

GzBenchCut
gz_bench_cut_from_name (const char *name)
{
  if (g_strcmp0 (name, "duration") == 0)
    return GZ_BENCH_CUT_DURATION;
  if (g_strcmp0 (name, "timeout") == 0)
    return GZ_BENCH_CUT_TIMEOUT;
  return GZ_BENCH_CUT_NONE;
}

GzBenchResult *
gz_bench_result_new (void)
{
  GzBenchResult *result = g_new0 (GzBenchResult, 1);

  result->batch_size = 1;
  for (guint i = 0; i < GZ_BENCH_N_PERCENTILES; i++)
    result->percentiles[i] = NAN;
  result->alloc_bytes_per_op = result->allocs_per_op = NAN;
  result->user_nanos = result->system_nanos = result->max_rss_bytes = NAN;
  result->spawn_cost_ns = NAN;
  return result;
}

GzBenchResult *
gz_bench_result_copy (const GzBenchResult *result)
{
  GzBenchResult *copy = g_memdup2 (result, sizeof *result);

  copy->name = g_strdup (result->name);
  copy->suite = g_strdup (result->suite);
  copy->memory_profile = g_strdup (result->memory_profile);
  copy->cpu_profile = g_strdup (result->cpu_profile);
  copy->memory_note = g_strdup (result->memory_note);
  copy->command = g_strdup (result->command);
  copy->latencies = result->latencies != NULL
    ? g_memdup2 (result->latencies, result->n_latencies * sizeof (double)) : NULL;
  return copy;
}

void
gz_bench_result_free (GzBenchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->name);
  g_free (result->suite);
  g_free (result->memory_profile);
  g_free (result->cpu_profile);
  g_free (result->memory_note);
  g_free (result->command);
  g_free (result->latencies);
  g_free (result);
}

char *
gz_bench_result_name (const char *suite,
                      guint       concurrency)
{
  if (concurrency <= 1)
    return g_strdup (suite);
  return g_strdup_printf ("%s/concurrency=%u", suite, concurrency);
}
