/* test-profiler.c: the GzProfiler base class, with a profiler of the test's own whose stop and
 * snapshot wait until the test lets them go: the factory's errors, the async calls on a worker
 * thread, cancellation before and after the worker begins, and the "busy" guard. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "gz-profile-builder.h"
#include "gz-profiler-factory.h"
#include "gz-test-profiles.h"

/* A profiler whose stop and snapshot block until released, and say on which thread they ran. */
#define TEST_TYPE_GATED_PROFILER (test_gated_profiler_get_type ())
G_DECLARE_FINAL_TYPE (TestGatedProfiler, test_gated_profiler, TEST, GATED_PROFILER, GzProfiler)

struct _TestGatedProfiler
{
  GzProfiler parent_instance;

  GMutex     lock;
  GCond      cond;
  gboolean   entered; /* a stop or snapshot is waiting at the gate */
  gboolean   open;
  GThread   *thread;  /* where the last stop or snapshot ran */
};

G_DEFINE_FINAL_TYPE (TestGatedProfiler, test_gated_profiler, GZ_TYPE_PROFILER)

static GzProfile *
gated_profile (TestGatedProfiler  *self,
               const char         *frame,
               GError            **error)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_GOROUTINE);
  const char *frames[] = { frame };
  gint64 value = 1;

  g_mutex_lock (&self->lock);
  self->thread = g_thread_self ();
  self->entered = TRUE;
  g_cond_broadcast (&self->cond);
  while (!self->open)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  gz_profile_builder_add_named_sample (builder, frames, 1, &value, NULL, 0);
  return gz_profile_builder_finish (builder, NULL, error);
}

static gboolean
test_gated_profiler_start (GzProfiler  *profiler,
                           GError     **error)
{
  return TRUE;
}

static GzProfile *
test_gated_profiler_stop (GzProfiler  *profiler,
                          GError     **error)
{
  return gated_profile (TEST_GATED_PROFILER (profiler), "stopped", error);
}

static GzProfile *
test_gated_profiler_snapshot (GzProfiler  *profiler,
                              GError     **error)
{
  return gated_profile (TEST_GATED_PROFILER (profiler), "snapshot", error);
}

static void
test_gated_profiler_finalize (GObject *object)
{
  TestGatedProfiler *self = TEST_GATED_PROFILER (object);

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (test_gated_profiler_parent_class)->finalize (object);
}

static void
test_gated_profiler_class_init (TestGatedProfilerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  object_class->finalize = test_gated_profiler_finalize;
  profiler_class->start = test_gated_profiler_start;
  profiler_class->stop = test_gated_profiler_stop;
  profiler_class->snapshot = test_gated_profiler_snapshot;
}

static void
test_gated_profiler_init (TestGatedProfiler *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

static TestGatedProfiler *
gated_new (gboolean open)
{
  TestGatedProfiler *self = g_object_new (TEST_TYPE_GATED_PROFILER,
                                          "profile-type", GZ_PROFILE_TYPE_GOROUTINE,
                                          NULL);

  self->open = open;
  return self;
}

/* Waits until a stop or snapshot is at the gate. */
static void
gated_wait_entered (TestGatedProfiler *self)
{
  g_mutex_lock (&self->lock);
  while (!self->entered)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

static void
gated_open (TestGatedProfiler *self)
{
  g_mutex_lock (&self->lock);
  self->open = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* The name of the only frame of @profile's only sample. */
static const char *
only_frame (GzProfile *profile)
{
  GzSample *sample;
  GzLocation *location;

  g_assert_cmpuint (profile->samples->len, ==, 1);
  sample = g_ptr_array_index (profile->samples, 0);
  location = gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, 0));
  return gz_profile_get_function (profile,
                                  g_array_index (location->lines, GzLine, 0).function_id)->name;
}

static void
test_factory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) goroutine = gz_profiler_new (GZ_PROFILE_TYPE_GOROUTINE, NULL, &error);
  g_autoptr(GzProfiler) unknown = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (gz_profiler_get_profile_type (goroutine), ==, GZ_PROFILE_TYPE_GOROUTINE);
  g_assert_false (gz_profiler_is_running (goroutine));

  unknown = gz_profiler_new (GZ_PROFILE_TYPE_N, NULL, &error);
  g_assert_null (unknown);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "threadcreate"));
}

