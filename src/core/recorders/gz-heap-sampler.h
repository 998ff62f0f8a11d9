/* gz-heap-sampler.h: sampled heap profiling, always on, as Go does it: the allocation wrappers
 * (gz-malloc-hooks.c, linked into each executable) count down a per-thread byte budget drawn
 * from an exponential distribution with mean = the sampling rate, and record a stack when it
 * runs out. Exact allocation counters are kept as well. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GZ_HEAP_SAMPLER_DEFAULT_RATE (128 * 1024)

/* FALSE when this executable was built without the allocation wrappers (e.g. under ASan). */
gboolean gz_heap_sampler_is_available (void);
/* Mean bytes between samples; 0 turns sampling off. Takes effect for the next sample drawn. */
void     gz_heap_sampler_set_rate     (gsize rate);
gsize    gz_heap_sampler_get_rate     (void);

/* Raw sampled records, as Go keeps them: values[0] = sampled allocation count, values[1] =
 * sampled allocated bytes, values[2] = sampled live count, values[3] = sampled live bytes, all
 * unscaled and cumulative since the process started. Returns a GArray of GzStackRecord. */
GArray  *gz_heap_sampler_snapshot     (void);

/* Between these, the calling thread's allocations are counted (gz_heap_sampler_get_counters) but
 * never sampled: the memory profiler keeps its own work at a session's start (building the start
 * profile) out of the session. They nest. */
void     gz_heap_sampler_ignore_begin (void);
void     gz_heap_sampler_ignore_end   (void);

/* Go's unbiased estimate of a sampled (count, bytes) at @rate, scaled in place. */
void     gz_heap_sampler_scale        (gint64 *count,
                                       gint64 *bytes,
                                       gsize   rate);

typedef struct
{
  guint64 allocs;      /* exact, since start: calls to malloc, calloc, realloc, ... */
  guint64 frees;
  guint64 alloc_bytes; /* exact requested bytes */
  guint64 sampled_live_bytes_estimate;
  guint64 sampled_live_objects_estimate;
} GzHeapCounters;

/* Exact counters summed over all threads (live and exited). Cheap enough for a benchmark to
 * call before and after its measured run. */
void     gz_heap_sampler_get_counters (GzHeapCounters *counters);

G_END_DECLS
