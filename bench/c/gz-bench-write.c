/* gz-bench-write.c: the time to take each of the six profile types and write it to a file. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gz-bench-common.h"

#include <glib/gstdio.h>
#include <pthread.h>
#include <stdlib.h>

#include "gz-profiler-factory.h"

#define N_PARKED    8
#define N_CONTENDED 4
#define N_HELD      4096

/* What the profiles show, the same as bench/go gives Go's: parked threads, a contended mutex,
 * and live heap. */
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static gboolean park_quit;
static pthread_mutex_t contended = PTHREAD_MUTEX_INITIALIZER;
static double contend_until;
static volatile guint64 sink;
static void *held[N_HELD];

static void *
parked_thread (void *data)
{
  pthread_mutex_lock (&park_lock);
  while (!park_quit)
    pthread_cond_wait (&park_cond, &park_lock);
  pthread_mutex_unlock (&park_lock);
  return NULL;
}

static void *
contending_thread (void *data)
{
  while (gz_bench_now_wall () < contend_until)
    {
      pthread_mutex_lock (&contended);
      sink += gz_bench_mix (2000, sink);
      pthread_mutex_unlock (&contended);
    }
  return NULL;
}

__attribute__ ((noinline, noipa)) static void
hold_memory (void)
{
  for (guint i = 0; i < N_HELD; i++)
    held[i] = malloc (4096);
}

static void
prepare (pthread_t *parked)
{
  pthread_t contenders[N_CONTENDED];

  hold_memory ();
  for (guint i = 0; i < N_PARKED; i++)
    pthread_create (&parked[i], NULL, parked_thread, NULL);
  contend_until = gz_bench_now_wall () + 0.2;
  for (guint i = 0; i < N_CONTENDED; i++)
    pthread_create (&contenders[i], NULL, contending_thread, NULL);
  for (guint i = 0; i < N_CONTENDED; i++)
    pthread_join (contenders[i], NULL);
}

static void
finish (pthread_t *parked)
{
  pthread_mutex_lock (&park_lock);
  park_quit = TRUE;
  pthread_cond_broadcast (&park_cond);
  pthread_mutex_unlock (&park_lock);
  for (guint i = 0; i < N_PARKED; i++)
    pthread_join (parked[i], NULL);
  for (guint i = 0; i < N_HELD; i++)
    free (held[i]);
}

/* Milliseconds to take a snapshot of @type and write it, or -1 with @error set. */
static double
take_snapshot (GzProfileType type,
               const char   *path,
               GError      **error)
{
  double t0 = gz_bench_now_wall ();
  g_autoptr(GzProfiler) profiler = gz_profiler_new (type, NULL, error);
  g_autoptr(GzProfile) profile = NULL;

  if (profiler == NULL
      || (profile = gz_profiler_snapshot (profiler, error)) == NULL
      || !gz_profile_write_file (profile, path, error))
    return -1;
  return (gz_bench_now_wall () - t0) * 1e3;
}

static void
mix_loop (guint64  n,
          gpointer data)
{
  sink += gz_bench_mix (n, sink);
}

/* Profiles about a second of the loop, then returns the milliseconds stopping and writing
 * took. */
static double
take_cpu (guint64      iterations,
          const char  *path,
          GError     **error)
{
  g_autoptr(GzProfiler) profiler = gz_profiler_new (GZ_PROFILE_TYPE_CPU, NULL, error);
  g_autoptr(GzProfile) profile = NULL;
  double t0;

  if (profiler == NULL || !gz_profiler_start (profiler, error))
    return -1;
  mix_loop (iterations, NULL);
  t0 = gz_bench_now_wall ();
  if ((profile = gz_profiler_stop (profiler, error)) == NULL
      || !gz_profile_write_file (profile, path, error))
    return -1;
  return (gz_bench_now_wall () - t0) * 1e3;
}

int
main (int   argc,
      char *argv[])
{
  pthread_t parked[N_PARKED];
  guint64 iterations;

  gz_bench_init (&argc, &argv, NULL);
  prepare (parked);

  for (GzProfileType type = 0; type < GZ_PROFILE_TYPE_N; type++)
    {
      const char *name = gz_profile_type_to_string (type);
      g_autofree char *measurement = g_strdup_printf ("write_%s", name);
      g_autofree char *file = g_strdup_printf ("write-%s.prof", name);
      g_autofree char *path = g_build_filename (gz_bench_outdir (), file, NULL);
      g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GError) error = NULL;
      gint64 size = 0;
      GStatBuf st;

      if (type == GZ_PROFILE_TYPE_CPU)
        iterations = gz_bench_calibrate (1.0, mix_loop, NULL);

      /* Run 0 is the warm-up: it loads debug information the later runs find cached. */
      for (guint i = 0; i <= gz_bench_runs () && error == NULL; i++)
        {
          double v = type == GZ_PROFILE_TYPE_CPU
                       ? take_cpu (iterations, path, &error)
                       : take_snapshot (type, path, &error);
          if (i > 0 && error == NULL)
            g_array_append_val (ms, v);
        }
      if (error != NULL)
        {
          gz_bench_emit_error (measurement, error->message);
          continue;
        }
      if (g_stat (path, &st) == 0)
        size = st.st_size;
      gz_bench_emit (measurement, "ms", ms, "bytes", (double) size, NULL);
    }

  finish (parked);
  return EXIT_SUCCESS;
}
