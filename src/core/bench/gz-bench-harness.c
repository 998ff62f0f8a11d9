/* gz-bench-harness.c: warmup, calibration, the measured run on worker threads, counters and
 * profiles around it, on the caller's thread or a GTask's. ns/op comes from the whole run;
 * percentiles from per-op or per-batch timings, each less the measured cost of reading the
 * clock. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gz-bench-harness.h"
#include "gz-bench-statistics.h"
#include "gz-heap-sampler.h"
#include "gz-profiler-factory.h"

/* Operations faster than this are timed in batches; a batch aims at BATCH_TARGET_NS. */
#define PER_OP_THRESHOLD_NS 1000.0
#define BATCH_TARGET_NS     2000.0
/* In a run by count, at least this many timings per worker for the percentiles. */
#define MIN_TIMINGS         20
/* Timings kept per worker in a run by time; beyond it a uniform reservoir sample. */
#define MAX_TIMINGS         (1u << 20)
#define CALIBRATION_OPS     15
#define PROGRESS_INTERVAL_US (100 * 1000)

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

void
gz_bench_options_init (GzBenchOptions *options)
{
  memset (options, 0, sizeof *options);
  options->iterations = 1000;
  options->concurrency = 1;
  options->warmup = 100;
  options->memory = TRUE;
}

double
gz_bench_timer_cost (void)
{
  double runs[9];

  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      gint64 start = now_ns (), end;

      for (guint i = 0; i < 1000; i++)
        (void) now_ns ();
      end = now_ns ();
      runs[r] = (double) (end - start) / 1001.0;
    }
  return gz_bench_statistics_median (runs, G_N_ELEMENTS (runs));
}

typedef struct _Run Run;

typedef struct
{
  Run     *run;
  guint    index;
  GThread *thread;
  gpointer state;
  GError  *error;
  guint64  first;    /* first operation index */
  guint64  todo;     /* G_MAXUINT64 in a run by time */
  double  *timings;  /* ns per operation, timer cost removed */
  gsize    capacity;
  gsize    n_timings;
  guint64  n_batches;
  guint64  ops;
  gint64   start;
  gint64   end;
  guint64  rng;
} Worker;

struct _Run
{
  const GzBenchSuite   *suite;
  const GzBenchOptions *options;
  GCancellable         *cancellable;
  GMutex                lock;
  GCond                 cond;
  guint                 ready;
  guint                 finished;
  gboolean              go;
  gboolean              abort;
  double                timer_cost;
  double                median_op; /* from calibration, ns */
  guint64               batch;
  guint64               done_ops;  /* atomic, for progress */
  gint64                go_time;   /* when the measured run started (now_ns) */
  gint                  stop;      /* atomic: cancelled, every worker stops at its next batch */
  Worker               *workers;
};

