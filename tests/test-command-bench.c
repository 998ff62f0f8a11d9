/* test-command-bench.c: the command runner of the bench layer (gz-command-bench): what it
 * measures of known programs (a sleep, a program touching a known amount of memory), failing
 * and missing commands, progress on the caller's context, Ctrl-C keeping what was done, runs
 * cut by the duration or a timeout, and no process of a run left behind. The fixed-work
 * program comes from $GZ_TEST_FIXED_WORK. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "gz-bench-statistics.h"
#include "gz-command-bench.h"
#include "gz-test-quiet.h"

static const char *
fixed_work (void)
{
  const char *path = g_getenv ("GZ_TEST_FIXED_WORK");

  g_assert_nonnull (path);
  return path;
}

static GPtrArray *
commands_of (GzCommandShell shell,
             const char    *first,
             ...)
{
  GPtrArray *commands = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_command_free);
  va_list args;

  va_start (args, first);
  for (const char *line = first; line != NULL; line = va_arg (args, const char *))
    {
      g_autoptr(GError) error = NULL;
      GzCommand *command = gz_command_new (line, NULL, shell, &error);

      g_assert_no_error (error);
      g_ptr_array_add (commands, command);
    }
  va_end (args);
  return commands;
}

static double
median_wall (GPtrArray *results)
{
  g_autofree double *walls = g_new (double, results->len);

  for (guint i = 0; i < results->len; i++)
    walls[i] = ((GzBenchResult *) g_ptr_array_index (results, i))->ns_per_op;
  return gz_bench_statistics_median (walls, results->len);
}

/* The middle 80 % of the runs' wall times: p90 - p10. */
static double
spread_of (GPtrArray *results)
{
  g_autofree double *walls = g_new (double, results->len);

  for (guint i = 0; i < results->len; i++)
    walls[i] = ((GzBenchResult *) g_ptr_array_index (results, i))->ns_per_op;
  gz_bench_statistics_sort (walls, results->len);
  return gz_bench_statistics_quantile_sorted (walls, results->len, 0.9)
         - gz_bench_statistics_quantile_sorted (walls, results->len, 0.1);
}

/* A missing program is refused when the command is made, before anything runs; with sh, a
 * builtin or a line of shell syntax is left to the shell. */
static void
test_not_found (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommand) none = gz_command_new ("gz-no-such-program --x", NULL,
                                              GZ_COMMAND_SHELL_NONE, &error);
  g_autoptr(GzCommand) sh = NULL;
  g_autoptr(GzCommand) builtin = NULL;
  g_autoptr(GzCommand) path = NULL;
  g_autoptr(GzCommand) empty = NULL;

  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "gz-no-such-program"));
  g_clear_error (&error);

  sh = gz_command_new ("gz-no-such-program | cat", NULL, GZ_COMMAND_SHELL_SH, &error);
  g_assert_null (sh);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  path = gz_command_new ("/nonexistent/gz-x", NULL, GZ_COMMAND_SHELL_SH, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  empty = gz_command_new ("   ", NULL, GZ_COMMAND_SHELL_SH, &error);
  g_assert_null (empty);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  builtin = gz_command_new ("for i in 1 2; do :; done", "loop", GZ_COMMAND_SHELL_SH, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (builtin->name, ==, "loop");
  g_assert_cmpstr (builtin->argv[0], ==, "/bin/sh");
}

/* A run that exits non-zero stops the benchmark with its status and run number; with
 * ignore_failure it is measured, its status kept. */
static void
test_failure (void)
{
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_SH, "exit 3", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommandBenchReport) failed = NULL;
  g_autoptr(GzCommandBenchReport) ignored = NULL;
  GzCommandBenchOptions options;

  gz_command_bench_options_init (&options);
  options.count = 3;
  failed = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_null (failed);
  g_assert_error (error, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_RUN_FAILED);
  g_assert_nonnull (strstr (error->message, "exited with status 3"));
  g_assert_nonnull (strstr (error->message, "measured run 1 of 3"));
  g_clear_error (&error);

  options.ignore_failure = TRUE;
  ignored = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ignored->results->len, ==, 3);
  g_assert_cmpint (((GzBenchResult *) g_ptr_array_index (ignored->results, 0))->exit_status,
                   ==, 3);

  /* Killed by a signal: named, and measured as 128 + the signal when ignored. */
  {
    g_autoptr(GPtrArray) killed = commands_of (GZ_COMMAND_SHELL_SH, "kill -9 $$", NULL);
    g_autoptr(GzCommandBenchReport) report = NULL;

    options.ignore_failure = FALSE;
    report = gz_command_bench_run (killed, &options, NULL, &error);
    g_assert_null (report);
    g_assert_error (error, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_RUN_FAILED);
    g_assert_nonnull (strstr (error->message, "killed by signal 9"));
    g_clear_error (&error);
    options.ignore_failure = TRUE;
    report = gz_command_bench_run (killed, &options, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (((GzBenchResult *) g_ptr_array_index (report->results, 0))->exit_status,
                     ==, 128 + 9);
  }

  /* A prepare command that fails always stops it. */
  g_clear_pointer (&ignored, gz_command_bench_report_free);
  options.prepare = "false";
  ignored = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_null (ignored);
  g_assert_error (error, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_HELPER_FAILED);
  g_assert_nonnull (strstr (error->message, "prepare"));
}

