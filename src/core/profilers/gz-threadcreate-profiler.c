/* gz-threadcreate-profiler.c: the threadcreate profile: the stacks that created threads since
 * the process started, as Go's threadcreate profile is cumulative. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-profile-builder.h"
#include "gz-threadcreate-profiler.h"
#include "gz-stack.h"
#include "gz-threadcreate.h"

struct _GzThreadcreateProfiler
{
  GzProfiler parent_instance;
};

G_DEFINE_FINAL_TYPE (GzThreadcreateProfiler, gz_threadcreate_profiler, GZ_TYPE_PROFILER)

static GzProfile *
build_profile (gint64    time_nanos,
               gint64    duration_nanos,
               GError  **error)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_THREADCREATE);
  g_autoptr(GArray) records = gz_threadcreate_snapshot ();

  gz_profile_builder_set_period (builder, 1);
  gz_profile_builder_set_time (builder, time_nanos, duration_nanos);

  gz_stack_records_add_to_builder (records, builder);

  return gz_profile_builder_finish (builder, NULL, error);
}

static gboolean
gz_threadcreate_profiler_start (GzProfiler  *profiler,
                                GError     **error)
{
  return TRUE;
}

static GzProfile *
gz_threadcreate_profiler_stop (GzProfiler  *profiler,
                               GError     **error)
{
  gint64 start_nanos = gz_profiler_get_start_time_nanos (profiler);
  gint64 now_nanos = g_get_real_time () * 1000;

  return build_profile (start_nanos, MAX (now_nanos - start_nanos, 0), error);
}

static GzProfile *
gz_threadcreate_profiler_snapshot (GzProfiler  *profiler,
                                   GError     **error)
{
  return build_profile (g_get_real_time () * 1000, 0, error);
}

static void
gz_threadcreate_profiler_class_init (GzThreadcreateProfilerClass *klass)
{
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  profiler_class->start = gz_threadcreate_profiler_start;
  profiler_class->stop = gz_threadcreate_profiler_stop;
  profiler_class->snapshot = gz_threadcreate_profiler_snapshot;
}

static void
gz_threadcreate_profiler_init (GzThreadcreateProfiler *self)
{
}

GzProfiler *
gz_threadcreate_profiler_new (GzConfig  *config,
                              GError   **error)
{
  if (!gz_threadcreate_is_available ())
    {
      g_set_error_literal (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                           "threadcreate profiles need the pthread_create wrapper, and this "
                           "program has none: link it with libgz_dep, which links "
                           "gz-pthread-hooks.c into the executable");
      return NULL;
    }

  return g_object_new (GZ_TYPE_THREADCREATE_PROFILER,
                       "profile-type", GZ_PROFILE_TYPE_THREADCREATE,
                       NULL);
}
