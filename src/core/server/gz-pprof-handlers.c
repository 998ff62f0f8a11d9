/* gz-pprof-handlers.c: one short handler per endpoint, as Go's net/http/pprof/pprof.go. Handlers
 * check their parameters on the main loop; snapshots, symbolization and encoding run on worker
 * threads (gz-pprof-request.c); timers wait out `seconds`. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "gz-pprof-handlers.h"
#include "gz-pprof-query.h"
#include "gz-pprof-request.h"
#include "gz-pprof-server-private.h"
#include "gz-pprof-target-stats.h"
#include "gz-pprof-text.h"
#include "gz-collector-profiler.h"
#include "gz-perf-profiler.h"
#include "gz-process-stats.h"
#include "gz-profiler-factory.h"
#include "gz-profile-delta.h"
#include "gz-symbolizer.h"
#include "gz-thread-profiler.h"

#define DEFAULT_CPU_SECONDS 30

typedef struct _ProfileInfo ProfileInfo;
typedef void (*Handler) (GzPprofServer     *server,
                         SoupServerMessage *msg,
                         const ProfileInfo *info,
                         GHashTable        *query);

#define HANDLER(name) \
  static void name (GzPprofServer *, SoupServerMessage *, const ProfileInfo *, GHashTable *)
HANDLER (handle_named);
HANDLER (handle_cpu);
HANDLER (handle_cmdline);
HANDLER (handle_symbol);
HANDLER (handle_trace);

/* The endpoints under /debug/pprof/, in the index's (alphabetical) order, with Go's
 * descriptions where they hold for a C process. */
struct _ProfileInfo
{
  const char   *name;
  GzProfileType type;
  Handler       handle;
  const char   *description;
};

static const ProfileInfo profiles[] = {
  { "allocs", GZ_PROFILE_TYPE_MEMORY, handle_named,
    "A sampling of all past memory allocations" },
  { "block", GZ_PROFILE_TYPE_BLOCK, handle_named,
    "Stack traces that led to blocking on synchronization primitives (condition waits, "
    "joins, contended pthread mutexes)" },
  { "cmdline", 0, handle_cmdline, "The command line invocation of the current program" },
  { "goroutine", GZ_PROFILE_TYPE_GOROUTINE, handle_named,
    "Stack traces of all current threads (a C program's goroutines). Use debug=2 as a query "
    "parameter to dump every thread's stack" },
  { "heap", GZ_PROFILE_TYPE_MEMORY, handle_named,
    "A sampling of memory allocations of live objects" },
  { "mutex", GZ_PROFILE_TYPE_MUTEX, handle_named,
    "Stack traces of contention on pthread mutexes, with the time spent waiting" },
  { "profile", GZ_PROFILE_TYPE_CPU, handle_cpu,
    "CPU profile. You can specify the duration in the seconds GET parameter. After you get "
    "the profile file, use the go tool pprof command to investigate the profile." },
  { "symbol", 0, handle_symbol, NULL },
  { "threadcreate", GZ_PROFILE_TYPE_THREADCREATE, handle_named,
    "Stack traces that led to the creation of new OS threads" },
  { "trace", 0, handle_trace,
    "Not available: execution traces belong to the Go runtime; a C process has none" },
};

/* One snapshot or symbol lookup of this server at a time. Capturing every thread's stack
 * (goroutine) signals each thread and unwinds it with libunwind in the signal handler, which
 * calls dl_iterate_phdr: a thread interrupted inside dl_iterate_phdr (the symbolizer calls it
 * on each lookup) deadlocks the process. Serialized, the server's own threads are never there
 * when it captures. Requests that queue here share answers (see work_snapshot). */
static GMutex profile_lock;

/* The last answer for one endpoint and debug level, and when its snapshot began. */
typedef struct
{
  GBytes     *body;
  const char *content_type;
  gint64      taken_at; /* monotonic */
} SharedAnswer;

static void
shared_answer_free (gpointer data)
{
  SharedAnswer *answer = data;

  g_bytes_unref (answer->body);
  g_free (answer);
}

GHashTable *
gz_pprof_handlers_new_shared (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, shared_answer_free);
}

/* An answer whose snapshot began after @request arrived shows the process at a moment of the
 * request's life, as one taken for it alone would: requests that waited for the same snapshot
 * share it (under profile_lock). */
static gboolean
answer_from_shared (GzPprofRequest *request,
                    const char     *key)
{
  SharedAnswer *answer = g_hash_table_lookup (gz_pprof_server_get_shared (request->server), key);

  if (answer == NULL || answer->taken_at < request->received)
    return FALSE;
  gz_pprof_request_set_body (request, answer->content_type, g_bytes_ref (answer->body));
  if (g_str_equal (answer->content_type, "application/octet-stream"))
    request->filename = g_strdup (request->name);
  return TRUE;
}

