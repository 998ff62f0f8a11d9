/* gz-pprof-server.c: the pprof HTTP server object: its lifecycle (listen, graceful shutdown),
 * the checks every request passes first (shutdown, authorization, limits), and routing to
 * the handlers (gz-pprof-handlers.c). Connections are gz-pprof-connections.c's. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <gio/gunixsocketaddress.h>
#include <libsoup/soup.h>

#include "gz-pprof-connections.h"
#include "gz-pprof-handlers.h"
#include "gz-pprof-server-private.h"

#define SHUTDOWN_GRACE_SECONDS 10

struct _GzPprofServer
{
  GObject             parent_instance;

  GzConfig           *config;
  SoupServer         *soup;
  GzPprofConnections *connections;
  gboolean            listening;
  char               *address;       /* as listened on */
  gboolean            is_unix;       /* address is a Unix socket's path */
  guint               port;
  char               *token;         /* NULL: no authorization needed */
  GBytes             *cmdline;       /* NUL-separated, as Go's */
  pid_t               target_pid;    /* 0: this process */
  GzCollector        *collector;     /* the target's ring, or NULL */
  gint                cpu_claimed;   /* atomic: the target's CPU profile runs */

  guint               max_in_flight;
  GHashTable         *in_flight;     /* SoupServerMessage * past the early handler -> its
                                      * start (gint64 *, monotonic µs) */
  GHashTable         *pending;       /* GzPprofRequest * paused for a thread or a timer */
  GHashTable         *shared;        /* the handlers' answers that requests may share */

  gboolean            shutting_down;
  GTask              *shutdown_task;
  guint               shutdown_timeout_id;
  guint               shutdown_idle_id;
};

G_DEFINE_FINAL_TYPE (GzPprofServer, gz_pprof_server, G_TYPE_OBJECT)

enum
{
  SIGNAL_REQUEST_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (gz-pprof-server-error-quark, gz_pprof_server_error)

static void maybe_finish_shutdown (GzPprofServer *self);

/* Sources go to the thread-default context the server runs on. */
static guint
add_source (GSource     *source,
            GSourceFunc  func,
            gpointer     data)
{
  guint id;

  g_source_set_callback (source, func, data, NULL);
  id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return id;
}

static void
remove_source (guint *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

/* /proc/PID/cmdline ends each argument with a NUL; Go joins them with one. */
static GBytes *
read_cmdline (const char *path)
{
  g_autofree char *cmdline = NULL;
  gsize length = 0;

  if (g_file_get_contents (path, &cmdline, &length, NULL) && length > 0 &&
      cmdline[length - 1] == '\0')
    length--;
  return g_bytes_new (cmdline != NULL ? cmdline : "", cmdline != NULL ? length : 0);
}

/* For the server's own files. */

GzConfig *
gz_pprof_server_get_config (GzPprofServer *self)
{
  return self->config;
}

GHashTable *
gz_pprof_server_get_shared (GzPprofServer *self)
{
  return self->shared;
}

GBytes *
gz_pprof_server_get_cmdline (GzPprofServer *self)
{
  g_autofree char *path = NULL;

  /* Another process's, read at each request: the target may have been set before its exec. */
  if (self->target_pid == 0)
    return g_bytes_ref (self->cmdline);
  path = g_strdup_printf ("/proc/%d/cmdline", (int) self->target_pid);
  return read_cmdline (path);
}

pid_t
gz_pprof_server_get_target_pid (GzPprofServer *self)
{
  return self->target_pid;
}

GzCollector *
gz_pprof_server_get_collector (GzPprofServer *self)
{
  return self->collector;
}

gboolean
gz_pprof_server_claim_cpu (GzPprofServer *self)
{
  return g_atomic_int_compare_and_exchange (&self->cpu_claimed, 0, 1);
}

void
gz_pprof_server_release_cpu (GzPprofServer *self)
{
  g_atomic_int_set (&self->cpu_claimed, 0);
}

void
gz_pprof_server_add_pending (GzPprofServer  *self,
                             GzPprofRequest *request)
{
  g_hash_table_add (self->pending, request);
}

void
gz_pprof_server_remove_pending (GzPprofServer  *self,
                                GzPprofRequest *request)
{
  g_hash_table_remove (self->pending, request);
  maybe_finish_shutdown (self);
}

/* Routing. */

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  GzPprofServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean symbol = g_str_equal (path, "/debug/pprof/symbol");

  if (!g_str_equal (method, SOUP_METHOD_GET) && !g_str_equal (method, SOUP_METHOD_HEAD) &&
      !(g_str_equal (method, SOUP_METHOD_POST) && symbol))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    symbol ? "GET, HEAD, POST" : "GET, HEAD");
      return gz_pprof_serve_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                   "method not allowed: use GET (POST for /debug/pprof/symbol)");
    }
  gz_pprof_handlers_serve (self, msg, path, query);
}

