/* gz-session.c: one profiling session, of the hosting process or of another program, driven by
 * main-loop sources; its profile is taken and written on a worker thread. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gz-collector.h"
#include "gz-perf-events.h"
#include "gz-perf-profiler.h"
#include "gz-profile-builder.h"
#include "gz-profiler-factory.h"
#include "gz-session-registry.h"
#include "gz-session.h"
#include "gz-target-capture.h"
#include "gz-thread-profiler.h"

/* How long a launched program's exec may take to map its code. */
#define EXEC_WAIT_MS 1000
/* How often a launched program's threads are captured while it runs (goroutine): the last
 * capture is its profile when it ends before the session stops. Each takes about 100 ms of
 * gz's CPU (libdw reads the program's modules each time; the program's threads stop only
 * while they are copied); one that took longer spaces the next out, so that gz spends at most
 * 1 / THREAD_CAPTURE_SPACING of a CPU on them. */
#define THREAD_CAPTURE_INTERVAL_MS 1000
#define THREAD_CAPTURE_SPACING     4
/* How long the child waiting before its exec has to stop for the ptrace check. */
#define PTRACE_CHECK_MS 1000
/* How often the owner looks for a stop request its monitor may have missed. */
#define STOP_POLL_MS 250

typedef struct ThreadCaptures ThreadCaptures;

struct _GzSession
{
  GObject            parent_instance;

  GzConfig          *config;
  GzProfiler        *profiler;      /* only the worker touches it while stopping */
  GzTargetCapture   *capture;       /* instead of the profiler, for another program */
  GzLauncher        *launcher;      /* a program launched for this session, or NULL */
  GzRing            *ring;          /* its preload's ring, until the start makes… */
  GzCollector       *collector;     /* …the collector that reads it (types other than cpu) */
  gboolean           exited_at_once; /* the program ended before its code could be read */
  ThreadCaptures    *threads;       /* a launched program's goroutine captures, or NULL */
  gint64             ended_monotonic; /* when the launched program ended; 0: not seen */
  GzSessionRegistry *registry;
  GzSessionInfo     *info;
  GzSessionState     state;
  gint64             start_monotonic;
  gint64             elapsed;       /* from the stop on */
  GzSessionSummary  *summary;
  GError            *error;
  GPtrArray         *waiters;       /* GTask of gz_session_stop_async, while stopping */

  /* The thread-default main context of gz_session_start(): sources, ::finished, callbacks. */
  GMainContext      *context;
  GSource           *duration_source;
  GSource           *poll_source;
  GSource           *threads_source; /* the timer of the goroutine captures */
  GSource           *idle_stop_source;
  GFileMonitor      *monitor;
};

G_DEFINE_FINAL_TYPE (GzSession, gz_session, G_TYPE_OBJECT)

/* A launched program's goroutine profile: its threads captured from outside with ptrace
 * (gz_thread_profile_of_process(): each thread stopped only while its registers and stack top
 * are copied; nothing of gz runs in the program). As for gz's own goroutine sessions, the
 * profile is the threads at the stop; a program that ended before the stop has no threads left
 * to show, so they are also captured once a second while it runs, and its profile is the last
 * of those, which says so. Shared by the session's timer, the workers that capture and the
 * stop. */
struct ThreadCaptures
{
  gatomicrefcount  ref_count;
  GzLauncher      *launcher;
  int              busy;             /* a timer's capture is on its way (atomic) */
  GMutex           lock;             /* one capture at a time; guards what follows */
  gboolean         closed;           /* the stop took its profile: no capture any more */
  GzProfile       *latest;           /* the last capture, or NULL */
  gint64           latest_monotonic;
  gint64           next_monotonic;   /* no timer's capture before; set before busy is 0 */
};

static ThreadCaptures *
thread_captures_new (GzLauncher *launcher)
{
  ThreadCaptures *captures = g_new0 (ThreadCaptures, 1);

  g_atomic_ref_count_init (&captures->ref_count);
  captures->launcher = g_object_ref (launcher);
  g_mutex_init (&captures->lock);
  return captures;
}

static ThreadCaptures *
thread_captures_ref (ThreadCaptures *captures)
{
  g_atomic_ref_count_inc (&captures->ref_count);
  return captures;
}

static void
thread_captures_unref (ThreadCaptures *captures)
{
  if (!g_atomic_ref_count_dec (&captures->ref_count))
    return;
  g_clear_object (&captures->launcher);
  g_clear_pointer (&captures->latest, gz_profile_unref);
  g_mutex_clear (&captures->lock);
  g_free (captures);
}

/* Whether process @pid ended: a zombie, or gone. */
static gboolean
process_ended (pid_t pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;

  return !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
         (paren = strrchr (stat, ')')) == NULL || paren[1] != ' ' || paren[2] == 'Z' ||
         paren[2] == 'X';
}

