/* gz-chart-time-series.c: GzTimeSeriesChart: lines of the last N seconds, a y axis in the
 * values' unit, a time axis relative to the newest point, a tooltip with the exact values. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "gz-chart-time-series.h"
#include "gz-units.h"

#define DEFAULT_WINDOW 300.0
/* A young chart shows its points over at least a minute, not squeezed at the right end. */
#define MIN_SPAN 60.0
#define PAD 4.0

typedef struct
{
  char *name;
  GzChartRing *ring;
} Series;

struct _GzTimeSeriesChart
{
  GzChart parent_instance;

  guint capacity;
  GPtrArray *series;      /* of Series */
  double window;
  GzChartUnit unit;

  /* Geometry of the last drawing, for hit testing and the highlight. */
  double newest;          /* time of the newest point: x = 0 */
  GzChartScale x;         /* seconds relative to newest -> pixels */
  GzChartScale y;
  double plot_left;
  double plot_right;
  double plot_top;
  double plot_bottom;
  gboolean drawn;
};

G_DEFINE_FINAL_TYPE (GzTimeSeriesChart, gz_time_series_chart, GZ_TYPE_CHART)

static void
series_free (gpointer data)
{
  Series *series = data;

  g_free (series->name);
  gz_chart_ring_free (series->ring);
  g_free (series);
}

/* Seconds the time axis spans: the points held, from a minute up to the window. */
static double
gz_time_series_chart_span (GzTimeSeriesChart *self,
                           double             newest)
{
  double oldest = newest;

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      double t;

      if (gz_chart_ring_get (series->ring, 0, &t, NULL))
        oldest = MIN (oldest, t);
    }
  return CLAMP (newest - oldest, MIN (MIN_SPAN, self->window), self->window);
}

static double
gz_time_series_chart_newest (GzTimeSeriesChart *self)
{
  double newest = -INFINITY;

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      guint n = gz_chart_ring_get_length (series->ring);
      double t;

      if (n > 0 && gz_chart_ring_get (series->ring, n - 1, &t, NULL))
        newest = MAX (newest, t);
    }
  return newest;
}

/* The first point of @series inside the window ending at @newest. */
static guint
first_visible (GzTimeSeriesChart *self,
               Series            *series,
               double             newest)
{
  guint n = gz_chart_ring_get_length (series->ring);
  int i = gz_chart_ring_nearest (series->ring, newest - self->window);
  double t;

  if (i < 0)
    return n;
  if (gz_chart_ring_get (series->ring, i, &t, NULL) && t < newest - self->window)
    i++;
  return (guint) i;
}

/* "Allocated, last 5 min: latest 3.2 MiB, lowest 1 MiB, highest 4 MiB." for screen readers. */
static void
gz_time_series_chart_update_description (GzTimeSeriesChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *window = gz_units_format_nanoseconds (self->window * 1e9);
  double newest = gz_time_series_chart_newest (self);

  g_string_append_printf (text, _("Time series of the last %s."), window);
  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      guint n = gz_chart_ring_get_length (series->ring);
      double last = NAN, min, max;

      /* The latest value, not a gap after it. */
      while (n-- > 0 && gz_chart_ring_get (series->ring, n, NULL, &last) && !isfinite (last))
        ;
      if (!isfinite (last)
          || !gz_chart_ring_get_range (series->ring, newest - self->window, &min, &max))
        {
          g_string_append_printf (text, _(" %s: no data."), series->name);
          continue;
        }
      {
        g_autofree char *l = gz_chart_format (last, 0, self->unit);
        g_autofree char *lo = gz_chart_format (min, 0, self->unit);
        g_autofree char *hi = gz_chart_format (max, 0, self->unit);

        g_string_append_printf (text, _(" %s: latest %s, lowest %s, highest %s."),
                                series->name, l, lo, hi);
      }
    }
  gz_chart_set_description (GZ_CHART (self), text->str);
}

