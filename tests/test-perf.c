/* test-perf.c: `gz-cli profile start --type cpu --pid PID` on a plain program started without
 * gz, sampled through perf events: its 70/30 split against its own clocks, full stacks down to
 * main with and without frame pointers, a thread created during the session, the program
 * exiting mid-session, and the refusals (no such process, another user's, other types). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gz-profile.h"
#include "gz-session-registry.h"
#include "gz-session.h"
#include "gz-test-cli.h"
#include "gz-test-profiles.h"

/* A turn's boundary costs a sample at most and perf samples by the thread's own CPU time, so
 * other programs on the machine do not move the split; lost samples (the reader starved for a
 * third of a second) can, so such a run is repeated, as is one off the split (a run of
 * boundaries that all fell one way, or samples the kernel dropped user-space-only while the
 * thread was in the kernel on a loaded machine): a systematic error fails every attempt. */
#define SPLIT_ATTEMPTS 3

typedef struct
{
  GzTestCli cli;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  gz_test_cli_set_up (&f->cli, "gz-perf-XXXXXX", "profile");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  gz_test_cli_tear_down (&f->cli);
}

static const char *
target_path (gboolean frame_pointers)
{
  const char *path = g_getenv (frame_pointers ? "GZ_TEST_PERF_TARGET"
                                              : "GZ_TEST_PERF_TARGET_NOFP");

  g_assert_nonnull (path);
  return path;
}

/* A copy of the program at @path that uid 65534 can run: the build tree may sit where other
 * users cannot reach it (a clone in /root, mode 0700 on Debian). One folder for the run. */
static char *nobody_dir;

static const char *
for_nobody (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *contents = NULL;
  g_autofree char *copy = NULL;
  gsize length;

  if (nobody_dir == NULL)
    {
      nobody_dir = g_dir_make_tmp ("gz-perf-nobody-XXXXXX", NULL);
      g_assert_nonnull (nobody_dir);
      g_assert_cmpint (g_chmod (nobody_dir, 0755), ==, 0);
    }
  copy = g_build_filename (nobody_dir, base, NULL);
  if (!g_file_test (copy, G_FILE_TEST_EXISTS))
    {
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_true (g_file_set_contents (copy, contents, length, NULL));
      g_assert_cmpint (g_chmod (copy, 0755), ==, 0);
    }
  /* Kept for the run (a handful of small files in one folder, removed by main). */
  return g_intern_string (copy);
}

/* perf_event_open on a child of ours, as gz-cli will do it: when the kernel refuses here (a
 * container's policy), every subtest skips with the reason. */
static gboolean
perf_allowed (void)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &text, NULL, NULL) &&
      atoi (text) > 2 && geteuid () != 0)
    {
      g_test_skip ("kernel.perf_event_paranoid is above 2: perf events are refused to users");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  int               pid;
  gboolean          as_nobody; /* run as uid 65534 (the caller is root) */
} Program;

static void
become_nobody (gpointer data)
{
  if (setgid (65534) != 0 || setuid (65534) != 0)
    _exit (125);
}

static char *
read_line (GDataInputStream *in)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

static void
program_start (Program    *p,
               const char *path,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) (p->as_nobody ? for_nobody (path) : path));
  va_start (ap, path);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  if (p->as_nobody)
    g_subprocess_launcher_set_child_setup (launcher, become_nobody, NULL, NULL);
  p->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  p->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->proc));
  ready = read_line (p->out);
  g_assert_nonnull (ready);
  g_assert_true (g_str_has_prefix (ready, "ready "));
  p->pid = atoi (ready + 6);
}

static void
program_go (Program *p)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_subprocess_get_stdin_pipe (p->proc), "go\n", 3, NULL, NULL,
                             &error);
  g_assert_no_error (error);
}

/* Its lines up to "done", as "NAME VALUE" pairs. */
static GHashTable *
program_results (Program *p)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  char *line;

  while ((line = read_line (p->out)) != NULL && !g_str_equal (line, "done"))
    {
      g_auto(GStrv) pair = g_strsplit (line, " ", 2);

      if (pair[0] != NULL && pair[1] != NULL)
        g_hash_table_insert (values, g_strdup (pair[0]),
                             GSIZE_TO_POINTER ((gsize) g_ascii_strtoll (pair[1], NULL, 10)));
      g_free (line);
    }
  g_assert_nonnull (line);
  g_free (line);
  return values;
}

