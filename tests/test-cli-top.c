/* test-cli-top.c: `gz-cli profile top` agrees with `go tool pprof -top` on every function's flat
 * and cumulative values, for profiles written by Go (runtime/pprof, net/http/pprof; the writer
 * is built here from tests/go/profile-writer.go) and by our core; and bad input gets one line
 * and a non-zero exit. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "gz-profile.h"
#include "gz-test-cli.h"

static char *tmp_dir;       /* removed at the end */
static char *go_dir;        /* the Go-written profiles, or NULL when go is missing */
static const char *skip_why;

/* Runs @argv to its end; returns the exit status, *out and *err get the output. */
static int
run (const char * const *argv,
     char              **out,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_build_filename (tmp_dir, "home", NULL);
  g_auto(GStrv) env = g_get_environ ();
  int status;

  g_mkdir_with_parents (home, 0700);
  env = g_environ_setenv (env, "HOME", home, TRUE);
  env = g_environ_setenv (env, "PPROF_TMPDIR", home, TRUE);
  env = g_environ_unsetenv (env, "PPROF_BINARY_PATH");
  env = g_environ_setenv (env, "LC_ALL", "C", TRUE);
  g_spawn_sync (tmp_dir, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                &error);
  g_assert_no_error (error);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

/* The Go writer, built once into the build dir's cache and run into tmp_dir/go. */
static void
write_go_profiles (void)
{
  g_autofree char *go = g_find_program_in_path ("go");
  const char *source = g_getenv ("GZ_TEST_GO_WRITER");
  const char *cache = g_getenv ("GZ_TEST_GO_CACHE");
  g_autofree char *exe = NULL;
  g_autofree char *gopath = g_build_filename (tmp_dir, "gopath", NULL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  if (go == NULL)
    {
      skip_why = "go is not installed (Debian's golang-go writes the Go profiles and runs pprof)";
      return;
    }
  g_assert_nonnull (source);
  g_assert_nonnull (cache);
  exe = g_build_filename (tmp_dir, "profile-writer", NULL);
  go_dir = g_build_filename (tmp_dir, "go", NULL);
  g_mkdir_with_parents (go_dir, 0700);
  g_setenv ("GOCACHE", cache, TRUE);
  g_setenv ("GOPATH", gopath, TRUE);
  g_setenv ("GOFLAGS", "", TRUE);
  g_setenv ("GO111MODULE", "off", TRUE);
  g_setenv ("GOPROXY", "off", TRUE);
  {
    const char *argv[] = { go, "build", "-o", exe, source, NULL };

    status = run (argv, &out, &err);
    if (status != 0)
      g_error ("go build %s failed: %s", source, err);
  }
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  {
    const char *argv[] = { exe, go_dir, NULL };

    status = run (argv, &out, &err);
    if (status != 0)
      g_error ("%s failed: %s", exe, err);
  }
}

typedef struct
{
  GHashTable *flat;  /* name -> double * */
  GHashTable *cum;
  double      shown; /* "Showing nodes accounting for X" */
  double      total; /* "…, Y% of Z total" */
  int         dropped;
  guint       rows;
} Top;

static void
top_clear (Top *top)
{
  g_clear_pointer (&top->flat, g_hash_table_unref);
  g_clear_pointer (&top->cum, g_hash_table_unref);
}

/* "120000000ns", "3694688B", "96", "0", "-5": the number, whatever its unit suffix. */
static double
parse_value (const char *text)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  g_assert_true (end != text);
  return v;
}

static double *
boxed (double v)
{
  return g_memdup2 (&v, sizeof v);
}

/* The rows and summary lines of a -top output (pprof's or ours). */
static void
parse_top (const char *output,
           Top        *top)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  gboolean in_rows = FALSE;

  top->flat = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  top->cum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  top->shown = 0;
  top->dropped = 0;
  top->rows = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "Showing nodes accounting for "))
        {
          top->shown = parse_value (line + strlen ("Showing nodes accounting for "));
          g_assert_nonnull (strstr (line, " of "));
          top->total = parse_value (strstr (line, " of ") + strlen (" of "));
        }
      else if (g_str_has_prefix (line, "Dropped "))
        top->dropped = atoi (line + strlen ("Dropped "));
      else if (g_str_has_prefix (line + strspn (line, " "), "flat ") && strstr (line, "cum%"))
        in_rows = TRUE; /* the column titles (ours widen with the values) */
      else if (in_rows && line[0] != '\0')
        {
          g_autofree char *copy = g_strstrip (g_strdup (line));
          g_auto(GStrv) parts = g_strsplit_set (copy, " ", 0);
          g_autoptr(GPtrArray) fields = g_ptr_array_new ();
          g_autofree char *name = NULL;
          guint rest;

          for (guint j = 0; parts[j] != NULL; j++)
            if (parts[j][0] != '\0')
              g_ptr_array_add (fields, parts[j]);
          g_assert_cmpuint (fields->len, >=, 6);
          /* the name is what follows the five columns and two spaces */
          rest = 0;
          for (guint col = 0; col < 5; col++)
            {
              const char *at = strstr (line + rest, g_ptr_array_index (fields, col));

              rest = (guint) (at - line) + strlen (g_ptr_array_index (fields, col));
            }
          name = g_strstrip (g_strdup (line + rest));
          /* pprof marks inlined functions; the function is the same */
          if (g_str_has_suffix (name, " (inline)"))
            name[strlen (name) - strlen (" (inline)")] = '\0';
          else if (g_str_has_suffix (name, " (partial-inline)"))
            name[strlen (name) - strlen (" (partial-inline)")] = '\0';
          g_assert_false (g_hash_table_contains (top->flat, name));
          g_hash_table_insert (top->flat, g_strdup (name),
                               boxed (parse_value (g_ptr_array_index (fields, 0))));
          g_hash_table_insert (top->cum, g_strdup (name),
                               boxed (parse_value (g_ptr_array_index (fields, 3))));
          top->rows++;
        }
    }
}

