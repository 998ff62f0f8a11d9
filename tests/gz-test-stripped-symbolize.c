/* gz-test-stripped-symbolize.c: run by test-debuginfod with DEBUGINFOD_URLS set or not; loads
 * the stripped test library, names its static function and one function of each of a few
 * stripped system libraries with a new symbolizer, and prints what it found and how long it took
 * ("key value" lines). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gz-symbolizer.h"

typedef void *(*AddressFunc) (void);
typedef void (*LinesFunc) (int *first,
                           int *last);

static void
print_symbol (const char *key,
              GzSymbol   *symbol,
              gboolean    found)
{
  printf ("%s-function %s\n", key, found && symbol->function != NULL ? symbol->function : "-");
  printf ("%s-file %s\n", key, found && symbol->file != NULL ? symbol->file : "-");
  printf ("%s-line %d\n", key, found ? symbol->line : 0);
  printf ("%s-module %s\n", key, symbol->mapping != NULL ? symbol->mapping->filename : "-");
}

int
main (int   argc,
      char *argv[])
{
  /* Functions of stripped libraries of the system: each is a module that has no symbol table
   * or debug information here, so each asks debuginfod when DEBUGINFOD_URLS is set. */
  struct
  {
    const char *key;
    guint64     pc;
  } others[] = {
    { "libc", (guint64) (guintptr) qsort },
    { "libm", (guint64) (guintptr) cbrt },
    { "glib", (guint64) (guintptr) g_strdup },
    { "libdw", (guint64) (guintptr) dwfl_begin },
  };
  g_autoptr(GzSymbolizer) symbolizer = NULL;
  g_autoptr(GError) error = NULL;
  GzSymbol symbol;
  gboolean found;
  void *library;
  guint64 hidden;
  int first = 0, last = 0;
  gint64 start, lookup_start;

  /* The symbolizer's debug lines go where the test reads them, apart from the results. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (argc != 2)
    {
      fprintf (stderr, "usage: %s STRIPPED-LIBRARY\n", argv[0]);
      return 2;
    }
  library = dlopen (argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL)
    {
      fprintf (stderr, "cannot load %s: %s\n", argv[1], dlerror ());
      return 1;
    }
  hidden = (guint64) (guintptr)
           ((AddressFunc) dlsym (library, "gz_test_stripped_hidden_address")) ();
  ((LinesFunc) dlsym (library, "gz_test_stripped_hidden_lines")) (&first, &last);
  printf ("hidden-first %d\nhidden-last %d\n", first, last);

  start = g_get_monotonic_time ();
  symbolizer = gz_symbolizer_new (0, &error);
  if (symbolizer == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  lookup_start = g_get_monotonic_time ();
  found = gz_symbolizer_lookup (symbolizer, hidden, &symbol);
  printf ("hidden-ms %.1f\n", (g_get_monotonic_time () - lookup_start) / 1000.);
  print_symbol ("hidden", &symbol, found);
  printf ("hidden-build-id %s\n", symbol.mapping != NULL && symbol.mapping->build_id != NULL
                                  ? symbol.mapping->build_id : "-");
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      found = gz_symbolizer_lookup (symbolizer, others[i].pc, &symbol);
      print_symbol (others[i].key, &symbol, found);
    }
  printf ("elapsed-ms %.1f\n", (g_get_monotonic_time () - start) / 1000.);
  return 0;
}