static guint64
xorshift (guint64 *state)
{
  guint64 x = *state;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

static void
record_timing (Worker *w,
               double  per_op)
{
  if (w->n_timings < w->capacity)
    {
      w->timings[w->n_timings++] = per_op;
      return;
    }
  /* Algorithm R: every timing seen is kept with equal probability. */
  {
    guint64 j = xorshift (&w->rng) % (w->n_batches + 1);

    if (j < w->capacity)
      w->timings[j] = per_op;
  }
}

static void
calibrate (Run    *run,
           Worker *w)
{
  double ops[CALIBRATION_OPS];
  guint n = 0;
  gint64 begin = now_ns ();
  const GzBenchOptions *opt = run->options;
  guint64 per_worker;

  for (; n < CALIBRATION_OPS; n++)
    {
      gint64 t0 = now_ns (), t1;

      run->suite->run (w->state, n, 1);
      t1 = now_ns ();
      ops[n] = MAX (0.0, (double) (t1 - t0) - run->timer_cost);
      if (t1 - begin > 20 * 1000 * 1000 && n >= 2)
        {
          n++;
          break;
        }
    }
  run->median_op = gz_bench_statistics_median (ops, n);
  run->batch = 1;
  if (run->median_op < PER_OP_THRESHOLD_NS)
    run->batch = (guint64) ceil (BATCH_TARGET_NS / MAX (run->median_op, 0.25));
  if (opt->duration_nanos == 0)
    {
      per_worker = opt->iterations / opt->concurrency;
      run->batch = MIN (run->batch, MAX (1, per_worker / MIN_TIMINGS));
    }
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  Run *run = w->run;
  const GzBenchSuite *suite = run->suite;
  gboolean go;

  if (suite->worker_new != NULL)
    w->state = suite->worker_new (w->index, run->options->concurrency, &w->error);
  if (w->error == NULL)
    {
      guint64 warmup = run->options->warmup;

      for (guint64 done = 0; done < warmup && !g_atomic_int_get (&run->stop);
           done += MIN (64, warmup - done))
        suite->run (w->state, done, MIN (64, warmup - done));
      if (w->index == 0)
        calibrate (run, w);
    }

  g_mutex_lock (&run->lock);
  run->ready++;
  g_cond_broadcast (&run->cond);
  while (!run->go && !run->abort)
    g_cond_wait (&run->cond, &run->lock);
  go = run->go && !run->abort;
  g_mutex_unlock (&run->lock);

  if (go)
    {
      guint64 k = run->batch;
      double cost = run->timer_cost;
      gint64 t = now_ns ();
      /* Each worker's own clock: the run lasts at least --duration however late it woke up. */
      gint64 deadline = run->options->duration_nanos > 0 ? t + run->options->duration_nanos : 0;

      w->start = t;
      while (w->ops < w->todo)
        {
          guint64 m = MIN (k, w->todo - w->ops);
          gint64 t2;

          suite->run (w->state, w->first + w->ops, m);
          t2 = now_ns ();
          record_timing (w, MAX (0.0, (double) (t2 - t) - cost) / (double) m);
          w->n_batches++;
          w->ops += m;
          t = t2;
          __atomic_fetch_add (&run->done_ops, m, __ATOMIC_RELAXED);
          if ((deadline != 0 && t2 >= deadline) || g_atomic_int_get (&run->stop))
            break;
        }
      w->end = t;
    }

  g_mutex_lock (&run->lock);
  run->finished++;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
  return NULL;
}

static char *
profile_path (const char    *dir,
              const char    *bench,
              GzProfileType  type)
{
  gint64 seconds = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *safe = g_strdup (bench);

  g_strdelimit (safe, "/=", '-');
  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *file = n == 1
        ? g_strdup_printf ("bench-%s-%s_%" G_GINT64_FORMAT ".prof", safe,
                           gz_profile_type_to_string (type), seconds)
        : g_strdup_printf ("bench-%s-%s_%" G_GINT64_FORMAT "_%u.prof", safe,
                           gz_profile_type_to_string (type), seconds, n);
      char *path = g_build_filename (dir, file, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
  return NULL;
}

static GzProfiler *
start_profiler (GzProfileType  type,
                GzConfig      *config,
                GError       **error)
{
  g_autoptr(GzProfiler) profiler = gz_profiler_new (type, config, error);

  if (profiler == NULL || !gz_profiler_start (profiler, error))
    return NULL;
  return g_steal_pointer (&profiler);
}

static char *
stop_profiler (GzProfiler  *profiler,
               const char  *dir,
               const char  *bench,
               GError     **error)
{
  g_autoptr(GzProfile) profile = gz_profiler_stop (profiler, error);
  g_autofree char *path = NULL;

  if (profile == NULL)
    return NULL;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;

      g_set_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_FAILED,
                   "cannot create the output directory %s (%s); set --output-dir or "
                   "GZ_PROFILE_OUTPUT_DIR", dir, g_strerror (errsv));
      return NULL;
    }
  path = profile_path (dir, bench, gz_profiler_get_profile_type (profiler));
  if (path == NULL || !gz_profile_write_file (profile, path, error))
    {
      if (path == NULL)
        g_set_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_FAILED,
                     "no free profile name in %s; clean it up", dir);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* 0..1 of the measured run done, and ns/op so far. */
static void
estimate (Run    *run,
          double *fraction,
          double *ns_per_op)
{
  const GzBenchOptions *opt = run->options;
  guint64 done = __atomic_load_n (&run->done_ops, __ATOMIC_RELAXED);
  double elapsed = (double) (now_ns () - run->go_time);

  if (opt->duration_nanos > 0)
    *fraction = elapsed / (double) opt->duration_nanos;
  else
    *fraction = (double) done / (double) MAX (opt->iterations, 1);
  *fraction = CLAMP (*fraction, 0.0, 1.0);
  *ns_per_op = done > 0 ? elapsed / (double) done : NAN;
}

/* Waits until @counter reaches @target, telling the progress every PROGRESS_INTERVAL_US of the
 * measured run and passing a cancellation on to the workers. */
static void
wait_for (Run   *run,
          guint *counter,
          guint  target)
{
  const GzBenchOptions *opt = run->options;

  g_mutex_lock (&run->lock);
  while (*counter < target)
    {
      gint64 until = g_get_monotonic_time () + PROGRESS_INTERVAL_US;

      if (g_cond_wait_until (&run->cond, &run->lock, until))
        continue;
      if (g_cancellable_is_cancelled (run->cancellable))
        g_atomic_int_set (&run->stop, TRUE);
      else if (run->go && opt->progress != NULL)
        {
          double fraction, ns_per_op;

          estimate (run, &fraction, &ns_per_op);
          g_mutex_unlock (&run->lock);
          opt->progress (fraction, ns_per_op, opt->progress_data);
          g_mutex_lock (&run->lock);
        }
    }
  g_mutex_unlock (&run->lock);
}

static void
finish_workers (Run *run)
{
  guint c = run->options->concurrency;

  for (guint i = 0; i < c; i++)
    if (run->workers[i].thread != NULL)
      g_thread_join (run->workers[i].thread);
  for (guint i = 0; i < c; i++)
    {
      Worker *w = &run->workers[i];

      if (w->state != NULL && run->suite->worker_free != NULL)
        run->suite->worker_free (w->state);
      g_clear_error (&w->error);
      g_free (w->timings);
    }
  g_free (run->workers);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->cond);
}