/* The program's threads now, kept as the latest capture; NULL with *@ended set when the
 * program ended first (or meanwhile), NULL with @error when the capture failed. The launcher
 * holds the child unreaped meanwhile: its pid is its own, and our ptrace's stops are not
 * taken for its end. */
static GzProfile *
thread_captures_take (ThreadCaptures  *captures,
                      gboolean        *ended,
                      GError         **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&captures->lock);
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) local_error = NULL;
  pid_t pid = gz_launcher_get_pid (captures->launcher);

  *ended = FALSE;
  if (captures->closed)
    return NULL;
  if (!gz_launcher_lock_child (captures->launcher))
    {
      *ended = TRUE;
      return NULL;
    }
  profile = gz_thread_profile_of_process (pid, &local_error);
  /* Threads that went while they were captured, or none at all: what it ran is the last
   * whole capture. */
  *ended = process_ended (pid);
  gz_launcher_unlock_child (captures->launcher);
  if (*ended)
    return NULL;
  if (profile == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_clear_pointer (&captures->latest, gz_profile_unref);
  captures->latest = gz_profile_ref (profile);
  captures->latest_monotonic = g_get_monotonic_time ();
  return g_steal_pointer (&profile);
}

static void
capture_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ThreadCaptures *captures = task_data;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 took;
  gboolean ended;

  profile = thread_captures_take (captures, &ended, &error);
  took = g_get_monotonic_time () - start;
  /* A capture that failed leaves the one before; the stop's own capture reports failures. */
  g_debug ("threads of pid %d %s in %.1f ms%s%s",
           (int) gz_launcher_get_pid (captures->launcher),
           profile != NULL ? "captured" : "not captured", took / 1000.0,
           error != NULL ? ": " : "", error != NULL ? error->message : "");
  captures->next_monotonic = start + took * THREAD_CAPTURE_SPACING;
  g_atomic_int_set (&captures->busy, 0);
  g_task_return_boolean (task, TRUE);
}

/* The stop's profile: the threads now; when the program ended first, the last capture, which
 * says when it was taken (@ended_monotonic: the program's end, 0 when not seen yet). */
static GzProfile *
thread_captures_finish (ThreadCaptures  *captures,
                        gint64           ended_monotonic,
                        gboolean        *target_exited,
                        GError         **error)
{
  g_autoptr(GzProfileBuilder) builder = NULL;
  g_autoptr(GzProfile) latest = NULL;
  GzProfile *profile;
  gboolean ended;
  gint64 before_end;

  profile = thread_captures_take (captures, &ended, error);
  g_mutex_lock (&captures->lock);
  captures->closed = TRUE;
  latest = captures->latest != NULL ? gz_profile_ref (captures->latest) : NULL;
  before_end = (ended_monotonic > 0 ? ended_monotonic : g_get_monotonic_time ()) -
               captures->latest_monotonic;
  g_mutex_unlock (&captures->lock);
  *target_exited = ended;
  if (profile != NULL || !ended)
    return profile;

  if (latest != NULL)
    {
      g_ptr_array_add (latest->comments,
                       g_strdup_printf ("the program ended before the session's stop: these "
                                        "are its threads at the last capture, %.1f s before "
                                        "its end (captured once a second while it ran)",
                                        MAX (before_end, 0) / (double) G_USEC_PER_SEC));
      return g_steal_pointer (&latest);
    }
  builder = gz_profile_builder_new (GZ_PROFILE_TYPE_GOROUTINE);
  gz_profile_builder_add_comment (builder, "the program ended before its threads were "
                                  "captured (once a second while it runs, and at the "
                                  "session's stop): no thread to show");
  return gz_profile_builder_finish (builder, NULL, error);
}

/* Whether this process may ptrace @pid, the launched child still waiting before its exec: its
 * goroutine profile needs it, and a refusal (a seccomp policy, Yama's ptrace_scope 3) is told
 * before the program runs. The child is stopped once and let go. */
static gboolean
check_ptrace (pid_t    pid,
              GError **error)
{
  gint64 deadline = g_get_monotonic_time () + PTRACE_CHECK_MS * G_TIME_SPAN_MILLISECOND;
  int status = 0;
  pid_t got;

  if (ptrace (PTRACE_SEIZE, pid, NULL, NULL) != 0)
    {
      int errsv = errno;

      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                   "a goroutine profile of a launched program stops its threads with ptrace, "
                   "which is refused here (%s); allow ptrace (kernel.yama.ptrace_scope below "
                   "3, no seccomp filter against it), or profile another type",
                   g_strerror (errsv));
      return FALSE;
    }
  /* A seized thread is let go only from a stop. */
  if (ptrace (PTRACE_INTERRUPT, pid, NULL, NULL) == 0)
    do
      {
        got = waitpid (pid, &status, __WALL | WNOHANG);
        if (got == 0)
          g_usleep (200);
      }
    while ((got == 0 || (got < 0 && errno == EINTR)) && g_get_monotonic_time () < deadline);
  ptrace (PTRACE_DETACH, pid, NULL, NULL);
  return TRUE;
}

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* g_timeout_add() and g_idle_add(), but on the session's context, so that a session can live
 * on a worker thread with its own main loop. */
