/* gz-viewer-page.c: the Viewer page: opening profiles (file chooser, drag and drop, the
 * application's open), loading them on a worker, and the flame graph, top table,
 * callers/callees, sample type and diff controls around them. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-units.h"
#include "gz-viewer-loader.h"
#include "gz-viewer-page.h"

struct _GzViewerPage
{
  AdwBin           parent_instance;

  GtkStack        *stack;
  GtkSpinner      *spinner;
  GtkLabel        *loading_label;
  AdwStatusPage   *error_page;
  GtkLabel        *file_label;
  GtkDropDown     *sample_type_dropdown;
  GtkButton       *base_button;
  GtkLabel        *base_label;
  GtkToggleButton *normalize_button;
  GtkButton       *clear_base_button;
  GtkWidget       *profile_box;
  GtkStack        *views;
  GtkBox          *breadcrumbs;
  GtkLabel        *search_label;
  GtkSearchEntry  *search_entry;
  GtkToggleButton *library_button;
  GtkToggleButton *flame_button;
  GzFlameGraph    *flame_graph;
  GzViewerTable   *table;
  GtkLabel        *sandwich_label;
  GzFlameGraph    *callers_graph;
  GzFlameGraph    *callees_graph;

  GFile           *file;       /* the profile shown or being loaded */
  GFile           *base_file;         /* the base shown */
  GFile           *loading_base_file; /* the base being read */
  GzViewerLoad    *load;       /* what is shown */
  GCancellable    *cancellable;
  GCancellable    *sandwich_cancellable;
  GCancellable    *functions_cancellable;
  GArray          *functions;         /* the top table's rows, once made */
  gboolean         keeps_profile; /* the load under way only changes what is shown */
  char            *error;
  guint            updating_dropdown;
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (GzViewerPage, gz_viewer_page, ADW_TYPE_BIN)

enum {
  SIGNAL_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gz_viewer_page_toast (GzViewerPage *self,
                      const char   *message)
{
  AdwToast *toast = adw_toast_new (message);

  /* The bin's child, not a bound template child: the bin unparents it itself. */
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self))), toast);
}

static char *
display_name (GFile *file)
{
  g_autofree char *base = g_file_get_basename (file);

  return g_strdup (base != NULL ? base : "");
}

static void
gz_viewer_page_update_sample_types (GzViewerPage *self)
{
  GzProfile *profile = self->load->profile;
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < profile->sample_types->len; i++)
    {
      GzValueType *type = g_ptr_array_index (profile->sample_types, i);
      g_autofree char *text = g_strdup_printf ("%s (%s)", type->type, type->unit);

      gtk_string_list_append (list, text);
    }
  self->updating_dropdown++;
  gtk_drop_down_set_model (self->sample_type_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->sample_type_dropdown, self->load->index);
  self->updating_dropdown--;
}

static void
gz_viewer_page_update_base (GzViewerPage *self)
{
  gboolean diff = self->load->base != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->base_label), diff);
  gtk_widget_set_visible (GTK_WIDGET (self->normalize_button), diff);
  gtk_widget_set_visible (GTK_WIDGET (self->clear_base_button), diff);
  gtk_widget_set_visible (GTK_WIDGET (self->library_button), !diff);
  if (diff && self->base_file != NULL)
    {
      g_autofree char *name = display_name (self->base_file);
      /* Translators: the base profile's file name. */
      g_autofree char *text = g_strdup_printf (_("against %s"), name);

      gtk_label_set_text (self->base_label, text);
    }
}

static void
gz_viewer_page_update_search_label (GzViewerPage *self)
{
  gint64 share = gz_flame_graph_get_search_share (self->flame_graph);
  GzProfileTree *tree = gz_flame_graph_get_tree (self->flame_graph);
  const GzProfileTreeNode *root;
  g_autofree char *value = NULL;
  g_autofree char *text = NULL;

  if (share < 0 || tree == NULL)
    {
      gtk_label_set_text (self->search_label, "");
      return;
    }
  root = gz_profile_tree_get_node (tree, gz_flame_graph_get_root (self->flame_graph));
  value = gz_units_format_value (share, gz_profile_tree_get_unit (tree));
  /* Translators: the value the matching frames cover, then its share of what is shown. */
  text = g_strdup_printf (_("Matched %s (%.1f%%)"), value,
                          root->total != 0 ? 100.0 * (double) share / (double) root->total : 0.0);
  gtk_label_set_text (self->search_label, text);
}

