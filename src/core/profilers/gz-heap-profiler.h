/* gz-heap-profiler.h: the memory profile from the heap sampler. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_HEAP_PROFILER (gz_heap_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzHeapProfiler, gz_heap_profiler, GZ, HEAP_PROFILER, GzProfiler)

/* Applies config "memory-rate"; GZ_PROFILE_ERROR_UNSUPPORTED without the allocation
 * wrappers. */
GzProfiler *gz_heap_profiler_new (GzConfig  *config,
                                  GError   **error);

G_END_DECLS