/* pprof prints the values with two decimals. */
static void
assert_close (double      ours,
              double      theirs,
              const char *what,
              const char *name)
{
  if (fabs (ours - theirs) > 0.0051 + fabs (theirs) * 1e-12)
    g_error ("%s of %s: gz-cli %.2f, pprof %.2f", what, name, ours, theirs);
}

/* gz-cli profile top --raw ARGS… FILE against go tool pprof -top -unit=U PPROF_ARGS… FILE. */
static void
compare_top (const char  *file,
             const char  *unit,
             const char **our_args,
             const char **pprof_args)
{
  g_autoptr(GPtrArray) ours = g_ptr_array_new ();
  g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *go = g_find_program_in_path ("go");
  g_autofree char *our_out = NULL;
  g_autofree char *our_err = NULL;
  g_autofree char *pprof_out = NULL;
  g_autofree char *pprof_err = NULL;
  Top a = { 0 }, b = { 0 };
  GHashTableIter iter;
  gpointer key, value;

  g_ptr_array_add (ours, (gpointer) g_getenv ("GZ_CLI"));
  g_ptr_array_add (ours, "profile");
  g_ptr_array_add (ours, "top");
  g_ptr_array_add (ours, "--raw");
  for (guint i = 0; our_args != NULL && our_args[i] != NULL; i++)
    g_ptr_array_add (ours, (gpointer) our_args[i]);
  g_ptr_array_add (ours, (gpointer) file);
  g_ptr_array_add (ours, NULL);

  g_ptr_array_add (theirs, g_strdup (go));
  g_ptr_array_add (theirs, g_strdup ("tool"));
  g_ptr_array_add (theirs, g_strdup ("pprof"));
  g_ptr_array_add (theirs, g_strdup ("-top"));
  if (g_strcmp0 (unit, "nanoseconds") == 0)
    g_ptr_array_add (theirs, g_strdup ("-unit=ns"));
  else if (g_strcmp0 (unit, "bytes") == 0)
    g_ptr_array_add (theirs, g_strdup ("-unit=B"));
  for (guint i = 0; pprof_args != NULL && pprof_args[i] != NULL; i++)
    g_ptr_array_add (theirs, g_strdup (pprof_args[i]));
  g_ptr_array_add (theirs, g_strdup (file));
  g_ptr_array_add (theirs, NULL);

  g_assert_cmpint (run ((const char * const *) ours->pdata, &our_out, &our_err), ==, 0);
  g_assert_cmpint (run ((const char * const *) theirs->pdata, &pprof_out, &pprof_err), ==, 0);
  g_test_message ("gz-cli:\n%s\npprof:\n%s%s", our_out, pprof_out, pprof_err);

  parse_top (our_out, &a);
  parse_top (pprof_out, &b);
  g_assert_cmpuint (b.rows, >, 0);
  g_assert_cmpuint (a.rows, ==, b.rows);
  g_assert_cmpint (a.dropped, ==, b.dropped);
  assert_close (a.shown, b.shown, "shown total", file);
  assert_close (a.total, b.total, "total", file);
  g_hash_table_iter_init (&iter, b.flat);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double *flat = g_hash_table_lookup (a.flat, key);
      double *cum = g_hash_table_lookup (a.cum, key);

      if (flat == NULL)
        g_error ("%s: pprof shows %s, gz-cli does not", file, (char *) key);
      assert_close (*flat, *(double *) value, "flat", key);
      assert_close (*cum, *(double *) g_hash_table_lookup (b.cum, key), "cum", key);
    }
  top_clear (&a);
  top_clear (&b);
}

