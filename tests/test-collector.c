/* test-collector.c: the collector of the preload's ring against known truths: a program
 * (gz-test-collector-target) runs under the real preload, and its memory, block, mutex and
 * threadcreate profiles must show what it did, where it did it, and nothing of gz. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gz-collector.h"
#include "gz-collector-profiler.h"
#include "gz-test-profiles.h"

#define MIB (1024 * 1024)
#define MSEC G_GINT64_CONSTANT (1000000)
#define RING_FD 3

typedef struct
{
  GSubprocess      *process;
  GOutputStream    *in;
  GDataInputStream *out;
  GzCollector      *collector;
} Target;

/* The target running @workload (with @argument, or NULL) under the preload, writing into a new
 * ring made with @options; its collector made and started while it waits for its first line.
 * @follow_exec: the preload and its ring stay in the program's exec'd images. */
static void
target_start_full (Target               *target,
                   const char           *workload,
                   const char           *argument,
                   const GzRingOptions  *options,
                   gboolean              follow_exec)
{
  const char *preload = g_getenv ("GZ_PRELOAD_LIBRARY");
  const char *program = g_getenv ("GZ_TEST_COLLECTOR_TARGET");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fd_text = g_strdup_printf ("%d", RING_FD);
  GzRing *ring;

  g_assert_nonnull (program);
  ring = gz_ring_new (options, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", preload, TRUE);
  g_subprocess_launcher_setenv (launcher, GZ_RING_ENV, fd_text, TRUE);
  if (follow_exec)
    g_subprocess_launcher_setenv (launcher, "GZ_PRELOAD_INHERIT", "1", TRUE);
  g_subprocess_launcher_take_fd (launcher, dup (gz_ring_get_fd (ring)), RING_FD);
  target->process = g_subprocess_launcher_spawn (launcher, &error, program, workload, argument,
                                                  NULL);
  g_assert_no_error (error);
  target->in = g_subprocess_get_stdin_pipe (target->process);
  target->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (target->process));

  target->collector = gz_collector_new (atoi (g_subprocess_get_identifier (target->process)),
                                        ring, &error);
  g_assert_no_error (error);
  gz_collector_start (target->collector);
}

static void
target_start (Target               *target,
              const char           *workload,
              const char           *argument,
              const GzRingOptions  *options)
{
  target_start_full (target, workload, argument, options, FALSE);
}

/* One run of the workload: "go", then its "done". */
static void
target_run (Target *target)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_output_stream_write_all (target->in, "go\n", 3, NULL, NULL, &error);
  g_assert_no_error (error);
  line = g_data_input_stream_read_line (target->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "done");
}

/* Ends the program, waits for it and does the collector's last drain. */
static void
target_exit (Target *target)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (target->in, "exit\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (target->process, NULL, &error);
  g_assert_no_error (error);
  gz_collector_stop (target->collector);
}

/* Kills the program (SIGKILL: nothing of it runs after) and does the collector's last drain. */
static void
target_kill (Target *target)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_force_exit (target->process);
  g_subprocess_wait (target->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (target->process));
  gz_collector_stop (target->collector);
}

static void
target_clear (Target *target)
{
  if (target->process != NULL)
    g_subprocess_force_exit (target->process);
  g_clear_object (&target->collector);
  g_clear_object (&target->out);
  g_clear_object (&target->process);
}

static gboolean
skip_without_preload (void)
{
  if (g_getenv ("GZ_PRELOAD_LIBRARY") == NULL)
    {
      g_test_skip ("the preload is not built under AddressSanitizer");
      return TRUE;
    }
  return FALSE;
}

static const char *
location_function (GzProfile  *profile,
                   guint64     location_id,
                   guint       line)
{
  GzLocation *location = gz_profile_get_location (profile, location_id);
  GzFunction *function;

  g_assert_nonnull (location);
  if (line >= location->lines->len)
    return NULL;
  function = gz_profile_get_function (profile,
                                      g_array_index (location->lines, GzLine, line).function_id);
  return function != NULL ? function->name : NULL;
}

/* No frame of gz or GLib anywhere; every sample that has a frame named @function reaches main
 * (at least @min_samples of them). */
