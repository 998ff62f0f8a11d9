/* gz-chart.h: GzChart, the base of the app's Cairo charts (time series, histogram, bars): a
 * cached drawing, colours from the widget's style and the libadwaita palette, axes, a legend,
 * hover tooltips, keyboard focus and an accessible description. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gz-chart-scale.h"

G_BEGIN_DECLS

/* The colours of one drawing: text and grid from the widget's foreground colour, so that light
 * and dark styles both work; series colours from the GNOME palette, lighter shades when dark. */
typedef struct
{
  GdkRGBA  fg;     /* text */
  GdkRGBA  dim;    /* axis labels */
  GdkRGBA  grid;   /* grid lines */
  gboolean dark;   /* light text on a dark background */
  guint    first;  /* the palette colour of series 0 (gz_chart_set_first_color) */
} GzChartStyle;

/* Series colour @i: palette entry first + i of blue, green, orange, purple, red, yellow, brown,
 * then round again. */
void gz_chart_style_get_series_color (const GzChartStyle *style,
                                      guint               i,
                                      GdkRGBA            *color);

#define GZ_TYPE_CHART (gz_chart_get_type ())
G_DECLARE_DERIVABLE_TYPE (GzChart, gz_chart, GZ, CHART, GtkWidget)

struct _GzChartClass
{
  GtkWidgetClass parent_class;

  /* Draws the data in @width × @height. The result is kept and shown again until the data, the
   * size or the style changes (gz_chart_invalidate()). */
  void     (*draw)           (GzChart            *self,
                              cairo_t            *cr,
                              const GzChartStyle *style,
                              double              width,
                              double              height);
  /* The item (bar, bin, point) under @x, @y in the last drawing, or -1. */
  int      (*hit)            (GzChart            *self,
                              double              x,
                              double              y);
  /* How many items there are, for the arrow keys. */
  guint    (*get_n_items)    (GzChart            *self);
  /* The text of @item's tooltip: its exact values. */
  char    *(*describe_item)  (GzChart            *self,
                              int                 item);
  /* Marks @item over the cached drawing. */
  void     (*draw_highlight) (GzChart            *self,
                              cairo_t            *cr,
                              const GzChartStyle *style,
                              int                 item);
};

/* The chart's title, drawn at its top left and used as its accessible label. */
void         gz_chart_set_title          (GzChart      *self,
                                          const char   *title);
const char  *gz_chart_get_title          (GzChart      *self);
/* Says what the chart shows to screen readers (GTK_ACCESSIBLE_PROPERTY_DESCRIPTION). */
void         gz_chart_set_description    (GzChart      *self,
                                          const char   *description);
const char  *gz_chart_get_description    (GzChart      *self);
/* Draws series 0 in palette colour @first (0 blue, 1 green, 2 orange, 3 purple, …), series 1
 * in the next: charts side by side can each have their own colour. */
void         gz_chart_set_first_color    (GzChart      *self,
                                          guint         first);
/* The text drawn when there is nothing to show ("No data yet"). */
void         gz_chart_set_empty_text     (GzChart      *self,
                                          const char   *text);

/* What the pointer finds at @x, @y of the last drawing: the item (bar, bin, point) or -1, and
 * the text of its tooltip (NULL for -1). */
int          gz_chart_get_item_at        (GzChart      *self,
                                          double        x,
                                          double        y);
char        *gz_chart_describe_item      (GzChart      *self,
                                          int           item);

/* For subclasses: the data changed, draw again (cheaply: at the next frame). */
void         gz_chart_invalidate         (GzChart      *self);
/* The highlighted item (hover or keyboard), -1 for none. */
int          gz_chart_get_highlight      (GzChart      *self);
/* How many times the data has been drawn: a cached frame does not count. */
guint        gz_chart_get_n_draws        (GzChart      *self);

/* Drawing helpers for subclasses, in the chart's font (small). */
PangoLayout *gz_chart_create_layout      (GzChart      *self,
                                          const char   *text);
/* Draws @layout with its (@xalign, @yalign) point (0..1 each) at @x, @y. */
void         gz_chart_draw_layout        (cairo_t      *cr,
                                          PangoLayout  *layout,
                                          double        x,
                                          double        y,
                                          double        xalign,
                                          double        yalign);
/* The widest label of @ticks in @unit, in pixels. */
double       gz_chart_measure_ticks      (GzChart            *self,
                                          const GzChartTicks *ticks,
                                          GzChartUnit         unit);
/* Horizontal grid lines from @left to @right at each tick of @y, labels right-aligned left of
 * @left. */
void         gz_chart_draw_y_axis        (GzChart            *self,
                                          cairo_t            *cr,
                                          const GzChartStyle *style,
                                          const GzChartTicks *ticks,
                                          GzChartUnit         unit,
                                          const GzChartScale *y,
                                          double              left,
                                          double              right);
/* Tick labels centred under each tick of @x, their tops at @top; a tick mark above each. */
void         gz_chart_draw_x_axis        (GzChart            *self,
                                          cairo_t            *cr,
                                          const GzChartStyle *style,
                                          const GzChartTicks *ticks,
                                          GzChartUnit         unit,
                                          const GzChartScale *x,
                                          double              top);
/* The title at the top left and a legend of @names (with their series colours) at the top
 * right; returns the height they take. */
double       gz_chart_draw_header        (GzChart            *self,
                                          cairo_t            *cr,
                                          const GzChartStyle *style,
                                          const char * const *names,
                                          guint               n_names,
                                          double              width);
/* The empty text centred across @width, its middle at @height / 2 (pass the bottom plus the
 * header's height to centre it below the header). */
void         gz_chart_draw_empty         (GzChart            *self,
                                          cairo_t            *cr,
                                          const GzChartStyle *style,
                                          double              width,
                                          double              height);

G_END_DECLS
