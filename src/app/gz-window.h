/* gz-window.h: the main window: a view stack of pages (sessions, benchmarks, compare,
 * statistics, server, viewer) whose size, maximized state and visible page are kept in GSettings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-application.h"

G_BEGIN_DECLS

#define GZ_TYPE_WINDOW (gz_window_get_type ())
G_DECLARE_FINAL_TYPE (GzWindow, gz_window, GZ, WINDOW, AdwApplicationWindow)

GzWindow   *gz_window_new              (GzApplication *application);
/* The pages' names in the switcher's order, NULL-terminated. */
const char * const *gz_window_get_page_names (void);
gboolean    gz_window_is_page_name     (const char    *name);
const char *gz_window_get_visible_page (GzWindow      *self);
void        gz_window_set_visible_page (GzWindow      *self,
                                        const char    *name);
/* Moves the keyboard focus into the visible page, to its first control. */
void        gz_window_focus_page       (GzWindow      *self);

G_END_DECLS
