/* test-server-target.c: `gz-cli profile server` serving another program from outside it, with
 * real clients (libsoup, go tool pprof): a plain C program launched with `-- COMMAND` (its heap
 * from the preload's ring, its 70/30 CPU split through perf events, its exit status passed
 * through), a running program without the preload by --pid (cpu and goroutine work, heap says
 * what it needs), and a pid that is gone. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-perf-events.h"
#include "gz-profile.h"
#include "gz-test-profiles.h"

typedef struct
{
  GSubprocess      *cli;
  GDataInputStream *out;
  char             *base;         /* http://127.0.0.1:PORT */
  int               program_pid;  /* -- COMMAND's, from gz-cli's first line */
} Server;

static const char *
env_or_skip (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL && g_str_equal (name, "GZ_PRELOAD_LIBRARY"))
    g_test_skip ("libgz-preload.so is not built here (not under the sanitizers)");
  else if (value == NULL)
    g_test_skip_printf ("%s is not set (meson sets it where it is built)", name);
  return value;
}

/* A port nothing listens on now: bound, then closed. */
static guint
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_autofree char *config = g_build_filename (g_get_tmp_dir (), "gz-test-server-target-config",
                                              NULL);

  /* Nothing of the user's configuration. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GZ_PROFILE_PORT");
  g_subprocess_launcher_unsetenv (launcher, "GZ_PROFILE_TOKEN_FILE");
  return launcher;
}

/* Starts `gz-cli profile server --port P ARGS…` and waits for it to say where it serves. */
static void
server_start (Server      *self,
              const char **args)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint port = free_port ();

  g_ptr_array_add (argv, g_strdup (g_getenv ("GZ_CLI")));
  g_ptr_array_add (argv, g_strdup ("profile"));
  g_ptr_array_add (argv, g_strdup ("server"));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  self->cli = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  self->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->cli));
  self->base = g_strdup_printf ("http://127.0.0.1:%u", port);
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (self->out, NULL, NULL, &error);
      const char *pid;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_test_message ("gz-cli: %s", line);
      if (!g_str_has_prefix (line, "Serving pprof"))
        continue;
      if ((pid = strstr (line, "(pid ")) != NULL)
        self->program_pid = atoi (pid + strlen ("(pid "));
      break;
    }
}

/* The rest of gz-cli's output, and its exit status. */
static int
server_wait (Server *self)
{
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (self->out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
      g_test_message ("gz-cli: %s", line);
    }
  g_subprocess_wait (self->cli, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (self->cli));
  return g_subprocess_get_exit_status (self->cli);
}

static void
server_clear (Server *self)
{
  if (self->cli != NULL && g_subprocess_get_identifier (self->cli) != NULL)
    g_subprocess_force_exit (self->cli);
  g_clear_object (&self->out);
  g_clear_object (&self->cli);
  g_clear_pointer (&self->base, g_free);
}

/* GET @path; *status its HTTP status, *go_pprof its X-Go-Pprof header (may be NULL). */
static GBytes *
fetch (Server      *self,
       const char  *path,
       guint       *status,
       char       **go_pprof)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *url = g_strconcat (self->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (go_pprof != NULL)
    *go_pprof = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                        "X-Go-Pprof"));
  g_test_message ("GET %s: %u, %zu bytes", path, *status, g_bytes_get_size (body));
  return body;
}

static GzProfile *
fetch_profile (Server     *self,
               const char *path)
{
  g_autoptr(GError) error = NULL;
  guint status = 0;
  g_autoptr(GBytes) body = fetch (self, path, &status, NULL);
  GzProfile *profile;

  if (status != SOUP_STATUS_OK)
    g_error ("%s: %u %.*s", path, status, (int) g_bytes_get_size (body),
             (const char *) g_bytes_get_data (body, NULL));
  profile = gz_profile_decode (body, &error);
  g_assert_no_error (error);
  return profile;
}

static gint64
sample_type_index (GzProfile  *profile,
                   const char *type)
{
  for (guint i = 0; i < profile->sample_types->len; i++)
    if (g_str_equal (((GzValueType *) g_ptr_array_index (profile->sample_types, i))->type, type))
      return i;
  g_error ("no sample type %s", type);
}

/* Nothing of gz, GLib or libsoup in a profile of the program. */
static void
assert_only_program_frames (GzProfile *profile)
{
  for (guint i = 0; i < profile->functions->len; i++)
    {
      const char *name = ((GzFunction *) g_ptr_array_index (profile->functions, i))->name;

      if (name == NULL)
        continue;
      if (g_str_has_prefix (name, "gz_") || g_str_has_prefix (name, "g_") ||
          strstr (name, "soup") != NULL)
        g_error ("a frame of gz's own in the program's profile: %s", name);
    }
}

