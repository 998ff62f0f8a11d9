/* gz-ring.h: the collector's side of the preload's shared-memory ring (gz-preload-format.h):
 * made here before a program starts, handed to it as an inherited memfd, drained here. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gz-preload-format.h"

G_BEGIN_DECLS

typedef struct _GzRing GzRing;

typedef struct
{
  guint32  flags;           /* GZ_RING_RECORD_* */
  guint64  data_size;       /* 0: the default; rounded up to a power of two */
  guint32  stack_bytes;     /* 0: the default */
  guint64  memory_rate;
  guint64  block_rate_ns;
  guint32  mutex_fraction;
  guint32  cpu_hz;
} GzRingOptions;

/* Makes a ring (a memfd, close-on-exec) with @options written into its header. */
GzRing             *gz_ring_new            (const GzRingOptions *options,
                                            GError             **error);
/* Maps the ring of another process's preload from @fd (taken over: closed with the ring). */
GzRing             *gz_ring_new_from_fd    (int                  fd,
                                            GError             **error);
void                gz_ring_free           (GzRing              *self);
/* The memfd, for a child to inherit (the caller clears close-on-exec in the child only). */
int                 gz_ring_get_fd         (GzRing              *self);
const GzRingHeader *gz_ring_get_header     (GzRing              *self);

typedef void (*GzRingFunc) (const GzRecordHeader *record,
                            gpointer              user_data);

/* Hands every complete record from tail on to @func, in order, then frees their room. Returns
 * the number of records read. One thread drains a ring at a time. */
guint               gz_ring_drain          (GzRing              *self,
                                            GzRingFunc           func,
                                            gpointer             user_data);
/* Records the program could not write because the ring was full. */
guint64             gz_ring_get_lost       (GzRing              *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzRing, gz_ring_free)

G_END_DECLS
