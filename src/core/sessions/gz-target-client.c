/* gz-target-client.c: HTTP (libsoup 3) to a pprof endpoint or a program's Unix socket; every
 * request has a SoupSession of its own, so one client serves any thread. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gz-peer-credentials.h"
#include "gz-private-dir.h"
#include "gz-target-client.h"
#include "gz-target-stats.h"

/* Seconds a request may take beyond what it asked the target to wait. */
#define REQUEST_SLACK_S 30

struct _GzTargetClient
{
  GObject              parent_instance;

  char                *name;        /* the URL as given, or "pid N" */
  char                *origin;      /* scheme://host[:port] */
  char                *pprof_path;  /* e.g. /debug/pprof, no trailing slash */
  char                *stats_path;  /* e.g. /debug/stats */
  char                *token;       /* bearer token, or NULL */
  int                  pid;         /* 0 for a URL */
  char                *socket_path; /* NULL for a URL */
  uid_t                peer_uid;    /* a socket's server must run as this user… */
  gboolean             peer_root;   /* …or as root */
};

G_DEFINE_FINAL_TYPE (GzTargetClient, gz_target_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (gz-target-error-quark, gz_target_error)

static void
gz_target_client_finalize (GObject *object)
{
  GzTargetClient *self = GZ_TARGET_CLIENT (object);

  g_free (self->name);
  g_free (self->origin);
  g_free (self->pprof_path);
  g_free (self->stats_path);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->socket_path);
  G_OBJECT_CLASS (gz_target_client_parent_class)->finalize (object);
}

static void
gz_target_client_class_init (GzTargetClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gz_target_client_finalize;
}

static void
gz_target_client_init (GzTargetClient *self)
{
}

static char *
read_token (const char *token_file,
            GError    **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (token_file, &contents, NULL, &local_error))
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_INVALID,
                   "cannot read token file \"%s\" (%s); give a readable file with --token-file",
                   token_file, local_error->message);
      return NULL;
    }
  g_strstrip (contents);
  if (*contents == '\0' || strpbrk (contents, "\r\n") != NULL)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_INVALID,
                   "token file \"%s\" holds no single-line token; put the server's token in it",
                   token_file);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

GzTargetClient *
gz_target_client_new_for_url (const char *url,
                              const char *token_file,
                              GError    **error)
{
  g_autoptr(GzTargetClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *path = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_INVALID,
                   "\"%s\" is not an http(s) URL; give one such as http://127.0.0.1:6060", url);
      return NULL;
    }

  self = g_object_new (GZ_TYPE_TARGET_CLIENT, NULL);
  self->name = g_strdup (url);
  if (g_uri_get_port (uri) > 0)
    self->origin = g_strdup_printf ("%s://%s:%d", scheme, g_uri_get_host (uri),
                                    g_uri_get_port (uri));
  else
    self->origin = g_strdup_printf ("%s://%s", scheme, g_uri_get_host (uri));
  path = g_strdup (g_uri_get_path (uri));
  while (*path != '\0' && g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';
  if (*path == '\0')
    self->pprof_path = g_strdup ("/debug/pprof");
  else
    self->pprof_path = g_steal_pointer (&path);
  /* /debug/stats sits beside /debug/pprof. */
  if (g_str_has_suffix (self->pprof_path, "/pprof"))
    self->stats_path = g_strdup_printf ("%.*s/stats",
                                        (int) (strlen (self->pprof_path) - strlen ("/pprof")),
                                        self->pprof_path);
  else
    self->stats_path = g_strdup ("/debug/stats");

  if (token_file != NULL)
    {
      self->token = read_token (token_file, error);
      if (self->token == NULL)
        return NULL;
    }
  return g_steal_pointer (&self);
}

static gboolean
process_exists (int pid)
{
  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
}

/* Who may serve @pid's socket: this user; as root, @pid's user or root. */
static void
expected_peer (int       pid,
               uid_t    *uid,
               gboolean *or_root)
{
  g_autofree char *proc = g_strdup_printf ("/proc/%d", pid);
  struct stat st;

  *uid = geteuid ();
  *or_root = FALSE;
  if (*uid == 0 && stat (proc, &st) == 0)
    {
      *uid = st.st_uid;
      *or_root = TRUE;
    }
}

/* The socket's folder must be the user's own (no link, nobody else may write there) and the
 * socket a socket of the user expected, not a link. */
