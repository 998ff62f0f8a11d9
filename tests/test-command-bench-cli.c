/* test-command-bench-cli.c: `gz-cli profile benchmark --command` end to end: against hyperfine
 * on the same commands (the means agree within the noise of both), stored labels compared
 * (the same command is `~`, a planted 20 % slower one a regression that fails the gate), and
 * bad input refused before anything runs. gz-cli from $GZ_CLI, the fixed-work program from
 * $GZ_TEST_FIXED_WORK. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "gz-bench-statistics.h"
#include "gz-profile.h"
#include "gz-test-cli.h"
#include "gz-test-quiet.h"

typedef struct
{
  GzTestCli cli;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  gz_test_cli_set_up (&f->cli, "gz-test-command-bench-XXXXXX", "profile");
  gz_test_cli_setenv (&f->cli, "XDG_DATA_HOME", f->cli.data_home);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gz_test_cli_tear_down (&f->cli);
}

static const char *
fixed_work (void)
{
  const char *path = g_getenv ("GZ_TEST_FIXED_WORK");

  g_assert_nonnull (path);
  return path;
}

/* Mean and standard deviation of @values, in the unit given. */
typedef struct
{
  double mean;
  double stddev;
  guint  n;
} Times;

static Times
times_of (const double *values,
          guint         n)
{
  Times t = { 0, 0, n };

  for (guint i = 0; i < n; i++)
    t.mean += values[i] / n;
  for (guint i = 0; i < n; i++)
    t.stddev += (values[i] - t.mean) * (values[i] - t.mean);
  t.stddev = n > 1 ? sqrt (t.stddev / (n - 1)) : 0;
  return t;
}

/* gz's JSON: the samples' ns_per_op of the first benchmark, in seconds. */
static Times
gz_times (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *samples;
  g_autofree double *values = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  samples = json_object_get_array_member (
    json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                    "benchmarks"), 0), "samples");
  values = g_new (double, json_array_get_length (samples));
  for (guint i = 0; i < json_array_get_length (samples); i++)
    values[i] = json_object_get_double_member (json_array_get_object_element (samples, i),
                                               "ns_per_op") / 1e9;
  return times_of (values, json_array_get_length (samples));
}

/* hyperfine's --export-json: results[0].times, in seconds. */
static Times
hyperfine_times (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *times;
  g_autofree double *values = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  times = json_object_get_array_member (
    json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                    "results"), 0), "times");
  values = g_new (double, json_array_get_length (times));
  for (guint i = 0; i < json_array_get_length (times); i++)
    values[i] = json_array_get_double_element (times, i);
  return times_of (values, json_array_get_length (times));
}

static Times
run_gz (Fixture    *f,
        const char *command)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = gz_test_cli_run_env (&f->cli, NULL, &out, &err, "benchmark", "--command", command,
                                    "--shell", "none", "--warmup", "2", "--count", "10",
                                    "--format", "json", NULL);

  g_assert_cmpint (status, ==, 0);
  return gz_times (out);
}

