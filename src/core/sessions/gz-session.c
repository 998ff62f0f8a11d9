/* gz-session.c: one profiling session of the hosting process, driven by main-loop sources. */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "gz-profiler-factory.h"
#include "gz-session-registry.h"
#include "gz-session.h"

#define STOP_POLL_MS 250
#define TOP_ENTRIES  5

struct _GzSession
{
  GObject            parent_instance;

  GzConfig          *config;
  GzProfiler        *profiler;
  GzSessionRegistry *registry;
  GzSessionInfo     *info;
  GzSessionState     state;
  gint64             start_monotonic;
  gint64             elapsed;       /* once finished */
  GzSessionSummary  *summary;
  GError            *error;

  /* On the thread-default main context of gz_session_start(). */
  GSource           *duration_source;
  GSource           *poll_source;
  GSource           *idle_stop_source;
  GFileMonitor      *monitor;
};

G_DEFINE_FINAL_TYPE (GzSession, gz_session, G_TYPE_OBJECT)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (gz-session-error-quark, gz_session_error)

static void
clear_top_entry (gpointer data)
{
  g_free (((GzTopEntry *) data)->name);
}

/* The sample type a summary ranks by: the profile's default, else the type's natural one. */
static int
summary_sample_index (GzProfile *profile)
{
  static const char * const preferred[] = {
    "cpu", "inuse_space", "delay", "goroutine", "threadcreate", "contentions", "samples",
  };
  int index;

  if (profile->default_sample_type != NULL && *profile->default_sample_type != '\0')
    {
      index = gz_profile_find_sample_type (profile, profile->default_sample_type);
      if (index >= 0)
        return index;
    }
  for (guint i = 0; i < G_N_ELEMENTS (preferred); i++)
    {
      index = gz_profile_find_sample_type (profile, preferred[i]);
      if (index >= 0)
        return index;
    }
  return profile->sample_types->len > 0 ? (int) profile->sample_types->len - 1 : -1;
}

GzSessionSummary *
gz_session_summary_new_for_profile (const char *id,
                                    const char *path,
                                    GzProfile  *profile,
                                    gint64      size)
{
  GzSessionSummary *summary = g_new0 (GzSessionSummary, 1);
  int index = summary_sample_index (profile);
  int samples_index = gz_profile_find_sample_type (profile, "samples");

  summary->id = g_strdup (id);
  summary->path = g_strdup (path);
  summary->size = size;
  summary->duration_nanos = profile->duration_nanos;
  if (samples_index >= 0)
    summary->n_samples = gz_profile_total (profile, samples_index);
  else
    summary->n_samples = profile->samples->len;
  if (index >= 0)
    {
      const GzValueType *vt = g_ptr_array_index (profile->sample_types, index);

      summary->sample_type = g_strdup_printf ("%s/%s", vt->type, vt->unit);
      summary->total = gz_profile_total (profile, index);
      summary->top = gz_profile_top (profile, index, TOP_ENTRIES);
    }
  if (summary->top == NULL)
    {
      summary->top = g_array_new (FALSE, TRUE, sizeof (GzTopEntry));
      g_array_set_clear_func (summary->top, clear_top_entry);
    }
  return summary;
}

GzSessionSummary *
gz_session_summary_copy (const GzSessionSummary *summary)
{
  GzSessionSummary *copy = g_new0 (GzSessionSummary, 1);

  *copy = *summary;
  copy->id = g_strdup (summary->id);
  copy->path = g_strdup (summary->path);
  copy->sample_type = g_strdup (summary->sample_type);
  copy->top = g_array_new (FALSE, TRUE, sizeof (GzTopEntry));
  g_array_set_clear_func (copy->top, clear_top_entry);
  for (guint i = 0; summary->top != NULL && i < summary->top->len; i++)
    {
      GzTopEntry entry = g_array_index (summary->top, GzTopEntry, i);

      entry.name = g_strdup (entry.name);
      g_array_append_val (copy->top, entry);
    }
  return copy;
}

void
gz_session_summary_free (GzSessionSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->id);
  g_free (summary->path);
  g_free (summary->sample_type);
  g_clear_pointer (&summary->top, g_array_unref);
  g_free (summary);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* g_timeout_add() and g_idle_add(), but on the thread-default context, so that a session
 * can live on a worker thread with its own main loop. */
