/* test-threads.c: every thread's stack (goroutine), threads that block signals, and the
 * creators of threads (threadcreate), including threads GLib's thread pool creates. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-object.h>

#include <dlfcn.h>
#include <errno.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gz-profiler-factory.h"
#include "gz-stack.h"
#include "gz-thread-capture.h"
#include "gz-test-profiles.h"
#include "gz-threadcreate.h"

#define N_PARKED   7
/* What goroutine profiles wait (gz-thread-profiler.c): a loaded machine (load 13 on 2 CPUs)
 * left a woken parked thread without a CPU for more than 20 ms. */
#define TIMEOUT_MS 200

static gboolean
pc_in_function (guint64  pc,
                gpointer func,
                gboolean exact)
{
  unw_proc_info_t info;

  if (unw_get_proc_info_by_ip (unw_local_addr_space, exact ? pc : pc - 1, &info, NULL) != 0)
    return FALSE;

  return info.start_ip == (unw_word_t) (guintptr) func;
}

static gboolean
stack_has_function (const guint64 *pcs,
                    guint          n_pcs,
                    gboolean       leaf_exact,
                    gpointer       func)
{
  for (guint i = 0; i < n_pcs; i++)
    if (pc_in_function (pcs[i], func, leaf_exact && i == 0))
      return TRUE;

  return FALSE;
}

typedef struct
{
  int      fds[2];
  int      n_parked;
  GThread *threads[N_PARKED + 1];
} Park;

/* Blocks in read() until the write end is closed. */
__attribute__((noinline, noipa)) static void
parked_reader (Park *park)
{
  char c;

  g_atomic_int_inc (&park->n_parked);
  while (read (park->fds[0], &c, 1) < 0 && errno == EINTR)
    ;
}

static gpointer
parked_thread (gpointer data)
{
  parked_reader (data);
  return NULL;
}

__attribute__((noinline, noipa)) static void
blocked_reader (Park *park)
{
  char c;

  g_atomic_int_inc (&park->n_parked);
  while (read (park->fds[0], &c, 1) < 0 && errno == EINTR)
    ;
}

/* Like GLib's gmain thread: every signal blocked. */
static gpointer
blocked_thread (gpointer data)
{
  sigset_t all;

  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, NULL);
  blocked_reader (data);
  return NULL;
}

static void
park_start (Park *park)
{
  g_assert_no_errno (pipe (park->fds));
  park->n_parked = 0;
  for (guint i = 0; i < N_PARKED; i++)
    {
      g_autofree char *name = g_strdup_printf ("gz-park-%u", i);

      park->threads[i] = g_thread_new (name, parked_thread, park);
    }
  park->threads[N_PARKED] = g_thread_new ("gz-blocked", blocked_thread, park);
  while (g_atomic_int_get (&park->n_parked) < N_PARKED + 1)
    g_usleep (1000);
  g_usleep (10 * G_TIME_SPAN_MILLISECOND); /* into read() */
}

static void
park_stop (Park *park)
{
  close (park->fds[1]);
  for (guint i = 0; i < N_PARKED + 1; i++)
    g_thread_join (park->threads[i]);
  close (park->fds[0]);
}

/* Every parked thread once, by its name: with its stack in parked_reader, or — a thread the
 * machine's load kept from running within the timeout — as one that did not answer. Returns
 * how many did not answer. */
