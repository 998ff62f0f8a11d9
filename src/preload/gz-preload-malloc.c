/* gz-preload-malloc.c: malloc, free and friends, forwarded to the program's own allocator (the
 * next definition), with Go's sampling: one allocation per ~memory_rate bytes is recorded
 * with its stack, and remembered so that its free is recorded too. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gz-preload-private.h"

typedef void *(*MallocFunc)        (size_t);
typedef void  (*FreeFunc)          (void *);
typedef void *(*CallocFunc)        (size_t, size_t);
typedef void *(*ReallocFunc)       (void *, size_t);
typedef void *(*ReallocarrayFunc)  (void *, size_t, size_t);
typedef int   (*PosixMemalignFunc) (void **, size_t, size_t);
typedef void *(*AlignedFunc)       (size_t, size_t);
typedef void *(*VallocFunc)        (size_t);

static MallocFunc        real_malloc;
static FreeFunc          real_free;
static CallocFunc        real_calloc;
static ReallocFunc       real_realloc;
static ReallocarrayFunc  real_reallocarray;
static PosixMemalignFunc real_posix_memalign;
static AlignedFunc       real_aligned_alloc;
static AlignedFunc       real_memalign;
static VallocFunc        real_valloc;
static VallocFunc        real_pvalloc;

/* Where malloc, free, calloc and realloc jump when this process records no allocations (no
 * ring, a ring without GZ_RING_RECORD_MEMORY, a fork child that does not follow): the real
 * functions, set once the constructor knows. Then a wrapper costs one load, one predictable
 * branch and the jump; NULL (before the constructor, or while sampling) takes the sampling
 * path. */
static MallocFunc  forward_malloc;
static FreeFunc    forward_free;
static CallocFunc  forward_calloc;
static ReallocFunc forward_realloc;

/* In front of the set of sampled pointers (below), what free's path for unsampled pointers
 * reads: one bit per hash of the pointers in the set, 4 KiB that stay in the cache where a
 * probe of the set would miss it. 0: the pointer is not sampled, the usual answer. A count per
 * bit (changed under the set's lock) says when a bit may be cleared. The bootstrap's blocks
 * set bits too, for good. */
#define FILTER_BITS 15
static uint64_t filter_bits[(1 << FILTER_BITS) / 64];
static uint8_t  filter_counts[1 << FILTER_BITS];

/* The pointer's bits above the 16 bytes of malloc's alignment: no multiplication in free's
 * path, and neighbouring blocks fall on different bits. */
static inline uint64_t
filter_hash (const void *p)
{
  return ((uintptr_t) p >> 4) % (1 << FILTER_BITS);
}

static inline bool
filter_has (const void *p)
{
  uint64_t h = filter_hash (p);

  return (__atomic_load_n (&filter_bits[h / 64], __ATOMIC_RELAXED) >> (h % 64)) & 1;
}

/* A saturated count stays: only a slower free for the pointers of its bit. */
static void
filter_add (const void *p)
{
  uint64_t h = filter_hash (p);

  if (filter_counts[h] != UINT8_MAX)
    filter_counts[h]++;
  __atomic_fetch_or (&filter_bits[h / 64], UINT64_C (1) << (h % 64), __ATOMIC_RELAXED);
}

static void
filter_remove (const void *p)
{
  uint64_t h = filter_hash (p);

  if (filter_counts[h] == UINT8_MAX)
    return;
  if (--filter_counts[h] == 0)
    __atomic_fetch_and (&filter_bits[h / 64], ~(UINT64_C (1) << (h % 64)), __ATOMIC_RELAXED);
}

/* While dlsym looks the functions up it may allocate: those few blocks come from here and are
 * never freed (free recognises them by their address). Each has its size in front. */
#define BOOTSTRAP_SIZE (64 * 1024)
static uint8_t bootstrap[BOOTSTRAP_SIZE] __attribute__ ((aligned (64)));
static size_t  bootstrap_used;

/* Not sampling: look again after this many bytes whether sampling was turned on. */
#define IDLE_COUNTDOWN (INT64_C (1) << 30)

static inline bool
is_bootstrap (const void *p)
{
  return (uintptr_t) p - (uintptr_t) bootstrap < BOOTSTRAP_SIZE;
}

