/* gz-malloc-hooks.c: malloc, free and friends defined in the executable, forwarding to tcmalloc's
 * tc_* functions, counting exactly and sampling one allocation per ~rate bytes for the heap
 * sampler. Compiled only with tcmalloc; linked whole into every executable. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gperftools/tcmalloc.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <glib-object.h>

#include "gz-heap-sampler.h"
#include "gz-heap-sampler-private.h"
#include "gz-recorders-fork.h"
#include "gz-stack.h"

/* Everything that runs between the caller's call to malloc and the stack capture lives in this
 * section, so the captured stack is trimmed to start at malloc's caller however the compiler
 * inlined things. */
#define GZ_HOOK __attribute__ ((section ("gz_malloc_hooks")))
extern const char __start_gz_malloc_hooks[] GZ_HEAP_HIDDEN;
extern const char __stop_gz_malloc_hooks[] GZ_HEAP_HIDDEN;

typedef struct
{
  GzHeapThreadCounters counters;  /* with the countdown: bytes until the next sample */
  guint64              rng;
  guint8               busy;      /* inside the sampler: do not sample, do not look up */
  guint8               idle;      /* the countdown is a re-check of a zero rate, not a draw */
  guint8               state;     /* THREAD_NEW, THREAD_REGISTERED, THREAD_EXITED */
} HookThread;

enum { THREAD_NEW, THREAD_REGISTERED, THREAD_EXITED };

/* initial-exec: a thread-pointer-relative access, never __tls_get_addr, even from -fPIC. */
static __thread HookThread hook_thread __attribute__ ((tls_model ("initial-exec")));

#define ZERO_RATE_RECHECK (4 << 20)

static pthread_key_t  exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static guint64        seed_counter;

static void
thread_exited (void *data)
{
  HookThread *t = data;

  t->busy = 1;
  gz_heap_sampler_unregister_thread (&t->counters);
  t->state = THREAD_EXITED;
  t->busy = 0;
}

static void
create_exit_key (void)
{
  pthread_key_create (&exit_key, thread_exited);
}

static guint64
splitmix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return x ^ (x >> 31);
}

/* Bytes until the next sample: exponential with mean = rate, so that sampling is a Poisson
 * process over allocated bytes (what the scaling in gz_heap_sampler_scale assumes). */
static gint64
draw_countdown (HookThread *t)
{
  gsize rate = gz_heap_sampler_get_rate ();
  double u;

  /* Sampling off: come back now and then to see whether it was turned on again. */
  t->idle = rate == 0;
  if (rate == 0)
    return ZERO_RATE_RECHECK;

  /* xorshift64*: 53 bits to a double in (0, 1]. */
  t->rng ^= t->rng >> 12;
  t->rng ^= t->rng << 25;
  t->rng ^= t->rng >> 27;
  u = (double) (((t->rng * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D)) >> 11) + 1) * 0x1.0p-53;
  return (gint64) (-log (u) * (double) rate);
}

static void
thread_init (HookThread *t)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  t->rng = splitmix64 ((guint64) (guintptr) t ^ (guint64) ts.tv_nsec ^
                       __atomic_add_fetch (&seed_counter, 1, __ATOMIC_RELAXED) << 40);
  if (t->rng == 0)
    t->rng = 1;

  gz_heap_sampler_register_thread (&t->counters);
  pthread_once (&exit_key_once, create_exit_key);
  pthread_setspecific (exit_key, t);
  t->state = THREAD_REGISTERED;
}

/* The countdown ran out during an allocation of @size bytes at @ptr (NULL if it failed). */
static GZ_HOOK __attribute__ ((noinline)) void
sample_slow (void  *ptr,
             gsize  size)
{
  HookThread *t = &hook_thread;
  guint64 frames[GZ_STACK_MAX_DEPTH + 8];
  guint n, first;

  if (t->busy)
    {
      /* The sampler's own allocation (libunwind, GLib inside a snapshot, ...). */
      t->counters.countdown = draw_countdown (t);
      return;
    }

  t->busy = 1;

  if (t->state == THREAD_NEW ||
      __atomic_exchange_n (&t->counters.redraw, FALSE, __ATOMIC_RELAXED))
    {
      if (t->state == THREAD_NEW)
        thread_init (t);
      /* The countdown was set to 0, not drawn (a new thread, a new rate): draw now and count
       * this allocation. */
      t->counters.countdown = draw_countdown (t) - (gint64) size;
      if (t->counters.countdown >= 0)
        {
          t->busy = 0;
          return;
        }
    }

  if (t->idle)
    {
      /* No point was drawn: nothing to sample. */
      t->counters.countdown = draw_countdown (t);
      t->busy = 0;
      return;
    }

  t->counters.countdown = draw_countdown (t);

  if (ptr != NULL && gz_recorders_fork_enter ())
    {
      n = gz_stack_capture (frames, G_N_ELEMENTS (frames), 0);
      for (first = 0; first < n; first++)
        {
          const char *pc = (const char *) (guintptr) frames[first];

          if (pc < __start_gz_malloc_hooks || pc >= __stop_gz_malloc_hooks)
            break;
        }
      gz_heap_sampler_record_alloc (ptr, size, frames + first, MIN (n - first, GZ_STACK_MAX_DEPTH));
      gz_recorders_fork_leave ();
    }

  t->busy = 0;
}

