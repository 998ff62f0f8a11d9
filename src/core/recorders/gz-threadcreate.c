/* gz-threadcreate.c: the threadcreate recorder, fed by the pthread_create wrapper. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "gz-recorders-fork.h"
#include "gz-stack-table.h"
#include "gz-threadcreate.h"

static gboolean hooked;

static GzStackTable *
creators (void)
{
  static GzStackTable *table;

  if (g_once_init_enter (&table))
    g_once_init_leave (&table, gz_stack_table_new (1));

  return table;
}

gboolean
gz_threadcreate_is_available (void)
{
  return __atomic_load_n (&hooked, __ATOMIC_ACQUIRE);
}

void
gz_threadcreate_set_hooked (gboolean is_hooked)
{
  __atomic_store_n (&hooked, is_hooked, __ATOMIC_RELEASE);
}

void
gz_threadcreate_record (guint skip)
{
  guint64 pcs[GZ_STACK_MAX_DEPTH];
  const double one = 1;
  guint n_pcs;

  if (!gz_recorders_fork_enter ())
    return;
  /* This function's frame, then the caller's @skip frames. */
  n_pcs = gz_stack_capture (pcs, G_N_ELEMENTS (pcs), 1 + skip);

  gz_stack_table_add (creators (), pcs, n_pcs, &one);
  gz_recorders_fork_leave ();
}

GArray *
gz_threadcreate_snapshot (void)
{
  return gz_stack_table_snapshot (creators ());
}
