/* gz-agent-sessions.c: session control inside the target, on the agent's Unix socket only:
 * POST /debug/gz/session/start?type=T[&output=PATH] and POST /debug/gz/session/stop?type=T, one
 * session per type; at exit each running session is stopped and written to its PATH. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <unistd.h>

#include "gz-agent-private.h"
#include "gz-profiler-factory.h"

typedef struct
{
  GzProfileType  type;
  GzProfiler    *profiler;
  char          *id;
  char          *output;   /* NULL: none; written at exit if still running */
  gboolean       busy;     /* starting or stopping on a worker */
} Session;

struct _GzAgentSessions
{
  GzConfig   *config;
  GHashTable *by_type;    /* GINT_TO_POINTER (GzProfileType) -> Session * */
  guint       next_id;
};

static void
session_free (Session *session)
{
  g_clear_object (&session->profiler);
  g_free (session->id);
  g_free (session->output);
  g_free (session);
}

GzAgentSessions *
gz_agent_sessions_new (GzConfig *config)
{
  GzAgentSessions *self = g_new0 (GzAgentSessions, 1);

  self->config = g_object_ref (config);
  self->by_type = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) session_free);
  return self;
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  g_autofree char *line = g_strdup_printf ("%s\n", text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    line, strlen (line));
}

/* A started or stopped task carries this. */
typedef struct
{
  GzAgentSessions   *sessions;
  Session           *session;
  SoupServerMessage *msg;
} Work;

static void
work_free (Work *work)
{
  g_object_unref (work->msg);
  g_free (work);
}

static void
start_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Work *work = task_data;
  GError *error = NULL;

  if (gz_profiler_start (work->session->profiler, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  work->session->busy = FALSE;
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      respond_text (work->msg, SOUP_STATUS_OK, work->session->id);
    }
  else
    {
      respond_text (work->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      g_hash_table_remove (work->sessions->by_type, GINT_TO_POINTER (work->session->type));
    }
  soup_server_message_unpause (work->msg);
}

static void
handle_start (GzAgentSessions   *self,
              SoupServerMessage *msg,
              GzProfileType      type,
              const char        *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Session *session;
  Work *work;
  GzProfiler *profiler;

  if (g_hash_table_contains (self->by_type, GINT_TO_POINTER (type)))
    {
      g_autofree char *text = g_strdup_printf ("a %s session already runs in process %d; stop "
                                               "it first", gz_profile_type_to_string (type),
                                               (int) getpid ());

      return respond_text (msg, SOUP_STATUS_CONFLICT, text);
    }
  if (output != NULL && !g_path_is_absolute (output))
    return respond_text (msg, SOUP_STATUS_BAD_REQUEST, "output must be an absolute path");
  profiler = gz_profiler_new (type, self->config, &error);
  if (profiler == NULL)
    return respond_text (msg, SOUP_STATUS_NOT_IMPLEMENTED, error->message);

  session = g_new0 (Session, 1);
  session->type = type;
  session->profiler = profiler;
  session->id = g_strdup_printf ("%s-%d-%u", gz_profile_type_to_string (type), (int) getpid (),
                                 ++self->next_id);
  session->output = g_strdup (output);
  session->busy = TRUE;
  g_hash_table_insert (self->by_type, GINT_TO_POINTER (type), session);

  work = g_new0 (Work, 1);
  work->sessions = self;
  work->session = session;
  work->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  task = g_task_new (NULL, NULL, on_started, NULL);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);
  g_task_run_in_thread (task, start_in_thread);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Work *work = user_data;
  g_autoptr(GzProfile) profile = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  profile = gz_profiler_stop_finish (GZ_PROFILER (source), result, &error);
  if (profile != NULL)
    bytes = gz_profile_encode (profile, &error);
  if (bytes != NULL)
    {
      soup_server_message_set_status (work->msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (work->msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  else
    {
      respond_text (work->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
    }
  /* Stopped either way (gz_profiler_stop stops even when the profile fails). */
  g_hash_table_remove (work->sessions->by_type, GINT_TO_POINTER (work->session->type));
  soup_server_message_unpause (work->msg);
  work_free (work);
}

static void
handle_stop (GzAgentSessions   *self,
             SoupServerMessage *msg,
             GzProfileType      type)
{
  Session *session = g_hash_table_lookup (self->by_type, GINT_TO_POINTER (type));
  Work *work;

  if (session == NULL)
    return respond_text (msg, SOUP_STATUS_NOT_FOUND, "no session of that type runs");
  if (session->busy)
    return respond_text (msg, SOUP_STATUS_CONFLICT, "that session is starting or stopping");

  session->busy = TRUE;
  work = g_new0 (Work, 1);
  work->sessions = self;
  work->session = session;
  work->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  gz_profiler_stop_async (session->profiler, NULL, on_stopped, work);
}

static void
handle_session (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  GzAgentSessions *self = user_data;
  const char *type_name = query != NULL ? g_hash_table_lookup (query, "type") : NULL;
  GzProfileType type;

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "POST");
      return respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed: use POST");
    }
  if (type_name == NULL || !gz_profile_type_from_string (type_name, &type))
    {
      g_autofree char *text = g_strdup_printf ("type must be one of: %s",
                                               gz_profile_type_names ());

      return respond_text (msg, SOUP_STATUS_BAD_REQUEST, text);
    }
  if (g_str_equal (path, "/debug/gz/session/start"))
    handle_start (self, msg, type, g_hash_table_lookup (query, "output"));
  else if (g_str_equal (path, "/debug/gz/session/stop"))
    handle_stop (self, msg, type);
  else
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "unknown session endpoint: use "
                  "/debug/gz/session/start or /debug/gz/session/stop");
}

void
gz_agent_sessions_attach (GzAgentSessions *self,
                          GzPprofServer   *server)
{
  gz_pprof_server_add_handler (server, "/debug/gz/session", handle_session, self, NULL);
}

void
gz_agent_sessions_flush (GzAgentSessions *self)
{
  GHashTableIter iter;
  Session *session;

  g_hash_table_iter_init (&iter, self->by_type);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &session))
    {
      g_autoptr(GzProfile) profile = NULL;
      g_autoptr(GError) error = NULL;

      /* One on a worker is left to it: the profiler is not ours to touch meanwhile. */
      if (session->busy)
        continue;
      profile = gz_profiler_stop (session->profiler, &error);
      if (profile != NULL && session->output != NULL &&
          !gz_profile_write_file (profile, session->output, &error))
        profile = NULL;
      if (profile == NULL && session->output != NULL)
        gz_agent_say ("the %s session's profile could not be written to %s at exit: %s",
                      gz_profile_type_to_string (session->type), session->output,
                      error != NULL ? error->message : "no profile");
      g_hash_table_iter_remove (&iter);
    }
}
