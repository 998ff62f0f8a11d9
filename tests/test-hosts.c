/* test-hosts.c: plain programs that are hard hosts for a profiler (issue 17), each run as a user
 * runs it, `gz-cli profile start --type T --output-dir D -- PROGRAM`, its profile read back with
 * the core's decoder: dlopen/dlclose and dl_iterate_phdr under stress, fork and fork+exec, its own
 * SIGPROF timer, every fd closed at start, every signal blocked, glibc's mallinfo2, one
 * allocation site, a static binary. Every run has a deadline: a hang fails, it does not block. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "gz-profile.h"
#include "gz-test-cli.h"
#include "gz-test-profiles.h"

#define MIB (1024 * 1024)

typedef struct
{
  GzTestCli cli;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  gz_test_cli_set_up (&f->cli, "gz-hosts-XXXXXX", "profile");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  gz_test_cli_tear_down (&f->cli);
}

static const char *
program (const char *name)
{
  g_autofree char *variable = g_strconcat ("GZ_TEST_HOST_", name, NULL);
  const char *path = g_getenv (variable);

  if (path == NULL)
    g_error ("%s is not set (run the test through meson)", variable);
  return path;
}

static gboolean
have_preload (void)
{
  const char *library = g_getenv ("GZ_PRELOAD_LIBRARY");

  if (library != NULL && g_file_test (library, G_FILE_TEST_EXISTS))
    return TRUE;
  g_test_skip ("no preload library in this build (AddressSanitizer owns malloc there)");
  return FALSE;
}

/* -- one gz-cli run, with a deadline ---------------------------------------------------- */

typedef struct
{
  GSubprocess *proc;
  GPid         group;
  char        *out;
  char        *err;
  GError      *error;
  gboolean     done;
  gboolean     hung;
  int          status; /* as a shell gives it: the exit status, or 128 + the signal */
} Run;

static void
new_process_group (gpointer data)
{
  setpgid (0, 0);
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (run->proc, result, &run->out, &run->err, &run->error);
  run->done = TRUE;
}

/* Starts `gz-cli profile start --output-dir OUT @options… -- @argv…` (both NULL-terminated) in a
 * process group of its own, as a shell starts a job. */
static Run *
run_start (Fixture            *f,
           const char * const *options,
           const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  launcher = gz_test_cli_launcher (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
  g_subprocess_launcher_set_child_setup (launcher, new_process_group, NULL, NULL);
  g_ptr_array_add (args, (char *) gz_test_cli_path ());
  g_ptr_array_add (args, "profile");
  g_ptr_array_add (args, "start");
  g_ptr_array_add (args, "--output-dir");
  g_ptr_array_add (args, f->cli.out_dir);
  for (guint i = 0; options[i] != NULL; i++)
    g_ptr_array_add (args, (char *) options[i]);
  g_ptr_array_add (args, "--");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);
  run->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  run->group = (GPid) atoi (g_subprocess_get_identifier (run->proc));
  g_subprocess_communicate_utf8_async (run->proc, NULL, NULL, on_communicated, run);
  return run;
}

