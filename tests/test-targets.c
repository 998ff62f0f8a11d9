/* test-targets.c: gz-cli profiling other programs end to end: a Go net/http/pprof service by
 * --url, known-truth C programs launched with the preload (-- COMMAND), programs started with
 * `profile run` by --pid (each of the six types), and each kind of bad input. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gz-profile.h"
#include "gz-test-cli.h"
#include "gz-test-profiles.h"
#include "gz-test-quiet.h"

typedef struct
{
  GzTestCli  cli;
  char      *agent_dir;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  gz_test_cli_set_up (&f->cli, "gz-targets-XXXXXX", "profile");
  /* Short: a Unix socket path has at most 107 bytes. */
  f->agent_dir = g_build_filename (f->cli.root, "a", NULL);
  gz_test_cli_setenv (&f->cli, "GZ_AGENT_DIR", f->agent_dir);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  gz_test_cli_tear_down (&f->cli);
  g_free (f->agent_dir);
}

/* $GZ_PRELOAD_LIBRARY when it names a file: the preload is built (not under the sanitizers). */
static gboolean
have_preload (void)
{
  const char *library = g_getenv ("GZ_PRELOAD_LIBRARY");

  if (library != NULL && g_file_test (library, G_FILE_TEST_EXISTS))
    return TRUE;
  g_test_skip ("no preload in this build (it is not built under the sanitizers: "
               "AddressSanitizer owns malloc): GZ_PRELOAD_LIBRARY names no file");
  return FALSE;
}

static const char *
truth_program (void)
{
  const char *path = g_getenv ("GZ_TEST_TARGET_TRUTH");

  g_assert_nonnull (path);
  return path;
}

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

/* The one-line error contract: "gz-cli: <problem>; <fix>\n" mentioning @fragment. */
static void
assert_one_line_error (const char *err,
                       const char *fragment)
{
  const char *line = strstr (err, "gz-cli: ");

  if (line == NULL || strstr (line, fragment) == NULL)
    g_error ("stderr \"%s\" has no gz-cli line mentioning \"%s\"", err, fragment);
  g_assert_nonnull (strstr (line, "; "));
  g_assert_true (g_str_has_suffix (line, "\n"));
  g_assert_true (strchr (line, '\n') == line + strlen (line) - 1);
}

static guint
count_profiles (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n++;
  return n;
}

/* Runs `gz-cli profile start ARGS…` to its end; returns the saved profile (asserting success). */
static GzProfile *
start_ok (Fixture     *f,
          const char **env,
          char       **out_text,
          ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = NULL;
  GzProfile *profile;
  va_list ap;

  g_ptr_array_add (args, "start");
  g_ptr_array_add (args, "--output-dir");
  g_ptr_array_add (args, f->cli.out_dir);
  va_start (ap, out_text);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  proc = gz_test_cli_spawnv (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE, env, args);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("%s%s", out, err);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_error ("gz-cli profile start failed: %s%s", out, err);
  path = field (out, "Output");
  g_assert_nonnull (path);
  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  if (out_text != NULL)
    *out_text = g_steal_pointer (&out);
  return profile;
}

/* @function's share (0–1) of sample type @type's total. */
static double
share_of (GzProfile  *profile,
          const char *type,
          const char *function)
{
  int index = gz_profile_find_sample_type (profile, type);
  gint64 total;

  g_assert_cmpint (index, >=, 0);
  total = gz_profile_total (profile, (guint) index);
  /* An empty profile says why in its comments (records read, without a stack, the error). */
  if (total <= 0)
    for (guint i = 0; i < profile->comments->len; i++)
      g_test_message ("comment: %s", (const char *) g_ptr_array_index (profile->comments, i));
  g_assert_cmpint (total, >, 0);
  return (double) gz_test_profile_sum (profile, (guint) index, function, NULL, NULL) /
         (double) total;
}

/* -- the Go service, profiled by --url -------------------------------------------------- */

typedef struct
{
  GSubprocess *proc;
  char        *url;
} GoService;

