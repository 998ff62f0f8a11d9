/* test-results.c: the results store (labels adding up, atomic writes, corrupt files reported
 * and skipped) and the comparison of two labels. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "gz-bench-compare-format.h"
#include "gz-results-store.h"

typedef struct
{
  char           *dir;
  GzResultsStore *store;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *root = g_dir_make_tmp ("gz-test-results-XXXXXX", NULL);

  f->dir = g_build_filename (root, "results", NULL);
  f->store = gz_results_store_new (f->dir);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *root = g_path_get_dirname (f->dir);

  g_object_unref (f->store);
  remove_tree (root);
  g_free (f->dir);
}

/* A sample of @name with @ns ns/op; @bytes < 0: no memory figures. */
static GzBenchResult *
sample (const char *name,
        double      ns,
        double      bytes)
{
  GzBenchResult *r = gz_bench_result_new ();

  r->name = g_strdup (name);
  r->suite = g_strdup (name);
  r->concurrency = 1;
  r->iterations = 1000;
  r->wall_nanos = (gint64) (ns * 1000);
  r->ns_per_op = ns;
  r->ops_per_sec = 1e9 / ns;
  if (bytes >= 0)
    {
      r->have_memory = TRUE;
      r->alloc_bytes_per_op = bytes;
      r->allocs_per_op = 1;
    }
  for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
    r->percentiles[p] = ns * (0.8 + 0.1 * p);
  r->timing = GZ_BENCH_TIMING_PER_BATCH;
  r->batch_size = 7;
  r->timer_cost_ns = 20.5;
  return r;
}

static GzBenchRun *
make_run (const char *name,
          double      base,
          double      step,
          guint       n,
          double      bytes)
{
  GzBenchRun *run = gz_bench_run_new (gz_bench_context_new_current ("gz-cli profile benchmark"));

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (run->results, sample (name, base + step * i, bytes));
  return run;
}

static void
test_add_and_load (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(GzBenchRun) one = make_run ("json-marshal", 100, 1, 3, 312);
  g_autoptr(GzBenchRun) two = make_run ("json-marshal", 110, 1, 2, -1);
  g_autoptr(GzResultSet) set = NULL;
  g_autoptr(GPtrArray) samples = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) error = NULL;
  GzBenchResult *r;

  g_assert_true (gz_results_store_add (f->store, "v1.0", one, &error));
  g_assert_no_error (error);
  g_assert_true (gz_results_store_add (f->store, "v1.0", two, &error));
  g_assert_no_error (error);

  set = gz_results_store_load (f->store, "v1.0", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->runs->len, ==, 2);
  g_assert_cmpuint (gz_result_set_n_samples (set), ==, 5);
  names = gz_result_set_benchmark_names (set);
  g_assert_cmpuint (names->len, ==, 1);
  samples = gz_result_set_samples (set, "json-marshal");
  g_assert_cmpuint (samples->len, ==, 5);

  /* Every field survives the round trip; missing memory figures stay missing. */
  r = g_ptr_array_index (samples, 1);
  g_assert_cmpfloat (r->ns_per_op, ==, 101);
  g_assert_true (r->have_memory);
  g_assert_cmpfloat (r->alloc_bytes_per_op, ==, 312);
  g_assert_cmpfloat_with_epsilon (r->percentiles[GZ_BENCH_P_99], 101 * 1.2, 1e-9);
  g_assert_cmpint (r->timing, ==, GZ_BENCH_TIMING_PER_BATCH);
  g_assert_cmpuint (r->batch_size, ==, 7);
  r = g_ptr_array_index (samples, 4);
  g_assert_false (r->have_memory);
  g_assert_true (isnan (r->alloc_bytes_per_op));

  {
    GzBenchContext *c = ((GzBenchRun *) g_ptr_array_index (set->runs, 0))->context;

    g_assert_cmpstr (c->gz_version, ==, GZ_VERSION);
    g_assert_cmpstr (c->build_type, ==, GZ_BUILD_TYPE);
    g_assert_cmpstr (c->command_line, ==, "gz-cli profile benchmark");
    g_assert_cmpuint (c->cpu_count, ==, g_get_num_processors ());
    g_assert_nonnull (c->cpu_model);
    g_assert_nonnull (c->host);
    g_assert_nonnull (c->date);
  }
}

