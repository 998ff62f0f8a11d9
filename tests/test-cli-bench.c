/* test-cli-bench.c: gz-cli profile benchmark|results|compare end to end, run as a user would
 * (the binary comes from $GZ_CLI), each test with its own data, output and config homes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "gz-bench-harness.h"
#include "gz-heap-sampler.h"
#include "gz-profile.h"
#include "gz-results-store.h"
#include "gz-test-cli.h"
#include "gz-test-quiet.h"
#include "gz-test-spin.h"

typedef GzTestCli Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  gz_test_cli_set_up (f, "gz-test-cli-bench-XXXXXX", "profile");
  gz_test_cli_setenv (f, "XDG_DATA_HOME", f->data_home);
  gz_test_cli_setenv (f, "GZ_PROFILE_OUTPUT_DIR", f->out_dir);
  gz_test_cli_setenv (f, "LC_ALL", "C.UTF-8");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  gz_test_cli_tear_down (f);
}

/* Runs `gz-cli profile ARGS…` and returns its exit status. */
#define run_cli(f, out, err, ...) gz_test_cli_run_env (f, NULL, out, err, __VA_ARGS__, NULL)

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static guint
count_prefixed (const char *dir,
                const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n += g_str_has_prefix (name, prefix);
  return n;
}

static const char * const all_names[] = {
  "memory-allocation", "goroutine-creation", "task-spawn", "channel-operations",
  "json-marshal", "json-unmarshal", "string-operations", "noop",
};

/* What an operation of a suite allocates at least, in bytes and in calls (0: not known). */
static void
least_allocated (const char *suite,
                 double     *bytes,
                 double     *allocs)
{
  *bytes = *allocs = 0;
  if (g_str_equal (suite, "memory-allocation"))
    *bytes = 1024, *allocs = 1;                /* malloc (1024) */
  else if (g_str_equal (suite, "string-operations"))
    *bytes = 390, *allocs = 2;                 /* a GString and its 390 characters */
  else if (g_str_equal (suite, "json-marshal"))
    *bytes = 56, *allocs = 1;                  /* at least the 56-byte text */
  else if (g_str_equal (suite, "json-unmarshal"))
    *bytes = 11, *allocs = 2;                  /* g_strdup ("test"), g_strdup ("1.0.0") */
}

static void
test_list_and_unknown (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (run_cli (f, &out, NULL, "benchmark", "--list"), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (all_names); i++)
    g_assert_nonnull (strstr (out, all_names[i]));
  g_assert_nonnull (strstr (out, "thread-creation"));
  g_assert_null (strstr (out, "test-spin"));

  g_assert_cmpint (run_cli (f, &out2, &err, "benchmark", "--name", "nope"), ==, 2);
  g_assert_nonnull (strstr (err, "unknown benchmark: nope"));
  g_assert_nonnull (strstr (err, "json-marshal"));
  g_free (err);
  g_assert_cmpint (run_cli (f, NULL, &err, "benchmark", "--name", "noop", "--format", "xml"),
                   ==, 2);
  g_assert_nonnull (strstr (err, "gobench"));
  g_free (err);
  g_assert_cmpint (run_cli (f, NULL, &err, "benchmark", "--name", "noop", "--save", "../x"), ==,
                   2);
  g_assert_nonnull (strstr (err, "invalid label"));
  g_free (err);
  err = NULL;
  g_assert_cmpint (run_cli (f, NULL, &err2, "benchmark"), ==, 2);
  g_assert_nonnull (strstr (err2, "--name"));
}