static GSource *
attach_source (GzSession   *self,
               GSource     *source,
               GSourceFunc  func)
{
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
gz_session_disarm (GzSession *self)
{
  clear_source (&self->duration_source);
  clear_source (&self->poll_source);
  clear_source (&self->threads_source);
  clear_source (&self->idle_stop_source);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

static void
gz_session_dispose (GObject *object)
{
  GzSession *self = GZ_SESSION (object);

  gz_session_disarm (self);
  /* Never leave a reservation or an active entry behind for a session that is gone. */
  if (self->registry != NULL && self->info != NULL && self->info->id != NULL)
    gz_session_registry_unpublish (self->registry, self->info->id);
  /* A profiler dropped while running stops sampling and throws its data away: no profile is
   * built here, on whatever thread drops the last reference. */
  g_clear_object (&self->profiler);
  g_clear_object (&self->capture);
  if (self->collector != NULL)
    gz_collector_stop (self->collector);
  g_clear_object (&self->collector);
  g_clear_pointer (&self->ring, gz_ring_free);
  g_clear_pointer (&self->threads, thread_captures_unref);
  if (self->launcher != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->launcher, self);
      /* A child never released never runs the program. */
      gz_launcher_abort (self->launcher);
      g_clear_object (&self->launcher);
    }
  g_clear_object (&self->registry);
  g_clear_object (&self->config);
  G_OBJECT_CLASS (gz_session_parent_class)->dispose (object);
}

static void
gz_session_finalize (GObject *object)
{
  GzSession *self = GZ_SESSION (object);

  g_clear_pointer (&self->info, gz_session_info_free);
  g_clear_pointer (&self->summary, gz_session_summary_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (gz_session_parent_class)->finalize (object);
}

static void
gz_session_class_init (GzSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_session_dispose;
  object_class->finalize = gz_session_finalize;

  /* The session ended: by its duration, a stop request or gz_session_stop_async(). */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gz_session_init (GzSession *self)
{
  self->state = GZ_SESSION_STATE_READY;
  self->waiters = g_ptr_array_new ();
}

/* Creating (and removing) a file is the only sure test: access() ignores read-only mounts
 * and ACLs the way a real write would meet them. */
static gboolean
check_output_dir (const char *dir,
                  GError    **error)
{
  g_autofree char *probe = NULL;
  int fd;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;

      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_OUTPUT,
                   "cannot create output directory \"%s\" (%s); choose another with "
                   "--output-dir or GZ_PROFILE_OUTPUT_DIR", dir, g_strerror (errsv));
      return FALSE;
    }
  probe = g_build_filename (dir, ".gz-write-test-XXXXXX", NULL);
  fd = g_mkstemp (probe);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_OUTPUT,
                   "cannot write to output directory \"%s\" (%s); choose another with "
                   "--output-dir or GZ_PROFILE_OUTPUT_DIR", dir, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;
}

/* Whether a launched program's cpu can come from perf events; GZ_CPU_SAMPLER=signal says no
 * (tests), as for gz's own cpu profiles. */
static gboolean
launch_with_perf (GError **error)
{
  if (g_strcmp0 (g_getenv ("GZ_CPU_SAMPLER"), "signal") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "GZ_CPU_SAMPLER=signal asks for the preload's ticks");
      return FALSE;
    }
  return gz_perf_events_check (getpid (), error);
}

/* The ring a launched program's preload records @type into, at the configured rates. */
static GzRing *
launch_ring (GzConfig       *config,
             GzProfileType   type,
             GError        **error)
{
  GzRingOptions options = { 0, };

  switch (type)
    {
    case GZ_PROFILE_TYPE_CPU:
      /* Only where perf events are refused: the preload's SIGPROF ticks. */
      options.flags = GZ_RING_RECORD_CPU;
      options.cpu_hz = (guint32) CLAMP (gz_config_get_int (config, "cpu-hz"), 1, 1000);
      break;
    case GZ_PROFILE_TYPE_MEMORY:
      options.flags = GZ_RING_RECORD_MEMORY;
      break;
    case GZ_PROFILE_TYPE_BLOCK:
      options.flags = GZ_RING_RECORD_BLOCK;
      break;
    case GZ_PROFILE_TYPE_MUTEX:
      options.flags = GZ_RING_RECORD_MUTEX;
      break;
    case GZ_PROFILE_TYPE_THREADCREATE:
      options.flags = GZ_RING_RECORD_THREADS;
      break;
    case GZ_PROFILE_TYPE_GOROUTINE:
    case GZ_PROFILE_TYPE_N:
    default:
      g_assert_not_reached ();
    }
  options.memory_rate = (guint64) MAX (gz_config_get_int (config, "memory-rate"), 1);
  options.block_rate_ns = (guint64) MAX (gz_config_get_int (config, "block-rate"), 0);
  options.mutex_fraction = (guint32) MAX (gz_config_get_int (config, "mutex-fraction"), 0);
  return gz_ring_new (&options, error);
}