static void
keep_shared (GzPprofRequest *request,
             const char     *key,
             gint64          taken_at)
{
  SharedAnswer *answer;

  if (request->status != SOUP_STATUS_OK || request->content_type == NULL)
    return;
  answer = g_new0 (SharedAnswer, 1);
  answer->body = g_bytes_ref (request->response);
  answer->content_type = request->content_type;
  answer->taken_at = taken_at;
  g_hash_table_replace (gz_pprof_server_get_shared (request->server), g_strdup (key), answer);
}

/* A snapshot of another process: its threads through ptrace; the rest from the ring of its
 * preload, cumulative since it started, when gz launched it. */
static GzProfile *
take_target_snapshot (GzPprofServer *server,
                      GzProfileType  type,
                      const char    *name,
                      GError       **error)
{
  pid_t pid = gz_pprof_server_get_target_pid (server);
  GzCollector *collector = gz_pprof_server_get_collector (server);

  if (type == GZ_PROFILE_TYPE_GOROUTINE)
    return gz_thread_profile_of_process (pid, error);
  if (collector == NULL)
    {
      g_set_error (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED,
                   "process %d was not started by gz, so nothing in it records %s profiles; "
                   "start it with `gz-cli profile server -- COMMAND` to serve them (cpu and "
                   "goroutine work with --pid)", (int) pid, name);
      return NULL;
    }
  return gz_collector_build_profile (collector, type, NULL, error);
}

static GzProfile *
take_snapshot (GzPprofServer *server,
               GzProfileType  type,
               const char    *name,
               GError       **error)
{
  g_autoptr(GzProfiler) profiler = NULL;
  GzProfile *profile;

  /* The caller holds profile_lock. */

  if (gz_pprof_server_get_target_pid (server) != 0)
    profile = take_target_snapshot (server, type, name, error);
  else
    {
      profiler = gz_profiler_new (type, gz_pprof_server_get_config (server), error);
      if (profiler == NULL)
        return NULL;
      profile = gz_profiler_snapshot (profiler, error);
    }
  if (profile != NULL && g_str_equal (name, "allocs"))
    {
      g_free (profile->default_sample_type);
      profile->default_sample_type = g_strdup ("alloc_space");
    }
  return profile;
}

/* heap, allocs, goroutine, block, mutex, threadcreate: a snapshot ... */

static void
work_snapshot (GzPprofRequest *request)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&profile_lock);
  g_autofree char *key = g_strdup_printf ("%s?debug=%d", request->name, request->debug);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = NULL;
  gint64 taken_at = g_get_monotonic_time ();

  if (answer_from_shared (request, key))
    return;
  profile = take_snapshot (request->server, request->type, request->name, &error);
  gz_pprof_request_set_profile (request, profile, request->name, error);
  keep_shared (request, key, taken_at);
}

/* ... goroutine?debug=2: every thread's stack ... */

static void
work_goroutine_dump (GzPprofRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&profile_lock);
  gint64 taken_at = g_get_monotonic_time ();
  char *text;

  if (answer_from_shared (request, "goroutine?debug=2"))
    return;
  if (gz_pprof_server_get_target_pid (request->server) != 0)
    text = gz_pprof_text_process_thread_dump (gz_pprof_server_get_target_pid (request->server),
                                              &error);
  else
    text = gz_pprof_text_thread_dump (&error);

  if (text == NULL)
    {
      g_autofree char *problem = g_strdup_printf ("Could not dump the threads: %s",
                                                  error->message);

      gz_pprof_request_set_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, problem);
      return;
    }
  gz_pprof_request_set_body (request, "text/plain; charset=utf-8",
                             g_bytes_new_take (text, strlen (text)));
  keep_shared (request, "goroutine?debug=2", taken_at);
}

/* ... or ?seconds=N: the difference of two snapshots N seconds apart, as Go's
 * serveDeltaProfile. */

static void
work_delta_end (GzPprofRequest *request)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&profile_lock);
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = take_snapshot (request->server, request->type, request->name,
                                                &error);
  g_autofree char *filename = g_strconcat (request->name, "-delta", NULL);

  g_clear_pointer (&locker, g_mutex_locker_free);

  if (profile != NULL)
    gz_profile_subtract (profile, request->start, NULL);
  gz_pprof_request_set_profile (request, profile, filename, error);
}

