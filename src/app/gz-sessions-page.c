/* gz-sessions-page.c: the Sessions page: the form that starts a session, the active sessions of
 * every gz process of the user (read from the session registry every second, live durations and
 * progress), and the finished ones with their summaries. Nothing here waits: starts, stops,
 * listings and profile reads run on workers or as main-loop sources. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "gz-session-form.h"
#include "gz-session-registry.h"
#include "gz-sessions-page.h"

#define LIST_INTERVAL_MS     1000
#define PROGRESS_INTERVAL_MS 200

struct _GzSessionsPage
{
  AdwBin             parent_instance;

  GzSessionRegistry *registry;
  GzConfig          *config;        /* the last one read; NULL until the first is */
  GCancellable      *cancellable;   /* cancelled at dispose */
  GCancellable      *start_cancellable; /* the start under way's, for Cancel */
  char              *error;
  char              *list_error;    /* the registry's last listing error, said once */
  gboolean           starting;
  gboolean           listing;
  guint              list_source;
  guint              progress_source;

  GHashTable        *active_rows;   /* id -> GzSessionRow */
  GHashTable        *finished_rows; /* id -> GzSessionResultRow */
  GHashTable        *own_sessions;  /* id -> GzSession started here */
  GHashTable        *stopping;      /* ids of other processes' sessions asked to stop */

  GzSessionForm     *form;
  GtkListBox        *active_list;
  GtkListBox        *finished_list;
};

G_DEFINE_FINAL_TYPE (GzSessionsPage, gz_sessions_page, ADW_TYPE_BIN)

enum { SIGNAL_SESSION_STARTED, SIGNAL_START_FAILED, SIGNAL_SESSION_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
disposed (GzSessionsPage *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

/* ---- The finished list ------------------------------------------------------------------ */

static GzSessionResultRow *
add_finished_row (GzSessionsPage      *self,
                  const GzSessionInfo *info)
{
  g_autofree char *target = gz_session_describe_target (info);
  GzSessionResultRow *row = gz_session_result_row_new (info->id, info->type, target,
                                                       info->output_path);

  g_hash_table_replace (self->finished_rows, g_strdup (info->id), row);
  /* Newest first. */
  gtk_list_box_prepend (self->finished_list, GTK_WIDGET (row));
  g_signal_emit (self, signals[SIGNAL_SESSION_FINISHED], 0, info->id);
  return row;
}

static void
read_summary_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  const GzSessionInfo *info = task_data;
  g_autoptr(GzProfile) profile = NULL;
  GError *error = NULL;
  GStatBuf st;

  profile = gz_profile_read_file (info->output_path, &error);
  if (profile == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task,
                         gz_session_summary_new_for_profile (info->id, info->output_path,
                                                             profile,
                                                             g_stat (info->output_path, &st) == 0
                                                               ? (gint64) st.st_size : 0),
                         (GDestroyNotify) gz_session_summary_free);
}

static void
on_summary_read (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GzSessionResultRow) row = user_data;
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (summary != NULL)
    gz_session_result_row_set_summary (row, summary);
  else
    gz_session_result_row_set_error (row, error->message);
}

/* Another process's session ended on its own: its profile is read on a worker. */
static void
finish_from_file (GzSessionsPage      *self,
                  const GzSessionInfo *info)
{
  GzSessionResultRow *row = add_finished_row (self, info);
  g_autoptr(GTask) task = NULL;

  if (info->output_path == NULL || !g_file_test (info->output_path, G_FILE_TEST_EXISTS))
    {
      gz_session_result_row_set_error (row, _("it ended without writing a profile"));
      return;
    }
  task = g_task_new (NULL, self->cancellable, on_summary_read, g_object_ref (row));
  g_task_set_task_data (task, gz_session_info_copy (info), (GDestroyNotify) gz_session_info_free);
  g_task_run_in_thread (task, read_summary_thread);
}

/* ---- The active list -------------------------------------------------------------------- */

static int
sort_active (GtkListBoxRow *a,
             GtkListBoxRow *b,
             gpointer       user_data)
{
  gint64 ta = gz_session_row_get_info (GZ_SESSION_ROW (a))->start_time;
  gint64 tb = gz_session_row_get_info (GZ_SESSION_ROW (b))->start_time;

  return (ta > tb) - (ta < tb);
}

static void
remove_active_row (GzSessionsPage *self,
                   const char     *id)
{
  GtkWidget *row = g_hash_table_lookup (self->active_rows, id);

  if (row == NULL)
    return;
  gtk_list_box_remove (self->active_list, row);
  g_hash_table_remove (self->active_rows, id);
}

