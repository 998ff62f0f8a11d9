/* gz-collector-profiler.c: a session's profile from a GzCollector: its totals marked at the
 * start, the profile since that mark at the stop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-collector-profiler.h"

struct _GzCollectorProfiler
{
  GzProfiler       parent_instance;

  GzCollector     *collector;
  GzCollectorMark *start_mark;
};

G_DEFINE_FINAL_TYPE (GzCollectorProfiler, gz_collector_profiler, GZ_TYPE_PROFILER)

static gboolean
gz_collector_profiler_start (GzProfiler  *profiler,
                             GError     **error)
{
  GzCollectorProfiler *self = GZ_COLLECTOR_PROFILER (profiler);

  gz_collector_start (self->collector);
  g_clear_pointer (&self->start_mark, gz_collector_mark_free);
  self->start_mark = gz_collector_mark (self->collector);
  return TRUE;
}

static GzProfile *
gz_collector_profiler_stop (GzProfiler  *profiler,
                            GError     **error)
{
  GzCollectorProfiler *self = GZ_COLLECTOR_PROFILER (profiler);
  g_autoptr(GzCollectorMark) start = g_steal_pointer (&self->start_mark);

  return gz_collector_build_profile (self->collector, gz_profiler_get_profile_type (profiler),
                                     start, error);
}

static GzProfile *
gz_collector_profiler_snapshot (GzProfiler  *profiler,
                                GError     **error)
{
  GzCollectorProfiler *self = GZ_COLLECTOR_PROFILER (profiler);

  return gz_collector_build_profile (self->collector, gz_profiler_get_profile_type (profiler),
                                     NULL, error);
}

static void
gz_collector_profiler_finalize (GObject *object)
{
  GzCollectorProfiler *self = GZ_COLLECTOR_PROFILER (object);

  g_clear_pointer (&self->start_mark, gz_collector_mark_free);
  g_clear_object (&self->collector);
  G_OBJECT_CLASS (gz_collector_profiler_parent_class)->finalize (object);
}

static void
gz_collector_profiler_class_init (GzCollectorProfilerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  object_class->finalize = gz_collector_profiler_finalize;
  profiler_class->start = gz_collector_profiler_start;
  profiler_class->stop = gz_collector_profiler_stop;
  profiler_class->snapshot = gz_collector_profiler_snapshot;
}

static void
gz_collector_profiler_init (GzCollectorProfiler *self)
{
}

/* The header flag that makes the preload record @type; 0 for none. */
static guint32
type_flag (GzProfileType type)
{
  switch (type)
    {
    case GZ_PROFILE_TYPE_MEMORY:
      return GZ_RING_RECORD_MEMORY;
    case GZ_PROFILE_TYPE_BLOCK:
      return GZ_RING_RECORD_BLOCK;
    case GZ_PROFILE_TYPE_MUTEX:
      return GZ_RING_RECORD_MUTEX;
    case GZ_PROFILE_TYPE_THREADCREATE:
      return GZ_RING_RECORD_THREADS;
    case GZ_PROFILE_TYPE_CPU:
      return GZ_RING_RECORD_CPU;
    case GZ_PROFILE_TYPE_GOROUTINE:
    case GZ_PROFILE_TYPE_N:
    default:
      return 0;
    }
}

GzProfiler *
gz_collector_profiler_new (GzCollector    *collector,
                           GzProfileType   type,
                           GError        **error)
{
  GzCollectorProfiler *self;
  guint32 flag = type_flag (type);

  g_return_val_if_fail (GZ_IS_COLLECTOR (collector), NULL);

  if (flag == 0 || !(gz_ring_get_header (gz_collector_get_ring (collector))->flags & flag))
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "the preload in process %d does not record %s profiles%s",
                   (int) gz_collector_get_pid (collector), gz_profile_type_to_string (type),
                   flag == 0 ? "" : ": launch the program again with that type asked for");
      return NULL;
    }

  self = g_object_new (GZ_TYPE_COLLECTOR_PROFILER, "profile-type", (int) type, NULL);
  self->collector = g_object_ref (collector);
  return GZ_PROFILER (self);
}

GzCollector *
gz_collector_profiler_get_collector (GzCollectorProfiler *self)
{
  g_return_val_if_fail (GZ_IS_COLLECTOR_PROFILER (self), NULL);
  return self->collector;
}