static gboolean
check_socket (int          pid,
              const char  *socket_path,
              uid_t       *peer_uid,
              gboolean    *peer_root,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (socket_path);
  g_autofree char *name = g_path_get_basename (socket_path);
  g_autoptr(GError) local_error = NULL;
  struct stat st;
  int dir_fd;
  int found;
  int saved;

  expected_peer (pid, peer_uid, peer_root);
  /* A folder that is not there, or that this user cannot even reach (another user's home as
   * the cache fallback), holds no socket of this user's: no socket, as when it is missing. */
  if (lstat (dir, &st) != 0)
    dir_fd = -1;
  else
    dir_fd = gz_private_dir_open (dir, FALSE, &local_error);
  if (dir_fd < 0 && local_error != NULL &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_REFUSED, "%s", local_error->message);
      return FALSE;
    }
  if (dir_fd >= 0)
    {
      found = fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW);
      saved = errno;
      close (dir_fd);
    }
  else
    {
      found = -1;
      saved = ENOENT;
    }
  if (found != 0 && saved == ENOENT)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT,
                   "process %d was not started with gz-cli profile run (no socket); start "
                   "the program with `gz-cli profile run -- COMMAND`", pid);
      return FALSE;
    }
  if (found != 0)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_REFUSED, "cannot look at %s: %s",
                   socket_path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISSOCK (st.st_mode) || (st.st_uid != *peer_uid && !(*peer_root && st.st_uid == 0)))
    {
      g_autofree char *owner = gz_private_dir_describe_uid (st.st_uid);
      g_autofree char *wanted = gz_private_dir_describe_uid (*peer_uid);

      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_REFUSED,
                   "refusing %s: it is %s of %s, not a socket of %s; remove it and start the "
                   "program again with `gz-cli profile run -- COMMAND`", socket_path,
                   S_ISSOCK (st.st_mode) ? "a socket" : S_ISLNK (st.st_mode) ? "a symbolic link"
                                                                              : "a file",
                   owner, wanted);
      return FALSE;
    }
  return TRUE;
}

GzTargetClient *
gz_target_client_new_for_socket (int         pid,
                                 const char *socket_path,
                                 GError    **error)
{
  GzTargetClient *self;
  uid_t peer_uid = 0;
  gboolean peer_root = FALSE;

  g_return_val_if_fail (socket_path != NULL, NULL);

  if (!process_exists (pid))
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NO_AGENT,
                   "no process has pid %d; give the pid of a running program (gz-cli profile "
                   "list --targets shows those started with profile run)", pid);
      return NULL;
    }
  if (!check_socket (pid, socket_path, &peer_uid, &peer_root, error))
    return NULL;

  self = g_object_new (GZ_TYPE_TARGET_CLIENT, NULL);
  self->peer_uid = peer_uid;
  self->peer_root = peer_root;
  self->pid = pid;
  self->name = g_strdup_printf ("pid %d", pid);
  self->origin = g_strdup ("http://localhost");
  self->pprof_path = g_strdup ("/debug/pprof");
  self->stats_path = g_strdup ("/debug/stats");
  self->socket_path = g_strdup (socket_path);
  return self;
}

const char *
gz_target_client_get_name (GzTargetClient *self)
{
  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (self), NULL);
  return self->name;
}

int
gz_target_client_get_pid (GzTargetClient *self)
{
  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (self), 0);
  return self->pid;
}

const char *
gz_target_client_profile_name (GzProfileType type)
{
  static const char * const names[GZ_PROFILE_TYPE_N] = {
    [GZ_PROFILE_TYPE_CPU] = "profile",
    [GZ_PROFILE_TYPE_MEMORY] = "heap",
    [GZ_PROFILE_TYPE_GOROUTINE] = "goroutine",
    [GZ_PROFILE_TYPE_BLOCK] = "block",
    [GZ_PROFILE_TYPE_MUTEX] = "mutex",
    [GZ_PROFILE_TYPE_THREADCREATE] = "threadcreate",
  };

  g_return_val_if_fail (type < GZ_PROFILE_TYPE_N, NULL);
  return names[type];
}

/* The first line of an error body, at most 200 bytes, printable. */
static char *
first_line (GBytes *body)
{
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  GString *line = g_string_new (NULL);

  for (gsize i = 0; data != NULL && i < size && line->len < 200; i++)
    {
      if (data[i] == '\n' || data[i] == '\r')
        {
          if (line->len > 0)
            break;
          continue;
        }
      g_string_append_c (line, g_ascii_isprint (data[i]) ? data[i] : '?');
    }
  g_strstrip (line->str);
  return g_string_free (line, FALSE);
}