/* Builds tests/go/pprof-target.go with Debian's golang-go (standard library only, no network)
 * and starts it; FALSE (skipped) without go. */
static gboolean
go_service_start (Fixture   *f,
                  GoService *service)
{
  g_autofree char *go = g_find_program_in_path ("go");
  g_autofree char *binary = g_build_filename (f->cli.root, "pprof-target", NULL);
  g_autofree char *cache = g_build_filename (f->cli.root, "gocache", NULL);
  g_autofree char *gopath = g_build_filename (f->cli.root, "gopath", NULL);
  g_autofree char *line = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) build = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *build_err = NULL;
  const char *source = g_getenv ("GZ_TEST_GO_TARGET");

  if (go == NULL)
    {
      g_test_skip ("go is not installed (Debian's golang-go builds the net/http/pprof service)");
      return FALSE;
    }
  g_assert_nonnull (source);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GOCACHE", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "GOPATH", gopath, TRUE);
  g_subprocess_launcher_setenv (launcher, "GOPROXY", "off", TRUE);
  g_subprocess_launcher_setenv (launcher, "GO111MODULE", "off", TRUE);
  g_subprocess_launcher_setenv (launcher, "GOFLAGS", "", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", f->cli.root, TRUE);
  build = g_subprocess_launcher_spawn (launcher, &error, go, "build", "-o", binary, source,
                                       NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (build, NULL, NULL, NULL, &build_err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (build) != 0)
    g_error ("go build %s failed: %s", source, build_err);

  service->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, binary, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (service->proc));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  service->url = g_strdup_printf ("http://127.0.0.1:%s", line + strlen ("PORT "));
  return TRUE;
}

static void
go_service_stop (GoService *service)
{
  g_subprocess_force_exit (service->proc);
  g_subprocess_wait (service->proc, NULL, NULL);
  g_clear_object (&service->proc);
  g_clear_pointer (&service->url, g_free);
}

/* A URL's session is a session like any other: listed with its target, stopped from another
 * gz-cli. */
static void
stop_url_session (Fixture    *f,
                  const char *url)
{
  g_autoptr(GSubprocess) owner = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *list = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *id = NULL;
  g_autofree char *rest = NULL;

  owner = gz_test_cli_spawn (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "start", "--type",
                             "memory", "--url", url, "--output-dir", f->cli.out_dir, NULL);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (owner));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Session: "));
  id = g_strdup (line + strlen ("Session: "));
  /* Listed once started (the file appears at reservation; the list shows started ones). */
  for (int i = 0; i < 100; i++)
    {
      g_clear_pointer (&list, g_free);
      g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &list, NULL, "list", NULL), ==, 0);
      if (strstr (list, id) != NULL)
        break;
      g_usleep (50000);
    }
  g_assert_nonnull (strstr (list, id));
  g_assert_nonnull (strstr (list, url));
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &stopped, NULL, "stop", "--session", id,
                                        NULL), ==, 0);
  g_assert_nonnull (strstr (stopped, "main.keepMemory"));
  g_assert_true (g_subprocess_wait_check (owner, NULL, &error));
  g_assert_no_error (error);
}

static void
test_url_go (Fixture      *f,
             gconstpointer data)
{
  GoService service = { 0 };
  g_autoptr(GzProfile) cpu = NULL;
  g_autoptr(GzProfile) memory = NULL;
  g_autoptr(GzProfile) mutex = NULL;
  g_autoptr(GzProfile) goroutine = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  double share;

  if (!go_service_start (f, &service))
    return;

  cpu = start_ok (f, NULL, NULL, "--type", "cpu", "--duration", "2s", "--url", service.url,
                  NULL);
  share = share_of (cpu, "cpu", "main.hotSpin");
  g_test_message ("main.hotSpin: %.1f %% of the Go service's CPU", 100 * share);
  g_assert_cmpfloat (share, >, 0.5);

  memory = start_ok (f, NULL, NULL, "--type", "memory", "--duration", "200ms", "--url",
                     service.url, NULL);
  g_assert_cmpfloat (share_of (memory, "inuse_space", "main.keepMemory"), >, 0.5);

  /* A delta of two snapshots: Go's contended mutex, in its own code. */
  mutex = start_ok (f, NULL, NULL, "--type", "mutex", "--duration", "1s", "--url", service.url,
                    NULL);
  g_assert_cmpfloat (share_of (mutex, "delay", "main.contend.func1"), >, 0.5);

  goroutine = start_ok (f, NULL, NULL, "--type", "goroutine", "--duration", "100ms", "--url",
                        service.url, NULL);
  stop_url_session (f, service.url);
  g_assert_cmpint (gz_profile_total (goroutine, 0), >=, 5);

  /* A Go service has no /debug/stats: one line says so. */
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &out, &err, "stats", "--url",
                                        service.url, NULL), ==, 1);
  assert_one_line_error (err, "gz's servers only");
  go_service_stop (&service);
}

