/* gz-pprof-connections.c: the pprof server's connections, from accept to close: accepted in
 * batches ahead of the requests on open ones, a read-header deadline for requests still
 * arriving, an idle deadline between keep-alive requests, and, at the limit, the oldest idle
 * (else the oldest stalled) connection shed for the new client. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include "gz-peer-credentials.h"
#include "gz-pprof-connections.h"
#include "gz-pprof-server.h"
#include "gz-pprof-stream.h"

typedef enum
{
  STATE_HEADERS,  /* a request's headers are arriving: the read-header deadline runs */
  STATE_ACTIVE,   /* a request is being handled and answered: no deadline */
  STATE_FINISHED, /* answered; libsoup closes it now or waits for the next request */
  STATE_IDLE,     /* waiting for the next request: the idle deadline runs */
} State;

typedef struct
{
  GzPprofConnections *owner;
  GSocketConnection  *connection;
  GSocketAddress     *remote;     /* the key: libsoup's messages return this very object */
  SoupServerMessage  *msg;        /* the latest request on it: a handle on libsoup's side */
  State               state;
  gint64              since;      /* monotonic, when the state began */
  GSource            *watch;      /* idle: the client sends or closes */
  GList              *idle_link;  /* in owner->idle */
  gboolean            finishing;  /* in owner->finished */
} Connection;

struct _GzPprofConnections
{
  SoupServer     *soup;
  GMainContext   *context;
  GSocket        *listener;
  GSource        *accept_source;  /* the listener readable, or a pause after accept failed */
  GSocket        *keep_alive[2];
  GHashTable     *by_remote;      /* GSocketAddress * -> Connection * (owned) */
  GQueue          idle;           /* Connection *, longest idle first */
  GQueue          finished;       /* Connection *, answered since the last look */
  GSource        *finished_source;
  GSource        *sweep_source;
  guint           max;            /* 0: the default, from the file-descriptor limit */
  gint64          header_timeout; /* microseconds */
  gint64          idle_timeout;
  gulong          handlers[3];
};

static void ensure_sweep (GzPprofConnections *self);

/* The cap now: the default follows the file-descriptor limit. */
static guint
max_connections (GzPprofConnections *self)
{
  return self->max > 0 ? self->max : gz_pprof_server_default_max_connections ();
}

static void
connection_free (Connection *c)
{
  GzPprofConnections *self = c->owner;

  if (c->watch != NULL)
    {
      g_source_destroy (c->watch);
      g_source_unref (c->watch);
    }
  if (c->idle_link != NULL)
    g_queue_delete_link (&self->idle, c->idle_link);
  if (c->finishing)
    g_queue_remove (&self->finished, c);
  g_clear_object (&c->msg);
  g_object_unref (c->remote);
  g_object_unref (c->connection);
  g_free (c);
}

static void
forget (GzPprofConnections *self,
        Connection         *c)
{
  g_hash_table_remove (self->by_remote, c->remote);
}

static gboolean
is_closed (Connection *c)
{
  return g_io_stream_is_closed (G_IO_STREAM (c->connection));
}

/* Takes the connection back from libsoup (so that it forgets it: closing the stream under it
 * would leave its side alive) and closes it. Only for connections libsoup still has. */
static void
close_connection (GzPprofConnections *self,
                  Connection         *c)
{
  if (c->msg != NULL && !is_closed (c))
    {
      g_autoptr(GIOStream) stolen = soup_server_message_steal_connection (c->msg);
    }
  g_io_stream_close (G_IO_STREAM (c->connection), NULL, NULL);
  forget (self, c);
}

static gboolean on_idle_event (GSocket      *socket,
                               GIOCondition  condition,
                               gpointer      user_data);