static void *
bootstrap_alloc (size_t size,
                 size_t alignment)
{
  size_t at;
  size_t start;

  if (alignment < 16)
    alignment = 16;
  at = __atomic_load_n (&bootstrap_used, __ATOMIC_RELAXED);
  do
    {
      start = (at + 16 + alignment - 1) & ~(alignment - 1);
      if (start + size > BOOTSTRAP_SIZE || size > BOOTSTRAP_SIZE)
        return NULL;
    }
  while (!__atomic_compare_exchange_n (&bootstrap_used, &at, start + size, false,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  memcpy (bootstrap + start - sizeof (size_t), &size, sizeof (size_t));
  /* free's fast path sees only the filter: these blocks go to its slow path, which knows them. */
  {
    uint64_t h = filter_hash (bootstrap + start);

    __atomic_store_n (&filter_counts[h], UINT8_MAX, __ATOMIC_RELAXED);
    __atomic_fetch_or (&filter_bits[h / 64], UINT64_C (1) << (h % 64), __ATOMIC_RELAXED);
  }

  return bootstrap + start;
}

static size_t
bootstrap_size (const void *p)
{
  size_t size;

  memcpy (&size, (const uint8_t *) p - sizeof (size_t), sizeof (size_t));

  return size;
}

#define RESOLVE(slot, name) \
  __atomic_store_n (&(slot), (__typeof__ (slot)) dlsym (RTLD_NEXT, name), __ATOMIC_RELEASE)

void
gz_preload_malloc_resolve (void)
{
  GzPreloadThread *t = &gz_preload_thread;
  uint8_t was_busy = t->busy;

  if (__atomic_load_n (&real_malloc, __ATOMIC_ACQUIRE) != NULL)
    return;
  t->busy = 1;
  RESOLVE (real_free, "free");
  RESOLVE (real_calloc, "calloc");
  RESOLVE (real_realloc, "realloc");
  RESOLVE (real_reallocarray, "reallocarray");
  RESOLVE (real_posix_memalign, "posix_memalign");
  RESOLVE (real_aligned_alloc, "aligned_alloc");
  RESOLVE (real_memalign, "memalign");
  RESOLVE (real_valloc, "valloc");
  RESOLVE (real_pvalloc, "pvalloc");
  /* Last: a non-NULL malloc says all are there. */
  RESOLVE (real_malloc, "malloc");
  t->busy = was_busy;
  if (real_malloc == NULL || real_free == NULL || real_calloc == NULL || real_realloc == NULL)
    {
      gz_preload_say ("no allocator found after the preload (a static program?)");
      abort ();
    }
}

/* Blocks of the bootstrap (handed out only while the functions were looked up, before this)
 * must not reach the real free or realloc: where there are any, those two keep their path,
 * which knows them. */
void
gz_preload_malloc_forward_only (void)
{
  gz_preload_malloc_resolve ();
  if (__atomic_load_n (&bootstrap_used, __ATOMIC_RELAXED) == 0)
    {
      __atomic_store_n (&forward_free, real_free, __ATOMIC_RELAXED);
      __atomic_store_n (&forward_realloc, real_realloc, __ATOMIC_RELAXED);
    }
  __atomic_store_n (&forward_calloc, real_calloc, __ATOMIC_RELAXED);
  __atomic_store_n (&forward_malloc, real_malloc, __ATOMIC_RELAXED);
}

/* Whether the real functions are there, resolving them on the first call (another library's
 * constructor may allocate before ours runs). false only inside dlsym itself. */
static inline bool
ready (void)
{
  if (GZ_LIKELY (__atomic_load_n (&real_malloc, __ATOMIC_ACQUIRE) != NULL))
    return true;
  if (gz_preload_thread.busy)
    return false;
  gz_preload_malloc_resolve ();

  return true;
}

/* The sampled pointers: open addressing with linear probing in memory of our own. Lookups take
 * no lock (free's path for the many unsampled pointers); changes, which are rare (sampled
 * allocations and their frees), take a spin lock and make the sequence number odd while they
 * move entries, so that a lookup that raced with one looks again. */
static uint64_t *set_slots;
static uint64_t  set_mask;
static unsigned  set_shift;
static uint64_t  set_live;   /* entries in the set */
static uint64_t  set_seq;
static int       set_lock;

static inline uint64_t
set_home (uint64_t key)
{
  return (key * UINT64_C (0x9e3779b97f4a7c15)) >> set_shift;
}

static void
lock_set (void)
{
  while (__atomic_exchange_n (&set_lock, 1, __ATOMIC_ACQUIRE) != 0)
    {
      while (__atomic_load_n (&set_lock, __ATOMIC_RELAXED) != 0)
        sched_yield ();
    }
  __atomic_store_n (&set_seq, set_seq + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence (__ATOMIC_RELEASE);
}

static void
unlock_set (void)
{
  __atomic_store_n (&set_seq, set_seq + 1, __ATOMIC_RELEASE);
  __atomic_store_n (&set_lock, 0, __ATOMIC_RELEASE);
}

static bool
set_contains (uint64_t key)
{
  for (;;)
    {
      uint64_t seq = __atomic_load_n (&set_seq, __ATOMIC_ACQUIRE);
      bool found = false;

      if (seq & 1)
        {
          sched_yield ();
          continue;
        }
      for (uint64_t i = set_home (key);; i = (i + 1) & set_mask)
        {
          uint64_t v = __atomic_load_n (&set_slots[i], __ATOMIC_RELAXED);

          if (v == key)
            {
              found = true;
              break;
            }
          if (v == 0)
            break;
        }
      __atomic_thread_fence (__ATOMIC_ACQUIRE);
      if (__atomic_load_n (&set_seq, __ATOMIC_RELAXED) == seq)
        return found;
    }
}

/* false when the set is full: the allocation is then not recorded. */
static bool
set_insert (uint64_t key)
{
  bool inserted = false;

  lock_set ();
  if (set_live < set_mask / 4 * 3)
    {
      uint64_t i = set_home (key);

      while (set_slots[i] != 0 && set_slots[i] != key)
        i = (i + 1) & set_mask;
      if (set_slots[i] == 0)
        {
          set_live++;
          filter_add ((void *) (uintptr_t) key);
        }
      __atomic_store_n (&set_slots[i], key, __ATOMIC_RELAXED);
      inserted = true;
    }
  unlock_set ();

  return inserted;
}

/* Removes @key, shifting later entries of its run back so that no lookup needs a tombstone. */
static bool
set_remove (uint64_t key)
{
  bool removed = false;
  uint64_t i;

  lock_set ();
  for (i = set_home (key); set_slots[i] != 0; i = (i + 1) & set_mask)
    {
      if (set_slots[i] == key)
        {
          removed = true;
          break;
        }
    }
  if (removed)
    {
      uint64_t j = i;

      for (;;)
        {
          uint64_t home;

          j = (j + 1) & set_mask;
          if (set_slots[j] == 0)
            break;
          home = set_home (set_slots[j]);
          /* The entry at j may move to i unless its home lies in (i, j] (cyclically). */
          if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
            continue;
          __atomic_store_n (&set_slots[i], set_slots[j], __ATOMIC_RELAXED);
          i = j;
        }
      __atomic_store_n (&set_slots[i], 0, __ATOMIC_RELAXED);
      set_live--;
      filter_remove ((void *) (uintptr_t) key);
    }
  unlock_set ();

  return removed;
}

void
gz_preload_malloc_fork_prepare (void)
{
  if (set_slots != NULL)
    lock_set ();
}

void
gz_preload_malloc_fork_parent (void)
{
  if (set_slots != NULL)
    unlock_set ();
}

void
gz_preload_malloc_fork_child (void)
{
  if (set_slots != NULL)
    unlock_set ();
}

/* The set, sized for the rate: about 64 GiB of live heap's samples at a quarter of its room
 * (2^17 entries, 1 MiB, at Go's 512 KiB), touched only as used. */
bool
gz_preload_malloc_start (void)
{
  uint64_t rate = gz_preload_header->memory_rate;
  unsigned bits = 12;
  void *slots;

  if (rate == 0)
    return false;
  while (bits < 22 && (UINT64_C (1) << bits) < (UINT64_C (1) << 36) / rate)
    bits++;
  slots = mmap (NULL, (sizeof (uint64_t)) << bits, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (slots == MAP_FAILED)
    return false;
  set_mask = (UINT64_C (1) << bits) - 1;
  set_shift = 64 - bits;
  __atomic_store_n (&set_slots, slots, __ATOMIC_RELEASE);

  return true;
}

/* Bytes until the next sample: exponential with mean = rate (a Poisson process over the bytes
 * allocated, as Go's runtime does), computed without libm. */
static int64_t
draw_countdown (uint64_t rate)
{
  union { double d; uint64_t u; } x;
  double m, s, s2, ln_u;
  int64_t e;

  if (rate <= 1)
    return 0;
  /* u in (0, 1]: 53 random bits. */
  x.d = (double) ((gz_preload_random () >> 11) + 1) * 0x1.0p-53;
  /* ln u = e ln 2 + ln m with m in [1, 2); ln m = 2 atanh ((m - 1) / (m + 1)). */
  e = (int64_t) ((x.u >> 52) & 0x7ff) - 1023;
  x.u = (x.u & ~(UINT64_C (0x7ff) << 52)) | (UINT64_C (1023) << 52);
  m = x.d;
  s = (m - 1) / (m + 1);
  s2 = s * s;
  ln_u = (double) e * 0.6931471805599453 +
         2 * s * (1 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 +
                                                                          s2 / 11)))));
  if (-ln_u * (double) rate > 0x1.0p60)
    return INT64_C (1) << 60;

  return (int64_t) (-ln_u * (double) rate);
}

