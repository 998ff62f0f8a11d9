/* gz-stack.h: call stacks — capturing them (the calling thread with libunwind, every thread of
 * the process by a signal to each), hashing them, and the raw records with counters that every
 * profiler hands to the profile builder. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define GZ_STACK_MAX_DEPTH 64

typedef enum
{
  GZ_STACK_FLAGS_NONE = 0,
  /* pcs[0] is the exact interrupted instruction (a signal's PC), not a return address.
   * Return addresses are symbolized at pc - 1, so that a call's line is the call site. */
  GZ_STACK_FLAGS_LEAF_EXACT = 1 << 0,
} GzStackFlags;

/* Return addresses of the calling thread, leaf first, skipping the @skip innermost frames
 * (gz_stack_capture itself is never included). Async-signal-safe; does not allocate. */
guint gz_stack_capture (guint64       *pcs,
                        guint          max,
                        guint          skip);

/* The one hash of a stack of program counters, used by every table of stacks (the recorders',
 * the builder's, the thread profiler's): @seed mixes in whatever else tells two stacks apart
 * (flags, a thread's name), 0 if nothing. Async-signal-safe and allocation-free: the heap
 * sampler calls it from the malloc hook when it samples. */
guint gz_stack_hash    (const guint64 *pcs,
                        guint          n_pcs,
                        guint          seed);

/* libunwind takes pthread mutexes of its own. While a thread unwinds for gz (gz_stack_capture,
 * the all-thread signal handler) the pthread hooks must pass straight through: recording a
 * contended wait there would unwind again, under libunwind's lock, and deadlock. */
void     gz_stack_unwind_begin (void);
void     gz_stack_unwind_end   (void);
gboolean gz_stack_is_unwinding (void);

typedef struct
{
  pid_t    tid;
  char    *name;            /* /proc/self/task/TID/comm */
  gboolean signals_blocked; /* did not answer in time: its stack is unknown */
  guint    n_pcs;
  guint64  pcs[GZ_STACK_MAX_DEPTH]; /* pcs[0] is the interrupted PC (exact) */
} GzThreadStack;

void       gz_thread_stack_free    (GzThreadStack *stack);

/* The stacks of every thread of the calling process (the caller's own included), each captured
 * by signalling the thread. A thread that blocks the signal is reported with signals_blocked set
 * after @timeout_ms. Returns a GPtrArray of GzThreadStack. */
GPtrArray *gz_stack_capture_all_threads (guint    timeout_ms,
                                         GError **error);
/* The signal the captures use (default SIGRTMIN+6); set before the first capture. */
void       gz_stack_set_capture_signal  (int      signo);

/* A stack with up to 4 counters: what the recorders' tables hand out (as GArrays of these) and
 * the profilers give to the builder. */
typedef struct
{
  guint        n_pcs;
  GzStackFlags flags;
  guint64      pcs[GZ_STACK_MAX_DEPTH];
  gint64       values[4];
} GzStackRecord;

G_END_DECLS
