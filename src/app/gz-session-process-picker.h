/* gz-session-process-picker.h: a dialog that lists the user's processes (pid, command line, CPU
 * use, whether `gz-cli profile run` started it), searchable, refreshed while open; choosing one
 * ends it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_SESSION_PROCESS_PICKER (gz_session_process_picker_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionProcessPicker, gz_session_process_picker, GZ,
                      SESSION_PROCESS_PICKER, AdwWindow)

GzSessionProcessPicker *gz_session_process_picker_new        (GtkWindow              *parent);
/* Shows only the processes whose pid or command line contains @text (case-insensitive). */
void                    gz_session_process_picker_set_search (GzSessionProcessPicker *self,
                                                              const char             *text);
/* The processes shown now, after the search. */
guint                   gz_session_process_picker_get_n_shown (GzSessionProcessPicker *self);
/* Chooses the process @pid as if its row were activated; FALSE when it is not listed. */
gboolean                gz_session_process_picker_choose     (GzSessionProcessPicker *self,
                                                              int                     pid);

/* Signals: ::chosen (int pid, gboolean has_agent: it has a `run` socket, const char
 * *command_line) — then the dialog closes. ::refreshed () — the list was read again. */

G_END_DECLS
