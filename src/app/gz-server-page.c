/* gz-server-page.c: the Server page: starts and stops the pprof server (and automatic profiles)
 * inside the application on its main loop, shows its address and the requests it answered. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-auto-profiler.h"
#include "gz-config.h"
#include "gz-pprof-server.h"
#include "gz-server-page.h"
#include "gz-units.h"

/* The first automatic capture comes this soon after start, as with gz-cli profile server. */
#define AUTO_PROFILE_FIRST_DELAY_MS 1000
/* Recent requests shown, newest first. */
#define MAX_REQUESTS 100

typedef enum
{
  STATE_STOPPED,
  STATE_STARTING,   /* waiting for the configuration file to be read */
  STATE_RUNNING,
  STATE_STOPPING,   /* shutdown and the automatic capture in progress finishing */
} State;

struct _GzServerPage
{
  AdwBin parent_instance;

  AdwToastOverlay *toasts;
  AdwActionRow *switch_row;
  GtkSwitch *running_switch;
  AdwActionRow *url_row;
  AdwPreferencesGroup *listen_group;
  AdwPreferencesGroup *auto_group;
  AdwEntryRow *bind_row;
  AdwEntryRow *port_row;
  AdwEntryRow *token_row;
  GtkSwitch *auto_switch;
  AdwEntryRow *interval_row;
  AdwEntryRow *duration_row;
  AdwEntryRow *keep_row;
  AdwActionRow *output_row;
  GtkListBox *requests_list;

  State state;
  GzConfig *config;            /* NULL until read */
  GCancellable *cancellable;   /* the configuration read; cancelled on dispose */
  gboolean loading;            /* the configuration is being read */
  GzPprofServer *server;       /* while running or stopping */
  GzAutoProfiler *auto_profiler;
  guint n_stopping;            /* shutdown and auto-profile stop still to finish */
  char *url;
  guint n_requests;
};

G_DEFINE_FINAL_TYPE (GzServerPage, gz_server_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The configuration keys the page edits, and their rows' offsets in the struct. */
static const struct
{
  const char *key;
  gsize       offset;
} entry_keys[] = {
  { "bind", G_STRUCT_OFFSET (GzServerPage, bind_row) },
  { "port", G_STRUCT_OFFSET (GzServerPage, port_row) },
  { "token-file", G_STRUCT_OFFSET (GzServerPage, token_row) },
  { "auto-profile-interval", G_STRUCT_OFFSET (GzServerPage, interval_row) },
  { "auto-profile-duration", G_STRUCT_OFFSET (GzServerPage, duration_row) },
  { "keep", G_STRUCT_OFFSET (GzServerPage, keep_row) },
};

static AdwEntryRow *
entry_row (GzServerPage *self,
           guint         i)
{
  return G_STRUCT_MEMBER (AdwEntryRow *, self, entry_keys[i].offset);
}

static void
show_error (GzServerPage *self,
            const char   *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 0);  /* until dismissed: it says what to change */
  adw_toast_overlay_add_toast (self->toasts, toast);
  g_message ("server: %s", message);
}

static void
update (GzServerPage *self)
{
  gboolean stopped = self->state == STATE_STOPPED;
  const char *subtitle;

  switch (self->state)
    {
    case STATE_STARTING:
      subtitle = _("Starting…");
      break;
    case STATE_RUNNING:
      subtitle = self->auto_profiler != NULL ? _("On, with automatic profiles") : _("On");
      break;
    case STATE_STOPPING:
      subtitle = _("Stopping: ending the requests in flight…");
      break;
    case STATE_STOPPED:
    default:
      subtitle = _("Off");
      break;
    }
  adw_action_row_set_subtitle (self->switch_row, subtitle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->running_switch), self->state != STATE_STOPPING);
  gtk_widget_set_sensitive (GTK_WIDGET (self->listen_group), stopped);
  gtk_widget_set_sensitive (GTK_WIDGET (self->auto_group), stopped);
  gtk_widget_set_visible (GTK_WIDGET (self->url_row), self->state == STATE_RUNNING);
  adw_action_row_set_subtitle (self->url_row, self->url != NULL ? self->url : "");
}

