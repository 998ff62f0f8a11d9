/* gz-benchmarks-page.c: the Benchmarks page: the form, the run with progress and cancel, the
 * figures, the latency histogram, the profiles taken and saving under a label. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "gz-bench-histogram.h"
#include "gz-bench-job.h"
#include "gz-bench-statistics.h"
#include "gz-bench-store.h"
#include "gz-bench-ui.h"
#include "gz-bench-summary.h"
#include "gz-benchmarks-page.h"
#include "gz-duration.h"
#include "gz-chart-histogram.h"
#include "gz-units.h"

struct _GzBenchmarksPage
{
  AdwBin               parent_instance;

  AdwComboRow         *benchmark_row;
  AdwEntryRow         *command_row;
  AdwActionRow        *iterations_row;
  AdwActionRow        *concurrency_row;
  AdwActionRow        *warmup_row;
  AdwActionRow        *memory_row;
  AdwActionRow        *cpu_row;
  GtkSpinButton       *iterations_spin;
  GtkSpinButton       *concurrency_spin;
  GtkSpinButton       *warmup_spin;
  GtkSpinButton       *count_spin;
  GtkEntry            *duration_entry;
  GtkSwitch           *memory_switch;
  GtkSwitch           *cpu_switch;
  GtkProgressBar      *progress_bar;
  GtkLabel            *status_label;
  GtkStack            *results_stack;
  AdwPreferencesGroup *results_group;
  AdwPreferencesGroup *profiles_group;
  GtkBox              *histogram_box;
  AdwEntryRow         *label_row;

  GtkWidget           *histogram;
  GtkWidget           *percentiles_box;
  GPtrArray           *rows;            /* widgets added to the groups, removed on a new run */
  GHashTable          *values;          /* key -> GtkLabel showing it (borrowed) */

  GCancellable        *cancellable;     /* the page's life: configuration, saves */
  GCancellable        *run_cancellable; /* the run in progress */
  GzConfig            *config;
  GzResultsStore      *store;
  guint                n_suites;
  GzBenchJobOptions    run_options;     /* of the run shown */
  GzBenchRun          *run;
  gboolean             interrupted;
  char                *saved_label;
  gboolean             disposed;
  gboolean             loading;
  gboolean             running;
  gboolean             saving;
};

G_DEFINE_FINAL_TYPE (GzBenchmarksPage, gz_benchmarks_page, ADW_TYPE_BIN)

/* Async callbacks hold the page weakly (gz-bench-ui.h). */
#define weak_new(self) gz_bench_ui_weak_new (self)
#define weak_take(data) \
  gz_bench_ui_weak_take (data, G_STRUCT_OFFSET (GzBenchmarksPage, disposed))

static void
update_actions (GzBenchmarksPage *self)
{
  gboolean idle = !self->loading && !self->running && !self->saving;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bench.run", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bench.cancel", self->running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bench.save", idle && self->run != NULL);
}

static void
set_status (GzBenchmarksPage *self,
            const char       *text,
            gboolean          error)
{
  gz_bench_ui_set_status (self->status_label, text, error);
}

static gboolean
is_command_mode (GzBenchmarksPage *self)
{
  return adw_combo_row_get_selected (self->benchmark_row) >= self->n_suites;
}

/* --- the form */

static void
on_benchmark_selected (GzBenchmarksPage *self)
{
  gboolean command = is_command_mode (self);
  const GzBenchSuite * const *suites = gz_bench_suites_list ();
  guint selected = adw_combo_row_get_selected (self->benchmark_row);

  gtk_widget_set_visible (GTK_WIDGET (self->command_row), command);
  gtk_widget_set_sensitive (GTK_WIDGET (self->iterations_row), !command);
  gtk_widget_set_sensitive (GTK_WIDGET (self->concurrency_row), !command);
  adw_action_row_set_subtitle (self->memory_row,
                               command ? _("A memory profile from one more, profiled run")
                                       : _("Exact B/op and allocs/op, and a memory profile of "
                                           "the first sample"));
  adw_action_row_set_subtitle (self->cpu_row,
                               command ? _("A CPU profile from one more, profiled run (its "
                                           "words run without sh)")
                                       : _("A CPU profile of the first sample"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->benchmark_row),
                               command ? _("Any command, as gz-cli profile benchmark --command: "
                                           "wall and CPU time and peak memory of every run")
                                       : suites[selected]->description);
  adw_action_row_set_subtitle (self->warmup_row,
                               command ? _("Unmeasured runs first")
                                       : _("Unmeasured operations per worker first"));
  /* gz-cli's defaults for each kind. */
  gtk_spin_button_set_value (self->count_spin, command ? 10 : 1);
  gtk_spin_button_set_value (self->warmup_spin, command ? 0 : 100);
  gtk_switch_set_active (self->memory_switch, !command);
}

