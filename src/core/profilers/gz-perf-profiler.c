/* gz-perf-profiler.c: a CPU profile of a process through perf events: the kernel samples it
 * (gz-perf-events), a reader thread copies each sample out of the kernel's buffers at once and
 * unwinds the copies in between (DWARF, or the kernel's frame-pointer chain when that goes
 * deeper), and hands the stacks to the builder, which symbolizes them from the process's maps
 * and files at the stop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-perf-events.h"
#include "gz-perf-profiler.h"
#include "gz-perf-unwind.h"
#include "gz-profile-builder.h"
#include "gz-symbolizer.h"

#define MAX_FRAMES 128
#define READ_TIMEOUT_MS 100
/* Until a launched program's first sample (in its first seconds): its modules are read then,
 * while it runs, so look often (a short program may be gone after one long wait). */
#define READ_TIMEOUT_EXEC_MS 5
#define EXEC_WATCH_USEC (3 * G_USEC_PER_SEC)
/* How often the reader looks for threads that run unsampled, and how much CPU (clock ticks)
 * one must use between two looks to count as such: more than the two periods (one per CPU)
 * an event may hold back. */
#define THREAD_CHECK_USEC G_USEC_PER_SEC
#define THREAD_CHECK_TICKS 5
/* The kernel's buffers hold a few dozen samples of 16 KiB of stack each, a third of a second
 * of one thread: they are emptied into copies, and the copies unwound between two looks for at
 * most this long, so that a slow unwinder (a loaded machine, a sanitizer build) falls behind in
 * its own memory, not in the kernel's, where samples are dropped in bursts. */
#define UNWIND_SLICE_USEC 10000
/* The most that copies waiting to be unwound may hold, and how long one may wait: an unwinder
 * that cannot keep up at all (a sanitizer build, instrumented down to every malloc) drops what
 * it would never catch up with, counted lost, rather than a backlog that holds the stop for
 * minutes. After the stop the copies left get at most STOP_UNWIND_USEC. */
#define PENDING_MAX_BYTES (64 * 1024 * 1024)
#define PENDING_MAX_AGE_USEC (2 * G_USEC_PER_SEC)
#define STOP_UNWIND_USEC (3 * G_USEC_PER_SEC)

struct _GzPerfProfiler
{
  GzProfiler        parent_instance;

  pid_t             pid;
  guint             hz;
  gboolean          exited;
  gboolean          on_exec;     /* a child that execs after the start */

  /* From start to stop; while running only the reader thread touches all but @stop. */
  GzPerfEvents     *events;
  GzPerfUnwinder   *unwinder;
  GzSymbolizer     *symbolizer;
  GzProfileBuilder *builder;
  GThread          *reader;
  gint              stop;
  guint64           n_samples;
  guint64           n_dwarf;     /* stacks from the DWARF unwinder */
  guint64           n_chain;     /* stacks from the kernel's call chain */
  guint64           n_unread;    /* samples of a launched program that was gone before its
                                  * modules could be read */
  GHashTable       *sampled;     /* tids seen in samples that we opened no events on */
  GHashTable       *ticks;       /* tid -> CPU ticks at the last look, for the others */
  gint64            next_check;
  gint64            start_usec;  /* monotonic, at the start */
  guint64           lost_at_check;
  guint             n_adopted;
  pid_t             reader_tid;  /* in this process: its samples are gz's, not the profile's */
  GQueue            pending;     /* PendingSample *, oldest first */
  gsize             pending_bytes;
  guint64           n_dropped;   /* samples not unwound: over PENDING_MAX_BYTES or too late */
};

/* A sample copied out of the kernel's buffer: its call chain and stack follow it. */
typedef struct
{
  GzPerfSample sample;
  gsize        size;
  gint64       copied_usec;  /* monotonic */
} PendingSample;

G_DEFINE_FINAL_TYPE (GzPerfProfiler, gz_perf_profiler, GZ_TYPE_PROFILER)