/* Whether process @pid has code mapped (its exec is done and it runs), waiting up to
 * EXEC_WAIT_MS for it; FALSE when it ended meanwhile (a zombie, or gone). */
static gboolean
wait_for_code (pid_t pid)
{
  g_autofree char *maps_path = g_strdup_printf ("/proc/%d/maps", (int) pid);

  for (guint i = 0; i < EXEC_WAIT_MS; i++)
    {
      g_autofree char *maps = NULL;

      if (process_ended (pid))
        return FALSE;
      if (g_file_get_contents (maps_path, &maps, NULL, NULL) && strstr (maps, " r-xp ") != NULL)
        return TRUE;
      g_usleep (1000);
    }
  return TRUE;
}

static GzSession *
session_new (GzConfig       *config,
             GzProfileType   type,
             gint64          duration_nanos,
             const char     *output_dir,
             const GzTarget *target,
             GzTargetClient *client,
             GzLauncher     *launcher,
             GError        **error)
{
  GzTarget launched = { GZ_TARGET_COMMAND, 0, NULL };
  g_autoptr(GError) perf_error = NULL;
  g_autoptr(GzSession) self = NULL;
  g_autoptr(GzConfig) own_config = NULL;
  g_autofree char *absolute_dir = NULL;
  gboolean whole_life = target->kind == GZ_TARGET_COMMAND;

  if (config == NULL)
    {
      own_config = gz_config_new (NULL, error);
      if (own_config == NULL)
        return NULL;
      config = own_config;
    }

  if (duration_nanos < 0)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                   "negative session duration; give a positive duration such as 30s");
      return NULL;
    }
  if (duration_nanos == 0 && type == GZ_PROFILE_TYPE_CPU && !whole_life)
    duration_nanos = gz_config_get_duration (config, "duration");
  if (duration_nanos <= 0 && type == GZ_PROFILE_TYPE_CPU && !whole_life)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                   "a cpu session needs a positive duration; set one such as 30s");
      return NULL;
    }

  if (output_dir == NULL)
    output_dir = gz_config_get_string (config, "output-dir");
  if (output_dir == NULL || *output_dir == '\0')
    output_dir = "tmp/profiles";
  if (!check_output_dir (output_dir, error))
    return NULL;
  /* Kept absolute: a launched program runs in a working folder of its own. */
  if (target->kind != GZ_TARGET_SELF)
    output_dir = absolute_dir = g_canonicalize_filename (output_dir, NULL);

  self = g_object_new (GZ_TYPE_SESSION, NULL);
  self->config = g_object_ref (config);
  if (launcher != NULL)
    {
      /* cpu comes from perf events where the kernel allows them (it does for our children when
       * it does for us); everything else from the preload, into a ring the program inherits. */
      if (type == GZ_PROFILE_TYPE_CPU && !launch_with_perf (&perf_error))
        g_debug ("cpu of %s from the preload's ticks: %s",
                 gz_launcher_get_command_line (launcher), perf_error->message);
      /* goroutine: from outside, with ptrace; nothing of gz in the program. */
      if ((type != GZ_PROFILE_TYPE_CPU || perf_error != NULL) &&
          type != GZ_PROFILE_TYPE_GOROUTINE)
        {
          g_autoptr(GError) preload_error = NULL;

          self->ring = launch_ring (config, type, error);
          if (self->ring == NULL)
            return NULL;
          if (!gz_launcher_set_preload (launcher, gz_ring_get_fd (self->ring), &preload_error))
            {
              if (perf_error != NULL)
                g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_FAILED,
                             "%s; and the preload cannot stand in: %s", perf_error->message,
                             preload_error->message);
              else
                g_propagate_error (error, g_steal_pointer (&preload_error));
              return NULL;
            }
        }
      /* Only now that the output folder is known to take the profile: the child waits before
       * its exec; the profiler is opened on it at the start. */
      if (!gz_launcher_spawn (launcher, error))
        return NULL;
      self->launcher = g_object_ref (launcher);
      launched.pid = gz_launcher_get_pid (launcher);
      launched.spec = (char *) gz_launcher_get_command_line (launcher);
      target = &launched;
      if (type == GZ_PROFILE_TYPE_CPU && perf_error == NULL)
        {
          self->profiler = gz_perf_profiler_new_on_exec (launched.pid, type, config, error);
          if (self->profiler == NULL)
            return NULL;
        }
      if (type == GZ_PROFILE_TYPE_GOROUTINE)
        {
          if (!check_ptrace (launched.pid, error))
            return NULL;
          self->threads = thread_captures_new (launcher);
        }
    }
  else if (target->kind == GZ_TARGET_SELF)
    {
      self->profiler = gz_profiler_new (type, config, error);
      if (self->profiler == NULL)
        return NULL;
    }
  else if (client == NULL)
    {
      /* A process without a `run` socket: cpu only, sampled by the kernel's perf events. */
      self->profiler = gz_perf_profiler_new (target->pid, type, config, error);
      if (self->profiler == NULL)
        return NULL;
    }

  self->registry = gz_session_registry_new (NULL);
  self->info = g_new0 (GzSessionInfo, 1);
  self->info->type = type;
  self->info->target.kind = target->kind;
  self->info->target.pid = target->kind == GZ_TARGET_SELF ? getpid () : target->pid;
  self->info->target.spec = g_strdup (target->spec);
  self->info->duration = duration_nanos;
  if (!gz_session_registry_reserve (self->registry, self->info, output_dir, error))
    {
      g_clear_pointer (&self->info->id, g_free);
      return NULL;
    }
  if (client != NULL)
    self->capture = gz_target_capture_new (client, target->kind, type, duration_nanos);

  return g_steal_pointer (&self);
}

