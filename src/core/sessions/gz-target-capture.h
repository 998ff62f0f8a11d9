/* gz-target-capture.h: what a session on another program does instead of running a local
 * GzProfiler: its pprof endpoints (a CPU profile in flight, snapshots, a delta of two), the
 * same for a URL and for a program's Unix socket (`gz-cli profile run`). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-session-types.h"
#include "gz-target-client.h"

G_BEGIN_DECLS

#define GZ_TYPE_TARGET_CAPTURE (gz_target_capture_get_type ())
G_DECLARE_FINAL_TYPE (GzTargetCapture, gz_target_capture, GZ, TARGET_CAPTURE, GObject)

/* @kind: GZ_TARGET_URL, or GZ_TARGET_PID or GZ_TARGET_COMMAND (a program's socket: its
 * process is watched, and its last snapshot kept for when it exits before the stop).
 * @duration_nanos: how long the CPU profile is asked for. */
GzTargetCapture *gz_target_capture_new          (GzTargetClient   *client,
                                                 GzTargetKind      kind,
                                                 GzProfileType     type,
                                                 gint64            duration_nanos);
/* Blocking but short (one request, and a thread started): the first snapshot is taken or the
 * CPU profile requested. */
gboolean         gz_target_capture_start        (GzTargetCapture  *self,
                                                 GError          **error);
/* Blocking, for a worker thread: the profile from the start to now, decoded and validated.
 * A CPU profile cannot be cut short from here: this waits for the one in flight (a program's
 * server cuts it short when the program exits). When a program exited first, its last snapshot
 * stands in and *@target_exited is set. */
GzProfile       *gz_target_capture_stop         (GzTargetCapture  *self,
                                                 GCancellable     *cancellable,
                                                 gboolean         *target_exited,
                                                 GError          **error);
/* FALSE once a pid's or a command's process is gone (or a zombie); always TRUE for a URL. */
gboolean         gz_target_capture_target_alive (GzTargetCapture  *self);

G_END_DECLS
