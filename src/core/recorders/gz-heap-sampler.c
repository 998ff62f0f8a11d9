/* gz-heap-sampler.c: the heap sampler's tables (stack -> sampled counts, live pointer -> stack),
 * the sampling rate, Go's unbiased scaling, and the exact counters summed over threads. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <linux/futex.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib-object.h>

#include "gz-heap-sampler.h"
#include "gz-heap-sampler-private.h"
#include "gz-stack.h"

/* Why 128 KiB. A site holding B bytes in pieces of s bytes is sampled as a Poisson process over
 * bytes: each piece is recorded with probability p = 1 - exp(-s/rate), and the estimate k * s / p
 * (k pieces recorded) has a relative standard deviation of sqrt((1 - p) / (B/s * p)). For
 * B = 64 MiB in 1 KiB pieces (the worst case: small pieces):
 *   rate 512 KiB: sd 8.8%, within 10% in 74% of runs (too coarse);
 *   rate 256 KiB: sd 6.2%, within 10% in 89% of runs (just misses 9 in 10);
 *   rate 128 KiB: sd 4.4%, within 10% in 97.7% of runs; 64 KiB pieces: sd 3.9%, 99%.
 * On real allocations (tests/test-heap-sampler.c, half 1 KiB and half 64 KiB pieces), 400
 * trials had a mean error of -0.2%, sd 4.1%, 99% within 10%. The cost stays low: a sampled
 * malloc/free pair costs ~250 ns (stack capture and tables), once per 128 KiB allocated. */
static gsize sample_rate = GZ_HEAP_SAMPLER_DEFAULT_RATE;

/* Nesting depth of gz_heap_sampler_ignore_begin() on this thread. */
static __thread guint ignore_depth __attribute__ ((tls_model ("initial-exec")));

/* A futex lock of our own: pthread_mutex_lock is interposed by the contention profiler, which
 * may allocate, and GMutex may be built on the same. Three states: 0 free, 1 held, 2 held with
 * waiters. */
static int sampler_lock;
static int counters_lock;