static char *
go_profile (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.prof", name);

  return g_build_filename (go_dir, file, NULL);
}

static gboolean
need_go (void)
{
  if (go_dir != NULL)
    return TRUE;
  g_test_skip (skip_why);
  return FALSE;
}

/* Every sample type of every Go profile, with pprof's defaults (node dropping included). */
static void
test_go_profiles (void)
{
  const char *names[] = { "cpu", "heap", "mutex", "block", "goroutine" };

  if (!need_go ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = go_profile (names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GzProfile) profile = gz_profile_read_file (path, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (profile->samples->len, >, 0);
      for (guint t = 0; t < profile->sample_types->len; t++)
        {
          GzValueType *vt = g_ptr_array_index (profile->sample_types, t);
          g_autofree char *index = g_strdup_printf ("-sample_index=%s", vt->type);
          const char *our_args[] = { "--sample-type", vt->type, NULL };
          const char *pprof_args[] = { index, NULL };

          compare_top (path, vt->unit, our_args, pprof_args);
        }
    }
}

/* What Go writes and we must read: inlined lines, labels, period, mappings. */
static void
test_go_decode (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GzProfile) cpu = NULL;
  g_autoptr(GError) error = NULL;
  gboolean inlined = FALSE;
  gboolean labelled = FALSE;

  if (!need_go ())
    return;
  path = go_profile ("cpu");
  cpu = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cpu->period_type.type, ==, "cpu");
  g_assert_cmpstr (cpu->period_type.unit, ==, "nanoseconds");
  g_assert_cmpint (cpu->period, >, 0);
  g_assert_cmpuint (cpu->mappings->len, >, 0);
  g_assert_true (g_str_has_suffix (((GzMapping *) g_ptr_array_index (cpu->mappings, 0))->filename,
                                   "profile-writer"));
  for (guint i = 0; i < cpu->locations->len; i++)
    inlined |= ((GzLocation *) g_ptr_array_index (cpu->locations, i))->lines->len > 1;
  for (guint i = 0; i < cpu->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (cpu->samples, i);

      for (guint j = 0; j < sample->labels->len; j++)
        labelled |= g_strcmp0 (g_array_index (sample->labels, GzLabel, j).key, "phase") == 0;
    }
  g_assert_true (inlined);
  g_assert_true (labelled);
}

/* --cum, --nodecount, --focus, --node-fraction and --base against their pprof flags. */
static void
test_go_options (void)
{
  g_autofree char *cpu = NULL;
  g_autofree char *heap = NULL;
  g_autofree char *block = NULL;
  g_autofree char *mutex = NULL;
  g_autofree char *diff_base = NULL;

  if (!need_go ())
    return;
  cpu = go_profile ("cpu");
  heap = go_profile ("heap");
  block = go_profile ("block");
  mutex = go_profile ("mutex");
  diff_base = g_strdup_printf ("-diff_base=%s", mutex);

  {
    const char *ours[] = { "--cum", "--nodecount", "5", NULL };
    const char *theirs[] = { "-cum", "-nodecount=5", NULL };

    compare_top (cpu, "nanoseconds", ours, theirs);
  }
  {
    const char *ours[] = { "--focus", "recurse", "--node-fraction", "0", NULL };
    const char *theirs[] = { "-focus=recurse", "-nodefraction=0", NULL };

    compare_top (cpu, "nanoseconds", ours, theirs);
  }
  {
    const char *ours[] = { "--sample-type", "alloc_space", "--focus", "allocSmall", NULL };
    const char *theirs[] = { "-sample_index=alloc_space", "-focus=allocSmall", NULL };

    compare_top (heap, "bytes", ours, theirs);
  }
  {
    const char *ours[] = { "--base", mutex, "--node-fraction", "0", NULL };
    const char *theirs[] = { diff_base, "-nodefraction=0", NULL };

    compare_top (block, "nanoseconds", ours, theirs);
  }
}