static void
set_state (Connection *c,
           State       state)
{
  GzPprofConnections *self = c->owner;

  if (c->idle_link != NULL)
    {
      g_queue_delete_link (&self->idle, c->idle_link);
      c->idle_link = NULL;
    }
  if (c->watch != NULL)
    {
      g_source_destroy (c->watch);
      g_clear_pointer (&c->watch, g_source_unref);
    }
  c->state = state;
  c->since = g_get_monotonic_time ();
  if (state == STATE_IDLE)
    {
      g_queue_push_tail (&self->idle, c);
      c->idle_link = self->idle.tail;
      /* Above libsoup's own sources: an idle client that closes must be seen here first.
       * libsoup 3.2 keeps such a connection open for ever (a keep-alive request that ends
       * before its first byte never reaches the code that closes it). */
      c->watch = g_socket_create_source (g_socket_connection_get_socket (c->connection),
                                         G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_priority (c->watch, G_PRIORITY_HIGH);
      g_source_set_callback (c->watch, (GSourceFunc) (void (*) (void)) on_idle_event, c, NULL);
      g_source_attach (c->watch, self->context);
    }
  if (state == STATE_HEADERS || state == STATE_IDLE)
    ensure_sweep (self);
}

/* An idle connection became readable: the client closed it, or a request begins. */
static gboolean
on_idle_event (GSocket      *socket,
               GIOCondition  condition,
               gpointer      user_data)
{
  Connection *c = user_data;
  GzPprofConnections *self = c->owner;
  char byte;
  gssize n;

  if (is_closed (c))
    {
      forget (self, c);
      return G_SOURCE_REMOVE;
    }
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
    close_connection (self, c);
  else
    set_state (c, STATE_HEADERS);
  return G_SOURCE_REMOVE;
}

static Connection *
lookup (GzPprofConnections *self,
        SoupServerMessage  *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_hash_table_lookup (self->by_remote, remote) : NULL;
}

static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  GzPprofConnections *self = user_data;
  Connection *c = lookup (self, msg);

  if (c == NULL)
    return;
  g_set_object (&c->msg, msg);
  if (c->state == STATE_IDLE || c->state == STATE_FINISHED)
    set_state (c, STATE_HEADERS);
}

/* Whether libsoup kept the connection open can only be seen once its own handler has run:
 * answered connections are looked at next, before any other source runs. */
static gboolean
on_finished_look (gpointer user_data)
{
  GzPprofConnections *self = user_data;
  Connection *c;

  g_clear_pointer (&self->finished_source, g_source_unref);
  while ((c = g_queue_pop_head (&self->finished)) != NULL)
    {
      c->finishing = FALSE;
      if (is_closed (c))
        forget (self, c);
      else if (c->state == STATE_FINISHED)
        set_state (c, STATE_IDLE);
    }
  return G_SOURCE_REMOVE;
}

static void
on_request_finished (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  GzPprofConnections *self = user_data;
  Connection *c = lookup (self, msg);

  if (c == NULL)
    return;
  if (c->state == STATE_ACTIVE && !is_closed (c))
    g_socket_set_option (g_socket_connection_get_socket (c->connection), IPPROTO_TCP, TCP_CORK,
                         0, NULL);
  set_state (c, STATE_FINISHED);
  if (!c->finishing)
    {
      c->finishing = TRUE;
      g_queue_push_tail (&self->finished, c);
    }
  if (self->finished_source == NULL)
    {
      self->finished_source = g_idle_source_new ();
      g_source_set_priority (self->finished_source, G_PRIORITY_HIGH);
      g_source_set_callback (self->finished_source, on_finished_look, self, NULL);
      g_source_attach (self->finished_source, self->context);
    }
}

void
gz_pprof_connections_request_active (GzPprofConnections *self,
                                     SoupServerMessage  *msg)
{
  Connection *c = lookup (self, msg);

  if (c == NULL)
    return;
  set_state (c, STATE_ACTIVE);
  /* The response's headers and body leave in one segment, not two: corked until answered. */
  g_socket_set_option (g_socket_connection_get_socket (c->connection), IPPROTO_TCP, TCP_CORK,
                       1, NULL);
}

static gboolean
on_sweep (gpointer user_data)
{
  GzPprofConnections *self = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  g_autoptr(GPtrArray) closed = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->by_remote);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Connection *c = value;

      if (is_closed (c))
        g_ptr_array_add (closed, c);
      else if ((c->state == STATE_HEADERS && now - c->since >= self->header_timeout) ||
               (c->state == STATE_IDLE && now - c->since >= self->idle_timeout))
        g_ptr_array_add (expired, c);
    }
  for (guint i = 0; i < closed->len; i++)
    forget (self, g_ptr_array_index (closed, i));
  for (guint i = 0; i < expired->len; i++)
    {
      Connection *c = g_ptr_array_index (expired, i);

      g_debug ("closing a connection %s for %" G_GINT64_FORMAT " ms",
               c->state == STATE_IDLE ? "idle" : "still sending its request headers",
               (now - c->since) / 1000);
      close_connection (self, c);
    }

  if (g_hash_table_size (self->by_remote) > 0)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->sweep_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* A timer looks at every deadline, a few times per shortest deadline, while there are
 * connections. */
static void
ensure_sweep (GzPprofConnections *self)
{
  gint64 period = MIN (self->header_timeout, self->idle_timeout) / 4 / 1000;

  if (self->sweep_source != NULL)
    return;
  self->sweep_source = g_timeout_source_new ((guint) CLAMP (period, 10, 1000));
  g_source_set_callback (self->sweep_source, on_sweep, self, NULL);
  g_source_attach (self->sweep_source, self->context);
}

