/* gz-session-types.h: what a session and the registry both speak: the error domain, the state,
 * the target, the cross-process record of a session and the summary of a finished one. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

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
  GZ_SESSION_STATE_STOPPING, /* the profile is being taken and written on a worker thread */
  GZ_SESSION_STATE_FINISHED,
  GZ_SESSION_STATE_FAILED,
} GzSessionState;

/* What a session profiles: the hosting process, a running process (through its `run` socket,
 * or from outside), a pprof URL, or a command launched with the preload. */
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
  int          pid;  /* the profiled process, for SELF, PID and COMMAND; 0 for URL */
  char        *spec; /* URL or command line; NULL for SELF */
} GzTarget;

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

GzSessionInfo    *gz_session_info_copy               (const GzSessionInfo    *info);
void              gz_session_info_free               (GzSessionInfo          *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSessionInfo, gz_session_info_free)

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
  gboolean target_exited; /* the profiled program ended first: this is what it collected */
} GzSessionSummary;

/* An empty summary of @id and @path, with an empty top list that frees its names. */
GzSessionSummary *gz_session_summary_new             (const char             *id,
                                                      const char             *path);
/* @n_samples: cpu counts SIGPROF samples (samples/count); the other types count sample
 * records (distinct stacks). Top 5 by the type's default sample type: cpu/nanoseconds,
 * inuse_space, delay, or count. */
GzSessionSummary *gz_session_summary_new_for_profile (const char             *id,
                                                      const char             *path,
                                                      GzProfile              *profile,
                                                      gint64                  size);
GzSessionSummary *gz_session_summary_copy            (const GzSessionSummary *summary);
void              gz_session_summary_free            (GzSessionSummary       *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSessionSummary, gz_session_summary_free)

G_END_DECLS
