/* gz-test-legacy-spin.c: a plain C program (no gz inside) that spins for about half a second of
 * CPU in two functions, hot and cold, and exits normally: gperftools' libprofiler, preloaded
 * with CPUPROFILE set, writes its legacy CPU profile at exit (test-cli-top). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void
hot (void)
{
  for (int i = 0; i < 1000; i++)
    sink += i * sink;
}

__attribute__((noinline)) static void
cold (void)
{
  for (int i = 0; i < 300; i++)
    sink += i;
}

int
main (void)
{
  clock_t end = clock () + CLOCKS_PER_SEC / 2;

  while (clock () < end)
    {
      hot ();
      cold ();
    }
  return 0;
}
