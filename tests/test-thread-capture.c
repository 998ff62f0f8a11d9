/* test-thread-capture.c: the goroutine profile of another process from outside (ptrace,
 * nothing of gz in it, no signal): a plain C program's three named threads, each blocked in a
 * known function, and its main thread; captured 20 times, the program goes on unharmed (no
 * call it was blocked in returns early). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gz-profile.h"
#include "gz-test-profiles.h"
#include "gz-thread-profiler.h"

#define N_CAPTURES 20

/* Whether this process may ptrace a child of its own (Yama, a container's seccomp policy). */
static gboolean
ptrace_allowed (char **why)
{
  pid_t child = fork ();
  int status = 0;
  gboolean allowed;

  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  allowed = ptrace (PTRACE_SEIZE, child, NULL, NULL) == 0;
  if (!allowed)
    *why = g_strdup_printf ("ptrace is refused here: %s", g_strerror (errno));
  kill (child, SIGKILL);
  waitpid (child, &status, 0);
  return allowed;
}

static void
test_named_threads (void)
{
  const char *argv[] = { g_getenv ("GZ_TEST_NAMED_THREADS"), NULL };
  const char *blocked[][2] = { { "gz-reader", "blocked_in_read" },
                               { "gz-sleeper", "blocked_in_sleep" },
                               { "gz-waiter", "blocked_on_cond" } };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *why = NULL;
  g_autofree char *last = NULL;
  g_autofree char *main_name = NULL;
  pid_t pid;
  gint64 slowest = 0;

  if (!ptrace_allowed (&why))
    {
      g_test_skip (why);
      return;
    }
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  ready = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ready, ==, "ready");
  pid = (pid_t) atoi (g_subprocess_get_identifier (process));
  main_name = g_path_get_basename (argv[0]);
  main_name[MIN (strlen (main_name), 15)] = '\0'; /* comm keeps 15 characters */

  for (guint n = 0; n < N_CAPTURES; n++)
    {
      g_autoptr(GzProfile) profile = NULL;
      gint64 start = g_get_monotonic_time ();

      profile = gz_thread_profile_of_process (pid, &error);
      slowest = MAX (slowest, g_get_monotonic_time () - start);
      g_assert_no_error (error);
      g_assert_true (gz_profile_validate (profile, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (((GzValueType *) g_ptr_array_index (profile->sample_types, 0))->type,
                       ==, "goroutine");
      /* Four threads: main and the three, each named, each where it blocks. */
      g_assert_cmpint (gz_profile_total (profile, 0), ==, 4);
      for (guint i = 0; i < G_N_ELEMENTS (blocked); i++)
        {
          g_assert_cmpint (gz_test_profile_sum (profile, 0, "*", "thread", blocked[i][0]), ==, 1);
          if (gz_test_profile_sum (profile, 0, blocked[i][1], "thread", blocked[i][0]) != 1)
            g_error ("capture %u: %s is not in %s", n, blocked[i][0], blocked[i][1]);
        }
      g_assert_cmpint (gz_test_profile_sum (profile, 0, "main", "thread", main_name), ==, 1);
      if (n == N_CAPTURES - 1)
        {
          g_autofree char *path = NULL;
          g_autoptr(GzProfile) reread = gz_test_profile_round_trip (profile, &path);
          g_autofree char *top = gz_test_pprof_top (path);

          g_assert_cmpint (gz_test_profile_sum (reread, 0, "blocked_in_read", NULL, NULL), ==, 1);
          if (top != NULL)
            {
              g_test_message ("go tool pprof -top:\n%s", top);
              g_assert_nonnull (strstr (top, "blocked_on_cond"));
            }
          g_unlink (path);
        }
    }
  g_test_message ("%u captures of pid %d, the slowest %.1f ms", N_CAPTURES, (int) pid,
                  slowest / 1e3);

  /* The program goes on: every call it was blocked in returned as it would have. */
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error));
  g_assert_no_error (error);
  last = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (last, ==, "read returned 1, nanosleep interrupted 0 times");
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
}

/* A pid that is gone: one clear line. */
static void
test_gone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = NULL;
  pid_t child = fork ();
  int status;

  if (child == 0)
    _exit (0);
  waitpid (child, &status, 0);
  profile = gz_thread_profile_of_process (child, &error);
  g_assert_null (profile);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "process"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/thread-capture/named-threads", test_named_threads);
  g_test_add_func ("/thread-capture/gone", test_gone);
  return g_test_run ();
}
