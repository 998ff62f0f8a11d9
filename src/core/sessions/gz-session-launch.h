/* gz-session-launch.h: the one way gz launches a program to profile it, for the app and the
 * command benchmarks (gz-cli start drives GzLauncher itself): a command, its folder and where
 * its output goes, turned into a running GzSession without blocking the caller's main loop;
 * and one whole run of a command under a profile type, delivering the profile's path. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-config.h"
#include "gz-session.h"

G_BEGIN_DECLS

typedef enum
{
  GZ_SESSION_LAUNCH_FLAGS_NONE             = 0,
  /* stdin, stdout and stderr on /dev/null (as a benchmark's runs). */
  GZ_SESSION_LAUNCH_FLAGS_SILENT           = 1 << 0,
  /* The program's stdout goes to this process's stderr (an application's own stdout). */
  GZ_SESSION_LAUNCH_FLAGS_STDOUT_TO_STDERR = 1 << 1,
} GzSessionLaunchFlags;

/* Launches @argv (argv[0] found in $PATH when it has no slash, else a path relative to
 * @working_dir) in @working_dir (NULL: this process's) with a session of @type on it, as
 * gz_session_new_for_launch() does: from its first instruction, ending with the program (or at
 * @duration_nanos when shorter; 0: its whole life); @output_dir NULL for the config's. The
 * blocking parts (the fork, perf events or the preload's ring, the wait for the exec) run on a
 * worker. Call this on the thread that runs the global default main context: the session's
 * sources and the launcher's watch are there. A program that ended before the session saw it
 * end is stopped for it. Cancelled before the program runs, nothing runs (G_IO_ERROR_CANCELLED);
 * a session that started is delivered even if cancelled later. Failures leave no child. The
 * launcher: gz_session_get_launcher(). */
void        gz_session_launch_async       (GzConfig              *config,
                                           GzProfileType          type,
                                           gint64                 duration_nanos,
                                           const char            *output_dir,
                                           const char * const    *argv,
                                           const char            *working_dir,
                                           GzSessionLaunchFlags   flags,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
GzSession  *gz_session_launch_finish      (GAsyncResult          *result,
                                           GError               **error);

/* One run of @argv under a session of @type for its whole life (as gz_session_launch_async()
 * with duration 0); the profile is written into @output_dir once the program ended, however it
 * ended. Cancelling kills the program (SIGKILL), saves what it ran and fails with
 * G_IO_ERROR_CANCELLED. Returns the profile's path; *@exit_code (may be NULL) is the program's
 * status as a shell gives it. */
void        gz_session_launch_run_async   (GzConfig              *config,
                                           GzProfileType          type,
                                           const char            *output_dir,
                                           const char * const    *argv,
                                           const char            *working_dir,
                                           GzSessionLaunchFlags   flags,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
char       *gz_session_launch_run_finish  (GAsyncResult          *result,
                                           int                   *exit_code,
                                           GError               **error);

G_END_DECLS