static void
program_end (Program *p)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_close (g_subprocess_get_stdin_pipe (p->proc), NULL, NULL);
  g_subprocess_wait (p->proc, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&p->out);
  g_clear_object (&p->proc);
}

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  char             *id;
  char             *path;
} Session;

/* nobody's own session folder (gz refuses a shared or another user's one), in the fixture's. */
static char *nobody_sessions;

/* Lets gz-cli running as nobody write its session (in a folder of its own) and its profile. */
static void
open_dirs_to_nobody (Fixture *f)
{
  g_chmod (f->cli.root, 0777);
  g_mkdir_with_parents (f->cli.out_dir, 0777);
  g_chmod (f->cli.out_dir, 0777);
  g_free (nobody_sessions);
  nobody_sessions = g_build_filename (f->cli.root, "nobody-sessions", NULL);
  g_assert_cmpint (g_mkdir_with_parents (nobody_sessions, 0700), ==, 0);
  g_assert_cmpint (chown (nobody_sessions, 65534, 65534), ==, 0);
}

/* A launcher of gz-cli as nobody, its sessions in nobody's folder. */
static void
launch_as_nobody (GSubprocessLauncher *launcher)
{
  g_assert_nonnull (nobody_sessions);
  g_subprocess_launcher_set_child_setup (launcher, become_nobody, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "GZ_PROFILE_SESSION_DIR", nobody_sessions, TRUE);
}

/* Whether session @id in nobody's folder has started (read as a file: gz's registry reads only
 * a folder of the user running it). */
static gboolean
nobody_session_started (const char *id)
{
  g_autofree char *name = g_strconcat (id, ".session", NULL);
  g_autofree char *path = g_build_filename (nobody_sessions, name, NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  return g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL) &&
         g_key_file_get_int64 (kf, "session", "start-time", NULL) != 0;
}

/* `gz-cli profile start --type cpu --pid PID --duration 60s` (as nobody with @as_nobody),
 * returned once its session is listed: then the kernel samples the program. */
static void
session_start (Fixture  *f,
               Session  *s,
               int       pid,
               gboolean  as_nobody)
{
  g_autofree char *pid_text = g_strdup_printf ("%d", pid);
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (f->cli.session_dir);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  char *line;

  launcher = gz_test_cli_launcher (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL);
  if (as_nobody)
    launch_as_nobody (launcher);
  s->proc = g_subprocess_launcher_spawn (launcher, &error,
                                         as_nobody ? for_nobody (gz_test_cli_path ())
                                                   : gz_test_cli_path (), "profile",
                                         "start", "--type", "cpu", "--pid", pid_text,
                                         "--duration", "60s", "--output-dir", f->cli.out_dir,
                                         NULL);
  g_assert_no_error (error);
  s->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  while ((line = read_line (s->out)) != NULL && !g_str_has_prefix (line, "Profiling "))
    {
      if (g_str_has_prefix (line, "Session: "))
        s->id = g_strdup (line + strlen ("Session: "));
      if (g_str_has_prefix (line, "Output: "))
        s->path = g_strdup (line + strlen ("Output: "));
      g_free (line);
    }
  g_assert_nonnull (line);
  g_free (line);
  g_assert_nonnull (s->id);
  g_assert_nonnull (s->path);
  for (;;)
    {
      g_autoptr(GzSessionInfo) info = NULL;

      if (as_nobody ? nobody_session_started (s->id)
                    : (info = gz_session_registry_lookup (registry, s->id, NULL)) != NULL &&
                      info->start_time != 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

/* Waits for gz-cli's end; returns the profile and, in *@text, what it printed after the start. */
static GzProfile *
session_finish (Session *s,
                char   **text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) rest = g_string_new (NULL);
  GzProfile *profile;
  char *line;

  while ((line = read_line (s->out)) != NULL)
    {
      g_string_append_printf (rest, "%s\n", line);
      g_free (line);
    }
  g_subprocess_wait (s->proc, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (s->proc) != 0)
    g_error ("gz-cli failed (%d): %s", g_subprocess_get_exit_status (s->proc), rest->str);
  profile = gz_profile_read_file (s->path, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (profile, &error));
  if (text != NULL)
    *text = g_strdup (rest->str);
  g_clear_object (&s->out);
  g_clear_object (&s->proc);
  g_clear_pointer (&s->id, g_free);
  g_clear_pointer (&s->path, g_free);
  return profile;
}

static gboolean
sample_has (GzProfile      *profile,
            const GzSample *sample,
            const char     *function)
{
  for (guint i = 0; i < sample->location_ids->len; i++)
    {
      GzLocation *location =
        gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, i));

      for (guint j = 0; location != NULL && j < location->lines->len; j++)
        {
          GzFunction *func = gz_profile_get_function (profile, g_array_index (location->lines,
                                                                              GzLine,
                                                                              j).function_id);

          if (func != NULL && func->name != NULL && g_str_equal (func->name, function))
            return TRUE;
        }
    }
  return FALSE;
}