typedef struct
{
  GzSessionsPage *page;
  GzSessionInfo  *info;
} StopData;

static void
stop_data_free (StopData *data)
{
  g_object_unref (data->page);
  gz_session_info_free (data->info);
  g_free (data);
}

static void
on_other_stopped (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  StopData *data = user_data;
  GzSessionsPage *self = data->page;
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  GzSessionResultRow *row;

  summary = gz_session_registry_stop_finish (GZ_SESSION_REGISTRY (object), result, &error);
  if (!disposed (self))
    {
      g_hash_table_remove (self->stopping, data->info->id);
      remove_active_row (self, data->info->id);
      row = add_finished_row (self, data->info);
      if (summary != NULL)
        gz_session_result_row_set_summary (row, summary);
      else
        gz_session_result_row_set_error (row, error->message);
    }
  stop_data_free (data);
}

static void
on_own_stopped (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  /* ::finished moves the row; a failure shows there too. */
  summary = gz_session_stop_finish (GZ_SESSION (object), result, &error);
  if (summary == NULL)
    g_debug ("Session %s: %s", gz_session_get_id (GZ_SESSION (object)), error->message);
}

static void
on_row_stop (GzSessionsPage *self,
             GzSessionRow   *row)
{
  const GzSessionInfo *info = gz_session_row_get_info (row);
  GzSession *session = g_hash_table_lookup (self->own_sessions, info->id);
  StopData *data;

  gz_session_row_set_stopping (row, TRUE);
  if (session != NULL)
    {
      gz_session_stop_async (session, NULL, on_own_stopped, NULL);
      return;
    }
  /* Another process owns it: ask it through the registry and wait (no limit: a URL's CPU
   * profile cannot be cut short) without blocking. */
  data = g_new0 (StopData, 1);
  data->page = g_object_ref (self);
  data->info = gz_session_info_copy (info);
  g_hash_table_add (self->stopping, g_strdup (info->id));
  gz_session_registry_stop_async (self->registry, info->id, 0, self->cancellable,
                                  on_other_stopped, data);
}

static GzSessionRow *
add_active_row (GzSessionsPage      *self,
                const GzSessionInfo *info)
{
  GzSessionRow *row = gz_session_row_new (info);

  g_signal_connect_object (row, "stop", G_CALLBACK (on_row_stop), self, G_CONNECT_SWAPPED);
  g_hash_table_replace (self->active_rows, g_strdup (info->id), row);
  gtk_list_box_append (self->active_list, GTK_WIDGET (row));
  return row;
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GzSessionsPage) self = user_data;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GHashTable) listed = NULL;
  g_autoptr(GPtrArray) vanished = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer id, row;

  sessions = gz_session_registry_list_finish (GZ_SESSION_REGISTRY (object), result, NULL,
                                              &error);
  if (disposed (self))
    return;
  self->listing = FALSE;
  if (sessions == NULL)
    {
      /* Once per cause, not every second. */
      if (g_strcmp0 (self->list_error, error->message) != 0)
        g_warning ("Could not list the sessions: %s", error->message);
      g_free (self->list_error);
      self->list_error = g_strdup (error->message);
      return;
    }
  g_clear_pointer (&self->list_error, g_free);

  listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < sessions->len; i++)
    {
      const GzSessionInfo *info = g_ptr_array_index (sessions, i);

      g_hash_table_add (listed, info->id);
      /* The app's own sessions have their rows from the start and leave with ::finished. */
      if (g_hash_table_contains (self->own_sessions, info->id) ||
          g_hash_table_contains (self->finished_rows, info->id))
        continue;
      row = g_hash_table_lookup (self->active_rows, info->id);
      if (row != NULL)
        gz_session_row_set_info (row, info);
      else
        add_active_row (self, info);
    }

  /* Another process's session that left the registry by itself ended: show its profile. */
  vanished = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_session_info_free);
  g_hash_table_iter_init (&iter, self->active_rows);
  while (g_hash_table_iter_next (&iter, &id, &row))
    if (!g_hash_table_contains (listed, id) && !g_hash_table_contains (self->own_sessions, id) &&
        !g_hash_table_contains (self->stopping, id))
      g_ptr_array_add (vanished, gz_session_info_copy (gz_session_row_get_info (row)));
  for (guint i = 0; i < vanished->len; i++)
    {
      const GzSessionInfo *info = g_ptr_array_index (vanished, i);

      remove_active_row (self, info->id);
      finish_from_file (self, info);
    }
}

