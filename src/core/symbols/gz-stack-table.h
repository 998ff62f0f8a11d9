/* gz-stack-table.h: a small table of distinct stacks with counters, safe to update from the
 * pthread hooks (a spinlock, not a pthread mutex, so the hooks never see their own lock). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "gz-stack.h"

G_BEGIN_DECLS

typedef struct _GzStackTable GzStackTable;

/* A table whose records carry @n_values counters (at most 4). Never freed: the recorders keep
 * theirs for the life of the process. */
GzStackTable *gz_stack_table_new      (guint          n_values);
/* Adds @values to the record of @pcs (leaf first), creating it if needed. */
void          gz_stack_table_add      (GzStackTable  *self,
                                       const guint64 *pcs,
                                       guint          n_pcs,
                                       const double  *values);
/* A copy of every record, counters rounded to integers. GArray of GzStackRecord. */
GArray       *gz_stack_table_snapshot (GzStackTable  *self);

G_END_DECLS
