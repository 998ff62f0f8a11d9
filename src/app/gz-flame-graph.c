/* gz-flame-graph.c: GzFlameGraph, a plain widget that draws a GzProfileTree as a flame graph. The
 * frames are one render node, built once per tree, size, zoom, search and colouring and kept;
 * hovering draws only an outline over it, and the frame under the pointer is a binary search in
 * its row. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-flame-graph.h"
#include "gz-units.h"

#define ROW_HEIGHT  20.0
/* Frames narrower than this (in pixels) are not drawn, nor what is under them. */
#define MIN_WIDTH   1.0
#define LABEL_WIDTH 28.0 /* frames at least this wide get their name */

struct _GzFlameGraph
{
  GtkWidget              parent_instance;

  GzProfileTree         *tree;
  guint32                root;
  gboolean               flame;
  guint                  first_row;       /* 1 when the root is not drawn */
  gboolean               normalize;
  GzFlameGraphColorMode  color_mode;

  GdkRGBA               *function_colors; /* one per name */
  GdkRGBA               *library_colors;  /* one per name */

  GRegex                *search;
  guint8                *matched;         /* one per node, with a search */
  gint64                 search_share;

  guint32                hovered;

  GskRenderNode         *cache;
  int                    cache_width;
  int                    cache_height;
};

G_DEFINE_FINAL_TYPE (GzFlameGraph, gz_flame_graph, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TREE,
  PROP_ROOT,
  PROP_FLAME,
  PROP_SEARCH_SHARE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gz_flame_graph_invalidate (GzFlameGraph *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A colour from a hash: hue in [@hue_min, @hue_max) degrees, saturation and value varied a little
 * so that neighbours differ. */
static void
color_from_hash (guint    hash,
                 double   hue_min,
                 double   hue_max,
                 GdkRGBA *color)
{
  double h = hue_min + (hash % 1000) / 1000.0 * (hue_max - hue_min);
  double s = 0.45 + ((hash >> 10) % 100) / 100.0 * 0.25;
  float r, g, b;

  gtk_hsv_to_rgb (h / 360.0, s, 0.92, &r, &g, &b);
  *color = (GdkRGBA) { r, g, b, 1.0 };
}

static void
gz_flame_graph_make_colors (GzFlameGraph *self)
{
  guint n = gz_profile_tree_get_n_names (self->tree);

  g_clear_pointer (&self->function_colors, g_free);
  g_clear_pointer (&self->library_colors, g_free);
  self->function_colors = g_new (GdkRGBA, n);
  self->library_colors = g_new (GdkRGBA, n);
  for (guint i = 0; i < n; i++)
    {
      const char *library = gz_profile_tree_get_library (self->tree, i);
      g_autofree char *base = library != NULL ? g_path_get_basename (library) : NULL;

      color_from_hash (g_str_hash (gz_profile_tree_get_name (self->tree, i)), 0, 55,
                       &self->function_colors[i]);
      if (base != NULL)
        color_from_hash (g_str_hash (base), 0, 360, &self->library_colors[i]);
      else
        self->library_colors[i] = (GdkRGBA) { 0.8, 0.8, 0.8, 1.0 };
    }
}

static void
mix (GdkRGBA       *color,
     const GdkRGBA *other,
     double         amount)
{
  color->red += (other->red - color->red) * amount;
  color->green += (other->green - color->green) * amount;
  color->blue += (other->blue - color->blue) * amount;
}

static void
gz_flame_graph_node_color (GzFlameGraph *self,
                           guint32       node,
                           GdkRGBA      *color)
{
  const GzProfileTreeNode *n = gz_profile_tree_get_node (self->tree, node);
  static const GdkRGBA grey = { 0.82, 0.82, 0.82, 1.0 };
  static const GdkRGBA red = { 0.89, 0.16, 0.12, 1.0 };
  static const GdkRGBA blue = { 0.21, 0.45, 0.89, 1.0 };

  if (gz_profile_tree_has_base (self->tree))
    {
      const GzProfileTreeNode *root = gz_profile_tree_get_node (self->tree, 0);
      double delta = gz_profile_tree_node_delta (self->tree, node, self->normalize);
      double scale = self->normalize && root->base_total != 0
                     ? (double) root->total / (double) root->base_total : 1.0;
      double denom = MAX ((double) n->total, (double) n->base_total * scale);
      double change = denom > 0 ? CLAMP (delta / denom, -1.0, 1.0) : 0.0;

      *color = grey;
      mix (color, change > 0 ? &red : &blue, 0.15 + 0.85 * ABS (change));
      if (ABS (change) < 0.01)
        *color = grey;
    }
  else if (self->color_mode == GZ_FLAME_GRAPH_COLOR_LIBRARY)
    *color = self->library_colors[n->name];
  else
    *color = self->function_colors[n->name];

  if (node == 0)
    *color = grey;
  if (self->matched != NULL && !self->matched[node])
    {
      static const GdkRGBA pale = { 0.93, 0.93, 0.93, 1.0 };

      mix (color, &pale, 0.75);
    }
}

static double
row_y (GzFlameGraph *self,
       guint         depth,
       double        height)
{
  double row = (double) depth - self->first_row;

  return self->flame ? height - (row + 1) * ROW_HEIGHT : row * ROW_HEIGHT;
}

static const char *
node_label (GzFlameGraph *self,
            guint32       node)
{
  return node == 0 ? _("all") : gz_profile_tree_get_name (self->tree,
                                  gz_profile_tree_get_node (self->tree, node)->name);
}

static void
draw_frame (GzFlameGraph *self,
            GtkSnapshot  *snapshot,
            PangoLayout  *layout,
            guint32       node,
            double        x,
            double        y,
            double        width)
{
  static const GdkRGBA text = { 0.1, 0.1, 0.1, 1.0 };
  GdkRGBA color;

  gz_flame_graph_node_color (self, node, &color);
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x, y, MAX (width - 1, MIN_WIDTH),
                                                                    ROW_HEIGHT - 1));
  if (width < LABEL_WIDTH)
    return;

  pango_layout_set_text (layout, node_label (self, node), -1);
  pango_layout_set_width (layout, (int) ((width - 6) * PANGO_SCALE));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 3, y + 2));
  gtk_snapshot_append_layout (snapshot, layout, &text);
  gtk_snapshot_restore (snapshot);
}