static void
test_labels (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(GzBenchRun) run = make_run ("noop", 1, 0, 1, -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *generated = gz_results_store_new_label (f->store);

  g_assert_true (g_str_has_prefix (generated, "run-"));
  g_assert_true (gz_results_store_check_label (generated, NULL));
  g_assert_true (gz_results_store_check_label ("v1.0+fix_2-b", NULL));
  g_assert_false (gz_results_store_check_label ("../x", &error));
  g_assert_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_INVALID_LABEL);
  g_clear_error (&error);
  g_assert_false (gz_results_store_check_label (".hidden", NULL));
  g_assert_false (gz_results_store_check_label ("", NULL));
  g_assert_false (gz_results_store_add (f->store, "a/b", run, &error));
  g_assert_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_INVALID_LABEL);
  g_clear_error (&error);

  /* Unknown labels: the error lists the labels there are. */
  g_assert_null (gz_results_store_load (f->store, "nope", &error));
  g_assert_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (gz_results_store_add (f->store, "base", run, NULL));
  g_assert_true (gz_results_store_add (f->store, "next", run, NULL));
  g_assert_null (gz_results_store_load (f->store, "nope", &error));
  g_assert_nonnull (strstr (error->message, "base, next"));
  g_clear_error (&error);

  g_assert_true (gz_results_store_delete (f->store, "base", &error));
  g_assert_no_error (error);
  g_assert_false (gz_results_store_delete (f->store, "base", &error));
  g_assert_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_NOT_FOUND);
}

/* A corrupt file is reported with its path and skipped; a leftover temporary file of an
 * interrupted write is not a result; neither takes the others down. */
