/* gz-server-page.h: the Server page of the main window: the pprof server inside the app. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_SERVER_PAGE (gz_server_page_get_type ())
G_DECLARE_FINAL_TYPE (GzServerPage, gz_server_page, GZ, SERVER_PAGE, AdwBin)

GtkWidget  *gz_server_page_new         (void);
/* Whether the server is on (or starting); setting it starts or stops it, without waiting:
 * "running" is notified when that is done, or failed (the page says why). */
gboolean    gz_server_page_get_running (GzServerPage *self);
void        gz_server_page_set_running (GzServerPage *self,
                                        gboolean      running);
/* "http://127.0.0.1:6060/debug/pprof/" while running, else NULL. */
const char *gz_server_page_get_url     (GzServerPage *self);

G_END_DECLS