GzSession *
gz_session_new (GzConfig      *config,
                GzProfileType  type,
                gint64         duration_nanos,
                const char    *output_dir,
                GError       **error)
{
  GzTarget self_target = { GZ_TARGET_SELF, 0, NULL };

  g_return_val_if_fail (config == NULL || GZ_IS_CONFIG (config), NULL);
  g_return_val_if_fail (type < GZ_PROFILE_TYPE_N, NULL);

  return session_new (config, type, duration_nanos, output_dir, &self_target, NULL, NULL, error);
}

GzSession *
gz_session_new_for_target (GzConfig       *config,
                           GzProfileType   type,
                           gint64          duration_nanos,
                           const char     *output_dir,
                           const GzTarget *target,
                           GzTargetClient *client,
                           GError        **error)
{
  g_return_val_if_fail (config == NULL || GZ_IS_CONFIG (config), NULL);
  g_return_val_if_fail (type < GZ_PROFILE_TYPE_N, NULL);
  g_return_val_if_fail (target != NULL && target->kind != GZ_TARGET_SELF, NULL);
  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (client) ||
                        (client == NULL && target->kind == GZ_TARGET_PID), NULL);

  return session_new (config, type, duration_nanos, output_dir, target, client, NULL, error);
}

GzSession *
gz_session_new_for_launch (GzConfig      *config,
                           GzProfileType  type,
                           gint64         duration_nanos,
                           const char    *output_dir,
                           GzLauncher    *launcher,
                           GError       **error)
{
  GzTarget target = { GZ_TARGET_COMMAND, 0, NULL };
  GzSession *self;

  g_return_val_if_fail (config == NULL || GZ_IS_CONFIG (config), NULL);
  g_return_val_if_fail (type < GZ_PROFILE_TYPE_N, NULL);
  g_return_val_if_fail (GZ_IS_LAUNCHER (launcher), NULL);
  g_return_val_if_fail (gz_launcher_get_pid (launcher) == 0, NULL);

  self = session_new (config, type, duration_nanos, output_dir, &target, NULL, launcher, error);
  /* Whatever failed after the fork: the child leaves without running the program. */
  if (self == NULL && gz_launcher_get_pid (launcher) != 0)
    gz_launcher_abort (launcher);
  return self;
}

GzLauncher *
gz_session_get_launcher (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->launcher;
}

const char *
gz_session_get_id (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->info->id;
}

GzProfileType
gz_session_get_profile_type (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), GZ_PROFILE_TYPE_CPU);
  return self->info->type;
}

const GzTarget *
gz_session_get_target (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return &self->info->target;
}

const char *
gz_session_get_output_path (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->info->output_path;
}

GzSessionState
gz_session_get_state (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), GZ_SESSION_STATE_FAILED);
  return self->state;
}

gint64
gz_session_get_duration (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), 0);
  return self->info->duration;
}

gint64
gz_session_get_start_time (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), 0);
  return self->info->start_time;
}

gint64
gz_session_get_elapsed (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), 0);

  switch (self->state)
    {
    case GZ_SESSION_STATE_RUNNING:
      return (g_get_monotonic_time () - self->start_monotonic) * 1000;
    case GZ_SESSION_STATE_STOPPING:
    case GZ_SESSION_STATE_FINISHED:
    case GZ_SESSION_STATE_FAILED:
      return self->elapsed;
    case GZ_SESSION_STATE_READY:
    default:
      return 0;
    }
}

const GzSessionSummary *
gz_session_get_summary (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->summary;
}

const GError *
gz_session_get_error (GzSession *self)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  return self->error;
}


/* What the worker needs to stop the profiler and write the profile; nothing of it is touched
 * by the session's thread meanwhile. */
