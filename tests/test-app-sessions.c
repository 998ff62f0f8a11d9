/* test-app-sessions.c: the app's Sessions page against real sessions: one started by gz-cli in
 * a "terminal" shows and is stopped from the page; one started in the page shows in
 * `gz-cli profile list`; a program launched from the page (the core's launch path) writes a valid
 * profile; a process not started by gz is refused for memory with the core's message and
 * sampled for cpu (perf events); the process picker finds a child; and a screenshot of the page
 * with an active and a finished session. Needs a display: meson runs it under Xvfb; without one
 * every subtest is skipped, saying why. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "gz-application.h"
#include "gz-session-process-picker.h"
#include "gz-session-registry.h"
#include "gz-sessions-page.h"
#include "gz-test-app.h"
#include "gz-test-cli.h"

static GzApplication *app;
static AdwApplicationWindow *window;
static GzSessionsPage *page;
static GzTestCli fixture;
static char *launched_id; /* the launched program's session, for the screenshot */

/* ---- Waiting without blocking the main loop --------------------------------------------- */

static gboolean
on_wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @done (a pointer to a gboolean or any pointer) becomes non-zero, or
 * @seconds pass; returns whether it did. */
static gboolean
wait_for (gconstpointer *done,
          double         seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint wake = g_timeout_add (20, on_wake, NULL);

  while (*done == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return *done != NULL;
}

static void
run_for (double seconds)
{
  gconstpointer never = NULL;

  wait_for (&never, seconds);
}

static GzSessionRow *
wait_for_active (const char *id,
                 double      seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  GzSessionRow *row = NULL;

  while ((row = gz_sessions_page_lookup_active (page, id)) == NULL &&
         g_get_monotonic_time () < deadline)
    run_for (0.05);
  return row;
}

/* The finished row of @id once its summary (or error) is known. */
static GzSessionResultRow *
wait_for_finished (const char *id,
                   double      seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  GzSessionResultRow *row = NULL;

  while (g_get_monotonic_time () < deadline)
    {
      row = gz_sessions_page_lookup_finished (page, id);
      if (row != NULL && (gz_session_result_row_get_summary (row) != NULL ||
                          gz_session_result_row_get_error (row) != NULL))
        return row;
      run_for (0.05);
    }
  return row;
}

/* ---- A notification server on the test's private session bus ---------------------------- */

/* The window of a test under Xvfb (no window manager) is never the active one, so every session
 * the page starts ends with a notification: this server takes them and counts them. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "</method></interface></node>";
static GPtrArray *notifications; /* "summary\nbody" of each */

static void
on_notification_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  if (g_strcmp0 (method_name, "Notify") == 0)
    {
      const char *summary = NULL, *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (notifications, g_strconcat (summary, "\n", body, NULL));
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u)", notifications->len));
    }
  else if (g_strcmp0 (method_name, "GetCapabilities") == 0)
    {
      const char *caps[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_strcmp0 (method_name, "GetServerInformation") == 0)
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "gz", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
own_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { on_notification_call, NULL, NULL, { 0 } };
  /* Kept for the whole run: the last reference to the shared connection closes it, and the
   * name would go with it. */
  static GDBusConnection *bus;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 result = 0;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  node = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_assert_nonnull (node);
  g_assert_cmpuint (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                       node->interfaces[0], &vtable, NULL, NULL,
                                                       NULL), !=, 0);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications",
                                                      4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(u)", &result);
  notifications = g_ptr_array_new_with_free_func (g_free);
  return result == 1; /* PRIMARY_OWNER */
}

static gboolean
notified_about (const char *id)
{
  for (guint i = 0; notifications != NULL && i < notifications->len; i++)
    if (strstr (g_ptr_array_index (notifications, i), id) != NULL)
      return TRUE;
  return FALSE;
}

/* ---- Starting from the page ------------------------------------------------------------- */

typedef struct
{
  char *id;
  char *error;
  gconstpointer done;
} StartOutcome;

static void
on_session_started (GzSessionsPage *p,
                    const char     *id,
                    StartOutcome   *outcome)
{
  outcome->id = g_strdup (id);
  outcome->done = outcome;
}

