/* gz-target-capture.c: a session's profile taken from another program: through its agent's
 * session control (pid, command) or its pprof endpoints (URL). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-profile-delta.h"
#include "gz-session-registry.h"
#include "gz-target-capture.h"

struct _GzTargetCapture
{
  GObject          parent_instance;

  GzTargetClient  *client;
  GzTargetKind     kind;
  GzProfileType    type;
  gint64           duration;
  char            *output_path;
  guint64          start_ticks;  /* of the target process, so a reused pid is told apart */

  GzProfile       *first;        /* a URL's block/mutex snapshot at the start */
  GThread         *cpu_thread;   /* a URL's CPU profile in flight */
  GCancellable    *cpu_cancellable;
  GzProfile       *cpu_profile;  /* its outcome, once joined */
  GError          *cpu_error;
};

G_DEFINE_FINAL_TYPE (GzTargetCapture, gz_target_capture, G_TYPE_OBJECT)

static void
gz_target_capture_dispose (GObject *object)
{
  GzTargetCapture *self = GZ_TARGET_CAPTURE (object);

  if (self->cpu_thread != NULL)
    {
      g_cancellable_cancel (self->cpu_cancellable);
      g_thread_join (g_steal_pointer (&self->cpu_thread));
    }
  G_OBJECT_CLASS (gz_target_capture_parent_class)->dispose (object);
}

static void
gz_target_capture_finalize (GObject *object)
{
  GzTargetCapture *self = GZ_TARGET_CAPTURE (object);

  g_clear_object (&self->client);
  g_free (self->output_path);
  g_clear_pointer (&self->first, gz_profile_unref);
  g_clear_object (&self->cpu_cancellable);
  g_clear_pointer (&self->cpu_profile, gz_profile_unref);
  g_clear_error (&self->cpu_error);
  G_OBJECT_CLASS (gz_target_capture_parent_class)->finalize (object);
}

static void
gz_target_capture_class_init (GzTargetCaptureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_target_capture_dispose;
  object_class->finalize = gz_target_capture_finalize;
}

static void
gz_target_capture_init (GzTargetCapture *self)
{
}

GzTargetCapture *
gz_target_capture_new (GzTargetClient *client,
                       GzTargetKind    kind,
                       GzProfileType   type,
                       gint64          duration_nanos,
                       const char     *output_path)
{
  GzTargetCapture *self;

  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (client), NULL);
  g_return_val_if_fail (kind != GZ_TARGET_SELF, NULL);

  self = g_object_new (GZ_TYPE_TARGET_CAPTURE, NULL);
  self->client = g_object_ref (client);
  self->kind = kind;
  self->type = type;
  self->duration = duration_nanos;
  self->output_path = g_strdup (output_path);
  if (kind != GZ_TARGET_URL)
    self->start_ticks =
      gz_session_registry_process_start_ticks (gz_target_client_get_pid (client));
  return self;
}

gboolean
gz_target_capture_target_alive (GzTargetCapture *self)
{
  GzSessionInfo info = { 0 };

  g_return_val_if_fail (GZ_IS_TARGET_CAPTURE (self), FALSE);

  if (self->kind == GZ_TARGET_URL)
    return TRUE;
  info.owner_pid = gz_target_client_get_pid (self->client);
  info.owner_start_ticks = self->start_ticks;
  return gz_session_registry_owner_alive (&info);
}

static gpointer
cpu_thread_main (gpointer data)
{
  GzTargetCapture *self = data;
  int seconds = (int) MAX (1, (self->duration + G_GINT64_CONSTANT (999999999)) / 1000000000);

  self->cpu_profile = gz_target_client_fetch_profile (self->client, "profile", seconds,
                                                      self->cpu_cancellable, &self->cpu_error);
  return NULL;
}

