/* gz-target-capture.c: a session's profile taken from another program through its pprof
 * endpoints, the same way for a URL and for a program's Unix socket (pid, command): a CPU
 * profile in flight, snapshots, a delta of two. */
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
  guint64          start_ticks;  /* of the target process, so a reused pid is told apart */

  GzProfile       *first;        /* the block/mutex snapshot at the start */
  GThread         *cpu_thread;   /* the CPU profile in flight */
  GCancellable    *cpu_cancellable;
  GzProfile       *cpu_profile;  /* its outcome, once joined */
  GError          *cpu_error;

  /* A process' snapshot types: the newest snapshot, for when it exits before the stop. */
  GThread         *watch_thread;
  GMutex           watch_lock;
  GCond            watch_cond;
  gboolean         watch_done;
  GzProfile       *latest;
  gint64           latest_time;  /* monotonic, µs */
};

/* How often a process' snapshot is renewed while a session runs. */
#define WATCH_INTERVAL_US (G_USEC_PER_SEC)

G_DEFINE_FINAL_TYPE (GzTargetCapture, gz_target_capture, G_TYPE_OBJECT)

static void
stop_watch (GzTargetCapture *self)
{
  if (self->watch_thread == NULL)
    return;
  g_mutex_lock (&self->watch_lock);
  self->watch_done = TRUE;
  g_cond_signal (&self->watch_cond);
  g_mutex_unlock (&self->watch_lock);
  g_thread_join (g_steal_pointer (&self->watch_thread));
}

static void
gz_target_capture_dispose (GObject *object)
{
  GzTargetCapture *self = GZ_TARGET_CAPTURE (object);

  if (self->cpu_thread != NULL)
    {
      g_cancellable_cancel (self->cpu_cancellable);
      g_thread_join (g_steal_pointer (&self->cpu_thread));
    }
  stop_watch (self);
  G_OBJECT_CLASS (gz_target_capture_parent_class)->dispose (object);
}

static void
gz_target_capture_finalize (GObject *object)
{
  GzTargetCapture *self = GZ_TARGET_CAPTURE (object);

  g_clear_object (&self->client);
  g_clear_pointer (&self->first, gz_profile_unref);
  g_clear_object (&self->cpu_cancellable);
  g_clear_pointer (&self->cpu_profile, gz_profile_unref);
  g_clear_error (&self->cpu_error);
  g_clear_pointer (&self->latest, gz_profile_unref);
  g_mutex_clear (&self->watch_lock);
  g_cond_clear (&self->watch_cond);
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
  g_mutex_init (&self->watch_lock);
  g_cond_init (&self->watch_cond);
}

GzTargetCapture *
gz_target_capture_new (GzTargetClient *client,
                       GzTargetKind    kind,
                       GzProfileType   type,
                       gint64          duration_nanos)
{
  GzTargetCapture *self;

  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (client), NULL);
  g_return_val_if_fail (kind != GZ_TARGET_SELF, NULL);

  self = g_object_new (GZ_TYPE_TARGET_CAPTURE, NULL);
  self->client = g_object_ref (client);
  self->kind = kind;
  self->type = type;
  self->duration = duration_nanos;
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

/* Renews the snapshot now and then until the stop, so that a process that exits first still
 * leaves its last one. */
static gpointer
watch_thread_main (gpointer data)
{
  GzTargetCapture *self = data;
  const char *name = gz_target_client_profile_name (self->type);

  g_mutex_lock (&self->watch_lock);
  while (!self->watch_done)
    {
      gint64 deadline = g_get_monotonic_time () + WATCH_INTERVAL_US;
      GzProfile *profile;

      while (!self->watch_done && g_cond_wait_until (&self->watch_cond, &self->watch_lock,
                                                     deadline))
        ;
      if (self->watch_done)
        break;
      g_mutex_unlock (&self->watch_lock);
      profile = gz_target_client_fetch_profile (self->client, name, 0, NULL, NULL);
      g_mutex_lock (&self->watch_lock);
      if (profile != NULL)
        {
          g_clear_pointer (&self->latest, gz_profile_unref);
          self->latest = profile;
          self->latest_time = g_get_monotonic_time ();
        }
    }
  g_mutex_unlock (&self->watch_lock);
  return NULL;
}

