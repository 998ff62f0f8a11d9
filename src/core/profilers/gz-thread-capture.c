/* gz-thread-capture.c: every thread's stack, unwound outside any signal handler with libdw as
 * perf samples are: of this process from the copies its threads took in their handlers
 * (gz-thread-stacks.c); of another process from outside, each thread stopped for a moment with
 * ptrace while its registers and the top of its stack are copied. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "gz-perf-unwind.h"
#include "gz-thread-capture.h"

G_STATIC_ASSERT (GZ_STACK_N_REGS == GZ_PERF_N_REGS);
G_STATIC_ASSERT (GZ_STACK_REG_SP == GZ_PERF_REG_SP);
G_STATIC_ASSERT (GZ_STACK_REG_IP == GZ_PERF_REG_IP);

/* One unwinder for this process, kept between captures: what libdw read of each module is not
 * read again; the modules are re-read at each capture (code loaded since). */
static GMutex self_lock;
static GzPerfUnwinder *self_unwinder;
static pid_t self_unwinder_pid;

static void
unwind_copy (GzPerfUnwinder *unwinder,
             pid_t           pid,
             GzThreadStack  *stack)
{
  GzPerfSample sample = { 0 };
  gboolean complete;

  sample.pid = (guint32) pid;
  sample.tid = (guint32) stack->tid;
  sample.has_regs = TRUE;
  memcpy (sample.regs, stack->copy->regs, sizeof sample.regs);
  sample.stack_size = stack->copy->stack_size;
  sample.stack = stack->copy->stack;

  stack->n_pcs = unwinder != NULL
                   ? gz_perf_unwinder_unwind (unwinder, &sample, stack->pcs,
                                              GZ_STACK_MAX_DEPTH, &complete)
                   : 0;
  if (stack->n_pcs == 0)
    stack->pcs[stack->n_pcs++] = stack->copy->regs[GZ_STACK_REG_IP];
  g_clear_pointer (&stack->copy, g_free);
}

GPtrArray *
gz_thread_capture_self (guint    timeout_ms,
                        GError **error)
{
  g_autoptr(GPtrArray) stacks = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) local_error = NULL;

  stacks = gz_stack_copy_all_threads (timeout_ms, error);
  if (stacks == NULL)
    return NULL;

  locker = g_mutex_locker_new (&self_lock);
  if (self_unwinder != NULL && self_unwinder_pid != getpid ())
    g_clear_pointer (&self_unwinder, gz_perf_unwinder_free); /* a fork child's */
  if (self_unwinder == NULL)
    {
      self_unwinder = gz_perf_unwinder_new (getpid (), &local_error);
      self_unwinder_pid = getpid ();
      /* Without it each thread keeps its interrupted PC: a profile still, with a warning. */
      if (self_unwinder == NULL)
        g_warning ("thread stacks are not unwound: %s", local_error->message);
    }
  else
    gz_perf_unwinder_refresh (self_unwinder);

  for (guint i = 0; i < stacks->len; i++)
    {
      GzThreadStack *stack = g_ptr_array_index (stacks, i);

      if (stack->copy != NULL)
        unwind_copy (self_unwinder, getpid (), stack);
    }
  return g_steal_pointer (&stacks);
}

/* A thread of another process, seized and interrupted with ptrace. */
typedef struct
{
  GzThreadStack *stack;
  gboolean       seized;
  gboolean       stopped;
  int            pending_signal; /* stopped for a signal: handed back at the detach */
} Traced;

static char *
read_comm (pid_t pid,
           pid_t tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/comm", (int) pid, (int) tid);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup_printf ("thread %d", (int) tid);
  return g_strdup (g_strchomp (contents));
}

/* Waits for @traced's stop after PTRACE_INTERRUPT, up to @deadline (monotonic µs). */
static void
wait_stopped (Traced *traced,
              gint64  deadline)
{
  for (;;)
    {
      int status = 0;
      pid_t got = waitpid (traced->stack->tid, &status, __WALL | WNOHANG);

      if (got == traced->stack->tid)
        {
          if (!WIFSTOPPED (status))
            {
              traced->seized = FALSE; /* it exited */
              return;
            }
          traced->stopped = TRUE;
          /* PTRACE_EVENT_STOP is ours; any other stop is a signal on its way to the thread. */
          if (status >> 16 != PTRACE_EVENT_STOP)
            traced->pending_signal = WSTOPSIG (status);
          return;
        }
      if (got < 0 && errno != EINTR)
        {
          traced->seized = FALSE;
          return;
        }
      if (g_get_monotonic_time () >= deadline)
        return;
      g_usleep (100);
    }
}

