/* gz-test-perf-target.c: a plain C program (no gz inside, started without gz) for CPU profiles
 * by --pid through perf events. It prints "ready", waits for a line on stdin, then works:
 * `split N`: N turns of 70/30 CPU between spin_a and spin_b, then prints each one's own thread
 * CPU time; `thread`: starts a thread that spins in thread_spin and prints its CPU time. Then
 * it waits for stdin to close (or, with `--exit` first, exits at once). Built twice: with frame
 * pointers and with -fomit-frame-pointer. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))

static volatile uint64_t sink;

static int64_t
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

NOINLINE static void
spin_for (int64_t cpu_ns)
{
  int64_t start = thread_cpu_ns ();

  /* The clock is a system call: few of them, so that nearly all the time is in user space,
   * the only time perf events sample where perf_event_paranoid is 2. */
  do
    for (int i = 0; i < 100000; i++)
      sink = sink * 6364136223846793005u + 1442695040888963407u;
  while (thread_cpu_ns () - start < cpu_ns);
}

/* Turns of 350 and 150 ms of CPU: many sampling periods each, so a turn's boundary costs at
 * most a sample. Each returns the thread CPU time it took. */
NOINLINE static int64_t
spin_a (void)
{
  int64_t start = thread_cpu_ns ();

  spin_for (350000000);
  return thread_cpu_ns () - start;
}

NOINLINE static int64_t
spin_b (void)
{
  int64_t start = thread_cpu_ns ();

  spin_for (150000000);
  sink ^= 1;
  return thread_cpu_ns () - start;
}

NOINLINE static void *
thread_spin (void *data)
{
  int64_t *took = data;
  int64_t start = thread_cpu_ns ();

  spin_for (400000000);
  *took = thread_cpu_ns () - start;
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  char line[64];
  int exit_at_once = argc > 1 && strcmp (argv[1], "--exit") == 0;
  const char *mode = argc > 1 + exit_at_once ? argv[1 + exit_at_once] : "split";

  printf ("ready %d\n", (int) getpid ());
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return 1;

  if (strcmp (mode, "split") == 0)
    {
      int turns = argc > 2 + exit_at_once ? atoi (argv[2 + exit_at_once]) : 4;
      int64_t a = 0, b = 0;

      for (int i = 0; i < turns; i++)
        {
          a += spin_a ();
          b += spin_b ();
        }
      printf ("spin_a %lld\nspin_b %lld\n", (long long) a, (long long) b);
    }
  else if (strcmp (mode, "thread") == 0)
    {
      pthread_t thread;
      int64_t took = 0;

      if (pthread_create (&thread, NULL, thread_spin, &took) != 0)
        return 1;
      pthread_join (thread, NULL);
      printf ("thread_spin %lld\n", (long long) took);
    }
  else
    {
      fprintf (stderr, "unknown mode %s\n", mode);
      return 2;
    }
  printf ("done\n");
  fflush (stdout);
  if (exit_at_once)
    return 0;
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  return 0;
}
