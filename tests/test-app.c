/* test-app.c: the desktop app's objects: application actions and shortcuts, the window's pages
 * and saved state, the statistics page, the Server page's switch and the preferences. Needs a display: meson runs it
 * under Xvfb through xvfb-run-test.sh; without one every subtest is skipped, saying why. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "gz-application.h"
#include "gz-chart-time-series.h"
#include "gz-config.h"
#include "gz-pprof-server.h"
#include "gz-preferences-window.h"
#include "gz-preload-paths.h"
#include "gz-server-page.h"
#include "gz-stats-page.h"
#include "gz-process-stats.h"
#include "gz-target-client.h"
#include "gz-test-app.h"
#include "gz-window.h"

static GzApplication *app;

static void
test_app_actions (void)
{
  static const char * const actions[] = {
    "new-session", "run-benchmark", "quit", "about", "preferences", "show-page"
  };
  g_auto(GStrv) quit_accels = NULL;
  g_auto(GStrv) page_accels = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), actions[i]));

  quit_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_true (g_strv_contains ((const char * const *) quit_accels, "<Control>q"));
  g_clear_pointer (&quit_accels, g_strfreev);
  quit_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.new-session");
  g_assert_true (g_strv_contains ((const char * const *) quit_accels, "<Control>n"));
  page_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                       "app.show-page::statistics");
  g_assert_true (g_strv_contains ((const char * const *) page_accels, "<Alt>4"));
}

static GtkWidget *find_widget (GtkWidget *widget,
                               GType      type);

static void
test_app_window_pages (void)
{
  static const char * const pages[] = {
    "sessions", "benchmarks", "compare", "statistics", "server", "viewer"
  };
  GzWindow *window = gz_window_new (app);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_assert_true (gz_window_is_page_name (pages[i]));
      gz_window_set_visible_page (window, pages[i]);
      g_assert_cmpstr (gz_window_get_visible_page (window), ==, pages[i]);
    }
  g_assert_false (gz_window_is_page_name ("flamegraph"));

  /* Every page fits a window 700 px wide (window/state below resizes to that): the window is as
   * wide as its widest page, whichever is shown. */
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *page = adw_view_stack_get_child_by_name (
        ADW_VIEW_STACK (find_widget (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK)), pages[i]);
      int minimum;

      gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      if (minimum > 700)
        g_error ("the %s page needs %d px: the window cannot be narrower (let its widest part "
                 "scroll or wrap)", pages[i], minimum);
    }
  g_assert_false (gz_window_is_page_name (NULL));

  /* The app action reaches the existing window rather than opening another. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-page",
                                  g_variant_new_string ("benchmarks"));
  g_assert_cmpstr (gz_window_get_visible_page (window), ==, "benchmarks");
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_app_window_state (void)
{
  g_autoptr(GSettings) settings = g_settings_new (GZ_SCHEMA_ID);
  g_autofree char *last_page = NULL;
  GzWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 800);
  g_settings_set_int (settings, "window-height", 500);
  g_settings_set_string (settings, "last-page", "viewer");

  window = gz_window_new (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 800);
  g_assert_cmpint (height, ==, 500);
  g_assert_cmpstr (gz_window_get_visible_page (window), ==, "viewer");

  gtk_window_set_default_size (GTK_WINDOW (window), 700, 450);
  gz_window_set_visible_page (window, "statistics");
  /* gtk_window_close() ignores windows that were never realized: show it. */
  gtk_window_present (GTK_WINDOW (window));
  gtk_window_close (GTK_WINDOW (window));
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 700);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 450);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  last_page = g_settings_get_string (settings, "last-page");
  g_assert_cmpstr (last_page, ==, "statistics");
}

/* Every scalar in the statistics JSON, as the page's dotted paths. */
static void
collect_leaf_paths (JsonObject *object,
                    const char *prefix,
                    GPtrArray  *paths)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      g_autofree char *path = prefix != NULL ? g_strconcat (prefix, ".", l->data, NULL)
                                             : g_strdup (l->data);

      if (JSON_NODE_HOLDS_OBJECT (node))
        collect_leaf_paths (json_node_get_object (node), path, paths);
      else
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
}

