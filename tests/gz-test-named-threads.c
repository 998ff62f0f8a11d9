/* gz-test-named-threads.c: a plain C program (no GLib, no gz) with three named threads, each
 * blocked in a known function: gz-reader in read(), gz-sleeper in nanosleep(), gz-waiter on a
 * condition variable. It says "ready" when all are blocked, and at the end of its stdin wakes
 * them and says how each call returned (an interrupted call must not show: ptrace restarts it). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int pipe_fds[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int n_blocked, done, woken;
static int reader_result, sleeper_eintr;

static void
blocked (void)
{
  pthread_mutex_lock (&lock);
  n_blocked++;
  pthread_mutex_unlock (&lock);
}

__attribute__ ((noinline, noipa)) static void
blocked_in_read (void)
{
  char c;

  blocked ();
  reader_result = (int) read (pipe_fds[0], &c, 1);
}

__attribute__ ((noinline, noipa)) static void
blocked_in_sleep (void)
{
  blocked ();
  for (;;)
    {
      struct timespec ts = { 0, 20 * 1000 * 1000 };

      pthread_mutex_lock (&lock);
      if (done)
        {
          pthread_mutex_unlock (&lock);
          return;
        }
      pthread_mutex_unlock (&lock);
      if (nanosleep (&ts, NULL) != 0 && errno == EINTR)
        sleeper_eintr++;
    }
}

__attribute__ ((noinline, noipa)) static void
blocked_on_cond (void)
{
  pthread_mutex_lock (&lock);
  n_blocked++;
  while (!woken)
    pthread_cond_wait (&cond, &lock);
  pthread_mutex_unlock (&lock);
}

static void *
reader (void *data)
{
  blocked_in_read ();
  return NULL;
}

static void *
sleeper (void *data)
{
  blocked_in_sleep ();
  return NULL;
}

static void *
waiter (void *data)
{
  blocked_on_cond ();
  return NULL;
}

int
main (void)
{
  void *(*funcs[]) (void *) = { reader, sleeper, waiter };
  const char *names[] = { "gz-reader", "gz-sleeper", "gz-waiter" };
  pthread_t threads[3];
  char line[64];
  int n;

  if (pipe (pipe_fds) != 0)
    return 1;
  for (int i = 0; i < 3; i++)
    {
      pthread_create (&threads[i], NULL, funcs[i], NULL);
      pthread_setname_np (threads[i], names[i]);
    }
  do
    {
      usleep (1000);
      pthread_mutex_lock (&lock);
      n = n_blocked;
      pthread_mutex_unlock (&lock);
    }
  while (n < 3);
  usleep (20 * 1000); /* into the calls */
  printf ("ready\n");
  fflush (stdout);

  while (fgets (line, sizeof line, stdin) != NULL)
    ;

  if (write (pipe_fds[1], "x", 1) != 1)
    return 1;
  pthread_mutex_lock (&lock);
  done = 1;
  woken = 1;
  pthread_cond_broadcast (&cond);
  pthread_mutex_unlock (&lock);
  for (int i = 0; i < 3; i++)
    pthread_join (threads[i], NULL);
  printf ("read returned %d, nanosleep interrupted %d times\n", reader_result, sleeper_eintr);
  return 0;
}
