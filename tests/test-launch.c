/* test-launch.c: `gz-cli profile start --type cpu -- COMMAND` end to end: perf events from the
 * program's first instruction, and a valid profile however the program ends (exit, _exit,
 * SIGSEGV, SIGKILL, Ctrl-C in its terminal); nothing runs when the profile could not be saved.
 * goroutine of a launched program from outside (ptrace): its parked threads, nothing of gz;
 * the last capture when it ended first. The launcher leaves no zombie when dropped; the check
 * before a launch with the preload refuses static, setgid and script programs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gz-launcher.h"
#include "gz-preload-paths.h"
#include "gz-profile.h"
#include "gz-test-cli.h"
#include "gz-test-profiles.h"

typedef struct
{
  GzTestCli cli;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  gz_test_cli_set_up (&f->cli, "gz-launch-XXXXXX", "profile");
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  gz_test_cli_tear_down (&f->cli);
}

static const char *
target_program (void)
{
  const char *path = g_getenv ("GZ_TEST_LAUNCH_TARGET");

  g_assert_nonnull (path);
  return path;
}

/* The value after "NAME: " (or "NAME " with @separator " ") on a line of @text. */
static char *
field (const char *text,
       const char *name,
       const char *separator)
{
  g_autofree char *prefix = g_strconcat (name, separator, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

/* Sets a new process group up in the child, as a shell does for a foreground job. */
static void
new_process_group (gpointer data)
{
  setpgid (0, 0);
}

/* gz-cli profile start --output-dir OUT @options… -- target @args…: started in a process group
 * of its own (as a shell starts a job), output to pipes. */
static GSubprocess *
spawn_start_args (Fixture            *f,
                  const char * const *options,
                  const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  launcher = gz_test_cli_launcher (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
  g_subprocess_launcher_set_child_setup (launcher, new_process_group, NULL, NULL);
  g_ptr_array_add (argv, (char *) gz_test_cli_path ());
  g_ptr_array_add (argv, "profile");
  g_ptr_array_add (argv, "start");
  g_ptr_array_add (argv, "--output-dir");
  g_ptr_array_add (argv, f->cli.out_dir);
  for (guint i = 0; options[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) options[i]);
  g_ptr_array_add (argv, "--");
  g_ptr_array_add (argv, (char *) target_program ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

/* The same with the target's @mode [@arg]. */
static GSubprocess *
spawn_start (Fixture            *f,
             const char * const *options,
             const char         *mode,
             const char         *arg)
{
  const char *args[] = { mode, arg, NULL };

  return spawn_start_args (f, options, args);
}

static const char * const cpu[] = { "--type", "cpu", NULL };

/* Waits for gz-cli's end; its status as a shell gives it; its output in *out, *err. */
static int
finish (GSubprocess  *proc,
        char        **out,
        char        **err)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error));
  g_assert_no_error (error);
  g_test_message ("gz-cli:\n%s%s", *out, *err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* The profile gz-cli saved, read back with our decoder (which validates it) and with
 * `go tool pprof` when go is installed; when @function is not NULL, it holds @function in
 * @sample_type. */
static GzProfile *
saved_profile (const char *out,
               const char *sample_type,
               const char *function)
{
  g_autofree char *path = field (out, "Output", ": ");
  g_autofree char *top = NULL;
  g_autoptr(GError) error = NULL;
  GzProfile *profile;
  int index;

  g_assert_nonnull (path);
  g_assert_nonnull (strstr (out, "Saved profile"));
  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  index = gz_profile_find_sample_type (profile, sample_type);
  g_assert_cmpint (index, >=, 0);
  top = gz_test_pprof_top (path);
  if (function == NULL)
    return profile;
  g_assert_cmpint (gz_test_profile_sum (profile, (guint) index, function, NULL, NULL), >, 0);
  if (top != NULL)
    g_assert_nonnull (strstr (top, function));
  return profile;
}

/* The pid the program wrote once it runs (mode loop). */
static GPid
wait_for_pid (const char *pid_file)
{
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (pid_file, &text, NULL, NULL) && strchr (text, '\n') != NULL)
        return (GPid) atoi (text);
      g_usleep (50000);
    }
  g_error ("the program wrote no pid to %s", pid_file);
}

/* gz-cli ends with @status, saying how the program ended (@ending), with a valid cpu profile
 * of what it ran (late() in it), which says so too when @before_profile (the program ended
 * before the profile was written). */
static void
assert_ended (GSubprocess *proc,
              int          status,
              const char  *ending,
              gboolean     before_profile)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_autofree char *how = NULL;
  gboolean said = FALSE;

  g_assert_true (g_str_has_prefix (ending, "The program "));
  g_assert_cmpint (finish (proc, &out, &err), ==, status);
  profile = saved_profile (out, "cpu", "late");
  g_assert_nonnull (strstr (out, ending));
  /* The profile says it too ("the program exited with status 3"): @ending after "The
   * program ", without its full stop. */
  how = g_strndup (ending + strlen ("The program "),
                   strlen (ending) - strlen ("The program ") - g_str_has_suffix (ending, "."));
  for (guint i = 0; i < profile->comments->len; i++)
    {
      const char *comment = g_ptr_array_index (profile->comments, i);

      said |= g_str_has_prefix (comment, "the program ") && strstr (comment, how) != NULL;
    }
  g_assert_true (said == before_profile);
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

/* Whether this process may ptrace a child of its own (a container's seccomp policy, Yama). */
static gboolean
ptrace_allowed (void)
{
  pid_t child = fork ();
  int status = 0;
  gboolean allowed;
  int errsv;

  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  allowed = ptrace (PTRACE_SEIZE, child, NULL, NULL) == 0;
  errsv = errno;
  kill (child, SIGKILL);
  waitpid (child, &status, 0);
  if (!allowed)
    {
      g_autofree char *why = g_strdup_printf ("ptrace is refused here: %s",
                                              g_strerror (errsv));

      g_test_skip (why);
    }
  return allowed;
}

/* Whether a comment of @profile starts with @prefix. */
static gboolean
has_comment (GzProfile  *profile,
             const char *prefix)
{
  for (guint i = 0; i < profile->comments->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (profile->comments, i), prefix))
      return TRUE;
  return FALSE;
}

/* -- the start of the program ---------------------------------------------------------- */

#define EARLY_ATTEMPTS  3
#define EARLY_TOLERANCE 3.0 /* percentage points */

static const char * const cpu_250[] = { "--type", "cpu", "--cpu-hz", "250", NULL };

static void
test_early (Fixture      *f,
            gconstpointer data)
{
  double truth = 0, measured = 0;

  /* Where perf events are refused (here: asked not to be used), the preload's ticks. */
  if (data != NULL)
    {
      if (!have_preload ())
        return;
      gz_test_cli_setenv (&f->cli, "GZ_CPU_SAMPLER", "signal");
    }

  for (guint attempt = 0; attempt < EARLY_ATTEMPTS; attempt++)
    {
      g_autoptr(GSubprocess) proc = spawn_start (f, cpu_250, "early", NULL);
      g_autoptr(GzProfile) profile = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *early_text = NULL;
      g_autofree char *late_text = NULL;
      int index;
      double early_ns, late_ns;

      g_assert_cmpint (finish (proc, &out, &err), ==, 0);
      profile = saved_profile (out, "cpu", "early");
      early_text = field (out, "early_ns", " ");
      late_text = field (out, "late_ns", " ");
      g_assert_nonnull (early_text);
      g_assert_nonnull (late_text);
      early_ns = g_ascii_strtod (early_text, NULL);
      late_ns = g_ascii_strtod (late_text, NULL);
      index = gz_profile_find_sample_type (profile, "cpu");
      truth = 100 * early_ns / (early_ns + late_ns);
      measured = 100.0 * (double) gz_test_profile_sum (profile, (guint) index, "early", NULL, NULL) /
                 (double) (gz_test_profile_sum (profile, (guint) index, "early", NULL, NULL) +
                           gz_test_profile_sum (profile, (guint) index, "late", NULL, NULL));
      g_test_message ("early: %.2f %% by its own clock, %.2f %% in the profile", truth, measured);
      g_assert_nonnull (strstr (out, "The program exited with status 0."));
      if (fabs (measured - truth) <= EARLY_TOLERANCE)
        break;
    }
  g_assert_cmpfloat (fabs (measured - truth), <=, EARLY_TOLERANCE);
}

/* -- however the program ends, its profile is saved -------------------------------------- */

static void
test_exit (Fixture      *f,
           gconstpointer data)
{
  g_autoptr(GSubprocess) proc = spawn_start (f, cpu, "exit", NULL);

  /* _exit (3): no exit handlers ran, and the status is gz-cli's. */
  assert_ended (proc, 3, "The program exited with status 3.", TRUE);
}

static void
test_segv (Fixture      *f,
           gconstpointer data)
{
  g_autoptr(GSubprocess) proc = spawn_start (f, cpu, "segv", NULL);

  assert_ended (proc, 128 + SIGSEGV, "The program was killed by signal 11", TRUE);
}

static void
test_sigkill (Fixture      *f,
              gconstpointer data)
{
  g_autofree char *pid_file = g_build_filename (f->cli.root, "pid", NULL);
  g_autoptr(GSubprocess) proc = spawn_start (f, cpu, "loop", pid_file);

  g_assert_cmpint (kill (wait_for_pid (pid_file), SIGKILL), ==, 0);
  assert_ended (proc, 128 + SIGKILL, "The program was killed by signal 9", TRUE);
}

/* Ctrl-C in a terminal: SIGINT to the foreground process group, gz-cli and the program alike.
 * gz-cli lives on, waits for the program's end and saves what it ran. */
static void
test_sigint_group (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *pid_file = g_build_filename (f->cli.root, "pid", NULL);
  g_autoptr(GSubprocess) proc = spawn_start (f, cpu, "loop", pid_file);
  GPid group = (GPid) atoi (g_subprocess_get_identifier (proc));
  GPid pid = wait_for_pid (pid_file);

  /* The program is in gz-cli's group, as a shell's job would be. */
  g_assert_cmpint (getpgid (pid), ==, group);
  g_assert_cmpint (kill (-group, SIGINT), ==, 0);
  assert_ended (proc, 128 + SIGINT, "The program was killed by signal 2", TRUE);
}

/* A program that ignores SIGINT runs on after a Ctrl-C, profiled; a second Ctrl-C saves the
 * profile and ends it with SIGTERM, as perf record does. */
static void
test_sigint_ignored (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *pid_file = g_build_filename (f->cli.root, "pid", NULL);
  g_autoptr(GSubprocess) proc = spawn_start (f, cpu, "deaf", pid_file);
  GPid group = (GPid) atoi (g_subprocess_get_identifier (proc));
  GPid pid = wait_for_pid (pid_file);

  g_assert_cmpint (kill (-group, SIGINT), ==, 0);
  g_usleep (G_USEC_PER_SEC / 2);
  /* Both run on: the program was not profiled to its end yet. */
  g_assert_cmpint (kill (pid, 0), ==, 0);
  g_assert_nonnull (g_subprocess_get_identifier (proc));
  g_assert_cmpint (kill (-group, SIGINT), ==, 0);
  assert_ended (proc, 128 + SIGTERM, "The program was killed by signal 15", FALSE);
}

/* cpu comes from perf events, which need no LD_PRELOAD: a static program is profiled. */
static void
test_static (Fixture      *f,
             gconstpointer data)
{
  const char *program = g_getenv ("GZ_TEST_TARGET_STATIC");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GzProfile) profile = NULL;

  if (program == NULL || *program == '\0')
    {
      g_test_skip ("no static test program in this build");
      return;
    }
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &out, &err, "start", "--output-dir",
                                        f->cli.out_dir, "--type", "cpu", "--", program, NULL),
                   ==, 0);
  profile = saved_profile (out, "cpu", NULL);
  /* The types recorded inside the program need the preload: refused before it runs. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, NULL, &err, "start", "--output-dir",
                                        f->cli.out_dir, "--type", "memory", "--", program, NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "statically linked"));
}

/* The check before a launch with the preload (gz_preload_check_program): a dynamically linked
 * program passes; a static one, a setgid one (the loader ignores LD_PRELOAD for it), a script
 * and a missing file are refused, each with its reason. */
