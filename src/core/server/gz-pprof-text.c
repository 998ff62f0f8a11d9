/* gz-pprof-text.c: debug=1 legacy text of a profile and the debug=2 dump of every thread. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gz-pprof-text.h"
#include "gz-stack.h"
#include "gz-thread-capture.h"
#include "gz-symbolizer.h"

/* How long to wait for a thread that blocks signals before reporting it as such. */
#define THREAD_TIMEOUT_MS 200

typedef struct
{
  GzProfile *profile;
  int        index;
} SortContext;

static int
compare_samples (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const SortContext *context = user_data;
  const GzSample *sa = *(GzSample * const *) a;
  const GzSample *sb = *(GzSample * const *) b;
  gint64 va = g_array_index (sa->values, gint64, context->index);
  gint64 vb = g_array_index (sb->values, gint64, context->index);

  return va < vb ? 1 : va > vb ? -1 : 0;
}

static gint64
value_of (GzSample *sample,
          int       index)
{
  return index >= 0 && (guint) index < sample->values->len
    ? g_array_index (sample->values, gint64, index) : 0;
}

/* "@ 0x1 0x2 ..." then a "#" line per frame, innermost first, as Go's printStackRecord. */
static void
append_stack (GString    *out,
              GzProfile  *profile,
              GzSample   *sample)
{
  g_string_append (out, " @");
  for (guint i = 0; i < sample->location_ids->len; i++)
    {
      GzLocation *location =
        gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, i));

      g_string_append_printf (out, " %#" G_GINT64_MODIFIER "x",
                              location != NULL ? location->address : 0);
    }
  g_string_append_c (out, '\n');

  for (guint i = 0; i < sample->labels->len; i++)
    {
      const GzLabel *label = &g_array_index (sample->labels, GzLabel, i);

      if (label->str != NULL)
        g_string_append_printf (out, "# labels: {\"%s\":\"%s\"}\n", label->key, label->str);
    }

  for (guint i = 0; i < sample->location_ids->len; i++)
    {
      GzLocation *location =
        gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, i));

      if (location == NULL)
        continue;
      if (location->lines->len == 0)
        g_string_append_printf (out, "#\t%#-8" G_GINT64_MODIFIER "x\t?\n", location->address);
      for (guint j = 0; j < location->lines->len; j++)
        {
          const GzLine *line = &g_array_index (location->lines, GzLine, j);
          GzFunction *function = gz_profile_get_function (profile, line->function_id);

          g_string_append_printf (out, "#\t%#-8" G_GINT64_MODIFIER "x\t%s",
                                  location->address,
                                  function != NULL && function->name != NULL
                                    ? function->name : "?");
          if (function != NULL && function->filename != NULL && function->filename[0] != '\0')
            g_string_append_printf (out, "\t%s:%" G_GINT64_FORMAT, function->filename,
                                    line->line);
          g_string_append_c (out, '\n');
        }
    }
}

char *
gz_pprof_text_format (GzProfile  *profile,
                      const char *name)
{
  g_autoptr(GPtrArray) samples = g_ptr_array_new ();
  GString *out = g_string_new (NULL);
  SortContext context = { profile, 0 };
  gboolean is_heap = g_str_equal (name, "heap") || g_str_equal (name, "allocs");
  gboolean is_contention = g_str_equal (name, "block") || g_str_equal (name, "mutex");

  g_return_val_if_fail (profile != NULL, NULL);

  for (guint i = 0; i < profile->samples->len; i++)
    g_ptr_array_add (samples, g_ptr_array_index (profile->samples, i));

  if (is_heap)
    {
      int alloc_objects = gz_profile_find_sample_type (profile, "alloc_objects");
      int alloc_space = gz_profile_find_sample_type (profile, "alloc_space");
      int inuse_objects = gz_profile_find_sample_type (profile, "inuse_objects");
      int inuse_space = gz_profile_find_sample_type (profile, "inuse_space");

      context.index = MAX (g_str_equal (name, "allocs") ? alloc_space : inuse_space, 0);
      g_ptr_array_sort_with_data (samples, compare_samples, &context);
      /* Go prints 2 * MemProfileRate here; values are the sampler's unbiased estimates. */
      g_string_append_printf (out, "heap profile: %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT
                              " [%" G_GINT64_FORMAT ": %" G_GINT64_FORMAT "] @ heap/%"
                              G_GINT64_FORMAT "\n",
                              inuse_objects >= 0 ? gz_profile_total (profile, inuse_objects) : 0,
                              inuse_space >= 0 ? gz_profile_total (profile, inuse_space) : 0,
                              alloc_objects >= 0 ? gz_profile_total (profile, alloc_objects) : 0,
                              alloc_space >= 0 ? gz_profile_total (profile, alloc_space) : 0,
                              2 * profile->period);
      for (guint i = 0; i < samples->len; i++)
        {
          GzSample *sample = g_ptr_array_index (samples, i);

          g_string_append_printf (out, "%" G_GINT64_FORMAT ": %" G_GINT64_FORMAT
                                  " [%" G_GINT64_FORMAT ": %" G_GINT64_FORMAT "]",
                                  value_of (sample, inuse_objects),
                                  value_of (sample, inuse_space),
                                  value_of (sample, alloc_objects),
                                  value_of (sample, alloc_space));
          append_stack (out, profile, sample);
        }
    }
  else if (is_contention)
    {
      int count = gz_profile_find_sample_type (profile, "contentions");
      int delay = gz_profile_find_sample_type (profile, "delay");

      context.index = MAX (delay, 0);
      g_ptr_array_sort_with_data (samples, compare_samples, &context);
      /* Delays are in nanoseconds: one "cycle" per nanosecond. */
      g_string_append_printf (out, "--- %s:\ncycles/second=1000000000\n",
                              g_str_equal (name, "mutex") ? "mutex" : "contention");
      if (g_str_equal (name, "mutex"))
        g_string_append_printf (out, "sampling period=%" G_GINT64_FORMAT "\n", profile->period);
      for (guint i = 0; i < samples->len; i++)
        {
          GzSample *sample = g_ptr_array_index (samples, i);

          g_string_append_printf (out, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
                                  value_of (sample, delay), value_of (sample, count));
          append_stack (out, profile, sample);
        }
    }
  else
    {
      /* goroutine, threadcreate: counts, as Go's printCountProfile. */
      g_ptr_array_sort_with_data (samples, compare_samples, &context);
      g_string_append_printf (out, "%s profile: total %" G_GINT64_FORMAT "\n", name,
                              profile->sample_types->len > 0 ? gz_profile_total (profile, 0) : 0);
      for (guint i = 0; i < samples->len; i++)
        {
          GzSample *sample = g_ptr_array_index (samples, i);

          g_string_append_printf (out, "%" G_GINT64_FORMAT, value_of (sample, 0));
          append_stack (out, profile, sample);
          g_string_append_c (out, '\n');
        }
    }

  return g_string_free (out, FALSE);
}

