/* gz-profiler.c: the profiler base class: type, running state, start time, and the sync and
 * async entry points over the subclasses' start, stop and snapshot. */
#include "config.h"

#include "gz-profiler.h"

typedef struct
{
  GzProfileType type;
  gboolean      running;
  gint64        start_time_nanos;
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

gboolean
gz_profiler_start (GzProfiler *self,
                   GError    **error)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_PROFILER (self), FALSE);

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

GzProfile *
gz_profiler_stop (GzProfiler *self,
                  GError    **error)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_PROFILER (self), NULL);

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

GzProfile *
gz_profiler_snapshot (GzProfiler *self,
                      GError    **error)
{
  GzProfilerPrivate *priv = gz_profiler_get_instance_private (self);
  GzProfilerClass *klass;

  g_return_val_if_fail (GZ_IS_PROFILER (self), NULL);

  klass = GZ_PROFILER_GET_CLASS (self);
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