/* -- a URL that answers wrongly -------------------------------------------------------- */

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  GSocketService *service;  /* accepts for the server: SoupServer's own listener leaks */
  guint         port;
  GMutex        lock;
  GCond         ready;
} BadServer;

static void
bad_handler (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  if (g_str_has_prefix (path, "/html/"))
    {
      static const char page[] = "<!DOCTYPE html><html><body>Welcome</body></html>\n";

      soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC, page,
                                        strlen (page));
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      return;
    }
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC,
                                    "no such page here\nsecond line\n",
                                    strlen ("no such page here\nsecond line\n"));
  soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  BadServer *bad = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  if (local != NULL && remote != NULL)
    soup_server_accept_iostream (bad->server, G_IO_STREAM (connection), local, remote, NULL);
  return TRUE;
}

static gpointer
bad_server_thread (gpointer data)
{
  BadServer *bad = data;
  g_autoptr(GError) error = NULL;
  guint16 port;

  g_main_context_push_thread_default (bad->context);
  bad->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (bad->server, NULL, bad_handler, NULL, NULL);
  bad->service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (bad->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (bad->service, "incoming", G_CALLBACK (on_incoming), bad);
  g_socket_service_start (bad->service);
  g_mutex_lock (&bad->lock);
  bad->port = port;
  g_cond_signal (&bad->ready);
  g_mutex_unlock (&bad->lock);
  g_main_loop_run (bad->loop);
  g_socket_service_stop (bad->service);
  g_socket_listener_close (G_SOCKET_LISTENER (bad->service));
  g_clear_object (&bad->service);
  soup_server_disconnect (bad->server);
  g_clear_object (&bad->server);
  /* Let the closed connections finish on this context, or they are never freed. */
  while (g_main_context_iteration (bad->context, FALSE))
    ;
  g_main_context_pop_thread_default (bad->context);
  return NULL;
}

static void
bad_server_start (BadServer *bad)
{
  g_mutex_init (&bad->lock);
  g_cond_init (&bad->ready);
  bad->context = g_main_context_new ();
  bad->loop = g_main_loop_new (bad->context, FALSE);
  bad->thread = g_thread_new ("bad-server", bad_server_thread, bad);
  g_mutex_lock (&bad->lock);
  while (bad->port == 0)
    g_cond_wait (&bad->ready, &bad->lock);
  g_mutex_unlock (&bad->lock);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
bad_server_stop (BadServer *bad)
{
  g_main_context_invoke (bad->context, quit_loop, bad->loop);
  g_thread_join (bad->thread);
  g_main_loop_unref (bad->loop);
  g_main_context_unref (bad->context);
  g_mutex_clear (&bad->lock);
  g_cond_clear (&bad->ready);
}

/* A TCP port that nothing listens on: bound, then closed. */
static guint
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static void
assert_start_fails (Fixture    *f,
                    const char *fragment,
                    ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list ap;

  g_ptr_array_add (args, "start");
  g_ptr_array_add (args, "--output-dir");
  g_ptr_array_add (args, f->cli.out_dir);
  va_start (ap, fragment);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  proc = gz_test_cli_spawnv (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL, args);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_printerr ("%s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  assert_one_line_error (err, fragment);
  /* Nothing half-written, no session left behind. */
  g_assert_cmpuint (count_profiles (f->cli.out_dir), ==, 0);
  g_assert_cmpuint (count_profiles (f->cli.session_dir), ==, 0);
}

static void
test_url_bad (Fixture      *f,
              gconstpointer data)
{
  BadServer bad = { 0 };
  g_autofree char *closed = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autofree char *missing = NULL;
  g_autofree char *html = NULL;
  g_autofree char *err = NULL;

  assert_start_fails (f, "nothing listens at", "--type", "memory", "--url", closed, NULL);
  assert_start_fails (f, "nothing listens at", "--type", "cpu", "--duration", "1s", "--url",
                      closed, NULL);
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, NULL, &err, "stats", "--url", closed,
                                        NULL), ==, 1);
  assert_one_line_error (err, "is the service running?");
  assert_start_fails (f, "not an http(s) URL", "--type", "memory", "--url", "ftp://x", NULL);

  bad_server_start (&bad);
  missing = g_strdup_printf ("http://127.0.0.1:%u", bad.port);
  html = g_strdup_printf ("http://127.0.0.1:%u/html/debug/pprof", bad.port);
  /* The status and the body's first line, and not the second. */
  assert_start_fails (f, "404 Not Found: no such page here; check the URL", "--type", "memory",
                      "--url", missing, NULL);
  assert_start_fails (f, "something that is not a pprof profile", "--type", "memory", "--url",
                      html, NULL);
  assert_start_fails (f, "something that is not a pprof profile", "--type", "block",
                      "--duration", "1s", "--url", html, NULL);
  bad_server_stop (&bad);
}

/* -- commands and pids that cannot be profiled ------------------------------------------ */

static void
test_command_bad (Fixture      *f,
                  gconstpointer data)
{
  g_autofree char *plain = g_build_filename (f->cli.root, "not-executable", NULL);
  const char *static_program = g_getenv ("GZ_TEST_TARGET_STATIC");
  g_autofree char *usage = NULL;

  assert_start_fails (f, "not found", "--type", "cpu", "--", "gz-no-such-command-here", NULL);
  g_assert_true (g_file_set_contents (plain, "#!/bin/sh\n", -1, NULL));
  g_assert_cmpint (g_chmod (plain, 0644), ==, 0);
  assert_start_fails (f, "not an executable file", "--type", "cpu", "--", plain, NULL);
  assert_start_fails (f, "not an executable file", "--type", "cpu", "--", f->cli.root, NULL);
  /* A type recorded inside the program needs LD_PRELOAD; cpu comes from perf events and
   * takes a static program too (test-launch). */
  if (static_program != NULL && *static_program != '\0')
    assert_start_fails (f, "statically linked", "--type", "memory", "--",
                        static_program, NULL);
  else
    g_test_message ("no static test program in this build: not checked");
  /* A usage error: status 2. */
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, NULL, &usage, "start", "--type", "cpu",
                                        "--pid", "1", "--url", "http://127.0.0.1:1", NULL), ==, 2);
  assert_one_line_error (usage, "more than one target");
}