/* `sleep 0.05` takes 50 ms and the spawn cost: the spawn cost of an empty sh command is what
 * `sh -c 'sleep 0.05'` pays on top of the sleep, give or take sleep's own start. On a machine
 * loaded by others the runs wait for a CPU: up to three tries, and a skip with the figures if
 * none was undisturbed and the machine was busy. */
static void
test_sleep (void)
{
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_SH, "sleep 0.05", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommandBenchReport) report = NULL;
  g_autofree char *figures = NULL;
  GzCommandBenchOptions options;
  GzBenchResult *first;
  double median, extra, spread;

  gz_command_bench_options_init (&options);
  options.count = 10;
  options.warmup = 1;
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_clear_pointer (&report, gz_command_bench_report_free);
      report = gz_command_bench_run (commands, &options, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (report->results->len, ==, 10);
      g_assert_true (isfinite (report->spawn_cost_ns));
      g_assert_cmpfloat (report->spawn_cost_ns, >, 10e3);
      /* An empty command over 20 ms: a machine too busy to time a sleep (seen at load 15). */
      if (report->spawn_cost_ns >= 20e6)
        {
          g_autofree char *why = g_strdup_printf ("the spawn cost is %.1f ms: the machine is too "
                                                  "busy to time a sleep",
                                                  report->spawn_cost_ns / 1e6);

          g_test_skip (why);
          return;
        }
      median = median_wall (report->results);
      extra = median - 50e6 - report->spawn_cost_ns;
      spread = spread_of (report->results);
      g_free (figures);
      figures = g_strdup_printf ("sleep 0.05: median %.3f ms, spawn cost %.3f ms, left %.3f ms, "
                                 "runs spread over %.3f ms, load %.1f", median / 1e6,
                                 report->spawn_cost_ns / 1e6, extra / 1e6, spread / 1e6,
                                 gz_test_quiet_load ());
      g_test_message ("%s", figures);
      g_assert_cmpfloat (median, >=, 50e6);
      /* sleep's own start (a dynamic program, more than the shell's empty line) and the
       * timer's slack: a few milliseconds at most, or the runs' own spread when loaded. */
      if (fabs (extra) < MAX (5e6, spread))
        break;
      if (attempt == 2)
        {
          if (!gz_test_quiet_machine_busy ())
            g_error ("%s: more than 5 ms and the spread left over on a quiet machine", figures);
          g_autofree char *reason = g_strdup_printf ("the machine was busy in all three "
                                                     "tries (%s)", figures);

          g_test_skip (reason);
          return;
        }
    }

  first = g_ptr_array_index (report->results, 0);
  g_assert_cmpstr (first->name, ==, "sleep 0.05");
  g_assert_cmpstr (first->command, ==, "sleep 0.05");
  g_assert_cmpint (first->exit_status, ==, 0);
  g_assert_cmpuint (first->iterations, ==, 1);
  g_assert_cmpfloat (first->spawn_cost_ns, ==, report->spawn_cost_ns);
  /* Sleeping costs little CPU. */
  g_assert_cmpfloat (first->user_nanos + first->system_nanos, <, 25e6);
}

