/* test-app-responsive.c: the app's main loop stays responsive while a 10 s benchmark and a CPU
 * session run, and while a session of each type is stopped and its profile written: a timeout
 * every 10 ms records how late it came, and the longest stall must stay under 50 ms.
 *
 * On a shared machine a late timeout may only mean the main thread waited for a CPU: each gap
 * between two timeouts is split into the main thread's own CPU time, its wait for a CPU
 * (schedstat run delay) and the rest (blocked: a lock, I/O). Running 50 ms on the main loop
 * always fails; a long block fails unless other programs kept the process from running then,
 * when the subtest is skipped with the figures. Needs a display (the window is shown and drawn,
 * with cairo): meson runs it under Xvfb. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "gz-application.h"
#include "gz-bench-harness.h"
#include "gz-config.h"
#include "gz-session.h"
#include "gz-test-quiet.h"
#include "gz-window.h"

#define PROBE_INTERVAL_MS 10
#define MAX_STALL_MS      50
#define BENCH_SECONDS     10

static GzApplication *app;
static char *output_dir;

/* The probe: a timeout every 10 ms on the main loop. */

typedef struct
{
  gint64 last_wall;       /* monotonic ns at the previous dispatch */
  gint64 last_cpu;        /* the main thread's CPU ns then */
  gint64 last_delay;      /* its schedstat run delay ns then, or -1 */
  guint  n;               /* gaps seen */
  /* The gap with the longest unexplained stall (late by more than its run delay). */
  gint64 worst_stall;     /* late - run delay, ns */
  gint64 worst_late;      /* gap - interval, ns */
  gint64 worst_cpu;       /* the main thread's CPU during it */
  gint64 worst_delay;
  gint64 most_cpu;        /* the most CPU the main thread ran within one gap */
  gboolean has_schedstat;
  guint  id;
} Probe;

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The calling thread's time waiting for a CPU, or -1 without schedstats. */
static gint64
thread_run_delay_ns (void)
{
  g_autofree char *text = NULL;
  guint64 on_cpu, delay;

  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL) ||
      sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &on_cpu, &delay) != 2)
    return -1;
  return (gint64) delay;
}

static gboolean
probe_tick (gpointer user_data)
{
  Probe *probe = user_data;
  gint64 wall = g_get_monotonic_time () * 1000;
  gint64 cpu = thread_cpu_ns ();
  gint64 delay = thread_run_delay_ns ();
  gint64 late = wall - probe->last_wall - PROBE_INTERVAL_MS * G_GINT64_CONSTANT (1000000);
  gint64 run_delay = delay >= 0 && probe->last_delay >= 0 ? delay - probe->last_delay : 0;
  gint64 ran = cpu - probe->last_cpu;
  gint64 stall = late - run_delay;

  probe->n++;
  probe->has_schedstat = probe->has_schedstat && delay >= 0;
  probe->most_cpu = MAX (probe->most_cpu, ran);
  if (stall > probe->worst_stall)
    {
      probe->worst_stall = stall;
      probe->worst_late = late;
      probe->worst_cpu = ran;
      probe->worst_delay = run_delay;
    }
  /* Measured from here: our own reads are not the loop's stall. */
  probe->last_wall = g_get_monotonic_time () * 1000;
  probe->last_cpu = thread_cpu_ns ();
  probe->last_delay = thread_run_delay_ns ();
  return G_SOURCE_CONTINUE;
}

static void
probe_start (Probe *probe)
{
  memset (probe, 0, sizeof *probe);
  probe->has_schedstat = TRUE;
  probe->last_wall = g_get_monotonic_time () * 1000;
  probe->last_cpu = thread_cpu_ns ();
  probe->last_delay = thread_run_delay_ns ();
  probe->id = g_timeout_add (PROBE_INTERVAL_MS, probe_tick, probe);
}

static void
probe_stop (Probe *probe)
{
  g_clear_handle_id (&probe->id, g_source_remove);
}

