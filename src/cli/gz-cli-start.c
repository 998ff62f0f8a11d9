/* gz-cli-start.c: `gz-cli profile start`: a session in the foreground, of this process, of a
 * running process (--pid: cpu through perf events, the other types through the socket of a
 * program started with `gz-cli profile run`), of a pprof URL (--url), or of a command it
 * launches (with gz's preload library, perf events and ptrace). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "gz-cli.h"
#include "gz-duration.h"

#define PROGRESS_INTERVAL_MS 200

typedef struct
{
  GMainLoop   *loop;
  GzSession   *session;
  gboolean     session_done;
  guint        signals_received;
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
  if (run->session != NULL && !run->session_done &&
      gz_session_get_state (run->session) == GZ_SESSION_STATE_RUNNING)
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

/* Prints the outcome; returns the status of the session. */
static int
report (GzSession *session)
{
  const GzSessionSummary *summary = gz_session_get_summary (session);

  if (gz_session_get_state (session) != GZ_SESSION_STATE_FINISHED)
    {
      const GError *session_error = gz_session_get_error (session);

      return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s",
                          session_error != NULL ? session_error->message
                                                : "the session ended without a profile; "
                                                  "run it again");
    }
  /* A launched program's threads: those of its last capture when it ended first. */
  if (summary->target_exited && gz_session_get_target (session)->kind == GZ_TARGET_COMMAND &&
      gz_session_get_profile_type (session) == GZ_PROFILE_TYPE_GOROUTINE)
    printf (summary->n_samples > 0
            ? "The program ended before the session's stop: these are its threads at the last "
              "capture (taken once a second while it ran; the profile says when).\n"
            : "The program ended before its threads were captured (once a second while it "
              "runs): there is no thread to show.\n");
  /* A launched program's end is the session's planned end, unless --duration was shorter. */
  else if (summary->target_exited &&
           (gz_session_get_target (session)->kind != GZ_TARGET_COMMAND ||
            gz_session_get_duration (session) > 0))
    {
      g_autofree char *target = gz_cli_format_target (gz_session_get_target (session));

      printf ("The target (%s) exited during the session: this is what it collected up to "
              "its exit.\n", target);
    }
  gz_cli_print_summary (summary);
  fflush (stdout);
  return GZ_CLI_EXIT_OK;
}

static void
on_finished (GzSession *session,
             gpointer   user_data)
{
  StartRun *run = user_data;

  gz_cli_progress_end ();
  run->session_done = TRUE;
  g_main_loop_quit (run->loop);
}

/* The configuration keys this command takes as flags. */
static const char * const command_keys[] = {
  "output-dir", "duration", "cpu-hz", "memory-rate", "block-rate", "mutex-fraction",
  "token-file", NULL
};

/* The recording settings: a launched program's ring takes them from the configuration (a
 * flag wins); a running process keeps its own. */
static const char * const recording_keys[] = {
  "cpu-hz", "memory-rate", "block-rate", "mutex-fraction", NULL
};

