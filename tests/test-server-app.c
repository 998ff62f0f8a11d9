/* test-server-app.c: what the app's Server page needs of the core: GzPprofServer's
 * "request-finished" signal (its recent requests: one emission per answered request, with
 * method, path without the query, status and a duration that covers the response), and
 * gz_auto_profiler_stop_async (switching auto-profile off without blocking the main loop). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "gz-auto-profiler.h"
#include "gz-pprof-server.h"

typedef struct
{
  char   *method;
  char   *path;
  guint   status;
  gint64  duration_us;
} Finished;

static void
finished_free (Finished *finished)
{
  g_free (finished->method);
  g_free (finished->path);
  g_free (finished);
}

static void
on_request_finished (GzPprofServer *server,
                     const char    *method,
                     const char    *path,
                     guint          status,
                     gint64         duration_us,
                     GPtrArray     *seen)
{
  Finished *finished = g_new0 (Finished, 1);

  finished->method = g_strdup (method);
  finished->path = g_strdup (path);
  finished->status = status;
  finished->duration_us = duration_us;
  g_ptr_array_add (seen, finished);
}

typedef struct
{
  guint    status;
  gboolean done;
} Reply;

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reply *reply = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               NULL);

  reply->status = soup_message_get_status (msg);
  reply->done = TRUE;
}

/* Sends @method @url and spins the main loop (which also runs the server) until the answer
 * came and the server has seen the request finish (meson's timeout ends a hang). */
static guint
send (SoupSession *session,
      const char  *method,
      const char  *url,
      GPtrArray   *seen)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  guint before = seen->len;
  Reply reply = { 0 };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &reply);
  while (!reply.done || seen->len == before)
    g_main_context_iteration (NULL, TRUE);
  return reply.status;
}

static void
test_request_finished (void)
{
  g_autoptr(GzPprofServer) server = gz_pprof_server_new (NULL);
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", resolver,
                                                                  NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) finished_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *index = NULL, *stats = NULL, *missing = NULL, *trace = NULL;
  g_autofree char *delta = NULL;
  Finished *finished;
  gint64 started;

  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_finished), seen);
  g_assert_true (gz_pprof_server_listen_on (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  index = gz_pprof_server_get_url (server);
  stats = g_strdup_printf ("http://127.0.0.1:%u/debug/stats", gz_pprof_server_get_port (server));
  missing = g_strconcat (index, "nothing?debug=1", NULL);
  trace = g_strconcat (index, "trace", NULL);

  g_assert_cmpuint (send (session, "GET", index, seen), ==, 200);
  g_assert_cmpuint (seen->len, ==, 1);
  finished = g_ptr_array_index (seen, 0);
  g_assert_cmpstr (finished->method, ==, "GET");
  g_assert_cmpstr (finished->path, ==, "/debug/pprof/");
  g_assert_cmpuint (finished->status, ==, 200);
  g_assert_cmpint (finished->duration_us, >=, 0);

  g_assert_cmpuint (send (session, "HEAD", stats, seen), ==, 200);
  g_assert_cmpuint (send (session, "GET", missing, seen), ==, 404);
  g_assert_cmpuint (send (session, "POST", trace, seen), ==, 405);
  g_assert_cmpuint (seen->len, ==, 4);
  finished = g_ptr_array_index (seen, 1);
  g_assert_cmpstr (finished->method, ==, "HEAD");
  g_assert_cmpstr (finished->path, ==, "/debug/stats");
  finished = g_ptr_array_index (seen, 2);
  g_assert_cmpstr (finished->path, ==, "/debug/pprof/nothing");  /* no query */
  g_assert_cmpuint (finished->status, ==, 404);
  finished = g_ptr_array_index (seen, 3);
  g_assert_cmpstr (finished->method, ==, "POST");
  g_assert_cmpuint (finished->status, ==, 405);

  /* The duration covers the work: a delta over one second takes at least that. */
  delta = g_strconcat (index, "goroutine?seconds=1", NULL);
  started = g_get_monotonic_time ();
  g_assert_cmpuint (send (session, "GET", delta, seen), ==, 200);
  g_assert_cmpuint (seen->len, ==, 5);
  finished = g_ptr_array_index (seen, 4);
  g_assert_cmpstr (finished->path, ==, "/debug/pprof/goroutine");
  g_assert_cmpint (finished->duration_us, >=, G_USEC_PER_SEC);
  g_assert_cmpint (finished->duration_us, <=, g_get_monotonic_time () - started);
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) directory = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (directory != NULL && (name = g_dir_read_name (directory)) != NULL)
    n += g_str_has_suffix (name, suffix);
  return n;
}

/* A capture whose CPU profile would take 60 s is cut short and saved on a worker: the call
 * returns before that, the callback comes on the main loop, and no capture follows it. */
static void
test_auto_profiler_stop_async (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gz-auto-XXXXXX", NULL);
  g_autoptr(GzConfig) config = gz_config_new (NULL, NULL);
  g_autoptr(GzAutoProfiler) auto_profiler = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) directory = NULL;
  gint64 started = g_get_monotonic_time ();
  const char *name;

  g_assert_true (gz_config_set_flag (config, "output-dir", dir, NULL));
  g_assert_true (gz_config_set_flag (config, "auto-profile-interval", "200ms", NULL));
  g_assert_true (gz_config_set_flag (config, "auto-profile-duration", "60s", NULL));
  auto_profiler = gz_auto_profiler_new (config, &error);
  g_assert_no_error (error);

  gz_auto_profiler_start (auto_profiler, 0);
  /* Past the first tick: the capture thread runs (its CPU profile waits 60 s). */
  while (g_get_monotonic_time () - started < 300 * 1000)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (gz_auto_profiler_get_n_captures (auto_profiler), ==, 0);

  gz_auto_profiler_stop_async (auto_profiler, NULL, keep_result, &result);
  g_assert_null (result);  /* never from inside the call */
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gz_auto_profiler_stop_finish (auto_profiler, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);
  g_assert_cmpuint (gz_auto_profiler_get_n_captures (auto_profiler), ==, 1);
  g_assert_cmpuint (count_files (dir, "-cpu.prof"), ==, 1);
  g_assert_cmpuint (count_files (dir, "-goroutine.prof"), ==, 1);

  /* Stopped for good: no tick comes after. */
  started = g_get_monotonic_time ();
  while (g_get_monotonic_time () - started < 500 * 1000)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (10 * 1000), TRUE);
  g_assert_cmpuint (gz_auto_profiler_get_n_captures (auto_profiler), ==, 1);

  directory = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (directory)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pprof-server/request-finished", test_request_finished);
  g_test_add_func ("/auto-profiler/stop-async", test_auto_profiler_stop_async);
  return g_test_run ();
}
