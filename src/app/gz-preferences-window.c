/* gz-preferences-window.c: one row per gz-config key showing its effective value and where it
 * came from; applying a row writes the key to the configuration file gz-cli reads too. */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-config.h"
#include "gz-preferences-window.h"

struct _GzPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GzConfig *config;
  AdwPreferencesGroup *group;
};

G_DEFINE_FINAL_TYPE (GzPreferencesWindow, gz_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

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

static void
gz_preferences_window_apply_cb (AdwEntryRow         *row,
                                GzPreferencesWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (row), "gz-config-key");
  const char *value = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!gz_config_save_value (self->config, key, value, &error))
    message = g_strdup (error->message);
  else if (gz_config_get_source (self->config, key) > GZ_CONFIG_SOURCE_FILE)
    {
      g_autofree char *source = gz_config_describe_source (self->config, key);
      message = g_strdup_printf (_("Saved “%s” to %s, but %s still overrides it"), key,
                                 gz_config_get_path (self->config), source);
    }
  else
    message = g_strdup_printf (_("Saved “%s” to %s"), key, gz_config_get_path (self->config));

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
  gz_preferences_window_update_row (self, row, key);
}

static void
gz_preferences_window_dispose (GObject *object)
{
  GzPreferencesWindow *self = GZ_PREFERENCES_WINDOW (object);

  g_clear_object (&self->config);

  G_OBJECT_CLASS (gz_preferences_window_parent_class)->dispose (object);
}

static void
gz_preferences_window_class_init (GzPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_preferences_window_dispose;
}

static void
gz_preferences_window_init (GzPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());

  gtk_window_set_title (GTK_WINDOW (self), _("Preferences"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 640);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_page_add (page, self->group);

  self->config = gz_config_new (NULL, &error);
  if (self->config == NULL)
    {
      g_autofree char *description = g_strdup_printf (_("Fix the file and open Preferences "
                                                         "again: %s"), error->message);
      adw_preferences_group_set_title (self->group, _("The configuration could not be read"));
      adw_preferences_group_set_description (self->group, description);
      return;
    }

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

GzPreferencesWindow *
gz_preferences_window_new (void)
{
  return g_object_new (GZ_TYPE_PREFERENCES_WINDOW, NULL);
}