static guint
check_capture (GPtrArray *stacks)
{
  gboolean seen[N_PARKED] = { FALSE };
  guint n_parked = 0;
  guint n_late = 0;
  guint n_blocked = 0;
  guint n_self = 0;

  for (guint i = 0; i < stacks->len; i++)
    {
      const GzThreadStack *stack = g_ptr_array_index (stacks, i);
      gboolean in_reader;

      g_assert_nonnull (stack->name);
      if (stack->signals_blocked && g_str_equal (stack->name, "gz-blocked"))
        {
          n_blocked++;
          continue;
        }
      if (!g_str_has_prefix (stack->name, "gz-park-"))
        {
          if (stack->signals_blocked)
            continue;
          g_assert_cmpuint (stack->n_pcs, >, 0);
          if (stack->tid == gettid ())
            n_self++;
          g_assert_false (stack_has_function (stack->pcs, stack->n_pcs, TRUE, parked_reader));
          continue;
        }

      in_reader = !stack->signals_blocked &&
                  stack_has_function (stack->pcs, stack->n_pcs, TRUE, parked_reader);
      /* Answered: its own stack, not another thread's. */
      g_assert_true (stack->signals_blocked || in_reader);
      {
        guint index = (guint) g_ascii_strtoull (stack->name + strlen ("gz-park-"), NULL, 10);

        g_assert_cmpuint (index, <, N_PARKED);
        g_assert_false (seen[index]);
        seen[index] = TRUE;
      }
      if (in_reader)
        n_parked++;
      else
        n_late++;
    }
  g_assert_cmpuint (n_parked + n_late, ==, N_PARKED);
  g_assert_cmpuint (n_parked, >, 0);
  g_assert_cmpuint (n_blocked, ==, 1);
  g_assert_cmpuint (n_self, ==, 1);
  if (n_late > 0)
    g_test_message ("%u of %u parked threads did not answer within %u ms", n_late, N_PARKED,
                    TIMEOUT_MS);
  return n_late;
}

