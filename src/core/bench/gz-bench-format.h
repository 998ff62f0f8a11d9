/* gz-bench-format.h: the samples of a run as text: a table for people, json, Go's benchmark
 * format (readable by benchstat), csv and markdown. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gz-result-set.h"

G_BEGIN_DECLS

typedef enum
{
  GZ_BENCH_FORMAT_TABLE,
  GZ_BENCH_FORMAT_JSON,
  GZ_BENCH_FORMAT_GOBENCH,
  GZ_BENCH_FORMAT_CSV,
  GZ_BENCH_FORMAT_MARKDOWN,
} GzBenchFormat;

gboolean        gz_bench_format_from_string (const char           *name,
                                             GzBenchFormat        *format);
/* "table, json, gobench, csv, markdown". */
const char     *gz_bench_format_names       (void);

/* @results: GzBenchResult samples (several per name when repeated), in run order. @context
 * and @label may be NULL. Table output ends with warnings when there are too few samples.
 * Runs of commands get gz_command_format_results' table and markdown. */
char           *gz_bench_format_results     (GPtrArray            *results,
                                             const GzBenchContext *context,
                                             const char           *label,
                                             GzBenchFormat         format);

/* "BenchmarkJsonMarshal" for "json-marshal", "BenchmarkChannelOperations/concurrency=4". */
char           *gz_bench_gobench_name       (const char           *name);

G_END_DECLS