/* Async results: the callback keeps the result; the test spins the main loop until it came,
 * for at most 30 s. */
static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static gboolean
has_result (gconstpointer result)
{
  return *(GAsyncResult * const *) result != NULL;
}

static gboolean
set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_until (gboolean      (*done) (gconstpointer data),
            gconstpointer   data,
            const char     *what)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (30, set_flag, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("waited 30 s for %s", what);
  g_source_remove (timeout);
}

/* A "Name:   123 kB" line of /proc/self/status, in bytes. */
static gint64
proc_status_bytes (const char *name)
{
  g_autofree char *status = NULL;
  g_autofree char *prefix = g_strconcat ("\n", name, ":", NULL);
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, prefix);
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen (prefix), NULL, 10) * 1024;
}

/* "61.1 MiB" back to bytes. */
static double
shown_bytes (const char *text)
{
  static const char * const units[] = { "B", "KiB", "MiB", "GiB" };
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  g_assert_true (end != text);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++, value *= 1024)
    if (end[0] == ' ' && g_str_equal (end + 1, units[i]))
      return value;
  g_error ("not a size: \"%s\"", text);
}

static void
test_app_stats_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = gz_process_stats_collect (&error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  GtkWidget *page = g_object_ref_sink (gz_stats_page_new ());
  const char *rss;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (stats));
  collect_leaf_paths (json_node_get_object (stats), NULL, paths);
  g_assert_cmpuint (paths->len, >, 0);

  /* Collected on a worker: nothing is filled in until the main loop delivers the result. */
  gz_stats_page_refresh_async (GZ_STATS_PAGE (page), NULL, keep_result, &first);
  g_assert_null (gz_stats_page_get_value (GZ_STATS_PAGE (page), g_ptr_array_index (paths, 0)));
  spin_until (has_result, &first, "the statistics page's refresh");
  g_assert_true (gz_stats_page_refresh_finish (GZ_STATS_PAGE (page), first, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *text = gz_stats_page_get_value (GZ_STATS_PAGE (page), paths->pdata[i]);

      g_test_message ("%s: %s", (const char *) paths->pdata[i], text);
      g_assert_nonnull (text);
      g_assert_cmpstr (text, !=, "");
    }
  /* The values are this process's. */
  g_assert_cmpstr (gz_stats_page_get_value (GZ_STATS_PAGE (page), "pid"), ==, pid);
  rss = gz_stats_page_get_value (GZ_STATS_PAGE (page), "memory.rss_bytes");
  g_assert_cmpfloat (fabs (shown_bytes (rss) - proc_status_bytes ("VmRSS")), <=,
                     shown_bytes (rss) * 0.005 + 4 * 1024 * 1024);

  /* A page disposed while its worker runs reports cancellation and touches nothing. */
  gz_stats_page_refresh_async (GZ_STATS_PAGE (page), NULL, keep_result, &second);
  g_object_run_dispose (G_OBJECT (page));
  spin_until (has_result, &second, "the disposed page's refresh");
  g_assert_false (gz_stats_page_refresh_finish (GZ_STATS_PAGE (page), second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_object_unref (page);
}

static gboolean
has_pid_row (gconstpointer page)
{
  return gz_stats_page_get_value ((GzStatsPage *) page, "pid") != NULL;
}

/* Shown in a window, the page fills itself in from its own timer, off the main thread. */
static void
test_app_stats_page_shown (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = gz_stats_page_new ();
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());

  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  spin_until (has_pid_row, page, "the shown statistics page to fill in");
  g_assert_cmpstr (gz_stats_page_get_value (GZ_STATS_PAGE (page), "pid"), ==, pid);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Spins the main loop for @ms milliseconds. */
static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
find_charts (GtkWidget *widget,
             GPtrArray *charts)
{
  if (GZ_IS_CHART (widget))
    g_ptr_array_add (charts, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_charts (child, charts);
}

static gboolean
has_two_points (gconstpointer page)
{
  return gz_stats_page_get_n_points ((GzStatsPage *) page) >= 2;
}

static guint paused_points;

static gboolean
grew_after_pause (gconstpointer page)
{
  return gz_stats_page_get_n_points ((GzStatsPage *) page) > paused_points;
}

/* Shown, the page samples every second into its charts; paused, the charts stand still and
 * are not drawn again; resumed, they grow again. */
static void
test_app_stats_page_charts (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = gz_stats_page_new ();
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();
  g_autofree guint *draws = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 820);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  find_charts (page, charts);
  g_assert_cmpuint (charts->len, ==, 4);

  spin_until (has_two_points, page, "two samples in the statistics charts");
  /* Three points draw a line worth looking at. */
  paused_points = 2;
  spin_until (grew_after_pause, page, "a third sample");
  gz_stats_page_set_paused (GZ_STATS_PAGE (page), TRUE);
  g_assert_true (gz_stats_page_get_paused (GZ_STATS_PAGE (page)));
  paused_points = gz_stats_page_get_n_points (GZ_STATS_PAGE (page));
  gz_test_app_save_screenshot (window, "statistics-charts.png");
  for (guint i = 0; i < charts->len; i++)
    {
      GzChart *chart = charts->pdata[i];
      const char *description = gz_chart_get_description (chart);
      int width = gtk_widget_get_width (GTK_WIDGET (chart));
      int height = gtk_widget_get_height (GTK_WIDGET (chart));
      g_autofree char *tooltip = NULL;
      int item;

      g_test_message ("%s: %s", gz_chart_get_title (chart), description);
      g_assert_nonnull (strstr (description, "latest"));
      /* Paused and drawn: the pointer at the right end finds the newest point, whose tooltip
       * says so, with the chart's series by name. */
      item = gz_chart_get_item_at (chart, width - 6, height / 2.0);
      g_assert_cmpint (item, >=, 1);
      tooltip = gz_chart_describe_item (chart, item);
      g_test_message ("tooltip: %s", tooltip);
      g_assert_true (g_str_has_prefix (tooltip, "now, at "));
      g_assert_nonnull (strstr (tooltip, gz_chart_get_title (chart)));
      /* Outside the plot, nothing. */
      g_assert_cmpint (gz_chart_get_item_at (chart, -10, -10), ==, -1);
    }
  draws = g_new0 (guint, charts->len);
  for (guint i = 0; i < charts->len; i++)
    draws[i] = gz_chart_get_n_draws (charts->pdata[i]);

  /* Two and a half ticks: no point is added, and the charts' cached drawings are reused. */
  spin_for (2500);
  g_assert_cmpuint (gz_stats_page_get_n_points (GZ_STATS_PAGE (page)), ==, paused_points);
  gz_test_app_save_screenshot (window, "statistics-charts-again.png");
  for (guint i = 0; i < charts->len; i++)
    g_assert_cmpuint (gz_chart_get_n_draws (charts->pdata[i]), ==, draws[i]);

  /* The keys walk the points of a chart (as the pointer does) and its caption shows their
   * values; the cached drawing stays. */
  {
    GzChart *chart = charts->pdata[0];
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));
    GtkEventController *keys = NULL;
    guint n_draws = gz_chart_get_n_draws (chart);
    gboolean handled = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
          keys = controller;
      }
    g_assert_nonnull (keys);
    g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (chart)));
    g_assert_cmpint (gz_chart_get_highlight (chart), ==, -1);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (gz_chart_get_highlight (chart), ==, (int) paused_points - 1);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Home, 0, 0, &handled);
    g_assert_cmpint (gz_chart_get_highlight (chart), ==, 0);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_assert_cmpint (gz_chart_get_highlight (chart), ==, 1);
    gtk_widget_grab_focus (GTK_WIDGET (chart));
    gz_test_app_save_screenshot (window, "statistics-charts-keyboard.png");
    g_assert_cmpuint (gz_chart_get_n_draws (chart), ==, n_draws);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Escape, 0, 0, &handled);
    g_assert_cmpint (gz_chart_get_highlight (chart), ==, -1);
  }

  /* The dark style draws in light colours: the same page, for a look. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  spin_for (200);
  gz_test_app_save_screenshot (window, "statistics-charts-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Resumed: a gap where the pause was, then samples again. */
  gz_stats_page_set_paused (GZ_STATS_PAGE (page), FALSE);
  paused_points++;
  spin_until (grew_after_pause, page, "a sample after resuming");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A chart keeps at most its capacity of points, the newest ones: memory does not grow. */