static void
run_free (Run *run)
{
  g_clear_object (&run->proc);
  g_clear_error (&run->error);
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for the @n_runs runs to end within @seconds; a run still going then is killed with its
 * whole process group (gz-cli and the program) and marked hung. */
static void
runs_wait (Run   **runs,
           guint   n_runs,
           guint   seconds)
{
  gboolean late = FALSE;
  guint deadline = g_timeout_add_seconds (seconds, on_deadline, &late);

  for (;;)
    {
      gboolean all_done = TRUE;

      for (guint i = 0; i < n_runs; i++)
        all_done = all_done && runs[i]->done;
      if (all_done)
        break;
      if (late)
        {
          for (guint i = 0; i < n_runs; i++)
            if (!runs[i]->done && !runs[i]->hung)
              {
                runs[i]->hung = TRUE;
                kill (-runs[i]->group, SIGKILL);
              }
        }
      g_main_context_iteration (NULL, TRUE);
    }
  if (!late)
    g_source_remove (deadline);
  for (guint i = 0; i < n_runs; i++)
    {
      Run *run = runs[i];

      g_assert_no_error (run->error);
      if (g_subprocess_get_if_exited (run->proc))
        run->status = g_subprocess_get_exit_status (run->proc);
      else
        run->status = 128 + g_subprocess_get_term_sig (run->proc);
    }
}

/* One run to its end (a hang fails the test), gz-cli's output logged. */
static Run *
run_to_end (Fixture            *f,
            const char * const *options,
            const char * const *argv,
            guint               seconds)
{
  Run *run = run_start (f, options, argv);

  runs_wait (&run, 1, seconds);
  g_test_message ("gz-cli -> %d%s:\n%s%s", run->status, run->hung ? " (hung, killed)" : "",
                  run->out, run->err);
  g_assert_false (run->hung);
  return run;
}

/* -- the saved profile ----------------------------------------------------------------- */

/* The value after "NAME: " on a line of @text. */
static char *
field (const char *text,
       const char *name)
{
  g_autofree char *prefix = g_strconcat (name, ": ", NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

/* The number after "@word " on a line the program printed. */
static gint64
printed (const char *out,
         const char *word)
{
  g_autofree char *prefix = g_strconcat (word, " ", NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_ascii_strtoll (lines[i] + strlen (prefix), NULL, 10);
  g_error ("the program printed no \"%s\" line", word);
}

/* The profile gz-cli saved, read back with the core's decoder (which validates it); it has the
 * sample type @sample_type, whose index goes to *index. */
static GzProfile *
saved_profile (Run        *run,
               const char *sample_type,
               guint      *index)
{
  g_autofree char *path = field (run->out, "Output");
  g_autoptr(GError) error = NULL;
  GzProfile *profile;
  int found;

  g_assert_nonnull (path);
  g_assert_nonnull (strstr (run->out, "Saved profile"));
  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  found = gz_profile_find_sample_type (profile, sample_type);
  g_assert_cmpint (found, >=, 0);
  *index = (guint) found;
  return profile;
}

static gint64
total (GzProfile *profile,
       guint      index)
{
  gint64 sum = 0;

  for (guint i = 0; i < profile->samples->len; i++)
    {
      const GzSample *sample = g_ptr_array_index (profile->samples, i);

      sum += g_array_index (sample->values, gint64, index);
    }
  return sum;
}

/* The frames, leaf first, of one sample, for a failure's message. */
static char *
describe_sample (GzProfile      *profile,
                 const GzSample *sample)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < sample->location_ids->len; i++)
    {
      GzLocation *location =
        gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, i));

      for (guint j = 0; location != NULL && j < location->lines->len; j++)
        {
          const GzLine *line = &g_array_index (location->lines, GzLine, j);
          GzFunction *function = gz_profile_get_function (profile, line->function_id);

          g_string_append_printf (text, "%s%s", text->len > 0 ? " < " : "",
                                  function != NULL && function->name != NULL
                                    ? function->name : "?");
        }
      if (location == NULL || location->lines->len == 0)
        g_string_append_printf (text, "%s0x%" G_GINT64_MODIFIER "x", text->len > 0 ? " < " : "",
                                location != NULL ? location->address : 0);
    }
  return g_string_free (text, FALSE);
}

/* How much of @index the samples of @profile through none of @functions (NULL-terminated)
 * hold; logs each such sample when @log. */
static gint64
outside_log (GzProfile          *profile,
             guint               index,
             const char * const *functions,
             gboolean            log)
{
  gint64 sum = 0;

  for (guint i = 0; i < profile->samples->len; i++)
    {
      const GzSample *sample = g_ptr_array_index (profile->samples, i);
      gint64 value = g_array_index (sample->values, gint64, index);
      g_autofree char *frames = NULL;
      gboolean inside = FALSE;

      if (value == 0)
        continue;
      frames = describe_sample (profile, sample);
      for (guint j = 0; functions[j] != NULL && !inside; j++)
        {
          g_autofree char *bounded = g_strconcat (" < ", frames, " < ", NULL);
          g_autofree char *needle = g_strconcat (" < ", functions[j], " < ", NULL);

          inside = strstr (bounded, needle) != NULL;
        }
      if (inside)
        continue;
      if (log)
        g_test_message ("outside: %" G_GINT64_FORMAT ": %s", value, frames);
      sum += value;
    }
  return sum;
}