static void
record_free (void *p)
{
  GzRecordFree record = { 0 };

  record.address = (uint64_t) (uintptr_t) p;
  gz_preload_write (GZ_RECORD_FREE, &record, sizeof record);
}

/* A block that may be sampled goes away: record its free. Before the real free, so that a
 * later allocation at the same address is recorded after it. */
static inline void
forget (void *p)
{
  uint64_t key = (uint64_t) (uintptr_t) p;

  /* The filter may also answer yes for a bootstrap block's bit, or before the set exists. */
  if (p == NULL || !filter_has (p) || __atomic_load_n (&set_live, __ATOMIC_RELAXED) == 0)
    return;
  if (set_contains (key) && set_remove (key))
    record_free (p);
}

/* The countdown of this thread ran out during an allocation of @size bytes at @p (NULL if it
 * failed). @regs: the program's registers at its call of the wrapper, or NULL (taken here). */
__attribute__ ((noinline)) static void
sample (void           *p,
        size_t          size,
        const uint64_t *regs)
{
  GzPreloadThread *t = &gz_preload_thread;
  uint64_t rate;
  struct
  {
    uint64_t address;
    uint64_t size;
  } body;

  if (t->busy)
    return;
  if (!gz_preload_wants (GZ_RING_RECORD_MEMORY))
    {
      t->countdown = IDLE_COUNTDOWN;
      return;
    }
  rate = gz_preload_header->memory_rate;
  /* A thread's first allocation is measured against a first draw, not sampled outright. */
  if (!t->drawn)
    {
      t->drawn = 1;
      t->countdown = draw_countdown (rate) - (int64_t) size;
      if (t->countdown > 0)
        return;
    }
  t->countdown = draw_countdown (rate);
  if (p == NULL)
    return;

  t->busy = 1;
  body.address = (uint64_t) (uintptr_t) p;
  body.size = size;
  if (!set_insert (body.address))
    {
      __atomic_add_fetch (&gz_preload_header->lost_records, 1, __ATOMIC_RELAXED);
    }
  else if (!(regs != NULL ? gz_preload_write_call_stack (GZ_RECORD_ALLOC, &body, sizeof body, regs)
                          : gz_preload_write_stack (GZ_RECORD_ALLOC, &body, sizeof body, NULL)))
    {
      /* Its allocation was lost: its free must not be recorded either. */
      set_remove (body.address);
    }
  t->busy = 0;
}

