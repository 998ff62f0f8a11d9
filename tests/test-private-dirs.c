/* test-private-dirs.c: gz's folders, sockets and session files are the user's own: a second
 * user (nobody, through setpriv or setresuid when the tests run as root) who plants a link, owns
 * the gz folder or answers on a socket is refused, and nothing is chmodded, read or sent; a TCP
 * listener beyond loopback without a token is refused. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "gz-config.h"
#include "gz-pprof-server.h"
#include "gz-private-dir.h"
#include "gz-session-registry.h"
#include "gz-target-client.h"

#define NOBODY 65534

typedef struct
{
  char *root;    /* 0755, the test's own */
  char *base;    /* root/runtime: a shared XDG_RUNTIME_DIR (1777, as /tmp) */
  char *public;  /* root/public: the victim's folder a link may point at (0755) */
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      g_unlink (path);
      return;
    }
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("gz-private-dirs-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (f->root, 0755), ==, 0);
  f->base = g_build_filename (f->root, "runtime", NULL);
  f->public = g_build_filename (f->root, "public", NULL);
  g_assert_cmpint (g_mkdir (f->base, 0700), ==, 0);
  g_assert_cmpint (g_chmod (f->base, 01777), ==, 0);
  g_assert_cmpint (g_mkdir (f->public, 0700), ==, 0);
  g_assert_cmpint (g_chmod (f->public, 0755), ==, 0);
  g_setenv ("XDG_RUNTIME_DIR", f->base, TRUE);
  g_unsetenv ("GZ_AGENT_DIR");
  g_unsetenv ("GZ_PROFILE_SESSION_DIR");
  g_unsetenv ("GZ_PROFILE_TOKEN_FILE");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->base);
  g_free (f->public);
}

static gboolean
need_root (void)
{
  if (geteuid () == 0)
    return TRUE;
  g_test_skip ("needs root, to act as a second user (nobody) with setpriv");
  return FALSE;
}

/* Runs @script with sh as nobody (setpriv); asserts it succeeded. */
static void
as_nobody (const char *script)
{
  const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh",
                         "-ec", script, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("as nobody, `%s` failed: %s", script, err);
}

/* Runs gz-cli with @args (NULL-terminated) in this environment; its exit status, stderr. */
static int
run_cli (char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("GZ_CLI"));
  g_ptr_array_add (argv, (char *) "profile");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  child = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (child);
}

static mode_t
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static gboolean
is_empty_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) == NULL;
}

/* -- a fake server: a child process that listens on a socket and reports what it read ------- */

typedef struct
{
  pid_t pid;
  int   report; /* read end: one byte for each read that brought the fake server something */
} FakeServer;

/* Binds @path (as this process, root), then becomes @uid and serves: accepts for up to 30 s,
 * reads what comes and answers an HTTP 200, so that a client that does not check would get an
 * answer. Only async-signal-safe calls in the child. */
static FakeServer
fake_server_start (const char *path,
                   uid_t       uid,
                   gboolean    bind_as_uid)
{
  FakeServer fake = { -1, -1 };
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int ready[2], report[2];
  char byte;

  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (report), ==, 0);
  fake.pid = fork ();
  g_assert_cmpint (fake.pid, >=, 0);
  if (fake.pid == 0)
    {
      static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close"
                                   "\r\n\r\nok";
      int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      char buffer[4096];

      close (ready[0]);
      close (report[0]);
      if (bind_as_uid && (setresgid (uid, uid, uid) != 0 || setresuid (uid, uid, uid) != 0))
        _exit (3);
      if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
          chmod (path, 0777) != 0)
        _exit (4);
      if (!bind_as_uid && (setresgid (uid, uid, uid) != 0 || setresuid (uid, uid, uid) != 0))
        _exit (3);
      if (listen (fd, 8) != 0)
        _exit (5);
      if (write (ready[1], "r", 1) != 1)
        _exit (6);
      for (;;)
        {
          struct pollfd p = { fd, POLLIN, 0 };
          int client;
          ssize_t n;

          if (poll (&p, 1, 30000) <= 0)
            break;
          client = accept (fd, NULL, NULL);
          if (client < 0)
            break;
          while ((n = read (client, buffer, sizeof buffer)) > 0)
            if (write (report[1], "x", 1) != 1 ||
                write (client, answer, sizeof answer - 1) < 0)
              break;
          close (client);
        }
      _exit (0);
    }
  close (ready[1]);
  close (report[1]);
  if (read (ready[0], &byte, 1) != 1)
    {
      int status = 0;

      g_assert_cmpint (waitpid (fake.pid, &status, 0), ==, fake.pid);
      g_error ("the fake server on %s did not start (exit status %d)", path,
               WIFEXITED (status) ? WEXITSTATUS (status) : -1);
    }
  close (ready[0]);
  fake.report = report[0];
  return fake;
}

