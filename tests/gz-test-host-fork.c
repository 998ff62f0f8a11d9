/* gz-test-host-fork.c: a plain program that test-hosts runs under gz-cli's memory sessions:
 * it keeps 8 MiB from parent_keep(), then forks children that allocate a little and _exit, or
 * forks and execs PROGRAM, and exits 7 once every child exited 0 (9 otherwise).
 *
 *   gz-test-host-fork fork N           N children, each allocating in child_alloc() and _exit(0)
 *   gz-test-host-fork exec N PROGRAM [ARG…]   N children that exec PROGRAM with ARGs
 *   gz-test-host-fork alloc            allocates a little and returns 0 (an exec'd child)
 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile kept[8192];
static void *volatile little;

__attribute__ ((noinline, noipa)) static void
parent_keep (void)
{
  for (int i = 0; i < 8192; i++)
    {
      kept[i] = malloc (1024);
      memset (kept[i], i & 0x7f, 64);
    }
}

__attribute__ ((noinline, noipa)) static int
child_alloc (int n)
{
  int sum = 0;

  for (int i = 0; i < 64; i++)
    {
      char *p = malloc (256 + (size_t) n);

      p[0] = (char) i;
      sum += p[0];
      little = p;
    }
  return sum;
}

int
main (int    argc,
      char **argv)
{
  int n, failed = 0, ended = 0;

  if (argc >= 2 && strcmp (argv[1], "alloc") == 0)
    return child_alloc (1) < 0;
  if (argc < 3 || (strcmp (argv[1], "exec") == 0 && argc < 4))
    {
      fprintf (stderr, "usage: %s fork N | exec N PROGRAM [ARG...] | alloc\n", argv[0]);
      return 2;
    }
  n = atoi (argv[2]);
  parent_keep ();
  fflush (stdout);
  for (int i = 0; i < n; i++)
    {
      pid_t pid = fork ();

      if (pid < 0)
        {
          perror ("fork");
          return 2;
        }
      if (pid == 0)
        {
          if (strcmp (argv[1], "fork") == 0)
            _exit (child_alloc (i) < 0);
          execv (argv[3], argv + 3);
          _exit (127);
        }
    }
  for (;;)
    {
      int status;
      pid_t pid = wait (&status);

      if (pid < 0)
        break;
      ended++;
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        failed++;
    }
  printf ("children %d failed %d\n", ended, failed);
  return ended == n && failed == 0 ? 7 : 9;
}
