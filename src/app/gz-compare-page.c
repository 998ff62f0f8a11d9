/* gz-compare-page.c: the Compare page: the labels read on a worker, the comparison computed on
 * a worker by the core (gz_bench_compare, as gz-cli profile compare), shown as grouped bars and
 * a table of verdicts, exported through the core's compare formats. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "gz-bench-compare-format.h"
#include "gz-bench-store.h"
#include "gz-bench-ui.h"
#include "gz-chart-bars.h"
#include "gz-compare-page.h"
#include "gz-units.h"

struct _GzComparePage
{
  AdwBin             parent_instance;

  GtkStack          *stack;
  AdwComboRow       *baseline_row;
  AdwComboRow       *current_row;
  GtkLabel          *status_label;
  GtkBox            *chart_box;
  GtkGrid           *table;
  GtkLabel          *notes_label;

  GtkWidget         *chart;
  GtkStringList     *labels;
  GHashTable        *verdicts;           /* "benchmark\nmetric" -> GtkLabel (borrowed) */
  GCancellable      *cancellable;        /* the page's life */
  GCancellable      *compare_cancellable;
  GzConfig          *config;
  GzResultsStore    *store;
  GzBenchComparison *comparison;
  GtkNativeDialog   *chooser;
  gboolean           disposed;
  gboolean           loading;
  gboolean           reload_pending;     /* asked for while the labels were being read */
  gboolean           filling;            /* the dropdowns are being refilled: no comparing */
};

G_DEFINE_FINAL_TYPE (GzComparePage, gz_compare_page, ADW_TYPE_BIN)

/* Async callbacks hold the page weakly (gz-bench-ui.h). */
#define weak_new(self) gz_bench_ui_weak_new (self)
#define weak_take(data) \
  gz_bench_ui_weak_take (data, G_STRUCT_OFFSET (GzComparePage, disposed))

static void
set_status (GzComparePage *self,
            const char    *text,
            gboolean       error)
{
  gz_bench_ui_set_status (self->status_label, text, error);
}

static const char *
selected_label (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static guint
find_label (GzComparePage *self,
            const char    *label)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->labels));

  for (guint i = 0; label != NULL && i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->labels, i), label))
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static void
update_actions (GzComparePage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.reload",
                                 !self->loading && self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.export",
                                 self->comparison != NULL && self->comparison->rows->len > 0);
}

/* --- the table and the chart */

static GtkWidget *
attach_cell (GzComparePage *self,
             const char    *text,
             int            column,
             int            row,
             float          xalign)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_ellipsize (GTK_LABEL (label), column == 0 ? PANGO_ELLIPSIZE_MIDDLE
                                                          : PANGO_ELLIPSIZE_NONE);
  if (column == 0)
    gtk_widget_set_hexpand (label, TRUE);
  if (row == 0)
    gtk_widget_add_css_class (label, "heading");
  else if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (self->table, label, column, row, 1, 1);
  return label;
}

static void
clear_table (GzComparePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))) != NULL)
    gtk_grid_remove (self->table, child);
  g_hash_table_remove_all (self->verdicts);
}

