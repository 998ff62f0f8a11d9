/* gz-pprof-server.c: the pprof HTTP server: one short handler per endpoint, like Go's
 * net/http/pprof. Handlers parse on the main loop; snapshots, symbolization and encoding run
 * on worker threads (GTask) while the message is paused; timers wait out `seconds`. */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "gz-profile-delta.h"
#include "gz-profile-top.h"
#include "gz-pprof-server.h"
#include "gz-pprof-text.h"
#include "gz-profiler-factory.h"
#include "gz-process-stats.h"
#include "gz-symbolizer.h"

#define DEFAULT_CPU_SECONDS   30
#define SHUTDOWN_GRACE_SECONDS 10

struct _GzPprofServer
{
  GObject         parent_instance;

  GzConfig       *config;
  SoupServer     *soup;
  GSocketService *service;         /* accepts the connections, hands them to soup */
  char           *address;         /* as listened on */
  guint           port;
  char           *token;           /* NULL: no authorization needed */
  GBytes         *cmdline;         /* NUL-separated, as Go's */

  guint           max_in_flight;
  guint           max_connections;
  GHashTable     *in_flight;       /* SoupServerMessage * past the early handler */
  GHashTable     *connections;     /* GSocketConnection * handed to soup, until closed */
  GHashTable     *pending;         /* Request * paused for a thread or a timer */

  GMutex          symbolizer_lock;
  GzSymbolizer   *symbolizer;      /* for /symbol, under the lock */

  gboolean        shutting_down;
  GTask          *shutdown_task;
  guint           shutdown_timeout_id;
  guint           shutdown_idle_id;
};

G_DEFINE_FINAL_TYPE (GzPprofServer, gz_pprof_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (gz-pprof-server-error-quark, gz_pprof_server_error)

/* The named profiles, in the index's (alphabetical) order, with Go's descriptions where they
 * hold for a C process. */
typedef struct
{
  const char   *name;
  GzProfileType type;
  gboolean      is_profile; /* a snapshot type, served by handle_named */
  const char   *description;
} ProfileInfo;

static const ProfileInfo profiles[] = {
  { "allocs", GZ_PROFILE_TYPE_MEMORY, TRUE,
    "A sampling of all past memory allocations" },
  { "block", GZ_PROFILE_TYPE_BLOCK, TRUE,
    "Stack traces that led to blocking on synchronization primitives (condition waits, "
    "joins, contended pthread mutexes)" },
  { "cmdline", 0, FALSE, "The command line invocation of the current program" },
  { "goroutine", GZ_PROFILE_TYPE_GOROUTINE, TRUE,
    "Stack traces of all current threads (a C program's goroutines). Use debug=2 as a query "
    "parameter to dump every thread's stack" },
  { "heap", GZ_PROFILE_TYPE_MEMORY, TRUE,
    "A sampling of memory allocations of live objects" },
  { "mutex", GZ_PROFILE_TYPE_MUTEX, TRUE,
    "Stack traces of contention on pthread mutexes, with the time spent waiting" },
  { "profile", GZ_PROFILE_TYPE_CPU, FALSE,
    "CPU profile. You can specify the duration in the seconds GET parameter. After you get "
    "the profile file, use the go tool pprof command to investigate the profile." },
  { "threadcreate", GZ_PROFILE_TYPE_THREADCREATE, TRUE,
    "Stack traces that led to the creation of new OS threads" },
  { "trace", 0, FALSE,
    "Not available: execution traces belong to the Go runtime; a C process has none" },
};

/* Requests paused while a worker thread or a timer does their work. */
typedef struct _Request Request;
typedef void (*RequestStep) (Request *request);

struct _Request
{
  GzPprofServer     *server;
  SoupServerMessage *msg;
  const ProfileInfo *info;
  int                debug;
  gint64             seconds;
  GzProfiler        *profiler;    /* cpu: running */
  GzProfile         *start;       /* delta: the first snapshot */
  GBytes            *body;        /* symbol: the addresses */
  RequestStep        work;        /* in a worker thread */
  RequestStep        then;        /* on the main loop, after work */
  guint              timeout_id;
  gboolean           in_thread;
  gboolean           hurry;       /* shutting down: end early */

  /* The response, filled by work. */
  guint              status;
  const char        *content_type;
  char              *filename;    /* attachment name, or NULL */
  GBytes            *response;
};

static void request_respond       (Request       *request);
static void maybe_finish_shutdown (GzPprofServer *self);

/* Responses. */

static void
serve_bytes (SoupServerMessage *msg,
             guint              status,
             const char        *content_type,
             const char        *filename,
             GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize length;
  gconstpointer data = g_bytes_get_data (body, &length);

  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  if (filename != NULL)
    {
      g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"%s\"", filename);

      soup_message_headers_replace (headers, "Content-Disposition", disposition);
    }
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, data, length);
}