static GSource *
attach_source (GSource     *source,
               GSourceFunc  func,
               gpointer     data)
{
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
gz_session_disarm (GzSession *self)
{
  clear_source (&self->duration_source);
  clear_source (&self->poll_source);
  clear_source (&self->idle_stop_source);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

static void
gz_session_dispose (GObject *object)
{
  GzSession *self = GZ_SESSION (object);

  gz_session_disarm (self);
  /* Never leave a reservation or an active entry behind for a session that is gone. */
  if (self->registry != NULL && self->info != NULL && self->info->id != NULL)
    gz_session_registry_unpublish (self->registry, self->info->id);
  if (self->profiler != NULL && gz_profiler_is_running (self->profiler))
    {
      g_autoptr(GzProfile) profile = gz_profiler_stop (self->profiler, NULL);
    }
  g_clear_object (&self->profiler);
  g_clear_object (&self->registry);
  g_clear_object (&self->config);
  G_OBJECT_CLASS (gz_session_parent_class)->dispose (object);
}

static void
gz_session_finalize (GObject *object)
{
  GzSession *self = GZ_SESSION (object);

  g_clear_pointer (&self->info, gz_session_info_free);
  g_clear_pointer (&self->summary, gz_session_summary_free);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (gz_session_parent_class)->finalize (object);
}

static void
gz_session_class_init (GzSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_session_dispose;
  object_class->finalize = gz_session_finalize;

  /* The session ended: by its duration, a stop request or gz_session_stop(). */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gz_session_init (GzSession *self)
{
  self->state = GZ_SESSION_STATE_READY;
}

/* Creating (and removing) a file is the only sure test: access() ignores read-only mounts
 * and ACLs the way a real write would meet them. */
static gboolean
check_output_dir (const char *dir,
                  GError    **error)
{
  g_autofree char *probe = NULL;
  int fd;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;

      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_OUTPUT,
                   "cannot create output directory \"%s\" (%s); choose another with "
                   "--output-dir or GZ_PROFILE_OUTPUT_DIR", dir, g_strerror (errsv));
      return FALSE;
    }
  probe = g_build_filename (dir, ".gz-write-test-XXXXXX", NULL);
  fd = g_mkstemp (probe);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_OUTPUT,
                   "cannot write to output directory \"%s\" (%s); choose another with "
                   "--output-dir or GZ_PROFILE_OUTPUT_DIR", dir, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;
}

GzSession *
gz_session_new (GzConfig      *config,
                GzProfileType  type,
                gint64         duration_nanos,
                const char    *output_dir,
                GError       **error)
{
  g_autoptr(GzSession) self = NULL;
  g_autoptr(GzConfig) own_config = NULL;

  g_return_val_if_fail (config == NULL || GZ_IS_CONFIG (config), NULL);
  g_return_val_if_fail (type < GZ_PROFILE_TYPE_N, NULL);

  if (config == NULL)
    {
      own_config = gz_config_new (NULL, error);
      if (own_config == NULL)
        return NULL;
      config = own_config;
    }

  if (duration_nanos < 0)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                   "negative session duration; give a positive duration such as 30s");
      return NULL;
    }
  if (duration_nanos == 0 && type == GZ_PROFILE_TYPE_CPU)
    duration_nanos = gz_config_get_duration (config, "duration");
  if (duration_nanos <= 0 && type == GZ_PROFILE_TYPE_CPU)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                   "a cpu session needs a positive duration; set one such as 30s");
      return NULL;
    }

  if (output_dir == NULL)
    output_dir = gz_config_get_string (config, "output-dir");
  if (output_dir == NULL || *output_dir == '\0')
    output_dir = "tmp/profiles";
  if (!check_output_dir (output_dir, error))
    return NULL;

  self = g_object_new (GZ_TYPE_SESSION, NULL);
  self->config = g_object_ref (config);
  self->profiler = gz_profiler_new (type, config, error);
  if (self->profiler == NULL)
    return NULL;

  self->registry = gz_session_registry_new (NULL);
  self->info = g_new0 (GzSessionInfo, 1);
  self->info->type = type;
  self->info->target.kind = GZ_TARGET_SELF;
  self->info->target.pid = getpid ();
  self->info->duration = duration_nanos;
  if (!gz_session_registry_reserve (self->registry, self->info, output_dir, error))
    {
      g_clear_pointer (&self->info->id, g_free);
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
gz_session_get_id (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->info->id;
}

GzProfileType
gz_session_get_profile_type (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), GZ_PROFILE_TYPE_CPU);
  return self->info->type;
}

const GzTarget *
gz_session_get_target (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return &self->info->target;
}

const char *
gz_session_get_output_path (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->info->output_path;
}

GzSessionState
gz_session_get_state (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), GZ_SESSION_STATE_FAILED);
  return self->state;
}

gint64
gz_session_get_duration (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), 0);
  return self->info->duration;
}

gint64
gz_session_get_start_time (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), 0);
  return self->info->start_time;
}

gint64
gz_session_get_elapsed (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), 0);

  switch (self->state)
    {
    case GZ_SESSION_STATE_RUNNING:
      return (g_get_monotonic_time () - self->start_monotonic) * 1000;
    case GZ_SESSION_STATE_FINISHED:
    case GZ_SESSION_STATE_FAILED:
      return self->elapsed;
    case GZ_SESSION_STATE_READY:
    default:
      return 0;
    }
}

const GzSessionSummary *
gz_session_get_summary (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->summary;
}

const GError *
gz_session_get_error (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->error;
}

/* Stops from a main-loop source; the outcome is in the state, summary and error. */
static void
gz_session_stop_from_source (GzSession *self)
{
  g_autoptr(GzSessionSummary) summary = NULL;

  g_object_ref (self);
  summary = gz_session_stop (self, NULL);
  g_object_unref (self);
}

