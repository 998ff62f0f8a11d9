/* gz-cpu-profiler.h: CPU profiles from gperftools' SIGPROF profiler (no snapshot). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_CPU_PROFILER (gz_cpu_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzCpuProfiler, gz_cpu_profiler, GZ, CPU_PROFILER, GzProfiler)

/* Applies config "cpu-hz" and loads gperftools' profiler (GZ_PROFILE_ERROR_UNSUPPORTED
 * when it cannot be loaded). */
GzProfiler *gz_cpu_profiler_new (GzConfig  *config,
                                 GError   **error);

G_END_DECLS