/* The frames: the root's ancestors and the root full width, then what is under the root, scaled
 * to the width; a frame too narrow to see ends its branch. */
static GskRenderNode *
gz_flame_graph_build (GzFlameGraph *self,
                      double        width,
                      double        height)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  const GzProfileTreeNode *root = gz_profile_tree_get_node (self->tree, self->root);
  double scale;

  /* The tree is lazy: make every frame that could be a quarter of a pixel wide at this width
   * (the search's marks cover the nodes made so far, so they are redone when there are more). */
  if (root->total > 0
      && gz_profile_tree_expand (self->tree, self->root, (gint64) (root->total / (width * 4)))
      && self->matched != NULL)
    {
      g_free (self->matched);
      self->matched = g_new (guint8, gz_profile_tree_get_n_nodes (self->tree));
      gz_profile_tree_search (self->tree, self->search, self->root, self->matched);
    }
  root = gz_profile_tree_get_node (self->tree, self->root);

  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (layout, TRUE);

  for (guint32 a = self->root; a != GZ_PROFILE_TREE_NONE;
       a = gz_profile_tree_get_node (self->tree, a)->parent)
    if (gz_profile_tree_get_node (self->tree, a)->depth >= self->first_row)
      draw_frame (self, snapshot, layout, a,
                  0, row_y (self, gz_profile_tree_get_node (self->tree, a)->depth, height), width);

  if (root->total <= 0)
    return gtk_snapshot_free_to_node (snapshot);
  scale = width / (double) root->total;

  g_array_append_val (stack, self->root);
  while (stack->len > 0)
    {
      guint32 node = g_array_index (stack, guint32, stack->len - 1);
      guint n_children;
      const guint32 *children = gz_profile_tree_get_children (self->tree, node, &n_children);

      g_array_set_size (stack, stack->len - 1);
      for (guint c = 0; c < n_children; c++)
        {
          const GzProfileTreeNode *child = gz_profile_tree_get_node (self->tree, children[c]);
          double w = child->total * scale;

          /* Children are largest first: the rest are narrower still. */
          if (w < MIN_WIDTH)
            break;
          draw_frame (self, snapshot, layout, children[c], (child->offset - root->offset) * scale,
                      row_y (self, child->depth, height), w);
          g_array_append_val (stack, children[c]);
        }
    }
  return gtk_snapshot_free_to_node (snapshot);
}

