/* gz-cli-start.c: `gz-cli profile start`: profile this process in the foreground. */

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "gz-cli.h"
#include "gz-duration.h"

#define PROGRESS_INTERVAL_MS 200

typedef struct
{
  GMainLoop *loop;
  GzSession *session;
  guint      signals_received;
} StartRun;

static gboolean
on_signal (gpointer user_data)
{
  StartRun *run = user_data;

  /* A second Ctrl-C while the profile is being written changes nothing: it is saved anyway.
   * The outcome comes with ::finished, which ends the loop. */
  if (run->signals_received++ > 0)
    return G_SOURCE_CONTINUE;
  gz_cli_progress_end ();
  gz_session_stop_async (run->session, NULL, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_progress (gpointer user_data)
{
  StartRun *run = user_data;

  if (gz_session_get_state (run->session) == GZ_SESSION_STATE_RUNNING)
    gz_cli_progress_update (run->session);
  return G_SOURCE_CONTINUE;
}

static void
on_finished (GzSession *session,
             gpointer   user_data)
{
  StartRun *run = user_data;

  g_main_loop_quit (run->loop);
}

/* The configuration keys this command takes as flags. */
static const char * const command_keys[] = { "output-dir", "duration", "cpu-hz", "memory-rate", "block-rate", "mutex-fraction", NULL };

int
gz_cli_start (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *target = NULL;
  g_autofree char *duration_text = NULL;
  const char *duration_flag;
  GzProfileType type;
  gint64 duration = 0;
  int status = GZ_CLI_EXIT_OK;
  guint sigint_source, sigterm_source, progress_source;
  StartRun run = { 0 };
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "type", 't', 0, G_OPTION_ARG_STRING, &type_name,
      "What to profile: cpu, memory, goroutine (threads), block, mutex, threadcreate", "TYPE" },
    { NULL }
  };

  context = g_option_context_new ("- profile this process");
  g_option_context_set_summary (context,
                                "Profiles the gz-cli process itself in the foreground and writes "
                                "DIR/ID.prof.\nA cpu session runs for --duration (default 30s); "
                                "the other types run until\n`gz-cli profile stop --session ID`, "
                                "Ctrl-C, or --duration when given.");
  /* One group, so that --help shows --duration and --output-dir beside --type. */
  group = gz_cli_config_flags_group (flags, command_keys);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  if (!gz_cli_parse (context, "start", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (type_name == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "profile start needs --type TYPE; use one of: %s",
                        gz_profile_type_names ());
  if (!gz_profile_type_from_string (type_name, &type))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "unknown profile type \"%s\"; use one of: %s",
                        type_name, gz_profile_type_names ());

  duration_flag = gz_cli_config_flags_lookup (flags, "duration");
  if (duration_flag != NULL)
    {
      if (duration_flag[0] == '-')
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, "negative duration \"%s\"; give a positive one "
                            "such as 30s", duration_flag);
      if (!gz_duration_parse (duration_flag, &duration, NULL))
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, "invalid duration \"%s\"; use Go's syntax such "
                            "as 30s, 300ms or 1m30s", duration_flag);
      if (duration == 0)
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, "duration \"%s\" is zero; give a positive one "
                            "such as 30s, or leave --duration out", duration_flag);
    }

  config = gz_cli_load_config (flags, &status);
  if (config == NULL)
    return status;

  /* cpu takes its duration from the configuration (where the flag went); the others run until
   * stopped unless --duration was given. */
  session = gz_session_new (config, type, type == GZ_PROFILE_TYPE_CPU ? 0 : duration, NULL,
                            &error);
  if (session == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);

  target = gz_cli_format_target (gz_session_get_target (session));
  if (gz_session_get_duration (session) > 0)
    {
      g_autofree char *bound = gz_duration_format (gz_session_get_duration (session));

      duration_text = g_strconcat ("for ", bound, NULL);
    }
  printf ("Session: %s\n", gz_session_get_id (session));
  printf ("Output: %s\n", gz_session_get_output_path (session));
  printf ("Profiling %s of %s %s; stop with Ctrl-C or: gz-cli profile stop --session %s\n",
          gz_profile_type_to_string (type), target,
          duration_text != NULL ? duration_text : "until stopped",
          gz_session_get_id (session));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.session = session;
  g_signal_connect (session, "finished", G_CALLBACK (on_finished), &run);
  sigint_source = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm_source = g_unix_signal_add (SIGTERM, on_signal, &run);

  if (!gz_session_start (session, &error))
    {
      g_source_remove (sigint_source);
      g_source_remove (sigterm_source);
      return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
    }

  progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress, &run);
  g_main_loop_run (loop);
  g_source_remove (progress_source);
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  gz_cli_progress_end ();

  if (gz_session_get_state (session) != GZ_SESSION_STATE_FINISHED)
    {
      const GError *session_error = gz_session_get_error (session);

      return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s",
                          session_error != NULL ? session_error->message
                                                : "the session ended without a profile; "
                                                  "run it again");
    }
  gz_cli_print_summary (gz_session_get_summary (session));
  return GZ_CLI_EXIT_OK;
}
