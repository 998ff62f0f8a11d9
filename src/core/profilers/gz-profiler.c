/* gz-profiler.c: the profiler base class: type, running state, start time, and the sync and
 * async entry points over the subclasses' start, stop and snapshot. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-profiler.h"

typedef struct
{
  GzProfileType type;
  gboolean      running;
  gint64        start_time_nanos;
  gint          busy; /* atomic: a call (sync, or async until its worker ends) holds it */
} GzProfilerPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GzProfiler, gz_profiler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROFILE_TYPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gz_profiler_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  GzProfiler *self = GZ_PROFILER (object);
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_PROFILE_TYPE:
      g_value_set_int (value, priv->type);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_profiler_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  GzProfiler *self = GZ_PROFILER (object);
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_PROFILE_TYPE:
      priv->type = (GzProfileType) g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_profiler_class_init (GzProfilerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = gz_profiler_get_property;
  object_class->set_property = gz_profiler_set_property;

  /* A GzProfileType (a plain enum, hence an int). */
  properties[PROP_PROFILE_TYPE] =
    g_param_spec_int ("profile-type", NULL, NULL,
                      0, GZ_PROFILE_TYPE_N - 1, GZ_PROFILE_TYPE_CPU,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gz_profiler_init (GzProfiler *self)
{
}

GzProfileType
gz_profiler_get_profile_type (GzProfiler *self)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_PROFILER (self), GZ_PROFILE_TYPE_CPU);
  return priv->type;
}

gboolean
gz_profiler_is_running (GzProfiler *self)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_PROFILER (self), FALSE);
  return priv->running;
}

gint64
gz_profiler_get_start_time_nanos (GzProfiler *self)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_PROFILER (self), 0);
  return priv->start_time_nanos;
}

/* Claims @self for one call: a profiler is used by one thread at a time, and an async call
 * holds it until its worker ends. */
static gboolean
claim (GzProfiler  *self,
       GError     **error)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  if (g_atomic_int_compare_and_exchange (&priv->busy, FALSE, TRUE))
    return TRUE;
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
               "this %s profiler is busy with another call (an async stop or snapshot not "
               "finished yet); wait for its callback", gz_profile_type_to_string (priv->type));
  return FALSE;
}

static void
release (GzProfiler *self)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  g_atomic_int_set (&priv->busy, FALSE);
}

static gboolean
start_claimed (GzProfiler  *self,
               GError     **error)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  if (priv->running)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "this %s profiler is already running; stop it before starting it again",
                   gz_profile_type_to_string (priv->type));
      return FALSE;
    }

  /* Set first: subclasses read it in start () and stop (). */
  priv->start_time_nanos = g_get_real_time () * 1000;
  if (!GZ_PROFILER_GET_CLASS (self)->start (self, error))
    return FALSE;
  priv->running = TRUE;
  return TRUE;
}

static GzProfile *
stop_claimed (GzProfiler  *self,
              GError     **error)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  if (!priv->running)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "this %s profiler is not running; start it first",
                   gz_profile_type_to_string (priv->type));
      return NULL;
    }

  /* Stopped even when building the profile fails: the subclass has let go of its sampler. */
  priv->running = FALSE;
  return GZ_PROFILER_GET_CLASS (self)->stop (self, error);
}

static GzProfile *
snapshot_claimed (GzProfiler  *self,
                  GError     **error)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);
  GzProfilerClass *klass = GZ_PROFILER_GET_CLASS (self);

  if (klass->snapshot == NULL)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "a %s profile has no snapshot: it covers a span of time; start a profile "
                   "and stop it after a while (over HTTP: /debug/pprof/profile?seconds=30)",
                   gz_profile_type_to_string (priv->type));
      return NULL;
    }
  return klass->snapshot (self, error);
}

gboolean
gz_profiler_start (GzProfiler *self,
                   GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (GZ_IS_PROFILER (self), FALSE);

  if (!claim (self, error))
    return FALSE;
  ok = start_claimed (self, error);
  release (self);
  return ok;
}

GzProfile *
gz_profiler_stop (GzProfiler *self,
                  GError    **error)
{
  GzProfile *profile;

  g_return_val_if_fail (GZ_IS_PROFILER (self), NULL);

  if (!claim (self, error))
    return NULL;
  profile = stop_claimed (self, error);
  release (self);
  return profile;
}

GzProfile *
gz_profiler_snapshot (GzProfiler *self,
                      GError    **error)
{
  GzProfile *profile;

  g_return_val_if_fail (GZ_IS_PROFILER (self), NULL);

  if (!claim (self, error))
    return NULL;
  profile = snapshot_claimed (self, error);
  release (self);
  return profile;
}

/* The worker of stop_async and snapshot_async (told apart by the source tag). The profiler was
 * claimed by the caller's thread and is released here. */
static void
call_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GzProfiler *self = source_object;
  GError *error = NULL;
  GzProfile *profile;

  if (g_cancellable_is_cancelled (cancellable))
    {
      release (self);
      g_task_return_error_if_cancelled (task);
      return;
    }

  if (g_task_get_source_tag (task) == gz_profiler_stop_async)
    profile = stop_claimed (self, &error);
  else
    profile = snapshot_claimed (self, &error);
  release (self);

  if (profile == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profile, (GDestroyNotify) gz_profile_unref);
}

static void
call_async (GzProfiler          *self,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  /* Once the worker has begun, its profile is delivered even if cancelled meanwhile: a
   * stopped profiler's profile would otherwise be lost. */
  g_task_set_check_cancellable (task, FALSE);
  if (!claim (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, call_thread);
}

static GzProfile *
call_finish (GzProfiler    *self,
             GAsyncResult  *result,
             gpointer       source_tag,
             GError       **error)
{
  g_return_val_if_fail (GZ_IS_PROFILER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gz_profiler_stop_async (GzProfiler          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (GZ_IS_PROFILER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call_async (self, gz_profiler_stop_async, cancellable, callback, user_data);
}

GzProfile *
gz_profiler_stop_finish (GzProfiler    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return call_finish (self, result, gz_profiler_stop_async, error);
}

void
gz_profiler_snapshot_async (GzProfiler          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (GZ_IS_PROFILER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call_async (self, gz_profiler_snapshot_async, cancellable, callback, user_data);
}

GzProfile *
gz_profiler_snapshot_finish (GzProfiler    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return call_finish (self, result, gz_profiler_snapshot_async, error);
}
