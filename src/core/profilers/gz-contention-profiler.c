/* gz-contention-profiler.c: the block and mutex profiles from the contention recorder: a
 * session is the difference between its end and its start, a snapshot is everything since the
 * process started. */
#include "config.h"

#include "gz-contention.h"
#include "gz-profilers-private.h"
#include "gz-stack.h"

struct _GzContentionProfiler
{
  GzProfiler parent_instance;

  GArray    *start_records; /* GzStackRecord: the recorder's table at start */
};

G_DEFINE_FINAL_TYPE (GzContentionProfiler, gz_contention_profiler, GZ_TYPE_PROFILER)

static GArray *
take_records (GzProfiler *profiler)
{
  if (gz_profiler_get_profile_type (profiler) == GZ_PROFILE_TYPE_MUTEX)
    return gz_contention_snapshot_mutex ();

  return gz_contention_snapshot_block ();
}

static GzProfile *
build_profile (GzProfiler *profiler,
               GArray     *records,
               gint64      time_nanos,
               gint64      duration_nanos,
               GError    **error)
{
  GzProfileType type = gz_profiler_get_profile_type (profiler);
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (type);

  /* As Go: the mutex profile's period is the sampling fraction, the block profile's the rate
   * in nanoseconds. The recorded values are already scaled. */
  if (type == GZ_PROFILE_TYPE_MUTEX)
    gz_profile_builder_set_period (builder, gz_contention_get_mutex_fraction ());
  else
    gz_profile_builder_set_period (builder, gz_contention_get_block_rate ());
  gz_profile_builder_set_time (builder, time_nanos, duration_nanos);

  gz_stack_records_add_to_builder (records, builder);

  return gz_profile_builder_finish (builder, NULL, error);
}

static gboolean
gz_contention_profiler_start (GzProfiler  *profiler,
                              GError     **error)
{
  GzContentionProfiler *self = GZ_CONTENTION_PROFILER (profiler);

  g_clear_pointer (&self->start_records, g_array_unref);
  self->start_records = take_records (profiler);

  return TRUE;
}

static GzProfile *
gz_contention_profiler_stop (GzProfiler  *profiler,
                             GError     **error)
{
  GzContentionProfiler *self = GZ_CONTENTION_PROFILER (profiler);
  g_autoptr(GArray) start = g_steal_pointer (&self->start_records);
  g_autoptr(GArray) end = take_records (profiler);
  g_autoptr(GArray) delta = gz_stack_records_subtract (end, start);
  gint64 start_nanos = gz_profiler_get_start_time_nanos (profiler);
  gint64 now_nanos = g_get_real_time () * 1000;

  return build_profile (profiler, delta, start_nanos, MAX (now_nanos - start_nanos, 0), error);
}

static GzProfile *
gz_contention_profiler_snapshot (GzProfiler  *profiler,
                                 GError     **error)
{
  g_autoptr(GArray) records = take_records (profiler);

  return build_profile (profiler, records, g_get_real_time () * 1000, 0, error);
}

static void
gz_contention_profiler_finalize (GObject *object)
{
  GzContentionProfiler *self = GZ_CONTENTION_PROFILER (object);

  g_clear_pointer (&self->start_records, g_array_unref);

  G_OBJECT_CLASS (gz_contention_profiler_parent_class)->finalize (object);
}

static void
gz_contention_profiler_class_init (GzContentionProfilerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  object_class->finalize = gz_contention_profiler_finalize;

  profiler_class->start = gz_contention_profiler_start;
  profiler_class->stop = gz_contention_profiler_stop;
  profiler_class->snapshot = gz_contention_profiler_snapshot;
}

static void
gz_contention_profiler_init (GzContentionProfiler *self)
{
}

GzProfiler *
gz_contention_profiler_new (GzProfileType   type,
                            GzConfig       *config,
                            GError        **error)
{
  g_return_val_if_fail (type == GZ_PROFILE_TYPE_BLOCK || type == GZ_PROFILE_TYPE_MUTEX, NULL);

  if (!gz_contention_is_available ())
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "%s profiles need the pthread wrappers, and this program has none: link "
                   "it with libgz_dep, which links gz-pthread-hooks.c into the executable",
                   gz_profile_type_to_string (type));
      return NULL;
    }

  /* The configuration validates its values; a negative one would be its bug. */
  if (config != NULL && type == GZ_PROFILE_TYPE_BLOCK)
    gz_contention_set_block_rate (gz_config_get_int (config, "block-rate"));
  if (config != NULL && type == GZ_PROFILE_TYPE_MUTEX)
    gz_contention_set_mutex_fraction ((int) gz_config_get_int (config, "mutex-fraction"));

  return g_object_new (GZ_TYPE_CONTENTION_PROFILER,
                       "profile-type", type,
                       NULL);
}
