/* gz-stack.h: capturing call stacks — of the calling thread (libunwind), of every thread of
 * the process (a signal to each, unwound from the signal context) — and tables of stacks with
 * counters, the raw records every profiler hands to the profile builder. */
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
guint gz_stack_capture (guint64 *pcs,
                        guint    max,
                        guint    skip);

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

/* A table of distinct stacks, each with up to 4 counters. Owned by one profiler; a snapshot is
 * a copy taken under the profiler's lock. */
typedef struct
{
  guint        n_pcs;
  GzStackFlags flags;
  guint64      pcs[GZ_STACK_MAX_DEPTH];
  gint64       values[4];
} GzStackRecord;

/* GArray of GzStackRecord; end - start per stack, dropping stacks whose values are all 0. */
GArray *gz_stack_records_subtract (GArray *end,
                                   GArray *start);

G_END_DECLS
