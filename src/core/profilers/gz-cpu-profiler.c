/* gz-cpu-profiler.c: CPU profiles from gperftools' SIGPROF profiler, loaded on first use. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
/* Only for the struct types: libprofiler is opened with dlopen, never linked. */
#include <gperftools/profiler.h>

#include "gz-cpu-profiler.h"
#include "gz-profile-builder.h"

#define LIBRARY        "libprofiler.so.0"
#define PACKAGE        "libgoogle-perftools4"
#define DEFAULT_HZ     100
#define ALREADY_RUNNING "a CPU profile is already running in this process; stop it first " \
                        "(gz-cli profile list shows the sessions)"

struct _GzCpuProfiler
{
  GzProfiler parent_instance;

  int        requested_hz;
  char      *path;            /* gperftools writes here while running */
  gint64     start_monotonic; /* microseconds */
};

G_DEFINE_FINAL_TYPE (GzCpuProfiler, gz_cpu_profiler, GZ_TYPE_PROFILER)

/* gperftools' profiler is one per process: so is this state. */
static GMutex lock;
static gboolean loaded;
static int loaded_hz;
static GzCpuProfiler *active;
static int  (*profiler_start) (const char *fname, const struct ProfilerOptions *options);
static void (*profiler_stop) (void);
static void (*profiler_get_state) (struct ProfilerState *state);

/* gperftools prints "PROFILE: interrupts/evictions/bytes = …" on stderr at every stop, which
 * is not ours to print in someone else's program (the agent) nor useful in gz-cli. While it
 * stops, stdio's stderr is a stream that drops that one report and hands everything else
 * straight to file descriptor 2, so another thread's message written meanwhile still arrives. */
static ssize_t
quiet_stderr_write (void       *cookie,
                    const char *buf,
                    size_t      size)
{
  static const char report[] = "PROFILE: interrupts/evictions/bytes";
  size_t done = 0;

  if (size >= sizeof report - 1 && memcmp (buf, report, sizeof report - 1) == 0)
    return (ssize_t) size;
  while (done < size)
    {
      ssize_t n = write (STDERR_FILENO, buf + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return done > 0 ? (ssize_t) done : -1;
      done += (size_t) n;
    }
  return (ssize_t) size;
}

static gpointer
quiet_stderr_new (gpointer data)
{
  cookie_io_functions_t io = { .write = quiet_stderr_write };
  FILE *stream = fopencookie (NULL, "w", io);

  if (stream != NULL)
    setvbuf (stream, NULL, _IONBF, 0);
  return stream;
}

static void
stop_quietly (void)
{
  static GOnce once = G_ONCE_INIT;
  FILE *quiet = g_once (&once, quiet_stderr_new, NULL);
  FILE *saved = stderr;

  if (quiet == NULL)
    {
      profiler_stop ();
      return;
    }
  fflush (saved);
  stderr = quiet;
  profiler_stop ();
  stderr = saved;
}

/* gperftools' own destructor stops a running profile at exit, and prints its report. This
 * handler, registered after the library was loaded, runs before that destructor and stops it
 * quietly; whoever flushes the running session at exit (the agent) still reads the file. */
static void
stop_at_exit (void)
{
  if (!g_mutex_trylock (&lock))
    return;
  if (active != NULL)
    {
      stop_quietly ();
      active = NULL;
    }
  g_mutex_unlock (&lock);
}

/* gperftools reads CPUPROFILE_FREQUENCY once, when the library is loaded: so the library is
 * opened at the first CPU profile, after the variable is set from cpu-hz. A later cpu-hz that
 * differs cannot take effect until the process restarts; profiles keep the rate the library
 * loaded with (their period says so) and a warning is logged once per differing value. Call
 * with the lock held. */
static gboolean
ensure_loaded (int      hz,
               GError **error)
{
  static GHashTable *warned;
  void *handle;

  if (loaded)
    {
      if (hz != loaded_hz)
        {
          if (warned == NULL)
            warned = g_hash_table_new (NULL, NULL);
          if (g_hash_table_add (warned, GINT_TO_POINTER (hz)))
            g_warning ("cpu-hz is %d, but the CPU profiler was loaded at %d Hz in this process: "
                       "profiles use %d Hz; restart the process for the new rate",
                       hz, loaded_hz, loaded_hz);
        }
      return TRUE;
    }

  /* Already in the process (LD_PRELOAD, or linked by someone): its rate was fixed then. */
  handle = dlopen (LIBRARY, RTLD_NOW | RTLD_NOLOAD);
  if (handle != NULL)
    {
      const char *env = g_getenv ("CPUPROFILE_FREQUENCY");

      loaded_hz = env != NULL && atoi (env) > 0 ? atoi (env) : DEFAULT_HZ;
    }
  else
    {
      char text[16];

      g_snprintf (text, sizeof text, "%d", hz);
      g_setenv ("CPUPROFILE_FREQUENCY", text, TRUE);
      /* CPUPROFILE would make the library profile the whole process from its load on. */
      g_unsetenv ("CPUPROFILE");
      handle = dlopen (LIBRARY, RTLD_NOW | RTLD_LOCAL);
      loaded_hz = hz;
    }

  if (handle == NULL)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "CPU profiles need gperftools' CPU profiler (%s), which cannot be loaded: "
                   "%s; install it with: apt-get install " PACKAGE, LIBRARY, dlerror ());
      return FALSE;
    }

  profiler_start = (int (*) (const char *, const struct ProfilerOptions *))
    dlsym (handle, "ProfilerStartWithOptions");
  profiler_stop = (void (*) (void)) dlsym (handle, "ProfilerStop");
  profiler_get_state = (void (*) (struct ProfilerState *))
    dlsym (handle, "ProfilerGetCurrentState");
  if (profiler_start == NULL || profiler_stop == NULL || profiler_get_state == NULL)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "%s lacks the CPU profiler's functions (ProfilerStartWithOptions, ...); "
                   "reinstall it with: apt-get install --reinstall " PACKAGE, LIBRARY);
      dlclose (handle);
      return FALSE;
    }

  /* Kept open for the life of the process: its signal handler stays installed. */
  atexit (stop_at_exit);
  loaded = TRUE;
  return TRUE;
}

