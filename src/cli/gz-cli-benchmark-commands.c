/* gz-cli-benchmark-commands.c: `gz-cli profile benchmark --command CMD …`: any commands
 * measured run by run (as hyperfine does), stored under a label like the built-ins, printed in
 * one of the formats; and one extra run of each under a session for its profiles. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gz-cli.h"
#include "gz-command-bench.h"
#include "gz-command-format.h"
#include "gz-duration.h"
#include "gz-results-store.h"
#include "gz-session-launch.h"
#include "gz-units.h"

/* How long a profiled run may take in all before it is given up. */
#define PROFILED_RUN_TIMEOUT_S 600

static gboolean
progress_wanted (void)
{
  return isatty (STDERR_FILENO) && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
}

/* The progress bar on stderr: redrawn after each run (on this thread's main context), and
 * every 200 ms with how long the run in progress has taken, for commands that run long. */
typedef struct
{
  GPtrArray *commands;
  gboolean   drawn;
  guint      command;
  guint      run;
  double     fraction;
  double     mean_ns;
  gint64     since;   /* monotonic µs of the last report: about when the current run began */
} Progress;

static void
progress_draw (Progress *progress)
{
  GzCommand *c = g_ptr_array_index (progress->commands, progress->command);
  int filled = (int) (progress->fraction * 30);
  double running = (g_get_monotonic_time () - progress->since) / 1e6;
  char bar[31];

  for (int i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[30] = '\0';
  fprintf (stderr, "\r\033[K[%s] %3d%%  %.40s", bar, (int) (progress->fraction * 100), c->name);
  if (progress->run == 0)
    fputs ("  (starting)", stderr);
  else
    {
      g_autofree char *mean = gz_units_format_nanoseconds (progress->mean_ns);

      fprintf (stderr, "  run %u  ~%s", progress->run, mean);
    }
  if (running >= 1)
    fprintf (stderr, "  (%.0f s in this run)", running);
  fflush (stderr);
  progress->drawn = TRUE;
}

static void
on_progress (guint    command,
             guint    run,
             double   fraction,
             double   mean_ns,
             gpointer data)
{
  Progress *progress = data;

  progress->command = command;
  progress->run = run;
  progress->fraction = fraction;
  progress->mean_ns = mean_ns;
  progress->since = g_get_monotonic_time ();
  progress_draw (progress);
}

static gboolean
on_progress_tick (gpointer data)
{
  Progress *progress = data;

  if (progress->drawn)
    progress_draw (progress);
  return G_SOURCE_CONTINUE;
}

static void
progress_clear (Progress *progress)
{
  if (progress->drawn)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
      progress->drawn = FALSE;
    }
}

typedef struct
{
  GzCommandBenchReport *report;
  GError               *error;
  gboolean              done;
} Measurement;

static void
on_measured (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Measurement *m = data;

  m->report = gz_command_bench_run_finish (result, &m->error);
  m->done = TRUE;
}

/* --- one extra run under a profile */

typedef struct
{
  GCancellable *cancellable;
  char         *path;
  GError       *error;
  int           exit_code;
  gboolean      done;
  gboolean      timed_out;
} ProfiledRun;

static void
on_profiled (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  ProfiledRun *run = data;

  run->path = gz_session_launch_run_finish (result, &run->exit_code, &run->error);
  run->done = TRUE;
}