/* Releases workers still waiting for the start and tears everything down. */
static void
abort_run (Run *run)
{
  g_mutex_lock (&run->lock);
  run->abort = TRUE;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
  finish_workers (run);
}

static void
compute_figures (Run           *run,
                 GzBenchResult *result)
{
  guint c = run->options->concurrency;
  gint64 start = G_MAXINT64, end = G_MININT64;
  guint64 ops = 0, batches = 0, n = 0;
  g_autofree double *all = NULL;
  double wall;

  for (guint i = 0; i < c; i++)
    {
      Worker *w = &run->workers[i];

      start = MIN (start, w->start);
      end = MAX (end, w->end);
      ops += w->ops;
      batches += w->n_batches;
      n += w->n_timings;
    }
  result->iterations = ops;
  result->wall_nanos = end - start;
  /* Each worker read the clock once a batch: take that out of the whole run. */
  wall = MAX (1.0, (double) result->wall_nanos - (double) batches / c * run->timer_cost);
  result->ns_per_op = ops > 0 ? wall / (double) ops : NAN;
  result->ops_per_sec = ops > 0 ? (double) ops * 1e9 / wall : NAN;
  result->timer_cost_ns = run->timer_cost;
  result->batch_size = run->batch;
  result->timing = run->batch > 1 ? GZ_BENCH_TIMING_PER_BATCH : GZ_BENCH_TIMING_PER_OP;
  result->n_timings = n;

  all = g_new (double, MAX (n, 1));
  n = 0;
  for (guint i = 0; i < c; i++)
    {
      memcpy (all + n, run->workers[i].timings, run->workers[i].n_timings * sizeof (double));
      n += run->workers[i].n_timings;
    }
  gz_bench_statistics_sort (all, n);
  for (guint i = 0; i < GZ_BENCH_N_PERCENTILES; i++)
    result->percentiles[i] = n > 0
      ? gz_bench_statistics_quantile_sorted (all, n, gz_bench_percentile_quantile (i)) : NAN;
  /* Evenly spaced by rank, the first and the last included: the distribution, not its tail. */
  result->n_latencies = (guint) MIN (n, GZ_BENCH_MAX_LATENCIES);
  result->latencies = result->n_latencies > 0 ? g_new (double, result->n_latencies) : NULL;
  for (guint i = 0; i < result->n_latencies; i++)
    result->latencies[i] = all[result->n_latencies > 1
                               ? (gsize) ((double) i * (n - 1) / (result->n_latencies - 1)) : 0];
}

