/* gz-agent-private.h: what the agent's files (entry, loop, sessions) tell each other. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-config.h"
#include "gz-pprof-server.h"

G_BEGIN_DECLS

/* One line on stderr, "gz-agent: ...": only when something is wrong. */
void             gz_agent_say                (const char       *format,
                                              ...) G_GNUC_PRINTF (1, 2);

/* The agent's thread: its own GMainContext, the server on the Unix socket (and on TCP with
 * GZ_AGENT_LISTEN), the session control. */
typedef struct _GzAgentLoop GzAgentLoop;

/* Starts the thread and waits (bounded) until it listens; NULL and @error if it could not. */
GzAgentLoop     *gz_agent_loop_start         (GzConfig         *config,
                                              GError          **error);
/* From any thread: flushes the sessions, stops the servers on the agent's thread and waits at
 * most @timeout_ms for it. The loop is left to the process's exit (not freed). */
void             gz_agent_loop_stop          (GzAgentLoop      *self,
                                              guint             timeout_ms);

/* The sessions started through POST /debug/gz/session/{start,stop}, one per type. */
typedef struct _GzAgentSessions GzAgentSessions;

/* Lives as long as the process (the agent's thread never ends before it). */
GzAgentSessions *gz_agent_sessions_new       (GzConfig         *config);
/* Adds the two session endpoints to @server (the Unix socket's, never TCP's). */
void             gz_agent_sessions_attach    (GzAgentSessions  *self,
                                              GzPprofServer    *server);
/* At exit, on the agent's thread: stops each running session and writes its profile to its
 * output path, if it has one. */
void             gz_agent_sessions_flush     (GzAgentSessions  *self);

G_END_DECLS
