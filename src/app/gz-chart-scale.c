/* gz-chart-scale.c: the charts' maths: scales, nice ticks, tick labels, the ring of points and
 * hit testing. No GTK here, so tests/test-charts.c runs without a display. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "gz-chart-scale.h"
#include "gz-units.h"

/* Slack for floating-point steps: 0.1 + 0.2 is not 0.3. */
#define EPSILON 1e-9

void
gz_chart_scale_init (GzChartScale *scale,
                     double        domain_min,
                     double        domain_max,
                     double        range_min,
                     double        range_max)
{
  g_return_if_fail (scale != NULL);

  scale->domain_min = domain_min;
  scale->domain_max = domain_max;
  scale->range_min = range_min;
  scale->range_max = range_max;
}

double
gz_chart_scale_map (const GzChartScale *scale,
                    double              value)
{
  double span = scale->domain_max - scale->domain_min;

  if (span == 0 || !isfinite (span))
    return (scale->range_min + scale->range_max) / 2;
  return scale->range_min
         + (value - scale->domain_min) / span * (scale->range_max - scale->range_min);
}

double
gz_chart_scale_invert (const GzChartScale *scale,
                       double              pixel)
{
  double range = scale->range_max - scale->range_min;

  if (range == 0)
    return (scale->domain_min + scale->domain_max) / 2;
  return scale->domain_min
         + (pixel - scale->range_min) / range * (scale->domain_max - scale->domain_min);
}

/* 1, 2, 5 or 10 times a power of ten, the smallest not below @raw. */
static double
nice_decimal (double raw)
{
  double magnitude = pow (10, floor (log10 (raw)));
  double f = raw / magnitude;

  if (f <= 1 + EPSILON)
    return magnitude;
  if (f <= 2 + EPSILON)
    return 2 * magnitude;
  if (f <= 5 + EPSILON)
    return 5 * magnitude;
  return 10 * magnitude;
}

double
gz_chart_nice_step (double      span,
                    guint       max_ticks,
                    GzChartUnit unit)
{
  /* Seconds and minutes a clock reader counts in. */
  static const double seconds[] = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
  };
  double raw;

  if (!isfinite (span) || span <= 0 || max_ticks == 0)
    return 0;
  raw = span / max_ticks;

  switch (unit)
    {
    case GZ_CHART_UNIT_SECONDS:
      if (raw < 1)
        return nice_decimal (raw);
      for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
        if (raw <= seconds[i] * (1 + EPSILON))
          return seconds[i];
      return nice_decimal (raw / 3600) * 3600;

    case GZ_CHART_UNIT_BYTES:
      if (raw >= 1024)
        {
          /* 1-2-5 up to 50, then divisors of 1024, so that ticks meet the next unit: 200 KiB
           * steps would pass 1 MiB at "1.17 MiB". */
          static const double mantissas[] = { 1, 2, 5, 10, 20, 50, 64, 128, 256, 512, 1024 };
          double power = 1024;

          while (raw / power >= 1024)
            power *= 1024;
          for (guint i = 0; i < G_N_ELEMENTS (mantissas); i++)
            if (raw / power <= mantissas[i] * (1 + EPSILON))
              return mantissas[i] * power;
          return 1024 * power;
        }
      return nice_decimal (raw);

    case GZ_CHART_UNIT_COUNT:
    case GZ_CHART_UNIT_NANOSECONDS:
    case GZ_CHART_UNIT_PERCENT:
    default:
      return nice_decimal (raw);
    }
}

void
gz_chart_ticks_choose (double        lo,
                       double        hi,
                       guint         max_ticks,
                       GzChartUnit   unit,
                       GzChartTicks *ticks)
{
  double step;

  g_return_if_fail (ticks != NULL);

  if (max_ticks == 0)
    max_ticks = 1;
  if (!isfinite (lo) || !isfinite (hi))
    lo = hi = 0;
  if (hi < lo)
    {
      double t = lo;

      lo = hi;
      hi = t;
    }
  if (hi == lo)
    {
      double pad = lo == 0 ? 1 : fabs (lo) / 10;

      hi += pad;
      /* A lone 0 starts the axis; a non-negative value keeps it non-negative. */
      lo = lo == 0 ? 0 : (lo > 0 ? MAX (0, lo - pad) : lo - pad);
    }

  step = gz_chart_nice_step (hi - lo, max_ticks, unit);
  for (guint attempt = 0; ; attempt++)
    {
      double min = floor (lo / step + EPSILON) * step;
      double max = ceil (hi / step - EPSILON) * step;
      guint n = (guint) lround ((max - min) / step) + 1;

      /* Widening to whole steps may need one tick too many: take the next step up. */
      if (n - 1 <= max_ticks || attempt == 8)
        {
          ticks->min = min;
          ticks->max = max;
          ticks->step = step;
          ticks->n = n;
          return;
        }
      step = gz_chart_nice_step (step * (max_ticks + 1) * (1 + 2 * EPSILON), max_ticks, unit);
    }
}

