/* gz-compare-page.h: the Compare page of the main window. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GZ_TYPE_COMPARE_PAGE (gz_compare_page_get_type ())
G_DECLARE_FINAL_TYPE (GzComparePage, gz_compare_page, GZ, COMPARE_PAGE, AdwBin)

GtkWidget *gz_compare_page_new (void);

G_END_DECLS