static gboolean
on_duration_elapsed (gpointer user_data)
{
  GzSession *self = user_data;

  g_clear_pointer (&self->duration_source, g_source_unref);
  gz_session_stop_from_source (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_idle_stop (gpointer user_data)
{
  GzSession *self = user_data;

  g_clear_pointer (&self->idle_stop_source, g_source_unref);
  gz_session_stop_from_source (self);
  return G_SOURCE_REMOVE;
}

static void
check_stop_request (GzSession *self)
{
  if (self->state != GZ_SESSION_STATE_RUNNING || self->idle_stop_source != NULL)
    return;
  if (gz_session_registry_stop_requested (self->registry, self->info->id))
    self->idle_stop_source = attach_source (g_idle_source_new (), on_idle_stop, self);
}

static gboolean
on_poll (gpointer user_data)
{
  check_stop_request (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_registry_changed (GFileMonitor      *monitor,
                     GFile             *file,
                     GFile             *other_file,
                     GFileMonitorEvent  event,
                     gpointer           user_data)
{
  if (event == G_FILE_MONITOR_EVENT_CREATED || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED)
    check_stop_request (user_data);
}

gboolean
gz_session_start (GzSession *self,
                  GError   **error)
{
  g_autoptr(GFile) dir = NULL;
  guint interval_ms;

  g_return_val_if_fail (GZ_IS_SESSION (self), FALSE);

  if (self->state != GZ_SESSION_STATE_READY)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_STATE,
                   "session %s was already started; start a new session", self->info->id);
      return FALSE;
    }

  if (!gz_profiler_start (self->profiler, error))
    return FALSE;

  self->start_monotonic = g_get_monotonic_time ();
  self->info->start_time = g_get_real_time () * 1000;
  self->state = GZ_SESSION_STATE_RUNNING;

  if (!gz_session_registry_publish (self->registry, self->info, error))
    {
      g_autoptr(GzProfile) profile = gz_profiler_stop (self->profiler, NULL);

      self->state = GZ_SESSION_STATE_READY;
      return FALSE;
    }

  if (self->info->duration > 0)
    {
      /* Milliseconds, rounded up so a session never ends early. */
      interval_ms = (guint) MIN ((self->info->duration + 999999) / 1000000, G_MAXUINT);
      self->duration_source = attach_source (g_timeout_source_new (interval_ms),
                                             on_duration_elapsed, self);
    }

  dir = g_file_new_for_path (gz_session_registry_get_dir (self->registry));
  self->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_registry_changed), self);
  /* Monitors can miss events (NFS, inotify limits): poll as well. */
  self->poll_source = attach_source (g_timeout_source_new (STOP_POLL_MS), on_poll, self);
  /* A request may have come while we were reserved. */
  check_stop_request (self);

  return TRUE;
}

static void
gz_session_finish (GzSession *self,
                   GError    *error)
{
  gboolean requested = gz_session_registry_stop_requested (self->registry, self->info->id);

  self->elapsed = (g_get_monotonic_time () - self->start_monotonic) * 1000;
  if (error != NULL)
    {
      self->state = GZ_SESSION_STATE_FAILED;
      self->error = error;
    }
  else
    self->state = GZ_SESSION_STATE_FINISHED;

  /* Answer a stop request before unpublishing: the stopper waits for the answer. */
  if (requested && self->summary != NULL)
    {
      g_autoptr(GError) result_error = NULL;

      if (!gz_session_registry_write_result (self->registry, self->summary, &result_error))
        g_warning ("Could not answer the stop request of %s: %s", self->info->id,
                   result_error->message);
    }
  gz_session_registry_unpublish (self->registry, self->info->id);

  g_signal_emit (self, signals[FINISHED], 0);
}

GzSessionSummary *
gz_session_stop (GzSession *self,
                 GError   **error)
{
  g_autoptr(GzProfile) profile = NULL;
  GError *local_error = NULL;
  GStatBuf st;

  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);

  switch (self->state)
    {
    case GZ_SESSION_STATE_FINISHED:
      return gz_session_summary_copy (self->summary);
    case GZ_SESSION_STATE_FAILED:
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    case GZ_SESSION_STATE_READY:
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_STATE,
                   "session %s is not running; start it first", self->info->id);
      return NULL;
    case GZ_SESSION_STATE_RUNNING:
    default:
      break;
    }

  gz_session_disarm (self);

  profile = gz_profiler_stop (self->profiler, &local_error);
  if (profile != NULL && !gz_profile_write_file (profile, self->info->output_path, &local_error))
    g_clear_pointer (&profile, gz_profile_unref);
  if (profile == NULL)
    {
      g_prefix_error (&local_error, "session %s: ", self->info->id);
      gz_session_finish (self, g_error_copy (local_error));
      g_propagate_error (error, local_error);
      return NULL;
    }

  if (profile->duration_nanos == 0)
    profile->duration_nanos = (g_get_monotonic_time () - self->start_monotonic) * 1000;
  self->summary = gz_session_summary_new_for_profile (self->info->id, self->info->output_path,
                                                      profile,
                                                      g_stat (self->info->output_path, &st) == 0
                                                      ? (gint64) st.st_size : 0);
  gz_session_finish (self, NULL);
  return gz_session_summary_copy (self->summary);
}
