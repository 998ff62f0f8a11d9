/* gz-bench-command-profile.c: a command's profiled run: its words run once through the core's
 * launch path (gz_session_launch_run_async()), its session ends with it, the profile's path
 * comes back. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-bench-command-profile.h"
#include "gz-session-launch.h"

static void
on_run (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;
  char *path = gz_session_launch_run_finish (result, NULL, &error);

  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

void
gz_bench_command_profile_async (const char          *command_line,
                                GzProfileType        type,
                                GzConfig            *config,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  g_task_set_source_tag (task, gz_bench_command_profile_async);
  if (!g_shell_parse_argv (command_line, NULL, &argv, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The command line cannot be read: %s"), error->message);
      return;
    }
  /* As the measured runs: stdio on /dev/null. */
  gz_session_launch_run_async (config, type, NULL, (const char * const *) argv, NULL,
                               GZ_SESSION_LAUNCH_FLAGS_SILENT, cancellable, on_run,
                               g_steal_pointer (&task));
}

char *
gz_bench_command_profile_finish (GAsyncResult *result,
                                 GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