/* Every built-in, and the alias, with every option; then by time, in Go's format. */
static void
test_each_suite (Fixture      *f,
                 gconstpointer data)
{
  const char *names[G_N_ELEMENTS (all_names) + 1];
  gboolean heap = gz_heap_sampler_is_available ();

  memcpy (names, all_names, sizeof all_names);
  names[G_N_ELEMENTS (all_names)] = "thread-creation";
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *suite = g_str_equal (names[i], "thread-creation") ? "goroutine-creation"
                                                                    : names[i];
      g_autofree char *expected = g_strdup_printf ("%s/concurrency=2", suite);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *gob = NULL;
      g_autofree char *prefix = NULL;
      g_autofree char *line = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GRegex) regex = NULL;
      JsonObject *root, *bench;
      JsonArray *samples;

      g_assert_cmpint (run_cli (f, &out, &err, "benchmark", "--name", names[i],
                                "--iterations", "40", "--concurrency", "2", "--warmup", "5",
                                "--memory-profiling=true", "--cpu-profiling=true",
                                "--count", "2", "--save", "each", "--format", "json"), ==, 0);
      root = parse_object (parser, out);
      g_assert_cmpstr (json_object_get_string_member (root, "label"), ==, "each");
      bench = json_array_get_object_element (json_object_get_array_member (root, "benchmarks"),
                                             0);
      g_assert_cmpstr (json_object_get_string_member (bench, "name"), ==, expected);
      samples = json_object_get_array_member (bench, "samples");
      g_assert_cmpuint (json_array_get_length (samples), ==, 2);
      for (guint s = 0; s < 2; s++)
        {
          JsonObject *sample = json_array_get_object_element (samples, s);

          g_assert_cmpint (json_object_get_int_member (sample, "iterations"), ==, 40);
          g_assert_cmpfloat (json_object_get_double_member (sample, "ns_per_op"), >, 0);
          g_assert_cmpint (json_object_get_int_member (sample, "concurrency"), ==, 2);
          if (heap)
            {
              double bytes, allocs;

              least_allocated (suite, &bytes, &allocs);
              g_assert_cmpfloat (json_object_get_double_member (sample, "alloc_bytes_per_op"),
                                 >=, bytes);
              g_assert_cmpfloat (json_object_get_double_member (sample, "allocs_per_op"), >=,
                                 allocs);
            }
          else
            g_assert_true (json_object_get_null_member (sample, "allocs_per_op"));
        }
      /* One CPU and one memory profile of the first repetition, named after the benchmark. */
      prefix = g_strdup_printf ("bench-%s-concurrency-2-cpu_", suite);
      g_assert_cmpuint (count_prefixed (f->out_dir, prefix), ==, suite == names[i] ? 1 : 2);
      g_assert_nonnull (strstr (err, "CPU profile written to"));
      g_free (prefix);
      prefix = g_strdup_printf ("bench-%s-concurrency-2-memory_", suite);
      g_assert_cmpuint (count_prefixed (f->out_dir, prefix), ==,
                        heap ? (suite == names[i] ? 1 : 2) : 0);

      g_assert_cmpint (run_cli (f, &gob, NULL, "benchmark", "--name", names[i], "--duration",
                                "30ms", "--memory-profiling=false", "--warmup", "0", "--format",
                                "gobench"), ==, 0);
      line = g_strdup_printf ("(?m)^Benchmark[A-Za-z]+-[0-9]+\\s+[0-9]+\\s+[0-9.]+ ns/op$");
      regex = g_regex_new (line, 0, 0, NULL);
      g_assert_true (g_regex_match (regex, gob, 0, NULL));
    }

  /* Every format of one run, and the default table with its warning. */
  {
    const char *formats[] = { "table", "csv", "markdown" };
    const char *expect[] = { "Time (median", "name,sample,concurrency", "| Benchmark |" };

    for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
      {
        g_autofree char *out = NULL;

        g_assert_cmpint (run_cli (f, &out, NULL, "benchmark", "--name", "string-operations",
                                  "--iterations", "200", "--format", formats[i]), ==, 0);
        g_assert_nonnull (strstr (out, expect[i]));
      }
  }
}