/* A snapshot on a worker: delivered by the main loop; meanwhile every other call is refused as
 * busy, and the profiler is free again once the worker ended. */
static void
test_snapshot_async (void)
{
  g_autoptr(TestGatedProfiler) gated = gated_new (FALSE);
  GzProfiler *profiler = GZ_PROFILER (gated);
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) busy = NULL;
  g_autoptr(GError) error = NULL;
  GzTestAsync wait;
  GzTestAsync second;

  gz_test_async_init (&wait);
  gz_profiler_snapshot_async (profiler, NULL, gz_test_async_done, &wait);
  gated_wait_entered (gated);
  g_assert_true (gated->thread != g_thread_self ());

  busy = gz_profiler_snapshot (profiler, &error);
  g_assert_null (busy);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "busy"));
  g_clear_error (&error);
  g_assert_false (gz_profiler_start (profiler, &error));
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED);
  g_clear_error (&error);
  /* A second async call is refused through its own callback. */
  gz_test_async_init (&second);
  gz_profiler_snapshot_async (profiler, NULL, gz_test_async_done, &second);
  busy = gz_profiler_snapshot_finish (profiler, gz_test_async_wait (&second), &error);
  g_assert_null (busy);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED);
  g_clear_error (&error);
  gz_test_async_clear (&second);
  g_assert_null (wait.result);

  gated_open (gated);
  profile = gz_profiler_snapshot_finish (profiler, gz_test_async_wait (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_frame (profile), ==, "snapshot");
  gz_test_async_clear (&wait);

  /* Free again. */
  g_assert_true (gz_profiler_start (profiler, &error));
  g_assert_no_error (error);
}

/* Cancelled before the worker begins: G_IO_ERROR_CANCELLED, the profiler still running and
 * free. Cancelled once the worker has begun: stopped, and the profile delivered. */
static void
test_stop_async_cancelled (void)
{
  g_autoptr(TestGatedProfiler) gated = gated_new (FALSE);
  GzProfiler *profiler = GZ_PROFILER (gated);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  GzTestAsync wait;

  g_assert_true (gz_profiler_start (profiler, &error));
  g_assert_no_error (error);

  g_cancellable_cancel (cancellable);
  profile = gz_test_profiler_stop_async (profiler, cancellable, &error);
  g_assert_null (profile);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (gz_profiler_is_running (profiler));
  g_assert_false (gated->entered);

  g_cancellable_reset (cancellable);
  gz_test_async_init (&wait);
  gz_profiler_stop_async (profiler, cancellable, gz_test_async_done, &wait);
  gated_wait_entered (gated);
  g_cancellable_cancel (cancellable);
  gated_open (gated);
  profile = gz_profiler_stop_finish (profiler, gz_test_async_wait (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_frame (profile), ==, "stopped");
  g_assert_false (gz_profiler_is_running (profiler));
  gz_test_async_clear (&wait);
}

/* A snapshot of a type that has none fails the same way on the worker as directly. */
static void
test_snapshot_async_unsupported (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) cpu = gz_profiler_new (GZ_PROFILE_TYPE_CPU, NULL, &error);
  g_autoptr(GzProfile) profile = NULL;

  if (cpu == NULL)
    {
      g_test_skip ("gperftools' CPU profiler cannot be loaded here");
      return;
    }
  profile = gz_test_profiler_snapshot_async (cpu, NULL, &error);
  g_assert_null (profile);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/profiler/factory", test_factory);
  g_test_add_func ("/core/profiler/snapshot-async", test_snapshot_async);
  g_test_add_func ("/core/profiler/stop-async-cancelled", test_stop_async_cancelled);
  g_test_add_func ("/core/profiler/snapshot-async-unsupported", test_snapshot_async_unsupported);

  return g_test_run ();
}
