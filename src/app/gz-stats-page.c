/* gz-stats-page.c: the Statistics page: a target (this app, a process started with
 * `gz-cli profile run`, a pprof URL) sampled on a worker every second while the page is shown,
 * four live charts, one row per value of the statistics' JSON, pause and export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "gz-chart-time-series.h"
#include "gz-preload-paths.h"
#include "gz-process-list.h"
#include "gz-stats-page.h"
#include "gz-stats-values.h"
#include "gz-target-client.h"

#define REFRESH_INTERVAL_MS 1000
/* Five minutes at one sample a second: an hour on the page holds no more than this. */
#define CHART_CAPACITY 300
#define CHART_WINDOW_SECONDS 300.0

typedef enum
{
  TARGET_SELF,
  TARGET_PID,
  TARGET_URL,
} TargetKind;

/* The charts, in the grid's order. */
enum
{
  CHART_ALLOCATED,
  CHART_RSS,
  CHART_THREADS,
  CHART_CPU,
  N_CHARTS
};

struct _GzStatsPage
{
  AdwBin parent_instance;

  AdwComboRow *target_row;
  AdwComboRow *process_row;
  GtkButton *refresh_processes_button;
  AdwEntryRow *url_row;
  AdwEntryRow *token_row;
  GtkLabel *status_label;
  GtkToggleButton *pause_button;
  GtkLabel *error_label;
  GtkGrid *charts_grid;
  GzStatsValues *values;

  GzTimeSeriesChart *charts[N_CHARTS];
  JsonNode *last;     /* the last statistics collected, for export */

  TargetKind kind;
  GzTargetClient *client;       /* NULL for this process */
  guint generation;             /* bumped when the target changes: older results are dropped */
  GCancellable *target_cancellable;
  guint n_in_flight;            /* collections of the current target on a worker */
  double prev_cpu_seconds;      /* for CPU usage: the previous sample's CPU and uptime */
  double prev_uptime;

  GzProcessList *processes;
  GArray *process_pids;         /* of int, the process row's entries */

  guint refresh_source;
  gboolean paused;
  GCancellable *cancellable;    /* cancelled on dispose */
};

G_DEFINE_FINAL_TYPE (GzStatsPage, gz_stats_page, ADW_TYPE_BIN)

/* The number at @section.@key ("memory", "rss_bytes"; a top-level @key for a NULL @section),
 * NAN when it is missing or not a number. */
static double
number_at (JsonObject *root,
           const char *section,
           const char *key)
{
  JsonNode *node;

  if (section != NULL)
    {
      if (!json_object_has_member (root, section)
          || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, section)))
        return NAN;
      root = json_object_get_object_member (root, section);
    }
  node = json_object_get_member (root, key);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NAN;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      return json_node_get_double (node);
    default:
      return NAN;
    }
}

/* One point on each chart for @stats, sampled at @time (monotonic seconds). */
static void
gz_stats_page_push_points (GzStatsPage *self,
                           JsonObject  *stats,
                           double       time)
{
  double allocated = number_at (stats, "memory", "allocator_in_use_bytes");
  double cpu = number_at (stats, "cpu", "user_seconds") + number_at (stats, "cpu",
                                                                     "system_seconds");
  double uptime = number_at (stats, NULL, "uptime_seconds");
  double cpu_percent = NAN;

  /* Without an allocator that says what is in use, the heap sampler's estimate. */
  if (!isfinite (allocated))
    allocated = number_at (stats, "allocations", "live_bytes_estimate");
  if (!isfinite (uptime))
    uptime = time;
  /* CPU time over the target's own clock since the previous sample (100 % = one CPU). */
  if (isfinite (self->prev_cpu_seconds) && isfinite (cpu) && uptime > self->prev_uptime)
    cpu_percent = MAX (0, (cpu - self->prev_cpu_seconds) / (uptime - self->prev_uptime) * 100);
  self->prev_cpu_seconds = cpu;
  self->prev_uptime = uptime;

  gz_time_series_chart_push (self->charts[CHART_ALLOCATED], 0, time, allocated);
  gz_time_series_chart_push (self->charts[CHART_RSS], 0, time,
                             number_at (stats, "memory", "rss_bytes"));
  gz_time_series_chart_push (self->charts[CHART_THREADS], 0, time,
                             number_at (stats, NULL, "threads"));
  gz_time_series_chart_push (self->charts[CHART_CPU], 0, time, cpu_percent);
}

