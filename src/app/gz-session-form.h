/* gz-session-form.h: the form at the top of the Sessions page: type, duration, output folder
 * and target (this application, a program to launch, a running process, a pprof URL), the
 * Start button and the error of the last start. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-config.h"
#include "gz-session-starter.h"

G_BEGIN_DECLS

#define GZ_TYPE_SESSION_FORM (gz_session_form_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionForm, gz_session_form, GZ, SESSION_FORM, AdwBin)

GtkWidget *gz_session_form_new          (void);
/* The configuration whose output folder is the default one shown. */
void       gz_session_form_set_config   (GzSessionForm  *self,
                                         GzConfig       *config);
/* While a start is under way: a spinner turns and the Start button becomes Cancel. */
void       gz_session_form_set_starting (GzSessionForm  *self,
                                         gboolean        starting);
/* Shown under the form; NULL hides it. */
void       gz_session_form_set_error    (GzSessionForm  *self,
                                         const char     *message);

/* Signals: ::start (GzSessionRequest *request) — Start (or Enter in an entry) with complete
 * values; the request belongs to the emission (copy it to keep it). ::cancel () — Cancel while
 * starting. */

G_END_DECLS