static void
on_breadcrumb_clicked (GtkButton    *button,
                       GzViewerPage *self)
{
  gz_flame_graph_set_root (self->flame_graph,
                           GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "node")));
}

/* The path from the root to the zoomed frame, each a button back to it; at most the last few. */
static void
gz_viewer_page_update_breadcrumbs (GzViewerPage *self)
{
  GzProfileTree *tree = gz_flame_graph_get_tree (self->flame_graph);
  g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (guint32));
  GtkWidget *child;
  const guint max_shown = 6;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->breadcrumbs))) != NULL)
    gtk_box_remove (self->breadcrumbs, child);
  if (tree == NULL)
    return;

  for (guint32 node = gz_flame_graph_get_root (self->flame_graph); node != GZ_PROFILE_TREE_NONE;
       node = gz_profile_tree_get_node (tree, node)->parent)
    g_array_prepend_val (path, node);

  for (guint i = 0; i < path->len; i++)
    {
      guint32 node = g_array_index (path, guint32, i);
      guint32 name_id = gz_profile_tree_get_node (tree, node)->name;
      const char *name = node == 0 ? _("all") : gz_profile_tree_get_name (tree, name_id);
      GtkWidget *button;
      GtkWidget *label;

      if (i > 0 && i + max_shown < path->len)
        {
          if (i == 1)
            gtk_box_append (self->breadcrumbs, gtk_label_new ("› … "));
          continue;
        }
      if (i > 0)
        gtk_box_append (self->breadcrumbs, gtk_label_new ("›"));
      label = gtk_label_new (name);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
      button = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, name);
      gtk_widget_set_sensitive (button, i + 1 < path->len);
      g_object_set_data (G_OBJECT (button), "node", GUINT_TO_POINTER (node));
      g_signal_connect (button, "clicked", G_CALLBACK (on_breadcrumb_clicked), self);
      gtk_box_append (self->breadcrumbs, button);
    }
}

static void
gz_viewer_page_show_sandwich (GzViewerPage  *self,
                              const char    *name,
                              GzProfileTree *callers,
                              GzProfileTree *callees)
{
  g_autofree char *markup = NULL;

  gz_flame_graph_set_tree (self->callers_graph, callers);
  gz_flame_graph_set_tree (self->callees_graph, callees);
  if (callers != NULL)
    /* Translators: %s is a function name. */
    markup = g_markup_printf_escaped (_("Callers (above) and callees (below) of <b>%s</b>"), name);
  else
    markup = g_markup_escape_text (_("Select a function in the table or click a frame"), -1);
  gtk_label_set_markup (self->sandwich_label, markup);
}

typedef struct
{
  GzViewerPage *self;
  char         *name;
} SandwichRequest;

static void
on_sandwich_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SandwichRequest *request = user_data;
  g_autoptr(GzProfileTree) callers = NULL;
  g_autoptr(GzProfileTree) callees = NULL;
  g_autoptr(GError) error = NULL;

  /* Cancelled: another function was chosen, or another profile opened. */
  if (gz_viewer_sandwich_finish (result, &callers, &callees, &error))
    {
      g_clear_object (&request->self->sandwich_cancellable);
      gz_viewer_page_show_sandwich (request->self, request->name, callers, callees);
    }
  g_object_unref (request->self);
  g_free (request->name);
  g_free (request);
}