/* What to do about a failure, by target. */
static const char *
gz_stats_page_error_hint (GzStatsPage *self)
{
  switch (self->kind)
    {
    case TARGET_PID:
      return _("Check that the process still runs; statistics come from a program started "
               "with “gz-cli profile run -- PROGRAM”.");
    case TARGET_URL:
      return _("Check the URL and that a gz server listens there (“gz-cli profile server”, "
               "or the Server page of this app).");
    case TARGET_SELF:
    default:
      return "";
    }
}

static void
gz_stats_page_show_error (GzStatsPage *self,
                          const char  *message,
                          gboolean     with_hint)
{
  g_autofree char *text = NULL;
  const char *hint = with_hint ? gz_stats_page_error_hint (self) : "";
  gsize len;

  if (message == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      return;
    }
  /* The core's messages may end a sentence themselves ("is the service running?"). */
  len = strlen (message);
  text = g_strdup_printf (_("Could not read the statistics: %s%s %s"), message,
                          len > 0 && strchr (".?!", message[len - 1]) != NULL ? "" : ".", hint);
  gtk_label_set_text (self->error_label, g_strchomp (text));
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

/* Shows @stats, or the error that kept them from being read. FALSE for the error. */
static gboolean
gz_stats_page_apply (GzStatsPage  *self,
                     JsonNode     *stats,
                     const GError *error)
{
  if (stats == NULL || !JSON_NODE_HOLDS_OBJECT (stats))
    {
      gz_stats_page_show_error (self, error != NULL ? error->message : _("not a JSON object"),
                                TRUE);
      return FALSE;
    }

  gz_stats_page_show_error (self, NULL, FALSE);
  gz_stats_values_update (self->values, json_node_get_object (stats));
  gz_stats_page_push_points (self, json_node_get_object (stats),
                             g_get_monotonic_time () / (double) G_USEC_PER_SEC);
  g_clear_pointer (&self->last, json_node_unref);
  self->last = json_node_ref (stats);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stats.export", TRUE);
  return TRUE;
}

typedef struct
{
  GzTargetClient *client;   /* NULL: this process */
  guint generation;
} CollectData;

static void
collect_data_free (gpointer data)
{
  CollectData *collect = data;

  g_clear_object (&collect->client);
  g_free (collect);
}

/* On the worker: reading /proc, the allocator or another process is the slow part. */
static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CollectData *collect = task_data;
  GError *error = NULL;
  JsonNode *stats;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (collect->client != NULL)
    stats = gz_target_client_fetch_stats (collect->client, cancellable, &error);
  else
    stats = gz_process_stats_collect (&error);
  if (stats == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stats, (GDestroyNotify) json_node_unref);
}

/* Back on the main thread: @user_data is the caller's task, whose source is the page. */
static void
collect_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GzStatsPage *self = g_task_get_source_object (task);
  CollectData *collect = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = g_task_propagate_pointer (G_TASK (result), &error);

  /* Disposed meanwhile (the window closed): nothing left to fill in. */
  if (self->cancellable == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the statistics page is gone");
      return;
    }
  /* The target changed or the page paused meanwhile: the figures are not wanted. */
  if (collect->generation != self->generation)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the statistics page changed its target or paused");
      return;
    }
  self->n_in_flight--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!gz_stats_page_apply (self, stats, error))
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "the statistics are not a JSON object");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
gz_stats_page_refresh_async (GzStatsPage         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  CollectData *collect;

  g_return_if_fail (GZ_IS_STATS_PAGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_stats_page_refresh_async);

  collect = g_new0 (CollectData, 1);
  collect->client = self->client != NULL ? g_object_ref (self->client) : NULL;
  collect->generation = self->generation;

  /* The worker's task has no source object: if the worker dropped the last reference to it,
   * the page would be released off the main thread. The caller's task keeps the page alive. */
  worker = g_task_new (NULL, cancellable, collect_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, collect_thread);
  g_task_set_task_data (worker, collect, collect_data_free);
  self->n_in_flight++;
  g_task_run_in_thread (worker, collect_thread);
}

gboolean
gz_stats_page_refresh_finish (GzStatsPage   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
gz_stats_page_get_value (GzStatsPage *self,
                         const char  *path)
{
  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), NULL);

  return self->values != NULL ? gz_stats_values_get (self->values, path) : NULL;
}

