/* gz-stack.h: call stacks — capturing them (the calling thread with libunwind; every thread of
 * the process by a signal to each, whose handler only copies registers and the top of the
 * stack), hashing them, and the raw records with counters that every profiler hands to the
 * profile builder. */
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

/* The user registers a copy carries, in DWARF order for x86-64 (rax, rdx, rcx, rbx, rsi, rdi,
 * rbp, rsp, r8-r15, rip): the order of perf samples, which libdw's unwinder takes. */
#define GZ_STACK_N_REGS      17
#define GZ_STACK_REG_SP      7
#define GZ_STACK_REG_IP      16
/* The bytes of stack (from the stack pointer up) a copy keeps, as perf samples do. */
#define GZ_STACK_COPY_BYTES  16384

/* What a signal handler copies of the thread it interrupted, to be unwound later outside any
 * handler (gz-thread-capture.c, the CPU profiler's signal sampler): never unwind in a handler,
 * where the loader's lock or libunwind's may be held by the code interrupted. */
typedef struct
{
  guint64 regs[GZ_STACK_N_REGS];
  gsize   stack_size;               /* bytes of @stack copied */
  guint8  stack[GZ_STACK_COPY_BYTES]; /* starts at regs[GZ_STACK_REG_SP] */
} GzStackCopy;

/* Fills @copy from a signal handler's @ucontext: the interrupted registers and the stack above
 * the interrupted stack pointer, as much as is mapped (process_vm_readv on oneself; where that
 * is refused, within the range of @ranges that holds the stack pointer: sorted [start, end)
 * pairs of mapped, readable memory, gz_stack_read_ranges(); none copied without). Async-signal-
 * safe; no allocation, no locks. */
void    gz_stack_copy_context (const void    *ucontext,
                               const guint64 *ranges,
                               gsize          n_ranges,
                               GzStackCopy   *copy);
/* Copies up to @max bytes of process @pid's memory from @sp up into @out, stopping where its
 * mapping ends (process_vm_readv, in page-sized pieces). Returns the bytes copied, or -1 with
 * errno set when nothing could be read. Async-signal-safe. */
gssize  gz_stack_copy_remote  (pid_t          pid,
                               guint64        sp,
                               guint8        *out,
                               gsize          max);
/* The readable and writable mappings of this process (/proc/self/maps), as sorted pairs of
 * start and end: the bounds gz_stack_copy_context() keeps to where process_vm_readv is refused. */
GArray *gz_stack_read_ranges  (void);

typedef struct
{
  pid_t        tid;
  char        *name;            /* /proc/PID/task/TID/comm */
  gboolean     signals_blocked; /* did not answer in time: its stack is unknown */
  GzStackCopy *copy;            /* registers and stack, not unwound yet (else NULL) */
  guint        n_pcs;
  guint64      pcs[GZ_STACK_MAX_DEPTH]; /* pcs[0] is the interrupted PC (exact) */
} GzThreadStack;

void       gz_thread_stack_free    (GzThreadStack *stack);
/* Sorts a GPtrArray of GzThreadStack by thread id. */
void       gz_thread_stacks_sort   (GPtrArray     *stacks);

/* Every thread of the calling process, each asked by a signal for a copy of its registers and
 * stack (@copy set; gz_thread_capture_self() in profilers/ unwinds them); the caller's own
 * thread comes already unwound (@pcs). A thread that blocks the signal is reported with
 * signals_blocked set after @timeout_ms. Returns a GPtrArray of GzThreadStack, by thread id. */
GPtrArray *gz_stack_copy_all_threads   (guint    timeout_ms,
                                        GError **error);

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