/* Before any handler. */

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

  g_hash_table_insert (self->in_flight, msg, g_memdup2 (&(gint64) { g_get_monotonic_time () },
                                                       sizeof (gint64)));
  gz_pprof_connections_request_active (self->connections, msg);

  if (self->shutting_down)
    {
      soup_message_headers_replace (response_headers, "Connection", "close");
      return gz_pprof_serve_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                   "the server is shutting down");
    }

  if (self->token != NULL)
    {
      const char *authorization = soup_message_headers_get_one (request_headers,
                                                                "Authorization");

      if (authorization == NULL || !g_str_has_prefix (authorization, "Bearer ") ||
          !token_equal (authorization + strlen ("Bearer "), self->token))
        {
          soup_message_headers_replace (response_headers, "WWW-Authenticate", "Bearer");
          return gz_pprof_serve_error (msg, SOUP_STATUS_UNAUTHORIZED,
                                       "unauthorized: send the header \"Authorization: Bearer "
                                       "TOKEN\" with the token of the server's --token-file");
        }
    }

  if (g_hash_table_size (self->in_flight) > self->max_in_flight)
    {
      soup_message_headers_replace (response_headers, "Retry-After", "1");
      return gz_pprof_serve_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
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
        return gz_pprof_serve_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
      }
    }
}

static void
on_request_done (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  GzPprofServer *self = user_data;
  gint64 *start = g_hash_table_lookup (self->in_flight, msg);

  if (start == NULL)
    return;
  g_signal_emit (self, signals[SIGNAL_REQUEST_FINISHED], 0,
                 soup_server_message_get_method (msg),
                 g_uri_get_path (soup_server_message_get_uri (msg)),
                 soup_server_message_get_status (msg),
                 g_get_monotonic_time () - *start);
  g_hash_table_remove (self->in_flight, msg);
  maybe_finish_shutdown (self);
}

/* Shutdown. */

static gboolean
finish_shutdown (gpointer user_data)
{
  GzPprofServer *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->shutdown_task);

  self->shutdown_idle_id = 0;
  remove_source (&self->shutdown_timeout_id);
  if (task == NULL)
    return G_SOURCE_REMOVE;
  gz_pprof_connections_stop (self->connections);
  soup_server_disconnect (self->soup);
  gz_pprof_connections_close_all (self->connections);
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
  self->shutdown_idle_id = add_source (g_idle_source_new (), finish_shutdown, self);
}

/* The object. */

static void
gz_pprof_server_dispose (GObject *object)
{
  GzPprofServer *self = GZ_PPROF_SERVER (object);

  if (self->connections != NULL)
    gz_pprof_connections_stop (self->connections);
  if (self->soup != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      soup_server_disconnect (self->soup);
    }
  g_clear_pointer (&self->connections, gz_pprof_connections_free);
  g_clear_object (&self->soup);
  remove_source (&self->shutdown_timeout_id);
  remove_source (&self->shutdown_idle_id);

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
  g_clear_object (&self->collector);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->shared, g_hash_table_unref);

  G_OBJECT_CLASS (gz_pprof_server_parent_class)->finalize (object);
}

static void
gz_pprof_server_class_init (GzPprofServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gz_pprof_server_dispose;
  object_class->finalize = gz_pprof_server_finalize;

  /**
   * GzPprofServer::request-finished:
   * @method: the request's method
   * @path: the path asked for, without the query
   * @status: the response's HTTP status (an aborted request's client may not have got it)
   * @duration_us: from the request's headers to the end of its response, in µs
   *
   * A request that passed the early checks has been answered (or aborted), on the
   * server's context: what a front end shows as recent requests.
   */
  signals[SIGNAL_REQUEST_FINISHED] =
    g_signal_new ("request-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_UINT, G_TYPE_INT64);
}

static void
gz_pprof_server_init (GzPprofServer *self)
{
  self->max_in_flight = GZ_PPROF_SERVER_DEFAULT_MAX_IN_FLIGHT;
  self->in_flight = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->pending = g_hash_table_new (NULL, NULL);
  self->shared = gz_pprof_handlers_new_shared ();

  self->cmdline = read_cmdline ("/proc/self/cmdline");

  self->soup = soup_server_new ("server-header", "gz-profile/" GZ_VERSION " ", NULL);
  soup_server_add_early_handler (self->soup, NULL, handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_done), self);
  self->connections = gz_pprof_connections_new (self->soup);
}

GzPprofServer *
gz_pprof_server_new (GzConfig *config)
{
  GzPprofServer *self = g_object_new (GZ_TYPE_PPROF_SERVER, NULL);

  if (config != NULL)
    self->config = g_object_ref (config);
  return self;
}