/* CPU nanoseconds of the samples with @function, and of those that also reach main. */
static gint64
cpu_of (GzProfile  *profile,
        const char *function,
        gint64     *with_main)
{
  int index = gz_profile_find_sample_type (profile, "cpu");
  gint64 sum = 0;

  g_assert_cmpint (index, >=, 0);
  if (with_main != NULL)
    *with_main = 0;
  for (guint i = 0; i < profile->samples->len; i++)
    {
      const GzSample *sample = g_ptr_array_index (profile->samples, i);
      gint64 value = g_array_index (sample->values, gint64, index);

      if (!sample_has (profile, sample, function))
        continue;
      sum += value;
      if (with_main != NULL && sample_has (profile, sample, "main"))
        *with_main += value;
    }
  return sum;
}

/* CPU nanoseconds of the samples whose frame right below @function's outermost frame lies in
 * libc's mapping: a thread's start (start_thread, clone3). By mapping, not by name: libc's
 * static functions have names only where its debug symbols are installed (libc6-dbg), which a
 * user's machine often lacks. */
static gint64
cpu_below_in_libc (GzProfile  *profile,
                   const char *function)
{
  int index = gz_profile_find_sample_type (profile, "cpu");
  gint64 sum = 0;

  g_assert_cmpint (index, >=, 0);
  for (guint i = 0; i < profile->samples->len; i++)
    {
      const GzSample *sample = g_ptr_array_index (profile->samples, i);
      int outermost = -1;

      for (guint k = 0; k < sample->location_ids->len; k++)
        {
          GzLocation *location =
            gz_profile_get_location (profile, g_array_index (sample->location_ids, guint64, k));

          for (guint j = 0; location != NULL && j < location->lines->len; j++)
            {
              GzFunction *func =
                gz_profile_get_function (profile,
                                         g_array_index (location->lines, GzLine, j).function_id);

              if (func != NULL && g_strcmp0 (func->name, function) == 0)
                outermost = (int) k;
            }
        }
      if (outermost >= 0 && (guint) outermost + 1 < sample->location_ids->len)
        {
          guint64 id = g_array_index (sample->location_ids, guint64, outermost + 1);
          GzLocation *below = gz_profile_get_location (profile, id);
          GzMapping *mapping = below != NULL ? gz_profile_get_mapping (profile, below->mapping_id)
                                             : NULL;
          g_autofree char *base = mapping != NULL && mapping->filename != NULL
                                    ? g_path_get_basename (mapping->filename) : NULL;

          if (base != NULL && g_str_has_prefix (base, "libc.so"))
            sum += g_array_index (sample->values, gint64, index);
        }
    }
  return sum;
}

static guint64
lost_samples (GzProfile *profile)
{
  for (guint i = 0; i < profile->comments->len; i++)
    {
      const char *comment = g_ptr_array_index (profile->comments, i);
      const char *at = strstr (comment, " lost");

      if (g_str_has_prefix (comment, "perf events") && at != NULL)
        {
          while (at > comment && g_ascii_isdigit (at[-1]))
            at--;
          return g_ascii_strtoull (at, NULL, 10);
        }
    }
  g_error ("the profile has no perf events comment");
  return 0;
}

static gboolean
says_user_space_only (GzProfile *profile)
{
  for (guint i = 0; i < profile->comments->len; i++)
    if (strstr (g_ptr_array_index (profile->comments, i), "user space only") != NULL)
      return TRUE;
  return FALSE;
}

