/* gz-test-host-sigmask.c: a plain program that blocks every signal in every thread (the mask is
 * set in main before its threads are made): two threads spin in spin_first() and spin_second()
 * for 0.4 s of CPU each. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static volatile uint64_t sink;

static int64_t
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__ ((noinline, noipa)) static void *
spin_first (void *data)
{
  int64_t start = thread_cpu_ns ();
  uint64_t x = 5;

  while (thread_cpu_ns () - start < 400000000)
    for (int i = 0; i < 2000; i++)
      x = x * 2862933555777941757ULL + 7;
  sink += x;
  return NULL;
}

__attribute__ ((noinline, noipa)) static void *
spin_second (void *data)
{
  int64_t start = thread_cpu_ns ();
  uint64_t x = 9;

  while (thread_cpu_ns () - start < 400000000)
    for (int i = 0; i < 2000; i++)
      x ^= x << 11, x ^= x >> 5, x ^= x << 3;
  sink += x;
  return NULL;
}

int
main (void)
{
  pthread_t first, second;
  sigset_t all;

  sigfillset (&all);
  if (pthread_sigmask (SIG_BLOCK, &all, NULL) != 0)
    return 2;
  if (pthread_create (&first, NULL, spin_first, NULL) != 0 ||
      pthread_create (&second, NULL, spin_second, NULL) != 0)
    return 2;
  pthread_join (first, NULL);
  pthread_join (second, NULL);
  return 0;
}