static void
test_all_threads (void)
{
  Park park;
  g_autoptr(GPtrArray) stacks = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gint64 elapsed;
  guint n_late;

  park_start (&park);

  start = g_get_monotonic_time ();
  stacks = gz_thread_capture_self (TIMEOUT_MS, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_test_message ("captured %u threads in %" G_GINT64_FORMAT " µs", stacks->len, elapsed);
  n_late = check_capture (stacks);
  /* The blocked thread costs at most one timeout, never a stall; so does each late one. */
  g_assert_cmpint (elapsed, <, ((n_late + 1) * TIMEOUT_MS + 200) * G_TIME_SPAN_MILLISECOND);

  park_stop (&park);
}

#define N_REPEATS 30

/* Returns how many parked threads did not answer, over all the captures. */
static gpointer
capture_repeatedly (gpointer data)
{
  guint n_late = 0;

  for (guint i = 0; i < N_REPEATS; i++)
    {
      g_autoptr(GPtrArray) stacks = NULL;
      g_autoptr(GError) error = NULL;

      stacks = gz_thread_capture_self (TIMEOUT_MS, &error);
      g_assert_no_error (error);
      n_late += check_capture (stacks);
    }

  return GUINT_TO_POINTER (n_late);
}

/* Concurrent callers are serialized and each gets whole answers. */
static void
test_concurrent_captures (void)
{
  Park park;
  GThread *other;
  guint n_late;

  park_start (&park);
  other = g_thread_new ("gz-capturer", capture_repeatedly, NULL);
  n_late = GPOINTER_TO_UINT (capture_repeatedly (NULL));
  n_late += GPOINTER_TO_UINT (g_thread_join (other));
  park_stop (&park);
  /* A late answer now and then under load; never most of them (a clobbered or lost request). */
  g_test_message ("%u of %u parked-thread answers late", n_late, 2 * N_REPEATS * N_PARKED);
  g_assert_cmpuint (n_late, <=, 2 * N_REPEATS * N_PARKED / 4);
}

static void
pool_work (gpointer data,
           gpointer user_data)
{
  g_usleep (G_TIME_SPAN_MILLISECOND);
}

/* An exclusive pool starts its threads in g_thread_pool_new, from this function. */
__attribute__((noinline, noipa)) static void
start_thread_pool (void)
{
  g_autoptr(GError) error = NULL;
  GThreadPool *pool;

  pool = g_thread_pool_new (pool_work, NULL, 3, TRUE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 12; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
}

static void
test_threadcreate_pool (void)
{
  g_autoptr(GArray) records = NULL;
  gint64 from_test = 0;
  gboolean pool_frame = FALSE;

  g_assert_true (gz_threadcreate_is_available ());
  start_thread_pool ();

  records = gz_threadcreate_snapshot ();
  for (guint i = 0; i < records->len; i++)
    {
      const GzStackRecord *record = &g_array_index (records, GzStackRecord, i);

      if (!stack_has_function (record->pcs, record->n_pcs, FALSE, start_thread_pool))
        continue;
      from_test += record->values[0];
      for (guint j = 0; j < record->n_pcs; j++)
        {
          Dl_info info;

          if (dladdr ((gpointer) (guintptr) (record->pcs[j] - 1), &info) &&
              info.dli_sname != NULL && g_str_has_prefix (info.dli_sname, "g_thread_pool"))
            pool_frame = TRUE;
        }
    }
  /* The pool starts its 3 threads, or fewer when GLib reuses idle threads of an earlier pool. */
  g_assert_cmpint (from_test, >=, 1);
  g_assert_cmpint (from_test, <=, 3);
  g_assert_true (pool_frame);
}

/* The one stack hash: equal stacks hash equally; the seed, the order and the depth count; and
 * realistic stacks (shared prefixes, nearby return addresses) spread over the low bits, which
 * the heap sampler's buckets use. */
static void
test_stack_hash (void)
{
  const guint64 a[] = { 0x55d0c0001234, 0x7f3a10002000, 0x7f3a10002100 };
  const guint64 b[] = { 0x7f3a10002000, 0x55d0c0001234, 0x7f3a10002100 };
  const guint64 a0[] = { 0x55d0c0001234, 0x7f3a10002000, 0x7f3a10002100, 0 };
  const guint n = 100000;
  const guint n_buckets = 1u << 14;
  g_autofree guint *buckets = g_new0 (guint, n_buckets);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint max_load = 0, empty = 0;

  g_assert_cmpuint (gz_stack_hash (a, 3, 0), ==, gz_stack_hash (a, 3, 0));
  g_assert_cmpuint (gz_stack_hash (a, 3, 0), !=, gz_stack_hash (a, 3, 1));
  g_assert_cmpuint (gz_stack_hash (a, 3, 0), !=, gz_stack_hash (b, 3, 0));
  g_assert_cmpuint (gz_stack_hash (a, 3, 0), !=, gz_stack_hash (a0, 4, 0));
  g_assert_cmpuint (gz_stack_hash (a, 2, 0), !=, gz_stack_hash (a, 3, 0));
  g_assert_cmpuint (gz_stack_hash (NULL, 0, 7), ==, gz_stack_hash (NULL, 0, 7));

  /* 100,000 stacks: a leaf in 1,000 functions of one library, called from 100 sites. */
  for (guint i = 0; i < n; i++)
    {
      guint64 pcs[8];
      guint h;

      pcs[0] = 0x7f3a10000000 + (i % 1000) * 0x40 + 0x13;
      pcs[1] = 0x55d0c0010000 + (i / 1000) * 0x18 + 0x5;
      for (guint j = 2; j < G_N_ELEMENTS (pcs); j++)
        pcs[j] = 0x55d0c0020000 + j * 0x100;
      h = gz_stack_hash (pcs, G_N_ELEMENTS (pcs), 0);
      g_hash_table_add (seen, GUINT_TO_POINTER (h));
      buckets[h % n_buckets]++;
    }
  for (guint i = 0; i < n_buckets; i++)
    {
      max_load = MAX (max_load, buckets[i]);
      empty += buckets[i] == 0;
    }
  g_test_message ("%u stacks: %u distinct hashes, %u of %u buckets empty, the fullest holds %u",
                  n, g_hash_table_size (seen), empty, n_buckets, max_load);
  /* A random 32-bit hash gives ~1 collision in 100,000 and, at 6.1 stacks a bucket, ~36 empty
   * buckets and a fullest bucket of ~17. */
  g_assert_cmpuint (g_hash_table_size (seen), >=, n - 10);
  g_assert_cmpuint (empty, <=, 100);
  g_assert_cmpuint (max_load, <=, 30);
}

static void
check_goroutine_profile (GzProfile *profile)
{
  g_assert_cmpuint (profile->sample_types->len, ==, 1);
  g_assert_cmpint (gz_profile_find_sample_type (profile, "goroutine"), ==, 0);
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "parked_reader", NULL, NULL), ==, N_PARKED);
  for (guint i = 0; i < N_PARKED; i++)
    {
      g_autofree char *name = g_strdup_printf ("gz-park-%u", i);

      g_assert_cmpint (gz_test_profile_sum (profile, 0, "parked_reader", "thread", name), ==, 1);
    }
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "[signals blocked]", "thread", "gz-blocked"),
                   ==, 1);
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "gz-blocked", "thread", "gz-blocked"), ==, 1);
}

