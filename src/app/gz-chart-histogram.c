/* gz-chart-histogram.c: GzHistogramChart: one bar per bin on a linear axis in the data's unit,
 * dashed percentile markers, a tooltip with the bin's range and count. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "gz-chart-histogram.h"

#define PAD 4.0

struct _GzHistogramChart
{
  GzChart parent_instance;

  GArray *edges;          /* of double, n_bins + 1 */
  GArray *counts;         /* of guint64, n_bins */
  GzChartUnit unit;
  GArray *markers;        /* of double */
  GPtrArray *labels;      /* of char *, one per marker */

  /* Geometry of the last drawing. */
  GzChartScale x;
  GzChartScale y;
  double plot_top;
  double plot_bottom;
  gboolean drawn;
};

G_DEFINE_FINAL_TYPE (GzHistogramChart, gz_histogram_chart, GZ_TYPE_CHART)

static guint
n_bins (GzHistogramChart *self)
{
  return self->counts->len;
}

static double
edge (GzHistogramChart *self,
      guint             i)
{
  return g_array_index (self->edges, double, i);
}

static guint64
count (GzHistogramChart *self,
       guint             i)
{
  return g_array_index (self->counts, guint64, i);
}

/* "Histogram of 1000 values from 1 µs to 9 µs, most between 2 µs and 3 µs. p50 2.5 µs, …" */
static void
gz_histogram_chart_update_description (GzHistogramChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *peak_from = NULL;
  g_autofree char *peak_to = NULL;
  guint64 total = 0;
  guint peak = 0;

  if (n_bins (self) == 0)
    {
      gz_chart_set_description (GZ_CHART (self), _("Histogram without data."));
      return;
    }
  for (guint i = 0; i < n_bins (self); i++)
    {
      total += count (self, i);
      if (count (self, i) > count (self, peak))
        peak = i;
    }
  from = gz_chart_format (edge (self, 0), 0, self->unit);
  to = gz_chart_format (edge (self, n_bins (self)), 0, self->unit);
  peak_from = gz_chart_format (edge (self, peak), 0, self->unit);
  peak_to = gz_chart_format (edge (self, peak + 1), 0, self->unit);
  g_string_append_printf (text,
                          _("Histogram of %" G_GUINT64_FORMAT " values from %s to %s, most "
                            "between %s and %s."),
                          total, from, to, peak_from, peak_to);
  for (guint i = 0; i < self->markers->len; i++)
    {
      g_autofree char *at = gz_chart_format (g_array_index (self->markers, double, i), 0,
                                             self->unit);

      g_string_append_printf (text, " %s %s.", (const char *) self->labels->pdata[i], at);
    }
  gz_chart_set_description (GZ_CHART (self), text->str);
}

