/* test-agent.c: libgz-agent.so inside a plain C program (gz-test-agent-target): its socket and
 * endpoints, session control and the flush at exit, TCP for `go tool pprof`, and the hostile
 * hosts: fork under load, exec, a SIGPROF handler of its own, a thread started before the
 * agent, privileged and static programs. $GZ_AGENT_LIBRARY, $GZ_TEST_AGENT_TARGET and
 * $GZ_TEST_AGENT_STATIC come from meson. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gz-agent-paths.h"
#include "gz-perf-events.h"
#include "gz-profile.h"
#include "gz-test-profiles.h"

typedef struct
{
  char *dir;          /* GZ_AGENT_DIR of the targets */
  char *out;          /* a temporary directory for outputs */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *root = g_dir_make_tmp ("gz-test-agent-XXXXXX", NULL);

  g_assert_nonnull (root);
  f->dir = g_build_filename (root, "agents", NULL);
  f->out = g_steal_pointer (&root);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->out);
  g_free (f->dir);
  g_free (f->out);
}

static const char *
agent_library (void)
{
  const char *path = g_getenv ("GZ_AGENT_LIBRARY");

  g_assert_nonnull (path);
  return path;
}

static const char *
target_program (void)
{
  const char *path = g_getenv ("GZ_TEST_AGENT_TARGET");

  g_assert_nonnull (path);
  return path;
}

/* The target in @mode, with the agent unless @with_agent is FALSE; @extra_env: "NAME=VALUE"s. */
static GSubprocess *
spawn_target (Fixture     *f,
              gboolean     with_agent,
              const char  *const *argv,
              const char  *const *extra_env)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
  g_subprocess_launcher_unsetenv (launcher, "GZ_AGENT_LISTEN");
  g_subprocess_launcher_unsetenv (launcher, "GZ_AGENT_INHERIT");
  g_subprocess_launcher_setenv (launcher, "GZ_AGENT_DIR", f->dir, TRUE);
  /* The target's own configuration only: nothing of the user's. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", f->out, TRUE);
  if (with_agent)
    g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", agent_library (), TRUE);
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (extra_env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

/* The next line of @process's stdout, without its newline. */
static char *
read_line (GSubprocess *process)
{
  GInputStream *out = g_subprocess_get_stdout_pipe (process);
  GString *line = g_string_new (NULL);
  char c;

  while (g_input_stream_read (out, &c, 1, NULL, NULL) == 1 && c != '\n')
    g_string_append_c (line, c);
  return g_string_free (line, FALSE);
}

static char *
read_all (GInputStream *stream)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write (memory, "", 1, NULL, NULL);
  g_output_stream_close (memory, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Closes stdin (the target then ends), reads the rest of stdout and stderr, waits; asserts a
 * zero exit. */
static void
finish_target (GSubprocess  *process,
               char        **rest_of_stdout,
               char        **all_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, NULL);
  out = read_all (g_subprocess_get_stdout_pipe (process));
  err = read_all (g_subprocess_get_stderr_pipe (process));
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("the target failed; stdout: %s; stderr: %s", out, err);
  if (rest_of_stdout != NULL)
    *rest_of_stdout = g_steal_pointer (&out);
  if (all_stderr != NULL)
    *all_stderr = g_steal_pointer (&err);
}

/* One HTTP/1.0 exchange with @address; returns the status, the body in @body. */
static guint
http (GSocketAddress  *address,
      const char      *method,
      const char      *path,
      GBytes         **body,
      char           **headers)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) all = NULL;
  const char *data, *end;
  gsize size;
  guint status = 0;

  g_socket_client_set_timeout (client, 60);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("%s %s HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
                             method, path);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_splice (memory, g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  all = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  data = g_bytes_get_data (all, &size);
  end = g_strstr_len (data, size, "\r\n\r\n");
  g_assert_nonnull (end);
  g_assert_true (sscanf (data, "HTTP/1.%*d %u", &status) == 1);
  if (headers != NULL)
    *headers = g_strndup (data, end - data);
  if (body != NULL)
    *body = g_bytes_new (end + 4, size - (end + 4 - data));
  return status;
}

static guint
http_unix (const char  *socket_path,
           const char  *method,
           const char  *path,
           GBytes     **body)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);

  return http (address, method, path, body, NULL);
}

