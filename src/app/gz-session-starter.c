/* gz-session-starter.c: a session request turned into a running GzSession: a command launched
 * through the core (gz-session-launch.h), and on a worker thread this application's profilers
 * started, a pid's socket (`gz-cli profile run`) or a URL reached. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-preload-paths.h"
#include "gz-session-launch.h"
#include "gz-session-starter.h"

GzSessionRequest *
gz_session_request_new (GzProfileType type,
                        GzTargetKind  target)
{
  GzSessionRequest *request = g_new0 (GzSessionRequest, 1);

  request->type = type;
  request->target = target;
  return request;
}

GzSessionRequest *
gz_session_request_copy (const GzSessionRequest *request)
{
  GzSessionRequest *copy = g_new (GzSessionRequest, 1);

  *copy = *request;
  copy->output_dir = g_strdup (request->output_dir);
  copy->command_line = g_strdup (request->command_line);
  copy->working_dir = g_strdup (request->working_dir);
  copy->url = g_strdup (request->url);
  return copy;
}

void
gz_session_request_free (GzSessionRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->output_dir);
  g_free (request->command_line);
  g_free (request->working_dir);
  g_free (request->url);
  g_free (request);
}

typedef struct
{
  GzSessionRequest *request;
  GzConfig         *config;
} StartData;

static void
start_data_free (StartData *data)
{
  gz_session_request_free (data->request);
  g_clear_object (&data->config);
  g_free (data);
}

/* The client that reaches the target of @request (a pid's socket, or a URL). */
static GzTargetClient *
target_client (const GzSessionRequest  *request,
               GzConfig                *config,
               int                      pid,
               GError                 **error)
{
  g_autofree char *socket_path = NULL;
  const char *token_file;

  if (request->target == GZ_TARGET_URL)
    {
      token_file = gz_config_get_string (config, "token-file");
      return gz_target_client_new_for_url (request->url, token_file != NULL && *token_file != '\0'
                                                           ? token_file : NULL, error);
    }
  socket_path = gz_agent_socket_path (pid);
  return gz_target_client_new_for_socket (pid, socket_path, error);
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StartData *data = task_data;
  const GzSessionRequest *request = data->request;
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GzSession) session = NULL;
  g_autofree char *spec = NULL;
  GzTarget target = { request->target, request->pid, NULL };
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (request->target == GZ_TARGET_URL)
    {
      target.pid = 0;
      spec = g_strdup (request->url);
    }
  target.spec = spec;

  /* This application: its profilers start here (the first start of one can take a good part
   * of a second: symbolizer, sampler set-up), so not on the main thread either. */
  if (request->target == GZ_TARGET_SELF)
    session = gz_session_new (data->config, request->type, request->duration,
                              request->output_dir, &error);
  else
    client = target_client (request, data->config, target.pid, &error);
  if (client == NULL && request->target == GZ_TARGET_PID &&
      g_error_matches (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT))
    {
      /* A process not started with `profile run` (no socket): cpu through the kernel's perf
       * events (the core says why when the kernel refuses); the other types need the preload. */
      if (request->type == GZ_PROFILE_TYPE_CPU)
        {
          g_clear_error (&error);
          session = gz_session_new_for_target (data->config, request->type, request->duration,
                                               request->output_dir, &target, NULL, &error);
        }
      else
        g_prefix_error (&error, _("A %s profile needs gz's preload in the program (only "
                                  "cpu works without it): "),
                        gz_profile_type_to_string (request->type));
    }
  else if (client != NULL)
    session = gz_session_new_for_target (data->config, request->type, request->duration,
                                         request->output_dir, &target, client, &error);
  /* The one blocking request: the socket's or the URL's first answer. The
   * session's sources go to the thread-default context, which on this worker is the main
   * context (GTask pushes none here). */
  if (session != NULL && !gz_session_start (session, &error))
    g_clear_object (&session);
  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&session), g_object_unref);
}

static void
on_command_launched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GzSession *session = gz_session_launch_finish (result, &error);

  if (session == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, session, g_object_unref);
}

/* A command: the core launches it in its folder, its stdout on the application's stderr (the
 * journal, or the terminal it was started from; the application's stdout is its own). */
static void
start_command (GTask                  *task,
               const GzSessionRequest *request,
               GzConfig               *config)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  if (request->command_line == NULL ||
      !g_shell_parse_argv (request->command_line, NULL, &argv, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The command line cannot be read: %s"),
                               error != NULL ? error->message : _("it is empty"));
      g_object_unref (task);
      return;
    }
  gz_session_launch_async (config, request->type, request->duration, request->output_dir,
                           (const char * const *) argv, request->working_dir,
                           GZ_SESSION_LAUNCH_FLAGS_STDOUT_TO_STDERR,
                           g_task_get_cancellable (task), on_command_launched, task);
}

void
gz_session_starter_start_async (const GzSessionRequest *request,
                                GzConfig               *config,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  StartData *data;

  g_return_if_fail (request != NULL);
  g_return_if_fail (GZ_IS_CONFIG (config));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_session_starter_start_async);
  /* A session that started is returned even when cancelled late: dropping it would lose it. */
  g_task_set_check_cancellable (task, FALSE);
  if (request->target == GZ_TARGET_COMMAND)
    {
      start_command (g_steal_pointer (&task), request, config);
      return;
    }

  data = g_new0 (StartData, 1);
  data->request = gz_session_request_copy (request);
  data->config = g_object_ref (config);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
  g_task_run_in_thread (task, start_thread);
}

GzSession *
gz_session_starter_start_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
