/* test-profile-delta.c: gz_profile_subtract, the one delta, on profiles built by hand with known
 * values, and on two profiles of this process symbolized separately. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib.h>

#include "gz-profile-builder.h"
#include "gz-profile-delta.h"
#include "gz-profile-top.h"

/* A profile with the given sample types (type/unit pairs, NULL-terminated) taken at @time. */
static GzProfile *
profile_new (gint64             time_nanos,
             const char * const *types)
{
  GzProfile *profile = gz_profile_new ();

  for (guint i = 0; types[i] != NULL; i += 2)
    g_ptr_array_add (profile->sample_types, gz_value_type_new (types[i], types[i + 1]));
  profile->time_nanos = time_nanos;
  return profile;
}

static const char * const contention_types[] = {
  "contentions", "count", "delay", "nanoseconds", NULL,
};
static const char * const memory_types[] = {
  "alloc_objects", "count", "alloc_space", "bytes",
  "inuse_objects", "count", "inuse_space", "bytes", NULL,
};

/* A location at @address in a function named @name (one function per location): its id. */
static guint64
add_location (GzProfile  *profile,
              guint64     address,
              const char *name)
{
  GzFunction *function = gz_function_new ();
  GzLocation *location = gz_location_new ();
  GzLine line = { 0, };

  function->id = profile->functions->len + 1;
  function->name = g_strdup (name);
  g_ptr_array_add (profile->functions, function);

  location->id = profile->locations->len + 1;
  location->address = address;
  line.function_id = function->id;
  g_array_append_val (location->lines, line);
  g_ptr_array_add (profile->locations, location);
  return location->id;
}

/* A sample of the locations @ids (leaf first, 0-terminated) with one value per sample type and
 * an optional text label thread=@thread. */
static void
add_sample (GzProfile     *profile,
            const guint64 *ids,
            const gint64  *values,
            const char    *thread)
{
  GzSample *sample = gz_sample_new ();

  for (guint i = 0; ids[i] != 0; i++)
    g_array_append_val (sample->location_ids, ids[i]);
  g_array_append_vals (sample->values, values, profile->sample_types->len);
  if (thread != NULL)
    {
      GzLabel label = { g_strdup ("thread"), g_strdup (thread), 0, NULL };

      g_array_append_val (sample->labels, label);
    }
  g_ptr_array_add (profile->samples, sample);
}

/* The sample whose leaf function is @leaf (and whose thread label is @thread, if given). */
static GzSample *
find_sample (GzProfile  *profile,
             const char *leaf,
             const char *thread)
{
  for (guint i = 0; i < profile->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i);
      GzLocation *location =
        gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, 0));
      g_autofree char *name = gz_profile_location_name (profile, location);
      const char *label = NULL;

      if (sample->labels->len > 0)
        label = g_array_index (sample->labels, GzLabel, 0).str;
      if (g_strcmp0 (name, leaf) == 0 && (thread == NULL || g_strcmp0 (label, thread) == 0))
        return sample;
    }
  return NULL;
}

static gint64
value_of (GzSample *sample,
          guint     index)
{
  g_assert_nonnull (sample);
  return g_array_index (sample->values, gint64, index);
}

static void
assert_valid (GzProfile *profile)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_no_error (error);
}

/* A stack in both: end − start, per value. */
static void
test_same_stack (void)
{
  g_autoptr(GzProfile) start = profile_new (1000, contention_types);
  g_autoptr(GzProfile) end = profile_new (5000, contention_types);
  guint64 s[3], e[3];

  s[0] = add_location (start, 0x1000, "lock_wait");
  s[1] = add_location (start, 0x2000, "main");
  s[2] = 0;
  add_sample (start, s, (gint64[]) { 3, 300 }, NULL);
  e[0] = add_location (end, 0x1000, "lock_wait");
  e[1] = add_location (end, 0x2000, "main");
  e[2] = 0;
  add_sample (end, e, (gint64[]) { 5, 700 }, NULL);

  gz_profile_subtract (end, start, NULL);

  g_assert_cmpuint (end->samples->len, ==, 1);
  g_assert_cmpint (value_of (find_sample (end, "lock_wait", NULL), 0), ==, 2);
  g_assert_cmpint (value_of (find_sample (end, "lock_wait", NULL), 1), ==, 400);
  /* @start is read, never changed. */
  g_assert_cmpint (value_of (find_sample (start, "lock_wait", NULL), 0), ==, 3);
  assert_valid (end);
}