/* Go's serveError: a real status, plain text, X-Go-Pprof: 1 so that `go tool pprof` shows
 * the message instead of trying to parse it. */
static void
serve_error (SoupServerMessage *msg,
             guint              status,
             const char        *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  soup_message_headers_replace (headers, "X-Go-Pprof", "1");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_remove (headers, "Content-Disposition");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    line, strlen (line));
}

static void
request_set_error (Request    *request,
                   guint       status,
                   const char *text)
{
  request->status = status;
  request->content_type = NULL;
  g_clear_pointer (&request->filename, g_free);
  g_clear_pointer (&request->response, g_bytes_unref);
  request->response = g_bytes_new (text, strlen (text));
}

static void
request_set_profile (Request    *request,
                     GzProfile  *profile,
                     const char *filename,
                     GError     *error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (profile == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Could not take the %s profile: %s",
                                               request->info->name, error->message);

      /* A build without that profiler (no allocation wrappers) is not a server fault. */
      request_set_error (request,
                         g_error_matches (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_UNSUPPORTED)
                           ? SOUP_STATUS_NOT_IMPLEMENTED : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                         text);
      return;
    }

  if (request->debug != 0)
    {
      g_autofree char *text = gz_pprof_text_format (profile, request->info->name);

      request->status = SOUP_STATUS_OK;
      request->content_type = "text/plain; charset=utf-8";
      request->response = g_bytes_new_take (text, strlen (text));
      text = NULL;
      return;
    }

  bytes = gz_profile_encode (profile, &local_error);
  if (bytes == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Could not encode the %s profile: %s",
                                               request->info->name, local_error->message);

      request_set_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, text);
      return;
    }
  request->status = SOUP_STATUS_OK;
  request->content_type = "application/octet-stream";
  request->filename = g_strdup (filename);
  request->response = g_steal_pointer (&bytes);
}

/* Requests paused for work. */

static Request *
request_new (GzPprofServer     *self,
             SoupServerMessage *msg)
{
  Request *request = g_new0 (Request, 1);

  request->server = g_object_ref (self);
  request->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  g_hash_table_add (self->pending, request);
  return request;
}

static void
request_free (Request *request)
{
  g_clear_handle_id (&request->timeout_id, g_source_remove);
  g_clear_object (&request->profiler);
  g_clear_pointer (&request->start, gz_profile_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->response, g_bytes_unref);
  g_free (request->filename);
  g_object_unref (request->msg);
  g_object_unref (request->server);
  g_free (request);
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Request *request = task_data;

  request->work (request);
  g_task_return_boolean (task, TRUE);
}

static void
request_thread_done (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Request *request = user_data;
  RequestStep then = request->then;

  request->in_thread = FALSE;
  request->then = NULL;
  if (then != NULL)
    then (request);
  else
    request_respond (request);
}

/* Runs @work on a worker thread, then @then (NULL: respond) on the main loop. The task has no
 * source object: GTask may drop its last reference on the worker thread, and the server (and
 * its SoupServer, which is not thread-safe) must only ever be disposed on the main loop. The
 * request holds the server, and requests are freed on the main loop. */
static void
request_run (Request     *request,
             RequestStep  work,
             RequestStep  then)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, request_thread_done, request);

  request->work = work;
  request->then = then;
  request->in_thread = TRUE;
  g_task_set_source_tag (task, request_run);
  g_task_set_task_data (task, request, NULL);
  g_task_run_in_thread (task, request_thread);
}

static void
request_respond (Request *request)
{
  GzPprofServer *self = request->server;

  if (request->content_type == NULL)
    {
      gsize length = g_bytes_get_size (request->response);
      g_autofree char *text = length > 0
        ? g_strndup (g_bytes_get_data (request->response, NULL), length) : g_strdup ("");

      serve_error (request->msg, request->status, text);
    }
  else
    serve_bytes (request->msg, request->status, request->content_type, request->filename,
                 request->response);
  soup_server_message_unpause (request->msg);

  /* The request may hold the last reference to the server: free it last. */
  g_hash_table_remove (self->pending, request);
  maybe_finish_shutdown (self);
  request_free (request);
}

