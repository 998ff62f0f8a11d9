/* gz-bench-job.c: one benchmark as the app runs it: a worker checks the command and reads the
 * context, then the core's async runs follow one another on the caller's main context. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "gz-bench-command-profile.h"
#include "gz-bench-harness.h"
#include "gz-bench-job.h"
#include "gz-command-bench.h"
#include "gz-duration.h"

typedef struct
{
  GzBenchJobOptions       options;
  char                   *command_line;  /* owned copy of options.command_line */
  GzConfig               *config;
  GzBenchJobProgressFunc  progress;
  gpointer                progress_data;
  GCancellable           *cancellable;   /* cancelled: the caller may be gone, no progress */
  GzBenchContext         *context;
  GzCommand              *command;
  GPtrArray              *results;       /* GzBenchResult */
  guint64                 sample;        /* built-ins: samples done */
  gboolean                interrupted;
  gboolean                cpu_profile_done;    /* commands: profiled runs taken */
  gboolean                memory_profile_done;
  char                   *warning;       /* a profile that could not be taken */
} Job;

static void
job_free (Job *job)
{
  g_free (job->command_line);
  g_clear_object (&job->config);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->context, gz_bench_context_free);
  g_clear_pointer (&job->command, gz_command_free);
  g_clear_pointer (&job->results, g_ptr_array_unref);
  g_free (job->warning);
  g_free (job);
}

void
gz_bench_job_options_init (GzBenchJobOptions *options)
{
  *options = (GzBenchJobOptions) {
    .iterations = 1000,
    .concurrency = 1,
    .warmup = 100,
    .count = 1,
    .memory = TRUE,
  };
}

char *
gz_bench_job_command_line (const GzBenchJobOptions *options)
{
  GString *line = g_string_new ("gz-cli profile benchmark");

  if (options->suite == NULL)
    {
      g_autofree char *quoted = g_shell_quote (options->command_line != NULL
                                               ? options->command_line : "");

      g_string_append_printf (line, " --command %s --warmup %" G_GUINT64_FORMAT, quoted,
                              options->warmup);
      if (options->duration_nanos > 0)
        {
          g_autofree char *duration = gz_duration_format (options->duration_nanos);

          g_string_append_printf (line, " --duration %s", duration);
        }
      else
        g_string_append_printf (line, " --count %" G_GUINT64_FORMAT, options->count);
      if (options->cpu_profile)
        g_string_append (line, " --cpu-profiling");
      if (options->memory)
        g_string_append (line, " --memory-profiling");
      return g_string_free (line, FALSE);
    }

  g_string_append_printf (line, " --name %s", options->suite->name);
  if (options->duration_nanos > 0)
    {
      g_autofree char *duration = gz_duration_format (options->duration_nanos);

      g_string_append_printf (line, " --duration %s", duration);
    }
  else
    g_string_append_printf (line, " --iterations %" G_GUINT64_FORMAT, options->iterations);
  g_string_append_printf (line, " --concurrency %u --warmup %" G_GUINT64_FORMAT
                          " --count %" G_GUINT64_FORMAT, options->concurrency, options->warmup,
                          options->count);
  if (!options->memory)
    g_string_append (line, " --memory-profiling=false");
  if (options->cpu_profile)
    g_string_append (line, " --cpu-profiling");
  return g_string_free (line, FALSE);
}

gboolean
gz_bench_job_check (const GzBenchJobOptions *options,
                    GError                 **error)
{
  if (options->suite == NULL)
    {
      g_autofree char *line = g_strstrip (g_strdup (options->command_line != NULL
                                                    ? options->command_line : ""));

      if (*line == '\0')
        {
          g_set_error_literal (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_INVALID,
                               _("Give a command to measure"));
          return FALSE;
        }
    }
  if (options->count < 1)
    {
      g_set_error_literal (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_INVALID,
                           _("The count must be at least 1"));
      return FALSE;
    }
  if (options->suite != NULL && options->concurrency < 1)
    {
      g_set_error_literal (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_INVALID,
                           _("The concurrency must be at least 1"));
      return FALSE;
    }
  if (options->suite != NULL && options->duration_nanos == 0
      && options->iterations < options->concurrency)
    {
      g_set_error (error, GZ_BENCH_ERROR, GZ_BENCH_ERROR_INVALID,
                   _("%u iterations are fewer than the %u workers; give each at least one"),
                   (guint) MIN (options->iterations, G_MAXUINT), options->concurrency);
      return FALSE;
    }
  return TRUE;
}

