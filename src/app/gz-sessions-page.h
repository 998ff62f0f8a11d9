/* gz-sessions-page.h: the Sessions page of the main window. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_SESSIONS_PAGE (gz_sessions_page_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionsPage, gz_sessions_page, GZ, SESSIONS_PAGE, AdwBin)

GtkWidget *gz_sessions_page_new (void);

G_END_DECLS
