/* gz-test-host-sigprof.c: a plain program with its own SIGPROF handler and ITIMER_PROF (as a
 * program with a profiler of its own has): it spins in spin_with_own_timer() for 0.5 s of CPU
 * at 100 ticks per CPU second and prints how many ticks its handler got ("ticks N"). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t ticks;
static volatile uint64_t sink;

static void
on_sigprof (int signum)
{
  ticks++;
}

static int64_t
cpu_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__ ((noinline, noipa)) static void
spin_with_own_timer (int64_t ns)
{
  int64_t start = cpu_now_ns ();
  uint64_t x = 3;

  while (cpu_now_ns () - start < ns)
    for (int i = 0; i < 2000; i++)
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  sink += x;
}

int
main (void)
{
  struct sigaction action;
  struct itimerval timer = { { 0, 10000 }, { 0, 10000 } };
  struct itimerval off = { { 0, 0 }, { 0, 0 } };

  memset (&action, 0, sizeof action);
  action.sa_handler = on_sigprof;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  if (sigaction (SIGPROF, &action, NULL) != 0 || setitimer (ITIMER_PROF, &timer, NULL) != 0)
    return 2;
  spin_with_own_timer (500000000);
  setitimer (ITIMER_PROF, &off, NULL);
  printf ("ticks %d\n", (int) ticks);
  return 0;
}