static void
test_corrupt (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GzBenchRun) run = make_run ("noop", 1, 0, 2, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) sets = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad.json", NULL);
  g_autofree char *wrong = g_build_filename (f->dir, "wrong.json", NULL);
  g_autofree char *temp = g_build_filename (f->dir, "good.json.AB12CD", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (gz_results_store_add (f->store, "good", run, NULL));
  g_assert_true (g_file_set_contents (bad, "{\"format\": \"gz-bench-results\", \"runs\": [", -1,
                                      NULL));
  g_assert_true (g_file_set_contents (wrong, "[1, 2, 3]", -1, NULL));
  g_assert_true (g_file_set_contents (temp, "{\"format\": \"gz-be", -1, NULL));

  sets = gz_results_store_list (f->store, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sets->len, ==, 1);
  g_assert_cmpstr (((GzResultSet *) g_ptr_array_index (sets, 0))->label, ==, "good");
  g_assert_cmpuint (problems->len, ==, 2);
  for (guint i = 0; i < problems->len; i++)
    {
      const char *problem = g_ptr_array_index (problems, i);

      g_assert_true (strstr (problem, bad) != NULL || strstr (problem, wrong) != NULL);
    }

  g_assert_null (gz_results_store_load (f->store, "bad", &error));
  g_assert_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  /* Adding to a corrupt label changes nothing. */
  g_assert_true (g_file_get_contents (bad, &before, NULL, NULL));
  g_assert_false (gz_results_store_add (f->store, "bad", run, &error));
  g_assert_error (error, GZ_RESULTS_ERROR, GZ_RESULTS_ERROR_CORRUPT);
  g_assert_true (g_file_get_contents (bad, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  /* And the good label still takes more. */
  g_assert_true (gz_results_store_add (f->store, "good", run, NULL));
}

static GzResultSet *
set_of (Fixture    *f,
        const char *label)
{
  GzResultSet *set = gz_results_store_load (f->store, label, NULL);

  g_assert_nonnull (set);
  return set;
}

static GzBenchComparisonRow *
row_named (GzBenchComparison *c,
           const char        *name)
{
  for (guint i = 0; i < c->rows->len; i++)
    if (g_str_equal (((GzBenchComparisonRow *) g_ptr_array_index (c->rows, i))->name, name))
      return g_ptr_array_index (c->rows, i);
  g_assert_not_reached ();
}

static void
test_compare (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GzBenchRun) base = make_run ("a", 100, 0.5, 10, 1024);
  g_autoptr(GzBenchRun) slower = make_run ("a", 120, 0.5, 10, 1024);
  g_autoptr(GzBenchRun) same = make_run ("a", 100.2, 0.5, 10, 1024);
  g_autoptr(GzBenchRun) faster = make_run ("a", 80, 0.5, 10, 2048);
  g_autoptr(GzResultSet) b = NULL, s = NULL, m = NULL, q = NULL;
  g_autoptr(GzBenchComparison) c1 = NULL, c2 = NULL, c3 = NULL, c4 = NULL;
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;
  GzBenchComparisonRow *row;

  g_ptr_array_add (base->results, sample ("only-base", 5, -1));
  g_assert_true (gz_results_store_add (f->store, "base", base, NULL));
  g_assert_true (gz_results_store_add (f->store, "slower", slower, NULL));
  g_assert_true (gz_results_store_add (f->store, "same", same, NULL));
  g_assert_true (gz_results_store_add (f->store, "faster", faster, NULL));
  b = set_of (f, "base");
  s = set_of (f, "slower");
  m = set_of (f, "same");
  q = set_of (f, "faster");

  /* A 20% slowdown with 10 samples each: completely separated, p = 2/C(20,10). */
  c1 = gz_bench_compare (b, s, 5.0, 0.05);
  g_assert_cmpuint (c1->rows->len, ==, 1);
  row = row_named (c1, "a");
  g_assert_cmpint (row->metrics[GZ_BENCH_METRIC_TIME].verdict, ==, GZ_BENCH_VERDICT_REGRESSION);
  g_assert_cmpfloat_with_epsilon (row->metrics[GZ_BENCH_METRIC_TIME].p, 2.0 / 184756.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (row->metrics[GZ_BENCH_METRIC_TIME].change,
                                  100.0 * 20.0 / 102.25, 1e-9);
  /* The medians' intervals are x(2)..x(9) of 10. */
  g_assert_cmpfloat (row->metrics[GZ_BENCH_METRIC_TIME].base_lo, ==, 100.5);
  g_assert_cmpfloat (row->metrics[GZ_BENCH_METRIC_TIME].base_hi, ==, 104);
  g_assert_true (row->metrics[GZ_BENCH_METRIC_BYTES].all_equal);
  g_assert_cmpint (row->metrics[GZ_BENCH_METRIC_BYTES].verdict, ==, GZ_BENCH_VERDICT_SAME);
  g_assert_cmpuint (c1->n_regressions, ==, 1);
  g_assert_cmpuint (c1->notes->len, ==, 1); /* only-base */
  table = gz_bench_compare_format (c1, GZ_BENCH_FORMAT_TABLE);
  g_assert_nonnull (strstr (table, "regression"));
  g_assert_nonnull (strstr (table, "geomean"));
  g_assert_nonnull (strstr (table, "only-base: only in base"));
  /* Columns line up by characters; medians and intervals written with the shared units. */
  g_assert_nonnull (strstr (table, "\na        102 ns ±2%                122 ns ±1%"
                            "                +19.56% (p=0.000 n=10+10)         regression\n"));
  g_assert_nonnull (strstr (table, "\ngeomean  102 ns                    122 ns"
                            "                    +19.56%\n"));
  g_assert_nonnull (strstr (table, "\n1 regression, 0 improvements (threshold 5%, alpha 0.05;"));
  json = gz_bench_compare_format (c1, GZ_BENCH_FORMAT_JSON);
  g_assert_nonnull (strstr (json, "\"verdict\" : \"regression\""));

  /* 0.2% apart, the samples interleaved: no significant change. */
  c2 = gz_bench_compare (b, m, 5.0, 0.05);
  g_assert_cmpint (row_named (c2, "a")->metrics[0].verdict, ==, GZ_BENCH_VERDICT_SAME);
  g_assert_cmpuint (c2->n_regressions + c2->n_improvements, ==, 0);

  /* Faster, but twice the bytes: an improvement and a regression. */
  c3 = gz_bench_compare (b, q, 5.0, 0.05);
  row = row_named (c3, "a");
  g_assert_cmpint (row->metrics[GZ_BENCH_METRIC_TIME].verdict, ==, GZ_BENCH_VERDICT_IMPROVEMENT);
  g_assert_cmpint (row->metrics[GZ_BENCH_METRIC_BYTES].verdict, ==, GZ_BENCH_VERDICT_REGRESSION);
  g_assert_cmpfloat_with_epsilon (c3->geomean_cur[GZ_BENCH_METRIC_BYTES]
                                  / c3->geomean_base[GZ_BENCH_METRIC_BYTES], 2.0, 1e-12);

  /* Too few samples: 3 against 3 can never be significant (p >= 0.1); it says how many are
   * needed. */
  {
    g_autoptr(GzBenchRun) few = make_run ("a", 200, 1, 3, 1024);
    g_autoptr(GzBenchRun) few_base = make_run ("a", 100, 1, 3, 1024);
    g_autoptr(GzResultSet) w = NULL;
    g_autoptr(GzResultSet) wb = NULL;
    gboolean said = FALSE;

    g_assert_true (gz_results_store_add (f->store, "few", few, NULL));
    g_assert_true (gz_results_store_add (f->store, "few-base", few_base, NULL));
    w = set_of (f, "few");
    wb = set_of (f, "few-base");
    c4 = gz_bench_compare (wb, w, 5.0, 0.05);
    g_assert_cmpfloat_with_epsilon (row_named (c4, "a")->metrics[0].p, 0.1, 1e-12);
    g_assert_cmpint (row_named (c4, "a")->metrics[0].verdict, ==, GZ_BENCH_VERDICT_SAME);
    for (guint i = 0; i < c4->notes->len; i++)
      said |= strstr (g_ptr_array_index (c4->notes, i), "need >= 4 samples") != NULL;
    g_assert_true (said);
    said = FALSE;
    for (guint i = 0; i < c4->notes->len; i++)
      said |= strstr (g_ptr_array_index (c4->notes, i), "need >= 6 samples for a confidence "
                      "interval") != NULL;
    g_assert_true (said);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/results/add-and-load", Fixture, NULL, fixture_set_up, test_add_and_load,
              fixture_tear_down);
  g_test_add ("/core/results/labels", Fixture, NULL, fixture_set_up, test_labels,
              fixture_tear_down);
  g_test_add ("/core/results/corrupt", Fixture, NULL, fixture_set_up, test_corrupt,
              fixture_tear_down);
  g_test_add ("/core/results/compare", Fixture, NULL, fixture_set_up, test_compare,
              fixture_tear_down);
  return g_test_run ();
}