static char *
bytes_text (GBytes *bytes)
{
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static char *
socket_of (Fixture     *f,
           GSubprocess *process)
{
  g_autofree char *name = g_strdup_printf ("%s.sock", g_subprocess_get_identifier (process));

  return g_build_filename (f->dir, name, NULL);
}

/* The socket appears (0600 in a 0700 directory) before main () runs, and serves the heap, the
 * threads (with the one started before the agent) and the statistics of that process; the
 * program's stdout is the same as without the agent, and its stderr is empty. */
static void
test_serve (Fixture       *f,
            gconstpointer  data)
{
  const char *argv[] = { target_program (), "serve", NULL };
  g_autoptr(GSubprocess) plain = spawn_target (f, FALSE, argv, NULL);
  g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, NULL);
  g_autofree char *first = read_line (process);
  g_autofree char *plain_first = read_line (plain);
  g_autofree char *socket_path = socket_of (f, process);
  g_autofree char *rest = NULL, *err = NULL, *plain_rest = NULL, *plain_err = NULL;
  g_autofree char *stats = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GzProfile) heap = NULL;
  g_autoptr(GzProfile) threads = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_cmpstr (first, ==, "ready");
  g_assert_cmpint (g_stat (socket_path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_cmpuint (http_unix (socket_path, "GET", "/debug/pprof/heap", &body), ==, 200);
  heap = gz_profile_decode (body, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (heap, &error));
  /* 8 MiB kept in 256 KiB pieces: about 8 MiB in use at gz_test_agent_keep. */
  g_assert_cmpint (gz_test_profile_sum (heap, 3, "gz_test_agent_keep", NULL, NULL), >,
                   4 * 1024 * 1024);
  g_clear_pointer (&body, g_bytes_unref);

  g_assert_cmpuint (http_unix (socket_path, "GET", "/debug/pprof/goroutine", &body), ==, 200);
  threads = gz_profile_decode (body, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_test_profile_sum (threads, 0, "gz_test_agent_early_thread", NULL, NULL),
                   ==, 1);
  g_clear_pointer (&body, g_bytes_unref);

  /* A timed request (a delta over 1 s): its timer runs on the agent's own context, never the
   * program's default one, which nobody runs in this program. */
  g_assert_cmpuint (http_unix (socket_path, "GET", "/debug/pprof/block?seconds=1", &body), ==,
                    200);
  g_clear_pointer (&threads, gz_profile_unref);
  threads = gz_profile_decode (body, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_profile_find_sample_type (threads, "delay"), >=, 0);
  g_clear_pointer (&body, g_bytes_unref);

  g_assert_cmpuint (http_unix (socket_path, "GET", "/debug/stats", &body), ==, 200);
  stats = bytes_text (body);
  json_parser_load_from_data (parser, stats, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (
                     json_parser_get_root (parser)), "pid"), ==,
                   atoi (g_subprocess_get_identifier (process)));

  finish_target (process, &rest, &err);
  finish_target (plain, &plain_rest, &plain_err);
  g_assert_cmpstr (first, ==, plain_first);
  g_assert_cmpstr (rest, ==, plain_rest);
  g_assert_cmpstr (err, ==, "");
  /* Gone with its process. */
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
}

/* Session control on the socket: start (409 for a second one, 400 for a bad type), stop (the
 * profile), 404 once stopped; then sessions left running are written at exit. */
