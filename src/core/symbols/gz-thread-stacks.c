/* gz-thread-stacks.c: the stacks of every thread of the process: a signal to each, whose handler
 * only copies the interrupted registers and the top of the stack (unwinding there would meet the
 * loader's lock held by the code interrupted: dlopen, dl_iterate_phdr); the copies are unwound
 * by the caller (gz-thread-capture.c). Threads that block the signal are reported by name. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-object.h>

#include "gz-stack.h"

/* The signal that asks each thread for its stack. */
#define STACKS_SIGNAL (SIGRTMIN + 6)
/* How long to wait for a handler that has started writing its reply. */
#define WRITING_GRACE_MS 1000

/* A request is one 32-bit futex word: a generation in the high bits and a state in the low
 * two. The handler claims a request by moving it from WAITING to WRITING, so a late answer to
 * a request the caller gave up on (or a signal left pending from an earlier capture) never
 * touches a reply the caller reads: each request has its own reply buffer, and a buffer whose
 * request was abandoned mid-write is leaked rather than freed. */
enum
{
  STATE_IDLE,
  STATE_WAITING,
  STATE_WRITING,
  STATE_DONE,
};
#define STATE_MASK 3u

typedef GzStackCopy Reply;

static guint32 request_word;
static pid_t request_tid;
static Reply *request_reply;
/* Where a copy may read when process_vm_readv is refused; read at each capture's start. */
static const guint64 *request_ranges;
static gsize request_n_ranges;

static long
futex (guint32               *word,
       int                    op,
       guint32                value,
       const struct timespec *timeout)
{
  return syscall (SYS_futex, word, op, value, timeout, NULL, 0);
}

