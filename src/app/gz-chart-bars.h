/* gz-chart-bars.h: GzBarChart, grouped bars with confidence-interval whiskers: groups (e.g.
 * benchmarks) side by side, one bar per series (e.g. baseline, current) in each. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-chart.h"

G_BEGIN_DECLS

#define GZ_TYPE_BAR_CHART (gz_bar_chart_get_type ())
G_DECLARE_FINAL_TYPE (GzBarChart, gz_bar_chart, GZ, BAR_CHART, GzChart)

GtkWidget *gz_bar_chart_new          (void);
/* The groups' names, shown under the bars; forgets every value. */
void       gz_bar_chart_set_groups   (GzBarChart         *self,
                                      const char * const *names,
                                      guint               n_groups);
/* The series' names, shown in the legend in their colours; forgets every value. */
void       gz_bar_chart_set_series   (GzBarChart         *self,
                                      const char * const *names,
                                      guint               n_series);
/* The bar of @series in @group: @value with a whisker from @low to @high (NAN for none);
 * a NAN @value leaves the bar out. */
void       gz_bar_chart_set_value    (GzBarChart         *self,
                                      guint               group,
                                      guint               series,
                                      double              value,
                                      double              low,
                                      double              high);
/* The values' unit (default GZ_CHART_UNIT_NANOSECONDS). */
void       gz_bar_chart_set_unit     (GzBarChart         *self,
                                      GzChartUnit         unit);
guint      gz_bar_chart_get_n_groups (GzBarChart         *self);
guint      gz_bar_chart_get_n_series (GzBarChart         *self);

G_END_DECLS