static void
test_pid_not_run (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GSubprocess) sleeper = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *gone = NULL;
  const char *pid;

  sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "30", NULL);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (sleeper);
  assert_start_fails (f, "was not started with gz-cli profile run", "--type", "memory",
                      "--pid", pid, NULL);
  assert_start_fails (f, "gz-cli profile run --", "--type", "memory", "--pid", pid, NULL);
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, NULL, &err, "stats", "--pid", pid,
                                        NULL), ==, 1);
  assert_one_line_error (err, "gz-cli profile run --");
  g_subprocess_force_exit (sleeper);
  g_subprocess_wait (sleeper, NULL, NULL);
  /* Reaped now: no process has that pid (until it is reused, which takes a while). */
  assert_start_fails (f, "no process has pid", "--type", "memory", "--pid", pid, NULL);
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, NULL, &gone, "stats", "--pid", pid,
                                        NULL), ==, 1);
  assert_one_line_error (gone, "no process has pid");
}

/* -- known-truth C programs, launched with the preload ---------------------------------- */

/* "NAME VALUE" from the program's output. */
static gint64
program_value (const char *out,
               const char *name)
{
  g_autofree char *prefix = g_strconcat ("\n", name, " ", NULL);
  g_autofree char *text = g_strconcat ("\n", out, NULL);
  const char *at = strstr (text, prefix);

  if (at == NULL)
    g_error ("the program printed no \"%s\": %s", name, out);
  return g_ascii_strtoll (at + strlen (prefix), NULL, 10);
}

