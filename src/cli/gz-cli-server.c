/* gz-cli-server.c: `gz-cli profile server`: serves the pprof endpoints of this process (with
 * optional periodic captures), of a running process (--pid) or of a program it launches with the
 * preload (-- COMMAND), until SIGINT/SIGTERM or the program's end; and the same for `profile run
 * -- COMMAND` on the program's Unix socket (gz_cli_serve_on_socket()). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "gz-auto-profiler.h"
#include "gz-cli.h"
#include "gz-collector.h"
#include "gz-duration.h"
#include "gz-launcher.h"
#include "gz-perf-events.h"
#include "gz-pprof-server.h"
#include "gz-preload-paths.h"
#include "gz-private-dir.h"
#include "gz-ring.h"

/* The first automatic capture comes this soon after start, not after a whole interval. */
#define AUTO_PROFILE_FIRST_DELAY_MS 1000
/* How often --pid looks whether its process still runs. */
#define TARGET_POLL_MS 500

typedef struct
{
  GMainLoop      *loop;
  GzPprofServer  *server;
  GzAutoProfiler *auto_profiler;
  GzLauncher     *launcher;     /* -- COMMAND, or NULL */
  pid_t           pid;          /* --pid, or 0 */
  guint           poll_id;      /* --pid: looks for the process' end */
  char           *socket_path;  /* `run`: the program's socket, removed at the end */
  gboolean        quiet;        /* `run`: the program's stdout is its own */
  gboolean        stopping;
  gboolean        server_done;
} ServerRun;

static void
maybe_quit (ServerRun *run)
{
  if (run->server_done && (run->launcher == NULL || gz_launcher_get_exited (run->launcher)))
    g_main_loop_quit (run->loop);
}

static void
on_shutdown_done (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ServerRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!gz_pprof_server_shutdown_finish (GZ_PPROF_SERVER (source_object), result, &error))
    g_debug ("shutdown: %s", error->message);
  run->server_done = TRUE;
  maybe_quit (run);
}

static void
stop (ServerRun *run)
{
  run->stopping = TRUE;
  /* No new client finds a socket whose program is gone. */
  if (run->socket_path != NULL)
    g_unlink (run->socket_path);
  if (run->poll_id != 0)
    g_source_remove (run->poll_id);
  run->poll_id = 0;
  /* The server first: its CPU profile in flight is cut short and sent, which frees the CPU
   * profiler for nothing else; then the capture in progress is saved. */
  gz_pprof_server_shutdown_async (run->server, NULL, on_shutdown_done, run);
  if (run->auto_profiler != NULL)
    gz_auto_profiler_stop (run->auto_profiler);
}

static gboolean
on_interrupt (gpointer user_data)
{
  ServerRun *run = user_data;

  if (run->stopping)
    return G_SOURCE_CONTINUE;
  if (!run->quiet)
      printf (_("Shutting down: ending requests in flight%s\n"),
            run->auto_profiler != NULL ? " and saving the automatic capture in progress"
            : run->launcher != NULL ? " and the program (SIGTERM)" : "");
  fflush (stdout);
  if (run->launcher != NULL)
    gz_launcher_send_signal (run->launcher, SIGTERM);
  stop (run);
  return G_SOURCE_CONTINUE;
}

/* -- COMMAND ended: what is in flight is answered, then gz-cli ends with its status. */
static void
on_program_exited (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ServerRun *run = user_data;

  gz_launcher_wait_finish (GZ_LAUNCHER (object), result, NULL, NULL);
  if (!run->stopping)
    {
      g_autofree char *ending = gz_launcher_describe_exit (run->launcher);

      if (!run->quiet)
        printf (_("The program %s; stopping the server\n"), ending);
      fflush (stdout);
      stop (run);
    }
  maybe_quit (run);
}