/* Ends the fake server; how many reads brought it something. */
static long
fake_server_stop (FakeServer *fake)
{
  char buffer[256];
  long total = 0;
  ssize_t n;
  int status = 0;

  kill (fake->pid, SIGTERM);
  g_assert_cmpint (waitpid (fake->pid, &status, 0), ==, fake->pid);
  while ((n = read (fake->report, buffer, sizeof buffer)) > 0)
    total += n;
  close (fake->report);
  return total;
}

/* -- folders -------------------------------------------------------------------------------- */

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *gz = g_build_filename (f->base, "gz", NULL);
  g_autofree char *agents = g_build_filename (f->base, "gz", "agents", NULL);
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  int fd;

  g_assert_false (gz_private_dir_check (agents, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  fd = gz_private_dir_open (agents, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  for (const char *path = gz; path != NULL; path = path == gz ? agents : NULL)
    {
      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      g_assert_true (S_ISDIR (st.st_mode));
      g_assert_cmpuint (st.st_uid, ==, geteuid ());
      g_assert_cmphex (st.st_mode & 07777, ==, 0700);
    }
  g_assert_true (gz_private_dir_check (agents, FALSE, &error));
  g_assert_no_error (error);
  /* The base itself (the shared runtime folder) is trusted as given, its mode left alone. */
  g_assert_cmphex (mode_of (f->base), ==, 01777);
}

static void
test_shared_mode (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *gz = g_build_filename (f->base, "gz", NULL);
  g_autofree char *agents = g_build_filename (f->base, "gz", "agents", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (gz, 0700), ==, 0);
  g_assert_cmpint (g_chmod (gz, 0770), ==, 0);
  g_assert_false (gz_private_dir_check (agents, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, gz));
  g_assert_nonnull (strstr (error->message, "mode 0770"));
  /* Not chmodded, nothing made inside. */
  g_assert_cmphex (mode_of (gz), ==, 0770);
  g_assert_true (is_empty_dir (gz));
}

static void
test_file_in_the_way (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *gz = g_build_filename (f->base, "gz", NULL);
  g_autofree char *agents = g_build_filename (f->base, "gz", "agents", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (gz, "x", 1, NULL));
  g_assert_false (gz_private_dir_check (agents, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "a file"));
}

/* nobody plants $XDG_RUNTIME_DIR/gz as a link to the victim's public folder. */
static void
test_symlink (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *gz = g_build_filename (f->base, "gz", NULL);
  g_autofree char *agents = g_build_filename (f->base, "gz", "agents", NULL);
  g_autofree char *sessions = g_build_filename (f->base, "gz", "sessions", NULL);
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GzSessionRegistry) registry = NULL;
  g_autoptr(GzSessionInfo) info = g_new0 (GzSessionInfo, 1);
  g_autoptr(GError) error = NULL;

  if (!need_root ())
    return;
  script = g_strdup_printf ("ln -s '%s' '%s'", f->public, gz);
  as_nobody (script);

  g_assert_false (gz_private_dir_check (agents, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, gz));
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_assert_nonnull (strstr (error->message, "uid 65534"));

  /* The session registry: no session reserved there. */
  registry = gz_session_registry_new (NULL);
  g_assert_cmpstr (gz_session_registry_get_dir (registry), ==, sessions);
  info->type = GZ_PROFILE_TYPE_MEMORY;
  info->target.kind = GZ_TARGET_SELF;
  info->target.pid = getpid ();
  g_clear_error (&error);
  g_assert_false (gz_session_registry_reserve (registry, info, f->root, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "symbolic link"));

  /* gz-cli: listing the sockets, and profile run (when the preload is there). */
  g_assert_cmpint (run_cli (&err, "list", "--targets", NULL), !=, 0);
  g_test_message ("list --targets: %s", err);
  g_assert_nonnull (strstr (err, "symbolic link"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "list", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "symbolic link"));
  if (g_getenv ("GZ_PRELOAD_LIBRARY") != NULL)
    {
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run_cli (&err, "run", "--", "/bin/true", NULL), !=, 0);
      g_test_message ("run: %s", err);
      g_assert_nonnull (strstr (err, "symbolic link"));
    }

  /* Nothing chmodded, nothing made in the victim's folder. */
  g_assert_cmphex (mode_of (f->public), ==, 0755);
  g_assert_true (is_empty_dir (f->public));
}