GzBenchResult *
gz_bench_run (const GzBenchSuite   *suite,
              const GzBenchOptions *options,
              GCancellable         *cancellable,
              GError              **error)
{
  g_autoptr(GzBenchResult) result = gz_bench_result_new ();
  g_autoptr(GzProfiler) memory_profiler = NULL;
  g_autoptr(GzProfiler) cpu_profiler = NULL;
  g_autofree char *output_dir = NULL;
  GzHeapCounters before = { 0 }, after = { 0 };
  guint c = options->concurrency;
  gboolean have_memory;
  Run run = { 0 };

  g_return_val_if_fail (suite != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (c == 0 || c > 1024)
    {
      g_set_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_INVALID,
                   "concurrency %u is out of range; use 1 to 1024", c);
      return NULL;
    }
  if (options->duration_nanos < 0 || (options->duration_nanos == 0 && options->iterations == 0))
    {
      g_set_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_INVALID,
                   "nothing to measure; give --iterations N (N > 0) or a positive --duration");
      return NULL;
    }
  if (options->duration_nanos == 0 && options->iterations < c)
    {
      g_set_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_INVALID,
                   "%" G_GUINT64_FORMAT " iterations cannot be shared by %u workers; give at "
                   "least one per worker", options->iterations, c);
      return NULL;
    }

  result->suite = g_strdup (suite->name);
  result->name = gz_bench_result_name (suite->name, c);
  result->concurrency = c;
  if (options->output_dir != NULL)
    output_dir = g_strdup (options->output_dir);
  else if (options->config != NULL)
    output_dir = g_strdup (gz_config_get_string (options->config, "output-dir"));
  else
    output_dir = g_strdup ("tmp/profiles");

  have_memory = options->memory && gz_heap_sampler_is_available ();
  if (options->memory && !have_memory)
    result->memory_note = g_strdup ("bytes/op and allocs/op unavailable: this build has no "
                                    "allocation wrappers (AddressSanitizer owns malloc)");

  g_mutex_init (&run.lock);
  g_cond_init (&run.cond);
  run.suite = suite;
  run.options = options;
  run.cancellable = cancellable;
  run.timer_cost = gz_bench_timer_cost ();
  run.batch = 1;
  run.workers = g_new0 (Worker, c);
  for (guint i = 0; i < c; i++)
    {
      Worker *w = &run.workers[i];

      w->run = &run;
      w->index = i;
      w->rng = G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) * (i + 1);
      if (options->duration_nanos == 0)
        {
          w->todo = options->iterations / c + (i < options->iterations % c ? 1 : 0);
          w->first = i * (options->iterations / c) + MIN (i, options->iterations % c);
        }
      else
        w->todo = G_MAXUINT64;
    }

  for (guint i = 0; i < c; i++)
    {
      run.workers[i].thread = g_thread_try_new ("gz-bench", worker_main, &run.workers[i], error);
      if (run.workers[i].thread == NULL)
        {
          abort_run (&run);
          return NULL;
        }
    }
  wait_for (&run, &run.ready, c);
  for (guint i = 0; i < c; i++)
    if (run.workers[i].error != NULL)
      {
        g_propagate_prefixed_error (error, g_steal_pointer (&run.workers[i].error),
                                    "%s: ", suite->name);
        abort_run (&run);
        return NULL;
      }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      abort_run (&run);
      return NULL;
    }

  /* Room for the timings now, so that nothing is allocated inside the measured run. */
  for (guint i = 0; i < c; i++)
    {
      Worker *w = &run.workers[i];

      if (options->duration_nanos == 0)
        w->capacity = (gsize) ((w->todo + run.batch - 1) / run.batch);
      else
        {
          double expected = (double) options->duration_nanos
                            / (MAX (run.median_op, 1.0) * (double) run.batch);

          w->capacity = (gsize) CLAMP (expected * 2.0 + 64.0, 64.0, (double) MAX_TIMINGS);
        }
      w->timings = g_new (double, MAX (w->capacity, 1));
    }

  if (options->memory_profile && have_memory)
    {
      memory_profiler = start_profiler (GZ_PROFILE_TYPE_MEMORY, options->config, error);
      if (memory_profiler == NULL)
        {
          abort_run (&run);
          return NULL;
        }
    }
  if (options->cpu_profile)
    {
      cpu_profiler = start_profiler (GZ_PROFILE_TYPE_CPU, options->config, error);
      if (cpu_profiler == NULL)
        {
          abort_run (&run);
          return NULL;
        }
    }

  if (have_memory)
    gz_heap_sampler_get_counters (&before);
  g_mutex_lock (&run.lock);
  run.go_time = now_ns ();
  run.go = TRUE;
  g_cond_broadcast (&run.cond);
  g_mutex_unlock (&run.lock);
  wait_for (&run, &run.finished, c);
  if (have_memory)
    gz_heap_sampler_get_counters (&after);
  /* Cut short: the profilers are dropped unwritten (disposing one stops it). */
  if (g_atomic_int_get (&run.stop))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      finish_workers (&run);
      return NULL;
    }

  if (cpu_profiler != NULL)
    {
      result->cpu_profile = stop_profiler (cpu_profiler, output_dir, result->name, error);
      if (result->cpu_profile == NULL)
        {
          finish_workers (&run);
          return NULL;
        }
    }
  if (memory_profiler != NULL)
    {
      result->memory_profile = stop_profiler (memory_profiler, output_dir, result->name, error);
      if (result->memory_profile == NULL)
        {
          finish_workers (&run);
          return NULL;
        }
    }

  compute_figures (&run, result);
  if (have_memory && result->iterations > 0)
    {
      result->have_memory = TRUE;
      result->alloc_bytes_per_op = (double) (after.alloc_bytes - before.alloc_bytes)
                                   / (double) result->iterations;
      result->allocs_per_op = (double) (after.allocs - before.allocs)
                              / (double) result->iterations;
    }
  finish_workers (&run);
  return g_steal_pointer (&result);
}

