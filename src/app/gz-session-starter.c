/* gz-session-starter.c: a session request turned into a running GzSession on a worker thread:
 * this application's profilers started, a command launched with the agent and its socket
 * awaited, a pid's agent or a URL reached. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "gz-agent-paths.h"
#include "gz-session-starter.h"

/* How long a launched program's agent may take to open its socket (as gz-cli waits). */
#define AGENT_SOCKET_TIMEOUT_MS 10000
#define AGENT_SOCKET_POLL_US    20000

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
  GSubprocess      *child;
} StartData;

static void
start_data_free (StartData *data)
{
  gz_session_request_free (data->request);
  g_clear_object (&data->config);
  g_clear_object (&data->child);
  g_free (data);
}

typedef struct
{
  GzSession   *session;
  GSubprocess *child;
} StartResult;

static void
start_result_free (StartResult *result)
{
  g_clear_object (&result->session);
  g_clear_object (&result->child);
  g_free (result);
}

/* The program's file: a path (relative to @working_dir) when it has a slash, else found in
 * $PATH; it must be an executable file the agent can be preloaded into. */
static char *
resolve_program (const char  *name,
                 const char  *working_dir,
                 GError     **error)
{
  g_autofree char *path = NULL;

  if (strchr (name, '/') == NULL)
    path = g_find_program_in_path (name);
  else if (!g_path_is_absolute (name) && working_dir != NULL)
    path = g_build_filename (working_dir, name, NULL);
  else
    path = g_strdup (name);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Command “%s” not found: check its name, or give its path"), name);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR) || access (path, X_OK) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("“%s” is not an executable file"), path);
      return NULL;
    }
  /* A static or setuid program would run without the agent: refused before it runs. */
  if (!gz_agent_can_preload (path, error))
    return NULL;
  return g_steal_pointer (&path);
}

static GSubprocess *
launch_with_agent (const GzSessionRequest  *request,
                   GError                 **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *program = NULL;
  g_autofree char *library = NULL;
  g_autofree char *preload = NULL;
  const char *old_preload = g_getenv ("LD_PRELOAD");

  if (request->command_line == NULL || !g_shell_parse_argv (request->command_line, NULL, &argv,
                                                            &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The command line cannot be read: %s"),
                   local_error != NULL ? local_error->message : _("it is empty"));
      return NULL;
    }
  if (request->working_dir != NULL && !g_file_test (request->working_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   _("The working folder “%s” does not exist"), request->working_dir);
      return NULL;
    }
  program = resolve_program (argv[0], request->working_dir, error);
  if (program == NULL)
    return NULL;
  library = gz_agent_library_path (&local_error);
  if (library == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The gz agent library cannot be found (%s): reinstall gz or set "
                     "GZ_AGENT_LIBRARY to libgz-agent.so"), local_error->message);
      return NULL;
    }

  preload = old_preload != NULL && *old_preload != '\0'
              ? g_strconcat (library, ":", old_preload, NULL) : g_strdup (library);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  /* The program writes to the application's standard error (the journal, or the terminal it
   * was started from); the application's standard output is its own. */
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", preload, TRUE);
  if (request->working_dir != NULL)
    g_subprocess_launcher_set_cwd (launcher, request->working_dir);
  g_free (argv[0]);
  argv[0] = g_steal_pointer (&program);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
}

/* FALSE once @pid has exited (gone, or a zombie not yet reaped). */
static gboolean
process_running (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  const char *end;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  end = strrchr (contents, ')');
  return end != NULL && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

/* On the worker: polls for the agent's socket (a worker may sleep; the main loop never does). */
static gboolean
wait_for_agent (int            pid,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *socket_path = gz_agent_socket_path (pid);
  gint64 deadline = g_get_monotonic_time () + AGENT_SOCKET_TIMEOUT_MS * 1000;

  while (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!process_running (pid))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The program exited before its agent started, so nothing was "
                         "profiled: profile a program that runs longer"));
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("The gz agent in pid %d opened no socket at %s within %d s"),
                       pid, socket_path, AGENT_SOCKET_TIMEOUT_MS / 1000);
          return FALSE;
        }
      g_usleep (AGENT_SOCKET_POLL_US);
    }
  return TRUE;
}

/* The client that reaches the target of @request (a pid or a command's agent, or a URL). */
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
  StartResult *result;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (request->target == GZ_TARGET_COMMAND)
    {
      data->child = launch_with_agent (request, &error);
      if (data->child == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      target.pid = atoi (g_subprocess_get_identifier (data->child));
      spec = g_strdup (request->command_line);
      if (!wait_for_agent (target.pid, cancellable, &error))
        {
          g_subprocess_force_exit (data->child);
          g_task_return_error (task, error);
          return;
        }
    }
  else if (request->target == GZ_TARGET_URL)
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
      /* A process without the agent: cpu through the kernel's perf events (the core says why
       * when the kernel refuses); the other types need the agent. */
      if (request->type == GZ_PROFILE_TYPE_CPU)
        {
          g_clear_error (&error);
          session = gz_session_new_for_target (data->config, request->type, request->duration,
                                               request->output_dir, &target, NULL, &error);
        }
      else
        g_prefix_error (&error, _("A %s profile needs the gz agent (only cpu works without "
                                  "it): "), gz_profile_type_to_string (request->type));
    }
  else if (client != NULL)
    session = gz_session_new_for_target (data->config, request->type, request->duration,
                                         request->output_dir, &target, client, &error);
  /* The one blocking request: the agent's session start, or the URL's first answer. The
   * session's sources go to the thread-default context, which on this worker is the main
   * context (GTask pushes none here). */
  if (session != NULL && !gz_session_start (session, &error))
    g_clear_object (&session);
  if (session == NULL)
    {
      if (data->child != NULL)
        g_subprocess_force_exit (data->child);
      g_task_return_error (task, error);
      return;
    }

  result = g_new0 (StartResult, 1);
  result->session = g_steal_pointer (&session);
  result->child = g_steal_pointer (&data->child);
  g_task_return_pointer (task, result, (GDestroyNotify) start_result_free);
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

  data = g_new0 (StartData, 1);
  data->request = gz_session_request_copy (request);
  data->config = g_object_ref (config);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
  g_task_run_in_thread (task, start_thread);
}

GzSession *
gz_session_starter_start_finish (GAsyncResult  *result,
                                 GSubprocess  **child,
                                 GError       **error)
{
  StartResult *outcome;
  GzSession *session;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  outcome = g_task_propagate_pointer (G_TASK (result), error);
  if (outcome == NULL)
    return NULL;
  session = g_steal_pointer (&outcome->session);
  if (child != NULL)
    *child = g_steal_pointer (&outcome->child);
  start_result_free (outcome);
  return session;
}
