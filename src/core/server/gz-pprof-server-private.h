/* gz-pprof-server-private.h: what the server's own files (handlers, requests) use of it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-pprof-request.h"
#include "gz-pprof-server.h"

G_BEGIN_DECLS

GzConfig *gz_pprof_server_get_config     (GzPprofServer  *self);
/* The process served: 0 for this one (its own profilers), else gz_pprof_server_set_target()'s,
 * with its collector or NULL. */
pid_t        gz_pprof_server_get_target_pid (GzPprofServer *self);
GzCollector *gz_pprof_server_get_collector  (GzPprofServer *self);
/* The target's CPU profile: one at a time, as Go's (this process' own profiler checks itself).
 * FALSE when one runs; released from any thread. */
gboolean     gz_pprof_server_claim_cpu      (GzPprofServer *self);
void         gz_pprof_server_release_cpu    (GzPprofServer *self);
/* /proc/PID/cmdline as Go serves it: the arguments joined by NULs. Free with g_bytes_unref. */
GBytes   *gz_pprof_server_get_cmdline    (GzPprofServer  *self);
/* Answers the handlers' requests may share; only under their lock. */
GHashTable *gz_pprof_server_get_shared   (GzPprofServer  *self);
/* Requests paused for work are counted, so that a shutdown waits for them. */
void      gz_pprof_server_add_pending    (GzPprofServer  *self,
                                          GzPprofRequest *request);
void      gz_pprof_server_remove_pending (GzPprofServer  *self,
                                          GzPprofRequest *request);

G_END_DECLS
