/* gz-profilers-private.h: the six GzProfiler subclasses, each in its own file. */
#pragma once

#include "gz-profile-builder.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_CPU_PROFILER (gz_cpu_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzCpuProfiler, gz_cpu_profiler, GZ, CPU_PROFILER, GzProfiler)

#define GZ_TYPE_HEAP_PROFILER (gz_heap_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzHeapProfiler, gz_heap_profiler, GZ, HEAP_PROFILER, GzProfiler)

#define GZ_TYPE_THREAD_PROFILER (gz_thread_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzThreadProfiler, gz_thread_profiler, GZ, THREAD_PROFILER, GzProfiler)

/* Block and mutex: one type, the kind chosen at construction. */
#define GZ_TYPE_CONTENTION_PROFILER (gz_contention_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzContentionProfiler, gz_contention_profiler, GZ, CONTENTION_PROFILER,
                      GzProfiler)

#define GZ_TYPE_THREADCREATE_PROFILER (gz_threadcreate_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzThreadcreateProfiler, gz_threadcreate_profiler, GZ,
                      THREADCREATE_PROFILER, GzProfiler)

/* Each constructor applies its part of @config (rates, frequency) and returns a profiler whose
 * "profile-type" property is set. */
GzProfiler *gz_cpu_profiler_new          (GzConfig      *config,
                                          GError       **error);
GzProfiler *gz_heap_profiler_new         (GzConfig      *config,
                                          GError       **error);
GzProfiler *gz_thread_profiler_new       (GzConfig      *config,
                                          GError       **error);
GzProfiler *gz_contention_profiler_new   (GzProfileType  type, /* BLOCK or MUTEX */
                                          GzConfig      *config,
                                          GError       **error);
GzProfiler *gz_threadcreate_profiler_new (GzConfig      *config,
                                          GError       **error);

G_END_DECLS
