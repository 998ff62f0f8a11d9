/* gz-session-result-row.c: one finished session: file, size, samples, the top five functions,
 * and buttons that open the folder (the desktop's file manager) and the profile (the app's
 * own viewer, through GApplication::open). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gz-session-result-row.h"
#include "gz-units.h"

#define TOP_ROWS 5

struct _GzSessionResultRow
{
  AdwExpanderRow    parent_instance;

  char             *id;
  char             *path;
  char             *description; /* "cpu · pid 4242" */
  GzSessionSummary *summary;
  char             *error;

  GtkWidget        *folder_button;
  GtkWidget        *open_button;
  GtkWidget        *spinner;
  GPtrArray        *top_rows;
};

G_DEFINE_FINAL_TYPE (GzSessionResultRow, gz_session_result_row, ADW_TYPE_EXPANDER_ROW)

static void
on_folder_launched (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_warning ("Could not open the folder: %s", error->message);
}

static void
on_open_folder (GzSessionResultRow *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GFile) folder = g_file_get_parent (file);
  g_autoptr(GAppLaunchContext) context = NULL;
  g_autofree char *uri = NULL;

  if (folder == NULL)
    return;
  uri = g_file_get_uri (folder);
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (
                                    gtk_widget_get_display (GTK_WIDGET (self))));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, on_folder_launched, NULL);
}

static void
on_open_profile (GzSessionResultRow *self)
{
  GApplication *app = g_application_get_default ();
  g_autoptr(GFile) file = g_file_new_for_path (self->path);

  /* The application shows it in its Viewer page. */
  if (app != NULL)
    g_application_open (app, &file, 1, "");
}

static void
clear_top_rows (GzSessionResultRow *self)
{
  for (guint i = 0; i < self->top_rows->len; i++)
    adw_expander_row_remove (ADW_EXPANDER_ROW (self), g_ptr_array_index (self->top_rows, i));
  g_ptr_array_set_size (self->top_rows, 0);
}

static void
add_top_rows (GzSessionResultRow *self)
{
  const GzSessionSummary *summary = self->summary;
  const char *unit = summary->sample_type != NULL ? strchr (summary->sample_type, '/') : NULL;

  unit = unit != NULL ? unit + 1 : "count";
  for (guint i = 0; summary->top != NULL && i < summary->top->len && i < TOP_ROWS; i++)
    {
      const GzTopEntry *entry = &g_array_index (summary->top, GzTopEntry, i);
      g_autofree char *value = gz_units_format_value (entry->flat, unit);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();
      double percent = summary->total != 0 ? 100.0 * (double) entry->flat / (double) summary->total
                                           : 0.0;

      /* Translators: a function's own share of the profile, e.g. "1.2 s, 45.3 %". */
      subtitle = g_strdup_printf (_("%s, %.1f %%"), value, percent);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (self), row);
      g_ptr_array_add (self->top_rows, row);
    }
  if (self->top_rows->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     _("No samples: the target did no work of this type"));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (self), row);
      g_ptr_array_add (self->top_rows, row);
    }
}

static void
gz_session_result_row_finalize (GObject *object)
{
  GzSessionResultRow *self = GZ_SESSION_RESULT_ROW (object);

  g_free (self->id);
  g_free (self->path);
  g_free (self->description);
  g_free (self->error);
  g_clear_pointer (&self->summary, gz_session_summary_free);
  g_ptr_array_unref (self->top_rows);

  G_OBJECT_CLASS (gz_session_result_row_parent_class)->finalize (object);
}

static void
gz_session_result_row_class_init (GzSessionResultRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_session_result_row_finalize;
}

static GtkWidget *
icon_button (const char *icon_name,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static void
gz_session_result_row_init (GzSessionResultRow *self)
{
  self->top_rows = g_ptr_array_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);

  self->spinner = gtk_spinner_new ();
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), TRUE);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (self), self->spinner);

  self->folder_button = icon_button ("folder-open-symbolic", _("Open Folder"));
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (on_open_folder), self);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (self), self->folder_button);

  self->open_button = gtk_button_new_with_mnemonic (_("_Open"));
  gtk_widget_set_valign (self->open_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->open_button, _("Open the profile in the Viewer"));
  gtk_widget_set_sensitive (self->open_button, FALSE);
  g_signal_connect_swapped (self->open_button, "clicked", G_CALLBACK (on_open_profile), self);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (self), self->open_button);
}

