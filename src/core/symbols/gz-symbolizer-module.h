/* gz-symbolizer-module.h: what the symbolizer knows of one module (an ELF file mapped in the
 * process) — its symbol table and debug information, read when first needed — and the lookup
 * of an address in it. Private to the symbolizer: only gz-symbolizer*.c include this. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <elfutils/libdwfl.h>

#include "gz-symbol.h"

G_BEGIN_DECLS

typedef struct _GzSymbolizerModule GzSymbolizerModule;

/* @strings: where names go; it must outlive the module (the symbolizer's string chunk). */
GzSymbolizerModule *gz_symbolizer_module_new     (Dwfl_Module         *module,
                                                  GStringChunk        *strings);
void                gz_symbolizer_module_free    (GzSymbolizerModule  *self);
/* Names @pc, an address in the module: @symbol's function (the symbol table's function that
 * holds @pc), file, line, start_line and inlined frames; *@inlined receives the inlined frames'
 * array (innermost first, NULL when none), which the caller frees with g_free. FALSE, with
 * @symbol untouched, when no function symbol holds @pc. Not thread-safe: the symbolizer's lock
 * serializes every call, as libdw needs. */
gboolean            gz_symbolizer_module_resolve (GzSymbolizerModule  *self,
                                                  guint64              pc,
                                                  GzSymbol            *symbol,
                                                  GzInlineFrame      **inlined);

G_END_DECLS
