/* gz-session-form.c: the form that describes a session to start: type (the core's names), a
 * duration or "until stopped", the output folder (the configured one unless chosen), and a
 * target — this application, a program to launch in a working folder, a running process from
 * the process picker (one not started by gz offers cpu only), or a pprof URL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "gz-session-form.h"
#include "gz-session-process-picker.h"

typedef enum
{
  TARGET_SELF,
  TARGET_COMMAND,
  TARGET_PID,
  TARGET_URL,
} TargetChoice;

static const struct
{
  const char *label;
  gint64      seconds;
} durations[] = {
  { N_("Until stopped"), 0 },
  { N_("10 seconds"), 10 },
  { N_("30 seconds"), 30 },
  { N_("1 minute"), 60 },
  { N_("5 minutes"), 300 },
  { N_("10 minutes"), 600 },
};
#define DEFAULT_DURATION 2

struct _GzSessionForm
{
  AdwBin        parent_instance;

  GzConfig     *config;
  char         *output_dir;  /* chosen; NULL for the configuration's */
  char         *working_dir; /* chosen; NULL for the application's */
  int           chosen_pid;
  gboolean      chosen_has_agent;
  gboolean      starting;

  AdwComboRow  *type_row;
  AdwComboRow  *duration_row;
  AdwActionRow *output_row;
  GtkButton    *output_button;
  AdwComboRow  *target_row;
  AdwEntryRow  *command_row;
  AdwActionRow *cwd_row;
  GtkButton    *cwd_button;
  AdwActionRow *process_row;
  GtkButton    *process_button;
  AdwEntryRow  *url_row;
  GtkLabel     *error_label;
  GtkButton    *start_button;
  GtkSpinner   *start_spinner;
};

G_DEFINE_FINAL_TYPE (GzSessionForm, gz_session_form, ADW_TYPE_BIN)

enum { SIGNAL_START, SIGNAL_CANCEL, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_output_row (GzSessionForm *self)
{
  const char *dir = self->output_dir;

  if (dir == NULL && self->config != NULL)
    dir = gz_config_get_string (self->config, "output-dir");
  adw_action_row_set_subtitle (self->output_row, dir != NULL ? dir : "");
}

static void
update_form (GzSessionForm *self)
{
  TargetChoice target = adw_combo_row_get_selected (self->target_row);
  gboolean cpu_only = target == TARGET_PID && self->chosen_pid != 0 && !self->chosen_has_agent;

  gtk_widget_set_visible (GTK_WIDGET (self->command_row), target == TARGET_COMMAND);
  gtk_widget_set_visible (GTK_WIDGET (self->cwd_row), target == TARGET_COMMAND);
  gtk_widget_set_visible (GTK_WIDGET (self->process_row), target == TARGET_PID);
  gtk_widget_set_visible (GTK_WIDGET (self->url_row), target == TARGET_URL);
  adw_action_row_set_subtitle (self->cwd_row, self->working_dir != NULL
                                                ? self->working_dir
                                                : _("The application’s current folder"));
  /* A process not started by gz (no `run` socket) can only be sampled from outside: cpu. */
  if (cpu_only)
    adw_combo_row_set_selected (self->type_row, GZ_PROFILE_TYPE_CPU);
  gtk_widget_set_sensitive (GTK_WIDGET (self->type_row), !cpu_only);
}

static void
on_folder_chosen (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  GzSessionForm *self = g_object_get_data (G_OBJECT (dialog), "gz-page");
  char **slot = user_data;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  path = folder != NULL ? g_file_get_path (folder) : NULL;
  if (path != NULL)
    {
      g_free (*slot);
      *slot = g_steal_pointer (&path);
      update_output_row (self);
      update_form (self);
    }
  g_object_unref (dialog);
}

static void
choose_folder (GzSessionForm *self,
               const char     *title,
               char          **slot)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "gz-form", g_object_ref (self), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), slot);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_output_clicked (GzSessionForm *self)
{
  choose_folder (self, _("Output Folder"), &self->output_dir);
}

static void
on_cwd_clicked (GzSessionForm *self)
{
  choose_folder (self, _("Working Folder"), &self->working_dir);
}

