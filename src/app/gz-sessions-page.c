/* gz-sessions-page.c: the Sessions page of the main window. */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-sessions-page.h"

struct _GzSessionsPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (GzSessionsPage, gz_sessions_page, ADW_TYPE_BIN)

static void
gz_sessions_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_SESSIONS_PAGE);

  G_OBJECT_CLASS (gz_sessions_page_parent_class)->dispose (object);
}

static void
gz_sessions_page_class_init (GzSessionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_sessions_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gz/Profile/gz-sessions-page.ui");
}

static void
gz_sessions_page_init (GzSessionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
gz_sessions_page_new (void)
{
  return g_object_new (GZ_TYPE_SESSIONS_PAGE, NULL);
}
