/* bench/agent/cpu.c: fixed CPU-bound work (splitmix64 loop, ~1 s), plain C, for the agent's cost. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  uint64_t n = argc > 1 ? strtoull (argv[1], NULL, 10) : 800000000ULL;
  uint64_t x = 1, acc = 0;

  for (uint64_t i = 0; i < n; i++)
    {
      uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      acc ^= z ^ (z >> 31);
    }
  printf ("%llu\n", (unsigned long long) acc);
  return 0;
}