static void
fill_table (GzComparePage     *self,
            GzBenchComparison *c)
{
  int line = 1;

  clear_table (self);
  attach_cell (self, _("Benchmark"), 0, 0, 0);
  attach_cell (self, _("Metric"), 1, 0, 0);
  attach_cell (self, c->baseline, 2, 0, 1);
  attach_cell (self, c->current, 3, 0, 1);
  attach_cell (self, _("Change"), 4, 0, 1);
  attach_cell (self, _("p-value"), 5, 0, 1);
  attach_cell (self, _("Verdict"), 6, 0, 0);
  for (guint i = 0; i < c->rows->len; i++)
    {
      GzBenchComparisonRow *row = g_ptr_array_index (c->rows, i);

      for (guint m = 0; m < GZ_BENCH_N_METRICS; m++)
        {
          GzBenchDelta *d = &row->metrics[m];
          g_autofree char *base = NULL;
          g_autofree char *cur = NULL;
          g_autofree char *change = NULL;
          g_autofree char *p = NULL;
          GtkWidget *verdict;

          if (!d->present)
            continue;
          base = gz_bench_compare_format_estimate (m, d->base_median, d->base_lo, d->base_hi);
          cur = gz_bench_compare_format_estimate (m, d->cur_median, d->cur_lo, d->cur_hi);
          change = d->all_equal ? g_strdup (_("all equal"))
                   : isfinite (d->change) ? g_strdup_printf ("%+.2f%%", d->change)
                   : g_strdup ("+inf%");
          p = isfinite (d->p) ? g_strdup_printf ("%.3f", d->p) : g_strdup ("-");
          attach_cell (self, row->name, 0, line, 0);
          attach_cell (self, gz_bench_metric_unit (m), 1, line, 0);
          attach_cell (self, base, 2, line, 1);
          attach_cell (self, cur, 3, line, 1);
          attach_cell (self, change, 4, line, 1);
          attach_cell (self, p, 5, line, 1);
          verdict = attach_cell (self, gz_bench_verdict_name (d->verdict), 6, line, 0);
          gtk_widget_add_css_class (verdict, d->verdict == GZ_BENCH_VERDICT_REGRESSION ? "error"
                                             : d->verdict == GZ_BENCH_VERDICT_IMPROVEMENT
                                             ? "success" : "dim-label");
          g_hash_table_replace (self->verdicts,
                                g_strdup_printf ("%s\n%s", row->name, gz_bench_metric_key (m)),
                                verdict);
          line++;
        }
    }
}

/* Far apart medians (a command's milliseconds beside a built-in's nanoseconds) would flatten
 * the small ones: then every bar is a percentage of its baseline's median. */
#define RELATIVE_SPREAD 10.0

static void
fill_chart (GzComparePage     *self,
            GzBenchComparison *c)
{
  GzBarChart *chart = GZ_BAR_CHART (self->chart);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *series[2] = { c->baseline, c->current };
  g_autofree char *description = NULL;
  double lo = INFINITY, hi = 0;
  gboolean relative;

  for (guint i = 0; i < c->rows->len; i++)
    {
      GzBenchComparisonRow *row = g_ptr_array_index (c->rows, i);
      GzBenchDelta *d = &row->metrics[GZ_BENCH_METRIC_TIME];

      g_ptr_array_add (names, row->name);
      if (d->present && d->base_median > 0)
        {
          lo = MIN (lo, d->base_median);
          hi = MAX (hi, d->base_median);
        }
    }
  relative = hi > lo * RELATIVE_SPREAD;
  gz_bar_chart_set_groups (chart, (const char * const *) names->pdata, names->len);
  gz_bar_chart_set_series (chart, series, 2);
  gz_bar_chart_set_unit (chart, relative ? GZ_CHART_UNIT_PERCENT : GZ_CHART_UNIT_NANOSECONDS);
  for (guint i = 0; i < c->rows->len; i++)
    {
      GzBenchDelta *d = &((GzBenchComparisonRow *) g_ptr_array_index (c->rows, i))
                           ->metrics[GZ_BENCH_METRIC_TIME];
      double scale = relative ? 100.0 / d->base_median : 1.0;

      if (!d->present || (relative && !(d->base_median > 0)))
        continue;
      gz_bar_chart_set_value (chart, i, 0, d->base_median * scale, d->base_lo * scale,
                              d->base_hi * scale);
      gz_bar_chart_set_value (chart, i, 1, d->cur_median * scale, d->cur_lo * scale,
                              d->cur_hi * scale);
    }
  gz_chart_set_title (GZ_CHART (chart),
                      /* xgettext:no-c-format */
                      relative ? _("Time per operation, percent of the baseline's median, with "
                                   "95% confidence intervals")
                               /* xgettext:no-c-format */
                               : _("Time per operation: medians with 95% confidence intervals"));
  description = g_strdup_printf (_("Median time per operation of %u benchmarks, %s beside %s, "
                                   "with 95%% confidence intervals: %u regressions, "
                                   "%u improvements"),
                                 c->rows->len, c->baseline, c->current, c->n_regressions,
                                 c->n_improvements);
  gz_chart_set_description (GZ_CHART (chart), description);
}

