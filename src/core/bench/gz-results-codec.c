/* gz-results-codec.c: benchmark samples, contexts and label files to JSON and back. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include "gz-results-codec.h"

#define FILE_FORMAT  "gz-bench-results"
#define FILE_VERSION 1

/* --- shared conventions */

void
gz_results_codec_add_double (JsonBuilder *builder,
                             const char  *name,
                             double       value)
{
  json_builder_set_member_name (builder, name);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
gz_results_codec_add_string (JsonBuilder *builder,
                             const char  *name,
                             const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
gz_results_codec_add_percentiles (JsonBuilder  *builder,
                                  const double *percentiles)
{
  json_builder_set_member_name (builder, "percentiles");
  json_builder_begin_object (builder);
  for (guint i = 0; i < GZ_BENCH_N_PERCENTILES; i++)
    gz_results_codec_add_double (builder, gz_bench_percentile_name (i), percentiles[i]);
  json_builder_end_object (builder);
}

char *
gz_results_codec_builder_to_text (JsonBuilder *builder,
                                  gsize       *length)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, length);
}

static double
member_double (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return NAN;
  return json_node_get_double (node);
}

static char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

/* --- one sample */

JsonNode *
gz_results_codec_result_to_json (const GzBenchResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, result->name);
  json_builder_set_member_name (builder, "suite");
  json_builder_add_string_value (builder, result->suite);
  json_builder_set_member_name (builder, "concurrency");
  json_builder_add_int_value (builder, result->concurrency);
  json_builder_set_member_name (builder, "iterations");
  json_builder_add_int_value (builder, (gint64) result->iterations);
  json_builder_set_member_name (builder, "wall_ns");
  json_builder_add_int_value (builder, result->wall_nanos);
  gz_results_codec_add_double (builder, "ns_per_op", result->ns_per_op);
  gz_results_codec_add_double (builder, "ops_per_sec", result->ops_per_sec);
  gz_results_codec_add_double (builder, "alloc_bytes_per_op",
                               result->have_memory ? result->alloc_bytes_per_op : NAN);
  gz_results_codec_add_double (builder, "allocs_per_op",
                               result->have_memory ? result->allocs_per_op : NAN);
  gz_results_codec_add_percentiles (builder, result->percentiles);
  json_builder_set_member_name (builder, "timing");
  json_builder_add_string_value (builder, gz_bench_timing_name (result->timing));
  json_builder_set_member_name (builder, "batch_size");
  json_builder_add_int_value (builder, (gint64) result->batch_size);
  json_builder_set_member_name (builder, "timings");
  json_builder_add_int_value (builder, (gint64) result->n_timings);
  gz_results_codec_add_double (builder, "timer_cost_ns", result->timer_cost_ns);
  gz_results_codec_add_string (builder, "memory_profile", result->memory_profile);
  gz_results_codec_add_string (builder, "cpu_profile", result->cpu_profile);
  gz_results_codec_add_string (builder, "memory_note", result->memory_note);
  if (result->command != NULL)
    {
      gz_results_codec_add_string (builder, "command", result->command);
      json_builder_set_member_name (builder, "exit_status");
      json_builder_add_int_value (builder, result->exit_status);
      gz_results_codec_add_double (builder, "user_ns", result->user_nanos);
      gz_results_codec_add_double (builder, "system_ns", result->system_nanos);
      gz_results_codec_add_double (builder, "max_rss_bytes", result->max_rss_bytes);
      gz_results_codec_add_double (builder, "spawn_cost_ns", result->spawn_cost_ns);
      gz_results_codec_add_string (builder, "cut", gz_bench_cut_name (result->cut));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GzBenchResult *
gz_results_codec_result_from_json (JsonNode *node,
                                   GError  **error)
{
  g_autoptr(GzBenchResult) result = gz_bench_result_new ();
  JsonObject *object, *percentiles;
  char *timing, *cut;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto invalid;
  object = json_node_get_object (node);
  result->name = member_string (object, "name");
  result->suite = member_string (object, "suite");
  result->ns_per_op = member_double (object, "ns_per_op");
  if (result->name == NULL || !isfinite (result->ns_per_op))
    goto invalid;
  if (result->suite == NULL)
    result->suite = g_strdup (result->name);
  result->concurrency = (guint) json_object_get_int_member_with_default (object, "concurrency", 1);
  result->iterations = (guint64) json_object_get_int_member_with_default (object, "iterations", 0);
  result->wall_nanos = json_object_get_int_member_with_default (object, "wall_ns", 0);
  result->ops_per_sec = member_double (object, "ops_per_sec");
  result->alloc_bytes_per_op = member_double (object, "alloc_bytes_per_op");
  result->allocs_per_op = member_double (object, "allocs_per_op");
  result->have_memory = isfinite (result->alloc_bytes_per_op) && isfinite (result->allocs_per_op);
  percentiles = json_object_get_object_member (object, "percentiles");
  for (guint i = 0; percentiles != NULL && i < GZ_BENCH_N_PERCENTILES; i++)
    result->percentiles[i] = member_double (percentiles, gz_bench_percentile_name (i));
  timing = member_string (object, "timing");
  result->timing = g_strcmp0 (timing, "per-batch") == 0 ? GZ_BENCH_TIMING_PER_BATCH
                                                        : GZ_BENCH_TIMING_PER_OP;
  g_free (timing);
  result->batch_size = (guint64) json_object_get_int_member_with_default (object, "batch_size", 1);
  result->n_timings = (guint64) json_object_get_int_member_with_default (object, "timings", 0);
  result->timer_cost_ns = member_double (object, "timer_cost_ns");
  result->memory_profile = member_string (object, "memory_profile");
  result->cpu_profile = member_string (object, "cpu_profile");
  result->memory_note = member_string (object, "memory_note");
  result->command = member_string (object, "command");
  result->exit_status = (int) json_object_get_int_member_with_default (object, "exit_status", 0);
  result->user_nanos = member_double (object, "user_ns");
  result->system_nanos = member_double (object, "system_ns");
  result->max_rss_bytes = member_double (object, "max_rss_bytes");
  result->spawn_cost_ns = member_double (object, "spawn_cost_ns");
  cut = member_string (object, "cut");
  result->cut = gz_bench_cut_from_name (cut);
  g_free (cut);
  return g_steal_pointer (&result);

invalid:
  g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT,
               "a result without a name or ns_per_op");
  return NULL;
}