/* nobody owns $XDG_RUNTIME_DIR/gz and serves a fake socket there for the victim's pid. */
static void
test_foreign_owner (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *gz = g_build_filename (f->base, "gz", NULL);
  g_autofree char *agents = g_build_filename (f->base, "gz", "agents", NULL);
  g_autofree char *sessions = g_build_filename (f->base, "gz", "sessions", NULL);
  g_autofree char *script = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *err = NULL;
  g_autoptr(GzSessionRegistry) registry = NULL;
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  FakeServer fake;

  if (!need_root ())
    return;
  script = g_strdup_printf ("mkdir -m 0755 '%s' '%s' '%s'", gz, agents, sessions);
  as_nobody (script);
  socket_path = g_strdup_printf ("%s/%d.sock", agents, (int) getpid ());
  fake = fake_server_start (socket_path, NOBODY, TRUE);

  g_assert_false (gz_private_dir_check (agents, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "belongs to user nobody (uid 65534)"));
  g_clear_error (&error);

  client = gz_target_client_new_for_socket (getpid (), socket_path, &error);
  g_assert_null (client);
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_REFUSED);
  g_clear_error (&error);

  registry = gz_session_registry_new (NULL);
  listed = gz_session_registry_list (registry, NULL, &error);
  g_assert_null (listed);
  g_assert_nonnull (strstr (error->message, "uid 65534"));

  g_assert_cmpint (run_cli (&err, "start", "--pid", pid, "--type", "memory", "--duration", "1s",
                            "--output-dir", f->root, NULL), !=, 0);
  g_test_message ("start --pid: %s", err);
  g_assert_nonnull (strstr (err, "uid 65534"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "stats", "--pid", pid, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "uid 65534"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "list", "--targets", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "uid 65534"));

  /* The fake server never got a byte; its folders were neither chmodded nor written. */
  g_assert_cmpint (fake_server_stop (&fake), ==, 0);
  g_assert_cmphex (mode_of (gz), ==, 0755);
  g_assert_cmphex (mode_of (agents), ==, 0755);
  g_assert_true (is_empty_dir (sessions));
}

/* The folder is the victim's own, but the process answering on the socket runs as nobody: the
 * client sees it through SO_PEERCRED and sends nothing. */
static void
test_fake_peer (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *agents = g_build_filename (f->base, "gz", "agents", NULL);
  g_autofree char *socket_path = NULL;
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GError) error = NULL;
  FakeServer fake;

  if (!need_root ())
    return;
  g_assert_true (gz_private_dir_check (agents, TRUE, &error));
  socket_path = g_strdup_printf ("%s/%d.sock", agents, (int) getpid ());
  /* Bound as root (the socket file is root's), served as nobody. */
  fake = fake_server_start (socket_path, NOBODY, FALSE);

  client = gz_target_client_new_for_socket (getpid (), socket_path, &error);
  g_assert_no_error (error);
  g_assert_false (gz_target_client_check (client, NULL, &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_REFUSED);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "runs as user nobody (uid 65534)"));
  g_assert_cmpint (fake_server_stop (&fake), ==, 0);

  /* The same fake server as root answers, and is believed: the check above could fail. */
  g_assert_cmpint (g_unlink (socket_path), ==, 0);
  fake = fake_server_start (socket_path, 0, FALSE);
  g_clear_error (&error);
  g_assert_true (gz_target_client_check (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fake_server_stop (&fake), >, 0);
}