static void
set_transport_error (GzTargetClient *self,
                     GError         *cause,
                     guint           timeout_s,
                     GError        **error)
{
  gboolean refused = g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
                     g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
                     g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
                     g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
                     cause->domain == G_RESOLVER_ERROR;

  if (self->socket_path != NULL && (refused || !process_exists (self->pid)))
    g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE,
                 "pid %d does not answer at %s (%s); is the process still running?",
                 self->pid, self->socket_path, cause->message);
  else if (refused)
    g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE,
                 "nothing listens at %s (%s); is the service running?", self->name,
                 cause->message);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE,
                 "%s did not answer within %u s; is the service stuck or too busy?", self->name,
                 timeout_s);
  else
    g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_UNREACHABLE,
                 "cannot talk to %s (%s); check that it serves HTTP", self->name,
                 cause->message);
}

/* A request with the client's token, or NULL if @uri does not parse. */
static SoupMessage *
new_message (GzTargetClient *self,
             const char     *method,
             const char     *uri)
{
  SoupMessage *message = soup_message_new (method, uri);

  if (message != NULL && self->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
    }
  return message;
}

/* A request's connection to a socket: who answers is checked before anything is sent. */
typedef struct
{
  GzTargetClient *self;
  gboolean        checked;
  GError         *refused;
} PeerCheck;

static void
on_network_event (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  PeerCheck *check = user_data;
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  if (check->refused == NULL &&
      gz_peer_credentials_check (socket, check->self->peer_uid, check->self->peer_root,
                                 check->self->socket_path, &check->refused))
    {
      check->checked = TRUE;
      return;
    }
  /* Closed here, the request fails before its first byte is written. */
  g_socket_close (socket, NULL);
}

/* One request: @path_query is absolute ("/debug/…?…"). Returns the body of a 2xx answer. */
static GBytes *
request (GzTargetClient *self,
         const char     *method,
         const char     *path_query,
         guint           timeout_s,
         guint          *status_out,
         GCancellable   *cancellable,
         GError        **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = g_strconcat (self->origin, path_query, NULL);
  PeerCheck check = { self, FALSE, NULL };
  guint status;

  if (self->socket_path != NULL)
    address = g_unix_socket_address_new (self->socket_path);
  session = soup_session_new_with_options ("timeout", timeout_s,
                                           "idle-timeout", timeout_s,
                                           "user-agent", "gz-cli/" GZ_VERSION,
                                           "remote-connectable", address,
                                           NULL);
  message = new_message (self, method, uri);
  if (message == NULL)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_INVALID,
                   "cannot make a request of %s%s; check the URL", self->name, path_query);
      return NULL;
    }

  if (self->socket_path != NULL)
    g_signal_connect (message, "network-event", G_CALLBACK (on_network_event), &check);
  body = soup_session_send_and_read (session, message, cancellable, &local_error);
  if (body == NULL && check.refused == NULL && g_str_equal (method, "GET") &&
      (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
       g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
       g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)))
    {
      /* Closed before any answer (a busy server shedding, a restart): a GET is safe to try
       * once more on a new connection, as Go's HTTP client does. */
      g_clear_error (&local_error);
      g_clear_object (&message);
      message = new_message (self, method, uri);
      if (self->socket_path != NULL)
        g_signal_connect (message, "network-event", G_CALLBACK (on_network_event), &check);
      body = soup_session_send_and_read (session, message, cancellable, &local_error);
    }
  if (check.refused != NULL || (body != NULL && self->socket_path != NULL && !check.checked))
    {
      if (check.refused != NULL)
        g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_REFUSED, "%s",
                     check.refused->message);
      else
        g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_REFUSED,
                     "refusing %s: who answers there could not be checked", self->socket_path);
      g_clear_error (&check.refused);
      return NULL;
    }
  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_transport_error (self, local_error, timeout_s, error);
      return NULL;
    }

  status = soup_message_get_status (message);
  if (status_out != NULL)
    *status_out = status;
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *line = first_line (body);
      const char *reason = soup_message_get_reason_phrase (message);
      const char *fix = status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN
                          ? "give the server's token with --token-file"
                        : status == SOUP_STATUS_NOT_FOUND
                          ? "check the URL: it should lead to the pprof endpoints, e.g. "
                            "http://HOST:PORT/debug/pprof"
                        : status == SOUP_STATUS_CONFLICT
                          ? "a session of that type already runs there; stop it first "
                            "(gz-cli profile list shows the sessions)"
                          : "check the target's own log";

      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_HTTP,
                   "%s answered %s %s with %u %s%s%s; %s", self->name, method, path_query,
                   status, reason != NULL ? reason : soup_status_get_phrase (status),
                   *line != '\0' ? ": " : "", line, fix);
      return NULL;
    }
  return g_steal_pointer (&body);
}

