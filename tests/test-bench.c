/* test-bench.c: the harness and the built-in suites: the empty operation's cost, exact
 * allocation counts, runs by time with concurrency, profiles of the run, and output formats. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "gz-bench-format.h"
#include "gz-bench-harness.h"
#include "gz-heap-sampler.h"
#include "gz-profile.h"

static GzBenchResult *
run_suite (const char     *name,
           GzBenchOptions *options)
{
  g_autoptr(GError) error = NULL;
  const GzBenchSuite *suite = gz_bench_suites_lookup (name, &error);
  GzBenchResult *result;

  g_assert_no_error (error);
  result = gz_bench_run (suite, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (result->iterations, >, 0);
  for (guint p = 1; p < GZ_BENCH_N_PERCENTILES; p++)
    g_assert_cmpfloat (result->percentiles[p - 1], <=, result->percentiles[p]);
  return result;
}

static void
test_lookup (void)
{
  g_autoptr(GError) error = NULL;
  const GzBenchSuite *suite;
  const GzBenchSuite * const *list = gz_bench_suites_list ();
  guint n = 0;

  suite = gz_bench_suites_lookup ("thread-creation", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (suite->name, ==, "goroutine-creation");
  g_assert_null (gz_bench_suites_lookup ("nope", &error));
  g_assert_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_UNKNOWN);
  g_assert_true (g_str_has_prefix (error->message, "unknown benchmark: nope"));
  g_assert_nonnull (strstr (error->message, "json-unmarshal"));
  while (list[n] != NULL)
    g_assert_false (list[n++]->hidden);
  g_assert_cmpuint (n, ==, 8);
  /* The test hook is found by name but never listed. */
  g_assert_nonnull (gz_bench_suites_lookup ("test-spin", NULL));
}

/* The harness's own cost: an empty operation measures under 2 ns (best of three runs, since
 * this small machine is shared). */
static void
test_noop (void)
{
  GzBenchOptions options;
  double best = G_MAXDOUBLE;

  gz_bench_options_init (&options);
  options.iterations = 20 * 1000 * 1000;
  options.warmup = 100000;
  options.memory = FALSE;
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GzBenchResult) result = run_suite ("noop", &options);

      g_test_message ("noop: %.3f ns/op, batches of %" G_GUINT64_FORMAT ", clock read %.1f ns",
                      result->ns_per_op, result->batch_size, result->timer_cost_ns);
      g_assert_cmpint (result->timing, ==, GZ_BENCH_TIMING_PER_BATCH);
      g_assert_cmpuint (result->iterations, ==, options.iterations);
      g_assert_cmpfloat (result->ns_per_op, >=, 0.0);
      g_assert_cmpfloat (result->timer_cost_ns, >, 0.0);
      best = MIN (best, result->ns_per_op);
    }
  g_assert_cmpfloat (best, <, 2.0);
}

static void
test_memory_counts (void)
{
  GzBenchOptions options;
  g_autoptr(GzBenchResult) result = NULL;

  gz_bench_options_init (&options);
  options.iterations = 20000;
  result = run_suite ("memory-allocation", &options);
  if (!gz_heap_sampler_is_available ())
    {
      g_assert_false (result->have_memory);
      g_assert_nonnull (result->memory_note);
      g_assert_true (isnan (result->alloc_bytes_per_op));
      g_test_skip ("built without the allocation wrappers: B/op is reported unavailable");
      return;
    }
  g_assert_true (result->have_memory);
  /* One malloc (1024) per operation; the harness itself allocates nothing while measuring. */
  g_assert_cmpfloat (result->allocs_per_op, >=, 1.0);
  g_assert_cmpfloat (result->allocs_per_op, <, 1.01);
  g_assert_cmpfloat (result->alloc_bytes_per_op, >=, 1024.0);
  g_assert_cmpfloat (result->alloc_bytes_per_op, <, 1034.0);

  /* The empty operation allocates nothing. */
  {
    g_autoptr(GzBenchResult) noop = NULL;

    options.iterations = 100000;
    noop = run_suite ("noop", &options);
    g_assert_cmpfloat (noop->allocs_per_op, <, 0.001);
  }
}

static void
test_iterations_split (void)
{
  GzBenchOptions options;
  g_autoptr(GzBenchResult) result = NULL;
  g_autoptr(GzBenchResult) threads = NULL;

  gz_bench_options_init (&options);
  options.iterations = 1001;
  options.concurrency = 3;
  options.warmup = 10;
  result = run_suite ("channel-operations", &options);
  g_assert_cmpuint (result->iterations, ==, 1001);
  g_assert_cmpstr (result->name, ==, "channel-operations/concurrency=3");
  g_assert_cmpfloat (result->ops_per_sec * result->ns_per_op, >, 0.999e9);
  g_assert_cmpfloat (result->ops_per_sec * result->ns_per_op, <, 1.001e9);

  /* A slow operation is timed on its own. */
  options.iterations = 50;
  options.concurrency = 1;
  threads = run_suite ("goroutine-creation", &options);
  g_assert_cmpint (threads->timing, ==, GZ_BENCH_TIMING_PER_OP);
  g_assert_cmpuint (threads->batch_size, ==, 1);
  g_assert_cmpuint (threads->n_timings, ==, 50);
}

