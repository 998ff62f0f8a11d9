/* test-symbolizer-default.c: the process-wide symbolizer that profiles use: a second profile
 * costs a fraction of the first, code loaded with dlopen later is still named, unloaded code
 * is no longer, and threads may share it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <dlfcn.h>
#include <glib.h>
#include <string.h>

#include "gz-profile-builder.h"
#include "gz-profiler-factory.h"
#include "gz-symbolizer.h"

static GzProfile *
take_snapshot (GzProfileType type,
               gint64       *elapsed_usec)
{
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GError) error = NULL;
  GzProfile *profile;
  gint64 start;

  profiler = gz_profiler_new (type, NULL, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  profile = gz_profiler_snapshot (profiler, &error);
  *elapsed_usec = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

static gboolean
profile_has_function (GzProfile  *profile,
                      const char *name)
{
  for (guint i = 0; i < profile->functions->len; i++)
    {
      GzFunction *function = g_ptr_array_index (profile->functions, i);

      if (g_strcmp0 (function->name, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Must run first in the process: the first profile creates the process-wide symbolizer and
 * reads libc's debug information; later ones reuse them. The minimum of several later
 * snapshots keeps a busy machine from deciding the result. */
static void
test_second_profile_faster (void)
{
  g_autoptr(GzProfile) first = NULL;
  gint64 first_usec, best_usec = G_MAXINT64;

  first = take_snapshot (GZ_PROFILE_TYPE_GOROUTINE, &first_usec);
  g_assert_true (profile_has_function (first, "test_second_profile_faster"));
  for (int i = 0; i < 7; i++)
    {
      g_autoptr(GzProfile) later = NULL;
      gint64 usec;

      later = take_snapshot (GZ_PROFILE_TYPE_GOROUTINE, &usec);
      best_usec = MIN (best_usec, usec);
      /* As well named as the first. */
      g_assert_true (profile_has_function (later, "test_second_profile_faster"));
      g_assert_true (profile_has_function (later, "main"));
      g_assert_cmpuint (later->functions->len, ==, first->functions->len);
      g_assert_cmpuint (later->mappings->len, ==, first->mappings->len);
    }
  g_test_message ("goroutine snapshot: first %.2f ms, best later %.2f ms", first_usec / 1000.,
                  best_usec / 1000.);
  g_assert_cmpint (best_usec, <, first_usec / 3);
}

static const char *
plugin_path (void)
{
  const char *path = g_getenv ("GZ_TEST_PLUGIN");

  if (path == NULL)
    g_test_skip ("GZ_TEST_PLUGIN is not set (run by meson test)");
  return path;
}

typedef guint64 (*ReturnAddressFunc) (void);
typedef gpointer (*AddressFunc) (void);
typedef int (*LineFunc) (void);

/* A profile with one sample: a static function's entry (exact), then a return address. */
static GzProfile *
profile_of (guint64 leaf,
            guint64 caller)
{
  g_autoptr(GzProfileBuilder) builder = gz_profile_builder_new (GZ_PROFILE_TYPE_THREADCREATE);
  g_autoptr(GError) error = NULL;
  guint64 pcs[2] = { leaf, caller };
  gint64 value = 1;
  GzProfile *profile;

  gz_profile_builder_add_sample (builder, pcs, 2, GZ_STACK_FLAGS_LEAF_EXACT, &value, NULL, 0);
  profile = gz_profile_builder_finish (builder, NULL, &error);
  g_assert_no_error (error);
  return profile;
}

static GzFunction *
location_function (GzProfile *profile,
                   guint      index)
{
  GzSample *sample = g_ptr_array_index (profile->samples, 0);
  GzLocation *location = gz_profile_get_location (profile,
                                                  g_array_index (sample->location_ids, guint64,
                                                                 index));
  GzLine *line;

  g_assert_nonnull (location);
  if (location->lines->len == 0)
    return NULL;
  line = &g_array_index (location->lines, GzLine, location->lines->len - 1);
  return gz_profile_get_function (profile, line->function_id);
}

static GzMapping *
location_mapping (GzProfile *profile,
                  guint      index)
{
  GzSample *sample = g_ptr_array_index (profile->samples, 0);
  GzLocation *location = gz_profile_get_location (profile,
                                                  g_array_index (sample->location_ids, guint64,
                                                                 index));

  return gz_profile_get_mapping (profile, location->mapping_id);
}

/* A module loaded after the first profile is named in the next one, without any refresh by
 * the caller; once unloaded, its addresses are no longer said to be in it. */