/* Reads the process's modules, for the unwinder and the symbolizer. */
static gboolean
read_process (GzPerfProfiler  *self,
              GError         **error)
{
  g_autoptr(GzSymbolizer) symbolizer = NULL;
  g_autoptr(GzPerfUnwinder) unwinder = NULL;

  symbolizer = gz_symbolizer_new (self->pid, error);
  if (symbolizer == NULL)
    return FALSE;
  unwinder = gz_perf_unwinder_new (self->pid, error);
  if (unwinder == NULL)
    return FALSE;
  gz_perf_events_take_mmaps (self->events);
  g_clear_pointer (&self->symbolizer, gz_symbolizer_free);
  self->symbolizer = g_steal_pointer (&symbolizer);
  self->unwinder = g_steal_pointer (&unwinder);
  return TRUE;
}

static void
unwind_sample (GzPerfProfiler     *self,
               const GzPerfSample *sample)
{
  guint64 pcs[MAX_FRAMES];
  const guint64 *stack = pcs;
  gboolean complete = FALSE;
  guint n;
  gint64 values[2];

  /* A launched program's first sample: it has exec'd, its modules are the program's now. */
  if (self->unwinder == NULL && !read_process (self, NULL))
    {
      self->n_unread++;
      return;
    }
  /* New code mapped (dlopen): both read the maps again now, while the process still runs. */
  if (gz_perf_events_take_mmaps (self->events))
    {
      gz_perf_unwinder_refresh (self->unwinder);
      gz_symbolizer_refresh (self->symbolizer, NULL);
    }

  n = gz_perf_unwinder_unwind (self->unwinder, sample, pcs, MAX_FRAMES, &complete);
  /* The kernel walks frame pointers: right where the code keeps them, short (or astray) where
   * it does not. DWARF wins when it reached the outermost frame or goes as deep. */
  if (!complete && sample->n_callchain > n)
    {
      stack = sample->callchain;
      n = MIN (sample->n_callchain, MAX_FRAMES);
      self->n_chain++;
    }
  else
    self->n_dwarf++;
  if (n == 0)
    return;

  values[0] = 1;
  values[1] = sample->period > 0 ? (gint64) sample->period
                                 : G_GINT64_CONSTANT (1000000000) / self->hz;
  self->n_samples++;
  gz_profile_builder_add_sample (self->builder, stack, n, GZ_STACK_FLAGS_LEAF_EXACT, values,
                                 NULL, 0);
}

/* Copies a sample out of the kernel's buffer (its room is given back as soon as the pass
 * ends), to be unwound later by unwind_pending(). */
static void
copy_sample (const GzPerfSample *sample,
             gpointer            user_data)
{
  GzPerfProfiler *self = user_data;
  gsize chain_bytes = sample->n_callchain * sizeof (guint64);
  gsize size = sizeof (PendingSample) + chain_bytes + sample->stack_size;
  PendingSample *pending;
  guint8 *tail;

  /* inherit follows fork() too: only this process's threads are its profile, and in gz's own
   * process not the reader's, which unwinds the others' samples. */
  if ((pid_t) sample->pid != self->pid || (pid_t) sample->tid == self->reader_tid)
    return;
  if (!gz_perf_events_has_thread (self->events, (pid_t) sample->tid))
    g_hash_table_add (self->sampled, GINT_TO_POINTER ((pid_t) sample->tid));
  if (self->pending_bytes + size > PENDING_MAX_BYTES)
    {
      self->n_dropped++;
      return;
    }
  pending = g_malloc (size);
  pending->sample = *sample;
  pending->size = size;
  pending->copied_usec = g_get_monotonic_time ();
  tail = (guint8 *) (pending + 1);
  if (chain_bytes > 0)
    memcpy (tail, sample->callchain, chain_bytes);
  pending->sample.callchain = (const guint64 *) tail;
  if (sample->stack_size > 0)
    memcpy (tail + chain_bytes, sample->stack, sample->stack_size);
  pending->sample.stack = tail + chain_bytes;
  self->pending_bytes += size;
  g_queue_push_tail (&self->pending, pending);
}

/* Unwinds copies, oldest first, until none is left or @until (monotonic) passed; a copy that
 * waited longer than PENDING_MAX_AGE_USEC is dropped. */
