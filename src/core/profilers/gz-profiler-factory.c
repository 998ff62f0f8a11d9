/* gz-profiler-factory.c: gz_profiler_new, which picks the GzProfiler subclass for a type. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-contention-profiler.h"
#include "gz-cpu-profiler.h"
#include "gz-heap-profiler.h"
#include "gz-profiler-factory.h"
#include "gz-thread-profiler.h"
#include "gz-threadcreate-profiler.h"

GzProfiler *
gz_profiler_new (GzProfileType   type,
                 GzConfig       *config,
                 GError        **error)
{
  g_return_val_if_fail (config == NULL || GZ_IS_CONFIG (config), NULL);

  switch (type)
    {
    case GZ_PROFILE_TYPE_CPU:
      return gz_cpu_profiler_new (config, error);
    case GZ_PROFILE_TYPE_MEMORY:
      return gz_heap_profiler_new (config, error);
    case GZ_PROFILE_TYPE_GOROUTINE:
      return gz_thread_profiler_new (config, error);
    case GZ_PROFILE_TYPE_BLOCK:
    case GZ_PROFILE_TYPE_MUTEX:
      return gz_contention_profiler_new (type, config, error);
    case GZ_PROFILE_TYPE_THREADCREATE:
      return gz_threadcreate_profiler_new (config, error);
    case GZ_PROFILE_TYPE_N:
    default:
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "unknown profile type %d; the types are %s", (int) type,
                   gz_profile_type_names ());
      return NULL;
    }
}