static void
list_sessions (GzSessionsPage *self)
{
  if (self->listing)
    return;
  self->listing = TRUE;
  gz_session_registry_list_async (self->registry, self->cancellable, on_listed,
                                  g_object_ref (self));
}

static gboolean
on_list_timeout (gpointer user_data)
{
  GzSessionsPage *self = user_data;
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->active_rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    gz_session_row_update_label (row);
  list_sessions (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_progress_timeout (gpointer user_data)
{
  GzSessionsPage *self = user_data;
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->active_rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    gz_session_row_update_progress (row);
  return G_SOURCE_CONTINUE;
}

/* ---- The app's own sessions ------------------------------------------------------------- */

static void
notify_finished (GzSessionsPage *self,
                 GzSession      *session)
{
  GApplication *app = g_application_get_default ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *notification_id = NULL;
  const GzSessionSummary *summary = gz_session_get_summary (session);

  /* The user sees the row move; a notification is for a window that is away. */
  if (app == NULL || (GTK_IS_WINDOW (root) && gtk_widget_get_visible (GTK_WIDGET (root)) &&
                      gtk_window_is_active (GTK_WINDOW (root))))
    return;
  if (summary != NULL)
    {
      notification = g_notification_new (_("Profile saved"));
      /* Translators: the session id, then where its profile was written. */
      body = g_strdup_printf (_("Session %s wrote %s"), gz_session_get_id (session),
                              summary->path);
    }
  else
    {
      const GError *error = gz_session_get_error (session);

      notification = g_notification_new (_("Session failed"));
      body = g_strdup_printf (_("Session %s: %s"), gz_session_get_id (session),
                              error != NULL ? error->message : _("no profile was written"));
    }
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-page", "s", "sessions");
  notification_id = g_strconcat ("session-", gz_session_get_id (session), NULL);
  g_application_send_notification (app, notification_id, notification);
}

static void
on_own_finished (GzSession      *session,
                 GzSessionsPage *self)
{
  g_autoptr(GzSession) hold = g_object_ref (session);
  const char *id = gz_session_get_id (session);
  const GzSessionSummary *summary = gz_session_get_summary (session);
  GzSessionInfo info = { 0 };
  GzSessionResultRow *row;

  remove_active_row (self, id);
  info.id = (char *) id;
  info.type = gz_session_get_profile_type (session);
  info.target = *gz_session_get_target (session);
  info.owner_pid = getpid ();
  info.output_path = (char *) gz_session_get_output_path (session);
  row = add_finished_row (self, &info);
  if (summary != NULL)
    {
      g_autoptr(GzSessionSummary) shown = gz_session_summary_copy (summary);

      /* A launched program's end is its session's planned end (as gz-cli says it). */
      if (info.target.kind == GZ_TARGET_COMMAND && gz_session_get_duration (session) == 0)
        shown->target_exited = FALSE;
      gz_session_result_row_set_summary (row, shown);
    }
  else
    {
      const GError *error = gz_session_get_error (session);

      gz_session_result_row_set_error (row, error != NULL ? error->message
                                                          : _("no profile was written"));
    }
  notify_finished (self, session);
  g_hash_table_remove (self->own_sessions, id);
}

/* Held while a session of the app runs, so that closing the window still saves its profile. */
static void
release_application (GzSession *session,
                     gpointer   user_data)
{
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_application_release (app);
}

/* ---- Starting --------------------------------------------------------------------------- */

typedef struct
{
  GzSessionsPage   *page;
  GzSessionRequest *request;
} StartData;

static void
start_data_free (StartData *data)
{
  g_object_unref (data->page);
  gz_session_request_free (data->request);
  g_free (data);
}

static void
set_error (GzSessionsPage *self,
           const char     *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gz_session_form_set_error (self->form, message);
}

static void
set_starting (GzSessionsPage *self,
              gboolean        starting)
{
  self->starting = starting;
  gz_session_form_set_starting (self->form, starting);
}

static void
start_failed (GzSessionsPage *self,
              const char     *message)
{
  set_error (self, message);
  g_signal_emit (self, signals[SIGNAL_START_FAILED], 0, message);
}

static void
on_started (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GzSessionsPage) self = user_data;
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GError) error = NULL;
  GzSessionInfo info = { 0 };
  const char *id;

  session = gz_session_starter_start_finish (result, &error);
  if (disposed (self))
    {
      /* The window went away meanwhile: save what was started rather than drop it. */
      if (session != NULL)
        gz_session_stop_async (session, NULL, NULL, NULL);
      return;
    }
  set_starting (self, FALSE);
  if (session == NULL)
    {
      start_failed (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            ? _("The start was cancelled: nothing was profiled")
                            : error->message);
      return;
    }
  set_error (self, NULL);

  id = gz_session_get_id (session);
  g_hash_table_replace (self->own_sessions, g_strdup (id), g_object_ref (session));
  g_signal_connect_object (session, "finished", G_CALLBACK (on_own_finished), self, 0);
  if (g_application_get_default () != NULL)
    {
      g_application_hold (g_application_get_default ());
      g_signal_connect (session, "finished", G_CALLBACK (release_application), NULL);
    }

  info.id = (char *) id;
  info.type = gz_session_get_profile_type (session);
  info.target = *gz_session_get_target (session);
  info.owner_pid = getpid ();
  info.start_time = gz_session_get_start_time (session);
  info.duration = gz_session_get_duration (session);
  info.output_path = (char *) gz_session_get_output_path (session);
  add_active_row (self, &info);
  g_signal_emit (self, signals[SIGNAL_SESSION_STARTED], 0, id);
  /* A short session of another program may have ended before its start reached us. */
  if (gz_session_get_state (session) == GZ_SESSION_STATE_FINISHED ||
      gz_session_get_state (session) == GZ_SESSION_STATE_FAILED)
    {
      on_own_finished (session, self);
      release_application (session, NULL);
    }
  /* Cancelled once its one request was under way: it runs, so stop it (its profile is kept). */
  else if (g_cancellable_is_cancelled (self->start_cancellable))
    on_row_stop (self, gz_sessions_page_lookup_active (self, id));
}

