/* gz-bench-command-profile.h: one extra run of a benchmarked command with a session of one
 * profile type for its whole life, as `gz-cli profile benchmark --command --cpu-profiling` takes
 * its profiles (through the core's launch path); without blocking the main loop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-config.h"
#include "gz-profile.h"

G_BEGIN_DECLS

/* @command_line runs without a shell (its words, as the CLI's profiled run), its stdio on
 * /dev/null as the measured runs', through gz_session_launch_run_async(). Cancelling kills it.
 * Returns the profile's path. */
void  gz_bench_command_profile_async  (const char          *command_line,
                                       GzProfileType        type,
                                       GzConfig            *config,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char *gz_bench_command_profile_finish (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