static void
fill_notes (GzComparePage     *self,
            GzBenchComparison *c)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *base = gz_units_format_nanoseconds (c->geomean_base[GZ_BENCH_METRIC_TIME]);
  g_autofree char *cur = gz_units_format_nanoseconds (c->geomean_cur[GZ_BENCH_METRIC_TIME]);

  g_string_append_printf (text, ngettext ("%u regression", "%u regressions", c->n_regressions),
                          c->n_regressions);
  g_string_append (text, ", ");
  g_string_append_printf (text, ngettext ("%u improvement", "%u improvements",
                                          c->n_improvements), c->n_improvements);
  g_string_append_printf (text, _("; geometric mean of ns/op: %s → %s"), base, cur);
  for (guint i = 0; i < c->notes->len; i++)
    g_string_append_printf (text, "\n%s", (const char *) g_ptr_array_index (c->notes, i));
  gtk_label_set_text (self->notes_label, text->str);
}

/* --- comparing */

static void
on_compared (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GzComparePage) self = weak_take (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzBenchComparison) comparison = gz_bench_store_compare_finish (result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->compare_cancellable);
  g_clear_pointer (&self->comparison, gz_bench_comparison_free);
  if (comparison == NULL)
    {
      set_status (self, error->message, TRUE);
      clear_table (self);
      update_actions (self);
      return;
    }
  if (comparison->rows->len == 0)
    {
      g_autofree char *text = g_strdup_printf (_("%s and %s have no benchmark in common; run "
                                                 "the same benchmark for both."),
                                               comparison->baseline, comparison->current);

      set_status (self, text, TRUE);
    }
  else
    set_status (self, NULL, FALSE);
  fill_table (self, comparison);
  fill_chart (self, comparison);
  fill_notes (self, comparison);
  self->comparison = g_steal_pointer (&comparison);
  update_actions (self);
}

static void
compare_selected (GzComparePage *self)
{
  const char *baseline = selected_label (self->baseline_row);
  const char *current = selected_label (self->current_row);

  if (self->filling || self->store == NULL || baseline == NULL || current == NULL)
    return;
  if (self->compare_cancellable != NULL)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  self->compare_cancellable = g_cancellable_new ();
  gz_bench_store_compare_async (self->store, baseline, current, GZ_BENCH_STORE_THRESHOLD,
                                GZ_BENCH_STORE_ALPHA, self->compare_cancellable, on_compared,
                                weak_new (self));
}

gboolean
gz_compare_page_select (GzComparePage *self,
                        const char    *baseline,
                        const char    *current)
{
  guint b, c;

  g_return_val_if_fail (GZ_IS_COMPARE_PAGE (self), FALSE);
  b = find_label (self, baseline);
  c = find_label (self, current);
  if (b == GTK_INVALID_LIST_POSITION || c == GTK_INVALID_LIST_POSITION)
    return FALSE;
  self->filling = TRUE;
  adw_combo_row_set_selected (self->baseline_row, b);
  adw_combo_row_set_selected (self->current_row, c);
  self->filling = FALSE;
  compare_selected (self);
  return TRUE;
}

/* --- the labels */

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GzComparePage) self = weak_take (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) sets = gz_bench_store_list_finish (result, &problems, &error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  g_autofree char *baseline = NULL;
  g_autofree char *current = NULL;
  guint n, b, c;

  if (self == NULL)
    return;
  self->loading = FALSE;
  if (sets == NULL)
    {
      set_status (self, error->message, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "compare");
      update_actions (self);
      return;
    }
  for (guint i = 0; i < sets->len; i++)
    g_strv_builder_add (builder, ((GzResultSet *) g_ptr_array_index (sets, i))->label);
  names = g_strv_builder_end (builder);
  n = g_strv_length (names);

  baseline = g_strdup (selected_label (self->baseline_row));
  current = g_strdup (selected_label (self->current_row));
  self->filling = TRUE;
  gtk_string_list_splice (self->labels, 0, g_list_model_get_n_items (G_LIST_MODEL (self->labels)),
                          (const char * const *) names);
  /* The choices stay when they remain; otherwise the newest two: the one before against the
   * latest. */
  b = find_label (self, baseline);
  c = find_label (self, current);
  if (b == GTK_INVALID_LIST_POSITION)
    b = n >= 2 ? n - 2 : 0;
  if (c == GTK_INVALID_LIST_POSITION)
    c = n >= 1 ? n - 1 : 0;
  if (n > 0)
    {
      adw_combo_row_set_selected (self->baseline_row, b);
      adw_combo_row_set_selected (self->current_row, c);
    }
  self->filling = FALSE;

  if (problems != NULL && problems->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (problems, NULL);
      joined = g_strjoinv ("\n", (char **) problems->pdata);
      set_status (self, joined, TRUE);
    }
  gtk_stack_set_visible_child_name (self->stack, n >= 2 ? "compare" : "empty");
  update_actions (self);
  if (self->reload_pending)
    {
      self->reload_pending = FALSE;
      gz_compare_page_reload (self);
      return;
    }
  if (n >= 2)
    compare_selected (self);
}

