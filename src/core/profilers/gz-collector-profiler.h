/* gz-collector-profiler.h: a profiler of one type over a GzCollector, so that a session takes
 * memory, block, mutex or threadcreate profiles of a program that runs with the preload. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-collector.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

#define GZ_TYPE_COLLECTOR_PROFILER (gz_collector_profiler_get_type ())
G_DECLARE_FINAL_TYPE (GzCollectorProfiler, gz_collector_profiler, GZ, COLLECTOR_PROFILER,
                      GzProfiler)

/* A profiler of @type (memory, block, mutex, threadcreate; cpu for the preload's fallback
 * ticks) over @collector, which it keeps a reference to; several profilers may share one
 * collector. Fails with GZ_PROFILE_ERROR_UNSUPPORTED for goroutine, or when the ring does not
 * record @type (its header's flags).
 *
 * - start: starts the collector if it is not running yet, and marks its totals (the baseline);
 * - stop: the profile of the session: memory's alloc_objects/alloc_space since the start and
 *   inuse_objects/inuse_space at the stop (the objects not freed by then, whenever they were
 *   allocated; after the program exited: its leaks), as the in-process heap profiler's stop;
 *   block, mutex, threadcreate, cpu: the stop minus the start. Stamped at the start, lasting
 *   until the stop. Works after the program exited (what it wrote before is in the ring);
 * - snapshot: everything the collector read since it started.
 * The profiler never stops the collector: its owner calls gz_collector_stop() once the program
 * has exited (or at the end), after which stops and snapshots still work. */
GzProfiler  *gz_collector_profiler_new           (GzCollector          *collector,
                                                  GzProfileType         type,
                                                  GError              **error);
GzCollector *gz_collector_profiler_get_collector (GzCollectorProfiler  *self);

G_END_DECLS
