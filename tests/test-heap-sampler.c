/* test-heap-sampler.c: the allocation wrappers, the exact counters, the sampler's tables and the
 * accuracy of its scaled estimates. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib-object.h>

#include "gz-heap-sampler.h"
#include "gz-stack.h"

/* config.h writes "#define GZ_HAVE_TCMALLOC" or "#undef" (or 1 / 0): true for empty and 1. */
#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
#define HAVE_WRAPPERS 1
#else
#define HAVE_WRAPPERS 0
#endif

#define SITE_BYTES (64 * 1024 * 1024)
#define SMALL_PIECE 1024
#define LARGE_PIECE (64 * 1024)
#define N_SMALL (SITE_BYTES / 2 / SMALL_PIECE)
#define N_LARGE (SITE_BYTES / 2 / LARGE_PIECE)

/* Through a volatile pointer, so that the compiler cannot pair and delete malloc and free. */
static void *(*volatile malloc_fn) (size_t) = malloc;
static void (*volatile free_fn) (void *) = free;
static volatile size_t huge_count = G_MAXSIZE / 2;

static gboolean
skip_without_wrappers (void)
{
  if (!HAVE_WRAPPERS)
    {
      g_test_skip ("built without tcmalloc: no allocation wrappers");
      return TRUE;
    }
  return FALSE;
}

static void
test_scale (void)
{
  gint64 count, bytes;
  double expected;

  /* One sample of exactly rate bytes: kept with probability 1 - 1/e. */
  count = 1;
  bytes = 4096;
  gz_heap_sampler_scale (&count, &bytes, 4096);
  expected = 4096.0 / (1.0 - exp (-1.0));
  g_assert_cmpint (bytes, ==, (gint64) expected);
  g_assert_cmpint (count, ==, 1);

  /* Small objects: the scale tends to rate / size. */
  count = 100;
  bytes = 100 * 16;
  gz_heap_sampler_scale (&count, &bytes, 512 * 1024);
  g_assert_cmpfloat (fabs ((double) bytes - 100.0 * 512 * 1024) / (100.0 * 512 * 1024), <, 0.001);
  g_assert_cmpint (count, ==, bytes / 16);

  /* Huge objects are always sampled: no scaling. */
  count = 3;
  bytes = 3 * (gint64) 1 << 30;
  gz_heap_sampler_scale (&count, &bytes, 128 * 1024);
  g_assert_cmpint (count, ==, 3);
  g_assert_cmpint (bytes, ==, 3 * (gint64) 1 << 30);

  count = 0;
  bytes = 10;
  gz_heap_sampler_scale (&count, &bytes, 128 * 1024);
  g_assert_cmpint (count, ==, 0);
  g_assert_cmpint (bytes, ==, 0);
}

static void
test_available (void)
{
  g_assert_cmpint (gz_heap_sampler_is_available (), ==, HAVE_WRAPPERS);
  g_assert_cmpuint (gz_heap_sampler_get_rate (), ==, GZ_HEAP_SAMPLER_DEFAULT_RATE);
}

