/* gz-heap-profiler.c: the memory profile from the heap sampler: allocations counted between
 * start and stop, and the heap in use at stop, scaled to unbiased estimates as Go does. */
#include "config.h"

#include <string.h>

#include "gz-heap-sampler.h"
#include "gz-profilers-private.h"
#include "gz-stack.h"

struct _GzHeapProfiler
{
  GzProfiler parent_instance;

  GArray    *start_records; /* GzStackRecord, the sampler's tables at start */
};

G_DEFINE_FINAL_TYPE (GzHeapProfiler, gz_heap_profiler, GZ_TYPE_PROFILER)

/* @start: NULL for everything since the process started. In-use values always come from
 * @end: the heap at that moment, whenever its objects were allocated. */
static GzProfile *
build_profile (GArray   *end,
               GArray   *start,
               gint64    time_nanos,
               gint64    duration_nanos,
               GError  **error)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_MEMORY);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GArray) allocated = NULL;
  gsize rate = gz_heap_sampler_get_rate ();

  gz_profile_builder_set_period (builder, (gint64) rate);
  gz_profile_builder_set_time (builder, time_nanos, duration_nanos);

  /* Allocation counts of the interval, per stack, matched back to the end records by index:
   * the subtraction keeps the order of @end but drops stacks with nothing new. */
  allocated = gz_stack_records_subtract (end, start);

  for (guint i = 0, j = 0; i < end->len; i++)
    {
      const GzStackRecord *record = &g_array_index (end, GzStackRecord, i);
      gint64 alloc_objects = 0, alloc_space = 0;
      gint64 inuse_objects = record->values[2], inuse_space = record->values[3];
      gint64 values[4];

      if (j < allocated->len)
        {
          const GzStackRecord *delta = &g_array_index (allocated, GzStackRecord, j);

          if (delta->n_pcs == record->n_pcs &&
              memcmp (delta->pcs, record->pcs, record->n_pcs * sizeof (guint64)) == 0)
            {
              alloc_objects = delta->values[0];
              alloc_space = delta->values[1];
              j++;
            }
        }

      gz_heap_sampler_scale (&alloc_objects, &alloc_space, rate);
      gz_heap_sampler_scale (&inuse_objects, &inuse_space, rate);
      if (alloc_objects == 0 && alloc_space == 0 && inuse_objects == 0 && inuse_space == 0)
        continue;

      values[0] = alloc_objects;
      values[1] = alloc_space;
      values[2] = inuse_objects;
      values[3] = inuse_space;
      gz_profile_builder_add_sample (builder, record->pcs, record->n_pcs, record->flags,
                                     values, NULL, 0);
    }

  return gz_profile_builder_finish (builder, NULL, error);
}

static gboolean
gz_heap_profiler_start (GzProfiler  *profiler,
                        GError     **error)
{
  GzHeapProfiler *self = GZ_HEAP_PROFILER (profiler);

  g_clear_pointer (&self->start_records, g_array_unref);
  self->start_records = gz_heap_sampler_snapshot ();
  return TRUE;
}

static GzProfile *
gz_heap_profiler_stop (GzProfiler  *profiler,
                       GError     **error)
{
  GzHeapProfiler *self = GZ_HEAP_PROFILER (profiler);
  g_autoptr(GArray) start = g_steal_pointer (&self->start_records);
  g_autoptr(GArray) end = gz_heap_sampler_snapshot ();
  gint64 start_nanos = gz_profiler_get_start_time_nanos (profiler);
  gint64 now_nanos = g_get_real_time () * 1000;

  return build_profile (end, start, start_nanos, MAX (now_nanos - start_nanos, 0), error);
}

static GzProfile *
gz_heap_profiler_snapshot (GzProfiler  *profiler,
                           GError     **error)
{
  g_autoptr(GArray) end = gz_heap_sampler_snapshot ();

  return build_profile (end, NULL, g_get_real_time () * 1000, 0, error);
}

static void
gz_heap_profiler_finalize (GObject *object)
{
  GzHeapProfiler *self = GZ_HEAP_PROFILER (object);

  g_clear_pointer (&self->start_records, g_array_unref);

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
