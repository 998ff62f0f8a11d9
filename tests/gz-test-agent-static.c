/* gz-test-agent-static.c: a statically linked program, which gz_agent_can_preload refuses. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>

int
main (void)
{
  puts ("static");
  return 0;
}