/* --duration with concurrency stops on time. */
static void
test_duration (Fixture      *f,
               gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 start = g_get_monotonic_time (), elapsed;
  JsonObject *sample;

  g_assert_cmpint (run_cli (f, &out, NULL, "benchmark", "--name", "channel-operations",
                            "--duration", "300ms", "--concurrency", "4",
                            "--memory-profiling=false", "--format", "json"), ==, 0);
  elapsed = g_get_monotonic_time () - start;
  sample = json_array_get_object_element (
    json_object_get_array_member (
      json_array_get_object_element (
        json_object_get_array_member (parse_object (parser, out), "benchmarks"), 0),
      "samples"), 0);
  g_test_message ("300ms run: wall %.1f ms, whole process %.1f ms",
                  json_object_get_int_member (sample, "wall_ns") / 1e6, elapsed / 1e3);
  g_assert_cmpint (json_object_get_int_member (sample, "wall_ns"), >=, 300 * 1000 * 1000);
  g_assert_cmpint (json_object_get_int_member (sample, "wall_ns"), <, 500 * 1000 * 1000);
  /* The whole process (start-up, warmup, storing) in under a second, or three when other
   * programs keep every CPU busy. */
  g_assert_cmpint (elapsed, <, (gz_test_quiet_machine_busy () ? 3 : 1) * 1000 * 1000);
}

/* Ctrl-C in a 30-second run: it stops within a second or two, says so, stores nothing and
 * leaves no profile behind. */
static void
test_interrupt (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;
  g_autofree char *show_err = NULL;
  g_autoptr(GError) error = NULL;
  gint64 sent, elapsed;

  proc = gz_test_cli_spawn (f, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            "benchmark", "--name", "json-marshal", "--duration", "30s",
                            "--cpu-profiling", "--save", "cut", NULL);
  g_usleep (700 * 1000);
  sent = g_get_monotonic_time ();
  g_subprocess_send_signal (proc, SIGINT);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - sent;
  g_test_message ("exited %.0f ms after SIGINT: %s", elapsed / 1e3, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err, "interrupted in json-marshal; nothing was stored"));
  g_assert_cmpint (elapsed, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (run_cli (f, NULL, &show_err, "results", "show", "cut"), ==, 1);
  g_assert_nonnull (strstr (show_err, "no results labelled \"cut\""));
  g_assert_cmpuint (count_prefixed (f->out_dir, "bench-json-marshal-"), ==, 0);
}

static guint
stored_samples (Fixture    *f,
                const char *label)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *benchmarks;
  guint n = 0;

  if (run_cli (f, &out, NULL, "results", "export", label, "--format", "json") != 0)
    return 0;
  benchmarks = json_object_get_array_member (parse_object (parser, out), "benchmarks");
  for (guint i = 0; i < json_array_get_length (benchmarks); i++)
    n += json_object_get_int_member (json_array_get_object_element (benchmarks, i), "count");
  return n;
}

/* Saves killed with SIGKILL at random moments, a leftover temporary file and a corrupt file:
 * the other results stay intact and listable. */