static gboolean
process_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *paren;

  return !g_file_get_contents (path, &stat, NULL, NULL) ||
         ((paren = strrchr (stat, ')')) != NULL && (paren[2] == 'Z' || paren[2] == 'X'));
}

static gboolean
perf_refused (void)
{
  g_autoptr(GError) error = NULL;

  if (gz_perf_events_check (getpid (), &error))
    return FALSE;
  g_test_skip_printf ("perf events are refused here: %s", error->message);
  return TRUE;
}

/* `server -- truth memory 20`: heap names keep_bytes with its 64 MiB and nothing of gz;
 * allocs, a delta, /debug/stats, cmdline, goroutine and `go tool pprof -top URL` work; Ctrl-C
 * ends the program and the server. */
static void
test_command_heap (void)
{
  const char *truth = env_or_skip ("GZ_TEST_TARGET_TRUTH");
  const char *args[] = { "--", truth, "memory", "20", NULL };
  g_autoptr(GzProfile) heap = NULL;
  g_autoptr(GzProfile) allocs = NULL;
  g_autoptr(GzProfile) delta = NULL;
  g_autoptr(GzProfile) goroutine = NULL;
  g_autoptr(GBytes) stats = NULL;
  g_autoptr(GBytes) cmdline = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *top = NULL;
  Server server = { 0 };
  JsonObject *root;
  gint64 kept = 0;
  guint status = 0;

  if (truth == NULL || env_or_skip ("GZ_PRELOAD_LIBRARY") == NULL)
    return;
  server_start (&server, args);
  g_assert_cmpint (server.program_pid, >, 0);

  /* The program keeps its 64 MiB from 0.5 s after its start: until two heaps agree. */
  for (guint i = 0; i < 100; i++)
    {
      gint64 before = kept;

      g_clear_pointer (&heap, gz_profile_unref);
      g_usleep (200 * 1000);
      heap = fetch_profile (&server, "/debug/pprof/heap");
      kept = gz_test_profile_sum (heap, sample_type_index (heap, "inuse_space"), "keep_bytes",
                                  NULL, NULL);
      if (kept > 0 && kept == before)
        break;
    }
  g_test_message ("keep_bytes in use: %" G_GINT64_FORMAT " bytes", kept);
  g_assert_cmpint (kept, >, 48 * 1024 * 1024);
  g_assert_cmpint (kept, <, 80 * 1024 * 1024);
  assert_only_program_frames (heap);

  allocs = fetch_profile (&server, "/debug/pprof/allocs");
  g_assert_cmpstr (allocs->default_sample_type, ==, "alloc_space");
  g_assert_cmpint (gz_test_profile_sum (allocs, sample_type_index (allocs, "alloc_space"),
                                        "keep_bytes", NULL, NULL), >, 48 * 1024 * 1024);
  /* Nothing allocated in that second: the delta holds no new allocation. */
  delta = fetch_profile (&server, "/debug/pprof/allocs?seconds=1");
  g_assert_cmpint (gz_test_profile_sum (delta, sample_type_index (delta, "alloc_space"),
                                        "keep_bytes", NULL, NULL), ==, 0);

  goroutine = fetch_profile (&server, "/debug/pprof/goroutine");
  g_assert_cmpint (gz_profile_total (goroutine, 0), ==, 1);
  assert_only_program_frames (goroutine);

  stats = fetch (&server, "/debug/stats", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (stats, NULL), g_bytes_get_size (stats),
                              &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "pid"), ==, server.program_pid);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "memory"),
                                               "rss_bytes"), >, 48 * 1024 * 1024);

  cmdline = fetch (&server, "/debug/pprof/cmdline", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (cmdline, NULL), strlen (truth), truth, strlen (truth));

  url = g_strconcat (server.base, "/debug/pprof/heap", NULL);
  top = gz_test_pprof_top (url);
  if (top != NULL)
    g_assert_nonnull (strstr (top, "keep_bytes"));

  /* Ctrl-C: the program ends too (SIGTERM: 128 + 15 is its status, and gz-cli's). */
  g_subprocess_send_signal (server.cli, SIGINT);
  g_assert_cmpint (server_wait (&server), ==, 128 + SIGTERM);
  g_assert_true (process_gone (server.program_pid));
  server_clear (&server);
}

