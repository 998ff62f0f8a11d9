/* gz-bench-compare.h: two labels compared as benchstat does: per benchmark and metric the
 * medians with their 95% confidence intervals, the change, a two-sided Mann–Whitney U p-value
 * and a verdict; a geometric mean over the benchmarks; notes when there are too few samples. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gz-result-set.h"

G_BEGIN_DECLS

typedef enum
{
  GZ_BENCH_VERDICT_SAME,        /* "~": not significant, or under the threshold */
  GZ_BENCH_VERDICT_REGRESSION,
  GZ_BENCH_VERDICT_IMPROVEMENT,
} GzBenchVerdict;

typedef enum
{
  GZ_BENCH_METRIC_TIME,   /* ns/op */
  GZ_BENCH_METRIC_BYTES,  /* B/op */
  GZ_BENCH_METRIC_ALLOCS, /* allocs/op */
  GZ_BENCH_METRIC_CPU,    /* a command's user + system CPU time per run (gz-command-bench) */
  GZ_BENCH_METRIC_RSS,    /* a command's peak RSS */
  GZ_BENCH_N_METRICS,
} GzBenchMetric;

typedef struct
{
  gboolean       present;      /* both sides have the metric */
  guint          n_base, n_cur;
  double         base_median, base_lo, base_hi; /* NaN bounds: too few for an interval */
  double         cur_median, cur_lo, cur_hi;
  double         change;       /* percent, (cur - base) / base */
  double         p;            /* two-sided Mann–Whitney U; NaN: not computed */
  gboolean       all_equal;
  GzBenchVerdict verdict;
} GzBenchDelta;

typedef struct
{
  char         *name;
  GzBenchDelta  metrics[GZ_BENCH_N_METRICS];
} GzBenchComparisonRow;

typedef struct
{
  char         *baseline;
  char         *current;
  double        alpha;
  double        threshold;     /* percent */
  GPtrArray    *rows;          /* GzBenchComparisonRow, benchmarks in both */
  double        geomean_base[GZ_BENCH_N_METRICS];
  double        geomean_cur[GZ_BENCH_N_METRICS];
  GPtrArray    *notes;         /* strings: too few samples, benchmarks in one only */
  guint         n_regressions;
  guint         n_improvements;
} GzBenchComparison;

GzBenchComparison *gz_bench_compare         (GzResultSet       *baseline,
                                             GzResultSet       *current,
                                             double             threshold_percent,
                                             double             alpha);
void               gz_bench_comparison_free (GzBenchComparison *comparison);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchComparison, gz_bench_comparison_free)

/* "ns/op", "B/op", "allocs/op", "cpu-ns/op", "peak-RSS-B". */
const char        *gz_bench_metric_unit     (GzBenchMetric      metric);
/* The key in JSON: "ns_per_op", "alloc_bytes_per_op", "allocs_per_op", "cpu_ns_per_op",
 * "max_rss_bytes". */
const char        *gz_bench_metric_key      (GzBenchMetric      metric);
/* The metric in @result; NaN when it has none. */
double             gz_bench_metric_value    (const GzBenchResult *result,
                                             GzBenchMetric      metric);
/* "regression", "improvement" or "~". */
const char        *gz_bench_verdict_name    (GzBenchVerdict     verdict);

G_END_DECLS
