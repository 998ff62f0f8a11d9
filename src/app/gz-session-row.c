/* gz-session-row.c: one active session in the Sessions page, with its live duration, progress
 * and a Stop button. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>

#include "gz-session-row.h"
#include "gz-units.h"

struct _GzSessionRow
{
  AdwActionRow    parent_instance;

  GzSessionInfo  *info;
  gboolean        stopping;

  GtkProgressBar *progress;
  GtkButton      *stop_button;
  GtkSpinner     *spinner;
};

G_DEFINE_FINAL_TYPE (GzSessionRow, gz_session_row, ADW_TYPE_ACTION_ROW)

enum { SIGNAL_STOP, N_SIGNALS };
static guint signals[N_SIGNALS];

char *
gz_session_describe_target (const GzSessionInfo *info)
{
  switch (info->target.kind)
    {
    case GZ_TARGET_SELF:
      if (info->owner_pid == getpid ())
        return g_strdup (_("this application"));
      /* Translators: a gz process (usually gz-cli) profiling itself. */
      return g_strdup_printf (_("gz process %d"), info->target.pid);
    case GZ_TARGET_PID:
      return g_strdup_printf (_("pid %d"), info->target.pid);
    case GZ_TARGET_URL:
    case GZ_TARGET_COMMAND:
    default:
      return g_strdup (info->target.spec != NULL ? info->target.spec : "?");
    }
}

static gint64
elapsed_nanos (GzSessionRow *self)
{
  if (self->info->start_time == 0)
    return 0;
  return MAX (g_get_real_time () * 1000 - self->info->start_time, 0);
}

void
gz_session_row_update_label (GzSessionRow *self)
{
  g_autofree char *elapsed = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *owner = NULL;
  gint64 elapsed_ns;

  g_return_if_fail (GZ_IS_SESSION_ROW (self));

  /* Whole seconds: a label that changes every second, not a jittering decimal. */
  elapsed_ns = elapsed_nanos (self) / 1000000000 * 1000000000;
  elapsed = gz_units_format_nanoseconds ((double) elapsed_ns);
  if (self->info->owner_pid != getpid ())
    /* Translators: the session was started by another gz process, e.g. gz-cli in a terminal. */
    owner = g_strdup_printf (_(" · started by pid %d"), self->info->owner_pid);

  if (self->stopping)
    /* Translators: %s is the session id. */
    subtitle = g_strdup_printf (_("%s · saving the profile…"), self->info->id);
  else if (self->info->duration > 0)
    {
      g_autofree char *duration = gz_units_format_nanoseconds ((double) self->info->duration);

      /* Translators: session id · elapsed time of duration, e.g. "cpu_1 · 12 s of 30 s". */
      subtitle = g_strdup_printf (_("%s · %s of %s%s"), self->info->id, elapsed, duration,
                                  owner != NULL ? owner : "");
    }
  else
    /* Translators: session id · elapsed time, e.g. "memory_1 · 12 s, until stopped". */
    subtitle = g_strdup_printf (_("%s · %s, until stopped%s"), self->info->id, elapsed,
                                owner != NULL ? owner : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
}

void
gz_session_row_update_progress (GzSessionRow *self)
{
  double fraction;

  g_return_if_fail (GZ_IS_SESSION_ROW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->progress), self->info->duration > 0 &&
                                                         !self->stopping);
  if (self->info->duration <= 0)
    return;
  fraction = (double) elapsed_nanos (self) / (double) self->info->duration;
  gtk_progress_bar_set_fraction (self->progress, CLAMP (fraction, 0.0, 1.0));
}

static void
update_title (GzSessionRow *self)
{
  g_autofree char *target = gz_session_describe_target (self->info);
  g_autofree char *title = NULL;
  g_autofree char *stop_label = NULL;

  /* Translators: profile type · target, e.g. "cpu · pid 4242". */
  title = g_strdup_printf (_("%s · %s"), gz_profile_type_to_string (self->info->type), target);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  stop_label = g_strdup_printf (_("Stop session %s"), self->info->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stop_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, stop_label, -1);
}

static void
on_stop_clicked (GzSessionRow *self)
{
  g_signal_emit (self, signals[SIGNAL_STOP], 0);
}

static void
gz_session_row_finalize (GObject *object)
{
  GzSessionRow *self = GZ_SESSION_ROW (object);

  gz_session_info_free (self->info);

  G_OBJECT_CLASS (gz_session_row_parent_class)->finalize (object);
}

static void
gz_session_row_class_init (GzSessionRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_session_row_finalize;

  signals[SIGNAL_STOP] = g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gz_session_row_init (GzSessionRow *self)
{
  GtkWidget *row = GTK_WIDGET (self);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->spinner));

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (GTK_WIDGET (self->progress), 140, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->progress));

  self->stop_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Stop")));
  gtk_widget_set_valign (GTK_WIDGET (self->stop_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->stop_button), "destructive-action");
  g_signal_connect_swapped (self->stop_button, "clicked", G_CALLBACK (on_stop_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->stop_button));
  gtk_widget_set_focusable (row, FALSE);
}

GzSessionRow *
gz_session_row_new (const GzSessionInfo *info)
{
  GzSessionRow *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (GZ_TYPE_SESSION_ROW, NULL);
  gz_session_row_set_info (self, info);
  return self;
}

const char *
gz_session_row_get_id (GzSessionRow *self)
{
  g_return_val_if_fail (GZ_IS_SESSION_ROW (self), NULL);
  return self->info->id;
}

const GzSessionInfo *
gz_session_row_get_info (GzSessionRow *self)
{
  g_return_val_if_fail (GZ_IS_SESSION_ROW (self), NULL);
  return self->info;
}

void
gz_session_row_set_info (GzSessionRow        *self,
                         const GzSessionInfo *info)
{
  g_return_if_fail (GZ_IS_SESSION_ROW (self));
  g_return_if_fail (info != NULL);

  if (self->info == info)
    return;
  g_clear_pointer (&self->info, gz_session_info_free);
  self->info = gz_session_info_copy (info);
  update_title (self);
  gz_session_row_update_label (self);
  gz_session_row_update_progress (self);
}

void
gz_session_row_set_stopping (GzSessionRow *self,
                             gboolean      stopping)
{
  g_return_if_fail (GZ_IS_SESSION_ROW (self));

  self->stopping = !!stopping;
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), !self->stopping);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->stopping);
  gtk_spinner_set_spinning (self->spinner, self->stopping);
  gz_session_row_update_label (self);
  gz_session_row_update_progress (self);
}

gboolean
gz_session_row_get_stopping (GzSessionRow *self)
{
  g_return_val_if_fail (GZ_IS_SESSION_ROW (self), FALSE);
  return self->stopping;
}
