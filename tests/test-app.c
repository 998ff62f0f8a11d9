/* test-app.c: the desktop app's objects: application actions and shortcuts, the window's pages
 * and saved state, the statistics page and the preferences. Needs a display: meson runs it
 * under Xvfb through xvfb-run-test.sh; without one every subtest is skipped, saying why. */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "gz-application.h"
#include "gz-config.h"
#include "gz-preferences-window.h"
#include "gz-stats-page.h"
#include "gz-process-stats.h"
#include "gz-window.h"

static GzApplication *app;

static void
test_app_actions (void)
{
  static const char * const actions[] = { "quit", "about", "preferences", "show-page" };
  g_auto(GStrv) quit_accels = NULL;
  g_auto(GStrv) page_accels = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), actions[i]));

  quit_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_true (g_strv_contains ((const char * const *) quit_accels, "<Control>q"));
  page_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                       "app.show-page::statistics");
  g_assert_true (g_strv_contains ((const char * const *) page_accels, "<Alt>3"));
}

static void
test_app_window_pages (void)
{
  static const char * const pages[] = { "sessions", "benchmarks", "statistics", "viewer" };
  GzWindow *window = gz_window_new (app);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_assert_true (gz_window_is_page_name (pages[i]));
      gz_window_set_visible_page (window, pages[i]);
      g_assert_cmpstr (gz_window_get_visible_page (window), ==, pages[i]);
    }
  g_assert_false (gz_window_is_page_name ("flamegraph"));
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
  /* gtk_window_close() ignores windows that were never realized. */
  gtk_widget_realize (GTK_WIDGET (window));
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

static void
test_app_stats_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = gz_process_stats_collect (&error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *page = g_object_ref_sink (gz_stats_page_new ());

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (stats));
  collect_leaf_paths (json_node_get_object (stats), NULL, paths);
  g_assert_cmpuint (paths->len, >, 0);

  g_assert_null (gz_stats_page_get_value (GZ_STATS_PAGE (page), g_ptr_array_index (paths, 0)));
  g_assert_true (gz_stats_page_refresh (GZ_STATS_PAGE (page)));
  for (guint i = 0; i < paths->len; i++)
    {
      const char *text = gz_stats_page_get_value (GZ_STATS_PAGE (page), paths->pdata[i]);

      g_test_message ("%s: %s", (const char *) paths->pdata[i], text);
      g_assert_nonnull (text);
      g_assert_cmpstr (text, !=, "");
    }

  /* A second refresh updates the rows in place. */
  g_assert_true (gz_stats_page_refresh (GZ_STATS_PAGE (page)));
  g_assert_nonnull (gz_stats_page_get_value (GZ_STATS_PAGE (page), paths->pdata[0]));

  g_object_unref (page);
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

static void
test_app_preferences (void)
{
  GzPreferencesWindow *preferences;
  const char * const *keys = gz_config_list_keys ();

  /* main() points $XDG_CONFIG_HOME at an empty directory: every value is the default. */
  preferences = gz_preferences_window_new ();
  g_assert_cmpuint (count_entry_rows (GTK_WIDGET (preferences)), ==,
                    g_strv_length ((char **) keys));
  gtk_window_destroy (GTK_WINDOW (preferences));
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
  { "/app/stats-page/rows", test_app_stats_page },
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