static void
on_config_for_start (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  StartData *data = user_data;
  GzSessionsPage *self = data->page;
  g_autoptr(GError) error = NULL;
  GzConfig *config;

  /* Read again for each session, so that a change in Preferences applies. */
  config = gz_config_new_finish (result, &error);
  if (!disposed (self))
    {
      if (config != NULL)
        {
          g_set_object (&self->config, config);
          gz_session_form_set_config (self->form, config);
        }
      if (g_cancellable_is_cancelled (self->start_cancellable))
        {
          set_starting (self, FALSE);
          start_failed (self, _("The start was cancelled: nothing was profiled"));
        }
      else if (self->config == NULL)
        {
          set_starting (self, FALSE);
          start_failed (self, error->message);
        }
      else
        gz_session_starter_start_async (data->request, self->config, self->start_cancellable,
                                        on_started, g_object_ref (self));
    }
  g_clear_object (&config);
  start_data_free (data);
}

void
gz_sessions_page_start (GzSessionsPage         *self,
                        const GzSessionRequest *request)
{
  StartData *data;

  g_return_if_fail (GZ_IS_SESSIONS_PAGE (self));
  g_return_if_fail (request != NULL);

  if (self->starting)
    return;
  set_starting (self, TRUE);
  g_clear_object (&self->start_cancellable);
  self->start_cancellable = g_cancellable_new ();
  data = g_new0 (StartData, 1);
  data->page = g_object_ref (self);
  data->request = gz_session_request_copy (request);
  gz_config_new_async (NULL, self->cancellable, on_config_for_start, data);
}

void
gz_sessions_page_cancel_start (GzSessionsPage *self)
{
  g_return_if_fail (GZ_IS_SESSIONS_PAGE (self));

  if (self->starting)
    g_cancellable_cancel (self->start_cancellable);
}

static void
on_form_start (GzSessionsPage   *self,
               GzSessionRequest *request)
{
  gz_sessions_page_start (self, request);
}

static void
on_config_loaded (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GzSessionsPage) self = user_data;
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = gz_config_new_finish (result, &error);
  if (disposed (self))
    return;
  if (config == NULL)
    {
      set_error (self, error->message);
      return;
    }
  if (self->config == NULL)
    {
      g_set_object (&self->config, config);
      gz_session_form_set_config (self->form, config);
    }
}

/* ---- The widget ------------------------------------------------------------------------- */

static GtkWidget *
placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
gz_sessions_page_map (GtkWidget *widget)
{
  GzSessionsPage *self = GZ_SESSIONS_PAGE (widget);

  GTK_WIDGET_CLASS (gz_sessions_page_parent_class)->map (widget);
  /* Live only while shown: the registry is read and the rows redrawn for someone to see. */
  on_list_timeout (self);
  if (self->list_source == 0)
    self->list_source = g_timeout_add (LIST_INTERVAL_MS, on_list_timeout, self);
  if (self->progress_source == 0)
    self->progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress_timeout, self);
}