/* The 70/30 program by --pid, stopped with Ctrl-C once it is done: the split against its own
 * thread CPU clocks, and (with or without frame pointers) stacks from spin_a and spin_b that
 * reach main. @as_nobody: the program and gz-cli run as uid 65534 (the caller is root). */
static void
run_split (Fixture  *f,
           gboolean  frame_pointers,
           gboolean  as_nobody)
{
  double truth = 0, measured = 0, reach = 0;
  guint64 lost = 0;

  if (!perf_allowed ())
    return;
  if (as_nobody)
    open_dirs_to_nobody (f);
  for (guint attempt = 0; attempt < SPLIT_ATTEMPTS; attempt++)
    {
      Program p = { .as_nobody = as_nobody };
      Session s = { 0 };
      g_autoptr(GHashTable) truths = NULL;
      g_autoptr(GzProfile) profile = NULL;
      g_autofree char *text = NULL;
      gint64 a, b, a_main, b_main;
      gint64 own_a, own_b;

      program_start (&p, target_path (frame_pointers), "split", "4", NULL);
      session_start (f, &s, p.pid, as_nobody);
      program_go (&p);
      truths = program_results (&p);
      /* Ctrl-C saves. */
      g_subprocess_send_signal (s.proc, SIGINT);
      profile = session_finish (&s, &text);
      program_end (&p);

      own_a = (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (truths, "spin_a"));
      own_b = (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (truths, "spin_b"));
      g_assert_cmpint (own_a, >, 0);
      g_assert_cmpint (own_b, >, 0);
      a = cpu_of (profile, "spin_a", &a_main);
      b = cpu_of (profile, "spin_b", &b_main);
      g_assert_cmpint (a + b, >, 0);
      truth = 100.0 * (double) own_a / (double) (own_a + own_b);
      measured = 100.0 * (double) a / (double) (a + b);
      reach = (double) (a_main + b_main) / (double) (a + b);
      lost = lost_samples (profile);
      g_test_message ("%s%s: spin_a %.2f %% by its own clock, %.2f %% in the profile (%.0f %% "
                      "of its CPU time sampled, %" G_GUINT64_FORMAT " samples lost); %.1f %% of "
                      "their stacks reach main", frame_pointers ? "frame pointers"
                                                                : "no frame pointers",
                      as_nobody ? ", unprivileged" : "", truth, measured,
                      100.0 * (double) (a + b) / (double) (own_a + own_b), lost, 100 * reach);
      g_assert_null (strstr (text, "exited during the session"));
      /* At perf_event_paranoid 2 a user gets user space only, and the profile says so. */
      if (as_nobody)
        g_assert_true (says_user_space_only (profile));
      if (lost == 0 && fabs (measured - truth) <= 1.5)
        break;
    }
  if (lost > 0)
    {
      g_autofree char *why = g_strdup_printf ("every run lost samples (the reader was kept off "
                                              "the CPU): spin_a %.2f %% in the profile for "
                                              "%.2f %% by its own clock", measured, truth);

      g_test_skip (why);
      return;
    }
  g_assert_cmpfloat (fabs (measured - truth), <=, 1.5);
  /* DWARF unwinding goes through code without frame pointers (libc's too) down to main. */
  g_assert_cmpfloat (reach, >=, 0.98);
}

static void
test_split_frame_pointers (Fixture      *f,
                           gconstpointer data)
{
  run_split (f, TRUE, FALSE);
}

static void
test_split_no_frame_pointers (Fixture      *f,
                              gconstpointer data)
{
  run_split (f, FALSE, FALSE);
}

/* A thread created after the session started is sampled (the events are inherited), its stack
 * down to the thread's start; stopped from another gz-cli, as a user would. */
