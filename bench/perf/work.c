/* bench/perf/work.c: fixed CPU work timed by the process itself, for the cost of being sampled:
 * prints "ready", waits for a line on stdin (the sampler is attached by then), runs WORK
 * million xorshift steps in a call chain through libc (qsort's comparator), and prints the
 * wall and CPU nanoseconds the work took. Usage: work WORK */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t state = 88172645463325252ULL;

static int64_t
now_ns (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Work under a libc frame (qsort has no frame pointers on Debian), as a real program's stacks
 * often are, so that the DWARF unwinders have their usual job. */
static int
compare (const void *a,
         const void *b)
{
  for (int i = 0; i < 2000; i++)
    {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
    }
  return (*(const int *) a > *(const int *) b) - (*(const int *) a < *(const int *) b);
}

int
main (int    argc,
      char **argv)
{
  double work = argc > 1 ? atof (argv[1]) : 500;
  long calls = (long) (work * 1e6 / 2000);
  int items[64];
  char line[16];
  int64_t wall, cpu;

  printf ("ready\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return 1;
  wall = now_ns (CLOCK_MONOTONIC);
  cpu = now_ns (CLOCK_PROCESS_CPUTIME_ID);
  while (calls > 0)
    {
      for (int i = 0; i < 64; i++)
        items[i] = (int) ((63 - i) * 2654435761u);
      qsort (items, 64, sizeof items[0], compare);
      calls -= 64 * 6; /* about n log n comparisons */
    }
  printf ("%lld %lld %llu\n", (long long) (now_ns (CLOCK_MONOTONIC) - wall),
          (long long) (now_ns (CLOCK_PROCESS_CPUTIME_ID) - cpu), (unsigned long long) (state & 1));
  fflush (stdout);
  return 0;
}