static gboolean
read_form (GzBenchmarksPage  *self,
           GzBenchJobOptions *options,
           GError           **error)
{
  const char *duration = gtk_editable_get_text (GTK_EDITABLE (self->duration_entry));
  g_autofree char *duration_text = g_strstrip (g_strdup (duration));

  gz_bench_job_options_init (options);
  if (!is_command_mode (self))
    options->suite = gz_bench_suites_list ()[adw_combo_row_get_selected (self->benchmark_row)];
  else
    options->command_line = gtk_editable_get_text (GTK_EDITABLE (self->command_row));
  options->iterations = (guint64) gtk_spin_button_get_value (self->iterations_spin);
  options->concurrency = (guint) gtk_spin_button_get_value_as_int (self->concurrency_spin);
  options->warmup = (guint64) gtk_spin_button_get_value (self->warmup_spin);
  options->count = (guint64) gtk_spin_button_get_value (self->count_spin);
  options->memory = gtk_switch_get_active (self->memory_switch);
  options->cpu_profile = gtk_switch_get_active (self->cpu_switch);
  if (*duration_text != '\0' && !gz_duration_parse (duration_text, &options->duration_nanos,
                                                     error))
    {
      g_prefix_error (error, _("Duration: "));
      return FALSE;
    }
  return gz_bench_job_check (options, error);
}

/* --- results */

static void
clear_results (GzBenchmarksPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  g_hash_table_remove_all (self->values);
  if (self->percentiles_box != NULL)
    {
      gtk_box_remove (self->histogram_box, self->percentiles_box);
      self->percentiles_box = NULL;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->profiles_group), FALSE);
}

static void
add_value (GzBenchmarksPage *self,
           const char       *key,
           const char       *title,
           const char       *subtitle,
           const char       *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_preferences_group_add (self->results_group, row);
  g_ptr_array_add (self->rows, row);
  g_hash_table_replace (self->values, g_strdup (key), label);
}

static void
add_time (GzBenchmarksPage *self,
          const char       *key,
          const char       *title,
          const char       *subtitle,
          double            nanoseconds)
{
  g_autofree char *text = gz_units_format_nanoseconds (nanoseconds);

  add_value (self, key, title, subtitle, text);
}

static void
on_open_profile (GtkButton *button,
                 gpointer   data)
{
  const char *path = g_object_get_data (G_OBJECT (button), "gz-profile-path");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_application_open (app, &file, 1, "");
}

static void
add_profile (GzBenchmarksPage *self,
             const char       *title,
             const char       *path)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("document-open-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), path);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Open the profile"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title, -1);
  g_object_set_data_full (G_OBJECT (button), "gz-profile-path", g_strdup (path), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_open_profile), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (self->profiles_group, row);
  g_ptr_array_add (self->rows, row);
  gtk_widget_set_visible (GTK_WIDGET (self->profiles_group), TRUE);
}

/* At most this many timings go into the histogram (binned on the main thread): a few samples'
 * worth in full, every k-th of each sample's beyond that. */
#define MAX_HISTOGRAM_VALUES 16384

/* The latencies behind the histogram: every sample's kept timings for a built-in, each run's
 * wall time for a command. */
static GArray *
collect_latencies (GzBenchRun *run)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 total = 0;
  guint step;

  for (guint i = 0; i < run->results->len; i++)
    {
      GzBenchResult *result = g_ptr_array_index (run->results, i);

      total += result->command != NULL ? 1 : result->n_latencies;
    }
  step = (guint) MAX (1, (total + MAX_HISTOGRAM_VALUES - 1) / MAX_HISTOGRAM_VALUES);
  for (guint i = 0; i < run->results->len; i++)
    {
      GzBenchResult *result = g_ptr_array_index (run->results, i);

      if (result->command != NULL)
        g_array_append_val (values, result->ns_per_op);
      else
        for (guint j = 0; j < result->n_latencies; j += step)
          g_array_append_val (values, result->latencies[j]);
    }
  return values;
}

