/* gz-bench-format.c: benchmark results and comparisons as text, and their stored JSON form. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gz-bench-format.h"
#include "gz-bench-statistics.h"

static const char * const format_names[] = { "table", "json", "gobench", "csv", "markdown" };

gboolean
gz_bench_format_from_string (const char    *name,
                             GzBenchFormat *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_strcmp0 (name, format_names[i]) == 0)
      {
        *format = (GzBenchFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
gz_bench_format_names (void)
{
  return "table, json, gobench, csv, markdown";
}

/* --- JSON form of a sample and a context */

static void
add_double_or_null (JsonBuilder *builder,
                    const char  *name,
                    double       value)
{
  json_builder_set_member_name (builder, name);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_percentiles (JsonBuilder  *builder,
                 const double *percentiles)
{
  json_builder_set_member_name (builder, "percentiles");
  json_builder_begin_object (builder);
  for (guint i = 0; i < GZ_BENCH_N_PERCENTILES; i++)
    add_double_or_null (builder, gz_bench_percentile_name (i), percentiles[i]);
  json_builder_end_object (builder);
}

static const char *
timing_name (GzBenchTiming timing)
{
  return timing == GZ_BENCH_TIMING_PER_BATCH ? "per-batch" : "per-op";
}

JsonNode *
gz_bench_result_to_json (const GzBenchResult *result)
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
  add_double_or_null (builder, "ns_per_op", result->ns_per_op);
  add_double_or_null (builder, "ops_per_sec", result->ops_per_sec);
  add_double_or_null (builder, "alloc_bytes_per_op",
                      result->have_memory ? result->alloc_bytes_per_op : NAN);
  add_double_or_null (builder, "allocs_per_op", result->have_memory ? result->allocs_per_op : NAN);
  add_percentiles (builder, result->percentiles);
  json_builder_set_member_name (builder, "timing");
  json_builder_add_string_value (builder, timing_name (result->timing));
  json_builder_set_member_name (builder, "batch_size");
  json_builder_add_int_value (builder, (gint64) result->batch_size);
  json_builder_set_member_name (builder, "timings");
  json_builder_add_int_value (builder, (gint64) result->n_timings);
  add_double_or_null (builder, "timer_cost_ns", result->timer_cost_ns);
  add_string_or_null (builder, "memory_profile", result->memory_profile);
  add_string_or_null (builder, "cpu_profile", result->cpu_profile);
  add_string_or_null (builder, "memory_note", result->memory_note);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
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

GzBenchResult *
gz_bench_result_from_json (JsonNode *node,
                           GError  **error)
{
  g_autoptr(GzBenchResult) result = gz_bench_result_new ();
  JsonObject *object, *percentiles;
  char *timing;

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
  return g_steal_pointer (&result);

invalid:
  g_set_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT,
               "a result without a name or ns_per_op");
  return NULL;
}

JsonNode *
gz_bench_context_to_json (const GzBenchContext *context)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string_or_null (builder, "date", context->date);
  add_string_or_null (builder, "host", context->host);
  add_string_or_null (builder, "cpu_model", context->cpu_model);
  json_builder_set_member_name (builder, "cpu_count");
  json_builder_add_int_value (builder, context->cpu_count);
  add_string_or_null (builder, "gz_version", context->gz_version);
  add_string_or_null (builder, "build_type", context->build_type);
  add_string_or_null (builder, "command_line", context->command_line);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GzBenchContext *
