/* test-profile-top.c: gz_profile_top_report on profiles built by hand with known values:
 * recursion counted once, inlined frames, focus, a diff base, sorting, node dropping and the
 * choice of sample type, each as `go tool pprof -top` does it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "gz-profile-top.h"

static GzProfile *
profile_new (void)
{
  GzProfile *profile = gz_profile_new ();

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("samples", "count"));
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("cpu", "nanoseconds"));
  return profile;
}

/* The id of the function named @name, added if new. */
static guint64
function_id (GzProfile  *profile,
             const char *name)
{
  GzFunction *function;

  for (guint i = 0; i < profile->functions->len; i++)
    {
      function = g_ptr_array_index (profile->functions, i);
      if (g_str_equal (function->name, name))
        return function->id;
    }
  function = gz_function_new ();
  function->id = profile->functions->len + 1;
  function->name = g_strdup (name);
  function->filename = g_strdup_printf ("/src/%s.c", name);
  g_ptr_array_add (profile->functions, function);
  return function->id;
}

/* A location whose lines are the functions in @names ("inner+outer": inlined, innermost first). */
static guint64
location_id (GzProfile  *profile,
             const char *names)
{
  g_auto(GStrv) parts = g_strsplit (names, "+", -1);
  GzLocation *location = gz_location_new ();

  location->id = profile->locations->len + 1;
  location->address = 0x1000 + 16 * location->id;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      GzLine line = { function_id (profile, parts[i]), 10 };

      g_array_append_val (location->lines, line);
    }
  g_ptr_array_add (profile->locations, location);
  return location->id;
}

/* A sample with @count samples of 10 ms each, stack @stack: "leaf;caller;...;root", each frame
 * a new location (so the same function may have several). */
static void
add_sample (GzProfile  *profile,
            const char *stack,
            gint64      count)
{
  g_auto(GStrv) frames = g_strsplit (stack, ";", -1);
  GzSample *sample = gz_sample_new ();
  gint64 cpu = count * 10000000;

  for (guint i = 0; frames[i] != NULL; i++)
    {
      guint64 id = location_id (profile, frames[i]);

      g_array_append_val (sample->location_ids, id);
    }
  g_array_append_val (sample->values, count);
  g_array_append_val (sample->values, cpu);
  g_ptr_array_add (profile->samples, sample);
}

static const GzTopEntry *
find_entry (const GzTopReport *report,
            const char        *name)
{
  for (guint i = 0; i < report->entries->len; i++)
    {
      const GzTopEntry *entry = &g_array_index (report->entries, GzTopEntry, i);

      if (g_str_equal (entry->name, name))
        return entry;
    }
  return NULL;
}

static void
assert_entry (const GzTopReport *report,
              const char        *name,
              gint64             flat,
              gint64             cum)
{
  const GzTopEntry *entry = find_entry (report, name);

  if (entry == NULL)
    g_error ("no entry %s", name);
  g_assert_cmpint (entry->flat, ==, flat);
  g_assert_cmpint (entry->cum, ==, cum);
}