guint
gz_stats_page_get_n_points (GzStatsPage *self)
{
  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), 0);

  return gz_time_series_chart_get_n_points (self->charts[CHART_RSS], 0);
}

/* "This application (pid 42), every second", "Paused", … */
static void
gz_stats_page_update_status (GzStatsPage *self)
{
  g_autofree char *target = NULL;
  g_autofree char *text = NULL;

  if (self->client != NULL)
    target = g_strdup (gz_target_client_get_name (self->client));
  else if (self->kind == TARGET_SELF)
    target = g_strdup_printf (_("This application (pid %d)"), (int) getpid ());

  if (target == NULL)
    text = g_strdup (self->kind == TARGET_PID
                       ? _("Choose a process started with “gz-cli profile run”.")
                       : _("Type the URL of a gz server and press Enter."));
  else if (self->paused)
    text = g_strdup_printf (_("%s: paused"), target);
  else
    text = g_strdup_printf (_("%s: sampled every second"), target);
  gtk_label_set_text (self->status_label, text);
}

/* Collections on a worker now will be dropped when they come back (and cancelled if they can
 * be): their figures belong to an older target, or arrive after a pause. */
static void
gz_stats_page_drop_in_flight (GzStatsPage *self)
{
  self->generation++;
  g_cancellable_cancel (self->target_cancellable);
  g_clear_object (&self->target_cancellable);
  self->target_cancellable = g_cancellable_new ();
  self->n_in_flight = 0;
}

/* One refresh at a time from the timer: on a busy machine (or a slow target) a tick is
 * skipped rather than piling collections up. */
static void
gz_stats_page_refresh_now (GzStatsPage *self)
{
  if (self->n_in_flight == 0 && (self->kind == TARGET_SELF || self->client != NULL))
    gz_stats_page_refresh_async (self, self->target_cancellable, NULL, NULL);
}