/* The session of @type on the target the options name (not a launched command). */
static GzSession *
new_session (GzConfig      *config,
             GzProfileType  type,
             gint64         duration,
             int            pid,
             const char    *url,
             GError       **error)
{
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *spec = NULL;
  GzTarget target = { GZ_TARGET_SELF, 0, NULL };
  const char *token_file = gz_config_get_string (config, "token-file");

  if (pid == 0 && url == NULL)
    return gz_session_new (config, type, type == GZ_PROFILE_TYPE_CPU ? 0 : duration, NULL,
                           error);

  if (url != NULL)
    {
      target.kind = GZ_TARGET_URL;
      spec = g_strdup (url);
    }
  else
    target.kind = GZ_TARGET_PID;
  target.pid = url != NULL ? 0 : pid;
  target.spec = spec;

  client = gz_cli_target_client (pid, url, token_file != NULL && *token_file != '\0'
                                             ? token_file : NULL, &local_error);
  /* A cpu session of a process not started with `profile run` (no socket): the kernel's perf
   * events sample it. The other types say they need the preload (the client's error says how
   * to start the program with it). */
  if (client == NULL && type == GZ_PROFILE_TYPE_CPU && url == NULL &&
      g_error_matches (local_error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT))
    return gz_session_new_for_target (config, type, 0, NULL, &target, NULL, error);
  if (client == NULL && type != GZ_PROFILE_TYPE_CPU && (kill (pid, 0) == 0 || errno == EPERM) &&
      g_error_matches (local_error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT))
    g_prefix_error (&local_error, "a %s profile needs gz's preload in the program (only cpu "
                    "works without it): ", gz_profile_type_to_string (type));
  if (client == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  /* A cpu session of a pid or a URL takes the configured duration. */
  if (type == GZ_PROFILE_TYPE_CPU)
    duration = 0;
  return gz_session_new_for_target (config, type, duration, NULL, &target, client, error);
}

/* Session, output file, and what is profiled until when. */
static void
announce (GzSession *session,
          gboolean   launched)
{
  g_autofree char *target = gz_cli_format_target (gz_session_get_target (session));
  g_autofree char *bound = NULL;

  if (gz_session_get_duration (session) > 0)
    {
      g_autofree char *duration = gz_duration_format (gz_session_get_duration (session));

      bound = g_strconcat ("for ", duration, NULL);
    }
  printf ("Session: %s\n", gz_session_get_id (session));
  printf ("Output: %s\n", gz_session_get_output_path (session));
  printf ("Profiling %s of %s %s; stop with Ctrl-C or: gz-cli profile stop --session %s\n",
          gz_profile_type_to_string (gz_session_get_profile_type (session)), target,
          bound != NULL ? bound : launched ? "until it exits" : "until stopped",
          gz_session_get_id (session));
  fflush (stdout);
}

/* -- a program launched with perf events from its first instruction ------------------------ */

typedef struct
{
  GMainLoop  *loop;
  GzSession  *session;
  GzLauncher *launcher;
  gboolean    session_done;
  gboolean    terminate;         /* SIGTERM for the program once the profile is saved */
  int         session_status;
  guint       n_interrupts;
  guint       n_terms;
} LaunchRun;

static void
launch_maybe_quit (LaunchRun *run)
{
  if (run->session_done && gz_launcher_get_exited (run->launcher))
    g_main_loop_quit (run->loop);
}

/* Writes the profile now, then ends the program with SIGTERM (as perf record does once it
 * stops): for a program that ignores the first signal. */
static void
launch_stop_now (LaunchRun *run)
{
  run->terminate = TRUE;
  if (run->session_done)
    gz_launcher_send_signal (run->launcher, SIGTERM);
  else if (gz_session_get_state (run->session) == GZ_SESSION_STATE_RUNNING)
    gz_session_stop_async (run->session, NULL, NULL, NULL);
}

/* Ctrl-C: the terminal sent SIGINT to the program too (one process group). As perf record,
 * wait for it to end; the session then writes what it ran. A second Ctrl-C stops now. */
static gboolean
on_launch_interrupt (gpointer user_data)
{
  LaunchRun *run = user_data;

  if (run->n_interrupts++ > 0)
    launch_stop_now (run);
  return G_SOURCE_CONTINUE;
}

/* SIGTERM (a service manager, kill): passed on to the program, whose end writes the profile;
 * a second one stops now. */
static gboolean
on_launch_terminate (gpointer user_data)
{
  LaunchRun *run = user_data;

  if (run->n_terms++ == 0)
    gz_launcher_send_signal (run->launcher, SIGTERM);
  else
    launch_stop_now (run);
  return G_SOURCE_CONTINUE;
}

static void
on_launch_finished (GzSession *session,
                    gpointer   user_data)
{
  LaunchRun *run = user_data;

  run->session_done = TRUE;
  /* The program may run on (--duration): say now what was saved. */
  run->session_status = report (session);
  if (run->terminate)
    gz_launcher_send_signal (run->launcher, SIGTERM);
  launch_maybe_quit (run);
}

static void
on_launch_exited (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LaunchRun *run = user_data;

  /* The session stops by itself at the program's end. */
  gz_launcher_wait_finish (GZ_LAUNCHER (object), result, NULL, NULL);
  launch_maybe_quit (run);
}

/* `start --type T -- COMMAND`: the launcher forks the program, perf events (or the preload's
 * ring) are ready before its exec, and the session covers its whole life (or --duration, a stop
 * request, a second Ctrl-C). gz-cli's status is the program's: its exit status, or 128 + the
 * signal that ended it. */
static int
start_launched (GzConfig      *config,
                GzProfileType  type,
                gint64         duration,
                char         **command)
{
  g_autoptr(GzLauncher) launcher = NULL;
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ending = NULL;
  LaunchRun run = { 0 };
  guint sigint_source, sigterm_source;
  int status;

  launcher = gz_launcher_new ((const char * const *) command, &error);
  if (launcher == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.launcher = launcher;
  /* Before the fork: a Ctrl-C from now on is ours to handle, not the end of gz-cli. */
  sigint_source = g_unix_signal_add (SIGINT, on_launch_interrupt, &run);
  sigterm_source = g_unix_signal_add (SIGTERM, on_launch_terminate, &run);

  session = gz_session_new_for_launch (config, type, duration, NULL, launcher, &error);
  if (session != NULL)
    {
      announce (session, TRUE);
      run.session = session;
      g_signal_connect (session, "finished", G_CALLBACK (on_launch_finished), &run);
      if (!gz_session_start (session, &error))
        g_clear_object (&session);
    }
  if (session == NULL)
    {
      g_source_remove (sigint_source);
      g_source_remove (sigterm_source);
      return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
    }

  gz_launcher_wait_async (launcher, NULL, on_launch_exited, &run);
  g_main_loop_run (loop);
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);

  ending = gz_launcher_describe_exit (launcher);
  printf ("The program %s.\n", ending);
  fflush (stdout);
  status = gz_launcher_get_exit_code (launcher);
  /* The program's status passes through; a failed session is never a success. */
  return status != 0 || run.session_status == GZ_CLI_EXIT_OK ? status : run.session_status;
}

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
  g_auto(GStrv) command = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *url = NULL;
  const char *duration_flag;
  GzProfileType type;
  gint64 duration = 0;
  int pid = 0;
  int status = GZ_CLI_EXIT_OK;
  guint sigint_source, sigterm_source, progress_source = 0;
  StartRun run = { 0 };
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "type", 't', 0, G_OPTION_ARG_STRING, &type_name,
      N_("What to profile: cpu, memory, goroutine (threads), block, mutex, threadcreate"),
      "TYPE" },
    { "pid", 'p', 0, G_OPTION_ARG_INT, &pid,
      N_("Profile running process PID: cpu of any of yours, the other types of one started "
         "with gz-cli profile run"),
      "PID" },
    { "url", 'u', 0, G_OPTION_ARG_STRING, &url,
      N_("Profile a pprof HTTP endpoint (Go net/http/pprof, gz server)"), "URL" },
    { NULL }
  };

  command = gz_cli_split_command (&argc, argv);
  context = g_option_context_new (N_("[-- COMMAND [ARG…]] - profile a program"));
  g_option_context_set_summary (context,
    N_("Profiles in the foreground and writes DIR/ID.prof: this gz-cli process, a running\n"
       "process (--pid), a pprof endpoint (--url), or COMMAND, launched and profiled until it\n"
       "ends (its status is gz-cli's). Nothing of gz's core runs inside COMMAND: it runs with\n"
       "gz's small preload library for memory, block, mutex and threadcreate, which records\n"
       "into shared memory that gz-cli reads; cpu comes from the kernel's perf events from its\n"
       "first instruction (where the kernel refuses them, from the preload's ticks); goroutine\n"
       "from outside, its threads stopped with ptrace for a moment at the stop (and once a\n"
       "second, so that a program that ends first has its last capture).\n"
       "A cpu session runs for --duration (default 30s; a COMMAND's whole life); the other\n"
       "types run until `gz-cli profile stop --session ID`, Ctrl-C, --duration when given, or\n"
       "the COMMAND's end. Ctrl-C reaches COMMAND too: the profile is what it ran to its end."));
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
  if ((pid != 0) + (url != NULL) + (command != NULL) > 1)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "more than one target; give one of --pid, --url or -- COMMAND");
  if (pid < 0)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "invalid pid %d; give a positive process id", pid);
  for (guint i = 0; (pid != 0 || url != NULL) && recording_keys[i] != NULL; i++)
    if (gz_cli_config_flags_lookup (flags, recording_keys[i]) != NULL)
      return gz_cli_fail (GZ_CLI_EXIT_USAGE, "--%s cannot change a running %s; give it where "
                          "that program starts (its GZ_PROFILE_* variables or profile.ini)",
                          recording_keys[i], pid != 0 ? "process" : "service");

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

  /* A launched program: perf events (cpu) or the preload's ring from its first instruction,
   * its threads (goroutine) by ptrace from outside. */
  if (command != NULL)
    return start_launched (config, type, duration, command);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  sigint_source = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm_source = g_unix_signal_add (SIGTERM, on_signal, &run);

  session = new_session (config, type, duration, pid, url, &error);
  if (session == NULL)
    status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
  if (session != NULL)
    {
      announce (session, FALSE);

      run.session = session;
      g_signal_connect (session, "finished", G_CALLBACK (on_finished), &run);
      if (!gz_session_start (session, &error))
        {
          status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
          run.session = NULL;
        }
    }

  if (run.session != NULL)
    {
      progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress, &run);
      g_main_loop_run (loop);
      g_source_remove (progress_source);
    }
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  gz_cli_progress_end ();

  if (status != GZ_CLI_EXIT_OK)
    return status;
  return report (session);
}