/* The legacy CPU profile gperftools writes: machine words; a header 0, 3, 0, period in
 * microseconds, 0; records: count, depth, depth PCs; a trailer 0, 1, 0; then the text of
 * /proc/self/maps, which we do not need: the builder symbolizes in this process. The first PC of
 * a record is the interrupted instruction (the signal context's PC); the others are return
 * addresses. */
static gboolean
parse_legacy (GzProfileBuilder *builder,
              const char       *data,
              gsize             length,
              int              *hz,
              gint64           *n_samples,
              GError          **error)
{
  const guintptr *words = (const guintptr *) (gconstpointer) data;
  gsize n = length / sizeof (guintptr);
  gsize i = 5;
  gint64 period_nanos;

  if (n < 5 || words[0] != 0 || words[1] != 3 || words[2] != 0 || words[3] == 0)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT,
                   "gperftools wrote a CPU profile without the expected header (%" G_GSIZE_FORMAT
                   " bytes); is " LIBRARY " from gperftools 2.x?", length);
      return FALSE;
    }
  /* The period is in whole microseconds (1e6 / hz, truncated); the rate is an integer number
   * of Hz, so round back to it for an exact period in nanoseconds. */
  *hz = MAX (1, (int) ((1000000 + words[3] / 2) / words[3]));
  period_nanos = G_GINT64_CONSTANT (1000000000) / *hz;
  gz_profile_builder_set_period (builder, period_nanos);
  *n_samples = 0;

  for (;;)
    {
      guint64 pcs[256];
      gint64 values[2];
      guintptr count, depth;

      if (i + 2 > n)
        {
          g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT,
                       "the CPU profile gperftools wrote ends before its trailer");
          return FALSE;
        }
      count = words[i];
      depth = words[i + 1];
      if (count == 0 && depth == 1 && i + 2 < n && words[i + 2] == 0)
        break; /* the trailer */
      i += 2;
      if (depth > G_N_ELEMENTS (pcs) || i + depth > n)
        {
          g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT,
                       "the CPU profile gperftools wrote has a record of depth %" G_GSIZE_FORMAT
                       " at word %" G_GSIZE_FORMAT, (gsize) depth, i);
          return FALSE;
        }
      for (guint d = 0; d < depth; d++)
        pcs[d] = words[i + d];
      i += depth;

      if (depth == 0 || count == 0)
        continue;
      values[0] = (gint64) count;
      values[1] = (gint64) count * period_nanos;
      gz_profile_builder_add_sample (builder, pcs, (guint) depth, GZ_STACK_FLAGS_LEAF_EXACT,
                                     values, NULL, 0);
      *n_samples += (gint64) count;
    }

  return TRUE;
}

/* A program hosting the agent may sample itself with SIGPROF: gperftools would take the signal
 * from it. Free: the default action, ignored, or gperftools' own handler. */
static gboolean
sigprof_is_free (GError **error)
{
  struct sigaction current;
  Dl_info info = { 0 };

  if (sigaction (SIGPROF, NULL, &current) != 0 || current.sa_handler == SIG_DFL ||
      current.sa_handler == SIG_IGN)
    return TRUE;
  if (dladdr ((void *) current.sa_handler, &info) != 0 && info.dli_fname != NULL &&
      strstr (info.dli_fname, "libprofiler") != NULL)
    return TRUE;
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
               "the program handles SIGPROF itself (%s): a CPU profile would take that signal "
               "from it, so there is none in this process",
               info.dli_sname != NULL ? info.dli_sname : "its own handler");
  return FALSE;
}