static void
on_start_failed (GzSessionsPage *p,
                 const char     *message,
                 StartOutcome   *outcome)
{
  outcome->error = g_strdup (message);
  outcome->done = outcome;
}

/* Starts @request from the page; returns the id, or NULL with *error_out set. */
static char *
start_from_page (const GzSessionRequest  *request,
                 char                   **error_out)
{
  StartOutcome outcome = { 0 };
  gulong started, failed;

  started = g_signal_connect (page, "session-started", G_CALLBACK (on_session_started),
                              &outcome);
  failed = g_signal_connect (page, "start-failed", G_CALLBACK (on_start_failed), &outcome);
  gz_sessions_page_start (page, request);
  g_assert_true (wait_for (&outcome.done, 30));
  g_signal_handler_disconnect (page, started);
  g_signal_handler_disconnect (page, failed);
  if (error_out != NULL)
    *error_out = g_steal_pointer (&outcome.error);
  g_free (outcome.error);
  return outcome.id;
}

static void
stop_from_page (const char *id)
{
  GzSessionRow *row = gz_sessions_page_lookup_active (page, id);

  g_assert_nonnull (row);
  /* What the row's Stop button does. */
  g_signal_emit_by_name (row, "stop");
  g_assert_true (gz_session_row_get_stopping (row));
}

static void
assert_valid_profile (const GzSessionSummary *summary)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (summary);
  g_assert_true (g_file_test (summary->path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (summary->size, >, 0);
  profile = gz_profile_read_file (summary->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
}

/* ---- The subtests ----------------------------------------------------------------------- */

static char *
registry_id_of_owner (int    pid,
                      double seconds)
{
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (fixture.session_dir);
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GPtrArray) sessions = gz_session_registry_list (registry, NULL, NULL);

      for (guint i = 0; sessions != NULL && i < sessions->len; i++)
        {
          const GzSessionInfo *info = g_ptr_array_index (sessions, i);

          if (info->owner_pid == pid)
            return g_strdup (info->id);
        }
      run_for (0.05);
    }
  return NULL;
}

static void
test_cli_session_shows (void)
{
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  GzSessionResultRow *finished;
  GzSessionRow *row;

  cli = gz_test_cli_spawn (&fixture, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           "profile", "start", "--type", "memory", "--duration", "2m", NULL);
  g_assert_nonnull (cli);
  id = registry_id_of_owner (atoi (g_subprocess_get_identifier (cli)), 20);
  g_assert_nonnull (id);

  /* The page reads the registry every second. */
  row = wait_for_active (id, 10);
  g_assert_nonnull (row);
  g_assert_cmpint (gz_session_row_get_info (row)->owner_pid, ==,
                   atoi (g_subprocess_get_identifier (cli)));
  title = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  g_assert_nonnull (strstr (title, "memory"));

  /* Stopped from the page: gz-cli saves the profile, answers and exits. */
  stop_from_page (id);
  finished = wait_for_finished (id, 60);
  g_assert_nonnull (finished);
  g_assert_null (gz_session_result_row_get_error (finished));
  assert_valid_profile (gz_session_result_row_get_summary (finished));
  g_assert_null (gz_sessions_page_lookup_active (page, id));
  g_assert_true (g_subprocess_wait_check (cli, NULL, &error));
  g_assert_no_error (error);
}

