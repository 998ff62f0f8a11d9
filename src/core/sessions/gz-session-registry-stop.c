/* gz-session-registry-stop.c: stop requests across processes: another process drops ID.stop,
 * the owner answers with ID.result, and the stopper waits for the answer on its main context
 * (file monitor, pidfd, timeout) without blocking or polling. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gz-duration.h"
#include "gz-session-registry-private.h"

#define RESULT_GROUP "result"
/* Only when the directory cannot be monitored or the owner's exit cannot be watched. */
#define FALLBACK_CHECK_MS 250

gboolean
gz_session_registry_stop_requested (GzSessionRegistry *self,
                                    const char        *id)
{
  g_autofree char *path = gz_session_registry_path (self, id, GZ_STOP_SUFFIX);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
gz_session_registry_write_result (GzSessionRegistry      *self,
                                  const GzSessionSummary *summary,
                                  GError                **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), FALSE);

  g_key_file_set_string (kf, RESULT_GROUP, "id", summary->id);
  g_key_file_set_string (kf, RESULT_GROUP, "path", summary->path);
  g_key_file_set_int64 (kf, RESULT_GROUP, "size", summary->size);
  g_key_file_set_int64 (kf, RESULT_GROUP, "samples", summary->n_samples);
  g_key_file_set_int64 (kf, RESULT_GROUP, "duration", summary->duration_nanos);
  g_key_file_set_string (kf, RESULT_GROUP, "sample-type",
                         summary->sample_type != NULL ? summary->sample_type : "");
  g_key_file_set_int64 (kf, RESULT_GROUP, "total", summary->total);
  g_key_file_set_integer (kf, RESULT_GROUP, "top", summary->top != NULL ? summary->top->len : 0);
  for (guint i = 0; summary->top != NULL && i < summary->top->len; i++)
    {
      const GzTopEntry *entry = &g_array_index (summary->top, GzTopEntry, i);
      g_autofree char *name_key = g_strdup_printf ("top-%u-name", i);
      g_autofree char *flat_key = g_strdup_printf ("top-%u-flat", i);
      g_autofree char *cum_key = g_strdup_printf ("top-%u-cum", i);

      g_key_file_set_string (kf, RESULT_GROUP, name_key, entry->name);
      g_key_file_set_int64 (kf, RESULT_GROUP, flat_key, entry->flat);
      g_key_file_set_int64 (kf, RESULT_GROUP, cum_key, entry->cum);
    }

  path = gz_session_registry_path (self, summary->id, GZ_RESULT_SUFFIX);
  data = g_key_file_to_data (kf, &length, NULL);
  return gz_session_registry_write_file (self, path, data, length, error);
}

static GzSessionSummary *
read_result (const char *path,
             GError    **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GzSessionSummary) summary = NULL;
  int n_top;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return NULL;

  summary = gz_session_summary_new (NULL, NULL);
  summary->id = g_key_file_get_string (kf, RESULT_GROUP, "id", error);
  if (summary->id == NULL)
    return NULL;
  summary->path = g_key_file_get_string (kf, RESULT_GROUP, "path", error);
  if (summary->path == NULL)
    return NULL;
  summary->size = g_key_file_get_int64 (kf, RESULT_GROUP, "size", NULL);
  summary->n_samples = g_key_file_get_int64 (kf, RESULT_GROUP, "samples", NULL);
  summary->duration_nanos = g_key_file_get_int64 (kf, RESULT_GROUP, "duration", NULL);
  summary->sample_type = g_key_file_get_string (kf, RESULT_GROUP, "sample-type", NULL);
  summary->total = g_key_file_get_int64 (kf, RESULT_GROUP, "total", NULL);
  n_top = g_key_file_get_integer (kf, RESULT_GROUP, "top", NULL);
  for (int i = 0; i < n_top; i++)
    {
      g_autofree char *name_key = g_strdup_printf ("top-%d-name", i);
      g_autofree char *flat_key = g_strdup_printf ("top-%d-flat", i);
      g_autofree char *cum_key = g_strdup_printf ("top-%d-cum", i);
      GzTopEntry entry;

      entry.name = g_key_file_get_string (kf, RESULT_GROUP, name_key, NULL);
      if (entry.name == NULL)
        break;
      entry.flat = g_key_file_get_int64 (kf, RESULT_GROUP, flat_key, NULL);
      entry.cum = g_key_file_get_int64 (kf, RESULT_GROUP, cum_key, NULL);
      g_array_append_val (summary->top, entry);
    }
  return g_steal_pointer (&summary);
}

