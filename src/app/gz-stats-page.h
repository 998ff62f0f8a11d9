/* gz-stats-page.h: the Statistics page: gz_process_stats_collect() of this process as rows, refreshed
 * every two seconds while the page is shown. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_STATS_PAGE (gz_stats_page_get_type ())
G_DECLARE_FINAL_TYPE (GzStatsPage, gz_stats_page, GZ, STATS_PAGE, AdwBin)

GtkWidget  *gz_stats_page_new       (void);
/* Collects now; FALSE (and the error shown on the page) when collecting failed. */
gboolean    gz_stats_page_refresh   (GzStatsPage *self);
/* The text shown for a JSON path such as "memory.rss_bytes", or NULL if there is no such row. */
const char *gz_stats_page_get_value (GzStatsPage *self,
                                     const char  *path);

G_END_DECLS