static inline void *
account (void   *p,
         size_t  size)
{
  GzPreloadThread *t = &gz_preload_thread;

  if (GZ_UNLIKELY ((t->countdown -= (int64_t) size) <= 0))
    sample (p, size, NULL);

  return p;
}

/* The hot wrappers (malloc, free, calloc, realloc) tail-call the real function unless there is
 * something to do: the countdown ran out, a sampled pointer may be freed, the real functions
 * are not known yet. Everything else is in their out-of-line slow paths, which sample when the
 * countdown (already taken down by the wrapper) is out. */
static inline bool
counted_out (size_t size)
{
  return (gz_preload_thread.countdown -= (int64_t) size) <= 0;
}

static inline bool
may_free_sampled (void *p)
{
  return filter_has (p);
}

static inline void *
sample_if_out (void   *p,
               size_t  size)
{
  if (gz_preload_thread.countdown <= 0)
    sample (p, size, NULL);

  return p;
}

/* malloc's slow path, entered by malloc's jump with the program's registers as they are at its
 * call (callee-saved ones untouched, rsp at the return address): malloc_slow_entry stores them
 * (DWARF order, as gz_preload_capture_regs does; the others 0) and calls malloc_slow with them.
 * A record then starts at the program's frame: no preload frames to copy, and three fewer
 * frames for the collector to unwind and drop. */
