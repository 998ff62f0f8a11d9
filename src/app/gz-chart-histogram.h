/* gz-chart-histogram.h: GzHistogramChart, counts per bin (e.g. benchmark latencies) with
 * labelled vertical markers (p50, p90, p99). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-chart.h"

G_BEGIN_DECLS

#define GZ_TYPE_HISTOGRAM_CHART (gz_histogram_chart_get_type ())
G_DECLARE_FINAL_TYPE (GzHistogramChart, gz_histogram_chart, GZ, HISTOGRAM_CHART, GzChart)

GtkWidget *gz_histogram_chart_new         (void);
/* Copies @n_bins bins: bin i holds @counts[i] values in [@edges[i], @edges[i + 1]), so @edges
 * has @n_bins + 1 sorted entries, in @unit (e.g. GZ_CHART_UNIT_NANOSECONDS). 0 bins empties
 * the chart. The markers stay. */
void       gz_histogram_chart_set_data    (GzHistogramChart   *self,
                                           const double       *edges,
                                           const guint64      *counts,
                                           guint               n_bins,
                                           GzChartUnit         unit);
/* Copies @n_markers vertical lines at @values (in the data's unit), each labelled with
 * @labels[i] ("p50", "p90", "p99"); 0 removes them. */
void       gz_histogram_chart_set_markers (GzHistogramChart   *self,
                                           const double       *values,
                                           const char * const *labels,
                                           guint               n_markers);
guint      gz_histogram_chart_get_n_bins  (GzHistogramChart   *self);

G_END_DECLS
