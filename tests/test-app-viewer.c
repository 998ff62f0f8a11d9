/* test-app-viewer.c: the app's Viewer page on profiles written by our core (opened by the page
 * and by the application's open) and by Go: the flame graph's totals, zoom, search,
 * callers/callees, sample types, a diff against a base, and truncated or foreign files shown as
 * an error. Screenshots go to $GZ_TEST_SCREENSHOTS. Needs a display: meson runs it under Xvfb
 * (xvfb-run-test.sh). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "gz-application.h"
#include "gz-test-app.h"
#include "gz-viewer-page.h"
#include "gz-window.h"

static GzApplication *app;
static char *tmp_dir;

static guint64
add_function (GzProfile  *profile,
              const char *name)
{
  GzFunction *function = gz_function_new ();
  GzLocation *location = gz_location_new ();
  GzLine line = { 0, };

  function->id = profile->functions->len + 1;
  function->name = g_strdup (name);
  function->system_name = g_strdup (name);
  function->filename = g_strdup ("viewer.c");
  g_ptr_array_add (profile->functions, function);
  location->id = profile->locations->len + 1;
  location->mapping_id = 1;
  location->address = 0x401000 + location->id * 16;
  line.function_id = function->id;
  line.line = 10;
  g_array_append_val (location->lines, line);
  g_ptr_array_add (profile->locations, location);
  return location->id;
}

/* A CPU profile ("samples" count, then "cpu" nanoseconds, the default) with samples of
 * @cpu[i] ms over the stacks main→a, main→a→b, main→c, main→b, main→a→a→b (then main→d). */
static char *
write_profile (const char   *name,
               const gint64 *cpu,
               guint         n)
{
  static const char * const stacks[][5] = {
    { "a", "main" }, { "b", "a", "main" }, { "c", "main" }, { "b", "main" },
    { "b", "a", "a", "main" }, { "d", "main" },
  };
  g_autoptr(GzProfile) profile = gz_profile_new ();
  g_autoptr(GError) error = NULL;
  GzMapping *mapping = gz_mapping_new ();
  char *path = g_build_filename (tmp_dir, name, NULL);
  const char *names[] = { "main", "a", "b", "c", "d" };
  guint64 ids[G_N_ELEMENTS (names)];

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("samples", "count"));
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("cpu", "nanoseconds"));
  profile->period_type.type = g_strdup ("cpu");
  profile->period_type.unit = g_strdup ("nanoseconds");
  profile->period = 10000000;
  profile->duration_nanos = G_GINT64_CONSTANT (1000000000);
  mapping->id = 1;
  mapping->memory_start = 0x400000;
  mapping->memory_limit = 0x500000;
  mapping->filename = g_strdup ("/usr/bin/viewer-test");
  mapping->has_functions = TRUE;
  g_ptr_array_add (profile->mappings, mapping);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    ids[i] = add_function (profile, names[i]);

  for (guint s = 0; s < n; s++)
    {
      GzSample *sample;
      gint64 count = cpu[s] / 10;
      gint64 nanos = cpu[s] * G_GINT64_CONSTANT (1000000);

      if (cpu[s] == 0)
        continue;
      sample = gz_sample_new ();
      for (guint f = 0; f < 5 && stacks[s][f] != NULL; f++)
        for (guint k = 0; k < G_N_ELEMENTS (names); k++)
          if (g_str_equal (stacks[s][f], names[k]))
            g_array_append_val (sample->location_ids, ids[k]);
      g_array_append_val (sample->values, count);
      g_array_append_val (sample->values, nanos);
      g_ptr_array_add (profile->samples, sample);
    }
  g_assert_true (gz_profile_write_file (profile, path, &error));
  g_assert_no_error (error);
  return path;
}

static const gint64 profile_ms[] = { 100, 200, 50, 70, 30 };       /* 450 ms */
static const gint64 base_ms[] = { 200, 0, 50, 0, 0, 100 };         /* 350 ms */

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_loaded (GzViewerPage *page,
           gboolean     *loaded)
{
  *loaded = TRUE;
}

