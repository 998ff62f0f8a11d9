/* gz-test-profiles.h: checks shared by the profile tests of the pthread-hook profilers: sums by
 * function and label, the round trip through a file, `go tool pprof -top`, and waiting for an
 * async call in a GMainLoop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-profile.h"
#include "gz-profiler.h"

G_BEGIN_DECLS

/* Sum of sample type @index over the samples that have a frame named @function (a trailing
 * '*' matches a prefix) and, when
 * @label_key is not NULL, a string label @label_key = @label_value. */
gint64     gz_test_profile_sum    (GzProfile  *profile,
                                   guint       index,
                                   const char *function,
                                   const char *label_key,
                                   const char *label_value);
/* Writes @profile to a temporary file and reads it back with our decoder; *path is the
 * file (free it with g_free; the caller removes it). */
GzProfile *gz_test_profile_round_trip (GzProfile  *profile,
                                       char      **path);
/* The output of `go tool pprof -top @path`, or NULL when go is not installed. */
char      *gz_test_pprof_top      (const char *path);

/* One async call waited for in a GMainLoop: pass gz_test_async_done and the GzTestAsync as the
 * callback and its data, then gz_test_async_wait. */
typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} GzTestAsync;

void          gz_test_async_init  (GzTestAsync  *self);
void          gz_test_async_done  (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data);
/* Runs the loop until the callback has run; the result stays owned by @self. */
GAsyncResult *gz_test_async_wait  (GzTestAsync  *self);
void          gz_test_async_clear (GzTestAsync  *self);

/* gz_profiler_stop_async and gz_profiler_snapshot_async, waited for in a GMainLoop; checks that
 * nothing was delivered before the call returned. */
GzProfile    *gz_test_profiler_stop_async     (GzProfiler    *profiler,
                                               GCancellable  *cancellable,
                                               GError       **error);
GzProfile    *gz_test_profiler_snapshot_async (GzProfiler    *profiler,
                                               GCancellable  *cancellable,
                                               GError       **error);

G_END_DECLS
