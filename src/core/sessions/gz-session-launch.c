/* gz-session-launch.c: a program launched with a session on it (GzLauncher and
 * gz_session_new_for_launch() on a worker, the program's end watched on the caller's context),
 * and one whole run of a program that delivers its profile. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "gz-session-launch.h"

/* ---- Launching ------------------------------------------------------------------------- */

typedef struct
{
  GzConfig              *config;
  GzProfileType          type;
  gint64                 duration;
  char                  *output_dir;
  char                 **argv;
  char                  *working_dir;
  GzSessionLaunchFlags   flags;
} LaunchData;

static void
launch_data_free (LaunchData *data)
{
  g_clear_object (&data->config);
  g_free (data->output_dir);
  g_strfreev (data->argv);
  g_free (data->working_dir);
  g_free (data);
}

/* A copy of @fd for the program (close-on-exec here: only the child's dup2 keeps it). */
static int
copy_fd (int      fd,
         GError **error)
{
  int copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  int errsv = errno;

  if (copy < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "cannot give the program its output: %s", g_strerror (errsv));
  return copy;
}

/* The launcher of @data's command, with its folder and its standard streams. */
static GzLauncher *
make_launcher (LaunchData  *data,
               GError     **error)
{
  g_autoptr(GzLauncher) launcher = NULL;
  g_auto(GStrv) argv = g_strdupv (data->argv);
  int null_fd = -1;

  if (data->working_dir != NULL && !g_file_test (data->working_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "the working folder \"%s\" does not exist; give an existing folder",
                   data->working_dir);
      return NULL;
    }
  /* A path with a slash is the working folder's (as a shell started there reads it). */
  if (data->working_dir != NULL && strchr (argv[0], '/') != NULL &&
      !g_path_is_absolute (argv[0]))
    {
      char *absolute = g_canonicalize_filename (argv[0], data->working_dir);

      g_free (argv[0]);
      argv[0] = absolute;
    }
  launcher = gz_launcher_new ((const char * const *) argv, error);
  if (launcher == NULL)
    return NULL;
  if (data->working_dir != NULL)
    gz_launcher_set_working_dir (launcher, data->working_dir);

  if (data->flags & GZ_SESSION_LAUNCH_FLAGS_SILENT)
    {
      null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null_fd < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "cannot open /dev/null for the program: %s", g_strerror (errsv));
          return NULL;
        }
      /* Copies above 2 (the open may take a standard stream's number when it is closed). */
      for (int child_fd = 0; child_fd < 3; child_fd++)
        {
          int fd = copy_fd (null_fd, error);

          if (fd < 0)
            {
              close (null_fd);
              return NULL;
            }
          gz_launcher_take_fd (launcher, fd, child_fd);
        }
      close (null_fd);
    }
  else if (data->flags & GZ_SESSION_LAUNCH_FLAGS_STDOUT_TO_STDERR)
    {
      int fd = copy_fd (STDERR_FILENO, error);

      if (fd < 0)
        return NULL;
      gz_launcher_take_fd (launcher, fd, STDOUT_FILENO);
    }
  return g_steal_pointer (&launcher);
}

/* On the worker: the launcher forks the program, the session opens on it and lets it exec.
 * Both watch on the thread-default context, which on a GTask worker is the global default. */
static void
launch_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LaunchData *data = task_data;
  g_autoptr(GzLauncher) launcher = NULL;
  g_autoptr(GzSession) session = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  launcher = make_launcher (data, &error);
  if (launcher != NULL)
    session = gz_session_new_for_launch (data->config, data->type, data->duration,
                                         data->output_dir, launcher, &error);
  /* The child waits before its exec: a cancel now still runs nothing (the session's end
   * aborts the launcher). */
  if (session != NULL && g_cancellable_set_error_if_cancelled (cancellable, &error))
    g_clear_object (&session);
  if (session != NULL && !gz_session_start (session, &error))
    g_clear_object (&session);
  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&session), g_object_unref);
}

/* The program ended: its session ends with it, even when the end came before the session
 * watched for it (the launcher's watch runs on this thread, the session started on the
 * worker). */
static void
on_program_ended (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GzSession) session = user_data;

  gz_launcher_wait_finish (GZ_LAUNCHER (source), result, NULL, NULL);
  if (gz_session_get_state (session) == GZ_SESSION_STATE_RUNNING)
    gz_session_stop_async (session, NULL, NULL, NULL);
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GzSession *session;
  GError *error = NULL;

  session = g_task_propagate_pointer (G_TASK (result), &error);
  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The wait holds the session until the program ends (and the launcher, reaping it). */
  gz_launcher_wait_async (gz_session_get_launcher (session), NULL, on_program_ended,
                          g_object_ref (session));
  g_task_return_pointer (task, session, g_object_unref);
}

