/* gz-compare-page.h: the Compare page of the main window: two labels of stored benchmark
 * results compared as `gz-cli profile compare` does, as bars and a table; exported as markdown
 * or JSON. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gz-bench-compare.h"
#include "gz-bench-format.h"

G_BEGIN_DECLS

#define GZ_TYPE_COMPARE_PAGE (gz_compare_page_get_type ())
G_DECLARE_FINAL_TYPE (GzComparePage, gz_compare_page, GZ, COMPARE_PAGE, AdwBin)

GtkWidget               *gz_compare_page_new            (void);

/* Reads the stored labels again (on a worker), keeping the chosen ones when they remain; the
 * page does it when it is shown. */
void                     gz_compare_page_reload         (GzComparePage     *self);
/* TRUE while labels are read or a comparison is computed. */
gboolean                 gz_compare_page_get_busy       (GzComparePage     *self);
/* The labels offered (GtkStringObject), oldest first. */
GListModel              *gz_compare_page_get_labels     (GzComparePage     *self);
/* Chooses the two labels in the dropdowns, which compares them; FALSE when one is not listed. */
gboolean                 gz_compare_page_select         (GzComparePage     *self,
                                                         const char        *baseline,
                                                         const char        *current);
/* The comparison shown (borrowed), or NULL. */
const GzBenchComparison *gz_compare_page_get_comparison (GzComparePage     *self);
/* The grouped bar chart (a GzBarChart). */
GtkWidget               *gz_compare_page_get_chart      (GzComparePage     *self);
/* The verdict shown for @benchmark's @metric: "regression", "improvement", "~"; NULL if none. */
const char              *gz_compare_page_get_verdict    (GzComparePage     *self,
                                                         const char        *benchmark,
                                                         GzBenchMetric      metric);
/* Writes the comparison shown to @file as GZ_BENCH_FORMAT_MARKDOWN or _JSON, replacing it
 * atomically; the Export buttons do this after the file chooser. */
void                     gz_compare_page_export_async   (GzComparePage     *self,
                                                         GFile             *file,
                                                         GzBenchFormat      format,
                                                         GCancellable      *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer           user_data);
gboolean                 gz_compare_page_export_finish  (GzComparePage     *self,
                                                         GAsyncResult      *result,
                                                         GError           **error);

G_END_DECLS