static void
test_sessions (Fixture       *f,
               gconstpointer  data)
{
  const char *argv[] = { target_program (), "serve", NULL };
  g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, NULL);
  g_autofree char *first = read_line (process);
  g_autofree char *socket_path = socket_of (f, process);
  g_autofree char *memory_out = g_build_filename (f->out, "memory.pb.gz", NULL);
  g_autofree char *cpu_out = g_build_filename (f->out, "cpu.pb.gz", NULL);
  g_autofree char *start_memory = g_strdup_printf ("/debug/gz/session/start?type=memory&"
                                                   "output=%s", memory_out);
  g_autofree char *start_cpu = g_strdup_printf ("/debug/gz/session/start?type=cpu&output=%s",
                                                cpu_out);
  g_autofree char *id = NULL;
  g_autofree char *target_stderr = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (first, ==, "ready");
  g_assert_cmpuint (http_unix (socket_path, "POST", "/debug/gz/session/start?type=block", &body),
                    ==, 200);
  id = bytes_text (body);
  g_assert_true (g_str_has_prefix (id, "block-"));
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (http_unix (socket_path, "POST", "/debug/gz/session/start?type=block", NULL),
                    ==, 409);
  g_assert_cmpuint (http_unix (socket_path, "POST", "/debug/gz/session/start?type=nope", NULL),
                    ==, 400);
  g_assert_cmpuint (http_unix (socket_path, "GET", "/debug/gz/session/start?type=cpu", NULL),
                    ==, 405);
  g_assert_cmpuint (http_unix (socket_path, "POST", "/debug/gz/session/stop?type=block", &body),
                    ==, 200);
  profile = gz_profile_decode (body, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_cmpint (gz_profile_find_sample_type (profile, "delay"), >=, 0);
  g_assert_cmpuint (http_unix (socket_path, "POST", "/debug/gz/session/stop?type=block", NULL),
                    ==, 404);

  /* Left running: flushed to their outputs when the program exits. */
  g_assert_cmpuint (http_unix (socket_path, "POST", start_memory, NULL), ==, 200);
  g_assert_cmpuint (http_unix (socket_path, "POST", start_cpu, NULL), ==, 200);
  g_assert_false (g_file_test (memory_out, G_FILE_TEST_EXISTS));
  finish_target (process, NULL, &target_stderr);
  /* The CPU stops (the one above, the one at exit) leave nothing on the program's stderr:
   * gperftools' own "PROFILE: interrupts/…" report is not the program's to print. */
  g_assert_cmpstr (target_stderr, ==, "");

  g_clear_pointer (&profile, gz_profile_unref);
  profile = gz_profile_read_file (memory_out, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_cmpint (gz_profile_find_sample_type (profile, "inuse_space"), >=, 0);
  g_clear_pointer (&profile, gz_profile_unref);
  profile = gz_profile_read_file (cpu_out, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (profile, &error));
  g_assert_cmpint (gz_profile_find_sample_type (profile, "cpu"), >=, 0);
}

typedef struct
{
  char   *socket_path;
  guint   status;
  GBytes *body;
} Client;

static gpointer
client_thread (gpointer data)
{
  Client *client = data;

  client->status = http_unix (client->socket_path, "GET", "/debug/pprof/block?seconds=60",
                              &client->body);
  return NULL;
}

/* The program exits while a request runs (a delta over 60 s): the request is cut short and
 * answered with what it has, and the exit is not held up for it. */
static void
test_exit_in_flight (Fixture       *f,
                     gconstpointer  data)
{
  const char *argv[] = { target_program (), "serve", NULL };
  g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, NULL);
  g_autofree char *first = read_line (process);
  Client client = { socket_of (f, process), 0, NULL };
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  g_assert_cmpstr (first, ==, "ready");
  thread = g_thread_new ("client", client_thread, &client);
  g_usleep (500 * G_TIME_SPAN_MILLISECOND);
  start = g_get_monotonic_time ();
  finish_target (process, NULL, NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_thread_join (thread);
  g_assert_cmpuint (client.status, ==, 200);
  profile = gz_profile_decode (client.body, &error);
  g_assert_no_error (error);
  g_assert_true (gz_profile_validate (profile, &error));
  g_bytes_unref (client.body);
  g_free (client.socket_path);
}

/* A port free a moment ago. */
static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* GZ_AGENT_LISTEN: the pprof endpoints on TCP, read by `go tool pprof`; no session control. */
static void
test_tcp (Fixture       *f,
          gconstpointer  data)
{
  guint port = free_port ();
  g_autofree char *listen = g_strdup_printf ("GZ_AGENT_LISTEN=127.0.0.1:%u", port);
  const char *env[] = { listen, NULL };
  const char *argv[] = { target_program (), "serve", NULL };
  g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, env);
  g_autofree char *first = read_line (process);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, (guint16) port);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/debug/pprof/heap", port);
  g_autofree char *go = g_find_program_in_path ("go");
  g_autoptr(GBytes) body = NULL;

  g_assert_cmpstr (first, ==, "ready");
  g_assert_cmpuint (http (address, "GET", "/debug/pprof/heap", &body, NULL), ==, 200);
  g_assert_cmpuint (http (address, "POST", "/debug/gz/session/start?type=memory", NULL, NULL),
                    ==, 405);
  if (go != NULL)
    {
      const char *pprof[] = { go, "tool", "pprof", "-top", "-sample_index=inuse_space", url,
                              NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_spawn_sync (NULL, (char **) pprof, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                    &status, &error);
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("go tool pprof failed: %s", err);
      g_assert_nonnull (strstr (out, "gz_test_agent_keep"));
    }
  finish_target (process, NULL, NULL);
  if (go == NULL)
    g_test_skip ("go is not installed: `go tool pprof` not tried (apt-get install golang-go)");
}