static GzTopReport *
top (GzProfile          *profile,
     const GzTopOptions *options)
{
  g_autoptr(GError) error = NULL;
  GzTopReport *report = gz_profile_top_report (profile, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

/* main -> a -> b -> a -> a: a's cum counts the sample once, b's flat is 0. */
static void
test_recursion (void)
{
  g_autoptr(GzProfile) profile = profile_new ();
  g_autoptr(GzTopReport) report = NULL;
  GzTopOptions options = { .sample_type = "samples" };

  add_sample (profile, "a;a;b;a;main", 3);
  add_sample (profile, "b;a;main", 2);
  add_sample (profile, "main", 1);
  report = top (profile, &options);

  g_assert_cmpint (report->total, ==, 6);
  g_assert_cmpuint (report->entries->len, ==, 3);
  assert_entry (report, "a", 3, 5);
  assert_entry (report, "b", 2, 5);
  assert_entry (report, "main", 1, 6);
  /* sorted by flat: a (3), b (2), main (1) */
  g_assert_cmpstr (g_array_index (report->entries, GzTopEntry, 0).name, ==, "a");
  g_assert_cmpstr (g_array_index (report->entries, GzTopEntry, 2).name, ==, "main");
  g_assert_cmpint (report->shown, ==, 6);
}

/* A location with an inlined callee: the innermost line takes flat, both take cum. */
static void
test_inlined (void)
{
  g_autoptr(GzProfile) profile = profile_new ();
  g_autoptr(GzTopReport) report = NULL;

  add_sample (profile, "inner+outer;main", 4);
  report = top (profile, NULL);

  /* the default sample type is the last one: cpu */
  g_assert_cmpuint (report->sample_index, ==, 1);
  assert_entry (report, "inner", 40000000, 40000000);
  assert_entry (report, "outer", 0, 40000000);
  assert_entry (report, "main", 0, 40000000);
  g_assert_cmpint (find_entry (report, "inner")->inlining, ==, GZ_TOP_INLINED);
  g_assert_cmpint (find_entry (report, "outer")->inlining, ==, GZ_TOP_CALLED);
  g_assert_cmpint (find_entry (report, "main")->inlining, ==, GZ_TOP_CALLED);
  g_clear_pointer (&report, gz_top_report_free);

  /* called somewhere else too: partly inlined */
  add_sample (profile, "inner;main", 1);
  report = top (profile, NULL);
  g_assert_cmpint (find_entry (report, "inner")->inlining, ==, GZ_TOP_PARTIALLY_INLINED);
}

/* --focus keeps the samples with a matching frame; the total stays the whole profile's. */
static void
test_focus (void)
{
  g_autoptr(GzProfile) profile = profile_new ();
  g_autoptr(GzTopReport) report = NULL;
  g_autoptr(GRegex) focus = g_regex_new ("^b$", 0, 0, NULL);
  g_autoptr(GRegex) by_file = g_regex_new ("/c\\.c$", 0, 0, NULL);
  GzTopOptions options = { .sample_type = "samples", .focus = focus };

  add_sample (profile, "c;b;main", 5);
  add_sample (profile, "c;main", 7);
  add_sample (profile, "b;main", 1);
  report = top (profile, &options);

  g_assert_cmpint (report->total, ==, 13);
  assert_entry (report, "c", 5, 5);
  assert_entry (report, "b", 1, 6);
  assert_entry (report, "main", 0, 6);
  g_assert_cmpint (report->shown, ==, 6);
  g_clear_pointer (&report, gz_top_report_free);

  /* file names match too */
  options.focus = by_file;
  report = top (profile, &options);
  assert_entry (report, "c", 12, 12);
  assert_entry (report, "b", 0, 5);
  g_assert_null (find_entry (report, "x"));
}

/* A base is subtracted sample by sample (negative values stay), and percentages are of the
 * base's total, as with pprof -diff_base. */
static void
test_base (void)
{
  g_autoptr(GzProfile) profile = profile_new ();
  g_autoptr(GzProfile) base = profile_new ();
  g_autoptr(GzTopReport) report = NULL;
  GzTopOptions options = { .sample_type = "samples", .base = base };

  add_sample (profile, "a;main", 10);
  add_sample (profile, "b;main", 2);
  add_sample (base, "a;main", 4);
  add_sample (base, "b;main", 5);
  add_sample (base, "gone;main", 1);
  report = top (profile, &options);

  g_assert_cmpint (report->total, ==, 10);
  assert_entry (report, "a", 6, 6);
  assert_entry (report, "b", -3, -3);
  assert_entry (report, "gone", -1, -1);
  assert_entry (report, "main", 0, 2);
  /* sorted by |flat|: a, b, gone, main */
  g_assert_cmpstr (g_array_index (report->entries, GzTopEntry, 1).name, ==, "b");
  g_assert_cmpstr (g_array_index (report->entries, GzTopEntry, 2).name, ==, "gone");
  g_assert_cmpint (report->shown, ==, 2);
}

/* --cum sorts by cumulative value, ties by name; --nodecount keeps the first N. */
static void
test_cum_sort (void)
{
  g_autoptr(GzProfile) profile = profile_new ();
  g_autoptr(GzTopReport) report = NULL;
  GzTopOptions options = { .sample_type = "samples", .sort_by_cum = TRUE };
  const char *order[] = { "main", "y", "z", "x" };

  add_sample (profile, "x;y;main", 3);
  add_sample (profile, "z;main", 4);
  add_sample (profile, "y;main", 2);
  report = top (profile, &options);
  g_assert_cmpuint (report->entries->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    g_assert_cmpstr (g_array_index (report->entries, GzTopEntry, i).name, ==, order[i]);
  g_clear_pointer (&report, gz_top_report_free);

  options.sort_by_cum = FALSE;
  options.node_count = 2;
  report = top (profile, &options);
  g_assert_cmpuint (report->entries->len, ==, 2);
  g_assert_cmpuint (report->n_kept, ==, 4);
  g_assert_cmpstr (g_array_index (report->entries, GzTopEntry, 0).name, ==, "z");
  g_assert_cmpstr (g_array_index (report->entries, GzTopEntry, 1).name, ==, "x");
  g_assert_cmpint (report->shown, ==, 7);
}

/* Nodes whose |cum| is under total × fraction are dropped and counted. */
static void
test_node_fraction (void)
{
  g_autoptr(GzProfile) profile = profile_new ();
  g_autoptr(GzTopReport) report = NULL;
  GzTopOptions options = { .sample_type = "samples", .node_fraction = 0.1 };

  add_sample (profile, "big;main", 95);
  add_sample (profile, "small;main", 5);
  report = top (profile, &options);
  g_assert_cmpuint (report->n_dropped, ==, 1);
  g_assert_cmpint (report->drop_cutoff, ==, 10);
  g_assert_null (find_entry (report, "small"));
  assert_entry (report, "big", 95, 95);
  g_assert_cmpint (report->shown, ==, 95);
}

static void
test_sample_types (void)
{
  g_autoptr(GzProfile) profile = profile_new ();
  g_autoptr(GzTopReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GzTopOptions options = { .sample_type = "alloc_space" };

  add_sample (profile, "a;main", 1);
  report = gz_profile_top_report (profile, &options, &error);
  g_assert_null (report);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "alloc_space"));
  g_assert_nonnull (strstr (error->message, "samples, cpu"));

  /* the profile's default_sample_type wins over the last one */
  profile->default_sample_type = g_strdup ("samples");
  report = top (profile, NULL);
  g_assert_cmpuint (report->sample_index, ==, 0);
  assert_entry (report, "a", 1, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/profile-top/recursion", test_recursion);
  g_test_add_func ("/profile-top/inlined", test_inlined);
  g_test_add_func ("/profile-top/focus", test_focus);
  g_test_add_func ("/profile-top/base", test_base);
  g_test_add_func ("/profile-top/cum-sort", test_cum_sort);
  g_test_add_func ("/profile-top/node-fraction", test_node_fraction);
  g_test_add_func ("/profile-top/sample-types", test_sample_types);

  return g_test_run ();
}
