/* gz-thread-profiler.c: the goroutine profile of a C process (this one, or another from outside):
 * every thread's stack, one sample per distinct stack and thread name, labelled with the name and
 * the thread ids. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "gz-profile-builder.h"
#include "gz-thread-profiler.h"
#include "gz-stack.h"
#include "gz-symbolizer.h"
#include "gz-thread-capture.h"

/* How long to wait for each thread's answer before reporting it as blocking signals: a thread
 * that does not mask the signal answers at once, unless a loaded machine leaves it waiting for a
 * CPU for tens of milliseconds. */
#define THREAD_TIMEOUT_MS 200
/* How long the threads of another process have, all together, to stop for ptrace. */
#define PROCESS_TIMEOUT_MS 500

struct _GzThreadProfiler
{
  GzProfiler parent_instance;
};

G_DEFINE_FINAL_TYPE (GzThreadProfiler, gz_thread_profiler, GZ_TYPE_PROFILER)

/* Threads with the same name, state and stack make one sample. */
static guint
stack_group_hash (gconstpointer data)
{
  const GzThreadStack *stack = data;

  return gz_stack_hash (stack->pcs, stack->n_pcs,
                        g_str_hash (stack->name) ^ (guint) stack->signals_blocked);
}

static gboolean
stack_group_equal (gconstpointer a,
                   gconstpointer b)
{
  const GzThreadStack *sa = a;
  const GzThreadStack *sb = b;

  return sa->signals_blocked == sb->signals_blocked && sa->n_pcs == sb->n_pcs &&
         g_str_equal (sa->name, sb->name) &&
         memcmp (sa->pcs, sb->pcs, sa->n_pcs * sizeof sa->pcs[0]) == 0;
}

/* The profile of @stacks (GzThreadStack), symbolized by @symbolizer (NULL: this process's). */
static GzProfile *
build_profile (GPtrArray    *stacks,
               GzSymbolizer *symbolizer,
               gint64        time_nanos,
               gint64        duration_nanos,
               GError      **error)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_GOROUTINE);
  g_autoptr(GHashTable) groups = NULL; /* first GzThreadStack -> GPtrArray of them */
  g_autoptr(GPtrArray) order = g_ptr_array_new ();

  groups = g_hash_table_new_full (stack_group_hash, stack_group_equal, NULL,
                                  (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < stacks->len; i++)
    {
      GzThreadStack *stack = g_ptr_array_index (stacks, i);
      GPtrArray *group = g_hash_table_lookup (groups, stack);

      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (groups, stack, group);
          g_ptr_array_add (order, stack);
        }
      g_ptr_array_add (group, stack);
    }

  gz_profile_builder_set_period (builder, 1);
  gz_profile_builder_set_time (builder, time_nanos, duration_nanos);

  for (guint i = 0; i < order->len; i++)
    {
      const GzThreadStack *first = g_ptr_array_index (order, i);
      GPtrArray *group = g_hash_table_lookup (groups, first);
      g_autofree GzLabel *labels = g_new0 (GzLabel, group->len + 1);
      gint64 count = group->len;

      labels[0].key = (char *) "thread";
      labels[0].str = first->name;
      for (guint j = 0; j < group->len; j++)
        {
          const GzThreadStack *stack = g_ptr_array_index (group, j);

          labels[j + 1].key = (char *) "thread_id";
          labels[j + 1].num = stack->tid;
        }

      if (first->signals_blocked)
        {
          const char *frames[] = { "[signals blocked]", first->name };

          gz_profile_builder_add_named_sample (builder, frames, G_N_ELEMENTS (frames), &count,
                                               labels, group->len + 1);
        }
      else
        {
          gz_profile_builder_add_sample (builder, first->pcs, first->n_pcs,
                                         GZ_STACK_FLAGS_LEAF_EXACT, &count,
                                         labels, group->len + 1);
        }
    }

  return gz_profile_builder_finish (builder, symbolizer, error);
}

static GzProfile *
build_self_profile (gint64    time_nanos,
                    gint64    duration_nanos,
                    GError  **error)
{
  g_autoptr(GPtrArray) stacks = gz_thread_capture_self (THREAD_TIMEOUT_MS, error);

  if (stacks == NULL)
    return NULL;
  return build_profile (stacks, NULL, time_nanos, duration_nanos, error);
}

static gboolean
gz_thread_profiler_start (GzProfiler  *profiler,
                          GError     **error)
{
  return TRUE;
}

/* Like Go's goroutine profile, a session's result is the threads as they are at its end. */
static GzProfile *
gz_thread_profiler_stop (GzProfiler  *profiler,
                         GError     **error)
{
  gint64 start_nanos = gz_profiler_get_start_time_nanos (profiler);
  gint64 now_nanos = g_get_real_time () * 1000;

  return build_self_profile (start_nanos, MAX (now_nanos - start_nanos, 0), error);
}

static GzProfile *
gz_thread_profiler_snapshot (GzProfiler  *profiler,
                             GError     **error)
{
  return build_self_profile (g_get_real_time () * 1000, 0, error);
}

static void
gz_thread_profiler_class_init (GzThreadProfilerClass *klass)
{
  GzProfilerClass *profiler_class = GZ_PROFILER_CLASS (klass);

  profiler_class->start = gz_thread_profiler_start;
  profiler_class->stop = gz_thread_profiler_stop;
  profiler_class->snapshot = gz_thread_profiler_snapshot;
}

static void
gz_thread_profiler_init (GzThreadProfiler *self)
{
}

GzProfiler *
gz_thread_profiler_new (GzConfig  *config,
                        GError   **error)
{
  return g_object_new (GZ_TYPE_THREAD_PROFILER,
                       "profile-type", GZ_PROFILE_TYPE_GOROUTINE,
                       NULL);
}

GzProfile *
gz_thread_profile_of_process (pid_t    pid,
                              GError **error)
{
  g_autoptr(GzSymbolizer) symbolizer = NULL;
  g_autoptr(GPtrArray) stacks = NULL;
  gint64 now_nanos = g_get_real_time () * 1000;

  /* Its modules are read before the threads stop: they stop only while they are copied. */
  symbolizer = gz_symbolizer_new (pid, error);
  if (symbolizer == NULL)
    return NULL;
  stacks = gz_thread_capture_process (pid, PROCESS_TIMEOUT_MS, error);
  if (stacks == NULL)
    return NULL;
  return build_profile (stacks, symbolizer, now_nanos, 0, error);
}
