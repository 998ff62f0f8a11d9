/* gz-sessions-page.h: the Sessions page of the main window: start a session on this
 * application, a launched program, a running process or a pprof URL; follow and stop the
 * active sessions of every gz process of the user; read the finished ones. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-session-result-row.h"
#include "gz-session-row.h"
#include "gz-session-starter.h"

G_BEGIN_DECLS

#define GZ_TYPE_SESSIONS_PAGE (gz_sessions_page_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionsPage, gz_sessions_page, GZ, SESSIONS_PAGE, AdwBin)

GtkWidget          *gz_sessions_page_new             (void);
/* Starts the session @request describes, as the Start button does with the form's values:
 * the outcome shows in the page (a row, or the error under the form); ::session-started
 * follows a success. */
void                gz_sessions_page_start           (GzSessionsPage          *self,
                                                      const GzSessionRequest  *request);
/* Cancels the start under way, if any: a launched program whose start is awaited is killed;
 * a session whose start request was already under way is stopped at once (its profile kept).
 * ::start-failed says so. */
void                gz_sessions_page_cancel_start    (GzSessionsPage          *self);
/* The error the last start gave, as the page shows it; NULL after a success. */
const char         *gz_sessions_page_get_error       (GzSessionsPage          *self);
/* The rows of the active session @id and of the finished session @id, or NULL. */
GzSessionRow       *gz_sessions_page_lookup_active   (GzSessionsPage          *self,
                                                      const char              *id);
GzSessionResultRow *gz_sessions_page_lookup_finished (GzSessionsPage          *self,
                                                      const char              *id);

/* Signals: ::session-started (const char *id) — a session started from this page runs.
 * ::start-failed (const char *message). ::session-finished (const char *id) — a session's
 * row moved to the finished list (its summary may still be being read). */

G_END_DECLS