/* A stack only in @end is new: kept whole. A stack only in @start is gone: not in the result. */
static void
test_new_and_gone (void)
{
  g_autoptr(GzProfile) start = profile_new (1000, contention_types);
  g_autoptr(GzProfile) end = profile_new (5000, contention_types);
  guint64 gone[] = { add_location (start, 0x3000, "gone"), 0 };
  guint64 fresh[] = { add_location (end, 0x4000, "fresh"), 0 };

  add_sample (start, gone, (gint64[]) { 9, 900 }, NULL);
  add_sample (end, fresh, (gint64[]) { 1, 10 }, NULL);

  gz_profile_subtract (end, start, NULL);

  g_assert_cmpuint (end->samples->len, ==, 1);
  g_assert_cmpint (value_of (find_sample (end, "fresh", NULL), 0), ==, 1);
  g_assert_cmpint (value_of (find_sample (end, "fresh", NULL), 1), ==, 10);
  g_assert_null (find_sample (end, "gone", NULL));
  assert_valid (end);
}

/* A stack with nothing new is dropped, and with it the locations and functions only it used;
 * the others are renumbered 1..N and the samples follow them. */
static void
test_all_zero_dropped (void)
{
  g_autoptr(GzProfile) start = profile_new (1000, contention_types);
  g_autoptr(GzProfile) end = profile_new (5000, contention_types);
  guint64 idle_start[] = { add_location (start, 0x1000, "idle"), 0 };
  guint64 idle_end[] = { add_location (end, 0x1000, "idle"), 0 };
  guint64 busy_end[] = { add_location (end, 0x2000, "busy"), add_location (end, 0x1000, "idle"),
                         0 };
  GzSample *busy;
  GzLocation *leaf;

  add_sample (start, idle_start, (gint64[]) { 4, 40 }, NULL);
  add_sample (end, idle_end, (gint64[]) { 4, 40 }, NULL);
  add_sample (end, busy_end, (gint64[]) { 2, 20 }, NULL);
  g_assert_cmpuint (end->locations->len, ==, 3);

  gz_profile_subtract (end, start, NULL);

  g_assert_cmpuint (end->samples->len, ==, 1);
  g_assert_null (find_sample (end, "idle", NULL));
  busy = find_sample (end, "busy", NULL);
  g_assert_cmpint (value_of (busy, 0), ==, 2);
  /* The first "idle" location (used by the dropped sample only) and its function are gone. */
  g_assert_cmpuint (end->locations->len, ==, 2);
  g_assert_cmpuint (end->functions->len, ==, 2);
  g_assert_cmpuint (g_array_index (busy->location_ids, guint64, 0), ==, 1);
  g_assert_cmpuint (g_array_index (busy->location_ids, guint64, 1), ==, 2);
  leaf = gz_profile_get_location (end, 1);
  g_assert_cmpuint (leaf->address, ==, 0x2000);
  g_assert_cmpstr (gz_profile_get_function (end, g_array_index (leaf->lines, GzLine, 0)
                                                   .function_id)->name, ==, "busy");
  assert_valid (end);
}

/* The types in @keep are a state: @end's value stays. A stack with no new allocations but
 * memory still in use stays; one with neither goes. */
static void
test_keep (void)
{
  g_autoptr(GzProfile) start = profile_new (1000, memory_types);
  g_autoptr(GzProfile) end = profile_new (5000, memory_types);
  const char * const keep[] = { "inuse_objects", "inuse_space", NULL };
  guint64 grow_s[] = { add_location (start, 0x100, "grow"), 0 };
  guint64 hold_s[] = { add_location (start, 0x200, "hold"), 0 };
  guint64 freed_s[] = { add_location (start, 0x300, "freed"), 0 };
  guint64 grow_e[] = { add_location (end, 0x100, "grow"), 0 };
  guint64 hold_e[] = { add_location (end, 0x200, "hold"), 0 };
  guint64 freed_e[] = { add_location (end, 0x300, "freed"), 0 };
  GzSample *grow, *hold;

  add_sample (start, grow_s, (gint64[]) { 10, 1000, 10, 1000 }, NULL);
  add_sample (start, hold_s, (gint64[]) { 5, 500, 5, 500 }, NULL);
  add_sample (start, freed_s, (gint64[]) { 7, 700, 7, 700 }, NULL);
  add_sample (end, grow_e, (gint64[]) { 25, 2500, 12, 1200 }, NULL);
  add_sample (end, hold_e, (gint64[]) { 5, 500, 5, 500 }, NULL);
  add_sample (end, freed_e, (gint64[]) { 7, 700, 0, 0 }, NULL);

  gz_profile_subtract (end, start, keep);

  g_assert_cmpuint (end->samples->len, ==, 2);
  grow = find_sample (end, "grow", NULL);
  g_assert_cmpint (value_of (grow, 0), ==, 15);
  g_assert_cmpint (value_of (grow, 1), ==, 1500);
  g_assert_cmpint (value_of (grow, 2), ==, 12);
  g_assert_cmpint (value_of (grow, 3), ==, 1200);
  hold = find_sample (end, "hold", NULL);
  g_assert_cmpint (value_of (hold, 0), ==, 0);
  g_assert_cmpint (value_of (hold, 1), ==, 0);
  g_assert_cmpint (value_of (hold, 2), ==, 5);
  g_assert_cmpint (value_of (hold, 3), ==, 500);
  g_assert_null (find_sample (end, "freed", NULL));
  assert_valid (end);

  /* Without @keep the same in-use values are subtracted like the rest. */
  {
    g_autoptr(GzProfile) start2 = profile_new (1000, memory_types);
    g_autoptr(GzProfile) end2 = profile_new (5000, memory_types);
    guint64 s[] = { add_location (start2, 0x100, "grow"), 0 };
    guint64 e[] = { add_location (end2, 0x100, "grow"), 0 };

    add_sample (start2, s, (gint64[]) { 10, 1000, 10, 1000 }, NULL);
    add_sample (end2, e, (gint64[]) { 25, 2500, 12, 1200 }, NULL);
    gz_profile_subtract (end2, start2, NULL);
    g_assert_cmpint (value_of (find_sample (end2, "grow", NULL), 2), ==, 2);
    g_assert_cmpint (value_of (find_sample (end2, "grow", NULL), 3), ==, 200);
  }
}