/* The file's name as the title, its whole path in the tooltip. */
static void
set_file (GzSessionResultRow *self,
          const char         *path)
{
  g_autofree char *name = path != NULL ? g_path_get_basename (path) : g_strdup (self->id);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), path);
}

GzSessionResultRow *
gz_session_result_row_new (const char    *id,
                           GzProfileType  type,
                           const char    *target,
                           const char    *path)
{
  GzSessionResultRow *self;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (GZ_TYPE_SESSION_RESULT_ROW, NULL);
  self->id = g_strdup (id);
  self->path = g_strdup (path);
  /* Translators: profile type · target, e.g. "cpu · pid 4242". */
  self->description = g_strdup_printf (_("%s · %s"), gz_profile_type_to_string (type),
                                       target != NULL ? target : "?");
  set_file (self, path);
  /* Translators: profile type · target, then that the profile is being read. */
  subtitle = g_strdup_printf (_("%s · reading the profile…"), self->description);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);
  gtk_widget_set_sensitive (self->folder_button, path != NULL);
  return self;
}

const char *
gz_session_result_row_get_id (GzSessionResultRow *self)
{
  g_return_val_if_fail (GZ_IS_SESSION_RESULT_ROW (self), NULL);
  return self->id;
}

void
gz_session_result_row_set_summary (GzSessionResultRow     *self,
                                   const GzSessionSummary *summary)
{
  g_autofree char *size = NULL;
  g_autofree char *samples = NULL;
  g_autofree char *subtitle = NULL;

  g_return_if_fail (GZ_IS_SESSION_RESULT_ROW (self));
  g_return_if_fail (summary != NULL);

  g_clear_pointer (&self->summary, gz_session_summary_free);
  self->summary = gz_session_summary_copy (summary);
  if (summary->path != NULL && g_strcmp0 (summary->path, self->path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (summary->path);
      set_file (self, self->path);
    }

  size = gz_units_format_bytes ((double) summary->size);
  samples = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " sample",
                                          "%" G_GINT64_FORMAT " samples",
                                          (gulong) MAX (summary->n_samples, 0)),
                             summary->n_samples);
  /* Translators: type · target · file size · sample count, then maybe that the target exited
   * first, e.g. "cpu · pid 7 · 12 KiB · 300 samples". */
  subtitle = g_strdup_printf (_("%s · %s · %s%s"), self->description, size, samples,
                              summary->target_exited ? _(" · the target exited first") : "");
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_widget_set_sensitive (self->open_button, TRUE);
  gtk_widget_set_sensitive (self->folder_button, TRUE);

  clear_top_rows (self);
  add_top_rows (self);
}

void
gz_session_result_row_set_error (GzSessionResultRow *self,
                                 const char         *message)
{
  g_autofree char *subtitle = NULL;

  g_return_if_fail (GZ_IS_SESSION_RESULT_ROW (self));

  g_free (self->error);
  self->error = g_strdup (message);
  /* Translators: type · target · what went wrong. */
  subtitle = g_strdup_printf (_("%s · failed: %s"), self->description, message);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (self), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "error");
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_widget_set_sensitive (self->open_button, FALSE);
  gtk_widget_set_sensitive (self->folder_button, FALSE);
}

const GzSessionSummary *
gz_session_result_row_get_summary (GzSessionResultRow *self)
{
  g_return_val_if_fail (GZ_IS_SESSION_RESULT_ROW (self), NULL);
  return self->summary;
}

const char *
gz_session_result_row_get_error (GzSessionResultRow *self)
{
  g_return_val_if_fail (GZ_IS_SESSION_RESULT_ROW (self), NULL);
  return self->error;
}
