/* gz-session-row.h: one active session in the Sessions page: type, target, live duration,
 * progress towards its end and a Stop button — for the app's own sessions and for those of
 * other gz processes (gz-cli in a terminal) alike. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-session-types.h"

G_BEGIN_DECLS

#define GZ_TYPE_SESSION_ROW (gz_session_row_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionRow, gz_session_row, GZ, SESSION_ROW, AdwActionRow)

GzSessionRow        *gz_session_row_new           (const GzSessionInfo  *info);
const char          *gz_session_row_get_id        (GzSessionRow         *self);
const GzSessionInfo *gz_session_row_get_info      (GzSessionRow         *self);
/* A newer record of the same session from the registry. */
void                 gz_session_row_set_info      (GzSessionRow         *self,
                                                   const GzSessionInfo  *info);
/* The elapsed time and its label, now (the page calls this every second). */
void                 gz_session_row_update_label  (GzSessionRow         *self);
/* The progress bar, now (every 200 ms); hidden for a session that runs until stopped. */
void                 gz_session_row_update_progress (GzSessionRow       *self);
/* While its profile is written: the Stop button is insensitive and the row says so. */
void                 gz_session_row_set_stopping  (GzSessionRow         *self,
                                                   gboolean              stopping);
gboolean             gz_session_row_get_stopping  (GzSessionRow         *self);
/* What the page shows as a session's target: "this application", "pid 4242", a URL or a
 * command line. Free with g_free. */
char                *gz_session_describe_target   (const GzSessionInfo  *info);

/* Signals: ::stop () — the Stop button was pressed. */

G_END_DECLS