gboolean
gz_target_capture_start (GzTargetCapture *self,
                         GError         **error)
{
  GzProfile *snapshot;

  g_return_val_if_fail (GZ_IS_TARGET_CAPTURE (self), FALSE);

  if (self->type == GZ_PROFILE_TYPE_CPU)
    {
      /* The profile comes at the end: say now if nothing answers there. */
      if (!gz_target_client_check (self->client, NULL, error))
        return FALSE;
      self->cpu_cancellable = g_cancellable_new ();
      self->cpu_thread = g_thread_new ("gz-target-cpu", cpu_thread_main, self);
      return TRUE;
    }

  /* block and mutex: the first of two snapshots; the others are snapshots at the end, but
   * this says now if nothing answers there. */
  snapshot = gz_target_client_fetch_profile (self->client,
                                             gz_target_client_profile_name (self->type), 0,
                                             NULL, error);
  if (snapshot == NULL)
    return FALSE;
  if (self->type == GZ_PROFILE_TYPE_BLOCK || self->type == GZ_PROFILE_TYPE_MUTEX)
    self->first = gz_profile_ref (snapshot);
  if (self->kind != GZ_TARGET_URL)
    {
      self->latest = snapshot;
      self->latest_time = g_get_monotonic_time ();
      self->watch_thread = g_thread_new ("gz-target-watch", watch_thread_main, self);
    }
  else
    gz_profile_unref (snapshot);
  return TRUE;
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

GzProfile *
gz_target_capture_stop (GzTargetCapture *self,
                        GCancellable    *cancellable,
                        gboolean        *target_exited,
                        GError         **error)
{
  static const char * const keep_none[] = { NULL };
  g_autoptr(GError) local_error = NULL;
  GzProfile *profile;
  gboolean exited;

  g_return_val_if_fail (GZ_IS_TARGET_CAPTURE (self), NULL);

  if (target_exited != NULL)
    *target_exited = FALSE;

  if (self->type == GZ_PROFILE_TYPE_CPU)
    {
      gulong handler = 0;

      /* A program that exits meanwhile: its server cuts the profile short and sends it. */
      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_other),
                                         self->cpu_cancellable, NULL);
      g_thread_join (g_steal_pointer (&self->cpu_thread));
      if (cancellable != NULL)
        g_cancellable_disconnect (cancellable, handler);
      if (target_exited != NULL)
        *target_exited = !gz_target_capture_target_alive (self);
      if (self->cpu_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&self->cpu_error));
          return NULL;
        }
      return g_steal_pointer (&self->cpu_profile);
    }

  stop_watch (self);
  profile = gz_target_client_fetch_profile (self->client,
                                            gz_target_client_profile_name (self->type), 0,
                                            cancellable, &local_error);
  exited = !gz_target_capture_target_alive (self);
  if (profile == NULL && exited && self->latest != NULL &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Gone before the stop: its last snapshot is what it had. */
      gint64 age_ms = (g_get_monotonic_time () - self->latest_time) / 1000;

      profile = g_steal_pointer (&self->latest);
      g_ptr_array_add (profile->comments,
                       g_strdup_printf ("the program exited during the session: this is its "
                                        "last snapshot, taken %" G_GINT64_FORMAT " ms before "
                                        "the stop", age_ms));
    }
  if (profile == NULL)
    {
      if (exited && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE,
                     "%s exited before its profile could be taken (%s); profile a program "
                     "that runs longer, or stop the session before it ends",
                     gz_target_client_get_name (self->client), local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (target_exited != NULL)
    *target_exited = exited;
  if (self->first != NULL)
    gz_profile_subtract (profile, self->first, keep_none);
  drop_empty_stacks (profile);
  return profile;
}
