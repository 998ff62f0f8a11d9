/* gz-preload-private.h: what the preload library's files share inside it (nothing leaves the
 * library but the interposed functions: see gz-preload.map). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gz-preload-format.h"

#define GZ_HIDDEN   __attribute__ ((visibility ("hidden")))
/* The interposed functions: the only ones gz-preload.map lets out. */
#define GZ_EXPORT   __attribute__ ((visibility ("default")))
#define GZ_LIKELY(x)   __builtin_expect (!!(x), 1)
#define GZ_UNLIKELY(x) __builtin_expect (!!(x), 0)

/* The most stack a record copies, whatever the header asks. */
#define GZ_PRELOAD_MAX_STACK 65536

/* One per thread, initial-exec (a thread-pointer-relative access: no __tls_get_addr, which
 * may allocate). */
typedef struct
{
  int64_t  countdown;  /* bytes until the next sampled allocation */
  uint64_t rng;        /* xorshift64* state, 0 until seeded */
  uint32_t tid;        /* cached gettid (), 0 until known */
  uint8_t  busy;       /* inside the preload: record nothing, forward everything */
  uint8_t  drawn;      /* the countdown was drawn once (a thread's first allocation) */
  uint8_t  stack_known; /* stack_low/high were looked up (high 0: not found) */
  uint64_t stack_low;  /* this thread's stack, where a record copies with memcpy */
  uint64_t stack_high;
} GzPreloadThread;

extern __thread GzPreloadThread gz_preload_thread
  __attribute__ ((tls_model ("initial-exec"))) GZ_HIDDEN;

/* The ring and what it asks for. gz_preload_flags is 0 when nothing is recorded (no ring, a
 * fork child, a refused process): every wrapper then only forwards. */
extern GzRingHeader *gz_preload_header GZ_HIDDEN;
extern uint8_t      *gz_preload_data GZ_HIDDEN;
extern uint32_t      gz_preload_flags GZ_HIDDEN;
extern pid_t         gz_preload_pid GZ_HIDDEN;

static inline uint32_t
gz_preload_wants (uint32_t flag)
{
  return __atomic_load_n (&gz_preload_flags, __ATOMIC_RELAXED) & flag;
}

/* gz-preload-ring.c: the writer. */
uint64_t gz_preload_now_ns       (void) GZ_HIDDEN;
uint32_t gz_preload_tid          (void) GZ_HIDDEN;
uint64_t gz_preload_random       (void) GZ_HIDDEN;
/* Fills the callee-saved registers, rsp and rip (DWARF order) as they are at the return
 * address of this call, in its caller. Written in assembly: gz-preload-ring.c. */
void     gz_preload_capture_regs (uint64_t *regs) GZ_HIDDEN;
/* A record of @type: its header, then @body_size bytes of @body, then the stack part (the
 * registers and a copy of the stack from regs[SP] up). With @regs NULL, the registers are
 * taken here (the stack then starts in this function's caller's frames, all of them the
 * preload's, which the collector drops). Returns false when the ring was full (counted). */
bool     gz_preload_write_stack  (uint32_t        type,
                                  const void     *body,
                                  size_t          body_size,
                                  const uint64_t *regs) GZ_HIDDEN;
/* The same with @regs of a call in this thread, outside a signal handler, whose stack is
 * still live: the program's registers at its call of a wrapper (gz-preload-malloc.c). */
bool     gz_preload_write_call_stack (uint32_t        type,
                                      const void     *body,
                                      size_t          body_size,
                                      const uint64_t *regs) GZ_HIDDEN;
/* A record of @size bytes (a multiple of 8, header included) copied from @record. */
bool     gz_preload_write        (uint32_t        type,
                                  void           *record,
                                  size_t          size) GZ_HIDDEN;

/* gz-preload-malloc.c */
void     gz_preload_malloc_resolve (void) GZ_HIDDEN;
/* Nothing of the heap is recorded in this process from now on: the wrappers only forward. */
void     gz_preload_malloc_forward_only (void) GZ_HIDDEN;
bool     gz_preload_malloc_start   (void) GZ_HIDDEN;
void     gz_preload_malloc_fork_prepare (void) GZ_HIDDEN;
void     gz_preload_malloc_fork_parent  (void) GZ_HIDDEN;
void     gz_preload_malloc_fork_child   (void) GZ_HIDDEN;

/* gz-preload-pthread.c */
void     gz_preload_pthread_resolve (void) GZ_HIDDEN;

/* gz-preload-cpu.c */
void     gz_preload_cpu_start  (void) GZ_HIDDEN;
/* Stops the ticks before an exec: true if they were running (resume if the exec fails). */
bool     gz_preload_cpu_pause  (void) GZ_HIDDEN;
void     gz_preload_cpu_resume (void) GZ_HIDDEN;

/* gz-preload.c: one line on stderr, "gz-preload: " in front. */
void     gz_preload_say (const char *message) GZ_HIDDEN;