/* A timer waits out `seconds`; on shutdown it fires at once. */
static void
request_wait (Request     *request,
              GSourceFunc  callback)
{
  if (request->hurry)
    {
      callback (request);
      return;
    }
  request->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                            (guint) (request->seconds * 1000), callback,
                                            request, NULL);
}

/* Shutting down: a timer still waiting fires now (its callback clears timeout_id). */
static void
request_hurry (Request *request)
{
  request->hurry = TRUE;
  if (request->timeout_id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (NULL, request->timeout_id);

      g_source_set_ready_time (source, 0);
    }
}

/* Query parameters. */

/* Go's rules: a positive integer; ours add a ceiling. Returns FALSE with the 400's text. */
static gboolean
parse_seconds (const char  *text,
               gint64      *seconds,
               char       **problem)
{
  g_autoptr(GError) error = NULL;
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, &error))
    {
      *problem = g_strdup ("invalid value for \"seconds\" - must be a positive integer");
      return FALSE;
    }
  if (value > GZ_PPROF_SERVER_MAX_SECONDS)
    {
      *problem = g_strdup_printf ("invalid value for \"seconds\" - at most %d (one hour) on "
                                  "this server", GZ_PPROF_SERVER_MAX_SECONDS);
      return FALSE;
    }
  *seconds = (gint64) value;
  return TRUE;
}

static gboolean
parse_debug (const char  *text,
             int         *debug,
             char       **problem)
{
  gint64 value;

  if (text == NULL || text[0] == '\0')
    {
      *debug = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, 0, 2, &value, NULL))
    {
      *problem = g_strdup ("invalid value for \"debug\" - must be 0, 1 or 2");
      return FALSE;
    }
  *debug = (int) value;
  return TRUE;
}

static const char *
query_get (GHashTable *query,
           const char *key)
{
  return query != NULL ? g_hash_table_lookup (query, key) : NULL;
}

/* Profiles. */

static GzProfile *
take_snapshot (Request *request,
               GError **error)
{
  g_autoptr(GzProfiler) profiler = NULL;
  GzProfile *profile;

  profiler = gz_profiler_new (request->info->type, request->server->config, error);
  if (profiler == NULL)
    return NULL;
  profile = gz_profiler_snapshot (profiler, error);
  if (profile != NULL && g_str_equal (request->info->name, "allocs"))
    {
      g_free (profile->default_sample_type);
      profile->default_sample_type = g_strdup ("alloc_space");
    }
  return profile;
}

static void
work_snapshot (Request *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = take_snapshot (request, &error);

  request_set_profile (request, profile, request->info->name, error);
}

static void
work_goroutine_dump (Request *request)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gz_pprof_text_thread_dump (&error);

  if (text == NULL)
    {
      g_autofree char *problem = g_strdup_printf ("Could not dump the threads: %s",
                                                  error->message);

      request_set_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, problem);
      return;
    }
  request->status = SOUP_STATUS_OK;
  request->content_type = "text/plain; charset=utf-8";
  request->response = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
}

static void
work_delta_end (Request *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = take_snapshot (request, &error);
  g_autofree char *filename = g_strconcat (request->info->name, "-delta", NULL);

  if (profile != NULL)
    gz_profile_subtract (profile, request->start, NULL);
  request_set_profile (request, profile, filename, error);
}

static gboolean
on_delta_elapsed (gpointer user_data)
{
  Request *request = user_data;

  request->timeout_id = 0;
  request_run (request, work_delta_end, NULL);
  return G_SOURCE_REMOVE;
}

static void
work_delta_start (Request *request)
{
  g_autoptr(GError) error = NULL;

  request->start = take_snapshot (request, &error);
  if (request->start == NULL)
    request_set_profile (request, NULL, NULL, error);
}

static void
then_delta_wait (Request *request)
{
  if (request->start == NULL)
    request_respond (request);
  else
    request_wait (request, on_delta_elapsed);
}