typedef struct
{
  GzProfiler      *profiler;
  GzTargetCapture *capture;  /* instead of the profiler, for another program */
  GzCollector     *collector; /* instead of the profiler, for a launched program's preload */
  ThreadCaptures  *threads;   /* instead of the profiler, for a launched program's threads */
  gint64           ended_monotonic;
  GzProfileType    type;
  gboolean         exited;    /* a launched program ended */
  gboolean         exited_at_once; /* …before its code could be read: an empty profile */
  char            *id;
  char       *path;
  gint64      start_monotonic;
  char       *ending;    /* how a launched program ended, when it had */
} StopJob;

static void
stop_job_free (gpointer data)
{
  StopJob *job = data;

  g_clear_object (&job->profiler);
  g_clear_object (&job->capture);
  g_clear_object (&job->collector);
  g_clear_pointer (&job->threads, thread_captures_unref);
  g_free (job->id);
  g_free (job->path);
  g_free (job->ending);
  g_free (job);
}

/* On a worker: stop, symbolize, encode, write atomically, summarize. */
static void
stop_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  StopJob *job = task_data;
  g_autoptr(GzProfile) profile = NULL;
  GzSessionSummary *summary;
  GError *error = NULL;
  gboolean target_exited = FALSE;
  GStatBuf st;

  if (job->capture != NULL)
    profile = gz_target_capture_stop (job->capture, cancellable, &target_exited, &error);
  else if (job->exited_at_once)
    {
      g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (job->type);

      gz_profile_builder_add_comment (builder, "the program ended before its code could be "
                                      "read: nothing of it was recorded");
      profile = gz_profile_builder_finish (builder, NULL, &error);
      target_exited = TRUE;
    }
  else if (job->threads != NULL)
    profile = thread_captures_finish (job->threads, job->ended_monotonic, &target_exited,
                                      &error);
  else if (job->collector != NULL)
    {
      /* A last, complete drain: everything the program recorded since its first instruction
       * (after its exit, its sampled objects never freed are its leaks). */
      gz_collector_stop (job->collector);
      profile = gz_collector_build_profile (job->collector, job->type, NULL, &error);
      target_exited = job->exited;
    }
  else
    profile = gz_profiler_stop (job->profiler, &error);
  if (job->profiler != NULL && GZ_IS_PERF_PROFILER (job->profiler))
    target_exited = gz_perf_profiler_target_exited (GZ_PERF_PROFILER (job->profiler));
  if (profile != NULL && job->ending != NULL)
    g_ptr_array_add (profile->comments, g_strdup_printf ("the program %s", job->ending));
  if (profile != NULL && g_cancellable_is_cancelled (cancellable))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   "the stop was cancelled; the profile was not written");
      g_clear_pointer (&profile, gz_profile_unref);
    }
  if (profile != NULL && !gz_profile_write_file (profile, job->path, &error))
    g_clear_pointer (&profile, gz_profile_unref);
  if (profile == NULL)
    {
      g_prefix_error (&error, "session %s: ", job->id);
      g_task_return_error (task, error);
      return;
    }

  if (profile->duration_nanos == 0)
    profile->duration_nanos = (g_get_monotonic_time () - job->start_monotonic) * 1000;
  summary = gz_session_summary_new_for_profile (job->id, job->path, profile,
                                                g_stat (job->path, &st) == 0
                                                ? (gint64) st.st_size : 0);
  summary->target_exited = target_exited;
  g_task_return_pointer (task, summary, (GDestroyNotify) gz_session_summary_free);
}

/* Gives a gz_session_stop_async() caller the outcome of the finished session. */
static void
return_outcome (GzSession *self,
                GTask     *task)
{
  if (self->state == GZ_SESSION_STATE_FINISHED)
    g_task_return_pointer (task, gz_session_summary_copy (self->summary),
                           (GDestroyNotify) gz_session_summary_free);
  else
    g_task_return_error (task, g_error_copy (self->error));
}

/* Back on the session's context: record the outcome, answer a stop request, unpublish, tell. */
static void
on_stop_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GzSession *self = GZ_SESSION (object);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);
  GError *error = NULL;
  gboolean requested;

  self->waiters = g_ptr_array_new ();
  self->summary = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      self->state = GZ_SESSION_STATE_FAILED;
      self->error = error;
    }
  else
    self->state = GZ_SESSION_STATE_FINISHED;

  /* Answer a stop request before unpublishing: the stopper waits for the answer. A request
   * that comes later finds the session gone and reads the profile file itself. */
  requested = gz_session_registry_stop_requested (self->registry, self->info->id);
  if (requested && self->summary != NULL)
    {
      g_autoptr(GError) result_error = NULL;

      if (!gz_session_registry_write_result (self->registry, self->summary, &result_error))
        g_warning ("Could not answer the stop request of %s: %s", self->info->id,
                   result_error->message);
    }
  gz_session_registry_unpublish (self->registry, self->info->id);

  g_signal_emit (self, signals[FINISHED], 0);

  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiters, i);

      return_outcome (self, task);
    }
}