static void
stacks_signal_handler (int        signum,
                       siginfo_t *info,
                       void      *ucontext)
{
  int saved_errno = errno;
  guint32 word = __atomic_load_n (&request_word, __ATOMIC_ACQUIRE);
  Reply *reply;

  if ((word & STATE_MASK) != STATE_WAITING ||
      __atomic_load_n (&request_tid, __ATOMIC_ACQUIRE) != gettid ())
    goto out;

  /* Read before the claim: if the claim succeeds, the caller has not moved on, so this is the
   * reply buffer of this request. */
  reply = __atomic_load_n (&request_reply, __ATOMIC_ACQUIRE);
  if (!__atomic_compare_exchange_n (&request_word, &word, (word & ~STATE_MASK) | STATE_WRITING,
                                    FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    goto out;

  gz_stack_copy_context (ucontext, request_ranges, request_n_ranges, reply);

  /* Fails only when the caller gave up during the grace period: the buffer is leaked. */
  word = (word & ~STATE_MASK) | STATE_WRITING;
  if (__atomic_compare_exchange_n (&request_word, &word, (word & ~STATE_MASK) | STATE_DONE,
                                   FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    futex (&request_word, FUTEX_WAKE_PRIVATE, G_MAXINT, NULL);

out:
  errno = saved_errno;
}

static gboolean
install_handler (GError **error)
{
  static gsize result; /* errno of sigaction, plus 1 */
  int saved_errno;

  if (g_once_init_enter (&result))
    {
      struct sigaction action = { 0 };
      int failure = 0;

      action.sa_sigaction = stacks_signal_handler;
      action.sa_flags = SA_SIGINFO | SA_RESTART;
      sigemptyset (&action.sa_mask);
      if (sigaction (STACKS_SIGNAL, &action, NULL) != 0)
        failure = errno;
      g_once_init_leave (&result, (gsize) failure + 1);
    }

  saved_errno = (int) result - 1;
  if (saved_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot install the handler for signal %d that captures thread "
                   "stacks: %s", STACKS_SIGNAL, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static char *
read_thread_name (pid_t tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/comm", (int) tid);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup_printf ("thread %d", (int) tid);

  return g_strdup (g_strchomp (contents));
}

/* Whether the thread blocks our signal or already has one pending (from a capture it never
 * answered): then there is no point in waiting for it. */
static gboolean
signal_blocked_or_pending (pid_t tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/status", (int) tid);
  g_autofree char *contents = NULL;
  guint64 bit = G_GUINT64_CONSTANT (1) << (STACKS_SIGNAL - 1);
  const char *fields[] = { "\nSigBlk:", "\nSigPnd:" };

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *line = strstr (contents, fields[i]);

      if (line != NULL && (g_ascii_strtoull (line + strlen (fields[i]), NULL, 16) & bit) != 0)
        return TRUE;
    }

  return FALSE;
}

/* A thread that blocks the signal for good (GLib's gmain) would never answer; one that blocks
 * it for a moment — libunwind masks every signal around its locks, and whoever unwinds (our
 * samplers, tcmalloc, ASan) passes through there — answers microseconds later. So the mask is
 * looked at a few times over a short window before the thread is called unable to answer;
 * once only for a thread that was found blocking all through the previous capture's window. */
static gboolean
thread_cannot_answer (pid_t    tid,
                      gboolean blocked_before)
{
  guint attempts = blocked_before ? 1 : 10;

  for (guint attempt = 0; attempt < attempts; attempt++)
    {
      if (!signal_blocked_or_pending (tid))
        return FALSE;
      if (attempt + 1 < attempts)
        g_usleep (200);
    }
  return TRUE;
}

static gint64
monotonic_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* Waits until the request word leaves @word or @deadline_ms passes. */
static guint32
wait_for_change (guint32 word,
                 gint64  deadline_ms)
{
  guint32 current;

  while ((current = __atomic_load_n (&request_word, __ATOMIC_ACQUIRE)) == word)
    {
      gint64 left = deadline_ms - monotonic_ms ();
      struct timespec timeout;

      if (left <= 0)
        break;
      timeout.tv_sec = left / 1000;
      timeout.tv_nsec = (left % 1000) * 1000000;
      futex (&request_word, FUTEX_WAIT_PRIVATE, word, &timeout);
    }

  return current;
}

/* Asks @tid for its stack. FALSE when it did not answer in time; *gone when it exited. */
static gboolean
request_stack (pid_t          tid,
               GzThreadStack *stack,
               guint          timeout_ms,
               gboolean      *gone)
{
  static guint32 generation;
  Reply *reply = g_new (Reply, 1);
  guint32 waiting;
  guint32 word;

  *gone = FALSE;
  generation++;
  waiting = (generation << 2) | STATE_WAITING;

  __atomic_store_n (&request_reply, reply, __ATOMIC_RELEASE);
  __atomic_store_n (&request_tid, tid, __ATOMIC_RELEASE);
  __atomic_store_n (&request_word, waiting, __ATOMIC_RELEASE);

  if (syscall (SYS_tgkill, getpid (), tid, STACKS_SIGNAL) != 0)
    {
      *gone = errno == ESRCH;
      __atomic_store_n (&request_word, STATE_IDLE, __ATOMIC_RELEASE);
      g_free (reply);
      return FALSE;
    }

  word = wait_for_change (waiting, monotonic_ms () + timeout_ms);
  if (word == waiting &&
      __atomic_compare_exchange_n (&request_word, &word, STATE_IDLE, FALSE, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE))
    {
      /* Abandoned before the handler claimed it: it never will. */
      g_free (reply);
      return FALSE;
    }

  if ((word & STATE_MASK) == STATE_WRITING)
    {
      word = wait_for_change (word, monotonic_ms () + WRITING_GRACE_MS);
      if ((word & STATE_MASK) == STATE_WRITING &&
          __atomic_compare_exchange_n (&request_word, &word, STATE_IDLE, FALSE,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        {
          /* Stuck mid-write: leak the buffer, the handler may still write to it. */
          return FALSE;
        }
    }

  g_assert ((word & STATE_MASK) == STATE_DONE);
  stack->copy = reply;
  __atomic_store_n (&request_word, STATE_IDLE, __ATOMIC_RELEASE);

  return TRUE;
}

void
gz_thread_stack_free (GzThreadStack *stack)
{
  if (stack == NULL)
    return;

  g_free (stack->name);
  g_free (stack->copy);
  g_free (stack);
}

static int
compare_tids (gconstpointer a,
              gconstpointer b)
{
  const GzThreadStack *sa = *(GzThreadStack * const *) a;
  const GzThreadStack *sb = *(GzThreadStack * const *) b;

  return (sa->tid > sb->tid) - (sa->tid < sb->tid);
}

void
gz_thread_stacks_sort (GPtrArray *stacks)
{
  g_ptr_array_sort (stacks, compare_tids);
}

GPtrArray *
gz_stack_copy_all_threads (guint    timeout_ms,
                           GError **error)
{
  static GMutex capture_lock; /* one capture at a time: there is one request word */
  static GHashTable *blocking; /* tids that blocked the signal last time; under capture_lock */
  g_autoptr(GHashTable) still_blocking = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) stacks = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) ranges = NULL;
  pid_t self = gettid ();
  const char *entry;

  if (!install_handler (error))
    return NULL;
  {
    struct sigaction current;

    /* A program that took the signal since (one that links the core and uses the signal
     * itself): signalling its threads would run its handler, not ours. */
    if (sigaction (STACKS_SIGNAL, NULL, &current) != 0 ||
        current.sa_sigaction != stacks_signal_handler)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "the program has its own handler for signal %d, which captures thread "
                     "stacks: no goroutine profile in this process", STACKS_SIGNAL);
        return NULL;
      }
  }

  dir = g_dir_open ("/proc/self/task", 0, error);
  if (dir == NULL)
    {
      g_prefix_error (error, "Cannot list the threads of this process: ");
      return NULL;
    }

  stacks = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_thread_stack_free);

  g_mutex_lock (&capture_lock);
  ranges = gz_stack_read_ranges ();
  request_ranges = (const guint64 *) (gpointer) ranges->data;
  request_n_ranges = ranges->len / 2;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      GzThreadStack *stack = g_new0 (GzThreadStack, 1);
      gboolean gone = FALSE;

      stack->tid = (pid_t) atoi (entry);
      stack->name = read_thread_name (stack->tid);

      if (stack->tid == self)
        {
          /* Directly: the leaf is this function, as a Go profile shows its own writer. */
          stack->n_pcs = gz_stack_capture (stack->pcs, GZ_STACK_MAX_DEPTH, 0);
        }
      else if (thread_cannot_answer (stack->tid,
                                     blocking != NULL &&
                                     g_hash_table_contains (blocking,
                                                            GINT_TO_POINTER (stack->tid))))
        {
          stack->signals_blocked = TRUE;
          g_hash_table_add (still_blocking, GINT_TO_POINTER (stack->tid));
        }
      else if (!request_stack (stack->tid, stack, timeout_ms, &gone))
        {
          stack->signals_blocked = TRUE;
        }

      if (gone)
        gz_thread_stack_free (stack);
      else
        g_ptr_array_add (stacks, stack);
    }
  g_clear_pointer (&blocking, g_hash_table_unref);
  blocking = g_steal_pointer (&still_blocking);
  /* A handler still running late copies from its own stack only (a request it claimed). */
  request_ranges = NULL;
  request_n_ranges = 0;
  g_mutex_unlock (&capture_lock);

  gz_thread_stacks_sort (stacks);

  return g_steal_pointer (&stacks);
}
