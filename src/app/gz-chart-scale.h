/* gz-chart-scale.h: the charts' maths without a display: linear scales, "nice" ticks, tick
 * labels in readable units, a bounded ring of (time, value) points and hit testing. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a chart's values are, so that tick labels and tooltips speak their unit (through
 * gz-units.h, the one formatter of the core, the CLI and the app). */
typedef enum
{
  GZ_CHART_UNIT_COUNT,       /* "950", "12.3 k" */
  GZ_CHART_UNIT_BYTES,       /* "512 B", "1.5 KiB"; ticks at round multiples of 1024^k */
  GZ_CHART_UNIT_NANOSECONDS, /* "85 ns", "1.2 µs", "4.5 ms" */
  GZ_CHART_UNIT_PERCENT,     /* "25 %", "2.5 %" */
  GZ_CHART_UNIT_SECONDS,     /* a time axis relative to now: "-30 s", "-2 min", "now" */
} GzChartUnit;

/* Maps a domain [domain_min, domain_max] linearly onto pixels [range_min, range_max] (either
 * may be reversed: a y axis maps up to smaller pixels). An empty domain maps to the range's
 * middle. */
typedef struct
{
  double domain_min;
  double domain_max;
  double range_min;
  double range_max;
} GzChartScale;

void    gz_chart_scale_init   (GzChartScale       *scale,
                               double              domain_min,
                               double              domain_max,
                               double              range_min,
                               double              range_max);
double  gz_chart_scale_map    (const GzChartScale *scale,
                               double              value);
double  gz_chart_scale_invert (const GzChartScale *scale,
                               double              pixel);

/* Ticks of an axis: min, min + step, …, max (n of them, max = min + (n - 1) * step). */
typedef struct
{
  double min;
  double max;
  double step;
  guint  n;
} GzChartTicks;

/* A "nice" step for @span over at most @max_ticks intervals: 1, 2 or 5 times a power of ten
 * (for bytes from 1 KiB on: 1, 2, 5 … 50, then 64, 128, 256, 512 times a power of 1024 —
 * "1 MiB", "512 KiB"; for seconds: 1, 2, 5, 10, 15, 30 s, then 1, 2, 5, 10, 15, 30 min). 0 for an empty or not finite span. */
double  gz_chart_nice_step    (double              span,
                               guint               max_ticks,
                               GzChartUnit         unit);
/* Widens [@lo, @hi] outwards to multiples of a nice step so that at most @max_ticks + 1 ticks
 * cover it, and fills @ticks. An empty range (lo == hi) is widened around its value (0..1 for
 * 0); counts, bytes and times never go below 0 when @lo is not. */
void    gz_chart_ticks_choose (double              lo,
                               double              hi,
                               guint               max_ticks,
                               GzChartUnit         unit,
                               GzChartTicks       *ticks);
/* Tick @i of @ticks (exactly 0 where rounding would leave 1e-17). */
double  gz_chart_ticks_value  (const GzChartTicks *ticks,
                               guint               i);

/* @value in @unit for a person, as a tick label (@step: the ticks' step, which decides the
 * decimals of percentages; 0 when not a tick) or a tooltip. Free with g_free(). */
char   *gz_chart_format       (double              value,
                               double              step,
                               GzChartUnit         unit);

/* A ring of at most @capacity (time, value) points: pushing onto a full ring drops the oldest,
 * so memory stays bounded however long a chart runs. Times are seconds, non-decreasing. */
typedef struct _GzChartRing GzChartRing;

GzChartRing *gz_chart_ring_new          (guint              capacity);
void         gz_chart_ring_free         (GzChartRing       *ring);
void         gz_chart_ring_clear        (GzChartRing       *ring);
guint        gz_chart_ring_get_capacity (const GzChartRing *ring);
/* Number of points held, at most the capacity. */
guint        gz_chart_ring_get_length   (const GzChartRing *ring);
/* A time before the last one's is raised to it, keeping the ring sorted. */
void         gz_chart_ring_push         (GzChartRing       *ring,
                                         double             time,
                                         double             value);
/* Point @i, 0 the oldest held; FALSE when @i is past the end. */
gboolean     gz_chart_ring_get          (const GzChartRing *ring,
                                         guint              i,
                                         double            *time,
                                         double            *value);
/* Smallest and largest value among points with time >= @since; FALSE when there are none. */
gboolean     gz_chart_ring_get_range    (const GzChartRing *ring,
                                         double             since,
                                         double            *min,
                                         double            *max);
/* The index of the point whose time is nearest @time, -1 for an empty ring. */
int          gz_chart_ring_nearest      (const GzChartRing *ring,
                                         double             time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzChartRing, gz_chart_ring_free)

/* The histogram bin holding @value: bins are [edges[i], edges[i + 1]) over @n_bins + 1 sorted
 * edges, the last one closed. -1 outside. */
int      gz_chart_hit_bin        (const double *edges,
                                  guint         n_bins,
                                  double        value);

/* Grouped bars across a plot @width pixels wide starting at @x0: each of @n_groups groups gets
 * an equal slot, its @n_series bars side by side in the slot's middle 80 %. */
void     gz_chart_bar_geometry   (guint         n_groups,
                                  guint         n_series,
                                  double        x0,
                                  double        width,
                                  guint         group,
                                  guint         series,
                                  double       *bar_x,
                                  double       *bar_width);
/* The group and series of the bar under pixel @x, if any (between bars: FALSE). */
gboolean gz_chart_bar_hit        (guint         n_groups,
                                  guint         n_series,
                                  double        x0,
                                  double        width,
                                  double        x,
                                  guint        *group,
                                  guint        *series);

G_END_DECLS