void
gz_compare_page_reload (GzComparePage *self)
{
  g_return_if_fail (GZ_IS_COMPARE_PAGE (self));
  if (self->store == NULL || self->loading)
    {
      self->reload_pending = TRUE;
      return;
    }
  self->loading = TRUE;
  update_actions (self);
  gz_bench_store_list_async (self->store, self->cancellable, on_listed, weak_new (self));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gz_compare_page_reload (GZ_COMPARE_PAGE (widget));
}

static void
on_config_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GzComparePage) self = weak_take (data);
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;
  self->config = gz_config_new_finish (result, &error);
  if (self->config == NULL)
    set_status (self, error->message, TRUE);
  self->store = gz_results_store_new_for_config (self->config);
  self->reload_pending = FALSE;
  self->loading = FALSE;
  gz_compare_page_reload (self);
}

/* --- export */

static void
on_replaced (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
gz_compare_page_export_async (GzComparePage       *self,
                              GFile               *file,
                              GzBenchFormat        format,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  g_return_if_fail (GZ_IS_COMPARE_PAGE (self));
  g_task_set_source_tag (task, gz_compare_page_export_async);
  if (self->comparison == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("There is no comparison to export yet"));
      return;
    }
  text = gz_bench_compare_format (self->comparison, format);
  bytes = g_bytes_new_take (text, strlen (text));
  /* GIO writes a temporary file and renames it over @file: never half a file. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, cancellable,
                                       on_replaced, g_steal_pointer (&task));
}

gboolean
gz_compare_page_export_finish (GzComparePage *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GzComparePage *self = GZ_COMPARE_PAGE (source);
  g_autoptr(GFile) file = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_parse_name (file);
  g_autofree char *text = NULL;

  if (!gz_compare_page_export_finish (self, result, &error))
    {
      if (self->disposed)
        return;
      text = g_strdup_printf (_("Not exported: %s"), error->message);
      set_status (self, text, TRUE);
      return;
    }
  if (self->disposed)
    return;
  text = g_strdup_printf (_("Exported to %s"), path);
  set_status (self, text, FALSE);
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         data)
{
  GzComparePage *self = data;
  GzBenchFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "gz-format"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    gz_compare_page_export_async (self, file, format, self->cancellable, on_exported,
                                  g_object_ref (file));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GzComparePage *self = GZ_COMPARE_PAGE (widget);
  gboolean json = g_str_equal (g_variant_get_string (parameter, NULL), "json");
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *name = NULL;

  if (self->comparison == NULL || self->chooser != NULL)
    return;
  self->chooser = GTK_NATIVE_DIALOG (
    gtk_file_chooser_native_new (json ? _("Export the Comparison as JSON")
                                      : _("Export the Comparison as Markdown"),
                                 GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel")));
  name = g_strdup_printf ("compare-%s-%s.%s", self->comparison->baseline,
                          self->comparison->current, json ? "json" : "md");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_native_dialog_set_modal (self->chooser, TRUE);
  g_object_set_data (G_OBJECT (self->chooser), "gz-format",
                     GINT_TO_POINTER (json ? GZ_BENCH_FORMAT_JSON : GZ_BENCH_FORMAT_MARKDOWN));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (self->chooser);
}

/* --- the widget */

gboolean
gz_compare_page_get_busy (GzComparePage *self)
{
  g_return_val_if_fail (GZ_IS_COMPARE_PAGE (self), FALSE);
  return self->store == NULL || self->loading || self->compare_cancellable != NULL;
}

GListModel *
gz_compare_page_get_labels (GzComparePage *self)
{
  g_return_val_if_fail (GZ_IS_COMPARE_PAGE (self), NULL);
  return G_LIST_MODEL (self->labels);
}

const GzBenchComparison *
gz_compare_page_get_comparison (GzComparePage *self)
{
  g_return_val_if_fail (GZ_IS_COMPARE_PAGE (self), NULL);
  return self->comparison;
}

GtkWidget *
gz_compare_page_get_chart (GzComparePage *self)
{
  g_return_val_if_fail (GZ_IS_COMPARE_PAGE (self), NULL);
  return self->chart;
}

const char *
gz_compare_page_get_verdict (GzComparePage *self,
                             const char    *benchmark,
                             GzBenchMetric  metric)
{
  g_autofree char *key = NULL;
  GtkLabel *label;

  g_return_val_if_fail (GZ_IS_COMPARE_PAGE (self), NULL);
  g_return_val_if_fail (metric < GZ_BENCH_N_METRICS, NULL);
  key = g_strdup_printf ("%s\n%s", benchmark, gz_bench_metric_key (metric));
  label = g_hash_table_lookup (self->verdicts, key);
  return label != NULL ? gtk_label_get_text (label) : NULL;
}

static void
gz_compare_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (gz_compare_page_parent_class)->map (widget);
  /* Shown: labels may have been saved since (by the Benchmarks page or gz-cli). */
  gz_compare_page_reload (GZ_COMPARE_PAGE (widget));
}