static void
gz_histogram_chart_draw (GzChart            *chart,
                         cairo_t            *cr,
                         const GzChartStyle *style,
                         double              width,
                         double              height)
{
  GzHistogramChart *self = GZ_HISTOGRAM_CHART (chart);
  g_autoptr(PangoLayout) probe = gz_chart_create_layout (chart, "p99");
  g_autofree double *row_end = NULL;
  GzChartTicks yticks, xticks;
  guint64 highest = 0;
  double header, left, right;
  int label_height;
  guint n_rows;
  GdkRGBA bar, marker;

  header = gz_chart_draw_header (chart, cr, style, NULL, 0, width);
  self->drawn = FALSE;
  if (n_bins (self) == 0)
    {
      gz_chart_draw_empty (chart, cr, style, width, height + header);
      return;
    }

  pango_layout_get_pixel_size (probe, NULL, &label_height);
  /* Room above the bars for two rows of marker labels. */
  n_rows = self->markers->len > 0 ? 2 : 0;
  self->plot_top = header + label_height / 2.0 + n_rows * label_height;
  self->plot_bottom = height - label_height - PAD - 2;
  if (self->plot_bottom - self->plot_top < 20)
    return;
  for (guint i = 0; i < n_bins (self); i++)
    highest = MAX (highest, count (self, i));
  gz_chart_ticks_choose (0, highest, MAX (2, (guint) ((self->plot_bottom - self->plot_top) / 32)),
                         GZ_CHART_UNIT_COUNT, &yticks);
  left = gz_chart_measure_ticks (chart, &yticks, GZ_CHART_UNIT_COUNT) + 8;
  right = width - PAD;
  gz_chart_scale_init (&self->y, yticks.min, yticks.max, self->plot_bottom, self->plot_top);
  gz_chart_scale_init (&self->x, edge (self, 0), edge (self, n_bins (self)), left, right);
  self->drawn = TRUE;

  gz_chart_draw_y_axis (chart, cr, style, &yticks, GZ_CHART_UNIT_COUNT, &self->y, left, right);
  gz_chart_ticks_choose (edge (self, 0), edge (self, n_bins (self)),
                         MAX (2, (guint) ((right - left) / 80)), self->unit, &xticks);
  gz_chart_draw_x_axis (chart, cr, style, &xticks, self->unit, &self->x, self->plot_bottom + 2);

  gz_chart_style_get_series_color (style, 0, &bar);
  bar.alpha = 0.85f;
  gdk_cairo_set_source_rgba (cr, &bar);
  for (guint i = 0; i < n_bins (self); i++)
    {
      double x0 = gz_chart_scale_map (&self->x, edge (self, i));
      double x1 = gz_chart_scale_map (&self->x, edge (self, i + 1));
      double y0 = gz_chart_scale_map (&self->y, count (self, i));

      if (count (self, i) == 0)
        continue;
      /* A pixel between bars when they are wide enough for one. */
      cairo_rectangle (cr, x0, y0, MAX (1, x1 - x0 - (x1 - x0 > 4 ? 1 : 0)),
                       self->plot_bottom - y0);
    }
  cairo_fill (cr);

  /* Markers: dashed lines, labels in the first row they do not overlap. */
  gz_chart_style_get_series_color (style, 2, &marker);
  row_end = g_new0 (double, MAX (n_rows, 1));
  for (guint r = 0; r < n_rows; r++)
    row_end[r] = -INFINITY;
  for (guint i = 0; i < self->markers->len; i++)
    {
      double v = g_array_index (self->markers, double, i);
      double px = round (gz_chart_scale_map (&self->x, v)) + 0.5;
      g_autoptr(PangoLayout) layout = gz_chart_create_layout (chart, self->labels->pdata[i]);
      static const double dashes[] = { 4, 3 };
      guint row = 0;
      double top;
      int w;

      if (!isfinite (v) || px < left - 1 || px > right + 1)
        continue;
      pango_layout_get_pixel_size (layout, &w, NULL);
      while (row + 1 < n_rows && px - w / 2.0 < row_end[row] + 4)
        row++;
      row_end[row] = px + w / 2.0;
      top = header + row * label_height;

      gdk_cairo_set_source_rgba (cr, &marker);
      cairo_save (cr);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
      cairo_move_to (cr, px, top + label_height);
      cairo_line_to (cr, px, self->plot_bottom);
      cairo_stroke (cr);
      cairo_restore (cr);
      gdk_cairo_set_source_rgba (cr, &style->fg);
      gz_chart_draw_layout (cr, layout, CLAMP (px, w / 2.0, width - w / 2.0), top, 0.5, 0);
    }
}

static int
gz_histogram_chart_hit (GzChart *chart,
                        double   x,
                        double   y)
{
  GzHistogramChart *self = GZ_HISTOGRAM_CHART (chart);

  if (!self->drawn || y < self->plot_top - PAD || y > self->plot_bottom + PAD)
    return -1;
  return gz_chart_hit_bin ((const double *) self->edges->data, n_bins (self),
                           gz_chart_scale_invert (&self->x, x));
}

static guint
gz_histogram_chart_get_n_items (GzChart *chart)
{
  return n_bins (GZ_HISTOGRAM_CHART (chart));
}

static char *
gz_histogram_chart_describe_item (GzChart *chart,
                                  int      item)
{
  GzHistogramChart *self = GZ_HISTOGRAM_CHART (chart);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (item < 0 || (guint) item >= n_bins (self))
    return NULL;
  from = gz_chart_format (edge (self, item), 0, self->unit);
  to = gz_chart_format (edge (self, item + 1), 0, self->unit);
  /* Translators: a histogram bin's range and how many values fell in it. */
  return g_strdup_printf (_("%s to %s\nCount: %" G_GUINT64_FORMAT), from, to,
                          count (self, item));
}