/* The session ended on its own before it saw our request: summarize its file ourselves. */
static GzSessionSummary *
summary_from_file (const GzSessionInfo *info,
                   GError             **error)
{
  g_autoptr(GzProfile) profile = NULL;
  GStatBuf st;

  if (g_stat (info->output_path, &st) != 0)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                   "session %s ended without writing %s; see the output of its owner (pid %d)",
                   info->id, info->output_path, info->owner_pid);
      return NULL;
    }
  profile = gz_profile_read_file (info->output_path, error);
  if (profile == NULL)
    return NULL;
  return gz_session_summary_new_for_profile (info->id, info->output_path, profile, st.st_size);
}

/* One stop request being waited for, on the main context of gz_session_registry_stop_async().
 * While armed, the sources and the monitor's handler hold the task (one reference in all). */
typedef struct
{
  GzSessionInfo *info;
  char          *session_path;
  char          *stop_path;
  char          *result_path;
  GFileMonitor  *monitor;
  gulong         changed_id;
  int            pidfd;          /* the owner: readable once it exited */
  GSource       *owner_source;
  GSource       *timeout_source;
  GSource       *cancel_source;
  GSource       *check_source;   /* the fallback without a monitor or a pidfd */
  guint          timeout_ms;
  gboolean       armed;
} StopWait;

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
stop_wait_disarm (StopWait *wait)
{
  wait->armed = FALSE;
  if (wait->monitor != NULL)
    {
      g_clear_signal_handler (&wait->changed_id, wait->monitor);
      g_file_monitor_cancel (wait->monitor);
      g_clear_object (&wait->monitor);
    }
  clear_source (&wait->owner_source);
  clear_source (&wait->timeout_source);
  clear_source (&wait->cancel_source);
  clear_source (&wait->check_source);
  if (wait->pidfd >= 0)
    {
      close (wait->pidfd);
      wait->pidfd = -1;
    }
}

static void
stop_wait_free (gpointer data)
{
  StopWait *wait = data;

  stop_wait_disarm (wait);
  g_clear_pointer (&wait->info, gz_session_info_free);
  g_free (wait->session_path);
  g_free (wait->stop_path);
  g_free (wait->result_path);
  g_free (wait);
}

/* Ends the wait: @summary or @error (one of them) goes to the caller, the wait's reference to
 * @task is dropped. */
static void
stop_wait_return (GTask            *task,
                  GzSessionSummary *summary,
                  GError           *error)
{
  StopWait *wait = g_task_get_task_data (task);

  stop_wait_disarm (wait);
  if (summary != NULL)
    g_task_return_pointer (task, summary, (GDestroyNotify) gz_session_summary_free);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
summarize_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  StopWait *wait = task_data;
  GError *error = NULL;
  GzSessionSummary *summary = summary_from_file (wait->info, &error);

  if (summary != NULL)
    g_task_return_pointer (task, summary, (GDestroyNotify) gz_session_summary_free);
  else
    g_task_return_error (task, error);
}

static gboolean
take_result (GTask *task)
{
  StopWait *wait = g_task_get_task_data (task);
  GzSessionSummary *summary;
  GError *error = NULL;

  if (!g_file_test (wait->result_path, G_FILE_TEST_EXISTS))
    return FALSE;
  summary = read_result (wait->result_path, &error);
  g_unlink (wait->result_path);
  g_unlink (wait->stop_path);
  stop_wait_return (task, summary, error);
  return TRUE;
}

/* Looks at the directory and the owner: answered, gone, dead, or still to wait for. */
static void
stop_wait_check (GTask *task)
{
  StopWait *wait = g_task_get_task_data (task);
  GzSessionRegistry *self = g_task_get_source_object (task);

  if (!wait->armed || take_result (task))
    return;

  if (!g_file_test (wait->session_path, G_FILE_TEST_EXISTS))
    {
      /* The owner answers before it unpublishes: an answer is there now or never. */
      if (take_result (task))
        return;
      /* It ended on its own before it saw the request; reading its profile is slow work. */
      g_unlink (wait->stop_path);
      stop_wait_disarm (wait);
      g_task_run_in_thread (task, summarize_thread);
      g_object_unref (task);
      return;
    }

  if (!gz_session_registry_owner_alive (wait->info))
    {
      g_autofree char *message = gz_session_registry_stale_message (wait->info);

      gz_session_registry_unpublish (self, wait->info->id);
      stop_wait_return (task, NULL,
                        g_error_new (GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                                     "%s before it saved the profile; start a new session",
                                     message));
    }
}