/* One run of the CPU truth program: the program's own split and the profile's, how much of
 * the program's CPU time the profile holds, and what the kernel says about other programs
 * taking the CPU from it meanwhile (its main thread, the one that spins, watched while it
 * runs). */
static void
run_cpu_truth (Fixture     *f,
               double      *truth,
               double      *measured,
               double      *coverage,
               GzTestQuiet *quiet)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *out = NULL;
  g_autofree char *conditions = NULL;
  g_autofree char *name = g_path_get_basename (truth_program ());
  gint64 a, b;

  /* --cpu-hz sets the rate at which the launched program is sampled. */
  gz_test_quiet_begin_program (quiet, name);
  profile = start_ok (f, NULL, &out, "--type", "cpu", "--cpu-hz", "250", "--",
                      truth_program (), "cpu", "4", NULL);
  gz_test_quiet_end (quiet);
  g_assert_cmpint (quiet->cpu_ns, >, 0);
  /* The program's own exit: the profile is whole, no "exited" notice for that. */
  g_assert_null (strstr (out, "exited during the session"));
  a = program_value (out, "spin_a");
  b = program_value (out, "spin_b");
  *truth = 100.0 * (double) a / (double) (a + b);
  *measured = 100.0 * share_of (profile, "cpu", "spin_a") /
              (share_of (profile, "cpu", "spin_a") + share_of (profile, "cpu", "spin_b"));
  *coverage = (double) gz_profile_total (profile, (guint) gz_profile_find_sample_type (profile,
                                                                                     "cpu")) /
              (double) (a + b);
  conditions = gz_test_quiet_describe (quiet);
  g_test_message ("spin_a: %.2f %% by its own clock, %.2f %% in the profile, which holds "
                  "%.0f %% of the program's CPU time; %s", *truth, *measured, 100 * *coverage,
                  conditions);
}

/* SIGPROF is not queued: when other programs take the CPU, expirations merge, a sample lands
 * late (after a turn's boundary) or goes missing, and a VM's stolen time adds some. A run that
 * the kernel saw disturbed, or whose profile lost or gained more than a tenth of the program's
 * CPU time, says nothing about the split: it is run again, up to a bound. An undisturbed run
 * must hold the split within 1.5 points (issue 8); when every run was disturbed and off, the
 * test says so and skips. */
#define COMMAND_CPU_ATTEMPTS 4
#define COMMAND_CPU_LOST     0.03 /* of the program's time: waiting for a CPU */

static void
test_command_cpu (Fixture      *f,
                  gconstpointer data)
{
  double truth = 0, measured = 0, coverage = 0;
  GzTestQuiet quiet = { 0 };
  gboolean disturbed = TRUE;

  if (!have_preload ())
    return;
  for (guint attempt = 0; attempt < COMMAND_CPU_ATTEMPTS; attempt++)
    {
      run_cpu_truth (f, &truth, &measured, &coverage, &quiet);
      disturbed = gz_test_quiet_disturbed (&quiet, COMMAND_CPU_LOST);
      if (!disturbed && fabs (coverage - 1.0) <= 0.1)
        break;
      if (disturbed && fabs (coverage - 1.0) <= 0.1 && fabs (measured - truth) <= 1.5)
        break;
    }
  if (disturbed && (fabs (coverage - 1.0) > 0.1 || fabs (measured - truth) > 1.5))
    {
      g_autofree char *conditions = gz_test_quiet_describe (&quiet);
      g_autofree char *why = g_strdup_printf ("every run was disturbed (the last: %s): spin_a "
                                              "%.2f %% in the profile for %.2f %% by its own "
                                              "clock, %.0f %% of its CPU time sampled",
                                              conditions, measured, truth, 100 * coverage);

      g_test_skip (why);
      return;
    }
  g_assert_cmpfloat (fabs (coverage - 1.0), <=, 0.1);
  g_assert_cmpfloat (fabs (measured - truth), <=, 1.5);
}