double
gz_chart_ticks_value (const GzChartTicks *ticks,
                      guint               i)
{
  double v = ticks->min + i * ticks->step;

  return fabs (v) < ticks->step * EPSILON ? 0 : v;
}

/* "-30 s", "-2 min", "now" on a tick; "12 s ago" in a tooltip. */
static char *
format_relative_seconds (double value,
                         double step)
{
  double a = fabs (value);
  g_autofree char *shown = NULL;

  if (a < EPSILON || (step > 0 && a < step * EPSILON))
    return g_strdup (_("now"));
  if (step > 0)
    {
      const char *sign = value < 0 ? "-" : "+";

      if (a >= 60 && fabs (fmod (a, 60)) < EPSILON)
        /* Translators: a tick of a time axis, minutes before now. */
        return g_strdup_printf (_("%s%.0f min"), sign, a / 60);
      /* Translators: a tick of a time axis, seconds before now. */
      return g_strdup_printf (_("%s%g s"), sign, a);
    }
  shown = gz_units_format_nanoseconds (a * 1e9);
  if (value > 0)
    /* Translators: a time in the future, "in 2 s". */
    return g_strdup_printf (_("in %s"), shown);
  /* Translators: a point of a live chart, "12 s ago". */
  return g_strdup_printf (_("%s ago"), shown);
}

char *
gz_chart_format (double      value,
                 double      step,
                 GzChartUnit unit)
{
  int decimals;

  if (!isfinite (value))
    return g_strdup ("-");

  switch (unit)
    {
    case GZ_CHART_UNIT_BYTES:
      return gz_units_format_bytes (value);
    case GZ_CHART_UNIT_NANOSECONDS:
      return gz_units_format_nanoseconds (value);
    case GZ_CHART_UNIT_PERCENT:
      if (step > 0)
        decimals = CLAMP ((int) ceil (-log10 (step) - EPSILON), 0, 3);
      else
        decimals = fabs (value) < 10 ? 2 : 1;
      return g_strdup_printf ("%.*f %%", decimals, value);
    case GZ_CHART_UNIT_SECONDS:
      return format_relative_seconds (value, step);
    case GZ_CHART_UNIT_COUNT:
    default:
      if (step > 0 && step < 1)
        {
          decimals = CLAMP ((int) ceil (-log10 (step) - EPSILON), 0, 3);
          return g_strdup_printf ("%.*f", decimals, value);
        }
      return gz_units_format_count (value);
    }
}

struct _GzChartRing
{
  guint capacity;
  guint start;   /* index of the oldest point */
  guint length;
  double *times;
  double *values;
};

GzChartRing *
gz_chart_ring_new (guint capacity)
{
  GzChartRing *ring;

  g_return_val_if_fail (capacity > 0, NULL);

  ring = g_new0 (GzChartRing, 1);
  ring->capacity = capacity;
  ring->times = g_new0 (double, capacity);
  ring->values = g_new0 (double, capacity);
  return ring;
}

void
gz_chart_ring_free (GzChartRing *ring)
{
  if (ring == NULL)
    return;
  g_free (ring->times);
  g_free (ring->values);
  g_free (ring);
}

void
gz_chart_ring_clear (GzChartRing *ring)
{
  g_return_if_fail (ring != NULL);

  ring->start = 0;
  ring->length = 0;
}

guint
gz_chart_ring_get_capacity (const GzChartRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);

  return ring->capacity;
}

guint
gz_chart_ring_get_length (const GzChartRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);

  return ring->length;
}

static inline guint
ring_index (const GzChartRing *ring,
            guint              i)
{
  return (ring->start + i) % ring->capacity;
}

