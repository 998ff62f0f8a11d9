/* gz-preload-ring.c: the preload's side of the ring (gz-preload-format.h): reserving room
 * without locks, writing a record with the registers and a copy of the stack, counting what a
 * full ring drops. Async-signal-safe: the CPU ticks write from a signal handler. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "gz-preload-private.h"

/* The stack is read in chunks that never cross a page, so that the copy stops exactly at the
 * first page that is not mapped (the kernel transfers whole iovec elements or nothing). */
#define CHUNK 4096
#define MAX_CHUNKS (GZ_PRELOAD_MAX_STACK / CHUNK + 1)

/* Returns at the return address of its call with rbx, rbp, r12-r15 as the caller has them, so
 * the registers stored are those of the caller at that address: rip is the return address,
 * rsp is the caller's stack pointer after the return. Offsets are DWARF numbers times 8. */
__asm__ (
  "  .text\n"
  "  .globl gz_preload_capture_regs\n"
  "  .hidden gz_preload_capture_regs\n"
  "  .type gz_preload_capture_regs, @function\n"
  "gz_preload_capture_regs:\n"
  "  .cfi_startproc\n"
  "  movq %rbx, 24(%rdi)\n"
  "  movq %rbp, 48(%rdi)\n"
  "  leaq 8(%rsp), %rax\n"
  "  movq %rax, 56(%rdi)\n"
  "  movq %r12, 96(%rdi)\n"
  "  movq %r13, 104(%rdi)\n"
  "  movq %r14, 112(%rdi)\n"
  "  movq %r15, 120(%rdi)\n"
  "  movq (%rsp), %rax\n"
  "  movq %rax, 128(%rdi)\n"
  "  ret\n"
  "  .cfi_endproc\n"
  "  .size gz_preload_capture_regs, .-gz_preload_capture_regs\n");

uint64_t
gz_preload_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);

  return (uint64_t) ts.tv_sec * UINT64_C (1000000000) + (uint64_t) ts.tv_nsec;
}

uint32_t
gz_preload_tid (void)
{
  GzPreloadThread *t = &gz_preload_thread;

  if (GZ_UNLIKELY (t->tid == 0))
    t->tid = (uint32_t) syscall (SYS_gettid);

  return t->tid;
}

/* xorshift64*, one state per thread: no lock, no libc. */
uint64_t
gz_preload_random (void)
{
  GzPreloadThread *t = &gz_preload_thread;
  uint64_t x = t->rng;

  if (GZ_UNLIKELY (x == 0))
    {
      x = gz_preload_now_ns () ^ ((uint64_t) gz_preload_tid () << 32) ^
          (uint64_t) (uintptr_t) t ^ UINT64_C (0x9e3779b97f4a7c15);
      if (x == 0)
        x = 1;
    }
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  t->rng = x;

  return x * UINT64_C (0x2545f4914f6cdd1d);
}

/* Room for @size bytes: the record's address in the data, or NULL when the ring is full (the
 * loss is counted and the program goes on). */
