/* gz-cli-stop.c: `gz-cli profile stop`: stop a session another process owns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "gz-cli.h"
#include "gz-duration.h"
#include "gz-session-registry.h"

/* The owner stops, symbolizes and writes the profile: that can take a while for a big one. */
#define DEFAULT_TIMEOUT "60s"

typedef struct
{
  GMainLoop        *loop;
  GzSessionSummary *summary;
  GError           *error;
} StopRun;

static void
on_stopped (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  StopRun *run = user_data;

  run->summary = gz_session_registry_stop_finish (GZ_SESSION_REGISTRY (object), result,
                                                  &run->error);
  g_main_loop_quit (run->loop);
}

int
gz_cli_stop (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzSessionRegistry) registry = NULL;
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  StopRun run = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *timeout_text = NULL;
  gint64 timeout = 0;
  const GOptionEntry entries[] = {
    { "session", 's', 0, G_OPTION_ARG_STRING, &id, N_("The session to stop (see profile list)"),
      "ID" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
      "How long to wait for the owner to save the profile (default " DEFAULT_TIMEOUT ")",
      "DURATION" },
    { NULL }
  };

  context = g_option_context_new (N_("- stop a session of another process"));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!gz_cli_parse (context, "stop", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (id == NULL || *id == '\0')
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("profile stop needs --session ID; see the active "
                                             "sessions with: gz-cli profile list"));
  if (!gz_duration_parse (timeout_text != NULL ? timeout_text : DEFAULT_TIMEOUT, &timeout, NULL) ||
      timeout <= 0)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid timeout \"%s\"; use Go's syntax such as 60s"),
                        timeout_text);

  /* The wait is event-driven (the owner's answer, its exit, the timeout): a loop to run it. */
  registry = gz_session_registry_new (NULL);
  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  gz_session_registry_stop_async (registry, id, (guint) CLAMP (timeout / 1000000, 1, G_MAXUINT),
                                  NULL, on_stopped, &run);
  g_main_loop_run (loop);
  summary = g_steal_pointer (&run.summary);
  error = g_steal_pointer (&run.error);
  if (summary == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);

  gz_cli_print_summary (summary);
  return GZ_CLI_EXIT_OK;
}