static gboolean
gz_stats_page_refresh_cb (gpointer user_data)
{
  gz_stats_page_refresh_now (GZ_STATS_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

/* Samples while shown and not paused, and only then. */
static void
gz_stats_page_update_timer (GzStatsPage *self)
{
  gboolean run = gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->paused;

  if (run && self->refresh_source == 0)
    {
      /* Back after a pause or another page: a gap, not a line across the time unseen. */
      if (gz_stats_page_get_n_points (self) > 0)
        for (guint i = 0; i < N_CHARTS; i++)
          gz_time_series_chart_push (self->charts[i], 0,
                                     g_get_monotonic_time () / (double) G_USEC_PER_SEC, NAN);
      gz_stats_page_refresh_now (self);
      self->refresh_source = g_timeout_add (REFRESH_INTERVAL_MS, gz_stats_page_refresh_cb, self);
    }
  else if (!run)
    g_clear_handle_id (&self->refresh_source, g_source_remove);
}

void
gz_stats_page_set_paused (GzStatsPage *self,
                          gboolean     paused)
{
  g_return_if_fail (GZ_IS_STATS_PAGE (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  /* A collection on its way would still add a point: a paused chart stands still. */
  if (paused)
    gz_stats_page_drop_in_flight (self);
  if (gtk_toggle_button_get_active (self->pause_button) != paused)
    gtk_toggle_button_set_active (self->pause_button, paused);
  gtk_button_set_label (GTK_BUTTON (self->pause_button), paused ? _("_Resume") : _("_Pause"));
  gz_stats_page_update_timer (self);
  gz_stats_page_update_status (self);
}

gboolean
gz_stats_page_get_paused (GzStatsPage *self)
{
  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), FALSE);

  return self->paused;
}

static void
pause_toggled_cb (GtkToggleButton *button,
                  GzStatsPage     *self)
{
  gz_stats_page_set_paused (self, gtk_toggle_button_get_active (button));
}

/* A new target: older collections are dropped, the charts and rows start again. */
static void
gz_stats_page_reset (GzStatsPage    *self,
                     TargetKind      kind,
                     GzTargetClient *client)
{
  self->kind = kind;
  g_set_object (&self->client, client);
  gz_stats_page_drop_in_flight (self);
  self->prev_cpu_seconds = NAN;
  self->prev_uptime = NAN;
  g_clear_pointer (&self->last, json_node_unref);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stats.export", FALSE);

  for (guint i = 0; i < N_CHARTS; i++)
    gz_time_series_chart_clear (self->charts[i]);
  gz_stats_values_clear (self->values);
  gz_stats_page_show_error (self, NULL, FALSE);
  gz_stats_page_update_status (self);

  /* Sample the new target at once rather than at the next tick. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->paused)
    gz_stats_page_refresh_now (self);
}

/* Shows the rows of @kind and selects it, without calling back into the target code. */
static void gz_stats_page_target_selected_cb (GzStatsPage *self);

static void
gz_stats_page_show_kind (GzStatsPage *self,
                         TargetKind   kind)
{
  gtk_widget_set_visible (GTK_WIDGET (self->process_row), kind == TARGET_PID);
  gtk_widget_set_visible (GTK_WIDGET (self->refresh_processes_button), kind == TARGET_PID);
  gtk_widget_set_visible (GTK_WIDGET (self->url_row), kind == TARGET_URL);
  gtk_widget_set_visible (GTK_WIDGET (self->token_row), kind == TARGET_URL);
  if (adw_combo_row_get_selected (self->target_row) != (guint) kind)
    {
      g_signal_handlers_block_by_func (self->target_row, gz_stats_page_target_selected_cb, self);
      adw_combo_row_set_selected (self->target_row, kind);
      g_signal_handlers_unblock_by_func (self->target_row, gz_stats_page_target_selected_cb,
                                         self);
    }
}

void
gz_stats_page_set_target_self (GzStatsPage *self)
{
  g_return_if_fail (GZ_IS_STATS_PAGE (self));

  gz_stats_page_show_kind (self, TARGET_SELF);
  gz_stats_page_reset (self, TARGET_SELF, NULL);
}

gboolean
gz_stats_page_set_target_pid (GzStatsPage  *self,
                              int           pid,
                              GError      **error)
{
  g_autofree char *socket_path = NULL;
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), FALSE);

  gz_stats_page_show_kind (self, TARGET_PID);
  /* Only checks that the socket is there: no request on the main thread. */
  socket_path = gz_agent_socket_path (pid);
  client = gz_target_client_new_for_socket (pid, socket_path, &local_error);
  gz_stats_page_reset (self, TARGET_PID, client);
  if (client == NULL)
    {
      /* These messages say what to do already. */
      gz_stats_page_show_error (self, local_error->message, FALSE);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
gz_stats_page_set_target_url (GzStatsPage  *self,
                              const char   *url,
                              const char   *token_file,
                              GError      **error)
{
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  gz_stats_page_show_kind (self, TARGET_URL);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->url_row)), url) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  client = gz_target_client_new_for_url (url, token_file, &local_error);
  gz_stats_page_reset (self, TARGET_URL, client);
  if (client == NULL)
    {
      /* These messages say what to do already. */
      gz_stats_page_show_error (self, local_error->message, FALSE);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static void process_selected_cb (GzStatsPage *self);

/* The process row lists the user's processes started with `gz-cli profile run` (a socket). */
static void
processes_refreshed_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GzStatsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) processes = gz_process_list_refresh_finish (GZ_PROCESS_LIST (object),
                                                                    result, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_processes_button), TRUE);
  g_array_set_size (self->process_pids, 0);
  for (guint i = 0; processes != NULL && i < processes->len; i++)
    {
      GzProcessInfo *info = g_ptr_array_index (processes, i);
      g_autofree char *name = NULL;

      if (!info->has_agent || info->pid == (int) getpid ())
        continue;
      name = g_strdup_printf ("%d  %s", info->pid, info->command_line);
      gtk_string_list_append (names, name);
      g_array_append_val (self->process_pids, info->pid);
    }
  /* Looking again keeps the process being watched, if it is still there. */
  g_signal_handlers_block_by_func (self->process_row, process_selected_cb, self);
  adw_combo_row_set_model (self->process_row, G_LIST_MODEL (names));
  for (guint i = 0; self->client != NULL && i < self->process_pids->len; i++)
    if (g_array_index (self->process_pids, int, i) == gz_target_client_get_pid (self->client))
      adw_combo_row_set_selected (self->process_row, i);
  g_signal_handlers_unblock_by_func (self->process_row, process_selected_cb, self);

  if (self->kind != TARGET_PID)
    return;
  if (error != NULL)
    gz_stats_page_show_error (self, error->message, FALSE);
  else if (self->process_pids->len == 0)
    {
      gtk_label_set_text (self->error_label,
                          _("No process of yours was started with “gz-cli profile run”. "
                            "Start a program with “gz-cli profile run -- PROGRAM”, then look "
                            "again with the button beside Pause."));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
  else
    /* The selected process (the first, unless the one watched is still there). */
    process_selected_cb (self);
}