static gboolean
on_profiled_timeout (gpointer data)
{
  ProfiledRun *run = data;

  run->timed_out = TRUE;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_interrupted (GCancellable *cancellable,
                gpointer      data)
{
  g_cancellable_cancel (data);
}

/* Runs @command once (stdio on /dev/null, no shell: the words of its command line) through the
 * core's launch path with a session of @type for its whole life, whose profile is written into
 * @output_dir once it exits. @cancellable (Ctrl-C) ends it. Returns the path. */
static char *
profiled_run (GzCommand     *command,
              GzProfileType  type,
              GzConfig      *config,
              const char    *output_dir,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GCancellable) own = g_cancellable_new ();
  g_auto(GStrv) words = NULL;
  ProfiledRun run = { own, NULL, NULL, 0, FALSE, FALSE };
  gulong interrupted = 0;
  guint timeout;

  if (!g_shell_parse_argv (command->command_line, NULL, &words, error))
    return NULL;
  if (cancellable != NULL)
    interrupted = g_cancellable_connect (cancellable, G_CALLBACK (on_interrupted), own, NULL);
  timeout = g_timeout_add_seconds (PROFILED_RUN_TIMEOUT_S, on_profiled_timeout, &run);
  /* As the measured runs: stdio on /dev/null. */
  gz_session_launch_run_async (config, type, output_dir, (const char * const *) words, NULL,
                               GZ_SESSION_LAUNCH_FLAGS_SILENT, own, on_profiled, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  if (!run.timed_out)
    g_source_remove (timeout);
  g_cancellable_disconnect (cancellable, interrupted);

  if (run.path != NULL)
    return run.path;
  if (run.timed_out)
    {
      g_clear_error (&run.error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the profiled run of %s took over "
                   "%d s; it was ended", command->name, PROFILED_RUN_TIMEOUT_S);
      return NULL;
    }
  if (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_prefix_error (&run.error, "a profiled run executes the command's words without a "
                    "shell: ");
  g_propagate_error (error, run.error);
  return NULL;
}

/* --prepare before a profiled run too, as before every measured one. */
static gboolean
run_prepare (GzCommand  *prepare,
             GError    **error)
{
  int wait_status = 0;

  if (prepare == NULL)
    return TRUE;
  if (!g_spawn_sync (NULL, prepare->argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                     | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &wait_status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (wait_status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the prepare command “%s” failed",
                   prepare->command_line);
      return FALSE;
    }
  return TRUE;
}

/* The profiles asked for, one extra run each, on the first run's result of each command. */
static gboolean
profile_commands (GPtrArray     *commands,
                  GPtrArray     *results,
                  GzCommand     *prepare,
                  gboolean       cpu,
                  gboolean       memory,
                  GzConfig      *config,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const char *output_dir = gz_config_get_string (config, "output-dir");

  for (guint i = 0; i < commands->len; i++)
    {
      GzCommand *command = g_ptr_array_index (commands, i);
      GzBenchResult *first = NULL;

      for (guint j = 0; j < results->len && first == NULL; j++)
        if (g_str_equal (((GzBenchResult *) g_ptr_array_index (results, j))->name, command->name))
          first = g_ptr_array_index (results, j);
      for (guint k = 0; k < 2; k++)
        {
          GzProfileType type = k == 0 ? GZ_PROFILE_TYPE_CPU : GZ_PROFILE_TYPE_MEMORY;
          g_autoptr(GError) local_error = NULL;
          char *path;

          if (!(k == 0 ? cpu : memory) || first == NULL)
            continue;
          path = run_prepare (prepare, &local_error)
                   ? profiled_run (command, type, config, output_dir, cancellable,
                                          &local_error)
                           : NULL;
          if (path == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the %s profile of %s: %s",
                           gz_profile_type_to_string (type), command->name,
                           local_error->message);
              return FALSE;
            }
          if (type == GZ_PROFILE_TYPE_CPU)
            first->cpu_profile = path;
          else
            first->memory_profile = path;
        }
    }
  return TRUE;
}

static gboolean
parse_whole (const char *what,
             const char *text,
             guint64     min,
             guint64    *out,
             int        *status)
{
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, 1000000000, out, NULL))
    {
      *status = gz_cli_fail (GZ_CLI_EXIT_USAGE, "invalid --%s \"%s\"; give a whole number of "
                             "at least %" G_GUINT64_FORMAT, what, text, min);
      return FALSE;
    }
  return TRUE;
}

/* The configuration keys this mode takes as flags. */
static const char * const command_keys[] = { "output-dir", "results-dir", NULL };

