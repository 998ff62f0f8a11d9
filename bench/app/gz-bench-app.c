/* gz-bench-app.c: the app's own figures (bench/app/run.sh runs them; not a test).
 *   gz-bench-app startup --t0=UNIX_NS   gz-profile's start-up as main.c does it, then the time
 *                                       from --t0 (taken by the caller just before it ran this
 *                                       program) to the main window's first painted frame
 *   gz-bench-app stall [--rounds N]     for each profile type, N sessions of this process run
 *                                       1 s and are stopped (profile taken, symbolized, encoded
 *                                       and written on a worker) while the window is shown; a
 *                                       10 ms timeout measures the main loop's longest stall
 *                                       during each stop, beside the stop's own duration (what a
 *                                       stop on the main thread would stall it), and how long
 *                                       gz_session_start (synchronous) took. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "gz-application.h"
#include "gz-config.h"
#include "gz-session.h"
#include "gz-window.h"

static gint64 t0_ns;
static gboolean painted;

static void
on_after_paint (GdkFrameClock *clock,
                GApplication  *app)
{
  if (painted)
    return;
  painted = TRUE;
  printf ("first-frame-ms %.2f\n", (g_get_real_time () * 1000 - t0_ns) / 1e6);
  fflush (stdout);
  g_application_quit (app);
}

static void
on_realize (GtkWidget    *window,
            GApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), app);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window)
{
  g_signal_connect (window, "realize", G_CALLBACK (on_realize), app);
}

/* As main.c, with the first frame timed. */
static int
startup (int    argc,
         char **argv)
{
  g_autoptr(GzApplication) app = NULL;

  g_setenv ("G_SLICE", "always-malloc", FALSE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, GZ_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("gz profile"));

  app = gz_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}

/* The stall probe. */

typedef struct
{
  gint64 last_us;
  gint64 worst_us;
} Probe;

static gboolean
probe_tick (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  probe->worst_us = MAX (probe->worst_us, now - probe->last_us - 10000);
  probe->last_us = now;
  return G_SOURCE_CONTINUE;
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_for (guint msec)
{
  gboolean done = FALSE;

  g_timeout_add (msec, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static int
stall (guint rounds)
{
  g_autoptr(GzApplication) app = gz_application_new ();
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gz-bench-app-XXXXXX", NULL);
  GzWindow *window;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error) ||
      (config = gz_config_new (NULL, &error)) == NULL)
    {
      fprintf (stderr, "gz-bench-app: %s\n", error->message);
      return 1;
    }
  window = gz_window_new (app);
  gz_window_set_visible_page (window, "sessions");
  gtk_window_present (GTK_WINDOW (window));
  spin_for (500);

  printf ("| type | longest stall during stop, median (max) | stop duration, median | "
          "gz_session_start on the main thread, median |\n");
  printf ("|---|---|---|---|\n");
  for (GzProfileType type = 0; type < GZ_PROFILE_TYPE_N; type++)
    {
      g_autoptr(GArray) stalls = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) durations = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (double));
      double worst = 0;

      for (guint round = 0; round < rounds; round++)
        {
          g_autoptr(GzSession) session = NULL;
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(GzSessionSummary) summary = NULL;
          Probe probe = { 0 };
          gint64 started;
          double stall_ms, duration_ms, start_ms;
          guint id;

          started = g_get_monotonic_time ();
          session = gz_session_new (config, type,
                                    type == GZ_PROFILE_TYPE_CPU ? 60 * G_GINT64_CONSTANT (1000000000)
                                                                : 0,
                                    dir, &error);
          if (session == NULL || !gz_session_start (session, &error))
            {
              fprintf (stderr, "gz-bench-app: %s\n", error->message);
              return 1;
            }
          start_ms = (g_get_monotonic_time () - started) / 1e3;
          g_array_append_val (starts, start_ms);
          spin_for (1000);

          probe.last_us = started = g_get_monotonic_time ();
          id = g_timeout_add (10, probe_tick, &probe);
          gz_session_stop_async (session, NULL, keep_result, &result);
          while (result == NULL)
            g_main_context_iteration (NULL, TRUE);
          duration_ms = (g_get_monotonic_time () - started) / 1e3;
          spin_for (20);
          g_source_remove (id);

          summary = gz_session_stop_finish (session, result, &error);
          if (summary == NULL)
            {
              fprintf (stderr, "gz-bench-app: %s\n", error->message);
              return 1;
            }
          g_unlink (summary->path);
          stall_ms = probe.worst_us / 1e3;
          worst = MAX (worst, stall_ms);
          g_array_append_val (stalls, stall_ms);
          g_array_append_val (durations, duration_ms);
        }
      printf ("| %s | %.1f ms (%.1f ms) | %.1f ms | %.1f ms |\n", gz_profile_type_to_string (type),
              median (stalls), worst, median (durations), median (starts));
      fflush (stdout);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_rmdir (dir);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "startup") && g_str_has_prefix (argv[2], "--t0="))
    {
      t0_ns = g_ascii_strtoll (argv[2] + 5, NULL, 10);
      return startup (argc, argv);
    }
  if (argc >= 2 && g_str_equal (argv[1], "stall"))
    {
      guint rounds = argc == 4 && g_str_equal (argv[2], "--rounds") ? atoi (argv[3]) : 5;

      gtk_init ();
      return stall (MAX (rounds, 1));
    }
  fprintf (stderr, "usage: %s startup --t0=UNIX_NS | stall [--rounds N]\n", argv[0]);
  return 2;
}
