/* gz-bench-tree.c: the Viewer's load without the window: read, decode and tree build timed apart
 * (wall and CPU), then the jobs the page starts on its worker (per-function totals, callers and
 * callees of the heaviest function), a search and three zooms.
 *
 * Usage: gz-bench-tree PROFILE [RUNS]   (bench/viewer/run.sh runs it too) */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gz-profile.h"
#include "gz-profile-tree.h"

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static double
wall_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
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

/* Peak resident memory of the process, in MiB (VmHWM). */
static double
peak_mib (void)
{
  g_autofree char *status = NULL;
  const char *hwm;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (hwm = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtod (hwm + 6, NULL) / 1024.0;
}

int
main (int   argc,
      char *argv[])
{
  guint runs = argc > 2 ? (guint) atoi (argv[2]) : 3;
  GArray *figures[9];
  const char *labels[9] = { "decode wall", "decode CPU", "tree wall", "tree CPU",
                            "functions CPU", "callers+callees CPU", "search CPU", "nodes",
                            "zoom (3 levels) CPU" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *contents;
  gsize length;

  if (argc < 2)
    {
      g_printerr ("usage: %s PROFILE [RUNS]\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &contents, &length, &error))
    {
      g_printerr ("gz-bench-tree: %s\n", error->message);
      return 1;
    }
  bytes = g_bytes_new_take (contents, length);
  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    figures[i] = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint run = 0; run < runs; run++)
    {
      g_autoptr(GzProfile) profile = NULL;
      g_autoptr(GzProfileTree) tree = NULL;
      g_autoptr(GzProfileTree) callers = NULL;
      g_autoptr(GzProfileTree) callees = NULL;
      g_autoptr(GArray) functions = NULL;
      g_autoptr(GRegex) regex = g_regex_new ("9$", 0, 0, NULL);
      double w = wall_ms (), c = cpu_ms (), v;
      guint32 heaviest = 0;
      gint64 cum = -1;

      profile = gz_profile_decode (bytes, &error);
      if (profile == NULL)
        {
          g_printerr ("gz-bench-tree: %s\n", error->message);
          return 1;
        }
      v = wall_ms () - w; g_array_append_val (figures[0], v);
      v = cpu_ms () - c; g_array_append_val (figures[1], v);

      w = wall_ms (), c = cpu_ms ();
      tree = gz_profile_tree_new (profile, profile->sample_types->len - 1, NULL, 0);
      v = wall_ms () - w; g_array_append_val (figures[2], v);
      v = cpu_ms () - c; g_array_append_val (figures[3], v);

      c = cpu_ms ();
      functions = gz_profile_tree_get_functions (tree);
      v = cpu_ms () - c; g_array_append_val (figures[4], v);
      for (guint i = 0; i < functions->len; i++)
        {
          GzProfileTreeFunction *f = &g_array_index (functions, GzProfileTreeFunction, i);

          if (f->cum > cum && f->name != 0 && f->cum < gz_profile_tree_get_node (tree, 0)->total)
            heaviest = f->name, cum = f->cum;
        }

      c = cpu_ms ();
      callers = gz_profile_tree_new_callers (tree, heaviest);
      callees = gz_profile_tree_new_callees (tree, heaviest);
      v = cpu_ms () - c; g_array_append_val (figures[5], v);

      c = cpu_ms ();
      gz_profile_tree_search (tree, regex, 0, NULL);
      v = cpu_ms () - c; g_array_append_val (figures[6], v);
      v = gz_profile_tree_get_n_nodes (tree); g_array_append_val (figures[7], v);

      /* Zooms as a user's clicks: into the widest frame, three times, each drawn 1280 px wide
       * (what the flame graph expands on the main thread). */
      c = cpu_ms ();
      for (guint32 node = 0, level = 0; level < 3; level++)
        {
          guint n_children;
          const guint32 *children = gz_profile_tree_get_children (tree, node, &n_children);

          if (n_children == 0)
            break;
          node = children[0];
          gz_profile_tree_expand (tree, node, gz_profile_tree_get_node (tree, node)->total / 5120);
        }
      v = cpu_ms () - c; g_array_append_val (figures[8], v);
      g_print ("run %u: decode %.0f ms (CPU %.0f), tree %.0f ms (CPU %.0f), functions %.0f, "
               "callers+callees %.0f, search %.0f ms CPU; %.0f nodes; zoom %.1f ms\n", run + 1,
               g_array_index (figures[0], double, run), g_array_index (figures[1], double, run),
               g_array_index (figures[2], double, run), g_array_index (figures[3], double, run),
               g_array_index (figures[4], double, run), g_array_index (figures[5], double, run),
               g_array_index (figures[6], double, run), g_array_index (figures[7], double, run),
               v);
    }
  g_print ("medians over %u runs:", runs);
  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_print (" %s %.1f%s;", labels[i], median (figures[i]), i != 7 ? " ms" : "");
      g_array_unref (figures[i]);
    }
  g_print (" peak RSS %.0f MiB\n", peak_mib ());
  return 0;
}