static void
test_crash (Fixture      *f,
            gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *corrupt = NULL;
  g_autofree char *temp = NULL;
  guint finished = 0;

  g_assert_cmpint (run_cli (f, NULL, NULL, "benchmark", "--name", "noop", "--count", "3",
                            "--save", "keep"), ==, 0);
  g_assert_cmpuint (stored_samples (f, "keep"), ==, 3);

  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(GSubprocess) proc = NULL;

      g_ptr_array_add (args, (char *) "benchmark");
      g_ptr_array_add (args, (char *) "--name");
      g_ptr_array_add (args, (char *) "json-marshal");
      g_ptr_array_add (args, (char *) "--iterations");
      g_ptr_array_add (args, (char *) "300");
      g_ptr_array_add (args, (char *) "--save");
      g_ptr_array_add (args, (char *) (i % 2 ? "crash" : "keep"));
      proc = gz_test_cli_spawnv (f,
                                 G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                 NULL, args);
      g_usleep (g_random_int_range (5, 60) * 1000);
      g_subprocess_send_signal (proc, SIGKILL);
      g_subprocess_wait (proc, NULL, NULL);
      if (g_subprocess_get_if_exited (proc) && i % 2 == 0)
        finished++;
    }

  corrupt = g_build_filename (f->results_dir, "broken.json", NULL);
  temp = g_build_filename (f->results_dir, "keep.json.Q1W2E3", NULL);
  g_assert_true (g_file_set_contents (corrupt, "{\"format\": \"gz-bench-results\", \"ru", -1,
                                      NULL));
  g_assert_true (g_file_set_contents (temp, "{\"format\": \"gz-bench-res", -1, NULL));

  /* "keep" has its 3 samples plus one per save that finished; nothing was lost or torn. */
  g_assert_cmpuint (stored_samples (f, "keep"), >=, 3 + finished);
  g_assert_cmpint (run_cli (f, &out, &err, "results", "list"), ==, 0);
  g_assert_nonnull (strstr (out, "keep"));
  g_assert_nonnull (strstr (err, corrupt));
  g_assert_null (strstr (out, "broken"));
  g_free (err);
  g_assert_cmpint (run_cli (f, NULL, &err, "results", "show", "broken"), ==, 1);
  g_assert_nonnull (strstr (err, corrupt));

  /* The store still takes new results beside the debris. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "benchmark", "--name", "noop", "--save", "after"),
                   ==, 0);
  g_assert_cmpuint (stored_samples (f, "after"), ==, 1);
}

static void
test_results_commands (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *gob = NULL;

  g_assert_cmpint (run_cli (f, NULL, NULL, "benchmark", "--name", "json-unmarshal",
                            "--iterations", "100", "--count", "2", "--save", "v1.0"), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "benchmark", "--name", "json-unmarshal",
                            "--iterations", "100", "--save", "v1.0"), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "benchmark", "--name", "noop"), ==, 0);
  g_assert_cmpuint (stored_samples (f, "v1.0"), ==, 3);

  g_assert_cmpint (run_cli (f, &out, NULL, "results"), ==, 0);
  g_assert_nonnull (strstr (out, "v1.0"));
  g_assert_nonnull (strstr (out, "run-")); /* the generated label */
  g_free (out);
  g_assert_cmpint (run_cli (f, &out, NULL, "results", "show", "v1.0"), ==, 0);
  g_assert_nonnull (strstr (out, "2 runs, 3 samples"));
  g_assert_nonnull (strstr (out, "gz-cli profile benchmark --name json-unmarshal"));
  g_assert_cmpint (run_cli (f, &gob, NULL, "results", "export", "v1.0", "--format", "gobench"),
                   ==, 0);
  g_assert_nonnull (strstr (gob, "BenchmarkJsonUnmarshal-"));
  g_assert_cmpint (run_cli (f, NULL, NULL, "results", "delete", "v1.0"), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "results", "show", "v1.0"), ==, 1);
  g_assert_nonnull (strstr (err, "run-"));
}

/* Stores @n samples of @name under @label as gz-cli would, through the results store: ns/op
 * @ns·(1 + (i - 4.5) / 1000) for sample i, all different, so that two labels interleave
 * unless they are far apart. */
static void
store_samples (Fixture    *f,
               const char *label,
               const char *name,
               double      ns,
               double      bytes,
               guint       n)
{
  g_autoptr(GzResultsStore) store = gz_results_store_new (f->results_dir);
  g_autoptr(GzBenchRun) run = gz_bench_run_new (gz_bench_context_new_current ("test"));
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      GzBenchResult *r = gz_bench_result_new ();

      r->name = g_strdup (name);
      r->suite = g_strdup (name);
      r->concurrency = 1;
      r->iterations = 10000;
      r->ns_per_op = ns * (1 + ((double) i - 4.5) / 1000);
      r->ops_per_sec = 1e9 / r->ns_per_op;
      r->wall_nanos = (gint64) (r->ns_per_op * r->iterations);
      r->have_memory = TRUE;
      r->alloc_bytes_per_op = bytes;
      r->allocs_per_op = 3;
      g_ptr_array_add (run->results, r);
    }
  g_assert_true (gz_results_store_add (store, label, run, &error));
  g_assert_no_error (error);
}

static JsonObject *
compared_metric (JsonParser *parser,
                 const char *json,
                 const char *metric)
{
  return json_object_get_object_member (
    json_array_get_object_element (
      json_object_get_array_member (parse_object (parser, json), "benchmarks"), 0),
    metric);
}

