/* gz-pprof-target-stats.h: /debug/stats of another process, from /proc alone (what can be seen
 * from outside it), in the schema of gz_process_stats_collect(). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* RSS and its peak, threads, CPU time, context switches and open fds of process @pid; what
 * only the process knows (its allocator's figures, allocation counts) is null. Fails with one
 * line (G_IO_ERROR_NOT_FOUND) when the process is gone. */
JsonNode *gz_pprof_target_stats_collect (pid_t    pid,
                                         GError **error);

G_END_DECLS
