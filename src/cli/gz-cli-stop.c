/* gz-cli-stop.c: `gz-cli profile stop`: stop a session another process owns. */

#include "config.h"

#include <stdio.h>

#include "gz-cli.h"
#include "gz-duration.h"
#include "gz-session-registry.h"

/* The owner stops, symbolizes and writes the profile: that can take a while for a big one. */
#define DEFAULT_TIMEOUT "60s"

int
gz_cli_stop (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzSessionRegistry) registry = NULL;
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *timeout_text = NULL;
  gint64 timeout = 0;
  const GOptionEntry entries[] = {
    { "session", 's', 0, G_OPTION_ARG_STRING, &id, "The session to stop (see profile list)",
      "ID" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
      "How long to wait for the owner to save the profile (default " DEFAULT_TIMEOUT ")",
      "DURATION" },
    { NULL }
  };

  context = g_option_context_new ("- stop a session of another process");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!gz_cli_parse (context, "stop", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (id == NULL || *id == '\0')
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "profile stop needs --session ID; see the active "
                        "sessions with: gz-cli profile list");
  if (!gz_duration_parse (timeout_text != NULL ? timeout_text : DEFAULT_TIMEOUT, &timeout, NULL) ||
      timeout <= 0)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "invalid timeout \"%s\"; use Go's syntax such as 60s",
                        timeout_text);

  registry = gz_session_registry_new (NULL);
  summary = gz_session_registry_stop (registry, id,
                                      (guint) MIN (timeout / 1000000, G_MAXUINT), &error);
  if (summary == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);

  gz_cli_print_summary (summary);
  return GZ_CLI_EXIT_OK;
}