/* --- the steps */

static void run_next_sample (GTask *task);

static void
job_done (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  GzBenchRun *run = gz_bench_run_new (g_steal_pointer (&job->context));

  for (guint i = 0; i < job->results->len; i++)
    g_ptr_array_add (run->results, g_steal_pointer (&job->results->pdata[i]));
  g_ptr_array_set_size (job->results, 0);
  g_task_return_pointer (task, run, (GDestroyNotify) gz_bench_run_free);
}

static void
on_sample_progress (double   fraction,
                    double   ns_per_op,
                    gpointer data)
{
  Job *job = data;

  if (job->progress != NULL && !g_cancellable_is_cancelled (job->cancellable))
    job->progress ((job->sample + CLAMP (fraction, 0.0, 1.0)) / (double) job->options.count,
                   (guint) job->sample + 1, ns_per_op, job->progress_data);
}

static void
on_sample_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  GzBenchResult *sample = gz_bench_run_finish (result, &error);

  if (sample == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (job->results, sample);
  job->sample++;
  if (job->sample < job->options.count)
    run_next_sample (g_steal_pointer (&task));
  else
    job_done (task);
}

static void
run_next_sample (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  GzBenchOptions options;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  gz_bench_options_init (&options);
  options.iterations = job->options.iterations;
  options.duration_nanos = job->options.duration_nanos;
  options.concurrency = job->options.concurrency;
  options.warmup = job->options.warmup;
  options.memory = job->options.memory;
  /* One profile of each kind, of the first sample, as gz-cli takes them. */
  options.memory_profile = job->options.memory && job->sample == 0;
  options.cpu_profile = job->options.cpu_profile && job->sample == 0;
  options.config = job->config;
  options.progress = on_sample_progress;
  options.progress_data = job;
  gz_bench_run_async (job->options.suite, &options, g_task_get_cancellable (task),
                      on_sample_done, task);
}

static void
on_command_progress (guint    command,
                     guint    run,
                     double   fraction,
                     double   mean_ns,
                     gpointer data)
{
  Job *job = data;

  if (job->progress != NULL && !g_cancellable_is_cancelled (job->cancellable))
    job->progress (fraction, run + 1, mean_ns, job->progress_data);
}

/* --- a command's profiles: one extra, profiled run for each, as gz-cli takes them */

static void profile_next (GTask *task);

static void
on_profiled (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  Job *job = g_task_get_task_data (task);
  GzBenchResult *first = g_ptr_array_index (job->results, 0);
  g_autoptr(GError) error = NULL;
  char *path = gz_bench_command_profile_finish (result, &error);
  gboolean cpu = !job->cpu_profile_done && job->options.cpu_profile;

  if (cpu)
    job->cpu_profile_done = TRUE;
  else
    job->memory_profile_done = TRUE;
  if (path == NULL)
    {
      /* The measured runs stand; the page says what is missing. */
      g_free (job->warning);
      job->warning = g_strdup_printf (cpu ? _("the CPU profile of %s: %s; the measured runs "
                                              "are kept")
                                          : _("the memory profile of %s: %s; the measured runs "
                                              "are kept"),
                                      job->command->name, error->message);
      job_done (task);
      g_object_unref (task);
      return;
    }
  if (cpu)
    first->cpu_profile = path;
  else
    first->memory_profile = path;
  profile_next (task);
}