static void
unwind_pending (GzPerfProfiler *self,
                gint64          until)
{
  PendingSample *pending;
  gint64 now = g_get_monotonic_time ();

  while (now < until && (pending = g_queue_pop_head (&self->pending)) != NULL)
    {
      if (now - pending->copied_usec > PENDING_MAX_AGE_USEC)
        self->n_dropped++;
      else
        unwind_sample (self, &pending->sample);
      self->pending_bytes -= pending->size;
      g_free (pending);
      now = g_get_monotonic_time ();
    }
}

/* Drops the copies left, counted lost. */
static void
clear_pending (GzPerfProfiler *self)
{
  self->n_dropped += g_queue_get_length (&self->pending);
  g_queue_clear_full (&self->pending, g_free);
  self->pending_bytes = 0;
}

/* CPU clock ticks of thread @tid: user time, and system time when that is sampled too. */
static gboolean
read_thread_ticks (GzPerfProfiler *self,
                   pid_t           tid,
                   guint64        *ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/stat", (int) self->pid, (int) tid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (paren = strrchr (stat, ')')) == NULL)
    return FALSE;
  /* After "PID (COMM) ": state is field 3, utime 14, stime 15. */
  fields = g_strsplit (paren + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return FALSE;
  *ticks = g_ascii_strtoull (fields[11], NULL, 10);
  if (!gz_perf_events_get_user_only (self->events))
    *ticks += g_ascii_strtoull (fields[12], NULL, 10);
  return TRUE;
}

/* A thread created while the events were being opened, by a thread that had none yet, inherited
 * none: it runs without a sample. Such a thread gets events of its own. A thread that inherited
 * them shows up in samples as soon as it runs, and is left alone (it would count twice). */
static void
adopt_unsampled_threads (GzPerfProfiler *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task", (int) self->pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint64 lost = gz_perf_events_get_lost (self->events);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      pid_t tid = (pid_t) atoi (name);
      gpointer key = GINT_TO_POINTER (tid);
      gpointer before;
      guint64 ticks;

      if (tid <= 0 || tid == self->reader_tid ||
          gz_perf_events_has_thread (self->events, tid) ||
          g_hash_table_contains (self->sampled, key) || !read_thread_ticks (self, tid, &ticks))
        continue;
      /* Lost samples may be its: wait for a look without any. */
      if (g_hash_table_lookup_extended (self->ticks, key, NULL, &before) &&
          lost == self->lost_at_check && ticks >= GPOINTER_TO_SIZE (before) + THREAD_CHECK_TICKS)
        {
          if (gz_perf_events_add_thread (self->events, tid))
            self->n_adopted++;
          g_hash_table_remove (self->ticks, key);
        }
      else
        g_hash_table_insert (self->ticks, key, GSIZE_TO_POINTER ((gsize) ticks));
    }
  self->lost_at_check = lost;
}

static gpointer
reader_thread (gpointer data)
{
  GzPerfProfiler *self = data;

  if (self->pid == getpid ())
    self->reader_tid = gettid ();
  /* This process: its modules are read here, off the thread that started (the samples wait in
   * the buffers meanwhile). Failing, the first sample tries again. */
  if (self->pid == getpid () && !self->on_exec && self->unwinder == NULL)
    read_process (self, NULL);
  while (!g_atomic_int_get (&self->stop))
    {
      gboolean watch_exec = self->unwinder == NULL &&
                            g_get_monotonic_time () < self->start_usec + EXEC_WATCH_USEC;
      int timeout_ms = watch_exec ? READ_TIMEOUT_EXEC_MS : READ_TIMEOUT_MS;

      /* Copies still wait: only a look at the buffers, then a slice of unwinding. */
      gz_perf_events_read (self->events, g_queue_is_empty (&self->pending) ? timeout_ms : 0,
                           copy_sample, self);
      unwind_pending (self, g_get_monotonic_time () + UNWIND_SLICE_USEC);
      if (g_get_monotonic_time () >= self->next_check)
        {
          adopt_unsampled_threads (self);
          self->next_check = g_get_monotonic_time () + THREAD_CHECK_USEC;
        }
    }
  /* What the buffers still hold after the events were disabled, and the copies (for a bounded
   * time: the rest is counted lost). */
  gz_perf_events_read (self->events, 0, copy_sample, self);
  unwind_pending (self, g_get_monotonic_time () + STOP_UNWIND_USEC);
  clear_pending (self);
  return NULL;
}