static void
test_app_session_in_cli_list (void)
{
  g_autoptr(GzSessionRequest) request = gz_session_request_new (GZ_PROFILE_TYPE_MEMORY,
                                                                GZ_TARGET_SELF);
  g_autofree char *id = NULL;
  g_autofree char *error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GzSessionResultRow *finished;
  gint64 deadline;
  int status;

  id = start_from_page (request, &error);
  g_assert_null (error);
  g_assert_nonnull (id);
  g_assert_nonnull (gz_sessions_page_lookup_active (page, id));

  status = gz_test_cli_run_env (&fixture, NULL, &out, &err, "profile", "list", "--format",
                                "json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, id));

  /* Stopped while the window is hidden: the end is notified. */
  stop_from_page (id);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  finished = wait_for_finished (id, 30);
  g_assert_nonnull (finished);
  g_assert_null (gz_session_result_row_get_error (finished));
  assert_valid_profile (gz_session_result_row_get_summary (finished));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!notified_about (id) && g_get_monotonic_time () < deadline)
    run_for (0.05);
  g_assert_true (notified_about (id));
  gtk_window_present (GTK_WINDOW (window));

  /* Gone from the registry once saved. */
  g_free (out);
  out = NULL;
  status = gz_test_cli_run_env (&fixture, NULL, &out, NULL, "profile", "list", "--format",
                                "json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, id));
}

/* The first widget of @type under @widget whose title (a preferences row's) or label is
 * @text, or any when @text is NULL. */
static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    {
      const char *own = ADW_IS_PREFERENCES_ROW (widget)
                          ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget))
                          : GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget))
                          : NULL;

      if (text == NULL || g_strcmp0 (own, text) == 0)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The form's error line, when shown. */
static GtkWidget *
find_error_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "error") &&
      gtk_widget_get_visible (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_error_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_app_open (GApplication  *application,
             GFile        **files,
             int            n_files,
             const char    *hint,
             char         **opened)
{
  g_assert_cmpint (n_files, ==, 1);
  *opened = g_file_get_path (files[0]);
  /* The application's own handler opens the Viewer: not this test's subject. */
  g_signal_stop_emission_by_name (application, "open");
}

static void
test_launched_command (void)
{
  g_autoptr(GzSessionRequest) request = gz_session_request_new (GZ_PROFILE_TYPE_CPU,
                                                                GZ_TARGET_COMMAND);
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *id = NULL;
  g_autofree char *error = NULL;
  const char *truth = g_getenv ("GZ_TEST_TARGET_TRUTH");
  const GzSessionSummary *summary;
  GzSessionResultRow *finished;
  g_autofree char *opened = NULL;
  GtkWidget *open_button;
  gulong handler;

  if (g_getenv ("GZ_PRELOAD_LIBRARY") == NULL || truth == NULL)
    {
      g_test_skip ("needs the preload (GZ_PRELOAD_LIBRARY) and GZ_TEST_TARGET_TRUTH");
      return;
    }
  quoted = g_shell_quote (truth);
  /* Until the program exits: its life is the session. */
  request->command_line = g_strconcat (quoted, " cpu 4", NULL);
  request->working_dir = g_strdup (fixture.root);
  request->duration = 0;

  id = start_from_page (request, &error);
  g_assert_cmpstr (error, ==, NULL);
  g_assert_nonnull (id);
  g_assert_nonnull (gz_sessions_page_lookup_active (page, id));

  finished = wait_for_finished (id, 90);
  g_assert_nonnull (finished);
  g_assert_cmpstr (gz_session_result_row_get_error (finished), ==, NULL);
  summary = gz_session_result_row_get_summary (finished);
  assert_valid_profile (summary);
  g_assert_true (g_str_has_prefix (summary->path, fixture.out_dir));
  profile = gz_profile_read_file (summary->path, &read_error);
  g_assert_no_error (read_error);
  g_test_message ("launched command: %" G_GINT64_FORMAT " samples, %u in the file",
                  summary->n_samples, profile->samples->len);
  g_assert_cmpuint (profile->samples->len, >, 0);
  g_assert_cmpint (summary->n_samples, >, 0);
  /* Its whole life was the session: that it exited is no news. */
  g_assert_false (summary->target_exited);
  launched_id = g_strdup (id);

  /* Open hands the file to the application (its Viewer shows it). */
  open_button = find_widget (GTK_WIDGET (finished), GTK_TYPE_BUTTON, "_Open");
  g_assert_nonnull (open_button);
  g_assert_true (gtk_widget_get_sensitive (open_button));
  handler = g_signal_connect (app, "open", G_CALLBACK (on_app_open), &opened);
  /* As the keyboard does it: a button clicks once its short press animation ends. */
  g_assert_true (gtk_widget_activate (open_button));
  g_assert_true (wait_for ((gconstpointer *) &opened, 5));
  g_signal_handler_disconnect (app, handler);
  g_assert_cmpstr (opened, ==, summary->path);
}

static void
test_not_run_refused (void)
{
  g_autoptr(GzSessionRequest) request = gz_session_request_new (GZ_PROFILE_TYPE_MEMORY,
                                                                GZ_TARGET_PID);
  g_autoptr(GSubprocess) sleeper = NULL;
  g_autoptr(GError) spawn_error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *error = NULL;

  sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &spawn_error, "sleep", "30", NULL);
  g_assert_no_error (spawn_error);
  request->pid = atoi (g_subprocess_get_identifier (sleeper));

  /* Memory needs the preload inside the process: the core's own message is shown. */
  id = start_from_page (request, &error);
  g_assert_null (id);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error);
  g_assert_nonnull (strstr (error, "was not started with gz-cli profile run"));
  g_assert_cmpstr (gz_sessions_page_get_error (page), ==, error);

  g_subprocess_force_exit (sleeper);
  g_subprocess_wait (sleeper, NULL, NULL);
}