/* Whether process @pid runs (not gone, not a zombie). */
static gboolean
process_runs (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (kill (pid, 0) != 0 && errno != EPERM)
    return FALSE;
  return !g_file_get_contents (path, &stat, NULL, NULL) ||
         (paren = strrchr (stat, ')')) == NULL || paren[1] != ' ' ||
         (paren[2] != 'Z' && paren[2] != 'X');
}

/* --pid: the process ended, nothing more to serve. */
static gboolean
on_poll_target (gpointer user_data)
{
  ServerRun *run = user_data;

  if (process_runs (run->pid))
    return G_SOURCE_CONTINUE;
  run->poll_id = 0;
  printf (_("Process %d ended; stopping the server\n"), (int) run->pid);
  fflush (stdout);
  stop (run);
  return G_SOURCE_REMOVE;
}

/* The ring the launched program's preload records into: memory, block, mutex and thread
 * creation at the configured rates, and CPU ticks only where perf events are refused. */
static GzRing *
new_ring (GzConfig  *config,
          GError   **error)
{
  GzRingOptions options = { 0, };
  gboolean perf = g_strcmp0 (g_getenv ("GZ_CPU_SAMPLER"), "signal") != 0 &&
                  gz_perf_events_check (getpid (), NULL);

  options.flags = GZ_RING_RECORD_MEMORY | GZ_RING_RECORD_BLOCK | GZ_RING_RECORD_MUTEX |
                  GZ_RING_RECORD_THREADS | (perf ? 0 : GZ_RING_RECORD_CPU);
  options.memory_rate = (guint64) MAX (gz_config_get_int (config, "memory-rate"), 1);
  options.block_rate_ns = (guint64) MAX (gz_config_get_int (config, "block-rate"), 0);
  options.mutex_fraction = (guint32) MAX (gz_config_get_int (config, "mutex-fraction"), 0);
  options.cpu_hz = (guint32) CLAMP (gz_config_get_int (config, "cpu-hz"), 1, 1000);
  return gz_ring_new (&options, error);
}

/* -- COMMAND: forked with the preload and its ring, waiting before its exec; a collector reads
 * the ring. The program runs once the server listens (gz_launcher_release()). */
static GzLauncher *
launch (GzConfig       *config,
        char          **command,
        GzCollector   **collector,
        GError        **error)
{
  g_autoptr(GzLauncher) launcher = gz_launcher_new ((const char * const *) command, error);
  g_autoptr(GzRing) ring = NULL;

  if (launcher == NULL)
    return NULL;
  ring = new_ring (config, error);
  if (ring == NULL || !gz_launcher_set_preload (launcher, gz_ring_get_fd (ring), error) ||
      !gz_launcher_spawn (launcher, error))
    return NULL;
  *collector = gz_collector_new (gz_launcher_get_pid (launcher), g_steal_pointer (&ring), error);
  if (*collector == NULL)
    {
      gz_launcher_abort (launcher);
      return NULL;
    }
  return g_steal_pointer (&launcher);
}