static void
assert_stacks (GzProfile  *profile,
               const char *function,
               guint       min_samples)
{
  guint n_with_function = 0;

  for (guint i = 0; i < profile->samples->len; i++)
    {
      const GzSample *sample = g_ptr_array_index (profile->samples, i);
      gboolean has_function = FALSE, has_main = FALSE;
      g_autoptr(GString) stack = g_string_new (NULL);

      for (guint j = 0; j < sample->location_ids->len; j++)
        {
          guint64 id = g_array_index (sample->location_ids, guint64, j);
          GzLocation *location = gz_profile_get_location (profile, id);

          for (guint k = 0; k < location->lines->len; k++)
            {
              const char *name = location_function (profile, id, k);

              g_string_append_printf (stack, " %s", name != NULL ? name : "?");
              if (name == NULL)
                continue;
              if (g_str_has_prefix (name, "gz_") || g_str_has_prefix (name, "g_"))
                g_error ("a frame of gz or GLib (%s) in a sample:%s", name, stack->str);
              has_function |= g_str_equal (name, function);
              has_main |= g_str_equal (name, "main");
            }
        }
      if (!has_function)
        continue;
      n_with_function++;
      if (!has_main)
        g_error ("a stack of %s that does not reach main:%s", function, stack->str);
    }
  g_assert_cmpuint (n_with_function, >=, min_samples);
}

/* Writes @profile, reads it back and has go tool pprof read it: @function is in its -top. */
static void
assert_readable (GzProfile  *profile,
                 const char *function)
{
  g_autofree char *path = NULL;
  g_autoptr(GzProfile) read = gz_test_profile_round_trip (profile, &path);
  g_autofree char *top = gz_test_pprof_top (path);

  g_assert_cmpuint (read->samples->len, ==, profile->samples->len);
  if (top != NULL)
    g_assert_nonnull (strstr (top, function));
  g_unlink (path);
}

static gint64
total (GzProfile *profile,
       guint      index)
{
  gint64 sum = 0;

  for (guint i = 0; i < profile->samples->len; i++)
    sum += g_array_index (((GzSample *) g_ptr_array_index (profile->samples, i))->values,
                          gint64, index);
  return sum;
}

static void
assert_memory_truths (GzProfile *profile)
{
  gint64 kept = gz_test_profile_sum (profile, 3, "collector_keep_64mib", NULL, NULL);
  gint64 churn_alloc = gz_test_profile_sum (profile, 1, "collector_churn_64mib", NULL, NULL);
  gint64 churn_inuse = gz_test_profile_sum (profile, 3, "collector_churn_64mib", NULL, NULL);
  gint64 inuse = total (profile, 3);

  for (guint i = 0; i < profile->comments->len; i++)
    g_test_message ("comment: %s", (const char *) g_ptr_array_index (profile->comments, i));

  g_test_message ("inuse_space: %.1f MiB at collector_keep_64mib, %.1f MiB in all; "
                  "collector_churn_64mib: alloc_space %.1f MiB, inuse_space %.1f MiB",
                  (double) kept / MIB, (double) inuse / MIB, (double) churn_alloc / MIB,
                  (double) churn_inuse / MIB);
  g_assert_cmpstr (((GzValueType *) g_ptr_array_index (profile->sample_types, 3))->type, ==,
                   "inuse_space");
  g_assert_cmpint (kept, >=, 64 * MIB * 9 / 10);
  g_assert_cmpint (kept, <=, 64 * MIB * 11 / 10);
  /* Nothing else of size is in use: stdio's buffers at most. */
  g_assert_cmpint (inuse - kept, <, MIB);
  g_assert_cmpint (churn_alloc, >=, 64 * MIB * 9 / 10);
  g_assert_cmpint (churn_alloc, <=, 64 * MIB * 11 / 10);
  g_assert_cmpint (churn_inuse, <, MIB);
  assert_stacks (profile, "collector_keep_64mib", 1);
  assert_stacks (profile, "collector_churn_64mib", 1);
}

/* 64 MiB kept at one function, 64 MiB allocated and freed at another: while the program runs
 * and again after it exited (its leaks), through the collector and through a profiler. */
static void
test_collector_memory (void)
{
  GzRingOptions options = { 0, };
  Target target = { 0, };
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) running = NULL;
  g_autoptr(GzProfile) session = NULL;
  g_autoptr(GzProfile) exited = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_preload ())
    return;

  options.flags = GZ_RING_RECORD_MEMORY;
  options.data_size = 32 * MIB;
  options.stack_bytes = 4096;
  options.memory_rate = 32 * 1024;
  target_start (&target, "memory", NULL, &options);
  profiler = gz_collector_profiler_new (target.collector, GZ_PROFILE_TYPE_MEMORY, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profiler_start (profiler, &error));
  g_assert_no_error (error);

  target_run (&target);
  running = gz_collector_build_profile (target.collector, GZ_PROFILE_TYPE_MEMORY, NULL,
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpint (running->period, ==, 32 * 1024);
  g_assert_cmpstr (running->default_sample_type, ==, "inuse_space");
  assert_memory_truths (running);
  g_assert_cmpuint (gz_collector_get_lost (target.collector), ==, 0);
  g_assert_cmpuint (gz_collector_get_n_records (target.collector), >, 1000);

  /* After the exit: the same stacks, named from what was read while it ran. */
  target_exit (&target);
  session = gz_profiler_stop (profiler, &error);
  g_assert_no_error (error);
  assert_memory_truths (session);
  exited = gz_collector_build_profile (target.collector, GZ_PROFILE_TYPE_MEMORY, NULL, &error);
  g_assert_no_error (error);
  assert_memory_truths (exited);
  assert_readable (exited, "collector_keep_64mib");
  target_clear (&target);
}

