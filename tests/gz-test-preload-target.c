/* gz-test-preload-target.c: known work for test-preload, run under libgz-preload.so: plain C,
 * no GLib (the preload must meet a program's own allocator and threads, nothing of ours). The
 * first argument names the work; results go to stdout as "key value" lines. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };

  nanosleep (&ts, NULL);
}

/* hold: 10 MiB in 64 KiB blocks (below glibc's mmap threshold: they count in uordblks). */
static int
hold (void)
{
  static void *volatile blocks[160];
  struct mallinfo2 info;

  for (int i = 0; i < 160; i++)
    {
      blocks[i] = malloc (64 * 1024);
      memset (blocks[i], 1, 64 * 1024);
    }
  info = mallinfo2 ();
  printf ("uordblks %zu\n", info.uordblks);
  for (int i = 0; i < 160; i++)
    free (blocks[i]);

  return 0;
}

/* alloc: 64 MiB from allocate_site () in 1..64 KiB blocks, all freed by free_site (). */
#define ALLOC_TOTAL (64 * 1024 * 1024)

__attribute__ ((noinline, noipa)) static void *
allocate_site (size_t size)
{
  void *volatile p = malloc (size);

  ((volatile char *) p)[0] = 1;

  return p;
}

__attribute__ ((noinline, noipa)) static void
free_site (void *p)
{
  free (p);
}

__attribute__ ((noinline, noipa)) static int
alloc (int wait)
{
  size_t capacity = ALLOC_TOTAL / 1024 + 1;
  void **blocks = calloc (capacity, sizeof (void *));
  size_t n = 0;
  size_t total = 0;
  uint64_t x = 88172645463325252ULL;

  printf ("site %p\ncaller %p\n", (void *) allocate_site, (void *) alloc);
  while (total < ALLOC_TOTAL && n < capacity)
    {
      size_t size;

      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      size = 1024 + (size_t) (x % (63 * 1024));
      blocks[n++] = allocate_site (size);
      total += size;
    }
  for (size_t i = 0; i < n; i++)
    free_site (blocks[i]);
  free (blocks);
  printf ("allocations %zu\nbytes %zu\n", n, total);
  /* Kept alive until the test closes our stdin: it unwinds the records against our maps. */
  if (wait)
    {
      char buffer[64];

      printf ("done\n");
      while (read (STDIN_FILENO, buffer, sizeof buffer) > 0)
        ;
    }

  return 0;
}

/* every: 1000 allocations of 777 bytes, each one to be recorded at memory_rate 1. */
static int
every (void)
{
  static void *volatile blocks[1000];

  for (int i = 0; i < 1000; i++)
    blocks[i] = allocate_site (777);
  for (int i = 0; i < 1000; i++)
    free_site (blocks[i]);
  printf ("allocations 1000\n");

  return 0;
}

/* waits: a mutex held 30 ms while another thread wants it (5 times), a condition waited on for
 * ~30 ms, two threads created and joined. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static volatile int holding;
static int signalled;

static void *
holder (void *data)
{
  for (int i = 0; i < 5; i++)
    {
      pthread_mutex_lock (&lock);
      __atomic_store_n (&holding, 1, __ATOMIC_RELEASE);
      sleep_ms (30);
      __atomic_store_n (&holding, 0, __ATOMIC_RELEASE);
      pthread_mutex_unlock (&lock);
      sleep_ms (5);
    }

  return NULL;
}

__attribute__ ((noinline, noipa)) static void
contend (void)
{
  for (int i = 0; i < 5; i++)
    {
      while (!__atomic_load_n (&holding, __ATOMIC_ACQUIRE))
        sched_yield ();
      pthread_mutex_lock (&lock);
      pthread_mutex_unlock (&lock);
    }
}

static void *
signaller (void *data)
{
  sleep_ms (30);
  pthread_mutex_lock (&cond_lock);
  signalled = 1;
  pthread_cond_signal (&cond);
  pthread_mutex_unlock (&cond_lock);

  return NULL;
}

__attribute__ ((noinline, noipa)) static void
wait_for_signal (void)
{
  pthread_mutex_lock (&cond_lock);
  while (!signalled)
    pthread_cond_wait (&cond, &cond_lock);
  pthread_mutex_unlock (&cond_lock);
}

static int
waits (void)
{
  pthread_t a, b;

  pthread_create (&a, NULL, holder, NULL);
  contend ();
  pthread_join (a, NULL);
  pthread_create (&b, NULL, signaller, NULL);
  wait_for_signal ();
  pthread_join (b, NULL);
  printf ("threads 2\n");

  return 0;
}

/* forks: 200 children that allocate and exit; the parent allocates between them. */
static int
forks (void)
{
  static void *volatile keep;

  for (int i = 0; i < 200; i++)
    {
      pid_t pid = fork ();

      if (pid == 0)
        {
          for (int j = 0; j < 200; j++)
            free_site (allocate_site (4096 + (size_t) j));
          _exit (0);
        }
      keep = allocate_site (8192);
      free_site (keep);
      waitpid (pid, NULL, 0);
    }
  printf ("children 200\n");

  return 0;
}