static Times
run_hyperfine (Fixture    *f,
               const char *hyperfine,
               const char *command)
{
  g_autofree char *json = g_build_filename (f->cli.root, "hyperfine.json", NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { hyperfine, "--shell=none", "--warmup", "2", "--runs", "10", "--style",
                         "none", "--export-json", json, command, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return hyperfine_times (json);
}

/* Pools the turns of one tool. */
static Times
pooled (const Times *turns,
        guint        n)
{
  Times t = { 0, 0, 0 };
  double squares = 0;

  for (guint i = 0; i < n; i++)
    {
      t.n += turns[i].n;
      t.mean += turns[i].mean * turns[i].n;
    }
  t.mean /= t.n;
  /* Within each turn, and between the turns (the machine's drift is noise too). */
  for (guint i = 0; i < n; i++)
    squares += turns[i].stddev * turns[i].stddev * (turns[i].n - 1)
               + turns[i].n * (turns[i].mean - t.mean) * (turns[i].mean - t.mean);
  t.stddev = sqrt (squares / (t.n - 1));
  return t;
}

/* gz and hyperfine on the same command in three alternating turns: the pooled means agree
 * within the noise of both (four standard errors of their difference, at least 2 % of the
 * mean). */
static void
compare_with_hyperfine (Fixture    *f,
                        const char *command)
{
  g_autofree char *hyperfine = g_find_program_in_path ("hyperfine");
  Times gz_turns[3], hf_turns[3], gz, hf;
  double se, allowed;

  if (hyperfine == NULL)
    {
      g_test_skip ("hyperfine is not installed (tools/install-deps.sh installs it)");
      return;
    }
  for (guint i = 0; i < 3; i++)
    {
      if (i % 2 == 0)
        {
          gz_turns[i] = run_gz (f, command);
          hf_turns[i] = run_hyperfine (f, hyperfine, command);
        }
      else
        {
          hf_turns[i] = run_hyperfine (f, hyperfine, command);
          gz_turns[i] = run_gz (f, command);
        }
      g_test_message ("%s, turn %u: gz %.3f ± %.3f ms, hyperfine %.3f ± %.3f ms", command, i + 1,
                      gz_turns[i].mean * 1e3, gz_turns[i].stddev * 1e3,
                      hf_turns[i].mean * 1e3, hf_turns[i].stddev * 1e3);
    }
  gz = pooled (gz_turns, 3);
  hf = pooled (hf_turns, 3);
  se = sqrt (gz.stddev * gz.stddev / gz.n + hf.stddev * hf.stddev / hf.n);
  allowed = MAX (4 * se, 0.02 * hf.mean);
  g_test_message ("%s: gz %.3f ± %.3f ms, hyperfine %.3f ± %.3f ms over %u runs each (allowed "
                  "%.3f ms)", command, gz.mean * 1e3, gz.stddev * 1e3, hf.mean * 1e3,
                  hf.stddev * 1e3, gz.n, allowed * 1e3);
  if (fabs (gz.mean - hf.mean) > allowed && gz_test_quiet_machine_busy ())
    {
      g_autofree char *reason = g_strdup_printf ("the machine was busy (load %.1f): gz %.3f ms, "
                                                 "hyperfine %.3f ms, allowed %.3f ms",
                                                 gz_test_quiet_load (), gz.mean * 1e3,
                                                 hf.mean * 1e3, allowed * 1e3);

      g_test_skip (reason);
      return;
    }
  g_assert_cmpfloat (fabs (gz.mean - hf.mean), <=, allowed);
}

static void
test_hyperfine_fixed_work (Fixture       *f,
                           gconstpointer  data)
{
  /* About 100 ms of arithmetic. */
  g_autofree char *command = g_strdup_printf ("%s 60", fixed_work ());

  compare_with_hyperfine (f, command);
}

static void
test_hyperfine_sleep (Fixture       *f,
                      gconstpointer  data)
{
  compare_with_hyperfine (f, "sleep 0.05");
}

/* gz's JSON: the samples' ns_per_op of the first benchmark, appended to @values. */
static void
gz_values (const char *json,
           GArray     *values)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *samples;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  samples = json_object_get_array_member (
    json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                    "benchmarks"), 0), "samples");
  for (guint i = 0; i < json_array_get_length (samples); i++)
    {
      double v = json_object_get_double_member (json_array_get_object_element (samples, i),
                                                "ns_per_op");

      g_array_append_val (values, v);
    }
}

/* Adds @count runs of the fixed-work program with @work to @label, named "work"; their times
 * go to @values. */
