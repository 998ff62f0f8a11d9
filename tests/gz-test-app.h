/* gz-test-app.h: what the app's GUI tests share: letting the main loop run, and screenshots. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Runs the default main context for @ms milliseconds. */
void gz_test_app_spin_for        (guint       ms);
/* @widget's window as the user sees it, once it has a size and has drawn its latest state,
 * written to $GZ_TEST_SCREENSHOTS/@file_name (a .png; tests/meson.build sets the folder). */
void gz_test_app_save_screenshot (GtkWidget  *widget,
                                  const char *file_name);

G_END_DECLS
