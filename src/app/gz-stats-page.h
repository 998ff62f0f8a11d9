/* gz-stats-page.h: the Statistics page: live charts (allocated bytes, RSS, threads, CPU) and
 * the values of gz_process_stats_collect() — of this app, a process started with `gz-cli
 * profile run` or a pprof URL — sampled off the main thread every second while the page is
 * shown. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-process-stats.h"

G_BEGIN_DECLS

#define GZ_TYPE_STATS_PAGE (gz_stats_page_get_type ())
G_DECLARE_FINAL_TYPE (GzStatsPage, gz_stats_page, GZ, STATS_PAGE, AdwBin)

GtkWidget  *gz_stats_page_new             (void);
/* Collects on a worker thread, then fills the rows and adds a point to each chart on the
 * caller's (main) thread. _finish says FALSE, with the error also shown on the page, when
 * collecting failed; cancelled when the page was disposed or its target changed first. */
void        gz_stats_page_refresh_async   (GzStatsPage          *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    gz_stats_page_refresh_finish  (GzStatsPage          *self,
                                           GAsyncResult         *result,
                                           GError              **error);
/* The text shown for a JSON path such as "memory.rss_bytes", or NULL if there is no such row. */
const char *gz_stats_page_get_value       (GzStatsPage          *self,
                                           const char           *path);
/* Points in the charts: one a sample, and a gap (NAN) where sampling resumed after a pause or
 * another page; at most the charts' capacity. */
guint       gz_stats_page_get_n_points    (GzStatsPage          *self);

/* Where the statistics come from. Changing it forgets the charts and the rows. */
void        gz_stats_page_set_target_self (GzStatsPage          *self);
/* Fails (GZ_TARGET_ERROR_NO_AGENT) when process @pid has no `run` socket. */
gboolean    gz_stats_page_set_target_pid  (GzStatsPage          *self,
                                           int                   pid,
                                           GError              **error);
/* @url: http(s)://HOST:PORT[/path of the pprof endpoints]; @token_file: NULL or the bearer
 * token's file. Fails for a URL that cannot be used; nothing is fetched until the next tick. */
gboolean    gz_stats_page_set_target_url  (GzStatsPage          *self,
                                           const char           *url,
                                           const char           *token_file,
                                           GError              **error);

/* Pausing stops the sampling; the charts keep what they show. */
void        gz_stats_page_set_paused      (GzStatsPage          *self,
                                           gboolean              paused);
gboolean    gz_stats_page_get_paused      (GzStatsPage          *self);

/* Writes the last values collected to @file as JSON or YAML (table is refused), atomically
 * (g_file_replace_contents_async). Fails when nothing has been collected yet. */
void        gz_stats_page_export_async    (GzStatsPage          *self,
                                           GFile                *file,
                                           GzProcessStatsFormat  format,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    gz_stats_page_export_finish   (GzStatsPage          *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
