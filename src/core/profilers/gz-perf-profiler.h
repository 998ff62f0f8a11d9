/* gz-perf-profiler.h: CPU profiles of another process, nothing of gz in it, sampled by the
 * kernel (perf_event_open) and unwound and symbolized here. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/types.h>

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_PERF_PROFILER (gz_perf_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzPerfProfiler, gz_perf_profiler, GZ, PERF_PROFILER, GzProfiler)

/* A profiler of @type for process @pid, at config "cpu-hz" samples per second of CPU. Only cpu:
 * the other types fail (GZ_PROFILE_ERROR_UNSUPPORTED) with a line saying they need gz's
 * preload and how to start the program with it. Fails as well, with a line saying why and what to
 * change, when the kernel would refuse to sample @pid (gz_perf_events_check()): nothing has
 * started then. Every thread is sampled, also those created while it runs; user space only. */
GzProfiler *gz_perf_profiler_new           (pid_t            pid,
                                            GzProfileType    type,
                                            GzConfig        *config,
                                            GError         **error);
/* As gz_perf_profiler_new() for @pid, a child that has not called exec yet (GzLauncher): the
 * start opens the events, which the kernel enables at the child's exec, so that the program is
 * sampled from its first instruction. Its modules are read from its first sample on. */
GzProfiler *gz_perf_profiler_new_on_exec   (pid_t            pid,
                                            GzProfileType    type,
                                            GzConfig        *config,
                                            GError         **error);
pid_t       gz_perf_profiler_get_pid       (GzPerfProfiler  *self);
/* FALSE once the process is gone or a zombie. */
gboolean    gz_perf_profiler_target_alive  (GzPerfProfiler  *self);
/* After the stop: whether the process had exited by then (the profile is what it ran). */
gboolean    gz_perf_profiler_target_exited (GzPerfProfiler  *self);

G_END_DECLS
