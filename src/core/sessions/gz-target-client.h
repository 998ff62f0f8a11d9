/* gz-target-client.h: HTTP to a pprof endpoint — a URL, or a program's Unix socket — for named
 * profiles and /debug/stats; whatever comes back is decoded and validated before anyone uses
 * it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "gz-profile.h"

G_BEGIN_DECLS

#define GZ_TARGET_ERROR (gz_target_error_quark ())
GQuark gz_target_error_quark (void);

typedef enum
{
  GZ_TARGET_ERROR_UNREACHABLE, /* nothing listens there */
  GZ_TARGET_ERROR_HTTP,        /* it answered with an error status */
  GZ_TARGET_ERROR_NOT_PROFILE, /* it answered with something that is not a pprof profile */
  GZ_TARGET_ERROR_NOT_STATS,   /* /debug/stats answered with something that is not its JSON */
  GZ_TARGET_ERROR_NO_AGENT,    /* a process not started with `profile run` (no socket), or no
                                * such process */
  GZ_TARGET_ERROR_INVALID,     /* a URL or token file that cannot be used */
  GZ_TARGET_ERROR_REFUSED,     /* the socket's folder, file or answering process is not the
                                * user's: nothing was sent */
} GzTargetError;

#define GZ_TYPE_TARGET_CLIENT (gz_target_client_get_type ())
G_DECLARE_FINAL_TYPE (GzTargetClient, gz_target_client, GZ, TARGET_CLIENT, GObject)

/* @url: http(s)://HOST:PORT, optionally followed by the path where the pprof endpoints are
 * (default /debug/pprof). @token_file: NULL, or a file holding the bearer token. */
GzTargetClient *gz_target_client_new_for_url        (const char          *url,
                                                     const char          *token_file,
                                                     GError             **error);
/* Process @pid's endpoints, served at @socket_path (`gz-cli profile run`). Fails with
 * GZ_TARGET_ERROR_NO_AGENT (and a line saying how to start it so) when the process does not
 * exist or has no socket, GZ_TARGET_ERROR_REFUSED when the socket's folder is a link, another
 * user's or writable by others, or the socket is another user's. No token is sent there: every
 * connection's peer must run as this user (as root: as @pid's user, or root), else the request
 * fails with GZ_TARGET_ERROR_REFUSED before anything is sent. */
GzTargetClient *gz_target_client_new_for_socket     (int                  pid,
                                                     const char          *socket_path,
                                                     GError             **error);
/* "http://…" or "pid N": what error messages and listings call the target. */
const char     *gz_target_client_get_name           (GzTargetClient      *self);
int             gz_target_client_get_pid            (GzTargetClient      *self);

/* The endpoint name of @type: profile, heap, goroutine, block, mutex, threadcreate. */
const char     *gz_target_client_profile_name       (GzProfileType        type);

/* Blocking: GET the index of the pprof endpoints (…/debug/pprof/); fails as a fetch would when
 * nothing answers there. */
gboolean        gz_target_client_check              (GzTargetClient      *self,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
/* Blocking (for worker threads): GET /debug/pprof/@name[?seconds=@seconds] in binary form,
 * decoded and validated. @seconds: 0 for none. */
GzProfile      *gz_target_client_fetch_profile      (GzTargetClient      *self,
                                                     const char          *name,
                                                     int                  seconds,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
void            gz_target_client_fetch_profile_async  (GzTargetClient      *self,
                                                       const char          *name,
                                                       int                  seconds,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GzProfile      *gz_target_client_fetch_profile_finish (GzTargetClient      *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* GET /debug/stats: a JSON object (the schema of gz_process_stats_collect). */
JsonNode       *gz_target_client_fetch_stats        (GzTargetClient      *self,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
void            gz_target_client_fetch_stats_async  (GzTargetClient      *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
JsonNode       *gz_target_client_fetch_stats_finish (GzTargetClient      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