gboolean
gz_target_capture_start (GzTargetCapture *self,
                         GError         **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (GZ_IS_TARGET_CAPTURE (self), FALSE);

  if (self->kind != GZ_TARGET_URL)
    {
      id = gz_target_client_session_start (self->client, self->type, self->output_path, NULL,
                                           error);
      return id != NULL;
    }

  switch (self->type)
    {
    case GZ_PROFILE_TYPE_CPU:
      /* The profile comes at the end: say now if nothing answers there. */
      if (!gz_target_client_check (self->client, NULL, error))
        return FALSE;
      self->cpu_cancellable = g_cancellable_new ();
      self->cpu_thread = g_thread_new ("gz-target-cpu", cpu_thread_main, self);
      return TRUE;
    case GZ_PROFILE_TYPE_BLOCK:
    case GZ_PROFILE_TYPE_MUTEX:
      self->first = gz_target_client_fetch_profile (self->client,
                                                    gz_target_client_profile_name (self->type),
                                                    0, NULL, error);
      return self->first != NULL;
    case GZ_PROFILE_TYPE_MEMORY:
    case GZ_PROFILE_TYPE_GOROUTINE:
    case GZ_PROFILE_TYPE_THREADCREATE:
    case GZ_PROFILE_TYPE_N:
    default:
      /* Snapshots at the end; but say now if nothing answers there. */
      {
        g_autoptr(GzProfile) probe =
          gz_target_client_fetch_profile (self->client,
                                          gz_target_client_profile_name (self->type), 0, NULL,
                                          error);
        return probe != NULL;
      }
    }
}

/* gz writes a stack per sample; Go's threadcreate samples may have none. */
static void
drop_empty_stacks (GzProfile *profile)
{
  for (guint i = profile->samples->len; i > 0; i--)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i - 1);

      if (sample->location_ids->len == 0)
        g_ptr_array_remove_index (profile->samples, i - 1);
    }
}

static void
cancel_other (GCancellable *cancellable,
              gpointer      other)
{
  g_cancellable_cancel (other);
}

static GzProfile *
stop_url (GzTargetCapture *self,
          GCancellable    *cancellable,
          GError         **error)
{
  static const char * const keep_none[] = { NULL };
  GzProfile *profile;

  if (self->type == GZ_PROFILE_TYPE_CPU)
    {
      gulong handler = 0;

      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_other),
                                         self->cpu_cancellable, NULL);
      g_thread_join (g_steal_pointer (&self->cpu_thread));
      if (cancellable != NULL)
        g_cancellable_disconnect (cancellable, handler);
      if (self->cpu_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&self->cpu_error));
          return NULL;
        }
      return g_steal_pointer (&self->cpu_profile);
    }

  profile = gz_target_client_fetch_profile (self->client,
                                            gz_target_client_profile_name (self->type), 0,
                                            cancellable, error);
  if (profile == NULL)
    return NULL;
  if (self->first != NULL)
    gz_profile_subtract (profile, self->first, keep_none);
  drop_empty_stacks (profile);
  return profile;
}

GzProfile *
gz_target_capture_stop (GzTargetCapture *self,
                        GCancellable    *cancellable,
                        gboolean        *target_exited,
                        GError         **error)
{
  g_autoptr(GError) stop_error = NULL;
  g_autoptr(GError) read_error = NULL;
  GzProfile *profile;

  g_return_val_if_fail (GZ_IS_TARGET_CAPTURE (self), NULL);

  if (target_exited != NULL)
    *target_exited = FALSE;
  if (self->kind == GZ_TARGET_URL)
    return stop_url (self, cancellable, error);

  if (gz_target_capture_target_alive (self))
    {
      profile = gz_target_client_session_stop (self->client, self->type, cancellable,
                                               &stop_error);
      if (profile != NULL)
        return profile;
      if (g_error_matches (stop_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          gz_target_capture_target_alive (self))
        {
          g_propagate_error (error, g_steal_pointer (&stop_error));
          return NULL;
        }
    }

  /* The program is gone: its agent flushed the session's profile at exit, if it could. */
  profile = self->output_path != NULL ? gz_profile_read_file (self->output_path, &read_error)
                                      : NULL;
  if (profile == NULL)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE,
                   "%s exited before its profile could be taken, and its agent left none "
                   "(%s); profile a program that runs longer, or stop the session before it "
                   "ends", gz_target_client_get_name (self->client),
                   read_error != NULL ? read_error->message : "no output path");
      return NULL;
    }
  if (target_exited != NULL)
    *target_exited = TRUE;
  return profile;
}