/* A mutex held 100 ms five times while one function waits for it: ~500 ms of delay there, in
 * the block and the mutex profile. */
static void
test_collector_contention (void)
{
  GzRingOptions options = { 0, };
  Target target = { 0, };
  g_autoptr(GError) error = NULL;
  GzProfileType types[] = { GZ_PROFILE_TYPE_BLOCK, GZ_PROFILE_TYPE_MUTEX };
  GzProfiler *profilers[G_N_ELEMENTS (types)];

  if (skip_without_preload ())
    return;

  options.flags = GZ_RING_RECORD_BLOCK | GZ_RING_RECORD_MUTEX;
  options.block_rate_ns = 1;
  options.mutex_fraction = 1;
  target_start (&target, "contention", NULL, &options);
  /* A first run before the session, which the session leaves out. */
  target_run (&target);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      profilers[i] = gz_collector_profiler_new (target.collector, types[i], &error);
      g_assert_no_error (error);
      g_assert_true (gz_profiler_start (profilers[i], &error));
      g_assert_no_error (error);
    }
  target_run (&target);
  target_exit (&target);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GzProfile) session = gz_profiler_stop (profilers[i], &error);
      g_autoptr(GzProfile) all = NULL;
      gint64 delay, count, all_delay;

      g_assert_no_error (error);
      delay = gz_test_profile_sum (session, 1, "collector_wait_for_lock", NULL, NULL);
      count = gz_test_profile_sum (session, 0, "collector_wait_for_lock", NULL, NULL);
      all = gz_collector_build_profile (target.collector, types[i], NULL, &error);
      g_assert_no_error (error);
      all_delay = gz_test_profile_sum (all, 1, "collector_wait_for_lock", NULL, NULL);
      g_test_message ("%s: %" G_GINT64_FORMAT " contentions, %.0f ms at collector_wait_for_lock "
                      "in the session, %.0f ms in both runs", gz_profile_type_to_string (types[i]),
                      count, delay / 1e6, all_delay / 1e6);
      g_assert_cmpstr (((GzValueType *) g_ptr_array_index (session->sample_types, 1))->type, ==,
                       "delay");
      g_assert_cmpint (count, >=, 5);
      g_assert_cmpint (delay, >=, 400 * MSEC);
      g_assert_cmpint (delay, <=, 700 * MSEC);
      g_assert_cmpint (all_delay, >=, delay + 400 * MSEC);
      assert_stacks (session, "collector_wait_for_lock", 1);
      assert_readable (session, "collector_wait_for_lock");
      g_object_unref (profilers[i]);
    }
  target_clear (&target);
}

/* Eight threads made by one function, twice: eight in the session of the second run, sixteen
 * in all, after the program was killed. */
static void
test_collector_threadcreate (void)
{
  GzRingOptions options = { 0, };
  Target target = { 0, };
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) session = NULL;
  g_autoptr(GzProfile) all = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_preload ())
    return;

  options.flags = GZ_RING_RECORD_THREADS;
  target_start (&target, "threads", NULL, &options);
  target_run (&target);
  profiler = gz_collector_profiler_new (target.collector, GZ_PROFILE_TYPE_THREADCREATE, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profiler_start (profiler, &error));
  target_run (&target);
  target_kill (&target);
  session = gz_profiler_stop (profiler, &error);
  g_assert_no_error (error);
  all = gz_collector_build_profile (target.collector, GZ_PROFILE_TYPE_THREADCREATE, NULL,
                                    &error);
  g_assert_no_error (error);

  g_assert_cmpint (gz_test_profile_sum (session, 0, "collector_spawn_threads", NULL, NULL), ==, 8);
  g_assert_cmpint (total (session, 0), ==, 8);
  g_assert_cmpint (gz_test_profile_sum (all, 0, "collector_spawn_threads", NULL, NULL), ==, 16);
  assert_stacks (session, "collector_spawn_threads", 1);
  assert_readable (session, "collector_spawn_threads");

  /* A type the ring was not asked to record is refused with a reason. */
  g_assert_null (gz_collector_profiler_new (target.collector, GZ_PROFILE_TYPE_MEMORY, &error));
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED);
  target_clear (&target);
}

