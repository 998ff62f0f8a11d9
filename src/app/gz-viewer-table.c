/* gz-viewer-table.c: GzViewerTable, the Viewer's top table (a GtkColumnView over one row object
 * per function, GzViewerFunction, private to this file), sorted by its columns and filtered by
 * name; selecting a row names the function for the callers/callees view. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-units.h"
#include "gz-viewer-table.h"

/* One row: a function's totals over the tree. */
#define GZ_TYPE_VIEWER_FUNCTION (gz_viewer_function_get_type ())
G_DECLARE_FINAL_TYPE (GzViewerFunction, gz_viewer_function, GZ, VIEWER_FUNCTION, GObject)

struct _GzViewerFunction
{
  GObject parent_instance;
  char   *name;
  gint64  flat;
  gint64  cum;
  double  delta_flat;
  double  delta_cum;
};

G_DEFINE_FINAL_TYPE (GzViewerFunction, gz_viewer_function, G_TYPE_OBJECT)

enum {
  FN_PROP_0,
  FN_PROP_NAME,
  FN_PROP_FLAT,
  FN_PROP_CUM,
  FN_PROP_DELTA_FLAT,
  FN_PROP_DELTA_CUM,
  FN_N_PROPS
};

static void
gz_viewer_function_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GzViewerFunction *self = GZ_VIEWER_FUNCTION (object);

  switch (prop_id)
    {
    case FN_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case FN_PROP_FLAT:
      g_value_set_int64 (value, self->flat);
      break;
    case FN_PROP_CUM:
      g_value_set_int64 (value, self->cum);
      break;
    case FN_PROP_DELTA_FLAT:
      g_value_set_double (value, self->delta_flat);
      break;
    case FN_PROP_DELTA_CUM:
      g_value_set_double (value, self->delta_cum);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_viewer_function_finalize (GObject *object)
{
  g_free (GZ_VIEWER_FUNCTION (object)->name);

  G_OBJECT_CLASS (gz_viewer_function_parent_class)->finalize (object);
}

static void
gz_viewer_function_class_init (GzViewerFunctionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = gz_viewer_function_get_property;
  object_class->finalize = gz_viewer_function_finalize;

  g_object_class_install_property (object_class, FN_PROP_NAME,
    g_param_spec_string ("name", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, FN_PROP_FLAT,
    g_param_spec_int64 ("flat", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags));
  g_object_class_install_property (object_class, FN_PROP_CUM,
    g_param_spec_int64 ("cum", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags));
  g_object_class_install_property (object_class, FN_PROP_DELTA_FLAT,
    g_param_spec_double ("delta-flat", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags));
  g_object_class_install_property (object_class, FN_PROP_DELTA_CUM,
    g_param_spec_double ("delta-cum", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags));
}

static void
gz_viewer_function_init (GzViewerFunction *self)
{
}

typedef enum
{
  COLUMN_NAME,
  COLUMN_FLAT,
  COLUMN_FLAT_PERCENT,
  COLUMN_CUM,
  COLUMN_CUM_PERCENT,
  COLUMN_DELTA_FLAT,
  COLUMN_DELTA_CUM,
  N_COLUMNS
} Column;

typedef struct
{
  GzViewerTable *table;
  Column         column;
} ColumnData;

struct _GzViewerTable
{
  GtkBox               parent_instance;

  GtkSearchEntry      *filter_entry;
  GtkColumnView       *view;
  GListStore          *store;
  GtkStringFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSingleSelection  *selection;
  GtkColumnViewColumn *columns[N_COLUMNS];
  ColumnData           column_data[N_COLUMNS];

  char                *unit;
  gint64               total;
};

G_DEFINE_FINAL_TYPE (GzViewerTable, gz_viewer_table, GTK_TYPE_BOX)

enum {
  SIGNAL_FUNCTION_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            ColumnData               *data)
{
  GtkWidget *label = gtk_label_new (NULL);

  if (data->column == COLUMN_NAME)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
    }
  gtk_list_item_set_child (item, label);
}

static char *
format_percent (gint64 value,
                gint64 total)
{
  return g_strdup_printf ("%.2f%%", total != 0 ? 100.0 * (double) value / (double) total : 0.0);
}

static char *
format_delta (GzViewerTable *self,
              double         delta)
{
  g_autofree char *magnitude = gz_units_format_value ((gint64) ABS (delta), self->unit);

  if ((gint64) delta == 0)
    return g_strdup ("0");
  return g_strdup_printf ("%s%s", delta < 0 ? "−" : "+", magnitude);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           ColumnData               *data)
{
  GzViewerTable *self = data->table;
  GzViewerFunction *function = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  switch (data->column)
    {
    case COLUMN_NAME:
      gtk_label_set_text (GTK_LABEL (label), function->name);
      gtk_widget_set_tooltip_text (label, function->name);
      return;
    case COLUMN_FLAT:
      text = gz_units_format_value (function->flat, self->unit);
      break;
    case COLUMN_FLAT_PERCENT:
      text = format_percent (function->flat, self->total);
      break;
    case COLUMN_CUM:
      text = gz_units_format_value (function->cum, self->unit);
      break;
    case COLUMN_CUM_PERCENT:
      text = format_percent (function->cum, self->total);
      break;
    case COLUMN_DELTA_FLAT:
      text = format_delta (self, function->delta_flat);
      break;
    case COLUMN_DELTA_CUM:
      text = format_delta (self, function->delta_cum);
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (label), text);
}

static GtkSorter *
property_sorter (const char *property,
                 GType       type)
{
  GtkExpression *expression = gtk_property_expression_new (GZ_TYPE_VIEWER_FUNCTION, NULL,
                                                           property);

  if (type == G_TYPE_STRING)
    return GTK_SORTER (gtk_string_sorter_new (expression));
  return GTK_SORTER (gtk_numeric_sorter_new (expression));
}

static void
gz_viewer_table_add_column (GzViewerTable *self,
                            Column         column,
                            const char    *title,
                            const char    *property,
                            GType          type)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  self->column_data[column] = (ColumnData) { self, column };
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), &self->column_data[column]);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), &self->column_data[column]);
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (view_column, property_sorter (property, type));
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (column == COLUMN_NAME)
    gtk_column_view_column_set_expand (view_column, TRUE);
  gtk_column_view_append_column (self->view, view_column);
  self->columns[column] = view_column;
  g_object_unref (gtk_column_view_column_get_sorter (view_column));
}