/* The reader may open events until it ends: only then are they all disabled. */
static void
stop_reader (GzPerfProfiler *self)
{
  if (self->reader == NULL)
    return;
  g_atomic_int_set (&self->stop, TRUE);
  gz_perf_events_wake (self->events);
  g_thread_join (g_steal_pointer (&self->reader));
  gz_perf_events_disable (self->events);
}

static void
release_sampling (GzPerfProfiler *self)
{
  stop_reader (self);
  g_clear_pointer (&self->events, gz_perf_events_free);
  g_clear_pointer (&self->unwinder, gz_perf_unwinder_free);
}

static gboolean
gz_perf_profiler_start (GzProfiler  *profiler,
                        GError     **error)
{
  GzPerfProfiler *self = GZ_PERF_PROFILER (profiler);

  self->exited = FALSE;
  self->stop = FALSE;
  self->n_samples = self->n_dwarf = self->n_chain = self->n_unread = 0;
  self->n_adopted = 0;
  clear_pending (self);
  self->n_dropped = 0;
  self->reader_tid = 0;
  self->lost_at_check = 0;
  self->next_check = 0;
  self->start_usec = g_get_monotonic_time ();
  g_hash_table_remove_all (self->sampled);
  g_hash_table_remove_all (self->ticks);
  if (self->on_exec)
    {
      /* Not exec'd yet: its modules are gz's; the first sample reads the program's. */
      self->events = gz_perf_events_open_on_exec (self->pid, self->hz, error);
      if (self->events == NULL)
        goto fail;
    }
  else if (self->pid == getpid ())
    {
      /* This process, which outlives the session: the reader thread reads its modules, so that
       * a start from a main loop does not hold it (symbolizing every module takes tens of
       * milliseconds). */
      self->events = gz_perf_events_open (self->pid, self->hz, error);
      if (self->events == NULL)
        goto fail;
    }
  else
    {
      /* The maps are read now, while the process runs: it may be gone by the stop. */
      self->symbolizer = gz_symbolizer_new (self->pid, error);
      if (self->symbolizer == NULL)
        return FALSE;
      self->unwinder = gz_perf_unwinder_new (self->pid, error);
      if (self->unwinder == NULL)
        goto fail;
      self->events = gz_perf_events_open (self->pid, self->hz, error);
      if (self->events == NULL)
        goto fail;
    }
  self->builder = gz_profile_builder_new (GZ_PROFILE_TYPE_CPU);
  gz_profile_builder_set_period (self->builder, G_GINT64_CONSTANT (1000000000) / self->hz);
  self->reader = g_thread_new ("gz-perf-reader", reader_thread, self);
  if (!self->on_exec)
    gz_perf_events_enable (self->events);
  return TRUE;

fail:
  release_sampling (self);
  g_clear_pointer (&self->symbolizer, gz_symbolizer_free);
  return FALSE;
}

static GzProfile *
gz_perf_profiler_stop (GzProfiler  *profiler,
                       GError     **error)
{
  GzPerfProfiler *self = GZ_PERF_PROFILER (profiler);
  g_autoptr(GzProfileBuilder) builder = NULL;
  g_autoptr(GzSymbolizer) symbolizer = NULL;
  g_autofree char *comment = NULL;
  gint64 start_nanos = gz_profiler_get_start_time_nanos (profiler);
  gint64 now_nanos = g_get_real_time () * 1000;
  gboolean user_only;
  guint n_threads;
  guint64 lost;

  self->exited = !gz_perf_profiler_target_alive (self);
  /* What the reader counted, once it drained the buffers and ended. */
  stop_reader (self);
  user_only = gz_perf_events_get_user_only (self->events);
  n_threads = gz_perf_events_get_n_threads (self->events);
  lost = gz_perf_events_get_lost (self->events);
  release_sampling (self);
  builder = g_steal_pointer (&self->builder);
  symbolizer = g_steal_pointer (&self->symbolizer);

  gz_profile_builder_set_time (builder, start_nanos, MAX (now_nanos - start_nanos, 0));
  comment = g_strdup_printf ("perf events on pid %d at %u Hz%s%s: %" G_GUINT64_FORMAT " samples "
                             "(%" G_GUINT64_FORMAT " unwound with DWARF, %" G_GUINT64_FORMAT
                             " by frame pointers), %u threads at the start (%u more found "
                             "unsampled), %" G_GUINT64_FORMAT " lost%s", (int) self->pid, self->hz,
                             self->on_exec ? " from its exec" : "",
                             user_only ? ", user space only (time in the kernel not sampled)"
                                       : "",
                             self->n_samples, self->n_dwarf, self->n_chain,
                             n_threads - self->n_adopted, self->n_adopted,
                             lost + self->n_unread + self->n_dropped,
                             self->exited ? "; the process exited during the session" : "");
  gz_profile_builder_add_comment (builder, comment);
  return gz_profile_builder_finish (builder, symbolizer, error);
}

