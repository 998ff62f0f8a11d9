/* gz-profiler.h: one small interface for the six profilers: start, stop (the profile of what
 * happened between the two), snapshot (the profile as of now, for the server), the slow two
 * also as _async/_finish on a worker thread. gz-profiler-factory.h makes one of any type.
 *
 * Threads: a profiler is used by one thread at a time. An async call holds it from the _async
 * call until its worker ends (before its callback runs); any other call on it meanwhile fails at
 * once with GZ_PROFILE_ERROR_FAILED ("busy") rather than racing. Different profilers may be used
 * on different threads at once (the CPU profiler is still one per process). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-config.h"
#include "gz-profile.h"

G_BEGIN_DECLS

#define GZ_TYPE_PROFILER (gz_profiler_get_type ())
G_DECLARE_DERIVABLE_TYPE (GzProfiler, gz_profiler, GZ, PROFILER, GObject)

struct _GzProfilerClass
{
  GObjectClass parent_class;

  gboolean    (*start)    (GzProfiler *self,
                           GError    **error);
  GzProfile  *(*stop)     (GzProfiler *self,
                           GError    **error);
  /* May be NULL: snapshots are not possible for that type (cpu). */
  GzProfile  *(*snapshot) (GzProfiler *self,
                           GError    **error);
};

GzProfileType gz_profiler_get_profile_type (GzProfiler          *self);
gboolean      gz_profiler_is_running       (GzProfiler          *self);
/* Fails (GZ_PROFILE_ERROR_FAILED) when already running. Block, mutex and memory profilers
 * build (and symbolize) their start profile here. */
gboolean      gz_profiler_start            (GzProfiler          *self,
                                            GError             **error);
/* The profile from start to now, with time and duration set; the profiler stops (even when
 * building the profile fails). Fails (GZ_PROFILE_ERROR_FAILED) when not running. Block, mutex
 * and memory: the end profile minus the start profile (gz_profile_subtract). */
GzProfile    *gz_profiler_stop             (GzProfiler          *self,
                                            GError             **error);
/* gz_profiler_stop on a worker thread. Cancelled before the worker begins: G_IO_ERROR_CANCELLED
 * and the profiler keeps running; once it has begun, the profiler stops and the profile is
 * delivered. */
void          gz_profiler_stop_async       (GzProfiler          *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GzProfile    *gz_profiler_stop_finish      (GzProfiler          *self,
                                            GAsyncResult        *result,
                                            GError             **error);
/* The profile as of now (cumulative since the process started for memory, block, mutex and
 * threadcreate; the current threads for goroutine). Need not be started. */
GzProfile    *gz_profiler_snapshot         (GzProfiler          *self,
                                            GError             **error);
/* gz_profiler_snapshot on a worker thread; cancelled before the worker begins:
 * G_IO_ERROR_CANCELLED. */
void          gz_profiler_snapshot_async   (GzProfiler          *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GzProfile    *gz_profiler_snapshot_finish  (GzProfiler          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* For subclasses: the wall-clock start (unix nanoseconds), set before their start () runs. A
 * subclass disposed while running stops its own sampling. */
gint64        gz_profiler_get_start_time_nanos (GzProfiler *self);

G_END_DECLS
