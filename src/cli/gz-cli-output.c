/* gz-cli-output.c: terminal output of values, targets and session summaries. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <glib-unix.h>

#include "gz-profile-top.h"
#include "gz-cli.h"
#include "gz-duration.h"
#include "gz-units.h"

gboolean
gz_cli_is_tty (void)
{
  return isatty (STDOUT_FILENO) && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
}

/* Whole seconds, as Go writes durations: "45s", "1m30s". */
char *
gz_cli_format_elapsed (gint64 nanoseconds)
{
  gint64 seconds = MAX (nanoseconds, 0) / G_GINT64_CONSTANT (1000000000);

  return gz_duration_format (seconds * G_GINT64_CONSTANT (1000000000));
}

char *
gz_cli_format_target (const GzTarget *target)
{
  switch (target->kind)
    {
    case GZ_TARGET_SELF:
      return g_strdup_printf ("self (pid %d)", target->pid);
    case GZ_TARGET_PID:
      return g_strdup_printf ("pid %d", target->pid);
    case GZ_TARGET_URL:
    case GZ_TARGET_COMMAND:
    default:
      return g_strdup (target->spec != NULL ? target->spec : "?");
    }
}

static double
percent (gint64 part,
         gint64 total)
{
  return total != 0 ? 100.0 * (double) part / (double) total : 0.0;
}

/* @text right-aligned in @width characters (not bytes: "µs" is two bytes wide in UTF-8). */
static char *
pad_left (const char *text,
          int         width)
{
  glong n = g_utf8_strlen (text, -1);
  g_autofree char *spaces = g_strnfill (n < width ? (gsize) (width - n) : 0, ' ');

  return g_strconcat (spaces, text, NULL);
}

void
gz_cli_print_summary (const GzSessionSummary *summary)
{
  g_autofree char *size = gz_units_format_bytes ((double) MAX (summary->size, 0));
  g_autofree char *duration = gz_units_format_nanoseconds ((double) summary->duration_nanos);
  g_autofree char *quoted = g_shell_quote (summary->path);
  const char *unit = NULL;

  if (summary->sample_type != NULL && strchr (summary->sample_type, '/') != NULL)
    unit = strchr (summary->sample_type, '/') + 1;

  printf (_("Saved profile of session %s\n"), summary->id);
  printf ("  file      %s\n", summary->path);
  printf ("  size      %s\n", size);
  printf ("  samples   %" G_GINT64_FORMAT "\n", summary->n_samples);
  printf ("  duration  %s\n", duration);

  if (summary->top == NULL || summary->top->len == 0)
    printf (_("No samples were recorded.\n"));
  else
    {
      g_autofree char *total = gz_units_format_value (summary->total, unit);

      printf (_("Top %u functions by %s (total %s):\n"), summary->top->len, summary->sample_type,
              total);
      printf ("  %12s %7s %12s %7s  %s\n", "flat", "flat%", "cum", "cum%", "function");
      for (guint i = 0; i < summary->top->len; i++)
        {
          const GzTopEntry *entry = &g_array_index (summary->top, GzTopEntry, i);
          g_autofree char *flat_text = gz_units_format_value (entry->flat, unit);
          g_autofree char *cum_text = gz_units_format_value (entry->cum, unit);
          g_autofree char *flat = pad_left (flat_text, 12);
          g_autofree char *cum = pad_left (cum_text, 12);

          printf ("  %s %6.2f%% %s %6.2f%%  %s\n", flat,
                  percent (entry->flat, summary->total), cum, percent (entry->cum, summary->total),
                  entry->name);
        }
    }
  printf (_("Open it with: go tool pprof %s\n"), quoted);
  fflush (stdout);
}

typedef struct
{
  GMainLoop *loop;
  gboolean   (*once) (gpointer data);
  gpointer   data;
  gboolean   ok;
} Watch;

static gboolean
on_watch_tick (gpointer user_data)
{
  Watch *watch = user_data;

  if (watch->once (watch->data))
    return G_SOURCE_CONTINUE;
  watch->ok = FALSE;
  g_main_loop_quit (watch->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_watch_interrupt (gpointer user_data)
{
  Watch *watch = user_data;

  g_main_loop_quit (watch->loop);
  return G_SOURCE_CONTINUE;
}

gboolean
gz_cli_watch (guint       interval_ms,
              gboolean  (*once) (gpointer data),
              gpointer    data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Watch watch = { loop, once, data, TRUE };
  guint sigint_source, sigterm_source, tick_source;

  if (!once (data))
    return FALSE;

  sigint_source = g_unix_signal_add (SIGINT, on_watch_interrupt, &watch);
  sigterm_source = g_unix_signal_add (SIGTERM, on_watch_interrupt, &watch);
  tick_source = g_timeout_add (interval_ms, on_watch_tick, &watch);
  g_main_loop_run (loop);
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  if (watch.ok)
    g_source_remove (tick_source);
  return watch.ok;
}
