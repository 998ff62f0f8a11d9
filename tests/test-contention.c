/* test-contention.c: the block and mutex recorders fed by the pthread hooks, their sampling and
 * scaling, and the block and mutex profiles. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#include <glib-object.h>
#include <glib/gstdio.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>

#include "gz-contention.h"
#include "gz-profiler-factory.h"
#include "gz-stack.h"
#include "gz-test-profiles.h"

#define ROUNDS  5
#define HOLD_MS 30

/* Whether @pc lies in @func, by the function bounds in the unwind tables. @exact: pc is an
 * interrupted instruction, not a return address. */
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

/* Sums the records whose frame @depth (0 = leaf) is in @func. */
static void
sum_records (GArray   *records,
             gpointer  func,
             guint     depth,
             gint64   *contentions,
             gint64   *delay)
{
  *contentions = 0;
  *delay = 0;
  for (guint i = 0; i < records->len; i++)
    {
      const GzStackRecord *record = &g_array_index (records, GzStackRecord, i);

      if (record->n_pcs > depth && pc_in_function (record->pcs[depth], func, FALSE))
        {
          *contentions += record->values[0];
          *delay += record->values[1];
        }
    }
}

static pthread_mutex_t contended = PTHREAD_MUTEX_INITIALIZER;
static int holder_ready;
static int waiter_locking;
static pid_t waiter_tid;

/* Whether thread @tid of this process is asleep (state S in /proc: here, in the lock). */
static gboolean
thread_sleeping (pid_t tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/stat", (int) tid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL)
    return FALSE;
  return end[1] == ' ' && end[2] == 'S';
}

/* Holds the lock for @hold_ms counted from when the waiter is blocked on it, so that a waiter
 * kept off a CPU by a loaded machine still meets a held lock. */
__attribute__((noinline, noipa)) static void
contended_holder (guint hold_ms)
{
  pthread_mutex_lock (&contended);
  g_atomic_int_set (&holder_ready, 1);
  for (guint i = 0; i < 5000 && !(g_atomic_int_get (&waiter_locking) &&
                                  thread_sleeping (waiter_tid)); i++)
    g_usleep (200);
  g_usleep (hold_ms * G_TIME_SPAN_MILLISECOND);
  pthread_mutex_unlock (&contended);
}

static gpointer
holder_thread (gpointer data)
{
  contended_holder (GPOINTER_TO_UINT (data));
  return NULL;
}

/* Returns how long it waited, in nanoseconds. */
__attribute__((noinline, noipa)) static gint64
contended_waiter (void)
{
  gint64 start = g_get_monotonic_time ();
  gint64 waited;

  g_atomic_int_set (&waiter_locking, 1);
  pthread_mutex_lock (&contended);
  g_atomic_int_set (&waiter_locking, 0);
  waited = g_get_monotonic_time () - start;
  pthread_mutex_unlock (&contended);

  return waited * 1000;
}

/* ROUNDS waits for a lock held by another thread; returns the total wait in nanoseconds. */
static gint64
run_contention (void)
{
  gint64 waited = 0;

  for (guint i = 0; i < ROUNDS; i++)
    {
      GThread *holder;

      g_atomic_int_set (&holder_ready, 0);
      waiter_tid = gettid ();
      holder = g_thread_new ("gz-holder", holder_thread, GUINT_TO_POINTER (HOLD_MS));
      while (!g_atomic_int_get (&holder_ready))
        g_usleep (100);
      waited += contended_waiter ();
      g_thread_join (holder);
    }
  g_assert_cmpint (waited, >=, ROUNDS * HOLD_MS / 2 * G_GINT64_CONSTANT (1000000));

  return waited;
}