static void
profile_next (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  gboolean cpu = job->options.cpu_profile && !job->cpu_profile_done;
  gboolean memory = job->options.memory && !job->memory_profile_done;

  if (!cpu && !memory)
    {
      job_done (task);
      g_object_unref (task);
      return;
    }
  if (job->progress != NULL && !g_cancellable_is_cancelled (job->cancellable))
    job->progress (1.0, 0, NAN, job->progress_data);
  gz_bench_command_profile_async (job->command->command_line,
                                  cpu ? GZ_PROFILE_TYPE_CPU : GZ_PROFILE_TYPE_MEMORY,
                                  job->config, g_task_get_cancellable (task), on_profiled, task);
}

static void
on_commands_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GTask) task = data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GzCommandBenchReport) report = gz_command_bench_run_finish (result, &error);

  if (report == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (report->results->len == 0 && report->cut->len > 0 && !report->interrupted)
    {
      g_task_return_new_error (task, GZ_COMMAND_ERROR, GZ_COMMAND_ERROR_RUN_FAILED,
                               _("No run ended within the duration: the command was stopped "
                                 "with its process group; give it a longer duration"));
      return;
    }
  if (report->results->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Cancelled before any run was measured"));
      return;
    }
  job->interrupted = report->interrupted;
  for (guint i = 0; i < report->results->len; i++)
    g_ptr_array_add (job->results, gz_bench_result_copy (report->results->pdata[i]));
  if (job->interrupted)
    job_done (task);
  else
    profile_next (g_steal_pointer (&task));
}

static void
run_commands (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  g_autoptr(GPtrArray) commands = g_ptr_array_new ();
  GzCommandBenchOptions options;

  gz_command_bench_options_init (&options);
  options.warmup = job->options.warmup;
  options.count = job->options.count;
  options.duration_nanos = job->options.duration_nanos;
  options.progress = on_command_progress;
  options.progress_data = job;
  g_ptr_array_add (commands, job->command);
  gz_command_bench_run_async (commands, &options, g_task_get_cancellable (task),
                              on_commands_done, task);
}

/* On a worker: what reads files (the CPU model, the command's program on $PATH). */
static void
prepare_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  g_autofree char *line = gz_bench_job_command_line (&job->options);

  job->context = gz_bench_context_new_current (line);
  if (job->options.suite == NULL)
    {
      job->command = gz_command_new (job->command_line, NULL, GZ_COMMAND_SHELL_SH, &error);
      if (job->command == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (job->options.suite == NULL)
    run_commands (task);
  else
    run_next_sample (task);
}

void
gz_bench_job_run_async (const GzBenchJobOptions *options,
                        GzConfig                *config,
                        GzBenchJobProgressFunc   progress,
                        gpointer                 progress_data,
                        GCancellable            *cancellable,
                        GAsyncReadyCallback      callback,
                        gpointer                 user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GTask) prepare = NULL;
  GError *error = NULL;
  Job *job;

  g_task_set_source_tag (task, gz_bench_job_run_async);
  if (!gz_bench_job_check (options, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  job = g_new0 (Job, 1);
  job->options = *options;
  job->command_line = g_strdup (options->command_line);
  job->options.command_line = job->command_line;
  job->config = config != NULL ? g_object_ref (config) : NULL;
  job->progress = progress;
  job->progress_data = progress_data;
  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  job->results = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_result_free);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  prepare = g_task_new (NULL, cancellable, on_prepared, task);
  g_task_set_task_data (prepare, job, NULL);
  g_task_run_in_thread (prepare, prepare_in_thread);
}

GzBenchRun *
gz_bench_job_run_finish (GAsyncResult *result,
                         gboolean     *interrupted,
                         char        **warning,
                         GError      **error)
{
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);

  g_return_val_if_fail (g_task_get_source_tag (task) == gz_bench_job_run_async, NULL);
  if (interrupted != NULL)
    *interrupted = job != NULL && job->interrupted;
  if (warning != NULL)
    *warning = job != NULL ? g_strdup (job->warning) : NULL;
  return g_task_propagate_pointer (task, error);
}
