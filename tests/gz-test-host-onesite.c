/* gz-test-host-onesite.c: a plain program whose only allocations come from allocate_here()
 * (no stdio, no threads in that mode), and whose only threads come from start_pair() and
 * start_one(): what its memory and threadcreate profiles may hold, and nothing else.
 *
 *   gz-test-host-onesite memory    keeps 4 MiB and frees 4 MiB, all from allocate_here()
 *   gz-test-host-onesite threads   3 threads: 2 from start_pair(), 1 from start_one()
 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void *volatile kept[4096];

__attribute__ ((noinline, noipa)) static void *
allocate_here (size_t size)
{
  char *p = malloc (size);

  if (p != NULL)
    memset (p, 0x5a, 32);
  return p;
}

static void *
idle_thread (void *data)
{
  return data;
}

__attribute__ ((noinline, noipa)) static int
start_pair (pthread_t *threads)
{
  return pthread_create (&threads[0], NULL, idle_thread, NULL) |
         pthread_create (&threads[1], NULL, idle_thread, NULL);
}

__attribute__ ((noinline, noipa)) static int
start_one (pthread_t *thread)
{
  volatile int result = pthread_create (thread, NULL, idle_thread, NULL);

  /* Not a tail call: start_one's frame stays on the stack of pthread_create. */
  return result;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 2 && strcmp (argv[1], "threads") == 0)
    {
      pthread_t threads[3];

      if (start_pair (threads) != 0 || start_one (&threads[2]) != 0)
        return 2;
      for (int i = 0; i < 3; i++)
        pthread_join (threads[i], NULL);
      return 0;
    }
  for (int i = 0; i < 4096; i++)
    kept[i] = allocate_here (1024);
  for (int i = 0; i < 4096; i++)
    {
      void *volatile p = allocate_here (1024 + (size_t) (i % 64));

      free (p);
    }
  return 0;
}