static void
gz_flame_graph_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  GzFlameGraph *self = GZ_FLAME_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (self->tree == NULL || width <= 0 || height <= 0)
    return;

  if (self->cache == NULL || self->cache_width != width || self->cache_height != height)
    {
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      self->cache = gz_flame_graph_build (self, width, height);
      self->cache_width = width;
      self->cache_height = height;
    }
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);

  if (self->hovered != GZ_PROFILE_TREE_NONE
      && gz_profile_tree_get_node (self->tree, self->hovered)->depth >= self->first_row)
    {
      const GzProfileTreeNode *root = gz_profile_tree_get_node (self->tree, self->root);
      const GzProfileTreeNode *n = gz_profile_tree_get_node (self->tree, self->hovered);
      double x = 0, w = width;
      GskRoundedRect outline;
      static const GdkRGBA black[4] = {
        { 0, 0, 0, 0.8 }, { 0, 0, 0, 0.8 }, { 0, 0, 0, 0.8 }, { 0, 0, 0, 0.8 }
      };
      static const float border[4] = { 2, 2, 2, 2 };

      if (n->depth > root->depth && root->total > 0)
        {
          x = (n->offset - root->offset) * (double) width / root->total;
          w = n->total * (double) width / root->total;
        }
      gsk_rounded_rect_init_from_rect (&outline,
                                       &GRAPHENE_RECT_INIT (x, row_y (self, n->depth, height),
                                                            MAX (w - 1, 4), ROW_HEIGHT - 1), 0);
      gtk_snapshot_append_border (snapshot, &outline, border, black);
    }
}

static void
gz_flame_graph_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  GzFlameGraph *self = GZ_FLAME_GRAPH (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 800;
    }
  else
    {
      guint rows = self->tree != NULL ? gz_profile_tree_get_n_rows (self->tree) : 0;

      rows = MAX (rows, self->first_row + 1) - self->first_row;
      *minimum = *natural = (int) (rows * ROW_HEIGHT);
    }
}

guint32
gz_flame_graph_get_node_at (GzFlameGraph *self,
                            double        x,
                            double        y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  const GzProfileTreeNode *root;
  double row;
  guint depth;
  gint64 value;
  guint32 node;

  g_return_val_if_fail (GZ_IS_FLAME_GRAPH (self), GZ_PROFILE_TREE_NONE);

  if (self->tree == NULL || width <= 0 || x < 0 || x >= width)
    return GZ_PROFILE_TREE_NONE;
  row = (self->flame ? (height - y) / ROW_HEIGHT : y / ROW_HEIGHT) + self->first_row;
  if (row < self->first_row || row >= gz_profile_tree_get_n_rows (self->tree))
    return GZ_PROFILE_TREE_NONE;
  depth = (guint) row;

  /* Above the zoomed frame: its ancestor on that row, drawn full width. */
  root = gz_profile_tree_get_node (self->tree, self->root);
  if (depth <= root->depth)
    {
      for (node = self->root; gz_profile_tree_get_node (self->tree, node)->depth > depth;)
        node = gz_profile_tree_get_node (self->tree, node)->parent;
      return node;
    }
  if (root->total <= 0)
    return GZ_PROFILE_TREE_NONE;

  value = root->offset + (gint64) (x / width * root->total);
  node = gz_profile_tree_find (self->tree, depth, value);
  if (node != GZ_PROFILE_TREE_NONE
      && gz_profile_tree_get_node (self->tree, node)->total * (double) width / root->total
         < MIN_WIDTH)
    return GZ_PROFILE_TREE_NONE;
  return node;
}

