/* gz-test-quiet.c: the kernel's counters of a thread, the process or its children before and
 * after a timed window, and what they say about other programs taking the CPU meanwhile. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "gz-test-quiet.h"

static gint64
clock_ns (clockid_t clock)
{
  struct timespec ts;

  g_assert_cmpint (clock_gettime (clock, &ts), ==, 0);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* /proc/thread-self/schedstat: time on a CPU, time runnable but waiting (ns), time slices. The
 * waiting time is brought up to date when the thread gets a CPU, so it is exact for a thread
 * reading its own. */
static void
thread_schedstat (gint64 *waiting)
{
  g_autofree char *text = NULL;
  char *end;

  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL))
    return;
  g_ascii_strtoll (text, &end, 10);
  *waiting = g_ascii_strtoll (end, NULL, 10);
}

/* The machine's steal time (the 8th figure of /proc/stat's "cpu" line, in clock ticks). */
static gint64
steal_ns (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL) || !g_str_has_prefix (text, "cpu "))
    return 0;
  *strchr (text, '\n') = '\0';
  fields = g_strsplit_set (text + 4, " ", -1);
  for (guint i = 0, n = 0; fields[i] != NULL; i++)
    if (fields[i][0] != '\0' && ++n == 8)
      return g_ascii_strtoll (fields[i], NULL, 10) * (1000000000 / sysconf (_SC_CLK_TCK));
  return 0;
}

static void
sample (GzTestQuietScope scope,
        gint64          *cpu,
        gint64          *delay,
        glong           *involuntary)
{
  struct rusage usage;
  int who = scope == GZ_TEST_QUIET_THREAD ? RUSAGE_THREAD
            : scope == GZ_TEST_QUIET_PROCESS ? RUSAGE_SELF : RUSAGE_CHILDREN;

  g_assert_cmpint (getrusage (who, &usage), ==, 0);
  *involuntary = usage.ru_nivcsw;
  *delay = -1;
  switch (scope)
    {
    case GZ_TEST_QUIET_THREAD:
      /* schedstat's own CPU time lags by up to a tick for a running thread: the CPU clock. */
      *cpu = clock_ns (CLOCK_THREAD_CPUTIME_ID);
      thread_schedstat (delay);
      break;
    case GZ_TEST_QUIET_PROCESS:
      /* Also counts the threads that ended (RUSAGE_SELF too). */
      *cpu = clock_ns (CLOCK_PROCESS_CPUTIME_ID);
      break;
    case GZ_TEST_QUIET_CHILDREN:
    case GZ_TEST_QUIET_PROGRAM:
    default:
      *cpu = ((gint64) usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000
             + ((gint64) usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000;
      break;
    }
}

void
gz_test_quiet_begin (GzTestQuiet      *quiet,
                     GzTestQuietScope  scope,
                     guint             busy)
{
  *quiet = (GzTestQuiet) { .scope = scope, .busy = busy };
  quiet->start_steal = steal_ns ();
  sample (scope, &quiet->start_cpu, &quiet->start_delay, &quiet->start_involuntary);
  quiet->start_wall = clock_ns (CLOCK_MONOTONIC);
}

static int
parent_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *after;

  /* "pid (comm) state ppid ...": the comm may hold anything but ends at the last ')'. */
  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  return atoi (after + 4);
}

static gboolean
descends_from_us (int pid)
{
  for (guint depth = 0; depth < 8 && pid > 1; depth++)
    if ((pid = parent_of (pid)) == getpid ())
      return TRUE;
  return FALSE;
}

/* The first process of ours (a child, or theirs) whose comm is @name: its pid, or 0. */
static int
find_program (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *comm = NULL;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/comm", entry);
      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strchomp (comm), name)
          && descends_from_us (atoi (entry)))
        return atoi (entry);
    }
  return 0;
}

/* Polls the program's schedstat until it ends (or the window does); the last reading stands. */
static gpointer
watch_program (gpointer data)
{
  GzTestQuiet *quiet = data;
  g_autofree char *path = NULL;
  int pid = 0;

  while (!g_atomic_int_get (&quiet->stop))
    {
      g_autofree char *text = NULL;

      if (pid == 0 && (pid = find_program (quiet->program)) != 0)
        path = g_strdup_printf ("/proc/%d/schedstat", pid);
      if (path != NULL && g_file_get_contents (path, &text, NULL, NULL))
        {
          char *end;
          gint64 cpu = g_ascii_strtoll (text, &end, 10);
          gint64 delay = g_ascii_strtoll (end, NULL, 10);

          quiet->seen_cpu = cpu;
          quiet->seen_delay = delay;
        }
      else if (path != NULL)
        break;
      g_usleep (10 * 1000);
    }
  return NULL;
}

