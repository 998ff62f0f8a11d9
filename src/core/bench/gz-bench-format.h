/* gz-bench-format.h: benchmark results as text (table, json, gobench, csv, markdown), their
 * JSON form in the results store, and the comparison of two labels (benchstat's method). */
#pragma once

#include <json-glib/json-glib.h>

#include "gz-bench-harness.h"
#include "gz-results-store.h"

G_BEGIN_DECLS

typedef enum
{
  GZ_BENCH_FORMAT_TABLE,
  GZ_BENCH_FORMAT_JSON,
  GZ_BENCH_FORMAT_GOBENCH,
  GZ_BENCH_FORMAT_CSV,
  GZ_BENCH_FORMAT_MARKDOWN,
} GzBenchFormat;

#define GZ_BENCH_CONFIDENCE 0.95

gboolean        gz_bench_format_from_string (const char      *name,
                                             GzBenchFormat   *format);
const char     *gz_bench_format_names       (void);

/* One sample as stored and as the json format writes it (ns_per_op, ops_per_sec,
 * alloc_bytes_per_op, allocs_per_op, percentiles{min,p50,p90,p95,p99,max}, …). */
JsonNode       *gz_bench_result_to_json     (const GzBenchResult  *result);
GzBenchResult  *gz_bench_result_from_json   (JsonNode             *node,
                                             GError              **error);
JsonNode       *gz_bench_context_to_json    (const GzBenchContext *context);
GzBenchContext *gz_bench_context_from_json  (JsonNode             *node,
                                             GError              **error);

/* @results: GzBenchResult samples (several per name when repeated), in run order. @context
 * may be NULL. Table output ends with warnings when there are too few samples. */
char           *gz_bench_format_results     (GPtrArray            *results,
                                             const GzBenchContext *context,
                                             const char           *label,
                                             GzBenchFormat         format);

/* "BenchmarkJsonMarshal" for "json-marshal", "BenchmarkChannelOperations/concurrency=4". */
char           *gz_bench_gobench_name       (const char           *name);

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

GzBenchComparison *gz_bench_compare          (GzResultSet       *baseline,
                                              GzResultSet       *current,
                                              double             threshold_percent,
                                              double             alpha);
void               gz_bench_comparison_free  (GzBenchComparison *comparison);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzBenchComparison, gz_bench_comparison_free)
const char        *gz_bench_metric_unit      (GzBenchMetric      metric);
/* table, json or markdown. */
char              *gz_bench_format_comparison (GzBenchComparison *comparison,
                                               GzBenchFormat      format);

G_END_DECLS