static void
gz_perf_profiler_dispose (GObject *object)
{
  GzPerfProfiler *self = GZ_PERF_PROFILER (object);

  release_sampling (self);
  clear_pending (self);
  g_clear_pointer (&self->symbolizer, gz_symbolizer_free);
  g_clear_pointer (&self->builder, gz_profile_builder_free);
  g_clear_pointer (&self->sampled, g_hash_table_unref);
  g_clear_pointer (&self->ticks, g_hash_table_unref);
  G_OBJECT_CLASS (gz_perf_profiler_parent_class)->dispose (object);
}

static void
gz_perf_profiler_class_init (GzPerfProfilerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  object_class->dispose = gz_perf_profiler_dispose;
  profiler_class->start = gz_perf_profiler_start;
  profiler_class->stop = gz_perf_profiler_stop;
}

static void
gz_perf_profiler_init (GzPerfProfiler *self)
{
  self->sampled = g_hash_table_new (NULL, NULL);
  self->ticks = g_hash_table_new (NULL, NULL);
}

static GzProfiler *
perf_profiler_new (pid_t           pid,
                   GzProfileType   type,
                   GzConfig       *config,
                   gboolean        on_exec,
                   GError        **error)
{
  GzPerfProfiler *self;

  g_return_val_if_fail (config == NULL || GZ_IS_CONFIG (config), NULL);

  if (type != GZ_PROFILE_TYPE_CPU)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "a %s profile of process %d needs gz's preload in it (only cpu works "
                   "without); start the program with it: gz-cli profile start --type %s -- "
                   "COMMAND, or gz-cli profile run -- COMMAND", gz_profile_type_to_string (type),
                   (int) pid, gz_profile_type_to_string (type));
      return NULL;
    }
  if (!gz_perf_events_check (pid, error))
    return NULL;

  self = g_object_new (GZ_TYPE_PERF_PROFILER, "profile-type", (int) type, NULL);
  self->pid = pid;
  self->on_exec = on_exec;
  self->hz = config != NULL ? (guint) CLAMP (gz_config_get_int (config, "cpu-hz"), 1, 1000)
                            : 100;
  return GZ_PROFILER (self);
}

GzProfiler *
gz_perf_profiler_new (pid_t           pid,
                      GzProfileType   type,
                      GzConfig       *config,
                      GError        **error)
{
  return perf_profiler_new (pid, type, config, FALSE, error);
}

GzProfiler *
gz_perf_profiler_new_on_exec (pid_t           pid,
                              GzProfileType   type,
                              GzConfig       *config,
                              GError        **error)
{
  return perf_profiler_new (pid, type, config, TRUE, error);
}

pid_t
gz_perf_profiler_get_pid (GzPerfProfiler *self)
{
  g_return_val_if_fail (GZ_IS_PERF_PROFILER (self), 0);
  return self->pid;
}

gboolean
gz_perf_profiler_target_alive (GzPerfProfiler *self)
{
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  const char *paren;

  g_return_val_if_fail (GZ_IS_PERF_PROFILER (self), FALSE);

  path = g_strdup_printf ("/proc/%d/stat", (int) self->pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* "PID (COMM) STATE …": the command may hold anything, so look after its last ')'. */
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

gboolean
gz_perf_profiler_target_exited (GzPerfProfiler *self)
{
  g_return_val_if_fail (GZ_IS_PERF_PROFILER (self), FALSE);
  return self->exited;
}
