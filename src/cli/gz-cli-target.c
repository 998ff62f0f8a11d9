/* gz-cli-target.c: what start and stats share about other programs: reaching a pid's socket
 * (`gz-cli profile run`) or a URL; commands are launched through the core's GzLauncher. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>

#include "gz-cli.h"
#include "gz-launcher.h"
#include "gz-preload-paths.h"

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
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT,
                   "process %d was not started with gz-cli profile run (no socket at %s); "
                   "start the program with `gz-cli profile run -- COMMAND`", pid, socket_path);
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