static uint8_t *
reserve (uint64_t size)
{
  GzRingHeader *header = gz_preload_header;
  uint64_t head = __atomic_load_n (&header->head, __ATOMIC_RELAXED);

  for (;;)
    {
      uint64_t tail = __atomic_load_n (&header->tail, __ATOMIC_ACQUIRE);

      if (head + size - tail > header->data_size)
        {
          /* head may be older than tail: look again before calling the ring full. */
          uint64_t now = __atomic_load_n (&header->head, __ATOMIC_RELAXED);

          if (now != head)
            {
              head = now;
              continue;
            }
          __atomic_add_fetch (&header->lost_records, 1, __ATOMIC_RELAXED);
          __atomic_add_fetch (&header->lost_bytes, size, __ATOMIC_RELAXED);
          return NULL;
        }
      if (__atomic_compare_exchange_n (&header->head, &head, head + size, true,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return gz_preload_data + (head & (header->data_size - 1));
    }
}

/* The record is complete: its first word, stored last, lets the collector read it. */
static inline void
commit (uint8_t  *record,
        uint64_t  size,
        uint32_t  type)
{
  __atomic_store_n ((uint64_t *) record, size | (uint64_t) type << 32, __ATOMIC_RELEASE);
}

static void
fill_header (uint8_t *record)
{
  GzRecordHeader *header = (GzRecordHeader *) record;

  header->pid = (uint32_t) gz_preload_pid;
  header->tid = gz_preload_tid ();
  header->time_ns = gz_preload_now_ns ();
}

bool
gz_preload_write (uint32_t  type,
                  void     *record,
                  size_t    size)
{
  uint8_t *room;

  if (gz_preload_header == NULL || (room = reserve (size)) == NULL)
    return false;
  memcpy (room + 8, (uint8_t *) record + 8, size - 8);
  fill_header (room);
  commit (room, size, type);

  return true;
}

/* Where the initial thread's frames end: the address of argc, which the kernel put on the
 * stack below argv, the environment and the auxiliary vector (set by the loader). */
extern void *__libc_stack_end;

/* What a record copies of the initial thread's stack above __libc_stack_end: argc and a little
 * more, for an unwinder that reads a word above _start's frame. The rest up to the stack's end
 * (the arguments' and environment's pointers and strings, up to a page and more) holds no
 * frames: copying it cost ~3 µs a record and its room in the ring. */
#define MAIN_STACK_MARGIN 64

/* Nothing but the initial thread's stack lies this far below its end: the kernel keeps at
 * least 128 MiB between the stack and the mmap area. */
#define MAIN_STACK_ROOM (UINT64_C (128) << 20)

/* Looks this thread's stack up once, outside signal handlers: then a record copies its stack
 * with memcpy, which cannot fault between the stack pointer and the stack's end, instead of a
 * system call (several microseconds in some virtual machines). */
static void
learn_stack (GzPreloadThread *t)
{
  pthread_attr_t attr;
  uint8_t was_busy = t->busy;

  t->stack_known = 1;
  if (gz_preload_tid () == (uint32_t) gz_preload_pid)
    {
      uint64_t end = ((uint64_t) (uintptr_t) __libc_stack_end + MAIN_STACK_MARGIN) &
                     ~UINT64_C (7);

      t->stack_low = end - MAIN_STACK_ROOM;
      t->stack_high = end;
      return;
    }
  /* glibc's answer for other threads comes from the thread's descriptor (its cpuset takes a
   * realloc: passed through). */
  t->busy = 1;
  if (pthread_getattr_np (pthread_self (), &attr) == 0)
    {
      void *address;
      size_t size;

      if (pthread_attr_getstack (&attr, &address, &size) == 0)
        {
          t->stack_low = (uint64_t) (uintptr_t) address;
          t->stack_high = t->stack_low + size;
        }
      pthread_attr_destroy (&attr);
    }
  t->busy = was_busy;
}

/* Copies up to @max bytes of this process's memory from @sp into @out, stopping at the end of
 * the stack: with memcpy on this thread's known stack, otherwise (a signal stack, a coroutine's,
 * a thread not looked up yet in a signal handler) with process_vm_readv, which never faults
 * and stops at the first page that cannot be read. */
static size_t
copy_stack (uint8_t  *out,
            uint64_t  sp,
            size_t    max,
            bool      may_learn)
{
  GzPreloadThread *t = &gz_preload_thread;
  struct iovec local = { out, max };
  struct iovec remote[MAX_CHUNKS];
  unsigned n = 0;
  uint64_t at = sp;
  size_t left = max;
  ssize_t copied;

  if (GZ_UNLIKELY (!t->stack_known) && may_learn)
    learn_stack (t);
  if (sp >= t->stack_low && sp < t->stack_high)
    {
      size_t len = t->stack_high - sp < max ? t->stack_high - sp : max;

      memcpy (out, (const void *) (uintptr_t) sp, len);
      return len;
    }

  while (left > 0 && n < MAX_CHUNKS)
    {
      size_t chunk = CHUNK - (at & (CHUNK - 1));

      if (chunk > left)
        chunk = left;
      remote[n].iov_base = (void *) (uintptr_t) at;
      remote[n].iov_len = chunk;
      n++;
      at += chunk;
      left -= chunk;
    }
  copied = process_vm_readv ((pid_t) gz_preload_tid (), &local, 1, remote, n, 0);

  return copied > 0 ? (size_t) copied : 0;
}

/* @may_learn: @regs are this thread's, of a call outside a signal handler. */
static bool
write_stack (uint32_t        type,
             const void     *body,
             size_t          body_size,
             const uint64_t *regs,
             bool            may_learn)
{
  GzRingHeader *header = gz_preload_header;
  size_t fixed = sizeof (GzRecordHeader) + body_size + sizeof (GzRecordStack);
  size_t stack_bytes;
  size_t used;
  size_t reserved;
  GzRecordStack *stack;
  uint8_t *room;

  if (header == NULL)
    return false;

  stack_bytes = header->stack_bytes;
  if (stack_bytes > GZ_PRELOAD_MAX_STACK)
    stack_bytes = GZ_PRELOAD_MAX_STACK;
  stack_bytes &= ~(size_t) 7;
  reserved = fixed + stack_bytes;
  room = reserve (reserved);
  if (room == NULL)
    return false;

  if (body_size > 0)
    memcpy (room + sizeof (GzRecordHeader), body, body_size);
  stack = (GzRecordStack *) (room + sizeof (GzRecordHeader) + body_size);
  memcpy (stack->regs, regs, sizeof stack->regs);
  stack->stack_size = (uint32_t) copy_stack (stack->stack, regs[GZ_RING_REG_SP], stack_bytes,
                                            may_learn);
  stack->reserved = 0;
  fill_header (room);

  /* A copy cut short by the end of the stack: the rest of the room becomes padding. */
  used = fixed + ((stack->stack_size + 7) & ~(size_t) 7);
  if (reserved - used >= 8)
    {
      commit (room, used, type);
      commit (room + used, reserved - used, GZ_RECORD_PAD);
    }
  else
    {
      commit (room, reserved, type);
    }

  return true;
}

__attribute__ ((noinline)) bool
gz_preload_write_stack (uint32_t        type,
                        const void     *body,
                        size_t          body_size,
                        const uint64_t *regs)
{
  uint64_t own_regs[GZ_RING_N_REGS] = { 0 };

  if (regs != NULL)
    return write_stack (type, body, body_size, regs, false);
  gz_preload_capture_regs (own_regs);

  return write_stack (type, body, body_size, own_regs, true);
}

bool
gz_preload_write_call_stack (uint32_t        type,
                             const void     *body,
                             size_t          body_size,
                             const uint64_t *regs)
{
  return write_stack (type, body, body_size, regs, true);
}
