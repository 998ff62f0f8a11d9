/* gz-symbol.h: what a symbolizer says of an address — its mapping, its function, file:line and
 * inlined frames — shared by the symbolizer and what it reads of each module. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64     memory_start;
  guint64     memory_limit;
  guint64     file_offset;
  const char *filename; /* owned by the symbolizer */
  const char *build_id; /* lower-case hex, or NULL */
  gboolean    main_executable; /* the process' own executable (/proc/PID/exe) */
} GzSymbolMapping;

/* A function inlined at the address (from DWARF): its name, and where in it the address is. */
typedef struct
{
  const char *function;
  const char *file;
  int         line;
  int         start_line;
} GzInlineFrame;

/* function, file and line describe one frame: the function of the symbol table that holds the
 * address. When other functions were inlined there, line is the call site of the outermost
 * inlined function and @inlined lists them, innermost first. */
typedef struct
{
  const char *function;  /* NULL when unknown; owned by the symbolizer */
  const char *file;      /* NULL when no debug info */
  int         line;      /* 0 when unknown */
  int         start_line;
  const GzSymbolMapping *mapping; /* NULL when the address is in no mapping */
  guint                n_inlined;
  const GzInlineFrame *inlined;   /* n_inlined, innermost first; owned by the symbolizer */
} GzSymbol;

G_END_DECLS