/* daemon FILE: closes every fd above stderr, works (allocations, waits), then writes its own
 * file through a fd that may have the number the ring had. */
static int
daemon_like (const char *path)
{
  static const char own[] = "only the program's own bytes\n";
  int fd;

  for (int i = 3; i <= 1024; i++)
    close (i);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return 1;
  for (int i = 0; i < 2000; i++)
    free_site (allocate_site (1024 + (size_t) i));
  waits ();
  for (int i = 0; i < 10; i++)
    if (write (fd, own, sizeof own - 1) != (ssize_t) (sizeof own - 1))
      return 1;
  close (fd);
  printf ("fd %d\n", fd);

  return 0;
}

/* flood: many allocations, for a tiny ring that fills. */
static int
flood (void)
{
  for (int i = 0; i < 100000; i++)
    free_site (allocate_site (64 + (size_t) (i % 1000)));
  printf ("allocations 100000\n");

  return 0;
}

/* race: 4 threads, 20000 allocations of 333 bytes each, all freed at once. */
static void *
race_thread (void *data)
{
  for (int i = 0; i < 20000; i++)
    free_site (allocate_site (333));

  return NULL;
}

static int
race (void)
{
  pthread_t threads[4];

  for (int i = 0; i < 4; i++)
    pthread_create (&threads[i], NULL, race_thread, NULL);
  for (int i = 0; i < 4; i++)
    pthread_join (threads[i], NULL);
  printf ("allocations 80000\n");

  return 0;
}

/* spin: ~300 ms of CPU in spin_site (). */
__attribute__ ((noinline, noipa)) static uint64_t
spin_site (void)
{
  struct timespec start, now;
  uint64_t x = 1;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &start);
  do
    {
      for (int i = 0; i < 100000; i++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
    }
  while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 300000000L);

  return x;
}

/* spin [exec]: then, with exec, the same again in a new image of this program (where a tick
 * of the preload's that outlived the exec would terminate it). */
static int
spin (const char *self,
      bool        then_exec)
{
  printf ("site %p\nspin %llu\n", (void *) spin_site, (unsigned long long) (spin_site () & 1));
  if (then_exec)
    {
      fflush (stdout);
      execl (self, self, "spin", (char *) NULL);
      return 127;
    }

  return 0;
}

static sigjmp_buf fault_jump;

static void
on_sigsegv (int signo)
{
  siglongjmp (fault_jump, 1);
}

/* sigsegv: reads through a null pointer 100 times, recovering in its own SIGSEGV handler, and
 * allocates 555 bytes after each fault. */
static int
sigsegv (void)
{
  struct sigaction action = { 0 };
  volatile int recovered = 0;

  action.sa_handler = on_sigsegv;
  sigemptyset (&action.sa_mask);
  sigaction (SIGSEGV, &action, NULL);
  for (volatile int i = 0; i < 100; i++)
    {
      void *volatile block;

      if (sigsetjmp (fault_jump, 1) == 0)
        {
          volatile int *nowhere = (volatile int *) (uintptr_t) (i & 1);

          (void) *nowhere;
        }
      else
        {
          recovered++;
        }
      block = malloc (555);
      free (block);
    }
  printf ("recovered %d faults\n", recovered);

  return 0;
}

/* exec: runs this program again as "env", which prints its environment. */
static int
exec_env (const char *self)
{
  char *argv[] = { (char *) self, (char *) "env", NULL };

  fflush (stdout);
  execv (self, argv);

  return 127;
}

static int
print_env (void)
{
  for (char **e = environ; *e != NULL; e++)
    printf ("env %s\n", *e);

  return 0;
}

int
main (int    argc,
      char **argv)
{
  const char *work = argc > 1 ? argv[1] : "";
  int rc = 2;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (strcmp (work, "hold") == 0)
    rc = hold ();
  else if (strcmp (work, "alloc") == 0)
    rc = alloc (argc > 2 && strcmp (argv[2], "wait") == 0);
  else if (strcmp (work, "every") == 0)
    rc = every ();
  else if (strcmp (work, "waits") == 0)
    rc = waits ();
  else if (strcmp (work, "forks") == 0)
    rc = forks ();
  else if (strcmp (work, "daemon") == 0 && argc > 2)
    rc = daemon_like (argv[2]);
  else if (strcmp (work, "flood") == 0)
    rc = flood ();
  else if (strcmp (work, "race") == 0)
    rc = race ();
  else if (strcmp (work, "spin") == 0)
    rc = spin (argv[0], argc > 2 && strcmp (argv[2], "exec") == 0);
  else if (strcmp (work, "exec") == 0)
    rc = exec_env (argv[0]);
  else if (strcmp (work, "env") == 0)
    rc = print_env ();
  else if (strcmp (work, "status") == 0)
    rc = hold () == 0 ? 5 : 1;
  else if (strcmp (work, "sigsegv") == 0)
    rc = sigsegv ();
  else
    fprintf (stderr, "usage: %s hold|alloc [wait]|every|waits|forks|daemon FILE|flood|race|"
             "spin [exec]|exec|status|sigsegv\n", argv[0]);

  return rc;
}