static void
test_new_thread (Fixture      *f,
                 gconstpointer data)
{
  Program p = { 0 };
  Session s = { 0 };
  g_autoptr(GHashTable) truths = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *list = NULL;
  g_autofree char *id = NULL;
  gint64 own, sampled, with_main;

  if (!perf_allowed ())
    return;
  program_start (&p, target_path (FALSE), "thread", NULL);
  session_start (f, &s, p.pid, FALSE);
  id = g_strdup (s.id);
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &list, NULL, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list, id));
  program_go (&p);
  truths = program_results (&p);
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, NULL, NULL, "stop", "--session", id,
                                        NULL), ==, 0);
  profile = session_finish (&s, NULL);
  program_end (&p);

  own = (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (truths, "thread_spin"));
  sampled = cpu_of (profile, "thread_spin", &with_main);
  g_test_message ("thread_spin: %" G_GINT64_FORMAT " ns by its own clock, %" G_GINT64_FORMAT
                  " ns in the profile", own, sampled);
  g_assert_cmpint (own, >, 0);
  /* Its CPU time within a few samples (a leftover period per CPU, a turn's boundary, a lost
   * sample or two on a busy machine); no main on a thread's stack, but its start is there: the
   * frame below thread_spin is libc's start_thread, named only with libc's debug symbols. */
  g_assert_cmpfloat (fabs ((double) (sampled - own)), <=, 0.2 * (double) own);
  g_assert_cmpint (cpu_below_in_libc (profile, "thread_spin"), >=, sampled * 9 / 10);
  g_assert_cmpint (with_main, ==, 0);
}

/* The program exits in the middle of a 60 s session: the session ends with it, saves what was
 * sampled, and says so. */
static void
test_target_exits (Fixture      *f,
                   gconstpointer data)
{
  Program p = { 0 };
  Session s = { 0 };
  g_autoptr(GHashTable) truths = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *text = NULL;
  gint64 started = g_get_monotonic_time ();

  if (!perf_allowed ())
    return;
  program_start (&p, target_path (TRUE), "--exit", "split", "1", NULL);
  session_start (f, &s, p.pid, FALSE);
  program_go (&p);
  truths = program_results (&p);
  program_end (&p);
  profile = session_finish (&s, &text);

  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (text, "exited during the session"));
  g_assert_cmpint (cpu_of (profile, "spin_a", NULL), >, 0);
  g_assert_cmpint (cpu_of (profile, "spin_b", NULL), >, 0);
}

/* The one-line error contract, and nothing written. */
static void
assert_refused (Fixture    *f,
                int         status,
                const char *err,
                const char *fragment)
{
  g_autoptr(GDir) dir = g_dir_open (f->cli.out_dir, 0, NULL);
  const char *line = strstr (err, "gz-cli: ");

  g_assert_cmpint (status, !=, 0);
  if (line == NULL || strstr (line, fragment) == NULL)
    g_error ("stderr \"%s\" has no gz-cli line mentioning \"%s\"", err, fragment);
  g_assert_true (strchr (line, '\n') == line + strlen (line) - 1);
  g_assert_true (dir == NULL || g_dir_read_name (dir) == NULL);
}

static void
test_no_such_process (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *err = NULL;
  g_autofree char *pid_text = NULL;
  int pid = 4194000;
  int status;

  while (kill (pid, 0) == 0 || errno != ESRCH)
    pid++;
  pid_text = g_strdup_printf ("%d", pid);
  status = gz_test_cli_run_env (&f->cli, NULL, NULL, &err, "start", "--type", "cpu", "--pid",
                                pid_text, "--duration", "1s", "--output-dir", f->cli.out_dir,
                                NULL);
  assert_refused (f, status, err, "no process");
}

/* Other types need the preload: the line says so and how to start the program with it. */
static void
test_other_type_needs_preload (Fixture      *f,
                               gconstpointer data)
{
  Program p = { 0 };
  g_autofree char *err = NULL;
  g_autofree char *pid_text = NULL;
  int status;

  program_start (&p, target_path (TRUE), "split", "1", NULL);
  pid_text = g_strdup_printf ("%d", p.pid);
  status = gz_test_cli_run_env (&f->cli, NULL, NULL, &err, "start", "--type", "memory",
                                "--pid", pid_text, "--duration", "1s", "--output-dir",
                                f->cli.out_dir, NULL);
  program_end (&p);
  assert_refused (f, status, err, "needs gz's preload");
  g_assert_nonnull (strstr (err, "profile run -- COMMAND"));
}

/* Another user's process: as root, gz-cli runs as nobody against this test's own (root's)
 * program; as a user, against pid 1 when that is not ours. */