/* --- on a worker thread */

/* Carries the latest progress from the run's thread to the caller's main context without
 * allocating on the way: the run's thread stores the figures and makes the source ready. */
typedef struct
{
  GSource             source;
  GMutex              lock;
  double              fraction;
  double              ns_per_op;
  GzBenchProgressFunc func;
  gpointer            data;
} ProgressSource;

static gboolean
progress_source_dispatch (GSource    *source,
                          GSourceFunc callback,
                          gpointer    user_data)
{
  ProgressSource *self = (ProgressSource *) source;
  double fraction, ns_per_op;

  g_source_set_ready_time (source, -1);
  g_mutex_lock (&self->lock);
  fraction = self->fraction;
  ns_per_op = self->ns_per_op;
  g_mutex_unlock (&self->lock);
  self->func (fraction, ns_per_op, self->data);
  return G_SOURCE_CONTINUE;
}

static void
progress_source_finalize (GSource *source)
{
  g_mutex_clear (&((ProgressSource *) source)->lock);
}

static GSourceFuncs progress_source_funcs = {
  .dispatch = progress_source_dispatch,
  .finalize = progress_source_finalize,
};

/* On the run's thread. */
static void
progress_source_post (double   fraction,
                      double   ns_per_op,
                      gpointer data)
{
  ProgressSource *self = data;

  g_mutex_lock (&self->lock);
  self->fraction = fraction;
  self->ns_per_op = ns_per_op;
  g_mutex_unlock (&self->lock);
  g_source_set_ready_time (&self->source, 0);
}

typedef struct
{
  const GzBenchSuite *suite;
  GzBenchOptions      options;   /* its config referenced, output_dir our copy */
  char               *output_dir;
  GSource            *progress;  /* a ProgressSource on the caller's context, or NULL */
} RunTask;

static void
run_task_free (gpointer data)
{
  RunTask *task = data;

  if (task->progress != NULL)
    {
      g_source_destroy (task->progress);
      g_source_unref (task->progress);
    }
  g_clear_object (&task->options.config);
  g_free (task->output_dir);
  g_free (task);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RunTask *run = task_data;
  GError *error = NULL;
  GzBenchResult *result = gz_bench_run (run->suite, &run->options, cancellable, &error);

  /* No progress after the callback: the source goes before the result is returned. */
  if (run->progress != NULL)
    g_source_destroy (run->progress);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) gz_bench_result_free);
}

void
gz_bench_run_async (const GzBenchSuite   *suite,
                    const GzBenchOptions *options,
                    GCancellable         *cancellable,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  RunTask *run;

  g_return_if_fail (suite != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run = g_new0 (RunTask, 1);
  run->suite = suite;
  run->options = *options;
  if (options->config != NULL)
    g_object_ref (options->config);
  run->output_dir = g_strdup (options->output_dir);
  run->options.output_dir = run->output_dir;
  if (options->progress != NULL)
    {
      g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
      ProgressSource *source =
        (ProgressSource *) g_source_new (&progress_source_funcs, sizeof (ProgressSource));

      g_mutex_init (&source->lock);
      source->func = options->progress;
      source->data = options->progress_data;
      g_source_set_static_name (&source->source, "gz-bench-progress");
      g_source_set_priority (&source->source, G_PRIORITY_DEFAULT_IDLE);
      g_source_attach (&source->source, context);
      run->progress = &source->source;
      run->options.progress = progress_source_post;
      run->options.progress_data = source;
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_bench_run_async);
  g_task_set_name (task, "gz_bench_run_async");
  g_task_set_task_data (task, run, run_task_free);
  g_task_run_in_thread (task, run_in_thread);
}

GzBenchResult *
gz_bench_run_finish (GAsyncResult *result,
                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gz_bench_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
