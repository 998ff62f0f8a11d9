/* gz-symbolizer-debuginfod.h: the symbolizer's search for a module's debug file — libdwfl's own
 * (local files, then debuginfod when DEBUGINFOD_URLS is set) with debuginfod's network time
 * bounded for the whole process. Private to the symbolizer: only gz-symbolizer*.c include this. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <elfutils/libdwfl.h>

#include "gz-symbolizer.h"

G_BEGIN_DECLS

/* When DEBUGINFOD_URLS is set, makes @dwfl's debuginfod client (libdwfl's own) and bounds it;
 * TRUE once that is done or there is no client to bound. Call before libdw first reads a
 * module, until it returns TRUE: a client left unbounded would wait 90 s on a silent server. */
gboolean gz_symbolizer_debuginfod_bound          (Dwfl         *dwfl);
/* The find_debuginfo callback of the symbolizer's Dwfl (see Dwfl_Callbacks): libdwfl's
 * dwfl_standard_find_debuginfo, with at most one debuginfod lookup per build ID in the process,
 * none once the network budget is spent, and each cut at the budget's end. Called by libdw
 * under the symbolizer's lock; takes a process-wide lock of its own (never the other way). */
int      gz_symbolizer_debuginfod_find_debuginfo (Dwfl_Module  *module,
                                                  void        **userdata,
                                                  const char   *modname,
                                                  Dwarf_Addr    base,
                                                  const char   *file_name,
                                                  const char   *debuglink_file,
                                                  GElf_Word     debuglink_crc,
                                                  char        **debuginfo_file_name);

G_END_DECLS
