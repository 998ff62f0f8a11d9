/* gz-cpu-profiler.h: CPU profiles of this process, by perf events on oneself or, where they are
 * refused, a SIGPROF sampler that copies stacks in its handler and unwinds them outside (no
 * snapshot). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_CPU_PROFILER (gz_cpu_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzCpuProfiler, gz_cpu_profiler, GZ, CPU_PROFILER, GzProfiler)

/* Applies config "cpu-hz" (@config may be NULL: 100 Hz). One CPU profile runs at a time in a
 * process; the start fails (GZ_PROFILE_ERROR_UNSUPPORTED) only where perf events are refused
 * and the program handles SIGPROF itself. */
GzProfiler *gz_cpu_profiler_new (GzConfig  *config,
                                 GError   **error);

G_END_DECLS
