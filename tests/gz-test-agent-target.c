/* gz-test-agent-target.c: a plain C program (no GLib) that hosts the agent in tests/test-agent.c
 * and does what hostile hosts do: fork while other threads allocate and lock, exec, keep its
 * own SIGPROF handler. It writes the same stdout with and without the agent.
 *   serve            keep 8 MiB from gz_test_agent_keep, print "ready", wait for stdin EOF
 *   sigprof          the same with a SIGPROF handler of its own; says at the end if it is kept
 *   fork N           fork N children while two threads allocate and contend; each child
 *                    allocates, creates a thread and exits; "forked N ok" or why not
 *   sigsegv          fault on purpose 100 times, recovering in its own SIGSEGV handler
 *   exec             exec itself as "report" (the child says if it has the agent)
 *   report           print whether LD_PRELOAD names the agent and whether its socket answers */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEEP_PIECES 32
#define KEEP_PIECE  (256 * 1024)

/* gz-test-agent-early.c, a library of this program. */
int gz_test_agent_early_started (void);

static void *kept[KEEP_PIECES];
static volatile int stop_threads;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__ ((noinline)) static void
gz_test_agent_keep (void)
{
  for (int i = 0; i < KEEP_PIECES; i++)
    {
      kept[i] = malloc (KEEP_PIECE);
      memset (kept[i], i, KEEP_PIECE);
    }
}

static void
wait_for_stdin_eof (void)
{
  char buf[256];

  while (read (STDIN_FILENO, buf, sizeof buf) > 0)
    ;
}

static volatile sig_atomic_t sigprof_count;

static void
on_sigprof (int signo)
{
  sigprof_count++;
}

/* Allocates and contends until told to stop: at any fork, some recording is likely under way. */
static void *
churn (void *data)
{
  while (!stop_threads)
    {
      void *p[16];

      for (int i = 0; i < 16; i++)
        p[i] = malloc (64 + i * 512);
      pthread_mutex_lock (&shared_lock);
      for (volatile int i = 0; i < 200; i++)
        ;
      pthread_mutex_unlock (&shared_lock);
      for (int i = 0; i < 16; i++)
        free (p[i]);
    }
  return NULL;
}

/* The child's own lock: the program's shared_lock may be held by a thread that is not in the
 * child (that would be the program's bug, not the agent's). */
static pthread_mutex_t child_lock = PTHREAD_MUTEX_INITIALIZER;

static sigjmp_buf fault_jump;

static void
on_sigsegv (int signo)
{
  siglongjmp (fault_jump, 1);
}

/* Reads through a null pointer, over and over; the handler jumps back each time. */
static int
do_sigsegv (void)
{
  struct sigaction action = { 0 };
  volatile int recovered = 0;

  action.sa_handler = on_sigsegv;
  sigemptyset (&action.sa_mask);
  sigaction (SIGSEGV, &action, NULL);
  for (volatile int i = 0; i < 100; i++)
    {
      if (sigsetjmp (fault_jump, 1) == 0)
        {
          volatile int *nowhere = (volatile int *) (uintptr_t) (i & 1);

          (void) *nowhere;
        }
      else
        {
          recovered++;
        }
      free (malloc (1000));
    }
  printf ("recovered %d faults\n", recovered);
  return 0;
}

static void *
child_thread (void *data)
{
  for (int i = 0; i < 1000; i++)
    {
      pthread_mutex_lock (&child_lock);
      free (malloc (100 + i));
      pthread_mutex_unlock (&child_lock);
    }
  return malloc (100);
}

static int
run_child (void)
{
  pthread_t thread;
  void *result = NULL;

  for (int i = 0; i < 2000; i++)
    free (malloc (1000 + i));
  if (pthread_create (&thread, NULL, child_thread, NULL) != 0)
    return 3;
  for (int i = 0; i < 1000; i++)
    {
      pthread_mutex_lock (&child_lock);
      free (malloc (200 + i));
      pthread_mutex_unlock (&child_lock);
    }
  if (pthread_join (thread, &result) != 0)
    return 3;
  free (result);
  return 0;
}

static int
do_fork (int n)
{
  pthread_t threads[2];

  for (int i = 0; i < 2; i++)
    pthread_create (&threads[i], NULL, churn, NULL);
  for (int i = 0; i < n; i++)
    {
      pid_t pid = fork ();
      int status = 0;
      int waited_ms = 0;

      if (pid < 0)
        {
          printf ("fork failed: %s\n", strerror (errno));
          return 1;
        }
      if (pid == 0)
        exit (run_child ());
      while (waitpid (pid, &status, WNOHANG) == 0)
        {
          struct timespec ms = { 0, 1000000 };

          if (++waited_ms > 10000)
            {
              kill (pid, SIGKILL);
              waitpid (pid, &status, 0);
              printf ("child %d of %d hung (deadlock)\n", i, n);
              return 1;
            }
          nanosleep (&ms, NULL);
        }
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        {
          printf ("child %d of %d ended badly (status %d)\n", i, n, status);
          return 1;
        }
    }
  stop_threads = 1;
  for (int i = 0; i < 2; i++)
    pthread_join (threads[i], NULL);
  printf ("forked %d ok\n", n);
  return 0;
}

static int
report (void)
{
  const char *preload = getenv ("LD_PRELOAD");
  const char *dir = getenv ("GZ_AGENT_DIR");
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int served;

  /* The pid is the one before exec: the file may be left from the agent before it; only an
   * agent in this program answers on it. */
  snprintf (address.sun_path, sizeof address.sun_path, "%s/%d.sock",
            dir != NULL ? dir : "/nonexistent", (int) getpid ());
  served = connect (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  printf ("child preload: %s\n",
          preload != NULL && strstr (preload, "libgz-agent") != NULL ? "agent" : "none");
  printf ("child socket: %s\n", served ? "served" : "not served");
  return 0;
}

int
main (int    argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "serve";

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (strcmp (mode, "fork") == 0)
    return do_fork (argc > 2 ? atoi (argv[2]) : 50);
  if (strcmp (mode, "report") == 0)
    return report ();
  if (strcmp (mode, "sigsegv") == 0)
    return do_sigsegv ();
  if (strcmp (mode, "exec") == 0)
    {
      execl ("/proc/self/exe", argv[0], "report", (char *) NULL);
      printf ("exec failed: %s\n", strerror (errno));
      return 1;
    }
  if (strcmp (mode, "serve") == 0 || strcmp (mode, "sigprof") == 0)
    {
      int own_sigprof = strcmp (mode, "sigprof") == 0;
      struct sigaction action = { 0 }, now;

      if (own_sigprof)
        {
          action.sa_handler = on_sigprof;
          sigemptyset (&action.sa_mask);
          sigaction (SIGPROF, &action, NULL);
        }
      if (!gz_test_agent_early_started ())
        printf ("the early thread did not start\n");
      gz_test_agent_keep ();
      printf ("ready\n");
      wait_for_stdin_eof ();
      if (own_sigprof)
        {
          sigaction (SIGPROF, NULL, &now);
          printf ("sigprof handler %s\n", now.sa_handler == on_sigprof ? "kept" : "lost");
        }
      for (int i = 0; i < KEEP_PIECES; i++)
        free (kept[i]);
      printf ("bye\n");
      return 0;
    }
  fprintf (stderr, "unknown mode %s\n", mode);
  return 2;
}
