/* test-targets-client.c: the target client and sessions on other programs, against a SoupServer
 * in this process: on TCP (a pprof URL) and on a Unix socket (a program's, as `gz-cli profile
 * run` serves it): the same pprof endpoints either way. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gz-profiler-factory.h"
#include "gz-session.h"
#include "gz-target-client.h"

typedef struct
{
  char       *root;
  char       *out_dir;
  SoupServer *server;
  GSocketService *service;  /* accepts for the server: SoupServer's own listener leaks */
  char       *url;          /* http://127.0.0.1:PORT */
  char       *socket_path;  /* root/run.sock */
  GBytes     *snapshot;     /* a goroutine profile of this process, encoded */
  GBytes     *tripled;      /* the same with every value times 3 */
  gint64      snapshot_total;
  guint       block_requests;  /* counted on the server's thread, read after a request */
  int         gone;            /* atomic: the heap endpoint answers 503, as a program gone */
  /* The server runs on a thread of its own: sessions make blocking requests. */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GMutex        lock;
  GCond         ready;
  gboolean      listening;
} Fixture;

static void
serve (SoupServerMessage *message,
       guint              status,
       const char        *type,
       GBytes            *body)
{
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  soup_server_message_set_response (message, type, SOUP_MEMORY_COPY, data, size);
  soup_server_message_set_status (message, status, NULL);
}

static void
serve_text (SoupServerMessage *message,
            guint              status,
            const char        *type,
            const char        *text)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  serve (message, status, type, body);
}

/* The endpoints: pprof (goroutine, block as two growing snapshots), stats, HTML and a
 * protected path. */
static void
handler (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  if (g_str_equal (path, "/debug/pprof/heap") && g_atomic_int_get (&f->gone))
    serve_text (message, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain", "gone\n");
  else if (g_str_equal (path, "/debug/pprof/goroutine") ||
           g_str_equal (path, "/debug/pprof/heap"))
    serve (message, SOUP_STATUS_OK, "application/octet-stream", f->snapshot);
  else if (g_str_equal (path, "/debug/pprof/block"))
    serve (message, SOUP_STATUS_OK, "application/octet-stream",
           f->block_requests++ == 0 ? f->snapshot : f->tripled);
  else if (g_str_equal (path, "/debug/stats"))
    serve_text (message, SOUP_STATUS_OK, "application/json", "{\"threads\": 3}");
  else if (g_str_has_prefix (path, "/html/"))
    serve_text (message, SOUP_STATUS_OK, "text/html", "<!DOCTYPE html><p>hello</p>\n");
  else if (g_str_has_prefix (path, "/secure/"))
    {
      if (g_strcmp0 (authorization, "Bearer t0ken") != 0)
        serve_text (message, SOUP_STATUS_UNAUTHORIZED, "text/plain", "unauthorized\n");
      else
        serve (message, SOUP_STATUS_OK, "application/octet-stream", f->snapshot);
    }
  else
    serve_text (message, SOUP_STATUS_NOT_FOUND, "text/plain", "no such page\nsecond line\n");
}

static GBytes *
encode_times (GzProfile *profile,
              gint64     factor)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  for (guint i = 0; i < profile->samples->len; i++)
    {
      GzSample *sample = g_ptr_array_index (profile->samples, i);

      for (guint v = 0; v < sample->values->len; v++)
        g_array_index (sample->values, gint64, v) *= factor;
    }
  bytes = gz_profile_encode (profile, &error);
  g_assert_no_error (error);
  return bytes;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  Fixture *f = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  if (local != NULL && remote != NULL)
    soup_server_accept_iostream (f->server, G_IO_STREAM (connection), local, remote, NULL);
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  guint16 port;

  g_main_context_push_thread_default (f->context);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, handler, f, NULL);
  f->service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (f->service), NULL, &error);
  g_assert_no_error (error);
  f->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  address = g_unix_socket_address_new (f->socket_path);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (f->service), address,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                                NULL, NULL, &error));
  g_assert_no_error (error);
  g_signal_connect (f->service, "incoming", G_CALLBACK (on_incoming), f);
  g_socket_service_start (f->service);

  g_mutex_lock (&f->lock);
  f->listening = TRUE;
  g_cond_signal (&f->ready);
  g_mutex_unlock (&f->lock);
  g_main_loop_run (f->loop);
  g_socket_service_stop (f->service);
  g_socket_listener_close (G_SOCKET_LISTENER (f->service));
  g_clear_object (&f->service);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  /* Let the closed connections finish on this context, or they are never freed. */
  while (g_main_context_iteration (f->context, FALSE))
    ;
  g_main_context_pop_thread_default (f->context);
  return NULL;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GzProfile) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sessions = NULL;

  f->root = g_dir_make_tmp ("gz-targets-client-XXXXXX", &error);
  g_assert_no_error (error);
  f->out_dir = g_build_filename (f->root, "out", NULL);
  sessions = g_build_filename (f->root, "sessions", NULL);
  g_setenv ("GZ_PROFILE_SESSION_DIR", sessions, TRUE);

  profiler = gz_profiler_new (GZ_PROFILE_TYPE_GOROUTINE, NULL, &error);
  g_assert_no_error (error);
  profile = gz_profiler_snapshot (profiler, &error);
  g_assert_no_error (error);
  f->snapshot = encode_times (profile, 1);
  f->snapshot_total = gz_profile_total (profile, 0);
  g_assert_cmpint (f->snapshot_total, >, 0);
  copy = gz_profile_decode (f->snapshot, &error);
  g_assert_no_error (error);
  f->tripled = encode_times (copy, 3);
  f->socket_path = g_build_filename (f->root, "run.sock", NULL);

  g_mutex_init (&f->lock);
  g_cond_init (&f->ready);
  f->context = g_main_context_new ();
  f->loop = g_main_loop_new (f->context, FALSE);
  f->thread = g_thread_new ("server", server_thread, f);
  g_mutex_lock (&f->lock);
  while (!f->listening)
    g_cond_wait (&f->ready, &f->lock);
  g_mutex_unlock (&f->lock);
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
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  /* Give the server a moment to see the client's connections close. */
  g_usleep (100000);
  g_main_context_invoke (f->context, quit_loop, f->loop);
  g_thread_join (f->thread);
  g_main_loop_unref (f->loop);
  g_main_context_unref (f->context);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->ready);
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->out_dir);
  g_free (f->url);
  g_free (f->socket_path);
  g_bytes_unref (f->snapshot);
  g_bytes_unref (f->tripled);
}