/* The percentiles shown and marked: a built-in's are the medians over its samples of each
 * sample's percentiles (as gz-cli's table); a command's are those of its runs' wall times. */
static void
compute_percentiles (GzBenchRun     *run,
                     GzBenchSummary *summary,
                     GArray         *latencies,
                     double         *percentiles)
{
  GzBenchResult *first = g_ptr_array_index (run->results, 0);

  if (first->command == NULL)
    {
      memcpy (percentiles, summary->percentiles, sizeof summary->percentiles);
      return;
    }
  {
    g_autofree double *sorted = g_memdup2 (latencies->data, latencies->len * sizeof (double));

    gz_bench_statistics_sort (sorted, latencies->len);
    for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
      percentiles[p] = gz_bench_statistics_quantile_sorted (sorted, latencies->len,
                                                            gz_bench_percentile_quantile (p));
  }
}

static void
show_percentiles (GzBenchmarksPage *self,
                  const double     *percentiles)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_box_set_homogeneous (GTK_BOX (box), TRUE);
  gtk_widget_add_css_class (box, "card");
  for (guint p = 0; p < GZ_BENCH_N_PERCENTILES; p++)
    {
      GtkWidget *cell = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
      GtkWidget *name = gtk_label_new (gz_bench_percentile_name (p));
      g_autofree char *text = gz_units_format_nanoseconds (percentiles[p]);
      GtkWidget *value = gtk_label_new (text);

      gtk_widget_set_margin_top (cell, 9);
      gtk_widget_set_margin_bottom (cell, 9);
      gtk_widget_add_css_class (name, "dim-label");
      gtk_widget_add_css_class (name, "caption");
      gtk_widget_add_css_class (value, "numeric");
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_box_append (GTK_BOX (cell), name);
      gtk_box_append (GTK_BOX (cell), value);
      gtk_box_append (GTK_BOX (box), cell);
      g_hash_table_replace (self->values, g_strdup (gz_bench_percentile_name (p)), value);
    }
  gtk_box_prepend (self->histogram_box, box);
  self->percentiles_box = box;
}

static void
show_histogram (GzBenchmarksPage *self,
                GArray           *latencies,
                const double     *percentiles,
                gboolean          command)
{
  GzHistogramChart *chart = GZ_HISTOGRAM_CHART (self->histogram);
  static const GzBenchPercentile marked[] = { GZ_BENCH_P_50, GZ_BENCH_P_90, GZ_BENCH_P_99 };
  g_autoptr(GzBenchHistogram) histogram =
    gz_bench_histogram_new ((const double *) latencies->data, latencies->len);
  const char *labels[G_N_ELEMENTS (marked)];
  double values[G_N_ELEMENTS (marked)];
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  g_autofree char *p50 = gz_units_format_nanoseconds (percentiles[GZ_BENCH_P_50]);
  g_autofree char *p99 = gz_units_format_nanoseconds (percentiles[GZ_BENCH_P_99]);

  for (guint i = 0; i < G_N_ELEMENTS (marked); i++)
    {
      labels[i] = gz_bench_percentile_name (marked[i]);
      values[i] = percentiles[marked[i]];
    }
  if (histogram == NULL)
    {
      gz_histogram_chart_set_data (chart, NULL, NULL, 0, GZ_CHART_UNIT_NANOSECONDS);
      gz_histogram_chart_set_markers (chart, NULL, NULL, 0);
      return;
    }
  gz_histogram_chart_set_data (chart, histogram->edges, histogram->counts, histogram->n_bins,
                               GZ_CHART_UNIT_NANOSECONDS);
  gz_histogram_chart_set_markers (chart, values, labels, G_N_ELEMENTS (marked));
  if (histogram->n_beyond > 0)
    {
      g_autofree char *edge = gz_units_format_nanoseconds (histogram->edges[histogram->n_bins]);

      title = g_strdup_printf (command ? _("Run time (%u above %s not shown)")
                                       : _("Latency per operation (%u above %s not shown)"),
                               (guint) histogram->n_beyond, edge);
    }
  else
    title = g_strdup (command ? _("Run time") : _("Latency per operation"));
  gz_chart_set_title (GZ_CHART (chart), title);
  description = g_strdup_printf (_("Histogram of %u timings in %u bins; the median (p50) is %s "
                                   "and the p99 %s, both marked"),
                                 latencies->len, histogram->n_bins, p50, p99);
  gz_chart_set_description (GZ_CHART (chart), description);
}

