/* gz-stats-values.h: GzStatsValues, the values of the runtime statistics' JSON as rows in
 * readable units (bytes, durations), grouped by section and updated in place. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GZ_TYPE_STATS_VALUES (gz_stats_values_get_type ())
G_DECLARE_FINAL_TYPE (GzStatsValues, gz_stats_values, GZ, STATS_VALUES, GtkBox)

GtkWidget  *gz_stats_values_new    (void);
/* Adds a row for each value of @stats not seen before and updates the others. */
void        gz_stats_values_update (GzStatsValues *self,
                                    JsonObject    *stats);
/* The text shown for a JSON path such as "memory.rss_bytes", or NULL if there is no such row. */
const char *gz_stats_values_get    (GzStatsValues *self,
                                    const char    *path);
/* Removes every row (another target has other values). */
void        gz_stats_values_clear  (GzStatsValues *self);

G_END_DECLS