void
gz_session_launch_async (GzConfig             *config,
                         GzProfileType         type,
                         gint64                duration_nanos,
                         const char           *output_dir,
                         const char * const   *argv,
                         const char           *working_dir,
                         GzSessionLaunchFlags  flags,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  g_autoptr(GTask) worker = NULL;
  GTask *task;
  LaunchData *data;

  g_return_if_fail (config == NULL || GZ_IS_CONFIG (config));
  g_return_if_fail (argv != NULL && argv[0] != NULL);
  g_return_if_fail (g_main_context_get_thread_default () == NULL ||
                    g_main_context_get_thread_default () == g_main_context_default ());

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_session_launch_async);
  /* A session that started is delivered even when cancelled late: dropping it would lose it. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (LaunchData, 1);
  data->config = config != NULL ? g_object_ref (config) : NULL;
  data->type = type;
  data->duration = duration_nanos;
  data->output_dir = g_strdup (output_dir);
  data->argv = g_strdupv ((char **) argv);
  data->working_dir = g_strdup (working_dir);
  data->flags = flags;

  worker = g_task_new (NULL, cancellable, on_launched, task);
  g_task_set_source_tag (worker, launch_thread);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_task_data (worker, data, (GDestroyNotify) launch_data_free);
  g_task_run_in_thread (worker, launch_thread);
}

GzSession *
gz_session_launch_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gz_session_launch_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- One run --------------------------------------------------------------------------- */

typedef struct
{
  GzSession *session;
  gboolean   cancelled;
  int        exit_code;
} RunData;

static void
run_data_free (RunData *run)
{
  g_clear_object (&run->session);
  g_free (run);
}

static void
on_run_stopped (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *run = g_task_get_task_data (task);
  GzLauncher *launcher = gz_session_get_launcher (run->session);
  GError *error = NULL;
  GzSessionSummary *summary = gz_session_stop_finish (run->session, result, &error);

  if (run->cancelled)
    {
      g_clear_pointer (&summary, gz_session_summary_free);
      g_clear_error (&error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the run of %s was cancelled; it was ended",
                               gz_launcher_get_command_line (launcher));
      return;
    }
  if (summary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  run->exit_code = gz_launcher_get_exit_code (launcher);
  g_task_return_pointer (task, g_strdup (summary->path), g_free);
  gz_session_summary_free (summary);
}

static void
on_run_exited (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  RunData *run = g_task_get_task_data (task);

  if (!gz_launcher_wait_finish (GZ_LAUNCHER (source), result, NULL, NULL))
    {
      /* Cancelled: the run is cut short, and what it ran is saved. */
      gz_launcher_send_signal (GZ_LAUNCHER (source), SIGKILL);
      run->cancelled = TRUE;
    }
  /* A session that already ended by itself answers with the same summary. */
  gz_session_stop_async (run->session, NULL, on_run_stopped, task);
}

static void
on_run_launched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  RunData *run = g_task_get_task_data (task);
  GError *error = NULL;

  run->session = gz_session_launch_finish (result, &error);
  if (run->session == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  gz_launcher_wait_async (gz_session_get_launcher (run->session), g_task_get_cancellable (task),
                          on_run_exited, task);
}

void
gz_session_launch_run_async (GzConfig             *config,
                             GzProfileType         type,
                             const char           *output_dir,
                             const char * const   *argv,
                             const char           *working_dir,
                             GzSessionLaunchFlags  flags,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, gz_session_launch_run_async);
  /* The outcome is the run's: a cancel is answered once what it ran is saved. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_new0 (RunData, 1), (GDestroyNotify) run_data_free);
  gz_session_launch_async (config, type, 0, output_dir, argv, working_dir, flags, cancellable,
                           on_run_launched, task);
}

char *
gz_session_launch_run_finish (GAsyncResult  *result,
                              int           *exit_code,
                              GError       **error)
{
  RunData *run;
  char *path;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gz_session_launch_run_async,
                        NULL);

  run = g_task_get_task_data (G_TASK (result));
  path = g_task_propagate_pointer (G_TASK (result), error);
  if (path != NULL && exit_code != NULL)
    *exit_code = run->exit_code;
  return path;
}