/* The peak RSS of a program that touches 100 MiB is 100 MiB within 5 %: its own, not that of
 * the process that started it. */
static void
test_peak_rss (void)
{
  g_autofree char *line = g_strdup_printf ("%s 0 100", fixed_work ());
  g_autofree char *small = g_strdup_printf ("%s 0 0", fixed_work ());
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_NONE, line, small, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommandBenchReport) report = NULL;
  GzCommandBenchOptions options;
  g_autofree char *big = g_malloc (64 << 20);

  /* This process holds more than the small program will ever touch. */
  memset (big, 1, 64 << 20);
  gz_command_bench_options_init (&options);
  options.shell = GZ_COMMAND_SHELL_NONE;
  options.count = 3;
  report = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->results->len, ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      GzBenchResult *r = g_ptr_array_index (report->results, i);
      double expected = i < 3 ? 100.0 * 1024 * 1024 : 0;

      g_test_message ("%s: peak RSS %.2f MiB", r->name, r->max_rss_bytes / 1048576.0);
      if (i < 3)
        g_assert_cmpfloat (fabs (r->max_rss_bytes - expected) / expected, <, 0.05);
      else
        g_assert_cmpfloat (r->max_rss_bytes, <, 16.0 * 1024 * 1024);
    }
  big[1] = 2;
  g_assert_cmpint (big[1], ==, 2);
}

typedef struct
{
  guint    calls;
  double   last_fraction;
  double   last_mean;
  guint    last_run;
  gboolean done;
  GThread *thread;
  gboolean wrong_thread;
  GzCommandBenchReport *report;
  GError  *error;
  GCancellable *cancel_after_two;
} AsyncRun;

static void
on_progress (guint    command,
             guint    run,
             double   fraction,
             double   mean_ns,
             gpointer data)
{
  AsyncRun *a = data;

  g_assert_false (a->done);
  if (g_thread_self () != a->thread)
    a->wrong_thread = TRUE;
  a->calls++;
  a->last_fraction = fraction;
  a->last_mean = mean_ns;
  a->last_run = run;
  if (a->cancel_after_two != NULL && run >= 2)
    g_cancellable_cancel (a->cancel_after_two);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  AsyncRun *a = data;

  a->report = gz_command_bench_run_finish (result, &a->error);
  a->done = TRUE;
}