/* A profile built and written by our core: recursion, an inlined frame, labels (text and
 * numeric) and a default sample type that is not the last. */
static void
test_core_profile (void)
{
  g_autoptr(GzProfile) profile = gz_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "core.prof", NULL);
  const char *names[] = { "main", "work", "inner", "outer" };
  /* stacks, leaf first, as location ids; location 3 has inner inlined into outer */
  const guint64 stacks[][6] = {
    { 2, 2, 2, 1, 0 }, { 3, 2, 1, 0 }, { 3, 4, 2, 1, 0 }, { 1, 0 }, { 4, 1, 0 },
  };
  const gint64 counts[] = { 7, 3, 5, 1, 2 };
  GzMapping *mapping = gz_mapping_new ();

  if (!need_go ())
    return;
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("samples", "count"));
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("cpu", "nanoseconds"));
  profile->period_type.type = g_strdup ("cpu");
  profile->period_type.unit = g_strdup ("nanoseconds");
  profile->period = 10000000;
  mapping->id = 1;
  mapping->memory_start = 0x400000;
  mapping->memory_limit = 0x500000;
  mapping->filename = g_strdup ("/usr/bin/core-test");
  mapping->has_functions = TRUE;
  g_ptr_array_add (profile->mappings, mapping);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GzFunction *function = gz_function_new ();

      function->id = i + 1;
      function->name = g_strdup (names[i]);
      function->system_name = g_strdup (names[i]);
      function->filename = g_strdup ("/src/core-test.c");
      g_ptr_array_add (profile->functions, function);
    }
  for (guint i = 0; i < 4; i++)
    {
      GzLocation *location = gz_location_new ();
      GzLine line = { i + 1, 10 + i };

      location->id = i + 1;
      location->mapping_id = 1;
      location->address = 0x401000 + 0x100 * i;
      if (i == 2)
        {
          GzLine inlined = { 3, 30 };

          g_array_append_val (location->lines, inlined);
          line.function_id = 4;
        }
      g_array_append_val (location->lines, line);
      g_ptr_array_add (profile->locations, location);
    }
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      GzSample *sample = gz_sample_new ();
      gint64 values[2] = { counts[i], counts[i] * 10000000 };

      GzLabel thread = { g_strdup ("thread"), g_strdup (i % 2 ? "worker" : "main"), 0, NULL };
      GzLabel bytes = { g_strdup ("bytes"), NULL, 64 * (i + 1), g_strdup ("bytes") };

      for (guint j = 0; stacks[i][j] != 0; j++)
        g_array_append_val (sample->location_ids, stacks[i][j]);
      g_array_append_vals (sample->values, values, 2);
      g_array_append_val (sample->labels, thread);
      g_array_append_val (sample->labels, bytes);
      g_ptr_array_add (profile->samples, sample);
    }
  /* not the last type: both tools must honour it */
  profile->default_sample_type = g_strdup ("samples");
  g_assert_true (gz_profile_write_file (profile, path, &error));
  g_assert_no_error (error);

  {
    g_autoptr(GzProfile) read = gz_profile_read_file (path, &error);
    GzSample *sample;
    GzLabel *label;

    g_assert_no_error (error);
    g_assert_cmpstr (read->default_sample_type, ==, "samples");
    sample = g_ptr_array_index (read->samples, 4);
    g_assert_cmpuint (sample->labels->len, ==, 2);
    label = &g_array_index (sample->labels, GzLabel, 1);
    g_assert_cmpstr (label->key, ==, "bytes");
    g_assert_null (label->str);
    g_assert_cmpint (label->num, ==, 320);
    g_assert_cmpstr (label->num_unit, ==, "bytes");
    g_assert_cmpuint (((GzLocation *) g_ptr_array_index (read->locations, 2))->lines->len, ==, 2);
  }

  compare_top (path, "count", NULL, NULL);
  {
    const char *ours[] = { "--sample-type", "cpu", NULL };
    const char *theirs[] = { "-sample_index=cpu", NULL };

    compare_top (path, "nanoseconds", ours, theirs);
  }
  {
    const char *ours[] = { "--sample-type", "samples", "--cum", NULL };
    const char *theirs[] = { "-sample_index=samples", "-cum", NULL };

    compare_top (path, "count", ours, theirs);
  }
}

