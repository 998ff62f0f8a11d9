/* gz-bench-ui.h: what the Benchmarks and Compare pages both need: async callbacks that hold a
 * page weakly, and the status line under a form. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A weak reference to @object for an async callback's user data: a page closed mid-run is
 * disposed (which cancels its work) rather than kept alive by it. */
GWeakRef *gz_bench_ui_weak_new    (gpointer    object);
/* Frees @data (from gz_bench_ui_weak_new) and returns a strong reference to its object, or
 * NULL when it is gone or @disposed_offset (a gboolean in the instance, set by its dispose)
 * says it is being disposed. */
gpointer  gz_bench_ui_weak_take   (gpointer    data,
                                   gsize       disposed_offset);
/* Shows @text (hidden when NULL or empty), in the error colour when @error. */
void      gz_bench_ui_set_status  (GtkLabel   *label,
                                   const char *text,
                                   gboolean    error);

G_END_DECLS