static void
test_preload_check (Fixture      *f,
                    gconstpointer data)
{
  const char *program = g_getenv ("GZ_TEST_TARGET_STATIC");
  g_autofree char *setgid = g_build_filename (f->cli.root, "setgid-target", NULL);
  g_autofree char *script = g_build_filename (f->cli.root, "script", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (gz_preload_check_program (target_program (), &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (target_program (), &contents, &length, NULL));
  g_assert_true (g_file_set_contents (setgid, contents, length, NULL));
  g_assert_cmpint (g_chmod (setgid, 02755), ==, 0);
  g_assert_false (gz_preload_check_program (setgid, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "setuid or setgid"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (script, "#!/bin/sh\necho hi\n", -1, NULL));
  g_assert_false (gz_preload_check_program (script, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "not an ELF"));
  g_clear_error (&error);

  g_assert_false (gz_preload_check_program ("/nonexistent/program", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  if (program == NULL || *program == '\0')
    {
      g_test_skip ("no static test program in this build (not linked under the sanitizers)");
      return;
    }
  g_assert_false (gz_preload_check_program (program, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "statically linked"));
}

/* -- the preload's types ------------------------------------------------------------- */


/* SIGKILL: what the preload recorded is already outside; the memory profile holds the 16 MiB
 * the program kept from leak_bytes(). */
static void
test_memory_sigkill (Fixture      *f,
                     gconstpointer data)
{
  static const char * const memory[] = { "--type", "memory", "--memory-rate", "65536", NULL };
  g_autofree char *pid_file = g_build_filename (f->cli.root, "pid", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 kept;

  if (!have_preload ())
    return;
  proc = spawn_start (f, memory, "leak", pid_file);
  g_assert_cmpint (kill (wait_for_pid (pid_file), SIGKILL), ==, 0);
  g_assert_cmpint (finish (proc, &out, &err), ==, 128 + SIGKILL);
  profile = saved_profile (out, "inuse_space", "leak_bytes");
  kept = gz_test_profile_sum (profile, (guint) gz_profile_find_sample_type (profile,
                                                                            "inuse_space"),
                              "leak_bytes", NULL, NULL);
  g_test_message ("leak_bytes: %" G_GINT64_FORMAT " bytes in use", kept);
  g_assert_cmpint (kept, >=, 12 << 20);
  g_assert_cmpint (kept, <=, 20 << 20);
}

/* A program that ends at once (before its code can be read, sometimes): a valid, empty
 * profile and its status, for perf events, for the preload's ring, and for the captures of
 * its threads (which say that there was none). */
static void
test_exits_at_once (Fixture      *f,
                    gconstpointer data)
{
  const struct { const char *type, *sample_type; gboolean preload; } types[] = {
    { "cpu", "cpu", FALSE },
    { "memory", "inuse_space", TRUE },
    { "threadcreate", "threadcreate", TRUE },
    { "goroutine", "goroutine", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    for (guint run = 0; run < 5; run++)
      {
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_autoptr(GzProfile) profile = NULL;

        if ((types[i].preload && g_getenv ("GZ_PRELOAD_LIBRARY") == NULL) ||
            (g_str_equal (types[i].type, "goroutine") && !ptrace_allowed ()))
          break;
        g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &out, &err, "start",
                                              "--output-dir", f->cli.out_dir, "--type",
                                              types[i].type, "--", "true", NULL), ==, 0);
        profile = saved_profile (out, types[i].sample_type, NULL);
        g_assert_nonnull (strstr (out, "The program exited with status 0."));
        if (g_str_equal (types[i].type, "goroutine"))
          {
            g_assert_cmpint (profile->samples->len, ==, 0);
            g_assert_true (has_comment (profile, "the program ended before its threads were "
                                                 "captured"));
            g_assert_nonnull (strstr (out, "there is no thread to show"));
          }
      }
}

/* -- goroutine: the program's threads, from outside ---------------------------------------- */

/* The first profile gz-cli wrote in the output folder, waited for (written whole, by a
 * rename). */
static void
wait_for_profile (Fixture *f)
{
  for (int i = 0; i < 200; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (f->cli.out_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".prof"))
          return;
      g_usleep (50000);
    }
  g_error ("no profile in %s", f->cli.out_dir);
}

/* The goroutine profile of the threads mode: four threads, main and the three, each named and
 * where it is parked; nothing of gz or GLib in it. */
static void
assert_parked_threads (GzProfile *profile)
{
  const char *parked[][2] = { { "reader", "parked_in_read" },
                              { "sleeper", "parked_in_sleep" },
                              { "waiter", "parked_on_cond" } };
  g_autofree char *main_name = g_path_get_basename (target_program ());

  main_name[MIN (strlen (main_name), 15)] = '\0'; /* comm keeps 15 characters */
  g_assert_cmpint (gz_profile_total (profile, 0), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (parked); i++)
    g_assert_cmpint (gz_test_profile_sum (profile, 0, parked[i][1], "thread", parked[i][0]),
                     ==, 1);
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "main_waits", "thread", main_name), ==, 1);
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "gz_*", NULL, NULL), ==, 0);
  g_assert_cmpint (gz_test_profile_sum (profile, 0, "g_*", NULL, NULL), ==, 0);
  for (guint i = 0; i < profile->mappings->len; i++)
    {
      const GzMapping *mapping = g_ptr_array_index (profile->mappings, i);

      g_assert_null (strstr (mapping->filename != NULL ? mapping->filename : "", "libgz"));
    }
}

/* Stopped by --duration while the program runs: its threads at the stop, taken from outside;
 * nothing of gz is in the program (no preload). */
static void
test_goroutine_at_stop (Fixture      *f,
                        gconstpointer data)
{
  static const char * const goroutine[] = { "--type", "goroutine", "--duration", "1500ms",
                                            NULL };
  g_autofree char *pid_file = g_build_filename (f->cli.root, "pid", NULL);
  g_autofree char *maps_path = NULL;
  g_autofree char *maps = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GPid pid;

  const char *args[] = { "threads", pid_file, "0", NULL };

  if (!ptrace_allowed ())
    return;
  proc = spawn_start_args (f, goroutine, args);
  pid = wait_for_pid (pid_file);
  maps_path = g_strdup_printf ("/proc/%d/maps", (int) pid);
  g_assert_true (g_file_get_contents (maps_path, &maps, NULL, NULL));
  g_assert_null (strstr (maps, "libgz"));
  /* The session ends at 1.5 s; the program runs on until it is told to go. */
  wait_for_profile (f);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  g_assert_cmpint (finish (proc, &out, &err), ==, 128 + SIGTERM);
  profile = saved_profile (out, "goroutine", "parked_on_cond");
  assert_parked_threads (profile);
  g_assert_false (has_comment (profile, "the program ended before"));
  g_assert_null (strstr (out, "ended before"));
}

/* The program ends before the session's stop (its whole life, no --duration): the last of the
 * captures taken once a second, which the profile and the summary say; its status passes. */
static void
test_goroutine_ended (Fixture      *f,
                      gconstpointer data)
{
  static const char * const goroutine[] = { "--type", "goroutine", NULL };
  g_autofree char *pid_file = g_build_filename (f->cli.root, "pid", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  /* 2.3 s: the last capture is the one at about 2 s. */
  const char *args[] = { "threads", pid_file, "2300", NULL };

  if (!ptrace_allowed ())
    return;
  proc = spawn_start_args (f, goroutine, args);
  g_assert_cmpint (finish (proc, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "The program exited with status 0."));
  g_assert_nonnull (strstr (out, "The program ended before the session's stop: these are its "
                                 "threads at the last capture"));
  profile = saved_profile (out, "goroutine", "parked_in_read");
  assert_parked_threads (profile);
  g_assert_true (has_comment (profile, "the program ended before the session's stop: these "
                                       "are its threads at the last capture"));
}

/* -- nothing runs unprofiled ----------------------------------------------------------- */

static void
test_output_unwritable (Fixture      *f,
                        gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->cli.root, "a-file", NULL);
  g_autofree char *bad_dir = g_build_filename (file, "profiles", NULL);
  g_autofree char *marker = g_build_filename (f->cli.root, "marker", NULL);
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  /* Under a file: no directory can be made there, not even by root. */
  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, NULL, &err, "start", "--output-dir",
                                        bad_dir, "--type", "cpu", "--", target_program (),
                                        "marker", marker, NULL), ==, 1);
  g_test_message ("%s", err);
  lines = g_strsplit (err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (err, "gz-cli: "));
  g_assert_nonnull (strstr (err, bad_dir));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
}