void
gz_viewer_page_select_function (GzViewerPage *self,
                                const char   *name)
{
  GzProfileTree *tree;
  guint32 id;
  SandwichRequest *request;

  g_return_if_fail (GZ_IS_VIEWER_PAGE (self));

  g_cancellable_cancel (self->sandwich_cancellable);
  g_clear_object (&self->sandwich_cancellable);
  tree = gz_flame_graph_get_tree (self->flame_graph);
  id = tree != NULL && name != NULL ? gz_profile_tree_lookup_name (tree, name)
                                    : GZ_PROFILE_TREE_NONE;
  if (id == GZ_PROFILE_TREE_NONE || id == 0)
    {
      gz_viewer_page_show_sandwich (self, NULL, NULL, NULL);
      return;
    }

  /* Both walk the whole tree: on a worker, so a large profile does not stall the window. */
  self->sandwich_cancellable = g_cancellable_new ();
  request = g_new0 (SandwichRequest, 1);
  request->self = g_object_ref (self);
  request->name = g_strdup (name);
  gz_viewer_sandwich_async (tree, id, self->sandwich_cancellable, on_sandwich_ready, request);
}

static void
on_root_changed (GzFlameGraph *graph,
                 GParamSpec   *pspec,
                 GzViewerPage *self)
{
  GzProfileTree *tree = gz_flame_graph_get_tree (graph);
  guint32 root = gz_flame_graph_get_root (graph);

  gz_viewer_page_update_breadcrumbs (self);
  gz_viewer_page_update_search_label (self);
  if (tree != NULL && root != 0)
    gz_viewer_page_select_function (self,
      gz_profile_tree_get_name (tree, gz_profile_tree_get_node (tree, root)->name));
}

static void
on_functions_ready (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GzViewerPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GArray *functions = gz_viewer_functions_finish (result, &error);

  if (functions == NULL)
    return; /* cancelled: another profile is shown */
  g_clear_object (&self->functions_cancellable);
  g_clear_pointer (&self->functions, g_array_unref);
  self->functions = functions;
  gz_viewer_table_set_tree (self->table, self->load->tree, functions,
                            gtk_toggle_button_get_active (self->normalize_button));
}

/* The top table's rows walk the whole tree: made on a worker once the flame graph is shown. */
static void
gz_viewer_page_start_functions (GzViewerPage *self)
{
  g_cancellable_cancel (self->functions_cancellable);
  g_clear_object (&self->functions_cancellable);
  g_clear_pointer (&self->functions, g_array_unref);
  gz_viewer_table_set_tree (self->table, NULL, NULL, FALSE);
  if (self->load == NULL)
    return;
  self->functions_cancellable = g_cancellable_new ();
  gz_viewer_functions_async (self->load->tree, self->functions_cancellable, on_functions_ready,
                             g_object_ref (self));
}

static void
gz_viewer_page_show (GzViewerPage *self,
                     GzViewerLoad *load)
{
  g_autofree char *name = self->file != NULL ? display_name (self->file) : NULL;
  gboolean normalize = gtk_toggle_button_get_active (self->normalize_button);
  GzProfileTree *tree = load->tree;

  g_clear_pointer (&self->load, gz_viewer_load_free);
  self->load = load;
  g_clear_pointer (&self->error, g_free);

  gtk_label_set_text (self->file_label, name != NULL ? name : "");
  gz_viewer_page_update_sample_types (self);
  gz_viewer_page_update_base (self);

  gz_flame_graph_set_normalize (self->flame_graph, normalize);
  gz_flame_graph_set_normalize (self->callers_graph, normalize);
  gz_flame_graph_set_normalize (self->callees_graph, normalize);
  gz_flame_graph_set_tree (self->flame_graph, tree);
  /* The search stays as typed across sample types and files. */
  gz_flame_graph_set_search (self->flame_graph,
                             gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), NULL);
  gz_viewer_page_start_functions (self);
  gz_viewer_page_select_function (self, NULL);
  gz_viewer_page_update_breadcrumbs (self);
  gz_viewer_page_update_search_label (self);
  gtk_stack_set_visible_child_name (self->stack, "profile");
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GzViewerPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GzViewerLoad *load = gz_viewer_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_sensitive (self->profile_box, TRUE);

  if (load != NULL)
    {
      if (load->base == NULL)
        g_clear_object (&self->base_file);
      else if (self->loading_base_file != NULL)
        g_set_object (&self->base_file, self->loading_base_file);
      g_clear_object (&self->loading_base_file);
      gz_viewer_page_show (self, load);
    }
  else if (self->keeps_profile && self->load != NULL)
    {
      /* A base or sample type that did not work: what was shown stays, the reason in a toast. */
      g_clear_object (&self->loading_base_file);
      gz_viewer_page_toast (self, error->message);
      gtk_stack_set_visible_child_name (self->stack, "profile");
    }
  else
    {
      g_clear_pointer (&self->load, gz_viewer_load_free);
      gz_flame_graph_set_tree (self->flame_graph, NULL);
      gz_viewer_page_start_functions (self);
      gz_viewer_page_select_function (self, NULL);
      g_free (self->error);
      self->error = g_strdup (error->message);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
}

