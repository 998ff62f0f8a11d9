/* gz-symbolizer.h: program counter -> mapping (file, build ID), function, file:line, with libdw;
 * cached per address. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "gz-symbol.h"

G_BEGIN_DECLS

#define GZ_SYMBOLIZER_ERROR (gz_symbolizer_error_quark ())
GQuark gz_symbolizer_error_quark (void);

typedef enum
{
  GZ_SYMBOLIZER_ERROR_FAILED, /* libdw cannot read the process (its maps, its modules) */
} GzSymbolizerError;

typedef struct _GzSymbolizer GzSymbolizer;

/* Debug files that are not on this machine come from debuginfod when DEBUGINFOD_URLS is set,
 * through elfutils' client and its cache ($DEBUGINFOD_CACHE_PATH): one lookup per build ID in
 * the process, and at most GZ_SYMBOLIZER_DEBUGINFOD_BUDGET_USEC on the network, over all
 * lookups of the process, in any GZ_SYMBOLIZER_DEBUGINFOD_WINDOW_USEC. A server that does not
 * answer within what is left is not asked again in that window. Answers from the cache cost
 * nothing; failures are one debug line. */
#define GZ_SYMBOLIZER_DEBUGINFOD_BUDGET_USEC (2 * G_USEC_PER_SEC)
#define GZ_SYMBOLIZER_DEBUGINFOD_WINDOW_USEC (60 * G_USEC_PER_SEC)

/* A symbolizer is thread-safe: calls are serialized by its own lock (libdw's Dwfl is not
 * thread-safe). Its results (strings, mappings, inlined frames, the mappings array) stay valid
 * until gz_symbolizer_free(), across refreshes: a refresh publishes new mappings and keeps the
 * old ones alive.
 *
 * Modules, their symbol tables and their debug information are read once, when an address in
 * them is first looked up, and kept across refreshes while the module stays mapped.
 *
 * @pid: 0 for the calling process. Reads the process' mappings; for the calling process,
 * lookups notice libraries loaded or unloaded since (dlopen, dlclose) and refresh by themselves.
 * For another process, an address outside the known mappings re-reads its mappings (at most
 * every 100 ms); gz_symbolizer_refresh() re-reads them at once. */
GzSymbolizer *gz_symbolizer_new          (pid_t          pid,
                                          GError       **error);
void          gz_symbolizer_free         (GzSymbolizer  *self);
/* The process-wide symbolizer of the calling process, created at the first call; never freed.
 * Profiles of the calling process use it, so that each profile after the first only looks up
 * addresses not seen before. Returns NULL (with @error) when libdw cannot read this process;
 * a later call tries again. */
GzSymbolizer *gz_symbolizer_get_default  (GError       **error);
/* Re-reads the process' mappings. Modules still mapped keep what was read of them. */
gboolean      gz_symbolizer_refresh      (GzSymbolizer  *self,
                                          GError       **error);
/* @pc is looked up as is; callers pass pc - 1 for return addresses. Returns FALSE when
 * nothing is known of @pc (out->mapping may still be set). */
gboolean      gz_symbolizer_lookup       (GzSymbolizer  *self,
                                          guint64        pc,
                                          GzSymbol      *out);
/* All mappings of executable code, in address order, as of the last refresh. */
const GPtrArray *gz_symbolizer_get_mappings (GzSymbolizer *self); /* GzSymbolMapping */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSymbolizer, gz_symbolizer_free)

G_END_DECLS