static void
restart_sweep (GzPprofConnections *self)
{
  if (self->sweep_source == NULL)
    return;
  g_source_destroy (self->sweep_source);
  g_clear_pointer (&self->sweep_source, g_source_unref);
  ensure_sweep (self);
}

/* At the limit: the connection idle the longest goes, else the one that has been sending its
 * headers the longest. A request in flight is never cut. */
static gboolean
shed_one (GzPprofConnections *self)
{
  Connection *victim = g_queue_peek_head (&self->idle);
  GHashTableIter iter;
  gpointer value;

  if (victim == NULL)
    {
      g_hash_table_iter_init (&iter, self->by_remote);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Connection *c = value;

          if (c->state == STATE_HEADERS && (victim == NULL || c->since < victim->since))
            victim = c;
        }
    }
  if (victim == NULL)
    return FALSE;
  g_debug ("%u connections: closing the one %s the longest", max_connections (self),
           victim->state == STATE_IDLE ? "idle" : "sending its headers");
  close_connection (self, victim);
  return TRUE;
}

static gboolean
prune_closed (gpointer key,
              gpointer value,
              gpointer user_data)
{
  return is_closed (value);
}

/* Connections are accepted here, not by libsoup: libsoup 3.2 (Debian 12) leaks a reference to
 * the GSocket of every connection it accepts itself (~340 bytes each, for ever). */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  GzPprofConnections *self = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GzPprofStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Connection *c;

  /* On a Unix socket, only this process' user (or root) is served: never a token there. */
  if (local != NULL && G_IS_UNIX_SOCKET_ADDRESS (local) &&
      !gz_peer_credentials_check (g_socket_connection_get_socket (connection), geteuid (), TRUE,
                                  g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (local)),
                                  &error))
    {
      g_message ("%s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  g_hash_table_foreach_remove (self->by_remote, prune_closed, NULL);
  if (local == NULL || remote == NULL ||
      (g_hash_table_size (self->by_remote) >= max_connections (self) && !shed_one (self)))
    {
      g_debug ("%u connections, each with a request in flight: closing a new one",
               max_connections (self));
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  /* Responses go out at once, not after the client's delayed acknowledgement. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY,
                       TRUE, NULL);

  stream = gz_pprof_stream_new (connection);
  c = g_new0 (Connection, 1);
  c->owner = self;
  c->connection = g_object_ref (connection);
  c->remote = g_object_ref (remote);
  c->state = STATE_HEADERS;
  c->since = g_get_monotonic_time ();
  g_hash_table_insert (self->by_remote, c->remote, c);
  ensure_sweep (self);
  /* libsoup announces the first request (request-started) from inside this call. */
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (stream), local, remote, &error))
    {
      g_debug ("cannot serve a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      forget (self, c);
    }
  return TRUE;
}

/* At most this many connections accepted at a time, before the open ones' requests run again. */
#define ACCEPT_BATCH 64
/* After accept failed (EMFILE: out of descriptors), a pause before trying again. */
#define ACCEPT_PAUSE_MS 100

static gboolean on_acceptable (GSocket      *socket,
                               GIOCondition  condition,
                               gpointer      user_data);

static void
arm_accept (GzPprofConnections *self)
{
  g_clear_pointer (&self->accept_source, g_source_unref);
  self->accept_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  /* Above the requests of the connections open: a GSocketService accepts one connection per
   * main-loop iteration, each iteration serving every busy connection's request, so that under
   * `wrk -c400` a new client waited seconds in the backlog (Go accepts on its own goroutine). */
  g_source_set_priority (self->accept_source, G_PRIORITY_HIGH);
  g_source_set_callback (self->accept_source, (GSourceFunc) (void (*) (void)) on_acceptable,
                         self, NULL);
  g_source_attach (self->accept_source, self->context);
}

static gboolean
on_accept_pause_over (gpointer user_data)
{
  GzPprofConnections *self = user_data;

  arm_accept (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_acceptable (GSocket      *socket,
               GIOCondition  condition,
               gpointer      user_data)
{
  GzPprofConnections *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (socket, NULL, &error);
      g_autoptr(GSocketConnection) connection = NULL;

      if (client == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          g_debug ("cannot accept a connection: %s; again in %d ms", error->message,
                   ACCEPT_PAUSE_MS);
          g_clear_pointer (&self->accept_source, g_source_unref);
          self->accept_source = g_timeout_source_new (ACCEPT_PAUSE_MS);
          g_source_set_callback (self->accept_source, on_accept_pause_over, self, NULL);
          g_source_attach (self->accept_source, self->context);
          return G_SOURCE_REMOVE;
        }
      connection = g_socket_connection_factory_create_connection (client);
      on_incoming (NULL, connection, NULL, self);
    }
  return G_SOURCE_CONTINUE;
}

GzPprofConnections *
gz_pprof_connections_new (SoupServer *soup)
{
  GzPprofConnections *self = g_new0 (GzPprofConnections, 1);

  self->soup = g_object_ref (soup);
  self->context = g_main_context_ref_thread_default ();
  self->by_remote = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) connection_free);
  g_queue_init (&self->idle);
  g_queue_init (&self->finished);
  self->max = 0;
  self->header_timeout = GZ_PPROF_SERVER_DEFAULT_READ_HEADER_TIMEOUT_MS * G_GINT64_CONSTANT (1000);
  self->idle_timeout = GZ_PPROF_SERVER_DEFAULT_IDLE_TIMEOUT_MS * G_GINT64_CONSTANT (1000);
  self->handlers[0] = g_signal_connect (soup, "request-started",
                                        G_CALLBACK (on_request_started), self);
  self->handlers[1] = g_signal_connect (soup, "request-finished",
                                        G_CALLBACK (on_request_finished), self);
  self->handlers[2] = g_signal_connect (soup, "request-aborted",
                                        G_CALLBACK (on_request_finished), self);
  return self;
}

