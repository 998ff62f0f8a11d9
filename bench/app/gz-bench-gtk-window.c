/* gz-bench-gtk-window.c: the peer of gz-bench-app's start-up figure: a minimal GTK 4 program
 * (one window, a header bar and a label; GTK only) that prints the time from --t0 (Unix ns,
 * taken by the caller just before it ran this program) to its first painted frame, and quits. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdio.h>
#include <stdlib.h>

#include <gtk/gtk.h>

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
on_activate (GtkApplication *app)
{
  GtkWidget *window = gtk_application_window_new (app);

  gtk_window_set_title (GTK_WINDOW (window), "peer");
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 640);
  gtk_window_set_titlebar (GTK_WINDOW (window), gtk_header_bar_new ());
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("A minimal GTK 4 window"));
  g_signal_connect (window, "realize", G_CALLBACK (on_realize), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;

  if (argc != 2 || !g_str_has_prefix (argv[1], "--t0="))
    {
      fprintf (stderr, "usage: %s --t0=UNIX_NS\n", argv[0]);
      return 2;
    }
  t0_ns = g_ascii_strtoll (argv[1] + 5, NULL, 10);
  app = gtk_application_new ("io.github.gz.BenchPeer", G_APPLICATION_DEFAULT_FLAGS);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
