/* gz-cpu-profiler.c: CPU profiles of this process (gz-cli, the app, a program linking libgz), never
 * unwound in a signal handler: the kernel samples every thread (perf events on oneself, unwound
 * by a reader thread); where perf events are refused, a SIGPROF handler copies registers and
 * the top of the stack into preallocated slots that a worker thread unwinds. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "gz-cpu-profiler.h"
#include "gz-perf-profiler.h"
#include "gz-perf-unwind.h"
#include "gz-profile-builder.h"
#include "gz-stack.h"

#define DEFAULT_HZ      100
#define ALREADY_RUNNING "a CPU profile is already running in this process; stop it first " \
                        "(gz-cli profile list shows the sessions)"
/* GZ_CPU_SAMPLER=signal takes the SIGPROF sampler even where perf events work (tests). */
#define SAMPLER_ENV     "GZ_CPU_SAMPLER"

/* The signal sampler's slots: enough for a few hundred milliseconds of samples of every CPU
 * at the highest rate the worker drains at. In BSS, so that pages never written cost nothing,
 * and never freed, so that a handler running late never writes to freed memory. */
#define N_SLOTS         96
#define DRAIN_USEC      (10 * G_TIME_SPAN_MILLISECOND)
#define REFRESH_USEC    (500 * G_TIME_SPAN_MILLISECOND)
#define MAX_FRAMES      128

enum
{
  SLOT_FREE,
  SLOT_WRITING,
  SLOT_READY,
};

typedef struct
{
  gint        state;
  pid_t       tid;
  GzStackCopy copy;
} Slot;

struct _GzCpuProfiler
{
  GzProfiler        parent_instance;

  GzConfig         *config;
  int               hz;
  GzProfiler       *perf;        /* perf events on oneself, while running */

  /* The signal sampler, while running; only the worker touches the builder. */
  GzProfileBuilder *builder;
  GThread          *worker;
  gint              stop;
  char             *perf_refused; /* why perf events were not used */
  guint64           n_samples;
};

G_DEFINE_FINAL_TYPE (GzCpuProfiler, gz_cpu_profiler, GZ_TYPE_PROFILER)

/* One CPU profile at a time in a process: perf events would allow more, SIGPROF would not, and
 * a second one would count the same CPU twice. */
static GMutex lock;
static GzCpuProfiler *active;

/* The signal sampler's state, shared with its handler. */
static Slot slots[N_SLOTS];
static guint slot_next;
static guint64 n_dropped;
static gint sampling;
static const guint64 *sample_ranges;
static gsize sample_n_ranges;