/* /debug/pprof/{heap,allocs,goroutine,block,mutex,threadcreate}, as Go's handler.ServeHTTP. */
static void
handle_named (GzPprofServer     *self,
              SoupServerMessage *msg,
              const ProfileInfo *info,
              GHashTable        *query)
{
  const char *seconds_text = query_get (query, "seconds");
  g_autofree char *problem = NULL;
  Request *request;
  gint64 seconds = 0;
  int debug;

  if (!parse_debug (query_get (query, "debug"), &debug, &problem))
    return serve_error (msg, SOUP_STATUS_BAD_REQUEST, problem);

  if (seconds_text != NULL)
    {
      if (!parse_seconds (seconds_text, &seconds, &problem))
        return serve_error (msg, SOUP_STATUS_BAD_REQUEST, problem);
      if (debug != 0)
        return serve_error (msg, SOUP_STATUS_BAD_REQUEST,
                            "seconds and debug params are incompatible");
    }

  request = request_new (self, msg);
  request->info = info;
  request->debug = debug;
  request->seconds = seconds;
  if (seconds > 0)
    request_run (request, work_delta_start, then_delta_wait);
  else if (debug >= 2 && info->type == GZ_PROFILE_TYPE_GOROUTINE)
    request_run (request, work_goroutine_dump, NULL);
  else
    request_run (request, work_snapshot, NULL);
}

static void
work_cpu_stop (Request *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GzProfile) profile = gz_profiler_stop (request->profiler, &error);

  request_set_profile (request, profile, "profile", error);
}

static gboolean
on_cpu_elapsed (gpointer user_data)
{
  Request *request = user_data;

  request->timeout_id = 0;
  request_run (request, work_cpu_stop, NULL);
  return G_SOURCE_REMOVE;
}

/* /debug/pprof/profile: as Go's Profile, but refusing bad `seconds` instead of defaulting. */
static void
handle_cpu (GzPprofServer     *self,
            SoupServerMessage *msg,
            const ProfileInfo *info,
            GHashTable        *query)
{
  const char *seconds_text = query_get (query, "seconds");
  g_autoptr(GzProfiler) profiler = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  Request *request;
  gint64 seconds = DEFAULT_CPU_SECONDS;

  if (seconds_text != NULL && !parse_seconds (seconds_text, &seconds, &problem))
    return serve_error (msg, SOUP_STATUS_BAD_REQUEST, problem);

  profiler = gz_profiler_new (GZ_PROFILE_TYPE_CPU, self->config, &error);
  if (profiler != NULL && !gz_profiler_start (profiler, &error))
    {
      /* Go's words, which its tools and people know. */
      if (g_error_matches (error, GZ_PROFILE_ERROR, GZ_PROFILE_ERROR_FAILED))
        return serve_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            "Could not enable CPU profiling: cpu profiling already in use");
      g_clear_object (&profiler);
    }
  if (profiler == NULL)
    {
      problem = g_strdup_printf ("Could not enable CPU profiling: %s", error->message);
      return serve_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, problem);
    }

  request = request_new (self, msg);
  request->info = info;
  request->seconds = seconds;
  request->profiler = g_steal_pointer (&profiler);
  request_wait (request, on_cpu_elapsed);
}

/* The index: counts need snapshots, so it is built on a worker thread. */
static void
work_index (Request *request)
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
      gint64 count = 0;

      if (info->is_profile)
        {
          Request probe = { .server = request->server, .info = info };
          g_autoptr(GzProfile) profile = take_snapshot (&probe, NULL);

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
                              info->is_profile ? "?debug=1" : "", info->name);
    }
  g_string_append (html, "</table>\n<a href=\"goroutine?debug=2\">full goroutine stack dump"
                   "</a>\n<br>\n<p>\nProfile Descriptions:\n<ul>\n");
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autofree char *description = g_markup_escape_text (profiles[i].description, -1);

      g_string_append_printf (html, "<li><div class=profile-name>%s: </div> %s</li>\n",
                              profiles[i].name, description);
    }
  g_string_append (html, "</ul>\n</p>\n</body>\n</html>\n");

  request->status = SOUP_STATUS_OK;
  request->content_type = "text/html; charset=utf-8";
  request->response = g_string_free_to_bytes (html);
}

static void
handle_index (GzPprofServer     *self,
              SoupServerMessage *msg,
              const ProfileInfo *info,
              GHashTable        *query)
{
  request_run (request_new (self, msg), work_index, NULL);
}

static void
handle_cmdline (GzPprofServer     *self,
                SoupServerMessage *msg,
                const ProfileInfo *info,
                GHashTable        *query)
{
  serve_bytes (msg, SOUP_STATUS_OK, "text/plain; charset=utf-8", NULL, self->cmdline);
}

