/* test-session-launch.c: the core's launch path (gz-session-launch.h) as the app and the
 * command benchmarks use it: one run's profile and exit status, a session that ends with its
 * program, the working folder, where the program's output goes, cancels before and during a
 * run, and commands that cannot run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-profile.h"
#include "gz-session-launch.h"

static char *root;    /* a temporary folder for each test's files */
static char *out_dir; /* the profiles */

static const char *
target_program (void)
{
  const char *path = g_getenv ("GZ_TEST_LAUNCH_TARGET");

  g_assert_nonnull (path);
  return path;
}

/* Runs the default main context until *@done or @seconds passed. */
static gboolean
wait_for (gboolean *done,
          guint     seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!*done && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return *done;
}

typedef struct
{
  gboolean   done;
  char      *path;
  int        exit_code;
  GzSession *session;
  GError    *error;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->path, g_free);
  g_clear_object (&outcome->session);
  g_clear_error (&outcome->error);
  outcome->done = FALSE;
}

static void
on_run (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  Outcome *outcome = data;

  outcome->path = gz_session_launch_run_finish (result, &outcome->exit_code, &outcome->error);
  outcome->done = TRUE;
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Outcome *outcome = data;

  outcome->session = gz_session_launch_finish (result, &outcome->error);
  outcome->done = TRUE;
}

static void
run (GzProfileType         type,
     const char * const   *argv,
     const char           *working_dir,
     GzSessionLaunchFlags  flags,
     GCancellable         *cancellable,
     Outcome              *outcome)
{
  gz_session_launch_run_async (NULL, type, out_dir, argv, working_dir, flags, cancellable,
                               on_run, outcome);
  g_assert_true (wait_for (&outcome->done, 60));
}

/* One run of a program under cpu: its profile holds its 0.5 s of late(), and its status is
 * its own. */
static void
test_run_cpu (void)
{
  const char *argv[] = { target_program (), "exit", NULL };
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0 };
  int index;

  run (GZ_PROFILE_TYPE_CPU, argv, NULL, GZ_SESSION_LAUNCH_FLAGS_SILENT, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.path);
  g_assert_true (g_str_has_prefix (outcome.path, out_dir));
  g_assert_cmpint (outcome.exit_code, ==, 3);
  profile = gz_profile_read_file (outcome.path, &error);
  g_assert_no_error (error);
  index = gz_profile_find_sample_type (profile, "cpu");
  g_assert_cmpint (index, >=, 0);
  g_test_message ("cpu of the run: %.3f s", gz_profile_total (profile, index) / 1e9);
  g_assert_cmpint (gz_profile_total (profile, index), >, 300 * G_GINT64_CONSTANT (1000000));
  outcome_clear (&outcome);
}

/* Under memory (the preload): a valid profile of the whole run, written after its exit. */
static void
test_run_memory (void)
{
  const char *argv[] = { target_program (), "exit", NULL };
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0 };

  if (g_getenv ("GZ_PRELOAD_LIBRARY") == NULL)
    {
      g_test_skip ("no gz preload library in this build (the sanitizer builds leave it out)");
      return;
    }
  run (GZ_PROFILE_TYPE_MEMORY, argv, NULL, GZ_SESSION_LAUNCH_FLAGS_SILENT, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.exit_code, ==, 3);
  profile = gz_profile_read_file (outcome.path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_profile_find_sample_type (profile, "alloc_space"), >=, 0);
  outcome_clear (&outcome);
}

/* The program runs in the working folder: its relative marker lands there, and a relative
 * program path is the folder's. */
