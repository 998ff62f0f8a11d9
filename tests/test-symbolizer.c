/* test-symbolizer.c: in-process symbolization of our own static functions (with file:line),
 * exported GLib and libc functions, mappings and build IDs, and its speed. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <dlfcn.h>
#include <glib.h>
#include <stdlib.h>
#include <unistd.h>

#include "gz-symbolizer.h"

static volatile guint64 return_address;
static int call_line;

static __attribute__((noinline, noipa)) void
record_return_address (void)
{
  return_address = (guint64) (guintptr) __builtin_return_address (0);
}

static __attribute__((noinline, noipa)) int
gz_test_static_target (volatile int x)
{
  call_line = __LINE__ + 1;
  record_return_address ();
  return x + 1;
}

static int inlined_call_line;
static int outer_call_line;

static inline __attribute__((always_inline)) int
gz_test_inlined_helper (volatile int x)
{
  x *= 3;
  inlined_call_line = __LINE__ + 1;
  record_return_address ();
  return x + 2;
}

static __attribute__((noinline, noipa)) int
gz_test_inlining_caller (volatile int x)
{
  int y;

  outer_call_line = __LINE__ + 1;
  y = gz_test_inlined_helper (x);
  return y * 5;
}

static void
test_inlined (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);
  GzSymbol symbol;

  gz_test_inlining_caller (2);
  g_assert_true (gz_symbolizer_lookup (symbolizer, return_address - 1, &symbol));
  g_assert_cmpstr (symbol.function, ==, "gz_test_inlining_caller");
  g_assert_cmpint (symbol.line, ==, outer_call_line);
  g_assert_true (g_str_has_suffix (symbol.file, "tests/test-symbolizer.c"));
  g_assert_cmpuint (symbol.n_inlined, ==, 1);
  g_assert_cmpstr (symbol.inlined[0].function, ==, "gz_test_inlined_helper");
  g_assert_cmpint (symbol.inlined[0].line, ==, inlined_call_line);
  g_assert_true (g_str_has_suffix (symbol.inlined[0].file, "tests/test-symbolizer.c"));
  g_assert_cmpint (symbol.inlined[0].start_line, >, 0);
  g_assert_cmpint (symbol.inlined[0].start_line, <, inlined_call_line);
}

static void
test_static_function (void)
{
  g_autoptr(GzSymbolizer) symbolizer = NULL;
  g_autoptr(GError) error = NULL;
  GzSymbol symbol;

  gz_test_static_target (1);
  symbolizer = gz_symbolizer_new (0, &error);
  g_assert_no_error (error);

  /* A return address is looked up at pc - 1: the line of the call. */
  g_assert_true (gz_symbolizer_lookup (symbolizer, return_address - 1, &symbol));
  g_assert_cmpstr (symbol.function, ==, "gz_test_static_target");
  g_assert_nonnull (symbol.file);
  g_assert_true (g_str_has_suffix (symbol.file, "tests/test-symbolizer.c"));
  g_assert_cmpint (symbol.line, ==, call_line);
  g_assert_cmpint (symbol.start_line, >, 0);
  g_assert_cmpint (symbol.start_line, <, call_line);
  g_assert_cmpuint (symbol.n_inlined, ==, 0);
  g_assert_nonnull (symbol.mapping);
  g_assert_true (symbol.mapping->main_executable);

  /* The entry address names the function too, and a cached lookup gives the same. */
  g_assert_true (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) gz_test_static_target,
                                       &symbol));
  g_assert_cmpstr (symbol.function, ==, "gz_test_static_target");
  g_assert_true (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) gz_test_static_target,
                                       &symbol));
  g_assert_cmpstr (symbol.function, ==, "gz_test_static_target");
}

static const GzSymbolMapping *
assert_named (GzSymbolizer *symbolizer,
              gpointer      address,
              const char   *name,
              const char   *library)
{
  GzSymbol symbol;

  g_assert_true (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) address, &symbol));
  g_assert_cmpstr (symbol.function, ==, name);
  g_assert_nonnull (symbol.mapping);
  g_test_message ("%s: %s %s", name, symbol.mapping->filename, symbol.mapping->build_id);
  if (library != NULL)
    g_assert_nonnull (strstr (symbol.mapping->filename, library));
  g_assert_cmpuint ((guint64) (guintptr) address, >=, symbol.mapping->memory_start);
  g_assert_cmpuint ((guint64) (guintptr) address, <, symbol.mapping->memory_limit);
  return symbol.mapping;
}

