/* gz-profiler.h: one small interface for the six profilers: start, stop (the profile of what
 * happened between the two), snapshot (the profile as of now, for the server). */
#pragma once

#include <glib-object.h>

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

GzProfileType gz_profiler_get_profile_type (GzProfiler *self);
gboolean      gz_profiler_is_running   (GzProfiler *self);
/* Fails (GZ_PROFILE_ERROR_FAILED) when already running. */
gboolean      gz_profiler_start        (GzProfiler *self,
                                        GError    **error);
/* The profile from start to now, with time and duration set; the profiler stops (even when
 * building the profile fails). Fails (GZ_PROFILE_ERROR_FAILED) when not running. */
GzProfile    *gz_profiler_stop         (GzProfiler *self,
                                        GError    **error);
/* The profile as of now (cumulative since the process started for memory, block, mutex and
 * threadcreate; the current threads for goroutine). Need not be started. */
GzProfile    *gz_profiler_snapshot     (GzProfiler *self,
                                        GError    **error);

/* For subclasses: the wall-clock start (unix nanoseconds), set before their start () runs. A
 * subclass disposed while running stops its own sampling. */
gint64        gz_profiler_get_start_time_nanos (GzProfiler *self);

G_END_DECLS