/* Spins until the page says the load it began is done. */
static void
wait_loaded (GzViewerPage *page)
{
  gboolean loaded = FALSE;
  gulong id = g_signal_connect (page, "loaded", G_CALLBACK (on_loaded), &loaded);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!loaded && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (page, id);
  g_assert_true (loaded);
}

/* Spins until the top table (filled in on a worker after the flame graph) has @n rows. */
static void
wait_rows (GzViewerPage *page,
           guint         n)
{
  GzViewerTable *table = gz_viewer_page_get_table (page);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (gz_viewer_table_get_n_rows (table) != n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (gz_viewer_table_get_n_rows (table), ==, n);
}

/* Spins until @graph has a tree other than @old: its tree. */
static GzProfileTree *
wait_tree (GzFlameGraph  *graph,
           GzProfileTree *old)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((gz_flame_graph_get_tree (graph) == NULL || gz_flame_graph_get_tree (graph) == old)
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (gz_flame_graph_get_tree (graph));
  return gz_flame_graph_get_tree (graph);
}

static GzWindow *
viewer_window (GzViewerPage **page)
{
  GzWindow *window = gz_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gz_window_set_visible_page (window, "viewer");
  gtk_window_present (GTK_WINDOW (window));
  *page = gz_viewer_page_find (GTK_WIDGET (window));
  g_assert_nonnull (*page);
  g_assert_cmpstr (gz_viewer_page_get_state (*page), ==, "empty");
  return window;
}

/* The node at the path of names from the root, or GZ_PROFILE_TREE_NONE. */
static guint32
node_at (GzProfileTree      *tree,
         const char * const *path)
{
  guint32 node = 0;

  for (guint i = 0; path[i] != NULL && node != GZ_PROFILE_TREE_NONE; i++)
    {
      guint n;
      const guint32 *children = gz_profile_tree_get_children (tree, node, &n);
      guint32 next = GZ_PROFILE_TREE_NONE;

      for (guint c = 0; c < n; c++)
        if (g_str_equal (gz_profile_tree_get_name (tree,
                           gz_profile_tree_get_node (tree, children[c])->name), path[i]))
          next = children[c];
      node = next;
    }
  return node;
}

#define NODE_AT(tree, ...) node_at ((tree), (const char * const[]) { __VA_ARGS__, NULL })
#define MS(x) ((x) * G_GINT64_CONSTANT (1000000))

static void
test_viewer_open_zoom_search (void)
{
  g_autofree char *path = write_profile ("cpu.prof", profile_ms, G_N_ELEMENTS (profile_ms));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GzViewerPage *page;
  GzWindow *window = viewer_window (&page);
  GzFlameGraph *graph;
  GzProfileTree *tree;
  guint32 a, ab;
  g_autofree char *tooltip = NULL;

  gz_viewer_page_open (page, file);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "loading");
  wait_loaded (page);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "profile");
  g_assert_null (gz_viewer_page_get_error (page));

  /* The default sample type is the last: cpu, 450 ms in all. */
  graph = gz_viewer_page_get_flame_graph (page);
  tree = gz_flame_graph_get_tree (graph);
  g_assert_nonnull (tree);
  g_assert_cmpstr (gz_profile_tree_get_type_name (tree), ==, "cpu");
  g_assert_cmpint (gz_profile_tree_get_node (tree, 0)->total, ==, MS (450));
  g_assert_cmpuint (gz_flame_graph_get_root (graph), ==, 0);
  wait_rows (page, 4);
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-flame-graph.png");
  {
    int minimum;

    /* The profile's controls fit a narrow window (the window's default is 700 px). */
    gtk_widget_measure (GTK_WIDGET (page), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL,
                        NULL);
    g_test_message ("viewer page minimum width: %d", minimum);
    g_assert_cmpint (minimum, <=, 700);
  }

  /* Drawn: row 1 (icicle, 20 px rows) is main, full width. */
  g_assert_cmpuint (gz_flame_graph_get_node_at (graph, 5, 25), ==, NODE_AT (tree, "main"));
  tooltip = gz_flame_graph_describe_node (graph, NODE_AT (tree, "main", "a"));
  g_assert_nonnull (strstr (tooltip, "330 ms (73.33%)"));

  /* Zoom into main→a: it is the visible root, and its child b fills 200/330 of the width. */
  a = NODE_AT (tree, "main", "a");
  ab = NODE_AT (tree, "main", "a", "b");
  gz_flame_graph_set_root (graph, a);
  g_assert_cmpuint (gz_flame_graph_get_root (graph), ==, a);
  spin_for (100);
  g_assert_cmpuint (gz_flame_graph_get_node_at (graph, 5, 45), ==, a);
  g_assert_cmpuint (gz_flame_graph_get_node_at (graph, 5, 65), ==, ab);
  g_assert_cmpuint (gz_flame_graph_get_node_at (graph,
                                                gtk_widget_get_width (GTK_WIDGET (graph)) - 2, 65),
                    ==, GZ_PROFILE_TREE_NONE);
  /* The ancestors stay above: row 1 is main. */
  g_assert_cmpuint (gz_flame_graph_get_node_at (graph, 5, 25), ==, NODE_AT (tree, "main"));
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-zoomed.png");

  /* Search under the zoomed frame, then everywhere: b once per stack (30 ms under a→a too). */
  g_assert_true (gz_flame_graph_set_search (graph, "^b$", NULL));
  g_assert_cmpint (gz_flame_graph_get_search_share (graph), ==, MS (230));
  gz_flame_graph_set_root (graph, 0);
  g_assert_cmpint (gz_flame_graph_get_search_share (graph), ==, MS (300));
  g_assert_false (gz_flame_graph_set_search (graph, "(", NULL));
  g_assert_cmpint (gz_flame_graph_get_search_share (graph), ==, MS (300));
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-search.png");

  /* Flame orientation: main is now the second row from the bottom. */
  gz_flame_graph_set_flame (graph, TRUE);
  spin_for (100);
  g_assert_cmpuint (gz_flame_graph_get_node_at (graph, 5,
                      gtk_widget_get_height (GTK_WIDGET (graph)) - 25), ==, NODE_AT (tree, "main"));
  g_assert_true (gz_flame_graph_set_search (graph, NULL, NULL));
  g_assert_cmpint (gz_flame_graph_get_search_share (graph), ==, -1);
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-flame-orientation.png");

  /* Callers and callees of b (made on a worker): 300 ms, called by a (230) and main (70). */
  tree = gz_flame_graph_get_tree (gz_viewer_page_get_callers_graph (page));
  gz_viewer_page_select_function (page, "b");
  tree = wait_tree (gz_viewer_page_get_callers_graph (page), tree);
  g_assert_cmpint (gz_profile_tree_get_node (tree, 0)->total, ==, MS (300));
  g_assert_cmpint (gz_profile_tree_get_node (tree, NODE_AT (tree, "b", "a"))->total, ==, MS (230));
  tree = gz_flame_graph_get_tree (gz_viewer_page_get_callees_graph (page));
  g_assert_cmpint (gz_profile_tree_get_node (tree, 0)->total, ==, MS (300));
  gz_viewer_page_set_view (page, "sandwich");
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-callers-callees.png");
  gz_viewer_page_set_view (page, "top");
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-top.png");

  /* The other sample type: 45 samples. */
  gz_viewer_page_set_sample_type (page, "samples");
  wait_loaded (page);
  tree = gz_flame_graph_get_tree (graph);
  g_assert_cmpstr (gz_profile_tree_get_type_name (tree), ==, "samples");
  g_assert_cmpint (gz_profile_tree_get_node (tree, 0)->total, ==, 45);

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