/* Loads on a worker: with @keep_profile the profile shown (else self->file, read anew), against
 * @base_file read anew, or @base, or nothing. */
static void
gz_viewer_page_start_load (GzViewerPage *self,
                           gboolean      keep_profile,
                           GFile        *base_file,
                           GzProfile    *base,
                           const char   *sample_type)
{
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->keeps_profile = keep_profile && self->load != NULL;
  g_set_object (&self->loading_base_file, base_file);

  name = display_name (self->keeps_profile && base_file != NULL ? base_file : self->file);
  /* Translators: a file name. */
  text = g_strdup_printf (_("Loading %s…"), name);
  gtk_label_set_text (self->loading_label, text);
  gtk_spinner_start (self->spinner);
  /* Another sample type or base: the profile stays in view, greyed, until the new one is in. */
  if (self->keeps_profile)
    gtk_widget_set_sensitive (self->profile_box, FALSE);
  else
    gtk_stack_set_visible_child_name (self->stack, "loading");

  gz_viewer_load_async (self->keeps_profile ? NULL : self->file,
                        self->keeps_profile ? self->load->profile : NULL,
                        base_file, base_file == NULL ? base : NULL,
                        sample_type, self->cancellable, on_loaded, g_object_ref (self));
}

static const char *
gz_viewer_page_current_type (GzViewerPage *self)
{
  GzValueType *type;

  if (self->load == NULL)
    return NULL;
  type = g_ptr_array_index (self->load->profile->sample_types, self->load->index);
  return type->type;
}

void
gz_viewer_page_open (GzViewerPage *self,
                     GFile        *file)
{
  g_return_if_fail (GZ_IS_VIEWER_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  g_set_object (&self->file, file);
  gz_viewer_page_start_load (self, FALSE, NULL, NULL, NULL);
}

void
gz_viewer_page_open_base (GzViewerPage *self,
                          GFile        *file)
{
  g_return_if_fail (GZ_IS_VIEWER_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->file == NULL)
    {
      gz_viewer_page_toast (self, _("Open a profile first, then the base to compare it with"));
      return;
    }
  /* Shown and not being replaced: it keeps its sample type. Else both are read together. */
  if (self->load != NULL && (self->cancellable == NULL || self->keeps_profile))
    gz_viewer_page_start_load (self, TRUE, file, NULL, gz_viewer_page_current_type (self));
  else
    gz_viewer_page_start_load (self, FALSE, file, NULL, NULL);
}

void
gz_viewer_page_clear_base (GzViewerPage *self)
{
  g_return_if_fail (GZ_IS_VIEWER_PAGE (self));

  if (self->load == NULL || self->load->base == NULL)
    return;
  gz_viewer_page_start_load (self, TRUE, NULL, NULL, gz_viewer_page_current_type (self));
}

void
gz_viewer_page_set_sample_type (GzViewerPage *self,
                                const char   *type)
{
  g_return_if_fail (GZ_IS_VIEWER_PAGE (self));

  if (self->load == NULL || g_strcmp0 (type, gz_viewer_page_current_type (self)) == 0)
    return;
  gz_viewer_page_start_load (self, TRUE, NULL, self->load->base, type);
}

static void
on_sample_type_selected (GtkDropDown  *dropdown,
                         GParamSpec   *pspec,
                         GzViewerPage *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  GzValueType *type;

  if (self->updating_dropdown > 0 || self->load == NULL
      || selected >= self->load->profile->sample_types->len)
    return;
  type = g_ptr_array_index (self->load->profile->sample_types, selected);
  gz_viewer_page_set_sample_type (self, type->type);
}

static void
on_normalize_toggled (GtkToggleButton *button,
                      GzViewerPage    *self)
{
  gboolean normalize = gtk_toggle_button_get_active (button);

  gz_flame_graph_set_normalize (self->flame_graph, normalize);
  gz_flame_graph_set_normalize (self->callers_graph, normalize);
  gz_flame_graph_set_normalize (self->callees_graph, normalize);
  if (self->load != NULL && self->functions != NULL)
    gz_viewer_table_set_tree (self->table, self->load->tree, self->functions, normalize);
}

static void
on_search_changed (GtkSearchEntry *entry,
                   GzViewerPage   *self)
{
  g_autoptr(GError) error = NULL;

  if (gz_flame_graph_set_search (self->flame_graph,
                                 gtk_editable_get_text (GTK_EDITABLE (entry)), &error))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), NULL);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), error->message);
    }
}