/* The fast path: counters, a decrement and a branch. Plain increments: only this thread
 * writes its block; readers accept a value a few allocations old. */
static inline void
account_alloc (void  *ptr,
               gsize  size)
{
  HookThread *t = &hook_thread;

  t->counters.allocs++;
  t->counters.alloc_bytes += size;
  t->counters.countdown -= (gint64) size;
  if (G_UNLIKELY (t->counters.countdown < 0))
    sample_slow (ptr, size);
}

/* One load on the fast path: the filter bit is clear for all but sampled pointers (and a few
 * that share their hash). Called before the memory goes back to tcmalloc, so that another
 * thread cannot be handed the same address while it is still recorded. */
static inline void
account_free (void *ptr)
{
  HookThread *t = &hook_thread;

  t->counters.frees++;
  if (G_UNLIKELY (gz_heap_sampler_maybe_sampled (ptr)) && !t->busy)
    gz_heap_sampler_record_free (ptr);
}

static GZ_HOOK __attribute__ ((noinline)) void *
malloc_sampled (size_t size)
{
  void *ptr = tc_malloc (size);

  sample_slow (ptr, size);
  return ptr;
}

/* The hottest wrapper counts before allocating, so that its fast path ends in a tail call. */
GZ_HOOK void *
malloc (size_t size)
{
  HookThread *t = &hook_thread;

  t->counters.allocs++;
  t->counters.alloc_bytes += size;
  t->counters.countdown -= (gint64) size;
  if (G_UNLIKELY (t->counters.countdown < 0))
    return malloc_sampled (size);
  return tc_malloc (size);
}

GZ_HOOK void
free (void *ptr)
{
  if (ptr == NULL)
    return;
  account_free (ptr);
  tc_free (ptr);
}

GZ_HOOK void *
calloc (size_t nmemb,
        size_t size)
{
  void *ptr = tc_calloc (nmemb, size);
  size_t total;

  if (ptr != NULL && !__builtin_mul_overflow (nmemb, size, &total))
    account_alloc (ptr, total);
  return ptr;
}

GZ_HOOK void *
realloc (void   *old,
         size_t  size)
{
  void *ptr;

  if (old != NULL)
    account_free (old);
  ptr = tc_realloc (old, size);
  if (ptr != NULL)
    account_alloc (ptr, size);
  return ptr;
}

GZ_HOOK int
posix_memalign (void   **out,
                size_t   alignment,
                size_t   size)
{
  int ret = tc_posix_memalign (out, alignment, size);

  if (ret == 0)
    account_alloc (*out, size);
  return ret;
}

GZ_HOOK void *
aligned_alloc (size_t alignment,
               size_t size)
{
  void *ptr = tc_memalign (alignment, size);

  if (ptr != NULL)
    account_alloc (ptr, size);
  return ptr;
}

GZ_HOOK void *
memalign (size_t alignment,
          size_t size)
{
  void *ptr = tc_memalign (alignment, size);

  if (ptr != NULL)
    account_alloc (ptr, size);
  return ptr;
}

GZ_HOOK void *
valloc (size_t size)
{
  void *ptr = tc_valloc (size);

  if (ptr != NULL)
    account_alloc (ptr, size);
  return ptr;
}

GZ_HOOK void *
pvalloc (size_t size)
{
  void *ptr = tc_pvalloc (size);

  if (ptr != NULL)
    account_alloc (ptr, size);
  return ptr;
}

size_t
malloc_usable_size (void *ptr)
{
  return ptr != NULL ? tc_malloc_size (ptr) : 0;
}

/* GLib 2.74's g_slice keeps its own slabs, invisible to malloc, unless G_SLICE=always-malloc.
 * GLib reads G_SLICE once, at the first slice allocation, and that happens in GLib's own
 * constructor (g_hash_table_new uses g_slice), before any constructor of the executable: a
 * setenv() there is too late. A setenv() from .preinit_array is too early: libc's initializer,
 * which runs after it, points environ back at the original array. So getenv() is defined here:
 * it reads environ as libc's does, and answers "always-malloc" for an unset G_SLICE (GLib asks
 * through getenv, which the executable's definition interposes). The constructor below also
 * puts the variable into the environment, for g_getenv and for child processes. */
char *
getenv (const char *name)
{
  size_t len = strlen (name);

  if (len > 0 && strchr (name, '=') == NULL && environ != NULL)
    {
      for (char **var = environ; *var != NULL; var++)
        {
          if (strncmp (*var, name, len) == 0 && (*var)[len] == '=')
            return *var + len + 1;
        }
    }
  if (strcmp (name, "G_SLICE") == 0)
    return (char *) "always-malloc";
  return NULL;
}

__attribute__ ((constructor)) static void
hooks_init (void)
{
  /* The sampler's locks across fork (): gz-recorders-fork.c. */
  setenv ("G_SLICE", "always-malloc", 0);
}
