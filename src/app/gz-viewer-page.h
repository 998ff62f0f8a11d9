/* gz-viewer-page.h: the Viewer page of the main window. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_VIEWER_PAGE (gz_viewer_page_get_type ())
G_DECLARE_FINAL_TYPE (GzViewerPage, gz_viewer_page, GZ, VIEWER_PAGE, AdwBin)

GtkWidget *gz_viewer_page_new (void);

G_END_DECLS