static void
lock_acquire (int *lock)
{
  int c = 0;

  if (__atomic_compare_exchange_n (lock, &c, 1, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    return;
  if (c != 2)
    c = __atomic_exchange_n (lock, 2, __ATOMIC_ACQUIRE);
  while (c != 0)
    {
      syscall (SYS_futex, lock, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
      c = __atomic_exchange_n (lock, 2, __ATOMIC_ACQUIRE);
    }
}

static void
lock_release (int *lock)
{
  if (__atomic_exchange_n (lock, 0, __ATOMIC_RELEASE) == 2)
    syscall (SYS_futex, lock, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Memory for the tables comes from mmap: malloc would come back into the hooks. */
static void *
map_pages (gsize size)
{
  void *mem = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  return mem == MAP_FAILED ? NULL : mem;
}

/* The stack table: entries are never freed (as in Go), so a snapshot can copy them as they are.
 * values[]: sampled allocs, sampled alloc bytes, sampled live objects, sampled live bytes. */
typedef struct _StackEntry StackEntry;
struct _StackEntry
{
  StackEntry *bucket_next;
  StackEntry *list_next;
  guint       hash;
  gint64      values[4];
  guint       n_pcs;
  guint64     pcs[];
};

#define STACK_BUCKETS (1u << 14)
#define ARENA_CHUNK   (1u << 20)

static StackEntry *stack_buckets[STACK_BUCKETS];
static StackEntry *stack_list;
static guint       n_stacks;
static guint8     *arena_pos;
static gsize       arena_left;

static void *
arena_alloc (gsize size)
{
  void *mem;

  size = (size + 15) & ~(gsize) 15;
  if (size > arena_left)
    {
      arena_pos = map_pages (ARENA_CHUNK);
      arena_left = arena_pos != NULL ? ARENA_CHUNK : 0;
      if (arena_pos == NULL)
        return NULL;
    }
  mem = arena_pos;
  arena_pos += size;
  arena_left -= size;
  return mem;
}

/* Called with sampler_lock held. NULL only when out of memory. */
static StackEntry *
stack_lookup_or_insert (const guint64 *pcs,
                        guint          n_pcs)
{
  guint hash = gz_stack_hash (pcs, n_pcs, 0);
  StackEntry **bucket = &stack_buckets[hash % STACK_BUCKETS];
  StackEntry *entry;

  for (entry = *bucket; entry != NULL; entry = entry->bucket_next)
    {
      if (entry->hash == hash && entry->n_pcs == n_pcs &&
          memcmp (entry->pcs, pcs, n_pcs * sizeof (guint64)) == 0)
        return entry;
    }

  entry = arena_alloc (sizeof (StackEntry) + n_pcs * sizeof (guint64));
  if (entry == NULL)
    return NULL;
  memset (entry, 0, sizeof (StackEntry));
  entry->hash = hash;
  entry->n_pcs = n_pcs;
  memcpy (entry->pcs, pcs, n_pcs * sizeof (guint64));
  entry->bucket_next = *bucket;
  *bucket = entry;
  entry->list_next = stack_list;
  stack_list = entry;
  n_stacks++;
  return entry;
}

/* The live table: sampled pointer -> (stack, size); open addressing with linear probing and
 * backward-shift deletion, grown by rehashing into a new mapping. */
typedef struct
{
  guintptr    ptr; /* 0: empty */
  StackEntry *stack;
  gsize       size;
} LiveSlot;

static LiveSlot *live_slots;
static gsize     live_capacity; /* a power of 2 */
static gsize     live_count;

static gsize
live_hash (guintptr ptr)
{
  return (gsize) (((guint64) ptr >> 4) * G_GUINT64_CONSTANT (0xff51afd7ed558ccd) >> 20);
}

static void
live_insert_slot (LiveSlot *slots,
                  gsize     capacity,
                  LiveSlot *slot)
{
  gsize i = live_hash (slot->ptr) & (capacity - 1);

  while (slots[i].ptr != 0)
    i = (i + 1) & (capacity - 1);
  slots[i] = *slot;
}

static gboolean
live_reserve (void)
{
  gsize new_capacity;
  LiveSlot *new_slots;

  if (live_slots != NULL && (live_count + 1) * 2 <= live_capacity)
    return TRUE;

  new_capacity = live_capacity != 0 ? live_capacity * 2 : 4096;
  new_slots = map_pages (new_capacity * sizeof (LiveSlot));
  if (new_slots == NULL)
    return FALSE;
  for (gsize i = 0; i < live_capacity; i++)
    {
      if (live_slots[i].ptr != 0)
        live_insert_slot (new_slots, new_capacity, &live_slots[i]);
    }
  if (live_slots != NULL)
    munmap (live_slots, live_capacity * sizeof (LiveSlot));
  live_slots = new_slots;
  live_capacity = new_capacity;
  return TRUE;
}

/* Removes @ptr and returns its slot's content in @out; FALSE when it is not there. */
static gboolean
live_remove (guintptr  ptr,
             LiveSlot *out)
{
  gsize mask = live_capacity - 1;
  gsize i, j;

  if (live_slots == NULL)
    return FALSE;

  for (i = live_hash (ptr) & mask; live_slots[i].ptr != ptr; i = (i + 1) & mask)
    {
      if (live_slots[i].ptr == 0)
        return FALSE;
    }
  *out = live_slots[i];
  live_count--;

  /* Backward shift: move later members of the probe run into the hole. */
  for (j = (i + 1) & mask; live_slots[j].ptr != 0; j = (j + 1) & mask)
    {
      gsize home = live_hash (live_slots[j].ptr) & mask;

      /* Slot j may move to i when its home is not in (i, j] cyclically. */
      if (((j - home) & mask) >= ((j - i) & mask))
        {
          live_slots[i] = live_slots[j];
          i = j;
        }
    }
  live_slots[i].ptr = 0;
  return TRUE;
}

guint64 gz_heap_sampler_filter[(1u << GZ_HEAP_FILTER_BITS) / 64];
/* How many live sampled objects share each filter bit; saturated counts stay set forever. */
static guint16 filter_counts[1u << GZ_HEAP_FILTER_BITS];

static void
filter_add (const void *ptr)
{
  guint i = gz_heap_sampler_filter_index (ptr);

  if (filter_counts[i] != G_MAXUINT16)
    filter_counts[i]++;
  __atomic_fetch_or (&gz_heap_sampler_filter[i / 64], G_GUINT64_CONSTANT (1) << (i % 64),
                     __ATOMIC_RELAXED);
}

static void
filter_remove (const void *ptr)
{
  guint i = gz_heap_sampler_filter_index (ptr);

  if (filter_counts[i] == G_MAXUINT16 || filter_counts[i] == 0)
    return;
  if (--filter_counts[i] == 0)
    __atomic_fetch_and (&gz_heap_sampler_filter[i / 64], ~(G_GUINT64_CONSTANT (1) << (i % 64)),
                        __ATOMIC_RELAXED);
}

void
gz_heap_sampler_record_alloc (const void    *ptr,
                              gsize          size,
                              const guint64 *pcs,
                              guint          n_pcs)
{
  StackEntry *entry;

  /* Ignored: nothing is recorded, but a stale record at @ptr goes (as a free would). */
  if (G_UNLIKELY (ignore_depth > 0))
    {
      if (ptr != NULL && gz_heap_sampler_maybe_sampled (ptr))
        gz_heap_sampler_record_free (ptr);
      return;
    }

  n_pcs = MIN (n_pcs, GZ_STACK_MAX_DEPTH);

  lock_acquire (&sampler_lock);
  entry = stack_lookup_or_insert (pcs, n_pcs);
  if (entry != NULL)
    {
      entry->values[0] += 1;
      entry->values[1] += size;
      if (ptr != NULL && live_reserve ())
        {
          LiveSlot slot = { (guintptr) ptr, entry, size };
          LiveSlot stale;

          /* Still recorded: it was freed behind the wrappers' back (tc_free, C++ delete).
           * Replace it, or duplicates would pile up in one probe run. */
          if (live_remove ((guintptr) ptr, &stale))
            {
              filter_remove (ptr);
              stale.stack->values[2] -= 1;
              stale.stack->values[3] -= stale.size;
            }
          live_insert_slot (live_slots, live_capacity, &slot);
          live_count++;
          filter_add (ptr);
          entry->values[2] += 1;
          entry->values[3] += size;
        }
    }
  lock_release (&sampler_lock);
}

void
gz_heap_sampler_ignore_begin (void)
{
  ignore_depth++;
}

void
gz_heap_sampler_ignore_end (void)
{
  g_return_if_fail (ignore_depth > 0);
  ignore_depth--;
}

void
gz_heap_sampler_record_free (const void *ptr)
{
  LiveSlot slot;

  lock_acquire (&sampler_lock);
  if (live_remove ((guintptr) ptr, &slot))
    {
      filter_remove (ptr);
      slot.stack->values[2] -= 1;
      slot.stack->values[3] -= slot.size;
    }
  lock_release (&sampler_lock);
}

void
gz_heap_sampler_fork_prepare (void)
{
  lock_acquire (&counters_lock);
  lock_acquire (&sampler_lock);
}

void
gz_heap_sampler_fork_parent (void)
{
  lock_release (&sampler_lock);
  lock_release (&counters_lock);
}

void
gz_heap_sampler_fork_child (void)
{
  /* Only the forking thread survives: its lock is ours; other threads' counters are gone
   * with them, but their totals so far stay counted. */
  sampler_lock = 0;
  counters_lock = 0;
}

/* Exact counters: the blocks of live threads, plus what exited threads left behind. */
static GzHeapThreadCounters *thread_counters;
static GzHeapThreadCounters  exited_counters;
static gboolean              hooks_attached;

void
gz_heap_sampler_register_thread (GzHeapThreadCounters *counters)
{
  lock_acquire (&counters_lock);
  counters->prev = NULL;
  counters->next = thread_counters;
  if (thread_counters != NULL)
    thread_counters->prev = counters;
  thread_counters = counters;
  __atomic_store_n (&hooks_attached, TRUE, __ATOMIC_RELEASE);
  lock_release (&counters_lock);
}

void
gz_heap_sampler_unregister_thread (GzHeapThreadCounters *counters)
{
  lock_acquire (&counters_lock);
  exited_counters.allocs += counters->allocs;
  exited_counters.frees += counters->frees;
  exited_counters.alloc_bytes += counters->alloc_bytes;
  if (counters->prev != NULL)
    counters->prev->next = counters->next;
  else
    thread_counters = counters->next;
  if (counters->next != NULL)
    counters->next->prev = counters->prev;
  counters->prev = counters->next = NULL;
  lock_release (&counters_lock);
}

gboolean
gz_heap_sampler_is_available (void)
{
  /* config.h has "#define GZ_HAVE_TCMALLOC" / "#undef" (meson's conf.set) or 1 / 0 (set10):
   * the test below is true for an empty definition and for 1. */
#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
  /* The hooks register the first thread that allocates, long before main(). */
  return __atomic_load_n (&hooks_attached, __ATOMIC_ACQUIRE);
#else
  return FALSE;
#endif
}

void
gz_heap_sampler_set_rate (gsize rate)
{
  __atomic_store_n (&sample_rate, rate, __ATOMIC_RELAXED);

  /* Every thread's next allocation draws at the new rate (an old draw at 512 KiB could
   * otherwise let the first megabytes at rate 1 go unsampled). */
  lock_acquire (&counters_lock);
  for (GzHeapThreadCounters *c = thread_counters; c != NULL; c = c->next)
    {
      __atomic_store_n (&c->redraw, TRUE, __ATOMIC_RELAXED);
      __atomic_store_n (&c->countdown, 0, __ATOMIC_RELAXED);
    }
  lock_release (&counters_lock);
}

gsize
gz_heap_sampler_get_rate (void)
{
  return __atomic_load_n (&sample_rate, __ATOMIC_RELAXED);
}

GArray *
gz_heap_sampler_snapshot (void)
{
  GArray *records = g_array_new (FALSE, TRUE, sizeof (GzStackRecord));

  /* Size the array outside the lock: growing it calls realloc, which may sample and so take
   * the lock. Retry in the rare case that new stacks appeared meanwhile. */
  for (;;)
    {
      guint wanted = __atomic_load_n (&n_stacks, __ATOMIC_RELAXED) + 16;
      guint i = 0;

      g_array_set_size (records, wanted);
      lock_acquire (&sampler_lock);
      if (n_stacks > wanted)
        {
          lock_release (&sampler_lock);
          continue;
        }
      for (StackEntry *entry = stack_list; entry != NULL; entry = entry->list_next, i++)
        {
          GzStackRecord *record = &g_array_index (records, GzStackRecord, i);

          record->n_pcs = entry->n_pcs;
          record->flags = GZ_STACK_FLAGS_NONE;
          memcpy (record->pcs, entry->pcs, entry->n_pcs * sizeof (guint64));
          memcpy (record->values, entry->values, sizeof record->values);
        }
      lock_release (&sampler_lock);
      g_array_set_size (records, i);
      return records;
    }
}

void
gz_heap_sampler_scale (gint64 *count,
                       gint64 *bytes,
                       gsize   rate)
{
  double avg, scale;

  if (*count <= 0 || *bytes <= 0)
    {
      *count = 0;
      *bytes = 0;
      return;
    }
  if (rate <= 1)
    return;

  /* Go's scaleHeapSample: an allocation of avg bytes was sampled with probability
   * 1 - exp(-avg / rate). */
  avg = (double) *bytes / (double) *count;
  scale = 1.0 / (1.0 - exp (-avg / (double) rate));
  *count = (gint64) ((double) *count * scale);
  *bytes = (gint64) ((double) *bytes * scale);
}

void
gz_heap_sampler_get_counters (GzHeapCounters *counters)
{
  gsize rate = gz_heap_sampler_get_rate ();

  memset (counters, 0, sizeof *counters);

  lock_acquire (&counters_lock);
  counters->allocs = exited_counters.allocs;
  counters->frees = exited_counters.frees;
  counters->alloc_bytes = exited_counters.alloc_bytes;
  /* Other threads update their blocks without atomics: aligned 64-bit loads see a value that
   * is at most a few allocations old. */
  for (GzHeapThreadCounters *c = thread_counters; c != NULL; c = c->next)
    {
      counters->allocs += __atomic_load_n (&c->allocs, __ATOMIC_RELAXED);
      counters->frees += __atomic_load_n (&c->frees, __ATOMIC_RELAXED);
      counters->alloc_bytes += __atomic_load_n (&c->alloc_bytes, __ATOMIC_RELAXED);
    }
  lock_release (&counters_lock);

  lock_acquire (&sampler_lock);
  for (StackEntry *entry = stack_list; entry != NULL; entry = entry->list_next)
    {
      gint64 count = entry->values[2];
      gint64 bytes = entry->values[3];

      gz_heap_sampler_scale (&count, &bytes, rate);
      counters->sampled_live_objects_estimate += count;
      counters->sampled_live_bytes_estimate += bytes;
    }
  lock_release (&sampler_lock);
}
