/* gz-bench-spawn.c: the small program gz-command-bench starts each run through, so that the
 * command's peak RSS is its own: a process created from a large one carries that one's peak
 * into wait4's ru_maxrss, one created from this small one only this one's (about 1 MiB, less
 * than any dynamically linked program's own).
 *
 * Usage: gz-bench-spawn FD PROGRAM [ARG…]: runs PROGRAM (found in $PATH) with everything this
 * process has, waits for it and writes one GzBenchSpawnReport to FD; exits 0 once written. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gz-bench-spawn.h"

extern char **environ;

static long long
now_nanos (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main (int    argc,
      char **argv)
{
  GzBenchSpawnReport report;
  siginfo_t info;
  long long start;
  pid_t pid;
  int fd, status;
  ssize_t written;

  if (argc < 3)
    return 125;
  fd = atoi (argv[1]);
  memset (&report, 0, sizeof report);
  start = now_nanos ();
  report.spawn_errno = posix_spawnp (&pid, argv[2], NULL, NULL, argv + 2, environ);
  if (report.spawn_errno == 0)
    {
      /* Timed at the exit, before the rusage is collected. */
      while (waitid (P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
      report.wall_nanos = now_nanos () - start;
      while (wait4 (pid, &status, 0, &report.usage) < 0 && errno == EINTR)
        ;
      report.wait_status = status;
    }
  written = write (fd, &report, sizeof report);
  return written == (ssize_t) sizeof report ? 0 : 125;
}
