/* gz-benchmarks-page.h: the Benchmarks page of the main window. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_BENCHMARKS_PAGE (gz_benchmarks_page_get_type ())
G_DECLARE_FINAL_TYPE (GzBenchmarksPage, gz_benchmarks_page, GZ, BENCHMARKS_PAGE, AdwBin)

GtkWidget *gz_benchmarks_page_new (void);

G_END_DECLS