/* Go's symbol protocol: "num_symbols: 1", then "0xPC name" for each address of the
 * '+'-separated list (the query of a GET, the body of a POST) that names a function. */
static void
work_symbol (Request *request)
{
  GzPprofServer *self = request->server;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->symbolizer_lock);
  g_autoptr(GError) error = NULL;
  gsize length = g_bytes_get_size (request->body);
  g_autofree char *text = length > 0 ? g_strndup (g_bytes_get_data (request->body, NULL), length)
                                     : g_strdup ("");
  g_auto(GStrv) words = NULL;
  GString *out = g_string_new ("num_symbols: 1\n");

  if (self->symbolizer == NULL)
    self->symbolizer = gz_symbolizer_new (0, &error);
  else
    gz_symbolizer_refresh (self->symbolizer, NULL); /* libraries loaded since */

  words = g_strsplit (text, "+", -1);
  for (guint i = 0; self->symbolizer != NULL && words[i] != NULL; i++)
    {
      guint64 pc = g_ascii_strtoull (g_strstrip (words[i]), NULL, 0);
      GzSymbol symbol = { 0 };

      if (pc != 0 && gz_symbolizer_lookup (self->symbolizer, pc, &symbol) &&
          symbol.function != NULL)
        g_string_append_printf (out, "%#" G_GINT64_MODIFIER "x %s\n", pc, symbol.function);
    }
  if (self->symbolizer == NULL)
    g_string_append_printf (out, "reading symbols: %s\n", error->message);

  request->status = SOUP_STATUS_OK;
  request->content_type = "text/plain; charset=utf-8";
  request->response = g_string_free_to_bytes (out);
}

static void
handle_symbol (GzPprofServer     *self,
               SoupServerMessage *msg,
               const ProfileInfo *info,
               GHashTable        *query)
{
  Request *request;
  GBytes *body;

  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  else
    {
      const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));

      body = g_bytes_new (raw != NULL ? raw : "", raw != NULL ? strlen (raw) : 0);
    }

  request = request_new (self, msg);
  request->info = info;
  request->body = body;
  request_run (request, work_symbol, NULL);
}

static void
handle_trace (GzPprofServer     *self,
              SoupServerMessage *msg,
              const ProfileInfo *info,
              GHashTable        *query)
{
  serve_error (msg, SOUP_STATUS_NOT_IMPLEMENTED,
               "Could not enable tracing: execution traces belong to the Go runtime and a C "
               "process has none; use /debug/pprof/profile for CPU time and "
               "/debug/pprof/goroutine?debug=2 for every thread's stack");
}

static void
work_stats (Request *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = gz_process_stats_collect (&error);
  char *text;

  if (stats == NULL)
    {
      g_autofree char *problem = g_strdup_printf ("Could not collect statistics: %s",
                                                  error->message);

      request_set_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, problem);
      return;
    }
  text = gz_process_stats_format (stats, GZ_PROCESS_STATS_FORMAT_JSON);
  request->status = SOUP_STATUS_OK;
  request->content_type = "application/json";
  request->response = g_bytes_new_take (text, strlen (text));
}

typedef void (*Handler) (GzPprofServer     *self,
                         SoupServerMessage *msg,
                         const ProfileInfo *info,
                         GHashTable        *query);

static const struct
{
  const char *name;
  Handler     handle;
} endpoints[] = {
  { "", handle_index },
  { "profile", handle_cpu },
  { "cmdline", handle_cmdline },
  { "symbol", handle_symbol },
  { "trace", handle_trace },
};

static const ProfileInfo *
lookup_profile (const char *name)
{
  if (g_str_equal (name, "threads"))
    name = "goroutine";
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    if (g_str_equal (profiles[i].name, name))
      return &profiles[i];
  return NULL;
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  GzPprofServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const ProfileInfo *info;
  const char *name;

  if (!g_str_equal (method, SOUP_METHOD_GET) && !g_str_equal (method, SOUP_METHOD_HEAD) &&
      !(g_str_equal (method, SOUP_METHOD_POST) && g_str_equal (path, "/debug/pprof/symbol")))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    g_str_equal (path, "/debug/pprof/symbol")
                                      ? "GET, HEAD, POST" : "GET, HEAD");
      return serve_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                          "method not allowed: use GET (POST for /debug/pprof/symbol)");
    }

  if (g_str_equal (path, "/debug/stats"))
    return request_run (request_new (self, msg), work_stats, NULL);
  if (g_str_equal (path, "/debug/pprof"))
    return soup_server_message_set_redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, "/debug/pprof/");
  if (!g_str_has_prefix (path, "/debug/pprof/"))
    return serve_error (msg, SOUP_STATUS_NOT_FOUND,
                        "404 page not found: the pprof endpoints are under /debug/pprof/, the "
                        "statistics at /debug/stats");

  name = path + strlen ("/debug/pprof/");
  info = lookup_profile (name);
  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (g_str_equal (name, endpoints[i].name))
      return endpoints[i].handle (self, msg, info, query);
  if (info != NULL && info->is_profile)
    return handle_named (self, msg, info, query);

  serve_error (msg, SOUP_STATUS_NOT_FOUND, "Unknown profile");
}