/* -- the server's side: a client of another user is not served ---------------------------- */

typedef struct
{
  GMainLoop *loop;
  char      *out;
  int        status;
} CurlRun;

static void
on_curl_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CurlRun *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, NULL, NULL);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  g_main_loop_quit (run->loop);
}

/* curl as @uid (as nobody through setpriv) on the socket; the HTTP status it printed. */
static char *
curl_as (const char *socket_path,
         gboolean    nobody)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  CurlRun run = { loop, NULL, -1 };

  if (nobody)
    {
      const char *drop[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups" };

      for (guint i = 0; i < G_N_ELEMENTS (drop); i++)
        g_ptr_array_add (argv, (char *) drop[i]);
    }
  g_ptr_array_add (argv, (char *) "curl");
  g_ptr_array_add (argv, (char *) "-s");
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, (char *) "/dev/null");
  g_ptr_array_add (argv, (char *) "-w");
  g_ptr_array_add (argv, (char *) "%{http_code}");
  g_ptr_array_add (argv, (char *) "--max-time");
  g_ptr_array_add (argv, (char *) "60");
  g_ptr_array_add (argv, (char *) "--unix-socket");
  g_ptr_array_add (argv, (char *) socket_path);
  g_ptr_array_add (argv, (char *) "http://localhost/debug/pprof/cmdline");
  g_ptr_array_add (argv, NULL);
  child = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child, NULL, NULL, on_curl_done, &run);
  g_main_loop_run (loop);
  return run.out;
}

static void
test_server_peer (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *socket_path = g_build_filename (f->root, "server.sock", NULL);
  g_autofree char *as_nobody_status = NULL;
  g_autofree char *as_root_status = NULL;
  g_autoptr(GzPprofServer) server = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_root ())
    return;
  if (!g_file_test ("/usr/bin/curl", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("needs curl");
      return;
    }
  server = gz_pprof_server_new (NULL);
  g_assert_true (gz_pprof_server_listen_unix (server, socket_path, &error));
  g_assert_no_error (error);
  /* Reachable by anyone on the file system: only the peer check keeps nobody out. */
  g_assert_cmpint (g_chmod (socket_path, 0777), ==, 0);

  /* Closed without an answer (the server says why on its stderr). */
  as_nobody_status = curl_as (socket_path, TRUE);
  g_assert_cmpstr (as_nobody_status, ==, "000");
  as_root_status = curl_as (socket_path, FALSE);
  g_assert_cmpstr (as_root_status, ==, "200");
}

/* -- session files, and TCP beyond loopback -------------------------------------------------- */

static void
test_session_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *sessions = g_build_filename (f->base, "gz", "sessions", NULL);
  g_autoptr(GzSessionRegistry) registry = gz_session_registry_new (NULL);
  g_autoptr(GzSessionInfo) info = g_new0 (GzSessionInfo, 1);
  g_autoptr(GzSessionSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session = NULL;
  g_autofree char *result = NULL;
  mode_t old_mask = umask (022);

  info->type = GZ_PROFILE_TYPE_MEMORY;
  info->target.kind = GZ_TARGET_SELF;
  info->target.pid = getpid ();
  g_assert_true (gz_session_registry_reserve (registry, info, f->root, &error));
  g_assert_no_error (error);
  session = g_strdup_printf ("%s/%s.session", sessions, info->id);
  g_assert_cmphex (mode_of (session), ==, 0600);
  info->start_time = g_get_real_time () * 1000;
  g_assert_true (gz_session_registry_publish (registry, info, &error));
  g_assert_no_error (error);
  g_assert_cmphex (mode_of (session), ==, 0600);
  summary = gz_session_summary_new (info->id, info->output_path);
  g_assert_true (gz_session_registry_write_result (registry, summary, &error));
  g_assert_no_error (error);
  result = g_strdup_printf ("%s/%s.result", sessions, info->id);
  g_assert_cmphex (mode_of (result), ==, 0600);
  g_assert_cmphex (mode_of (sessions), ==, 0700);
  umask (old_mask);
}