static gboolean
on_delta_elapsed (gpointer user_data)
{
  GzPprofRequest *request = user_data;

  request->timeout_id = 0;
  gz_pprof_request_run (request, work_delta_end, NULL);
  return G_SOURCE_REMOVE;
}

static void
work_delta_start (GzPprofRequest *request)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&profile_lock);
  g_autoptr(GError) error = NULL;

  request->start = take_snapshot (request->server, request->type, request->name, &error);
  if (request->start == NULL)
    gz_pprof_request_set_profile (request, NULL, NULL, error);
}

static void
then_delta_wait (GzPprofRequest *request)
{
  if (request->start == NULL)
    gz_pprof_request_respond (request);
  else
    gz_pprof_request_wait (request, on_delta_elapsed);
}

/* /debug/pprof/{heap,allocs,goroutine,block,mutex,threadcreate}, as Go's handler.ServeHTTP. */
static void
handle_named (GzPprofServer     *server,
              SoupServerMessage *msg,
              const ProfileInfo *info,
              GHashTable        *query)
{
  const char *seconds_text = gz_pprof_query_get (query, "seconds");
  g_autofree char *problem = NULL;
  GzPprofRequest *request;
  gint64 seconds = 0;
  int debug;

  if (!gz_pprof_query_parse_debug (gz_pprof_query_get (query, "debug"), &debug, &problem))
    return gz_pprof_serve_error (msg, SOUP_STATUS_BAD_REQUEST, problem);
  if (seconds_text != NULL)
    {
      if (!gz_pprof_query_parse_seconds (seconds_text, &seconds, &problem))
        return gz_pprof_serve_error (msg, SOUP_STATUS_BAD_REQUEST, problem);
      if (debug != 0)
        return gz_pprof_serve_error (msg, SOUP_STATUS_BAD_REQUEST,
                                     "seconds and debug params are incompatible");
    }

  request = gz_pprof_request_new (server, msg);
  request->name = info->name;
  request->type = info->type;
  request->debug = debug;
  request->seconds = seconds;
  if (seconds > 0)
    gz_pprof_request_run (request, work_delta_start, then_delta_wait);
  else if (debug >= 2 && info->type == GZ_PROFILE_TYPE_GOROUTINE)
    gz_pprof_request_run (request, work_goroutine_dump, NULL);
  else
    gz_pprof_request_run (request, work_snapshot, NULL);
}

/* /debug/pprof/profile: as Go's Profile, but refusing bad `seconds` instead of defaulting. */

static void
work_cpu_stop (GzPprofRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&profile_lock);
  g_autoptr(GzProfile) profile = gz_profiler_stop (request->profiler, &error);

  g_clear_pointer (&locker, g_mutex_locker_free);

  gz_pprof_request_set_profile (request, profile, "profile", error);
}

static gboolean
on_cpu_elapsed (gpointer user_data)
{
  GzPprofRequest *request = user_data;

  request->timeout_id = 0;
  gz_pprof_request_run (request, work_cpu_stop, NULL);
  return G_SOURCE_REMOVE;
}

/* This process' CPU profiler, or another process's: perf events, else, where the kernel
 * refuses them, the fallback ticks of the preload of a program gz launched. */
static GzProfiler *
new_cpu_profiler (GzPprofServer  *server,
                  GError        **error)
{
  GzConfig *config = gz_pprof_server_get_config (server);
  pid_t pid = gz_pprof_server_get_target_pid (server);
  GzCollector *collector = gz_pprof_server_get_collector (server);
  g_autoptr(GError) perf_error = NULL;
  GzProfiler *profiler;

  if (pid == 0)
    return gz_profiler_new (GZ_PROFILE_TYPE_CPU, config, error);
  profiler = gz_perf_profiler_new (pid, GZ_PROFILE_TYPE_CPU, config, &perf_error);
  if (profiler == NULL && collector != NULL &&
      (gz_ring_get_header (gz_collector_get_ring (collector))->flags & GZ_RING_RECORD_CPU))
    return gz_collector_profiler_new (collector, GZ_PROFILE_TYPE_CPU, error);
  if (profiler == NULL)
    g_propagate_error (error, g_steal_pointer (&perf_error));
  return profiler;
}

static void
release_cpu (gpointer  data,
             GObject  *profiler)
{
  gz_pprof_server_release_cpu (data);
}