static void
test_cpu_not_run (void)
{
  g_autoptr(GzSessionRequest) request = gz_session_request_new (GZ_PROFILE_TYPE_CPU,
                                                                GZ_TARGET_PID);
  g_autoptr(GSubprocess) spinner = NULL;
  g_autoptr(GError) spawn_error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *error = NULL;
  GzSessionResultRow *finished;
  const GzSessionSummary *summary;

  spinner = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &spawn_error, "sh", "-c",
                              "while :; do :; done", NULL);
  g_assert_no_error (spawn_error);
  request->pid = atoi (g_subprocess_get_identifier (spinner));
  request->duration = 2 * G_GINT64_CONSTANT (1000000000);

  /* Not started by gz: the core samples it with perf events, or says why the kernel will
   * not. */
  id = start_from_page (request, &error);
  if (id == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("perf events refused here: %s", error);

      g_assert_nonnull (error);
      g_assert_cmpstr (gz_sessions_page_get_error (page), ==, error);
      g_subprocess_force_exit (spinner);
      g_subprocess_wait (spinner, NULL, NULL);
      g_test_skip (reason);
      return;
    }
  g_assert_nonnull (gz_sessions_page_lookup_active (page, id));
  finished = wait_for_finished (id, 60);
  g_assert_nonnull (finished);
  g_assert_cmpstr (gz_session_result_row_get_error (finished), ==, NULL);
  summary = gz_session_result_row_get_summary (finished);
  assert_valid_profile (summary);
  g_test_message ("cpu of a process not started by gz: %" G_GINT64_FORMAT " samples", summary->n_samples);
  g_assert_cmpint (summary->n_samples, >, 0);

  g_subprocess_force_exit (spinner);
  g_subprocess_wait (spinner, NULL, NULL);
}

typedef struct
{
  int           pid;
  gboolean      has_agent;
  char         *command;
  gconstpointer done;
} Chosen;

static void
on_chosen (GzSessionProcessPicker *picker,
           int                     pid,
           gboolean                has_agent,
           const char             *command,
           Chosen                 *chosen)
{
  chosen->pid = pid;
  chosen->has_agent = has_agent;
  chosen->command = g_strdup (command);
  chosen->done = chosen;
}

static void
on_refreshed (GzSessionProcessPicker *picker,
              gconstpointer          *done)
{
  *done = picker;
}