/* Limits and authorization. */

/* Constant time in the token's content (its length may leak, as in every such compare). */
static gboolean
token_equal (const char *given,
             const char *token)
{
  gsize given_length = strlen (given);
  gsize length = strlen (token);
  guchar diff = given_length != length;

  for (gsize i = 0; i < length; i++)
    diff |= (guchar) token[i] ^ (guchar) (i < given_length ? given[i] : 0);
  return diff == 0;
}

/* After the headers, before the body is read: anything refused here is never read. */
static void
handle_early (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  GzPprofServer *self = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);

  g_hash_table_add (self->in_flight, msg);

  if (self->shutting_down)
    {
      soup_message_headers_replace (response_headers, "Connection", "close");
      return serve_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "the server is shutting down");
    }

  if (self->token != NULL)
    {
      const char *authorization = soup_message_headers_get_one (request_headers,
                                                                "Authorization");

      if (authorization == NULL || !g_str_has_prefix (authorization, "Bearer ") ||
          !token_equal (authorization + strlen ("Bearer "), self->token))
        {
          soup_message_headers_replace (response_headers, "WWW-Authenticate", "Bearer");
          return serve_error (msg, SOUP_STATUS_UNAUTHORIZED,
                              "unauthorized: send the header \"Authorization: Bearer TOKEN\" "
                              "with the token of the server's --token-file");
        }
    }

  if (g_hash_table_size (self->in_flight) > self->max_in_flight)
    {
      soup_message_headers_replace (response_headers, "Retry-After", "1");
      return serve_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                          "too many requests in flight; retry later");
    }

  switch (soup_message_headers_get_encoding (request_headers))
    {
    case SOUP_ENCODING_NONE:
      break;
    case SOUP_ENCODING_CONTENT_LENGTH:
      if (soup_message_headers_get_content_length (request_headers) <= GZ_PPROF_SERVER_MAX_BODY)
        break;
      G_GNUC_FALLTHROUGH;
    default:
      {
        g_autofree char *text = g_strdup_printf ("request body too large or without a length: "
                                                 "send at most %d bytes with a Content-Length",
                                                 GZ_PPROF_SERVER_MAX_BODY);

        soup_message_headers_replace (response_headers, "Connection", "close");
        return serve_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
      }
    }
}

static void
stop_accepting (GzPprofServer *self)
{
  if (self->service == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->service, self);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
}

static gboolean
finish_shutdown (gpointer user_data)
{
  GzPprofServer *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->shutdown_task);

  self->shutdown_idle_id = 0;
  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  if (task == NULL)
    return G_SOURCE_REMOVE;
  stop_accepting (self);
  soup_server_disconnect (self->soup);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
maybe_finish_shutdown (GzPprofServer *self)
{
  if (self->shutdown_task == NULL || self->shutdown_idle_id != 0 ||
      g_hash_table_size (self->in_flight) > 0 || g_hash_table_size (self->pending) > 0)
    return;
  /* Not from inside libsoup's signal emission. */
  self->shutdown_idle_id = g_idle_add (finish_shutdown, self);
}

static void
on_request_done (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  GzPprofServer *self = user_data;

  if (g_hash_table_remove (self->in_flight, msg))
    maybe_finish_shutdown (self);
}

static gboolean
connection_is_closed (gpointer key,
                      gpointer value,
                      gpointer user_data)
{
  return g_io_stream_is_closed (key);
}

/* Forgets the connections libsoup has closed (it closes the stream it was given). */
static void
prune_connections (GzPprofServer *self)
{
  g_hash_table_foreach_remove (self->connections, connection_is_closed, NULL);
}