static void
test_working_dir (void)
{
  g_autofree char *dir = g_build_filename (root, "work", NULL);
  g_autofree char *marker = g_build_filename (dir, "marker", NULL);
  g_autofree char *copy = g_build_filename (dir, "target", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  const char *argv[] = { "./target", "marker", "marker", NULL };
  Outcome outcome = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_get_contents (target_program (), &contents, &length, NULL));
  g_assert_true (g_file_set_contents (copy, contents, length, NULL));
  g_assert_cmpint (g_chmod (copy, 0755), ==, 0);

  run (GZ_PROFILE_TYPE_CPU, argv, dir, GZ_SESSION_LAUNCH_FLAGS_SILENT, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.exit_code, ==, 0);
  g_assert_true (g_file_test (marker, G_FILE_TEST_IS_REGULAR));
  outcome_clear (&outcome);

  /* A folder that does not exist: nothing runs. */
  g_clear_pointer (&dir, g_free);
  dir = g_build_filename (root, "no-such-folder", NULL);
  run (GZ_PROFILE_TYPE_CPU, argv, dir, GZ_SESSION_LAUNCH_FLAGS_SILENT, NULL, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_test_message ("%s", outcome.error->message);
  outcome_clear (&outcome);
}

/* In a child process whose output the parent reads: "early" prints two lines on stdout. */
static void
output_child (GzSessionLaunchFlags flags)
{
  const char *argv[] = { target_program (), "early", NULL };
  Outcome outcome = { 0 };

  run (GZ_PROFILE_TYPE_CPU, argv, NULL, flags, NULL, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.exit_code, ==, 0);
  outcome_clear (&outcome);
}

/* Where the program's output goes: the caller's stdout (nothing said), its stderr (the app's
 * way), or nowhere (a benchmark's). */
static void
test_output (void)
{
  if (g_test_subprocess ())
    {
      const char *mode = g_getenv ("GZ_TEST_OUTPUT_MODE");

      output_child (g_strcmp0 (mode, "stderr") == 0 ? GZ_SESSION_LAUNCH_FLAGS_STDOUT_TO_STDERR
                    : g_strcmp0 (mode, "silent") == 0 ? GZ_SESSION_LAUNCH_FLAGS_SILENT
                    : GZ_SESSION_LAUNCH_FLAGS_NONE);
      return;
    }
  g_setenv ("GZ_TEST_OUTPUT_MODE", "none", TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*early_ns*");

  g_setenv ("GZ_TEST_OUTPUT_MODE", "stderr", TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*early_ns*");
  g_test_trap_assert_stderr ("*early_ns*");

  g_setenv ("GZ_TEST_OUTPUT_MODE", "silent", TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*early_ns*");
  g_test_trap_assert_stderr_unmatched ("*early_ns*");
  g_unsetenv ("GZ_TEST_OUTPUT_MODE");
}

static void
on_finished (GzSession *session,
             gpointer   data)
{
  *(gboolean *) data = TRUE;
}

/* A launched session: running when delivered, on the program (a COMMAND target with its pid),
 * and finished by itself when the program ends, with a valid profile. */
static void
test_session_ends_with_program (void)
{
  const char *argv[] = { target_program (), "exit", NULL };
  const GzSessionSummary *summary;
  const GzTarget *target;
  Outcome outcome = { 0 };
  gboolean finished = FALSE;

  gz_session_launch_async (NULL, GZ_PROFILE_TYPE_CPU, 0, out_dir, argv, NULL,
                           GZ_SESSION_LAUNCH_FLAGS_SILENT, NULL, on_launched, &outcome);
  g_assert_true (wait_for (&outcome.done, 30));
  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.session);
  g_assert_cmpint (gz_session_get_state (outcome.session), ==, GZ_SESSION_STATE_RUNNING);
  target = gz_session_get_target (outcome.session);
  g_assert_cmpint (target->kind, ==, GZ_TARGET_COMMAND);
  g_assert_cmpint (target->pid, ==, gz_launcher_get_pid (gz_session_get_launcher (
                                                            outcome.session)));
  g_signal_connect (outcome.session, "finished", G_CALLBACK (on_finished), &finished);
  g_assert_true (wait_for (&finished, 30));
  g_assert_cmpint (gz_session_get_state (outcome.session), ==, GZ_SESSION_STATE_FINISHED);
  summary = gz_session_get_summary (outcome.session);
  g_assert_nonnull (summary);
  g_assert_true (g_file_test (summary->path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (gz_launcher_get_exit_code (gz_session_get_launcher (outcome.session)), ==, 3);
  outcome_clear (&outcome);
}

/* Cancelled before it runs: nothing runs. */
static void
test_cancel_before (void)
{
  g_autofree char *marker = g_build_filename (root, "cancelled-marker", NULL);
  const char *argv[] = { target_program (), "marker", marker, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  g_cancellable_cancel (cancellable);
  gz_session_launch_async (NULL, GZ_PROFILE_TYPE_CPU, 0, out_dir, argv, NULL,
                           GZ_SESSION_LAUNCH_FLAGS_SILENT, cancellable, on_launched, &outcome);
  g_assert_true (wait_for (&outcome.done, 30));
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.session);
  outcome_clear (&outcome);
  /* Time for a child that would have run to make its file. */
  g_usleep (300000);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
}

typedef struct
{
  const char   *pidfile;
  GCancellable *cancellable;
} CancelWhen;

/* Cancels once the program wrote its pid (it runs, profiled). */
static gboolean
cancel_when_running (gpointer data)
{
  CancelWhen *when = data;

  if (!g_file_test (when->pidfile, G_FILE_TEST_EXISTS))
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (when->cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancelled during a run: the program is killed at once and the run fails as cancelled. */
static void
test_cancel_run (void)
{
  g_autofree char *pidfile = g_build_filename (root, "loop.pid", NULL);
  const char *argv[] = { target_program (), "loop", pidfile, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *contents = NULL;
  Outcome outcome = { 0 };
  gint64 start = g_get_monotonic_time ();
  CancelWhen when = { pidfile, cancellable };
  int pid;

  g_timeout_add (20, cancel_when_running, &when);
  run (GZ_PROFILE_TYPE_CPU, argv, NULL, GZ_SESSION_LAUNCH_FLAGS_SILENT, cancellable, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.path);
  g_test_message ("%s after %.2f s", outcome.error->message,
                  (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
  /* The program is gone (reaped: no such process). */
  g_assert_true (g_file_get_contents (pidfile, &contents, NULL, NULL));
  pid = atoi (contents);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, 0), !=, 0);
  outcome_clear (&outcome);
}

/* A command that cannot run says why, and nothing runs. */
static void
test_not_found (void)
{
  const char *argv[] = { "gz-no-such-program-4242", NULL };
  Outcome outcome = { 0 };

  run (GZ_PROFILE_TYPE_CPU, argv, NULL, GZ_SESSION_LAUNCH_FLAGS_SILENT, NULL, &outcome);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", outcome.error->message);
  outcome_clear (&outcome);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  root = g_dir_make_tmp ("gz-session-launch-XXXXXX", NULL);
  g_assert_nonnull (root);
  out_dir = g_build_filename (root, "profiles", NULL);

  g_test_add_func ("/session-launch/run/cpu", test_run_cpu);
  g_test_add_func ("/session-launch/run/memory", test_run_memory);
  g_test_add_func ("/session-launch/working-dir", test_working_dir);
  g_test_add_func ("/session-launch/output", test_output);
  g_test_add_func ("/session-launch/session-ends-with-program", test_session_ends_with_program);
  g_test_add_func ("/session-launch/cancel-before", test_cancel_before);
  g_test_add_func ("/session-launch/cancel-run", test_cancel_run);
  g_test_add_func ("/session-launch/not-found", test_not_found);
  status = g_test_run ();

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", root);

    (void) !system (command);
  }
  g_free (out_dir);
  g_free (root);
  return status;
}