void
gz_chart_ring_push (GzChartRing *ring,
                    double       time,
                    double       value)
{
  guint slot;

  g_return_if_fail (ring != NULL);

  if (ring->length > 0)
    time = MAX (time, ring->times[ring_index (ring, ring->length - 1)]);

  if (ring->length < ring->capacity)
    slot = ring_index (ring, ring->length++);
  else
    {
      slot = ring->start;
      ring->start = (ring->start + 1) % ring->capacity;
    }
  ring->times[slot] = time;
  ring->values[slot] = value;
}

gboolean
gz_chart_ring_get (const GzChartRing *ring,
                   guint              i,
                   double            *time,
                   double            *value)
{
  g_return_val_if_fail (ring != NULL, FALSE);

  if (i >= ring->length)
    return FALSE;
  if (time != NULL)
    *time = ring->times[ring_index (ring, i)];
  if (value != NULL)
    *value = ring->values[ring_index (ring, i)];
  return TRUE;
}

gboolean
gz_chart_ring_get_range (const GzChartRing *ring,
                         double             since,
                         double            *min,
                         double            *max)
{
  double lo = INFINITY;
  double hi = -INFINITY;
  gboolean any = FALSE;

  g_return_val_if_fail (ring != NULL, FALSE);

  /* Newest first: the points in the window are at the end. */
  for (guint i = ring->length; i-- > 0;)
    {
      guint k = ring_index (ring, i);

      if (ring->times[k] < since)
        break;
      if (!isfinite (ring->values[k]))
        continue;
      lo = MIN (lo, ring->values[k]);
      hi = MAX (hi, ring->values[k]);
      any = TRUE;
    }
  if (any)
    {
      if (min != NULL)
        *min = lo;
      if (max != NULL)
        *max = hi;
    }
  return any;
}

int
gz_chart_ring_nearest (const GzChartRing *ring,
                       double             time)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (ring != NULL, -1);

  if (ring->length == 0)
    return -1;

  /* The first point at or after @time … */
  hi = ring->length;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (ring->times[ring_index (ring, mid)] < time)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == ring->length)
    return (int) ring->length - 1;
  /* … or the one before it, whichever is nearer. */
  if (lo > 0 && time - ring->times[ring_index (ring, lo - 1)]
                <= ring->times[ring_index (ring, lo)] - time)
    return (int) lo - 1;
  return (int) lo;
}

int
gz_chart_hit_bin (const double *edges,
                  guint         n_bins,
                  double        value)
{
  guint lo = 0;
  guint hi = n_bins;

  if (edges == NULL || n_bins == 0 || !isfinite (value))
    return -1;
  if (value < edges[0] || value > edges[n_bins])
    return -1;
  if (value == edges[n_bins])
    return (int) n_bins - 1;

  /* The last edge at or below @value. */
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (edges[mid] <= value)
        lo = mid;
      else
        hi = mid;
    }
  return (int) lo;
}

void
gz_chart_bar_geometry (guint   n_groups,
                       guint   n_series,
                       double  x0,
                       double  width,
                       guint   group,
                       guint   series,
                       double *bar_x,
                       double *bar_width)
{
  double slot;
  double band;

  g_return_if_fail (bar_x != NULL && bar_width != NULL);

  if (n_groups == 0 || n_series == 0)
    {
      *bar_x = x0;
      *bar_width = 0;
      return;
    }
  slot = width / n_groups;
  band = slot * 0.8 / n_series;
  /* A tenth of the slot on each side, a twentieth of a band between bars. */
  *bar_x = x0 + group * slot + slot * 0.1 + series * band + band * 0.05;
  *bar_width = band * 0.9;
}

gboolean
gz_chart_bar_hit (guint   n_groups,
                  guint   n_series,
                  double  x0,
                  double  width,
                  double  x,
                  guint  *group,
                  guint  *series)
{
  double slot;
  double band;
  double g;
  double s;
  double bar_x;
  double bar_width;

  if (n_groups == 0 || n_series == 0 || width <= 0 || !isfinite (x))
    return FALSE;
  slot = width / n_groups;
  band = slot * 0.8 / n_series;
  g = floor ((x - x0) / slot);
  if (g < 0 || g >= n_groups)
    return FALSE;
  s = floor ((x - x0 - g * slot - slot * 0.1) / band);
  if (s < 0 || s >= n_series)
    return FALSE;

  gz_chart_bar_geometry (n_groups, n_series, x0, width, (guint) g, (guint) s,
                         &bar_x, &bar_width);
  if (x < bar_x || x > bar_x + bar_width)
    return FALSE;
  if (group != NULL)
    *group = (guint) g;
  if (series != NULL)
    *series = (guint) s;
  return TRUE;
}
