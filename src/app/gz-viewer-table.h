/* gz-viewer-table.h: GzViewerTable, the Viewer's top table: flat, flat %, cumulative and
 * cumulative % per function (and the change against a base), sortable and filterable. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gz-profile-tree.h"

G_BEGIN_DECLS

#define GZ_TYPE_VIEWER_TABLE (gz_viewer_table_get_type ())
G_DECLARE_FINAL_TYPE (GzViewerTable, gz_viewer_table, GZ, VIEWER_TABLE, GtkBox)

GtkWidget  *gz_viewer_table_new          (void);
/* Shows @functions (gz_profile_tree_get_functions () of @tree); with a base, the change
 * columns too (the base scaled to the profile's total when @normalize). */
void        gz_viewer_table_set_tree     (GzViewerTable *self,
                                          GzProfileTree *tree,
                                          GArray        *functions,
                                          gboolean       normalize);
/* The rows shown after the filter, and the name in row @position (NULL past the end). */
guint       gz_viewer_table_get_n_rows   (GzViewerTable *self);
const char *gz_viewer_table_get_row_name (GzViewerTable *self,
                                          guint          position);
void        gz_viewer_table_set_filter   (GzViewerTable *self,
                                          const char    *text);

G_END_DECLS
