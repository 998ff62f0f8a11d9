/* gz-cli-benchmark.c: `gz-cli profile benchmark`: run built-in benchmarks, store the samples
 * under a label, print them in one of the formats (--command: gz-cli-benchmark-commands.c). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-bench-format.h"
#include "gz-bench-harness.h"
#include "gz-bench-statistics.h"
#include "gz-cli.h"
#include "gz-duration.h"
#include "gz-results-store.h"

/* The option callbacks get the configuration group's data, so the two switches live here. */
static gboolean memory_profiling;
static gboolean cpu_profiling;

static gboolean
parse_bool (const char *option_name,
            const char *value,
            gboolean   *out,
            GError    **error)
{
  if (value == NULL || g_ascii_strcasecmp (value, "true") == 0 || g_str_equal (value, "1")
      || g_ascii_strcasecmp (value, "yes") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0 || g_str_equal (value, "0")
           || g_ascii_strcasecmp (value, "no") == 0)
    *out = FALSE;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s takes true or false, not \"%s\"", option_name, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_bool_flag (const char *option_name,
              const char *value,
              gpointer    data,
              GError    **error)
{
  if (g_str_equal (option_name, "--memory-profiling"))
    return parse_bool (option_name, value, &memory_profiling, error);
  return parse_bool (option_name, value, &cpu_profiling, error);
}

/* The progress bar: drawn on stderr when it is a terminal, from a static buffer because the
 * harness's allocation counters are process-wide. */
typedef struct
{
  const char *name;
  guint       step;   /* repetitions done so far, over all benchmarks */
  guint       steps;
  gboolean    drawn;
} Progress;

static gboolean
progress_wanted (void)
{
  return isatty (STDERR_FILENO) && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
}

static void
on_progress (double   fraction,
             double   ns_per_op,
             gpointer data)
{
  Progress *progress = data;
  static char line[160];
  double overall = (progress->step + fraction) / MAX (progress->steps, 1);
  int filled = (int) (overall * 30);
  char bar[31];

  for (int i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[30] = '\0';
  if (isfinite (ns_per_op))
    snprintf (line, sizeof line, "\r\033[K[%s] %3d%%  %s (%u/%u)  ~%.4g ns/op", bar,
              (int) (overall * 100), progress->name, progress->step + 1, progress->steps,
              ns_per_op);
  else
    snprintf (line, sizeof line, "\r\033[K[%s] %3d%%  %s (%u/%u)", bar, (int) (overall * 100),
              progress->name, progress->step + 1, progress->steps);
  fputs (line, stderr);
  fflush (stderr);
  progress->drawn = TRUE;
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

static char *
quote_command_line (int    argc,
                    char **argv)
{
  GString *line = g_string_new ("gz-cli profile");

  for (int i = 0; i < argc; i++)
    {
      g_autofree char *quoted = g_shell_quote (argv[i]);
      gboolean plain = argv[i][0] != '\0' && strspn (argv[i], "abcdefghijklmnopqrstuvwxyz"
                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                     "-_=.,/:%+") == strlen (argv[i]);

      g_string_append_printf (line, " %s", plain ? argv[i] : quoted);
    }
  return g_string_free (line, FALSE);
}

static int
list_suites (void)
{
  const GzBenchSuite * const *suites = gz_bench_suites_list ();

  printf (_("Benchmarks (--name NAME, or --name all):\n"));
  for (guint i = 0; suites[i] != NULL; i++)
    printf ("  %-20s %s\n", suites[i]->name, suites[i]->description);
  printf ("  %-20s alias of goroutine-creation\n", "thread-creation");
  return GZ_CLI_EXIT_OK;
}

static gboolean
parse_count (const char *what,
             const char *text,
             guint64     min,
             guint64     max,
             guint64    *out,
             int        *status)
{
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    {
      *status = gz_cli_fail (GZ_CLI_EXIT_USAGE, "invalid --%s \"%s\"; give a whole number from "
                             "%" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, what, text, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* One measurement on the harness's worker thread while this thread turns the main loop, so that
 * Ctrl-C or SIGTERM cancels it cleanly: the workers stop, no profile is written. Nothing here
 * allocates while the run is measured (progress comes through the harness's own source). */
typedef struct
{
  GzBenchResult *result;
  GError        *error;
  gboolean       done;
} Measurement;

static void
on_measured (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Measurement *m = data;

  m->result = gz_bench_run_finish (result, &m->error);
  m->done = TRUE;
}

static GzBenchResult *
measure (const GzBenchSuite   *suite,
         const GzBenchOptions *options,
         GCancellable         *cancellable,
         GError              **error)
{
  Measurement m = { 0 };

  gz_bench_run_async (suite, options, cancellable, on_measured, &m);
  while (!m.done)
    g_main_context_iteration (NULL, TRUE);
  if (m.result == NULL)
    g_propagate_error (error, m.error);
  return m.result;
}

/* The configuration keys this command takes as flags. */
static const char * const command_keys[] = { "output-dir", "results-dir", "cpu-hz", "memory-rate", NULL };

int
gz_cli_benchmark (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GzCliConfigFlags) config_flags = gz_cli_config_flags_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GzResultsStore) store = NULL;
  g_autoptr(GzBenchRun) run = NULL;
  g_autoptr(GPtrArray) suites = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *command_line = quote_command_line (argc, argv);
  g_autofree char *name = NULL;
  g_autofree char *iterations_text = NULL;
  g_autofree char *concurrency_text = NULL;
  g_autofree char *warmup_text = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *duration_text = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *save = NULL;
  g_autofree char *label = NULL;
  g_autofree char *text = NULL;
  const char *duration_flag;
  gboolean list = FALSE;
  guint64 iterations = 1000, concurrency = 1, warmup = 100, count = 1;
  gint64 duration = 0;
  GzBenchFormat format = GZ_BENCH_FORMAT_TABLE;
  GzBenchOptions options;
  Progress progress = { 0 };
  int status = GZ_CLI_EXIT_OK;
  GzCliInterrupt interrupt = { 0 };
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The benchmark to run, or all (see --list)"),
      "NAME" },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list, N_("List the benchmarks and what each does"),
      NULL },
    { "iterations", 'i', 0, G_OPTION_ARG_STRING, &iterations_text,
      N_("Operations to measure, shared by the workers (default 1000; ignored with --duration)"),
      "N" },
    { "concurrency", 0, 0, G_OPTION_ARG_STRING, &concurrency_text,
      N_("Worker threads running the operation at once (default 1)"), "N" },
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &duration_text,
      N_("Run for this long (e.g. 2s) instead of --iterations"), "DURATION" },
    { "warmup", 'w', 0, G_OPTION_ARG_STRING, &warmup_text,
      N_("Unmeasured operations per worker first (default 100)"), "N" },
    { "memory-profiling", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, on_bool_flag,
      N_("Measure B/op and allocs/op exactly and write a memory profile (default true)"), "BOOL" },
    { "cpu-profiling", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, on_bool_flag,
      N_("Write a CPU profile of the measured run (default false)"), "BOOL" },
    { "count", 0, 0, G_OPTION_ARG_STRING, &count_text,
      N_("Repeat the measurement N times, each a sample (default 1; compare wants >= 6)"), "N" },
    { "save", 's', 0, G_OPTION_ARG_STRING, &save,
      N_("Store the samples under LABEL (default: a generated label); a label adds up runs"),
      "LABEL" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("table (default), json, gobench, csv or markdown"), "FORMAT" },
    { NULL }
  };

  /* Any command instead of the built-ins: gz-cli-benchmark-commands.c. */
  if (gz_cli_benchmark_has_command (argc, argv))
    return gz_cli_benchmark_commands (argc, argv, command_line);

  context = g_option_context_new (N_("- run built-in benchmarks and store the results"));
  g_option_context_set_summary (context,
                                N_("Runs a built-in benchmark: warmup, then the measured run by "
                                   "--iterations, or by --duration\n(e.g. 2s) with any "
                                   "--concurrency. ns/op comes from timing the whole run; "
                                   "the\nlatency percentiles from timing each operation, or "
                                   "batches of fast ones. Every run is\nstored under the results "
                                   "directory (see `gz-cli profile results`).\nAny program "
                                   "instead: --command CMD (see `gz-cli profile benchmark "
                                   "--command CMD --help`)."));
  group = gz_cli_config_flags_group (config_flags, command_keys);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  memory_profiling = TRUE;
  cpu_profiling = FALSE;
  if (!gz_cli_parse (context, "benchmark", &argc, &argv))
    return GZ_CLI_EXIT_USAGE;

  if (list)
    return list_suites ();
  if (name == NULL)
    {
      g_autofree char *names = gz_bench_suites_names ();

      return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("benchmark needs --name NAME; use one of: %s (or "
                                               "--list)"), names);
    }
  if (!parse_count ("iterations", iterations_text, 1, G_MAXUINT64 / 2, &iterations, &status)
      || !parse_count ("concurrency", concurrency_text, 1, 1024, &concurrency, &status)
      || !parse_count ("warmup", warmup_text, 0, G_MAXUINT64 / 2, &warmup, &status)
      || !parse_count ("count", count_text, 1, 100000, &count, &status))
    return status;
  duration_flag = duration_text;
  if (duration_flag != NULL && (duration_flag[0] == '-'
                                || !gz_duration_parse (duration_flag, &duration, NULL)))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("invalid --duration \"%s\"; use Go's syntax such as "
                                             "300ms or 2s, or 0 to run by --iterations"),
                        duration_flag);
  if (duration == 0 && iterations < concurrency)
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "--iterations %" G_GUINT64_FORMAT " is fewer than "
                        "--concurrency %" G_GUINT64_FORMAT "; give each worker at least one",
                        iterations, concurrency);
  if (format_name != NULL && !gz_bench_format_from_string (format_name, &format))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, _("unknown format \"%s\"; use one of: %s"), format_name,
                        gz_bench_format_names ());
  if (save != NULL && !gz_results_store_check_label (save, &error))
    return gz_cli_fail (GZ_CLI_EXIT_USAGE, "%s", error->message);

  if (g_str_equal (name, "all"))
    {
      const GzBenchSuite * const *all = gz_bench_suites_list ();

      for (guint i = 0; all[i] != NULL; i++)
        g_ptr_array_add (suites, (gpointer) all[i]);
    }
  else
    {
      const GzBenchSuite *suite = gz_bench_suites_lookup (name, &error);

      if (suite == NULL)
        return gz_cli_fail (GZ_CLI_EXIT_USAGE, "%s", error->message);
      g_ptr_array_add (suites, (gpointer) suite);
    }

  config = gz_cli_load_config (config_flags, &status);
  if (config == NULL)
    return status;
  store = gz_results_store_new_for_config (config);
  label = save != NULL ? g_strdup (save) : gz_results_store_new_label (store);

  gz_bench_options_init (&options);
  options.iterations = iterations;
  options.duration_nanos = duration;
  options.concurrency = (guint) concurrency;
  options.warmup = warmup;
  options.memory = memory_profiling;
  options.config = config;
  if (progress_wanted ())
    {
      options.progress = on_progress;
      options.progress_data = &progress;
    }
  progress.steps = suites->len * (guint) count;

  run = gz_bench_run_new (gz_bench_context_new_current (command_line));
  gz_cli_interrupt_arm (&interrupt, cancellable);
  for (guint i = 0; i < suites->len && status == GZ_CLI_EXIT_OK; i++)
    {
      const GzBenchSuite *suite = g_ptr_array_index (suites, i);

      progress.name = suite->name;
      for (guint64 rep = 0; rep < count && status == GZ_CLI_EXIT_OK; rep++)
        {
          GzBenchResult *result;

          /* One profile of each kind per benchmark, of its first repetition. */
          options.memory_profile = memory_profiling && rep == 0;
          options.cpu_profile = cpu_profiling && rep == 0;
          result = measure (suite, &options, cancellable, &error);
          progress_clear (&progress);
          progress.step++;
          if (result == NULL)
            {
              if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("interrupted in %s; nothing was "
                                                             "stored (a shorter --duration or a "
                                                             "smaller --count finishes sooner)"),
                                      suite->name);
              else
                status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, "%s", error->message);
              break;
            }
          if (format != GZ_BENCH_FORMAT_TABLE)
            {
              if (result->memory_profile != NULL)
                fprintf (stderr, _("%s: memory profile written to %s\n"), result->name,
                         result->memory_profile);
              if (result->cpu_profile != NULL)
                fprintf (stderr, _("%s: CPU profile written to %s\n"), result->name,
                         result->cpu_profile);
              if (rep == 0 && result->memory_note != NULL)
                fprintf (stderr, "%s: %s\n", result->name, result->memory_note);
            }
          g_ptr_array_add (run->results, result);
        }
    }

  gz_cli_interrupt_disarm (&interrupt);
  if (status != GZ_CLI_EXIT_OK)
    return status;

  if (!gz_results_store_add (store, label, run, &error))
    status = gz_cli_fail (GZ_CLI_EXIT_FAILURE, _("the results were not stored: %s"),
                          error->message);

  text = gz_bench_format_results (run->results, run->context,
                                  status == GZ_CLI_EXIT_OK ? label : NULL, format);
  fputs (text, stdout);
  fflush (stdout);
  if (format != GZ_BENCH_FORMAT_TABLE)
    {
      guint ci_min = gz_bench_statistics_ci_min_samples (GZ_BENCH_CONFIDENCE);

      if (count < ci_min)
        fprintf (stderr, "warning: %" G_GUINT64_FORMAT " sample%s too few for a 95%% confidence "
                 "interval; use --count %u or more\n", count, count == 1 ? " is" : "s are",
                 ci_min);
      if (status == GZ_CLI_EXIT_OK)
        fprintf (stderr, _("saved as %s in %s\n"), label, gz_results_store_get_dir (store));
    }
  return status;
}