static void
gz_sessions_page_unmap (GtkWidget *widget)
{
  GzSessionsPage *self = GZ_SESSIONS_PAGE (widget);

  g_clear_handle_id (&self->list_source, g_source_remove);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  GTK_WIDGET_CLASS (gz_sessions_page_parent_class)->unmap (widget);
}

static void
gz_sessions_page_dispose (GObject *object)
{
  GzSessionsPage *self = GZ_SESSIONS_PAGE (object);
  GHashTableIter iter;
  gpointer session;

  g_cancellable_cancel (self->cancellable);
  if (self->start_cancellable != NULL)
    g_cancellable_cancel (self->start_cancellable);
  g_clear_handle_id (&self->list_source, g_source_remove);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  /* The window closes: the app's sessions are saved (the application is held until they are). */
  g_hash_table_iter_init (&iter, self->own_sessions);
  while (g_hash_table_iter_next (&iter, NULL, &session))
    {
      g_signal_handlers_disconnect_by_data (session, self);
      if (gz_session_get_state (session) == GZ_SESSION_STATE_RUNNING)
        gz_session_stop_async (session, NULL, NULL, NULL);
    }
  g_hash_table_remove_all (self->own_sessions);
  g_hash_table_remove_all (self->active_rows);
  g_hash_table_remove_all (self->finished_rows);

  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_SESSIONS_PAGE);

  G_OBJECT_CLASS (gz_sessions_page_parent_class)->dispose (object);
}

static void
gz_sessions_page_finalize (GObject *object)
{
  GzSessionsPage *self = GZ_SESSIONS_PAGE (object);

  g_clear_object (&self->registry);
  g_clear_object (&self->config);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->start_cancellable);
  g_free (self->error);
  g_free (self->list_error);
  g_hash_table_unref (self->active_rows);
  g_hash_table_unref (self->finished_rows);
  g_hash_table_unref (self->own_sessions);
  g_hash_table_unref (self->stopping);

  G_OBJECT_CLASS (gz_sessions_page_parent_class)->finalize (object);
}

static void
gz_sessions_page_class_init (GzSessionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_sessions_page_dispose;
  object_class->finalize = gz_sessions_page_finalize;
  widget_class->map = gz_sessions_page_map;
  widget_class->unmap = gz_sessions_page_unmap;

  signals[SIGNAL_SESSION_STARTED] =
    g_signal_new ("session-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_START_FAILED] =
    g_signal_new ("start-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SESSION_FINISHED] =
    g_signal_new ("session-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (GZ_TYPE_SESSION_FORM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gz/Profile/gz-sessions-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GzSessionsPage, form);
  gtk_widget_class_bind_template_child (widget_class, GzSessionsPage, active_list);
  gtk_widget_class_bind_template_child (widget_class, GzSessionsPage, finished_list);
}

static void
gz_sessions_page_init (GzSessionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->registry = gz_session_registry_new (NULL);
  self->cancellable = g_cancellable_new ();
  self->active_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->finished_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->own_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->stopping = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_list_box_set_sort_func (self->active_list, sort_active, NULL, NULL);
  gtk_list_box_set_placeholder (self->active_list,
                                placeholder (_("No session is running. Choose a type and a "
                                               "target above and press Start Session, or run "
                                               "gz-cli profile start in a terminal: its "
                                               "sessions show here too.")));
  gtk_list_box_set_placeholder (self->finished_list,
                                placeholder (_("Finished sessions show here with their file, "
                                               "size, samples and top functions.")));

  g_signal_connect_object (self->form, "start", G_CALLBACK (on_form_start), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->form, "cancel", G_CALLBACK (gz_sessions_page_cancel_start),
                           self, G_CONNECT_SWAPPED);

  gz_config_new_async (NULL, self->cancellable, on_config_loaded, g_object_ref (self));
}

GtkWidget *
gz_sessions_page_new (void)
{
  return g_object_new (GZ_TYPE_SESSIONS_PAGE, NULL);
}

const char *
gz_sessions_page_get_error (GzSessionsPage *self)
{
  g_return_val_if_fail (GZ_IS_SESSIONS_PAGE (self), NULL);
  return self->error;
}

GzSessionRow *
gz_sessions_page_lookup_active (GzSessionsPage *self,
                                const char     *id)
{
  g_return_val_if_fail (GZ_IS_SESSIONS_PAGE (self), NULL);
  return g_hash_table_lookup (self->active_rows, id);
}

GzSessionResultRow *
gz_sessions_page_lookup_finished (GzSessionsPage *self,
                                  const char     *id)
{
  g_return_val_if_fail (GZ_IS_SESSIONS_PAGE (self), NULL);
  return g_hash_table_lookup (self->finished_rows, id);
}
