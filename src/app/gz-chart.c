/* gz-chart.c: GzChart, what every chart shares: the cached render node, style colours, axes,
 * header and legend, hover and keyboard highlight, tooltips and the accessible description. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "gz-chart.h"

#define HEADER_GAP 6
#define LEGEND_SWATCH 10

typedef struct
{
  char *title;
  char *description;
  char *empty_text;
  guint first_color;

  GskRenderNode *cache;   /* the last drawing of the data */
  int cache_width;
  int cache_height;
  GdkRGBA cache_fg;       /* the style it was drawn in */
  guint n_draws;

  int highlight;          /* item under the pointer or chosen with the keys, -1 for none */
  gboolean keyboard;      /* the highlight came from the keys: show its text in the chart */
} GzChartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GzChart, gz_chart, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The GNOME HIG palette: blue 3, green 4, orange 3, purple 3, red 3, yellow 5, brown 3 for
 * light backgrounds and the lighter shades (blue 2, green 3, …) for dark ones. */
static const char * const light_palette[] = {
  "#3584e4", "#2ec27e", "#ff7800", "#9141ac", "#e01b24", "#e5a50a", "#986a44",
};
static const char * const dark_palette[] = {
  "#62a0ea", "#57e389", "#ffa348", "#c061cb", "#f66151", "#f8e45c", "#cdab8f",
};

/* g_set_str() is GLib 2.76: TRUE when *@field changed to a copy of @value. */
static gboolean
replace_str (char       **field,
             const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
gz_chart_style_get_series_color (const GzChartStyle *style,
                                 guint               i,
                                 GdkRGBA            *color)
{
  const char * const *palette = style->dark ? dark_palette : light_palette;

  gdk_rgba_parse (color, palette[(style->first + i) % G_N_ELEMENTS (light_palette)]);
}

static void
gz_chart_get_style (GzChart      *self,
                    GzChartStyle *style)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  /* GTK 4.8 has no gtk_widget_get_color(): the style context is the way. */
  gtk_style_context_get_color (context, &style->fg);
  style->dim = style->fg;
  style->dim.alpha *= 0.65f;
  style->grid = style->fg;
  style->grid.alpha *= 0.12f;
  style->first = priv->first_color;
  /* Light text means a dark background. */
  style->dark = 0.2126 * style->fg.red + 0.7152 * style->fg.green + 0.0722 * style->fg.blue > 0.5;
}

void
gz_chart_invalidate (GzChart *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_if_fail (GZ_IS_CHART (self));

  g_clear_pointer (&priv->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
gz_chart_get_item_at (GzChart *self,
                      double   x,
                      double   y)
{
  g_return_val_if_fail (GZ_IS_CHART (self), -1);

  return GZ_CHART_GET_CLASS (self)->hit (self, x, y);
}

char *
gz_chart_describe_item (GzChart *self,
                        int      item)
{
  g_return_val_if_fail (GZ_IS_CHART (self), NULL);

  return item >= 0 ? GZ_CHART_GET_CLASS (self)->describe_item (self, item) : NULL;
}

int
gz_chart_get_highlight (GzChart *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_CHART (self), -1);

  return priv->highlight;
}

guint
gz_chart_get_n_draws (GzChart *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_CHART (self), 0);

  return priv->n_draws;
}