static void
save_work (Fixture    *f,
           const char *label,
           double      work,
           guint       count,
           GArray     *values)
{
  /* 8 MiB touched: a peak RSS that page-level noise does not move by a tenth. */
  g_autofree char *command = g_strdup_printf ("%s %.1f 8", fixed_work (), work);
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = gz_test_cli_run_env (&f->cli, NULL, &out, &err, "benchmark", "--command", command,
                                    "--name", "work", "--shell", "none", "--warmup", "1",
                                    "--count", count_text, "--save", label, "--format", "json",
                                    NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, label));
  gz_values (out, values);
}

static double
median_ms (GArray *values)
{
  return gz_bench_statistics_median ((double *) values->data, values->len) / 1e6;
}

/* The verdict of @metric for the first benchmark in compare's JSON. */
static char *
json_verdict (const char *json,
              const char *metric)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *row;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  row = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                  "benchmarks"), 0);
  g_assert_true (json_object_has_member (row, metric));
  return g_strdup (json_object_get_string_member (json_object_get_object_member (row, metric),
                                                  "verdict"));
}

/* Two labels of the same command compare as `~`; a planted 20 % slower one is a regression
 * and --fail-on-regression exits 3, both at a 10 % threshold. The three labels are measured
 * in turns (a label adds up runs), so that a slow spell of the machine hits all of them. Wall
 * time on a loaded machine can still move by more than the threshold; CPU time cannot: then
 * the same command is judged `~` by its CPU time and peak RSS, and the test says the wall time
 * was too noisy to judge. */
/* The planted regression's work: 20 % more. Under ASan the spawn helper is instrumented and
 * its start takes about as long as the work (a fresh machine: 126 ms for work 50, 138 ms for
 * 60, +9 % in wall and CPU time), so the work there is 80 % more, a third more in all. */
#ifdef __SANITIZE_ADDRESS__
#define SLOW_WORK 90
#else
#define SLOW_WORK 60
#endif

static void
test_compare_gate (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GArray) base = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) same = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) slow = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  double b, s, w;
  int status;

  for (guint round = 0; round < 4; round++)
    {
      save_work (f, "base", 50, 3, base);
      save_work (f, "slow", SLOW_WORK, 3, slow);
      save_work (f, "same", 50, 3, same);
    }
  b = median_ms (base);
  s = median_ms (same);
  w = median_ms (slow);
  g_test_message ("wall medians: work 50 %.2f ms, again %.2f ms; work %d %.2f ms", b, s,
                  SLOW_WORK, w);

  /* The planted regression fails the gate, whatever the noise (CPU time shows it). */
  status = gz_test_cli_run_env (&f->cli, NULL, &out, &err, "compare", "--baseline", "base",
                                "--current", "slow", "--threshold", "10",
                                "--fail-on-regression", NULL);
  g_test_message ("%s", out);
  /* At a load of several times the cores, even CPU time stretches by more than the planted
   * 20 % difference (cache and frequency sharing): then there is nothing to judge. */
  if (status != 3 && gz_test_quiet_machine_busy ())
    {
      g_autofree char *reason = g_strdup_printf ("the machine was busy (load %.1f): the planted "
                                                 "regression was not measurable (wall %.2f vs "
                                                 "%.2f ms)", gz_test_quiet_load (), b, w);

      g_test_skip (reason);
      return;
    }
  g_assert_cmpint (status, ==, 3);
  g_assert_true (g_regex_match_simple ("^work .*regression\\s*$", out, G_REGEX_MULTILINE, 0));
  g_assert_null (strstr (out, " 0 regressions"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  if (fabs (s - b) / b <= 0.08)
    {
      status = gz_test_cli_run_env (&f->cli, NULL, &out, &err, "compare", "--baseline", "base",
                                    "--current", "same", "--threshold", "10",
                                    "--fail-on-regression", NULL);
      g_test_message ("%s", out);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "0 regressions"));
      g_assert_true (g_regex_match_simple ("^work .* ~\\s*$", out, G_REGEX_MULTILINE, 0));
      g_assert_false (g_regex_match_simple ("^work .*(regression|improvement)\\s*$", out,
                                            G_REGEX_MULTILINE, 0));
    }
  else
    {
      g_autofree char *cpu = NULL;
      g_autofree char *rss = NULL;

      status = gz_test_cli_run_env (&f->cli, NULL, &out, &err, "compare", "--baseline", "base",
                                    "--current", "same", "--threshold", "10", "--format",
                                    "json", NULL);
      g_assert_cmpint (status, ==, 0);
      cpu = json_verdict (out, "cpu_ns_per_op");
      rss = json_verdict (out, "max_rss_bytes");
      g_assert_cmpstr (cpu, ==, "~");
      g_assert_cmpstr (rss, ==, "~");
      g_test_message ("the same command's wall medians differ by %.1f %% on this loaded "
                      "machine: judged by CPU time and peak RSS only", 100 * fabs (s - b) / b);
    }
}