static void
on_process_chosen (GzSessionForm *self,
                   int             pid,
                   gboolean        has_agent,
                   const char     *command_line)
{
  g_autofree char *subtitle = NULL;

  self->chosen_pid = pid;
  self->chosen_has_agent = has_agent;
  subtitle = has_agent
               /* Translators: pid, command line. */
               ? g_strdup_printf (_("pid %d · %s · started by gz: every type"), pid,
                                  command_line)
               : g_strdup_printf (_("pid %d · %s · not started by gz: cpu only"), pid,
                                  command_line);
  adw_action_row_set_subtitle (self->process_row, subtitle);
  update_form (self);
}

static void
on_process_clicked (GzSessionForm *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GzSessionProcessPicker *picker;

  picker = gz_session_process_picker_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  g_signal_connect_object (picker, "chosen", G_CALLBACK (on_process_chosen), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (picker));
}

/* The form's values as a request; NULL (and the error shown) when one is missing. */
static GzSessionRequest *
request_from_form (GzSessionForm *self)
{
  g_autoptr(GzSessionRequest) request = NULL;
  TargetChoice choice = adw_combo_row_get_selected (self->target_row);
  static const GzTargetKind kinds[] = {
    [TARGET_SELF] = GZ_TARGET_SELF, [TARGET_COMMAND] = GZ_TARGET_COMMAND,
    [TARGET_PID] = GZ_TARGET_PID, [TARGET_URL] = GZ_TARGET_URL,
  };
  guint duration = adw_combo_row_get_selected (self->duration_row);
  const char *command = gtk_editable_get_text (GTK_EDITABLE (self->command_row));
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  request = gz_session_request_new (adw_combo_row_get_selected (self->type_row),
                                    kinds[MIN (choice, TARGET_URL)]);
  request->duration = durations[MIN (duration, G_N_ELEMENTS (durations) - 1)].seconds *
                      G_GINT64_CONSTANT (1000000000);
  request->output_dir = g_strdup (self->output_dir);
  switch (request->target)
    {
    case GZ_TARGET_COMMAND:
      if (*command == '\0')
        {
          gz_session_form_set_error (self, _("Type the command line of the program to launch"));
          return NULL;
        }
      request->command_line = g_strdup (command);
      request->working_dir = g_strdup (self->working_dir);
      break;
    case GZ_TARGET_PID:
      if (self->chosen_pid == 0)
        {
          gz_session_form_set_error (self, _("Choose the process to profile"));
          return NULL;
        }
      request->pid = self->chosen_pid;
      break;
    case GZ_TARGET_URL:
      if (*url == '\0')
        {
          gz_session_form_set_error (self, _("Type the URL of the pprof endpoint, e.g. "
                                             "http://127.0.0.1:6060"));
          return NULL;
        }
      request->url = g_strdup (url);
      break;
    case GZ_TARGET_SELF:
    default:
      break;
    }
  return g_steal_pointer (&request);
}

static void
start (GzSessionForm *self)
{
  g_autoptr(GzSessionRequest) request = request_from_form (self);

  if (request != NULL)
    g_signal_emit (self, signals[SIGNAL_START], 0, request);
}

/* The button starts, or cancels the start under way. */
static void
on_start_clicked (GzSessionForm *self)
{
  if (self->starting)
    g_signal_emit (self, signals[SIGNAL_CANCEL], 0);
  else
    start (self);
}

/* Enter in an entry only starts. */
static void
on_entry_activated (GzSessionForm *self)
{
  if (!self->starting)
    start (self);
}

static void
on_type_selected (GzSessionForm *self)
{
  static const char * const help[] = {
    [GZ_PROFILE_TYPE_CPU] = N_("Where the CPU time goes, sampled"),
    [GZ_PROFILE_TYPE_MEMORY] = N_("Memory in use and allocated, sampled"),
    [GZ_PROFILE_TYPE_GOROUTINE] = N_("Every thread’s stack (threads)"),
    [GZ_PROFILE_TYPE_BLOCK] = N_("Where threads wait on conditions"),
    [GZ_PROFILE_TYPE_MUTEX] = N_("Where threads contend for mutexes"),
    [GZ_PROFILE_TYPE_THREADCREATE] = N_("Where threads are created"),
  };
  guint type = adw_combo_row_get_selected (self->type_row);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->type_row),
                               type < G_N_ELEMENTS (help) ? _(help[type]) : "");
}

