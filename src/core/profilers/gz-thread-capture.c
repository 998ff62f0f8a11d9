/* gz-thread-capture.c: every thread's stack, unwound outside any signal handler: the copies this
 * process's threads took in their handlers (gz-thread-stacks.c), unwound with libdw as perf
 * samples are. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

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
             GzThreadStack  *stack)
{
  GzPerfSample sample = { 0 };
  gboolean complete;

  sample.pid = (guint32) getpid ();
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
        unwind_copy (self_unwinder, stack);
    }
  return g_steal_pointer (&stacks);
}