/* Where the agent cannot run as asked, it says so in one "gz-agent:" line and the program runs
 * as without it: a TCP address beyond this machine without a token, a malformed one. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  const char *cases[] = { "GZ_AGENT_LISTEN=0.0.0.0:1", "GZ_AGENT_LISTEN=nonsense" };
  const char *argv[] = { target_program (), "serve", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *env[] = { cases[i], NULL };
      g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, env);
      g_autofree char *first = read_line (process);
      g_autofree char *socket_path = socket_of (f, process);
      g_autofree char *rest = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpstr (first, ==, "ready");
      g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
      finish_target (process, &rest, &err);
      g_assert_cmpstr (rest, ==, "bye\n");
      g_assert_true (g_str_has_prefix (err, "gz-agent: not profiling "));
      g_assert_nonnull (strstr (err, "GZ_AGENT_LISTEN"));
      g_assert_cmpstr (strchr (err, '\n'), ==, "\n");
    }
}

/* The forking program, 50 times: each forks 20 children while two threads allocate and contend
 * under sampling of every allocation and every block; each child allocates, locks, creates a
 * thread and exits. None hangs, none fails, and no child serves (or leaves) a socket. */
static void
test_fork (Fixture       *f,
           gconstpointer  data)
{
  const char *env[] = { "GZ_PROFILE_MEMORY_RATE=1", "GZ_PROFILE_BLOCK_RATE=1",
                        "GZ_PROFILE_MUTEX_FRACTION=1", NULL };
  const char *argv[] = { target_program (), "fork", "20", NULL };

  for (guint run = 0; run < 50; run++)
    {
      g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, env);
      g_autofree char *line = read_line (process);
      g_autofree char *err = NULL;
      g_autoptr(GDir) dir = NULL;
      const char *name;
      guint n_sockets = 0;

      g_assert_cmpstr (line, ==, "forked 20 ok");
      finish_target (process, NULL, &err);
      g_assert_cmpstr (err, ==, "");
      dir = g_dir_open (f->dir, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        n_sockets++;
      g_assert_cmpuint (n_sockets, ==, 0);
    }
}

/* exec: the child runs without the agent, unless GZ_AGENT_INHERIT=1. */
static void
test_exec (Fixture       *f,
           gconstpointer  data)
{
  const char *argv[] = { target_program (), "exec", NULL };
  const char *inherit[] = { "GZ_AGENT_INHERIT=1", NULL };
  g_autoptr(GSubprocess) clean = spawn_target (f, TRUE, argv, NULL);
  g_autoptr(GSubprocess) kept = NULL;
  g_autofree char *out = NULL;

  finish_target (clean, &out, NULL);
  g_assert_cmpstr (out, ==, "child preload: none\nchild socket: not served\n");
  g_clear_pointer (&out, g_free);

  kept = spawn_target (f, TRUE, argv, inherit);
  finish_target (kept, &out, NULL);
  g_assert_cmpstr (out, ==, "child preload: agent\nchild socket: served\n");
}

/* A program with a SIGPROF handler of its own: its CPU profile comes from perf events, which
 * leave the signal alone (where they are refused: none, with a clear error naming SIGPROF, both
 * through a session and /debug/pprof/profile); its handler untouched, everything else served. */
static void
test_sigprof (Fixture       *f,
              gconstpointer  data)
{
  const char *argv[] = { target_program (), "sigprof", NULL };
  g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, NULL);
  g_autofree char *first = read_line (process);
  g_autofree char *socket_path = socket_of (f, process);
  g_autofree char *text = NULL;
  g_autofree char *rest = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) perf_refused = NULL;
  gboolean perf = gz_perf_events_check (getpid (), &perf_refused);
  guint status;

  g_assert_cmpstr (first, ==, "ready");
  status = http_unix (socket_path, "POST", "/debug/gz/session/start?type=cpu", &body);
  text = bytes_text (body);
  if (perf)
    {
      g_assert_cmpuint (status, ==, 200);
      g_assert_cmpuint (http_unix (socket_path, "POST", "/debug/gz/session/stop?type=cpu", NULL),
                        ==, 200);
      g_assert_cmpuint (http_unix (socket_path, "GET", "/debug/pprof/profile?seconds=1", NULL),
                        ==, 200);
    }
  else
    {
      g_test_message ("perf events are refused: %s", perf_refused->message);
      g_assert_cmpuint (status, ==, 500);
      g_assert_nonnull (strstr (text, "SIGPROF"));
      status = http_unix (socket_path, "GET", "/debug/pprof/profile?seconds=1", NULL);
      g_assert_cmpuint (status, >=, 400);
    }
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (http_unix (socket_path, "GET", "/debug/pprof/heap", NULL), ==, 200);
  finish_target (process, &rest, NULL);
  g_assert_cmpstr (rest, ==, "sigprof handler kept\nbye\n");
}

