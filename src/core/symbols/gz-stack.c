/* gz-stack.c: the calling thread's stack (libunwind's unw_backtrace) and the one stack hash.
 * All-thread capture lives in gz-thread-stacks.c. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

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
