/* gz-thread-profiler.h: the goroutine profile: every thread's stack. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/types.h>

#include "gz-config.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_THREAD_PROFILER (gz_thread_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzThreadProfiler, gz_thread_profiler, GZ, THREAD_PROFILER, GzProfiler)

GzProfiler *gz_thread_profiler_new (GzConfig  *config,
                                    GError   **error);

/* The goroutine profile of another process @pid, taken from outside with ptrace (nothing of gz in
 * it, no signal): the same samples and labels as this process's own. Fails with one line when
 * ptrace is refused or the process is gone. */
GzProfile  *gz_thread_profile_of_process (pid_t       pid,
                                          GError    **error);

G_END_DECLS
