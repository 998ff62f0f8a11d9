/* gz-compare-page.c: the Compare page of the main window. */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-compare-page.h"

struct _GzComparePage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (GzComparePage, gz_compare_page, ADW_TYPE_BIN)

static void
gz_compare_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_COMPARE_PAGE);

  G_OBJECT_CLASS (gz_compare_page_parent_class)->dispose (object);
}

static void
gz_compare_page_class_init (GzComparePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_compare_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gz/Profile/gz-compare-page.ui");
}

static void
gz_compare_page_init (GzComparePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
gz_compare_page_new (void)
{
  return g_object_new (GZ_TYPE_COMPARE_PAGE, NULL);
}