static void
gz_stats_page_refresh_processes (GzStatsPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_processes_button), FALSE);
  gz_process_list_refresh_async (self->processes, self->cancellable, processes_refreshed_cb,
                                 g_object_ref (self));
}

static void
gz_stats_page_target_selected_cb (GzStatsPage *self)
{
  switch (adw_combo_row_get_selected (self->target_row))
    {
    case TARGET_PID:
      gz_stats_page_show_kind (self, TARGET_PID);
      gz_stats_page_reset (self, TARGET_PID, NULL);
      gz_stats_page_refresh_processes (self);
      break;
    case TARGET_URL:
      gz_stats_page_show_kind (self, TARGET_URL);
      gz_stats_page_reset (self, TARGET_URL, NULL);
      gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
      break;
    case TARGET_SELF:
    default:
      gz_stats_page_set_target_self (self);
      break;
    }
}

static void
process_selected_cb (GzStatsPage *self)
{
  guint i = adw_combo_row_get_selected (self->process_row);

  if (self->kind != TARGET_PID || i >= self->process_pids->len)
    return;
  if (self->client != NULL
      && gz_target_client_get_pid (self->client) == g_array_index (self->process_pids, int, i))
    return;
  gz_stats_page_set_target_pid (self, g_array_index (self->process_pids, int, i), NULL);
}

static void
url_applied_cb (GzStatsPage *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *token_file = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  gz_stats_page_set_target_url (self, url, *token_file != '\0' ? token_file : NULL, NULL);
}

