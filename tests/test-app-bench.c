/* test-app-bench.c: the app's Benchmarks and Compare pages driven through their widgets: a
 * built-in benchmark runs and shows its own figures and histogram, a run is cancelled, command
 * runs are saved under two labels and the Compare page gives gz-cli compare's verdicts and
 * exports. Needs a display (meson runs it under Xvfb); the results store, configuration and
 * profiles live in a temporary directory. Screenshots of both pages go to $GZ_TEST_SCREENSHOTS. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "gz-bench-compare.h"
#include "gz-bench-summary.h"
#include "gz-bench-histogram.h"
#include "gz-benchmarks-page.h"
#include "gz-chart-bars.h"
#include "gz-chart-histogram.h"
#include "gz-compare-page.h"
#include "gz-preload-paths.h"
#include "gz-test-app.h"
#include "gz-test-cli.h"
#include "gz-units.h"

static GzTestCli fixture;

static gboolean
set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Turns the main loop until @done, for at most @seconds. */
static void
spin_until (gboolean      (*done) (gpointer data),
            gpointer        data,
            guint           seconds,
            const char     *what)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (seconds, set_flag, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("waited %u s for %s", seconds, what);
  g_source_remove (timeout);
}

static gboolean
bench_idle (gpointer page)
{
  return !gz_benchmarks_page_get_busy (page);
}

static gboolean
compare_idle (gpointer page)
{
  return !gz_compare_page_get_busy (page);
}

static gboolean
chart_drawn (gpointer chart)
{
  return gz_chart_get_n_draws (chart) > 0;
}

static gboolean
progress_started (gpointer bar)
{
  return gtk_progress_bar_get_fraction (bar) > 0;
}

/* The main loop's longest wait between 10 ms ticks while a page works: a figure for the log
 * (the stall test proper, with its own thresholds, is test-app-responsive). */
typedef struct
{
  gint64 start;
  gint64 last;
  gint64 longest;
  guint  source;
} StallWatch;

static gboolean
stall_tick (gpointer data)
{
  StallWatch *watch = data;
  gint64 now = g_get_monotonic_time ();

  watch->longest = MAX (watch->longest, now - watch->last);
  if (now - watch->last > 40000)
    g_test_message ("gap %.1f ms at %.1f ms", (now - watch->last) / 1000.0,
                    (now - watch->start) / 1000.0);
  watch->last = now;
  return G_SOURCE_CONTINUE;
}

static void
stall_watch_start (StallWatch *watch)
{
  gboolean settled = FALSE;

  /* The window's first frames (its layout, under Xvfb's software rendering) come first. */
  g_timeout_add (500, set_flag, &settled);
  while (!settled)
    g_main_context_iteration (NULL, TRUE);
  watch->start = watch->last = g_get_monotonic_time ();
  watch->longest = 0;
  watch->source = g_timeout_add (10, stall_tick, watch);
}

static void
stall_watch_stop (StallWatch *watch,
                  const char *what)
{
  g_source_remove (watch->source);
  g_test_message ("main loop while %s: longest gap between 10 ms ticks %.1f ms", what,
                  watch->longest / 1000.0);
}

static gpointer
child (gpointer page,
       GType    type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (page, type, name);

  g_assert_nonnull (object);
  return object;
}

static GtkWidget *
show_in_window (GtkWidget *page)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 780);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
select_benchmark (GzBenchmarksPage *page,
                  const char       *name)
{
  AdwComboRow *row = child (page, GZ_TYPE_BENCHMARKS_PAGE, "benchmark_row");
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), name))
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }
  g_error ("no benchmark %s in the dropdown", name);
}

static void
set_spin (GzBenchmarksPage *page,
          const char       *name,
          double            value)
{
  gtk_spin_button_set_value (child (page, GZ_TYPE_BENCHMARKS_PAGE, name), value);
}

static void
assert_shown_time (GzBenchmarksPage *page,
                   const char       *key,
                   double            nanoseconds)
{
  g_autofree char *expected = gz_units_format_nanoseconds (nanoseconds);

  g_test_message ("%s: %s", key, gz_benchmarks_page_get_value (page, key));
  g_assert_cmpstr (gz_benchmarks_page_get_value (page, key), ==, expected);
}