static gint64
outside (GzProfile          *profile,
         guint               index,
         const char * const *functions)
{
  return outside_log (profile, index, functions, TRUE);
}

/* No frame of gz's own code (GLib, gz, libsoup) in any sample of @profile. */
static void
assert_nothing_of_gz (GzProfile *profile)
{
  static const char *const ours[] = { "g_*", "gz_*", "soup_*", "_g_*" };

  for (guint t = 0; t < profile->sample_types->len; t++)
    for (guint i = 0; i < G_N_ELEMENTS (ours); i++)
      g_assert_cmpint (gz_test_profile_sum (profile, t, ours[i], NULL, NULL), ==, 0);
}

/* -- 1. dlopen/dlclose and dl_iterate_phdr under stress ---------------------------------- */

#define STRESS_RUNS     20
#define STRESS_AT_ONCE  2
#define STRESS_DEADLINE 120 /* seconds for a pair of runs of 0.5 s on a loaded machine */

static void
test_dlopen_stress (Fixture      *f,
                    gconstpointer data)
{
  /* "ticks": cpu where perf events are refused (here: asked not to be used), the preload's
   * SIGPROF ticks, whose handler copies registers and stack while the loader may hold its lock. */
  gboolean ticks = g_str_equal (data, "ticks");
  const char *type = ticks ? "cpu" : data;
  const char *options[] = { "--type", type, NULL };
  const char *argv[] = { program ("DLOPEN"), program ("PLUGIN"), "0.5", NULL };
  const char *sample_type = g_str_equal (type, "cpu") ? "cpu" : "alloc_space";
  static const char *const workers[] = { "churn_small", "churn_large", NULL };
  guint hung = 0, valid = 0;
  gint64 slowest = 0;

  if ((ticks || !g_str_equal (type, "cpu")) && !have_preload ())
    return;
  if (ticks)
    gz_test_cli_setenv (&f->cli, "GZ_CPU_SAMPLER", "signal");
  for (guint first = 0; first < STRESS_RUNS; first += STRESS_AT_ONCE)
    {
      Run *runs[STRESS_AT_ONCE];
      gint64 started = g_get_monotonic_time ();

      for (guint i = 0; i < STRESS_AT_ONCE; i++)
        runs[i] = run_start (f, options, argv);
      runs_wait (runs, STRESS_AT_ONCE, STRESS_DEADLINE);
      slowest = MAX (slowest, g_get_monotonic_time () - started);
      for (guint i = 0; i < STRESS_AT_ONCE; i++)
        {
          g_autoptr(Run) run = runs[i];
          g_autoptr(GzProfile) profile = NULL;
          guint index;
          gint64 work;

          if (run->hung)
            {
              g_test_message ("run %u hung:\n%s%s", first + i, run->out, run->err);
              hung++;
              continue;
            }
          if (run->status != 0)
            g_test_message ("run %u -> %d:\n%s%s", first + i, run->status, run->out, run->err);
          g_assert_cmpint (run->status, ==, 0);
          g_assert_nonnull (strstr (run->out, "The program exited with status 0."));
          profile = saved_profile (run, sample_type, &index);
          work = total (profile, index) - outside_log (profile, index, workers, FALSE);
          g_assert_cmpint (work, >, 0);
          valid++;
        }
    }
  g_test_message ("%s: %u runs, %u valid profiles, %u hung; slowest pair %.1f s",
                  (const char *) data,
                  STRESS_RUNS, valid, hung, (double) slowest / G_USEC_PER_SEC);
  g_assert_cmpuint (hung, ==, 0);
  g_assert_cmpuint (valid, ==, STRESS_RUNS);
}

/* -- 2. fork and fork+exec under memory sessions ----------------------------------------- */

static void
assert_parent_kept (Run *run)
{
  g_autoptr(GzProfile) profile = NULL;
  guint index;
  gint64 kept;

  g_assert_cmpint (run->status, ==, 7);
  g_assert_nonnull (strstr (run->out, "The program exited with status 7."));
  profile = saved_profile (run, "inuse_space", &index);
  kept = gz_test_profile_sum (profile, index, "parent_keep", NULL, NULL);
  g_test_message ("parent_keep: %.2f MiB in use (8 MiB kept)", (double) kept / MIB);
  g_assert_cmpint (kept, >=, 4 * MIB);
  g_assert_cmpint (kept, <=, 16 * MIB);
  assert_nothing_of_gz (profile);
}