static void
copy_stopped (pid_t   pid,
              Traced *traced)
{
  struct user_regs_struct regs;
  GzStackCopy *copy;
  gssize n;

  if (ptrace (PTRACE_GETREGS, traced->stack->tid, NULL, &regs) != 0)
    return;
  copy = g_new (GzStackCopy, 1);
  {
    const guint64 dwarf[GZ_STACK_N_REGS] = {
      regs.rax, regs.rdx, regs.rcx, regs.rbx, regs.rsi, regs.rdi, regs.rbp, regs.rsp,
      regs.r8, regs.r9, regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15, regs.rip,
    };

    memcpy (copy->regs, dwarf, sizeof dwarf);
  }
  n = gz_stack_copy_remote (pid, copy->regs[GZ_STACK_REG_SP], copy->stack, sizeof copy->stack);
  copy->stack_size = n > 0 ? (gsize) n : 0;
  traced->stack->copy = copy;
}

/* Seizes every thread of @pid not seized yet; returns how many were new. */
static guint
seize_threads (pid_t       pid,
               GHashTable *traced,
               GError    **error)
{
  g_autofree char *task = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (task, 0, NULL);
  const char *entry;
  guint n_new = 0;

  if (dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "process %d is gone (no %s)", (int) pid, task);
      return 0;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      pid_t tid = (pid_t) atoi (entry);
      Traced *t;

      if (tid <= 0 || g_hash_table_contains (traced, GINT_TO_POINTER (tid)))
        continue;
      t = g_new0 (Traced, 1);
      t->stack = g_new0 (GzThreadStack, 1);
      t->stack->tid = tid;
      t->stack->name = read_comm (pid, tid);
      g_hash_table_insert (traced, GINT_TO_POINTER (tid), t);
      n_new++;
      if (ptrace (PTRACE_SEIZE, tid, NULL, NULL) == 0)
        {
          t->seized = TRUE;
          continue;
        }
      if (errno == ESRCH)
        continue; /* exited meanwhile */
      {
        int saved_errno = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "cannot stop the threads of process %d to read their stacks (ptrace: "
                     "%s); run gz-cli as the process's user, or allow ptrace (kernel.yama."
                     "ptrace_scope=0, or CAP_SYS_PTRACE)", (int) pid, g_strerror (saved_errno));
        return 0;
      }
    }
  return n_new;
}

static void
traced_free (Traced *t)
{
  gz_thread_stack_free (t->stack);
  g_free (t);
}

GPtrArray *
gz_thread_capture_process (pid_t    pid,
                           guint    timeout_ms,
                           GError **error)
{
  g_autoptr(GzPerfUnwinder) unwinder = NULL;
  g_autoptr(GHashTable) traced = NULL;
  g_autoptr(GPtrArray) stacks = NULL;
  g_autoptr(GError) local_error = NULL;
  GHashTableIter iter;
  Traced *t;
  gint64 deadline;
  gboolean failed = FALSE;

  g_return_val_if_fail (pid > 0 && pid != getpid (), NULL);

  /* The modules first: the threads stay stopped only while their registers and stacks are
   * copied, never while libdw reads files. */
  unwinder = gz_perf_unwinder_new (pid, error);
  if (unwinder == NULL)
    return NULL;

  traced = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) traced_free);
  /* Threads created while the others were seized: look again, a few times. */
  for (guint round = 0; round < 5; round++)
    {
      if (seize_threads (pid, traced, &local_error) > 0)
        continue;
      failed = local_error != NULL;
      break;
    }

  if (!failed)
    {
      g_hash_table_iter_init (&iter, traced);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
        if (t->seized && ptrace (PTRACE_INTERRUPT, t->stack->tid, NULL, NULL) != 0)
          t->seized = FALSE;
      deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
      g_hash_table_iter_init (&iter, traced);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
        if (t->seized)
          {
            wait_stopped (t, deadline);
            if (t->stopped)
              copy_stopped (pid, t);
          }
    }

  /* Let every thread go before anything slow; a signal that arrived meanwhile goes on. */
  g_hash_table_iter_init (&iter, traced);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    if (t->seized)
      ptrace (PTRACE_DETACH, t->stack->tid, NULL,
              (void *) (guintptr) (t->stopped ? t->pending_signal : 0));

  if (failed)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  stacks = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_thread_stack_free);
  g_hash_table_iter_init (&iter, traced);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    {
      if (!t->seized && t->stack->copy == NULL && !t->stopped)
        {
          /* Exited meanwhile, or never seized: only a thread that is still there counts. */
          g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d", (int) pid,
                                                   (int) t->stack->tid);

          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            continue;
        }
      if (t->stack->copy != NULL)
        unwind_copy (unwinder, pid, t->stack);
      else
        t->stack->signals_blocked = TRUE; /* did not stop in time: its stack is unknown */
      g_ptr_array_add (stacks, g_steal_pointer (&t->stack));
    }
  gz_thread_stacks_sort (stacks);
  return g_steal_pointer (&stacks);
}