static void
handle_cpu (GzPprofServer     *server,
            SoupServerMessage *msg,
            const ProfileInfo *info,
            GHashTable        *query)
{
  const char *seconds_text = gz_pprof_query_get (query, "seconds");
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  GzPprofRequest *request;
  gint64 seconds = DEFAULT_CPU_SECONDS;

  if (seconds_text != NULL && !gz_pprof_query_parse_seconds (seconds_text, &seconds, &problem))
    return gz_pprof_serve_error (msg, SOUP_STATUS_BAD_REQUEST, problem);

  /* Another process's: one at a time, until its profiler is gone. */
  if (gz_pprof_server_get_target_pid (server) != 0)
    {
      if (!gz_pprof_server_claim_cpu (server))
        return gz_pprof_serve_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                     "Could not enable CPU profiling: cpu profiling already "
                                     "in use");
      profiler = new_cpu_profiler (server, &error);
      if (profiler != NULL)
        g_object_weak_ref (G_OBJECT (profiler), release_cpu, server);
      else
        gz_pprof_server_release_cpu (server);
    }
  else
    profiler = new_cpu_profiler (server, &error);
  if (profiler != NULL && !gz_profiler_start (profiler, &error))
    {
      /* Go's words, which its tools and people know. */
      if (g_error_matches (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED) &&
          gz_pprof_server_get_target_pid (server) == 0)
        return gz_pprof_serve_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                     "Could not enable CPU profiling: cpu profiling already "
                                     "in use");
      g_clear_object (&profiler);
    }
  if (profiler == NULL)
    {
      problem = g_strdup_printf ("Could not enable CPU profiling: %s", error->message);
      return gz_pprof_serve_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, problem);
    }

  request = gz_pprof_request_new (server, msg);
  request->name = info->name;
  request->type = info->type;
  request->seconds = seconds;
  request->profiler = g_steal_pointer (&profiler);
  gz_pprof_request_wait (request, on_cpu_elapsed);
}

/* /debug/pprof/: the index. Its counts need snapshots: it is built on a worker thread. */

static void
work_index (GzPprofRequest *request)
{
  GString *html = g_string_new (NULL);

  g_string_append (html,
                   "<html>\n<head>\n<title>/debug/pprof/</title>\n<style>\n.profile-name{\n"
                   "\tdisplay:inline-block;\n\twidth:6rem;\n}\n</style>\n</head>\n<body>\n"
                   "/debug/pprof/<br>\n<br>\nTypes of profiles available:\n<table>\n"
                   "<thead><td>Count</td><td>Profile</td></thead>\n");
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      const ProfileInfo *info = &profiles[i];
      gboolean is_profile = info->handle == handle_named;
      gint64 count = 0;

      if (info->description == NULL)
        continue;
      if (is_profile)
        {
          g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&profile_lock);
          g_autoptr(GzProfile) profile = take_snapshot (request->server, info->type, info->name,
                                                        NULL);

          /* Go counts goroutines and threads created, and records for the others. */
          if (profile == NULL)
            count = 0;
          else if (info->type == GZ_PROFILE_TYPE_GOROUTINE ||
                   info->type == GZ_PROFILE_TYPE_THREADCREATE)
            count = gz_profile_total (profile, 0);
          else
            count = profile->samples->len;
        }
      g_string_append_printf (html, "\t<tr>\n\t<td>%" G_GINT64_FORMAT "</td><td><a href='%s%s'>"
                              "%s</a></td>\n\t</tr>\n", count, info->name,
                              is_profile ? "?debug=1" : "", info->name);
    }
  g_string_append (html, "</table>\n<a href=\"goroutine?debug=2\">full goroutine stack dump"
                   "</a>\n<br>\n<p>\nProfile Descriptions:\n<ul>\n");
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autofree char *description = NULL;

      if (profiles[i].description == NULL)
        continue;
      description = g_markup_escape_text (profiles[i].description, -1);
      g_string_append_printf (html, "<li><div class=profile-name>%s: </div> %s</li>\n",
                              profiles[i].name, description);
    }
  g_string_append (html, "</ul>\n</p>\n</body>\n</html>\n");

  gz_pprof_request_set_body (request, "text/html; charset=utf-8", g_string_free_to_bytes (html));
}

/* /debug/pprof/cmdline: the arguments, NUL-separated. */
static void
handle_cmdline (GzPprofServer     *server,
                SoupServerMessage *msg,
                const ProfileInfo *info,
                GHashTable        *query)
{
  g_autoptr(GBytes) cmdline = gz_pprof_server_get_cmdline (server);

  gz_pprof_serve_bytes (msg, SOUP_STATUS_OK, "text/plain; charset=utf-8", NULL, cmdline);
}

/* /debug/pprof/symbol: Go's symbol protocol: "num_symbols: 1", then "0xPC name" for each
 * address of the '+'-separated list (the query of a GET, the body of a POST) that names a
 * function. The process' one symbolizer answers (another process's: one read from its maps). */