static void
test_fork (Fixture      *f,
           gconstpointer data)
{
  static const char *const memory[] = { "--type", "memory", NULL };
  const char *argv[] = { program ("FORK"), "fork", "200", NULL };
  g_autoptr(Run) run = NULL;

  if (!have_preload ())
    return;
  run = run_to_end (f, memory, argv, 120);
  g_assert_nonnull (strstr (run->out, "children 200 failed 0\n"));
  assert_parent_kept (run);
}

static void
test_fork_exec (Fixture      *f,
                gconstpointer data)
{
  static const char *const memory[] = { "--type", "memory", NULL };
  g_autofree char *true_path = g_find_program_in_path ("true");
  const char *of_true[] = { program ("FORK"), "exec", "20", true_path, NULL };
  const char *of_self[] = { program ("FORK"), "exec", "20", program ("FORK"), "alloc", NULL };
  const char *const *argvs[] = { of_true, of_self };

  if (!have_preload ())
    return;
  g_assert_nonnull (true_path);
  for (guint i = 0; i < G_N_ELEMENTS (argvs); i++)
    {
      g_autoptr(Run) run = run_to_end (f, memory, argvs[i], 120);

      g_assert_nonnull (strstr (run->out, "children 20 failed 0\n"));
      assert_parent_kept (run);
    }
}

/* -- 3. a program with its own SIGPROF timer ------------------------------------------ */

static void
test_own_sigprof (Fixture      *f,
                  gconstpointer data)
{
  static const char *const cpu[] = { "--type", "cpu", NULL };
  const char *argv[] = { program ("SIGPROF"), NULL };
  g_autoptr(Run) run = run_to_end (f, cpu, argv, 120);
  g_autoptr(GzProfile) profile = NULL;
  guint index;
  gint64 spin, ticks;

  g_assert_cmpint (run->status, ==, 0);
  ticks = printed (run->out, "ticks");
  profile = saved_profile (run, "cpu", &index);
  spin = gz_test_profile_sum (profile, index, "spin_with_own_timer", NULL, NULL);
  g_test_message ("its handler got %" G_GINT64_FORMAT " ticks of ~50; spin_with_own_timer "
                  "%.1f %% of the profile", ticks, 100.0 * (double) spin /
                  (double) MAX (total (profile, index), 1));
  g_assert_cmpint (ticks, >=, 25);
  g_assert_cmpint (spin, >, total (profile, index) / 2);
}

/* Where perf events are refused (here: asked not to be used), cpu comes from the preload's
 * ticks, on a signal of their own: the program's SIGPROF handler (installed in main, after the
 * preload started its timer) gets its own ticks and none of ours, and the profile has its spin. */
static void
test_own_sigprof_ticks (Fixture      *f,
                        gconstpointer data)
{
  static const char *const cpu[] = { "--type", "cpu", NULL };
  const char *argv[] = { program ("SIGPROF"), NULL };
  g_autoptr(Run) run = NULL;
  g_autoptr(GzProfile) profile = NULL;
  guint index;
  gint64 spin, ticks;

  if (!have_preload ())
    return;
  gz_test_cli_setenv (&f->cli, "GZ_CPU_SAMPLER", "signal");
  run = run_to_end (f, cpu, argv, 120);
  g_assert_cmpint (run->status, ==, 0);
  ticks = printed (run->out, "ticks");
  profile = saved_profile (run, "cpu", &index);
  spin = gz_test_profile_sum (profile, index, "spin_with_own_timer", NULL, NULL);
  g_test_message ("its handler got %" G_GINT64_FORMAT " ticks of ~50; spin_with_own_timer "
                  "%.1f %% of the profile (%.0f ms)", ticks, 100.0 * (double) spin /
                  (double) MAX (total (profile, index), 1), (double) spin / 1e6);
  g_assert_cmpint (ticks, >=, 25);
  /* None of ours: at 100 Hz they would double its count. */
  g_assert_cmpint (ticks, <=, 75);
  g_assert_cmpint (spin, >, total (profile, index) / 2);
}

/* -- 4. every fd closed at start, then files of its own ------------------------------------ */

