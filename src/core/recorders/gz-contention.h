/* gz-contention.h: block and mutex profiling. The pthread wrappers (gz-pthread-hooks.c, linked
 * into each executable) time waits for contended pthread mutexes, condition variables and joins,
 * and report them here. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <pthread.h>

G_BEGIN_DECLS

#define GZ_BLOCK_DEFAULT_RATE_NS      10000 /* like runtime.SetBlockProfileRate(10000) */
#define GZ_MUTEX_DEFAULT_FRACTION     5     /* like runtime.SetMutexProfileFraction(5) */

gboolean gz_contention_is_available    (void);
/* Block events lasting @rate_ns or more are always recorded, shorter ones with probability
 * duration / rate_ns (Go's SetBlockProfileRate). 0 turns block profiling off. */
void     gz_contention_set_block_rate  (gint64 rate_ns);
gint64   gz_contention_get_block_rate  (void);
/* On average 1 in @fraction mutex contention events is recorded (Go's
 * SetMutexProfileFraction). 0 turns mutex profiling off. */
void     gz_contention_set_mutex_fraction (int fraction);
int      gz_contention_get_mutex_fraction (void);

typedef enum
{
  GZ_BLOCK_KIND_MUTEX,
  GZ_BLOCK_KIND_COND,
  GZ_BLOCK_KIND_JOIN,
  GZ_BLOCK_KIND_OTHER,
} GzBlockKind;

/* Called by the hooks after a wait of @delay_ns; @skip frames of the caller are dropped. */
void     gz_contention_record          (GzBlockKind kind,
                                        gint64      delay_ns,
                                        guint       skip);

/* Cumulative records since start, already scaled: values[0] = contentions, values[1] = delay
 * in nanoseconds. GArray of GzStackRecord. */
GArray  *gz_contention_snapshot_block  (void);
GArray  *gz_contention_snapshot_mutex  (void);

/* Set by gz-pthread-hooks.c once the real pthread functions are resolved. */
void     gz_contention_set_hooked      (gboolean hooked);

G_END_DECLS