static void
test_shared_libraries (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);
  const GzSymbolMapping *mapping;
  void *libc;

  g_assert_nonnull (symbolizer);
  mapping = assert_named (symbolizer, (gpointer) g_main_context_iteration,
                          "g_main_context_iteration", "libglib-2.0");
  g_assert_false (mapping->main_executable);
  g_assert_nonnull (mapping->build_id);
  /* &malloc may be our own wrapper in the executable (or a sanitizer's): libc's own are
   * taken from libc. */
  assert_named (symbolizer, (gpointer) malloc, "malloc", NULL);
  libc = dlopen ("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
  g_assert_nonnull (libc);
  assert_named (symbolizer, dlsym (libc, "malloc"), "malloc", "libc");
  assert_named (symbolizer, dlsym (libc, "write"), "write", "libc");
  dlclose (libc);
  /* Inside a function, not only at its start. */
  assert_named (symbolizer, (guint8 *) (gpointer) g_main_context_iteration + 4,
                "g_main_context_iteration", "libglib-2.0");
}

/* Assembly labels are NOTYPE symbols: one between functions names its code (as ld.so's
 * _dl_start_user, the caller of every library constructor, must be named); one inside a
 * function does not take the function's place. */
__asm__ (".text\n"
         ".p2align 4\n"
         ".globl gz_test_asm_label\n"
         "gz_test_asm_label:\n"
         "  nop\n  nop\n  nop\n  ret\n"
         ".p2align 4\n"
         ".globl gz_test_asm_function\n"
         ".type gz_test_asm_function, @function\n"
         "gz_test_asm_function:\n"
         "  nop\n  nop\n"
         ".globl gz_test_asm_inner_label\n"
         "gz_test_asm_inner_label:\n"
         "  nop\n  nop\n  ret\n"
         ".size gz_test_asm_function, .-gz_test_asm_function\n");
extern char gz_test_asm_label[];
extern char gz_test_asm_function[];
extern char gz_test_asm_inner_label[];

static void
test_assembly_labels (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);

  assert_named (symbolizer, gz_test_asm_label + 2, "gz_test_asm_label", NULL);
  assert_named (symbolizer, gz_test_asm_function + 1, "gz_test_asm_function", NULL);
  assert_named (symbolizer, gz_test_asm_inner_label + 1, "gz_test_asm_function", NULL);
}

/* The vDSO is read from memory: its functions are named too. */
static void
test_vdso (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);
  void *vdso = dlopen ("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
  gpointer address = vdso != NULL ? dlsym (vdso, "__vdso_clock_gettime") : NULL;
  const GzSymbolMapping *mapping;
  GzSymbol symbol;

  if (address == NULL)
    {
      g_test_skip ("no vDSO with __vdso_clock_gettime here");
      return;
    }
  g_assert_true (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) address + 1, &symbol));
  g_assert_true (g_str_has_suffix (symbol.function, "clock_gettime"));
  mapping = symbol.mapping;
  g_assert_nonnull (mapping);
  g_assert_cmpstr (mapping->filename, ==, "[vdso]");
  dlclose (vdso);
}

static void
test_unknown (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);
  int on_stack = 0;
  GzSymbol symbol;

  g_assert_false (gz_symbolizer_lookup (symbolizer, 0x10, &symbol));
  g_assert_null (symbol.function);
  g_assert_null (symbol.mapping);
  g_assert_false (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) &on_stack, &symbol));
  g_assert_null (symbol.mapping);
}

/* The build ID as readelf sees it in the file, independently of libdw. */
static char *
readelf_build_id (const char *path)
{
  const char *argv[] = { "readelf", "-n", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *p;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &error))
    return NULL;
  p = strstr (out, "Build ID: ");
  if (p == NULL)
    return NULL;
  p += strlen ("Build ID: ");
  return g_strndup (p, strspn (p, "0123456789abcdef"));
}

static void
test_build_id_and_mappings (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *readelf = g_find_program_in_path ("readelf");
  g_autofree char *expected = NULL;
  const GPtrArray *mappings = gz_symbolizer_get_mappings (symbolizer);
  const GzSymbolMapping *main_mapping = NULL;
  guint n_main = 0;

  for (guint i = 0; i < mappings->len; i++)
    {
      const GzSymbolMapping *mapping = g_ptr_array_index (mappings, i);

      g_assert_cmpuint (mapping->memory_start, <, mapping->memory_limit);
      if (i > 0)
        g_assert_cmpuint (((GzSymbolMapping *) g_ptr_array_index (mappings, i - 1))->memory_limit,
                          <=, mapping->memory_start);
      if (mapping->main_executable)
        {
          main_mapping = mapping;
          n_main++;
        }
    }
  g_assert_cmpuint (n_main, ==, 1);
  g_assert_cmpstr (main_mapping->filename, ==, exe);
  g_assert_nonnull (main_mapping->build_id);
  /* The executable segment follows the ELF header and read-only data in the file. */
  g_assert_cmpuint (main_mapping->file_offset, >, 0);

  if (readelf == NULL)
    {
      g_test_skip ("readelf is not installed (binutils)");
      return;
    }
  expected = readelf_build_id (exe);
  g_assert_nonnull (expected);
  g_assert_cmpuint (strlen (expected), >=, 16);
  g_assert_cmpstr (main_mapping->build_id, ==, expected);
}

