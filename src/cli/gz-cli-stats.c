/* gz-cli-stats.c: `gz-cli profile stats`: runtime statistics of this process, of a process
 * started with `gz-cli profile run` (--pid, through its socket) or of a gz server (--url). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>

#include "gz-cli.h"
#include "gz-duration.h"
#include "gz-process-stats.h"

typedef struct
{
  GzProcessStatsFormat format;
  int           status;
  gboolean      watch;
  GzTargetClient *client;  /* another program's, or NULL for this one */
} StatsRun;

static gboolean
stats_once (StatsRun *run)
{
  g_autoptr(JsonNode) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (run->client != NULL)
    stats = gz_target_client_fetch_stats (run->client, NULL, &error);
  else
    stats = gz_process_stats_collect (&error);
  if (stats == NULL)
    {
      run->status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
      return FALSE;
    }
  text = gz_process_stats_format (stats, run->format);
  if (run->watch && gz_cli_is_tty () && run->format == GZ_PROCESS_STATS_FORMAT_TABLE)
    printf ("\033[H\033[2J");
  fputs (text, stdout);
  if (text[0] != '\0' && !g_str_has_suffix (text, "\n"))
    fputs ("\n", stdout);
  if (run->watch && run->format == GZ_PROCESS_STATS_FORMAT_YAML)
    fputs ("---\n", stdout);
  fflush (stdout);
  return TRUE;
}

static gboolean
stats_once_cb (gpointer data)
{
  return stats_once (data);
}

int
gz_cli_stats (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *format = NULL;
  g_autofree char *watch = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token_file = NULL;
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 interval = 0;
  int pid = 0;
  StatsRun run = { 0 };
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("table (default), json or yaml"),
      "FORMAT" },
    { "watch", 'w', 0, G_OPTION_ARG_STRING, &watch, N_("Print again every INTERVAL until Ctrl-C"),
      "INTERVAL" },
    { "pid", 'p', 0, G_OPTION_ARG_INT, &pid,
      N_("Statistics of process PID, started with gz-cli profile run"), "PID" },
    { "url", 'u', 0, G_OPTION_ARG_STRING, &url,
      N_("Statistics of a gz server at URL (its /debug/stats)"), "URL" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("Bearer token for a protected gz server"), "FILE" },
    { NULL }
  };

  context = g_option_context_new (N_("- runtime statistics of this process, --pid or --url"));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!gz_cli_parse (context, "stats", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  run.format = GZ_PROCESS_STATS_FORMAT_TABLE;
  if (format != NULL && !gz_process_stats_format_from_string (format, &run.format))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown stats format \"%s\"; use one of: table, "
                                             "json, yaml"), format);
  if (watch != NULL)
    {
      if (!gz_duration_parse (watch, &interval, NULL) || interval < 1000000)
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid --watch interval \"%s\"; use a "
                                                 "positive duration such as 1s or 500ms"), watch);
    }
  if (pid != 0 && url != NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("more than one target; give one of --pid or --url"));
  if (pid < 0)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid pid %d; give a positive process id"), pid);
  if (pid != 0 || url != NULL)
    {
      client = gz_cli_target_client (pid, url, token_file, &error);
      if (client == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
    }
  run.client = client;
  run.watch = watch != NULL;
  run.status = GZ_CLI_EXIT_OK;

  if (watch == NULL)
    {
      stats_once (&run);
      return run.status;
    }
  gz_cli_watch ((guint) MIN (interval / 1000000, G_MAXUINT), stats_once_cb, &run);
  return run.status;
}