/* From RUNNING to STOPPING: the sources go, the worker takes the profiler. */
static void
gz_session_begin_stop (GzSession    *self,
                       GCancellable *cancellable)
{
  g_autoptr(GTask) task = NULL;
  StopJob *job;

  g_assert (self->state == GZ_SESSION_STATE_RUNNING);

  gz_session_disarm (self);
  self->state = GZ_SESSION_STATE_STOPPING;
  self->elapsed = (g_get_monotonic_time () - self->start_monotonic) * 1000;

  job = g_new0 (StopJob, 1);
  job->profiler = self->profiler != NULL ? g_object_ref (self->profiler) : NULL;
  job->capture = self->capture != NULL ? g_object_ref (self->capture) : NULL;
  job->collector = self->collector != NULL ? g_object_ref (self->collector) : NULL;
  job->threads = self->threads != NULL ? thread_captures_ref (self->threads) : NULL;
  job->ended_monotonic = self->ended_monotonic;
  job->type = self->info->type;
  job->exited_at_once = self->exited_at_once;
  job->exited = self->launcher != NULL && gz_launcher_get_exited (self->launcher);
  job->id = g_strdup (self->info->id);
  job->path = g_strdup (self->info->output_path);
  job->start_monotonic = self->start_monotonic;
  if (self->launcher != NULL && gz_launcher_get_exited (self->launcher))
    job->ending = gz_launcher_describe_exit (self->launcher);

  /* The task completes on the context it was made on: make it on the session's. */
  g_main_context_push_thread_default (self->context);
  task = g_task_new (self, cancellable, on_stop_done, NULL);
  g_main_context_pop_thread_default (self->context);
  g_task_set_source_tag (task, gz_session_begin_stop);
  /* A cancel that comes after the profile was written changes nothing. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, stop_job_free);
  g_task_run_in_thread (task, stop_thread);
}

static gboolean
on_duration_elapsed (gpointer user_data)
{
  GzSession *self = user_data;

  g_clear_pointer (&self->duration_source, g_source_unref);
  gz_session_begin_stop (self, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_idle_stop (gpointer user_data)
{
  GzSession *self = user_data;

  g_clear_pointer (&self->idle_stop_source, g_source_unref);
  gz_session_begin_stop (self, NULL);
  return G_SOURCE_REMOVE;
}

/* A launched program ended: its profile is what it ran, whatever the end. */
static void
on_launcher_exited (GzLauncher *launcher,
                    gpointer    user_data)
{
  GzSession *self = user_data;

  self->ended_monotonic = g_get_monotonic_time ();
  if (self->state == GZ_SESSION_STATE_RUNNING && self->idle_stop_source == NULL)
    self->idle_stop_source = attach_source (self, g_idle_source_new (), on_idle_stop);
}

/* Once a second: a launched program's threads, on a worker (one capture at a time). */
static gboolean
on_threads_timer (gpointer user_data)
{
  GzSession *self = user_data;
  g_autoptr(GTask) task = NULL;

  if (!g_atomic_int_compare_and_exchange (&self->threads->busy, 0, 1))
    return G_SOURCE_CONTINUE;
  /* The last capture was slow: the next waits (busy's exchange orders the read). */
  if (g_get_monotonic_time () < self->threads->next_monotonic)
    {
      g_atomic_int_set (&self->threads->busy, 0);
      return G_SOURCE_CONTINUE;
    }
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, on_threads_timer);
  g_task_set_task_data (task, thread_captures_ref (self->threads),
                        (GDestroyNotify) thread_captures_unref);
  g_task_run_in_thread (task, capture_thread);
  return G_SOURCE_CONTINUE;
}

static void
check_stop_request (GzSession *self)
{
  if (self->state != GZ_SESSION_STATE_RUNNING || self->idle_stop_source != NULL)
    return;
  if (gz_session_registry_stop_requested (self->registry, self->info->id))
    self->idle_stop_source = attach_source (self, g_idle_source_new (), on_idle_stop);
}

static gboolean
on_poll (gpointer user_data)
{
  GzSession *self = user_data;

  check_stop_request (self);
  /* The program went away: take the last capture, or what perf events sampled. A
   * launched program's end comes from its launcher, with its status. */
  if (self->state == GZ_SESSION_STATE_RUNNING && self->idle_stop_source == NULL &&
      ((self->capture != NULL && !gz_target_capture_target_alive (self->capture)) ||
       (self->launcher == NULL && self->profiler != NULL &&
        GZ_IS_PERF_PROFILER (self->profiler) &&
        !gz_perf_profiler_target_alive (GZ_PERF_PROFILER (self->profiler)))))
    self->idle_stop_source = attach_source (self, g_idle_source_new (), on_idle_stop);
  return G_SOURCE_CONTINUE;
}

static void
on_registry_changed (GFileMonitor      *monitor,
                     GFile             *file,
                     GFile             *other_file,
                     GFileMonitorEvent  event,
                     gpointer           user_data)
{
  if (event == G_FILE_MONITOR_EVENT_CREATED || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED)
    check_stop_request (user_data);
}