/* The goroutine profile of a session: the threads at its end, by name, read back by our
 * decoder and by pprof. */
static void
test_goroutine_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) snapshot = NULL;
  g_autoptr(GzProfile) read = NULL;
  g_autofree char *path = NULL;
  g_autofree char *top = NULL;
  Park park;

  profiler = gz_profiler_new (GZ_PROFILE_TYPE_GOROUTINE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profiler_start (profiler, &error));
  g_assert_no_error (error);

  park_start (&park);
  snapshot = gz_profiler_snapshot (profiler, &error);
  g_assert_no_error (error);
  check_goroutine_profile (snapshot);
  profile = gz_profiler_stop (profiler, &error);
  g_assert_no_error (error);
  check_goroutine_profile (profile);
  park_stop (&park);

  read = gz_test_profile_round_trip (profile, &path);
  check_goroutine_profile (read);
  top = gz_test_pprof_top (path);
  if (top != NULL)
    {
      g_assert_nonnull (strstr (top, "parked_reader"));
      g_assert_nonnull (strstr (top, "[signals blocked]"));
    }
  g_unlink (path);
}

/* The same through the async calls, waited for in a GMainLoop: a snapshot, a stop cancelled
 * before its worker began (the profiler keeps running), the stop, and a stop too many. */
static void
test_goroutine_profile_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) snapshot = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  Park park;

  profiler = gz_profiler_new (GZ_PROFILE_TYPE_GOROUTINE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profiler_start (profiler, &error));
  g_assert_no_error (error);
  park_start (&park);

  snapshot = gz_test_profiler_snapshot_async (profiler, NULL, &error);
  g_assert_no_error (error);
  check_goroutine_profile (snapshot);
  g_assert_cmpint (snapshot->duration_nanos, ==, 0);

  g_cancellable_cancel (cancelled);
  g_assert_null (gz_test_profiler_stop_async (profiler, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gz_profiler_is_running (profiler));
  g_clear_error (&error);

  profile = gz_test_profiler_stop_async (profiler, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (gz_profiler_is_running (profiler));
  check_goroutine_profile (profile);
  g_assert_cmpint (profile->duration_nanos, >, 0);
  park_stop (&park);

  /* Stopping a stopped profiler fails through the worker as it does directly. */
  g_assert_null (gz_test_profiler_stop_async (profiler, NULL, &error));
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED);
}

static void
check_threadcreate_profile (GzProfile *profile)
{
  g_assert_cmpuint (profile->sample_types->len, ==, 1);
  g_assert_cmpint (gz_profile_find_sample_type (profile, "threadcreate"), ==, 0);
  /* Cumulative: every pool started so far, at least the one of this test. */
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "start_thread_pool", NULL, NULL), >=, 1);
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "g_thread_pool*", NULL, NULL), >=, 1);
}

static void
test_threadcreate_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) read = NULL;
  g_autofree char *path = NULL;
  g_autofree char *top = NULL;

  profiler = gz_profiler_new (GZ_PROFILE_TYPE_THREADCREATE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profiler_start (profiler, &error));
  g_assert_no_error (error);
  start_thread_pool ();
  profile = gz_profiler_stop (profiler, &error);
  g_assert_no_error (error);
  check_threadcreate_profile (profile);

  read = gz_test_profile_round_trip (profile, &path);
  check_threadcreate_profile (read);
  top = gz_test_pprof_top (path);
  if (top != NULL)
    g_assert_nonnull (strstr (top, "start_thread_pool"));
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/stack/hash", test_stack_hash);
  g_test_add_func ("/core/threads/all-threads", test_all_threads);
  g_test_add_func ("/core/threads/concurrent-captures", test_concurrent_captures);
  g_test_add_func ("/core/threads/threadcreate-pool", test_threadcreate_pool);
  g_test_add_func ("/core/threads/goroutine-profile", test_goroutine_profile);
  g_test_add_func ("/core/threads/goroutine-profile-async", test_goroutine_profile_async);
  g_test_add_func ("/core/threads/threadcreate-profile", test_threadcreate_profile);

  return g_test_run ();
}