static void
set_state (GzServerPage *self,
           State         state)
{
  gboolean was_running = gz_server_page_get_running (self);

  self->state = state;
  if (state != STATE_RUNNING)
    g_clear_pointer (&self->url, g_free);
  update (self);
  if (was_running != gz_server_page_get_running (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}

/* Recent requests. */

static void
on_request_finished (GzPprofServer *server,
                     const char    *method,
                     const char    *path,
                     guint          status,
                     gint64         duration_us,
                     gpointer       user_data)
{
  GzServerPage *self = user_data;
  g_autofree char *title = g_strdup_printf ("%s %s", method, path);
  g_autofree char *duration = gz_units_format_nanoseconds ((double) duration_us * 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%X");
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *status_label;
  g_autofree char *status_text = g_strdup_printf ("%u", status);

  /* Translators: a request's reason phrase, duration and time, e.g. "OK · 1.2 ms · 10:31:02". */
  subtitle = g_strdup_printf (_("%s · %s · %s"), soup_status_get_phrase (status), duration, time);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  status_label = gtk_label_new (status_text);
  gtk_widget_add_css_class (status_label, status < 400 ? "success" : status < 500 ? "warning"
                                                                                   : "error");
  gtk_widget_add_css_class (status_label, "numeric");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), status_label);

  gtk_list_box_prepend (self->requests_list, row);
  if (++self->n_requests > MAX_REQUESTS)
    {
      gtk_list_box_remove (self->requests_list,
                           GTK_WIDGET (gtk_list_box_get_row_at_index (self->requests_list,
                                                                      MAX_REQUESTS)));
      self->n_requests--;
    }
}

/* Starting. */

static void
start_now (GzServerPage *self)
{
  g_autoptr(GzPprofServer) server = NULL;
  g_autoptr(GzAutoProfiler) auto_profiler = NULL;
  g_autoptr(GError) error = NULL;
  gboolean automatic = gtk_switch_get_active (self->auto_switch);

  g_assert (self->config != NULL);

  /* The rows override the file, as flags do for gz-cli; a bad value names its key. */
  for (guint i = 0; i < G_N_ELEMENTS (entry_keys); i++)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (entry_row (self, i)));

      if (!gz_config_set_flag (self->config, entry_keys[i].key, text, &error))
        goto failed;
    }
  if (!gz_config_set_flag (self->config, "auto-profile", automatic ? "true" : "false", &error))
    goto failed;

  server = gz_pprof_server_new (self->config);
  if (!gz_pprof_server_listen (server, &error))
    goto failed;
  if (automatic)
    {
      auto_profiler = gz_auto_profiler_new (self->config, &error);
      if (auto_profiler == NULL)
        goto failed;
      gz_auto_profiler_start (auto_profiler, AUTO_PROFILE_FIRST_DELAY_MS);
    }

  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_finished), self);
  self->server = g_steal_pointer (&server);
  self->auto_profiler = g_steal_pointer (&auto_profiler);
  self->url = gz_pprof_server_get_url (self->server);
  set_state (self, STATE_RUNNING);
  if (!gz_pprof_server_address_is_loopback (gz_config_get_string (self->config, "bind")))
    show_error (self, _("Listening beyond this computer: profiles show memory contents and the "
                        "token travels in clear text (no TLS). Prefer 127.0.0.1."));
  return;

failed:
  /* A server that never listened has no sources: dropping it here is safe. The core's words
   * name gz-cli's flags: the one failure a user meets most is said in the page's. */
  if (g_error_matches (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_ADDRESS_IN_USE))
    {
      g_autofree char *text =
        g_strdup_printf (_("Port %s on %s is already in use: choose another port, or stop the "
                           "program listening there."),
                         gtk_editable_get_text (GTK_EDITABLE (self->port_row)),
                         gtk_editable_get_text (GTK_EDITABLE (self->bind_row)));

      show_error (self, text);
    }
  else
    show_error (self, error->message);
  set_state (self, STATE_STOPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);  /* the switch: off */
}

static void
fill_rows (GzServerPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (entry_keys); i++)
    gtk_editable_set_text (GTK_EDITABLE (entry_row (self, i)),
                           gz_config_get_string (self->config, entry_keys[i].key));
  gtk_switch_set_active (self->auto_switch, gz_config_get_boolean (self->config, "auto-profile"));
  adw_action_row_set_subtitle (self->output_row,
                               gz_config_get_string (self->config, "output-dir"));
}

static void on_config_loaded (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

static void
load_config (GzServerPage *self)
{
  if (self->loading)
    return;
  self->loading = TRUE;
  gz_config_new_async (NULL, self->cancellable, on_config_loaded, g_object_ref (self));
}

static void
on_config_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GzServerPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GzConfig) config = gz_config_new_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    return;
  self->loading = FALSE;
  if (config == NULL)
    {
      /* A broken file: say why; the next start reads it again. */
      show_error (self, error->message);
      if (self->state == STATE_STARTING)
        {
          set_state (self, STATE_STOPPED);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
        }
      return;
    }
  self->config = g_steal_pointer (&config);
  fill_rows (self);
  if (self->state == STATE_STARTING)
    start_now (self);
}

/* Stopping. */

static void
stopped_one (GzServerPage *self)
{
  g_assert (self->n_stopping > 0);

  if (--self->n_stopping == 0)
    set_state (self, STATE_STOPPED);
}

static void
on_shutdown_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GzServerPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gz_pprof_server_shutdown_finish (GZ_PPROF_SERVER (source), result, &error))
    g_debug ("server shutdown: %s", error->message);
  /* Here, on the main loop that runs it: libsoup's server must be disposed on its context. */
  g_clear_object (&self->server);
  stopped_one (self);
}