static void
test_command_memory (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *out = NULL;
  gint64 kept, estimate;
  int index;

  if (!have_preload ())
    return;
  /* Stopped by --duration while the program still runs: the stop request, not the flush. The
   * program keeps its 64 MiB in ~0.1 s on a quiet machine; 4 s leave room for a loaded one. */
  profile = start_ok (f, NULL, &out, "--type", "memory", "--duration", "4s",
                      "--memory-rate", "16384", "--", truth_program (), "memory", "8", NULL);
  kept = program_value (out, "kept");
  index = gz_profile_find_sample_type (profile, "inuse_space");
  g_assert_cmpint (index, >=, 0);
  estimate = gz_test_profile_sum (profile, (guint) index, "keep_bytes", NULL, NULL);
  g_test_message ("keep_bytes: %" G_GINT64_FORMAT " bytes kept, %" G_GINT64_FORMAT
                  " estimated", kept, estimate);
  g_assert_cmpfloat (fabs ((double) (estimate - kept)), <=, 0.10 * (double) kept);
}

typedef struct
{
  const char *mode;
  const char *type;
  const char *sample_type;
  const char *function;
} ThreadCase;

static const ThreadCase thread_cases[] = {
  { "mutex", "mutex", "delay", "contend_mutex" },
  { "block", "block", "delay", "wait_on_condition" },
  { "threadcreate", "threadcreate", "threadcreate", "create_threads" },
};

static void
test_command_threads (Fixture      *f,
                      gconstpointer data)
{
  const ThreadCase *c = data;
  g_autoptr(GzProfile) profile = NULL;
  double share;

  if (!have_preload ())
    return;
  profile = start_ok (f, NULL, NULL, "--type", c->type, "--", truth_program (), c->mode, "1.5",
                      NULL);
  share = share_of (profile, c->sample_type, c->function);
  g_test_message ("%s: %.1f %% of %s", c->function, 100 * share, c->sample_type);
  g_assert_cmpfloat (share, >=, 0.5);
}

static void
test_command_status (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!have_preload ())
    return;
  /* The program's exit status is gz-cli's, with its profile saved. */
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &out, &err, "start", "--output-dir",
                                        f->cli.out_dir, "--type", "threadcreate", "--",
                                        truth_program (), "exit", "7", NULL), ==, 7);
  g_assert_nonnull (strstr (out, "Saved profile"));
  g_assert_cmpuint (count_profiles (f->cli.out_dir), ==, 1);
}

/* SIGTERM to gz-cli: the profile is saved first, then the program is told to go; gz-cli exits
 * with the program's status (killed by SIGTERM: 143). Listed meanwhile with its command. */
static void
test_command_sigterm (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(GSubprocess) owner = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *list = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GzProfile) profile = NULL;
  char *line;

  if (!have_preload ())
    return;
  owner = gz_test_cli_spawn (&f->cli, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "start", "--type",
                             "mutex", "--output-dir", f->cli.out_dir, "--", truth_program (),
                             "mutex", "30", NULL);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (owner));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      gboolean last = g_str_has_prefix (line, "Profiling ");

      if (g_str_has_prefix (line, "Session: "))
        id = g_strdup (line + strlen ("Session: "));
      if (g_str_has_prefix (line, "Output: "))
        path = g_strdup (line + strlen ("Output: "));
      g_free (line);
      if (last)
        break;
    }
  g_assert_no_error (error);
  g_assert_nonnull (id);
  g_assert_nonnull (path);
  for (int i = 0; i < 100; i++)
    {
      g_clear_pointer (&list, g_free);
      g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &list, NULL, "list", NULL), ==, 0);
      if (strstr (list, id) != NULL)
        break;
      g_usleep (50000);
    }
  g_assert_nonnull (strstr (list, id));
  g_assert_nonnull (strstr (list, "mutex 30"));
  g_usleep (G_USEC_PER_SEC);

  g_subprocess_send_signal (owner, SIGTERM);
  rest = g_data_input_stream_read_upto (lines, "", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (owner, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (owner));
  g_assert_cmpint (g_subprocess_get_exit_status (owner), ==, 128 + SIGTERM);
  g_assert_nonnull (strstr (rest, "Saved profile"));
  profile = gz_profile_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (share_of (profile, "delay", "contend_mutex"), >=, 0.5);
}