static void
gz_chart_set_highlight (GzChart  *self,
                        int       item,
                        gboolean  keyboard)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  if (priv->highlight == item && priv->keyboard == keyboard)
    return;
  priv->highlight = item;
  priv->keyboard = keyboard;
  /* Only the overlay changes: the cached drawing stays. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
gz_chart_set_title (GzChart    *self,
                    const char *title)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_if_fail (GZ_IS_CHART (self));

  if (replace_str (&priv->title, title))
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      title != NULL ? title : "", -1);
      gz_chart_invalidate (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

const char *
gz_chart_get_title (GzChart *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_CHART (self), NULL);

  return priv->title;
}

void
gz_chart_set_description (GzChart    *self,
                          const char *description)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_if_fail (GZ_IS_CHART (self));

  if (replace_str (&priv->description, description))
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    description != NULL ? description : "", -1);
}

const char *
gz_chart_get_description (GzChart *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_val_if_fail (GZ_IS_CHART (self), NULL);

  return priv->description;
}

void
gz_chart_set_first_color (GzChart *self,
                          guint    first)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_if_fail (GZ_IS_CHART (self));

  if (priv->first_color == first)
    return;
  priv->first_color = first;
  gz_chart_invalidate (self);
}

void
gz_chart_set_empty_text (GzChart    *self,
                         const char *text)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  g_return_if_fail (GZ_IS_CHART (self));

  if (replace_str (&priv->empty_text, text))
    gz_chart_invalidate (self);
}

PangoLayout *
gz_chart_create_layout (GzChart    *self,
                        const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  /* Figures of one width, so tick labels line up. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

void
gz_chart_draw_layout (cairo_t     *cr,
                      PangoLayout *layout,
                      double       x,
                      double       y,
                      double       xalign,
                      double       yalign)
{
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (x - w * xalign), round (y - h * yalign));
  pango_cairo_show_layout (cr, layout);
}

double
gz_chart_measure_ticks (GzChart            *self,
                        const GzChartTicks *ticks,
                        GzChartUnit         unit)
{
  double widest = 0;

  for (guint i = 0; i < ticks->n; i++)
    {
      g_autofree char *text = gz_chart_format (gz_chart_ticks_value (ticks, i), ticks->step,
                                               unit);
      g_autoptr(PangoLayout) layout = gz_chart_create_layout (self, text);
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      widest = MAX (widest, w);
    }
  return widest;
}

void
gz_chart_draw_y_axis (GzChart            *self,
                      cairo_t            *cr,
                      const GzChartStyle *style,
                      const GzChartTicks *ticks,
                      GzChartUnit         unit,
                      const GzChartScale *y,
                      double              left,
                      double              right)
{
  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < ticks->n; i++)
    {
      double v = gz_chart_ticks_value (ticks, i);
      double py = round (gz_chart_scale_map (y, v)) + 0.5;
      g_autofree char *text = gz_chart_format (v, ticks->step, unit);
      g_autoptr(PangoLayout) layout = gz_chart_create_layout (self, text);

      gdk_cairo_set_source_rgba (cr, &style->grid);
      cairo_move_to (cr, left, py);
      cairo_line_to (cr, right, py);
      cairo_stroke (cr);
      gdk_cairo_set_source_rgba (cr, &style->dim);
      gz_chart_draw_layout (cr, layout, left - 6, py, 1, 0.5);
    }
  cairo_restore (cr);
}

void
gz_chart_draw_x_axis (GzChart            *self,
                      cairo_t            *cr,
                      const GzChartStyle *style,
                      const GzChartTicks *ticks,
                      GzChartUnit         unit,
                      const GzChartScale *x,
                      double              top)
{
  double lo = MIN (x->range_min, x->range_max) - 0.5;
  double hi = MAX (x->range_min, x->range_max) + 0.5;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < ticks->n; i++)
    {
      double v = gz_chart_ticks_value (ticks, i);
      double px = round (gz_chart_scale_map (x, v)) + 0.5;
      g_autofree char *text = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      int w;

      if (px < lo || px > hi + 1)
        continue;
      text = gz_chart_format (v, ticks->step, unit);
      layout = gz_chart_create_layout (self, text);
      gdk_cairo_set_source_rgba (cr, &style->grid);
      cairo_move_to (cr, px, top - 4);
      cairo_line_to (cr, px, top);
      cairo_stroke (cr);
      gdk_cairo_set_source_rgba (cr, &style->dim);
      /* The first and last labels stay inside the plot's ends. */
      pango_layout_get_pixel_size (layout, &w, NULL);
      gz_chart_draw_layout (cr, layout, CLAMP (px, lo + w / 2.0, hi - w / 2.0), top + 2,
                            0.5, 0);
    }
  cairo_restore (cr);
}

