/* gz-test-app.c: what the app's GUI tests share: letting the main loop run, and screenshots. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-test-app.h"

static gboolean
set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

void
gz_test_app_spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
gz_test_app_save_screenshot (GtkWidget  *widget,
                             const char *file_name)
{
  const char *dir = g_getenv ("GZ_TEST_SCREENSHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_native (widget));
  int width = 0, height = 0;

  if (dir == NULL)
    {
      g_test_message ("no GZ_TEST_SCREENSHOTS: no screenshot %s", file_name);
      return;
    }
  g_assert_nonnull (window);
  /* A window just presented has no size until its first frame; then let the layout that the
   * last change queued be done. */
  for (guint i = 0; i < 200 && (width == 0 || height == 0); i++)
    {
      gz_test_app_spin_for (50);
      width = gtk_widget_get_width (window);
      height = gtk_widget_get_height (window);
    }
  g_assert_cmpint (width, >, 0);
  gz_test_app_spin_for (300);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  /* Nothing to render until the window has drawn its latest state: let frames pass. */
  for (guint tries = 0; node == NULL && tries < 100; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        {
          gtk_widget_queue_draw (window);
          gz_test_app_spin_for (50);
        }
    }
  g_assert_nonnull (node);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d x %d)", path, width, height);
}