static gboolean
gz_cpu_profiler_start (GzProfiler *profiler,
                       GError    **error)
{
  GzCpuProfiler *self = GZ_CPU_PROFILER (profiler);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  g_autofree char *path = NULL;
  struct ProfilerOptions options;
  struct ProfilerState state;
  int fd;

  if (!sigprof_is_free (error) || !ensure_loaded (self->requested_hz, error))
    return FALSE;

  memset (&state, 0, sizeof state);
  profiler_get_state (&state);
  if (active != NULL || state.enabled)
    {
      g_set_error_literal (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED, ALREADY_RUNNING);
      return FALSE;
    }

  fd = g_file_open_tmp ("gz-cpu-XXXXXX.prof", &path, error);
  if (fd < 0)
    return FALSE;
  close (fd);

  memset (&options, 0, sizeof options);
  if (!profiler_start (path, &options))
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "gperftools' CPU profiler did not start (writing to %s); check that the "
                   "temporary directory is writable (TMPDIR)", path);
      g_unlink (path);
      return FALSE;
    }

  active = self;
  self->path = g_steal_pointer (&path);
  self->start_monotonic = g_get_monotonic_time ();
  return TRUE;
}

/* Stops gperftools' profiler if @self is the one running; returns whether it was. */
static gboolean
stop_sampling (GzCpuProfiler *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  if (active != self)
    return FALSE;
  stop_quietly ();
  active = NULL;
  return TRUE;
}

static GzProfile *
gz_cpu_profiler_stop (GzProfiler *profiler,
                      GError    **error)
{
  GzCpuProfiler *self = GZ_CPU_PROFILER (profiler);
  g_autoptr(GzProfileBuilder) builder = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  gint64 duration_nanos, n_samples;
  gsize length;
  int hz;

  g_return_val_if_fail (self->path != NULL, NULL);

  stop_sampling (self);
  duration_nanos = (g_get_monotonic_time () - self->start_monotonic) * 1000;
  path = g_steal_pointer (&self->path);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "cannot read the CPU profile gperftools wrote: %s", local_error->message);
      g_unlink (path);
      return NULL;
    }
  g_unlink (path);

  builder = gz_profile_builder_new (GZ_PROFILE_TYPE_CPU);
  if (!parse_legacy (builder, data, length, &hz, &n_samples, error))
    return NULL;
  gz_profile_builder_set_time (builder, gz_profiler_get_start_time_nanos (profiler),
                               duration_nanos);
  if (hz != self->requested_hz)
    {
      g_autofree char *comment =
        g_strdup_printf ("sampled at %d Hz, not the configured %d Hz: the CPU profiler's rate "
                         "is fixed when it first loads in a process", hz, self->requested_hz);
      gz_profile_builder_add_comment (builder, comment);
    }

  g_debug ("cpu profile: %" G_GINT64_FORMAT " samples at %d Hz in %.3f s",
           n_samples, hz, duration_nanos / 1e9);

  return gz_profile_builder_finish (builder, NULL, error);
}

static void
gz_cpu_profiler_dispose (GObject *object)
{
  GzCpuProfiler *self = GZ_CPU_PROFILER (object);

  /* Dropped while running: stop sampling and throw the data away. */
  if (self->path != NULL)
    {
      stop_sampling (self);
      g_unlink (self->path);
      g_clear_pointer (&self->path, g_free);
    }

  G_OBJECT_CLASS (gz_cpu_profiler_parent_class)->dispose (object);
}

static void
gz_cpu_profiler_class_init (GzCpuProfilerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  object_class->dispose = gz_cpu_profiler_dispose;

  profiler_class->start = gz_cpu_profiler_start;
  profiler_class->stop = gz_cpu_profiler_stop;
  /* No snapshot: a CPU profile covers a span of time. */
}

static void
gz_cpu_profiler_init (GzCpuProfiler *self)
{
  self->requested_hz = DEFAULT_HZ;
}

GzProfiler *
gz_cpu_profiler_new (GzConfig *config,
                     GError  **error)
{
  g_autoptr(GzCpuProfiler) self = NULL;
  g_autoptr(GMutexLocker) locker = NULL;

  self = g_object_new (GZ_TYPE_CPU_PROFILER, "profile-type", GZ_PROFILE_TYPE_CPU, NULL);
  if (config != NULL)
    self->requested_hz = (int) gz_config_get_int (config, "cpu-hz");

  /* Loading here lets gz_profiler_new report a missing library as UNSUPPORTED. */
  locker = g_mutex_locker_new (&lock);
  if (!ensure_loaded (self->requested_hz, error))
    return NULL;

  return GZ_PROFILER (g_steal_pointer (&self));
}