/* The thread's state letter from /proc, as a word like Go's "[running]". */
static const char *
thread_state (pid_t pid,
              pid_t tid)
{
  g_autofree char *path = pid != 0
    ? g_strdup_printf ("/proc/%d/task/%d/stat", (int) pid, (int) tid)
    : g_strdup_printf ("/proc/self/task/%d/stat", (int) tid);
  g_autofree char *contents = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return "exited";
  /* "tid (comm) S ...": the comm may hold spaces and parentheses; the state follows the last. */
  paren = strrchr (contents, ')');
  if (paren == NULL || paren[1] == '\0' || paren[2] == '\0')
    return "unknown";
  switch (paren[2])
    {
    case 'R': return "running";
    case 'S': return "sleeping";
    case 'D': return "disk wait";
    case 'T': case 't': return "stopped";
    case 'Z': return "zombie";
    default: return "unknown";
    }
}

/* @stacks of process @pid (0: this one), named by @symbolizer. */
static char *
format_thread_dump (GPtrArray    *stacks,
                    GzSymbolizer *symbolizer,
                    pid_t         pid)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < stacks->len; i++)
    {
      const GzThreadStack *stack = g_ptr_array_index (stacks, i);

      g_string_append_printf (out, "thread %d \"%s\" [%s]:\n", (int) stack->tid,
                              stack->name != NULL ? stack->name : "?",
                              stack->signals_blocked ? "signals blocked"
                                                     : thread_state (pid, stack->tid));
      if (stack->signals_blocked && pid == 0)
        g_string_append (out, "(its stack is unknown: the thread blocks the capture signal)\n");
      else if (stack->signals_blocked)
        g_string_append (out, "(its stack is unknown: the thread did not stop in time)\n");

      for (guint j = 0; j < stack->n_pcs; j++)
        {
          /* pcs[0] is the interrupted instruction; the others are return addresses. */
          guint64 pc = stack->pcs[j];
          guint64 lookup = j == 0 || pc == 0 ? pc : pc - 1;
          GzSymbol symbol = { 0 };

          gz_symbolizer_lookup (symbolizer, lookup, &symbol);
          g_string_append_printf (out, "%s(...)\n",
                                  symbol.function != NULL ? symbol.function : "?");
          if (symbol.file != NULL)
            g_string_append_printf (out, "\t%s:%d", symbol.file, symbol.line);
          else if (symbol.mapping != NULL)
            g_string_append_printf (out, "\t%s", symbol.mapping->filename);
          else
            g_string_append (out, "\t?");
          if (symbol.mapping != NULL)
            g_string_append_printf (out, " +%#" G_GINT64_MODIFIER "x",
                                    pc - symbol.mapping->memory_start +
                                    symbol.mapping->file_offset);
          g_string_append_printf (out, " pc=%#" G_GINT64_MODIFIER "x\n", pc);
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

char *
gz_pprof_text_thread_dump (GError **error)
{
  g_autoptr(GPtrArray) stacks = NULL;
  GzSymbolizer *symbolizer;

  stacks = gz_thread_capture_self (THREAD_TIMEOUT_MS, error);
  if (stacks == NULL)
    return NULL;
  /* The process' one symbolizer: what it read for earlier profiles is not read again. */
  symbolizer = gz_symbolizer_get_default (error);
  if (symbolizer == NULL)
    return NULL;
  return format_thread_dump (stacks, symbolizer, 0);
}

char *
gz_pprof_text_process_thread_dump (pid_t    pid,
                                   GError **error)
{
  g_autoptr(GzSymbolizer) symbolizer = NULL;
  g_autoptr(GPtrArray) stacks = NULL;

  /* Its modules are read before its threads stop: they stop only while they are copied. */
  symbolizer = gz_symbolizer_new (pid, error);
  if (symbolizer == NULL)
    return NULL;
  stacks = gz_thread_capture_process (pid, THREAD_TIMEOUT_MS, error);
  if (stacks == NULL)
    return NULL;
  return format_thread_dump (stacks, symbolizer, pid);
}
