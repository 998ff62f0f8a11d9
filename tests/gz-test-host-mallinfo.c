/* gz-test-host-mallinfo.c: a plain program that keeps 10 MiB in 1 KiB blocks from hold_10mib()
 * (small blocks: glibc's heap, not its mmap'd chunks) and prints what glibc's own allocator
 * says it holds: "uordblks N". */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKS 10240

static void *volatile kept[BLOCKS];

__attribute__ ((noinline, noipa)) static void
hold_10mib (void)
{
  for (int i = 0; i < BLOCKS; i++)
    {
      kept[i] = malloc (1024);
      memset (kept[i], i & 0x7f, 1024);
    }
}

int
main (void)
{
  struct mallinfo2 info;

  hold_10mib ();
  info = mallinfo2 ();
  printf ("uordblks %zu\n", info.uordblks);
  return 0;
}
