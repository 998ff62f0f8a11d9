/* gz-collector.h: the core's side of the preload library: drains one process's ring
 * (gz-ring.h), unwinds each record's copied stack with libdw right away, and keeps per-stack
 * totals from which it builds memory, block, mutex, threadcreate (and fallback cpu) profiles. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* A launched program, in order (tests/test-collector.c does exactly this):
 *   ring = gz_ring_new (&options, &error);            flags: the types to record
 *   spawn the program with LD_PRELOAD=libgz-preload.so, the memfd inherited as some fd N
 *     (dup (gz_ring_get_fd (ring))) and GZ_PRELOAD_RING=N in its environment;
 *   collector = gz_collector_new (pid, ring, &error);  takes the ring; right after the spawn
 *     (before or after the exec: the modules are read once the preload attached)
 *   gz_collector_start (collector);
 *   profiler = gz_collector_profiler_new (collector, type, &error);  one per type, any number
 *   gz_profiler_start (profiler, &error); ... gz_profiler_stop (profiler, &error);
 *   once the program has exited (or at the end): gz_collector_stop (collector);
 * Records the program wrote before the collector existed wait in the ring; nothing is lost but
 * what a full ring drops. */
#pragma once

#include <glib-object.h>
#include <sys/types.h>

#include "gz-profile.h"
#include "gz-ring.h"

G_BEGIN_DECLS

#define GZ_TYPE_COLLECTOR (gz_collector_get_type ())
G_DECLARE_FINAL_TYPE (GzCollector, gz_collector, GZ, COLLECTOR, GObject)

/* The totals of a collector at one moment, to subtract from a later profile. */
typedef struct _GzCollectorMark GzCollectorMark;

/* A collector of the records process @pid writes into @ring, which it takes over (freed with
 * the collector, or at once on failure). Fails (G_IO_ERROR_NOT_FOUND) when there is no process
 * @pid. The process's modules (for the unwinder and the symbolizer) are read once its preload
 * has attached to the ring (header.attached: exec'd, its libraries mapped): now if it has,
 * else by the worker, which looks every millisecond until then. A program that exits within a
 * millisecond of its preload's start may leave records that cannot be unwound: the profile's
 * comment then counts them ("N without a stack") and says why. Records that another process
 * writes into the same ring (fork children with GZ_RING_FOLLOW_FORK) are counted but left out
 * of the profiles. Nothing is drained until gz_collector_start(). */
GzCollector     *gz_collector_new              (pid_t             pid,
                                                GzRing           *ring,
                                                GError          **error);
/* Starts the worker thread, which looks at the ring every 2 ms (two loads) and reads what came:
 * records are unwound, and the process's maps read again when code came or went, while the
 * program that wrote them most likely still runs. Once only: a stopped collector stays so. */
void             gz_collector_start            (GzCollector      *self);
/* Ends the worker after a last, complete drain. Safe after the process exited (its stacks are
 * then unwound from the copies alone and named from the modules read while it ran; code it
 * mapped in its last few milliseconds, after the worker's last look, stays unnamed); a second
 * call does nothing. */
void             gz_collector_stop             (GzCollector      *self);
/* The profile of @type (memory, block, mutex, threadcreate, or cpu from the preload's fallback
 * ticks) of everything the collector read since it started, or only since @since (NULL: since
 * the start): the same sample types, units, period and default sample type as the in-process
 * profilers of that type, scaled as Go does:
 * - memory: alloc_objects, alloc_space of the sampled allocations made since @since, and
 *   inuse_objects, inuse_space of those not freed by now (whenever they were made), each pair
 *   weighted by 1 / (1 - exp (-avg / memory_rate)); period = the ring's memory_rate;
 * - block: contentions, delay; a wait of at least block_rate_ns counts as is, a shorter one as
 *   rate / delay waits of rate ns each; period = block_rate_ns;
 * - mutex: contentions and delay times mutex_fraction; period = mutex_fraction;
 * - threadcreate: one per pthread_create, at the creating stack; period 1.
 * While running, the ring is drained first, so the profile includes every record written
 * before the call. Stacks are leaf first with the preload's own frames removed. Comments say
 * how many records the collector read and how many the program lost because the ring was full
 * ("N records lost: the ring was full"). Thread-safe. */
GzProfile       *gz_collector_build_profile    (GzCollector      *self,
                                                GzProfileType     type,
                                                GzCollectorMark  *since,
                                                GError          **error);
/* The totals as of now (the ring drained first when running), for gz_collector_build_profile. */
GzCollectorMark *gz_collector_mark             (GzCollector      *self);
void             gz_collector_mark_free        (GzCollectorMark  *mark);

pid_t            gz_collector_get_pid          (GzCollector      *self);
GzRing          *gz_collector_get_ring         (GzCollector      *self);
/* Records read from the ring so far (of every process writing into it). */
guint64          gz_collector_get_n_records    (GzCollector      *self);
/* Records the program could not write because the ring was full (gz_ring_get_lost()). */
guint64          gz_collector_get_lost         (GzCollector      *self);
/* CLOCK_MONOTONIC nanoseconds of the last record read, 0 before the first. */
guint64          gz_collector_get_last_time_ns (GzCollector      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzCollectorMark, gz_collector_mark_free)

G_END_DECLS