/* Text labels are part of a sample's identity: the same stack on two threads is two samples. */
static void
test_labels (void)
{
  g_autoptr(GzProfile) start = profile_new (1000, contention_types);
  g_autoptr(GzProfile) end = profile_new (5000, contention_types);
  guint64 s[] = { add_location (start, 0x1000, "wait"), 0 };
  guint64 e[] = { add_location (end, 0x1000, "wait"), 0 };

  add_sample (start, s, (gint64[]) { 5, 50 }, "a");
  add_sample (start, s, (gint64[]) { 1, 10 }, "b");
  add_sample (end, e, (gint64[]) { 6, 60 }, "a");
  add_sample (end, e, (gint64[]) { 4, 40 }, "b");
  add_sample (end, e, (gint64[]) { 2, 20 }, "c");

  gz_profile_subtract (end, start, NULL);

  g_assert_cmpuint (end->samples->len, ==, 3);
  g_assert_cmpint (value_of (find_sample (end, "wait", "a"), 0), ==, 1);
  g_assert_cmpint (value_of (find_sample (end, "wait", "a"), 1), ==, 10);
  g_assert_cmpint (value_of (find_sample (end, "wait", "b"), 0), ==, 3);
  g_assert_cmpint (value_of (find_sample (end, "wait", "c"), 0), ==, 2);
  assert_valid (end);
}

/* Two profiles symbolized separately number their locations differently: samples match by each
 * frame's address and name, not by id. The same name at another address is another stack. */
static void
test_match_by_address_and_name (void)
{
  g_autoptr(GzProfile) start = profile_new (1000, contention_types);
  g_autoptr(GzProfile) end = profile_new (5000, contention_types);
  guint64 other = add_location (start, 0x9000, "other");
  guint64 leaf_s = add_location (start, 0x1000, "leaf");
  guint64 root_s = add_location (start, 0x2000, "root");
  guint64 moved_s = add_location (start, 0x5000, "moved");
  guint64 moved_e = add_location (end, 0x5008, "moved");
  guint64 root_e = add_location (end, 0x2000, "root");
  guint64 leaf_e = add_location (end, 0x1000, "leaf");

  add_sample (start, (guint64[]) { other, 0 }, (gint64[]) { 1, 1 }, NULL);
  add_sample (start, (guint64[]) { leaf_s, root_s, 0 }, (gint64[]) { 3, 30 }, NULL);
  add_sample (start, (guint64[]) { moved_s, 0 }, (gint64[]) { 4, 40 }, NULL);
  add_sample (end, (guint64[]) { leaf_e, root_e, 0 }, (gint64[]) { 8, 80 }, NULL);
  add_sample (end, (guint64[]) { moved_e, 0 }, (gint64[]) { 4, 40 }, NULL);
  g_assert_cmpuint (leaf_s, !=, leaf_e);
  g_assert_cmpuint (root_s, !=, root_e);

  gz_profile_subtract (end, start, NULL);

  g_assert_cmpuint (end->samples->len, ==, 2);
  g_assert_cmpint (value_of (find_sample (end, "leaf", NULL), 0), ==, 5);
  g_assert_cmpint (value_of (find_sample (end, "leaf", NULL), 1), ==, 50);
  /* Not matched with 0x5000: kept whole. */
  g_assert_cmpint (value_of (find_sample (end, "moved", NULL), 0), ==, 4);
  assert_valid (end);
}

