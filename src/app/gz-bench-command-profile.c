/* gz-bench-command-profile.c: a command's profiled run: the session starter launches it with
 * the agent and starts the session, its exit ends the session, the profile's path comes back. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-bench-command-profile.h"
#include "gz-session-starter.h"

typedef struct
{
  GzSession   *session;
  GSubprocess *child;
  gboolean     cancelled;
} Profiled;

static void
profiled_free (Profiled *profiled)
{
  g_clear_object (&profiled->session);
  g_clear_object (&profiled->child);
  g_free (profiled);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) task = data;
  GzSession *session = GZ_SESSION (source);
  Profiled *profiled = g_task_get_task_data (task);
  GError *error = NULL;
  GzSessionSummary *summary = gz_session_stop_finish (session, result, &error);

  if (profiled->cancelled)
    {
      g_clear_pointer (&summary, gz_session_summary_free);
      g_clear_error (&error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      return;
    }
  if (summary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  gz_session_summary_free (summary);
  g_task_return_pointer (task, g_strdup (gz_session_get_output_path (session)), g_free);
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GTask *task = data;
  Profiled *profiled = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    {
      /* Cancelled: the run is cut short, and its session ended (not left to its own watch). */
      g_subprocess_force_exit (profiled->child);
      profiled->cancelled = TRUE;
    }
  /* The session covers the program's life: it takes what the agent flushed at exit (a session
   * already finished by itself answers with the same summary). */
  gz_session_stop_async (profiled->session, NULL, on_stopped, task);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask *task = data;
  Profiled *profiled = g_task_get_task_data (task);
  GError *error = NULL;

  profiled->session = gz_session_starter_start_finish (result, &profiled->child, &error);
  if (profiled->session == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_subprocess_wait_async (profiled->child, g_task_get_cancellable (task), on_exited, task);
}

void
gz_bench_command_profile_async (const char          *command_line,
                                GzProfileType        type,
                                GzConfig            *config,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GzSessionRequest) request = gz_session_request_new (type, GZ_TARGET_COMMAND);

  g_task_set_source_tag (task, gz_bench_command_profile_async);
  g_task_set_task_data (task, g_new0 (Profiled, 1), (GDestroyNotify) profiled_free);
  request->command_line = g_strdup (command_line);
  request->duration = 0;
  gz_session_starter_start_async (request, config, cancellable, on_started, task);
}

char *
gz_bench_command_profile_finish (GAsyncResult *result,
                                 GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