static void
on_auto_profiler_stopped (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GzServerPage) self = user_data;

  gz_auto_profiler_stop_finish (GZ_AUTO_PROFILER (source), result, NULL);
  g_clear_object (&self->auto_profiler);
  stopped_one (self);
}

static void
stop (GzServerPage *self)
{
  g_assert (self->state == STATE_RUNNING);

  set_state (self, STATE_STOPPING);
  g_signal_handlers_disconnect_by_data (self->server, self);
  self->n_stopping = 1;
  gz_pprof_server_shutdown_async (self->server, NULL, on_shutdown_done, g_object_ref (self));
  if (self->auto_profiler != NULL)
    {
      self->n_stopping++;
      gz_auto_profiler_stop_async (self->auto_profiler, NULL, on_auto_profiler_stopped,
                                   g_object_ref (self));
    }
}

/* When the page goes while the server runs (the window closed): the application lives on until
 * the shutdown and the capture in progress are done. */
static void
on_orphan_stopped (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GApplication *application = user_data;

  if (GZ_IS_PPROF_SERVER (source))
    gz_pprof_server_shutdown_finish (GZ_PPROF_SERVER (source), result, NULL);
  else
    gz_auto_profiler_stop_finish (GZ_AUTO_PROFILER (source), result, NULL);
  if (application != NULL)
    {
      g_application_release (application);
      g_object_unref (application);
    }
}

static GApplication *
hold_application (void)
{
  GApplication *application = g_application_get_default ();

  if (application == NULL)
    return NULL;
  g_application_hold (application);
  return g_object_ref (application);
}

/* Actions. */

static void
on_copy_clicked (GzServerPage *self)
{
  if (self->url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->url);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Address copied")));
}

/* The object. */

static void
gz_server_page_dispose (GObject *object)
{
  GzServerPage *self = GZ_SERVER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  /* Running: the shutdown goes on without the page (its tasks hold the objects). Stopping:
   * the callbacks hold the page, so dispose comes after them. */
  if (self->state == STATE_RUNNING)
    {
      g_signal_handlers_disconnect_by_data (self->server, self);
      gz_pprof_server_shutdown_async (self->server, NULL, on_orphan_stopped,
                                      hold_application ());
      if (self->auto_profiler != NULL)
        gz_auto_profiler_stop_async (self->auto_profiler, NULL, on_orphan_stopped,
                                     hold_application ());
      self->state = STATE_STOPPED;
    }
  g_clear_object (&self->server);
  g_clear_object (&self->auto_profiler);
  g_clear_object (&self->config);
  g_clear_pointer (&self->url, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_SERVER_PAGE);

  G_OBJECT_CLASS (gz_server_page_parent_class)->dispose (object);
}

static void
gz_server_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GzServerPage *self = GZ_SERVER_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, gz_server_page_get_running (self));
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_server_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GzServerPage *self = GZ_SERVER_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      gz_server_page_set_running (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gz_server_page_class_init (GzServerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_server_page_dispose;
  object_class->get_property = gz_server_page_get_property;
  object_class->set_property = gz_server_page_set_property;

  /* TRUE from the switch turned on until it is off again and the server has stopped. */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gz/Profile/gz-server-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, toasts);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, switch_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, running_switch);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, listen_group);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, auto_group);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, bind_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, port_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, auto_switch);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, interval_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, duration_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, keep_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, output_row);
  gtk_widget_class_bind_template_child (widget_class, GzServerPage, requests_list);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);
}

static void
gz_server_page_init (GzServerPage *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));

  placeholder = gtk_label_new (_("No requests yet: turn the server on, then try "
                                 "go tool pprof with its address."));
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (self->requests_list, placeholder);

  g_object_bind_property (self, "running", self->running_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  update (self);

  self->cancellable = g_cancellable_new ();
  load_config (self);
}

GtkWidget *
gz_server_page_new (void)
{
  return g_object_new (GZ_TYPE_SERVER_PAGE, NULL);
}

gboolean
gz_server_page_get_running (GzServerPage *self)
{
  g_return_val_if_fail (GZ_IS_SERVER_PAGE (self), FALSE);

  return self->state == STATE_STARTING || self->state == STATE_RUNNING;
}

void
gz_server_page_set_running (GzServerPage *self,
                            gboolean      running)
{
  g_return_if_fail (GZ_IS_SERVER_PAGE (self));

  if (running == gz_server_page_get_running (self) || self->state == STATE_STOPPING)
    {
      /* Keep the switch in step with what really is. */
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
      return;
    }

  if (running && self->config == NULL)
    {
      set_state (self, STATE_STARTING);  /* on_config_loaded starts it */
      load_config (self);
    }
  else if (running)
    start_now (self);
  else if (self->state == STATE_STARTING)
    set_state (self, STATE_STOPPED);
  else
    stop (self);
}

const char *
gz_server_page_get_url (GzServerPage *self)
{
  g_return_val_if_fail (GZ_IS_SERVER_PAGE (self), NULL);

  return self->url;
}