static void
test_app_stats_chart_bounded (void)
{
  GtkWidget *chart = g_object_ref_sink (gz_time_series_chart_new (10));
  GzTimeSeriesChart *series = GZ_TIME_SERIES_CHART (chart);
  double time, value;

  g_assert_cmpuint (gz_time_series_chart_add_series (series, "values"), ==, 0);
  for (guint i = 0; i < 25; i++)
    {
      gz_time_series_chart_push (series, 0, i, i * 2.0);
      g_assert_cmpuint (gz_time_series_chart_get_n_points (series, 0), ==, MIN (i + 1, 10));
    }
  g_assert_true (gz_time_series_chart_get_point (series, 0, 0, &time, &value));
  g_assert_cmpfloat (time, ==, 15);
  g_assert_cmpfloat (value, ==, 30);
  g_assert_true (gz_time_series_chart_get_point (series, 0, 9, &time, &value));
  g_assert_cmpfloat (time, ==, 24);
  g_assert_false (gz_time_series_chart_get_point (series, 0, 10, &time, &value));
  g_assert_nonnull (strstr (gz_chart_get_description (GZ_CHART (chart)), "latest 48"));
  g_object_unref (chart);
}

/* Export writes the last values as JSON or YAML; before any, it says so. */
static void
test_app_stats_page_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) json_result = NULL;
  g_autoptr(GAsyncResult) yaml_result = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-app-export-XXXXXX", &error);
  g_autofree char *json_path = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *yaml_path = g_build_filename (dir, "stats.yaml", NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) yaml_file = g_file_new_for_path (yaml_path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *yaml = NULL;
  g_autofree char *pid_line = g_strdup_printf ("\npid: %d\n", (int) getpid ());
  GtkWidget *page = g_object_ref_sink (gz_stats_page_new ());
  JsonObject *root;

  g_assert_no_error (error);
  gz_stats_page_export_async (GZ_STATS_PAGE (page), json_file, GZ_PROCESS_STATS_FORMAT_JSON,
                              NULL, keep_result, &json_result);
  spin_until (has_result, &json_result, "the refused export");
  g_assert_false (gz_stats_page_export_finish (GZ_STATS_PAGE (page), json_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_clear_error (&error);
  g_clear_object (&json_result);
  g_assert_false (g_file_test (json_path, G_FILE_TEST_EXISTS));

  gz_stats_page_refresh_async (GZ_STATS_PAGE (page), NULL, keep_result, &result);
  spin_until (has_result, &result, "the statistics page's refresh");
  g_assert_true (gz_stats_page_refresh_finish (GZ_STATS_PAGE (page), result, &error));

  gz_stats_page_export_async (GZ_STATS_PAGE (page), json_file, GZ_PROCESS_STATS_FORMAT_JSON,
                              NULL, keep_result, &json_result);
  gz_stats_page_export_async (GZ_STATS_PAGE (page), yaml_file, GZ_PROCESS_STATS_FORMAT_YAML,
                              NULL, keep_result, &yaml_result);
  spin_until (has_result, &json_result, "the JSON export");
  spin_until (has_result, &yaml_result, "the YAML export");
  g_assert_true (gz_stats_page_export_finish (GZ_STATS_PAGE (page), json_result, &error));
  g_assert_no_error (error);
  g_assert_true (gz_stats_page_export_finish (GZ_STATS_PAGE (page), yaml_result, &error));
  g_assert_no_error (error);

  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "pid"), ==, getpid ());
  g_assert_true (json_object_has_member (json_object_get_object_member (root, "memory"),
                                         "rss_bytes"));
  g_assert_true (g_file_get_contents (yaml_path, &yaml, NULL, NULL));
  g_assert_nonnull (strstr (yaml, pid_line));

  g_object_unref (page);
  g_unlink (json_path);
  g_unlink (yaml_path);
  g_rmdir (dir);
}

