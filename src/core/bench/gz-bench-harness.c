/* gz-bench-harness.c: warmup, calibration, the measured run on worker threads, counters and
 * profiles around it. ns/op comes from the whole run; percentiles from per-op or per-batch
 * timings, each less the measured cost of reading the clock. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gz-bench-harness.h"
#include "gz-heap-sampler.h"
#include "gz-profiler-factory.h"
#include "gz-bench-statistics.h"

/* Operations faster than this are timed in batches; a batch aims at BATCH_TARGET_NS. */
#define PER_OP_THRESHOLD_NS 1000.0
#define BATCH_TARGET_NS     2000.0
/* In a run by count, at least this many timings per worker for the percentiles. */
#define MIN_TIMINGS         20
/* Timings kept per worker in a run by time; beyond it a uniform reservoir sample. */
#define MAX_TIMINGS         (1u << 20)
#define CALIBRATION_OPS     15
#define PROGRESS_INTERVAL_US (100 * 1000)

static const char * const percentile_names[GZ_BENCH_N_PERCENTILES] = {
  "min", "p50", "p90", "p95", "p99", "max",
};
static const double percentile_q[GZ_BENCH_N_PERCENTILES] = { 0.0, 0.5, 0.9, 0.95, 0.99, 1.0 };

const char *
gz_bench_percentile_name (GzBenchPercentile p)
{
  g_return_val_if_fail (p < GZ_BENCH_N_PERCENTILES, NULL);
  return percentile_names[p];
}

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

GzBenchResult *
gz_bench_result_new (void)
{
  GzBenchResult *result = g_new0 (GzBenchResult, 1);

  result->batch_size = 1;
  for (guint i = 0; i < GZ_BENCH_N_PERCENTILES; i++)
    result->percentiles[i] = NAN;
  result->alloc_bytes_per_op = result->allocs_per_op = NAN;
  return result;
}

GzBenchResult *
gz_bench_result_copy (const GzBenchResult *result)
{
  GzBenchResult *copy = g_memdup2 (result, sizeof *result);

  copy->name = g_strdup (result->name);
  copy->suite = g_strdup (result->suite);
  copy->memory_profile = g_strdup (result->memory_profile);
  copy->cpu_profile = g_strdup (result->cpu_profile);
  copy->memory_note = g_strdup (result->memory_note);
  return copy;
}

void
gz_bench_result_free (GzBenchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->name);
  g_free (result->suite);
  g_free (result->memory_profile);
  g_free (result->cpu_profile);
  g_free (result->memory_note);
  g_free (result);
}

char *
gz_bench_result_name (const char *suite,
                      guint       concurrency)
{
  if (concurrency <= 1)
    return g_strdup (suite);
  return g_strdup_printf ("%s/concurrency=%u", suite, concurrency);
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

      for (guint64 done = 0; done < warmup; done += MIN (64, warmup - done))
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
          if (deadline != 0 && t2 >= deadline)
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

static void
wait_for (Run   *run,
          guint *counter,
          guint  target)
{
  const GzBenchOptions *opt = run->options;
  gint64 started = g_get_monotonic_time ();

  g_mutex_lock (&run->lock);
  while (*counter < target)
    {
      gint64 until = g_get_monotonic_time () + PROGRESS_INTERVAL_US;

      if (!g_cond_wait_until (&run->cond, &run->lock, until) && run->go && opt->progress != NULL)
        {
          double fraction;

          if (opt->duration_nanos > 0)
            fraction = (double) (g_get_monotonic_time () - started) * 1000.0
                       / (double) opt->duration_nanos;
          else
            fraction = (double) __atomic_load_n (&run->done_ops, __ATOMIC_RELAXED)
                       / (double) MAX (opt->iterations, 1);
          g_mutex_unlock (&run->lock);
          opt->progress (CLAMP (fraction, 0.0, 1.0), opt->progress_data);
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
    result->percentiles[i] = n > 0 ? gz_bench_statistics_quantile_sorted (all, n, percentile_q[i]) : NAN;
}

GzBenchResult *
gz_bench_run (const GzBenchSuite   *suite,
              const GzBenchOptions *options,
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
  run.timer_cost = gz_bench_timer_cost ();
  run.batch = 1;
  run.workers = g_new0 (Worker, c);
  for (guint i = 0; i < c; i++)
    {
      Worker *w = &run.workers[i];
      g_autofree char *thread_name = g_strdup_printf ("gz-bench-%u", i);

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
  run.go = TRUE;
  g_cond_broadcast (&run.cond);
  g_mutex_unlock (&run.lock);
  wait_for (&run, &run.finished, c);
  if (have_memory)
    gz_heap_sampler_get_counters (&after);

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