/* Bad input fails with one line before anything runs or is stored. */
static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  struct
  {
    const char *args[10];
    int         status;
    const char *message;
  } cases[] = {
    { { "--command", "gz-no-such-program 1", NULL }, 2, "no program gz-no-such-program" },
    { { "--command", "false", "--count", "3", NULL }, 1,
      "“false” exited with status 1 in measured run 1 of 3" },
    { { "--command", "true", "--count", "0", NULL }, 2, "invalid --count \"0\"" },
    { { "--command", "true", "--duration", "-1s", NULL }, 2, "invalid --duration \"-1s\"" },
    { { "--command", "true", "--duration", "0", NULL }, 2, "invalid --duration \"0\"" },
    { { "--command", "true", "--timeout", "0", NULL }, 2, "invalid --timeout \"0\"" },
    { { "--command", "true", "--timeout", "soon", NULL }, 2, "invalid --timeout \"soon\"" },
    { { "--command", "true", "--count", "3", "--duration", "1s", NULL }, 2, "use one" },
    { { "--command", "true", "--shell", "bash", NULL }, 2, "unknown --shell" },
    { { "--command", "true", "--command", "false", "--name", "t", NULL }, 2,
      "1 --name for 2 --command" },
    { { "--command", "true", "--command", "true", NULL }, 2, "two commands named \"true\"" },
    { { "--command", "true", "--prepare", "gz-no-such-program", NULL }, 2, "--prepare" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *results = NULL;

      g_ptr_array_add (args, (gpointer) "benchmark");
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (args, (gpointer) cases[i].args[j]);
      child = gz_test_cli_spawnv (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                  | G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL, args);
      g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_test_message ("%s", err);
      g_assert_cmpint (g_subprocess_get_exit_status (child), ==, cases[i].status);
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_cmpstr (out, ==, "");
    }
  /* Nothing was stored. */
  if (g_file_test (f->cli.results_dir, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (f->cli.results_dir, 0, NULL);

      g_assert_nonnull (dir);
      g_assert_null (g_dir_read_name (dir));
    }
}

/* Bounds for a hang, with room for a loaded machine and the sanitizers (2-5x slower). */
#ifdef __SANITIZE_ADDRESS__
#define SLACK_S 30
#else
#define SLACK_S 7
#endif

/* Ctrl-C (SIGINT to gz-cli) stops the runs, keeps and stores what was measured, and says so. */
static void
test_interrupt (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gz-interrupt-XXXXXX", NULL);
  g_autofree char *marker = g_build_filename (dir, "prepared", NULL);
  g_autofree char *prepare = g_strdup_printf ("touch %s", marker);
  gint64 started = g_get_monotonic_time ();

  child = gz_test_cli_spawn (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                             | G_SUBPROCESS_FLAGS_STDERR_PIPE, "benchmark", "--command",
                             "sleep 0.1", "--count", "100", "--prepare", prepare, "--save", "cut",
                             NULL);
  /* Once the first measured run is about to start (after the spawn cost's 33 runs: over 1.5 s
   * on a loaded machine), a few runs more, well before the 100 runs' 10 s. */
  while (!g_file_test (marker, G_FILE_TEST_EXISTS)
         && g_get_monotonic_time () - started < 60 * G_USEC_PER_SEC)
    g_usleep (20 * 1000);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_usleep (1000 * 1000);
  g_subprocess_send_signal (child, SIGINT);
  g_remove (marker);
  g_rmdir (dir);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 1);
  g_assert_nonnull (strstr (out, "Interrupted"));
  g_assert_nonnull (strstr (err, "interrupted"));
  g_assert_nonnull (strstr (err, "kept and stored"));
  g_assert_nonnull (strstr (out, "Saved as cut"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Stored: shown again as commands. */
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &out, &err, "results", "show", "cut",
                                        NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Benchmark 1: sleep 0.1"));
  g_assert_nonnull (strstr (out, "Peak RSS"));
}

/* The pid the command line of background_sleeper wrote into @dir, after checking that it and
 * everyone in its process group are gone. */
static void
assert_nothing_left (const char *dir)
{
  const char *names[] = { "pid", "pgid" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *text = NULL;
      pid_t pid;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      pid = (pid_t) g_ascii_strtoll (text, NULL, 10);
      g_assert_cmpint (pid, >, 1);
      g_assert_cmpint (kill (i == 0 ? pid : -pid, 0), ==, -1);
      g_remove (path);
    }
  g_rmdir (dir);
}

/* Issue 18: `benchmark --command 'sleep 1000' --duration 3s` never returned. Now it returns
 * after the duration, says the run was cut, and leaves no process of the run behind. */
static void
test_duration_cuts (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("gz-cut-XXXXXX", NULL);
  g_autofree char *line = g_strdup_printf ("sleep 1000 & echo $! > %s/pid; cut -d' ' -f5 "
                                           "/proc/$$/stat > %s/pgid; wait", dir, dir);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 started = g_get_monotonic_time ();

  child = gz_test_cli_spawn (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                             | G_SUBPROCESS_FLAGS_STDERR_PIPE, "benchmark", "--command", line,
                             "--duration", "3s", NULL);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("after %.2f s: %s%s", (g_get_monotonic_time () - started) / 1e6, out, err);
  g_assert_cmpint (g_get_monotonic_time () - started, <, (3 + SLACK_S) * G_USEC_PER_SEC);
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 1);
  g_assert_nonnull (strstr (err, "was cut after"));
  g_assert_nonnull (strstr (err, "by --duration"));
  assert_nothing_left (dir);
}

/* --timeout: the runs over it are cut, listed apart in the table and stored with their cut
 * (shown again from the store), not counted; the other command is measured as ever. */
static void
test_timeout_cuts (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("gz-cut-XXXXXX", NULL);
  g_autofree char *line = g_strdup_printf ("trap '' TERM; sleep 1000 & echo $! > %s/pid; "
                                           "cut -d' ' -f5 /proc/$$/stat > %s/pgid; wait",
                                           dir, dir);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  child = gz_test_cli_spawn (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                             | G_SUBPROCESS_FLAGS_STDERR_PIPE, "benchmark", "--command", line,
                             "--name", "stuck", "--command", "true", "--name", "true",
                             "--count", "2", "--timeout", "200ms", "--save", "cut", NULL);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  g_assert_nonnull (strstr (out, "2 runs over --timeout"));
  g_assert_nonnull (strstr (out, "No run ended"));
  g_assert_nonnull (strstr (out, "Range (min … max):"));
  assert_nothing_left (dir);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &out, &err, "results", "show", "cut",
                                        NULL), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (out, "2 runs over --timeout"));
  g_assert_nonnull (strstr (out, "2 runs"));
}

