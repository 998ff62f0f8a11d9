/* gz-target-capture.h: what a session on another program does instead of running a local
 * GzProfiler: the agent's session control for a pid or a launched command, and the pprof
 * endpoints (a CPU profile in flight, snapshots, a delta of two) for a URL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-session-types.h"
#include "gz-target-client.h"

G_BEGIN_DECLS

#define GZ_TYPE_TARGET_CAPTURE (gz_target_capture_get_type ())
G_DECLARE_FINAL_TYPE (GzTargetCapture, gz_target_capture, GZ, TARGET_CAPTURE, GObject)

/* @kind: GZ_TARGET_PID or GZ_TARGET_COMMAND (the agent's session control, with @output_path
 * where the agent flushes the profile if the program exits first; absolute), or GZ_TARGET_URL
 * (@duration_nanos: how long a CPU profile is asked for). */
GzTargetCapture *gz_target_capture_new          (GzTargetClient   *client,
                                                 GzTargetKind      kind,
                                                 GzProfileType     type,
                                                 gint64            duration_nanos,
                                                 const char       *output_path);
/* Blocking but short (one request at most, or a thread started): a pid's session begins, a
 * URL's first snapshot is taken or its CPU profile requested. */
gboolean         gz_target_capture_start        (GzTargetCapture  *self,
                                                 GError          **error);
/* Blocking, for a worker thread: the profile from the start to now, decoded and validated.
 * A URL's CPU profile cannot be cut short: this waits for the one in flight. When the program
 * exited first, the profile its agent flushed is read and *@target_exited is set. */
GzProfile       *gz_target_capture_stop         (GzTargetCapture  *self,
                                                 GCancellable     *cancellable,
                                                 gboolean         *target_exited,
                                                 GError          **error);
/* FALSE once a pid's or a command's process is gone (or a zombie); always TRUE for a URL. */
gboolean         gz_target_capture_target_alive (GzTargetCapture  *self);

G_END_DECLS
