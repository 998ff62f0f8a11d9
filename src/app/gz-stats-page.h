/* gz-stats-page.h: the Statistics page: gz_process_stats_collect() of this process as rows,
 * collected off the main thread every two seconds while the page is shown. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_STATS_PAGE (gz_stats_page_get_type ())
G_DECLARE_FINAL_TYPE (GzStatsPage, gz_stats_page, GZ, STATS_PAGE, AdwBin)

GtkWidget  *gz_stats_page_new            (void);
/* Collects on a worker thread, then fills the rows in on the caller's (main) thread. _finish
 * says FALSE, with the error also shown on the page, when collecting failed; cancelled when the
 * page was disposed first. */
void        gz_stats_page_refresh_async  (GzStatsPage         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean    gz_stats_page_refresh_finish (GzStatsPage         *self,
                                          GAsyncResult        *result,
                                          GError             **error);
/* The text shown for a JSON path such as "memory.rss_bytes", or NULL if there is no such row. */
const char *gz_stats_page_get_value      (GzStatsPage         *self,
                                          const char          *path);

G_END_DECLS
