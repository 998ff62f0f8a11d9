/* gz-bench-summary.h: the samples of each benchmark in a run summed up: medians, the 95%
 * confidence interval of the median ns/op, the range, the percentiles' medians. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gz-bench-result.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name;          /* borrowed from the samples */
  GPtrArray  *samples;       /* borrowed GzBenchResult, in run order (at least one) */
  double      ns;            /* median ns/op */
  double      ns_lo, ns_hi;  /* its confidence interval; NaN when too few samples */
  double      ns_min, ns_max;
  double      ops_per_sec;   /* median */
  gboolean    have_memory;   /* every sample has memory figures */
  double      bytes, allocs; /* medians per op; NaN without memory figures */
  double      percentiles[GZ_BENCH_N_PERCENTILES]; /* each the median over the samples */
} GzBenchSummary;

/* @results: GzBenchResult samples, several per name when repeated, in run order. Returns the
 * GzBenchSummary of each name in order of first appearance; they borrow from @results. */
GPtrArray *gz_bench_summarize   (GPtrArray *results);

/* The finite values of the double at @offset in each GzBenchResult of @samples (@n gets their
 * count), and their median (NaN when there is none). */
double    *gz_bench_samples_collect (GPtrArray *samples,
                                     gsize      offset,
                                     gsize     *n);
double     gz_bench_samples_median  (GPtrArray *samples,
                                     gsize      offset);

G_END_DECLS