static GzProfile *
decode_profile (GzTargetClient *self,
                GBytes         *body,
                const char     *what,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  GzProfile *profile;

  if (g_bytes_get_size (body) == 0)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NOT_PROFILE,
                   "%s answered %s with an empty body, not a pprof profile; point it at a pprof "
                   "endpoint such as http://HOST:PORT/debug/pprof", self->name, what);
      return NULL;
    }
  /* The decoder validates too (with empty stacks allowed, as Go's threadcreate has them). */
  profile = gz_profile_decode (body, &local_error);
  if (profile == NULL)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NOT_PROFILE,
                   "%s answered %s with something that is not a pprof profile (%s); point it "
                   "at a pprof endpoint such as http://HOST:PORT/debug/pprof", self->name, what,
                   local_error->message);
      return NULL;
    }
  return profile;
}

GzProfile *
gz_target_client_fetch_profile (GzTargetClient *self,
                                const char     *name,
                                int             seconds,
                                GCancellable   *cancellable,
                                GError        **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (self), NULL);
  g_return_val_if_fail (name != NULL && seconds >= 0, NULL);

  /* debug=0: the binary profile, also from endpoints whose default is text. Go refuses
   * seconds together with debug, so a delta or CPU profile asks for seconds alone. */
  if (seconds > 0)
    path = g_strdup_printf ("%s/%s?seconds=%d", self->pprof_path, name, seconds);
  else
    path = g_strdup_printf ("%s/%s?debug=0", self->pprof_path, name);
  body = request (self, "GET", path, (guint) seconds + REQUEST_SLACK_S, NULL, cancellable,
                  error);
  if (body == NULL)
    return NULL;
  return decode_profile (self, body, path, error);
}

gboolean
gz_target_client_check (GzTargetClient *self,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (self), FALSE);

  path = g_strconcat (self->pprof_path, "/", NULL);
  body = request (self, "GET", path, REQUEST_SLACK_S, NULL, cancellable, error);
  return body != NULL;
}

typedef struct
{
  char *name;
  int   seconds;
} FetchJob;

static void
fetch_job_free (gpointer data)
{
  FetchJob *job = data;

  g_free (job->name);
  g_free (job);
}

static void
fetch_profile_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  FetchJob *job = task_data;
  GError *error = NULL;
  GzProfile *profile;

  profile = gz_target_client_fetch_profile (source_object, job->name, job->seconds, cancellable,
                                            &error);
  if (profile == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profile, (GDestroyNotify) gz_profile_unref);
}

void
gz_target_client_fetch_profile_async (GzTargetClient     *self,
                                      const char         *name,
                                      int                 seconds,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  FetchJob *job;

  g_return_if_fail (GZ_IS_TARGET_CLIENT (self));
  g_return_if_fail (name != NULL && seconds >= 0);

  job = g_new0 (FetchJob, 1);
  job->name = g_strdup (name);
  job->seconds = seconds;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_target_client_fetch_profile_async);
  g_task_set_task_data (task, job, fetch_job_free);
  g_task_run_in_thread (task, fetch_profile_thread);
}

GzProfile *
gz_target_client_fetch_profile_finish (GzTargetClient *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
gz_target_client_fetch_stats (GzTargetClient *self,
                              GCancellable   *cancellable,
                              GError        **error)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  guint status = 0;

  g_return_val_if_fail (GZ_IS_TARGET_CLIENT (self), NULL);

  body = request (self, "GET", self->stats_path, REQUEST_SLACK_S, &status, cancellable,
                  &local_error);
  if (body == NULL && status == SOUP_STATUS_NOT_FOUND)
    {
      g_set_error (error, GZ_TARGET_ERROR, GZ_TARGET_ERROR_NOT_STATS,
                   "%s has no %s (404); runtime statistics come from gz's servers only (gz-cli "
                   "profile server or run), not from other pprof endpoints such as Go's",
                   self->name, self->stats_path);
      return NULL;
    }
  if (body == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return gz_target_stats_parse (self->name, self->stats_path, body, error);
}

static void
fetch_stats_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  JsonNode *stats = gz_target_client_fetch_stats (source_object, cancellable, &error);

  if (stats == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stats, (GDestroyNotify) json_node_unref);
}

void
gz_target_client_fetch_stats_async (GzTargetClient     *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GZ_IS_TARGET_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gz_target_client_fetch_stats_async);
  g_task_run_in_thread (task, fetch_stats_thread);
}

JsonNode *
gz_target_client_fetch_stats_finish (GzTargetClient *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
