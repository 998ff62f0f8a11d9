/* gz-bench-viewer.c: the Viewer page on a large profile, timed as a user meets it: open to the
 * first drawn flame graph (read, decode and tree build on the worker, then the first frame), and
 * the cost of a hover frame (the frame under the pointer, its tooltip text, and the window's
 * snapshot rendered by its renderer, the flame graph's cached node included).
 *
 * Usage: gz-bench-viewer PROFILE [RUNS [HOVERS [SCREENSHOT_DIR]]]
 * (under a display: bench/viewer/run.sh runs it under Xvfb) */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <adwaita.h>

#include "gz-viewer-page.h"

static void
on_loaded (GzViewerPage *page,
           gboolean     *loaded)
{
  *loaded = TRUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gint64        *painted)
{
  if (*painted == 0)
    *painted = g_get_monotonic_time ();
}

/* CPU time of the whole process (the loader's worker included), in ms: on a shared machine the
 * wall-clock figure mostly measures the other programs. */
static double
process_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, (guint) (p * (values->len - 1) + 0.5));
}

/* One hover: what the motion handler and the next frame do; *@render_ms is the part spent by the
 * renderer (GSK) drawing the window's nodes into a texture. */
/* The window as drawn now, into @path (a PNG to look at). */
static void
save_window (GtkWidget  *window,
             const char *path)
{
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) render_node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  render_node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)),
                                         render_node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_printerr ("gz-bench-viewer: could not write %s\n", path);
}