void
gz_pprof_server_set_target (GzPprofServer *self,
                            pid_t          pid,
                            GzCollector   *collector)
{
  g_return_if_fail (GZ_IS_PPROF_SERVER (self));
  g_return_if_fail (pid > 0);
  g_return_if_fail (collector == NULL || GZ_IS_COLLECTOR (collector));
  g_return_if_fail (!self->listening);

  self->target_pid = pid;
  g_set_object (&self->collector, collector);
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
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), FALSE);
  g_return_val_if_fail (!self->listening, FALSE);

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
  /* Heap profiles show the memory's contents, stacks and cmdline the program's: beyond this
   * machine only behind a token, for every gz listener. */
  if (self->token == NULL && !g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_NO_TOKEN,
                   "refusing to listen on %s, not loopback, without a token: whoever reaches it "
                   "could read the program's memory contents, stacks and command line; add "
                   "--token-file FILE (or GZ_PROFILE_TOKEN_FILE), or keep the default --bind "
                   "127.0.0.1", address);
      return FALSE;
    }

  /* Our own socket, so that a port in use is told apart from other failures. */
  wanted = g_inet_socket_address_new (inet, (guint16) port);
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket != NULL)
    g_socket_set_listen_backlog (socket, SOMAXCONN); /* as Go: bursts of clients wait, not fail */
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
  if (!gz_pprof_connections_listen (self->connections, socket, &local_error))
    {
      g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_FAILED,
                   "cannot serve on %s port %u: %s", address, port, local_error->message);
      return FALSE;
    }

  effective = g_socket_get_local_address (socket, NULL);
  self->port = effective != NULL
    ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)) : port;
  g_free (self->address);
  self->address = g_strdup (address);
  self->listening = TRUE;
  return TRUE;
}

gboolean
gz_pprof_server_listen_unix (GzPprofServer  *self,
                             const char     *path,
                             GError        **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GZ_IS_PPROF_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (!self->listening, FALSE);

  /* No token on a Unix socket: each connection's peer credentials are checked instead. */
  address = g_unix_socket_address_new (path);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         &local_error);
  if (socket != NULL)
    g_socket_set_listen_backlog (socket, SOMAXCONN);
  if (socket == NULL || !g_socket_bind (socket, address, FALSE, &local_error) ||
      !g_socket_listen (socket, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_ADDRESS_IN_USE,
                     "the socket %s already exists; remove it if no program listens there",
                     path);
      else
        g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_FAILED,
                     "cannot listen on the socket %s: %s", path, local_error->message);
      return FALSE;
    }
  if (!gz_pprof_connections_listen (self->connections, socket, &local_error))
    {
      g_set_error (error, GZ_PPROF_SERVER_ERROR, GZ_PPROF_SERVER_ERROR_FAILED,
                   "cannot serve on the socket %s: %s", path, local_error->message);
      return FALSE;
    }
  g_free (self->address);
  self->address = g_strdup (path);
  self->is_unix = TRUE;
  self->port = 0;
  self->listening = TRUE;
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

  if (self->is_unix)
    return g_strdup_printf ("unix:%s", self->address);
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

guint
gz_pprof_server_default_max_connections (void)
{
  struct rlimit limit;
  rlim_t soft = 1024;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    soft = limit.rlim_cur;
  else if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    soft = G_MAXINT;
  soft = MIN (soft, (rlim_t) G_MAXINT);
  if (soft <= 16 + GZ_PPROF_SERVER_FD_RESERVE + soft / 8)
    return 16;
  return (guint) (soft - soft / 8 - GZ_PPROF_SERVER_FD_RESERVE);
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

  gz_pprof_connections_set_max (self->connections, max_connections);
}

void
gz_pprof_server_set_read_header_timeout (GzPprofServer *self,
                                         guint          msec)
{
  g_return_if_fail (GZ_IS_PPROF_SERVER (self));

  gz_pprof_connections_set_read_header_timeout (self->connections, msec);
}

void
gz_pprof_server_set_idle_timeout (GzPprofServer *self,
                                  guint          msec)
{
  g_return_if_fail (GZ_IS_PPROF_SERVER (self));

  gz_pprof_connections_set_idle_timeout (self->connections, msec);
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

  return self->connections != NULL ? gz_pprof_connections_get_n (self->connections) : 0;
}

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  GzPprofServer *self = user_data;

  self->shutdown_timeout_id = 0;
  g_debug ("shutdown: %u requests still in flight after %d s; closing their connections",
           g_hash_table_size (self->in_flight), SHUTDOWN_GRACE_SECONDS);
  if (self->shutdown_idle_id == 0)
    self->shutdown_idle_id = add_source (g_idle_source_new (), finish_shutdown, self);
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
    gz_pprof_request_hurry (l->data);

  self->shutdown_task = g_steal_pointer (&task);
  self->shutdown_timeout_id = add_source (g_timeout_source_new_seconds (SHUTDOWN_GRACE_SECONDS),
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
