/* gz-bench-compare-format.h: a comparison of two labels as text: a table per metric for
 * people, the same in markdown, or json. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gz-bench-compare.h"
#include "gz-bench-format.h"

G_BEGIN_DECLS

/* GZ_BENCH_FORMAT_TABLE, _MARKDOWN or _JSON (any other format gives the table). */
char *gz_bench_compare_format          (GzBenchComparison *comparison,
                                        GzBenchFormat      format);
/* One value of @metric in its unit: "1.23 µs", "1.5 KiB", "12.3 k". */
char *gz_bench_compare_format_value    (GzBenchMetric      metric,
                                        double             value);
/* A median and its interval as the tables show it: "1.23 µs ±2%" (the interval's half-width
 * relative to the median), the value alone when there is no interval. */
char *gz_bench_compare_format_estimate (GzBenchMetric      metric,
                                        double             median,
                                        double             lo,
                                        double             hi);

G_END_DECLS