void *malloc_slow_entry (size_t size) GZ_HIDDEN;
void *malloc_slow (size_t          size,
                   const uint64_t *regs) GZ_HIDDEN;

__asm__ (
  "  .text\n"
  "  .globl malloc_slow_entry\n"
  "  .hidden malloc_slow_entry\n"
  "  .type malloc_slow_entry, @function\n"
  "malloc_slow_entry:\n"
  "  .cfi_startproc\n"
  "  subq $136, %rsp\n"
  "  .cfi_adjust_cfa_offset 136\n"
  "  movq %rbx, 24(%rsp)\n"
  "  movq %rbp, 48(%rsp)\n"
  "  movq %r12, 96(%rsp)\n"
  "  movq %r13, 104(%rsp)\n"
  "  movq %r14, 112(%rsp)\n"
  "  movq %r15, 120(%rsp)\n"
  "  leaq 144(%rsp), %rax\n"
  "  movq %rax, 56(%rsp)\n"
  "  movq 136(%rsp), %rax\n"
  "  movq %rax, 128(%rsp)\n"
  "  xorl %eax, %eax\n"
  "  movq %rax, 0(%rsp)\n"
  "  movq %rax, 8(%rsp)\n"
  "  movq %rax, 16(%rsp)\n"
  "  movq %rax, 32(%rsp)\n"
  "  movq %rax, 40(%rsp)\n"
  "  movq %rax, 64(%rsp)\n"
  "  movq %rax, 72(%rsp)\n"
  "  movq %rax, 80(%rsp)\n"
  "  movq %rax, 88(%rsp)\n"
  "  movq %rsp, %rsi\n"
  "  call malloc_slow\n"
  "  addq $136, %rsp\n"
  "  .cfi_adjust_cfa_offset -136\n"
  "  ret\n"
  "  .cfi_endproc\n"
  "  .size malloc_slow_entry, .-malloc_slow_entry\n");

void *
malloc_slow (size_t          size,
             const uint64_t *regs)
{
  void *p;

  if (!ready ())
    return bootstrap_alloc (size, 16);
  p = real_malloc (size);
  if (gz_preload_thread.countdown <= 0)
    sample (p, size, regs);

  return p;
}

GZ_EXPORT void *
malloc (size_t size)
{
  MallocFunc real = __atomic_load_n (&forward_malloc, __ATOMIC_RELAXED);
  bool out;

  if (GZ_LIKELY (real != NULL))
    return real (size);
  real = __atomic_load_n (&real_malloc, __ATOMIC_RELAXED);
  out = counted_out (size);
  if (GZ_UNLIKELY (out || real == NULL))
    return malloc_slow_entry (size);

  return real (size);
}

__attribute__ ((noinline)) static void
free_slow (void *p)
{
  if (is_bootstrap (p))
    return;
  forget (p);
  if (ready ())
    real_free (p);
}