/* `server -- truth cpu 4`: a CPU profile asked for at once, for longer than the program runs,
 * is cut short when the program ends and sent: it covers 4 whole turns, whose split is 70/30
 * however busy the machine, with none of gz's frames; then gz-cli ends with the program's
 * status. */
static void
test_command_cpu (void)
{
  const char *truth = env_or_skip ("GZ_TEST_TARGET_TRUTH");
  const char *args[] = { "--", truth, "cpu", "4", NULL };
  g_autoptr(GzProfile) cpu = NULL;
  Server server = { 0 };
  gint64 a, b;
  double share;

  if (truth == NULL || env_or_skip ("GZ_PRELOAD_LIBRARY") == NULL || perf_refused ())
    return;
  server_start (&server, args);
  /* Its spinning begins 1.5 s after its start: the profile is running by then. */
  cpu = fetch_profile (&server, "/debug/pprof/profile?seconds=60");
  a = gz_test_profile_sum (cpu, 1, "spin_a", NULL, NULL);
  b = gz_test_profile_sum (cpu, 1, "spin_b", NULL, NULL);
  share = (double) a / (double) MAX (a + b, 1);
  g_test_message ("spin_a %" G_GINT64_FORMAT " ns, spin_b %" G_GINT64_FORMAT " ns: %.1f %%",
                  a, b, 100 * share);
  /* 4 turns of 356.5 + 152.5 ms. */
  g_assert_cmpint (a + b, >, G_GINT64_CONSTANT (1600000000));
  g_assert_cmpfloat (share, >, 0.64);
  g_assert_cmpfloat (share, <, 0.76);
  assert_only_program_frames (cpu);

  g_assert_cmpint (server_wait (&server), ==, 0);
  server_clear (&server);
}

/* `server -- truth mutex 3`: mutex and block name contend_mutex (the contention since the
 * program's start, from its ring); threadcreate shows only the program's threads. */
static void
test_command_mutex (void)
{
  const char *truth = env_or_skip ("GZ_TEST_TARGET_TRUTH");
  const char *args[] = { "--", truth, "mutex", "3", NULL };
  g_autoptr(GzProfile) mutex = NULL;
  g_autoptr(GzProfile) block = NULL;
  g_autoptr(GzProfile) threads = NULL;
  Server server = { 0 };
  gint64 contended = 0;

  if (truth == NULL || env_or_skip ("GZ_PRELOAD_LIBRARY") == NULL)
    return;
  server_start (&server, args);
  for (guint i = 0; i < 50 && contended == 0; i++)
    {
      g_clear_pointer (&mutex, gz_profile_unref);
      g_usleep (200 * 1000);
      mutex = fetch_profile (&server, "/debug/pprof/mutex");
      contended = gz_test_profile_sum (mutex, 1, "contend_mutex", NULL, NULL);
    }
  g_test_message ("contend_mutex: %" G_GINT64_FORMAT " ns of mutex delay", contended);
  g_assert_cmpint (contended, >, 0);
  assert_only_program_frames (mutex);
  block = fetch_profile (&server, "/debug/pprof/block");
  g_assert_cmpint (gz_test_profile_sum (block, 1, "contend_mutex", NULL, NULL), >, 0);
  assert_only_program_frames (block);
  threads = fetch_profile (&server, "/debug/pprof/threadcreate");
  g_assert_cmpint (gz_test_profile_sum (threads, 0, "run_threads", NULL, NULL), >, 0);
  g_assert_cmpint (gz_test_profile_sum (threads, 0, "run_threads", NULL, NULL), ==,
                   gz_profile_total (threads, 0));
  assert_only_program_frames (threads);

  g_assert_cmpint (server_wait (&server), ==, 0);
  server_clear (&server);
}

/* The program's exit status is gz-cli's. */
static void
test_command_exit_status (void)
{
  const char *truth = env_or_skip ("GZ_TEST_TARGET_TRUTH");
  const char *args[] = { "--", truth, "exit", "3", NULL };
  Server server = { 0 };

  if (truth == NULL || env_or_skip ("GZ_PRELOAD_LIBRARY") == NULL)
    return;
  server_start (&server, args);
  g_assert_cmpint (server_wait (&server), ==, 3);
  server_clear (&server);
}

static gpointer
fetch_cpu (gpointer data)
{
  return fetch_profile (data, "/debug/pprof/profile?seconds=2");
}

/* --pid of a program started without gz: cpu (perf events) and goroutine (ptrace) work, heap
 * answers 501 with one line saying how to get it; one CPU profile at a time; when the program
 * ends, so does the server. */