/* A program that recovers from its own faults in a SIGSEGV handler does so with the agent. */
static void
test_sigsegv (Fixture       *f,
              gconstpointer  data)
{
  const char *argv[] = { target_program (), "sigsegv", NULL };
  g_autoptr(GSubprocess) process = spawn_target (f, TRUE, argv, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  finish_target (process, &out, &err);
  g_assert_cmpstr (out, ==, "recovered 100 faults\n");
  g_assert_cmpstr (err, ==, "");
}

/* A setgid program run by another user: the loader runs it without the agent (it ignores
 * LD_PRELOAD in secure execution); it runs as always, and nothing serves its pid. The agent's
 * own check (AT_SECURE in its constructor) is only reached through /etc/ld.so.preload, which
 * a test does not touch. */
static void
test_secure (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *id = g_find_program_in_path ("id");
  g_autofree char *copy = g_build_filename (f->out, "id-setgid", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  int status = 0;

  if (geteuid () != 0 || setpriv == NULL || id == NULL)
    {
      g_test_skip ("needs root and setpriv to run a setgid program as another user");
      return;
    }
  g_assert_true (g_file_get_contents (id, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (copy, contents, length, NULL));
  g_assert_cmpint (g_chmod (f->out, 0755), ==, 0);
  g_assert_cmpint (g_chmod (copy, 02755), ==, 0);
  {
    g_autofree char *preload = g_strdup_printf ("LD_PRELOAD=%s", agent_library ());
    g_autofree char *dir = g_strdup_printf ("GZ_AGENT_DIR=%s", f->dir);
    const char *argv[] = { setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                           "env", preload, dir, copy, "-g", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                  &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* The effective group is root's: the setgid bit took effect. */
  g_assert_cmpstr (out, ==, "0\n");
  g_assert_cmpstr (err, ==, "");
  g_assert_false (g_file_test (f->dir, G_FILE_TEST_EXISTS));
}

/* Refused before launching: a static program, a setgid one, a script. */
static void
test_can_preload (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *setgid = g_build_filename (f->out, "setgid-target", NULL);
  g_autofree char *script = g_build_filename (f->out, "script", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (gz_agent_can_preload (target_program (), &error));
  g_assert_no_error (error);

  g_assert_false (gz_agent_can_preload (g_getenv ("GZ_TEST_AGENT_STATIC"), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "statically linked"));
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (target_program (), &contents, &length, NULL));
  g_assert_true (g_file_set_contents (setgid, contents, length, NULL));
  g_assert_cmpint (g_chmod (setgid, 02755), ==, 0);
  g_assert_false (gz_agent_can_preload (setgid, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "setuid or setgid"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (script, "#!/bin/sh\necho hi\n", -1, NULL));
  g_assert_false (gz_agent_can_preload (script, &error));
  g_assert_nonnull (strstr (error->message, "not an ELF"));
  g_clear_error (&error);

  g_assert_false (gz_agent_can_preload ("/nonexistent/program", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/agent/serve", Fixture, NULL, fixture_set_up, test_serve, fixture_tear_down);
  g_test_add ("/agent/sessions", Fixture, NULL, fixture_set_up, test_sessions,
              fixture_tear_down);
  g_test_add ("/agent/exit-in-flight", Fixture, NULL, fixture_set_up, test_exit_in_flight,
              fixture_tear_down);
  g_test_add ("/agent/tcp", Fixture, NULL, fixture_set_up, test_tcp, fixture_tear_down);
  g_test_add ("/agent/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/agent/fork", Fixture, NULL, fixture_set_up, test_fork, fixture_tear_down);
  g_test_add ("/agent/exec", Fixture, NULL, fixture_set_up, test_exec, fixture_tear_down);
  g_test_add ("/agent/sigprof", Fixture, NULL, fixture_set_up, test_sigprof, fixture_tear_down);
  g_test_add ("/agent/sigsegv", Fixture, NULL, fixture_set_up, test_sigsegv, fixture_tear_down);
  g_test_add ("/agent/secure", Fixture, NULL, fixture_set_up, test_secure, fixture_tear_down);
  g_test_add ("/agent/can-preload", Fixture, NULL, fixture_set_up, test_can_preload,
              fixture_tear_down);

  return g_test_run ();
}