static void
test_closed_fds (Fixture      *f,
                 gconstpointer data)
{
  const char *type = data;
  const char *options[] = { "--type", type, NULL };
  g_autofree char *file = g_build_filename (f->cli.root, "own-file", NULL);
  const char *argv[] = { program ("CLOSEFDS"), file, NULL };
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(Run) run = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  guint index;

  if (!g_str_equal (type, "cpu") && !have_preload ())
    return;
  run = run_to_end (f, options, argv, 120);
  g_assert_cmpint (run->status, ==, 0);
  for (int round = 0; round < 200; round++)
    g_string_append_printf (expected, "host line %d\n", round);
  g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
  g_test_message ("its file: %" G_GSIZE_FORMAT " bytes (%" G_GSIZE_FORMAT " its own)", length,
                  expected->len);
  g_assert_cmpuint (length, ==, expected->len);
  g_assert_cmpstr (contents, ==, expected->str);
  /* Nothing of gz complained on the terminal either. */
  g_assert_null (strstr (run->err, "WARNING"));
  g_assert_null (strstr (run->err, "CRITICAL"));
  profile = saved_profile (run, g_str_equal (type, "cpu") ? "cpu" : "alloc_space", &index);
  g_assert_cmpint (gz_test_profile_sum (profile, index, "daemon_work", NULL, NULL), >, 0);
}

/* -- 5. every signal blocked in every thread -------------------------------------------- */

static void
test_signals_blocked (Fixture      *f,
                      gconstpointer data)
{
  static const char *const cpu[] = { "--type", "cpu", NULL };
  static const char *const spins[] = { "spin_first", "spin_second", NULL };
  const char *argv[] = { program ("SIGMASK"), NULL };
  g_autoptr(Run) run = run_to_end (f, cpu, argv, 120);
  g_autoptr(GzProfile) profile = NULL;
  gint64 all, first, second;
  guint index;

  g_assert_cmpint (run->status, ==, 0);
  profile = saved_profile (run, "cpu", &index);
  all = total (profile, index);
  first = gz_test_profile_sum (profile, index, "spin_first", NULL, NULL);
  second = gz_test_profile_sum (profile, index, "spin_second", NULL, NULL);
  g_test_message ("spin_first %.1f %%, spin_second %.1f %%, the rest %.1f %%",
                  100.0 * (double) first / (double) MAX (all, 1),
                  100.0 * (double) second / (double) MAX (all, 1),
                  100.0 * (double) outside (profile, index, spins) / (double) MAX (all, 1));
  g_assert_cmpint (first, >, 0);
  g_assert_cmpint (second, >, 0);
  g_assert_cmpfloat ((double) (first + second), >=, 0.9 * (double) all);
  assert_nothing_of_gz (profile);
}

/* -- 6. glibc's allocator is still the program's --------------------------------------- */

static void
test_mallinfo (Fixture      *f,
               gconstpointer data)
{
  static const char *const memory[] = { "--type", "memory", NULL };
  const char *argv[] = { program ("MALLINFO"), NULL };
  g_autoptr(Run) run = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *plain_out = NULL;
  g_autoptr(GError) error = NULL;
  gint64 plain, profiled, kept;
  guint index;
  int wait_status;

  if (!have_preload ())
    return;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &plain_out, NULL, &wait_status, &error));
  g_assert_no_error (error);
  plain = printed (plain_out, "uordblks");
  run = run_to_end (f, memory, argv, 120);
  g_assert_cmpint (run->status, ==, 0);
  profiled = printed (run->out, "uordblks");
  profile = saved_profile (run, "inuse_space", &index);
  kept = gz_test_profile_sum (profile, index, "hold_10mib", NULL, NULL);
  g_test_message ("mallinfo2().uordblks: %.2f MiB alone, %.2f MiB under a memory session; "
                  "the profile: %.2f MiB at hold_10mib", (double) plain / MIB,
                  (double) profiled / MIB, (double) kept / MIB);
  g_assert_cmpint (profiled, >=, 10 * MIB);
  g_assert_cmpint (profiled, >=, plain - plain / 100);
  g_assert_cmpint (kept, >=, 5 * MIB);
}

/* -- 7. one allocation site, its own threads -------------------------------------------- */

