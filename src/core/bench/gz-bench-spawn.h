/* gz-bench-spawn.h: what gz-bench-spawn (the small program each command run goes through)
 * reports to gz-command-bench on its pipe. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/resource.h>

typedef struct
{
  int           spawn_errno; /* 0, or why PROGRAM could not start */
  int           wait_status; /* as from wait4 */
  long long     wall_nanos;  /* from just before the spawn to the exit */
  struct rusage usage;       /* PROGRAM's (and its waited-for children's) */
} GzBenchSpawnReport;
