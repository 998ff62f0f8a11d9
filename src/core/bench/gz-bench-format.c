/* gz-bench-format.c: a run's samples as a table, json, Go's benchmark format, csv and
 * markdown. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gz-bench-format.h"
#include "gz-bench-statistics.h"
#include "gz-bench-summary.h"
#include "gz-command-format.h"
#include "gz-results-codec.h"
#include "gz-units.h"

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
      GzBenchSummary *s = g_ptr_array_index (summaries, j);
      GzBenchResult *first = g_ptr_array_index (s->samples, 0);
      g_autofree char *median = gz_units_format_nanoseconds (s->ns);
      g_autofree char *ops = gz_units_format_count (s->ops_per_sec);
      guint n = s->samples->len;

      fewest = MIN (fewest, n);
      timer_cost = first->timer_cost_ns;
      g_string_append_printf (out, "%s%s\n", j > 0 ? "\n" : "", s->name);
      g_string_append_printf (out, "  %" G_GUINT64_FORMAT " iterations × %u sample%s, "
                              "concurrency %u\n", first->iterations, n, n == 1 ? "" : "s",
                              first->concurrency);
      if (isfinite (s->ns_lo))
        {
          g_autofree char *lo = gz_units_format_nanoseconds (s->ns_lo);
          g_autofree char *hi = gz_units_format_nanoseconds (s->ns_hi);
          double spread = s->ns > 0 ? 100.0 * MAX (s->ns_hi - s->ns, s->ns - s->ns_lo) / s->ns
                                    : 0.0;

          g_string_append_printf (out, "  Time (median, 95%% CI):  %s/op  [%s … %s]  ±%.1f%%   "
                                  "%sops/s\n", median, lo, hi, spread, ops);
        }
      else
        g_string_append_printf (out, "  Time (median):           %s/op   %sops/s\n", median, ops);
      if (n > 1)
        {
          g_autofree char *min = gz_units_format_nanoseconds (s->ns_min);
          g_autofree char *max = gz_units_format_nanoseconds (s->ns_max);

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
          g_autofree char *value = gz_units_format_nanoseconds (s->percentiles[p]);

          g_string_append_printf (out, " %s %s%s", gz_bench_percentile_name (p), value,
                                  p + 1 < GZ_BENCH_N_PERCENTILES ? "," : "");
        }
      g_string_append (out, "\n");
      if (s->have_memory)
        {
          g_autofree char *bytes = gz_units_format_bytes (s->bytes);

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
add_summary_json (JsonBuilder    *builder,
                  GzBenchSummary *s)
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
  gz_results_codec_add_double (builder, "ns_per_op", s->ns);
  json_builder_set_member_name (builder, "ns_per_op_ci95");
  if (isfinite (s->ns_lo))
    {
      json_builder_begin_object (builder);
      gz_results_codec_add_double (builder, "low", s->ns_lo);
      gz_results_codec_add_double (builder, "high", s->ns_hi);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  gz_results_codec_add_double (builder, "ops_per_sec", s->ops_per_sec);
  gz_results_codec_add_double (builder, "alloc_bytes_per_op", s->bytes);
  gz_results_codec_add_double (builder, "allocs_per_op", s->allocs);
  gz_results_codec_add_percentiles (builder, s->percentiles);
  json_builder_set_member_name (builder, "timing");
  json_builder_add_string_value (builder, gz_bench_timing_name (first->timing));
  json_builder_set_member_name (builder, "samples");
  json_builder_begin_array (builder);
  for (guint i = 0; i < s->samples->len; i++)
    json_builder_add_value (builder,
                            gz_results_codec_result_to_json (g_ptr_array_index (s->samples, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
append_json (GString              *out,
             GPtrArray            *summaries,
             const GzBenchContext *context,
             const char           *label)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  gz_results_codec_add_string (builder, "label", label);
  json_builder_set_member_name (builder, "context");
  if (context != NULL)
    json_builder_add_value (builder, gz_results_codec_context_to_json (context));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "benchmarks");
  json_builder_begin_array (builder);
  for (guint j = 0; j < summaries->len; j++)
    add_summary_json (builder, g_ptr_array_index (summaries, j));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  text = gz_results_codec_builder_to_text (builder, NULL);
  g_string_append_printf (out, "%s\n", text);
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
      g_autofree char *base = NULL;
      g_autofree char *name = NULL;

      if (r->cut != GZ_BENCH_CUT_NONE)
        continue;
      base = gz_bench_gobench_name (r->name);
      name = g_strdup_printf ("%s-%u", base, procs);
      g_string_append_printf (out, "%-*s\t%8" G_GUINT64_FORMAT "\t", (int) width, name,
                              r->iterations);
      append_go_float (out, r->ns_per_op, "ns/op");
      if (r->have_memory)
        g_string_append_printf (out, "\t%8" G_GINT64_FORMAT " B/op\t%8" G_GINT64_FORMAT
                                " allocs/op", (gint64) r->alloc_bytes_per_op,
                                (gint64) r->allocs_per_op);
      if (r->command != NULL)
        g_string_append_printf (out, "\t%.0f user-ns/op\t%.0f sys-ns/op\t%.0f peak-RSS-B",
                                r->user_nanos, r->system_nanos, r->max_rss_bytes);
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

/* @value quoted as RFC 4180 wants when it holds a comma, a quote or a line break (a command
 * line may). */
