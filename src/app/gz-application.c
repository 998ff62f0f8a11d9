/* gz-application.c: the gz-profile application: app actions (new-session, run-benchmark,
 * quit, about, preferences, show-page), their shortcuts, the --page option and the main
 * window. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-application.h"
#include "gz-preferences-window.h"
#include "gz-viewer-page.h"
#include "gz-window.h"

struct _GzApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (GzApplication, gz_application, ADW_TYPE_APPLICATION)

static GzWindow *
gz_application_get_main_window (GzApplication *self)
{
  GtkWindow *window;

  g_assert (GZ_IS_APPLICATION (self));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (GZ_IS_WINDOW (l->data))
      return GZ_WINDOW (l->data);

  window = GTK_WINDOW (gz_window_new (self));
  return GZ_WINDOW (window);
}

static void
gz_application_activate (GApplication *app)
{
  GzApplication *self = GZ_APPLICATION (app);

  gtk_window_present (GTK_WINDOW (gz_application_get_main_window (self)));
}

static int
gz_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  g_autoptr(GError) error = NULL;
  const char *page = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("gz-profile %s\n", GZ_VERSION);
      return EXIT_SUCCESS;
    }

  if (!g_variant_dict_lookup (options, "page", "&s", &page))
    return -1;

  if (!gz_window_is_page_name (page))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) gz_window_get_page_names ());

      g_printerr (_("Unknown page “%s”: use one of %s.\n"), page, names);
      return EXIT_FAILURE;
    }

  /* Works for a running instance too: the action is activated over D-Bus. */
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-page", g_variant_new_string (page));

  return -1;
}

static void
gz_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  GzApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  g_assert (GZ_IS_APPLICATION (self));

  /* Close rather than quit, so each window saves its state on close-request; the application
   * ends when its last window is gone. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

static void
gz_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GzApplication *self = user_data;
  static const char *developers[] = { "The gz profile authors", NULL };
  GtkWindow *about;

  g_assert (GZ_IS_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("gz profile"),
                        "application-icon", GZ_APP_ID,
                        "developer-name", _("The gz profile authors"),
                        "developers", developers,
                        "version", GZ_VERSION,
                        "comments", _("Profile C programs with the pprof format: CPU, memory, "
                                      "threads, blocking, mutex contention and thread creation."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your name here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (about);
}

static void
gz_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  GzApplication *self = user_data;
  GzPreferencesWindow *preferences;

  g_assert (GZ_IS_APPLICATION (self));

  preferences = gz_preferences_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (preferences),
                                GTK_WINDOW (gz_application_get_main_window (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
gz_application_show_page_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  GzApplication *self = user_data;
  GzWindow *window;

  g_assert (GZ_IS_APPLICATION (self));

  window = gz_application_get_main_window (self);
  gz_window_set_visible_page (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

/* Shows a page with the keyboard focus in it: its first control (the start form). */
static void
gz_application_focus_page (GzApplication *self,
                           const char    *name)
{
  GzWindow *window = gz_application_get_main_window (self);

  gz_window_set_visible_page (window, name);
  gtk_window_present (GTK_WINDOW (window));
  gz_window_focus_page (window);
}

static void
gz_application_new_session_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  gz_application_focus_page (GZ_APPLICATION (user_data), "sessions");
}

static void
gz_application_run_benchmark_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  gz_application_focus_page (GZ_APPLICATION (user_data), "benchmarks");
}

/* The Viewer page, shown, in the main window. */
static GzViewerPage *
gz_application_show_viewer (GzApplication *self)
{
  GzWindow *window = gz_application_get_main_window (self);

  gz_window_set_visible_page (window, "viewer");
  gtk_window_present (GTK_WINDOW (window));
  return gz_viewer_page_find (GTK_WIDGET (window));
}

static void
gz_application_open_profile_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  gz_viewer_page_choose_file (gz_application_show_viewer (GZ_APPLICATION (user_data)), FALSE);
}

/* gz-profile FILE [BASE]: the Viewer opens FILE; a second file is the base to compare with. */
static void
gz_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  GzViewerPage *page = gz_application_show_viewer (GZ_APPLICATION (app));

  if (n_files > 0)
    gz_viewer_page_open (page, files[0]);
  if (n_files > 1)
    gz_viewer_page_open_base (page, files[1]);
}

static const GActionEntry app_actions[] = {
  { "open-profile", gz_application_open_profile_action },
  { "new-session", gz_application_new_session_action },
  { "run-benchmark", gz_application_run_benchmark_action },
  { "quit", gz_application_quit_action },
  { "about", gz_application_about_action },
  { "preferences", gz_application_preferences_action },
  { "show-page", gz_application_show_page_action, "s" },
};

static const struct
{
  const char *action;
  const char *accels[3];
} app_accels[] = {
  { "app.new-session", { "<Control>n", NULL } },
  { "app.run-benchmark", { "<Control>b", NULL } },
  { "app.open-profile", { "<Control>o", NULL } },
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "app.show-page::sessions", { "<Alt>1", NULL } },
  { "app.show-page::benchmarks", { "<Alt>2", NULL } },
  { "app.show-page::compare", { "<Alt>3", NULL } },
  { "app.show-page::statistics", { "<Alt>4", NULL } },
  { "app.show-page::server", { "<Alt>5", NULL } },
  { "app.show-page::viewer", { "<Alt>6", NULL } },
};

static void
gz_application_startup (GApplication *app)
{
  GzApplication *self = GZ_APPLICATION (app);

  G_APPLICATION_CLASS (gz_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), app_accels[i].action,
                                           app_accels[i].accels);
}

static void
gz_application_class_init (GzApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = gz_application_activate;
  app_class->startup = gz_application_startup;
  app_class->handle_local_options = gz_application_handle_local_options;
  app_class->open = gz_application_open;
}

static void
gz_application_init (GzApplication *self)
{
  static const GOptionEntry options[] = {
    { "page", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
      N_("Open on PAGE: sessions, benchmarks, compare, statistics, server or viewer"), N_("PAGE") },
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

GzApplication *
gz_application_new (void)
{
  /* A fixed resource path: the .Devel id shares the release build's resources. */
  return g_object_new (GZ_TYPE_APPLICATION,
                       "application-id", GZ_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/gz/Profile",
                       NULL);
}