static void
test_other_user (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pid_text = NULL;
  Program p = { 0 };
  struct stat st;

  if (geteuid () != 0)
    {
      if (stat ("/proc/1", &st) != 0 || st.st_uid == geteuid ())
        {
          g_test_skip ("pid 1 is ours and we are not root: no other user's process to try");
          return;
        }
      pid_text = g_strdup ("1");
    }
  else
    {
      program_start (&p, target_path (TRUE), "split", "1", NULL);
      pid_text = g_strdup_printf ("%d", p.pid);
      /* nobody writes nothing, but must get as far as asking the kernel. */
      open_dirs_to_nobody (f);
    }
  launcher = gz_test_cli_launcher (&f->cli, G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
  if (geteuid () == 0)
    launch_as_nobody (launcher);
  proc = g_subprocess_launcher_spawn (launcher, &error,
                                      geteuid () == 0 ? for_nobody (gz_test_cli_path ())
                                                      : gz_test_cli_path (), "profile", "start",
                                      "--type", "cpu", "--pid", pid_text, "--duration", "1s",
                                      "--output-dir", f->cli.out_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (p.proc != NULL)
    program_end (&p);
  if (g_subprocess_get_exit_status (proc) == 125)
    {
      g_test_skip ("cannot become uid 65534 to play another user");
      return;
    }
  assert_refused (f, g_subprocess_get_exit_status (proc), err, "another user");
}

/* A user without privileges (root plays nobody, sampling nobody's program): at
 * perf_event_paranoid 2 only user space is sampled, and the profile says so; the split still
 * holds (the program spends next to no time in the kernel) and the stacks reach main. */
static void
test_unprivileged (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *paranoid = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("not root: the other subtests already ran as a user without privileges");
      return;
    }
  if (!g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &paranoid, NULL, NULL) ||
      atoi (paranoid) != 2)
    {
      g_test_skip ("kernel.perf_event_paranoid is not 2: this checks that level");
      return;
    }
  run_split (f, FALSE, TRUE);
}

static void
test_session_api (Fixture      *f,
                  gconstpointer data)
{
  Program p = { 0 };
  GzTarget target = { GZ_TARGET_PID, 0, NULL };
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GzSession) memory = NULL;
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GHashTable) truths = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  GzTestAsync wait;

  if (!perf_allowed ())
    return;
  g_setenv ("GZ_PROFILE_SESSION_DIR", f->cli.session_dir, TRUE);
  program_start (&p, target_path (FALSE), "split", "1", NULL);
  target.pid = p.pid;

  memory = gz_session_new_for_target (NULL, GZ_PROFILE_TYPE_MEMORY, 0, f->cli.out_dir, &target,
                                      NULL, &error);
  g_assert_null (memory);
  g_assert_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "needs gz's preload"));
  g_clear_error (&error);

  session = gz_session_new_for_target (NULL, GZ_PROFILE_TYPE_CPU, 60 * G_TIME_SPAN_SECOND * 1000,
                                       f->cli.out_dir, &target, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gz_session_start (session, &error));
  g_assert_no_error (error);
  program_go (&p);
  truths = program_results (&p);

  gz_test_async_init (&wait);
  gz_session_stop_async (session, NULL, gz_test_async_done, &wait);
  summary = gz_session_stop_finish (session, gz_test_async_wait (&wait), &error);
  gz_test_async_clear (&wait);
  program_end (&p);
  g_assert_no_error (error);
  g_assert_false (summary->target_exited);
  g_assert_cmpint (summary->n_samples, >, 0);
  profile = gz_profile_read_file (gz_session_get_output_path (session), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cpu_of (profile, "spin_a", NULL), >, 0);
  g_unsetenv ("GZ_PROFILE_SESSION_DIR");
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  add ("/perf/split/frame-pointers", test_split_frame_pointers);
  add ("/perf/split/no-frame-pointers", test_split_no_frame_pointers);
  add ("/perf/new-thread", test_new_thread);
  add ("/perf/target-exits", test_target_exits);
  add ("/perf/unprivileged", test_unprivileged);
  add ("/perf/session-api", test_session_api);
  add ("/perf/refused/no-such-process", test_no_such_process);
  add ("/perf/refused/other-type", test_other_type_needs_preload);
  add ("/perf/refused/other-user", test_other_user);
  status = g_test_run ();
  if (nobody_dir != NULL)
    gz_test_remove_tree (nobody_dir);
  g_free (nobody_sessions);
  return status;
}