static void
test_pid_without_preload (void)
{
  const char *truth = env_or_skip ("GZ_TEST_TARGET_TRUTH");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) program = NULL;
  g_autoptr(GzProfile) cpu = NULL;
  g_autoptr(GzProfile) goroutine = NULL;
  g_autoptr(GBytes) heap = NULL;
  g_autoptr(GBytes) dump = NULL;
  g_autoptr(GBytes) busy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *go_pprof = NULL;
  GThread *cpu_thread;
  g_autofree char *text = NULL;
  g_autofree char *pid = NULL;
  const char *args[4] = { "--pid", NULL, NULL };
  Server server = { 0 };
  guint status = 0;
  gint64 a, b;

  if (truth == NULL || perf_refused ())
    return;
  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  program = g_subprocess_launcher_spawn (launcher, &error, truth, "cpu", "10", NULL);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (program));
  args[1] = pid;
  server_start (&server, args);

  heap = fetch (&server, "/debug/pprof/heap", &status, &go_pprof);
  text = g_strndup (g_bytes_get_data (heap, NULL), g_bytes_get_size (heap));
  g_test_message ("heap: %s", text);
  g_assert_cmpuint (status, ==, SOUP_STATUS_NOT_IMPLEMENTED);
  g_assert_cmpstr (go_pprof, ==, "1");
  g_assert_nonnull (strstr (text, "not started by gz"));
  g_assert_nonnull (strstr (text, "gz-cli profile server -- COMMAND"));
  g_assert_null (strchr (g_strchomp (text), '\n'));

  goroutine = fetch_profile (&server, "/debug/pprof/goroutine");
  g_assert_cmpint (gz_profile_total (goroutine, 0), ==, 1);
  dump = fetch (&server, "/debug/pprof/goroutine?debug=2", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (dump, NULL), g_bytes_get_size (dump),
                                  "main(...)"));

  /* One CPU profile at a time, as Go's: a second one meanwhile is refused. */
  g_usleep (1600 * 1000);
  cpu_thread = g_thread_new ("cpu", fetch_cpu, &server);
  g_usleep (500 * 1000);
  busy = fetch (&server, "/debug/pprof/profile?seconds=1", &status, NULL);
  g_assert_cmpuint (status, ==, SOUP_STATUS_INTERNAL_SERVER_ERROR);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (busy, NULL), g_bytes_get_size (busy),
                                  "cpu profiling already in use"));
  cpu = g_thread_join (cpu_thread);
  a = gz_test_profile_sum (cpu, 1, "spin_a", NULL, NULL);
  b = gz_test_profile_sum (cpu, 1, "spin_b", NULL, NULL);
  g_test_message ("spin_a %" G_GINT64_FORMAT " ns, spin_b %" G_GINT64_FORMAT " ns", a, b);
  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (b, >, 0);
  assert_only_program_frames (cpu);

  /* The program ends: the server stops by itself. */
  g_subprocess_force_exit (program);
  g_subprocess_wait (program, NULL, NULL);
  g_assert_cmpint (server_wait (&server), ==, 0);
  server_clear (&server);
}

/* A pid that is gone: one line, a non-zero exit, nothing served. */
static void
test_pid_gone (void)
{
  const char *truth = env_or_skip ("GZ_TEST_TARGET_TRUTH");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) program = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *port = g_strdup_printf ("%u", free_port ());
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (truth == NULL)
    return;
  launcher = new_launcher (G_SUBPROCESS_FLAGS_NONE);
  program = g_subprocess_launcher_spawn (launcher, &error, truth, "exit", "0", NULL);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (program));
  g_subprocess_wait (program, NULL, &error);
  g_assert_no_error (error);

  g_clear_object (&launcher);
  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  cli = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("GZ_CLI"), "profile", "server",
                                     "--port", port, "--pid", pid, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, pid));
  g_assert_null (strchr (g_strchomp (err), '\n'));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("GZ_CLI") == NULL)
    g_error ("GZ_CLI is not set");
  g_test_add_func ("/server-target/command/heap", test_command_heap);
  g_test_add_func ("/server-target/command/cpu", test_command_cpu);
  g_test_add_func ("/server-target/command/mutex", test_command_mutex);
  g_test_add_func ("/server-target/command/exit-status", test_command_exit_status);
  g_test_add_func ("/server-target/pid/without-preload", test_pid_without_preload);
  g_test_add_func ("/server-target/pid/gone", test_pid_gone);
  return g_test_run ();
}
