/* gz-command-format.c: command benchmarks as text: hyperfine's table with gz's median and
 * interval, the relative-speed summary, markdown; the other formats as every benchmark's. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gz-bench-statistics.h"
#include "gz-bench-summary.h"
#include "gz-command-format.h"
#include "gz-units.h"

static GzCommandTimes
times_of (GzBenchSummary *s)
{
  GzCommandTimes t = { s->name, 0, NAN };
  guint n = s->samples->len;
  double sum = 0, squares = 0;

  for (guint i = 0; i < n; i++)
    sum += ((GzBenchResult *) g_ptr_array_index (s->samples, i))->ns_per_op;
  t.mean = sum / n;
  for (guint i = 0; i < n; i++)
    {
      double d = ((GzBenchResult *) g_ptr_array_index (s->samples, i))->ns_per_op - t.mean;

      squares += d * d;
    }
  if (n > 1)
    t.stddev = sqrt (squares / (n - 1));
  return t;
}

void
gz_command_format_relative (const GzCommandTimes *fastest,
                            const GzCommandTimes *other,
                            double               *ratio,
                            double               *error)
{
  double rf = isfinite (fastest->stddev) ? fastest->stddev / fastest->mean : 0;
  double ro = isfinite (other->stddev) ? other->stddev / other->mean : 0;

  *ratio = other->mean / fastest->mean;
  *error = *ratio * sqrt (rf * rf + ro * ro);
}

static void
append_summary (GString   *out,
                GPtrArray *summaries)
{
  g_autofree GzCommandTimes *times = g_new (GzCommandTimes, MAX (summaries->len, 1));
  guint fastest = 0;

  if (summaries->len < 2)
    return;
  for (guint j = 0; j < summaries->len; j++)
    {
      times[j] = times_of (g_ptr_array_index (summaries, j));
      if (times[j].mean < times[fastest].mean)
        fastest = j;
    }
  g_string_append (out, "Summary\n");
  for (guint j = 0; j < summaries->len; j++)
    {
      double ratio, error;

      if (j == fastest)
        continue;
      gz_command_format_relative (&times[fastest], &times[j], &ratio, &error);
      g_string_append_printf (out, "  %s ran %.2f ± %.2f times faster than %s\n",
                              times[fastest].name, ratio, error, times[j].name);
    }
}

char *
gz_command_format_summary (GPtrArray *results)
{
  g_autoptr(GPtrArray) summaries = gz_bench_summarize (results);
  GString *out = g_string_new (NULL);

  append_summary (out, summaries);
  return g_string_free (out, FALSE);
}

static double
first_spawn_cost (GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++)
    {
      GzBenchResult *r = g_ptr_array_index (results, i);

      if (isfinite (r->spawn_cost_ns))
        return r->spawn_cost_ns;
    }
  return NAN;
}

static guint
failed_runs (GPtrArray *samples)
{
  guint failed = 0;

  for (guint i = 0; i < samples->len; i++)
    if (((GzBenchResult *) g_ptr_array_index (samples, i))->exit_status != 0)
      failed++;
  return failed;
}

/* The line saying how many runs of @name in @results were cut, and how; nothing when none. */
static void
append_cut (GString    *out,
            GPtrArray  *results,
            const char *name)
{
  guint n[3] = { 0, 0, 0 };
  double wall = 0;

  for (guint i = 0; i < results->len; i++)
    {
      GzBenchResult *r = g_ptr_array_index (results, i);

      if (r->cut != GZ_BENCH_CUT_NONE && g_str_equal (r->name, name))
        {
          n[r->cut]++;
          wall = MAX (wall, (double) r->wall_nanos);
        }
    }
  if (n[GZ_BENCH_CUT_DURATION] > 0)
    {
      g_autofree char *after = gz_units_format_nanoseconds (wall);

      g_string_append_printf (out, "  Cut:                    %u run%s still going at the end of "
                              "--duration, stopped after %s (not in the statistics)\n",
                              n[GZ_BENCH_CUT_DURATION],
                              n[GZ_BENCH_CUT_DURATION] == 1 ? "" : "s", after);
    }
  if (n[GZ_BENCH_CUT_TIMEOUT] > 0)
    g_string_append_printf (out, "  Cut:                    %u run%s over --timeout, stopped (not "
                            "in the statistics)\n", n[GZ_BENCH_CUT_TIMEOUT],
                            n[GZ_BENCH_CUT_TIMEOUT] == 1 ? "" : "s");
}