/* -- `profile run` (the preload, its socket), then --pid from another terminal ------------ */

static GSubprocess *
run_program (Fixture    *f,
                const char *mode,
                const char *seconds,
                char      **pid)
{
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *socket = NULL;
  GSubprocess *run;
  gint64 deadline;

  /* Its output stays off the TAP stream. */
  run = gz_test_cli_spawn (&f->cli, G_SUBPROCESS_FLAGS_STDERR_PIPE |
                           G_SUBPROCESS_FLAGS_STDOUT_SILENCE, "run", "--", truth_program (),
                           mode, seconds, NULL);
  lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (run));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "pid "));
  *pid = g_strndup (line + 4, strspn (line + 4, "0123456789"));
  g_assert_cmpuint (strlen (*pid), >, 0);
  socket = g_strdup_printf ("%s/%s.sock", f->agent_dir, *pid);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_file_test (socket, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_true (g_file_test (socket, G_FILE_TEST_EXISTS));
  return run;
}

static void
test_pid_run (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *list = NULL;
  g_autofree char *stats = NULL;
  g_autofree char *stats_json = NULL;
  g_autofree char *pid_row = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *stale_err = NULL;

  if (!have_preload ())
    return;
  run = run_program (f, "mutex", "5", &pid);

  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &list, NULL, "list", "--targets", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (list, pid));
  g_assert_nonnull (strstr (list, "mutex 5"));

  /* stats --pid: the target's statistics, not gz-cli's. */
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &stats, NULL, "stats", "--pid", pid,
                                        NULL), ==, 0);
  pid_row = field (stats, "PID");
  if (pid_row == NULL)
    {
      g_auto(GStrv) lines = g_strsplit (stats, "\n", -1);

      for (guint i = 0; lines[i] != NULL && pid_row == NULL; i++)
        if (g_str_has_prefix (lines[i], "PID "))
          pid_row = g_strstrip (g_strdup (lines[i] + 4));
    }
  g_assert_cmpstr (pid_row, ==, pid);
  g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &stats_json, NULL, "stats", "--pid", pid,
                                        "--format", "json", NULL), ==, 0);
  g_assert_nonnull (strstr (stats_json, "\"threads\""));

  profile = start_ok (f, NULL, NULL, "--type", "mutex", "--duration", "1s", "--pid", pid, NULL);
  g_assert_cmpfloat (share_of (profile, "delay", "contend_mutex"), >=, 0.5);

  g_assert_true (g_subprocess_wait_check (run, NULL, NULL));
  /* A socket whose process is gone is removed by the next listing. */
  {
    g_autofree char *fake = g_build_filename (f->agent_dir, "999999999.sock", NULL);

    g_assert_true (g_file_set_contents (fake, "", 0, NULL));
    g_assert_cmpint (gz_test_cli_run_env (&f->cli, NULL, &stale, &stale_err, "list",
                                          "--targets", NULL), ==, 0);
    g_assert_false (g_file_test (fake, G_FILE_TEST_EXISTS));
    g_assert_nonnull (strstr (stale_err, "999999999"));
    g_assert_null (strstr (stale, "999999999"));
  }
}

static void
test_pid_exits (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *out = NULL;

  if (!have_preload ())
    return;
  run = run_program (f, "threadcreate", "1.5", &pid);
  /* Until stopped: the program ends first, and its last snapshot is what gz-cli saves. */
  profile = start_ok (f, NULL, &out, "--type", "threadcreate", "--pid", pid, NULL);
  g_assert_nonnull (strstr (out, "exited during the session"));
  g_assert_cmpfloat (share_of (profile, "threadcreate", "create_threads"), >=, 0.5);
  g_assert_true (g_subprocess_wait_check (run, NULL, NULL));
}

