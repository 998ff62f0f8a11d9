/* gz-test-collector-target.c: a plain program (libc only) that test-collector runs under the
 * preload, with known truths: 64 MiB kept by one function, 64 MiB allocated and freed by
 * another, a mutex held 100 ms at a time while a waiter blocks on it, threads made by one
 * function, 300 ms of CPU in one function, 8 MiB kept by a function of a module loaded with
 * dlopen; or it execs itself into one of them. Each line on stdin runs the workload once and
 * answers "done"; "exit" (or the end of stdin) ends it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__ ((noinline, noipa))

#define BLOCK_SIZE 1024
#define N_BLOCKS   (64 * 1024)   /* 64 MiB */
#define N_WAITS    5
#define HOLD_MS    100
#define N_THREADS  8

static void *kept[N_BLOCKS];

/* Keeps 64 MiB in small blocks: all of it is in use at the end. */
NOINLINE static void
collector_keep_64mib (void)
{
  for (int i = 0; i < N_BLOCKS; i++)
    {
      kept[i] = malloc (BLOCK_SIZE);
      memset (kept[i], i & 0xff, 16);
    }
}

/* Allocates 64 MiB in small blocks and frees each at once: nothing in use at the end. */
NOINLINE static void
collector_churn_64mib (void)
{
  for (int i = 0; i < N_BLOCKS; i++)
    {
      void * volatile block = malloc (BLOCK_SIZE + 8);

      memset (block, i & 0xff, 16);
      free (block);
    }
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_cond = PTHREAD_COND_INITIALIZER;
static int held;

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };

  while (nanosleep (&ts, &ts) != 0)
    ;
}

/* Holds the lock HOLD_MS each round, once the waiter is about to block on it. */
static void *
holder_main (void *data)
{
  for (int round = 0; round < N_WAITS; round++)
    {
      pthread_mutex_lock (&lock);
      pthread_mutex_lock (&state_lock);
      held = round + 1;
      pthread_cond_signal (&state_cond);
      pthread_mutex_unlock (&state_lock);
      sleep_ms (HOLD_MS);
      pthread_mutex_unlock (&lock);
      sleep_ms (5);
    }
  return NULL;
}

/* Blocks on the held lock N_WAITS times: about N_WAITS x HOLD_MS of delay. */
NOINLINE static void
collector_wait_for_lock (void)
{
  for (int round = 0; round < N_WAITS; round++)
    {
      pthread_mutex_lock (&state_lock);
      while (held < round + 1)
        pthread_cond_wait (&state_cond, &state_lock);
      pthread_mutex_unlock (&state_lock);
      pthread_mutex_lock (&lock);
      pthread_mutex_unlock (&lock);
    }
}

static void
contend (void)
{
  pthread_t holder;

  held = 0;
  pthread_create (&holder, NULL, holder_main, NULL);
  collector_wait_for_lock ();
  pthread_join (holder, NULL);
}

static void *
idle_main (void *data)
{
  return data;
}

/* Makes N_THREADS threads. */
NOINLINE static void
collector_spawn_threads (void)
{
  pthread_t threads[N_THREADS];

  for (int i = 0; i < N_THREADS; i++)
    pthread_create (&threads[i], NULL, idle_main, NULL);
  for (int i = 0; i < N_THREADS; i++)
    pthread_join (threads[i], NULL);
}

/* Burns 300 ms of CPU: about 30 fallback ticks at 100 Hz. */
NOINLINE static void
collector_spin (void)
{
  struct timespec start, now;
  volatile uint64_t x = 1;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &start);
  do
    {
      for (int i = 0; i < 1000000; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
      clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
    }
  while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) <
         300 * 1000000L);
}

#define N_PLUGIN_BLOCKS (8 * 1024)   /* 8 MiB */

static void *plugin_kept[N_PLUGIN_BLOCKS];

/* Loads the module @path and has it keep 8 MiB. */
static int
use_plugin (const char *path)
{
  void *module = dlopen (path, RTLD_NOW);
  void (*keep) (void **, int) = NULL;

  if (module != NULL)
    *(void **) &keep = dlsym (module, "collector_plugin_keep_8mib");
  if (keep == NULL)
    {
      fprintf (stderr, "%s\n", dlerror ());
      return 1;
    }
  keep (plugin_kept, N_PLUGIN_BLOCKS);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  char line[64];

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s memory|contention|threads|spin|plugin PATH|exec WORKLOAD\n",
               argv[0]);
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* Unbuffered: a line meant for the image after an exec stays in the pipe. */
  setvbuf (stdin, NULL, _IONBF, 0);
  while (fgets (line, sizeof line, stdin) != NULL && strcmp (line, "exit\n") != 0)
    {
      if (strcmp (argv[1], "memory") == 0)
        {
          collector_keep_64mib ();
          collector_churn_64mib ();
        }
      else if (strcmp (argv[1], "contention") == 0)
        contend ();
      else if (strcmp (argv[1], "threads") == 0)
        collector_spawn_threads ();
      else if (strcmp (argv[1], "exec") == 0 && argc > 2)
        {
          /* The same process, another program image: the workload named next. */
          execv (argv[0], (char *[]) { argv[0], argv[2], NULL });
          return 1;
        }
      else if (strcmp (argv[1], "spin") == 0)
        collector_spin ();
      else if (strcmp (argv[1], "plugin") == 0 && argc > 2)
        {
          if (use_plugin (argv[2]) != 0)
            return 1;
        }
      else
        return 2;
      printf ("done\n");
    }
  return 0;
}