/* --duration bounds the run whatever the concurrency. */
static void
test_duration (void)
{
  const char *names[] = { "channel-operations", "task-spawn", "json-marshal" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GzBenchOptions options;
      g_autoptr(GzBenchResult) result = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;

      gz_bench_options_init (&options);
      options.duration_nanos = 200 * 1000 * 1000;
      options.concurrency = 4;
      options.warmup = 10;
      result = run_suite (names[i], &options);
      elapsed = g_get_monotonic_time () - start;
      g_test_message ("%s: %" G_GUINT64_FORMAT " ops in %.1f ms (all %.1f ms)", names[i],
                      result->iterations, result->wall_nanos / 1e6, elapsed / 1e3);
      g_assert_cmpint (result->wall_nanos, >=, 200 * 1000 * 1000);
      g_assert_cmpint (result->wall_nanos, <, 400 * 1000 * 1000);
      g_assert_cmpint (elapsed, <, 900 * 1000);
    }
}

static void
test_profiles (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gz-test-bench-XXXXXX", NULL);
  g_autoptr(GzBenchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GzBenchOptions options;

  gz_bench_options_init (&options);
  options.iterations = 2000;
  options.output_dir = dir;
  options.memory_profile = TRUE;
  options.cpu_profile = TRUE;
  result = run_suite ("json-marshal", &options);
  g_assert_nonnull (result->cpu_profile);
  g_assert_true (g_str_has_prefix (result->cpu_profile, dir));
  g_assert_nonnull (strstr (result->cpu_profile, "bench-json-marshal-cpu_"));
  {
    g_autoptr(GzProfile) profile = gz_profile_read_file (result->cpu_profile, &error);

    g_assert_no_error (error);
    g_assert_true (gz_profile_validate (profile, &error));
    g_assert_no_error (error);
  }
  if (gz_heap_sampler_is_available ())
    {
      g_autoptr(GzProfile) profile = NULL;

      g_assert_nonnull (result->memory_profile);
      g_assert_nonnull (strstr (result->memory_profile, "bench-json-marshal-memory_"));
      profile = gz_profile_read_file (result->memory_profile, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gz_profile_find_sample_type (profile, "alloc_space"), >=, 0);
      g_unlink (result->memory_profile);
    }
  else
    g_assert_null (result->memory_profile);
  g_unlink (result->cpu_profile);
  g_rmdir (dir);
}

static void
test_formats (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_result_free);
  g_autoptr(GzBenchContext) context = gz_bench_context_new_current ("gz-cli profile benchmark");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;
  g_autofree char *gobench = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *markdown = NULL;
  g_autoptr(GRegex) line = NULL;
  GzBenchOptions options;
  JsonObject *bench;

  gz_bench_options_init (&options);
  options.iterations = 500;
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (results, run_suite ("json-marshal", &options));

  table = gz_bench_format_results (results, context, "v1", GZ_BENCH_FORMAT_TABLE);
  g_assert_nonnull (strstr (table, "json-marshal"));
  g_assert_nonnull (strstr (table, "/op"));
  g_assert_nonnull (strstr (table, "3 samples are too few for a 95% confidence interval"));

  json = gz_bench_format_results (results, context, "v1", GZ_BENCH_FORMAT_JSON);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  bench = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                  "benchmarks"), 0);
  g_assert_cmpstr (json_object_get_string_member (bench, "name"), ==, "json-marshal");
  g_assert_cmpint (json_object_get_int_member (bench, "count"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (bench, "samples")), ==, 3);
  for (guint i = 0; i < 4; i++)
    {
      const char *keys[] = { "ns_per_op", "ops_per_sec", "alloc_bytes_per_op", "allocs_per_op" };

      g_assert_true (json_object_has_member (bench, keys[i]));
    }
  g_assert_true (json_object_has_member (json_object_get_object_member (bench, "percentiles"),
                                         "p99"));

  gobench = gz_bench_format_results (results, context, "v1", GZ_BENCH_FORMAT_GOBENCH);
  line = g_regex_new ("(?m)^BenchmarkJsonMarshal-[0-9]+\\s+500\\s+[0-9.]+ ns/op"
                      "(\\s+[0-9]+ B/op\\s+[0-9]+ allocs/op)?$", 0, 0, NULL);
  g_assert_true (g_regex_match (line, gobench, 0, NULL));
  g_assert_nonnull (strstr (gobench, "goos: linux\n"));

  csv = gz_bench_format_results (results, context, "v1", GZ_BENCH_FORMAT_CSV);
  g_assert_true (g_str_has_prefix (csv, "name,sample,concurrency,iterations,wall_ns,ns_per_op"));
  {
    g_auto(GStrv) rows = g_strsplit (csv, "\n", -1);

    g_assert_cmpuint (g_strv_length (rows), ==, 5); /* header, 3 samples, "" */
  }

  markdown = gz_bench_format_results (results, context, "v1", GZ_BENCH_FORMAT_MARKDOWN);
  g_assert_true (g_str_has_prefix (markdown, "| Benchmark |"));
  g_assert_nonnull (strstr (markdown, "| `json-marshal` |"));

  {
    g_autofree char *a = gz_bench_gobench_name ("channel-operations/concurrency=4");

    g_assert_cmpstr (a, ==, "BenchmarkChannelOperations/concurrency=4");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/bench/lookup", test_lookup);
  g_test_add_func ("/core/bench/noop", test_noop);
  g_test_add_func ("/core/bench/memory-counts", test_memory_counts);
  g_test_add_func ("/core/bench/iterations-split", test_iterations_split);
  g_test_add_func ("/core/bench/duration", test_duration);
  g_test_add_func ("/core/bench/profiles", test_profiles);
  g_test_add_func ("/core/bench/formats", test_formats);
  return g_test_run ();
}