static void
work_symbol (GzPprofRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&profile_lock);
  pid_t pid = gz_pprof_server_get_target_pid (request->server);
  g_autoptr(GzSymbolizer) target_symbolizer = pid != 0 ? gz_symbolizer_new (pid, &error) : NULL;
  GzSymbolizer *symbolizer = pid != 0 ? target_symbolizer : gz_symbolizer_get_default (&error);
  gsize length = g_bytes_get_size (request->body);
  g_autofree char *text = g_strndup (length > 0 ? g_bytes_get_data (request->body, NULL) : "",
                                     length);
  g_auto(GStrv) words = g_strsplit (text, "+", -1);
  GString *out = g_string_new ("num_symbols: 1\n");

  for (guint i = 0; symbolizer != NULL && words[i] != NULL; i++)
    {
      guint64 pc = g_ascii_strtoull (g_strstrip (words[i]), NULL, 0);
      GzSymbol symbol = { 0 };

      if (pc != 0 && gz_symbolizer_lookup (symbolizer, pc, &symbol) && symbol.function != NULL)
        g_string_append_printf (out, "%#" G_GINT64_MODIFIER "x %s\n", pc, symbol.function);
    }
  if (symbolizer == NULL)
    g_string_append_printf (out, "reading symbols: %s\n", error->message);

  gz_pprof_request_set_body (request, "text/plain; charset=utf-8", g_string_free_to_bytes (out));
}

static void
handle_symbol (GzPprofServer     *server,
               SoupServerMessage *msg,
               const ProfileInfo *info,
               GHashTable        *query)
{
  GzPprofRequest *request;
  GBytes *body;

  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  else
    {
      const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));

      body = g_bytes_new (raw != NULL ? raw : "", raw != NULL ? strlen (raw) : 0);
    }

  request = gz_pprof_request_new (server, msg);
  request->name = info->name;
  request->body = body;
  gz_pprof_request_run (request, work_symbol, NULL);
}

/* /debug/pprof/trace: Go's execution traces have no C counterpart. */
static void
handle_trace (GzPprofServer     *server,
              SoupServerMessage *msg,
              const ProfileInfo *info,
              GHashTable        *query)
{
  gz_pprof_serve_error (msg, SOUP_STATUS_NOT_IMPLEMENTED,
                        "Could not enable tracing: execution traces belong to the Go runtime "
                        "and a C process has none; use /debug/pprof/profile for CPU time and "
                        "/debug/pprof/goroutine?debug=2 for every thread's stack");
}

/* /debug/stats: gz_process_stats_collect () as JSON (another process's from its /proc files:
 * gz_pprof_target_stats_collect ()). It costs a pread of /proc/self/statm, two
 * fstats and getrusage (status only every 100 ms): answered at once, on the main loop, with no
 * thread to wake. */
static void
handle_stats (GzPprofServer     *server,
              SoupServerMessage *msg)
{
  g_autoptr(GError) error = NULL;
  pid_t pid = gz_pprof_server_get_target_pid (server);
  g_autoptr(JsonNode) stats = pid != 0 ? gz_pprof_target_stats_collect (pid, &error)
                                       : gz_process_stats_collect (&error);
  g_autoptr(GBytes) body = NULL;
  char *text;

  if (stats == NULL)
    {
      g_autofree char *problem = g_strdup_printf ("Could not collect statistics: %s",
                                                  error->message);

      return gz_pprof_serve_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, problem);
    }
  text = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_JSON);
  body = g_bytes_new_take (text, strlen (text));
  gz_pprof_serve_bytes (msg, SOUP_STATUS_OK, "application/json", NULL, body);
}

void
gz_pprof_handlers_serve (GzPprofServer     *server,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query)
{
  const char *name;

  if (g_str_equal (path, "/debug/stats"))
    return handle_stats (server, msg);
  if (g_str_equal (path, "/debug/pprof"))
    return soup_server_message_set_redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, "/debug/pprof/");
  if (!g_str_has_prefix (path, "/debug/pprof/"))
    return gz_pprof_serve_error (msg, SOUP_STATUS_NOT_FOUND,
                                 "404 page not found: the pprof endpoints are under "
                                 "/debug/pprof/, the statistics at /debug/stats");

  name = path + strlen ("/debug/pprof/");
  if (name[0] == '\0')
    return gz_pprof_request_run (gz_pprof_request_new (server, msg), work_index, NULL);
  if (g_str_equal (name, "threads"))
    name = "goroutine";
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    if (g_str_equal (name, profiles[i].name))
      return profiles[i].handle (server, msg, &profiles[i], query);
  gz_pprof_serve_error (msg, SOUP_STATUS_NOT_FOUND, "Unknown profile");
}