static void
append_value (GString       *text,
              GzProfileTree *tree,
              const char    *label,
              gint64         value,
              gint64         whole)
{
  g_autofree char *formatted = gz_units_format_value (value, gz_profile_tree_get_unit (tree));

  g_string_append_printf (text, "\n%s: %s (%.2f%%)", label, formatted,
                          whole != 0 ? 100.0 * (double) value / (double) whole : 0.0);
}

char *
gz_flame_graph_describe_node (GzFlameGraph *self,
                              guint32       node)
{
  const GzProfileTreeNode *n;
  const GzProfileTreeNode *all;
  const char *library;
  GString *text;

  g_return_val_if_fail (GZ_IS_FLAME_GRAPH (self), NULL);
  g_return_val_if_fail (self->tree != NULL, NULL);

  n = gz_profile_tree_get_node (self->tree, node);
  all = gz_profile_tree_get_node (self->tree, 0);
  text = g_string_new (node_label (self, node));
  append_value (text, self->tree, _("Total"), n->total, all->total);
  append_value (text, self->tree, _("Self"), n->self, all->total);
  if (gz_profile_tree_has_base (self->tree))
    {
      double delta = gz_profile_tree_node_delta (self->tree, node, self->normalize);
      g_autofree char *base = gz_units_format_value (n->base_total,
                                                     gz_profile_tree_get_unit (self->tree));
      g_autofree char *change = gz_units_format_value ((gint64) ABS (delta),
                                                       gz_profile_tree_get_unit (self->tree));

      g_string_append_printf (text, "\n%s: %s", _("Base"), base);
      g_string_append_printf (text, "\n%s: %s%s", self->normalize ? _("Change (normalized)")
                                                                  : _("Change"),
                              delta < 0 ? "−" : "+", change);
    }
  library = node != 0 ? gz_profile_tree_get_library (self->tree, n->name) : NULL;
  if (library != NULL)
    g_string_append_printf (text, "\n%s", library);
  return g_string_free (text, FALSE);
}

