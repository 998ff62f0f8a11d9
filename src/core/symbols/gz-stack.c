/* gz-stack.c: the calling thread's stack (libunwind's unw_backtrace) and the difference of two
 * tables of stack records. All-thread capture lives in gz-thread-stacks.c. */
#include "config.h"

#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <glib-object.h>

#include "gz-stack.h"

static __thread guint unwind_depth __attribute__ ((tls_model ("initial-exec")));

void
gz_stack_unwind_begin (void)
{
  unwind_depth++;
}

void
gz_stack_unwind_end (void)
{
  unwind_depth--;
}

gboolean
gz_stack_is_unwinding (void)
{
  return unwind_depth > 0;
}

guint
gz_stack_capture (guint64 *pcs,
                  guint    max,
                  guint    skip)
{
  /* unw_backtrace's first entry is this function's own frame: one more to skip. */
  void *frames[GZ_STACK_MAX_DEPTH + 32];
  guint want = MIN ((gsize) max + skip + 1, G_N_ELEMENTS (frames));
  guint out = 0;
  int n;

  gz_stack_unwind_begin ();
  n = unw_backtrace (frames, (int) want);
  gz_stack_unwind_end ();

  for (int i = (int) skip + 1; i < n && out < max; i++)
    pcs[out++] = (guint64) (guintptr) frames[i];
  return out;
}

static guint
record_hash (gconstpointer key)
{
  const GzStackRecord *record = key;
  guint h = record->n_pcs * 31 + record->flags;

  for (guint i = 0; i < record->n_pcs; i++)
    h = h * 1000003 ^ (guint) (record->pcs[i] ^ (record->pcs[i] >> 32));
  return h;
}

static gboolean
record_equal (gconstpointer a,
              gconstpointer b)
{
  const GzStackRecord *ra = a;
  const GzStackRecord *rb = b;

  return ra->n_pcs == rb->n_pcs && ra->flags == rb->flags &&
         memcmp (ra->pcs, rb->pcs, ra->n_pcs * sizeof (guint64)) == 0;
}

GArray *
gz_stack_records_subtract (GArray *end,
                           GArray *start)
{
  g_autoptr(GHashTable) before = g_hash_table_new (record_hash, record_equal);
  GArray *result = g_array_new (FALSE, TRUE, sizeof (GzStackRecord));

  g_return_val_if_fail (end != NULL, result);

  for (guint i = 0; start != NULL && i < start->len; i++)
    {
      GzStackRecord *record = &g_array_index (start, GzStackRecord, i);

      g_hash_table_insert (before, record, record);
    }

  for (guint i = 0; i < end->len; i++)
    {
      const GzStackRecord *record = &g_array_index (end, GzStackRecord, i);
      const GzStackRecord *old = g_hash_table_lookup (before, record);
      GzStackRecord diff = *record;
      gboolean any = FALSE;

      for (guint v = 0; v < G_N_ELEMENTS (diff.values); v++)
        {
          if (old != NULL)
            diff.values[v] -= old->values[v];
          any |= diff.values[v] != 0;
        }
      if (any)
        g_array_append_val (result, diff);
    }

  return result;
}