/* Connections are accepted here, not by libsoup: libsoup 3.2 (Debian 12) leaks a reference to
 * the GSocket of every connection it accepts itself (~340 bytes each, for ever). Each one is
 * counted, or, beyond the limit, closed before libsoup sees it. An idle or slow client holds
 * a connection, never a request: libsoup reads asynchronously. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  GzPprofServer *self = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  prune_connections (self);
  if (g_hash_table_size (self->connections) >= self->max_connections)
    {
      g_debug ("more than %u connections: closing a new one", self->max_connections);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (connection), local, remote, &error))
    {
      g_debug ("cannot serve a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  g_hash_table_add (self->connections, g_object_ref (connection));
  return TRUE;
}

/* Every response closes its connection: libsoup 3.2 never notices that a client closed an
 * idle keep-alive connection, and would keep its descriptor open (CLOSE-WAIT) for ever. pprof
 * clients make a request or two per connection, so keep-alive buys nothing. */
static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
}

/* The object. */

static void
gz_pprof_server_dispose (GObject *object)
{
  GzPprofServer *self = GZ_PPROF_SERVER (object);

  stop_accepting (self);
  g_clear_object (&self->service);
  if (self->soup != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
  g_hash_table_remove_all (self->connections);
  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  g_clear_handle_id (&self->shutdown_idle_id, g_source_remove);

  G_OBJECT_CLASS (gz_pprof_server_parent_class)->dispose (object);
}

static void
gz_pprof_server_finalize (GObject *object)
{
  GzPprofServer *self = GZ_PPROF_SERVER (object);

  g_clear_object (&self->config);
  g_clear_pointer (&self->address, g_free);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->cmdline, g_bytes_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->symbolizer, gz_symbolizer_free);
  g_mutex_clear (&self->symbolizer_lock);

  G_OBJECT_CLASS (gz_pprof_server_parent_class)->finalize (object);
}

static void
gz_pprof_server_class_init (GzPprofServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_pprof_server_dispose;
  object_class->finalize = gz_pprof_server_finalize;
}

static void
gz_pprof_server_init (GzPprofServer *self)
{
  g_autofree char *cmdline = NULL;
  gsize length = 0;

  self->max_in_flight = GZ_PPROF_SERVER_DEFAULT_MAX_IN_FLIGHT;
  self->max_connections = GZ_PPROF_SERVER_DEFAULT_MAX_CONNECTIONS;
  self->in_flight = g_hash_table_new (NULL, NULL);
  self->connections = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->pending = g_hash_table_new (NULL, NULL);
  g_mutex_init (&self->symbolizer_lock);

  /* /proc/self/cmdline ends each argument with a NUL; Go joins them with one. */
  if (g_file_get_contents ("/proc/self/cmdline", &cmdline, &length, NULL) && length > 0 &&
      cmdline[length - 1] == '\0')
    length--;
  self->cmdline = g_bytes_new (cmdline != NULL ? cmdline : "", cmdline != NULL ? length : 0);

  self->soup = soup_server_new ("server-header", "gz-profile/" GZ_VERSION " ", NULL);
  soup_server_add_early_handler (self->soup, NULL, handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_done), self);
}

GzPprofServer *
gz_pprof_server_new (GzConfig *config)
{
  GzPprofServer *self = g_object_new (GZ_TYPE_PPROF_SERVER, NULL);

  if (config != NULL)
    self->config = g_object_ref (config);
  return self;
}

static gboolean
load_token (GzPprofServer  *self,
            GError        **error)
{
  const char *path = self->config != NULL ? gz_config_get_string (self->config, "token-file")
                                          : NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  if (path == NULL || path[0] == '\0')
    return TRUE;
  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_TOKEN,
                   "cannot read the token file: %s; check --token-file", local_error->message);
      return FALSE;
    }
  g_strstrip (contents);
  if (contents[0] == '\0' || strpbrk (contents, "\r\n") != NULL)
    {
      g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_TOKEN,
                   "the token file %s must hold one non-empty line; write a random token "
                   "into it, e.g. with: head -c 32 /dev/urandom | base64 > %s", path, path);
      return FALSE;
    }
  g_free (self->token);
  self->token = g_steal_pointer (&contents);
  return TRUE;
}

gboolean
gz_pprof_server_listen (GzPprofServer  *self,
                        GError        **error)
{
  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), FALSE);

  if (self->config == NULL)
    return gz_pprof_server_listen_on (self, "127.0.0.1", 6060, error);
  return gz_pprof_server_listen_on (self, gz_config_get_string (self->config, "bind"),
                                    (guint) gz_config_get_int (self->config, "port"), error);
}