/* `profile run`'s socket is the user's only and goes with the program; SIGTERM to gz-cli ends
 * the program, and gz-cli exits with its status. */
static void
test_pid_run_sigterm (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *socket = NULL;
  GStatBuf st;

  if (!have_preload ())
    return;
  run = run_program (f, "mutex", "30", &pid);
  socket = g_strdup_printf ("%s/%s.sock", f->agent_dir, pid);
  g_assert_cmpint (g_stat (socket, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (f->agent_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_subprocess_send_signal (run, SIGTERM);
  g_assert_true (g_subprocess_wait (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (run));
  g_assert_cmpint (g_subprocess_get_exit_status (run), ==, 128 + SIGTERM);
  g_assert_false (g_file_test (socket, G_FILE_TEST_EXISTS));
  g_assert_cmpint (kill (atoi (pid), 0), !=, 0);
}

typedef struct
{
  const char *mode;
  const char *seconds;     /* the program's argument */
  const char *type;
  const char *sample_type;
  const char *function;
  const char *function2;   /* counted with it, or NULL */
} PidCase;

static const PidCase pid_cases[] = {
  { "cpu", "12", "cpu", "cpu", "spin_a", "spin_b" },
  { "memory", "6", "memory", "inuse_space", "keep_bytes", NULL },
  { "block", "6", "goroutine", "goroutine", "wait_on_condition", NULL },
  { "block", "6", "block", "delay", "wait_on_condition", NULL },
  { "mutex", "6", "mutex", "delay", "contend_mutex", NULL },
  { "threadcreate", "4", "threadcreate", "threadcreate", "create_threads", NULL },
};

/* `profile run`, then a session of each type by --pid: its profile holds the program's truth. */
static void
test_pid_types (Fixture      *f,
                gconstpointer data)
{
  const PidCase *c = data;
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autofree char *pid = NULL;
  double share;

  if (!have_preload ())
    return;
  run = run_program (f, c->mode, c->seconds, &pid);
  profile = start_ok (f, NULL, NULL, "--type", c->type, "--duration", "3s", "--pid", pid, NULL);
  share = share_of (profile, c->sample_type, c->function) +
          (c->function2 != NULL ? share_of (profile, c->sample_type, c->function2) : 0);
  g_test_message ("%s of %s by --pid: %.1f %% in %s", c->type, c->mode, 100 * share,
                  c->function);
  g_assert_cmpfloat (share, >=, 0.5);
  g_assert_true (g_subprocess_wait_check (run, NULL, NULL));
}

static void
add (const char   *path,
     gconstpointer data,
     void        (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add ("/targets/url/go", NULL, test_url_go);
  add ("/targets/url/bad", NULL, test_url_bad);
  add ("/targets/command/bad", NULL, test_command_bad);
  add ("/targets/pid/not-run", NULL, test_pid_not_run);
  add ("/targets/command/cpu", NULL, test_command_cpu);
  add ("/targets/command/memory", NULL, test_command_memory);
  for (guint i = 0; i < G_N_ELEMENTS (thread_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/targets/command/", thread_cases[i].mode, NULL);

      add (path, &thread_cases[i], test_command_threads);
    }
  add ("/targets/command/status", NULL, test_command_status);
  add ("/targets/command/sigterm", NULL, test_command_sigterm);
  add ("/targets/pid/run", NULL, test_pid_run);
  add ("/targets/pid/exits", NULL, test_pid_exits);
  add ("/targets/pid/run-sigterm", NULL, test_pid_run_sigterm);
  for (guint i = 0; i < G_N_ELEMENTS (pid_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/targets/pid/%s-of-%s", pid_cases[i].type,
                                               pid_cases[i].mode);

      add (path, &pid_cases[i], test_pid_types);
    }
  return g_test_run ();
}