static void
test_one_site (Fixture      *f,
               gconstpointer data)
{
  static const char *const memory[] = { "--type", "memory", "--memory-rate", "4096", NULL };
  static const char *const threadcreate[] = { "--type", "threadcreate", NULL };
  static const char *const site[] = { "allocate_here", NULL };
  static const char *const creators[] = { "start_pair", "start_one", NULL };
  const char *memory_argv[] = { program ("ONESITE"), "memory", NULL };
  const char *threads_argv[] = { program ("ONESITE"), "threads", NULL };
  g_autoptr(Run) run = NULL;
  g_autoptr(Run) threads_run = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) threads = NULL;
  const char *types[] = { "alloc_objects", "alloc_space", "inuse_objects", "inuse_space" };
  guint index;

  if (!have_preload ())
    return;
  run = run_to_end (f, memory, memory_argv, 120);
  g_assert_cmpint (run->status, ==, 0);
  profile = saved_profile (run, "alloc_space", &index);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      int type = gz_profile_find_sample_type (profile, types[i]);

      g_assert_cmpint (type, >=, 0);
      g_test_message ("%s: %" G_GINT64_FORMAT " in all", types[i], total (profile, (guint) type));
      g_assert_cmpint (outside (profile, (guint) type, site), ==, 0);
    }
  g_assert_cmpint (total (profile, index), >=, 4 * MIB);
  assert_nothing_of_gz (profile);

  threads_run = run_to_end (f, threadcreate, threads_argv, 120);
  g_assert_cmpint (threads_run->status, ==, 0);
  threads = saved_profile (threads_run, "threadcreate", &index);
  g_test_message ("threadcreate: %" G_GINT64_FORMAT " threads", total (threads, index));
  g_assert_cmpint (outside (threads, index, creators), ==, 0);
  g_assert_cmpint (gz_test_profile_sum (threads, index, "start_pair", NULL, NULL), ==, 2);
  g_assert_cmpint (gz_test_profile_sum (threads, index, "start_one", NULL, NULL), ==, 1);
  assert_nothing_of_gz (threads);
}

/* -- 8. a static binary is refused before it runs --------------------------------------- */

static void
test_static_refused (Fixture      *f,
                     gconstpointer data)
{
  static const char *const memory[] = { "--type", "memory", NULL };
  const char *static_program = g_getenv ("GZ_TEST_HOST_STATIC");
  g_autofree char *marker = g_build_filename (f->cli.root, "marker", NULL);
  const char *argv[] = { static_program, marker, NULL };
  g_autoptr(Run) run = NULL;
  g_auto(GStrv) lines = NULL;

  if (static_program == NULL || *static_program == '\0')
    {
      g_test_skip ("no static test program in this build (sanitizers)");
      return;
    }
  if (!have_preload ())
    return;
  run = run_to_end (f, memory, argv, 60);
  g_assert_cmpint (run->status, !=, 0);
  lines = g_strsplit (run->err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[1], ==, "");
  g_assert_true (g_str_has_prefix (run->err, "gz-cli: "));
  g_assert_nonnull (strstr (run->err, "static"));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
}

static void
add (const char    *path,
     gconstpointer  data,
     void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add ("/hosts/dlopen-stress/cpu", "cpu", test_dlopen_stress);
  add ("/hosts/dlopen-stress/memory", "memory", test_dlopen_stress);
  add ("/hosts/dlopen-stress/cpu-preload-ticks", "ticks", test_dlopen_stress);
  add ("/hosts/fork", NULL, test_fork);
  add ("/hosts/fork-exec", NULL, test_fork_exec);
  add ("/hosts/own-sigprof", NULL, test_own_sigprof);
  add ("/hosts/own-sigprof-preload-ticks", NULL, test_own_sigprof_ticks);
  add ("/hosts/closed-fds/memory", "memory", test_closed_fds);
  add ("/hosts/closed-fds/cpu", "cpu", test_closed_fds);
  add ("/hosts/signals-blocked", NULL, test_signals_blocked);
  add ("/hosts/mallinfo", NULL, test_mallinfo);
  add ("/hosts/one-site", NULL, test_one_site);
  add ("/hosts/static-refused", NULL, test_static_refused);
  return g_test_run ();
}