/* --- a context */

JsonNode *
gz_results_codec_context_to_json (const GzBenchContext *context)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  gz_results_codec_add_string (builder, "date", context->date);
  gz_results_codec_add_string (builder, "host", context->host);
  gz_results_codec_add_string (builder, "cpu_model", context->cpu_model);
  json_builder_set_member_name (builder, "cpu_count");
  json_builder_add_int_value (builder, context->cpu_count);
  gz_results_codec_add_string (builder, "gz_version", context->gz_version);
  gz_results_codec_add_string (builder, "build_type", context->build_type);
  gz_results_codec_add_string (builder, "command_line", context->command_line);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GzBenchContext *
gz_results_codec_context_from_json (JsonNode *node,
                                    GError  **error)
{
  GzBenchContext *context;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT, "no context object");
      return NULL;
    }
  object = json_node_get_object (node);
  context = g_new0 (GzBenchContext, 1);
  context->date = member_string (object, "date");
  context->host = member_string (object, "host");
  context->cpu_model = member_string (object, "cpu_model");
  context->cpu_count = (guint) json_object_get_int_member_with_default (object, "cpu_count", 0);
  context->gz_version = member_string (object, "gz_version");
  context->build_type = member_string (object, "build_type");
  context->command_line = member_string (object, "command_line");
  if (context->date == NULL)
    context->date = g_strdup ("");
  return context;
}

/* --- a label's file */

char *
gz_results_codec_set_to_text (GzResultSet *set,
                              gsize       *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, FILE_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FILE_VERSION);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, set->label);
  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (guint r = 0; r < set->runs->len; r++)
    {
      GzBenchRun *run = g_ptr_array_index (set->runs, r);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "context");
      json_builder_add_value (builder, gz_results_codec_context_to_json (run->context));
      json_builder_set_member_name (builder, "results");
      json_builder_begin_array (builder);
      for (guint i = 0; i < run->results->len; i++)
        json_builder_add_value (builder, gz_results_codec_result_to_json (
                                           g_ptr_array_index (run->results, i)));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return gz_results_codec_builder_to_text (builder, length);
}

/* One element of "runs"; NULL and @error (a bare reason) when it is not one. */
static GzBenchRun *
run_from_json (JsonNode  *node,
               GError   **error)
{
  g_autoptr(GzBenchRun) run = NULL;
  JsonObject *object;
  JsonArray *results;
  GzBenchContext *context;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto not_a_run;
  object = json_node_get_object (node);
  if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "results")))
    goto not_a_run;
  context = gz_results_codec_context_from_json (json_object_get_member (object, "context"),
                                                error);
  if (context == NULL)
    return NULL;
  run = gz_bench_run_new (context);
  results = json_object_get_array_member (object, "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      GzBenchResult *result =
        gz_results_codec_result_from_json (json_array_get_element (results, i), error);

      if (result == NULL)
        return NULL;
      g_ptr_array_add (run->results, result);
    }
  return g_steal_pointer (&run);

not_a_run:
  g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT, "not an object with results");
  return NULL;
}

GzResultSet *
gz_results_codec_set_from_json (JsonNode    *root,
                                const char  *path,
                                GError     **error)
{
  g_autoptr(GzResultSet) set = gz_result_set_new (NULL, path);
  JsonObject *object;
  JsonArray *runs;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto corrupt;
  object = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "format", ""),
                 FILE_FORMAT) != 0
      || !json_object_has_member (object, "label")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "runs")))
    goto corrupt;
  set->label = g_strdup (json_object_get_string_member_with_default (object, "label", ""));
  runs = json_object_get_array_member (object, "runs");
  for (guint r = 0; r < json_array_get_length (runs); r++)
    {
      g_autoptr(GError) local_error = NULL;
      GzBenchRun *run = run_from_json (json_array_get_element (runs, r), &local_error);

      if (run == NULL)
        {
          g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT,
                       "%s is not a gz results file (run %u: %s); move it away or delete it",
                       path, r + 1, local_error->message);
          return NULL;
        }
      g_ptr_array_add (set->runs, run);
    }
  return g_steal_pointer (&set);

corrupt:
  g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT,
               "%s is not a gz results file (expected an object with format \"%s\" and runs); "
               "move it away or delete it", path, FILE_FORMAT);
  return NULL;
}
