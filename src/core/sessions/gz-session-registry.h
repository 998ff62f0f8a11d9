/* gz-session-registry.h: the per-user directory through which gz processes see each other's
 * sessions: one key file per active session, ID.stop to ask its owner to stop, ID.result for
 * the owner's answer. Owners that died are detected (pid + process start time) and cleaned up. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-session-types.h"

G_BEGIN_DECLS

#define GZ_TYPE_SESSION_REGISTRY (gz_session_registry_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionRegistry, gz_session_registry, GZ, SESSION_REGISTRY, GObject)

/* $GZ_PROFILE_SESSION_DIR, else $XDG_RUNTIME_DIR/gz/sessions, else the user cache dir's
 * gz/sessions. Free with g_free. */
char              *gz_session_registry_default_dir         (void);
/* @dir: NULL for the default directory; it is created (mode 0700) when first written. */
GzSessionRegistry *gz_session_registry_new                 (const char             *dir);
const char        *gz_session_registry_get_dir             (GzSessionRegistry      *self);

/* Reserves a fresh id `{type}_{unix-seconds}` (then `_2`, `_3`, … when taken, or when
 * @output_dir already holds ID.prof) by creating its session file with O_EXCL; fills in
 * @info->id and @info->output_path (@output_dir/ID.prof) and records the calling process as
 * the owner. */
gboolean           gz_session_registry_reserve             (GzSessionRegistry      *self,
                                                            GzSessionInfo          *info,
                                                            const char             *output_dir,
                                                            GError                **error);
/* Rewrites the session file atomically (e.g. once started). */
gboolean           gz_session_registry_publish             (GzSessionRegistry      *self,
                                                            const GzSessionInfo    *info,
                                                            GError                **error);
/* Removes the session file and any stop request. */
void               gz_session_registry_unpublish           (GzSessionRegistry      *self,
                                                            const char             *id);

/* Active (started, owner alive) sessions, oldest first. Sessions whose owner exited are
 * removed; one message per removal is added to @stale (may be NULL). */
GPtrArray         *gz_session_registry_list                (GzSessionRegistry      *self,
                                                            GPtrArray              *stale,
                                                            GError                **error);
/* The same on a worker thread (it reads the directory and /proc); @stale (may be NULL) gets
 * the removal messages, free with g_ptr_array_unref. */
void               gz_session_registry_list_async          (GzSessionRegistry      *self,
                                                            GCancellable           *cancellable,
                                                            GAsyncReadyCallback     callback,
                                                            gpointer                user_data);
GPtrArray         *gz_session_registry_list_finish         (GzSessionRegistry      *self,
                                                            GAsyncResult           *result,
                                                            GPtrArray             **stale,
                                                            GError                **error);
/* One session, whatever its state; GZ_SESSION_ERROR_NOT_FOUND when unknown or stale (a stale
 * one is removed and the message says so). */
GzSessionInfo     *gz_session_registry_lookup              (GzSessionRegistry      *self,
                                                            const char             *id,
                                                            GError                **error);
gboolean           gz_session_registry_owner_alive         (const GzSessionInfo    *info);
/* Reads a process start time (clock ticks since boot) from /proc/PID/stat; 0 when gone. */
guint64            gz_session_registry_process_start_ticks (int                     pid);

/* Stop requests (gz-session-registry-stop.c). For the owner: whether another process asked
 * @id to stop, and the answer, @summary (ID.result, written atomically). */
gboolean           gz_session_registry_stop_requested      (GzSessionRegistry      *self,
                                                            const char             *id);
gboolean           gz_session_registry_write_result        (GzSessionRegistry      *self,
                                                            const GzSessionSummary *summary,
                                                            GError                **error);

/* For another process: asks the owner of @id to stop, then waits up to @timeout_ms (0: no
 * limit) for its summary without blocking or polling: a file monitor on the registry
 * directory sees the answer (or the session file going away), the owner's exit is watched
 * through a pidfd, and a timeout source ends the wait, all on the thread-default main context
 * of the call. When the session ended on its own meanwhile, its profile file is summarized on
 * a worker thread. Cancelling withdraws the request (an owner that already saw it saves the
 * profile anyway). Errors: GZ_SESSION_ERROR_NOT_FOUND (unknown or stale), _TIMEOUT, _FAILED
 * (the owner died or left no profile), G_IO_ERROR_CANCELLED. */
void               gz_session_registry_stop_async          (GzSessionRegistry      *self,
                                                            const char             *id,
                                                            guint                   timeout_ms,
                                                            GCancellable           *cancellable,
                                                            GAsyncReadyCallback     callback,
                                                            gpointer                user_data);
GzSessionSummary  *gz_session_registry_stop_finish         (GzSessionRegistry      *self,
                                                            GAsyncResult           *result,
                                                            GError                **error);

G_END_DECLS