/* A built-in run from the form: the figures shown are the run's own, its percentiles are marked
 * over a histogram of its timings, and its memory profile is linked. */
static void
test_benchmarks_run (void)
{
  GtkWidget *page_widget = gz_benchmarks_page_new ();
  GzBenchmarksPage *page = GZ_BENCHMARKS_PAGE (page_widget);
  GtkWidget *window = show_in_window (page_widget);
  GtkProgressBar *bar = child (page, GZ_TYPE_BENCHMARKS_PAGE, "progress_bar");
  const GzBenchRun *run;
  GzBenchResult *result;
  GzHistogramChart *chart;
  g_autoptr(GzBenchHistogram) histogram = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *ops = NULL;
  guint64 binned = 0;
  StallWatch watch;

  spin_until (bench_idle, page, 30, "the configuration");
  g_assert_null (gz_benchmarks_page_get_run (page));
  g_assert_null (gz_benchmarks_page_get_value (page, "ns_per_op"));

  select_benchmark (page, "json-marshal");
  set_spin (page, "iterations_spin", 5000);
  set_spin (page, "count_spin", 1);
  gtk_switch_set_active (child (page, GZ_TYPE_BENCHMARKS_PAGE, "memory_switch"), TRUE);
  stall_watch_start (&watch);
  g_assert_true (gtk_widget_activate_action (page_widget, "bench.run", NULL));
  g_assert_true (gz_benchmarks_page_get_busy (page));
  spin_until (bench_idle, page, 60, "the benchmark");
  stall_watch_stop (&watch, "json-marshal ran");
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 1.0);

  run = gz_benchmarks_page_get_run (page);
  g_assert_nonnull (run);
  g_assert_cmpuint (run->results->len, ==, 1);
  result = g_ptr_array_index (run->results, 0);
  g_assert_cmpstr (result->name, ==, "json-marshal");
  g_assert_cmpuint (result->iterations, ==, 5000);
  g_assert_cmpfloat (result->ns_per_op, >, 0);
  assert_shown_time (page, "ns_per_op", result->ns_per_op);
  rate = gz_units_format_count (result->ops_per_sec);
  ops = g_strdup_printf ("%s/s", rate);
  g_assert_cmpstr (gz_benchmarks_page_get_value (page, "ops_per_sec"), ==, ops);
  for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
    assert_shown_time (page, gz_bench_percentile_name (p), result->percentiles[p]);
  if (result->have_memory)
    {
      g_autofree char *allocs = g_strdup_printf ("%.4g", result->allocs_per_op);

      bytes = gz_units_format_bytes (result->alloc_bytes_per_op);
      g_assert_cmpstr (gz_benchmarks_page_get_value (page, "bytes_per_op"), ==, bytes);
      g_assert_cmpstr (gz_benchmarks_page_get_value (page, "allocs_per_op"), ==, allocs);
      g_assert_cmpfloat (result->allocs_per_op, >, 0);
      g_assert_nonnull (result->memory_profile);
      g_assert_true (g_file_test (result->memory_profile, G_FILE_TEST_IS_REGULAR));
    }
  else
    g_test_message ("no memory figures: %s", result->memory_note);

  /* The histogram holds the run's timings, and has been drawn. */
  g_assert_cmpuint (result->n_latencies, >, 0);
  g_assert_cmpuint (result->n_latencies, <=, GZ_BENCH_MAX_LATENCIES);
  g_assert_cmpfloat (result->latencies[0], ==, result->percentiles[GZ_BENCH_P_MIN]);
  g_assert_cmpfloat (result->latencies[result->n_latencies - 1], ==,
                     result->percentiles[GZ_BENCH_P_MAX]);
  histogram = gz_bench_histogram_new (result->latencies, result->n_latencies);
  g_assert_nonnull (histogram);
  for (guint i = 0; i < histogram->n_bins; i++)
    binned += histogram->counts[i];
  g_assert_cmpuint (binned + histogram->n_beyond, ==, result->n_latencies);
  g_assert_cmpuint (binned, >, 0);
  chart = GZ_HISTOGRAM_CHART (gz_benchmarks_page_get_histogram (page));
  g_assert_cmpuint (gz_histogram_chart_get_n_bins (chart), ==, histogram->n_bins);
  spin_until (chart_drawn, chart, 10, "the histogram to be drawn");

  gz_test_app_save_screenshot (window, "benchmarks-page.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Cancel stops a long run promptly and keeps nothing, as gz-cli does on Ctrl-C. */
static void
test_benchmarks_cancel (void)
{
  GtkWidget *page_widget = gz_benchmarks_page_new ();
  GzBenchmarksPage *page = GZ_BENCHMARKS_PAGE (page_widget);
  GtkWidget *window = show_in_window (page_widget);
  GtkProgressBar *bar = child (page, GZ_TYPE_BENCHMARKS_PAGE, "progress_bar");
  GtkLabel *status = child (page, GZ_TYPE_BENCHMARKS_PAGE, "status_label");

  spin_until (bench_idle, page, 30, "the configuration");
  select_benchmark (page, "noop");
  gtk_editable_set_text (child (page, GZ_TYPE_BENCHMARKS_PAGE, "duration_entry"), "60s");
  gtk_switch_set_active (child (page, GZ_TYPE_BENCHMARKS_PAGE, "memory_switch"), FALSE);
  gz_benchmarks_page_run (page);
  spin_until (progress_started, bar, 30, "the run's first progress");
  g_assert_true (gz_benchmarks_page_get_busy (page));
  g_assert_true (gtk_widget_activate_action (page_widget, "bench.cancel", NULL));
  /* The harness stops within about 100 ms; 30 s only bounds a broken cancel. */
  spin_until (bench_idle, page, 30, "the cancelled run to end");
  g_assert_null (gz_benchmarks_page_get_run (page));
  g_assert_nonnull (strstr (gtk_label_get_text (status), "Cancelled"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A bad duration is refused before anything runs. */
static void
test_benchmarks_invalid (void)
{
  GtkWidget *page_widget = g_object_ref_sink (gz_benchmarks_page_new ());
  GzBenchmarksPage *page = GZ_BENCHMARKS_PAGE (page_widget);
  GtkLabel *status = child (page, GZ_TYPE_BENCHMARKS_PAGE, "status_label");

  spin_until (bench_idle, page, 30, "the configuration");
  gtk_editable_set_text (child (page, GZ_TYPE_BENCHMARKS_PAGE, "duration_entry"), "soon");
  gz_benchmarks_page_run (page);
  g_assert_false (gz_benchmarks_page_get_busy (page));
  g_assert_nonnull (strstr (gtk_label_get_text (status), "Duration"));
  g_object_unref (page_widget);
}

static gboolean
is_gzip_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  return g_file_get_contents (path, &contents, &length, NULL) && length > 2
         && (guchar) contents[0] == 0x1f && (guchar) contents[1] == 0x8b;
}

/* A command with both profiling switches: after its measured runs, one more run of it through
 * the core's launch path for each profile (perf events, the preload), both linked from the page
 * (as gz-cli --command --cpu-profiling --memory-profiling). */
static void
test_benchmarks_command_profiles (void)
{
  GtkWidget *page_widget = gz_benchmarks_page_new ();
  GzBenchmarksPage *page = GZ_BENCHMARKS_PAGE (page_widget);
  GtkWidget *window = show_in_window (page_widget);
  GtkLabel *status = child (page, GZ_TYPE_BENCHMARKS_PAGE, "status_label");
  g_autofree char *preload = gz_preload_library_path (NULL);
  const GzBenchRun *run;
  GzBenchResult *first;
  StallWatch watch;

  if (preload == NULL)
    {
      g_test_skip ("the gz preload library is not built or installed (GZ_PRELOAD_LIBRARY)");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  spin_until (bench_idle, page, 30, "the configuration");
  select_benchmark (page, "Command…");
  gtk_editable_set_text (child (page, GZ_TYPE_BENCHMARKS_PAGE, "command_row"), "sleep 2");
  set_spin (page, "count_spin", 1);
  gtk_switch_set_active (child (page, GZ_TYPE_BENCHMARKS_PAGE, "memory_switch"), TRUE);
  gtk_switch_set_active (child (page, GZ_TYPE_BENCHMARKS_PAGE, "cpu_switch"), TRUE);
  stall_watch_start (&watch);
  gz_benchmarks_page_run (page);
  spin_until (bench_idle, page, 120, "the runs and the profiled runs");
  stall_watch_stop (&watch, "a command ran and was profiled twice");
  g_test_message ("status: %s", gtk_label_get_text (status));
  run = gz_benchmarks_page_get_run (page);
  g_assert_nonnull (run);
  g_assert_cmpuint (run->results->len, ==, 1);
  first = g_ptr_array_index (run->results, 0);
  g_assert_cmpfloat (first->ns_per_op, >=, 2e9);
  g_assert_nonnull (first->cpu_profile);
  g_assert_nonnull (first->memory_profile);
  g_test_message ("profiles: %s, %s", first->cpu_profile, first->memory_profile);
  g_assert_true (is_gzip_file (first->cpu_profile));
  g_assert_true (is_gzip_file (first->memory_profile));
  g_assert_true (g_str_has_prefix (first->cpu_profile, fixture.out_dir));
  assert_shown_time (page, "ns_per_op", gz_bench_samples_median (
                       run->results, G_STRUCT_OFFSET (GzBenchResult, ns_per_op)));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Runs @command @count times from the page and saves the runs under @label. */
static void
run_and_save (GzBenchmarksPage *page,
              const char       *command,
              const char       *label)
{
  select_benchmark (page, "Command…");
  gtk_editable_set_text (child (page, GZ_TYPE_BENCHMARKS_PAGE, "command_row"), command);
  set_spin (page, "count_spin", 6);
  set_spin (page, "warmup_spin", 0);
  gz_benchmarks_page_run (page);
  spin_until (bench_idle, page, 60, "the command runs");
  g_assert_nonnull (gz_benchmarks_page_get_run (page));
  g_assert_cmpuint (gz_benchmarks_page_get_run (page)->results->len, ==, 6);
  g_assert_cmpstr (gz_benchmarks_page_get_value (page, "samples"), ==, "6");
  gtk_editable_set_text (child (page, GZ_TYPE_BENCHMARKS_PAGE, "label_row"), label);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "bench.save", NULL));
  spin_until (bench_idle, page, 30, "the save");
  g_assert_cmpstr (gz_benchmarks_page_get_saved_label (page), ==, label);

  /* And a built-in, added to the same label: a second benchmark to compare. */
  select_benchmark (page, "string-operations");
  set_spin (page, "iterations_spin", 2000);
  set_spin (page, "count_spin", 6);
  gz_benchmarks_page_run (page);
  spin_until (bench_idle, page, 60, "the built-in's samples");
  g_assert_cmpuint (gz_benchmarks_page_get_run (page)->results->len, ==, 6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "bench.save", NULL));
  spin_until (bench_idle, page, 30, "the second save");
  g_assert_cmpstr (gz_benchmarks_page_get_saved_label (page), ==, label);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
export_and_check (GzComparePage *page,
                  GzBenchFormat  format,
                  const char    *cli_output)
{
  g_autofree char *path = g_build_filename (fixture.root, format == GZ_BENCH_FORMAT_JSON
                                            ? "compare.json" : "compare.md", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  gz_compare_page_export_async (page, file, format, NULL, keep_result, &result);
  spin_until (has_result, &result, 30, "the export");
  g_assert_true (gz_compare_page_export_finish (page, result, &error));
  g_assert_no_error (error);
  contents = read_file (path);
  g_assert_cmpstr (contents, ==, cli_output);
}

/* Two labels saved from the Benchmarks page (the same command, a sleep 15 times longer the
 * second time): the Compare page lists them, calls the change a regression, and every verdict
 * and both exports are gz-cli compare's own. */
static void
test_compare (void)
{
  /* Kept across the window's page swaps. */
  GtkWidget *bench_widget = g_object_ref_sink (gz_benchmarks_page_new ());
  GzBenchmarksPage *bench = GZ_BENCHMARKS_PAGE (bench_widget);
  GtkWidget *window = show_in_window (bench_widget);
  g_autofree char *nap = g_build_filename (fixture.root, "nap", NULL);
  g_autofree char *nap_quoted = g_shell_quote (nap);
  g_autofree char *command = g_strdup_printf ("sleep $(cat %s)", nap_quoted);
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *compare_widget;
  GzComparePage *compare;
  const GzBenchComparison *comparison;
  JsonArray *benchmarks;
  GListModel *labels;
  GtkWidget *chart;
  guint checked = 0;

  spin_until (bench_idle, bench, 30, "the configuration");
  g_assert_true (g_file_set_contents (nap, "0.01", -1, NULL));
  run_and_save (bench, command, "fast");

  /* With one label there is nothing to compare: the empty state says what to do. */
  compare_widget = gz_compare_page_new ();
  compare = GZ_COMPARE_PAGE (compare_widget);
  gtk_window_set_child (GTK_WINDOW (window), compare_widget);
  spin_until (compare_idle, compare, 30, "the labels");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (
                     GTK_STACK (adw_bin_get_child (ADW_BIN (compare)))), ==, "empty");

  gtk_window_set_child (GTK_WINDOW (window), bench_widget);
  g_assert_true (g_file_set_contents (nap, "0.15", -1, NULL));
  run_and_save (bench, command, "slow");

  /* Shown again, the page reads the labels again. */
  compare_widget = gz_compare_page_new ();
  compare = GZ_COMPARE_PAGE (compare_widget);
  gtk_window_set_child (GTK_WINDOW (window), compare_widget);
  spin_until (compare_idle, compare, 30, "the labels");
  labels = gz_compare_page_get_labels (compare);
  g_assert_cmpuint (g_list_model_get_n_items (labels), ==, 2);
  g_assert_true (gz_compare_page_select (compare, "fast", "slow"));
  spin_until (compare_idle, compare, 30, "the comparison");
  comparison = gz_compare_page_get_comparison (compare);
  g_assert_nonnull (comparison);
  g_assert_cmpuint (comparison->rows->len, ==, 2);
  g_assert_cmpstr (gz_compare_page_get_verdict (compare, command, GZ_BENCH_METRIC_TIME), ==,
                   "regression");
  chart = gz_compare_page_get_chart (compare);
  g_assert_cmpuint (gz_bar_chart_get_n_groups (GZ_BAR_CHART (chart)), ==, 2);
  g_assert_cmpuint (gz_bar_chart_get_n_series (GZ_BAR_CHART (chart)), ==, 2);
  spin_until (chart_drawn, chart, 10, "the bar chart to be drawn");

  /* gz-cli compare on the same store: the same verdict for every benchmark and metric. */
  g_assert_cmpint (gz_test_cli_run_env (&fixture, NULL, &json, &err, "compare", "--baseline",
                                        "fast", "--current", "slow", "--format", "json", NULL),
                   ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  benchmarks = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                             "benchmarks");
  g_assert_cmpuint (json_array_get_length (benchmarks), ==, comparison->rows->len);
  for (guint i = 0; i < json_array_get_length (benchmarks); i++)
    {
      JsonObject *row = json_array_get_object_element (benchmarks, i);
      const char *name = json_object_get_string_member (row, "name");

      for (guint m = 0; m < GZ_BENCH_N_METRICS; m++)
        {
          const char *key = gz_bench_metric_key (m);
          const char *shown = gz_compare_page_get_verdict (compare, name, m);

          if (!json_object_has_member (row, key))
            {
              g_assert_null (shown);
              continue;
            }
          g_test_message ("%s %s: gz-cli %s, app %s", name, key,
                          json_object_get_string_member (json_object_get_object_member (row, key),
                                                         "verdict"), shown);
          g_assert_cmpstr (shown, ==, json_object_get_string_member (
                             json_object_get_object_member (row, key), "verdict"));
          checked++;
        }
    }
  g_assert_cmpuint (checked, >=, 1);
  export_and_check (compare, GZ_BENCH_FORMAT_JSON, json);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (gz_test_cli_run_env (&fixture, NULL, &markdown, &err, "compare",
                                        "--baseline", "fast", "--current", "slow", "--format",
                                        "markdown", NULL), ==, 0);
  export_and_check (compare, GZ_BENCH_FORMAT_MARKDOWN, markdown);

  gz_test_app_save_screenshot (window, "compare-page.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (bench_widget);
}

/* The latency histogram's bins: every finite value counted once, the far tail apart. */
static void
test_histogram_bins (void)
{
  double values[102];
  g_autoptr(GzBenchHistogram) plain = NULL;
  g_autoptr(GzBenchHistogram) tail = NULL;
  g_autoptr(GzBenchHistogram) same = NULL;
  guint64 sum = 0;

  for (guint i = 0; i < 100; i++)
    values[i] = i + 1;
  values[100] = NAN;
  values[101] = 1e6;

  plain = gz_bench_histogram_new (values, 100);
  g_assert_cmpuint (plain->n_bins, ==, 10);
  g_assert_cmpfloat (plain->edges[0], ==, 1);
  g_assert_cmpfloat (plain->edges[plain->n_bins], ==, 100);
  for (guint i = 0; i < plain->n_bins; i++)
    {
      g_assert_cmpfloat (plain->edges[i], <, plain->edges[i + 1]);
      g_assert_cmpuint (plain->counts[i], >=, 9);
      g_assert_cmpuint (plain->counts[i], <=, 11);
      sum += plain->counts[i];
    }
  g_assert_cmpuint (sum, ==, 100);
  g_assert_cmpuint (plain->n_beyond, ==, 0);

  /* One timing 10000 times the rest is counted apart, not drawn; the NaN is ignored. */
  tail = gz_bench_histogram_new (values, 102);
  g_assert_cmpuint (tail->n_values, ==, 100);
  g_assert_cmpuint (tail->n_beyond, ==, 1);
  g_assert_cmpfloat (tail->edges[tail->n_bins], <, 1e6);

  for (guint i = 0; i < 10; i++)
    values[i] = 42;
  same = gz_bench_histogram_new (values, 10);
  g_assert_cmpfloat (same->edges[0], <, 42);
  g_assert_cmpfloat (same->edges[same->n_bins], >, 42);
  g_assert_cmpuint (same->n_values, ==, 10);
  g_assert_null (gz_bench_histogram_new (values + 100, 1));
}

static void
skip_without_display (void)
{
  g_test_skip ("no display: run under Xvfb (tests/xvfb-run-test.sh)");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  gz_test_cli_set_up (&fixture, "gz-test-app-bench-XXXXXX", "profile");
  /* This process and the gz-cli it runs share one results store, config and output folder. */
  g_setenv ("XDG_CONFIG_HOME", fixture.config_home, TRUE);
  g_setenv ("XDG_DATA_HOME", fixture.data_home, TRUE);
  g_setenv ("GZ_PROFILE_OUTPUT_DIR", fixture.out_dir, TRUE);
  g_unsetenv ("GZ_PROFILE_RESULTS_DIR");
  gz_test_cli_setenv (&fixture, "XDG_DATA_HOME", fixture.data_home);
  gz_test_cli_setenv (&fixture, "GZ_PROFILE_OUTPUT_DIR", fixture.out_dir);
  gz_test_cli_setenv (&fixture, "LC_ALL", "C.UTF-8");

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_test_add_func ("/app-bench/no-display", skip_without_display);
      ret = g_test_run ();
      gz_test_cli_tear_down (&fixture);
      return ret;
    }
  adw_init ();
  g_test_add_func ("/app-bench/histogram/bins", test_histogram_bins);
  g_test_add_func ("/app-bench/benchmarks/run", test_benchmarks_run);
  g_test_add_func ("/app-bench/benchmarks/cancel", test_benchmarks_cancel);
  g_test_add_func ("/app-bench/benchmarks/invalid", test_benchmarks_invalid);
  g_test_add_func ("/app-bench/benchmarks/command-profiles", test_benchmarks_command_profiles);
  g_test_add_func ("/app-bench/compare/cli", test_compare);
  ret = g_test_run ();
  gz_test_cli_tear_down (&fixture);
  return ret;
}
