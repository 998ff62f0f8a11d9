/* gz-result-set.c: run contexts, runs and the runs under one label, in memory. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "gz-result-set.h"

G_DEFINE_QUARK (gz-results-error-quark, gz_results_error)

/* --- context */

static char *
read_cpu_model (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "model name"))
      {
        const char *colon = strchr (lines[i], ':');

        if (colon != NULL)
          return g_strstrip (g_strdup (colon + 1));
      }
  return g_strdup ("unknown");
}

GzBenchContext *
gz_bench_context_new_current (const char *command_line)
{
  GzBenchContext *context = g_new0 (GzBenchContext, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  context->date = g_date_time_format_iso8601 (now);
  context->host = g_strdup (g_get_host_name ());
  context->cpu_model = read_cpu_model ();
  context->cpu_count = g_get_num_processors ();
  context->gz_version = g_strdup (GZ_VERSION);
  context->build_type = g_strdup (GZ_BUILD_TYPE);
  context->command_line = g_strdup (command_line != NULL ? command_line : "");
  return context;
}

GzBenchContext *
gz_bench_context_copy (const GzBenchContext *context)
{
  GzBenchContext *copy = g_new0 (GzBenchContext, 1);

  copy->date = g_strdup (context->date);
  copy->host = g_strdup (context->host);
  copy->cpu_model = g_strdup (context->cpu_model);
  copy->cpu_count = context->cpu_count;
  copy->gz_version = g_strdup (context->gz_version);
  copy->build_type = g_strdup (context->build_type);
  copy->command_line = g_strdup (context->command_line);
  return copy;
}

void
gz_bench_context_free (GzBenchContext *context)
{
  if (context == NULL)
    return;
  g_free (context->date);
  g_free (context->host);
  g_free (context->cpu_model);
  g_free (context->gz_version);
  g_free (context->build_type);
  g_free (context->command_line);
  g_free (context);
}

/* --- runs */

GzBenchRun *
gz_bench_run_new (GzBenchContext *context)
{
  GzBenchRun *run = g_new0 (GzBenchRun, 1);

  run->context = context;
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_result_free);
  return run;
}

GzBenchRun *
gz_bench_run_copy (const GzBenchRun *run)
{
  GzBenchRun *copy = gz_bench_run_new (gz_bench_context_copy (run->context));

  for (guint i = 0; i < run->results->len; i++)
    g_ptr_array_add (copy->results, gz_bench_result_copy (g_ptr_array_index (run->results, i)));
  return copy;
}

void
gz_bench_run_free (GzBenchRun *run)
{
  if (run == NULL)
    return;
  gz_bench_context_free (run->context);
  g_ptr_array_unref (run->results);
  g_free (run);
}

/* --- result sets */

GzResultSet *
gz_result_set_new (const char *label,
                   const char *path)
{
  GzResultSet *set = g_new0 (GzResultSet, 1);

  set->label = g_strdup (label);
  set->path = g_strdup (path);
  set->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) gz_bench_run_free);
  return set;
}

void
gz_result_set_free (GzResultSet *set)
{
  if (set == NULL)
    return;
  g_free (set->label);
  g_free (set->path);
  g_ptr_array_unref (set->runs);
  g_free (set);
}

GPtrArray *
gz_result_set_benchmark_names (GzResultSet *set)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint r = 0; r < set->runs->len; r++)
    {
      GzBenchRun *run = g_ptr_array_index (set->runs, r);

      for (guint i = 0; i < run->results->len; i++)
        {
          GzBenchResult *result = g_ptr_array_index (run->results, i);

          if (result->cut == GZ_BENCH_CUT_NONE
              && !g_ptr_array_find_with_equal_func (names, result->name, g_str_equal, NULL))
            g_ptr_array_add (names, result->name);
        }
    }
  return names;
}

GPtrArray *
gz_result_set_samples (GzResultSet *set,
                       const char  *name)
{
  GPtrArray *samples = g_ptr_array_new ();

  for (guint r = 0; r < set->runs->len; r++)
    {
      GzBenchRun *run = g_ptr_array_index (set->runs, r);

      for (guint i = 0; i < run->results->len; i++)
        {
          GzBenchResult *result = g_ptr_array_index (run->results, i);

          if (result->cut == GZ_BENCH_CUT_NONE && g_str_equal (result->name, name))
            g_ptr_array_add (samples, result);
        }
    }
  return samples;
}

guint
gz_result_set_n_samples (GzResultSet *set)
{
  guint n = 0;

  for (guint r = 0; r < set->runs->len; r++)
    n += ((GzBenchRun *) g_ptr_array_index (set->runs, r))->results->len;
  return n;
}
