/* gz-test-profiles.h: checks shared by the profile tests of the pthread-hook profilers: sums by
 * function and label, the round trip through a file, and `go tool pprof -top`. */
#pragma once

#include <glib-object.h>

#include "gz-profile.h"

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

G_END_DECLS
