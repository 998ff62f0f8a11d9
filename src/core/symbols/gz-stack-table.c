/* gz-stack-table.c: distinct stacks with counters, shared by the contention and threadcreate
 * recorders. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <sched.h>
#include <string.h>

#include "gz-stack-table.h"

typedef struct
{
  guint   n_pcs;
  guint64 pcs[GZ_STACK_MAX_DEPTH];
  double  values[4];
} Entry;

struct _GzStackTable
{
  int         lock; /* a spinlock: held only for a hash lookup or insert */
  guint       n_values;
  GHashTable *entries; /* Entry* -> itself */
};

static guint
entry_hash (gconstpointer data)
{
  const Entry *entry = data;

  return gz_stack_hash (entry->pcs, entry->n_pcs, 0);
}

static gboolean
entry_equal (gconstpointer a,
             gconstpointer b)
{
  const Entry *ea = a;
  const Entry *eb = b;

  return ea->n_pcs == eb->n_pcs && memcmp (ea->pcs, eb->pcs, ea->n_pcs * sizeof ea->pcs[0]) == 0;
}

static void
table_lock (GzStackTable *self)
{
  while (__atomic_exchange_n (&self->lock, 1, __ATOMIC_ACQUIRE))
    {
      while (__atomic_load_n (&self->lock, __ATOMIC_RELAXED))
        sched_yield ();
    }
}

static void
table_unlock (GzStackTable *self)
{
  __atomic_store_n (&self->lock, 0, __ATOMIC_RELEASE);
}

GzStackTable *
gz_stack_table_new (guint n_values)
{
  GzStackTable *self = g_new0 (GzStackTable, 1);

  g_return_val_if_fail (n_values >= 1 && n_values <= 4, NULL);

  self->n_values = n_values;
  self->entries = g_hash_table_new_full (entry_hash, entry_equal, g_free, NULL);

  return self;
}

void
gz_stack_table_add (GzStackTable  *self,
                    const guint64 *pcs,
                    guint          n_pcs,
                    const double  *values)
{
  Entry key;
  Entry *entry;

  key.n_pcs = MIN (n_pcs, GZ_STACK_MAX_DEPTH);
  memcpy (key.pcs, pcs, key.n_pcs * sizeof pcs[0]);

  table_lock (self);
  entry = g_hash_table_lookup (self->entries, &key);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->n_pcs = key.n_pcs;
      memcpy (entry->pcs, key.pcs, key.n_pcs * sizeof key.pcs[0]);
      g_hash_table_add (self->entries, entry);
    }
  for (guint i = 0; i < self->n_values; i++)
    entry->values[i] += values[i];
  table_unlock (self);
}

GArray *
gz_stack_table_snapshot (GzStackTable *self)
{
  GArray *records = g_array_new (FALSE, TRUE, sizeof (GzStackRecord));
  GHashTableIter iter;
  gpointer key;

  table_lock (self);
  g_array_set_size (records, g_hash_table_size (self->entries));
  g_hash_table_iter_init (&iter, self->entries);
  for (guint n = 0; g_hash_table_iter_next (&iter, &key, NULL); n++)
    {
      const Entry *entry = key;
      GzStackRecord *record = &g_array_index (records, GzStackRecord, n);

      record->n_pcs = entry->n_pcs;
      record->flags = GZ_STACK_FLAGS_NONE;
      memcpy (record->pcs, entry->pcs, entry->n_pcs * sizeof entry->pcs[0]);
      for (guint i = 0; i < self->n_values; i++)
        record->values[i] = (gint64) llround (entry->values[i]);
    }
  table_unlock (self);

  return records;
}
