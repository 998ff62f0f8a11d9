/* gz-heap-sampler-private.h: what the allocation wrappers (gz-malloc-hooks.c) and the sampler's
 * tables (gz-heap-sampler.c) tell each other. Nothing else should include this. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Symbols shared between the hooks (in the executable) and libgz: hidden, so that position-
 * independent code reaches them without going through the GOT. */
#define GZ_HEAP_HIDDEN __attribute__ ((visibility ("hidden")))

/* Exact per-thread counters; each thread's block lives in its TLS and is registered with the
 * sampler on the thread's first allocation, then folded into global totals when it exits.
 * @countdown (bytes until the thread's next sample) sits here so that a new rate can reach
 * every thread: gz_heap_sampler_set_rate() sets @redraw and zeroes @countdown, and the
 * thread's next allocation draws again at the new rate instead of finishing an old draw. */
typedef struct _GzHeapThreadCounters GzHeapThreadCounters;
struct _GzHeapThreadCounters
{
  gint64                countdown;
  gint                  redraw;
  guint64               allocs;
  guint64               frees;
  guint64               alloc_bytes;
  GzHeapThreadCounters *prev;
  GzHeapThreadCounters *next;
};

/* The filter free() consults: one bit per hash of a pointer, set while some sampled object with
 * that hash is live. A clear bit (nearly every free) proves the pointer was not sampled. */
#define GZ_HEAP_FILTER_BITS 17
extern guint64 gz_heap_sampler_filter[(1u << GZ_HEAP_FILTER_BITS) / 64] GZ_HEAP_HIDDEN;

static inline guint
gz_heap_sampler_filter_index (const void *ptr)
{
  return (guint) ((((guint64) (guintptr) ptr >> 4) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15))
                  >> (64 - GZ_HEAP_FILTER_BITS));
}

static inline gboolean
gz_heap_sampler_maybe_sampled (const void *ptr)
{
  guint i = gz_heap_sampler_filter_index (ptr);

  return (__atomic_load_n (&gz_heap_sampler_filter[i / 64], __ATOMIC_RELAXED) >> (i % 64)) & 1;
}

/* Called by the hooks only, with the calling thread's re-entrancy flag set (the sampler's own
 * allocations are neither sampled nor looked up). None of them calls malloc while holding the
 * sampler's lock. */
void gz_heap_sampler_register_thread   (GzHeapThreadCounters *counters) GZ_HEAP_HIDDEN;
void gz_heap_sampler_unregister_thread (GzHeapThreadCounters *counters) GZ_HEAP_HIDDEN;
/* @pcs: leaf first, the caller of malloc at pcs[0]. */
void gz_heap_sampler_record_alloc      (const void           *ptr,
                                        gsize                 size,
                                        const guint64        *pcs,
                                        guint                 n_pcs) GZ_HEAP_HIDDEN;
/* After gz_heap_sampler_maybe_sampled() said yes; cheap when @ptr was not sampled after all. */
void gz_heap_sampler_record_free       (const void           *ptr) GZ_HEAP_HIDDEN;
/* For pthread_atfork: the child must not inherit a held lock. */
void gz_heap_sampler_fork_prepare      (void) GZ_HEAP_HIDDEN;
void gz_heap_sampler_fork_parent       (void) GZ_HEAP_HIDDEN;
void gz_heap_sampler_fork_child        (void) GZ_HEAP_HIDDEN;

G_END_DECLS
