/* gz-duration.h: Go's duration syntax ("300ms", "1m30s", "1.5h", "0") in nanoseconds. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GZ_DURATION_ERROR (gz_duration_error_quark ())
GQuark   gz_duration_error_quark (void);

/* Negative durations are an error (we have no use for them). */
gboolean gz_duration_parse  (const char *text,
                             gint64     *nanoseconds,
                             GError    **error);
/* Go's time.Duration.String(): "1m30s", "300ms", "0s". */
char    *gz_duration_format (gint64      nanoseconds);

G_END_DECLS