/* Other targets: a process without a `run` socket and a URL where nothing listens fail saying
 * so; a gz server's URL and a `run` socket (both served by this process) give its figures. */
static void
test_app_stats_page_targets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GzPprofServer) server = gz_pprof_server_new (NULL);
  g_autoptr(GzPprofServer) socket_server = gz_pprof_server_new (NULL);
  g_autofree char *agent_dir = g_dir_make_tmp ("test-app-agents-XXXXXX", &error);
  g_autofree char *socket_path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  GtkWidget *page = g_object_ref_sink (gz_stats_page_new ());

  g_assert_no_error (error);
  g_setenv ("GZ_AGENT_DIR", agent_dir, TRUE);
  socket_path = gz_agent_socket_path (getpid ());

  g_assert_false (gz_stats_page_set_target_pid (GZ_STATS_PAGE (page), getpid (), &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT);
  g_clear_error (&error);

  g_assert_true (gz_stats_page_set_target_url (GZ_STATS_PAGE (page), "http://127.0.0.1:1", NULL,
                                               &error));
  g_assert_no_error (error);
  gz_stats_page_refresh_async (GZ_STATS_PAGE (page), NULL, keep_result, &result);
  spin_until (has_result, &result, "a refresh from a URL where nothing listens");
  g_assert_false (gz_stats_page_refresh_finish (GZ_STATS_PAGE (page), result, &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_null (gz_stats_page_get_value (GZ_STATS_PAGE (page), "pid"));

  /* A gz server on a free port of this process. */
  g_assert_true (gz_pprof_server_listen_on (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  url = gz_pprof_server_get_url (server);
  g_assert_true (gz_stats_page_set_target_url (GZ_STATS_PAGE (page), url, NULL, &error));
  gz_stats_page_refresh_async (GZ_STATS_PAGE (page), NULL, keep_result, &result);
  spin_until (has_result, &result, "a refresh from the gz server");
  g_assert_true (gz_stats_page_refresh_finish (GZ_STATS_PAGE (page), result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (gz_stats_page_get_value (GZ_STATS_PAGE (page), "pid"), ==, pid);
  g_assert_cmpuint (gz_stats_page_get_n_points (GZ_STATS_PAGE (page)), ==, 1);

  /* A `run` socket for this pid. */
  g_assert_true (gz_pprof_server_listen_unix (socket_server, socket_path, &error));
  g_assert_no_error (error);
  g_assert_true (gz_stats_page_set_target_pid (GZ_STATS_PAGE (page), getpid (), &error));
  g_assert_no_error (error);
  /* A new target starts the charts and rows again. */
  g_assert_cmpuint (gz_stats_page_get_n_points (GZ_STATS_PAGE (page)), ==, 0);
  g_assert_null (gz_stats_page_get_value (GZ_STATS_PAGE (page), "pid"));
  gz_stats_page_refresh_async (GZ_STATS_PAGE (page), NULL, keep_result, &result);
  spin_until (has_result, &result, "a refresh from the run socket");
  g_assert_true (gz_stats_page_refresh_finish (GZ_STATS_PAGE (page), result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gz_stats_page_get_value (GZ_STATS_PAGE (page), "pid"), ==, pid);

  g_object_run_dispose (G_OBJECT (page));
  g_object_unref (page);
  g_clear_object (&socket_server);
  g_unlink (socket_path);
  g_rmdir (agent_dir);
  g_unsetenv ("GZ_AGENT_DIR");
}

static guint
count_entry_rows (GtkWidget *widget)
{
  guint n = ADW_IS_ENTRY_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_entry_rows (child);

  return n;
}

static AdwEntryRow *
find_entry_row (GtkWidget  *widget,
                const char *key)
{
  if (ADW_IS_ENTRY_ROW (widget) &&
      g_strcmp0 (g_object_get_data (G_OBJECT (widget), "gz-config-key"), key) == 0)
    return ADW_ENTRY_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwEntryRow *row = find_entry_row (child, key);

      if (row != NULL)
        return row;
    }
  return NULL;
}

static gboolean
is_loaded (gconstpointer preferences)
{
  return !gz_preferences_window_get_loading ((GzPreferencesWindow *) preferences);
}

static gboolean
is_sensitive (gconstpointer widget)
{
  return gtk_widget_get_sensitive ((GtkWidget *) widget);
}

static void
test_app_preferences (void)
{
  GzPreferencesWindow *preferences;
  const char * const *keys = gz_config_list_keys ();
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "gz", NULL);
  g_autofree char *path = g_build_filename (dir, "profile.ini", NULL);
  g_autofree char *contents = NULL;
  AdwEntryRow *port;
  AdwEntryRow *keep;

  /* main() points $XDG_CONFIG_HOME at an empty directory: one value from a file, the rest
   * defaults. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "[profile]\nport = 7007\n", -1, NULL));

  /* Read on a worker: no rows until the main loop delivered the configuration. */
  preferences = gz_preferences_window_new ();
  g_assert_true (gz_preferences_window_get_loading (preferences));
  g_assert_cmpuint (count_entry_rows (GTK_WIDGET (preferences)), ==, 0);
  spin_until (is_loaded, preferences, "the preferences to load");
  g_assert_cmpuint (count_entry_rows (GTK_WIDGET (preferences)), ==,
                    g_strv_length ((char **) keys));

  port = find_entry_row (GTK_WIDGET (preferences), "port");
  g_assert_nonnull (port);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port)), ==, "7007");
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (port)),
                            "file "));
  keep = find_entry_row (GTK_WIDGET (preferences), "keep");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (keep)), ==, "50");
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (keep)),
                            "default"));

  /* Applying a row writes the file on a worker; the row waits, then shows where it came from. */
  gtk_editable_set_text (GTK_EDITABLE (keep), "9");
  g_signal_emit_by_name (keep, "apply");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (keep)));
  spin_until (is_sensitive, keep, "the preferences to save");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_test_message ("%s", contents);
  g_assert_nonnull (strstr (contents, "port=7007"));
  g_assert_nonnull (strstr (contents, "keep=9"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (keep)), ==, "9");
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (keep)),
                            path));

  /* A bad value is refused and the file left alone. */
  gtk_editable_set_text (GTK_EDITABLE (port), "70000");
  g_signal_emit_by_name (port, "apply");
  spin_until (is_sensitive, port, "the refused save");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "port=7007"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port)), ==, "7007");

  gtk_window_destroy (GTK_WINDOW (preferences));

  /* Closed before the file was read: the load is cancelled and nothing is shown. */
  preferences = gz_preferences_window_new ();
  gtk_window_destroy (GTK_WINDOW (preferences));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_unlink (path);
  g_rmdir (dir);
}