gz_bench_context_from_json (JsonNode *node,
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

/* --- numbers for people */

static char *
format_ns (double ns)
{
  double a = fabs (ns);

  if (!isfinite (ns))
    return g_strdup ("-");
  if (a >= 1e9)
    return g_strdup_printf ("%.3g s", ns / 1e9);
  if (a >= 1e6)
    return g_strdup_printf ("%.3g ms", ns / 1e6);
  if (a >= 1e3)
    return g_strdup_printf ("%.3g µs", ns / 1e3);
  if (a >= 100)
    return g_strdup_printf ("%.0f ns", ns);
  return g_strdup_printf ("%.3g ns", ns);
}

static char *
format_bytes (double bytes)
{
  if (!isfinite (bytes))
    return g_strdup ("-");
  if (bytes < 1024)
    return g_strdup_printf ("%.4g B", bytes);
  if (bytes < 1024 * 1024)
    return g_strdup_printf ("%.3g KiB", bytes / 1024);
  return g_strdup_printf ("%.3g MiB", bytes / (1024 * 1024));
}

static char *
format_count (double n)
{
  if (!isfinite (n))
    return g_strdup ("-");
  if (n >= 1e9)
    return g_strdup_printf ("%.3g G", n / 1e9);
  if (n >= 1e6)
    return g_strdup_printf ("%.3g M", n / 1e6);
  if (n >= 1e3)
    return g_strdup_printf ("%.3g k", n / 1e3);
  return g_strdup_printf ("%.4g", n);
}

static char *
format_metric (GzBenchMetric metric,
               double        value)
{
  switch (metric)
    {
    case GZ_BENCH_METRIC_TIME:
      return format_ns (value);
    case GZ_BENCH_METRIC_BYTES:
      return format_bytes (value);
    case GZ_BENCH_METRIC_ALLOCS:
    case GZ_BENCH_N_METRICS:
    default:
      return format_count (value);
    }
}

/* --- summaries of the samples of one benchmark */

typedef struct
{
  const char *name;
  GPtrArray  *samples;       /* borrowed GzBenchResult */
  double      ns, ns_lo, ns_hi;
  double      ns_min, ns_max;
  double      ops_per_sec;
  gboolean    have_memory;
  double      bytes, allocs;
  double      percentiles[GZ_BENCH_N_PERCENTILES];
} Summary;

static double
sample_value (const GzBenchResult *result,
              GzBenchMetric        metric)
{
  switch (metric)
    {
    case GZ_BENCH_METRIC_TIME:
      return result->ns_per_op;
    case GZ_BENCH_METRIC_BYTES:
      return result->have_memory ? result->alloc_bytes_per_op : NAN;
    case GZ_BENCH_METRIC_ALLOCS:
    case GZ_BENCH_N_METRICS:
    default:
      return result->have_memory ? result->allocs_per_op : NAN;
    }
}

/* The values of @field over @samples; @n gets the count. */
static double *
collect (GPtrArray *samples,
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

static double
median_of (GPtrArray *samples,
           gsize      offset)
{
  gsize n;
  g_autofree double *values = collect (samples, offset, &n);

  return gz_bench_statistics_median (values, n);
}

static GPtrArray *
summarize (GPtrArray *results)
{
  GPtrArray *summaries = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < results->len; i++)
    {
      GzBenchResult *result = g_ptr_array_index (results, i);
      Summary *summary = NULL;

      for (guint j = 0; j < summaries->len && summary == NULL; j++)
        if (g_str_equal (((Summary *) g_ptr_array_index (summaries, j))->name, result->name))
          summary = g_ptr_array_index (summaries, j);
      if (summary == NULL)
        {
          summary = g_new0 (Summary, 1);
          summary->name = result->name;
          summary->samples = g_ptr_array_new ();
          summary->have_memory = TRUE;
          g_ptr_array_add (summaries, summary);
        }
      g_ptr_array_add (summary->samples, result);
      summary->have_memory = summary->have_memory && result->have_memory;
    }

  for (guint j = 0; j < summaries->len; j++)
    {
      Summary *s = g_ptr_array_index (summaries, j);
      gsize n;
      g_autofree double *ns = collect (s->samples, G_STRUCT_OFFSET (GzBenchResult, ns_per_op), &n);

      s->ns = gz_bench_statistics_median (ns, n);
      gz_bench_statistics_median_ci (ns, n, GZ_BENCH_CONFIDENCE, &s->ns_lo, &s->ns_hi, NULL);
      gz_bench_statistics_sort (ns, n);
      s->ns_min = n > 0 ? ns[0] : NAN;
      s->ns_max = n > 0 ? ns[n - 1] : NAN;
      s->ops_per_sec = median_of (s->samples, G_STRUCT_OFFSET (GzBenchResult, ops_per_sec));
      s->bytes = s->have_memory
        ? median_of (s->samples, G_STRUCT_OFFSET (GzBenchResult, alloc_bytes_per_op)) : NAN;
      s->allocs = s->have_memory
        ? median_of (s->samples, G_STRUCT_OFFSET (GzBenchResult, allocs_per_op)) : NAN;
      for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
        s->percentiles[p] = median_of (s->samples, G_STRUCT_OFFSET (GzBenchResult, percentiles)
                                                   + p * sizeof (double));
    }
  return summaries;
}

static void
summaries_free (GPtrArray *summaries)
{
  for (guint j = 0; j < summaries->len; j++)
    g_ptr_array_unref (((Summary *) g_ptr_array_index (summaries, j))->samples);
  g_ptr_array_unref (summaries);
}

/* --- table */

static void
append_table (GString              *out,
              GPtrArray            *summaries,
              const GzBenchContext *context,
              const char           *label)
{
  guint ci_min = gz_bench_statistics_ci_min_samples (GZ_BENCH_CONFIDENCE);
  guint fewest = G_MAXUINT;
  double timer_cost = NAN;
  GPtrArray *notes = g_ptr_array_new_with_free_func (g_free);

  for (guint j = 0; j < summaries->len; j++)
    {
      Summary *s = g_ptr_array_index (summaries, j);
      GzBenchResult *first = g_ptr_array_index (s->samples, 0);
      g_autofree char *median = format_ns (s->ns);
      g_autofree char *ops = format_count (s->ops_per_sec);
      guint n = s->samples->len;

      fewest = MIN (fewest, n);
      timer_cost = first->timer_cost_ns;
      g_string_append_printf (out, "%s%s\n", j > 0 ? "\n" : "", s->name);
      g_string_append_printf (out, "  %" G_GUINT64_FORMAT " iterations × %u sample%s, "
                              "concurrency %u\n", first->iterations, n, n == 1 ? "" : "s",
                              first->concurrency);
      if (isfinite (s->ns_lo))
        {
          g_autofree char *lo = format_ns (s->ns_lo);
          g_autofree char *hi = format_ns (s->ns_hi);
          double spread = s->ns > 0 ? 100.0 * MAX (s->ns_hi - s->ns, s->ns - s->ns_lo) / s->ns
                                    : 0.0;

          g_string_append_printf (out, "  Time (median, 95%% CI):  %s/op  [%s … %s]  ±%.1f%%   "
                                  "%sops/s\n", median, lo, hi, spread, ops);
        }
      else
        g_string_append_printf (out, "  Time (median):           %s/op   %sops/s\n", median, ops);
      if (n > 1)
        {
          g_autofree char *min = format_ns (s->ns_min);
          g_autofree char *max = format_ns (s->ns_max);

          g_string_append_printf (out, "  Range (min … max):       %s … %s   of %u samples\n",
                                  min, max, n);
        }
      g_string_append (out, "  Latency ");
      if (first->timing == GZ_BENCH_TIMING_PER_BATCH)
        g_string_append_printf (out, "(per op, from batches of %" G_GUINT64_FORMAT "):",
                                first->batch_size);
      else
        g_string_append (out, "(per op, each timed):");
      for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
        {
          g_autofree char *value = format_ns (s->percentiles[p]);

          g_string_append_printf (out, " %s %s%s", gz_bench_percentile_name (p), value,
                                  p + 1 < GZ_BENCH_N_PERCENTILES ? "," : "");
        }
      g_string_append (out, "\n");
      if (s->have_memory)
        {
          g_autofree char *bytes = format_bytes (s->bytes);

          g_string_append_printf (out, "  Memory:                  %s/op   %.4g allocs/op\n",
                                  bytes, s->allocs);
        }
      else if (first->memory_note != NULL)
        g_string_append_printf (out, "  Memory:                  %s\n", first->memory_note);
      for (guint i = 0; i < n; i++)
        {
          GzBenchResult *r = g_ptr_array_index (s->samples, i);

          if (r->memory_profile != NULL)
            g_string_append_printf (out, "  Memory profile:          %s\n", r->memory_profile);
          if (r->cpu_profile != NULL)
            g_string_append_printf (out, "  CPU profile:             %s\n", r->cpu_profile);
        }
    }

  g_string_append (out, "\n");
  if (isfinite (timer_cost))
    g_string_append_printf (out, "Clock read: %.1f ns, subtracted from every timing and from "
                            "each run.\n", timer_cost);
  if (context != NULL)
    g_string_append_printf (out, "%s%s%s%u CPUs (%s), gz %s (%s)\n", label ? "Saved as " : "",
                            label ? label : "", label ? "; " : "", context->cpu_count,
                            context->cpu_model, context->gz_version, context->build_type);
  if (fewest < ci_min)
    g_ptr_array_add (notes, g_strdup_printf ("warning: %u sample%s too few for a 95%% "
                                             "confidence interval; use --count %u or more (and "
                                             "at least %u for compare to find a difference)",
                                             fewest, fewest == 1 ? " is" : "s are", ci_min,
                                             gz_bench_statistics_mann_whitney_min_samples (0.05)));
  for (guint i = 0; i < notes->len; i++)
    g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (notes, i));
  g_ptr_array_unref (notes);
}