/* The profiled path printed on a line "  LABEL:   PATH" of @out. */
static char *
printed_path (const char *out,
              const char *label)
{
  const char *line = strstr (out, label);
  const char *end;

  if (line == NULL)
    return NULL;
  line += strlen (label);
  line += strspn (line, " ");
  end = strchr (line, '\n');
  return g_strndup (line, end != NULL ? (gsize) (end - line) : strlen (line));
}

/* --cpu-profiling and --memory-profiling: one extra run each through the core's launch path
 * (perf events, the preload), whose profiles hold the program's CPU time and its allocations
 * from its first instruction; the measured runs stay as they are. */
static void
test_profiling (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("%s 300 32", fixed_work ());
  g_autofree char *out_dir = g_build_filename (f->cli.root, "profiles", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cpu_path = NULL;
  g_autofree char *memory_path = NULL;
  g_autoptr(GzProfile) cpu = NULL;
  g_autoptr(GzProfile) memory = NULL;
  g_autoptr(GError) error = NULL;
  int status, index;

  if (g_getenv ("GZ_PRELOAD_LIBRARY") == NULL)
    {
      g_test_skip ("no gz preload library in this build (the sanitizer builds leave it out)");
      return;
    }
  status = gz_test_cli_run_env (&f->cli, NULL, &out, &err, "benchmark", "--command", command,
                                "--count", "2", "--cpu-profiling", "--memory-profiling",
                                "--output-dir", out_dir, NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  cpu_path = printed_path (out, "CPU profile:");
  memory_path = printed_path (out, "Memory profile:");
  g_assert_nonnull (cpu_path);
  g_assert_nonnull (memory_path);
  g_assert_true (g_str_has_prefix (cpu_path, out_dir));

  cpu = gz_profile_read_file (cpu_path, &error);
  g_assert_no_error (error);
  index = gz_profile_find_sample_type (cpu, "cpu");
  g_assert_cmpint (index, >=, 0);
  /* About 0.5 s of arithmetic, all of it: the session is on from the program's first
   * instruction. */
  g_test_message ("CPU profile: %.3f s", gz_profile_total (cpu, index) / 1e9);
  g_assert_cmpint (gz_profile_total (cpu, index), >, 400 * G_GINT64_CONSTANT (1000000));

  memory = gz_profile_read_file (memory_path, &error);
  g_assert_no_error (error);
  index = gz_profile_find_sample_type (memory, "alloc_space");
  g_assert_cmpint (index, >=, 0);
  g_test_message ("memory profile: %.1f MiB allocated", gz_profile_total (memory, index) /
                  1048576.0);
  /* The 32 MiB block (sampled, so estimated). */
  g_assert_cmpint (gz_profile_total (memory, index), >=, 16 << 20);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/command-bench-cli/bad-input", Fixture, NULL, fixture_set_up, test_bad_input,
              fixture_tear_down);
  g_test_add ("/command-bench-cli/duration-cuts", Fixture, NULL, fixture_set_up,
              test_duration_cuts, fixture_tear_down);
  g_test_add ("/command-bench-cli/timeout-cuts", Fixture, NULL, fixture_set_up,
              test_timeout_cuts, fixture_tear_down);
  g_test_add ("/command-bench-cli/interrupt", Fixture, NULL, fixture_set_up, test_interrupt,
              fixture_tear_down);
  g_test_add ("/command-bench-cli/hyperfine/fixed-work", Fixture, NULL, fixture_set_up,
              test_hyperfine_fixed_work, fixture_tear_down);
  g_test_add ("/command-bench-cli/hyperfine/sleep", Fixture, NULL, fixture_set_up,
              test_hyperfine_sleep, fixture_tear_down);
  g_test_add ("/command-bench-cli/profiling", Fixture, NULL, fixture_set_up, test_profiling,
              fixture_tear_down);
  g_test_add ("/command-bench-cli/compare-gate", Fixture, NULL, fixture_set_up,
              test_compare_gate, fixture_tear_down);
  return g_test_run ();
}