/* app.new-session and app.run-benchmark show their page with the keyboard focus in it. */
static void
test_app_focus_actions (void)
{
  static const struct
  {
    const char *action;
    const char *page;
    const char *type;
  } cases[] = {
    { "new-session", "sessions", "GzSessionsPage" },
    { "run-benchmark", "benchmarks", "GzBenchmarksPage" },
  };
  GzWindow *window = gz_window_new (app);

  gz_window_set_visible_page (window, "viewer");
  gtk_window_present (GTK_WINDOW (window));
  spin_for (200);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *focus;

      g_action_group_activate_action (G_ACTION_GROUP (app), cases[i].action, NULL);
      g_assert_cmpstr (gz_window_get_visible_page (window), ==, cases[i].page);
      focus = gtk_root_get_focus (GTK_ROOT (window));
      g_assert_nonnull (focus);
      g_assert_nonnull (gtk_widget_get_ancestor (focus, g_type_from_name (cases[i].type)));
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Whether something listens on 127.0.0.1:@port (a blocking connect to loopback is quick). */
static gboolean
port_open (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection =
    g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

static gboolean
has_url (gconstpointer page)
{
  return gz_server_page_get_url ((GzServerPage *) page) != NULL;
}

/* Each look is a connection the server accepts: look every 100 ms, so that the loop also runs
 * the server's idle (lower priority) work, as it would with real clients. */
static void
wait_port_closed (guint port)
{
  for (guint tries = 0; tries < 300; tries++)
    {
      if (!port_open (port))
        return;
      spin_for (100);
    }
  g_error ("port %u still open 30 s after the server was turned off", port);
}

/* The Server page's switch (win.server-running): on, the server listens on the configured port
 * (here GZ_PROFILE_PORT, as gz-cli reads it) and the address is shown; off, the port closes;
 * on again, it listens again. A port taken by another program turns the switch back off. */
static void
test_app_server_page (void)
{
  guint port = free_port ();
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *expected = g_strdup_printf ("http://127.0.0.1:%u/debug/pprof/", port);
  g_autoptr(GzPprofServer) squatter = gz_pprof_server_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) state = NULL;
  GzServerPage *page;
  GzWindow *window;

  g_setenv ("GZ_PROFILE_PORT", port_text, TRUE);
  window = gz_window_new (app);
  page = GZ_SERVER_PAGE (find_widget (GTK_WIDGET (window), GZ_TYPE_SERVER_PAGE));
  g_assert_nonnull (page);
  gz_window_set_visible_page (window, "server");
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "server-running"));

  for (guint round = 0; round < 2; round++)
    {
      g_action_group_change_action_state (G_ACTION_GROUP (window), "server-running",
                                          g_variant_new_boolean (TRUE));
      state = g_action_group_get_action_state (G_ACTION_GROUP (window), "server-running");
      g_assert_true (g_variant_get_boolean (state));
      g_clear_pointer (&state, g_variant_unref);
      spin_until (has_url, page, "the server to listen");
      g_assert_cmpstr (gz_server_page_get_url (page), ==, expected);
      g_assert_true (port_open (port));

      g_action_group_change_action_state (G_ACTION_GROUP (window), "server-running",
                                          g_variant_new_boolean (FALSE));
      g_assert_null (gz_server_page_get_url (page));
      wait_port_closed (port);
    }

  /* Taken: the switch goes back off and the page says why. */
  g_assert_true (gz_pprof_server_listen_on (squatter, "127.0.0.1", port, &error));
  g_assert_no_error (error);
  gz_server_page_set_running (page, TRUE);
  g_assert_false (gz_server_page_get_running (page));
  state = g_action_group_get_action_state (G_ACTION_GROUP (window), "server-running");
  g_assert_false (g_variant_get_boolean (state));

  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("GZ_PROFILE_PORT");
}