static void
on_selection_changed (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      GzViewerTable      *self)
{
  GzViewerFunction *function = gtk_single_selection_get_selected_item (selection);

  if (function != NULL)
    g_signal_emit (self, signals[SIGNAL_FUNCTION_SELECTED], 0, function->name);
}

static void
on_filter_changed (GtkSearchEntry *entry,
                   GzViewerTable  *self)
{
  gtk_string_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

void
gz_viewer_table_set_tree (GzViewerTable *self,
                          GzProfileTree *tree,
                          GArray        *functions,
                          gboolean       normalize)
{
  g_autoptr(GPtrArray) rows = NULL;
  const GzProfileTreeNode *root;
  double scale = 1.0;
  gboolean diff;

  g_return_if_fail (GZ_IS_VIEWER_TABLE (self));

  g_list_store_remove_all (self->store);
  g_clear_pointer (&self->unit, g_free);
  self->total = 0;
  if (tree == NULL)
    return;

  root = gz_profile_tree_get_node (tree, 0);
  diff = gz_profile_tree_has_base (tree);
  if (diff && normalize && root->base_total != 0)
    scale = (double) root->total / (double) root->base_total;
  self->unit = g_strdup (gz_profile_tree_get_unit (tree));
  self->total = root->total;

  g_return_if_fail (functions != NULL);
  rows = g_ptr_array_new_full (functions->len, g_object_unref);
  for (guint i = 0; i < functions->len; i++)
    {
      const GzProfileTreeFunction *f = &g_array_index (functions, GzProfileTreeFunction, i);
      GzViewerFunction *row = g_object_new (GZ_TYPE_VIEWER_FUNCTION, NULL);

      row->name = g_strdup (gz_profile_tree_get_name (tree, f->name));
      row->flat = f->flat;
      row->cum = f->cum;
      row->delta_flat = (double) f->flat - (double) f->base_flat * scale;
      row->delta_cum = (double) f->cum - (double) f->base_cum * scale;
      g_ptr_array_add (rows, row);
    }
  /* One splice: one items-changed for the whole table. */
  g_list_store_splice (self->store, 0, 0, rows->pdata, rows->len);
  gtk_column_view_column_set_visible (self->columns[COLUMN_DELTA_FLAT], diff);
  gtk_column_view_column_set_visible (self->columns[COLUMN_DELTA_CUM], diff);
}

guint
gz_viewer_table_get_n_rows (GzViewerTable *self)
{
  g_return_val_if_fail (GZ_IS_VIEWER_TABLE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->selection));
}