/* compare on stored results with a planted difference: +20% ns/op is a regression and fails
 * --fail-on-regression; -20% is an improvement and passes; the same code is `~`. */
static void
test_compare_planted (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *json = NULL;
  g_autofree char *out = NULL;
  g_autofree char *faster = NULL;
  g_autofree char *same = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *ns, *bytes;

  store_samples (f, "base", "json-marshal", 1000, 512, 10);
  store_samples (f, "slow", "json-marshal", 1200, 512, 10);
  store_samples (f, "fast", "json-marshal", 800, 1024, 10);
  store_samples (f, "same", "json-marshal", 1001, 512, 10);

  g_assert_cmpint (run_cli (f, &json, NULL, "compare", "--baseline", "base", "--current", "slow",
                            "--format", "json"), ==, 0);
  ns = compared_metric (parser, json, "ns_per_op");
  g_assert_cmpstr (json_object_get_string_member (ns, "verdict"), ==, "regression");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ns, "change_percent"), 20.0,
                                  1e-9);
  /* Ten against ten, completely apart: p = 2 / C(20, 10). */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ns, "p_value"),
                                  2.0 / 184756.0, 1e-12);
  bytes = compared_metric (parser, json, "alloc_bytes_per_op");
  g_assert_cmpstr (json_object_get_string_member (bytes, "verdict"), ==, "~");

  g_assert_cmpint (run_cli (f, &out, NULL, "compare", "--baseline", "base", "--current", "slow",
                            "--fail-on-regression"), ==, 3);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "json-marshal  1 µs ±0%                  1.2 µs ±0%"
                            "                +20.00% (p=0.000 n=10+10)         regression\n"));
  g_assert_nonnull (strstr (out, "1 regression, 0 improvements"));
  g_assert_nonnull (strstr (out, "geomean"));

  /* Faster and twice the bytes: an improvement and a regression; --threshold 150% lets the
   * bytes pass. */
  g_assert_cmpint (run_cli (f, &faster, NULL, "compare", "--baseline", "base", "--current",
                            "fast", "--threshold", "150%", "--fail-on-regression"), ==, 0);
  g_assert_nonnull (strstr (faster, "0 regressions, 0 improvements"));
  g_free (faster);
  g_assert_cmpint (run_cli (f, &faster, NULL, "compare", "--baseline", "base", "--current",
                            "fast", "--fail-on-regression"), ==, 3);
  g_assert_nonnull (strstr (faster, "json-marshal  1 µs ±0%                  800 ns ±0%"
                            "                -20.00% (p=0.000 n=10+10)         improvement\n"));
  g_assert_nonnull (strstr (faster, "1 regression, 1 improvement "));

  g_assert_cmpint (run_cli (f, &same, NULL, "compare", "--baseline", "base", "--current", "same",
                            "--fail-on-regression"), ==, 0);
  g_assert_nonnull (strstr (same, "0 regressions, 0 improvements"));

  g_assert_cmpint (run_cli (f, NULL, &err, "compare", "--baseline", "base", "--current",
                            "nope"), ==, 1);
  g_assert_nonnull (strstr (err, "base, "));
  g_assert_nonnull (strstr (err, "slow"));
}

/* Measured for real: the tests' spin suite, its operation 20% longer in "slow", 20 short
 * samples of each label taken in turn (so that drift on this shared machine falls on all
 * alike), stored as gz-cli stores them; compare finds the regression, about 20%, and fails on
 * it, and finds none between two labels of the same code. ns/op is wall time, so when other
 * programs take the CPU from the samples (the kernel counts each time) there may be nothing
 * to assert: then the test says so and skips. */
