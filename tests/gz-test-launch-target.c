/* gz-test-launch-target.c: a plain program (no libgz) that test-launch starts under
 * `gz-cli profile start -- …`: CPU-bound work in named functions, then an end of the mode's
 * choosing (exit, _exit, a crash, a signal from outside). Built -O2 -g; the workloads are
 * noinline/noipa and distinct so that each keeps its own frame.
 *
 *   early             early() for 80 ms of CPU, then late() for 1.2 s; prints both (ns)
 *   exit              late() for 0.5 s, then _exit (3)
 *   segv              late() for 0.5 s, then a write through a null pointer
 *   loop PIDFILE      late() for 0.3 s, writes its pid to PIDFILE, then late() until killed
 *   marker FILE       creates FILE first, then late() for 0.2 s
 *   deaf PIDFILE      as loop, ignoring SIGINT
 *   leak PIDFILE      keeps 16 MiB from leak_bytes(), writes its pid, then late() until killed
 *   threads PIDFILE MS  three threads named reader, sleeper and waiter, parked in
 *                     parked_in_read(), parked_in_sleep() and parked_on_cond(); once all are
 *                     there it writes its pid, and main() waits in main_waits() for MS ms of
 *                     wall time (0: until killed), then exits with status 0
 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;
/* Read at run time: the compiler cannot turn the crash into a trap of its own. */
static int *volatile null_pointer;
/* Kept to the end: the leak. */
void *volatile kept[16];

static int64_t
cpu_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Spins until @ns of this thread's CPU time passed; returns the CPU time spent. */
__attribute__ ((noinline, noipa)) static int64_t
early (int64_t ns)
{
  int64_t start = cpu_now_ns ();
  uint64_t x = 1;

  while (cpu_now_ns () - start < ns)
    for (int i = 0; i < 2000; i++)
      x = x * 2862933555777941757ULL + 3037000493ULL;
  sink += x;
  return cpu_now_ns () - start;
}

__attribute__ ((noinline, noipa)) static int64_t
late (int64_t ns)
{
  int64_t start = cpu_now_ns ();
  uint64_t x = 7;

  while (cpu_now_ns () - start < ns)
    for (int i = 0; i < 2000; i++)
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
  sink += x;
  return cpu_now_ns () - start;
}

__attribute__ ((noinline, noipa)) static void *
leak_bytes (size_t size)
{
  char *p = malloc (size);

  if (p != NULL)
    memset (p, 1, size);
  return p;
}

/* -- threads parked in known functions ---------------------------------------------------- */

static int park_pipe[2];
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static int n_parked;

static void
parked (void)
{
  pthread_mutex_lock (&park_lock);
  n_parked++;
  pthread_mutex_unlock (&park_lock);
}

__attribute__ ((noinline, noipa)) static void
parked_in_read (void)
{
  char c;

  parked ();
  /* Nothing is ever written: it stays in read() until the program ends. */
  while (read (park_pipe[0], &c, 1) != 0)
    ;
}

__attribute__ ((noinline, noipa)) static void
parked_in_sleep (void)
{
  parked ();
  for (;;)
    {
      struct timespec ts = { 0, 50 * 1000 * 1000 };

      nanosleep (&ts, NULL);
    }
}

__attribute__ ((noinline, noipa)) static void
parked_on_cond (void)
{
  pthread_mutex_lock (&park_lock);
  n_parked++;
  for (;;)
    pthread_cond_wait (&park_cond, &park_lock);
}

static void *
reader (void *data)
{
  parked_in_read ();
  return NULL;
}

static void *
sleeper (void *data)
{
  parked_in_sleep ();
  return NULL;
}

static void *
waiter (void *data)
{
  parked_on_cond ();
  return NULL;
}

/* Waits @ms of wall time (0: for ever), 10 ms at a time. */
__attribute__ ((noinline, noipa)) static void
main_waits (long ms)
{
  struct timespec start, now;

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      struct timespec ts = { 0, 10 * 1000 * 1000 };

      clock_gettime (CLOCK_MONOTONIC, &now);
      if (ms > 0 && (now.tv_sec - start.tv_sec) * 1000 +
                    (now.tv_nsec - start.tv_nsec) / 1000000 >= ms)
        return;
      nanosleep (&ts, NULL);
    }
}

static int write_pid (const char *path);

static int
run_threads (const char *pid_file,
             long        ms)
{
  void *(*funcs[]) (void *) = { reader, sleeper, waiter };
  const char *names[] = { "reader", "sleeper", "waiter" };
  int n;

  if (pipe (park_pipe) != 0)
    return 2;
  for (int i = 0; i < 3; i++)
    {
      pthread_t thread;

      if (pthread_create (&thread, NULL, funcs[i], NULL) != 0)
        return 2;
      pthread_setname_np (thread, names[i]);
    }
  do
    {
      usleep (1000);
      pthread_mutex_lock (&park_lock);
      n = n_parked;
      pthread_mutex_unlock (&park_lock);
    }
  while (n < 3);
  usleep (20 * 1000); /* into the calls */
  if (write_pid (pid_file) != 0)
    return 2;
  main_waits (ms);
  return 0;
}

/* Writes this process's pid into @path. */
static int
write_pid (const char *path)
{
  char text[32];
  int fd;

  snprintf (text, sizeof text, "%d\n", (int) getpid ());
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    return -1;
  close (fd);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "early";

  if (strcmp (mode, "early") == 0)
    {
      int64_t e = early (80 * 1000000LL);
      int64_t l = late (1200 * 1000000LL);

      printf ("early_ns %lld\nlate_ns %lld\n", (long long) e, (long long) l);
      return 0;
    }
  if (strcmp (mode, "exit") == 0)
    {
      late (500 * 1000000LL);
      _exit (3);
    }
  if (strcmp (mode, "segv") == 0)
    {
      late (500 * 1000000LL);
      *null_pointer = 1;
      return 0;
    }
  if ((strcmp (mode, "loop") == 0 || strcmp (mode, "deaf") == 0) && argc > 2)
    {
      if (strcmp (mode, "deaf") == 0)
        signal (SIGINT, SIG_IGN);
      late (300 * 1000000LL);
      if (write_pid (argv[2]) != 0)
        return 2;
      for (;;)
        late (100 * 1000000LL);
    }
  if (strcmp (mode, "leak") == 0 && argc > 2)
    {
      for (int i = 0; i < 16; i++)
        kept[i] = leak_bytes (1024 * 1024);
      if (write_pid (argv[2]) != 0)
        return 2;
      for (;;)
        late (100 * 1000000LL);
    }
  if (strcmp (mode, "threads") == 0 && argc > 3)
    return run_threads (argv[2], atol (argv[3]));
  if (strcmp (mode, "marker") == 0 && argc > 2)
    {
      int fd = open (argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);

      if (fd >= 0)
        close (fd);
      late (200 * 1000000LL);
      return 0;
    }
  fprintf (stderr, "usage: %s early|exit|segv|loop PIDFILE|deaf PIDFILE|leak PIDFILE|"
           "marker FILE|threads PIDFILE MS\n", argv[0]);
  return 2;
}
