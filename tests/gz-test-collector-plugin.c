/* gz-test-collector-plugin.c: a module that gz-test-collector-target loads with dlopen once its
 * collector runs, so that its allocations' stacks pass through code mapped after the collector
 * read the process's modules. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdlib.h>
#include <string.h>

void collector_plugin_keep_8mib (void **blocks, int n_blocks);

/* Keeps @n_blocks blocks of 1 KiB in @blocks. */
__attribute__ ((noinline, noipa)) void
collector_plugin_keep_8mib (void **blocks,
                            int    n_blocks)
{
  for (int i = 0; i < n_blocks; i++)
    {
      blocks[i] = malloc (1024);
      memset (blocks[i], i & 0xff, 16);
    }
}