static void
test_wrappers (void)
{
  guint8 *p, *q;
  void *aligned = NULL;

  if (!HAVE_WRAPPERS)
    {
      /* Without them (ASan owns malloc) this would test the sanitizer, which reports the
       * invalid calls below as errors rather than failing them. */
      g_test_skip ("built without the allocation wrappers (-Dtcmalloc=false or ASan)");
      return;
    }

  /* calloc zeroes, also memory that was dirty before. */
  p = malloc_fn (4096);
  memset (p, 0xAB, 4096);
  free_fn (p);
  p = calloc (512, 8);
  g_assert_nonnull (p);
  for (guint i = 0; i < 4096; i++)
    g_assert_cmpuint (p[i], ==, 0);
  free (p);

  /* calloc overflow fails cleanly (a volatile count: GCC rejects the constant product).
   */
  g_assert_null (calloc (huge_count, 4));

  /* realloc keeps data, grows and shrinks, and handles NULL and 0. */
  p = realloc (NULL, 100);
  g_assert_nonnull (p);
  for (guint i = 0; i < 100; i++)
    p[i] = (guint8) i;
  p = realloc (p, 100000);
  g_assert_nonnull (p);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (p[i], ==, i);
  p = realloc (p, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (p[i], ==, i);
  p = realloc (p, 0); /* frees; NULL or a unique pointer that free accepts */
  free (p);

  g_assert_cmpuint (malloc_usable_size (NULL), ==, 0);
  for (gsize n = 1; n < (1 << 20); n = n * 3 + 1)
    {
      p = malloc_fn (n);
      g_assert_cmpuint (malloc_usable_size (p), >=, n);
      memset (p, 1, malloc_usable_size (p));
      free_fn (p);
    }

  for (gsize align = sizeof (void *); align <= 65536; align *= 4)
    {
      g_assert_cmpint (posix_memalign (&aligned, align, 100), ==, 0);
      g_assert_cmpuint ((guintptr) aligned % align, ==, 0);
      free (aligned);

      q = memalign (align, 3000);
      g_assert_cmpuint ((guintptr) q % align, ==, 0);
      g_assert_cmpuint (malloc_usable_size (q), >=, 3000);
      free (q);

      q = aligned_alloc (align, align * 2);
      g_assert_cmpuint ((guintptr) q % align, ==, 0);
      free (q);
    }
  /* Not a power of two: EINVAL, as glibc. */
  g_assert_cmpint (posix_memalign (&aligned, 24, 100), !=, 0);

  q = valloc (10);
  g_assert_cmpuint ((guintptr) q % sysconf (_SC_PAGESIZE), ==, 0);
  free (q);
  q = pvalloc (10);
  g_assert_cmpuint ((guintptr) q % sysconf (_SC_PAGESIZE), ==, 0);
  g_assert_cmpuint (malloc_usable_size (q), >=, (gsize) sysconf (_SC_PAGESIZE));
  free (q);

  /* A string function inside libc allocates through the wrappers and frees through ours. */
  p = (guint8 *) strdup ("gz");
  g_assert_cmpstr ((char *) p, ==, "gz");
  free (p);
}

static void
test_counters (void)
{
  GzHeapCounters before, after;
  const guint n = 1000;
  void **ptrs = g_new (void *, n);

  if (skip_without_wrappers ())
    {
      g_free (ptrs);
      return;
    }

  gz_heap_sampler_get_counters (&before);
  for (guint i = 0; i < n; i++)
    ptrs[i] = malloc_fn (100 + i);
  for (guint i = 0; i < n; i++)
    free_fn (ptrs[i]);
  gz_heap_sampler_get_counters (&after);
  g_free (ptrs);

  /* This thread alone runs: the counts are exact. */
  g_assert_cmpuint (after.allocs - before.allocs, ==, n);
  g_assert_cmpuint (after.frees - before.frees, ==, n);
  g_assert_cmpuint (after.alloc_bytes - before.alloc_bytes, ==, 100 * n + n * (n - 1) / 2);
}

static void
test_gslice (void)
{
  GzHeapCounters before, after;
  gpointer slice;

  if (skip_without_wrappers ())
    return;

  /* Not set by meson for this test: the hooks set it before GLib's constructors. */
  g_assert_cmpstr (g_getenv ("G_SLICE"), ==, "always-malloc");

  gz_heap_sampler_get_counters (&before);
  slice = g_slice_alloc (48);
  g_slice_free1 (48, slice);
  gz_heap_sampler_get_counters (&after);
  g_assert_cmpuint (after.allocs - before.allocs, ==, 1);
  g_assert_cmpuint (after.alloc_bytes - before.alloc_bytes, ==, 48);
  g_assert_cmpuint (after.frees - before.frees, ==, 1);
}

/* The site whose in-use bytes are estimated: half in small pieces, half in large, from two
 * call sites (two stacks, each scaled by its own average size, as Go does). */
static __attribute__ ((noinline, noipa)) void
hold_64mib (void   **ptrs,
            guint64 *return_address)
{
  guint i;

  *return_address = (guint64) (guintptr) __builtin_return_address (0);
  for (i = 0; i < N_SMALL; i++)
    {
      ptrs[i] = malloc (SMALL_PIECE);
      ((volatile char *) ptrs[i])[0] = 1;
    }
  for (; i < N_SMALL + N_LARGE; i++)
    {
      ptrs[i] = malloc (LARGE_PIECE);
      ((volatile char *) ptrs[i])[0] = 2;
    }
}

static gboolean
is_site_stack (const GzStackRecord *record,
               guint64              return_address)
{
  guint64 start = (guint64) (guintptr) hold_64mib;

  return record->n_pcs >= 2 && record->pcs[0] > start && record->pcs[0] < start + 4096 &&
         record->pcs[1] == return_address;
}

/* Scaled in-use bytes and sampled live objects of the site's stacks. */
static gint64
site_inuse (guint64  return_address,
            gint64  *live_samples,
            guint   *n_site_stacks)
{
  g_autoptr(GArray) records = gz_heap_sampler_snapshot ();
  gint64 total = 0;

  *live_samples = 0;
  *n_site_stacks = 0;
  for (guint i = 0; i < records->len; i++)
    {
      const GzStackRecord *record = &g_array_index (records, GzStackRecord, i);
      gint64 count = record->values[2], bytes = record->values[3];

      if (!is_site_stack (record, return_address))
        continue;
      (*n_site_stacks)++;
      *live_samples += count;
      gz_heap_sampler_scale (&count, &bytes, gz_heap_sampler_get_rate ());
      total += bytes;
    }
  return total;
}

static void
test_accuracy (void)
{
  void **ptrs;
  guint within = 0;
  const guint trials = 10;

  if (skip_without_wrappers ())
    return;

  ptrs = g_new (void *, N_SMALL + N_LARGE);
  for (guint trial = 0; trial < trials; trial++)
    {
      guint64 return_address = 0;
      gint64 estimate, live_samples;
      guint n_stacks;
      double error;

      hold_64mib (ptrs, &return_address);
      estimate = site_inuse (return_address, &live_samples, &n_stacks);
      error = ((double) estimate - SITE_BYTES) / SITE_BYTES;
      g_test_message ("trial %u: %u stacks, %" G_GINT64_FORMAT " samples, estimate %"
                      G_GINT64_FORMAT " bytes, error %+.1f%%", trial, n_stacks, live_samples,
                      estimate, 100 * error);
      /* Each call site is its own stack, the leaf being hold_64mib (not a hook frame). */
      g_assert_cmpuint (n_stacks, ==, 2);
      if (fabs (error) <= 0.10)
        within++;

      for (guint i = 0; i < N_SMALL + N_LARGE; i++)
        free_fn (ptrs[i]);
      /* Every sampled object was found again by free. */
      estimate = site_inuse (return_address, &live_samples, &n_stacks);
      g_assert_cmpint (live_samples, ==, 0);
      g_assert_cmpint (estimate, ==, 0);
    }
  g_free (ptrs);

  g_assert_cmpuint (within, >=, 9);
}

static void
test_rate_zero (void)
{
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  void **ptrs;
  gint64 new_samples = 0;

  if (skip_without_wrappers ())
    return;

  ptrs = g_new (void *, N_SMALL + N_LARGE);
  gz_heap_sampler_set_rate (0);
  /* The countdown drawn before still runs out once at most. */
  before = gz_heap_sampler_snapshot ();
  for (guint i = 0; i < 4; i++)
    {
      guint64 return_address;

      hold_64mib (ptrs, &return_address);
      for (guint j = 0; j < N_SMALL + N_LARGE; j++)
        free_fn (ptrs[j]);
    }
  after = gz_heap_sampler_snapshot ();
  gz_heap_sampler_set_rate (GZ_HEAP_SAMPLER_DEFAULT_RATE);
  g_free (ptrs);

  /* The tables are cumulative: what was sampled in between is the difference of the totals. */
  for (guint i = 0; i < after->len; i++)
    new_samples += g_array_index (after, GzStackRecord, i).values[0];
  for (guint i = 0; i < before->len; i++)
    new_samples -= g_array_index (before, GzStackRecord, i).values[0];
  g_assert_cmpint (new_samples, <=, 1);
}

/* Many threads allocating, reallocating and freeing, also each other's memory, with a small
 * rate so that the slow path, the live table and the filter are exercised hard. */
#define N_THREADS 8
#define N_OPS 200000

static void *volatile exchange[N_THREADS];

static __attribute__ ((noinline, noipa)) void *
churn (void *data)
{
  guint id = GPOINTER_TO_UINT (data);
  guint64 rng = id * 2654435761u + 1;
  void *mine[64] = { NULL };

  for (guint op = 0; op < N_OPS; op++)
    {
      guint slot, size;
      void *other;

      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      slot = rng % G_N_ELEMENTS (mine);
      size = (guint) (rng >> 32) % 5000 + 1;

      switch ((rng >> 20) % 4)
        {
        case 0:
          free (mine[slot]);
          mine[slot] = malloc (size);
          memset (mine[slot], (int) id, MIN (size, 64));
          break;
        case 1:
          mine[slot] = realloc (mine[slot], size);
          ((volatile char *) mine[slot])[0] = 1;
          break;
        case 2:
          /* Hand an object to the next thread, which frees it, and take the previous
           * thread's. */
          other = __atomic_exchange_n (&exchange[(id + 1) % N_THREADS], mine[slot],
                                       __ATOMIC_ACQ_REL);
          free (other);
          mine[slot] = __atomic_exchange_n (&exchange[id], NULL, __ATOMIC_ACQ_REL);
          break;
        default:
          free (mine[slot]);
          mine[slot] = calloc (1, size);
          break;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (mine); i++)
    free (mine[i]);
  return NULL;
}

static guint
count_live_samples_in (void *function)
{
  g_autoptr(GArray) records = gz_heap_sampler_snapshot ();
  guint64 start = (guint64) (guintptr) function;
  guint live = 0;

  for (guint i = 0; i < records->len; i++)
    {
      const GzStackRecord *record = &g_array_index (records, GzStackRecord, i);

      if (record->n_pcs > 0 && record->pcs[0] > start && record->pcs[0] < start + 4096)
        live += record->values[2];
    }
  return live;
}

static void
test_threads (void)
{
  GThread *threads[N_THREADS];
  GzHeapCounters before, after;

  gz_heap_sampler_set_rate (4096);
  gz_heap_sampler_get_counters (&before);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("churn", churn, GUINT_TO_POINTER (i));
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  for (guint i = 0; i < N_THREADS; i++)
    free (exchange[i]);
  gz_heap_sampler_get_counters (&after);
  gz_heap_sampler_set_rate (GZ_HEAP_SAMPLER_DEFAULT_RATE);

  if (!HAVE_WRAPPERS)
    return;

  /* The threads exited: their counters were folded into the totals. Each op allocates once. */
  g_assert_cmpuint (after.allocs - before.allocs, >=, (guint64) N_THREADS * N_OPS / 2);
  /* Everything churn allocated was freed, by whichever thread, and found by free. */
  g_assert_cmpuint (count_live_samples_in (churn), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/heap-sampler/scale", test_scale);
  g_test_add_func ("/core/heap-sampler/available", test_available);
  g_test_add_func ("/core/heap-sampler/wrappers", test_wrappers);
  g_test_add_func ("/core/heap-sampler/counters", test_counters);
  g_test_add_func ("/core/heap-sampler/gslice", test_gslice);
  g_test_add_func ("/core/heap-sampler/accuracy", test_accuracy);
  g_test_add_func ("/core/heap-sampler/rate-zero", test_rate_zero);
  g_test_add_func ("/core/heap-sampler/threads", test_threads);

  return g_test_run ();
}
