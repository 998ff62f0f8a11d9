/* gz-perf-unwind.h: the call stack of a perf sample of another process, unwound with DWARF
 * call-frame information (libdw) from the sample's registers and its copy of the user stack:
 * what the kernel's frame-pointer call chain cannot give through code built without them. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "gz-perf-events.h"

G_BEGIN_DECLS

typedef struct _GzPerfUnwinder GzPerfUnwinder;

/* Reads the modules mapped in @pid (its /proc/PID/maps) and keeps them, with what libdw read of
 * each, for every later sample. */
GzPerfUnwinder *gz_perf_unwinder_new     (pid_t               pid,
                                          GError            **error);
void            gz_perf_unwinder_free    (GzPerfUnwinder     *self);
/* Re-reads the process's modules (after it mapped new code); modules still mapped keep what
 * was read of them. FALSE when the process is gone (the known modules stay). */
gboolean        gz_perf_unwinder_refresh (GzPerfUnwinder     *self);
/* Whether @pc is in one of the modules known since the last read of the maps: when an unwind
 * ends at a pc that is not, the process mapped new code since (dlopen), and a refresh helps. */
gboolean        gz_perf_unwinder_has_module (GzPerfUnwinder *self,
                                             guint64         pc);
/* Unwinds @sample into @pcs (leaf first: the sampled PC, then return addresses), at most @max.
 * Returns the number of frames; *@complete is set when the unwind reached the outermost frame
 * rather than stopping on an error. 0 when the sample has no registers. */
guint           gz_perf_unwinder_unwind  (GzPerfUnwinder     *self,
                                          const GzPerfSample *sample,
                                          guint64            *pcs,
                                          guint               max,
                                          gboolean           *complete);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzPerfUnwinder, gz_perf_unwinder_free)

G_END_DECLS