/* gperftools' legacy CPU format, built by hand: header (period 10 ms), three records (one with
 * the leaf twice, as the signal handler writes it), the trailer, then the maps text. */
static void
test_legacy (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "legacy.prof", NULL);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const guint64 words[] = {
    0, 3, 0, 10000, 0,
    5, 3, 0x401010, 0x401010, 0x402020,   /* leaf twice: one frame dropped */
    2, 2, 0x401010, 0x402020,
    1, 1, 0x7f0000001000,                  /* outside the program: no mapping */
    0, 1, 0,
  };
  const char *maps = "00400000-00500000 r-xp 00000000 08:01 1234 /opt/legacy/program\n"
                     "00600000-00601000 rw-p 00000000 08:01 1234 /opt/legacy/program\n";
  const char *argv[] = { g_getenv ("GZ_CLI"), "profile", "top", "--raw", "--node-fraction", "0",
                         path, NULL };
  GzSample *sample;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      guint64 le = GUINT64_TO_LE (words[i]);

      g_byte_array_append (bytes, (const guint8 *) &le, sizeof le);
    }
  g_byte_array_append (bytes, (const guint8 *) maps, strlen (maps));
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error));

  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (profile->samples->len, ==, 3);
  g_assert_cmpint (profile->period, ==, 10000000);
  g_assert_cmpuint (profile->mappings->len, ==, 1);
  g_assert_cmpstr (((GzMapping *) g_ptr_array_index (profile->mappings, 0))->filename, ==,
                   "/opt/legacy/program");
  sample = g_ptr_array_index (profile->samples, 0);
  g_assert_cmpuint (sample->location_ids->len, ==, 2);
  g_assert_cmpint (g_array_index (sample->values, gint64, 0), ==, 5);
  g_assert_cmpint (g_array_index (sample->values, gint64, 1), ==, 50000000);
  /* callers at their call instruction; of a doubled leaf the second stays (as pprof does) */
  g_assert_cmphex (gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64,
                                                                    0))->address, ==, 0x40100f);
  g_assert_cmphex (gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64,
                                                                    1))->address, ==, 0x40201f);
  g_assert_cmpuint (gz_profile_get_location (profile, g_array_index (sample->location_ids,
                                                                     guint64, 1))->mapping_id,
                    ==, 1);

  g_assert_cmpint (run (argv, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "File: program\n"));
  g_assert_nonnull (strstr (out, "Showing nodes accounting for 80000000, 100% of 80000000 total"));
  g_assert_nonnull (strstr (out, "  50000000 62.50% 62.50%   50000000 62.50%  0x000000000040100f\n"));
  g_assert_nonnull (strstr (out, "  20000000 25.00% 87.50%   20000000 25.00%  0x0000000000401010\n"));
  g_assert_nonnull (strstr (out, "         0     0%   100%   70000000 87.50%  0x000000000040201f\n"));

  /* cut before the trailer */
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, 8 * 12, &error));
  g_clear_pointer (&profile, gz_profile_unref);
  profile = gz_profile_read_file (path, &error);
  g_assert_null (profile);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "truncated"));
}

/* A real one: a spinning C program run with gperftools' libprofiler preloaded; our total is
 * pprof's. */