static void
skip_without_display (gconstpointer data)
{
  g_test_skip ("no display: run under Xvfb (tests/xvfb-run-test.sh)");
}

static const struct
{
  const char *path;
  GTestFunc   func;
} tests[] = {
  { "/app/application/actions", test_app_actions },
  { "/app/window/pages", test_app_window_pages },
  { "/app/window/state", test_app_window_state },
  { "/app/window/focus-actions", test_app_focus_actions },
  { "/app/server-page/switch", test_app_server_page },
  { "/app/stats-page/rows", test_app_stats_page },
  { "/app/stats-page/shown", test_app_stats_page_shown },
  { "/app/stats-page/charts", test_app_stats_page_charts },
  { "/app/stats-page/chart-bounded", test_app_stats_chart_bounded },
  { "/app/stats-page/export", test_app_stats_page_export },
  { "/app/stats-page/targets", test_app_stats_page_targets },
  { "/app/preferences/rows", test_app_preferences },
};

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_home = NULL;
  int ret;

  /* Not G_TEST_OPTION_ISOLATE_DIRS: it hides XDG_DATA_DIRS, and with it the MIME database that
   * GdkPixbuf needs to load SVG icons. Only the configuration needs to be private. */
  config_home = g_dir_make_tmp ("test-app-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  if (gtk_init_check ())
    {
      app = gz_application_new ();
      /* Not unique: the test must not meet a running gz-profile on the bus. */
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      if (app != NULL)
        g_test_add_func (tests[i].path, tests[i].func);
      else
        g_test_add_data_func (tests[i].path, NULL, skip_without_display);
    }

  ret = g_test_run ();
  g_clear_object (&app);
  g_rmdir (config_home);
  return ret;
}
