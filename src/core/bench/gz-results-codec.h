/* gz-results-codec.h: the JSON form of benchmark results, as the results store writes its files
 * and the json formats print them: samples, contexts, whole label files, and the conventions
 * they share (a number that is not finite is null). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "gz-result-set.h"

G_BEGIN_DECLS

/* One sample: name, suite, concurrency, iterations, wall_ns, ns_per_op, ops_per_sec,
 * alloc_bytes_per_op, allocs_per_op, percentiles{min,p50,p90,p95,p99,max}, timing, batch_size,
 * timings, timer_cost_ns, memory_profile, cpu_profile, memory_note; for a command's run also
 * command, exit_status, user_ns, system_ns, max_rss_bytes, spawn_cost_ns. */
JsonNode       *gz_results_codec_result_to_json   (const GzBenchResult  *result);
/* GZ_RESULTS_ERROR_CORRUPT without a name or ns_per_op; missing optional members default. */
GzBenchResult  *gz_results_codec_result_from_json (JsonNode             *node,
                                                   GError              **error);
JsonNode       *gz_results_codec_context_to_json  (const GzBenchContext *context);
GzBenchContext *gz_results_codec_context_from_json (JsonNode            *node,
                                                   GError              **error);

/* A label's file: {"format": "gz-bench-results", "version": 1, "label", "runs": [{"context",
 * "results": [...]}, ...]}, pretty-printed. */
char           *gz_results_codec_set_to_text      (GzResultSet          *set,
                                                   gsize                *length);
/* @path names the file in errors (GZ_RESULTS_ERROR_CORRUPT); the set takes it. */
GzResultSet    *gz_results_codec_set_from_json    (JsonNode             *root,
                                                   const char           *path,
                                                   GError              **error);

/* The shared conventions, for the formats that write JSON. */
void            gz_results_codec_add_double       (JsonBuilder          *builder,
                                                   const char           *name,
                                                   double                value);
void            gz_results_codec_add_string       (JsonBuilder          *builder,
                                                   const char           *name,
                                                   const char           *value);
void            gz_results_codec_add_percentiles  (JsonBuilder          *builder,
                                                   const double         *percentiles);
/* The builder's root, pretty-printed. */
char           *gz_results_codec_builder_to_text  (JsonBuilder          *builder,
                                                   gsize                *length);

G_END_DECLS