gboolean
gz_pprof_server_listen_on (GzPprofServer  *self,
                           const char     *address,
                           guint           port,
                           GError        **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_ADDRESS,
                   "bind address \"%s\" is not an IP address; use e.g. 127.0.0.1 (the "
                   "default), ::1 or 0.0.0.0 with --bind", address);
      return FALSE;
    }
  if (!load_token (self, error))
    return FALSE;

  /* Our own socket, so that a port in use is told apart from other failures. */
  wanted = g_inet_socket_address_new (inet, (guint16) port);
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket == NULL || !g_socket_bind (socket, wanted, TRUE, &local_error) ||
      !g_socket_listen (socket, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_ADDRESS_IN_USE,
                     "port %u on %s is already in use; choose another with --port (or stop "
                     "the program listening there)", port, address);
      else
        g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_FAILED,
                     "cannot listen on %s port %u: %s; check --bind and --port", address, port,
                     local_error->message);
      return FALSE;
    }
  service = g_socket_service_new ();
  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (service), socket, NULL, &local_error))
    {
      g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_FAILED,
                   "cannot serve on %s port %u: %s", address, port, local_error->message);
      return FALSE;
    }
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);

  effective = g_socket_get_local_address (socket, NULL);
  self->port = effective != NULL
    ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)) : port;
  g_free (self->address);
  self->address = g_strdup (address);
  self->service = g_steal_pointer (&service);
  return TRUE;
}

guint
gz_pprof_server_get_port (GzPprofServer *self)
{
  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), 0);

  return self->port;
}

char *
gz_pprof_server_get_url (GzPprofServer *self)
{
  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), NULL);

  if (self->address != NULL && strchr (self->address, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u/debug/pprof/", self->address, self->port);
  return g_strdup_printf ("http://%s:%u/debug/pprof/",
                          self->address != NULL ? self->address : "127.0.0.1", self->port);
}

gboolean
gz_pprof_server_address_is_loopback (const char *address)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  return inet != NULL && g_inet_address_get_is_loopback (inet);
}

void
gz_pprof_server_set_max_in_flight (GzPprofServer *self,
                                   guint          max_in_flight)
{
  g_return_if_fail (GZ_IS_PPROF_SERVER (self));

  self->max_in_flight = MAX (max_in_flight, 1);
}

void
gz_pprof_server_set_max_connections (GzPprofServer *self,
                                     guint          max_connections)
{
  g_return_if_fail (GZ_IS_PPROF_SERVER (self));

  self->max_connections = MAX (max_connections, 1);
}

guint
gz_pprof_server_get_n_in_flight (GzPprofServer *self)
{
  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), 0);

  return g_hash_table_size (self->in_flight);
}

guint
gz_pprof_server_get_n_connections (GzPprofServer *self)
{
  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), 0);

  prune_connections (self);
  return g_hash_table_size (self->connections);
}

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  GzPprofServer *self = user_data;

  self->shutdown_timeout_id = 0;
  g_debug ("shutdown: %u requests still in flight after %d s; closing their connections",
           g_hash_table_size (self->in_flight), SHUTDOWN_GRACE_SECONDS);
  if (self->shutdown_idle_id == 0)
    self->shutdown_idle_id = g_idle_add (finish_shutdown, self);
  return G_SOURCE_REMOVE;
}

void
gz_pprof_server_shutdown_async (GzPprofServer      *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GList) requests = NULL;

  g_return_if_fail (GZ_IS_PPROF_SERVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_pprof_server_shutdown_async);
  if (self->shutdown_task != NULL || self->shutting_down)
    {
      g_task_return_new_error (task, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_FAILED,
                               "the server is already shutting down");
      return;
    }

  /* From now on every request gets a 503 with "Connection: close"; at the end we close
   * the listener and the connections. */
  self->shutting_down = TRUE;

  requests = g_hash_table_get_keys (self->pending);
  for (GList *l = requests; l != NULL; l = l->next)
    request_hurry (l->data);

  self->shutdown_task = g_steal_pointer (&task);
  self->shutdown_timeout_id = g_timeout_add_seconds (SHUTDOWN_GRACE_SECONDS,
                                                     on_shutdown_timeout, self);
  maybe_finish_shutdown (self);
}

gboolean
gz_pprof_server_shutdown_finish (GzPprofServer  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
