/* gz-chart-time-series.h: GzTimeSeriesChart, live lines of (time, value) over the last N
 * seconds, each series in a bounded ring so that a chart left open for hours stays small. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-chart.h"

G_BEGIN_DECLS

#define GZ_TYPE_TIME_SERIES_CHART (gz_time_series_chart_get_type ())
G_DECLARE_FINAL_TYPE (GzTimeSeriesChart, gz_time_series_chart, GZ, TIME_SERIES_CHART, GzChart)

/* Each series keeps at most @capacity points (300: five minutes at one a second). */
GtkWidget *gz_time_series_chart_new            (guint              capacity);
/* Adds a series named @name (shown in the legend and tooltips); returns its index. */
guint      gz_time_series_chart_add_series     (GzTimeSeriesChart *self,
                                                const char        *name);
guint      gz_time_series_chart_get_n_series   (GzTimeSeriesChart *self);
guint      gz_time_series_chart_get_capacity   (GzTimeSeriesChart *self);
/* Appends a point to @series: @time in seconds of g_get_monotonic_time () (/ 1e6: tooltips
 * show the wall-clock time from it), @value in the chart's unit; NAN leaves a gap. Past the
 * capacity the oldest point goes. The chart shows the last window up to the newest time. */
void       gz_time_series_chart_push           (GzTimeSeriesChart *self,
                                                guint              series,
                                                double             time,
                                                double             value);
/* Points held in @series, at most the capacity. */
guint      gz_time_series_chart_get_n_points   (GzTimeSeriesChart *self,
                                                guint              series);
/* Point @i of @series, 0 the oldest; FALSE past the end. */
gboolean   gz_time_series_chart_get_point      (GzTimeSeriesChart *self,
                                                guint              series,
                                                guint              i,
                                                double            *time,
                                                double            *value);
/* Forgets every point, keeps the series. */
void       gz_time_series_chart_clear          (GzTimeSeriesChart *self);
/* How many seconds up to the newest point are visible (default 300); the time axis spans the
 * points held, from a minute (or the window, if shorter) up to this. */
void       gz_time_series_chart_set_window     (GzTimeSeriesChart *self,
                                                double             seconds);
/* The values' unit, for the y axis and tooltips (default GZ_CHART_UNIT_COUNT). */
void       gz_time_series_chart_set_unit       (GzTimeSeriesChart *self,
                                                GzChartUnit        unit);

G_END_DECLS