static void
test_dlopen_after_first_profile (void)
{
  const char *path = plugin_path ();
  g_autoptr(GzProfile) before = NULL;
  g_autoptr(GzProfile) loaded = NULL;
  g_autoptr(GzProfile) unloaded = NULL;
  g_autoptr(GError) error = NULL;
  GzSymbolizer *symbolizer;
  GzFunction *function;
  GzMapping *mapping;
  GzSymbol symbol;
  const char *kept_name;
  guint64 return_address, static_address;
  void *plugin;
  gint64 usec;

  if (path == NULL)
    return;
  before = take_snapshot (GZ_PROFILE_TYPE_GOROUTINE, &usec);
  g_assert_null (dlopen (path, RTLD_NOW | RTLD_NOLOAD));

  plugin = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  g_assert_nonnull (plugin);
  return_address = ((ReturnAddressFunc) dlsym (plugin, "gz_test_plugin_return_address")) ();
  static_address = (guint64) (guintptr)
                   ((AddressFunc) dlsym (plugin, "gz_test_plugin_static_address")) ();

  loaded = profile_of (static_address, return_address);
  function = location_function (loaded, 0);
  g_assert_nonnull (function);
  g_assert_cmpstr (function->name, ==, "gz_test_plugin_inner");
  function = location_function (loaded, 1);
  g_assert_nonnull (function);
  g_assert_cmpstr (function->name, ==, "gz_test_plugin_return_address");
  g_assert_true (g_str_has_suffix (function->filename, "tests/gz-test-plugin.c"));
  {
    GzSample *sample = g_ptr_array_index (loaded->samples, 0);
    GzLocation *location = gz_profile_get_location (loaded,
                                                    g_array_index (sample->location_ids,
                                                                   guint64, 1));

    g_assert_cmpint (g_array_index (location->lines, GzLine, 0).line, ==,
                     ((LineFunc) dlsym (plugin, "gz_test_plugin_call_line")) ());
  }
  mapping = location_mapping (loaded, 0);
  g_assert_nonnull (mapping);
  g_assert_true (g_str_has_suffix (mapping->filename, "gz-test-plugin.so"));
  g_assert_nonnull (mapping->build_id);
  g_assert_true (mapping->has_functions);

  /* The symbolizer's results outlive the module; its addresses no longer name it. */
  symbolizer = gz_symbolizer_get_default (&error);
  g_assert_no_error (error);
  g_assert_true (gz_symbolizer_lookup (symbolizer, static_address, &symbol));
  kept_name = symbol.function;
  g_assert_cmpint (dlclose (plugin), ==, 0);
  if (dlopen (path, RTLD_NOW | RTLD_NOLOAD) != NULL)
    {
      g_test_message ("the loader kept %s mapped after dlclose", path);
      return;
    }
  g_assert_false (gz_symbolizer_lookup (symbolizer, static_address, &symbol));
  g_assert_null (symbol.function);
  g_assert_null (symbol.mapping);
  g_assert_cmpstr (kept_name, ==, "gz_test_plugin_inner");

  unloaded = profile_of (static_address, return_address);
  g_assert_null (location_function (unloaded, 0));
  g_assert_null (location_mapping (unloaded, 0));
}

/* Lookups from several threads while another loads and unloads a module. */
typedef struct
{
  const char   *path;
  volatile gint stop;
} Shared;

static gpointer
load_unload (gpointer data)
{
  Shared *shared = data;

  while (!g_atomic_int_get (&shared->stop))
    {
      void *plugin = dlopen (shared->path, RTLD_NOW | RTLD_LOCAL);

      g_assert_nonnull (plugin);
      g_usleep (500);
      dlclose (plugin);
    }
  return NULL;
}

static __attribute__((noinline, noipa)) gpointer
gz_test_lookup_thread (gpointer data)
{
  GzSymbolizer *symbolizer = gz_symbolizer_get_default (NULL);
  /* Bounded by time too: under ASan every refresh the loader thread causes is ~100x slower. */
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  g_assert_nonnull (symbolizer);
  for (int i = 0; i < 2000 && g_get_monotonic_time () < deadline; i++)
    {
      GzSymbol symbol;
      guint64 pc = (guint64) (guintptr) gz_test_lookup_thread + (i % 64);
      const GPtrArray *mappings;

      g_assert_true (gz_symbolizer_lookup (symbolizer, pc, &symbol));
      g_assert_cmpstr (symbol.function, ==, "gz_test_lookup_thread");
      g_assert_true (gz_symbolizer_lookup (symbolizer, (guint64) (guintptr) g_strdup, &symbol));
      g_assert_cmpstr (symbol.function, ==, "g_strdup");
      /* The mapping handed out holds the address; the current mappings are all there. */
      g_assert_cmpuint ((guint64) (guintptr) g_strdup, >=, symbol.mapping->memory_start);
      g_assert_cmpuint ((guint64) (guintptr) g_strdup, <, symbol.mapping->memory_limit);
      mappings = gz_symbolizer_get_mappings (symbolizer);
      g_assert_cmpuint (mappings->len, >, 1);
    }
  return NULL;
}

static void
test_threads (void)
{
  Shared shared = { plugin_path (), 0 };
  GThread *loader = NULL;
  GThread *threads[4];

  if (shared.path != NULL)
    loader = g_thread_new ("load-unload", load_unload, &shared);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("lookup", gz_test_lookup_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_atomic_int_set (&shared.stop, 1);
  if (loader != NULL)
    g_thread_join (loader);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* First: it measures the first profile of the process. */
  g_test_add_func ("/core/symbolizer-default/second-profile-faster", test_second_profile_faster);
  g_test_add_func ("/core/symbolizer-default/dlopen-after-first-profile",
                   test_dlopen_after_first_profile);
  g_test_add_func ("/core/symbolizer-default/threads", test_threads);

  return g_test_run ();
}