static void
test_viewer_diff (void)
{
  g_autofree char *path = write_profile ("new.prof", profile_ms, G_N_ELEMENTS (profile_ms));
  g_autofree char *base_path = write_profile ("base.prof", base_ms, G_N_ELEMENTS (base_ms));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) base = g_file_new_for_path (base_path);
  GzViewerPage *page;
  GzWindow *window = viewer_window (&page);
  GzProfileTree *tree;
  const GzProfileTreeNode *a;

  gz_viewer_page_open (page, file);
  wait_loaded (page);
  gz_viewer_page_open_base (page, base);
  wait_loaded (page);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "profile");

  tree = gz_flame_graph_get_tree (gz_viewer_page_get_flame_graph (page));
  g_assert_true (gz_profile_tree_has_base (tree));
  g_assert_cmpint (gz_profile_tree_get_node (tree, 0)->base_total, ==, MS (350));
  a = gz_profile_tree_get_node (tree, NODE_AT (tree, "main", "a"));
  g_assert_cmpint (a->total, ==, MS (330));
  g_assert_cmpint (a->base_total, ==, MS (200));
  /* d is only in the base: a frame of no width that shrank by 100 ms. */
  g_assert_cmpfloat (gz_profile_tree_node_delta (tree, NODE_AT (tree, "main", "d"), FALSE), ==,
                     (double) -MS (100));
  wait_rows (page, 5);
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-diff.png");
  gz_viewer_page_set_view (page, "top");
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-diff-top.png");

  gz_viewer_page_clear_base (page);
  wait_loaded (page);
  g_assert_false (gz_profile_tree_has_base (gz_flame_graph_get_tree (
                    gz_viewer_page_get_flame_graph (page))));

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_unlink (base_path);
}

