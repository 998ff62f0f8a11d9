/* gz-window.c: the main window: pages in an AdwViewStack, window state in GSettings, the
 * window's actions (win.server-running). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-benchmarks-page.h"
#include "gz-compare-page.h"
#include "gz-server-page.h"
#include "gz-sessions-page.h"
#include "gz-stats-page.h"
#include "gz-viewer-page.h"
#include "gz-window.h"

struct _GzWindow
{
  AdwApplicationWindow parent_instance;

  /* NULL when the schema is not installed (running from a build dir without
   * GSETTINGS_SCHEMA_DIR): the window then simply does not remember its state. */
  GSettings *settings;

  AdwViewStack *stack;
  GzServerPage *server_page;
};

G_DEFINE_FINAL_TYPE (GzWindow, gz_window, ADW_TYPE_APPLICATION_WINDOW)

/* The pages, in the view switcher's order; gz-profile --page takes these names. */
static const char * const page_names[] = {
  "sessions", "benchmarks", "compare", "statistics", "server", "viewer", NULL
};

const char * const *
gz_window_get_page_names (void)
{
  return page_names;
}

gboolean
gz_window_is_page_name (const char *name)
{
  for (guint i = 0; page_names[i] != NULL; i++)
    if (g_strcmp0 (name, page_names[i]) == 0)
      return TRUE;
  return FALSE;
}

static GSettings *
gz_window_open_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, GZ_SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      g_message ("GSettings schema %s is not installed, so the window will not remember its "
                 "size: install gz-profile, or run it with GSETTINGS_SCHEMA_DIR=BUILDDIR/data.",
                 GZ_SCHEMA_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
gz_window_load_state (GzWindow *self)
{
  g_autofree char *page = NULL;

  if (self->settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  page = g_settings_get_string (self->settings, "last-page");
  if (gz_window_is_page_name (page))
    adw_view_stack_set_visible_child_name (self->stack, page);
}

static void
gz_window_save_state (GzWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  /* The default size is the unmaximized size: what to restore next time. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_string (self->settings, "last-page", gz_window_get_visible_page (self));
  g_settings_apply (self->settings);
}

static gboolean
gz_window_close_request (GtkWindow *window)
{
  gz_window_save_state (GZ_WINDOW (window));

  return GTK_WINDOW_CLASS (gz_window_parent_class)->close_request (window);
}

static void
gz_window_dispose (GObject *object)
{
  GzWindow *self = GZ_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GZ_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (gz_window_parent_class)->dispose (object);
}

static void
gz_window_class_init (GzWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = gz_window_dispose;
  window_class->close_request = gz_window_close_request;

  g_type_ensure (GZ_TYPE_SESSIONS_PAGE);
  g_type_ensure (GZ_TYPE_BENCHMARKS_PAGE);
  g_type_ensure (GZ_TYPE_COMPARE_PAGE);
  g_type_ensure (GZ_TYPE_STATS_PAGE);
  g_type_ensure (GZ_TYPE_SERVER_PAGE);
  g_type_ensure (GZ_TYPE_VIEWER_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gz/Profile/gz-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GzWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, GzWindow, server_page);
}

static void
gz_window_init (GzWindow *self)
{
  g_autoptr(GPropertyAction) server_running = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* win.server-running: the Server page's switch as a stateful action, for scripts (over
   * D-Bus, org.gtk.Actions.SetState) as for the switch. */
  server_running = g_property_action_new ("server-running", self->server_page, "running");
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (server_running));

  if (g_str_has_suffix (GZ_APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->settings = gz_window_open_settings ();
  gz_window_load_state (self);
}

GzWindow *
gz_window_new (GzApplication *application)
{
  g_return_val_if_fail (GZ_IS_APPLICATION (application), NULL);

  return g_object_new (GZ_TYPE_WINDOW, "application", application, NULL);
}

const char *
gz_window_get_visible_page (GzWindow *self)
{
  g_return_val_if_fail (GZ_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->stack);
}

void
gz_window_focus_page (GzWindow *self)
{
  GtkWidget *page;

  g_return_if_fail (GZ_IS_WINDOW (self));

  page = adw_view_stack_get_visible_child (self->stack);
  if (page != NULL && !gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD))
    gtk_widget_grab_focus (page);
}

void
gz_window_set_visible_page (GzWindow   *self,
                            const char *name)
{
  g_return_if_fail (GZ_IS_WINDOW (self));
  g_return_if_fail (gz_window_is_page_name (name));

  adw_view_stack_set_visible_child_name (self->stack, name);
}