/* The duration is the time between the two profiles, never negative. */
static void
test_duration (void)
{
  g_autoptr(GzProfile) start = profile_new (1000, contention_types);
  g_autoptr(GzProfile) end = profile_new (5000, contention_types);
  g_autoptr(GzProfile) early = profile_new (500, contention_types);

  end->duration_nanos = 123;
  gz_profile_subtract (end, start, NULL);
  g_assert_cmpint (end->time_nanos, ==, 5000);
  g_assert_cmpint (end->duration_nanos, ==, 4000);

  gz_profile_subtract (early, start, NULL);
  g_assert_cmpint (early->duration_nanos, ==, 0);
}

/* Two stacks of this process, given to two builders in different orders and symbolized by each
 * finish: the delta matches them by name and address. */
static __attribute__ ((noinline, noipa)) void
delta_test_alpha (guint64 *pc)
{
  *pc = (guint64) (guintptr) __builtin_return_address (0);
}

static __attribute__ ((noinline, noipa)) void
delta_test_beta (guint64 *pc)
{
  *pc = (guint64) (guintptr) __builtin_return_address (0);
}

static __attribute__ ((noinline, noipa)) void
delta_test_alpha_caller (guint64 *pcs)
{
  pcs[0] = (guint64) (guintptr) delta_test_alpha;
  delta_test_alpha (&pcs[1]);
}

static gint64
flat_of (GzProfile  *profile,
         const char *function)
{
  g_autoptr(GArray) top = gz_profile_top (profile, 0, 0);

  for (guint i = 0; i < top->len; i++)
    if (g_strcmp0 (g_array_index (top, GzTopEntry, i).name, function) == 0)
      return g_array_index (top, GzTopEntry, i).flat;
  return -1;
}

static void
test_symbolized (void)
{
  g_autoptr(GzProfileBuilder) first = gz_profile_builder_new (GZ_PROFILE_TYPE_BLOCK);
  g_autoptr(GzProfileBuilder) second = gz_profile_builder_new (GZ_PROFILE_TYPE_BLOCK);
  g_autoptr(GzProfile) start = NULL;
  g_autoptr(GzProfile) end = NULL;
  g_autoptr(GError) error = NULL;
  guint64 alpha[2], beta[2];

  /* Leaf exact at the function's entry, then a return address in its caller. */
  delta_test_alpha_caller (alpha);
  beta[0] = (guint64) (guintptr) delta_test_beta;
  delta_test_beta (&beta[1]);

  gz_profile_builder_set_time (first, 1000, 0);
  gz_profile_builder_add_sample (first, alpha, 2, GZ_STACK_FLAGS_LEAF_EXACT,
                                 (gint64[]) { 2, 200 }, NULL, 0);
  gz_profile_builder_add_sample (first, beta, 2, GZ_STACK_FLAGS_LEAF_EXACT,
                                 (gint64[]) { 1, 100 }, NULL, 0);
  start = gz_profile_builder_finish (first, NULL, &error);
  g_assert_no_error (error);

  gz_profile_builder_set_time (second, 9000, 0);
  gz_profile_builder_add_sample (second, beta, 2, GZ_STACK_FLAGS_LEAF_EXACT,
                                 (gint64[]) { 1, 100 }, NULL, 0);
  gz_profile_builder_add_sample (second, alpha, 2, GZ_STACK_FLAGS_LEAF_EXACT,
                                 (gint64[]) { 7, 900 }, NULL, 0);
  end = gz_profile_builder_finish (second, NULL, &error);
  g_assert_no_error (error);

  /* Built in the other order: the first location of each profile is another function. */
  g_assert_cmpuint (gz_profile_get_location (start, 1)->address, ==, alpha[0]);
  g_assert_cmpuint (gz_profile_get_location (end, 1)->address, ==, beta[0]);

  gz_profile_subtract (end, start, NULL);

  g_assert_cmpuint (end->samples->len, ==, 1);
  g_assert_cmpint (flat_of (end, "delta_test_alpha"), ==, 5);
  g_assert_cmpint (flat_of (end, "delta_test_beta"), ==, -1);
  g_assert_cmpint (end->duration_nanos, ==, 8000);
  assert_valid (end);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/profile/delta/same-stack", test_same_stack);
  g_test_add_func ("/profile/delta/new-and-gone", test_new_and_gone);
  g_test_add_func ("/profile/delta/all-zero-dropped", test_all_zero_dropped);
  g_test_add_func ("/profile/delta/keep", test_keep);
  g_test_add_func ("/profile/delta/labels", test_labels);
  g_test_add_func ("/profile/delta/match-by-address-and-name", test_match_by_address_and_name);
  g_test_add_func ("/profile/delta/duration", test_duration);
  g_test_add_func ("/profile/delta/symbolized", test_symbolized);

  return g_test_run ();
}