static void
on_search_share (GzFlameGraph *graph,
                 GParamSpec   *pspec,
                 GzViewerPage *self)
{
  gz_viewer_page_update_search_label (self);
}

static void
on_library_toggled (GtkToggleButton *button,
                    GzViewerPage    *self)
{
  GzFlameGraphColorMode mode = gtk_toggle_button_get_active (button)
                               ? GZ_FLAME_GRAPH_COLOR_LIBRARY : GZ_FLAME_GRAPH_COLOR_FUNCTION;

  gz_flame_graph_set_color_mode (self->flame_graph, mode);
  gz_flame_graph_set_color_mode (self->callers_graph, mode);
  gz_flame_graph_set_color_mode (self->callees_graph, mode);
}

static void
on_flame_toggled (GtkToggleButton *button,
                  GzViewerPage    *self)
{
  gz_flame_graph_set_flame (self->flame_graph, gtk_toggle_button_get_active (button));
}

static void
on_function_selected (GzViewerTable *table,
                      const char    *name,
                      GzViewerPage  *self)
{
  gz_viewer_page_select_function (self, name);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         GzViewerPage  *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  /* Two files: the second is the base to compare with. */
  gz_viewer_page_open (self, files->data);
  if (files->next != NULL)
    gz_viewer_page_open_base (self, files->next->data);
  g_slist_free (files);
  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     GzViewerPage    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "base")))
        gz_viewer_page_open_base (self, file);
      else
        gz_viewer_page_open (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

void
gz_viewer_page_choose_file (GzViewerPage *self,
                            gboolean      base)
{
  GtkRoot *root;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) profiles = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  g_return_if_fail (GZ_IS_VIEWER_PAGE (self));

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (self->chooser);
      return;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  chooser = gtk_file_chooser_native_new (base ? _("Choose a Base Profile") : _("Open a Profile"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (profiles, _("pprof profiles"));
  for (const char * const *p = (const char * const[]) { "*.prof", "*.pprof", "*.pb", "*.pb.gz",
                                                        "*.proto", "*.gz", NULL }; *p; p++)
    gtk_file_filter_add_pattern (profiles, *p);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), profiles);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  g_object_set_data (G_OBJECT (chooser), "base", GINT_TO_POINTER (base));
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  gz_viewer_page_choose_file (GZ_VIEWER_PAGE (widget),
                              g_str_equal (action_name, "viewer.open-base"));
}

static void
clear_base_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  gz_viewer_page_clear_base (GZ_VIEWER_PAGE (widget));
}

