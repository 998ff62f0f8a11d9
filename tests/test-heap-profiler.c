/* test-heap-profiler.c: the memory profile end to end: a known function holding 64 MiB is the top
 * inuse_space function with about the right size, in our decoder and in `go tool pprof`. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "gz-profile-top.h"
#include "gz-heap-sampler.h"
#include "gz-heap-profiler.h"

#if defined (GZ_HAVE_TCMALLOC) && (1 - GZ_HAVE_TCMALLOC - 1 != 0)
#define HAVE_WRAPPERS 1
#else
#define HAVE_WRAPPERS 0
#endif

#define HOG_BYTES (64 * 1024 * 1024)
#define PIECE 4096
#define N_PIECES (HOG_BYTES / PIECE)

static void (*volatile free_fn) (void *) = free;

/* Allocates and frees before the profile starts: must not show in it. */
static __attribute__ ((noinline, noipa)) void
heap_test_before (void)
{
  for (guint i = 0; i < 4096; i++)
    {
      void *p = malloc (16384);

      ((volatile char *) p)[0] = 1;
      free_fn (p);
    }
}

static __attribute__ ((noinline, noipa)) void
heap_test_hog (void **ptrs)
{
  for (guint i = 0; i < N_PIECES; i++)
    {
      ptrs[i] = malloc (PIECE);
      ((volatile char *) ptrs[i])[0] = 1;
    }
}

static const GzTopEntry *
find_entry (GArray     *top,
            const char *name)
{
  for (guint i = 0; i < top->len; i++)
    {
      if (g_strcmp0 (g_array_index (top, GzTopEntry, i).name, name) == 0)
        return &g_array_index (top, GzTopEntry, i);
    }
  return NULL;
}

/* @function's flat and cumulative totals of @sample_type (0 when it is not in the profile). */
static GzTopEntry
totals_of (GzProfile  *profile,
           const char *sample_type,
           const char *function)
{
  int index = gz_profile_find_sample_type (profile, sample_type);
  g_autoptr(GArray) top = NULL;
  const GzTopEntry *entry;
  GzTopEntry totals = { NULL, 0, 0 };

  g_assert_cmpint (index, >=, 0);
  top = gz_profile_top (profile, (guint) index, 0);
  entry = find_entry (top, function);
  if (entry != NULL)
    {
      totals.flat = entry->flat;
      totals.cum = entry->cum;
    }
  return totals;
}

static void
assert_near (gint64 value,
             gint64 expected,
             double tolerance)
{
  double error = fabs ((double) value - (double) expected) / (double) expected;

  if (error > tolerance)
    g_error ("%" G_GINT64_FORMAT " is not within %.0f%% of %" G_GINT64_FORMAT, value,
             100 * tolerance, expected);
}

/* The first function of `go tool pprof -top -sample_index=inuse_space`, or NULL without go. */
static char *
go_top_function (const char *path,
                 const char *dir)
{
  g_autofree char *go = g_find_program_in_path ("go");
  g_autofree char *tmp = g_build_filename (dir, "pprof", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean header_seen = FALSE;

  if (go == NULL)
    return NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "PPROF_TMPDIR", tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", dir, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, go, "tool", "pprof", "-top",
                                      "-sample_index=inuse_space", path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("go tool pprof -top %s failed: %s", path, err);
  g_test_message ("go tool pprof -top -sample_index=inuse_space:\n%s", out);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (strstr (lines[i], "flat%") != NULL)
        {
          header_seen = TRUE;
          continue;
        }
      if (!header_seen)
        continue;
      /* flat flat% sum% cum cum% name */
      fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      for (guint f = g_strv_length (fields); f > 0; f--)
        {
          if (*fields[f - 1] != '\0')
            return g_strdup (fields[f - 1]);
        }
    }
  return g_strdup ("");
}

