/* gz-cli-target.c: what start, run and stats share about other programs: reaching a pid's agent
 * or a URL, and launching a command with the old agent preloaded (`run`, goroutine, command
 * benchmarks; `start -- COMMAND` goes through the core's GzLauncher). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-agent-paths.h"
#include "gz-cli.h"
#include "gz-launcher.h"

/* How long a launched program's agent may take to open its socket. */
#define AGENT_SOCKET_TIMEOUT_MS 10000

static char *
agent_hint (void)
{
  g_autofree char *library = gz_agent_library_path (NULL);

  return g_strdup_printf ("start the program with `gz-cli profile run -- COMMAND` or with "
                          "LD_PRELOAD=%s", library != NULL ? library : "…/libgz-agent.so");
}

GzTargetClient *
gz_cli_target_client (int          pid,
                      const char  *url,
                      const char  *token_file,
                      GError     **error)
{
  g_autofree char *socket_path = NULL;
  g_autoptr(GError) local_error = NULL;
  GzTargetClient *client;

  if (url != NULL)
    return gz_target_client_new_for_url (url, token_file, error);

  socket_path = gz_agent_socket_path (pid);
  client = gz_target_client_new_for_socket (pid, socket_path, &local_error);
  if (client == NULL && g_error_matches (local_error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT) &&
      kill (pid, 0) == 0)
    {
      g_autofree char *hint = agent_hint ();

      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT,
                   "process %d has no gz agent (no socket at %s); %s", pid, socket_path, hint);
      return NULL;
    }
  if (client == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return client;
}

char *
gz_cli_command_line (char **command)
{
  return gz_launcher_quote_command ((const char * const *) command);
}

GSubprocess *
gz_cli_launch_with_agent (char              **command,
                          const char * const *env,
                          GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GzLauncher) resolved = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *library = NULL;
  g_autofree char *preload = NULL;
  g_autofree char **argv = NULL;
  const char *old_preload = g_getenv ("LD_PRELOAD");
  const char *program;
  guint n = g_strv_length (command);

  /* Found and checked as a launched program is; started here with the agent. */
  resolved = gz_launcher_new ((const char * const *) command, error);
  if (resolved == NULL)
    return NULL;
  program = gz_launcher_get_program (resolved);
  /* Refused before anything runs: a static binary would run without the agent. */
  if (!gz_agent_can_preload (program, &local_error))
    {
      /* Its message names the program, the reason and the fix. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  library = gz_agent_library_path (&local_error);
  if (library == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the gz agent library cannot be found (%s); reinstall gz or set "
                   "GZ_AGENT_LIBRARY to libgz-agent.so", local_error->message);
      return NULL;
    }

  preload = old_preload != NULL && *old_preload != '\0'
              ? g_strconcat (library, ":", old_preload, NULL) : g_strdup (library);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", preload, TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      if (pair[0] != NULL && pair[1] != NULL)
        g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  argv = g_new0 (char *, n + 1);
  argv[0] = (char *) program;
  for (guint i = 1; i < n; i++)
    argv[i] = command[i];
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
}

int
gz_cli_exit_status_of (GSubprocess *subprocess)
{
  if (g_subprocess_get_if_exited (subprocess))
    return g_subprocess_get_exit_status (subprocess);
  if (g_subprocess_get_if_signaled (subprocess))
    return 128 + g_subprocess_get_term_sig (subprocess);
  return GZ_CLI_EXIT_FAILURE;
}

static gboolean
on_wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
gz_cli_wait_for_agent (GSubprocess *subprocess,
                       const int   *exited,
                       GError     **error)
{
  const char *identifier = g_subprocess_get_identifier (subprocess);
  int pid = identifier != NULL ? atoi (identifier) : 0;
  g_autofree char *socket_path = gz_agent_socket_path (pid);
  gint64 deadline = g_get_monotonic_time () + AGENT_SOCKET_TIMEOUT_MS * 1000;
  guint wake = g_timeout_add (10, on_wake, NULL);

  while (!*exited && !g_file_test (socket_path, G_FILE_TEST_EXISTS) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  if (*exited)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the program exited before its agent started, so nothing was profiled; "
                   "profile a program that runs longer");
      return FALSE;
    }
  if (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "the gz agent in pid %d opened no socket at %s within %d s; look for "
                   "gz-agent: lines on stderr", pid, socket_path, AGENT_SOCKET_TIMEOUT_MS / 1000);
      return FALSE;
    }
  return TRUE;
}
