/* gz-recorders-fork.c: the recorders across fork (): before the fork, new recordings are
 * skipped and the ones under way are waited for, then the heap sampler's locks are taken; the
 * child starts with every lock free and no recording in flight, whatever the other threads
 * (gz's own, the program's) were doing. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <pthread.h>
#include <sched.h>

#include "gz-heap-sampler-private.h"
#include "gz-recorders-fork.h"

static int in_flight; /* recordings under way, all threads */
static int forking;   /* between prepare and parent/child */

gboolean
gz_recorders_fork_enter (void)
{
  __atomic_add_fetch (&in_flight, 1, __ATOMIC_SEQ_CST);
  if (G_UNLIKELY (__atomic_load_n (&forking, __ATOMIC_SEQ_CST)))
    {
      __atomic_sub_fetch (&in_flight, 1, __ATOMIC_SEQ_CST);
      return FALSE;
    }
  return TRUE;
}

void
gz_recorders_fork_leave (void)
{
  __atomic_sub_fetch (&in_flight, 1, __ATOMIC_SEQ_CST);
}

/* The recordings still under way end quickly (a stack capture, a table update): none of them
 * waits for anything the forking thread can hold at this point. */
static void
fork_prepare (void)
{
  __atomic_store_n (&forking, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n (&in_flight, __ATOMIC_SEQ_CST) != 0)
    sched_yield ();
  gz_heap_sampler_fork_prepare ();
}

static void
fork_parent (void)
{
  gz_heap_sampler_fork_parent ();
  __atomic_store_n (&forking, 0, __ATOMIC_SEQ_CST);
}

static void
fork_child (void)
{
  gz_heap_sampler_fork_child ();
  in_flight = 0;
  forking = 0;
}

/* One registration for the gate and the sampler's locks, so that the gate runs first: a
 * recording under way may be waiting for the sampler's lock. */
__attribute__ ((constructor)) static void
gz_recorders_fork_init (void)
{
  pthread_atfork (fork_prepare, fork_parent, fork_child);
}