static void
gz_histogram_chart_draw_highlight (GzChart            *chart,
                                   cairo_t            *cr,
                                   const GzChartStyle *style,
                                   int                 item)
{
  GzHistogramChart *self = GZ_HISTOGRAM_CHART (chart);
  double x0, x1;
  GdkRGBA shade = style->fg;

  if (!self->drawn || item < 0 || (guint) item >= n_bins (self))
    return;
  x0 = gz_chart_scale_map (&self->x, edge (self, item));
  x1 = gz_chart_scale_map (&self->x, edge (self, item + 1));
  shade.alpha = 0.15f;
  gdk_cairo_set_source_rgba (cr, &shade);
  cairo_rectangle (cr, x0, self->plot_top, MAX (1, x1 - x0), self->plot_bottom - self->plot_top);
  cairo_fill (cr);
}

GtkWidget *
gz_histogram_chart_new (void)
{
  return g_object_new (GZ_TYPE_HISTOGRAM_CHART, NULL);
}

void
gz_histogram_chart_set_data (GzHistogramChart *self,
                             const double     *edges,
                             const guint64    *counts,
                             guint             n,
                             GzChartUnit       unit)
{
  g_return_if_fail (GZ_IS_HISTOGRAM_CHART (self));
  g_return_if_fail (n == 0 || (edges != NULL && counts != NULL));

  g_array_set_size (self->edges, 0);
  g_array_set_size (self->counts, 0);
  if (n > 0)
    {
      g_array_append_vals (self->edges, edges, n + 1);
      g_array_append_vals (self->counts, counts, n);
    }
  self->unit = unit;
  gz_histogram_chart_update_description (self);
  gz_chart_invalidate (GZ_CHART (self));
}

void
gz_histogram_chart_set_markers (GzHistogramChart   *self,
                                const double       *values,
                                const char * const *labels,
                                guint               n_markers)
{
  g_return_if_fail (GZ_IS_HISTOGRAM_CHART (self));
  g_return_if_fail (n_markers == 0 || (values != NULL && labels != NULL));

  g_array_set_size (self->markers, 0);
  g_ptr_array_set_size (self->labels, 0);
  for (guint i = 0; i < n_markers; i++)
    {
      g_array_append_val (self->markers, values[i]);
      g_ptr_array_add (self->labels, g_strdup (labels[i] != NULL ? labels[i] : ""));
    }
  gz_histogram_chart_update_description (self);
  gz_chart_invalidate (GZ_CHART (self));
}

guint
gz_histogram_chart_get_n_bins (GzHistogramChart *self)
{
  g_return_val_if_fail (GZ_IS_HISTOGRAM_CHART (self), 0);

  return n_bins (self);
}

static void
gz_histogram_chart_finalize (GObject *object)
{
  GzHistogramChart *self = GZ_HISTOGRAM_CHART (object);

  g_clear_pointer (&self->edges, g_array_unref);
  g_clear_pointer (&self->counts, g_array_unref);
  g_clear_pointer (&self->markers, g_array_unref);
  g_clear_pointer (&self->labels, g_ptr_array_unref);

  G_OBJECT_CLASS (gz_histogram_chart_parent_class)->finalize (object);
}

static void
gz_histogram_chart_class_init (GzHistogramChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzChartClass *chart_class = GZ_CHART_CLASS (klass);

  object_class->finalize = gz_histogram_chart_finalize;
  chart_class->draw = gz_histogram_chart_draw;
  chart_class->hit = gz_histogram_chart_hit;
  chart_class->get_n_items = gz_histogram_chart_get_n_items;
  chart_class->describe_item = gz_histogram_chart_describe_item;
  chart_class->draw_highlight = gz_histogram_chart_draw_highlight;
}

static void
gz_histogram_chart_init (GzHistogramChart *self)
{
  self->edges = g_array_new (FALSE, FALSE, sizeof (double));
  self->counts = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->markers = g_array_new (FALSE, FALSE, sizeof (double));
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->unit = GZ_CHART_UNIT_NANOSECONDS;
  gz_histogram_chart_update_description (self);
}