static void
test_compare_measured (Fixture      *f,
                       gconstpointer data)
{
  const char *labels[] = { "base", "slow", "same" };
  const double factors[] = { 1.0, 1.2, 1.0 };
  const guint n_samples = 20;
  g_autoptr(GzResultsStore) store = gz_results_store_new (f->results_dir);
  g_autofree char *json = NULL;
  g_autofree char *out = NULL;
  g_autofree char *same = NULL;
  g_autofree char *conditions = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *ns;
  double change;
  GzTestQuiet quiet;
  gboolean disturbed, found;
  int status;

  gz_test_quiet_begin (&quiet, GZ_TEST_QUIET_PROCESS, 1);
  for (guint i = 0; i < n_samples; i++)
    for (guint k = 0; k < G_N_ELEMENTS (labels); k++)
      {
        g_autoptr(GzBenchRun) run = gz_bench_run_new (gz_bench_context_new_current ("test"));
        g_autoptr(GError) error = NULL;
        GzBenchOptions options;
        GzBenchResult *result;

        gz_bench_options_init (&options);
        options.iterations = 2000;
        options.memory = FALSE;
        result = gz_bench_run (gz_test_spin_suite (factors[k]), &options, NULL, &error);
        g_assert_no_error (error);
        g_ptr_array_add (run->results, result);
        g_assert_true (gz_results_store_add (store, labels[k], run, &error));
        g_assert_no_error (error);
      }
  gz_test_quiet_end (&quiet);
  /* A sample that lost its CPU is off by a whole time slice; the medians stand a few. */
  disturbed = quiet.involuntary > (glong) n_samples || gz_test_quiet_machine_busy ();
  conditions = gz_test_quiet_describe (&quiet);

  g_assert_cmpint (run_cli (f, &json, NULL, "compare", "--baseline", "base", "--current", "slow",
                            "--format", "json"), ==, 0);
  ns = compared_metric (parser, json, "ns_per_op");
  change = json_object_get_double_member (ns, "change_percent");
  g_test_message ("planted +20%%: measured %+.1f%%, p = %g; %s", change,
                  json_object_get_double_member (ns, "p_value"), conditions);
  found = g_str_equal (json_object_get_string_member (ns, "verdict"), "regression")
          && change > 10 && change < 30;
  if (!found && disturbed)
    {
      g_autofree char *why = g_strdup_printf ("other programs took the CPU from the samples "
                                              "(%s): the planted +20%% measured %+.1f%%",
                                              conditions, change);

      g_test_skip (why);
      return;
    }
  g_assert_cmpstr (json_object_get_string_member (ns, "verdict"), ==, "regression");
  g_assert_cmpfloat (change, >, 10);
  g_assert_cmpfloat (change, <, 30);
  g_assert_cmpint (run_cli (f, &out, NULL, "compare", "--baseline", "base", "--current", "slow",
                            "--fail-on-regression"), ==, 3);
  g_assert_nonnull (strstr (out, "regression"));

  status = run_cli (f, &same, NULL, "compare", "--baseline", "base", "--current", "same",
                    "--fail-on-regression");
  g_test_message ("%s", same);
  if (status != 0 && disturbed)
    {
      g_autofree char *why = g_strdup_printf ("other programs took the CPU from the samples "
                                              "(%s): two runs of the same code drifted apart",
                                              conditions);

      g_test_skip (why);
      return;
    }
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (same, "0 regressions, 0 improvements"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli-bench/list-and-unknown", Fixture, NULL, fixture_set_up,
              test_list_and_unknown, fixture_tear_down);
  g_test_add ("/cli-bench/each-suite", Fixture, NULL, fixture_set_up, test_each_suite,
              fixture_tear_down);
  g_test_add ("/cli-bench/duration", Fixture, NULL, fixture_set_up, test_duration,
              fixture_tear_down);
  g_test_add ("/cli-bench/interrupt", Fixture, NULL, fixture_set_up, test_interrupt,
              fixture_tear_down);
  g_test_add ("/cli-bench/crash", Fixture, NULL, fixture_set_up, test_crash, fixture_tear_down);
  g_test_add ("/cli-bench/results", Fixture, NULL, fixture_set_up, test_results_commands,
              fixture_tear_down);
  g_test_add ("/cli-bench/compare-planted", Fixture, NULL, fixture_set_up,
              test_compare_planted, fixture_tear_down);
  g_test_add ("/cli-bench/compare-measured", Fixture, NULL, fixture_set_up,
              test_compare_measured, fixture_tear_down);
  return g_test_run ();
}
