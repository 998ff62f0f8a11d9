/* gz-session-process-picker.c: the dialog that offers the user's processes as session targets:
 * those started with `gz-cli profile run` first (every type), then the rest (cpu), newest
 * first; a search entry filters by pid or command line; the list is read again every 2 s on
 * a worker. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "gz-process-list.h"
#include "gz-session-process-picker.h"

#define REFRESH_INTERVAL_MS 2000

struct _GzSessionProcessPicker
{
  AdwWindow       parent_instance;

  GzProcessList  *processes;
  GCancellable   *cancellable;
  GHashTable     *rows;        /* pid -> AdwActionRow (borrowed from the list box) */
  char           *search;      /* folded, or NULL */
  guint           refresh_source;
  gboolean        refreshing;

  GtkSearchEntry *search_entry;
  GtkListBox     *list;
  GtkLabel       *placeholder;
};

G_DEFINE_FINAL_TYPE (GzSessionProcessPicker, gz_session_process_picker, ADW_TYPE_WINDOW)

enum { SIGNAL_CHOSEN, SIGNAL_REFRESHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static int
row_pid (GtkListBoxRow *row)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "gz-pid"));
}

static gboolean
row_has_agent (GtkListBoxRow *row)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "gz-has-agent"));
}

/* The processes with a `run` socket first (they offer every type), then newest first. */
static int
sort_rows (GtkListBoxRow *a,
           GtkListBoxRow *b,
           gpointer       user_data)
{
  if (row_has_agent (a) != row_has_agent (b))
    return row_has_agent (a) ? -1 : 1;
  return row_pid (b) - row_pid (a);
}

static gboolean
filter_row (GtkListBoxRow *row,
            gpointer       user_data)
{
  GzSessionProcessPicker *self = user_data;
  const char *folded = g_object_get_data (G_OBJECT (row), "gz-folded");

  return self->search == NULL || (folded != NULL && strstr (folded, self->search) != NULL);
}

static void
update_row (GtkWidget           *row,
            const GzProcessInfo *info)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *haystack = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->command_line);
  subtitle = info->has_agent
               /* Translators: pid · CPU use · what the process offers. */
               ? g_strdup_printf (_("pid %d · CPU %.1f %% · started by gz: every profile type"),
                                  info->pid, info->cpu_percent)
               : g_strdup_printf (_("pid %d · CPU %.1f %% · not started by gz: cpu only"),
                                  info->pid, info->cpu_percent);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  haystack = g_strdup_printf ("%d %s", info->pid, info->command_line);
  folded = g_utf8_casefold (haystack, -1);
  g_object_set_data_full (G_OBJECT (row), "gz-folded", g_steal_pointer (&folded), g_free);
  g_object_set_data_full (G_OBJECT (row), "gz-command", g_strdup (info->command_line), g_free);
  g_object_set_data (G_OBJECT (row), "gz-pid", GINT_TO_POINTER (info->pid));
  g_object_set_data (G_OBJECT (row), "gz-has-agent", GINT_TO_POINTER (info->has_agent));
}

static GtkWidget *
new_row (const GzProcessInfo *info)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  update_row (row, info);
  return row;
}

static void refresh (GzSessionProcessPicker *self);

static void
on_refreshed (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GzSessionProcessPicker *self = user_data;
  g_autoptr(GPtrArray) processes = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gboolean order_changed = FALSE;

  processes = gz_process_list_refresh_finish (GZ_PROCESS_LIST (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  self->refreshing = FALSE;
  if (processes == NULL)
    {
      gtk_label_set_text (self->placeholder, error->message);
      g_object_unref (self);
      return;
    }

  /* Rows are updated in place, so the focus and the scroll position stay where they were. */
  seen = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < processes->len; i++)
    {
      const GzProcessInfo *info = g_ptr_array_index (processes, i);
      GtkWidget *row;

      if (info->pid == getpid ())
        continue;
      g_hash_table_add (seen, GINT_TO_POINTER (info->pid));
      row = g_hash_table_lookup (self->rows, GINT_TO_POINTER (info->pid));
      if (row != NULL)
        {
          order_changed |= row_has_agent (GTK_LIST_BOX_ROW (row)) != info->has_agent;
          update_row (row, info);
          continue;
        }
      row = new_row (info);
      g_hash_table_insert (self->rows, GINT_TO_POINTER (info->pid), row);
      gtk_list_box_append (self->list, row);
    }
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        gtk_list_box_remove (self->list, value);
        g_hash_table_iter_remove (&iter);
      }
  if (order_changed)
    gtk_list_box_invalidate_sort (self->list);
  gtk_list_box_invalidate_filter (self->list);
  gtk_label_set_text (self->placeholder, _("No process of yours matches the search"));
  g_signal_emit (self, signals[SIGNAL_REFRESHED], 0);
  g_object_unref (self);
}

static void
refresh (GzSessionProcessPicker *self)
{
  if (self->refreshing)
    return;
  self->refreshing = TRUE;
  gz_process_list_refresh_async (self->processes, self->cancellable, on_refreshed,
                                 g_object_ref (self));
}