double
gz_chart_draw_header (GzChart            *self,
                      cairo_t            *cr,
                      const GzChartStyle *style,
                      const char * const *names,
                      guint               n_names,
                      double              width)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  double height = 0;
  double x = width;

  cairo_save (cr);
  if (priv->title != NULL && *priv->title != '\0')
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                                      priv->title);
      PangoAttrList *attrs = pango_attr_list_new ();
      int h;

      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
      gdk_cairo_set_source_rgba (cr, &style->fg);
      gz_chart_draw_layout (cr, layout, 0, 0, 0, 0);
      pango_layout_get_pixel_size (layout, NULL, &h);
      height = h;
    }

  /* Legend entries right to left, each a swatch and a name. */
  for (guint i = n_names; i-- > 0;)
    {
      g_autoptr(PangoLayout) layout = gz_chart_create_layout (self, names[i]);
      GdkRGBA color;
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      x -= w;
      gdk_cairo_set_source_rgba (cr, &style->fg);
      gz_chart_draw_layout (cr, layout, x, 0, 0, 0);
      x -= 4 + LEGEND_SWATCH;
      gz_chart_style_get_series_color (style, i, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_rectangle (cr, x, (h - LEGEND_SWATCH) / 2.0, LEGEND_SWATCH, LEGEND_SWATCH);
      cairo_fill (cr);
      x -= 12;
      height = MAX (height, h);
    }
  cairo_restore (cr);

  return height > 0 ? height + HEADER_GAP : 0;
}

void
gz_chart_draw_empty (GzChart            *self,
                     cairo_t            *cr,
                     const GzChartStyle *style,
                     double              width,
                     double              height)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  g_autoptr(PangoLayout) layout = NULL;

  layout = gz_chart_create_layout (self, priv->empty_text != NULL ? priv->empty_text
                                                                  : _("No data yet"));
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  gdk_cairo_set_source_rgba (cr, &style->dim);
  /* The layout is @width wide and centres its lines itself. */
  gz_chart_draw_layout (cr, layout, 0, height / 2, 0, 0.5);
}

/* The highlighted item's text in a box at the chart's top right, for keyboard users (the
 * pointer gets a tooltip instead). */
static void
gz_chart_draw_caption (GzChart            *self,
                       cairo_t            *cr,
                       const GzChartStyle *style,
                       double              width)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  g_autofree char *text = GZ_CHART_GET_CLASS (self)->describe_item (self, priv->highlight);
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  if (text == NULL)
    return;
  layout = gz_chart_create_layout (self, text);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_rectangle (cr, width - w - 12, 24, w + 8, h + 6);
  cairo_set_source_rgba (cr, style->dark ? 0.1 : 1, style->dark ? 0.1 : 1,
                         style->dark ? 0.1 : 1, 0.92);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &style->grid);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &style->fg);
  gz_chart_draw_layout (cr, layout, width - w - 8, 27, 0, 0);
}

