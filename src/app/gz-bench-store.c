/* gz-bench-store.c: the results store's list, add and load + compare on GTask workers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "gz-bench-store.h"

/* --- list */

typedef struct
{
  GPtrArray *sets;
  GPtrArray *problems;
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->sets, g_ptr_array_unref);
  g_clear_pointer (&listing->problems, g_ptr_array_unref);
  g_free (listing);
}

static void
list_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  g_autoptr(GPtrArray) problems = NULL;
  GError *error = NULL;
  GPtrArray *sets = gz_results_store_list (GZ_RESULTS_STORE (source), &problems, &error);
  Listing *listing;

  if (sets == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  listing = g_new0 (Listing, 1);
  listing->sets = sets;
  listing->problems = g_steal_pointer (&problems);
  g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
}

void
gz_bench_store_list_async (GzResultsStore      *store,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_return_if_fail (GZ_IS_RESULTS_STORE (store));
  g_task_set_source_tag (task, gz_bench_store_list_async);
  g_task_run_in_thread (task, list_in_thread);
}

GPtrArray *
gz_bench_store_list_finish (GAsyncResult *result,
                            GPtrArray   **problems,
                            GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  Listing *listing = g_task_propagate_pointer (G_TASK (result), &local_error);
  GPtrArray *sets;

  if (listing == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (problems != NULL)
    *problems = g_steal_pointer (&listing->problems);
  sets = g_steal_pointer (&listing->sets);
  listing_free (listing);
  return sets;
}

/* --- save */

typedef struct
{
  char       *label;
  GzBenchRun *run;
} Save;

static void
save_free (Save *save)
{
  g_free (save->label);
  g_clear_pointer (&save->run, gz_bench_run_free);
  g_free (save);
}

static void
save_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  GzResultsStore *store = source;
  Save *save = data;
  GError *error = NULL;
  g_autofree char *label = save->label != NULL && *save->label != '\0'
                             ? g_strdup (save->label) : gz_results_store_new_label (store);

  if (!gz_results_store_check_label (label, &error)
      || !gz_results_store_add (store, label, save->run, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&label), g_free);
}

void
gz_bench_store_save_async (GzResultsStore      *store,
                           const char          *label,
                           const GzBenchRun    *run,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  Save *save = g_new0 (Save, 1);

  g_return_if_fail (GZ_IS_RESULTS_STORE (store));
  save->label = g_strdup (label);
  save->run = gz_bench_run_copy (run);
  g_task_set_source_tag (task, gz_bench_store_save_async);
  g_task_set_task_data (task, save, (GDestroyNotify) save_free);
  /* A write once begun is finished: a half-written label is what the store's lock prevents. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, save_in_thread);
}

char *
gz_bench_store_save_finish (GAsyncResult *result,
                            GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- compare */

typedef struct
{
  char   *baseline;
  char   *current;
  double  threshold;
  double  alpha;
} Compare;

static void
compare_free (Compare *compare)
{
  g_free (compare->baseline);
  g_free (compare->current);
  g_free (compare);
}

static void
compare_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  GzResultsStore *store = source;
  Compare *compare = data;
  g_autoptr(GzResultSet) baseline = NULL;
  g_autoptr(GzResultSet) current = NULL;
  GError *error = NULL;

  baseline = gz_results_store_load (store, compare->baseline, &error);
  if (baseline == NULL)
    {
      g_prefix_error (&error, "baseline: ");
      g_task_return_error (task, error);
      return;
    }
  current = gz_results_store_load (store, compare->current, &error);
  if (current == NULL)
    {
      g_prefix_error (&error, "current: ");
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task,
                         gz_bench_compare (baseline, current, compare->threshold,
                                           compare->alpha),
                         (GDestroyNotify) gz_bench_comparison_free);
}

void
gz_bench_store_compare_async (GzResultsStore      *store,
                              const char          *baseline,
                              const char          *current,
                              double               threshold_percent,
                              double               alpha,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  Compare *compare = g_new0 (Compare, 1);

  g_return_if_fail (GZ_IS_RESULTS_STORE (store));
  compare->baseline = g_strdup (baseline);
  compare->current = g_strdup (current);
  compare->threshold = threshold_percent;
  compare->alpha = alpha;
  g_task_set_source_tag (task, gz_bench_store_compare_async);
  g_task_set_task_data (task, compare, (GDestroyNotify) compare_free);
  g_task_run_in_thread (task, compare_in_thread);
}

GzBenchComparison *
gz_bench_store_compare_finish (GAsyncResult *result,
                               GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