const char *
gz_viewer_table_get_row_name (GzViewerTable *self,
                              guint          position)
{
  g_autoptr(GzViewerFunction) function = NULL;

  g_return_val_if_fail (GZ_IS_VIEWER_TABLE (self), NULL);

  function = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  /* The store keeps the row, and so its name, alive. */
  return function != NULL ? function->name : NULL;
}

void
gz_viewer_table_set_filter (GzViewerTable *self,
                            const char    *text)
{
  g_return_if_fail (GZ_IS_VIEWER_TABLE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), text != NULL ? text : "");
  gtk_string_filter_set_search (self->filter, text);
}

static void
gz_viewer_table_finalize (GObject *object)
{
  GzViewerTable *self = GZ_VIEWER_TABLE (object);

  g_clear_object (&self->store);
  g_free (self->unit);

  G_OBJECT_CLASS (gz_viewer_table_parent_class)->finalize (object);
}

static void
gz_viewer_table_class_init (GzViewerTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gz_viewer_table_finalize;

  signals[SIGNAL_FUNCTION_SELECTED] =
    g_signal_new ("function-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
gz_viewer_table_init (GzViewerTable *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkSortListModel *sorted;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);

  self->filter_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->filter_entry, "placeholder-text", _("Filter functions"), NULL);
  gtk_widget_set_margin_start (GTK_WIDGET (self->filter_entry), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self->filter_entry), 6);
  gtk_widget_set_margin_top (GTK_WIDGET (self->filter_entry), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->filter_entry), 6);
  g_signal_connect (self->filter_entry, "search-changed", G_CALLBACK (on_filter_changed), self);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->filter_entry));

  /* store -> filter (name) -> sort (the view's columns) -> selection -> view */
  self->store = g_list_store_new (GZ_TYPE_VIEWER_FUNCTION);
  self->filter = gtk_string_filter_new (gtk_property_expression_new (GZ_TYPE_VIEWER_FUNCTION,
                                                                     NULL, "name"));
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                              GTK_FILTER (self->filter));
  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gz_viewer_table_add_column (self, COLUMN_NAME, _("Function"), "name", G_TYPE_STRING);
  gz_viewer_table_add_column (self, COLUMN_FLAT, _("Flat"), "flat", G_TYPE_INT64);
  gz_viewer_table_add_column (self, COLUMN_FLAT_PERCENT, _("Flat %"), "flat", G_TYPE_INT64);
  gz_viewer_table_add_column (self, COLUMN_CUM, _("Cum"), "cum", G_TYPE_INT64);
  gz_viewer_table_add_column (self, COLUMN_CUM_PERCENT, _("Cum %"), "cum", G_TYPE_INT64);
  gz_viewer_table_add_column (self, COLUMN_DELTA_FLAT, _("Δ Flat"), "delta-flat", G_TYPE_DOUBLE);
  gz_viewer_table_add_column (self, COLUMN_DELTA_CUM, _("Δ Cum"), "delta-cum", G_TYPE_DOUBLE);

  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filtered)),
                                    g_object_ref (gtk_column_view_get_sorter (self->view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected", G_CALLBACK (on_selection_changed), self);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));
  g_object_unref (self->selection);
  g_object_unref (self->filtered);
  gtk_column_view_sort_by_column (self->view, self->columns[COLUMN_FLAT], GTK_SORT_DESCENDING);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self), scrolled);
}

GtkWidget *
gz_viewer_table_new (void)
{
  return g_object_new (GZ_TYPE_VIEWER_TABLE, NULL);
}
