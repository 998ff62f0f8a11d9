/* gz-thread-profiler.h: the goroutine profile: every thread's stack. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_THREAD_PROFILER (gz_thread_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzThreadProfiler, gz_thread_profiler, GZ, THREAD_PROFILER, GzProfiler)

GzProfiler *gz_thread_profiler_new (GzConfig  *config,
                                    GError   **error);

G_END_DECLS