static void
test_process_picker (void)
{
  g_autoptr(GSubprocess) sleeper = NULL;
  g_autoptr(GError) error = NULL;
  GzSessionProcessPicker *picker;
  gconstpointer refreshed = NULL;
  Chosen chosen = { 0 };
  int pid;

  sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "29.75", NULL);
  g_assert_no_error (error);
  pid = atoi (g_subprocess_get_identifier (sleeper));
  /* The child has exec'd once its command line is sleep's. */
  run_for (0.2);

  picker = gz_session_process_picker_new (GTK_WINDOW (window));
  g_signal_connect (picker, "refreshed", G_CALLBACK (on_refreshed), &refreshed);
  g_signal_connect (picker, "chosen", G_CALLBACK (on_chosen), &chosen);
  gtk_window_present (GTK_WINDOW (picker));

  /* Found by its command line, case-insensitively, once a refresh saw it exec'd. */
  gz_session_process_picker_set_search (picker, "SLEEP 29.75");
  for (guint i = 0; i < 5 && gz_session_process_picker_get_n_shown (picker) != 1; i++)
    {
      refreshed = NULL;
      g_assert_true (wait_for (&refreshed, 10));
    }
  g_assert_cmpuint (gz_session_process_picker_get_n_shown (picker), ==, 1);
  if (g_getenv ("GZ_TEST_SCREENSHOTS") != NULL)
    {
      gz_session_process_picker_set_search (picker, NULL);
      run_for (0.5);
      gz_test_app_save_screenshot (GTK_WIDGET (picker), "sessions-process-picker.png");
      gz_session_process_picker_set_search (picker, "SLEEP 29.75");
    }
  gz_session_process_picker_set_search (picker, "no such command line 4242");
  g_assert_cmpuint (gz_session_process_picker_get_n_shown (picker), ==, 0);
  gz_session_process_picker_set_search (picker, NULL);
  g_assert_cmpuint (gz_session_process_picker_get_n_shown (picker), >, 1);

  g_assert_true (gz_session_process_picker_choose (picker, pid));
  g_assert_true (chosen.done != NULL);
  g_assert_cmpint (chosen.pid, ==, pid);
  g_assert_false (chosen.has_agent);
  g_assert_cmpstr (chosen.command, ==, "sleep 29.75");
  g_free (chosen.command);

  g_subprocess_force_exit (sleeper);
  g_subprocess_wait (sleeper, NULL, NULL);
}