static void
gz_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  GzChart *self = GZ_CHART (widget);
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);
  GzChartStyle style;

  if (width <= 0 || height <= 0)
    return;

  gz_chart_get_style (self, &style);
  if (priv->cache == NULL || priv->cache_width != width || priv->cache_height != height
      || !gdk_rgba_equal (&priv->cache_fg, &style.fg))
    {
      GtkSnapshot *inner = gtk_snapshot_new ();
      cairo_t *cr = gtk_snapshot_append_cairo (inner, &bounds);

      GZ_CHART_GET_CLASS (self)->draw (self, cr, &style, width, height);
      cairo_destroy (cr);
      g_clear_pointer (&priv->cache, gsk_render_node_unref);
      priv->cache = gtk_snapshot_free_to_node (inner);
      priv->cache_width = width;
      priv->cache_height = height;
      priv->cache_fg = style.fg;
      priv->n_draws++;
    }
  if (priv->cache != NULL)
    gtk_snapshot_append_node (snapshot, priv->cache);

  if (priv->highlight >= 0 || gtk_widget_has_visible_focus (widget))
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

      if (priv->highlight >= 0)
        {
          GZ_CHART_GET_CLASS (self)->draw_highlight (self, cr, &style, priv->highlight);
          if (priv->keyboard)
            gz_chart_draw_caption (self, cr, &style, width);
        }
      if (gtk_widget_has_visible_focus (widget))
        {
          GdkRGBA focus;

          gz_chart_style_get_series_color (&style, 0, &focus);
          focus.alpha = 0.5f;
          gdk_cairo_set_source_rgba (cr, &focus);
          cairo_set_line_width (cr, 2);
          cairo_rectangle (cr, 1, 1, width - 2, height - 2);
          cairo_stroke (cr);
        }
      cairo_destroy (cr);
    }
}

static void
gz_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 160 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 360 : 200;
}

static gboolean
gz_chart_query_tooltip (GtkWidget  *widget,
                        int         x,
                        int         y,
                        gboolean    keyboard_mode,
                        GtkTooltip *tooltip)
{
  GzChart *self = GZ_CHART (widget);
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  int item = keyboard_mode ? priv->highlight : GZ_CHART_GET_CLASS (self)->hit (self, x, y);
  g_autofree char *text = NULL;

  if (item < 0)
    return FALSE;
  text = GZ_CHART_GET_CLASS (self)->describe_item (self, item);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           GzChart                  *self)
{
  gz_chart_set_highlight (self, GZ_CHART_GET_CLASS (self)->hit (self, x, y), FALSE);
}

static void
leave_cb (GtkEventControllerMotion *motion,
          GzChart                  *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  if (!priv->keyboard)
    gz_chart_set_highlight (self, -1, FALSE);
}

/* Left and Right (Home, End) walk the items; Escape lets go. */
static gboolean
key_pressed_cb (GtkEventControllerKey *keys,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GzChart               *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  int n = (int) GZ_CHART_GET_CLASS (self)->get_n_items (self);
  int item = priv->highlight;

  if (n == 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      item = item < 0 ? n - 1 : MAX (item - 1, 0);
      break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      item = item < 0 ? 0 : MIN (item + 1, n - 1);
      break;
    case GDK_KEY_Home:
      item = 0;
      break;
    case GDK_KEY_End:
      item = n - 1;
      break;
    case GDK_KEY_Escape:
      if (item < 0)
        return FALSE;
      item = -1;
      break;
    default:
      return FALSE;
    }
  gz_chart_set_highlight (self, item, item >= 0);
  return TRUE;
}

static void
focus_leave_cb (GtkEventControllerFocus *focus,
                GzChart                 *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);

  if (priv->keyboard)
    gz_chart_set_highlight (self, -1, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
gz_chart_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  GzChart *self = GZ_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, gz_chart_get_title (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_chart_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  GzChart *self = GZ_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      gz_chart_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_chart_finalize (GObject *object)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (GZ_CHART (object));

  g_clear_pointer (&priv->cache, gsk_render_node_unref);
  g_free (priv->title);
  g_free (priv->description);
  g_free (priv->empty_text);

  G_OBJECT_CLASS (gz_chart_parent_class)->finalize (object);
}

static void
gz_chart_class_init (GzChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = gz_chart_finalize;
  object_class->get_property = gz_chart_get_property;
  object_class->set_property = gz_chart_set_property;
  widget_class->snapshot = gz_chart_snapshot;
  widget_class->measure = gz_chart_measure;
  widget_class->query_tooltip = gz_chart_query_tooltip;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "gzchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
gz_chart_init (GzChart *self)
{
  GzChartPrivate *priv = gz_chart_get_instance_private (self);
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  priv->highlight = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (focus, "leave", G_CALLBACK (focus_leave_cb), self);
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (gtk_widget_queue_draw), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
}
