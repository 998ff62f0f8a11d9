/* gz-server-page.h: the Server page of the main window. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_SERVER_PAGE (gz_server_page_get_type ())
G_DECLARE_FINAL_TYPE (GzServerPage, gz_server_page, GZ, SERVER_PAGE, AdwBin)

GtkWidget *gz_server_page_new (void);

G_END_DECLS
