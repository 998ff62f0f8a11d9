/* gz-symbolizer.h: program counter -> mapping (file, build ID), function, file:line, with libdw;
 * cached per address. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct _GzSymbolizer GzSymbolizer;

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

/* A symbolizer is not thread-safe: use one from one thread at a time (its cache and libdw's
 * Dwfl are unlocked). Results (strings, mappings) live until the next refresh or free.
 *
 * @pid: 0 for the calling process. Reads the process' mappings once; call
 * gz_symbolizer_refresh() after new libraries are loaded. */
GzSymbolizer *gz_symbolizer_new          (pid_t          pid,
                                          GError       **error);
void          gz_symbolizer_free         (GzSymbolizer  *self);
gboolean      gz_symbolizer_refresh      (GzSymbolizer  *self,
                                          GError       **error);
/* @pc is looked up as is; callers pass pc - 1 for return addresses. Returns FALSE when
 * nothing is known of @pc (out->mapping may still be set). */
gboolean      gz_symbolizer_lookup       (GzSymbolizer  *self,
                                          guint64        pc,
                                          GzSymbol      *out);
/* All mappings of executable code, in address order. */
const GPtrArray *gz_symbolizer_get_mappings (GzSymbolizer *self); /* GzSymbolMapping */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GzSymbolizer, gz_symbolizer_free)

G_END_DECLS