static void
on_dir_changed (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other_file,
                GFileMonitorEvent  event,
                gpointer           user_data)
{
  StopWait *wait = g_task_get_task_data (user_data);
  g_autofree char *name = g_file_get_basename (file);

  /* ID.session, ID.result and their temporary files; other sessions are none of our business. */
  if (g_str_has_prefix (name, wait->info->id))
    stop_wait_check (user_data);
}

static gboolean
on_owner_exited (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  stop_wait_check (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_fallback_check (gpointer user_data)
{
  stop_wait_check (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data); /* the check may end the wait */
  StopWait *wait = g_task_get_task_data (task);
  g_autofree char *waited = NULL;

  /* An answer may be queued behind this source. */
  stop_wait_check (task);
  if (!wait->armed)
    return G_SOURCE_REMOVE;

  g_unlink (wait->stop_path);
  waited = gz_duration_format ((gint64) wait->timeout_ms * 1000000);
  stop_wait_return (task, NULL,
                    g_error_new (GZ_SESSION_ERROR, GZ_SESSION_ERROR_TIMEOUT,
                                 "session %s (owner pid %d) did not answer within %s; check that "
                                 "process or stop it with kill -INT %d", wait->info->id,
                                 wait->info->owner_pid, waited, wait->info->owner_pid));
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  StopWait *wait = g_task_get_task_data (task);
  GError *error = NULL;

  /* Withdraw the request; an owner that already saw it saves the profile anyway. */
  g_unlink (wait->stop_path);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  stop_wait_return (task, NULL, error);
  return G_SOURCE_REMOVE;
}

static int
open_pidfd (int pid)
{
#ifdef SYS_pidfd_open
  return (int) syscall (SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

static GSource *
attach (GSource     *source,
        GSourceFunc  func,
        GTask       *task)
{
  g_source_set_callback (source, func, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  return source;
}

void
gz_session_registry_stop_async (GzSessionRegistry   *self,
                                const char          *id,
                                guint                timeout_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autofree char *request = NULL;
  GzSessionInfo *info;
  StopWait *wait;
  GError *error = NULL;

  g_return_if_fail (GZ_IS_SESSION_REGISTRY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_session_registry_stop_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  info = gz_session_registry_lookup (self, id, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  wait = g_new0 (StopWait, 1);
  wait->pidfd = -1;
  wait->info = info;
  wait->session_path = gz_session_registry_path (self, info->id, GZ_SESSION_SUFFIX);
  wait->stop_path = gz_session_registry_path (self, info->id, GZ_STOP_SUFFIX);
  wait->result_path = gz_session_registry_path (self, info->id, GZ_RESULT_SUFFIX);
  g_task_set_task_data (task, wait, stop_wait_free);

  /* Watch before asking, so that no answer can come unseen. */
  dir = g_file_new_for_path (gz_session_registry_get_dir (self));
  wait->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (wait->monitor != NULL)
    wait->changed_id = g_signal_connect (wait->monitor, "changed", G_CALLBACK (on_dir_changed),
                                         task);
  wait->pidfd = open_pidfd (info->owner_pid);
  if (wait->pidfd >= 0)
    wait->owner_source = attach (g_unix_fd_source_new (wait->pidfd, G_IO_IN),
                                 G_SOURCE_FUNC (on_owner_exited), task);
  if (wait->monitor == NULL || wait->pidfd < 0)
    wait->check_source = attach (g_timeout_source_new (FALLBACK_CHECK_MS), on_fallback_check,
                                 task);
  wait->timeout_ms = timeout_ms;
  if (timeout_ms > 0)
    wait->timeout_source = attach (g_timeout_source_new (timeout_ms), on_timeout, task);
  if (cancellable != NULL)
    wait->cancel_source = attach (g_cancellable_source_new (cancellable),
                                  G_SOURCE_FUNC (on_cancelled), task);
  wait->armed = TRUE;
  g_object_ref (task); /* the wait's, until it ends */

  request = g_strdup_printf ("[stop]\nrequested-by=%d\n", getpid ());
  if (!gz_session_registry_write_file (self, wait->stop_path, request, strlen (request), &error))
    {
      stop_wait_return (task, NULL, error);
      return;
    }
  /* The pid may have been reused before the pidfd was opened, or the session just ended. */
  stop_wait_check (task);
}

GzSessionSummary *
gz_session_registry_stop_finish (GzSessionRegistry *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (GZ_IS_SESSION_REGISTRY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