static void
test_mutex_contended (void)
{
  g_autoptr(GArray) mutex = NULL;
  g_autoptr(GArray) block = NULL;
  gint64 waited;
  gint64 contentions;
  gint64 delay;

  g_assert_true (gz_contention_is_available ());
  gz_contention_set_mutex_fraction (1);
  gz_contention_set_block_rate (1);

  waited = run_contention ();

  /* The leaf is the function that called pthread_mutex_lock, not the hook. */
  mutex = gz_contention_snapshot_mutex ();
  sum_records (mutex, contended_waiter, 0, &contentions, &delay);
  g_assert_cmpint (contentions, ==, ROUNDS);
  g_assert_cmpint (delay, <=, waited + waited / 10);
  g_assert_cmpint (delay, >=, waited - waited / 10);

  block = gz_contention_snapshot_block ();
  sum_records (block, contended_waiter, 0, &contentions, &delay);
  g_assert_cmpint (contentions, ==, ROUNDS);
  g_assert_cmpint (delay, <=, waited + waited / 10);
  g_assert_cmpint (delay, >=, waited - waited / 10);

  /* The holder never waited. */
  sum_records (mutex, contended_holder, 0, &contentions, &delay);
  g_assert_cmpint (contentions, ==, 0);

  gz_contention_set_mutex_fraction (GZ_MUTEX_DEFAULT_FRACTION);
  gz_contention_set_block_rate (GZ_BLOCK_DEFAULT_RATE_NS);
}

static pthread_mutex_t cond_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static gboolean cond_flag;

static gpointer
cond_signaller (gpointer data)
{
  g_usleep (HOLD_MS * G_TIME_SPAN_MILLISECOND);
  pthread_mutex_lock (&cond_mutex);
  cond_flag = TRUE;
  pthread_cond_signal (&cond);
  pthread_mutex_unlock (&cond_mutex);
  return NULL;
}

__attribute__((noinline, noipa)) static gint64
cond_waiter (void)
{
  gint64 start = g_get_monotonic_time ();

  pthread_mutex_lock (&cond_mutex);
  while (!cond_flag)
    pthread_cond_wait (&cond, &cond_mutex);
  cond_flag = FALSE;
  pthread_mutex_unlock (&cond_mutex);

  return (g_get_monotonic_time () - start) * 1000;
}

static gpointer
sleeper (gpointer data)
{
  g_usleep (HOLD_MS * G_TIME_SPAN_MILLISECOND);
  return NULL;
}

__attribute__((noinline, noipa)) static gint64
join_waiter (GThread *thread)
{
  gint64 start = g_get_monotonic_time ();

  g_thread_join (thread);

  return (g_get_monotonic_time () - start) * 1000;
}

static void
test_block_cond_and_join (void)
{
  g_autoptr(GArray) block = NULL;
  g_autoptr(GArray) mutex = NULL;
  GThread *thread;
  gint64 cond_waited;
  gint64 join_waited;
  gint64 contentions;
  gint64 delay;

  gz_contention_set_block_rate (1);

  thread = g_thread_new ("gz-signaller", cond_signaller, NULL);
  cond_waited = cond_waiter ();
  g_thread_join (thread);

  /* g_thread_join calls pthread_join: the join is seen, below GLib's frame. */
  join_waited = join_waiter (g_thread_new ("gz-sleeper", sleeper, NULL));

  block = gz_contention_snapshot_block ();
  sum_records (block, cond_waiter, 0, &contentions, &delay);
  g_assert_cmpint (contentions, >=, 1);
  g_assert_cmpint (delay, <=, cond_waited);
  g_assert_cmpint (delay, >=, cond_waited - cond_waited / 10);

  delay = 0;
  for (guint depth = 1; depth < 4 && delay == 0; depth++)
    sum_records (block, join_waiter, depth, &contentions, &delay);
  g_assert_cmpint (delay, <=, join_waited);
  g_assert_cmpint (delay, >=, join_waited - join_waited / 10);

  /* Condition waits and joins are not mutex contention. */
  mutex = gz_contention_snapshot_mutex ();
  sum_records (mutex, cond_waiter, 0, &contentions, &delay);
  g_assert_cmpint (contentions, ==, 0);

  gz_contention_set_block_rate (GZ_BLOCK_DEFAULT_RATE_NS);
}

#define SAMPLED_EVENTS   100000
#define SAMPLED_DELAY_NS 1000

__attribute__((noinline, noipa)) static void
sampled_blocker (GzBlockKind kind)
{
  for (guint i = 0; i < SAMPLED_EVENTS; i++)
    gz_contention_record (kind, SAMPLED_DELAY_NS, 0);
}

/* Events shorter than the rate are kept with probability delay / rate and scaled back up;
 * mutex events 1 in fraction, scaled by the fraction: the totals estimate the truth. */