static void
gz_compare_page_dispose (GObject *object)
{
  GzComparePage *self = GZ_COMPARE_PAGE (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->compare_cancellable != NULL)
    g_cancellable_cancel (self->compare_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_COMPARE_PAGE);

  G_OBJECT_CLASS (gz_compare_page_parent_class)->dispose (object);
}

static void
gz_compare_page_finalize (GObject *object)
{
  GzComparePage *self = GZ_COMPARE_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->compare_cancellable);
  g_clear_object (&self->config);
  g_clear_object (&self->store);
  g_clear_object (&self->labels);
  g_clear_pointer (&self->comparison, gz_bench_comparison_free);
  g_clear_pointer (&self->verdicts, g_hash_table_unref);

  G_OBJECT_CLASS (gz_compare_page_parent_class)->finalize (object);
}

static void
gz_compare_page_class_init (GzComparePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_compare_page_dispose;
  object_class->finalize = gz_compare_page_finalize;
  widget_class->map = gz_compare_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gz/Profile/gz-compare-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GzComparePage, baseline_row);
  gtk_widget_class_bind_template_child (widget_class, GzComparePage, current_row);
  gtk_widget_class_bind_template_child (widget_class, GzComparePage, status_label);
  gtk_widget_class_bind_template_child (widget_class, GzComparePage, chart_box);
  gtk_widget_class_bind_template_child (widget_class, GzComparePage, table);
  gtk_widget_class_bind_template_child (widget_class, GzComparePage, notes_label);

  gtk_widget_class_install_action (widget_class, "compare.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "compare.export", "s", export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "compare.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "compare.reload", NULL);
}

static void
gz_compare_page_init (GzComparePage *self)
{
  g_autoptr(GtkExpression) expression = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The bin's own child: not a bound template child, which dispose would unparent behind the
   * bin's back. */
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));
  self->cancellable = g_cancellable_new ();
  self->verdicts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->labels = gtk_string_list_new (NULL);

  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  adw_combo_row_set_expression (self->baseline_row, expression);
  adw_combo_row_set_expression (self->current_row, expression);
  adw_combo_row_set_model (self->baseline_row, G_LIST_MODEL (self->labels));
  adw_combo_row_set_model (self->current_row, G_LIST_MODEL (self->labels));
  g_signal_connect_swapped (self->baseline_row, "notify::selected",
                            G_CALLBACK (compare_selected), self);
  g_signal_connect_swapped (self->current_row, "notify::selected",
                            G_CALLBACK (compare_selected), self);

  self->chart = gz_bar_chart_new ();
  gtk_widget_set_size_request (self->chart, -1, 260);
  gz_chart_set_title (GZ_CHART (self->chart),
                      /* xgettext:no-c-format */
                      _("Time per operation: medians with 95% confidence intervals"));
  gtk_box_append (self->chart_box, self->chart);

  gtk_stack_set_visible_child_name (self->stack, "loading");
  self->loading = TRUE; /* until the configuration says where the results are */
  update_actions (self);
  gz_config_new_async (NULL, self->cancellable, on_config_loaded, weak_new (self));
}

GtkWidget *
gz_compare_page_new (void)
{
  return g_object_new (GZ_TYPE_COMPARE_PAGE, NULL);
}
