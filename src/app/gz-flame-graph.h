/* gz-flame-graph.h: GzFlameGraph, a flame graph (or icicle graph) of a GzProfileTree: click to
 * zoom, hover for values, search that highlights frames, colours by function, library or change. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gz-profile-tree.h"

G_BEGIN_DECLS

typedef enum
{
  GZ_FLAME_GRAPH_COLOR_FUNCTION, /* a stable warm colour per function name */
  GZ_FLAME_GRAPH_COLOR_LIBRARY,  /* one colour per mapping file */
} GzFlameGraphColorMode;

#define GZ_TYPE_FLAME_GRAPH (gz_flame_graph_get_type ())
G_DECLARE_FINAL_TYPE (GzFlameGraph, gz_flame_graph, GZ, FLAME_GRAPH, GtkWidget)

GtkWidget     *gz_flame_graph_new              (void);
/* The tree drawn; with a base, frames are coloured by their change. Resets the zoom. */
void           gz_flame_graph_set_tree         (GzFlameGraph          *self,
                                                GzProfileTree         *tree);
GzProfileTree *gz_flame_graph_get_tree         (GzFlameGraph          *self);
/* The zoomed frame: drawn full width with what is under it; its ancestors stay above it.
 * 0 (the tree's root) shows everything. */
void           gz_flame_graph_set_root         (GzFlameGraph          *self,
                                                guint32                node);
guint32        gz_flame_graph_get_root         (GzFlameGraph          *self);
/* Flame (root at the bottom) or icicle (root at the top, the default). */
void           gz_flame_graph_set_flame        (GzFlameGraph          *self,
                                                gboolean               flame);
gboolean       gz_flame_graph_get_flame        (GzFlameGraph          *self);
/* Leaves out the root row ("all"): for trees with a single child at the root. */
void           gz_flame_graph_set_hide_root    (GzFlameGraph          *self,
                                                gboolean               hide_root);
void           gz_flame_graph_set_color_mode   (GzFlameGraph          *self,
                                                GzFlameGraphColorMode  mode);
/* With a base: scale the base to the profile's total before comparing (the default). */
void           gz_flame_graph_set_normalize    (GzFlameGraph          *self,
                                                gboolean               normalize);
/* Highlights the frames whose name matches @pattern (a case-insensitive regular expression;
 * NULL or "" clears). FALSE with @error when the pattern does not compile. */
gboolean       gz_flame_graph_set_search       (GzFlameGraph          *self,
                                                const char            *pattern,
                                                GError               **error);
/* The value under the zoomed frame that the matching frames cover (recursion counted once),
 * or -1 without a search. */
gint64         gz_flame_graph_get_search_share (GzFlameGraph          *self);
/* The frame drawn at @x, @y (widget coordinates), or GZ_PROFILE_TREE_NONE. */
guint32        gz_flame_graph_get_node_at      (GzFlameGraph          *self,
                                                double                 x,
                                                double                 y);
/* The text of @node's tooltip: name, total and self with units and percent, the change. */
char          *gz_flame_graph_describe_node    (GzFlameGraph          *self,
                                                guint32                node);

G_END_DECLS
