/* gz-contention-profiler.c: the block and mutex profiles from the contention recorder: a
 * session is its end profile minus its start profile (gz_profile_subtract), a snapshot is
 * everything since the process started. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-contention.h"
#include "gz-contention-profiler.h"
#include "gz-profile-builder.h"
#include "gz-profile-delta.h"

struct _GzContentionProfiler
{
  GzProfiler parent_instance;

  GzProfile *start_profile; /* everything recorded until start */
};

G_DEFINE_FINAL_TYPE (GzContentionProfiler, gz_contention_profiler, GZ_TYPE_PROFILER)

static GArray *
take_records (GzProfiler *profiler)
{
  if (gz_profiler_get_profile_type (profiler) == GZ_PROFILE_TYPE_MUTEX)
    return gz_contention_snapshot_mutex ();

  return gz_contention_snapshot_block ();
}

/* Everything recorded since the process started, as of @time_nanos. */
static GzProfile *
build_profile (GzProfiler *profiler,
               gint64      time_nanos,
               GError    **error)
{
  GzProfileType type = gz_profiler_get_profile_type (profiler);
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (type);
  g_autoptr(GArray) records = take_records (profiler);

  /* As Go: the mutex profile's period is the sampling fraction, the block profile's the rate
   * in nanoseconds. The recorded values are already scaled. */
  if (type == GZ_PROFILE_TYPE_MUTEX)
    gz_profile_builder_set_period (builder, gz_contention_get_mutex_fraction ());
  else
    gz_profile_builder_set_period (builder, gz_contention_get_block_rate ());
  gz_profile_builder_set_time (builder, time_nanos, 0);

  gz_stack_records_add_to_builder (records, builder);

  return gz_profile_builder_finish (builder, NULL, error);
}

static gboolean
gz_contention_profiler_start (GzProfiler  *profiler,
                              GError     **error)
{
  GzContentionProfiler *self = GZ_CONTENTION_PROFILER (profiler);

  g_clear_pointer (&self->start_profile, gz_profile_unref);
  self->start_profile = build_profile (profiler, gz_profiler_get_start_time_nanos (profiler),
                                       error);

  return self->start_profile != NULL;
}

static GzProfile *
gz_contention_profiler_stop (GzProfiler  *profiler,
                             GError     **error)
{
  GzContentionProfiler *self = GZ_CONTENTION_PROFILER (profiler);
  g_autoptr(GzProfile) start = g_steal_pointer (&self->start_profile);
  GzProfile *end = build_profile (profiler, g_get_real_time () * 1000, error);

  if (end == NULL)
    return NULL;

  /* The session's profile: stamped at its start, lasting until now. */
  gz_profile_subtract (end, start, NULL);
  end->time_nanos = start->time_nanos;
  return end;
}

static GzProfile *
gz_contention_profiler_snapshot (GzProfiler  *profiler,
                                 GError     **error)
{
  return build_profile (profiler, g_get_real_time () * 1000, error);
}

static void
gz_contention_profiler_finalize (GObject *object)
{
  GzContentionProfiler *self = GZ_CONTENTION_PROFILER (object);

  g_clear_pointer (&self->start_profile, gz_profile_unref);

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
