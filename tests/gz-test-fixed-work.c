/* gz-test-fixed-work.c: a program whose work is known, for the command benchmarks: WORK
 * million steps of arithmetic (time proportional to WORK), then MIB mebibytes of memory touched
 * (peak RSS that much above the program's own).
 *
 * Usage: gz-test-fixed-work WORK [MIB] */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int    argc,
      char **argv)
{
  double work = argc > 1 ? atof (argv[1]) : 1;
  long mib = argc > 2 ? atol (argv[2]) : 0;
  uint64_t steps = (uint64_t) (work * 1e6), x = 88172645463325252ULL;
  char *memory = NULL;

  if (argc < 2 || work < 0 || mib < 0)
    {
      fprintf (stderr, "usage: %s WORK [MIB]\n", argv[0]);
      return 2;
    }
  /* xorshift64: a dependent chain the compiler cannot shorten. */
  for (uint64_t i = 0; i < steps; i++)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
  /* After the work: a profile of a run, which starts a little after the program, sees it. */
  if (mib > 0)
    {
      memory = malloc ((size_t) mib << 20);
      if (memory == NULL)
        return 1;
      /* Every page written, so that every page is resident. */
      memset (memory, 1, (size_t) mib << 20);
    }
  printf ("%llu %d\n", (unsigned long long) x, memory != NULL ? memory[mib << 19] : 0);
  free (memory);
  return 0;
}