static void
test_bind_without_token (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *token = g_build_filename (f->root, "token", NULL);
  g_autofree char *config_home = g_build_filename (f->root, "config", NULL);
  g_autoptr(GzPprofServer) server = gz_pprof_server_new (NULL);
  g_autoptr(GzPprofServer) guarded = NULL;
  g_autoptr(GzConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *port = NULL;

  g_assert_false (gz_pprof_server_listen_on (server, "0.0.0.0", 0, &error));
  g_assert_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_NO_TOKEN);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "--token-file"));
  g_clear_error (&error);

  /* With a token it listens there. */
  g_assert_true (g_file_set_contents (token, "s3cret\n", -1, NULL));
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("GZ_PROFILE_TOKEN_FILE", token, TRUE);
  config = gz_config_new (NULL, &error);
  g_assert_no_error (error);
  guarded = gz_pprof_server_new (config);
  g_assert_true (gz_pprof_server_listen_on (guarded, "0.0.0.0", 0, &error));
  g_assert_no_error (error);
  g_unsetenv ("GZ_PROFILE_TOKEN_FILE");

  /* gz-cli profile server: exits non-zero at once, naming the fix. The port is the one taken
   * above, so that a gz-cli that listened anyway would fail, not serve for ever. */
  port = g_strdup_printf ("%u", gz_pprof_server_get_port (guarded));
  g_assert_cmpint (run_cli (&err, "server", "--bind", "0.0.0.0", "--port", port, NULL), ==, 2);
  g_test_message ("server --bind 0.0.0.0: %s", err);
  g_assert_nonnull (strstr (err, "without a token"));
  g_assert_nonnull (strstr (err, "--token-file"));
}

/* With a token file configured, sessions over `run`'s socket (--pid) and of a launched command
 * work: the socket asks for no token, its peer is checked instead. */
static void
test_token_file_sessions (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *token = g_build_filename (f->root, "token", NULL);
  g_autofree char *config_home = g_build_filename (f->root, "config", NULL);
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { g_getenv ("GZ_CLI"), "profile", "run", "--", "/bin/sleep", "60", NULL };
  gint64 deadline;

  if (g_getenv ("GZ_PRELOAD_LIBRARY") == NULL)
    {
      g_test_skip ("needs the preload (not built under AddressSanitizer)");
      return;
    }
  g_assert_true (g_file_set_contents (token, "s3cret\n", -1, NULL));
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("GZ_PROFILE_TOKEN_FILE", token, TRUE);

  run = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (run));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "pid "));
  pid = g_strndup (line + 4, strspn (line + 4, "0123456789"));
  socket_path = g_strdup_printf ("%s/gz/agents/%s.sock", f->base, pid);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_file_test (socket_path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_cmphex (mode_of (socket_path) & 0777, ==, 0600);

  g_assert_cmpint (run_cli (&err, "start", "--pid", pid, "--type", "memory", "--duration", "1s",
                            "--output-dir", f->root, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "start", "--pid", pid, "--type", "memory", "--duration", "1s",
                            "--output-dir", f->root, "--token-file", token, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "stats", "--pid", pid, NULL), ==, 0);
  g_subprocess_send_signal (run, SIGTERM);
  g_subprocess_wait (run, NULL, NULL);

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "start", "--type", "memory", "--output-dir", f->root, "--",
                            "/bin/sleep", "0.5", NULL), ==, 0);
  g_unsetenv ("GZ_PROFILE_TOKEN_FILE");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/private-dirs/create", test_create);
  ADD ("/private-dirs/shared-mode", test_shared_mode);
  ADD ("/private-dirs/file-in-the-way", test_file_in_the_way);
  ADD ("/private-dirs/symlink", test_symlink);
  ADD ("/private-dirs/foreign-owner", test_foreign_owner);
  ADD ("/private-dirs/fake-peer", test_fake_peer);
  ADD ("/private-dirs/server-peer", test_server_peer);
  ADD ("/private-dirs/session-files", test_session_files);
  ADD ("/private-dirs/bind-without-token", test_bind_without_token);
  ADD ("/private-dirs/token-file-sessions", test_token_file_sessions);
#undef ADD
  return g_test_run ();
}
