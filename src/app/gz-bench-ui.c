/* gz-bench-ui.c: weak references for async callbacks and the status line of the Benchmarks
 * and Compare pages. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-bench-ui.h"

GWeakRef *
gz_bench_ui_weak_new (gpointer object)
{
  GWeakRef *ref = g_new (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

gpointer
gz_bench_ui_weak_take (gpointer data,
                       gsize    disposed_offset)
{
  GWeakRef *ref = data;
  GObject *object = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (object != NULL && G_STRUCT_MEMBER (gboolean, object, disposed_offset))
    g_clear_object (&object);
  return object;
}

void
gz_bench_ui_set_status (GtkLabel   *label,
                        const char *text,
                        gboolean    error)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
}
