/* gz-cli-server.c: `gz-cli profile server`: serves this process' pprof endpoints until
 * SIGINT/SIGTERM, with optional periodic captures. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "gz-auto-profiler.h"
#include "gz-cli.h"
#include "gz-duration.h"
#include "gz-pprof-server.h"

/* The first automatic capture comes this soon after start, not after a whole interval. */
#define AUTO_PROFILE_FIRST_DELAY_MS 1000

typedef struct
{
  GMainLoop      *loop;
  GzPprofServer  *server;
  GzAutoProfiler *auto_profiler;
  gboolean        stopping;
} ServerRun;

static void
on_shutdown_done (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ServerRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!gz_pprof_server_shutdown_finish (GZ_PPROF_SERVER (source_object), result, &error))
    g_debug ("shutdown: %s", error->message);
  g_main_loop_quit (run->loop);
}

static gboolean
on_interrupt (gpointer user_data)
{
  ServerRun *run = user_data;

  if (run->stopping)
    return G_SOURCE_CONTINUE;
  run->stopping = TRUE;
  printf (_("Shutting down: ending requests in flight%s\n"),
          run->auto_profiler != NULL ? " and saving the automatic capture in progress" : "");
  fflush (stdout);

  /* The server first: its CPU profile in flight is cut short and sent, which frees the CPU
   * profiler for nothing else; then the capture in progress is saved. */
  gz_pprof_server_shutdown_async (run->server, NULL, on_shutdown_done, run);
  if (run->auto_profiler != NULL)
    gz_auto_profiler_stop (run->auto_profiler);
  return G_SOURCE_CONTINUE;
}

/* `--auto-profile` alone means true: the configuration flags all take a value. */
static void
expand_bare_auto_profile (int    argc,
                          char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      gboolean bare = g_str_equal (argv[i], "--auto-profile") &&
                      (i + 1 >= argc || argv[i + 1][0] == '-');

      if (bare)
        argv[i] = (char *) "--auto-profile=true";
    }
}

/* The configuration keys this command takes as flags. */
static const char * const command_keys[] = {
  "port", "bind", "auto-profile", "auto-profile-interval", "auto-profile-duration", "keep",
  "token-file", "output-dir", "cpu-hz", "memory-rate", "block-rate", "mutex-fraction", NULL
};

int
gz_cli_server (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzPprofServer) server = NULL;
  g_autoptr(GzAutoProfiler) auto_profiler = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *bind;
  const char *token_file;
  int status = GZ_CLI_EXIT_OK;
  guint sigint_source, sigterm_source;
  ServerRun run = { 0 };

  context = g_option_context_new (N_("- serve this process' profiles over HTTP, as Go's "
                                     "net/http/pprof"));
  g_option_context_set_summary (context,
                                N_("Serves /debug/pprof/ (go tool pprof URL works against it) and "
                                   "/debug/stats\non --bind (default 127.0.0.1) and --port "
                                   "(default 6060) until Ctrl-C.\nWith --auto-profile, takes a CPU "
                                   "profile of --auto-profile-duration plus heap and\ngoroutine "
                                   "snapshots every --auto-profile-interval into --output-dir, "
                                   "keeping the\nnewest --keep captures."));
  g_option_context_set_main_group (context, gz_cli_config_flags_group (flags, command_keys));
  expand_bare_auto_profile (argc, argv);
  if (!gz_cli_parse (context, "server", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  config = gz_cli_load_config (flags, &status);
  if (config == NULL)
    return status;

  /* What is still missing off loopback: without a token, anyone who can reach the port reads
   * the profiles; with one, the token and the profiles still travel in clear text (no TLS). */
  bind = gz_config_get_string (config, "bind");
  token_file = gz_config_get_string (config, "token-file");
  if (gz_pprof_server_address_is_loopback (bind))
    ;
  else if (token_file == NULL || token_file[0] == '\0')
    fprintf (stderr, _("gz-cli: warning: listening on %s, not loopback, without a token: whoever "
                       "can reach it can read this process' memory contents (heap profiles), "
                       "stacks and command line; add --token-file, or keep the default --bind "
                       "127.0.0.1\n"),
             bind);
  else
    fprintf (stderr, _("gz-cli: warning: listening on %s, not loopback: the bearer token and the "
                       "profiles travel in clear text (this server has no TLS), so anyone who can "
                       "watch the network can read them and reuse the token; reach it through an "
                       "SSH tunnel or a TLS proxy, or keep the default --bind 127.0.0.1\n"),
             bind);

  server = gz_pprof_server_new (config);
  if (!gz_pprof_server_listen (server, &error))
    return gz_cli_fail (g_error_matches (error, GZ_PPROF_SERVER_ERROR,
                                         GZ_PPROF_SERVER_ERROR_ADDRESS)
                          ? GZ_CLI_EXIT_USAGE : GZ_CLI_EXIT_FAILURE,
                        "%s", error->message);

  if (gz_config_get_boolean (config, "auto-profile"))
    {
      auto_profiler = gz_auto_profiler_new (config, &error);
      if (auto_profiler == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
    }

  url = gz_pprof_server_get_url (server);
  printf (_("Serving pprof at %s\n"), url);
  printf (_("Try: go tool pprof %sprofile?seconds=30\n"), url);
  if (auto_profiler != NULL)
    {
      g_autofree char *interval =
        gz_duration_format (gz_config_get_duration (config, "auto-profile-interval"));
      g_autofree char *duration =
        gz_duration_format (gz_config_get_duration (config, "auto-profile-duration"));
      gint64 keep = gz_config_get_int (config, "keep");
      g_autofree char *kept = keep > 0 ? g_strdup_printf ("the newest %" G_GINT64_FORMAT, keep)
                                       : g_strdup ("all");

      printf (_("Auto-profile: every %s, a %s CPU profile plus heap and goroutine into %s "
                "(keeping %s)\n"),
              interval, duration, gz_auto_profiler_get_output_dir (auto_profiler),
              kept);
    }
  printf (_("Stop with Ctrl-C\n"));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.server = server;
  run.auto_profiler = auto_profiler;
  sigint_source = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm_source = g_unix_signal_add (SIGTERM, on_interrupt, &run);
  if (auto_profiler != NULL)
    gz_auto_profiler_start (auto_profiler, AUTO_PROFILE_FIRST_DELAY_MS);

  g_main_loop_run (loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  printf (_("Stopped\n"));
  return GZ_CLI_EXIT_OK;
}