static int serve (GzConfig  *config,
                  char     **command,
                  int        pid,
                  gboolean   on_socket);

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
  g_auto(GStrv) command = NULL;
  GOptionGroup *group;
  int pid = 0;
  const GOptionEntry entries[] = {
    { "pid", 'p', 0, G_OPTION_ARG_INT, &pid,
      N_("Serve process PID's profiles: cpu and goroutine (heap and the others need -- COMMAND)"),
      "PID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  const char *bind;
  const char *token_file;
  int status = GZ_CLI_EXIT_OK;

  command = gz_cli_split_command (&argc, argv);
  context = g_option_context_new (N_("[-- COMMAND [ARG…]] - serve profiles over HTTP, as Go's "
                                     "net/http/pprof"));
  g_option_context_set_summary (context,
                                N_("Serves /debug/pprof/ (go tool pprof URL works against it) and "
                                   "/debug/stats\non --bind (default 127.0.0.1) and --port "
                                   "(default 6060) until Ctrl-C: of this process, of\nprocess "
                                   "--pid (cpu through perf events, goroutine through ptrace, "
                                   "stats from /proc),\nor of COMMAND, started with gz's preload "
                                   "so that heap, allocs, block, mutex and\nthreadcreate are "
                                   "served too (cumulative since its start). When COMMAND "
                                   "ends,\nthe requests in flight are answered and gz-cli exits "
                                   "with its status; when process\n--pid ends, the server stops. "
                                   "Ctrl-C ends COMMAND with SIGTERM.\nWith --auto-profile (this "
                                   "process only), takes a CPU profile of\n"
                                   "--auto-profile-duration plus heap and goroutine snapshots "
                                   "every\n--auto-profile-interval into --output-dir, keeping "
                                   "the newest --keep captures."));
  /* One group, so that --help shows --pid beside the configuration's flags. */
  group = gz_cli_config_flags_group (flags, command_keys);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  expand_bare_auto_profile (argc, argv);
  if (!gz_cli_parse (context, "server", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;
  if (pid < 0)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid pid %d; give a positive process id"), pid);
  if (pid != 0 && command != NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("more than one target; give --pid or -- COMMAND"));

  config = gz_cli_load_config (flags, &status);
  if (config == NULL)
    return status;
  if ((pid != 0 || command != NULL) && gz_config_get_boolean (config, "auto-profile"))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("--auto-profile captures this process only; leave "
                                             "it out with --pid or -- COMMAND"));
  if (pid != 0 && !process_runs (pid))
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("no process %d runs; check the pid (gz-cli "
                                               "profile list --targets)"), pid);

  /* What is still missing off loopback with a token: the token and the profiles travel in
   * clear text (no TLS). Without a token the server refuses to listen there. */
  bind = gz_config_get_string (config, "bind");
  token_file = gz_config_get_string (config, "token-file");
  if (!gz_pprof_server_address_is_loopback (bind) && token_file != NULL && token_file[0] != '\0')
    fprintf (stderr, _("gz-cli: warning: listening on %s, not loopback: the bearer token and the "
                       "profiles travel in clear text (this server has no TLS), so anyone who can "
                       "watch the network can read them and reuse the token; reach it through an "
                       "SSH tunnel or a TLS proxy, or keep the default --bind 127.0.0.1\n"),
             bind);

  return serve (config, command, pid, FALSE);
}
/* Listens where @socket_path says (the program's Unix socket, in a folder of the user's only,
 * the socket readable by the user only), else on the configured address. */
static gboolean
listen_server (GzPprofServer  *server,
               const char     *socket_path,
               GError        **error)
{
  g_autofree char *dir = NULL;

  if (socket_path == NULL)
    return gz_pprof_server_listen (server, error);
  /* Made 0700 if missing; refused if it is a link, another user's or writable by others. */
  dir = g_path_get_dirname (socket_path);
  if (!gz_private_dir_check (dir, TRUE, error))
    return FALSE;
  /* The pid is this program's now: a socket by that name is a leftover of a process gone. */
  g_unlink (socket_path);
  if (!gz_pprof_server_listen_unix (server, socket_path, error))
    return FALSE;
  if (g_chmod (socket_path, 0600) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot make the socket %s private (%s); check its folder", socket_path,
                   g_strerror (saved_errno));
      g_unlink (socket_path);
      return FALSE;
    }
  return TRUE;
}

/* Serves this process, process @pid or @command (launched here) until the end; with
 * @on_socket, @command's endpoints on its Unix socket (gz_agent_socket_path()), quietly. */