static void
test_sampling_unbiased (void)
{
  g_autoptr(GArray) block = NULL;
  g_autoptr(GArray) mutex = NULL;
  const gint64 true_delay = (gint64) SAMPLED_EVENTS * SAMPLED_DELAY_NS;
  gint64 contentions;
  gint64 delay;

  gz_contention_set_block_rate (10 * SAMPLED_DELAY_NS);
  sampled_blocker (GZ_BLOCK_KIND_COND);
  gz_contention_set_block_rate (0);
  gz_contention_set_mutex_fraction (5);
  sampled_blocker (GZ_BLOCK_KIND_MUTEX);

  /* About 10000 samples of 10: the standard error is about 1%. */
  block = gz_contention_snapshot_block ();
  sum_records (block, sampled_blocker, 0, &contentions, &delay);
  g_test_message ("block: %" G_GINT64_FORMAT " contentions, %" G_GINT64_FORMAT " ns",
                  contentions, delay);
  g_assert_cmpint (contentions, >=, SAMPLED_EVENTS * 95 / 100);
  g_assert_cmpint (contentions, <=, SAMPLED_EVENTS * 105 / 100);
  g_assert_cmpint (delay, >=, true_delay * 95 / 100);
  g_assert_cmpint (delay, <=, true_delay * 105 / 100);

  /* About 20000 samples of 5. */
  mutex = gz_contention_snapshot_mutex ();
  sum_records (mutex, sampled_blocker, 0, &contentions, &delay);
  g_test_message ("mutex: %" G_GINT64_FORMAT " contentions, %" G_GINT64_FORMAT " ns",
                  contentions, delay);
  g_assert_cmpint (contentions, >=, SAMPLED_EVENTS * 95 / 100);
  g_assert_cmpint (contentions, <=, SAMPLED_EVENTS * 105 / 100);
  g_assert_cmpint (delay, >=, true_delay * 95 / 100);
  g_assert_cmpint (delay, <=, true_delay * 105 / 100);

  gz_contention_set_block_rate (GZ_BLOCK_DEFAULT_RATE_NS);
  gz_contention_set_mutex_fraction (GZ_MUTEX_DEFAULT_FRACTION);
}

static void
check_contention_profile (GzProfile *profile,
                          gint64     waited)
{
  gint64 contentions = gz_test_profile_sum (profile, 0, "contended_waiter", NULL, NULL);
  gint64 delay = gz_test_profile_sum (profile, 1, "contended_waiter", NULL, NULL);

  g_assert_cmpuint (profile->sample_types->len, ==, 2);
  g_assert_cmpint (gz_profile_find_sample_type (profile, "contentions"), ==, 0);
  g_assert_cmpint (gz_profile_find_sample_type (profile, "delay"), ==, 1);
  /* Only this interval: the earlier contention of the same stack is subtracted. */
  g_assert_cmpint (contentions, ==, ROUNDS);
  g_assert_cmpint (delay, <=, waited + waited / 10);
  g_assert_cmpint (delay, >=, waited - waited / 10);
  /* The holder never waited. */
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "contended_holder", NULL, NULL), ==, 0);
}

static GzProfiler *
new_profiler (GzProfileType type)
{
  g_autoptr(GError) error = NULL;
  GzProfiler *profiler = gz_profiler_new (type, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (profiler);
  return profiler;
}

/* The block and mutex profiles of a session, read back by our decoder and by pprof. */
static void
test_profiles (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) block = NULL;
  g_autoptr(GzProfiler) mutex = NULL;
  GzProfiler *profilers[2];
  gint64 waited;

  gz_contention_set_mutex_fraction (1);
  gz_contention_set_block_rate (1);
  block = new_profiler (GZ_PROFILE_TYPE_BLOCK);
  mutex = new_profiler (GZ_PROFILE_TYPE_MUTEX);
  profilers[0] = block;
  profilers[1] = mutex;

  for (guint i = 0; i < G_N_ELEMENTS (profilers); i++)
    {
      g_assert_true (gz_profiler_start (profilers[i], &error));
      g_assert_no_error (error);
    }
  waited = run_contention ();

  for (guint i = 0; i < G_N_ELEMENTS (profilers); i++)
    {
      g_autoptr(GzProfile) profile = gz_profiler_stop (profilers[i], &error);
      g_autoptr(GzProfile) read = NULL;
      g_autofree char *path = NULL;
      g_autofree char *top = NULL;

      g_assert_no_error (error);
      check_contention_profile (profile, waited);
      g_assert_cmpint (profile->period, ==, 1);
      g_assert_cmpint (profile->duration_nanos, >, 0);

      read = gz_test_profile_round_trip (profile, &path);
      check_contention_profile (read, waited);

      top = gz_test_pprof_top (path);
      if (top != NULL)
        g_assert_nonnull (strstr (top, "contended_waiter"));
      g_unlink (path);
    }

  /* A snapshot holds everything since the process started: at least this session. */
  {
    g_autoptr(GzProfile) snapshot = gz_profiler_snapshot (mutex, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gz_test_profile_sum (snapshot, 0, "contended_waiter", NULL, NULL), >=,
                     ROUNDS);
  }

  gz_contention_set_mutex_fraction (GZ_MUTEX_DEFAULT_FRACTION);
  gz_contention_set_block_rate (GZ_BLOCK_DEFAULT_RATE_NS);
}