/* A program that execs itself (the preload and its ring inherited, GZ_PRELOAD_INHERIT): the
 * records of the new image unwind and are named in its modules. */
static void
test_collector_exec (void)
{
  GzRingOptions options = { 0, };
  Target target = { 0, };
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gint64 kept;

  if (skip_without_preload ())
    return;

  options.flags = GZ_RING_RECORD_MEMORY;
  options.data_size = 32 * MIB;
  options.stack_bytes = 4096;
  options.memory_rate = 32 * 1024;
  target_start_full (&target, "exec", "memory", &options, TRUE);
  /* The first line makes it exec; the new image runs the memory workload on the second. */
  g_output_stream_write_all (target.in, "exec\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  target_run (&target);
  gz_collector_mark_free (gz_collector_mark (target.collector));
  target_exit (&target);
  profile = gz_collector_build_profile (target.collector, GZ_PROFILE_TYPE_MEMORY, NULL, &error);
  g_assert_no_error (error);

  kept = gz_test_profile_sum (profile, 3, "collector_keep_64mib", NULL, NULL);
  g_test_message ("inuse_space at collector_keep_64mib after the exec: %.1f MiB",
                  (double) kept / MIB);
  g_assert_cmpint (kept, >=, 64 * MIB * 9 / 10);
  g_assert_cmpint (kept, <=, 64 * MIB * 11 / 10);
  assert_stacks (profile, "collector_keep_64mib", 1);
  target_clear (&target);
}

/* A ring too small for what the program writes: the program goes on, the profile is valid and
 * says how many records were lost. */
static void
test_collector_overflow (void)
{
  GzRingOptions options = { 0, };
  Target target = { 0, };
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  guint64 lost;

  if (skip_without_preload ())
    return;

  options.flags = GZ_RING_RECORD_MEMORY;
  options.data_size = 64 * 1024;
  options.stack_bytes = 8192;
  options.memory_rate = 4096;
  target_start (&target, "memory", NULL, &options);
  target_run (&target);
  target_exit (&target);
  profile = gz_collector_build_profile (target.collector, GZ_PROFILE_TYPE_MEMORY, NULL, &error);
  g_assert_no_error (error);

  lost = gz_collector_get_lost (target.collector);
  g_test_message ("%" G_GUINT64_FORMAT " records read, %" G_GUINT64_FORMAT " lost",
                  gz_collector_get_n_records (target.collector), lost);
  g_assert_cmpuint (lost, >, 0);
  line = g_strdup_printf ("%" G_GUINT64_FORMAT " records lost: the ring was full", lost);
  g_assert_true (g_ptr_array_find_with_equal_func (profile->comments, line, g_str_equal, NULL));
  g_assert_cmpint (gz_test_profile_sum (profile, 1, "collector_keep_64mib", NULL, NULL), >, 0);
  assert_stacks (profile, "collector_keep_64mib", 1);
  assert_readable (profile, "collector_keep_64mib");
  target_clear (&target);
}

/* The preload's fallback CPU ticks (where perf events are refused): 300 ms of CPU in one
 * function at 100 Hz. */
static void
test_collector_cpu (void)
{
  GzRingOptions options = { 0, };
  Target target = { 0, };
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gint64 spin, samples, all;

  if (skip_without_preload ())
    return;

  options.flags = GZ_RING_RECORD_CPU;
  options.cpu_hz = 100;
  target_start (&target, "spin", NULL, &options);
  target_run (&target);
  target_exit (&target);
  profile = gz_collector_build_profile (target.collector, GZ_PROFILE_TYPE_CPU, NULL, &error);
  g_assert_no_error (error);

  spin = gz_test_profile_sum (profile, 1, "collector_spin", NULL, NULL);
  samples = gz_test_profile_sum (profile, 0, "collector_spin", NULL, NULL);
  all = total (profile, 1);
  g_test_message ("cpu: %" G_GINT64_FORMAT " samples, %.0f ms at collector_spin of %.0f ms",
                  samples, spin / 1e6, all / 1e6);
  g_assert_cmpint (profile->period, ==, 10 * MSEC);
  g_assert_cmpint (spin, >=, 200 * MSEC);
  g_assert_cmpint (spin, <=, 450 * MSEC);
  g_assert_cmpint (spin, >=, all * 8 / 10);
  assert_stacks (profile, "collector_spin", 1);
  assert_readable (profile, "collector_spin");
  target_clear (&target);
}

/* 8 MiB kept by a module loaded with dlopen after the collector read the process's modules:
 * its stacks unwind through it and name it, also once the program exited. */
static void
test_collector_dlopen (void)
{
  GzRingOptions options = { 0, };
  Target target = { 0, };
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gint64 kept;

  if (skip_without_preload ())
    return;

  options.flags = GZ_RING_RECORD_MEMORY;
  options.stack_bytes = 4096;
  options.memory_rate = 16 * 1024;
  target_start (&target, "plugin", g_getenv ("GZ_TEST_COLLECTOR_PLUGIN"), &options);
  target_run (&target);
  /* Read while it runs, as a program that lives on after a dlopen is: a program that exits
   * within milliseconds of its records may be gone before they are read, its maps with it. */
  gz_collector_mark_free (gz_collector_mark (target.collector));
  target_exit (&target);
  profile = gz_collector_build_profile (target.collector, GZ_PROFILE_TYPE_MEMORY, NULL, &error);
  g_assert_no_error (error);

  kept = gz_test_profile_sum (profile, 3, "collector_plugin_keep_8mib", NULL, NULL);
  g_test_message ("inuse_space at collector_plugin_keep_8mib: %.2f MiB", (double) kept / MIB);
  g_assert_cmpint (kept, >=, 8 * MIB * 85 / 100);
  g_assert_cmpint (kept, <=, 8 * MIB * 115 / 100);
  assert_stacks (profile, "collector_plugin_keep_8mib", 1);
  assert_readable (profile, "collector_plugin_keep_8mib");
  target_clear (&target);
}

/* A ring no preload ever attached to: valid, empty profiles of every type it serves, before
 * and after the stop; goroutine and a pid that does not exist are refused with one line. Runs
 * without the preload (under AddressSanitizer too). */
static void
test_collector_idle (void)
{
  GzRingOptions options = { 0, };
  g_autoptr(GzCollector) collector = NULL;
  g_autoptr(GzProfile) goroutine = NULL;
  g_autoptr(GError) error = NULL;
  GzProfileType types[] = { GZ_PROFILE_TYPE_MEMORY, GZ_PROFILE_TYPE_BLOCK, GZ_PROFILE_TYPE_MUTEX,
                            GZ_PROFILE_TYPE_THREADCREATE, GZ_PROFILE_TYPE_CPU };
  GzRing *ring;
  int status;
  GPid pid;

  /* A process that is gone (reaped): refused. */
  {
    const char *argv[] = { "/bin/true", NULL };

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                  NULL, &pid, &error));
    g_assert_no_error (error);
    g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
    g_spawn_close_pid (pid);
  }
  ring = gz_ring_new (&options, &error);
  g_assert_no_error (error);
  g_assert_null (gz_collector_new (pid, ring, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  options.flags = GZ_RING_RECORD_MEMORY | GZ_RING_RECORD_BLOCK | GZ_RING_RECORD_MUTEX |
                  GZ_RING_RECORD_THREADS | GZ_RING_RECORD_CPU;
  ring = gz_ring_new (&options, &error);
  g_assert_no_error (error);
  collector = gz_collector_new (getpid (), ring, &error);
  g_assert_no_error (error);
  gz_collector_start (collector);
  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (types); i++)
        {
          g_autoptr(GzProfile) profile = gz_collector_build_profile (collector, types[i], NULL,
                                                                     &error);

          g_assert_no_error (error);
          g_assert_cmpuint (profile->samples->len, ==, 0);
          g_assert_cmpuint (profile->sample_types->len, >, 0);
        }
      gz_collector_stop (collector);
    }
  g_assert_cmpuint (gz_collector_get_n_records (collector), ==, 0);
  g_assert_cmpuint (gz_collector_get_last_time_ns (collector), ==, 0);
  goroutine = gz_collector_build_profile (collector, GZ_PROFILE_TYPE_GOROUTINE, NULL, &error);
  g_assert_null (goroutine);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/collector/idle", test_collector_idle);
  g_test_add_func ("/collector/memory", test_collector_memory);
  g_test_add_func ("/collector/contention", test_collector_contention);
  g_test_add_func ("/collector/threadcreate", test_collector_threadcreate);
  g_test_add_func ("/collector/dlopen", test_collector_dlopen);
  g_test_add_func ("/collector/cpu", test_collector_cpu);
  g_test_add_func ("/collector/overflow", test_collector_overflow);
  g_test_add_func ("/collector/exec", test_collector_exec);

  return g_test_run ();
}
