/* gz-session.h: one profiling session — id, type, target, output file, state — driven by GLib
 * main-loop sources (a g_timeout_add for its duration, a monitor for stop requests from other
 * processes). Visible to every gz process of the user through GzSessionRegistry. */
#pragma once

#include <glib-object.h>

#include "gz-config.h"
#include "gz-profile-top.h"

G_BEGIN_DECLS

#define GZ_SESSION_ERROR (gz_session_error_quark ())
GQuark gz_session_error_quark (void);

typedef enum
{
  GZ_SESSION_ERROR_NOT_FOUND,
  GZ_SESSION_ERROR_STATE,   /* not running / already running */
  GZ_SESSION_ERROR_OUTPUT,  /* output directory cannot be written */
  GZ_SESSION_ERROR_TIMEOUT, /* the owner did not answer a stop request */
  GZ_SESSION_ERROR_FAILED,
} GzSessionError;

typedef enum
{
  GZ_SESSION_STATE_READY,
  GZ_SESSION_STATE_RUNNING,
  GZ_SESSION_STATE_FINISHED,
  GZ_SESSION_STATE_FAILED,
} GzSessionState;

/* What a session profiles. Only the hosting process for now; later a pid or a pprof URL. */
typedef enum
{
  GZ_TARGET_SELF,
  GZ_TARGET_PID,
  GZ_TARGET_URL,
  GZ_TARGET_COMMAND,
} GzTargetKind;

typedef struct
{
  GzTargetKind kind;
  int          pid;  /* the profiled process, for SELF and PID */
  char        *spec; /* URL or command line; NULL for SELF */
} GzTarget;

/* What stop reports: file, size, samples, the top functions. */
typedef struct
{
  char   *id;
  char   *path;
  gint64  size;
  gint64  n_samples;
  gint64  duration_nanos;
  char   *sample_type;   /* the type the top list is by, e.g. "cpu/nanoseconds" */
  GArray *top;           /* GzTopEntry, at most 5 */
  gint64  total;         /* sum of that sample type, for percentages */
} GzSessionSummary;

/* @n_samples: cpu counts SIGPROF samples (samples/count); the other types count sample
 * records (distinct stacks). Top 5 by the type's default sample type: cpu/nanoseconds,
 * inuse_space, delay, or count. */
GzSessionSummary *gz_session_summary_new_for_profile (const char *id,
                                                      const char *path,
                                                      GzProfile  *profile,
                                                      gint64      size);
GzSessionSummary *gz_session_summary_copy   (const GzSessionSummary *summary);
void              gz_session_summary_free   (GzSessionSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSessionSummary, gz_session_summary_free)

#define GZ_TYPE_SESSION (gz_session_get_type ())
G_DECLARE_FINAL_TYPE (GzSession, gz_session, GZ, SESSION, GObject)

/* @duration_nanos: 0 runs until stopped (not allowed for cpu: the config's duration applies).
 * @output_dir: NULL for the config's. The id is reserved in the registry here. */
GzSession        *gz_session_new            (GzConfig      *config,
                                             GzProfileType  type,
                                             gint64         duration_nanos,
                                             const char    *output_dir,
                                             GError       **error);
const char       *gz_session_get_id         (GzSession     *self);
GzProfileType     gz_session_get_profile_type (GzSession   *self);
const GzTarget   *gz_session_get_target     (GzSession     *self);
const char       *gz_session_get_output_path (GzSession    *self);
GzSessionState    gz_session_get_state      (GzSession     *self);
gint64            gz_session_get_duration   (GzSession     *self); /* requested; 0 = until stop */
gint64            gz_session_get_start_time (GzSession     *self); /* unix nanoseconds */
/* Elapsed so far (running) or in all (finished), in nanoseconds. */
gint64            gz_session_get_elapsed    (GzSession     *self);

/* Starts profiling, publishes the session in the registry, and arms the duration timer and
 * the stop-request monitor on the thread-default main context. */
gboolean          gz_session_start          (GzSession     *self,
                                             GError       **error);
/* Stops, writes the profile atomically, unpublishes, emits ::finished. Idempotent once
 * finished (returns the same summary). */
GzSessionSummary *gz_session_stop           (GzSession     *self,
                                             GError       **error);
/* The summary once finished, else NULL. */
const GzSessionSummary *gz_session_get_summary (GzSession  *self);
const GError     *gz_session_get_error      (GzSession     *self);

/* Signals: ::finished () — the session ended (duration, stop request or gz_session_stop);
 * check gz_session_get_state() and get_summary()/get_error(). */

G_END_DECLS