static void
gz_session_form_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GZ_TYPE_SESSION_FORM);

  G_OBJECT_CLASS (gz_session_form_parent_class)->dispose (object);
}

static void
gz_session_form_finalize (GObject *object)
{
  GzSessionForm *self = GZ_SESSION_FORM (object);

  g_clear_object (&self->config);
  g_free (self->output_dir);
  g_free (self->working_dir);

  G_OBJECT_CLASS (gz_session_form_parent_class)->finalize (object);
}

static void
gz_session_form_class_init (GzSessionFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gz_session_form_dispose;
  object_class->finalize = gz_session_form_finalize;

  signals[SIGNAL_START] = g_signal_new ("start", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_CANCEL] = g_signal_new ("cancel", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gz/Profile/gz-session-form.ui");
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, type_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, duration_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, output_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, output_button);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, target_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, command_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, cwd_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, cwd_button);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, process_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, process_button);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, url_row);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, error_label);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, start_button);
  gtk_widget_class_bind_template_child (widget_class, GzSessionForm, start_spinner);
}

static void
gz_session_form_init (GzSessionForm *self)
{
  g_autoptr(GtkStringList) duration_labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    gtk_string_list_append (duration_labels, _(durations[i].label));
  adw_combo_row_set_model (self->duration_row, G_LIST_MODEL (duration_labels));
  adw_combo_row_set_selected (self->duration_row, DEFAULT_DURATION);

  g_signal_connect_swapped (self->type_row, "notify::selected", G_CALLBACK (on_type_selected),
                            self);
  g_signal_connect_swapped (self->target_row, "notify::selected", G_CALLBACK (update_form),
                            self);
  g_signal_connect_swapped (self->output_button, "clicked", G_CALLBACK (on_output_clicked),
                            self);
  g_signal_connect_swapped (self->cwd_button, "clicked", G_CALLBACK (on_cwd_clicked), self);
  g_signal_connect_swapped (self->process_button, "clicked", G_CALLBACK (on_process_clicked),
                            self);
  g_signal_connect_swapped (self->start_button, "clicked", G_CALLBACK (on_start_clicked), self);
  g_signal_connect_swapped (self->command_row, "entry-activated",
                            G_CALLBACK (on_entry_activated), self);
  g_signal_connect_swapped (self->url_row, "entry-activated", G_CALLBACK (on_entry_activated),
                            self);
  on_type_selected (self);
  update_form (self);
}

GtkWidget *
gz_session_form_new (void)
{
  return g_object_new (GZ_TYPE_SESSION_FORM, NULL);
}

void
gz_session_form_set_config (GzSessionForm *self,
                            GzConfig      *config)
{
  g_return_if_fail (GZ_IS_SESSION_FORM (self));
  g_return_if_fail (config == NULL || GZ_IS_CONFIG (config));

  g_set_object (&self->config, config);
  update_output_row (self);
}

void
gz_session_form_set_starting (GzSessionForm *self,
                              gboolean       starting)
{
  g_return_if_fail (GZ_IS_SESSION_FORM (self));

  self->starting = !!starting;
  /* While a start is under way (a launched program, a URL's first answer), the button cancels
   * it. */
  gtk_button_set_label (self->start_button, self->starting ? _("_Cancel") : _("_Start Session"));
  if (self->starting)
    gtk_widget_remove_css_class (GTK_WIDGET (self->start_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->start_button), "suggested-action");
  gtk_widget_set_visible (GTK_WIDGET (self->start_spinner), self->starting);
  gtk_spinner_set_spinning (self->start_spinner, self->starting);
}

void
gz_session_form_set_error (GzSessionForm *self,
                           const char    *message)
{
  g_return_if_fail (GZ_IS_SESSION_FORM (self));

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}