static void
append_table (GString              *out,
              GPtrArray            *results,
              GPtrArray            *summaries,
              const GzBenchContext *context,
              const char           *label,
              gboolean              interrupted)
{
  guint ci_min = gz_bench_statistics_ci_min_samples (GZ_BENCH_CONFIDENCE);
  guint fewest = G_MAXUINT;
  double spawn = first_spawn_cost (results);

  for (guint j = 0; j < summaries->len; j++)
    {
      GzBenchSummary *s = g_ptr_array_index (summaries, j);
      GzBenchResult *first = g_ptr_array_index (s->samples, 0);
      GzCommandTimes t = times_of (s);
      guint n = s->samples->len, failed = failed_runs (s->samples);
      g_autofree char *median = gz_units_format_nanoseconds (s->ns);
      g_autofree char *mean = gz_units_format_nanoseconds (t.mean);
      g_autofree char *sigma = gz_units_format_nanoseconds (t.stddev);
      g_autofree char *user = gz_units_format_nanoseconds (
        gz_bench_samples_median (s->samples, G_STRUCT_OFFSET (GzBenchResult, user_nanos)));
      g_autofree char *sys = gz_units_format_nanoseconds (
        gz_bench_samples_median (s->samples, G_STRUCT_OFFSET (GzBenchResult, system_nanos)));
      g_autofree char *rss = gz_units_format_bytes (
        gz_bench_samples_median (s->samples, G_STRUCT_OFFSET (GzBenchResult, max_rss_bytes)));
      g_autofree char *min = gz_units_format_nanoseconds (s->ns_min);
      g_autofree char *max = gz_units_format_nanoseconds (s->ns_max);

      fewest = MIN (fewest, n);
      g_string_append_printf (out, "%sBenchmark %u: %s\n", j > 0 ? "\n" : "", j + 1, s->name);
      if (first->command != NULL && !g_str_equal (first->command, s->name))
        g_string_append_printf (out, "  Command:                %s\n", first->command);
      if (isfinite (s->ns_lo))
        {
          g_autofree char *lo = gz_units_format_nanoseconds (s->ns_lo);
          g_autofree char *hi = gz_units_format_nanoseconds (s->ns_hi);

          g_string_append_printf (out, "  Time (median, 95%% CI):  %s  [%s … %s]\n", median,
                                  lo, hi);
        }
      else
        g_string_append_printf (out, "  Time (median):          %s\n", median);
      if (n > 1)
        g_string_append_printf (out, "  Time (mean ± σ):        %s ± %s\n", mean, sigma);
      g_string_append_printf (out, "  User, System (median):  %s, %s\n", user, sys);
      g_string_append_printf (out, "  Peak RSS (median):      %s\n", rss);
      g_string_append_printf (out, "  Range (min … max):      %s … %s   %u run%s\n", min, max,
                              n, n == 1 ? "" : "s");
      if (failed > 0)
        g_string_append_printf (out, "  Warning: %u of the runs exited non-zero (measured with "
                                "--ignore-failure)\n", failed);
      append_cut (out, results, s->name);
      for (guint i = 0; i < n; i++)
        {
          GzBenchResult *r = g_ptr_array_index (s->samples, i);

          if (r->cpu_profile != NULL)
            g_string_append_printf (out, "  CPU profile:            %s\n", r->cpu_profile);
          if (r->memory_profile != NULL)
            g_string_append_printf (out, "  Memory profile:         %s\n", r->memory_profile);
        }
    }
  /* The commands of which no run ended. */
  for (guint i = 0, k = summaries->len; i < results->len; i++)
    {
      GzBenchResult *r = g_ptr_array_index (results, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < summaries->len && !seen; j++)
        seen = g_str_equal (((GzBenchSummary *) g_ptr_array_index (summaries, j))->name, r->name);
      for (guint j = 0; j < i && !seen; j++)
        seen = g_str_equal (((GzBenchResult *) g_ptr_array_index (results, j))->name, r->name);
      if (seen)
        continue;
      g_string_append_printf (out, "%sBenchmark %u: %s\n", k > 0 ? "\n" : "", k + 1, r->name);
      k++;
      if (r->command != NULL && !g_str_equal (r->command, r->name))
        g_string_append_printf (out, "  Command:                %s\n", r->command);
      append_cut (out, results, r->name);
      g_string_append (out, "  No run ended: no statistics\n");
    }
  g_string_append (out, "\n");
  append_summary (out, summaries);
  if (summaries->len > 1)
    g_string_append (out, "\n");
  if (isfinite (spawn))
    {
      g_autofree char *cost = gz_units_format_nanoseconds (spawn);

      g_string_append_printf (out, "Spawn cost (an empty command): %s, included in every time "
                              "above.\n", cost);
    }
  if (context != NULL)
    g_string_append_printf (out, "%s%s%s%u CPUs (%s), gz %s (%s)\n", label ? "Saved as " : "",
                            label ? label : "", label ? "; " : "", context->cpu_count,
                            context->cpu_model, context->gz_version, context->build_type);
  if (interrupted)
    g_string_append (out, "Interrupted: these are the runs measured before Ctrl-C.\n");
  if (fewest < ci_min)
    g_string_append_printf (out, "warning: %u run%s too few for a 95%% confidence interval; use "
                            "--count %u or more (and at least %u for compare to find a "
                            "difference)\n", fewest, fewest == 1 ? " is" : "s are", ci_min,
                            gz_bench_statistics_mann_whitney_min_samples (0.05));
}