static gboolean
gz_flame_graph_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard,
                              GtkTooltip *tooltip)
{
  GzFlameGraph *self = GZ_FLAME_GRAPH (widget);
  guint32 node = gz_flame_graph_get_node_at (self, x, y);
  g_autofree char *text = NULL;

  if (node == GZ_PROFILE_TREE_NONE)
    return FALSE;
  text = gz_flame_graph_describe_node (self, node);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
gz_flame_graph_set_hovered (GzFlameGraph *self,
                            guint32       node)
{
  if (self->hovered == node)
    return;
  self->hovered = node;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           GzFlameGraph             *self)
{
  gz_flame_graph_set_hovered (self, gz_flame_graph_get_node_at (self, x, y));
}

static void
on_leave (GtkEventControllerMotion *controller,
          GzFlameGraph             *self)
{
  gz_flame_graph_set_hovered (self, GZ_PROFILE_TREE_NONE);
}

static void
on_released (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             GzFlameGraph    *self)
{
  guint32 node = gz_flame_graph_get_node_at (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (node != GZ_PROFILE_TREE_NONE)
    gz_flame_graph_set_root (self, node);
}

/* Backspace zooms out one level, Escape to the whole profile. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GzFlameGraph          *self)
{
  if (self->tree == NULL || self->root == 0)
    return FALSE;
  if (keyval == GDK_KEY_BackSpace)
    gz_flame_graph_set_root (self, gz_profile_tree_get_node (self->tree, self->root)->parent);
  else if (keyval == GDK_KEY_Escape)
    gz_flame_graph_set_root (self, 0);
  else
    return FALSE;
  return TRUE;
}

static void
gz_flame_graph_update_search (GzFlameGraph *self)
{
  g_clear_pointer (&self->matched, g_free);
  self->search_share = -1;
  if (self->search != NULL && self->tree != NULL)
    {
      self->matched = g_new (guint8, gz_profile_tree_get_n_nodes (self->tree));
      self->search_share = gz_profile_tree_search (self->tree, self->search, self->root,
                                                   self->matched);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_SHARE]);
  gz_flame_graph_invalidate (self);
}

void
gz_flame_graph_set_tree (GzFlameGraph  *self,
                         GzProfileTree *tree)
{
  g_return_if_fail (GZ_IS_FLAME_GRAPH (self));

  if (self->tree == tree)
    return;
  g_clear_pointer (&self->tree, gz_profile_tree_unref);
  self->tree = tree != NULL ? gz_profile_tree_ref (tree) : NULL;
  self->root = 0;
  self->hovered = GZ_PROFILE_TREE_NONE;
  if (tree != NULL)
    gz_flame_graph_make_colors (self);
  gz_flame_graph_update_search (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TREE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOT]);
}

GzProfileTree *
gz_flame_graph_get_tree (GzFlameGraph *self)
{
  g_return_val_if_fail (GZ_IS_FLAME_GRAPH (self), NULL);

  return self->tree;
}

void
gz_flame_graph_set_root (GzFlameGraph *self,
                         guint32       node)
{
  g_return_if_fail (GZ_IS_FLAME_GRAPH (self));
  g_return_if_fail (self->tree != NULL || node == 0);
  g_return_if_fail (self->tree == NULL || node < gz_profile_tree_get_n_nodes (self->tree));

  if (self->root == node)
    return;
  self->root = node;
  self->hovered = GZ_PROFILE_TREE_NONE;
  gz_flame_graph_update_search (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOT]);
}

guint32
gz_flame_graph_get_root (GzFlameGraph *self)
{
  g_return_val_if_fail (GZ_IS_FLAME_GRAPH (self), 0);

  return self->root;
}

void
gz_flame_graph_set_flame (GzFlameGraph *self,
                          gboolean      flame)
{
  g_return_if_fail (GZ_IS_FLAME_GRAPH (self));

  flame = !!flame;
  if (self->flame == flame)
    return;
  self->flame = flame;
  gz_flame_graph_invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAME]);
}

gboolean
gz_flame_graph_get_flame (GzFlameGraph *self)
{
  g_return_val_if_fail (GZ_IS_FLAME_GRAPH (self), FALSE);

  return self->flame;
}

void
gz_flame_graph_set_hide_root (GzFlameGraph *self,
                              gboolean      hide_root)
{
  g_return_if_fail (GZ_IS_FLAME_GRAPH (self));

  if (self->first_row == (hide_root ? 1u : 0u))
    return;
  self->first_row = hide_root ? 1 : 0;
  gz_flame_graph_invalidate (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
gz_flame_graph_set_color_mode (GzFlameGraph          *self,
                               GzFlameGraphColorMode  mode)
{
  g_return_if_fail (GZ_IS_FLAME_GRAPH (self));

  if (self->color_mode == mode)
    return;
  self->color_mode = mode;
  gz_flame_graph_invalidate (self);
}

void
gz_flame_graph_set_normalize (GzFlameGraph *self,
                              gboolean      normalize)
{
  g_return_if_fail (GZ_IS_FLAME_GRAPH (self));

  normalize = !!normalize;
  if (self->normalize == normalize)
    return;
  self->normalize = normalize;
  gz_flame_graph_invalidate (self);
}

gboolean
gz_flame_graph_set_search (GzFlameGraph  *self,
                           const char    *pattern,
                           GError       **error)
{
  g_autoptr(GRegex) regex = NULL;

  g_return_val_if_fail (GZ_IS_FLAME_GRAPH (self), FALSE);

  if (pattern != NULL && pattern[0] != '\0')
    {
      regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, error);
      if (regex == NULL)
        return FALSE;
    }
  g_clear_pointer (&self->search, g_regex_unref);
  self->search = g_steal_pointer (&regex);
  gz_flame_graph_update_search (self);
  return TRUE;
}

gint64
gz_flame_graph_get_search_share (GzFlameGraph *self)
{
  g_return_val_if_fail (GZ_IS_FLAME_GRAPH (self), -1);

  return self->search_share;
}

static void
gz_flame_graph_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (gz_flame_graph_parent_class)->css_changed (widget, change);
  /* The labels' font comes from the style. */
  gz_flame_graph_invalidate (GZ_FLAME_GRAPH (widget));
}

static void
gz_flame_graph_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GzFlameGraph *self = GZ_FLAME_GRAPH (object);

  switch (prop_id)
    {
    case PROP_TREE:
      g_value_set_boxed (value, self->tree);
      break;
    case PROP_ROOT:
      g_value_set_uint (value, self->root);
      break;
    case PROP_FLAME:
      g_value_set_boolean (value, self->flame);
      break;
    case PROP_SEARCH_SHARE:
      g_value_set_int64 (value, self->search_share);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_flame_graph_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GzFlameGraph *self = GZ_FLAME_GRAPH (object);

  switch (prop_id)
    {
    case PROP_TREE:
      gz_flame_graph_set_tree (self, g_value_get_boxed (value));
      break;
    case PROP_ROOT:
      gz_flame_graph_set_root (self, g_value_get_uint (value));
      break;
    case PROP_FLAME:
      gz_flame_graph_set_flame (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_flame_graph_finalize (GObject *object)
{
  GzFlameGraph *self = GZ_FLAME_GRAPH (object);

  g_clear_pointer (&self->tree, gz_profile_tree_unref);
  g_clear_pointer (&self->function_colors, g_free);
  g_clear_pointer (&self->library_colors, g_free);
  g_clear_pointer (&self->search, g_regex_unref);
  g_clear_pointer (&self->matched, g_free);
  g_clear_pointer (&self->cache, gsk_render_node_unref);

  G_OBJECT_CLASS (gz_flame_graph_parent_class)->finalize (object);
}

static void
gz_flame_graph_class_init (GzFlameGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = gz_flame_graph_finalize;
  object_class->get_property = gz_flame_graph_get_property;
  object_class->set_property = gz_flame_graph_set_property;

  widget_class->snapshot = gz_flame_graph_snapshot;
  widget_class->measure = gz_flame_graph_measure;
  widget_class->query_tooltip = gz_flame_graph_query_tooltip;
  widget_class->css_changed = gz_flame_graph_css_changed;

  properties[PROP_TREE] =
    g_param_spec_boxed ("tree", NULL, NULL, GZ_TYPE_PROFILE_TREE,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROOT] =
    g_param_spec_uint ("root", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLAME] =
    g_param_spec_boolean ("flame", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH_SHARE] =
    g_param_spec_int64 ("search-share", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "flamegraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
gz_flame_graph_init (GzFlameGraph *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->hovered = GZ_PROFILE_TREE_NONE;
  self->normalize = TRUE;
  self->search_share = -1;

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
gz_flame_graph_new (void)
{
  return g_object_new (GZ_TYPE_FLAME_GRAPH, NULL);
}
