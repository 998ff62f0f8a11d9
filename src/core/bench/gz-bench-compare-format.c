/* gz-bench-compare-format.c: a comparison as a table per metric (plain or markdown) with a
 * geomean line and the notes, or as json. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gz-bench-compare-format.h"
#include "gz-results-codec.h"
#include "gz-units.h"

char *
gz_bench_compare_format_value (GzBenchMetric metric,
                               double        value)
{
  switch (metric)
    {
    case GZ_BENCH_METRIC_TIME:
    case GZ_BENCH_METRIC_CPU:
      return gz_units_format_nanoseconds (value);
    case GZ_BENCH_METRIC_BYTES:
    case GZ_BENCH_METRIC_RSS:
      return gz_units_format_bytes (value);
    case GZ_BENCH_METRIC_ALLOCS:
    case GZ_BENCH_N_METRICS:
    default:
      return gz_units_format_count (value);
    }
}

char *
gz_bench_compare_format_estimate (GzBenchMetric metric,
                                  double        median,
                                  double        lo,
                                  double        hi)
{
  g_autofree char *m = gz_bench_compare_format_value (metric, median);

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

/* @text, spaces up to @width characters (not bytes: "µs" and "±" are two bytes each), then
 * the two spaces between columns. */
static void
append_column (GString    *out,
               const char *text,
               gsize       width)
{
  gsize len = g_utf8_strlen (text, -1);

  g_string_append (out, text);
  for (gsize i = len; i < width + 2; i++)
    g_string_append_c (out, ' ');
}

/* One line of the plain table; @verdict NULL for the geomean line. */
static void
append_row (GString    *out,
            gsize       name_width,
            const char *name,
            const char *base,
            const char *current,
            const char *change,
            const char *verdict)
{
  append_column (out, name, name_width);
  append_column (out, base, 24);
  append_column (out, current, 24);
  if (verdict != NULL)
    {
      append_column (out, change, 32);
      g_string_append (out, verdict);
    }
  else
    g_string_append (out, change);
  g_string_append_c (out, '\n');
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
      const char *unit = gz_bench_metric_unit (m);
      g_autofree char *base_head = g_strdup_printf ("%s %s", c->baseline, unit);
      g_autofree char *cur_head = g_strdup_printf ("%s %s", c->current, unit);

      for (guint i = 0; i < c->rows->len; i++)
        {
          GzBenchComparisonRow *row = g_ptr_array_index (c->rows, i);

          if (row->metrics[m].present)
            {
              any = TRUE;
              width = MAX (width, (gsize) g_utf8_strlen (row->name, -1));
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
        append_row (out, width, "", base_head, cur_head, "vs base", "verdict");
      for (guint i = 0; i < c->rows->len; i++)
        {
          GzBenchComparisonRow *row = g_ptr_array_index (c->rows, i);
          GzBenchDelta *d = &row->metrics[m];
          g_autofree char *b = NULL;
          g_autofree char *k = NULL;
          g_autofree char *change = NULL;

          if (!d->present)
            continue;
          b = gz_bench_compare_format_estimate (m, d->base_median, d->base_lo, d->base_hi);
          k = gz_bench_compare_format_estimate (m, d->cur_median, d->cur_lo, d->cur_hi);
          change = format_change (d);
          if (markdown)
            g_string_append_printf (out, "| `%s` | %s | %s | %s | %s |\n", row->name, b, k,
                                    change, gz_bench_verdict_name (d->verdict));
          else
            append_row (out, width, row->name, b, k, change, gz_bench_verdict_name (d->verdict));
        }
      if (isfinite (c->geomean_base[m]))
        {
          g_autofree char *b = gz_bench_compare_format_value (m, c->geomean_base[m]);
          g_autofree char *k = gz_bench_compare_format_value (m, c->geomean_cur[m]);
          g_autofree char *change = g_strdup_printf ("%+.2f%%", 100.0 * (c->geomean_cur[m]
                                                                       / c->geomean_base[m] - 1));

          if (markdown)
            g_string_append_printf (out, "| **geomean** | %s | %s | %s | |\n", b, k, change);
          else
            append_row (out, width, "geomean", b, k, change, NULL);
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
  gz_results_codec_add_double (builder, "median", median);
  gz_results_codec_add_double (builder, "ci_low", lo);
  gz_results_codec_add_double (builder, "ci_high", hi);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, n);
  json_builder_end_object (builder);
}

static void
append_comparison_json (GString           *out,
                        GzBenchComparison *c)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  gz_results_codec_add_string (builder, "baseline", c->baseline);
  gz_results_codec_add_string (builder, "current", c->current);
  gz_results_codec_add_double (builder, "alpha", c->alpha);
  gz_results_codec_add_double (builder, "threshold_percent", c->threshold);
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
          json_builder_set_member_name (builder, gz_bench_metric_key (m));
          json_builder_begin_object (builder);
          add_side_json (builder, "baseline", d->base_median, d->base_lo, d->base_hi,
                         d->n_base);
          add_side_json (builder, "current", d->cur_median, d->cur_lo, d->cur_hi, d->n_cur);
          gz_results_codec_add_double (builder, "change_percent", d->change);
          gz_results_codec_add_double (builder, "p_value", d->p);
          json_builder_set_member_name (builder, "verdict");
          json_builder_add_string_value (builder, gz_bench_verdict_name (d->verdict));
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
      json_builder_set_member_name (builder, gz_bench_metric_key (m));
      json_builder_begin_object (builder);
      gz_results_codec_add_double (builder, "baseline", c->geomean_base[m]);
      gz_results_codec_add_double (builder, "current", c->geomean_cur[m]);
      gz_results_codec_add_double (builder, "change_percent",
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
  text = gz_results_codec_builder_to_text (builder, NULL);
  g_string_append_printf (out, "%s\n", text);
}

char *
gz_bench_compare_format (GzBenchComparison *c,
                         GzBenchFormat      format)
{
  GString *out = g_string_new (NULL);

  if (format == GZ_BENCH_FORMAT_JSON)
    append_comparison_json (out, c);
  else
    append_comparison_table (out, c, format == GZ_BENCH_FORMAT_MARKDOWN);
  return g_string_free (out, FALSE);
}
