/* gz-session-registry.h: the per-user directory through which gz processes see each other's
 * sessions: one key file per active session, ID.stop to ask its owner to stop, ID.result for
 * the owner's answer. Owners that died are detected (pid + process start time) and cleaned up. */
#pragma once

#include <glib-object.h>

#include "gz-session.h"

G_BEGIN_DECLS

/* What another process can know about a session. */
typedef struct
{
  char          *id;
  GzProfileType  type;
  GzTarget       target;
  int            owner_pid;
  guint64        owner_start_ticks; /* /proc/PID/stat field 22, so a reused pid is told apart */
  gint64         start_time;        /* unix nanoseconds; 0 while reserved, not yet started */
  gint64         duration;          /* requested, nanoseconds; 0 = until stopped */
  char          *output_path;
} GzSessionInfo;

GzSessionInfo *gz_session_info_copy (const GzSessionInfo *info);
void           gz_session_info_free (GzSessionInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSessionInfo, gz_session_info_free)

#define GZ_TYPE_SESSION_REGISTRY (gz_session_registry_get_type ())
G_DECLARE_FINAL_TYPE (GzSessionRegistry, gz_session_registry, GZ, SESSION_REGISTRY, GObject)

/* $GZ_PROFILE_SESSION_DIR, else $XDG_RUNTIME_DIR/gz/sessions, else the user cache dir's
 * gz/sessions. Free with g_free. */
char              *gz_session_registry_default_dir (void);
/* @dir: NULL for the default directory; it is created (mode 0700) when first written. */
GzSessionRegistry *gz_session_registry_new         (const char        *dir);
const char        *gz_session_registry_get_dir     (GzSessionRegistry *self);

/* Reserves a fresh id `{type}_{unix-seconds}` (then `_2`, `_3`, … when taken, or when
 * @output_dir already holds ID.prof) by creating its session file with O_EXCL; fills in
 * @info->id and @info->output_path (@output_dir/ID.prof) and records the calling process as
 * the owner. */
gboolean        gz_session_registry_reserve        (GzSessionRegistry *self,
                                                    GzSessionInfo     *info,
                                                    const char        *output_dir,
                                                    GError           **error);
/* Rewrites the session file atomically (e.g. once started). */
gboolean        gz_session_registry_publish        (GzSessionRegistry *self,
                                                    const GzSessionInfo *info,
                                                    GError           **error);
/* Removes the session file and any stop request. */
void            gz_session_registry_unpublish      (GzSessionRegistry *self,
                                                    const char        *id);

/* Active (started, owner alive) sessions, oldest first. Sessions whose owner exited are
 * removed; one message per removal is added to @stale (may be NULL). */
GPtrArray      *gz_session_registry_list           (GzSessionRegistry *self,
                                                    GPtrArray         *stale,
                                                    GError           **error);
/* One session, whatever its state; GZ_SESSION_ERROR_NOT_FOUND when unknown or stale (a stale
 * one is removed and the message says so). */
GzSessionInfo  *gz_session_registry_lookup         (GzSessionRegistry *self,
                                                    const char        *id,
                                                    GError           **error);
gboolean        gz_session_registry_owner_alive    (const GzSessionInfo *info);

/* For the owner: whether another process asked @id to stop. */
gboolean        gz_session_registry_stop_requested (GzSessionRegistry *self,
                                                    const char        *id);
/* For the owner: answers a stop request with @summary (ID.result, atomically). */
gboolean        gz_session_registry_write_result   (GzSessionRegistry *self,
                                                    const GzSessionSummary *summary,
                                                    GError           **error);

/* For another process: asks the owner of @id to stop and waits up to @timeout_ms for its
 * summary. Blocks the calling thread (it does not need a main loop). When the session ended
 * on its own meanwhile, the summary is read from its profile file. */
GzSessionSummary *gz_session_registry_stop         (GzSessionRegistry *self,
                                                    const char        *id,
                                                    guint              timeout_ms,
                                                    GError           **error);

/* Reads a process start time (clock ticks since boot) from /proc/PID/stat; 0 when gone. */
guint64         gz_session_registry_process_start_ticks (int pid);

G_END_DECLS