static void
append_markdown (GString   *out,
                 GPtrArray *summaries)
{
  g_autofree GzCommandTimes *times = g_new (GzCommandTimes, MAX (summaries->len, 1));
  guint fastest = 0;

  for (guint j = 0; j < summaries->len; j++)
    {
      times[j] = times_of (g_ptr_array_index (summaries, j));
      if (times[j].mean < times[fastest].mean)
        fastest = j;
    }
  g_string_append (out, "| Command | Median | 95% CI | Mean ± σ | Min | Max | User | System | "
                   "Peak RSS | Runs | Relative |\n");
  g_string_append (out, "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (guint j = 0; j < summaries->len; j++)
    {
      GzBenchSummary *s = g_ptr_array_index (summaries, j);
      g_autofree char *median = gz_units_format_nanoseconds (s->ns);
      g_autofree char *lo = gz_units_format_nanoseconds (s->ns_lo);
      g_autofree char *hi = gz_units_format_nanoseconds (s->ns_hi);
      g_autofree char *mean = gz_units_format_nanoseconds (times[j].mean);
      g_autofree char *sigma = gz_units_format_nanoseconds (times[j].stddev);
      g_autofree char *min = gz_units_format_nanoseconds (s->ns_min);
      g_autofree char *max = gz_units_format_nanoseconds (s->ns_max);
      g_autofree char *user = gz_units_format_nanoseconds (
        gz_bench_samples_median (s->samples, G_STRUCT_OFFSET (GzBenchResult, user_nanos)));
      g_autofree char *sys = gz_units_format_nanoseconds (
        gz_bench_samples_median (s->samples, G_STRUCT_OFFSET (GzBenchResult, system_nanos)));
      g_autofree char *rss = gz_units_format_bytes (
        gz_bench_samples_median (s->samples, G_STRUCT_OFFSET (GzBenchResult, max_rss_bytes)));
      g_autofree char *ci = isfinite (s->ns_lo) ? g_strdup_printf ("%s … %s", lo, hi)
                                                : g_strdup ("-");
      g_autofree char *relative = NULL;
      double ratio, error;

      gz_command_format_relative (&times[fastest], &times[j], &ratio, &error);
      relative = j == fastest ? g_strdup ("1.00") : g_strdup_printf ("%.2f ± %.2f", ratio,
                                                                      error);
      g_string_append_printf (out, "| `%s` | %s | %s | %s ± %s | %s | %s | %s | %s | %s | %u | "
                              "%s |\n", s->name, median, ci, mean, sigma, min, max, user, sys,
                              rss, s->samples->len, relative);
    }
}

char *
gz_command_format_results (GPtrArray            *results,
                           const GzBenchContext *context,
                           const char           *label,
                           gboolean              interrupted,
                           GzBenchFormat         format)
{
  g_autoptr(GPtrArray) summaries = NULL;
  GString *out;

  if (format != GZ_BENCH_FORMAT_TABLE && format != GZ_BENCH_FORMAT_MARKDOWN)
    return gz_bench_format_results (results, context, label, format);
  summaries = gz_bench_summarize (results);
  out = g_string_new (NULL);
  if (format == GZ_BENCH_FORMAT_MARKDOWN)
    append_markdown (out, summaries);
  else
    append_table (out, results, summaries, context, label, interrupted);
  return g_string_free (out, FALSE);
}
