/* gz-profiler-factory.h: a profiler of any type, by GzProfileType: the one place that knows
 * every GzProfiler subclass. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

/* A profiler of @type for the calling process, configured from @config (NULL: defaults).
 * Fails with GZ_PROFILE_ERROR_UNSUPPORTED when this build cannot take that type.
 * cpu: gperftools' profiler, loaded with dlopen at the first CPU profiler of the process at
 * config "cpu-hz". That rate then holds for the life of the process: a later, different cpu-hz
 * logs one g_warning and the profiles keep the loaded rate (their period and a comment say
 * so). One CPU profile at a time per process: a second start fails with GZ_PROFILE_ERROR_FAILED
 * "a CPU profile is already running in this process". gperftools' own "PROFILE:
 * interrupts/evictions/bytes" report at each stop is kept off stderr. */
GzProfiler *gz_profiler_new (GzProfileType   type,
                             GzConfig       *config,
                             GError        **error);

G_END_DECLS