/* An async call's result, waited for on this thread's main context. */
static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GzProfile *
fetch (GzTargetClient *client,
       const char     *name,
       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gz_target_client_fetch_profile_async (client, name, 0, NULL, on_done, &result);
  return gz_target_client_fetch_profile_finish (client, wait_result (&result), error);
}

static void
test_fetch (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(JsonNode) stats = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  client = gz_target_client_new_for_url (f->url, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gz_target_client_get_name (client), ==, f->url);
  profile = fetch (client, "goroutine", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_profile_total (profile, 0), ==, f->snapshot_total);

  gz_target_client_fetch_stats_async (client, NULL, on_done, &result);
  stats = gz_target_client_fetch_stats_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stats), "threads"), ==, 3);
}

static void
test_errors (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(GzTargetClient) missing = NULL;
  g_autoptr(GzTargetClient) html = NULL;
  g_autoptr(GzTargetClient) closed = NULL;
  g_autoptr(GzTargetClient) secure = NULL;
  g_autoptr(GzTargetClient) with_token = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing_url = g_strconcat (f->url, "/nowhere", NULL);
  g_autofree char *html_url = g_strconcat (f->url, "/html/debug/pprof", NULL);
  g_autofree char *secure_url = g_strconcat (f->url, "/secure/debug/pprof", NULL);
  g_autofree char *token_file = g_build_filename (f->root, "token", NULL);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *closed_url = NULL;
  guint16 port;

  g_assert_null (gz_target_client_new_for_url ("ftp://example.org", NULL, &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (gz_target_client_new_for_url (f->url, "/nonexistent/token", &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_INVALID);
  g_clear_error (&error);

  /* 404: the status and the body's first line, not its second. */
  missing = gz_target_client_new_for_url (missing_url, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (fetch (missing, "heap", &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "404 Not Found: no such page; "));
  g_assert_null (strstr (error->message, "second line"));
  g_clear_error (&error);

  html = gz_target_client_new_for_url (html_url, NULL, &error);
  g_assert_null (fetch (html, "heap", &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NOT_PROFILE);
  g_assert_nonnull (strstr (error->message, "not a pprof profile"));
  g_clear_error (&error);
  g_assert_null (gz_target_client_fetch_stats (html, NULL, &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NOT_STATS);
  g_clear_error (&error);

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  closed_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  closed = gz_target_client_new_for_url (closed_url, NULL, &error);
  g_assert_null (fetch (closed, "heap", &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "is the service running?"));
  g_clear_error (&error);

  secure = gz_target_client_new_for_url (secure_url, NULL, &error);
  g_assert_null (fetch (secure, "heap", &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "--token-file"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (token_file, "t0ken\n", -1, NULL));
  with_token = gz_target_client_new_for_url (secure_url, token_file, &error);
  g_assert_no_error (error);
  profile = fetch (with_token, "heap", &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
}

static void
on_finished (GzSession *session,
             gpointer   user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Starts @session, waits until it finished by itself or (when @stop) stops it. */
static GzProfile *
run_session (GzSession *session,
             gboolean   stop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GzSessionSummary) summary = NULL;
  gboolean finished = FALSE;
  GzProfile *profile;

  g_signal_connect (session, "finished", G_CALLBACK (on_finished), &finished);
  g_assert_true (gz_session_start (session, &error));
  g_assert_no_error (error);
  if (stop)
    {
      gz_session_stop_async (session, NULL, on_done, &result);
      summary = gz_session_stop_finish (session, wait_result (&result), &error);
      g_assert_no_error (error);
      g_assert_nonnull (summary);
    }
  while (!finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_FINISHED);
  profile = gz_profile_read_file (gz_session_get_output_path (session), &error);
  g_assert_no_error (error);
  return profile;
}

static void
test_url_session (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  GzTarget target = { GZ_TARGET_URL, 0, f->url };

  client = gz_target_client_new_for_url (f->url, NULL, &error);
  session = gz_session_new_for_target (NULL, GZ_PROFILE_TYPE_BLOCK, 0, f->out_dir, &target,
                                       client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_session_get_target (session)->kind, ==, GZ_TARGET_URL);
  g_assert_cmpstr (gz_session_get_target (session)->spec, ==, f->url);
  g_assert_true (g_path_is_absolute (gz_session_get_output_path (session)));
  /* Two snapshots, the first at the start, the second (three times the first) at the stop:
   * the session's profile is their difference. */
  profile = run_session (session, TRUE);
  g_assert_cmpuint (f->block_requests, ==, 2);
  g_assert_cmpint (gz_profile_total (profile, 0), ==, 2 * f->snapshot_total);
  g_assert_false (gz_session_get_summary (session)->target_exited);
}

static void
test_pid_session (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  GzTarget target = { GZ_TARGET_PID, getpid (), NULL };

  g_assert_null (gz_target_client_new_for_socket (getpid (), "/nonexistent/run.sock", &error));
  g_assert_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT);
  g_clear_error (&error);

  client = gz_target_client_new_for_socket (getpid (), f->socket_path, &error);
  g_assert_no_error (error);
  session = gz_session_new_for_target (NULL, GZ_PROFILE_TYPE_BLOCK, 0, f->out_dir, &target,
                                       client, &error);
  g_assert_no_error (error);
  /* As for a URL: a snapshot at the start and one at the stop, subtracted. */
  profile = run_session (session, TRUE);
  g_assert_cmpuint (f->block_requests, ==, 2);
  g_assert_cmpint (gz_profile_total (profile, 0), ==, 2 * f->snapshot_total);
  g_assert_false (gz_session_get_summary (session)->target_exited);
}

/* The target exits mid-session and its socket no longer answers: the session stops by itself,
 * saves the last snapshot it took, says so in the profile and says the target exited. */
static void
test_pid_exits (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GzTargetClient) client = NULL;
  g_autoptr(GzSession) session = NULL;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  GzTarget target = { GZ_TARGET_PID, 0, NULL };
  gboolean said = FALSE;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "30", NULL);
  g_assert_no_error (error);
  target.pid = atoi (g_subprocess_get_identifier (child));
  client = gz_target_client_new_for_socket (target.pid, f->socket_path, &error);
  g_assert_no_error (error);
  session = gz_session_new_for_target (NULL, GZ_PROFILE_TYPE_MEMORY, 0, f->out_dir, &target,
                                       client, &error);
  g_assert_no_error (error);
  g_assert_true (gz_session_start (session, &error));
  g_assert_no_error (error);
  g_atomic_int_set (&f->gone, TRUE);
  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, NULL));
  while (gz_session_get_state (session) == GZ_SESSION_STATE_RUNNING ||
         gz_session_get_state (session) == GZ_SESSION_STATE_STOPPING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gz_session_get_state (session), ==, GZ_SESSION_STATE_FINISHED);
  g_assert_true (gz_session_get_summary (session)->target_exited);
  profile = gz_profile_read_file (gz_session_get_output_path (session), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gz_profile_total (profile, 0), ==, f->snapshot_total);
  for (guint i = 0; i < profile->comments->len; i++)
    said |= strstr (g_ptr_array_index (profile->comments, i), "last snapshot") != NULL;
  g_assert_true (said);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/targets-client/fetch", Fixture, NULL, fixture_set_up, test_fetch,
              fixture_tear_down);
  g_test_add ("/targets-client/errors", Fixture, NULL, fixture_set_up, test_errors,
              fixture_tear_down);
  g_test_add ("/targets-client/url-session", Fixture, NULL, fixture_set_up, test_url_session,
              fixture_tear_down);
  g_test_add ("/targets-client/pid-session", Fixture, NULL, fixture_set_up, test_pid_session,
              fixture_tear_down);
  g_test_add ("/targets-client/pid-exits", Fixture, NULL, fixture_set_up, test_pid_exits,
              fixture_tear_down);
  return g_test_run ();
}