static void
test_refresh (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);
  g_autoptr(GError) error = NULL;
  GzSymbol symbol;

  g_assert_true (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) test_refresh, &symbol));
  g_assert_true (gz_symbolizer_refresh (symbolizer, &error));
  g_assert_no_error (error);
  g_assert_true (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) test_refresh, &symbol));
  g_assert_cmpstr (symbol.function, ==, "test_refresh");
}

static void
test_other_process_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (G_MAXINT32 - 1, &error);

  g_assert_null (symbolizer);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
}

/* 10k distinct addresses across the executable and the libraries. */
static void
test_speed (void)
{
  g_autoptr(GzSymbolizer) symbolizer = gz_symbolizer_new (0, NULL);
  const GPtrArray *mappings = gz_symbolizer_get_mappings (symbolizer);
  g_autoptr(GArray) pcs = g_array_new (FALSE, FALSE, sizeof (guint64));
  guint64 total_size = 0;
  guint n_named = 0;
  gint64 start, elapsed, warm;

  for (guint i = 0; i < mappings->len; i++)
    {
      const GzSymbolMapping *mapping = g_ptr_array_index (mappings, i);

      if (mapping->filename[0] == '/')
        total_size += mapping->memory_limit - mapping->memory_start;
    }
  for (guint i = 0; i < mappings->len; i++)
    {
      const GzSymbolMapping *mapping = g_ptr_array_index (mappings, i);
      guint64 size = mapping->memory_limit - mapping->memory_start;
      guint n = (guint) (10000.0 * size / total_size) + 1;

      if (mapping->filename[0] != '/')
        continue;
      for (guint j = 0; j < n; j++)
        {
          guint64 pc = mapping->memory_start + size * j / n;

          g_array_append_val (pcs, pc);
        }
    }
  g_assert_cmpuint (pcs->len, >=, 10000);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < pcs->len; i++)
    {
      GzSymbol symbol;

      if (gz_symbolizer_lookup (symbolizer, g_array_index (pcs, guint64, i), &symbol))
        n_named++;
    }
  elapsed = g_get_monotonic_time () - start;

  /* Again at other addresses, with every module's tables loaded. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < pcs->len; i++)
    {
      GzSymbol symbol;

      gz_symbolizer_lookup (symbolizer, g_array_index (pcs, guint64, i) + 1, &symbol);
    }
  warm = g_get_monotonic_time () - start;
  g_test_message ("warm: %.1f ms", warm / 1000.);

  for (guint i = 0; i < mappings->len; i++)
    {
      const GzSymbolMapping *mapping = g_ptr_array_index (mappings, i);
      guint n = 0, named = 0;

      for (guint j = 0; j < pcs->len; j++)
        {
          guint64 pc = g_array_index (pcs, guint64, j);
          GzSymbol symbol;

          if (pc >= mapping->memory_start && pc < mapping->memory_limit)
            {
              n++;
              named += gz_symbolizer_lookup (symbolizer, pc, &symbol);
            }
        }
      g_test_message ("%s: %u of %u named", mapping->filename, named, n);
      /* The executable has its full symbol table: only padding and the PLT are nameless. */
      if (mapping->main_executable)
        g_assert_cmpuint (named, >=, n * 9 / 10);
    }
  g_test_message ("%u addresses (%u named) in %.1f ms", pcs->len, n_named, elapsed / 1000.);
  /* Stripped libraries have nameless static functions; most text is still named. */
  g_assert_cmpuint (n_named, >, pcs->len / 3);
  /* Cold includes reading every module's symbols and debug information (libc's, when
   * libc6-dbg is installed); the bound leaves room for a loaded machine. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC);
#endif
  g_assert_cmpint (warm, <, G_USEC_PER_SEC / 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/symbolizer/static-function", test_static_function);
  g_test_add_func ("/core/symbolizer/inlined", test_inlined);
  g_test_add_func ("/core/symbolizer/shared-libraries", test_shared_libraries);
  g_test_add_func ("/core/symbolizer/assembly-labels", test_assembly_labels);
  g_test_add_func ("/core/symbolizer/vdso", test_vdso);
  g_test_add_func ("/core/symbolizer/unknown", test_unknown);
  g_test_add_func ("/core/symbolizer/build-id-and-mappings", test_build_id_and_mappings);
  g_test_add_func ("/core/symbolizer/refresh", test_refresh);
  g_test_add_func ("/core/symbolizer/other-process-errors", test_other_process_errors);
  g_test_add_func ("/core/symbolizer/speed", test_speed);

  return g_test_run ();
}