static gboolean
on_refresh_timeout (gpointer user_data)
{
  refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
choose_row (GzSessionProcessPicker *self,
            GtkListBoxRow          *row)
{
  g_autofree char *command = g_strdup (g_object_get_data (G_OBJECT (row), "gz-command"));

  g_signal_emit (self, signals[SIGNAL_CHOSEN], 0, row_pid (row), row_has_agent (row), command);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_row_activated (GzSessionProcessPicker *self,
                  GtkListBoxRow          *row)
{
  choose_row (self, row);
}

static void
on_search_changed (GzSessionProcessPicker *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  gz_session_process_picker_set_search (self, text);
}

/* Enter in the search entry takes the first process shown. */
static void
on_search_activate (GzSessionProcessPicker *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child))
      {
        choose_row (self, GTK_LIST_BOX_ROW (child));
        return;
      }
}

static void
gz_session_process_picker_map (GtkWidget *widget)
{
  GzSessionProcessPicker *self = GZ_SESSION_PROCESS_PICKER (widget);

  GTK_WIDGET_CLASS (gz_session_process_picker_parent_class)->map (widget);
  refresh (self);
  if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add (REFRESH_INTERVAL_MS, on_refresh_timeout, self);
}

static void
gz_session_process_picker_unmap (GtkWidget *widget)
{
  GzSessionProcessPicker *self = GZ_SESSION_PROCESS_PICKER (widget);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  GTK_WIDGET_CLASS (gz_session_process_picker_parent_class)->unmap (widget);
}

static void
gz_session_process_picker_dispose (GObject *object)
{
  GzSessionProcessPicker *self = GZ_SESSION_PROCESS_PICKER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);

  G_OBJECT_CLASS (gz_session_process_picker_parent_class)->dispose (object);
}

static void
gz_session_process_picker_finalize (GObject *object)
{
  GzSessionProcessPicker *self = GZ_SESSION_PROCESS_PICKER (object);

  g_clear_object (&self->processes);
  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->rows);
  g_free (self->search);

  G_OBJECT_CLASS (gz_session_process_picker_parent_class)->finalize (object);
}

static void
gz_session_process_picker_class_init (GzSessionProcessPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_session_process_picker_dispose;
  object_class->finalize = gz_session_process_picker_finalize;
  widget_class->map = gz_session_process_picker_map;
  widget_class->unmap = gz_session_process_picker_unmap;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  signals[SIGNAL_CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT,
                                         G_TYPE_BOOLEAN, G_TYPE_STRING);
  signals[SIGNAL_REFRESHED] = g_signal_new ("refreshed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);
}

static void
gz_session_process_picker_init (GzSessionProcessPicker *self)
{
  GtkWidget *box, *header, *scrolled, *clamp, *content;

  self->processes = gz_process_list_new ();
  self->cancellable = g_cancellable_new ();
  self->rows = g_hash_table_new (NULL, NULL);

  gtk_window_set_title (GTK_WINDOW (self), _("Choose a Process"));
  gtk_window_set_default_size (GTK_WINDOW (self), 620, 560);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_hide_on_close (GTK_WINDOW (self), FALSE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);

  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  g_object_set (self->search_entry, "placeholder-text", _("Search by pid or command"), NULL);
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (on_search_activate),
                            self);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->search_entry));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list), GTK_ALIGN_START);
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_sort_func (self->list, sort_rows, NULL, NULL);
  gtk_list_box_set_filter_func (self->list, filter_row, self, NULL);
  self->placeholder = GTK_LABEL (gtk_label_new (_("Reading the processes…")));
  gtk_label_set_wrap (self->placeholder, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->placeholder), "dim-label");
  gtk_widget_set_margin_top (GTK_WIDGET (self->placeholder), 24);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->placeholder), 24);
  gtk_list_box_set_placeholder (self->list, GTK_WIDGET (self->placeholder));
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (on_row_activated), self);

  clamp = adw_clamp_new ();
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (content), clamp);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), content);
  gtk_box_append (GTK_BOX (box), scrolled);

  adw_window_set_content (ADW_WINDOW (self), box);
}

GzSessionProcessPicker *
gz_session_process_picker_new (GtkWindow *parent)
{
  return g_object_new (GZ_TYPE_SESSION_PROCESS_PICKER, "transient-for", parent, NULL);
}

void
gz_session_process_picker_set_search (GzSessionProcessPicker *self,
                                      const char             *text)
{
  g_return_if_fail (GZ_IS_SESSION_PROCESS_PICKER (self));

  g_clear_pointer (&self->search, g_free);
  if (text != NULL && *text != '\0')
    self->search = g_utf8_casefold (text, -1);
  gtk_list_box_invalidate_filter (self->list);
}

guint
gz_session_process_picker_get_n_shown (GzSessionProcessPicker *self)
{
  GHashTableIter iter;
  gpointer row;
  guint n = 0;

  g_return_val_if_fail (GZ_IS_SESSION_PROCESS_PICKER (self), 0);

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    n += filter_row (row, self);
  return n;
}

gboolean
gz_session_process_picker_choose (GzSessionProcessPicker *self,
                                  int                     pid)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (GZ_IS_SESSION_PROCESS_PICKER (self), FALSE);

  row = g_hash_table_lookup (self->rows, GINT_TO_POINTER (pid));
  if (row == NULL)
    return FALSE;
  choose_row (self, row);
  return TRUE;
}