const char *
gz_viewer_page_get_state (GzViewerPage *self)
{
  g_return_val_if_fail (GZ_IS_VIEWER_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
gz_viewer_page_get_error (GzViewerPage *self)
{
  g_return_val_if_fail (GZ_IS_VIEWER_PAGE (self), NULL);

  return self->error;
}

GzFlameGraph *
gz_viewer_page_get_flame_graph (GzViewerPage *self)
{
  g_return_val_if_fail (GZ_IS_VIEWER_PAGE (self), NULL);

  return self->flame_graph;
}

GzFlameGraph *
gz_viewer_page_get_callers_graph (GzViewerPage *self)
{
  g_return_val_if_fail (GZ_IS_VIEWER_PAGE (self), NULL);

  return self->callers_graph;
}

GzFlameGraph *
gz_viewer_page_get_callees_graph (GzViewerPage *self)
{
  g_return_val_if_fail (GZ_IS_VIEWER_PAGE (self), NULL);

  return self->callees_graph;
}

GzViewerTable *
gz_viewer_page_get_table (GzViewerPage *self)
{
  g_return_val_if_fail (GZ_IS_VIEWER_PAGE (self), NULL);

  return self->table;
}

void
gz_viewer_page_set_view (GzViewerPage *self,
                         const char   *name)
{
  g_return_if_fail (GZ_IS_VIEWER_PAGE (self));

  gtk_stack_set_visible_child_name (self->views, name);
}

GzViewerPage *
gz_viewer_page_find (GtkWidget *ancestor)
{
  g_return_val_if_fail (GTK_IS_WIDGET (ancestor), NULL);

  if (GZ_IS_VIEWER_PAGE (ancestor))
    return GZ_VIEWER_PAGE (ancestor);
  for (GtkWidget *child = gtk_widget_get_first_child (ancestor); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GzViewerPage *page = gz_viewer_page_find (child);

      if (page != NULL)
        return page;
    }
  return NULL;
}

static void
gz_viewer_page_dispose (GObject *object)
{
  GzViewerPage *self = GZ_VIEWER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->sandwich_cancellable);
  g_clear_object (&self->sandwich_cancellable);
  g_cancellable_cancel (self->functions_cancellable);
  g_clear_object (&self->functions_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_VIEWER_PAGE);

  G_OBJECT_CLASS (gz_viewer_page_parent_class)->dispose (object);
}

static void
gz_viewer_page_finalize (GObject *object)
{
  GzViewerPage *self = GZ_VIEWER_PAGE (object);

  g_clear_object (&self->file);
  g_clear_object (&self->base_file);
  g_clear_object (&self->loading_base_file);
  g_clear_pointer (&self->load, gz_viewer_load_free);
  g_clear_pointer (&self->functions, g_array_unref);
  g_free (self->error);

  G_OBJECT_CLASS (gz_viewer_page_parent_class)->finalize (object);
}

static void
gz_viewer_page_class_init (GzViewerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_viewer_page_dispose;
  object_class->finalize = gz_viewer_page_finalize;

  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (GZ_TYPE_FLAME_GRAPH);
  g_type_ensure (GZ_TYPE_VIEWER_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gz/Profile/gz-viewer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, stack);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, loading_label);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, file_label);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, sample_type_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, base_button);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, base_label);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, normalize_button);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, clear_base_button);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, profile_box);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, views);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, breadcrumbs);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, search_label);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, library_button);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, flame_button);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, flame_graph);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, table);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, sandwich_label);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, callers_graph);
  gtk_widget_class_bind_template_child (widget_class, GzViewerPage, callees_graph);
  gtk_widget_class_bind_template_callback (widget_class, on_sample_type_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_normalize_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_library_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_flame_toggled);

  gtk_widget_class_install_action (widget_class, "viewer.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "viewer.open-base", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "viewer.clear-base", NULL, clear_base_action);
}

static void
gz_viewer_page_init (GzViewerPage *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self->flame_graph, "notify::root", G_CALLBACK (on_root_changed), self);
  g_signal_connect (self->flame_graph, "notify::search-share", G_CALLBACK (on_search_share),
                    self);
  g_signal_connect (self->table, "function-selected", G_CALLBACK (on_function_selected), self);
  /* Their root has one child, the function: its row says all. */
  gz_flame_graph_set_hide_root (self->callers_graph, TRUE);
  gz_flame_graph_set_hide_root (self->callees_graph, TRUE);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

GtkWidget *
gz_viewer_page_new (void)
{
  return g_object_new (GZ_TYPE_VIEWER_PAGE, NULL);
}