void
gz_test_quiet_begin_program (GzTestQuiet *quiet,
                             const char  *name)
{
  gz_test_quiet_begin (quiet, GZ_TEST_QUIET_PROGRAM, 1);
  quiet->program = g_strndup (name, 15);
  quiet->watcher = g_thread_new ("gz-test-quiet", watch_program, quiet);
}

void
gz_test_quiet_end (GzTestQuiet *quiet)
{
  gint64 wall = clock_ns (CLOCK_MONOTONIC);
  gint64 cpu, delay;
  glong involuntary;

  if (quiet->watcher != NULL)
    {
      g_atomic_int_set (&quiet->stop, TRUE);
      g_thread_join (g_steal_pointer (&quiet->watcher));
      g_clear_pointer (&quiet->program, g_free);
    }
  sample (quiet->scope, &cpu, &delay, &involuntary);
  if (quiet->scope == GZ_TEST_QUIET_PROGRAM)
    {
      /* The program's own time stands for the window: its start and gz-cli's are idle. */
      quiet->start_wall = 0;
      quiet->start_cpu = 0;
      quiet->start_delay = 0;
      wall = quiet->seen_cpu + quiet->seen_delay;
      cpu = quiet->seen_cpu;
      delay = quiet->seen_delay;
    }
  quiet->wall_ns = wall - quiet->start_wall;
  quiet->cpu_ns = cpu - quiet->start_cpu;
  quiet->lost_ns = MAX (0, (gint64) quiet->busy * quiet->wall_ns - quiet->cpu_ns);
  quiet->run_delay_ns = delay >= 0 && quiet->start_delay >= 0 ? delay - quiet->start_delay : -1;
  quiet->involuntary = involuntary - quiet->start_involuntary;
  quiet->steal_ns = MAX (0, steal_ns () - quiet->start_steal);
}

gboolean
gz_test_quiet_disturbed (const GzTestQuiet *quiet,
                         double             fraction)
{
  double limit = fraction * (double) quiet->wall_ns;

  /* Measured time only: an involuntary switch may cost microseconds (the kernel's own work, a
   * profiler's signal) or a whole time slice; the CPU clock against the wall clock tells. */
  return (double) quiet->lost_ns > limit * MAX (quiet->busy, 1)
         || (double) quiet->run_delay_ns > limit;
}

void
gz_test_quiet_add (GzTestQuiet       *total,
                   const GzTestQuiet *quiet)
{
  total->scope = quiet->scope;
  total->busy = MAX (total->busy, quiet->busy);
  total->wall_ns += quiet->wall_ns;
  total->cpu_ns += quiet->cpu_ns;
  total->lost_ns += quiet->lost_ns;
  if (quiet->run_delay_ns >= 0)
    total->run_delay_ns = MAX (total->run_delay_ns, 0) + quiet->run_delay_ns;
  total->steal_ns += quiet->steal_ns;
  total->involuntary += quiet->involuntary;
}

char *
gz_test_quiet_describe (const GzTestQuiet *quiet)
{
  g_autofree char *delay = quiet->run_delay_ns > 0
    ? g_strdup_printf ("waiting for a CPU %.1f ms, ", quiet->run_delay_ns / 1e6)
    : g_strdup ("");

  return g_strdup_printf ("other programs kept the measured threads from running %.1f ms of %.1f ms (%s%ld "
                          "involuntary switches, steal %.0f ms; load %.1f on %u CPUs)",
                          quiet->lost_ns / 1e6, quiet->wall_ns / 1e6 * MAX (quiet->busy, 1),
                          delay, quiet->involuntary, quiet->steal_ns / 1e6,
                          gz_test_quiet_load (), g_get_num_processors ());
}

double
gz_test_quiet_load (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return 0.0;
  return g_ascii_strtod (text, NULL);
}

gboolean
gz_test_quiet_machine_busy (void)
{
  return gz_test_quiet_load () > 1.5 * g_get_num_processors ();
}