/* A block session stopped with stop_async, waited for in a GMainLoop: the same delta as a
 * direct stop. A mutex snapshot taken with snapshot_async. */
static void
test_profiles_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) block = NULL;
  g_autoptr(GzProfiler) mutex = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) snapshot = NULL;
  gint64 waited;

  gz_contention_set_mutex_fraction (1);
  gz_contention_set_block_rate (1);
  block = new_profiler (GZ_PROFILE_TYPE_BLOCK);
  mutex = new_profiler (GZ_PROFILE_TYPE_MUTEX);
  g_assert_true (gz_profiler_start (block, &error));
  g_assert_no_error (error);
  waited = run_contention ();

  profile = gz_test_profiler_stop_async (block, NULL, &error);
  g_assert_no_error (error);
  check_contention_profile (profile, waited);
  g_assert_cmpint (profile->duration_nanos, >, 0);

  snapshot = gz_test_profiler_snapshot_async (mutex, NULL, &error);
  g_assert_no_error (error);
  /* Everything since the process started: this round at least. */
  g_assert_cmpint (gz_test_profile_sum (snapshot, 0, "contended_waiter", NULL, NULL), >=,
                   ROUNDS);

  gz_contention_set_mutex_fraction (GZ_MUTEX_DEFAULT_FRACTION);
  gz_contention_set_block_rate (GZ_BLOCK_DEFAULT_RATE_NS);
}

#define PAIRS 5000000

__attribute__((noinline, noipa)) static double
time_pairs (int (*lock) (pthread_mutex_t *))
{
  static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < PAIRS; i++)
    {
      lock (&mutex);
      pthread_mutex_unlock (&mutex);
    }

  return (g_get_monotonic_time () - start) * 1000.0 / PAIRS;
}

/* How much the hook adds to an uncontended lock/unlock pair (run with -m perf). */
static void
test_uncontended_overhead (void)
{
  /* The next definition after this executable's: libc's. */
  int (*real_lock) (pthread_mutex_t *) = dlsym (RTLD_NEXT, "pthread_mutex_lock");
  double hooked = G_MAXDOUBLE;
  double real = G_MAXDOUBLE;

  g_assert_nonnull (real_lock);

  /* Short interleaved runs, the fastest of each: the least disturbed by other load. */
  for (guint i = 0; i < 40; i++)
    {
      hooked = MIN (hooked, time_pairs (pthread_mutex_lock));
      real = MIN (real, time_pairs (real_lock));
    }
  g_test_minimized_result (hooked - real, "uncontended pair: hooked %.2f ns, real %.2f ns, "
                           "overhead %.2f ns", hooked, real, hooked - real);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/contention/mutex-contended", test_mutex_contended);
  g_test_add_func ("/core/contention/block-cond-and-join", test_block_cond_and_join);
  g_test_add_func ("/core/contention/sampling-unbiased", test_sampling_unbiased);
  g_test_add_func ("/core/contention/profiles", test_profiles);
  g_test_add_func ("/core/contention/profiles-async", test_profiles_async);
  if (g_test_perf ())
    g_test_add_func ("/core/contention/uncontended-overhead", test_uncontended_overhead);

  return g_test_run ();
}
