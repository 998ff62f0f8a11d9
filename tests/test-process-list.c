/* test-process-list.c: the user's process list finds this test and its children, with their
 * command lines, CPU use and `gz-cli profile run` sockets. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "gz-process-list.h"

static const GzProcessInfo *
find_pid (GPtrArray *processes,
          int        pid)
{
  for (guint i = 0; i < processes->len; i++)
    {
      const GzProcessInfo *info = g_ptr_array_index (processes, i);

      if (info->pid == pid)
        return info;
    }
  return NULL;
}

static void
test_process_list_self (void)
{
  g_autoptr(GzProcessList) list = gz_process_list_new ();
  g_autoptr(GPtrArray) processes = NULL;
  g_autoptr(GError) error = NULL;
  const GzProcessInfo *self;

  processes = gz_process_list_refresh (list, &error);
  g_assert_no_error (error);
  self = find_pid (processes, getpid ());
  g_assert_nonnull (self);
  g_assert_nonnull (strstr (self->command_line, "test-process-list"));
  g_assert_false (self->has_agent);
  /* Sorted by pid; pid 1 (init, root's) is not the user's unless the test runs as root. */
  for (guint i = 1; i < processes->len; i++)
    g_assert_cmpint (((GzProcessInfo *) processes->pdata[i - 1])->pid, <,
                     ((GzProcessInfo *) processes->pdata[i])->pid);
  if (getuid () != 0)
    g_assert_null (find_pid (processes, 1));
  /* Kernel threads (root's: kthreadd, kworkers) are never offered. */
  for (guint i = 0; i < processes->len; i++)
    {
      const GzProcessInfo *info = g_ptr_array_index (processes, i);

      g_assert_false (g_str_has_prefix (info->command_line, "[kthreadd]"));
      g_assert_false (g_str_has_prefix (info->command_line, "[kworker/"));
    }
}

static int
pid_of (GSubprocess *child)
{
  return atoi (g_subprocess_get_identifier (child));
}

static void
wait_for_exec (GSubprocess *child,
               const char  *argument)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid_of (child));
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* Between fork and exec the child still has this test's command line. */
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL) &&
          memmem (contents, length, argument, strlen (argument)) != NULL)
        return;
      g_usleep (10000);
    }
  g_assert_not_reached ();
}

static void
test_process_list_children (void)
{
  g_autoptr(GzProcessList) list = gz_process_list_new ();
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GSubprocess) sleeper = NULL;
  g_autoptr(GSubprocess) spinner = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *agent_dir = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *socket_name = NULL;
  g_autofree char *plain_path = NULL;
  g_autofree char *plain_name = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  const GzProcessInfo *sleeping, *spinning;

  agent_dir = g_dir_make_tmp ("test-process-list-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("GZ_AGENT_DIR", agent_dir, TRUE);

  sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "31.5", NULL);
  g_assert_no_error (error);
  spinner = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                              "sh", "-c", "while :; do :; done # gz-spin", NULL);
  g_assert_no_error (error);
  wait_for_exec (sleeper, "31.5");
  wait_for_exec (spinner, "gz-spin");

  /* A `run` socket is a Unix socket named after the pid in `run`'s directory; a plain file by
   * that name is not one. */
  socket_name = g_strdup_printf ("%d.sock", pid_of (sleeper));
  socket_path = g_build_filename (agent_dir, socket_name, NULL);
  listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                           &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new (socket_path);
  g_assert_true (g_socket_bind (listener, address, FALSE, &error));
  g_assert_no_error (error);
  plain_name = g_strdup_printf ("%d.sock", pid_of (spinner));
  plain_path = g_build_filename (agent_dir, plain_name, NULL);
  g_assert_true (g_file_set_contents (plain_path, "", 0, &error));

  first = gz_process_list_refresh (list, &error);
  g_assert_no_error (error);
  g_usleep (G_USEC_PER_SEC);
  second = gz_process_list_refresh (list, &error);
  g_assert_no_error (error);

  sleeping = find_pid (second, pid_of (sleeper));
  spinning = find_pid (second, pid_of (spinner));
  g_assert_nonnull (sleeping);
  g_assert_nonnull (spinning);
  g_assert_cmpstr (sleeping->command_line, ==, "sleep 31.5");
  g_assert_cmpstr (spinning->command_line, ==, "sh -c while :; do :; done # gz-spin");
  g_assert_true (sleeping->has_agent);
  g_assert_false (spinning->has_agent);
  /* Over one second: sleep used no CPU (a tick at most), the loop used some (a loaded
   * two-CPU machine still gives a runnable loop far more than 2 % of a second). */
  g_test_message ("cpu: sleep %.1f %%, loop %.1f %%", sleeping->cpu_percent,
                  spinning->cpu_percent);
  g_assert_cmpfloat (sleeping->cpu_percent, <=, 1.5);
  g_assert_cmpfloat (spinning->cpu_percent, >, 2.0);
  g_assert_cmpfloat (spinning->cpu_percent, <=, 100.0 * g_get_num_processors () + 5.0);

  g_subprocess_force_exit (sleeper);
  g_subprocess_force_exit (spinner);
  g_assert_true (g_subprocess_wait (sleeper, NULL, NULL));
  g_assert_true (g_subprocess_wait (spinner, NULL, NULL));
  g_unlink (socket_path);
  g_unlink (plain_path);
  g_rmdir (agent_dir);
  g_unsetenv ("GZ_AGENT_DIR");
}

static void
on_refreshed (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gz_process_list_refresh_finish (GZ_PROCESS_LIST (object), result, &error);
  g_assert_no_error (error);
}

static void
test_process_list_async (void)
{
  g_autoptr(GzProcessList) list = gz_process_list_new ();
  g_autoptr(GPtrArray) processes = NULL;

  gz_process_list_refresh_async (list, NULL, on_refreshed, &processes);
  while (processes == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_pid (processes, getpid ()));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/process-list/self", test_process_list_self);
  g_test_add_func ("/process-list/children", test_process_list_children);
  g_test_add_func ("/process-list/async", test_process_list_async);

  return g_test_run ();
}