/* -- the core's launcher, as the app and benchmarks call it ------------------------------ */

/* Runs @launcher's child to its end (released first unless @abort) and returns its exit code;
 * a wait with a cancellable cancelled at once fails first with G_IO_ERROR_CANCELLED. */
static int
launcher_run (GzLauncher *launcher,
              gboolean    abort)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GzTestAsync cancelled, ended;
  int code = -1;

  g_assert_true (gz_launcher_spawn (launcher, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gz_launcher_get_pid (launcher), >, 0);
  g_assert_false (gz_launcher_get_exited (launcher));
  gz_test_async_init (&cancelled);
  gz_launcher_wait_async (launcher, cancellable, gz_test_async_done, &cancelled);
  g_cancellable_cancel (cancellable);
  g_assert_false (gz_launcher_wait_finish (launcher, gz_test_async_wait (&cancelled), NULL,
                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  gz_test_async_clear (&cancelled);

  if (abort)
    gz_launcher_abort (launcher);
  else
    {
      g_assert_true (gz_launcher_release (launcher, &error));
      g_assert_no_error (error);
    }
  gz_test_async_init (&ended);
  gz_launcher_wait_async (launcher, NULL, gz_test_async_done, &ended);
  g_assert_true (gz_launcher_wait_finish (launcher, gz_test_async_wait (&ended), &code,
                                          &error));
  g_assert_no_error (error);
  gz_test_async_clear (&ended);
  g_assert_true (gz_launcher_get_exited (launcher));
  g_assert_cmpint (gz_launcher_get_exit_code (launcher), ==, code);
  return code;
}

static void
test_launcher (Fixture      *f,
               gconstpointer data)
{
  g_autofree char *marker = g_build_filename (f->cli.root, "marker", NULL);
  g_autofree char *script = g_strdup_printf ("touch '%s'; exit 5", marker);
  const char *exits[] = { "sh", "-c", script, NULL };
  const char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
  const char *missing[] = { "gz-no-such-command-here", NULL };
  g_autoptr(GzLauncher) aborted = NULL;
  g_autoptr(GzLauncher) exited = NULL;
  g_autoptr(GzLauncher) signalled = NULL;
  g_autoptr(GzLauncher) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ending = NULL;

  none = gz_launcher_new (missing, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  /* Aborted before its exec: the program never runs. */
  aborted = gz_launcher_new (exits, NULL);
  g_assert_cmpint (launcher_run (aborted, TRUE), ==, 127);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

  exited = gz_launcher_new (exits, NULL);
  g_assert_nonnull (strstr (gz_launcher_get_command_line (exited), "'touch "));
  g_assert_cmpint (launcher_run (exited, FALSE), ==, 5);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  ending = gz_launcher_describe_exit (exited);
  g_assert_cmpstr (ending, ==, "exited with status 5");

  signalled = gz_launcher_new (killed, NULL);
  g_assert_cmpint (launcher_run (signalled, FALSE), ==, 128 + SIGKILL);
  g_clear_pointer (&ending, g_free);
  ending = gz_launcher_describe_exit (signalled);
  g_assert_true (g_str_has_prefix (ending, "was killed by signal 9"));
}

/* The state letter of process @pid in /proc (R, S, Z…), or 0 when it is gone. */
static char
process_state (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (paren = strrchr (stat, ')')) == NULL)
    return 0;
  return paren[2];
}

/* A launcher dropped while its program runs (or right after an abort), with no main context
 * iterated: the program runs on, and ends reaped, no zombie left. */
static void
test_launcher_dropped (Fixture      *f,
                       gconstpointer data)
{
  const char *sleeper[] = { "sleep", "0.3", NULL };

  for (guint abort = 0; abort < 2; abort++)
    {
      g_autoptr(GzLauncher) launcher = gz_launcher_new (sleeper, NULL);
      g_autoptr(GError) error = NULL;
      GPid pid;
      char state = 'R';

      g_assert_true (gz_launcher_spawn (launcher, &error));
      g_assert_no_error (error);
      pid = gz_launcher_get_pid (launcher);
      if (abort)
        gz_launcher_abort (launcher);
      else
        g_assert_true (gz_launcher_release (launcher, &error));
      g_assert_no_error (error);
      g_clear_object (&launcher);
      if (!abort)
        g_assert_cmpint (kill (pid, 0), ==, 0); /* it runs on */
      for (guint i = 0; i < 100 && (state = process_state (pid)) != 0; i++)
        g_usleep (20000);
      g_test_message ("%s child: state %c after 2 s", abort ? "aborted" : "running",
                      state != 0 ? state : '-');
      g_assert_cmpint (state, ==, 0);
    }
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

  add ("/launch/cpu/early", NULL, test_early);
  add ("/launch/cpu/early-preload-ticks", "ticks", test_early);
  add ("/launch/cpu/exit", NULL, test_exit);
  add ("/launch/cpu/segv", NULL, test_segv);
  add ("/launch/cpu/sigkill", NULL, test_sigkill);
  add ("/launch/cpu/sigint-group", NULL, test_sigint_group);
  add ("/launch/cpu/sigint-ignored", NULL, test_sigint_ignored);
  add ("/launch/cpu/static", NULL, test_static);
  add ("/launch/preload-check", NULL, test_preload_check);
  add ("/launch/memory/sigkill", NULL, test_memory_sigkill);
  add ("/launch/goroutine/at-stop", NULL, test_goroutine_at_stop);
  add ("/launch/goroutine/ended", NULL, test_goroutine_ended);
  add ("/launch/exits-at-once", NULL, test_exits_at_once);
  add ("/launch/output-unwritable", NULL, test_output_unwritable);
  add ("/launch/launcher", NULL, test_launcher);
  add ("/launch/launcher-dropped", NULL, test_launcher_dropped);
  return g_test_run ();
}