GZ_EXPORT void
free (void *p)
{
  FreeFunc real = __atomic_load_n (&forward_free, __ATOMIC_RELAXED);

  if (GZ_LIKELY (real != NULL))
    {
      real (p);
      return;
    }
  real = __atomic_load_n (&real_free, __ATOMIC_RELAXED);
  if (GZ_UNLIKELY (real == NULL || may_free_sampled (p)))
    {
      free_slow (p);
      return;
    }
  real (p);
}

__attribute__ ((noinline)) static void *
calloc_slow (size_t n,
             size_t size)
{
  size_t total;

  if (__builtin_mul_overflow (n, size, &total))
    {
      errno = ENOMEM;
      return NULL;
    }
  if (!ready ())
    return bootstrap_alloc (total, 16);

  return sample_if_out (real_calloc (n, size), total);
}

GZ_EXPORT void *
calloc (size_t n,
        size_t size)
{
  CallocFunc real = __atomic_load_n (&forward_calloc, __ATOMIC_RELAXED);
  size_t total;
  bool overflow;
  bool out;

  if (GZ_LIKELY (real != NULL))
    return real (n, size);
  real = __atomic_load_n (&real_calloc, __ATOMIC_RELAXED);
  overflow = __builtin_mul_overflow (n, size, &total);
  out = counted_out (total);
  if (GZ_UNLIKELY (out || overflow || real == NULL))
    return calloc_slow (n, size);

  return real (n, size);
}

__attribute__ ((noinline)) static void *
realloc_slow (void   *p,
              size_t  size)
{
  void *q;

  if (is_bootstrap (p) || !ready ())
    {
      q = ready () ? real_malloc (size) : bootstrap_alloc (size, 16);
      if (q != NULL && p != NULL)
        {
          size_t old = bootstrap_size (p);

          memcpy (q, p, old < size ? old : size);
        }
      return sample_if_out (q, size);
    }
  forget (p);

  return sample_if_out (real_realloc (p, size), size);
}

GZ_EXPORT void *
realloc (void   *p,
         size_t  size)
{
  ReallocFunc real = __atomic_load_n (&forward_realloc, __ATOMIC_RELAXED);
  bool out;

  if (GZ_LIKELY (real != NULL))
    return real (p, size);
  real = __atomic_load_n (&real_realloc, __ATOMIC_RELAXED);
  out = counted_out (size);
  if (GZ_UNLIKELY (out || real == NULL || may_free_sampled (p)))
    return realloc_slow (p, size);

  return real (p, size);
}

GZ_EXPORT void *
reallocarray (void   *p,
              size_t  n,
              size_t  size)
{
  size_t total;

  if (__builtin_mul_overflow (n, size, &total))
    {
      errno = ENOMEM;
      return NULL;
    }
  if (GZ_UNLIKELY (is_bootstrap (p) || !ready () || real_reallocarray == NULL))
    return realloc (p, total);
  forget (p);

  return account (real_reallocarray (p, n, size), total);
}

GZ_EXPORT int
posix_memalign (void   **out,
                size_t   alignment,
                size_t   size)
{
  int rc;

  if (GZ_UNLIKELY (!ready ()))
    {
      *out = bootstrap_alloc (size, alignment);
      return *out != NULL ? 0 : ENOMEM;
    }
  rc = real_posix_memalign (out, alignment, size);
  if (rc == 0)
    account (*out, size);

  return rc;
}

GZ_EXPORT void *
aligned_alloc (size_t alignment,
               size_t size)
{
  if (GZ_UNLIKELY (!ready ()))
    return bootstrap_alloc (size, alignment);

  return account (real_aligned_alloc (alignment, size), size);
}

GZ_EXPORT void *
memalign (size_t alignment,
          size_t size)
{
  if (GZ_UNLIKELY (!ready ()))
    return bootstrap_alloc (size, alignment);

  return account (real_memalign (alignment, size), size);
}

GZ_EXPORT void *
valloc (size_t size)
{
  if (GZ_UNLIKELY (!ready ()))
    return bootstrap_alloc (size, 4096);

  return account (real_valloc (size), size);
}

GZ_EXPORT void *
pvalloc (size_t size)
{
  if (GZ_UNLIKELY (!ready ()))
    return bootstrap_alloc ((size + 4095) & ~(size_t) 4095, 4096);

  return account (real_pvalloc (size), size);
}
