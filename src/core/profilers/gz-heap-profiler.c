/* gz-heap-profiler.c: the memory profile from the heap sampler: allocations counted between
 * start and stop, and the heap in use at stop, scaled to unbiased estimates as Go does. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-heap-sampler.h"
#include "gz-heap-profiler.h"
#include "gz-profile-builder.h"
#include "gz-profile-delta.h"

struct _GzHeapProfiler
{
  GzProfiler parent_instance;

  GzProfile *start_profile; /* unscaled: the sampler's tables at start */
};

G_DEFINE_FINAL_TYPE (GzHeapProfiler, gz_heap_profiler, GZ_TYPE_PROFILER)

/* The in-use values of a session are the heap at its end, whenever its objects were
 * allocated: gz_profile_subtract keeps them. */
static const char * const inuse_types[] = { "inuse_objects", "inuse_space", NULL };

/* The sampler's tables as of @time_nanos, unscaled: sampled counts and bytes, so that a
 * session's allocations are subtracted before they are scaled, as one sample. */
static GzProfile *
build_unscaled_profile (gint64    time_nanos,
                        GError  **error)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_MEMORY);
  g_autoptr(GArray) records = gz_heap_sampler_snapshot ();

  gz_profile_builder_set_period (builder, (gint64) gz_heap_sampler_get_rate ());
  gz_profile_builder_set_time (builder, time_nanos, 0);
  gz_stack_records_add_to_builder (records, builder);

  return gz_profile_builder_finish (builder, NULL, error);
}

/* Go's unbiased estimates, in place: (alloc_objects, alloc_space) and (inuse_objects,
 * inuse_space) are each scaled as a pair at the sampling rate; samples left with nothing are
 * dropped. */
static void
scale_profile (GzProfile *profile)
{
  gsize rate = (gsize) profile->period;

  for (guint i = profile->samples->len; i-- > 0;)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i);
      gint64 *values = (gint64 *) (gpointer) sample->values->data;

      g_assert (sample->values->len == 4);
      gz_heap_sampler_scale (&values[0], &values[1], rate);
      gz_heap_sampler_scale (&values[2], &values[3], rate);
      if (values[0] == 0 && values[1] == 0 && values[2] == 0 && values[3] == 0)
        g_ptr_array_remove_index (profile->samples, i);
    }
}

static gboolean
gz_heap_profiler_start (GzProfiler  *profiler,
                        GError     **error)
{
  GzHeapProfiler *self = GZ_HEAP_PROFILER (profiler);

  g_clear_pointer (&self->start_profile, gz_profile_unref);
  /* Building symbolizes (reading debug information can allocate megabytes): that is gz's work,
   * not the session's, so it is not sampled. */
  gz_heap_sampler_ignore_begin ();
  self->start_profile = build_unscaled_profile (gz_profiler_get_start_time_nanos (profiler),
                                                error);
  gz_heap_sampler_ignore_end ();
  return self->start_profile != NULL;
}

static GzProfile *
gz_heap_profiler_stop (GzProfiler  *profiler,
                       GError     **error)
{
  GzHeapProfiler *self = GZ_HEAP_PROFILER (profiler);
  g_autoptr(GzProfile) start = g_steal_pointer (&self->start_profile);
  GzProfile *end = build_unscaled_profile (g_get_real_time () * 1000, error);

  if (end == NULL)
    return NULL;

  /* Allocations between start and now; the heap in use now. Stamped at the start. */
  gz_profile_subtract (end, start, inuse_types);
  end->time_nanos = start->time_nanos;
  scale_profile (end);
  return end;
}

static GzProfile *
gz_heap_profiler_snapshot (GzProfiler  *profiler,
                           GError     **error)
{
  GzProfile *profile = build_unscaled_profile (g_get_real_time () * 1000, error);

  if (profile != NULL)
    scale_profile (profile);
  return profile;
}

static void
gz_heap_profiler_finalize (GObject *object)
{
  GzHeapProfiler *self = GZ_HEAP_PROFILER (object);

  g_clear_pointer (&self->start_profile, gz_profile_unref);

  G_OBJECT_CLASS (gz_heap_profiler_parent_class)->finalize (object);
}

static void
gz_heap_profiler_class_init (GzHeapProfilerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  object_class->finalize = gz_heap_profiler_finalize;

  profiler_class->start = gz_heap_profiler_start;
  profiler_class->stop = gz_heap_profiler_stop;
  profiler_class->snapshot = gz_heap_profiler_snapshot;
}

static void
gz_heap_profiler_init (GzHeapProfiler *self)
{
}

GzProfiler *
gz_heap_profiler_new (GzConfig  *config,
                      GError   **error)
{
  if (!gz_heap_sampler_is_available ())
    {
      g_set_error_literal (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                           "Memory profiles need the allocation wrappers, and this build has "
                           "none (built without tcmalloc or with AddressSanitizer): rebuild "
                           "with -Dtcmalloc=true and without -Db_sanitize=address");
      return NULL;
    }

  if (config != NULL)
    {
      gint64 rate = gz_config_get_int (config, "memory-rate");

      /* The configuration validates its values; a negative one would be its bug. */
      if (rate >= 0)
        gz_heap_sampler_set_rate ((gsize) rate);
    }

  return g_object_new (GZ_TYPE_HEAP_PROFILER,
                       "profile-type", GZ_PROFILE_TYPE_MEMORY,
                       NULL);
}