static void
show_results (GzBenchmarksPage *self)
{
  g_autoptr(GPtrArray) summaries = gz_bench_summarize (self->run->results);
  GzBenchSummary *s = g_ptr_array_index (summaries, 0);
  GzBenchResult *first = g_ptr_array_index (self->run->results, 0);
  gboolean command = first->command != NULL;
  g_autoptr(GArray) latencies = collect_latencies (self->run);
  g_autofree char *samples = NULL;
  g_autofree char *rate = gz_units_format_count (s->ops_per_sec);
  g_autofree char *ops = NULL;
  g_autofree char *ci = NULL;
  double percentiles[GZ_BENCH_N_PERCENTILES];

  clear_results (self);
  adw_preferences_group_set_description (self->results_group, s->name);

  samples = g_strdup_printf ("%u", self->run->results->len);
  add_value (self, "samples", command ? _("Runs") : _("Samples"),
             self->interrupted ? _("Interrupted: the runs done before are kept") : NULL,
             samples);
  if (isfinite (s->ns_lo))
    {
      g_autofree char *lo = gz_units_format_nanoseconds (s->ns_lo);
      g_autofree char *hi = gz_units_format_nanoseconds (s->ns_hi);

      ci = g_strdup_printf (_("Median; 95%% confidence interval %s – %s"), lo, hi);
    }
  else if (self->run->results->len > 1)
    ci = g_strdup_printf (_("Median; %u samples are too few for a 95%% confidence interval"),
                          self->run->results->len);
  add_time (self, "ns_per_op", command ? _("Time per run") : _("Time per operation (ns/op)"),
            ci, s->ns);
  ops = g_strdup_printf ("%s/s", rate);
  add_value (self, "ops_per_sec", command ? _("Runs per second") : _("Operations per second"),
             NULL, ops);
  if (command)
    {
      add_time (self, "user", _("User CPU time per run"), _("Median"),
                gz_bench_samples_median (self->run->results,
                                         G_STRUCT_OFFSET (GzBenchResult, user_nanos)));
      add_time (self, "system", _("System CPU time per run"), _("Median"),
                gz_bench_samples_median (self->run->results,
                                         G_STRUCT_OFFSET (GzBenchResult, system_nanos)));
      {
        g_autofree char *rss = gz_units_format_bytes (
          gz_bench_samples_median (self->run->results,
                                   G_STRUCT_OFFSET (GzBenchResult, max_rss_bytes)));

        add_value (self, "max_rss", _("Peak memory (RSS)"), _("Median"), rss);
      }
    }
  else
    {
      g_autofree char *bytes = gz_units_format_bytes (s->bytes);
      g_autofree char *allocs = isfinite (s->allocs) ? g_strdup_printf ("%.4g", s->allocs)
                                                     : g_strdup ("-");

      /* The allocation counters are the process's: the window drawing the progress counts too
       * (little beside a run of any length; gz-cli's figures have no window in them). */
      add_value (self, "bytes_per_op", _("Allocated per operation (B/op)"),
                 first->memory_note != NULL ? first->memory_note
                 : _("Every allocation in the app while measured, its window's too"), bytes);
      add_value (self, "allocs_per_op", _("Allocations per operation (allocs/op)"), NULL,
                 allocs);
    }

  compute_percentiles (self->run, s, latencies, percentiles);
  show_percentiles (self, percentiles);
  show_histogram (self, latencies, percentiles, command);

  for (guint i = 0; i < self->run->results->len; i++)
    {
      GzBenchResult *result = g_ptr_array_index (self->run->results, i);

      if (result->cpu_profile != NULL)
        add_profile (self, _("CPU profile"), result->cpu_profile);
      if (result->memory_profile != NULL)
        add_profile (self, _("Memory profile"), result->memory_profile);
    }
  gtk_stack_set_visible_child_name (self->results_stack, "results");
}

/* --- running */

