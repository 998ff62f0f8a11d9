/* gz-benchmarks-page.c: the Benchmarks page of the main window. */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-benchmarks-page.h"

struct _GzBenchmarksPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (GzBenchmarksPage, gz_benchmarks_page, ADW_TYPE_BIN)

static void
gz_benchmarks_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_BENCHMARKS_PAGE);

  G_OBJECT_CLASS (gz_benchmarks_page_parent_class)->dispose (object);
}

static void
gz_benchmarks_page_class_init (GzBenchmarksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_benchmarks_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gz/Profile/gz-benchmarks-page.ui");
}

static void
gz_benchmarks_page_init (GzBenchmarksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
gz_benchmarks_page_new (void)
{
  return g_object_new (GZ_TYPE_BENCHMARKS_PAGE, NULL);
}
