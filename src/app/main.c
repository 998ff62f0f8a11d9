/* main.c: gz-profile's entry point: locale and translations, then the application. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "gz-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GzApplication) app = NULL;

  /* GLib 2.74's g_slice keeps its own slabs, hidden from the heap sampler. */
  g_setenv ("G_SLICE", "always-malloc", FALSE);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, GZ_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("gz profile"));

  app = gz_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