static void
sigprof_handler (int        signum,
                 siginfo_t *info,
                 void      *ucontext)
{
  int saved_errno = errno;
  Slot *slot;
  gint expected = SLOT_FREE;

  if (!__atomic_load_n (&sampling, __ATOMIC_ACQUIRE))
    goto out;
  slot = &slots[__atomic_fetch_add (&slot_next, 1, __ATOMIC_RELAXED) % N_SLOTS];
  if (!__atomic_compare_exchange_n (&slot->state, &expected, SLOT_WRITING, FALSE,
                                    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    {
      __atomic_fetch_add (&n_dropped, 1, __ATOMIC_RELAXED);
      goto out;
    }
  slot->tid = (pid_t) syscall (SYS_gettid);
  gz_stack_copy_context (ucontext, __atomic_load_n (&sample_ranges, __ATOMIC_ACQUIRE),
                         __atomic_load_n (&sample_n_ranges, __ATOMIC_ACQUIRE), &slot->copy);
  __atomic_store_n (&slot->state, SLOT_READY, __ATOMIC_RELEASE);

out:
  errno = saved_errno;
}

/* A program linking the core may sample itself with SIGPROF: the signal sampler would take the
 * signal from it. Free: the default action, ignored, or our own handler. */
static gboolean
sigprof_is_free (GError **error)
{
  struct sigaction current;
  Dl_info info = { 0 };

  if (sigaction (SIGPROF, NULL, &current) != 0 || current.sa_handler == SIG_DFL ||
      current.sa_handler == SIG_IGN || current.sa_sigaction == sigprof_handler)
    return TRUE;
  dladdr ((void *) current.sa_handler, &info);
  g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
               "the program handles SIGPROF itself (%s) and perf events are refused here: a "
               "CPU profile would take that signal from it, so there is none in this process",
               info.dli_sname != NULL ? info.dli_sname : "its own handler");
  return FALSE;
}

/* Installed once and kept: a SIGPROF still pending when a profile stops finds it (idle) rather
 * than the default action, which ends the process. */
static gboolean
install_handler (GError **error)
{
  struct sigaction action = { 0 };

  action.sa_sigaction = sigprof_handler;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset (&action.sa_mask);
  if (sigaction (SIGPROF, &action, NULL) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "cannot install the SIGPROF handler of the CPU profiler: %s",
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
add_slot_sample (GzCpuProfiler  *self,
                 GzPerfUnwinder *unwinder,
                 Slot           *slot)
{
  GzPerfSample sample = { 0 };
  guint64 pcs[MAX_FRAMES];
  gint64 values[2] = { 1, G_GINT64_CONSTANT (1000000000) / self->hz };
  gboolean complete;
  guint n = 0;

  sample.pid = (guint32) getpid ();
  sample.tid = (guint32) slot->tid;
  sample.has_regs = TRUE;
  memcpy (sample.regs, slot->copy.regs, sizeof sample.regs);
  sample.stack_size = slot->copy.stack_size;
  sample.stack = slot->copy.stack;
  if (unwinder != NULL)
    n = gz_perf_unwinder_unwind (unwinder, &sample, pcs, MAX_FRAMES, &complete);
  if (n == 0)
    pcs[n++] = slot->copy.regs[GZ_STACK_REG_IP];
  gz_profile_builder_add_sample (self->builder, pcs, n, GZ_STACK_FLAGS_LEAF_EXACT, values,
                                 NULL, 0);
  self->n_samples++;
}

static void
drain_slots (GzCpuProfiler  *self,
             GzPerfUnwinder *unwinder)
{
  for (guint i = 0; i < N_SLOTS; i++)
    {
      Slot *slot = &slots[i];

      if (__atomic_load_n (&slot->state, __ATOMIC_ACQUIRE) != SLOT_READY)
        continue;
      add_slot_sample (self, unwinder, slot);
      __atomic_store_n (&slot->state, SLOT_FREE, __ATOMIC_RELEASE);
    }
}

static gpointer
worker_thread (gpointer data)
{
  GzCpuProfiler *self = data;
  g_autoptr(GzPerfUnwinder) unwinder = NULL;
  g_autoptr(GArray) ranges = NULL;
  g_autoptr(GPtrArray) old_ranges = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                    g_array_unref);
  g_autoptr(GError) error = NULL;
  gint64 next_refresh = 0;

  unwinder = gz_perf_unwinder_new (getpid (), &error);
  if (unwinder == NULL)
    g_warning ("CPU samples are not unwound: %s", error->message);

  while (!g_atomic_int_get (&self->stop))
    {
      if (g_get_monotonic_time () >= next_refresh)
        {
          /* New code (dlopen) for the unwinder; new stacks for handlers that cannot use
           * process_vm_readv. Old ranges stay until the stop: a handler may still read them. */
          if (unwinder != NULL)
            gz_perf_unwinder_refresh (unwinder);
          if (ranges != NULL)
            g_ptr_array_add (old_ranges, g_steal_pointer (&ranges));
          ranges = gz_stack_read_ranges ();
          __atomic_store_n (&sample_n_ranges, 0, __ATOMIC_RELEASE);
          __atomic_store_n (&sample_ranges, (const guint64 *) (gpointer) ranges->data,
                            __ATOMIC_RELEASE);
          __atomic_store_n (&sample_n_ranges, (gsize) ranges->len / 2, __ATOMIC_RELEASE);
          next_refresh = g_get_monotonic_time () + REFRESH_USEC;
        }
      drain_slots (self, unwinder);
      g_usleep (DRAIN_USEC);
    }
  /* Sampling has ended: what the handlers wrote until then. */
  drain_slots (self, unwinder);
  __atomic_store_n (&sample_n_ranges, 0, __ATOMIC_RELEASE);
  __atomic_store_n (&sample_ranges, NULL, __ATOMIC_RELEASE);
  return NULL;
}

static gboolean
set_timer (int hz)
{
  struct itimerval timer = { 0 };

  if (hz > 0)
    {
      timer.it_interval.tv_sec = 0;
      timer.it_interval.tv_usec = MAX (1, 1000000 / hz);
      timer.it_value = timer.it_interval;
    }
  return setitimer (ITIMER_PROF, &timer, NULL) == 0;
}

static gboolean
start_signal_sampler (GzCpuProfiler *self,
                      GError       **error)
{
  if (!sigprof_is_free (error) || !install_handler (error))
    return FALSE;

  for (guint i = 0; i < N_SLOTS; i++)
    __atomic_store_n (&slots[i].state, SLOT_FREE, __ATOMIC_RELAXED);
  __atomic_store_n (&n_dropped, 0, __ATOMIC_RELAXED);
  self->n_samples = 0;
  self->stop = FALSE;
  self->builder = gz_profile_builder_new (GZ_PROFILE_TYPE_CPU);
  gz_profile_builder_set_period (self->builder, G_GINT64_CONSTANT (1000000000) / self->hz);
  self->worker = g_thread_new ("gz-cpu-sampler", worker_thread, self);
  __atomic_store_n (&sampling, TRUE, __ATOMIC_RELEASE);
  if (!set_timer (self->hz))
    {
      int saved_errno = errno;

      __atomic_store_n (&sampling, FALSE, __ATOMIC_RELEASE);
      g_atomic_int_set (&self->stop, TRUE);
      g_thread_join (g_steal_pointer (&self->worker));
      g_clear_pointer (&self->builder, gz_profile_builder_free);
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED,
                   "cannot start the CPU profiler's timer (setitimer): %s",
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Stops the timer and the worker; the builder stays for the profile. */
static void
stop_signal_sampler (GzCpuProfiler *self)
{
  if (self->worker == NULL)
    return;
  set_timer (0);
  __atomic_store_n (&sampling, FALSE, __ATOMIC_RELEASE);
  g_atomic_int_set (&self->stop, TRUE);
  g_thread_join (g_steal_pointer (&self->worker));
}

static gboolean
gz_cpu_profiler_start (GzProfiler *profiler,
                       GError    **error)
{
  GzCpuProfiler *self = GZ_CPU_PROFILER (profiler);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  g_autoptr(GError) perf_error = NULL;
  g_autoptr(GzProfiler) perf = NULL;

  if (active != NULL)
    {
      g_set_error_literal (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED, ALREADY_RUNNING);
      return FALSE;
    }

  g_clear_pointer (&self->perf_refused, g_free);
  if (g_strcmp0 (g_getenv (SAMPLER_ENV), "signal") == 0)
    self->perf_refused = g_strdup (SAMPLER_ENV "=signal");
  else
    {
      perf = gz_perf_profiler_new (getpid (), GZ_PROFILE_TYPE_CPU, self->config, &perf_error);
      if (perf != NULL && !gz_profiler_start (perf, &perf_error))
        g_clear_object (&perf);
      if (perf == NULL)
        self->perf_refused = g_strdup (perf_error->message);
    }

  if (perf != NULL)
    self->perf = g_steal_pointer (&perf);
  else
    {
      g_debug ("cpu profile of this process by SIGPROF: perf events refused: %s",
               self->perf_refused);
      if (!start_signal_sampler (self, error))
        return FALSE;
    }
  active = self;
  return TRUE;
}

static GzProfile *
gz_cpu_profiler_stop (GzProfiler *profiler,
                      GError    **error)
{
  GzCpuProfiler *self = GZ_CPU_PROFILER (profiler);
  g_autoptr(GzProfileBuilder) builder = NULL;
  g_autoptr(GzProfiler) perf = NULL;
  g_autofree char *comment = NULL;
  gint64 start_nanos = gz_profiler_get_start_time_nanos (profiler);
  gint64 now_nanos = g_get_real_time () * 1000;

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

    perf = g_steal_pointer (&self->perf);
    stop_signal_sampler (self);
    if (active == self)
      active = NULL;
  }

  if (perf != NULL)
    return gz_profiler_stop (perf, error);

  builder = g_steal_pointer (&self->builder);
  g_return_val_if_fail (builder != NULL, NULL);
  gz_profile_builder_set_time (builder, start_nanos, MAX (now_nanos - start_nanos, 0));
  comment = g_strdup_printf ("SIGPROF at %d Hz, registers and stacks copied in the handler and "
                             "unwound outside it (perf events refused: %s): %" G_GUINT64_FORMAT
                             " samples, %" G_GUINT64_FORMAT " dropped", self->hz,
                             self->perf_refused, self->n_samples,
                             __atomic_load_n (&n_dropped, __ATOMIC_RELAXED));
  gz_profile_builder_add_comment (builder, comment);
  g_debug ("cpu profile: %s", comment);
  return gz_profile_builder_finish (builder, NULL, error);
}

static void
gz_cpu_profiler_dispose (GObject *object)
{
  GzCpuProfiler *self = GZ_CPU_PROFILER (object);

  /* Dropped while running: stop sampling and throw the data away. */
  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

    g_clear_object (&self->perf);
    stop_signal_sampler (self);
    if (active == self)
      active = NULL;
  }
  g_clear_pointer (&self->builder, gz_profile_builder_free);
  g_clear_pointer (&self->perf_refused, g_free);
  g_clear_object (&self->config);

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
  self->hz = DEFAULT_HZ;
}

GzProfiler *
gz_cpu_profiler_new (GzConfig *config,
                     GError  **error)
{
  GzCpuProfiler *self;

  self = g_object_new (GZ_TYPE_CPU_PROFILER, "profile-type", GZ_PROFILE_TYPE_CPU, NULL);
  if (config != NULL)
    {
      self->config = g_object_ref (config);
      self->hz = (int) CLAMP (gz_config_get_int (config, "cpu-hz"), 1, 1000);
    }
  return GZ_PROFILER (self);
}