static void
test_form (void)
{
  GtkWidget *target_row, *type_row, *duration_row, *command_row, *start_button, *error_label;
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;
  const char *truth = g_getenv ("GZ_TEST_TARGET_TRUTH");
  StartOutcome outcome = { 0 };
  gulong started, failed;

  if (g_getenv ("GZ_PRELOAD_LIBRARY") == NULL || truth == NULL)
    {
      g_test_skip ("needs the preload (GZ_PRELOAD_LIBRARY) and GZ_TEST_TARGET_TRUTH");
      return;
    }
  target_row = find_widget (GTK_WIDGET (page), ADW_TYPE_COMBO_ROW, "T_arget");
  type_row = find_widget (GTK_WIDGET (page), ADW_TYPE_COMBO_ROW, "_Type");
  duration_row = find_widget (GTK_WIDGET (page), ADW_TYPE_COMBO_ROW, "_Duration");
  command_row = find_widget (GTK_WIDGET (page), ADW_TYPE_ENTRY_ROW, "Command Line");
  start_button = find_widget (GTK_WIDGET (page), GTK_TYPE_BUTTON, "_Start Session");
  g_assert_nonnull (target_row);
  g_assert_nonnull (type_row);
  g_assert_nonnull (duration_row);
  g_assert_nonnull (command_row);
  g_assert_nonnull (start_button);

  /* A program to launch: its command line row shows; Start without one says what is missing
   * and starts nothing. */
  g_assert_false (gtk_widget_get_visible (command_row));
  adw_combo_row_set_selected (ADW_COMBO_ROW (target_row), 1);
  g_assert_true (gtk_widget_get_visible (command_row));
  started = g_signal_connect (page, "session-started", G_CALLBACK (on_session_started),
                              &outcome);
  failed = g_signal_connect (page, "start-failed", G_CALLBACK (on_start_failed), &outcome);
  g_signal_emit_by_name (start_button, "clicked");
  run_for (0.3);
  g_assert_null (outcome.done);
  error_label = find_error_label (GTK_WIDGET (page));
  g_assert_nonnull (error_label);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "command line"));
  if (g_getenv ("GZ_TEST_SCREENSHOTS") != NULL)
    gz_test_app_save_screenshot (GTK_WIDGET (window), "sessions-form-command.png");

  /* cpu, until the program exits, from the form's values. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (type_row), GZ_PROFILE_TYPE_CPU);
  adw_combo_row_set_selected (ADW_COMBO_ROW (duration_row), 0);
  quoted = g_shell_quote (truth);
  command = g_strconcat (quoted, " cpu 4", NULL);
  gtk_editable_set_text (GTK_EDITABLE (command_row), command);
  g_signal_emit_by_name (start_button, "clicked");
  g_assert_true (wait_for (&outcome.done, 30));
  g_signal_handler_disconnect (page, started);
  g_signal_handler_disconnect (page, failed);
  g_assert_cmpstr (outcome.error, ==, NULL);
  g_assert_nonnull (outcome.id);
  g_assert_true (g_str_has_prefix (outcome.id, "cpu_"));
  g_assert_nonnull (wait_for_finished (outcome.id, 60));
  g_assert_nonnull (gz_session_result_row_get_summary (
                      gz_sessions_page_lookup_finished (page, outcome.id)));
  g_free (outcome.id);

  adw_combo_row_set_selected (ADW_COMBO_ROW (target_row), 0);
  g_assert_false (gtk_widget_get_visible (command_row));
}

static void
test_cancel_start (void)
{
  g_autoptr(GzSessionRequest) request = gz_session_request_new (GZ_PROFILE_TYPE_MEMORY,
                                                                GZ_TARGET_SELF);
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (fixture.session_dir);
  g_autoptr(GPtrArray) sessions = NULL;
  StartOutcome outcome = { 0 };
  gulong started, failed;

  started = g_signal_connect (page, "session-started", G_CALLBACK (on_session_started),
                              &outcome);
  failed = g_signal_connect (page, "start-failed", G_CALLBACK (on_start_failed), &outcome);
  gz_sessions_page_start (page, request);
  /* The form's button cancels while the start is under way. */
  g_assert_nonnull (find_widget (GTK_WIDGET (page), GTK_TYPE_BUTTON, "_Cancel"));
  gz_sessions_page_cancel_start (page);
  g_assert_true (wait_for (&outcome.done, 30));
  g_signal_handler_disconnect (page, started);
  g_signal_handler_disconnect (page, failed);

  g_assert_null (outcome.id);
  g_assert_nonnull (outcome.error);
  g_assert_nonnull (strstr (outcome.error, "cancelled"));
  g_free (outcome.error);
  g_assert_nonnull (find_widget (GTK_WIDGET (page), GTK_TYPE_BUTTON, "_Start Session"));
  sessions = gz_session_registry_list (registry, NULL, NULL);
  g_assert_nonnull (sessions);
  g_assert_cmpuint (sessions->len, ==, 0);
}