void
gz_pprof_connections_free (GzPprofConnections *self)
{
  gz_pprof_connections_stop (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
    g_clear_signal_handler (&self->handlers[i], self->soup);
  g_hash_table_remove_all (self->by_remote);
  g_hash_table_unref (self->by_remote);
  if (self->finished_source != NULL)
    {
      g_source_destroy (self->finished_source);
      g_source_unref (self->finished_source);
    }
  if (self->sweep_source != NULL)
    {
      g_source_destroy (self->sweep_source);
      g_source_unref (self->sweep_source);
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->keep_alive); i++)
    if (self->keep_alive[i] != NULL)
      {
        g_socket_close (self->keep_alive[i], NULL);
        g_object_unref (self->keep_alive[i]);
      }
  g_object_unref (self->soup);
  g_main_context_unref (self->context);
  g_free (self);
}

/* libsoup 3.2 keeps a connection alive after a response only while the server "listens"
 * (soup_server_listen*): one end of a socket pair, which no one can connect to, stands for
 * our listener. It never becomes readable: the other end stays open and silent. */
static gboolean
enable_keep_alive (GzPprofConnections  *self,
                   GError             **error)
{
  int fds[2];

  if (self->keep_alive[0] != NULL)
    return TRUE;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socketpair: %s",
                   g_strerror (saved));
      return FALSE;
    }
  self->keep_alive[0] = g_socket_new_from_fd (fds[0], error);
  self->keep_alive[1] = self->keep_alive[0] != NULL ? g_socket_new_from_fd (fds[1], error) : NULL;
  if (self->keep_alive[1] == NULL)
    {
      if (self->keep_alive[0] == NULL)
        close (fds[0]);
      close (fds[1]);
      g_clear_object (&self->keep_alive[0]);
      return FALSE;
    }
  return soup_server_listen_socket (self->soup, self->keep_alive[0], 0, error);
}

gboolean
gz_pprof_connections_listen (GzPprofConnections  *self,
                             GSocket             *socket,
                             GError             **error)
{
  g_return_val_if_fail (self->listener == NULL, FALSE);

  if (!enable_keep_alive (self, error))
    return FALSE;
  g_socket_set_blocking (socket, FALSE);
  self->listener = g_object_ref (socket);
  arm_accept (self);
  return TRUE;
}

void
gz_pprof_connections_stop (GzPprofConnections *self)
{
  if (self->listener == NULL)
    return;
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);
}

void
gz_pprof_connections_close_all (GzPprofConnections *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->by_remote);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_io_stream_close (G_IO_STREAM (((Connection *) value)->connection), NULL, NULL);
  g_hash_table_remove_all (self->by_remote);
}

void
gz_pprof_connections_set_max (GzPprofConnections *self,
                              guint               max)
{
  self->max = max;
}

void
gz_pprof_connections_set_read_header_timeout (GzPprofConnections *self,
                                              guint               msec)
{
  self->header_timeout = MAX (msec, 1) * G_GINT64_CONSTANT (1000);
  restart_sweep (self);
}

void
gz_pprof_connections_set_idle_timeout (GzPprofConnections *self,
                                       guint               msec)
{
  self->idle_timeout = MAX (msec, 1) * G_GINT64_CONSTANT (1000);
  restart_sweep (self);
}

guint
gz_pprof_connections_get_n (GzPprofConnections *self)
{
  g_hash_table_foreach_remove (self->by_remote, prune_closed, NULL);
  return g_hash_table_size (self->by_remote);
}