static void
test_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) snapshot = NULL;
  g_autoptr(GzProfile) decoded = NULL;
  g_autoptr(GArray) top = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *go_top = NULL;
  const char *expected_types[] = { "alloc_objects", "alloc_space", "inuse_objects",
                                   "inuse_space" };
  void **ptrs;
  int inuse;

  if (!HAVE_WRAPPERS)
    {
      g_assert_null (gz_heap_profiler_new (NULL, &error));
      g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED);
      g_test_skip ("built without tcmalloc: no allocation wrappers");
      return;
    }

  heap_test_before ();

  profiler = gz_heap_profiler_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_profiler_get_profile_type (profiler), ==, GZ_PROFILE_TYPE_MEMORY);
  g_assert_true (gz_profiler_start (profiler, &error));
  g_assert_no_error (error);

  ptrs = g_new (void *, N_PIECES);
  heap_test_hog (ptrs);

  profile = gz_profiler_stop (profiler, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (profile->sample_types->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (((GzValueType *) profile->sample_types->pdata[i])->type, ==,
                     expected_types[i]);
  g_assert_cmpint (profile->period, ==, GZ_HEAP_SAMPLER_DEFAULT_RATE);
  g_assert_cmpint (profile->time_nanos, >, 0);
  g_assert_cmpint (profile->duration_nanos, >, 0);

  /* The hog dominates what is in use, with about its size (sd ~3%: 25% never fails). */
  inuse = gz_profile_find_sample_type (profile, "inuse_space");
  top = gz_profile_top (profile, (guint) inuse, 5);
  g_assert_cmpuint (top->len, >, 0);
  g_assert_cmpstr (g_array_index (top, GzTopEntry, 0).name, ==, "heap_test_hog");
  assert_near (g_array_index (top, GzTopEntry, 0).flat, HOG_BYTES, 0.25);
  assert_near (totals_of (profile, "alloc_space", "heap_test_hog").flat, HOG_BYTES, 0.25);
  assert_near (totals_of (profile, "inuse_objects", "heap_test_hog").flat, N_PIECES, 0.25);
  /* Allocated and freed before start: neither allocated in the interval nor in use. */
  g_assert_cmpint (totals_of (profile, "alloc_space", "heap_test_before").flat, ==, 0);
  g_assert_cmpint (totals_of (profile, "inuse_space", "heap_test_before").flat, ==, 0);
  /* Building the start profile (symbolizing: megabytes of debug information read) is gz's
   * work, not the session's: none of it is sampled. */
  g_assert_cmpint (totals_of (profile, "alloc_space", "gz_profiler_start").cum, ==, 0);
  g_assert_cmpint (totals_of (profile, "alloc_space", "test_profile").cum, >=,
                   HOG_BYTES * 3 / 4);

  /* Written, read back by our decoder and by go tool pprof. */
  dir = g_dir_make_tmp ("gz-heap-profiler-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "memory.prof", NULL);
  g_assert_true (gz_profile_write_file (profile, path, &error));
  g_assert_no_error (error);
  decoded = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (totals_of (decoded, "inuse_space", "heap_test_hog").flat, ==,
                   g_array_index (top, GzTopEntry, 0).flat);

  go_top = go_top_function (path, dir);
  if (go_top == NULL)
    g_test_message ("go is not installed: not reading the profile with go tool pprof");
  else
    g_assert_cmpstr (go_top, ==, "heap_test_hog");

  /* Freed: a snapshot (since the process started) has it allocated but no longer in use. */
  for (guint i = 0; i < N_PIECES; i++)
    free_fn (ptrs[i]);
  g_free (ptrs);
  snapshot = gz_profiler_snapshot (profiler, &error);
  g_assert_no_error (error);
  g_assert_cmpint (snapshot->duration_nanos, ==, 0);
  g_assert_cmpint (totals_of (snapshot, "inuse_space", "heap_test_hog").flat, ==, 0);
  assert_near (totals_of (snapshot, "alloc_space", "heap_test_hog").flat, HOG_BYTES, 0.25);
  g_assert_cmpint (totals_of (snapshot, "alloc_space", "heap_test_before").flat, >, 0);

  {
    g_autofree char *tmp = g_build_filename (dir, "pprof", NULL);

    g_unlink (path);
    g_rmdir (tmp);
    g_rmdir (dir);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/heap-profiler/profile", test_profile);

  return g_test_run ();
}
