/* gz-threadcreate-profiler.h: the threadcreate profile: the stacks that created threads. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_THREADCREATE_PROFILER (gz_threadcreate_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzThreadcreateProfiler, gz_threadcreate_profiler, GZ, THREADCREATE_PROFILER,
                      GzProfiler)

/* GZ_PROFILE_ERROR_UNSUPPORTED without the pthread_create wrapper. */
GzProfiler *gz_threadcreate_profiler_new (GzConfig  *config,
                                          GError   **error);

G_END_DECLS
