/* gz-session-starter.h: what the Sessions page asks for — a type, a duration, an output folder
 * and a target — turned into a running GzSession without blocking the main loop: a command is
 * launched through the core (gz_session_launch_async()), everything else (this application's
 * profilers, the one request of a remote start) runs on a worker thread. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-config.h"
#include "gz-session.h"

G_BEGIN_DECLS

typedef struct
{
  GzProfileType  type;
  gint64         duration;     /* nanoseconds; 0: until stopped (or the command's life) */
  char          *output_dir;   /* NULL: the configuration's */
  GzTargetKind   target;
  char          *command_line; /* COMMAND: a shell-quoted command line */
  char          *working_dir;  /* COMMAND: NULL for the application's */
  int            pid;          /* PID */
  char          *url;          /* URL */
} GzSessionRequest;

GzSessionRequest *gz_session_request_new          (GzProfileType            type,
                                                   GzTargetKind             target);
GzSessionRequest *gz_session_request_copy         (const GzSessionRequest  *request);
void              gz_session_request_free         (GzSessionRequest        *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSessionRequest, gz_session_request_free)

/* Starts the session @request describes with @config (call it on the main thread). Its sources
 * (duration, stop requests) and ::finished are on the main context. A launched command's
 * session ends by itself with the program (its stdout goes to the application's stderr);
 * cancelled before it runs, it does not run. */
void              gz_session_starter_start_async  (const GzSessionRequest  *request,
                                                   GzConfig                *config,
                                                   GCancellable            *cancellable,
                                                   GAsyncReadyCallback      callback,
                                                   gpointer                 user_data);
GzSession        *gz_session_starter_start_finish (GAsyncResult            *result,
                                                   GError                 **error);

G_END_DECLS