static char *
probe_describe (const Probe *probe)
{
  return g_strdup_printf ("%u ticks; longest stall %.1f ms (late %.1f ms, of which %.1f ms "
                          "waiting for a CPU and %.1f ms running on the main thread); most "
                          "main-thread CPU in one gap %.1f ms",
                          probe->n, probe->worst_stall / 1e6, probe->worst_late / 1e6,
                          probe->worst_delay / 1e6, probe->worst_cpu / 1e6,
                          probe->most_cpu / 1e6);
}

/* Fails when the main loop ran 50 ms at once, or was blocked that long on a quiet machine;
 * skips (TRUE) with the figures when a long stall coincides with a disturbed machine. */
static gboolean
probe_check (const Probe       *probe,
             const GzTestQuiet *quiet,
             const char        *what)
{
  g_autofree char *figures = probe_describe (probe);
  gint64 limit = MAX_STALL_MS * G_GINT64_CONSTANT (1000000);

  g_test_message ("%s: %s", what, figures);
  g_assert_cmpuint (probe->n, >, 0);
  if (probe->most_cpu >= limit)
    g_error ("%s: the main thread ran %.1f ms between two ticks: %s", what,
             probe->most_cpu / 1e6, figures);
  if (probe->worst_stall < limit)
    return FALSE;
  if (!probe->has_schedstat || gz_test_quiet_disturbed (quiet, 0.05) ||
      gz_test_quiet_machine_busy ())
    {
      g_autofree char *disturbed = gz_test_quiet_describe (quiet);
      g_autofree char *reason = g_strdup_printf ("%s: a stall of %.1f ms on a disturbed "
                                                 "machine (%s): %s", what,
                                                 probe->worst_stall / 1e6, disturbed, figures);

      g_test_skip (reason);
      return TRUE;
    }
  g_error ("%s: the main loop was blocked %.1f ms on a quiet machine: %s", what,
           probe->worst_stall / 1e6, figures);
}

/* Async results. */

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
spin_until_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
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

static GzWindow *
show_window (const char *page)
{
  GzWindow *window = gz_window_new (app);

  gz_window_set_visible_page (window, page);
  gtk_window_present (GTK_WINDOW (window));
  spin_for (300);
  return window;
}

static GzSession *
start_session (GzConfig      *config,
               GzProfileType  type,
               gint64         duration_nanos)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzSession) session = gz_session_new (config, type, duration_nanos, output_dir,
                                                 &error);

  if (session != NULL)
    gz_session_start (session, &error);
  /* A build without the allocation wrappers (-Dtcmalloc=false) has no memory profiles. */
  if (g_error_matches (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED))
    {
      g_test_message ("no %s session in this build: %s", gz_profile_type_to_string (type),
                      error->message);
      return NULL;
    }
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}