static double
hover_once (GtkWidget    *window,
            GzFlameGraph *graph,
            double        x,
            double        y,
            double       *render_ms)
{
  gint64 rendering;
  gint64 start = g_get_monotonic_time ();
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  guint32 node = gz_flame_graph_get_node_at (graph, x, y);
  g_autofree char *text = node != GZ_PROFILE_TREE_NONE ? gz_flame_graph_describe_node (graph, node)
                                                       : NULL;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) render_node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  render_node = gtk_snapshot_free_to_node (snapshot);
  rendering = g_get_monotonic_time ();
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)),
                                         render_node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  *render_ms = (g_get_monotonic_time () - rendering) / 1000.0;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GArray) opens = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) loads = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) hovers = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) renders = g_array_new (FALSE, FALSE, sizeof (double));
  guint runs = argc > 2 ? (guint) atoi (argv[2]) : 3;
  guint n_hovers = argc > 3 ? (guint) atoi (argv[3]) : 200;
  const char *screenshots = argc > 4 ? argv[4] : NULL;
  GRand *rand = g_rand_new_with_seed (42);
  guint nodes = 0;
  const char *renderer = "?";

  if (argc < 2)
    {
      g_printerr ("usage: %s PROFILE [RUNS [HOVERS [SCREENSHOT_DIR]]]\n", argv[0]);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("gz-bench-viewer: no display (run it under xvfb-run)\n");
      return 2;
    }
  adw_init ();
  file = g_file_new_for_commandline_arg (argv[1]);

  for (guint run = 0; run < runs; run++)
    {
      GtkWidget *window = gtk_window_new ();
      GzViewerPage *page = GZ_VIEWER_PAGE (gz_viewer_page_new ());
      GzFlameGraph *graph = gz_viewer_page_get_flame_graph (page);
      gboolean loaded = FALSE;
      gint64 painted = 0;
      gint64 start, loaded_at;
      gulong paint_id;
      double open_ms;
      double cpu_start;

      gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
      gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
      gtk_window_present (GTK_WINDOW (window));
      while (!gtk_widget_get_mapped (window))
        g_main_context_iteration (NULL, TRUE);

      g_signal_connect (page, "loaded", G_CALLBACK (on_loaded), &loaded);
      start = g_get_monotonic_time ();
      cpu_start = process_cpu_ms ();
      gz_viewer_page_open (page, file);
      while (!loaded)
        g_main_context_iteration (NULL, TRUE);
      loaded_at = g_get_monotonic_time ();
      if (g_strcmp0 (gz_viewer_page_get_state (page), "profile") != 0)
        {
          g_printerr ("gz-bench-viewer: %s\n", gz_viewer_page_get_error (page));
          return 1;
        }
      /* The first frame painted after the load: the one that draws the flame graph. */
      paint_id = g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                                   G_CALLBACK (on_after_paint), &painted);
      gtk_widget_queue_draw (window);
      while (painted == 0)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (gtk_widget_get_frame_clock (window), paint_id);

      open_ms = process_cpu_ms () - cpu_start;
      g_array_append_val (cpus, open_ms);
      open_ms = (painted - start) / 1000.0;
      g_array_append_val (opens, open_ms);
      open_ms = (loaded_at - start) / 1000.0;
      g_array_append_val (loads, open_ms);
      nodes = gz_profile_tree_get_n_nodes (gz_flame_graph_get_tree (graph));
      renderer = G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window)));

      /* Hovers over the drawn frames (the graph's rows), the first few as warm-up. */
      for (guint h = 0; h < n_hovers + 5; h++)
        {
          double x = g_rand_double_range (rand, 0, gtk_widget_get_width (GTK_WIDGET (graph)));
          double y = g_rand_double_range (rand, 0, MIN (gtk_widget_get_height (GTK_WIDGET (graph)),
                                                         800));
          double render_ms;
          double ms = hover_once (window, graph, x, y, &render_ms);

          if (h >= 5)
            {
              g_array_append_val (hovers, ms);
              g_array_append_val (renders, render_ms);
            }
        }
      /* The first run's graph, whole and zoomed twice into its widest frame, to look at. */
      if (run == 0 && screenshots != NULL)
        {
          g_autofree char *whole = g_build_filename (screenshots, "viewer-whole.png", NULL);
          g_autofree char *zoomed = g_build_filename (screenshots, "viewer-zoomed.png", NULL);
          GzProfileTree *tree = gz_flame_graph_get_tree (graph);
          guint32 node = 0;

          save_window (window, whole);
          for (guint level = 0; level < 2; level++)
            {
              guint n_children;
              const guint32 *children = gz_profile_tree_get_children (tree, node, &n_children);

              if (n_children > 0)
                node = children[0];
            }
          gz_flame_graph_set_root (graph, node);
          painted = 0;
          paint_id = g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                                       G_CALLBACK (on_after_paint), &painted);
          gtk_widget_queue_draw (window);
          while (painted == 0)
            g_main_context_iteration (NULL, TRUE);
          g_signal_handler_disconnect (gtk_widget_get_frame_clock (window), paint_id);
          save_window (window, zoomed);
          g_print ("screenshots: %s, %s\n", whole, zoomed);
        }
      g_print ("run %u: open to first drawn flame graph %.0f ms (loaded %.0f ms), CPU %.0f ms\n",
               run + 1, g_array_index (opens, double, opens->len - 1),
               g_array_index (loads, double, loads->len - 1),
               g_array_index (cpus, double, cpus->len - 1));
      gtk_window_destroy (GTK_WINDOW (window));
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  g_print ("profile: %s (%u tree nodes)\n", argv[1], nodes);
  g_print ("open to first drawn flame graph: median %.0f ms over %u runs (goal < 1000 ms); "
           "loaded (read, decode, tree): median %.0f ms; CPU time (all threads): median %.0f ms\n",
           percentile (opens, 0.5), runs, percentile (loads, 0.5), percentile (cpus, 0.5));
  g_print ("hover frame (lookup, tooltip text, window snapshot and render): median %.2f ms, "
           "p95 %.2f ms, max %.2f ms over %u hovers (goal < 16 ms)\n",
           percentile (hovers, 0.5), percentile (hovers, 0.95), percentile (hovers, 1.0),
           hovers->len);
  g_print ("  of which the renderer (%s) drawing the window into a texture: median %.2f ms\n",
           renderer, percentile (renders, 0.5));
  g_rand_free (rand);
  return 0;
}
