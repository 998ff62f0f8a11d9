/* gz-test-target-truth.c: a plain C program (no gz inside) with a known truth per profile type,
 * for `gz-cli profile start -- COMMAND`: `cpu N` splits N turns of CPU between spin_a and
 * spin_b and prints each one's own thread CPU time; `memory` keeps a known number of bytes
 * from keep_bytes; `mutex`, `block` and `threadcreate` contend a mutex in contend_mutex, block
 * threads on a condition in wait_on_condition, and create threads in create_threads. Every mode
 * first waits a moment, so that the session has started when the work begins. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
#define START_DELAY_US 500000
#define CPU_EXTRA_DELAY_US 1000000

static volatile uint64_t sink;

static int64_t
clock_ns (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

NOINLINE static void
spin_for (int64_t cpu_ns)
{
  int64_t start = clock_ns (CLOCK_THREAD_CPUTIME_ID);

  do
    for (int i = 0; i < 2000; i++)
      sink = sink * 6364136223846793005u + 1442695040888963407u;
  while (clock_ns (CLOCK_THREAD_CPUTIME_ID) - start < cpu_ns);
}

/* Each returns the thread CPU time it took, measured at its own entry and exit. Turns of about
 * 357 and 153 ms of CPU, each many sampling periods long: samples come at regular steps of the
 * process' CPU time (give or take a tick), so a turn's count is off by a boundary sample at
 * most, not by a coin toss per sample. Long turns keep those boundary errors small. */
NOINLINE static int64_t
spin_a (void)
{
  int64_t start = clock_ns (CLOCK_THREAD_CPUTIME_ID);

  spin_for (356500000);
  return clock_ns (CLOCK_THREAD_CPUTIME_ID) - start;
}

NOINLINE static int64_t
spin_b (void)
{
  int64_t start = clock_ns (CLOCK_THREAD_CPUTIME_ID);

  spin_for (152500000);
  sink ^= 1;
  return clock_ns (CLOCK_THREAD_CPUTIME_ID) - start;
}

static int
run_cpu (int turns)
{
  int64_t a = 0, b = 0;

  for (int i = 0; i < turns; i++)
    {
      a += spin_a ();
      b += spin_b ();
    }
  printf ("spin_a %lld\nspin_b %lld\n", (long long) a, (long long) b);
  return 0;
}

#define KEEP_BLOCK (64 * 1024)
#define KEEP_TOTAL (64 * 1024 * 1024)

NOINLINE static void **
keep_bytes (size_t total,
            size_t block)
{
  size_t n = total / block;
  void **blocks = calloc (n, sizeof (void *));

  for (size_t i = 0; i < n; i++)
    {
      blocks[i] = malloc (block);
      memset (blocks[i], 1, block);
    }
  return blocks;
}

static int
run_memory (double seconds)
{
  void **kept = keep_bytes (KEEP_TOTAL, KEEP_BLOCK);

  printf ("kept %d\n", KEEP_TOTAL);
  fflush (stdout);
  usleep ((useconds_t) (seconds * 1e6));
  sink += (uintptr_t) kept[0];
  return 0;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static volatile int stop;

NOINLINE static void *
contend_mutex (void *data)
{
  while (!stop)
    {
      pthread_mutex_lock (&lock);
      spin_for (200000);
      pthread_mutex_unlock (&lock);
    }
  return NULL;
}

NOINLINE static void *
wait_on_condition (void *data)
{
  pthread_mutex_lock (&lock);
  while (!stop)
    pthread_cond_wait (&cond, &lock);
  pthread_mutex_unlock (&lock);
  return NULL;
}

static int
run_threads (void *(*worker) (void *),
             double seconds)
{
  pthread_t threads[4];

  for (int i = 0; i < 4; i++)
    pthread_create (&threads[i], NULL, worker, NULL);
  if (worker == wait_on_condition)
    {
      /* Wake them now and then: each wait is a blocking event that ends. */
      int64_t end = clock_ns (CLOCK_MONOTONIC) + (int64_t) (seconds * 1e9);

      while (clock_ns (CLOCK_MONOTONIC) < end)
        {
          usleep (20000);
          pthread_mutex_lock (&lock);
          pthread_cond_broadcast (&cond);
          pthread_mutex_unlock (&lock);
        }
    }
  else
    usleep ((useconds_t) (seconds * 1e6));
  pthread_mutex_lock (&lock);
  stop = 1;
  pthread_cond_broadcast (&cond);
  pthread_mutex_unlock (&lock);
  for (int i = 0; i < 4; i++)
    pthread_join (threads[i], NULL);
  return 0;
}

static void *
short_lived (void *data)
{
  return data;
}

NOINLINE static void
create_threads (int n)
{
  for (int i = 0; i < n; i++)
    {
      pthread_t thread;

      pthread_create (&thread, NULL, short_lived, NULL);
      pthread_join (thread, NULL);
    }
}

static int
run_threadcreate (double seconds)
{
  create_threads (16);
  usleep ((useconds_t) (seconds * 1e6));
  return 0;
}

int
main (int    argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "";
  double seconds = argc > 2 ? atof (argv[2]) : 1.0;

  usleep (START_DELAY_US);
  /* The split is exact over whole turns: begin well inside the session, and end with the
   * program, so that the profile covers every turn. */
  if (strcmp (mode, "cpu") == 0)
    {
      usleep (CPU_EXTRA_DELAY_US);
      return run_cpu ((int) seconds);
    }
  if (strcmp (mode, "memory") == 0)
    return run_memory (seconds);
  if (strcmp (mode, "mutex") == 0)
    return run_threads (contend_mutex, seconds);
  if (strcmp (mode, "block") == 0)
    return run_threads (wait_on_condition, seconds);
  if (strcmp (mode, "threadcreate") == 0)
    return run_threadcreate (seconds);
  if (strcmp (mode, "exit") == 0)
    return (int) seconds;
  fprintf (stderr, "usage: %s cpu TURNS | memory|mutex|block|threadcreate SECONDS | exit "
           "STATUS\n",
           argv[0]);
  return 2;
}