static void
check_summary (GzSession    *session,
               GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzSessionSummary) summary = gz_session_stop_finish (session, result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_true (g_file_test (summary->path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (summary->size, >, 0);
  g_unlink (summary->path);
}

/* A 10 s benchmark on a worker and a CPU session of this process, together. */
static void
test_benchmark_and_cpu_session (void)
{
  g_autoptr(GzConfig) config = gz_config_new (NULL, NULL);
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GAsyncResult) bench_result = NULL;
  g_autoptr(GAsyncResult) stop_result = NULL;
  g_autoptr(GzBenchResult) bench = NULL;
  g_autoptr(GError) error = NULL;
  const GzBenchSuite *suite = gz_bench_suites_lookup ("json-marshal", &error);
  GzBenchOptions options;
  GzTestQuiet quiet;
  GzWindow *window;
  Probe probe;

  g_assert_no_error (error);
  window = show_window ("benchmarks");

  gz_bench_options_init (&options);
  options.duration_nanos = BENCH_SECONDS * G_GINT64_CONSTANT (1000000000);
  options.concurrency = 1;
  options.memory = TRUE;
  options.config = config;
  options.output_dir = output_dir;

  gz_test_quiet_begin (&quiet, GZ_TEST_QUIET_PROCESS, 0);
  probe_start (&probe);
  session = start_session (config, GZ_PROFILE_TYPE_CPU, 30 * G_GINT64_CONSTANT (1000000000));
  g_assert_nonnull (session);
  gz_bench_run_async (suite, &options, NULL, keep_result, &bench_result);
  spin_until_result (&bench_result);
  gz_session_stop_async (session, NULL, keep_result, &stop_result);
  spin_until_result (&stop_result);
  probe_stop (&probe);
  gz_test_quiet_end (&quiet);

  bench = gz_bench_run_finish (bench_result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bench);
  check_summary (session, stop_result);
  /* Ticks came all along (at 10 ms, 100 a second, if the loop were never late). */
  g_assert_cmpuint (probe.n, >, BENCH_SECONDS * 10);

  gtk_window_destroy (GTK_WINDOW (window));
  probe_check (&probe, &quiet, "10 s json-marshal benchmark and a CPU session");
}

/* Each type: a session runs briefly, then stop (profile taken, symbolized, encoded and written
 * on a worker) is watched from the main loop. */
static void
test_stop_each_type (void)
{
  g_autoptr(GzConfig) config = gz_config_new (NULL, NULL);
  GzWindow *window = show_window ("sessions");
  gboolean skipped = FALSE;

  for (GzProfileType type = 0; type < GZ_PROFILE_TYPE_N; type++)
    {
      g_autoptr(GzSession) session = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *what = g_strdup_printf ("stopping and writing a %s session",
                                               gz_profile_type_to_string (type));
      GzTestQuiet quiet;
      Probe probe;

      session = start_session (config, type,
                               type == GZ_PROFILE_TYPE_CPU ? 30 * G_GINT64_CONSTANT (1000000000)
                                                           : 0);
      if (session == NULL)
        continue;
      spin_for (500);

      gz_test_quiet_begin (&quiet, GZ_TEST_QUIET_PROCESS, 0);
      probe_start (&probe);
      gz_session_stop_async (session, NULL, keep_result, &result);
      spin_until_result (&result);
      /* One more tick, so that the stop's last step on the main loop is measured too. */
      spin_for (2 * PROBE_INTERVAL_MS);
      probe_stop (&probe);
      gz_test_quiet_end (&quiet);

      check_summary (session, result);
      skipped = probe_check (&probe, &quiet, what) || skipped;
      if (skipped)
        break;
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
skip_without_display (gconstpointer data)
{
  g_test_skip ("no display: run under Xvfb (tests/xvfb-run-test.sh)");
}

int
main (int   argc,
      char *argv[])
{
  static const struct
  {
    const char *path;
    GTestFunc   func;
  } tests[] = {
    { "/app/responsive/benchmark-and-cpu-session", test_benchmark_and_cpu_session },
    { "/app/responsive/stop-each-type", test_stop_each_type },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *config_home = NULL;
  g_autofree char *runtime_dir = NULL;
  int ret;

  /* A private configuration and session registry: this test's sessions stay its own. */
  home = g_dir_make_tmp ("test-app-responsive-XXXXXX", &error);
  g_assert_no_error (error);
  config_home = g_build_filename (home, "config", NULL);
  runtime_dir = g_build_filename (home, "run", NULL);
  output_dir = g_build_filename (home, "profiles", NULL);
  g_mkdir (config_home, 0700);
  g_mkdir (runtime_dir, 0700);
  g_mkdir (output_dir, 0700);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  /* Draw on the main thread: with GL under Xvfb (llvmpipe) a frame waits for the rasterizer's
   * threads, which wait for a CPU whenever the benchmark or a stop keeps one busy; that wait
   * says how many CPUs the machine has, not how long the app's own work holds the loop. With
   * cairo, drawing counts as the main thread's own running time. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);

  g_test_init (&argc, &argv, NULL);

  if (gtk_init_check ())
    {
      app = gz_application_new ();
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      if (app != NULL)
        g_test_add_func (tests[i].path, tests[i].func);
      else
        g_test_add_data_func (tests[i].path, NULL, skip_without_display);
    }

  ret = g_test_run ();
  g_clear_object (&app);
  remove_tree (home);
  return ret;
}