static void
test_legacy_gperftools (void)
{
  const char *candidates[] = { "/usr/lib/x86_64-linux-gnu/libprofiler.so.0",
                               "/usr/lib/aarch64-linux-gnu/libprofiler.so.0",
                               "/usr/lib64/libprofiler.so.0", "/usr/lib/libprofiler.so.0" };
  const char *libprofiler = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "gperftools.prof", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = NULL;
  Top ours = { 0 }, theirs = { 0 };
  int status;

  if (!need_go ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (candidates) && libprofiler == NULL; i++)
    if (g_file_test (candidates[i], G_FILE_TEST_EXISTS))
      libprofiler = candidates[i];
  if (libprofiler == NULL)
    {
      g_test_skip ("gperftools' libprofiler is not installed (libgoogle-perftools-dev)");
      return;
    }
  {
    g_autofree char *preload = g_strdup_printf ("LD_PRELOAD=%s", libprofiler);
    g_autofree char *output = g_strdup_printf ("CPUPROFILE=%s", path);
    g_autofree char *env = g_find_program_in_path ("env");
    /* under AddressSanitizer (its runtime linked in the program) libprofiler comes first */
    const char *argv[] = { env, preload, output, "ASAN_OPTIONS=verify_asan_link_order=0",
                           g_getenv ("GZ_TEST_LEGACY_SPIN"), NULL };

    status = run (argv, &out, &err);
    if (status != 0)
      g_error ("%s with libprofiler failed (%d): %s", g_getenv ("GZ_TEST_LEGACY_SPIN"), status,
               err);
  }
  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  if (profile->samples->len == 0)
    {
      g_test_skip ("gperftools took no samples of the program (a machine too busy?)");
      return;
    }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *argv[] = { g_getenv ("GZ_CLI"), "profile", "top", "--raw", path, NULL };

    g_assert_cmpint (run (argv, &out, &err), ==, 0);
    parse_top (out, &ours);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *go = g_find_program_in_path ("go");
    const char *argv[] = { go, "tool", "pprof", "-top", "-unit=ns", path, NULL };

    g_assert_cmpint (run (argv, &out, &err), ==, 0);
    g_test_message ("pprof:\n%s%s", out, err);
    parse_top (out, &theirs);
  }
  g_assert_cmpuint (ours.rows, >, 0);
  g_assert_cmpfloat (theirs.total, ==, (double) gz_profile_total (profile, 1));
  g_assert_cmpfloat (ours.total, ==, theirs.total);
  top_clear (&ours);
  top_clear (&theirs);
}

/* One line on stderr, a non-zero exit, and the line says @expect. */
static void
assert_fails (const char *expect,
              const char *first,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) g_getenv ("GZ_CLI"));
  g_ptr_array_add (argv, "profile");
  g_ptr_array_add (argv, "top");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  status = run ((const char * const *) argv->pdata, &out, &err);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "gz-cli: "));
  g_assert_nonnull (strchr (err, '\n'));
  g_assert_cmpstr (strchr (err, '\n') + 1, ==, "");
  if (strstr (err, expect) == NULL)
    g_error ("stderr \"%s\" does not say \"%s\"", err, expect);
}

static void
test_bad_input (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.prof", NULL);
  g_autofree char *text = g_build_filename (tmp_dir, "text.prof", NULL);
  g_autofree char *truncated = g_build_filename (tmp_dir, "truncated.prof", NULL);
  g_autofree char *good = g_build_filename (tmp_dir, "good.prof", NULL);
  g_autoptr(GzProfile) profile = gz_profile_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_ptr_array_add (profile->sample_types, gz_value_type_new ("contentions", "count"));
  g_ptr_array_add (profile->sample_types, gz_value_type_new ("delay", "nanoseconds"));
  g_assert_true (gz_profile_write_file (profile, good, &error));
  g_assert_true (g_file_get_contents (good, &contents, &len, &error));
  g_assert_true (g_file_set_contents (truncated, contents, (gssize) len / 2, &error));
  g_assert_true (g_file_set_contents (text, "hello, world\n", -1, &error));
  g_assert_no_error (error);

  assert_fails ("No such file", missing, NULL);
  assert_fails ("Not a valid pprof profile", text, NULL);
  assert_fails ("truncated", truncated, NULL);
  assert_fails ("contentions, delay", "--sample-type", "cpu", good, NULL);
  assert_fails ("needs a profile FILE", NULL, NULL);
  assert_fails ("--focus", "--focus", "(", good, NULL);
  assert_fails ("base profile", "--base", missing, good, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("GZ_CLI"));
  tmp_dir = g_dir_make_tmp ("gz-test-cli-top-XXXXXX", &error);
  g_assert_no_error (error);
  write_go_profiles ();

  g_test_add_func ("/cli-top/go-decode", test_go_decode);
  g_test_add_func ("/cli-top/go-profiles", test_go_profiles);
  g_test_add_func ("/cli-top/go-options", test_go_options);
  g_test_add_func ("/cli-top/core-profile", test_core_profile);
  g_test_add_func ("/cli-top/legacy", test_legacy);
  g_test_add_func ("/cli-top/legacy-gperftools", test_legacy_gperftools);
  g_test_add_func ("/cli-top/bad-input", test_bad_input);

  status = g_test_run ();
  gz_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (go_dir);
  return status;
}