static void
on_run_progress (double   fraction,
                 guint    sample,
                 double   estimate_ns,
                 gpointer data)
{
  GzBenchmarksPage *self = data;
  g_autofree char *estimate = gz_units_format_nanoseconds (estimate_ns);
  g_autofree char *text = NULL;

  if (sample == 0)
    text = g_strdup (_("Taking the profiles: one more, profiled run for each…"));
  else if (self->run_options.suite != NULL)
    text = isfinite (estimate_ns)
      ? g_strdup_printf (_("Sample %u of %u · about %s per operation"), sample,
                         (guint) self->run_options.count, estimate)
      : g_strdup_printf (_("Sample %u of %u"), sample, (guint) self->run_options.count);
  else
    text = isfinite (estimate_ns)
      ? g_strdup_printf (_("Run %u · mean %s"), sample, estimate)
      : g_strdup_printf (_("Run %u"), sample);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GzBenchmarksPage) self = weak_take (data);
  g_autoptr(GError) error = NULL;
  gboolean interrupted = FALSE;
  g_autofree char *warning = NULL;
  GzBenchRun *run = gz_bench_job_run_finish (result, &interrupted, &warning, &error);

  if (self == NULL)
    {
      g_clear_pointer (&run, gz_bench_run_free);
      return;
    }
  self->running = FALSE;
  g_clear_object (&self->run_cancellable);
  if (run == NULL)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
          set_status (self, _("Cancelled: a cut-short sample is not a sample, so nothing was "
                              "kept."), FALSE);
        }
      else
        {
          gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
          set_status (self, error->message, TRUE);
        }
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->run, gz_bench_run_free);
  g_clear_pointer (&self->saved_label, g_free);
  self->run = run;
  self->interrupted = interrupted;
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_progress_bar_set_text (self->progress_bar, interrupted ? _("Interrupted") : _("Done"));
  if (warning != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("No profile: %s"), warning);

      set_status (self, text, TRUE);
    }
  else
    set_status (self, interrupted ? _("Interrupted: the runs measured before are shown and "
                                      "can be saved.") : NULL, FALSE);
  show_results (self);
  update_actions (self);
}

void
gz_benchmarks_page_run (GzBenchmarksPage *self)
{
  g_autoptr(GError) error = NULL;
  GzBenchJobOptions options;

  g_return_if_fail (GZ_IS_BENCHMARKS_PAGE (self));
  if (self->loading || self->running || self->saving)
    return;
  if (!read_form (self, &options, &error))
    {
      set_status (self, error->message, TRUE);
      return;
    }
  self->run_options = options;
  self->run_options.command_line = NULL; /* the form's text; only the suite is kept */
  self->running = TRUE;
  self->run_cancellable = g_cancellable_new ();
  set_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
  update_actions (self);
  gz_bench_job_run_async (&options, self->config, on_run_progress, self, self->run_cancellable,
                          on_run_done, weak_new (self));
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  gz_benchmarks_page_run (GZ_BENCHMARKS_PAGE (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GzBenchmarksPage *self = GZ_BENCHMARKS_PAGE (widget);

  if (self->run_cancellable != NULL)
    {
      g_cancellable_cancel (self->run_cancellable);
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
    }
}

/* --- saving */

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(GzBenchmarksPage) self = weak_take (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = gz_bench_store_save_finish (result, &error);
  g_autofree char *text = NULL;

  if (self == NULL)
    return;
  self->saving = FALSE;
  update_actions (self);
  if (label == NULL)
    {
      text = g_strdup_printf (_("Not saved: %s"), error->message);
      set_status (self, text, TRUE);
      return;
    }
  g_free (self->saved_label);
  self->saved_label = g_strdup (label);
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), label);
  text = g_strdup_printf (_("Saved as “%s” in %s. Compare it with another label on the Compare "
                            "page, or run gz-cli profile compare."), label,
                          gz_results_store_get_dir (self->store));
  set_status (self, text, FALSE);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GzBenchmarksPage *self = GZ_BENCHMARKS_PAGE (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->label_row));
  g_autofree char *label = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;

  if (self->run == NULL || self->store == NULL || self->saving || self->running)
    return;
  if (*label != '\0' && !gz_results_store_check_label (label, &error))
    {
      set_status (self, error->message, TRUE);
      return;
    }
  self->saving = TRUE;
  update_actions (self);
  gz_bench_store_save_async (self->store, label, self->run, self->cancellable, on_saved,
                             weak_new (self));
}

/* --- the configuration (output-dir, results-dir, the profilers' settings) */

