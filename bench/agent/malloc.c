/* bench/agent/malloc.c: fixed malloc-heavy work (~1 s of 16-128 byte malloc/free), plain C. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SLOTS 4096

int
main (int argc, char **argv)
{
  uint64_t n = argc > 1 ? strtoull (argv[1], NULL, 10) : 70000000ULL;
  static void *slot[SLOTS];
  uint64_t x = 88172645463325252ULL, sum = 0;

  for (uint64_t i = 0; i < n; i++)
    {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      size_t k = x % SLOTS;
      free (slot[k]);
      slot[k] = malloc (16 + (x >> 32) % 113);
      ((volatile char *) slot[k])[0] = (char) i;
      sum += (uintptr_t) slot[k] & 0xff;
    }
  for (size_t k = 0; k < SLOTS; k++)
    free (slot[k]);
  printf ("%llu\n", (unsigned long long) sum);
  return 0;
}