/* --- json */

static void
add_summary_json (JsonBuilder *builder,
                  Summary     *s)
{
  GzBenchResult *first = g_ptr_array_index (s->samples, 0);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, s->name);
  json_builder_set_member_name (builder, "suite");
  json_builder_add_string_value (builder, first->suite);
  json_builder_set_member_name (builder, "concurrency");
  json_builder_add_int_value (builder, first->concurrency);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, s->samples->len);
  add_double_or_null (builder, "ns_per_op", s->ns);
  json_builder_set_member_name (builder, "ns_per_op_ci95");
  if (isfinite (s->ns_lo))
    {
      json_builder_begin_object (builder);
      add_double_or_null (builder, "low", s->ns_lo);
      add_double_or_null (builder, "high", s->ns_hi);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  add_double_or_null (builder, "ops_per_sec", s->ops_per_sec);
  add_double_or_null (builder, "alloc_bytes_per_op", s->bytes);
  add_double_or_null (builder, "allocs_per_op", s->allocs);
  add_percentiles (builder, s->percentiles);
  json_builder_set_member_name (builder, "timing");
  json_builder_add_string_value (builder, timing_name (first->timing));
  json_builder_set_member_name (builder, "samples");
  json_builder_begin_array (builder);
  for (guint i = 0; i < s->samples->len; i++)
    json_builder_add_value (builder, gz_bench_result_to_json (g_ptr_array_index (s->samples, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static char *
builder_to_text (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  char *text;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return text;
}

/* --- gobench */

char *
gz_bench_gobench_name (const char *name)
{
  GString *out = g_string_new ("Benchmark");
  gboolean upper = TRUE;
  const char *p;

  for (p = name; *p != '\0' && *p != '/'; p++)
    {
      if (*p == '-' || *p == '_')
        {
          upper = TRUE;
          continue;
        }
      g_string_append_c (out, upper ? g_ascii_toupper (*p) : *p);
      upper = FALSE;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

/* Go's testing.prettyPrint. */
static void
append_go_float (GString *out,
                 double   x,
                 const char *unit)
{
  double y = fabs (x);
  int width, precision;

  if (y == 0 || y >= 999.95)
    width = 10, precision = 0;
  else if (y >= 99.995)
    width = 12, precision = 1;
  else if (y >= 9.9995)
    width = 13, precision = 2;
  else if (y >= 0.99995)
    width = 14, precision = 3;
  else if (y >= 0.099995)
    width = 15, precision = 4;
  else if (y >= 0.0099995)
    width = 16, precision = 5;
  else
    width = 17, precision = 6;
  g_string_append_printf (out, "%*.*f %s", width, precision, x, unit);
}

static void
append_gobench (GString              *out,
                GPtrArray            *results,
                const GzBenchContext *context)
{
  guint procs = context != NULL && context->cpu_count > 0 ? context->cpu_count
                                                          : g_get_num_processors ();
  gsize width = 0;

  g_string_append (out, "goos: linux\n");
#if defined(__x86_64__)
  g_string_append (out, "goarch: amd64\n");
#elif defined(__aarch64__)
  g_string_append (out, "goarch: arm64\n");
#endif
  g_string_append (out, "pkg: gz\n");
  if (context != NULL && context->cpu_model != NULL)
    g_string_append_printf (out, "cpu: %s\n", context->cpu_model);
  for (guint i = 0; i < results->len; i++)
    {
      GzBenchResult *r = g_ptr_array_index (results, i);
      g_autofree char *name = gz_bench_gobench_name (r->name);

      width = MAX (width, strlen (name) + 1 + 4);
    }
  for (guint i = 0; i < results->len; i++)
    {
      GzBenchResult *r = g_ptr_array_index (results, i);
      g_autofree char *base = gz_bench_gobench_name (r->name);
      g_autofree char *name = g_strdup_printf ("%s-%u", base, procs);

      g_string_append_printf (out, "%-*s\t%8" G_GUINT64_FORMAT "\t", (int) width, name,
                              r->iterations);
      append_go_float (out, r->ns_per_op, "ns/op");
      if (r->have_memory)
        g_string_append_printf (out, "\t%8" G_GINT64_FORMAT " B/op\t%8" G_GINT64_FORMAT
                                " allocs/op", (gint64) r->alloc_bytes_per_op,
                                (gint64) r->allocs_per_op);
      g_string_append (out, "\n");
    }
}

/* --- csv and markdown */

static void
csv_double (GString *out,
            double   value)
{
  if (isfinite (value))
    g_string_append_printf (out, ",%.6g", value);
  else
    g_string_append (out, ",");
}

static void
append_csv (GString   *out,
            GPtrArray *summaries)
{
  g_string_append (out, "name,sample,concurrency,iterations,wall_ns,ns_per_op,ops_per_sec,"
                   "alloc_bytes_per_op,allocs_per_op,min,p50,p90,p95,p99,max,timing,batch_size\n");
  for (guint j = 0; j < summaries->len; j++)
    {
      Summary *s = g_ptr_array_index (summaries, j);

      for (guint i = 0; i < s->samples->len; i++)
        {
          GzBenchResult *r = g_ptr_array_index (s->samples, i);

          g_string_append_printf (out, "%s,%u,%u,%" G_GUINT64_FORMAT ",%" G_GINT64_FORMAT,
                                  r->name, i + 1, r->concurrency, r->iterations, r->wall_nanos);
          csv_double (out, r->ns_per_op);
          csv_double (out, r->ops_per_sec);
          csv_double (out, r->have_memory ? r->alloc_bytes_per_op : NAN);
          csv_double (out, r->have_memory ? r->allocs_per_op : NAN);
          for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
            csv_double (out, r->percentiles[p]);
          g_string_append_printf (out, ",%s,%" G_GUINT64_FORMAT "\n", timing_name (r->timing),
                                  r->batch_size);
        }
    }
}

static void
append_markdown (GString   *out,
                 GPtrArray *summaries)
{
  g_string_append (out, "| Benchmark | ns/op (median) | 95% CI | ops/s | B/op | allocs/op | "
                   "p50 | p99 | samples |\n");
  g_string_append (out, "|:---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (guint j = 0; j < summaries->len; j++)
    {
      Summary *s = g_ptr_array_index (summaries, j);
      g_autofree char *median = format_ns (s->ns);
      g_autofree char *lo = format_ns (s->ns_lo);
      g_autofree char *hi = format_ns (s->ns_hi);
      g_autofree char *ops = format_count (s->ops_per_sec);
      g_autofree char *bytes = format_bytes (s->bytes);
      g_autofree char *allocs = format_count (s->allocs);
      g_autofree char *p50 = format_ns (s->percentiles[GZ_BENCH_P_50]);
      g_autofree char *p99 = format_ns (s->percentiles[GZ_BENCH_P_99]);
      g_autofree char *ci = isfinite (s->ns_lo) ? g_strdup_printf ("%s … %s", lo, hi)
                                                : g_strdup ("-");

      g_string_append_printf (out, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %u |\n", s->name,
                              median, ci, ops, bytes, allocs, p50, p99, s->samples->len);
    }
}

char *
gz_bench_format_results (GPtrArray            *results,
                         const GzBenchContext *context,
                         const char           *label,
                         GzBenchFormat         format)
{
  GString *out = g_string_new (NULL);
  GPtrArray *summaries = summarize (results);

  switch (format)
    {
    case GZ_BENCH_FORMAT_JSON:
      {
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autofree char *text = NULL;

        json_builder_begin_object (builder);
        add_string_or_null (builder, "label", label);
        json_builder_set_member_name (builder, "context");
        if (context != NULL)
          json_builder_add_value (builder, gz_bench_context_to_json (context));
        else
          json_builder_add_null_value (builder);
        json_builder_set_member_name (builder, "benchmarks");
        json_builder_begin_array (builder);
        for (guint j = 0; j < summaries->len; j++)
          add_summary_json (builder, g_ptr_array_index (summaries, j));
        json_builder_end_array (builder);
        json_builder_end_object (builder);
        text = builder_to_text (builder);
        g_string_append_printf (out, "%s\n", text);
      }
      break;
    case GZ_BENCH_FORMAT_GOBENCH:
      append_gobench (out, results, context);
      break;
    case GZ_BENCH_FORMAT_CSV:
      append_csv (out, summaries);
      break;
    case GZ_BENCH_FORMAT_MARKDOWN:
      append_markdown (out, summaries);
      break;
    case GZ_BENCH_FORMAT_TABLE:
    default:
      append_table (out, summaries, context, label);
      break;
    }
  summaries_free (summaries);
  return g_string_free (out, FALSE);
}

/* --- comparison */

static const char * const metric_units[GZ_BENCH_N_METRICS] = { "ns/op", "B/op", "allocs/op" };
static const char * const metric_keys[GZ_BENCH_N_METRICS] = {
  "ns_per_op", "alloc_bytes_per_op", "allocs_per_op",
};

const char *
gz_bench_metric_unit (GzBenchMetric metric)
{
  g_return_val_if_fail (metric < GZ_BENCH_N_METRICS, NULL);
  return metric_units[metric];
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
      double v = sample_value (g_ptr_array_index (samples, i), metric);

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
  gz_bench_statistics_median_ci (x, nx, GZ_BENCH_CONFIDENCE, &delta->base_lo, &delta->base_hi, NULL);
  gz_bench_statistics_median_ci (y, ny, GZ_BENCH_CONFIDENCE, &delta->cur_lo, &delta->cur_hi, NULL);
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

static const char *
verdict_name (const GzBenchDelta *d)
{
  switch (d->verdict)
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

static char *
format_estimate (GzBenchMetric metric,
                 double        median,
                 double        lo,
                 double        hi)
{
  g_autofree char *m = format_metric (metric, median);

  if (!isfinite (lo))
    return g_strdup (m);
  if (median != 0)
    return g_strdup_printf ("%s ±%.0f%%", m,
                            100.0 * MAX (hi - median, median - lo) / fabs (median));
  return g_strdup_printf ("%s ±0%%", m);
}

static char *
format_change (const GzBenchDelta *d)
{
  if (d->all_equal)
    return g_strdup ("~ (all equal)");
  if (!isfinite (d->change))
    return g_strdup_printf ("+inf%% (p=%.3f n=%u+%u)", d->p, d->n_base, d->n_cur);
  if (d->verdict == GZ_BENCH_VERDICT_SAME)
    return g_strdup_printf ("~ %+.2f%% (p=%.3f n=%u+%u)", d->change, d->p, d->n_base, d->n_cur);
  return g_strdup_printf ("%+.2f%% (p=%.3f n=%u+%u)", d->change, d->p, d->n_base, d->n_cur);
}

static void
append_comparison_table (GString           *out,
                         GzBenchComparison *c,
                         gboolean           markdown)
{
  for (guint m = 0; m < GZ_BENCH_N_METRICS; m++)
    {
      gboolean any = FALSE;
      gsize width = strlen ("geomean");
      g_autofree char *base_head = g_strdup_printf ("%s %s", c->baseline, metric_units[m]);
      g_autofree char *cur_head = g_strdup_printf ("%s %s", c->current, metric_units[m]);

      for (guint i = 0; i < c->rows->len; i++)
        {
          GzBenchComparisonRow *row = g_ptr_array_index (c->rows, i);

          if (row->metrics[m].present)
            {
              any = TRUE;
              width = MAX (width, strlen (row->name));
            }
        }
      if (!any)
        continue;
      if (out->len > 0)
        g_string_append (out, "\n");
      if (markdown)
        g_string_append_printf (out, "| benchmark | %s | %s | vs base | verdict |\n"
                                "|:---|---:|---:|---:|:---|\n", base_head, cur_head);
      else
        g_string_append_printf (out, "%-*s  %-24s  %-24s  %-32s  %s\n", (int) width, "",
                                base_head, cur_head, "vs base", "verdict");
      for (guint i = 0; i < c->rows->len; i++)
        {
          GzBenchComparisonRow *row = g_ptr_array_index (c->rows, i);
          GzBenchDelta *d = &row->metrics[m];
          g_autofree char *b = NULL;
          g_autofree char *k = NULL;
          g_autofree char *change = NULL;

          if (!d->present)
            continue;
          b = format_estimate (m, d->base_median, d->base_lo, d->base_hi);
          k = format_estimate (m, d->cur_median, d->cur_lo, d->cur_hi);
          change = format_change (d);
          if (markdown)
            g_string_append_printf (out, "| `%s` | %s | %s | %s | %s |\n", row->name, b, k,
                                    change, verdict_name (d));
          else
            g_string_append_printf (out, "%-*s  %-24s  %-24s  %-32s  %s\n", (int) width,
                                    row->name, b, k, change, verdict_name (d));
        }
      if (isfinite (c->geomean_base[m]))
        {
          g_autofree char *b = format_metric (m, c->geomean_base[m]);
          g_autofree char *k = format_metric (m, c->geomean_cur[m]);
          g_autofree char *change = g_strdup_printf ("%+.2f%%", 100.0 * (c->geomean_cur[m]
                                                                       / c->geomean_base[m] - 1));

          if (markdown)
            g_string_append_printf (out, "| **geomean** | %s | %s | %s | |\n", b, k, change);
          else
            g_string_append_printf (out, "%-*s  %-24s  %-24s  %s\n", (int) width, "geomean", b,
                                    k, change);
        }
    }
  g_string_append_printf (out, "\n%s%u regression%s, %u improvement%s (threshold %g%%, alpha "
                          "%g; ± is the 95%% confidence interval of the median, p the two-sided "
                          "Mann-Whitney U test)\n", markdown ? "\n" : "", c->n_regressions,
                          c->n_regressions == 1 ? "" : "s", c->n_improvements,
                          c->n_improvements == 1 ? "" : "s", c->threshold, c->alpha);
  for (guint i = 0; i < c->notes->len; i++)
    g_string_append_printf (out, "%snote: %s\n", markdown ? "\n" : "",
                            (char *) g_ptr_array_index (c->notes, i));
}

static void
add_side_json (JsonBuilder *builder,
               const char  *name,
               double       median,
               double       lo,
               double       hi,
               guint        n)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  add_double_or_null (builder, "median", median);
  add_double_or_null (builder, "ci_low", lo);
  add_double_or_null (builder, "ci_high", hi);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, n);
  json_builder_end_object (builder);
}

char *
gz_bench_format_comparison (GzBenchComparison *c,
                            GzBenchFormat      format)
{
  GString *out = g_string_new (NULL);

  if (format != GZ_BENCH_FORMAT_JSON)
    {
      append_comparison_table (out, c, format == GZ_BENCH_FORMAT_MARKDOWN);
      return g_string_free (out, FALSE);
    }

  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autofree char *text = NULL;

    json_builder_begin_object (builder);
    add_string_or_null (builder, "baseline", c->baseline);
    add_string_or_null (builder, "current", c->current);
    add_double_or_null (builder, "alpha", c->alpha);
    add_double_or_null (builder, "threshold_percent", c->threshold);
    json_builder_set_member_name (builder, "benchmarks");
    json_builder_begin_array (builder);
    for (guint i = 0; i < c->rows->len; i++)
      {
        GzBenchComparisonRow *row = g_ptr_array_index (c->rows, i);

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "name");
        json_builder_add_string_value (builder, row->name);
        for (guint m = 0; m < GZ_BENCH_N_METRICS; m++)
          {
            GzBenchDelta *d = &row->metrics[m];

            if (!d->present)
              continue;
            json_builder_set_member_name (builder, metric_keys[m]);
            json_builder_begin_object (builder);
            add_side_json (builder, "baseline", d->base_median, d->base_lo, d->base_hi,
                           d->n_base);
            add_side_json (builder, "current", d->cur_median, d->cur_lo, d->cur_hi, d->n_cur);
            add_double_or_null (builder, "change_percent", d->change);
            add_double_or_null (builder, "p_value", d->p);
            json_builder_set_member_name (builder, "verdict");
            json_builder_add_string_value (builder, verdict_name (d));
            json_builder_end_object (builder);
          }
        json_builder_end_object (builder);
      }
    json_builder_end_array (builder);
    json_builder_set_member_name (builder, "geomean");
    json_builder_begin_object (builder);
    for (guint m = 0; m < GZ_BENCH_N_METRICS; m++)
      {
        if (!isfinite (c->geomean_base[m]))
          continue;
        json_builder_set_member_name (builder, metric_keys[m]);
        json_builder_begin_object (builder);
        add_double_or_null (builder, "baseline", c->geomean_base[m]);
        add_double_or_null (builder, "current", c->geomean_cur[m]);
        add_double_or_null (builder, "change_percent",
                            100.0 * (c->geomean_cur[m] / c->geomean_base[m] - 1));
        json_builder_end_object (builder);
      }
    json_builder_end_object (builder);
    json_builder_set_member_name (builder, "regressions");
    json_builder_add_int_value (builder, c->n_regressions);
    json_builder_set_member_name (builder, "improvements");
    json_builder_add_int_value (builder, c->n_improvements);
    json_builder_set_member_name (builder, "notes");
    json_builder_begin_array (builder);
    for (guint i = 0; i < c->notes->len; i++)
      json_builder_add_string_value (builder, g_ptr_array_index (c->notes, i));
    json_builder_end_array (builder);
    json_builder_end_object (builder);
    text = builder_to_text (builder);
    g_string_append_printf (out, "%s\n", text);
  }
  return g_string_free (out, FALSE);
}