static void
on_config_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GzBenchmarksPage) self = weak_take (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = gz_config_new_finish (result, &error);

  if (self == NULL)
    return;
  self->loading = FALSE;
  if (config == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The configuration could not be read (%s); "
                                                 "the defaults are used."), error->message);

      set_status (self, text, TRUE);
    }
  self->config = g_steal_pointer (&config);
  self->store = gz_results_store_new_for_config (self->config);
  update_actions (self);
}

/* --- the widget */

const GzBenchRun *
gz_benchmarks_page_get_run (GzBenchmarksPage *self)
{
  g_return_val_if_fail (GZ_IS_BENCHMARKS_PAGE (self), NULL);
  return self->run;
}

gboolean
gz_benchmarks_page_get_busy (GzBenchmarksPage *self)
{
  g_return_val_if_fail (GZ_IS_BENCHMARKS_PAGE (self), FALSE);
  return self->loading || self->running || self->saving;
}

const char *
gz_benchmarks_page_get_value (GzBenchmarksPage *self,
                              const char       *key)
{
  GtkLabel *label;

  g_return_val_if_fail (GZ_IS_BENCHMARKS_PAGE (self), NULL);
  label = g_hash_table_lookup (self->values, key);
  return label != NULL ? gtk_label_get_text (label) : NULL;
}

GtkWidget *
gz_benchmarks_page_get_histogram (GzBenchmarksPage *self)
{
  g_return_val_if_fail (GZ_IS_BENCHMARKS_PAGE (self), NULL);
  return self->histogram;
}

const char *
gz_benchmarks_page_get_saved_label (GzBenchmarksPage *self)
{
  g_return_val_if_fail (GZ_IS_BENCHMARKS_PAGE (self), NULL);
  return self->saved_label;
}

static void
gz_benchmarks_page_dispose (GObject *object)
{
  GzBenchmarksPage *self = GZ_BENCHMARKS_PAGE (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_BENCHMARKS_PAGE);

  G_OBJECT_CLASS (gz_benchmarks_page_parent_class)->dispose (object);
}

static void
gz_benchmarks_page_finalize (GObject *object)
{
  GzBenchmarksPage *self = GZ_BENCHMARKS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->config);
  g_clear_object (&self->store);
  g_clear_pointer (&self->run, gz_bench_run_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_free (self->saved_label);

  G_OBJECT_CLASS (gz_benchmarks_page_parent_class)->finalize (object);
}

static void
gz_benchmarks_page_class_init (GzBenchmarksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_benchmarks_page_dispose;
  object_class->finalize = gz_benchmarks_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gz/Profile/gz-benchmarks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, benchmark_row);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, command_row);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, iterations_row);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, concurrency_row);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, warmup_row);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, cpu_row);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, iterations_spin);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, concurrency_spin);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, count_spin);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, duration_entry);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, memory_switch);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, cpu_switch);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, results_group);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, profiles_group);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, histogram_box);
  gtk_widget_class_bind_template_child (widget_class, GzBenchmarksPage, label_row);

  gtk_widget_class_install_action (widget_class, "bench.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "bench.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "bench.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "bench.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "bench.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "bench.cancel", NULL);
}

static void
gz_benchmarks_page_init (GzBenchmarksPage *self)
{
  const GzBenchSuite * const *suites = gz_bench_suites_list ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkExpression) expression =
    gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");

  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  for (self->n_suites = 0; suites[self->n_suites] != NULL; self->n_suites++)
    gtk_string_list_append (names, suites[self->n_suites]->name);
  gtk_string_list_append (names, _("Command…"));
  adw_combo_row_set_expression (self->benchmark_row, expression);
  adw_combo_row_set_model (self->benchmark_row, G_LIST_MODEL (names));
  g_signal_connect_swapped (self->benchmark_row, "notify::selected",
                            G_CALLBACK (on_benchmark_selected), self);
  on_benchmark_selected (self);

  self->histogram = gz_histogram_chart_new ();
  gtk_widget_set_size_request (self->histogram, -1, 240);
  gz_chart_set_empty_text (GZ_CHART (self->histogram), _("No timings"));
  gtk_box_append (self->histogram_box, self->histogram);

  self->loading = TRUE;
  update_actions (self);
  gz_config_new_async (NULL, self->cancellable, on_config_loaded, weak_new (self));
}

GtkWidget *
gz_benchmarks_page_new (void)
{
  return g_object_new (GZ_TYPE_BENCHMARKS_PAGE, NULL);
}