gboolean
gz_cli_benchmark_has_command (int    argc,
                              char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--command") || g_str_has_prefix (argv[i], "--command="))
      return TRUE;
  return FALSE;
}

int
gz_cli_benchmark_commands (int          argc,
                           char       **argv,
                           const char  *command_line)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) config_flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzResultsStore) store = NULL;
  g_autoptr(GzBenchRun) run = NULL;
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_command_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GzCommandBenchReport) report = NULL;
  g_autoptr(GzCommand) prepare_command = NULL;
  g_auto(GStrv) command_texts = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *warmup_text = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *duration_text = NULL;
  g_autofree char *timeout_text = NULL;
  g_autofree char *prepare = NULL;
  g_autofree char *cleanup = NULL;
  g_autofree char *shell_name = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *save = NULL;
  g_autofree char *label = NULL;
  g_autofree char *text = NULL;
  gboolean ignore_failure = FALSE, cpu_profiling = FALSE, memory_profiling = FALSE;
  guint64 warmup = 0, count = 10;
  gint64 duration = 0, timeout = 0;
  GzCommandShell shell = GZ_COMMAND_SHELL_SH;
  GzBenchFormat format = GZ_BENCH_FORMAT_TABLE;
  GzCommandBenchOptions options;
  Progress progress = { 0 };
  Measurement m = { 0 };
  int status = GZ_CLI_EXIT_OK;
  guint n_names, tick_source = 0;
  GzCliInterrupt interrupt = { 0 };
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "command", 0, 0, G_OPTION_ARG_STRING_ARRAY, &command_texts,
      N_("A command to measure (repeat for several); run by sh unless --shell none"), "CMD" },
    { "name", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &names,
      N_("The benchmark's name for each --command, in order (default: its command line)"),
      "NAME" },
    { "warmup", 'w', 0, G_OPTION_ARG_STRING, &warmup_text,
      N_("Unmeasured runs of each command first (default 0)"), "N" },
    { "count", 0, 0, G_OPTION_ARG_STRING, &count_text,
      N_("Measured runs of each command, each a sample (default 10)"), "N" },
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &duration_text,
      N_("Measure each command for this long (e.g. 5s) instead of --count; a run still going "
         "then is cut"), "DURATION" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
      N_("Cut a run still going after this long (e.g. 30s); it is reported, not counted"),
      "DURATION" },
    { "prepare", 0, 0, G_OPTION_ARG_STRING, &prepare,
      N_("A command run before every run (unmeasured)"), "CMD" },
    { "cleanup", 0, 0, G_OPTION_ARG_STRING, &cleanup,
      N_("A command run after all the runs of each command"), "CMD" },
    { "shell", 0, 0, G_OPTION_ARG_STRING, &shell_name,
      N_("sh (default): run each command with sh -c; none: split it into words and run it"),
      "SHELL" },
    { "ignore-failure", 'i', 0, G_OPTION_ARG_NONE, &ignore_failure,
      N_("Measure runs that exit non-zero instead of stopping"), NULL },
    { "cpu-profiling", 0, 0, G_OPTION_ARG_NONE, &cpu_profiling,
      N_("One extra, profiled run of each command writes a CPU profile"), NULL },
    { "memory-profiling", 0, 0, G_OPTION_ARG_NONE, &memory_profiling,
      N_("One extra, profiled run of each command writes a memory profile"), NULL },
    { "save", 's', 0, G_OPTION_ARG_STRING, &save,
      N_("Store the runs under LABEL (default: a generated label); a label adds up runs"),
      "LABEL" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("table (default), json, gobench, csv or markdown"), "FORMAT" },
    { NULL }
  };

  context = g_option_context_new (N_("--command CMD [--command CMD…] - measure commands"));
  g_option_context_set_summary (context,
                                N_("Runs each command --warmup times unmeasured, then --count "
                                   "times (or for --duration)\nmeasured: wall, user and system "
                                   "time, peak RSS and exit status of every run, from wait4.\nEach "
                                   "run is a sample: compare two labels with `gz-cli profile "
                                   "compare`. The time of an\nempty command (the spawn cost) is "
                                   "reported, not subtracted. Output of the commands goes\nto "
                                   "/dev/null. Each run has a process group of its own: a run "
                                   "cut by --duration or\n--timeout is stopped with all of it "
                                   "(SIGTERM, then SIGKILL after 1 s), and what a run\nleaves "
                                   "running in it (background children) is ended the same way "
                                   "once it ends,\nso no process of a run outlives the "
                                   "benchmark. Cut runs are listed, not counted."));
  group = gz_cli_config_flags_group (config_flags, command_keys);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  if (!gz_cli_parse (context, "benchmark", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (command_texts == NULL || command_texts[0] == NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("benchmark needs --command CMD"));
  n_names = names != NULL ? g_strv_length (names) : 0;
  if (n_names > 0 && n_names != g_strv_length (command_texts))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("%u --name for %u --command; give one name per "
                                             "command, or none"),
                        n_names, g_strv_length (command_texts));
  if (count_text != NULL && duration_text != NULL)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("--count and --duration both given; use one"));
  if (!parse_whole ("warmup", warmup_text, 0, &warmup, &status)
      || !parse_whole ("count", count_text, 1, &count, &status))
    return status;
  if (duration_text != NULL && (duration_text[0] == '-'
                                || !gz_duration_parse (duration_text, &duration, NULL)
                                || duration <= 0))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid --duration \"%s\"; give a positive "
                                             "duration in Go's syntax such as 300ms or 5s"),
                        duration_text);
  if (timeout_text != NULL && (timeout_text[0] == '-'
                               || !gz_duration_parse (timeout_text, &timeout, NULL)
                               || timeout <= 0))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid --timeout \"%s\"; give a positive "
                                             "duration in Go's syntax such as 300ms or 5s"),
                        timeout_text);
  if (shell_name != NULL && !gz_command_shell_from_string (shell_name, &shell))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown --shell \"%s\"; use sh or none"), shell_name);
  if (format_name != NULL && !gz_bench_format_from_string (format_name, &format))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown format \"%s\"; use one of: %s"), format_name,
                        gz_bench_format_names ());
  if (save != NULL && !gz_results_store_check_label (save, &error))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "%s", error->message);

  /* Every command is checked before anything runs. */
  for (guint i = 0; command_texts[i] != NULL; i++)
    {
      GzCommand *command = gz_command_new (command_texts[i], n_names > 0 ? names[i] : NULL,
                                           shell, &error);

      if (command == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("%s; nothing was run"), error->message);
      for (guint j = 0; j < commands->len; j++)
        if (g_str_equal (((GzCommand *) g_ptr_array_index (commands, j))->name, command->name))
          {
            g_autofree char *name = g_strdup (command->name);

            gz_command_free (command);
            return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("two commands named \"%s\"; give each its "
                                                     "own --name"), name);
          }
      g_ptr_array_add (commands, command);
    }
  for (guint k = 0; k < 2; k++)
    {
      const char *helper = k == 0 ? prepare : cleanup;
      g_autoptr(GzCommand) checked = NULL;

      if (helper == NULL)
        continue;
      checked = gz_command_new (helper, NULL, shell, &error);
      if (checked == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("--%s: %s; nothing was run"),
                            k == 0 ? "prepare" : "cleanup", error->message);
      if (k == 0)
        prepare_command = g_steal_pointer (&checked);
    }

  config = gz_cli_load_config (config_flags, &status);
  if (config == NULL)
    return status;
  store = gz_results_store_new_for_config (config);
  label = save != NULL ? g_strdup (save) : gz_results_store_new_label (store);

  gz_command_bench_options_init (&options);
  options.shell = shell;
  options.warmup = warmup;
  options.count = count;
  options.duration_nanos = duration;
  options.timeout_nanos = timeout;
  options.prepare = prepare;
  options.cleanup = cleanup;
  options.ignore_failure = ignore_failure;
  progress.commands = commands;
  if (progress_wanted ())
    {
      options.progress = on_progress;
      options.progress_data = &progress;
    }

  gz_cli_interrupt_arm (&interrupt, cancellable);
  if (options.progress != NULL)
    tick_source = g_timeout_add (200, on_progress_tick, &progress);
  gz_command_bench_run_async (commands, &options, cancellable, on_measured, &m);
  while (!m.done)
    g_main_context_iteration (NULL, TRUE);
  if (tick_source != 0)
    g_source_remove (tick_source);
  progress_clear (&progress);
  report = m.report;
  if (report == NULL)
    {
      gz_cli_interrupt_disarm (&interrupt);
      error = m.error;
      if (!g_error_matches (error, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_RUN_FAILED))
        return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("%s; nothing was stored"), error->message);
      return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("%s; nothing was stored (--ignore-failure "
                                                 "measures it anyway)"), error->message);
    }
  if (!report->interrupted && (cpu_profiling || memory_profiling)
      && !profile_commands (commands, report->results, prepare_command, cpu_profiling,
                            memory_profiling, config, cancellable, &error))
    status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("%s; the measured runs are stored"),
                          error->message);
  g_clear_error (&error);
  gz_cli_interrupt_disarm (&interrupt);

  if (report->results->len == 0 && report->cut->len > 0 && !report->interrupted)
    {
      GzBenchResult *cut = g_ptr_array_index (report->cut, 0);
      g_autofree char *after = gz_units_format_nanoseconds ((double) cut->wall_nanos);

      return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("no run of %s ended: it was cut after %s by "
                                                 "--%s and its process group ended; nothing "
                                                 "was stored (give a longer --%s)"),
                          cut->name, after, gz_bench_cut_name (cut->cut),
                          gz_bench_cut_name (cut->cut));
    }
  if (report->results->len == 0)
    return gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("interrupted before any run was measured; nothing "
                                               "was stored"));

  run = gz_bench_run_new (gz_bench_context_new_current (command_line));
  for (guint i = 0; i < report->results->len; i++)
    g_ptr_array_add (run->results, gz_bench_result_copy (g_ptr_array_index (report->results, i)));
  /* Stored with their cut: listed, never counted. */
  for (guint i = 0; i < report->cut->len; i++)
    g_ptr_array_add (run->results, gz_bench_result_copy (g_ptr_array_index (report->cut, i)));
  if (!gz_results_store_add (store, label, run, &error))
    {
      status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("the results were not stored: %s"),
                            error->message);
      g_clear_pointer (&label, g_free);
    }

  text = gz_command_format_results (run->results, run->context, label, report->interrupted,
                                    format);
  fputs (text, stdout);
  fflush (stdout);
  if (format != GZ_BENCH_FORMAT_TABLE)
    {
      g_autofree char *summary = gz_command_format_summary (run->results);

      fputs (summary, stderr);
      for (guint i = 0; i < report->cut->len; i++)
        {
          GzBenchResult *cut = g_ptr_array_index (report->cut, i);
          g_autofree char *after = gz_units_format_nanoseconds ((double) cut->wall_nanos);

          fprintf (stderr, _("%s: a run was cut after %s by --%s (not in the statistics)\n"),
                   cut->name, after, gz_bench_cut_name (cut->cut));
        }
      if (isfinite (report->spawn_cost_ns))
        {
          g_autofree char *cost = gz_units_format_nanoseconds (report->spawn_cost_ns);

          fprintf (stderr, _("spawn cost (an empty command): %s, included in every time\n"), cost);
        }
      if (label != NULL)
        fprintf (stderr, _("saved as %s in %s\n"), label, gz_results_store_get_dir (store));
    }
  if (report->interrupted)
    status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("interrupted: %u measured run%s kept%s"),
                          report->results->len, report->results->len == 1 ? "" : "s",
                          label != NULL ? " and stored" : "");
  return status;
}
