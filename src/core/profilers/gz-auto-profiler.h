/* gz-auto-profiler.h: periodic captures for a long-running process — every interval (the
 * first soon after start), a CPU profile of the configured duration plus heap and goroutine
 * snapshots, written to the output directory as auto-UNIX-{cpu,heap,goroutine}.prof; only the
 * newest `keep` captures are kept. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-config.h"

G_BEGIN_DECLS

#define GZ_TYPE_AUTO_PROFILER (gz_auto_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzAutoProfiler, gz_auto_profiler, GZ, AUTO_PROFILER, GObject)

/* Reads output-dir, auto-profile-interval, auto-profile-duration and keep from @config and
 * creates the output directory; fails (G_IO_ERROR) when it cannot be written. */
GzAutoProfiler *gz_auto_profiler_new             (GzConfig       *config,
                                                  GError        **error);
const char     *gz_auto_profiler_get_output_dir  (GzAutoProfiler *self);
/* Schedules the captures on the thread-default main context: the first after
 * @first_delay_ms, then every interval. A capture still running when the next is due makes
 * that one skip. Captures run on their own thread. */
void            gz_auto_profiler_start           (GzAutoProfiler *self,
                                                  guint           first_delay_ms);
/* Stops scheduling; a capture in progress ends now (its CPU profile cut short) and is saved
 * before this returns. */
void            gz_auto_profiler_stop            (GzAutoProfiler *self);
/* The same without waiting, for a main loop that must not block: scheduling stops now, on the
 * calling thread (the one that started it); the capture in progress is ended and saved on a
 * worker. Start again only after it finished. */
void            gz_auto_profiler_stop_async      (GzAutoProfiler       *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean        gz_auto_profiler_stop_finish     (GzAutoProfiler       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Captures finished so far (written, or failed and logged). */
guint           gz_auto_profiler_get_n_captures  (GzAutoProfiler *self);
/* Deletes the oldest captures in @dir beyond the newest @keep (0 keeps all). Returns the
 * number of captures left. */
guint           gz_auto_profiler_prune           (const char     *dir,
                                                  guint           keep);

G_END_DECLS
