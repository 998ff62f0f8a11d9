/* gz-viewer-page.c: the Viewer page of the main window. */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-viewer-page.h"

struct _GzViewerPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (GzViewerPage, gz_viewer_page, ADW_TYPE_BIN)

static void
gz_viewer_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_VIEWER_PAGE);

  G_OBJECT_CLASS (gz_viewer_page_parent_class)->dispose (object);
}

static void
gz_viewer_page_class_init (GzViewerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_viewer_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gz/Profile/gz-viewer-page.ui");
}

static void
gz_viewer_page_init (GzViewerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
gz_viewer_page_new (void)
{
  return g_object_new (GZ_TYPE_VIEWER_PAGE, NULL);
}
