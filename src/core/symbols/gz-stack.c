/* gz-stack.c: the calling thread's stack (libunwind's unw_backtrace), what a signal handler
 * copies of the thread it interrupted (registers and the top of its stack), and the one stack
 * hash. All-thread capture lives in gz-thread-stacks.c. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <glib-object.h>

#include "gz-stack.h"

static __thread guint unwind_depth __attribute__ ((tls_model ("initial-exec")));

void
gz_stack_unwind_begin (void)
{
  unwind_depth++;
}

void
gz_stack_unwind_end (void)
{
  unwind_depth--;
}

gboolean
gz_stack_is_unwinding (void)
{
  return unwind_depth > 0;
}

guint
gz_stack_capture (guint64 *pcs,
                  guint    max,
                  guint    skip)
{
  /* unw_backtrace's first entry is this function's own frame: one more to skip. */
  void *frames[GZ_STACK_MAX_DEPTH + 32];
  guint want = MIN ((gsize) max + skip + 1, G_N_ELEMENTS (frames));
  guint out = 0;
  int n;

  gz_stack_unwind_begin ();
  n = unw_backtrace (frames, (int) want);
  gz_stack_unwind_end ();

  for (int i = (int) skip + 1; i < n && out < max; i++)
    pcs[out++] = (guint64) (guintptr) frames[i];
  return out;
}

/* Chunks that never cross a page boundary, whatever the page size: process_vm_readv stops at the
 * first chunk it cannot read, so the copy ends where the stack's mapping does. */
#define COPY_CHUNK 4096
#define N_CHUNKS   (GZ_STACK_COPY_BYTES / COPY_CHUNK + 1)

gssize
gz_stack_copy_remote (pid_t    pid,
                      guint64  sp,
                      guint8  *out,
                      gsize    max)
{
  struct iovec local[N_CHUNKS], remote[N_CHUNKS];
  guint64 at = sp;
  gsize done = 0;
  int n = 0;

  while (done < max && n < N_CHUNKS)
    {
      gsize len = MIN (COPY_CHUNK - (at % COPY_CHUNK), max - done);

      local[n].iov_base = out + done;
      local[n].iov_len = len;
      remote[n].iov_base = (void *) (guintptr) at;
      remote[n].iov_len = len;
      n++;
      done += len;
      at += len;
    }
  return syscall (SYS_process_vm_readv, pid, local, (unsigned long) n, remote,
                  (unsigned long) n, 0UL);
}

/* Reads the interrupted thread's own stack in place: ASan would take the frames' red zones
 * for errors. */
__attribute__ ((no_sanitize_address)) static gsize
copy_within_ranges (guint64        sp,
                    const guint64 *ranges,
                    gsize          n_ranges,
                    guint8        *out,
                    gsize          max)
{
  gsize low = 0, high = n_ranges;
  const volatile guint8 *from = (const volatile guint8 *) (guintptr) sp;
  gsize len;

  while (low < high)
    {
      gsize mid = (low + high) / 2;

      if (ranges[2 * mid + 1] <= sp)
        low = mid + 1;
      else
        high = mid;
    }
  if (low == n_ranges || ranges[2 * low] > sp)
    return 0;
  len = MIN (max, ranges[2 * low + 1] - sp);
  for (gsize i = 0; i < len; i++)
    out[i] = from[i];
  return len;
}

void
gz_stack_copy_context (const void    *ucontext,
                       const guint64 *ranges,
                       gsize          n_ranges,
                       GzStackCopy   *copy)
{
#if defined(__x86_64__)
  static const int order[GZ_STACK_N_REGS] = {
    REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
  };
  const ucontext_t *uc = ucontext;
  int saved_errno = errno;
  gssize n;

  for (guint i = 0; i < GZ_STACK_N_REGS; i++)
    copy->regs[i] = (guint64) uc->uc_mcontext.gregs[order[i]];
  n = gz_stack_copy_remote (getpid (), copy->regs[GZ_STACK_REG_SP], copy->stack,
                            sizeof copy->stack);
  if (n >= 0)
    copy->stack_size = (gsize) n;
  else if (errno == EFAULT)
    copy->stack_size = 0;
  else /* refused (a seccomp policy): stay within what was mapped when the ranges were read */
    copy->stack_size = copy_within_ranges (copy->regs[GZ_STACK_REG_SP], ranges, n_ranges,
                                           copy->stack, sizeof copy->stack);
  errno = saved_errno;
#else
  memset (copy->regs, 0, sizeof copy->regs);
  copy->stack_size = 0;
#endif
}

GArray *
gz_stack_read_ranges (void)
{
  g_autofree char *maps = NULL;
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (guint64));
  char *line, *next;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return ranges;
  for (line = maps; line != NULL && *line != '\0'; line = next)
    {
      char *end;
      guint64 start, stop;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      start = g_ascii_strtoull (line, &end, 16);
      if (*end != '-')
        continue;
      stop = g_ascii_strtoull (end + 1, &end, 16);
      if (*end != ' ' || end[1] != 'r' || end[2] != 'w')
        continue;
      /* Adjacent mappings make one range: a stack may run on into the next one. */
      if (ranges->len > 0 && g_array_index (ranges, guint64, ranges->len - 1) == start)
        g_array_index (ranges, guint64, ranges->len - 1) = stop;
      else
        {
          g_array_append_val (ranges, start);
          g_array_append_val (ranges, stop);
        }
    }
  return ranges;
}

guint
gz_stack_hash (const guint64 *pcs,
               guint          n_pcs,
               guint          seed)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325) ^ ((guint64) seed << 32) ^ n_pcs;

  /* FNV-1a over whole words, with a shift that brings the multiply's high bits back down:
   * program counters differ mostly in their low bits. */
  for (guint i = 0; i < n_pcs; i++)
    {
      h ^= pcs[i];
      h *= G_GUINT64_CONSTANT (0x100000001b3);
      h ^= h >> 29;
    }
  /* MurmurHash3's finalizer: every bit of the result depends on every bit of h, so that a
   * table may take the low bits (the heap sampler's buckets do). */
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return (guint) h;
}