/* _async: progress on this thread with the estimate so far, none after the callback. */
static void
test_async_progress (void)
{
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_SH, "sleep 0.02", "true", NULL);
  AsyncRun a = { 0 };
  GzCommandBenchOptions options;

  a.thread = g_thread_self ();
  gz_command_bench_options_init (&options);
  options.count = 5;
  options.progress = on_progress;
  options.progress_data = &a;
  gz_command_bench_run_async (commands, &options, NULL, on_done, &a);
  while (!a.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (a.error);
  g_assert_cmpuint (a.report->results->len, ==, 10);
  g_assert_false (a.report->interrupted);
  gz_command_bench_report_free (a.report);
  g_assert_cmpuint (a.calls, >, 0);
  g_assert_false (a.wrong_thread);
  /* Progress is coalesced to the latest, so only the last call is known: the last run. */
  g_assert_cmpfloat (a.last_fraction, ==, 1.0);
  g_assert_cmpuint (a.last_run, ==, 5);
  g_assert_true (isfinite (a.last_mean));

  /* Nothing more once the callback has run. */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* Cancelling (Ctrl-C in gz-cli) kills the running command and keeps the runs done before. */
static void
test_cancel_keeps_runs (void)
{
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_SH, "sleep 0.05", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncRun a = { 0 };
  GzCommandBenchOptions options;
  gint64 start = g_get_monotonic_time ();

  a.thread = g_thread_self ();
  a.cancel_after_two = cancellable;
  gz_command_bench_options_init (&options);
  options.count = 100;
  options.progress = on_progress;
  options.progress_data = &a;
  gz_command_bench_run_async (commands, &options, cancellable, on_done, &a);
  while (!a.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (a.error);
  g_assert_true (a.report->interrupted);
  g_assert_cmpuint (a.report->results->len, >=, 2);
  g_assert_cmpuint (a.report->results->len, <, 100);
  /* 100 runs would take over 5 s (each 50 ms and the spawn cost, on a loaded machine more):
   * it stopped well before half of them, the spawn cost's 33 runs included. */
  g_assert_cmpfloat ((g_get_monotonic_time () - start) * 1e3, <,
                     33 * a.report->spawn_cost_ns + 50 * (50e6 + a.report->spawn_cost_ns));
  gz_command_bench_report_free (a.report);
}

/* By duration: runs until the time is up, at least one. */
static void
test_duration (void)
{
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_NONE, "sleep 0.03", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommandBenchReport) report = NULL;
  GzCommandBenchOptions options;

  gz_command_bench_options_init (&options);
  options.shell = GZ_COMMAND_SHELL_NONE;
  options.duration_nanos = 200 * G_GINT64_CONSTANT (1000000);
  report = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_no_error (error);
  /* About 6 runs of 31 ms fit in 200 ms (fewer on a loaded machine); the last one may end
   * after it. */
  g_assert_cmpuint (report->results->len, >=, 2);
  g_assert_cmpuint (report->results->len, <=, 7);
}

/* Bounds for a hang: the runs' own time plus the spawn cost and the grace, with room for a
 * loaded machine (and for the sanitizers, 2-5x slower). */
#ifdef __SANITIZE_ADDRESS__
#define SLACK_S 30
#else
#define SLACK_S 7
#endif

/* A command (for sh) that starts `sleep 1000` in the background, writes its pid and its own
 * process group's id into files of @dir, and waits for it: it never ends by itself. @prefix
 * goes first (a trap, say). */
static char *
background_sleeper (const char *dir,
                    const char *prefix,
                    gboolean    wait)
{
  return g_strdup_printf ("%s sleep 1000 & echo $! > %s/pid; cut -d' ' -f5 /proc/$$/stat > "
                          "%s/pgid; %s", prefix, dir, dir, wait ? "wait" : "true");
}

static pid_t
read_pid (const char *dir,
          const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

/* Neither the background sleep nor anyone in the run's process group is left (not even a
 * zombie: the runner reaps what it ends). */
static void
assert_nothing_left (const char *dir)
{
  pid_t pid = read_pid (dir, "pid");
  pid_t pgid = read_pid (dir, "pgid");

  g_assert_cmpint (pid, >, 1);
  g_assert_cmpint (pgid, >, 1);
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
  g_assert_cmpint (kill (-pgid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
}

static void
remove_dir (const char *dir)
{
  const char *names[] = { "pid", "pgid" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

/* Issue 18: `benchmark --command 'sleep 1000' --duration 3s` returned never. Now the run still
 * going at the end of the duration is cut there (its whole process group ended) and reported
 * apart from the results. */
static void
test_duration_cuts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gz-cut-XXXXXX", NULL);
  g_autofree char *line = background_sleeper (dir, "", TRUE);
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_SH, line, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommandBenchReport) report = NULL;
  GzCommandBenchOptions options;
  GzBenchResult *cut;
  gint64 started = g_get_monotonic_time ();

  gz_command_bench_options_init (&options);
  options.duration_nanos = 3 * G_GINT64_CONSTANT (1000000000);
  report = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("returned after %.2f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - started, <, (3 + SLACK_S) * G_USEC_PER_SEC);
  g_assert_false (report->interrupted);
  g_assert_cmpuint (report->results->len, ==, 0);
  g_assert_cmpuint (report->cut->len, ==, 1);
  cut = g_ptr_array_index (report->cut, 0);
  g_assert_cmpint (cut->cut, ==, GZ_BENCH_CUT_DURATION);
  g_assert_cmpstr (cut->command, ==, line);
  /* Its time is until the cut: the end of the duration, less the time before it started. */
  g_assert_cmpint (cut->wall_nanos, <=, options.duration_nanos);
  g_assert_cmpint (cut->wall_nanos, >, options.duration_nanos / 2);
  assert_nothing_left (dir);
  remove_dir (dir);
}

/* --timeout cuts each run still going after it, even one that ignores SIGTERM (SIGKILL after
 * the grace); the runs go on after a cut; a run that ends in time is measured. */
static void
test_timeout_cuts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gz-cut-XXXXXX", NULL);
  g_autofree char *line = background_sleeper (dir, "trap '' TERM;", TRUE);
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_SH, line, "sleep 0.05", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommandBenchReport) report = NULL;
  GzCommandBenchOptions options;
  gint64 started = g_get_monotonic_time ();

  gz_command_bench_options_init (&options);
  options.count = 2;
  options.timeout_nanos = 300 * G_GINT64_CONSTANT (1000000);
  report = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("returned after %.2f s", (g_get_monotonic_time () - started) / 1e6);
  /* Two runs of 0.3 s, each with up to 1 s of grace before SIGKILL. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, (3 + SLACK_S) * G_USEC_PER_SEC);
  g_assert_cmpuint (report->cut->len, ==, 2);
  for (guint i = 0; i < report->cut->len; i++)
    {
      GzBenchResult *cut = g_ptr_array_index (report->cut, i);

      g_assert_cmpint (cut->cut, ==, GZ_BENCH_CUT_TIMEOUT);
      g_assert_cmpint (cut->wall_nanos, <=, options.timeout_nanos);
      g_assert_cmpint (cut->wall_nanos, >, options.timeout_nanos / 2);
    }
  /* The other command ran to its end: measured, as ever. */
  g_assert_cmpuint (report->results->len, ==, 2);
  for (guint i = 0; i < report->results->len; i++)
    {
      GzBenchResult *r = g_ptr_array_index (report->results, i);

      g_assert_cmpstr (r->command, ==, "sleep 0.05");
      g_assert_cmpint (r->cut, ==, GZ_BENCH_CUT_NONE);
      g_assert_cmpint (r->exit_status, ==, 0);
    }
  assert_nothing_left (dir);
  remove_dir (dir);
}

/* A run that ends leaving a child in the background: measured as usual, and the child is
 * ended with its process group when the run ends. */
static void
test_no_child_outlives (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gz-cut-XXXXXX", NULL);
  g_autofree char *line = background_sleeper (dir, "", FALSE);
  g_autoptr(GPtrArray) commands = commands_of (GZ_COMMAND_SHELL_SH, line, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzCommandBenchReport) report = NULL;
  GzCommandBenchOptions options;
  gint64 started = g_get_monotonic_time ();

  gz_command_bench_options_init (&options);
  options.count = 1;
  report = gz_command_bench_run (commands, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, SLACK_S * G_USEC_PER_SEC);
  g_assert_cmpuint (report->results->len, ==, 1);
  g_assert_cmpuint (report->cut->len, ==, 0);
  g_assert_cmpint (((GzBenchResult *) g_ptr_array_index (report->results, 0))->exit_status, ==,
                   0);
  assert_nothing_left (dir);
  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/command-bench/not-found", test_not_found);
  g_test_add_func ("/command-bench/failure", test_failure);
  g_test_add_func ("/command-bench/sleep", test_sleep);
  g_test_add_func ("/command-bench/peak-rss", test_peak_rss);
  g_test_add_func ("/command-bench/async-progress", test_async_progress);
  g_test_add_func ("/command-bench/cancel-keeps-runs", test_cancel_keeps_runs);
  g_test_add_func ("/command-bench/duration", test_duration);
  g_test_add_func ("/command-bench/duration-cuts", test_duration_cuts);
  g_test_add_func ("/command-bench/timeout-cuts", test_timeout_cuts);
  g_test_add_func ("/command-bench/no-child-outlives", test_no_child_outlives);
  return g_test_run ();
}