static char *
csv_string (const char *value)
{
  GString *out;

  if (strpbrk (value, ",\"\r\n") == NULL)
    return g_strdup (value);
  out = g_string_new ("\"");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static void
append_csv (GString   *out,
            GPtrArray *summaries)
{
  g_string_append (out, "name,sample,concurrency,iterations,wall_ns,ns_per_op,ops_per_sec,"
                   "alloc_bytes_per_op,allocs_per_op,min,p50,p90,p95,p99,max,timing,batch_size,"
                   "user_ns,system_ns,max_rss_bytes,exit_status\n");
  for (guint j = 0; j < summaries->len; j++)
    {
      GzBenchSummary *s = g_ptr_array_index (summaries, j);

      for (guint i = 0; i < s->samples->len; i++)
        {
          GzBenchResult *r = g_ptr_array_index (s->samples, i);

          g_autofree char *name = csv_string (r->name);

          g_string_append_printf (out, "%s,%u,%u,%" G_GUINT64_FORMAT ",%" G_GINT64_FORMAT,
                                  name, i + 1, r->concurrency, r->iterations, r->wall_nanos);
          csv_double (out, r->ns_per_op);
          csv_double (out, r->ops_per_sec);
          csv_double (out, r->have_memory ? r->alloc_bytes_per_op : NAN);
          csv_double (out, r->have_memory ? r->allocs_per_op : NAN);
          for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
            csv_double (out, r->percentiles[p]);
          g_string_append_printf (out, ",%s,%" G_GUINT64_FORMAT,
                                  gz_bench_timing_name (r->timing), r->batch_size);
          /* A command's run (gz-command-bench); empty for the built-ins. */
          csv_double (out, r->user_nanos);
          csv_double (out, r->system_nanos);
          csv_double (out, r->max_rss_bytes);
          if (r->command != NULL)
            g_string_append_printf (out, ",%d\n", r->exit_status);
          else
            g_string_append (out, ",\n");
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
      GzBenchSummary *s = g_ptr_array_index (summaries, j);
      g_autofree char *median = gz_units_format_nanoseconds (s->ns);
      g_autofree char *lo = gz_units_format_nanoseconds (s->ns_lo);
      g_autofree char *hi = gz_units_format_nanoseconds (s->ns_hi);
      g_autofree char *ops = gz_units_format_count (s->ops_per_sec);
      g_autofree char *bytes = gz_units_format_bytes (s->bytes);
      g_autofree char *allocs = gz_units_format_count (s->allocs);
      g_autofree char *p50 = gz_units_format_nanoseconds (s->percentiles[GZ_BENCH_P_50]);
      g_autofree char *p99 = gz_units_format_nanoseconds (s->percentiles[GZ_BENCH_P_99]);
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
  GString *out;
  g_autoptr(GPtrArray) summaries = NULL;
  gboolean commands = results->len > 0;

  /* Runs of commands (gz-command-bench) have their own table and markdown. */
  for (guint i = 0; i < results->len && commands; i++)
    commands = ((GzBenchResult *) g_ptr_array_index (results, i))->command != NULL;
  if (commands && (format == GZ_BENCH_FORMAT_TABLE || format == GZ_BENCH_FORMAT_MARKDOWN))
    return gz_command_format_results (results, context, label, FALSE, format);

  out = g_string_new (NULL);
  summaries = gz_bench_summarize (results);
  switch (format)
    {
    case GZ_BENCH_FORMAT_JSON:
      append_json (out, summaries, context, label);
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
  return g_string_free (out, FALSE);
}

