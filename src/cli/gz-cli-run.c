/* gz-cli-run.c: `gz-cli profile run -- COMMAND`: a program with gz's preload and no session,
 * its profiles served on its Unix socket for `start --pid`, `stats --pid` and `list --targets`
 * from another terminal. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-cli.h"

/* Splits @argv at "--": the options before, the command after (NULL when none). */
char **
gz_cli_split_command (int    *argc,
                      char  **argv)
{
  for (int i = 1; i < *argc; i++)
    if (g_str_equal (argv[i], "--"))
      {
        char **command = g_strdupv (argv + i + 1);

        argv[i] = NULL;
        *argc = i;
        if (command[0] == NULL)
          g_clear_pointer (&command, g_strfreev);
        return command;
      }
  return NULL;
}

/* The configuration keys this command takes as flags: the preload's rates. */
static const char * const command_keys[] = {
  "cpu-hz", "memory-rate", "block-rate", "mutex-fraction", NULL
};

int
gz_cli_run (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) command = NULL;
  int status = GZ_CLI_EXIT_OK;

  command = gz_cli_split_command (&argc, argv);
  context = g_option_context_new (N_("-- COMMAND [ARG…] - run a program to profile it from "
                                     "elsewhere"));
  g_option_context_set_summary (context,
                                N_("Runs COMMAND with gz's preload and no session, and prints its "
                                   "pid on stderr;\nprofile it from another terminal with "
                                   "`gz-cli profile start --pid PID --type TYPE`\n(any of the six "
                                   "types), `gz-cli profile stats --pid PID` or the app. Its\n"
                                   "profiles are served on a Unix socket of the user's only, "
                                   "removed when it ends.\nCtrl-C ends COMMAND with SIGTERM; "
                                   "exits with the program's status."));
  g_option_context_set_main_group (context, gz_cli_config_flags_group (flags, command_keys));
  if (!gz_cli_parse (context, "run", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;
  if (command == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("profile run needs a command after --; e.g. gz-cli "
                                             "profile run -- ./server --port 8080"));
  config = gz_cli_load_config (flags, &status);
  if (config == NULL)
    return status;
  /* The socket is the user's only (0600 in a 0700 folder): the clients send no token. */
  if (!gz_config_set_flag (config, "token-file", "", &error))
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
  return gz_cli_serve_on_socket (config, command);
}