static void
test_window_closed (void)
{
  g_autoptr(GzSessionRequest) request = gz_session_request_new (GZ_PROFILE_TYPE_MEMORY,
                                                                GZ_TARGET_SELF);
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (fixture.session_dir);
  g_autoptr(GzSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *start_error = NULL;
  g_autofree char *path = NULL;
  GzSessionsPage *main_page = page;
  GtkWidget *other;
  gint64 deadline;

  /* A second window with its own page: its session runs until stopped. */
  other = adw_application_window_new (GTK_APPLICATION (app));
  page = GZ_SESSIONS_PAGE (gz_sessions_page_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (other), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (other));
  request->duration = 0;
  id = start_from_page (request, &start_error);
  page = main_page;
  g_assert_null (start_error);
  g_assert_nonnull (id);
  info = gz_session_registry_lookup (registry, id, &error);
  g_assert_no_error (error);
  path = g_strdup (info->output_path);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Closed: the session is stopped and its profile saved, not dropped. */
  gtk_window_destroy (GTK_WINDOW (other));
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_file_test (path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    run_for (0.05);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  run_for (0.5);
  g_clear_pointer (&info, gz_session_info_free);
  info = gz_session_registry_lookup (registry, id, &error);
  g_assert_null (info);
  g_assert_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_NOT_FOUND);
}

static void
test_screenshot (void)
{
  g_autoptr(GzSessionRequest) request = gz_session_request_new (GZ_PROFILE_TYPE_MEMORY,
                                                                GZ_TARGET_SELF);
  g_autofree char *id = NULL;
  g_autofree char *error = NULL;

  if (g_getenv ("GZ_TEST_SCREENSHOTS") == NULL)
    {
      g_test_skip ("GZ_TEST_SCREENSHOTS names no directory");
      return;
    }
  request->duration = 60 * G_GINT64_CONSTANT (1000000000);
  /* The launched program's top functions, open. */
  if (launched_id != NULL && gz_sessions_page_lookup_finished (page, launched_id) != NULL)
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gz_sessions_page_lookup_finished (
                                                       page, launched_id)), TRUE);
  id = start_from_page (request, &error);
  g_assert_null (error);
  /* A few seconds in: the progress bar and the elapsed time show. */
  run_for (3);
  g_assert_nonnull (gz_sessions_page_lookup_active (page, id));
  g_test_message ("active row: %s", adw_action_row_get_subtitle (
                    ADW_ACTION_ROW (gz_sessions_page_lookup_active (page, id))));
  gz_test_app_save_screenshot (GTK_WIDGET (window), "sessions-page.png");

  stop_from_page (id);
  g_assert_nonnull (wait_for_finished (id, 30));
}

static void
skip_without_display (gconstpointer data)
{
  g_test_skip ("no display: run under Xvfb (meson test runs it through xvfb-run-test.sh)");
}

static const struct
{
  const char *path;
  GTestFunc   func;
} tests[] = {
  { "/app-sessions/cli-session-shows", test_cli_session_shows },
  { "/app-sessions/app-session-in-cli-list", test_app_session_in_cli_list },
  { "/app-sessions/launched-command", test_launched_command },
  { "/app-sessions/not-run-refused", test_not_run_refused },
  { "/app-sessions/cpu-not-run", test_cpu_not_run },
  { "/app-sessions/process-picker", test_process_picker },
  { "/app-sessions/form", test_form },
  { "/app-sessions/cancel-start", test_cancel_start },
  { "/app-sessions/window-closed", test_window_closed },
  { "/app-sessions/screenshot", test_screenshot },
};

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* gz-cli and the page share a private registry, output folder and configuration. */
  gz_test_cli_set_up (&fixture, "test-app-sessions-XXXXXX", NULL);
  gz_test_cli_setenv (&fixture, "GZ_PROFILE_OUTPUT_DIR", fixture.out_dir);
  g_setenv ("GZ_PROFILE_SESSION_DIR", fixture.session_dir, TRUE);
  g_setenv ("GZ_PROFILE_OUTPUT_DIR", fixture.out_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", fixture.config_home, TRUE);

  if (gtk_init_check ())
    {
      g_assert_true (own_notification_server ());
      app = gz_application_new ();
      /* Not unique: the test must not meet a running gz-profile on the bus. */
      g_application_set_flags (G_APPLICATION (app),
                               g_application_get_flags (G_APPLICATION (app)) |
                               G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      g_assert_no_error (error);
      /* The page alone in a window of the application: what the other pages do is theirs. */
      window = ADW_APPLICATION_WINDOW (adw_application_window_new (GTK_APPLICATION (app)));
      gtk_window_set_title (GTK_WINDOW (window), "Sessions");
      gtk_window_set_default_size (GTK_WINDOW (window), 900, 1100);
      page = GZ_SESSIONS_PAGE (gz_sessions_page_new ());
      adw_application_window_set_content (window, GTK_WIDGET (page));
      gtk_window_present (GTK_WINDOW (window));
    }

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      if (app != NULL)
        g_test_add_func (tests[i].path, tests[i].func);
      else
        g_test_add_data_func (tests[i].path, NULL, skip_without_display);
    }

  ret = g_test_run ();
  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  gz_test_cli_tear_down (&fixture);
  return ret;
}