/* Export: the last values, written atomically off the main thread by GIO. */
static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
gz_stats_page_export_async (GzStatsPage          *self,
                            GFile                *file,
                            GzProcessStatsFormat  format,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;
  GBytes *bytes;

  g_return_if_fail (GZ_IS_STATS_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_stats_page_export_async);
  if (self->last == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("No statistics have been collected yet"));
      return;
    }
  if (format != GZ_PROCESS_STATS_FORMAT_JSON && format != GZ_PROCESS_STATS_FORMAT_YAML)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "statistics are exported as JSON or YAML");
      return;
    }
  text = gz_process_stats_format (self->last, format);
  bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
  /* replace_contents writes a temporary file and renames it over @file: never half a file. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       cancellable, export_written_cb, g_steal_pointer (&task));
  g_bytes_unref (bytes);
}

gboolean
gz_stats_page_export_finish (GzStatsPage   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (GZ_IS_STATS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GFile) file = user_data;
  GzStatsPage *self = GZ_STATS_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  g_autofree char *text = NULL;

  if (!gz_stats_page_export_finish (self, result, &error))
    {
      if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not save %s: %s"), name, error->message);
      gtk_label_set_text (self->error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  text = g_strdup_printf (_("Saved the values to %s"), name);
  gtk_label_set_text (self->status_label, text);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    GzStatsPage     *self)
{
  GzProcessStatsFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog),
                                                                    "gz-format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      GFile *file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        gz_stats_page_export_async (self, file, format, self->cancellable, export_done_cb, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GzStatsPage *self = GZ_STATS_PAGE (widget);
  GzProcessStatsFormat format;
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!gz_process_stats_format_from_string (g_variant_get_string (parameter, NULL), &format))
    return;
  name = g_strdup_printf ("gz-stats-%s.%s",
                          self->client != NULL ? gz_target_client_get_name (self->client)
                                               : "gz-profile",
                          format == GZ_PROCESS_STATS_FORMAT_JSON ? "json" : "yaml");
  /* "pid 42" or a URL make no file name: keep letters, digits, dots and dashes. */
  g_strcanon (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", '-');
  dialog = gtk_file_chooser_native_new (_("Export Statistics"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data (G_OBJECT (dialog), "gz-format", GINT_TO_POINTER (format));
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
gz_stats_page_add_charts (GzStatsPage *self)
{
  static const struct
  {
    const char *title;
    GzChartUnit unit;
  } charts[N_CHARTS] = {
    [CHART_ALLOCATED] = { N_("Allocated memory"), GZ_CHART_UNIT_BYTES },
    [CHART_RSS] = { N_("Resident memory (RSS)"), GZ_CHART_UNIT_BYTES },
    [CHART_THREADS] = { N_("Threads"), GZ_CHART_UNIT_COUNT },
    [CHART_CPU] = { N_("CPU usage (100 % = one CPU)"), GZ_CHART_UNIT_PERCENT },
  };

  for (guint i = 0; i < N_CHARTS; i++)
    {
      GtkWidget *chart = gz_time_series_chart_new (CHART_CAPACITY);

      self->charts[i] = GZ_TIME_SERIES_CHART (chart);
      gz_chart_set_title (GZ_CHART (chart), _(charts[i].title));
      /* Blue, green, orange, purple: each chart its own colour. */
      gz_chart_set_first_color (GZ_CHART (chart), i);
      gz_chart_set_empty_text (GZ_CHART (chart), _("Waiting for the first samples…"));
      gz_time_series_chart_add_series (self->charts[i], _(charts[i].title));
      gz_time_series_chart_set_unit (self->charts[i], charts[i].unit);
      gz_time_series_chart_set_window (self->charts[i], CHART_WINDOW_SECONDS);
      gtk_widget_set_size_request (chart, -1, 180);
      gtk_widget_set_hexpand (chart, TRUE);
      gtk_grid_attach (self->charts_grid, chart, i % 2, i / 2, 1, 1);
    }
}

static void
gz_stats_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (gz_stats_page_parent_class)->map (widget);

  /* Only collect while someone can see the numbers. */
  gz_stats_page_update_timer (GZ_STATS_PAGE (widget));
}

static void
gz_stats_page_unmap (GtkWidget *widget)
{
  GzStatsPage *self = GZ_STATS_PAGE (widget);

  g_clear_handle_id (&self->refresh_source, g_source_remove);

  GTK_WIDGET_CLASS (gz_stats_page_parent_class)->unmap (widget);
}

static void
gz_stats_page_dispose (GObject *object)
{
  GzStatsPage *self = GZ_STATS_PAGE (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->target_cancellable);
  g_clear_object (&self->target_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GZ_TYPE_STATS_PAGE);
  g_clear_pointer (&self->last, json_node_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->processes);
  g_clear_pointer (&self->process_pids, g_array_unref);

  G_OBJECT_CLASS (gz_stats_page_parent_class)->dispose (object);
}

static void
gz_stats_page_class_init (GzStatsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_stats_page_dispose;
  widget_class->map = gz_stats_page_map;
  widget_class->unmap = gz_stats_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gz/Profile/gz-stats-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, target_row);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, process_row);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, refresh_processes_button);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, charts_grid);
  gtk_widget_class_bind_template_child (widget_class, GzStatsPage, values);

  gtk_widget_class_install_action (widget_class, "stats.export", "s", export_action);
  g_type_ensure (GZ_TYPE_STATS_VALUES);
}

static void
gz_stats_page_init (GzStatsPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->target_cancellable = g_cancellable_new ();
  self->processes = gz_process_list_new ();
  self->process_pids = g_array_new (FALSE, FALSE, sizeof (int));
  self->prev_cpu_seconds = NAN;
  self->prev_uptime = NAN;

  gtk_widget_init_template (GTK_WIDGET (self));
  gz_stats_page_add_charts (self);
  gz_stats_page_update_status (self);

  g_signal_connect_swapped (self->target_row, "notify::selected",
                            G_CALLBACK (gz_stats_page_target_selected_cb), self);
  g_signal_connect_swapped (self->process_row, "notify::selected",
                            G_CALLBACK (process_selected_cb), self);
  g_signal_connect_swapped (self->refresh_processes_button, "clicked",
                            G_CALLBACK (gz_stats_page_refresh_processes), self);
  g_signal_connect_swapped (self->url_row, "apply", G_CALLBACK (url_applied_cb), self);
  g_signal_connect_swapped (self->token_row, "apply", G_CALLBACK (url_applied_cb), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stats.export", FALSE);
  g_signal_connect (self->pause_button, "toggled", G_CALLBACK (pause_toggled_cb), self);
}

GtkWidget *
gz_stats_page_new (void)
{
  return g_object_new (GZ_TYPE_STATS_PAGE, NULL);
}