static int
serve (GzConfig  *config,
       char     **command,
       int        pid,
       gboolean   on_socket)
{
  g_autoptr(GzLauncher) launcher = NULL;
  g_autoptr(GzCollector) collector = NULL;
  g_autoptr(GzPprofServer) server = NULL;
  g_autoptr(GzAutoProfiler) auto_profiler = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *socket_path = NULL;
  int status = GZ_CLI_EXIT_OK;
  guint sigint_source, sigterm_source;
  ServerRun run = { 0 };

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  /* Before the fork: a Ctrl-C from now on is ours to handle, not the end of gz-cli. */
  sigint_source = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm_source = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  server = gz_pprof_server_new (config);
  run.server = server;
  if (command != NULL)
    {
      launcher = launch (config, command, &collector, &error);
      if (launcher == NULL)
        status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
      else
        gz_pprof_server_set_target (server, gz_launcher_get_pid (launcher), collector);
      if (launcher != NULL && on_socket)
        socket_path = gz_agent_socket_path (gz_launcher_get_pid (launcher));
    }
  else if (pid != 0)
    gz_pprof_server_set_target (server, pid, NULL);
  if (status == GZ_CLI_EXIT_OK && !listen_server (server, socket_path, &error))
    {
      status = gz_cli_fail (g_error_matches (error, GZ_PPROF_SERVER_ERROR,
                                             GZ_PPROF_SERVER_ERROR_ADDRESS) ||
                            g_error_matches (error, GZ_PPROF_SERVER_ERROR,
                                             GZ_PPROF_SERVER_ERROR_NO_TOKEN)
                              ? GZ_CLI_EXIT_USAGE : GZ_CLI_EXIT_FAILURE,
                            "%s", error->message);
      if (launcher != NULL)
        gz_launcher_abort (launcher);
    }
  /* Everything is ready: the program runs from its first instruction on with its ring read. */
  if (status == GZ_CLI_EXIT_OK && launcher != NULL)
    {
      if (!gz_launcher_release (launcher, &error))
        {
          status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
          if (socket_path != NULL)
            g_unlink (socket_path);
        }
      else
        gz_collector_start (collector);
    }
  if (status != GZ_CLI_EXIT_OK)
    {
      g_source_remove (sigint_source);
      g_source_remove (sigterm_source);
      return status;
    }

  if (gz_config_get_boolean (config, "auto-profile"))
    {
      auto_profiler = gz_auto_profiler_new (config, &error);
      if (auto_profiler == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
    }

  url = gz_pprof_server_get_url (server);
  if (on_socket)
    {
      /* On stderr: stdout is the program's. */
      fprintf (stderr, _("pid %d runs with gz's preload; profile it from another terminal with: "
                         "gz-cli profile start --pid %d --type TYPE\n"),
               (int) gz_launcher_get_pid (launcher), (int) gz_launcher_get_pid (launcher));
      fflush (stderr);
    }
  else if (launcher != NULL)
    printf (_("Serving pprof of %s (pid %d) at %s\n"), gz_launcher_get_command_line (launcher),
            (int) gz_launcher_get_pid (launcher), url);
  else if (pid != 0)
    printf (_("Serving pprof of process %d at %s\n"), pid, url);
  else
    printf (_("Serving pprof at %s\n"), url);
  if (!on_socket)
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
  if (!on_socket)
    printf (_("Stop with Ctrl-C\n"));
  fflush (stdout);

  run.auto_profiler = auto_profiler;
  run.socket_path = socket_path;
  run.quiet = on_socket;
  run.launcher = launcher;
  run.pid = pid;
  if (auto_profiler != NULL)
    gz_auto_profiler_start (auto_profiler, AUTO_PROFILE_FIRST_DELAY_MS);
  if (launcher != NULL)
    gz_launcher_wait_async (launcher, NULL, on_program_exited, &run);
  if (pid != 0)
    run.poll_id = g_timeout_add (TARGET_POLL_MS, on_poll_target, &run);

  g_main_loop_run (loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  if (collector != NULL)
    gz_collector_stop (collector);
  if (socket_path != NULL)
    g_unlink (socket_path);
  if (!on_socket)
    printf (_("Stopped\n"));
  return launcher != NULL ? gz_launcher_get_exit_code (launcher) : GZ_CLI_EXIT_OK;
}

int
gz_cli_serve_on_socket (GzConfig  *config,
                        char     **command)
{
  g_return_val_if_fail (command != NULL, GZ_CLI_EXIT_USAGE);

  return serve (config, command, 0, TRUE);
}
