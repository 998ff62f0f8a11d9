/* gz-preferences-window.c: one row per gz-config key showing its effective value and where it
 * came from; applying a row writes the key to the configuration file gz-cli reads too. The file
 * is read and written off the main thread. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-config.h"
#include "gz-preferences-window.h"

struct _GzPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GzConfig *config;           /* NULL until loaded */
  AdwPreferencesGroup *group;
  GCancellable *cancellable;  /* cancelled on dispose */
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (GzPreferencesWindow, gz_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gz_preferences_window_update_row (GzPreferencesWindow *self,
                                  AdwEntryRow         *row,
                                  const char          *key)
{
  g_autofree char *source = gz_config_describe_source (self->config, key);
  g_autofree char *title = g_strdup_printf ("%s  ·  %s", key, source);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), gz_config_get_string (self->config, key));
}

/* A save in flight: the row stays insensitive until its file write finished. */
typedef struct
{
  GzPreferencesWindow *self;
  AdwEntryRow *row;
  char *key;
} Save;

static void
save_free (Save *save)
{
  g_object_unref (save->self);
  g_object_unref (save->row);
  g_free (save->key);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Save, save_free)

static void
gz_preferences_window_saved_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(Save) save = user_data;
  GzPreferencesWindow *self = save->self;
  GzConfig *config = GZ_CONFIG (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean saved = gz_config_save_value_finish (config, result, &error);

  /* The window was closed meanwhile: nobody to tell. */
  if (self->config != config)
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (save->row), TRUE);
  if (!saved)
    message = g_strdup (error->message);
  else if (gz_config_get_source (config, save->key) > GZ_CONFIG_SOURCE_FILE)
    {
      g_autofree char *where = gz_config_describe_source (config, save->key);
      message = g_strdup_printf (_("Saved “%s” to %s, but %s still overrides it"), save->key,
                                 gz_config_get_path (config), where);
    }
  else
    message = g_strdup_printf (_("Saved “%s” to %s"), save->key, gz_config_get_path (config));

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
  gz_preferences_window_update_row (self, save->row, save->key);
}

static void
gz_preferences_window_apply_cb (AdwEntryRow         *row,
                                GzPreferencesWindow *self)
{
  Save *save = g_new0 (Save, 1);

  save->self = g_object_ref (self);
  save->row = g_object_ref (row);
  save->key = g_strdup (g_object_get_data (G_OBJECT (row), "gz-config-key"));
  gtk_widget_set_sensitive (GTK_WIDGET (row), FALSE);
  gz_config_save_value_async (self->config, save->key,
                              gtk_editable_get_text (GTK_EDITABLE (row)), self->cancellable,
                              gz_preferences_window_saved_cb, save);
}

static void
gz_preferences_window_show_config (GzPreferencesWindow *self)
{
  adw_preferences_group_set_title (self->group, _("Profiling"));
  adw_preferences_group_set_description (self->group,
                                         _("Shared with gz-cli. Environment variables "
                                           "GZ_PROFILE_* override the file."));

  for (const char * const *keys = gz_config_list_keys (); *keys != NULL; keys++)
    {
      AdwEntryRow *row = ADW_ENTRY_ROW (adw_entry_row_new ());

      g_object_set_data_full (G_OBJECT (row), "gz-config-key", g_strdup (*keys), g_free);
      adw_entry_row_set_show_apply_button (row, TRUE);
      gz_preferences_window_update_row (self, row, *keys);
      g_signal_connect (row, "apply", G_CALLBACK (gz_preferences_window_apply_cb), self);
      adw_preferences_group_add (self->group, GTK_WIDGET (row));
    }
}

static void
gz_preferences_window_loaded_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(GzPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = gz_config_new_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (config == NULL)
    {
      g_autofree char *description = g_strdup_printf (_("Fix the file and open Preferences "
                                                         "again: %s"), error->message);
      adw_preferences_group_set_title (self->group, _("The configuration could not be read"));
      adw_preferences_group_set_description (self->group, description);
    }
  else
    {
      self->config = g_steal_pointer (&config);
      gz_preferences_window_show_config (self);
    }

  self->loading = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

gboolean
gz_preferences_window_get_loading (GzPreferencesWindow *self)
{
  g_return_val_if_fail (GZ_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->loading;
}

static void
gz_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  GzPreferencesWindow *self = GZ_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_preferences_window_dispose (GObject *object)
{
  GzPreferencesWindow *self = GZ_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (gz_preferences_window_parent_class)->dispose (object);
}

static void
gz_preferences_window_class_init (GzPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_preferences_window_dispose;
  object_class->get_property = gz_preferences_window_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gz_preferences_window_init (GzPreferencesWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());

  gtk_window_set_title (GTK_WINDOW (self), _("Preferences"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 640);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Profiling"));
  adw_preferences_group_set_description (self->group, _("Reading the configuration…"));
  adw_preferences_page_add (page, self->group);

  /* The file is read on a worker; the rows appear when it has been. */
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  gz_config_new_async (NULL, self->cancellable, gz_preferences_window_loaded_cb,
                       g_object_ref (self));
}

GzPreferencesWindow *
gz_preferences_window_new (void)
{
  return g_object_new (GZ_TYPE_PREFERENCES_WINDOW, NULL);
}
