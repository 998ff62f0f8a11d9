/* gz-preferences-window.h: the options of gz-config (the file gz-cli reads too), editable. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_PREFERENCES_WINDOW (gz_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (GzPreferencesWindow, gz_preferences_window, GZ, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* The rows appear once the configuration has been read on a worker ("loading" turns FALSE). */
GzPreferencesWindow *gz_preferences_window_new         (void);
gboolean             gz_preferences_window_get_loading (GzPreferencesWindow *self);

G_END_DECLS