static void
test_viewer_bad_files (void)
{
  g_autofree char *path = write_profile ("whole.prof", profile_ms, G_N_ELEMENTS (profile_ms));
  g_autofree char *truncated_path = g_build_filename (tmp_dir, "truncated.prof", NULL);
  g_autofree char *text_path = g_build_filename (tmp_dir, "notes.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GFile) truncated = g_file_new_for_path (truncated_path);
  g_autoptr(GFile) text = g_file_new_for_path (text_path);
  g_autoptr(GFile) missing = g_file_new_build_filename (tmp_dir, "missing.prof", NULL);
  g_autoptr(GFile) whole = g_file_new_for_path (path);
  gsize length;
  GzViewerPage *page;
  GzWindow *window = viewer_window (&page);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (truncated_path, contents, length / 2, NULL));
  g_assert_true (g_file_set_contents (text_path, "not a profile at all\n", -1, NULL));

  gz_viewer_page_open (page, truncated);
  wait_loaded (page);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "error");
  g_assert_nonnull (strstr (gz_viewer_page_get_error (page), "truncated.prof"));
  g_assert_null (gz_flame_graph_get_tree (gz_viewer_page_get_flame_graph (page)));
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-truncated.png");

  gz_viewer_page_open (page, text);
  wait_loaded (page);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "error");
  gz_viewer_page_open (page, missing);
  wait_loaded (page);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "error");
  g_assert_nonnull (strstr (gz_viewer_page_get_error (page), "missing.prof"));

  /* A FIFO with a writer that never writes (issue 18): one line at once, not "Loading…" for
   * ever; a directory likewise. */
  {
    g_autofree char *fifo_path = g_build_filename (tmp_dir, "pipe.prof", NULL);
    g_autoptr(GFile) fifo = g_file_new_for_path (fifo_path);
    g_autoptr(GFile) dir = g_file_new_for_path (tmp_dir);
    gint64 start;
    int writer;

    g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);
    writer = open (fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    g_assert_cmpint (writer, >=, 0);
    start = g_get_monotonic_time ();
    gz_viewer_page_open (page, fifo);
    wait_loaded (page);
    g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "error");
    g_assert_nonnull (strstr (gz_viewer_page_get_error (page), "pipe.prof is a named pipe (FIFO), "
                                                           "not a regular file"));
    g_assert_null (strchr (gz_viewer_page_get_error (page), '\n'));
    /* the 20 s of wait_loaded are for a loaded machine; a blocked read never returns at all */
    g_test_message ("FIFO refused in %.3f s", (g_get_monotonic_time () - start) / 1e6);
    gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-fifo.png");

    gz_viewer_page_open (page, dir);
    wait_loaded (page);
    g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "error");
    g_assert_nonnull (strstr (gz_viewer_page_get_error (page), "is a directory, not a regular"));

    close (writer);
    g_unlink (fifo_path);
  }

  /* A bad base leaves the profile shown. */
  gz_viewer_page_open (page, whole);
  wait_loaded (page);
  gz_viewer_page_open_base (page, truncated);
  wait_loaded (page);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "profile");
  g_assert_false (gz_profile_tree_has_base (gz_flame_graph_get_tree (
                    gz_viewer_page_get_flame_graph (page))));
  gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-bad-base.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_unlink (truncated_path);
  g_unlink (text_path);
}