static void
gz_time_series_chart_draw (GzChart            *chart,
                           cairo_t            *cr,
                           const GzChartStyle *style,
                           double              width,
                           double              height)
{
  GzTimeSeriesChart *self = GZ_TIME_SERIES_CHART (chart);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(PangoLayout) probe = gz_chart_create_layout (chart, "0");
  double newest = gz_time_series_chart_newest (self);
  double lo = INFINITY, hi = -INFINITY;
  double header, span;
  int label_height;
  GzChartTicks yticks, xticks;
  guint max_ticks;

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      double min, max;

      g_ptr_array_add (names, series->name);
      if (isfinite (newest)
          && gz_chart_ring_get_range (series->ring, newest - self->window, &min, &max))
        {
          lo = MIN (lo, min);
          hi = MAX (hi, max);
        }
    }

  /* A lone series needs no legend: the title says what it is. */
  header = gz_chart_draw_header (chart, cr, style, (const char * const *) names->pdata,
                                 names->len > 1 ? names->len : 0, width);
  self->drawn = FALSE;
  if (!isfinite (lo))
    {
      gz_chart_draw_empty (chart, cr, style, width, height + header);
      return;
    }

  pango_layout_get_pixel_size (probe, NULL, &label_height);
  self->plot_top = header + label_height / 2.0;
  self->plot_bottom = height - label_height - PAD - 2;
  if (self->plot_bottom - self->plot_top < 20)
    {
      gz_chart_draw_empty (chart, cr, style, width, height);
      return;
    }
  max_ticks = MAX (2, (guint) ((self->plot_bottom - self->plot_top) / 32));
  /* Non-negative figures (bytes, threads, CPU) stand on 0, so a flat line looks flat. */
  gz_chart_ticks_choose (lo >= 0 ? 0 : lo, hi, max_ticks, self->unit, &yticks);
  self->plot_left = gz_chart_measure_ticks (chart, &yticks, self->unit) + 8;
  self->plot_right = width - PAD;

  gz_chart_scale_init (&self->y, yticks.min, yticks.max, self->plot_bottom, self->plot_top);
  span = gz_time_series_chart_span (self, newest);
  gz_chart_scale_init (&self->x, -span, 0, self->plot_left, self->plot_right);
  self->newest = newest;
  self->drawn = TRUE;

  gz_chart_draw_y_axis (chart, cr, style, &yticks, self->unit, &self->y, self->plot_left,
                        self->plot_right);
  max_ticks = MAX (2, (guint) ((self->plot_right - self->plot_left) / 80));
  gz_chart_ticks_choose (-span, 0, max_ticks, GZ_CHART_UNIT_SECONDS, &xticks);
  gz_chart_draw_x_axis (chart, cr, style, &xticks, GZ_CHART_UNIT_SECONDS, &self->x,
                        self->plot_bottom + 2);

  cairo_save (cr);
  cairo_rectangle (cr, self->plot_left, self->plot_top - 2, self->plot_right - self->plot_left,
                   self->plot_bottom - self->plot_top + 4);
  cairo_clip (cr);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      guint n = gz_chart_ring_get_length (series->ring);
      gboolean pen_down = FALSE;
      double px = 0, py = 0;
      GdkRGBA color;

      gz_chart_style_get_series_color (style, s, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      for (guint i = first_visible (self, series, newest); i < n; i++)
        {
          double t, v;

          gz_chart_ring_get (series->ring, i, &t, &v);
          if (!isfinite (v))
            {
              pen_down = FALSE;
              continue;
            }
          px = gz_chart_scale_map (&self->x, t - newest);
          py = gz_chart_scale_map (&self->y, v);
          if (pen_down)
            cairo_line_to (cr, px, py);
          else
            cairo_move_to (cr, px, py);
          pen_down = TRUE;
        }
      cairo_stroke (cr);
      /* The newest point of each line as a dot: the live value. */
      if (pen_down)
        {
          cairo_arc (cr, px, py, 3, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}

static Series *
first_series (GzTimeSeriesChart *self)
{
  return self->series->len > 0 ? g_ptr_array_index (self->series, 0) : NULL;
}

static guint
gz_time_series_chart_get_n_items (GzChart *chart)
{
  GzTimeSeriesChart *self = GZ_TIME_SERIES_CHART (chart);
  Series *series = first_series (self);
  double newest = gz_time_series_chart_newest (self);

  if (series == NULL || !isfinite (newest))
    return 0;
  return gz_chart_ring_get_length (series->ring) - first_visible (self, series, newest);
}

/* Item i: the i-th visible point of the first series; its time stands for all series. */
static gboolean
item_time (GzTimeSeriesChart *self,
           int                item,
           double            *time)
{
  Series *series = first_series (self);
  double newest = gz_time_series_chart_newest (self);

  if (series == NULL || item < 0 || !isfinite (newest))
    return FALSE;
  return gz_chart_ring_get (series->ring, first_visible (self, series, newest) + item, time,
                            NULL);
}

static int
gz_time_series_chart_hit (GzChart *chart,
                          double   x,
                          double   y)
{
  GzTimeSeriesChart *self = GZ_TIME_SERIES_CHART (chart);
  Series *series = first_series (self);
  int i;
  guint first;

  if (!self->drawn || series == NULL || x < self->plot_left - PAD || x > self->plot_right + PAD
      || y < self->plot_top - PAD || y > self->plot_bottom + PAD)
    return -1;
  i = gz_chart_ring_nearest (series->ring, self->newest + gz_chart_scale_invert (&self->x, x));
  first = first_visible (self, series, self->newest);
  return i < 0 || (guint) i < first ? -1 : i - (int) first;
}

static char *
gz_time_series_chart_describe_item (GzChart *chart,
                                    int      item)
{
  GzTimeSeriesChart *self = GZ_TIME_SERIES_CHART (chart);
  g_autoptr(GString) text = NULL;
  g_autoptr(GDateTime) wall = NULL;
  g_autofree char *when = NULL;
  g_autofree char *clock = NULL;
  double time;

  if (!item_time (self, item, &time))
    return NULL;
  when = gz_chart_format (time - gz_time_series_chart_newest (self), 0, GZ_CHART_UNIT_SECONDS);
  /* Times are on the monotonic clock: the wall clock is as far back from now. */
  wall = g_date_time_new_from_unix_local ((gint64) round (
           g_get_real_time () / (double) G_USEC_PER_SEC
           - (g_get_monotonic_time () / (double) G_USEC_PER_SEC - time)));
  clock = wall != NULL ? g_date_time_format (wall, "%X") : NULL;
  /* Translators: when a point was sampled: "12 s ago, at 14:03:05". */
  text = g_string_new (NULL);
  if (clock != NULL)
    g_string_printf (text, _("%s, at %s"), when, clock);
  else
    g_string_assign (text, when);
  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      int i = gz_chart_ring_nearest (series->ring, time);
      g_autofree char *shown = NULL;
      double v;

      /* A gap has nothing to say. */
      if (i < 0 || !gz_chart_ring_get (series->ring, i, NULL, &v) || !isfinite (v))
        continue;
      shown = gz_chart_format (v, 0, self->unit);
      g_string_append_printf (text, "\n%s: %s", series->name, shown);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
gz_time_series_chart_draw_highlight (GzChart            *chart,
                                     cairo_t            *cr,
                                     const GzChartStyle *style,
                                     int                 item)
{
  GzTimeSeriesChart *self = GZ_TIME_SERIES_CHART (chart);
  double time, px;

  if (!self->drawn || !item_time (self, item, &time))
    return;
  px = round (gz_chart_scale_map (&self->x, time - self->newest)) + 0.5;
  gdk_cairo_set_source_rgba (cr, &style->dim);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, px, self->plot_top);
  cairo_line_to (cr, px, self->plot_bottom);
  cairo_stroke (cr);

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      int i = gz_chart_ring_nearest (series->ring, time);
      double t, v;
      GdkRGBA color;

      if (i < 0 || !gz_chart_ring_get (series->ring, i, &t, &v) || !isfinite (v))
        continue;
      gz_chart_style_get_series_color (style, s, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_arc (cr, gz_chart_scale_map (&self->x, t - self->newest),
                 gz_chart_scale_map (&self->y, v), 4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

GtkWidget *
gz_time_series_chart_new (guint capacity)
{
  GzTimeSeriesChart *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_object_new (GZ_TYPE_TIME_SERIES_CHART, NULL);
  self->capacity = capacity;
  return GTK_WIDGET (self);
}

guint
gz_time_series_chart_add_series (GzTimeSeriesChart *self,
                                 const char        *name)
{
  Series *series;

  g_return_val_if_fail (GZ_IS_TIME_SERIES_CHART (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  series = g_new0 (Series, 1);
  series->name = g_strdup (name);
  series->ring = gz_chart_ring_new (self->capacity);
  g_ptr_array_add (self->series, series);
  gz_time_series_chart_update_description (self);
  gz_chart_invalidate (GZ_CHART (self));
  return self->series->len - 1;
}

guint
gz_time_series_chart_get_n_series (GzTimeSeriesChart *self)
{
  g_return_val_if_fail (GZ_IS_TIME_SERIES_CHART (self), 0);

  return self->series->len;
}

guint
gz_time_series_chart_get_capacity (GzTimeSeriesChart *self)
{
  g_return_val_if_fail (GZ_IS_TIME_SERIES_CHART (self), 0);

  return self->capacity;
}

void
gz_time_series_chart_push (GzTimeSeriesChart *self,
                           guint              series,
                           double             time,
                           double             value)
{
  Series *s;

  g_return_if_fail (GZ_IS_TIME_SERIES_CHART (self));
  g_return_if_fail (series < self->series->len);

  s = g_ptr_array_index (self->series, series);
  gz_chart_ring_push (s->ring, time, value);
  gz_time_series_chart_update_description (self);
  gz_chart_invalidate (GZ_CHART (self));
}

guint
gz_time_series_chart_get_n_points (GzTimeSeriesChart *self,
                                   guint              series)
{
  g_return_val_if_fail (GZ_IS_TIME_SERIES_CHART (self), 0);
  g_return_val_if_fail (series < self->series->len, 0);

  return gz_chart_ring_get_length (((Series *) g_ptr_array_index (self->series, series))->ring);
}

gboolean
gz_time_series_chart_get_point (GzTimeSeriesChart *self,
                                guint              series,
                                guint              i,
                                double            *time,
                                double            *value)
{
  g_return_val_if_fail (GZ_IS_TIME_SERIES_CHART (self), FALSE);
  g_return_val_if_fail (series < self->series->len, FALSE);

  return gz_chart_ring_get (((Series *) g_ptr_array_index (self->series, series))->ring, i,
                            time, value);
}

void
gz_time_series_chart_clear (GzTimeSeriesChart *self)
{
  g_return_if_fail (GZ_IS_TIME_SERIES_CHART (self));

  for (guint s = 0; s < self->series->len; s++)
    gz_chart_ring_clear (((Series *) g_ptr_array_index (self->series, s))->ring);
  gz_time_series_chart_update_description (self);
  gz_chart_invalidate (GZ_CHART (self));
}

void
gz_time_series_chart_set_window (GzTimeSeriesChart *self,
                                 double             seconds)
{
  g_return_if_fail (GZ_IS_TIME_SERIES_CHART (self));
  g_return_if_fail (seconds > 0);

  self->window = seconds;
  gz_time_series_chart_update_description (self);
  gz_chart_invalidate (GZ_CHART (self));
}

void
gz_time_series_chart_set_unit (GzTimeSeriesChart *self,
                               GzChartUnit        unit)
{
  g_return_if_fail (GZ_IS_TIME_SERIES_CHART (self));

  self->unit = unit;
  gz_time_series_chart_update_description (self);
  gz_chart_invalidate (GZ_CHART (self));
}

static void
gz_time_series_chart_finalize (GObject *object)
{
  GzTimeSeriesChart *self = GZ_TIME_SERIES_CHART (object);

  g_clear_pointer (&self->series, g_ptr_array_unref);

  G_OBJECT_CLASS (gz_time_series_chart_parent_class)->finalize (object);
}

static void
gz_time_series_chart_class_init (GzTimeSeriesChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzChartClass *chart_class = GZ_CHART_CLASS (klass);

  object_class->finalize = gz_time_series_chart_finalize;
  chart_class->draw = gz_time_series_chart_draw;
  chart_class->hit = gz_time_series_chart_hit;
  chart_class->get_n_items = gz_time_series_chart_get_n_items;
  chart_class->describe_item = gz_time_series_chart_describe_item;
  chart_class->draw_highlight = gz_time_series_chart_draw_highlight;
}

static void
gz_time_series_chart_init (GzTimeSeriesChart *self)
{
  self->capacity = 300;
  self->series = g_ptr_array_new_with_free_func (series_free);
  self->window = DEFAULT_WINDOW;
  self->unit = GZ_CHART_UNIT_COUNT;
}