gboolean
gz_session_start (GzSession *self,
                  GError   **error)
{
  g_autoptr(GFile) dir = NULL;
  guint interval_ms;

  g_return_val_if_fail (GZ_IS_SESSION (self), FALSE);

  if (self->state != GZ_SESSION_STATE_READY)
    {
      g_set_error (error, GZ_SESSION_ERROR, GZ_SESSION_ERROR_STATE,
                   "session %s was already started; start a new session", self->info->id);
      return FALSE;
    }

  if (self->capture != NULL ? !gz_target_capture_start (self->capture, error)
                            : self->profiler != NULL && !gz_profiler_start (self->profiler, error))
    return FALSE;

  self->start_monotonic = g_get_monotonic_time ();
  self->info->start_time = g_get_real_time () * 1000;
  self->state = GZ_SESSION_STATE_RUNNING;

  if (!gz_session_registry_publish (self->registry, self->info, error))
    {
      /* Started a moment ago: this profile is next to empty, quick to build and drop. */
      g_autoptr(GzProfile) profile = self->capture != NULL
                                       ? gz_target_capture_stop (self->capture, NULL, NULL, NULL)
                                       : self->profiler != NULL
                                       ? gz_profiler_stop (self->profiler, NULL) : NULL;

      self->state = GZ_SESSION_STATE_READY;
      return FALSE;
    }

  self->context = g_main_context_ref_thread_default ();
  /* Everything is ready: the program runs now, from its first instruction profiled. */
  if (self->launcher != NULL)
    {
      gboolean ok = gz_launcher_release (self->launcher, error);

      /* The ring is read from the exec on; the records wait in it meanwhile. */
      if (ok && self->ring != NULL)
        {
          if (wait_for_code (gz_launcher_get_pid (self->launcher)))
            {
              self->collector = gz_collector_new (gz_launcher_get_pid (self->launcher),
                                                  g_steal_pointer (&self->ring), error);
              ok = self->collector != NULL;
              if (ok)
                gz_collector_start (self->collector);
            }
          else
            {
              /* It ran and ended at once: nothing of it can be read; its profile is empty. */
              g_clear_pointer (&self->ring, gz_ring_free);
              self->exited_at_once = TRUE;
            }
        }
      if (!ok)
        {
          g_autoptr(GzProfile) profile = self->profiler != NULL
                                           ? gz_profiler_stop (self->profiler, NULL) : NULL;

          gz_launcher_send_signal (self->launcher, SIGKILL);
          gz_session_registry_unpublish (self->registry, self->info->id);
          self->state = GZ_SESSION_STATE_READY;
          return FALSE;
        }
      g_signal_connect (self->launcher, "exited", G_CALLBACK (on_launcher_exited), self);
      if (self->threads != NULL)
        self->threads_source = attach_source (self,
                                              g_timeout_source_new (THREAD_CAPTURE_INTERVAL_MS),
                                              on_threads_timer);
    }
  if (self->info->duration > 0)
    {
      /* Milliseconds, rounded up so a session never ends early. */
      interval_ms = (guint) MIN ((self->info->duration + 999999) / 1000000, G_MAXUINT);
      self->duration_source = attach_source (self, g_timeout_source_new (interval_ms),
                                             on_duration_elapsed);
    }

  dir = g_file_new_for_path (gz_session_registry_get_dir (self->registry));
  self->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_registry_changed), self);
  /* Monitors can miss events (NFS, inotify limits): look now and then as well. */
  self->poll_source = attach_source (self, g_timeout_source_new (STOP_POLL_MS), on_poll);
  /* A request may have come while we were reserved. */
  check_stop_request (self);

  return TRUE;
}

void
gz_session_stop_async (GzSession           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GZ_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_session_stop_async);
  /* The outcome is the session's: a cancel that came too late must not hide a saved profile. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->context != NULL && g_task_get_context (task) != self->context)
    {
      g_critical ("gz_session_stop_async() called for %s outside the main context that "
                  "started it", self->info->id);
      g_task_return_new_error (task, GZ_SESSION_ERROR, GZ_SESSION_ERROR_STATE,
                               "session %s belongs to another main context", self->info->id);
      return;
    }

  switch (self->state)
    {
    case GZ_SESSION_STATE_READY:
      g_task_return_new_error (task, GZ_SESSION_ERROR, GZ_SESSION_ERROR_STATE,
                               "session %s is not running; start it first", self->info->id);
      return;
    case GZ_SESSION_STATE_FINISHED:
    case GZ_SESSION_STATE_FAILED:
      return_outcome (self, task);
      return;
    case GZ_SESSION_STATE_RUNNING:
      if (g_task_return_error_if_cancelled (task))
        return;
      gz_session_begin_stop (self, cancellable);
      break;
    case GZ_SESSION_STATE_STOPPING:
    default:
      break;
    }
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
}

GzSessionSummary *
gz_session_stop_finish (GzSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (GZ_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