/* Profiles written by Go (runtime/pprof, in the fuzz corpus): the default sample type is the
 * last, as pprof shows it, and the totals are the decoder's. */
static void
test_viewer_go_profiles (void)
{
  static const struct
  {
    const char *file;
    const char *type;
  } profiles[] = {
    { "go-cpu.pb.gz", "cpu" },
    { "go-heap.pb.gz", "inuse_space" },
    { "go-mutex.pb.gz", "delay" },
  };
  const char *dir = g_getenv ("GZ_TEST_GO_PROFILES");
  GzViewerPage *page;
  GzWindow *window;

  if (dir == NULL)
    {
      g_test_skip ("GZ_TEST_GO_PROFILES is not set (tests/meson.build sets it)");
      return;
    }
  window = viewer_window (&page);
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autofree char *path = g_build_filename (dir, profiles[i].file, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GzProfile) profile = gz_profile_read_file (path, NULL);
      GzProfileTree *tree;
      int index;

      g_assert_nonnull (profile);
      index = gz_profile_find_sample_type (profile, profiles[i].type);
      g_assert_cmpint (index, >=, 0);
      gz_viewer_page_open (page, file);
      wait_loaded (page);
      g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "profile");
      tree = gz_flame_graph_get_tree (gz_viewer_page_get_flame_graph (page));
      g_assert_cmpstr (gz_profile_tree_get_type_name (tree), ==, profiles[i].type);
      g_assert_cmpint (gz_profile_tree_get_node (tree, 0)->total, ==,
                       gz_profile_total (profile, index));
      g_assert_cmpint (gz_profile_tree_get_node (tree, 0)->total, >, 0);
      if (i == 1)
        gz_test_app_save_screenshot (GTK_WIDGET (window), "viewer-go-heap.png");
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* gz-profile FILE: the application's open shows the Viewer with the file. */
static void
test_viewer_application_open (void)
{
  g_autofree char *path = write_profile ("open.prof", profile_ms, G_N_ELEMENTS (profile_ms));
  GFile *files[1] = { g_file_new_for_path (path) };
  GzWindow *window = gz_window_new (app);
  GzViewerPage *page = gz_viewer_page_find (GTK_WIDGET (window));

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "open-profile"));
  g_application_open (G_APPLICATION (app), files, 1, "");
  g_assert_cmpstr (gz_window_get_visible_page (window), ==, "viewer");
  wait_loaded (page);
  g_assert_cmpstr (gz_viewer_page_get_state (page), ==, "profile");
  g_assert_cmpint (gz_profile_tree_get_node (gz_flame_graph_get_tree (
                     gz_viewer_page_get_flame_graph (page)), 0)->total, ==, MS (450));

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (files[0]);
  g_unlink (path);
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
  { "/app-viewer/open-zoom-search", test_viewer_open_zoom_search },
  { "/app-viewer/diff", test_viewer_diff },
  { "/app-viewer/bad-files", test_viewer_bad_files },
  { "/app-viewer/go-profiles", test_viewer_go_profiles },
  { "/app-viewer/application-open", test_viewer_application_open },
};

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_home = NULL;
  int ret;

  config_home = g_dir_make_tmp ("test-app-viewer-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  tmp_dir = config_home;

  g_test_init (&argc, &argv, NULL);

  if (gtk_init_check ())
    {
      app = gz_application_new ();
      /* Not unique: the test must not meet a running gz-profile on the bus. */
      g_application_set_flags (G_APPLICATION (app),
                               G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
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
