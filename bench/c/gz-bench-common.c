/* gz-bench-common.c: options, timing, alternating runs, medians and JSON lines for bench/c. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gz-bench-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gz-heap-sampler.h"
#include "gz-stack.h"

static int runs = 7;
static double cpu_seconds = 2.0;
static char *outdir;
static char *tmpdir;

static void
remove_tmpdir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tmpdir == NULL || (dir = g_dir_open (tmpdir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmpdir);
}

void
gz_bench_init (int                *argc,
               char             ***argv,
               const GOptionEntry *program_entries)
{
  const GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Alternating runs per measurement (7)", "N" },
    { "cpu-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &cpu_seconds,
      "Seconds of one CPU-loop run (2)", "S" },
    { "outdir", 0, 0, G_OPTION_ARG_FILENAME, &outdir,
      "Where profiles are written (default: a temporary directory)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") != 0)
    {
      /* GLib reads G_SLICE once, possibly before main: set it and start again. */
      setenv ("G_SLICE", "always-malloc", 1);
      execv ("/proc/self/exe", *argv);
      g_printerr ("%s: cannot re-execute itself with G_SLICE=always-malloc: %s\n",
                  (*argv)[0], g_strerror (errno));
      exit (1);
    }

  context = g_option_context_new ("- a gz profile benchmark; prints one JSON line a measurement");
  g_option_context_add_main_entries (context, entries, NULL);
  if (program_entries != NULL)
    g_option_context_add_main_entries (context, program_entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s: %s (see --help)\n", g_get_prgname (), error->message);
      exit (2);
    }
  if (runs < 1 || cpu_seconds <= 0)
    {
      g_printerr ("%s: --runs and --cpu-seconds must be positive\n", g_get_prgname ());
      exit (2);
    }

  if (outdir != NULL)
    {
      if (g_mkdir_with_parents (outdir, 0755) != 0)
        {
          g_printerr ("%s: cannot create %s: %s; name a writable --outdir\n",
                      g_get_prgname (), outdir, g_strerror (errno));
          exit (1);
        }
    }
  else
    {
      tmpdir = g_dir_make_tmp ("gz-bench-XXXXXX", &error);
      if (tmpdir == NULL)
        {
          g_printerr ("%s: %s; set TMPDIR or pass --outdir\n", g_get_prgname (), error->message);
          exit (1);
        }
      outdir = g_strdup (tmpdir);
      atexit (remove_tmpdir);
    }
}

guint
gz_bench_runs (void)
{
  return (guint) runs;
}

double
gz_bench_cpu_seconds (void)
{
  return cpu_seconds;
}

const char *
gz_bench_outdir (void)
{
  return outdir;
}

static double
now (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

double
gz_bench_now_cpu (void)
{
  return now (CLOCK_PROCESS_CPUTIME_ID);
}

double
gz_bench_now_wall (void)
{
  return now (CLOCK_MONOTONIC);
}

static void
append (GArray *array,
        double  value)
{
  if (array != NULL)
    g_array_append_val (array, value);
}

void
gz_bench_paired (guint       n_runs,
                 guint       chunks,
                 GzBenchRun  a,
                 GzBenchRun  b,
                 gpointer    data,
                 GArray     *as,
                 GArray     *bs,
                 GArray     *a_wall,
                 GArray     *b_wall)
{
  for (guint i = 0; i < n_runs; i++)
    {
      GzBenchSpan sa = { 0, 0 }, sb = { 0, 0 };

      for (guint c = 0; c < chunks; c++)
        {
          GzBenchSpan x, y;

          if ((i + c) % 2 == 0)
            {
              x = a (data, chunks);
              y = b (data, chunks);
            }
          else
            {
              y = b (data, chunks);
              x = a (data, chunks);
            }
          sa.cpu_s += x.cpu_s;
          sa.wall_s += x.wall_s;
          sb.cpu_s += y.cpu_s;
          sb.wall_s += y.wall_s;
        }
      append (as, sa.cpu_s);
      append (bs, sb.cpu_s);
      append (a_wall, sa.wall_s);
      append (b_wall, sb.wall_s);
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
gz_bench_median (GArray *values)
{
  g_autoptr(GArray) sorted = NULL;
  guint n = values->len;

  if (n == 0)
    return 0;
  sorted = g_array_copy (values);
  g_array_sort (sorted, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

double
gz_bench_min (GArray *values)
{
  double min = values->len > 0 ? g_array_index (values, double, 0) : 0;

  for (guint i = 1; i < values->len; i++)
    min = MIN (min, g_array_index (values, double, i));
  return min;
}

GArray *
gz_bench_overheads (GArray *as,
                    GArray *bs)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < as->len && i < bs->len; i++)
    append (out, (g_array_index (bs, double, i) / g_array_index (as, double, i) - 1) * 100);
  return out;
}

void
gz_bench_emit (const char *measurement,
               const char *unit,
               GArray     *samples,
               ...)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *key;
  va_list args;

  g_string_append_printf (line, "{\"measurement\":\"%s\",\"impl\":\"gz\",\"unit\":\"%s\","
                          "\"median\":%.9g,\"samples\":[", measurement, unit,
                          gz_bench_median (samples));
  for (guint i = 0; i < samples->len; i++)
    g_string_append_printf (line, "%s%.9g", i ? "," : "", g_array_index (samples, double, i));
  g_string_append (line, "],\"detail\":{");
  va_start (args, samples);
  for (guint i = 0; (key = va_arg (args, const char *)) != NULL; i++)
    g_string_append_printf (line, "%s\"%s\":%.9g", i ? "," : "", key, va_arg (args, double));
  va_end (args);
  g_string_append (line, "}}\n");
  fputs (line->str, stdout);
  fflush (stdout);
}

void
gz_bench_emit_error (const char *measurement,
                     const char *message)
{
  g_autoptr(GString) escaped = g_string_new (NULL);

  /* A JSON string: UTF-8 passes as it is. */
  for (const char *p = message; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (escaped, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (escaped, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (escaped, *p);
    }
  printf ("{\"measurement\":\"%s\",\"impl\":\"gz\",\"error\":\"%s\"}\n",
          measurement, escaped->str);
  fflush (stdout);
}

__attribute__ ((noinline, noipa)) guint64
gz_bench_mix (guint64 n,
              guint64 seed)
{
  guint64 x = seed;

  for (guint64 i = 0; i < n; i++)
    {
      guint64 z;

      x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
      z = x;
      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
      x ^= z ^ (z >> 31);
    }
  return x;
}

guint64
gz_bench_calibrate (double      seconds,
                    GzBenchLoop loop,
                    gpointer    data)
{
  for (guint64 n = 1024;; n *= 2)
    {
      double t0 = gz_bench_now_cpu ();
      double dt;

      loop (n, data);
      dt = gz_bench_now_cpu () - t0;
      if (dt > seconds / 8)
        return (guint64) ((double) n * seconds / dt);
    }
}

double
gz_bench_heap_samples (void)
{
  g_autoptr(GArray) records = gz_heap_sampler_snapshot ();
  double total = 0;

  for (guint i = 0; records != NULL && i < records->len; i++)
    total += (double) g_array_index (records, GzStackRecord, i).values[0];
  return total;
}
