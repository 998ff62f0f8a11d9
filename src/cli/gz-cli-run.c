/* gz-cli-run.c: `gz-cli profile run -- COMMAND`: a program with the agent and no session, for
 * `start --pid` and `stats --pid` from another terminal. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "gz-cli.h"

typedef struct
{
  GMainLoop   *loop;
  GSubprocess *child;
} RunRun;

static void
on_child_exited (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RunRun *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  g_main_loop_quit (run->loop);
}

/* SIGTERM to gz-cli goes on to the program (Ctrl-C reaches both from the terminal). */
static gboolean
on_sigterm (gpointer user_data)
{
  RunRun *run = user_data;

  g_subprocess_send_signal (run->child, SIGTERM);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

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

int
gz_cli_run (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) command = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint sigterm_source, sigint_source;
  RunRun run = { 0 };

  command = gz_cli_split_command (&argc, argv);
  context = g_option_context_new (N_("-- COMMAND [ARG…] - run a program with the gz agent"));
  g_option_context_set_summary (context,
                                N_("Runs COMMAND with the gz agent preloaded and no session, and "
                                   "prints its pid on stderr;\nprofile it from another terminal "
                                   "with `gz-cli profile start --pid PID --type TYPE`.\nExits with "
                                   "the program's status."));
  if (!gz_cli_parse (context, "run", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;
  if (command == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("profile run needs a command after --; e.g. gz-cli "
                                             "profile run -- ./server --port 8080"));

  child = gz_cli_launch_with_agent (command, NULL, &error);
  if (child == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
  fprintf (stderr, _("pid %s runs with the gz agent; profile it with: gz-cli profile start --pid "
                     "%s --type TYPE\n"), g_subprocess_get_identifier (child),
           g_subprocess_get_identifier (child));
  fflush (stderr);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.child = child;
  sigterm_source = g_unix_signal_add (SIGTERM, on_sigterm, &run);
  sigint_source = g_unix_signal_add (SIGINT, on_sigint, &run);
  g_subprocess_wait_async (child, NULL, on_child_exited, &run);
  g_main_loop_run (loop);
  g_source_remove (sigterm_source);
  g_source_remove (sigint_source);
  return gz_cli_exit_status_of (child);
}
