/* gz-agent-loop.c: the agent's thread: its own GMainContext (never the program's default one),
 * the pprof server on the Unix socket with the session control, the same endpoints on TCP with
 * GZ_AGENT_LISTEN=ADDRESS:PORT, and the stop at exit. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gz-agent-paths.h"
#include "gz-agent-private.h"

/* How long the constructor waits for the thread to listen: the program's start is held up by
 * this, at most. */
#define START_TIMEOUT_MS 2000

typedef enum { LOOP_STARTING, LOOP_RUNNING, LOOP_FAILED, LOOP_STOPPED } LoopState;

struct _GzAgentLoop
{
  GzConfig        *config;
  char            *socket_path;
  GMainContext    *context;
  GMainLoop       *main_loop;
  GzPprofServer   *unix_server;
  GzPprofServer   *tcp_server;
  GzAgentSessions *sessions;
  guint            n_shutting_down;

  GMutex           lock;
  GCond            cond;
  LoopState        state;   /* under lock */
  GError          *error;   /* under lock: why it failed */
  gboolean         unheard; /* under lock: the constructor no longer waits for the outcome */
};

/* The agents' directory: ours, 0700, so that nobody else reaches the socket even for the
 * moment between bind () and chmod (). */
static gboolean
prepare_dir (const char  *dir,
             GError     **error)
{
  struct stat st;

  if (g_mkdir_with_parents (dir, 0700) != 0 || stat (dir, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create the agents' directory %s: %s (set GZ_AGENT_DIR)", dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "the agents' directory %s belongs to another user (set GZ_AGENT_DIR)", dir);
      return FALSE;
    }
  if ((st.st_mode & 077) != 0 && chmod (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make %s private (0700): %s", dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* "ADDRESS:PORT", "[V6]:PORT". */
static gboolean
parse_listen (const char  *value,
              char       **address,
              guint       *port,
              GError     **error)
{
  const char *colon = strrchr (value, ':');
  guint64 number = 0;

  if (colon != NULL && colon != value &&
      g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &number, NULL))
    {
      if (value[0] == '[' && colon[-1] == ']')
        *address = g_strndup (value + 1, colon - value - 2);
      else
        *address = g_strndup (value, colon - value);
      *port = (guint) number;
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "GZ_AGENT_LISTEN=%s: expected ADDRESS:PORT, e.g. 127.0.0.1:6060", value);
  return FALSE;
}

static gboolean
listen_all (GzAgentLoop  *self,
            GError      **error)
{
  g_autofree char *dir = gz_agent_dir ();
  const char *tcp = g_getenv ("GZ_AGENT_LISTEN");

  if (!prepare_dir (dir, error))
    return FALSE;
  self->socket_path = gz_agent_socket_path (getpid ());
  /* A socket left by a process that had this pid before. */
  g_unlink (self->socket_path);

  self->unix_server = gz_pprof_server_new (self->config);
  self->sessions = gz_agent_sessions_new (self->config);
  gz_agent_sessions_attach (self->sessions, self->unix_server);
  if (!gz_pprof_server_listen_unix (self->unix_server, self->socket_path, error))
    return FALSE;
  /* Owner only (the directory, 0700, kept everyone else out until now). */
  if (g_chmod (self->socket_path, 0600) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make %s private (0600): %s", self->socket_path, g_strerror (saved));
      return FALSE;
    }

  if (tcp != NULL && tcp[0] != '\0')
    {
      g_autofree char *address = NULL;
      guint port = 0;

      if (!parse_listen (tcp, &address, &port, error))
        return FALSE;
      /* Heap and stacks name the program's functions, cmdline its arguments: beyond this
       * machine only behind a token, as gz-cli profile server. */
      if (!gz_pprof_server_address_is_loopback (address) &&
          g_strcmp0 (gz_config_get_string (self->config, "token-file"), "") == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "GZ_AGENT_LISTEN=%s is not a loopback address: set a token file "
                       "(GZ_PROFILE_TOKEN_FILE) to serve beyond this machine", tcp);
          return FALSE;
        }
      self->tcp_server = gz_pprof_server_new (self->config);
      if (!gz_pprof_server_listen_on (self->tcp_server, address, port, error))
        {
          g_prefix_error (error, "GZ_AGENT_LISTEN: ");
          return FALSE;
        }
    }
  return TRUE;
}

static void
set_state (GzAgentLoop *self,
           LoopState    state,
           GError      *error)
{
  g_mutex_lock (&self->lock);
  self->state = state;
  if (error != NULL && self->unheard)
    gz_agent_say ("not profiling %d: %s", (int) getpid (), error->message);
  else if (error != NULL && self->error == NULL)
    self->error = g_error_copy (error);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void *
run (void *data)
{
  GzAgentLoop *self = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);
  if (!listen_all (self, &error))
    {
      if (self->socket_path != NULL)
        g_unlink (self->socket_path);
      set_state (self, LOOP_FAILED, error);
      g_main_context_pop_thread_default (self->context);
      return NULL;
    }
  set_state (self, LOOP_RUNNING, NULL);
  g_main_loop_run (self->main_loop);
  g_main_context_pop_thread_default (self->context);
  set_state (self, LOOP_STOPPED, NULL);
  return NULL;
}

static void
on_shutdown (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GzAgentLoop *self = user_data;

  gz_pprof_server_shutdown_finish (GZ_PPROF_SERVER (source), result, NULL);
  if (--self->n_shutting_down == 0)
    g_main_loop_quit (self->main_loop);
}

/* On the agent's thread, at the program's exit: the sessions are written first; then requests
 * in flight (a CPU profile over TCP, say) are cut short and answered with what they have. With
 * none in flight there is nothing to wait for: the connections end with the process. */
static gboolean
stop_in_loop (gpointer data)
{
  GzAgentLoop *self = data;
  GzPprofServer *servers[] = { self->unix_server, self->tcp_server };

  gz_agent_sessions_flush (self->sessions);
  g_unlink (self->socket_path);
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    {
      if (servers[i] == NULL || gz_pprof_server_get_n_in_flight (servers[i]) == 0)
        continue;
      self->n_shutting_down++;
      gz_pprof_server_shutdown_async (servers[i], NULL, on_shutdown, self);
    }
  if (self->n_shutting_down == 0)
    g_main_loop_quit (self->main_loop);
  return G_SOURCE_REMOVE;
}

/* The signals the program may expect to handle itself (SIGINT, SIGCHLD, SIGALRM, SIGUSR1, a
 * signal it waits for with signalfd or sigwait, ...) must never land on the agent's threads:
 * all are blocked there, except the faults (nothing to choose) and the two profiling signals
 * (SIGPROF: the cost of the agent's work is the program's cost; the stacks signal: captures). */
static void
agent_signal_mask (sigset_t *mask)
{
  sigfillset (mask);
  sigdelset (mask, SIGSEGV);
  sigdelset (mask, SIGBUS);
  sigdelset (mask, SIGFPE);
  sigdelset (mask, SIGILL);
  sigdelset (mask, SIGTRAP);
  sigdelset (mask, SIGSYS);
  sigdelset (mask, SIGABRT);
  sigdelset (mask, SIGPROF);
}

GzAgentLoop *
gz_agent_loop_start (GzConfig  *config,
                     GError   **error)
{
  /* The real pthread_create: the agent's own thread is no creation of the program's. */
  int (*create) (pthread_t *, const pthread_attr_t *, void *(*) (void *), void *) =
    (int (*) (pthread_t *, const pthread_attr_t *, void *(*) (void *), void *))
      dlsym (RTLD_NEXT, "pthread_create");
  GzAgentLoop *self = g_new0 (GzAgentLoop, 1);
  sigset_t mask, saved;
  pthread_attr_t attr;
  pthread_t thread;
  gint64 deadline;
  int rc;

  self->config = g_object_ref (config);
  self->context = g_main_context_new ();
  self->main_loop = g_main_loop_new (self->context, FALSE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  agent_signal_mask (&mask);
  pthread_sigmask (SIG_SETMASK, &mask, &saved);
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  rc = create != NULL ? create (&thread, &attr, run, self) : ENOSYS;
  pthread_attr_destroy (&attr);
  pthread_sigmask (SIG_SETMASK, &saved, NULL);
  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (rc),
                   "cannot start the agent's thread: %s", g_strerror (rc));
      return NULL; /* self is leaked: the agent stays idle for good */
    }
  pthread_setname_np (thread, "gz-agent");

  deadline = g_get_monotonic_time () + START_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&self->lock);
  while (self->state == LOOP_STARTING)
    {
      if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
        break;
    }
  if (self->state == LOOP_FAILED)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  /* Still starting after the timeout: it will listen soon (or say why not); the program goes
   * on meanwhile. */
  self->unheard = TRUE;
  g_mutex_unlock (&self->lock);
  return self;
}

void
gz_agent_loop_stop (GzAgentLoop *self,
                    guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&self->lock);
  if (self->state != LOOP_RUNNING)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_mutex_unlock (&self->lock);

  g_main_context_invoke_full (self->context, G_PRIORITY_HIGH, stop_in_loop, self, NULL);

  g_mutex_lock (&self->lock);
  while (self->state == LOOP_RUNNING)
    {
      if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
        {
          g_mutex_unlock (&self->lock);
          gz_agent_say ("the sessions were not flushed within %u ms; exiting without them",
                        timeout_ms);
          return;
        }
    }
  g_mutex_unlock (&self->lock);
}
