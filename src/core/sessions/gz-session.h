/* gz-session.h: one profiling session — id, type, target, output file, state — driven by GLib
 * main-loop sources (a timeout for its duration, a monitor for stop requests from other
 * processes); its profile is taken and written on a worker thread. Visible to every gz process
 * of the user through GzSessionRegistry. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gz-config.h"
#include "gz-launcher.h"
#include "gz-session-types.h"
#include "gz-target-client.h"

G_BEGIN_DECLS

#define GZ_TYPE_SESSION (gz_session_get_type ())
G_DECLARE_FINAL_TYPE (GzSession, gz_session, GZ, SESSION, GObject)

/* @duration_nanos: 0 runs until stopped (not allowed for cpu: the config's duration applies).
 * @output_dir: NULL for the config's. The id is reserved in the registry here. */
GzSession              *gz_session_new              (GzConfig            *config,
                                                     GzProfileType        type,
                                                     gint64               duration_nanos,
                                                     const char          *output_dir,
                                                     GError             **error);
/* A session on another program: @target names it (PID, URL or COMMAND; copied) and @client
 * reaches it (the socket `gz-cli profile run` serves for PID and COMMAND, the URL otherwise).
 * The profile comes through the client; everything else is as for gz_session_new(). A
 * COMMAND's session may run for the program's life: @duration_nanos 0 is allowed for cpu
 * there. @client NULL with a PID target: a process without a `run` socket, cpu only, sampled
 * with the kernel's perf events (gz-perf-profiler.h); other types, or a process the kernel
 * will not let us sample, fail here with one line saying why and what to do. */
GzSession              *gz_session_new_for_target   (GzConfig            *config,
                                                     GzProfileType        type,
                                                     gint64               duration_nanos,
                                                     const char          *output_dir,
                                                     const GzTarget      *target,
                                                     GzTargetClient      *client,
                                                     GError             **error);
/* A session on the program @launcher starts (a COMMAND target): the output folder is checked,
 * then the launcher forks the child, which waits before its exec while the profiler opens on it;
 * gz_session_start() lets it exec, so the whole program is profiled, from its first instruction,
 * and nothing runs unprofiled when something fails. The session stops by itself when the
 * program ends, however it ends (exit, _exit, a signal, a crash), with the profile of what ran;
 * or at @duration_nanos when that is shorter (0: the program's whole life). cpu comes from
 * perf events enabled at the exec (where the kernel refuses them, or GZ_CPU_SAMPLER=signal, from
 * the preload's SIGPROF ticks, which the profile's comments name); memory, block, mutex and
 * threadcreate from the preload
 * library (libgz-preload.so, LD_PRELOAD) writing into a ring the program inherits, read by a
 * GzCollector from the exec on: the profile covers the program from its start whenever the
 * session stops (memory after its exit: the sampled objects never freed, its leaks).
 * goroutine comes from outside, nothing of gz in the program: its threads are captured with
 * ptrace (each stopped only while its registers and stack top are copied) at the stop, as a
 * goroutine session's profile is the threads at its stop, and once a second while it runs: a
 * program that ended before the stop has the last of those captures, whose comment says so
 * and how long before its end it was taken (none: an empty profile that says so); ptrace is
 * checked on the waiting child, so a refusal is one line before the program runs. A program
 * the preload cannot reach (static, setuid) is refused before it runs. A failure leaves no
 * child behind. */
GzSession              *gz_session_new_for_launch   (GzConfig            *config,
                                                     GzProfileType        type,
                                                     gint64               duration_nanos,
                                                     const char          *output_dir,
                                                     GzLauncher          *launcher,
                                                     GError             **error);
/* The launcher of a gz_session_new_for_launch() session, else NULL. */
GzLauncher             *gz_session_get_launcher     (GzSession           *self);
const char             *gz_session_get_id           (GzSession           *self);
GzProfileType           gz_session_get_profile_type (GzSession           *self);
const GzTarget         *gz_session_get_target       (GzSession           *self);
const char             *gz_session_get_output_path  (GzSession           *self);
GzSessionState          gz_session_get_state        (GzSession           *self);
/* Requested; 0 = until stopped. */
gint64                  gz_session_get_duration     (GzSession           *self);
/* Unix nanoseconds. */
gint64                  gz_session_get_start_time   (GzSession           *self);
/* Elapsed so far (running) or until the stop (stopping, finished), in nanoseconds. */
gint64                  gz_session_get_elapsed      (GzSession           *self);

/* Starts profiling, publishes the session in the registry, and arms the duration timer and
 * the stop-request monitor on the thread-default main context: the session's context. For
 * another program this makes one request (a socket's or a URL's first snapshot or a
 * check that it answers), bounded by a timeout; the session also stops by
 * itself when a pid's or command's process goes away. */
gboolean                gz_session_start            (GzSession           *self,
                                                     GError             **error);
/* Stops: on a worker thread the profiler stops and the profile is symbolized, encoded and
 * written atomically; then, on the session's context (call this there), the session answers a
 * stop request from another process, unpublishes and emits ::finished; then @callback runs.
 * The duration timer and stop requests take the same path. While stopping, later calls wait
 * for the same outcome; once finished they return the same summary. @cancellable: cancelled
 * before the call, nothing happens (the session runs on); cancelled before the profile is
 * written, it is not, and the session fails with G_IO_ERROR_CANCELLED; a cancel after the
 * write changes nothing. */
void                    gz_session_stop_async       (GzSession           *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GzSessionSummary       *gz_session_stop_finish      (GzSession           *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* The summary once finished, else NULL. */
const GzSessionSummary *gz_session_get_summary      (GzSession           *self);
const GError           *gz_session_get_error        (GzSession           *self);

/* Signals: ::finished () — the session ended (duration, stop request or gz_session_stop_async);
 * check gz_session_get_state() and get_summary()/get_error(). */

G_END_DECLS
